// Scenario tests for rule set 2 (retail membership and VIP entry) under
// examples/policies/retail.json: VIP entry on one big mid/high-end purchase,
// a big month or a manager's nomination; membership cards by annual spend
// and frequency with a grace month; activity classes by recency.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "scenario_util.h"
#include "standing/engine.h"
#include "standing/policy.h"

namespace standing::scenario {
namespace {

constexpr char kPolicyPath[] =
    STANDING_SOURCE_DIR "/examples/policies/retail.json";
constexpr char kVip[] = "vip";
constexpr char kCard[] = "membership";
constexpr char kActivity[] = "activity";

class RetailScenario : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(h_.ok()) << h_.status(); }

  // `n` purchases of `each` fen, one a day from `first_day` of the month.
  void BuyDaily(const std::string& id, int year, int month, int first_day,
                int n, int64_t each, const std::string& category = "grocery") {
    for (int i = 0; i < n; ++i) {
      h_.Must(Buy(id, Local(year, month, first_day + i), each, category));
    }
  }

  Harness h_{kPolicyPath};
};

TEST(RetailPolicy, ParsesAndValidatesWithinTheMetricBudget) {
  absl::StatusOr<v1::Policy> policy = LoadPolicyFile(kPolicyPath);
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_TRUE(ValidatePolicy(*policy).ok()) << ValidatePolicy(*policy);
  EXPECT_LE(policy->metrics_size(), 10);
  ASSERT_EQ(policy->tier_programs_size(), 3);
  EXPECT_EQ(policy->tier_programs(0).name(), kVip);
  EXPECT_EQ(policy->tier_programs(1).name(), kCard);
  EXPECT_EQ(policy->tier_programs(2).name(), kActivity);
  std::vector<std::string> cards;
  for (const auto& t : policy->tier_programs(1).tiers()) {
    cards.push_back(t.name());
  }
  EXPECT_EQ(cards, (std::vector<std::string>{"普通", "银卡", "金卡", "钻石"}));
}

TEST_F(RetailScenario, OneBigMidHighEndPurchaseMakesVip) {
  h_.Must(
      Enrol("big", Local(2026, 3, 1), {{"birthday", DateValue(1990, 5, 4)}}));
  h_.Must(Enrol("almost", Local(2026, 3, 1)));
  h_.Must(Enrol("grocery", Local(2026, 3, 1)));
  EXPECT_EQ(h_.Tier("big", kVip), "member");

  h_.Must(Buy("big", Local(2026, 3, 2), Yuan(10'000), "mid_high_end"));
  std::vector<v1::Transition> ts = h_.last(kVip);
  ASSERT_EQ(ts.size(), 1u);
  EXPECT_EQ(ts[0].from_tier(), "member");
  EXPECT_EQ(ts[0].to_tier(), "VIP");
  EXPECT_EQ(ts[0].kind(), v1::UPGRADE);
  EXPECT_EQ(ts[0].cause(), v1::EVENT);
  const v1::Check* c = FindCheck(ts[0].explanation(), "big_purchase_this_year");
  ASSERT_NE(c, nullptr) << ts[0].explanation().DebugString();
  EXPECT_DOUBLE_EQ(c->value(), Yuan(10'000));
  EXPECT_DOUBLE_EQ(c->threshold(), Yuan(10'000));
  EXPECT_TRUE(c->holds());

  h_.Must(Buy("almost", Local(2026, 3, 2), Yuan(9'999, 99), "mid_high_end"));
  EXPECT_EQ(h_.Tier("almost", kVip), "member");
  // Not mid/high-end, and 10,000 is below the monthly 20,000.
  h_.Must(Buy("grocery", Local(2026, 3, 2), Yuan(10'000), "grocery"));
  EXPECT_EQ(h_.Tier("grocery", kVip), "member");
  // One purchase is not enough for any card.
  EXPECT_EQ(h_.Tier("big", kCard), "普通");
}

TEST_F(RetailScenario, TwentyThousandInOneLocalMonthMakesVip) {
  h_.Must(Enrol("month", Local(2026, 3, 1)));
  h_.Must(Buy("month", Local(2026, 3, 3), Yuan(12'000)));
  EXPECT_EQ(h_.Tier("month", kVip), "member");
  h_.Must(Buy("month", Local(2026, 3, 28), Yuan(8'000)));
  ASSERT_EQ(h_.last(kVip).size(), 1u);
  EXPECT_EQ(h_.last(kVip)[0].to_tier(), "VIP");
  v1::Explanation e = h_.Explain("month", kVip);
  const v1::Check* c = FindCheck(e, "spend_this_month");
  ASSERT_NE(c, nullptr) << e.DebugString();
  EXPECT_DOUBLE_EQ(c->value(), Yuan(20'000));
  EXPECT_DOUBLE_EQ(c->threshold(), Yuan(20'000));
  EXPECT_TRUE(c->holds());

  // 15,000 on 31 March and 15,000 on 1 April 07:00 local (still 31 March in
  // UTC): two local months, no VIP.
  h_.Must(Enrol("split", Local(2026, 3, 28, 13)));
  h_.Must(Buy("split", Local(2026, 3, 31, 20), Yuan(15'000)));
  h_.Must(Buy("split", Local(2026, 4, 1, 7), Yuan(15'000)));
  EXPECT_EQ(h_.Tier("split", kVip), "member");
  EXPECT_EQ(h_.Metric("split", "spend_this_month"), Yuan(15'000));
}

TEST_F(RetailScenario, ManualNominationHoldsUntilItsExpiry) {
  h_.Must(Enrol("nominee", Local(2026, 1, 5)));
  h_.Must(Enrol("forever", Local(2026, 1, 5)));
  const int64_t expiry = Local(2026, 7, 1, 0, 0);
  h_.Must(Grant("nominee", Local(2026, 1, 10), kVip, "VIP", "manager_li",
                "long-standing family account", expiry));
  std::vector<v1::Transition> ts = h_.last(kVip);
  ASSERT_EQ(ts.size(), 1u);
  EXPECT_EQ(ts[0].to_tier(), "VIP");
  EXPECT_EQ(ts[0].kind(), v1::UPGRADE);
  EXPECT_EQ(ts[0].cause(), v1::GRANT);
  EXPECT_FALSE(ts[0].explanation().rule().empty());

  v1::Customer c = h_.Get("nominee");
  const v1::ProgramStanding* s = FindStanding(c, kVip);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->tier(), "VIP");
  EXPECT_EQ(s->qualified_tier(), "member");
  ASSERT_TRUE(s->has_grant());
  EXPECT_EQ(s->grant().tier(), "VIP");
  EXPECT_EQ(s->grant().approver(), "manager_li");
  EXPECT_EQ(s->grant().reason(), "long-standing family account");
  EXPECT_EQ(s->grant().expires_at().seconds(), expiry);
  EXPECT_EQ(h_.Explain("nominee", kVip).cause(), v1::GRANT);

  h_.Must(Grant("forever", Local(2026, 1, 10), kVip, "VIP", "manager_wang",
                "strategic partner"));

  ASSERT_TRUE(h_.Review(expiry - 1).ok());
  EXPECT_TRUE(h_.last(kVip).empty());
  EXPECT_EQ(h_.Tier("nominee", kVip), "VIP");

  ASSERT_TRUE(h_.Review(expiry).ok());
  ts = h_.last(kVip);
  ASSERT_EQ(ts.size(), 1u);
  EXPECT_EQ(ts[0].customer_id(), "nominee");
  EXPECT_EQ(ts[0].from_tier(), "VIP");
  EXPECT_EQ(ts[0].to_tier(), "member");
  EXPECT_EQ(ts[0].kind(), v1::DOWNGRADE);
  EXPECT_EQ(ts[0].cause(), v1::GRANT_EXPIRED);
  EXPECT_EQ(ts[0].at().seconds(), expiry);
  EXPECT_EQ(h_.Tier("nominee", kVip), "member");

  // A grant without expiry survives tier-anniversary reviews.
  ASSERT_TRUE(h_.Review(Local(2028, 2, 1)).ok());
  EXPECT_EQ(h_.Tier("forever", kVip), "VIP");
}

TEST_F(RetailScenario, VipIsReviewedOnTheTierAnniversary) {
  h_.Must(Enrol("c1", Local(2025, 3, 1)));
  h_.Must(Buy("c1", Local(2025, 3, 10), Yuan(12'000), "mid_high_end"));
  v1::Customer c = h_.Get("c1");
  const v1::ProgramStanding* s = FindStanding(c, kVip);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->tier(), "VIP");
  EXPECT_EQ(s->tier_since().seconds(), Local(2025, 3, 10));
  EXPECT_GE(s->next_review().seconds(), Local(2026, 3, 10, 0, 0));
  EXPECT_LE(s->next_review().seconds(), Local(2026, 3, 10, 23, 59));

  // 2026 anniversary: last year's big purchase still counts.
  ASSERT_TRUE(h_.Review(Local(2026, 3, 12)).ok());
  EXPECT_TRUE(h_.last(kVip).empty());
  EXPECT_EQ(h_.Tier("c1", kVip), "VIP");

  // 2027 anniversary: nothing in 2026 or 2027, down to member.
  ASSERT_TRUE(h_.Review(Local(2027, 3, 12)).ok());
  std::vector<v1::Transition> ts = h_.last(kVip);
  ASSERT_EQ(ts.size(), 1u);
  EXPECT_EQ(ts[0].from_tier(), "VIP");
  EXPECT_EQ(ts[0].to_tier(), "member");
  EXPECT_EQ(ts[0].kind(), v1::DOWNGRADE);
  EXPECT_EQ(ts[0].cause(), v1::REVIEW);
  EXPECT_GE(ts[0].at().seconds(), Local(2027, 3, 10, 0, 0));
  EXPECT_LE(ts[0].at().seconds(), Local(2027, 3, 10, 23, 59));
}

TEST_F(RetailScenario, CardsNeedBothSpendAndFrequency) {
  h_.Must(Enrol("c1", Local(2026, 1, 2)));
  // 60,000 in three purchases: spend enough for 钻石, but too few purchases.
  BuyDaily("c1", 2026, 1, 5, 3, Yuan(20'000));
  EXPECT_EQ(h_.Tier("c1", kCard), "普通");
  h_.Must(Buy("c1", Local(2026, 2, 1), Yuan(1)));
  ASSERT_EQ(h_.last(kCard).size(), 1u);
  EXPECT_EQ(h_.last(kCard)[0].from_tier(), "普通");
  EXPECT_EQ(h_.last(kCard)[0].to_tier(), "银卡");
  BuyDaily("c1", 2026, 2, 2, 4, Yuan(1));
  EXPECT_EQ(h_.Tier("c1", kCard), "金卡");
  BuyDaily("c1", 2026, 2, 10, 3, Yuan(1));
  EXPECT_EQ(h_.Tier("c1", kCard), "金卡");
  h_.Must(Buy("c1", Local(2026, 2, 20), Yuan(1)));
  ASSERT_EQ(h_.last(kCard).size(), 1u);
  EXPECT_EQ(h_.last(kCard)[0].from_tier(), "金卡");
  EXPECT_EQ(h_.last(kCard)[0].to_tier(), "钻石");
  EXPECT_EQ(h_.Metric("c1", "purchases_this_year"), 12);

  // Twelve purchases but 49,999.99: 金卡, not 钻石 (lower bound inclusive).
  h_.Must(Enrol("c2", Local(2026, 3, 1)));
  BuyDaily("c2", 2026, 3, 2, 11, Yuan(4'000));
  h_.Must(Buy("c2", Local(2026, 3, 20), Yuan(5'999, 99)));
  EXPECT_EQ(h_.Metric("c2", "spend_this_year"), Yuan(49'999, 99));
  EXPECT_EQ(h_.Tier("c2", kCard), "金卡");

  v1::Explanation e = h_.Explain("c2", kCard);
  EXPECT_EQ(e.tier(), "金卡");
  EXPECT_TRUE(absl::StrContains(e.rule(), "tiers[2]")) << e.rule();
  ASSERT_NE(FindCheck(e, "spend_this_year"), nullptr) << e.DebugString();
  ASSERT_NE(FindCheck(e, "purchases_this_year"), nullptr) << e.DebugString();
  for (const v1::Check* c : ChecksOn(e, "purchases_this_year")) {
    EXPECT_DOUBLE_EQ(c->value(), 12);
  }
}

TEST_F(RetailScenario, HouseCarAndRenovationPurchasesDoNotCount) {
  h_.Must(Enrol("c1", Local(2026, 4, 1)));
  h_.Must(Buy("c1", Local(2026, 4, 2), Yuan(1'000'000), "house"));
  h_.Must(Buy("c1", Local(2026, 4, 3), Yuan(300'000), "car"));
  h_.Must(Buy("c1", Local(2026, 4, 4), Yuan(80'000), "renovation"));
  h_.Must(Buy("c1", Local(2026, 4, 5), Yuan(30'000), "renovation"));
  EXPECT_EQ(h_.Metric("c1", "spend_this_year"), 0);
  EXPECT_EQ(h_.Metric("c1", "purchases_this_year"), 0);
  EXPECT_EQ(h_.Metric("c1", "spend_this_month"), 0);
  EXPECT_EQ(h_.Tier("c1", kCard), "普通");
  EXPECT_EQ(h_.Tier("c1", kVip), "member");

  // Four ordinary purchases of 1,250 make exactly 5,000: 银卡.
  BuyDaily("c1", 2026, 4, 10, 4, Yuan(1'250));
  EXPECT_EQ(h_.Metric("c1", "spend_this_year"), Yuan(5'000));
  EXPECT_EQ(h_.Tier("c1", kCard), "银卡");
}

TEST_F(RetailScenario, YearEndReviewRetainsForAGraceMonthThenDowngrades) {
  h_.Must(Enrol("c1", Local(2025, 2, 1)));
  BuyDaily("c1", 2025, 3, 1, 8, Yuan(2'500));
  EXPECT_EQ(h_.Tier("c1", kCard), "金卡");

  // 2026-01-01: 2025 still qualifies.
  ASSERT_TRUE(h_.Review(Local(2026, 1, 1, 0, 0)).ok());
  EXPECT_TRUE(h_.last(kCard).empty());

  // 2027-01-01: nothing in 2026. Retained for 31 days.
  ASSERT_TRUE(h_.Review(Local(2027, 1, 1, 0, 0)).ok());
  std::vector<v1::Transition> ts = h_.last(kCard);
  ASSERT_EQ(ts.size(), 1u);
  EXPECT_EQ(ts[0].kind(), v1::RETAINED);
  EXPECT_EQ(ts[0].cause(), v1::REVIEW);
  EXPECT_EQ(ts[0].from_tier(), "金卡");
  EXPECT_EQ(ts[0].to_tier(), "金卡");
  v1::Customer c = h_.Get("c1");
  const v1::ProgramStanding* s = FindStanding(c, kCard);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->tier(), "金卡");
  EXPECT_EQ(s->qualified_tier(), "普通");
  EXPECT_EQ(s->retained_until().seconds(), Local(2027, 2, 1, 0, 0));

  ASSERT_TRUE(h_.Review(Local(2027, 1, 31, 23, 59)).ok());
  EXPECT_TRUE(h_.last(kCard).empty());
  EXPECT_EQ(h_.Tier("c1", kCard), "金卡");

  ASSERT_TRUE(h_.Review(Local(2027, 2, 1, 0, 0)).ok());
  ts = h_.last(kCard);
  ASSERT_EQ(ts.size(), 1u);
  EXPECT_EQ(ts[0].kind(), v1::DOWNGRADE);
  EXPECT_EQ(ts[0].cause(), v1::GRACE_EXPIRED);
  EXPECT_EQ(ts[0].from_tier(), "金卡");
  EXPECT_EQ(ts[0].to_tier(), "普通");
  EXPECT_EQ(ts[0].at().seconds(), Local(2027, 2, 1, 0, 0));
}

TEST_F(RetailScenario, QualifyingAgainDuringGraceKeepsTheCard) {
  h_.Must(Enrol("c1", Local(2025, 2, 1)));
  BuyDaily("c1", 2025, 3, 1, 8, Yuan(2'500));
  ASSERT_TRUE(h_.Review(Local(2026, 1, 1, 0, 0)).ok());
  ASSERT_TRUE(h_.Review(Local(2027, 1, 1, 0, 0)).ok());
  ASSERT_EQ(h_.last(kCard).size(), 1u);
  EXPECT_EQ(h_.last(kCard)[0].kind(), v1::RETAINED);

  // Eight purchases of 2,500 in January 2027 qualify 金卡 again.
  BuyDaily("c1", 2027, 1, 5, 8, Yuan(2'500));
  v1::Customer c = h_.Get("c1");
  const v1::ProgramStanding* s = FindStanding(c, kCard);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->tier(), "金卡");
  EXPECT_EQ(s->qualified_tier(), "金卡");
  EXPECT_FALSE(s->has_retained_until());

  ASSERT_TRUE(h_.Review(Local(2027, 3, 1)).ok());
  EXPECT_TRUE(h_.last(kCard).empty());
  EXPECT_EQ(h_.Tier("c1", kCard), "金卡");
}

TEST_F(RetailScenario, ActivityFallsToSilentAtTheMonthlyReview) {
  h_.Must(Enrol("c1", Local(2026, 1, 2)));
  // No purchase yet: recency counts from enrolment (0 days).
  EXPECT_EQ(h_.Tier("c1", kActivity), "一般");
  h_.Must(Buy("c1", Local(2026, 1, 5), Yuan(100)));
  h_.Must(Buy("c1", Local(2026, 1, 10), Yuan(100)));
  EXPECT_EQ(h_.Tier("c1", kActivity), "一般");
  h_.Must(Buy("c1", Local(2026, 1, 15), Yuan(100)));
  ASSERT_EQ(h_.last(kActivity).size(), 1u);
  EXPECT_EQ(h_.last(kActivity)[0].to_tier(), "活跃");

  ASSERT_TRUE(h_.Review(Local(2026, 2, 1, 0, 0)).ok());  // 17 days
  EXPECT_TRUE(h_.last(kActivity).empty());
  ASSERT_TRUE(h_.Review(Local(2026, 3, 1, 0, 0)).ok());  // 45 days
  ASSERT_EQ(h_.last(kActivity).size(), 1u);
  EXPECT_EQ(h_.last(kActivity)[0].from_tier(), "活跃");
  EXPECT_EQ(h_.last(kActivity)[0].to_tier(), "一般");
  EXPECT_EQ(h_.last(kActivity)[0].cause(), v1::REVIEW);
  ASSERT_TRUE(h_.Review(Local(2026, 4, 1, 0, 0)).ok());  // 76 days
  EXPECT_TRUE(h_.last(kActivity).empty());
  EXPECT_EQ(h_.Tier("c1", kActivity), "一般");

  ASSERT_TRUE(h_.Review(Local(2026, 5, 1, 0, 0)).ok());  // 106 days
  std::vector<v1::Transition> ts = h_.last(kActivity);
  ASSERT_EQ(ts.size(), 1u);
  EXPECT_EQ(ts[0].from_tier(), "一般");
  EXPECT_EQ(ts[0].to_tier(), "沉默");
  EXPECT_EQ(ts[0].kind(), v1::DOWNGRADE);
  EXPECT_EQ(ts[0].cause(), v1::REVIEW);
  EXPECT_EQ(ts[0].at().seconds(), Local(2026, 5, 1, 0, 0));
  const v1::Check* c = FindCheck(ts[0].explanation(), "days_since_purchase");
  ASSERT_NE(c, nullptr) << ts[0].explanation().DebugString();
  // Local calendar days from 15 January to 1 May.
  EXPECT_DOUBLE_EQ(c->value(), 106);
  EXPECT_EQ(h_.Counts(kActivity), (std::vector<uint64_t>{1, 0, 0}));
}

TEST_F(RetailScenario, ActiveAtQuarterStartOnLastQuarterPurchases) {
  h_.Must(Enrol("c1", Local(2026, 3, 1)));
  h_.Must(Buy("c1", Local(2026, 3, 20), Yuan(50)));
  h_.Must(Buy("c1", Local(2026, 3, 25), Yuan(50)));
  h_.Must(Buy("c1", Local(2026, 3, 28), Yuan(50)));
  EXPECT_EQ(h_.Tier("c1", kActivity), "活跃");
  // 1 April: this quarter is empty, last quarter has three purchases.
  ASSERT_TRUE(h_.Review(Local(2026, 4, 1, 0, 0)).ok());
  EXPECT_TRUE(h_.last(kActivity).empty());
  EXPECT_EQ(h_.Tier("c1", kActivity), "活跃");
  // 1 May: 34 days since the last purchase.
  ASSERT_TRUE(h_.Review(Local(2026, 5, 1, 0, 0)).ok());
  ASSERT_EQ(h_.last(kActivity).size(), 1u);
  EXPECT_EQ(h_.last(kActivity)[0].to_tier(), "一般");
}

TEST_F(RetailScenario, LateEventLandsInItsOwnMonthAndOldOnesAreRefused) {
  h_.Must(Enrol("c1", Local(2026, 3, 1)));
  h_.Must(Buy("c1", Local(2026, 3, 5), Yuan(10'000)));
  h_.Must(Buy("c1", Local(2026, 4, 2), Yuan(100)));
  // Late, inside the 7-day horizon: March now totals 20,000.
  h_.Must(Buy("c1", Local(2026, 3, 31, 22), Yuan(10'000)));
  EXPECT_EQ(h_.Tier("c1", kVip), "VIP");
  EXPECT_EQ(h_.Metric("c1", "spend_this_month"), Yuan(100));
  EXPECT_EQ(h_.Metric("c1", "spend_this_year"), Yuan(20'100));

  absl::Status s = h_.Apply(Buy("c1", Local(2026, 3, 20), Yuan(500)));
  EXPECT_EQ(s.code(), absl::StatusCode::kOutOfRange) << s;
  EXPECT_EQ(h_.Metric("c1", "spend_this_year"), Yuan(20'100));
}

TEST_F(RetailScenario, ListCountAndRefusals) {
  h_.Must(Enrol("a", Local(2026, 3, 1), {{"region", Text("上海")}}));
  h_.Must(Enrol("b", Local(2026, 3, 1), {{"birthday", DateValue(1985, 3, 8)}}));
  h_.Must(Enrol("c", Local(2026, 3, 1)));
  h_.Must(Buy("c", Local(2026, 3, 2), Yuan(15'000), "mid_high_end"));
  h_.Must(Buy("a", Local(2026, 3, 3), Yuan(25'000)));
  EXPECT_EQ(h_.Counts(kVip), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(h_.List(kVip, "VIP"), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(h_.List(kVip, "VIP", 1), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(h_.List(kVip, "member"), (std::vector<std::string>{"b"}));
  EXPECT_EQ(h_.Counts(kCard), (std::vector<uint64_t>{3, 0, 0, 0}));

  // Unknown customer: NotFound, nothing changes.
  const int64_t clock = h_.engine().clock();
  absl::Status s = h_.Apply(Buy("nobody", Local(2026, 3, 4), Yuan(99'999)));
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << s;
  EXPECT_EQ(h_.engine().customer_count(), 3u);
  EXPECT_EQ(h_.engine().clock(), clock);
  EXPECT_EQ(h_.Counts(kVip), (std::vector<uint64_t>{1, 2}));

  // A birthday must be a date, and attributes must be declared: the
  // customer is not created.
  EXPECT_EQ(h_.Apply(Enrol("d", Local(2026, 3, 4),
                           {{"birthday", Text("1990-01-01")}}))
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(h_.Apply(Enrol("e", Local(2026, 3, 4), {{"vip_hint", Flag(true)}}))
                .code(),
            absl::StatusCode::kInvalidArgument);
  v1::Customer c;
  EXPECT_EQ(h_.engine().GetCustomer("d", &c).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(h_.engine().GetCustomer("e", &c).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(h_.engine().customer_count(), 3u);
  // A grant of an unknown tier is refused.
  EXPECT_EQ(
      h_.Apply(Grant("b", Local(2026, 3, 4), kVip, "SVIP", "m", "r")).code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(h_.Tier("b", kVip), "member");
}

}  // namespace
}  // namespace standing::scenario
