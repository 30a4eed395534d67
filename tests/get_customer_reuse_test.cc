// GetCustomer overwrites a reused message in place (no Clear, so nothing is
// reallocated); nothing of the previous customer may survive.
#include <gtest/gtest.h>

#include "google/protobuf/util/message_differencer.h"
#include "standing/engine.h"

namespace standing {
namespace {

constexpr char kPolicy[] = R"pb(
  name: "reuse"
  currency: "CNY"
  attributes { name: "region" type: TEXT }
  attributes { name: "vip_flag" type: FLAG }
  metrics {
    name: "spend"
    aggregate: SUM
    field: AMOUNT
    window { since_enrolment: true }
  }
  tier_programs {
    name: "p"
    review { monthly: true }
    tiers { name: "base" }
    tiers {
      name: "top"
      qualify { metric { metric: "spend" op: GE value: 100 } }
    }
  }
  tier_programs {
    name: "q"
    downgrade: IMMEDIATE
    tiers { name: "base" }
    tiers {
      name: "flagged"
      qualify { attribute { attribute: "vip_flag" } }
    }
  }
)pb";

v1::Event Enrol(const std::string& id, bool with_attributes) {
  v1::Event e;
  e.set_customer_id(id);
  e.mutable_at()->set_seconds(1767225600);
  auto* attributes = e.mutable_enrolled()->mutable_attributes();
  if (with_attributes) {
    (*attributes)["region"].set_text("华东");
    (*attributes)["vip_flag"].set_flag(true);
  }
  return e;
}

TEST(GetCustomerReuse, ReusedMessageEqualsAFreshOne) {
  auto policy = ParsePolicy(kPolicy, PolicyFormat::kText);
  ASSERT_TRUE(policy.ok()) << policy.status();
  auto engine = Engine::Create(*policy);
  ASSERT_TRUE(engine.ok()) << engine.status();
  ASSERT_TRUE((*engine)->Apply(Enrol("rich", true), nullptr).ok());
  ASSERT_TRUE((*engine)->Apply(Enrol("plain", false), nullptr).ok());
  v1::Event buy;
  buy.set_customer_id("rich");
  buy.mutable_at()->set_seconds(1767229200);
  buy.mutable_purchase()->set_amount(500);
  ASSERT_TRUE((*engine)->Apply(buy, nullptr).ok());

  v1::Customer reused;
  ASSERT_TRUE((*engine)->GetCustomer("rich", &reused).ok());
  EXPECT_EQ(reused.attributes().size(), 2u);
  EXPECT_EQ(reused.standings(0).tier(), "top");
  EXPECT_EQ(reused.standings(1).tier(), "flagged");
  ASSERT_TRUE((*engine)->GetCustomer("plain", &reused).ok());
  v1::Customer fresh;
  ASSERT_TRUE((*engine)->GetCustomer("plain", &fresh).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(reused, fresh))
      << reused.DebugString() << "\nvs\n"
      << fresh.DebugString();
  EXPECT_TRUE(reused.attributes().empty());
  EXPECT_EQ(reused.standings(0).tier(), "base");
}

}  // namespace
}  // namespace standing
