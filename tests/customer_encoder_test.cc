// Engine::GetCustomerBytes writes the wire format by hand; its bytes must
// parse to exactly what Engine::GetCustomer builds, for every attribute
// type, grants, grace, missing metrics and long texts.
#include <gtest/gtest.h>

#include <string>

#include "google/protobuf/util/message_differencer.h"
#include "standing/engine.h"

namespace standing {
namespace {

constexpr char kPolicy[] = R"pb(
  name: "encoder"
  currency: "CNY"
  time_zone: "+08:00"
  attributes { name: "region" type: TEXT }
  attributes { name: "rank" type: INTEGER }
  attributes { name: "score" type: NUMBER }
  attributes { name: "flagged" type: FLAG }
  attributes { name: "birthday" type: DATE }
  metrics {
    name: "spend_year"
    aggregate: SUM
    field: AMOUNT
    window { calendar { period: YEAR } }
  }
  metrics {
    name: "biggest"
    aggregate: MAX
    field: AMOUNT
    window { calendar { period: YEAR } }
  }
  metrics {
    name: "average"
    aggregate: AVERAGE
    field: AMOUNT
    window { rolling_days: 30 }
  }
  metrics {
    name: "recency"
    aggregate: RECENCY_DAYS
    window { since_enrolment: true }
  }
  tier_programs {
    name: "membership"
    review { monthly: true }
    grace_days: 40
    tiers { name: "basic" }
    tiers {
      name: "gold"
      qualify { metric { metric: "spend_year" op: GE value: 1000 } }
    }
  }
  tier_programs {
    name: "vip"
    review { yearly { month: 1 day: 1 } }
    tiers { name: "member" }
    tiers {
      name: "VIP"
      qualify { metric { metric: "biggest" op: GE value: 5000 } }
    }
  }
)pb";

constexpr int64_t kJan = 1767196800;  // 2026-01-01T00:00:00+08:00

class EncoderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto policy = ParsePolicy(kPolicy, PolicyFormat::kText);
    ASSERT_TRUE(policy.ok()) << policy.status();
    auto engine = Engine::Create(*policy);
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = *std::move(engine);
  }

  void Apply(v1::Event e) {
    const absl::Status s = engine_->Apply(e, nullptr);
    ASSERT_TRUE(s.ok()) << s;
  }

  void ExpectSame(const std::string& id) {
    v1::Customer built;
    ASSERT_TRUE(engine_->GetCustomer(id, &built).ok());
    std::string bytes;
    ASSERT_TRUE(engine_->GetCustomerBytes(id, &bytes).ok());
    v1::Customer parsed;
    ASSERT_TRUE(parsed.ParseFromString(bytes)) << id;
    EXPECT_TRUE(
        google::protobuf::util::MessageDifferencer::Equals(built, parsed))
        << "built:\n"
        << built.DebugString() << "\nparsed:\n"
        << parsed.DebugString();

    // The standing view: the id and the same standings, nothing else.
    std::string lean;
    ASSERT_TRUE(
        engine_->GetCustomerBytes(id, Engine::CustomerView::kStanding, &lean)
            .ok());
    v1::Customer view;
    ASSERT_TRUE(view.ParseFromString(lean)) << id;
    v1::Customer expected;
    expected.set_id(built.id());
    *expected.mutable_standings() = built.standings();
    EXPECT_TRUE(
        google::protobuf::util::MessageDifferencer::Equals(expected, view))
        << view.DebugString();
    for (const v1::ProgramStanding& s : built.standings()) {
      int tier = -1;
      ASSERT_TRUE(engine_->GetTierIndex(id, s.program(), &tier).ok());
      EXPECT_EQ(tier, s.tier_index()) << id << " " << s.program();
    }
  }

  std::unique_ptr<Engine> engine_;
};

v1::Event At(const std::string& id, int64_t t) {
  v1::Event e;
  e.set_customer_id(id);
  e.mutable_at()->set_seconds(t);
  return e;
}

v1::Event Enrol(const std::string& id, int64_t t) {
  v1::Event e = At(id, t);
  e.mutable_enrolled();
  return e;
}

TEST_F(EncoderTest, BytesParseToGetCustomer) {
  v1::Event full = At("full", kJan + 3600);
  auto& attributes = *full.mutable_enrolled()->mutable_attributes();
  attributes["region"].set_text(std::string(20000, 'x'));  // > 2^14 bytes
  attributes["rank"].set_integer(-7);
  attributes["score"].set_number(-0.0);
  attributes["flagged"].set_flag(false);
  auto* date = attributes["birthday"].mutable_date();
  date->set_year(1990);
  date->set_month(2);
  date->set_day(28);
  Apply(full);
  Apply(Enrol("bare", kJan + 7200));
  v1::Event enrol_empty_text = At("empty-text", kJan + 7300);
  (*enrol_empty_text.mutable_enrolled()->mutable_attributes())["region"]
      .set_text("");
  Apply(enrol_empty_text);

  v1::Event buy = At("full", kJan + 86400);
  buy.mutable_purchase()->set_amount(6000);
  Apply(buy);
  v1::Event grant = At("bare", kJan + 90000);
  grant.mutable_tier_grant()->set_program("vip");
  grant.mutable_tier_grant()->set_tier("VIP");
  grant.mutable_tier_grant()->set_approver("manager-1");
  grant.mutable_tier_grant()->set_reason(std::string(300, 'r'));
  grant.mutable_tier_grant()->mutable_expires_at()->set_seconds(kJan +
                                                                86400 * 90);
  Apply(grant);
  // Monthly reviews run; "full" keeps gold on this year's spend.
  ASSERT_TRUE(engine_->Review(kJan + 86400 * 40, nullptr).ok());

  for (const char* id : {"full", "bare", "empty-text"}) ExpectSame(id);
}

TEST_F(EncoderTest, GraceShowsRetainedUntil) {
  Apply(Enrol("g", kJan + 3600));
  v1::Event buy = At("g", kJan + 86400 * 300);
  buy.mutable_purchase()->set_amount(2000);
  Apply(buy);
  // The year turns: spend_year is empty, the January review retains gold.
  ASSERT_TRUE(engine_->Review(kJan + 86400 * 366, nullptr).ok());
  v1::Customer c;
  ASSERT_TRUE(engine_->GetCustomer("g", &c).ok());
  ASSERT_TRUE(c.standings(0).has_retained_until());
  ExpectSame("g");
}

TEST_F(EncoderTest, UnknownCustomerIsNotFound) {
  std::string bytes = "stale";
  EXPECT_EQ(engine_->GetCustomerBytes("nobody", &bytes).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(
      engine_
          ->GetCustomerBytes("nobody", Engine::CustomerView::kStanding, &bytes)
          .code(),
      absl::StatusCode::kNotFound);
  int tier = -1;
  EXPECT_EQ(engine_->GetTierIndex("nobody", "vip", &tier).code(),
            absl::StatusCode::kNotFound);
  Apply(Enrol("known", kJan + 3600));
  EXPECT_EQ(engine_->GetTierIndex("known", "no-such-program", &tier).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(tier, -1);
}

}  // namespace
}  // namespace standing
