// Scenario tests for rule set 1 (postal key-account revenue tiers) under
// examples/policies/key_account.json: revenue tiers with inclusive lower
// bounds, group multipliers, the upstream flag, the management standard that
// follows "白金 and above", year-end reviews and late events.
#include <cmath>
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
    STANDING_SOURCE_DIR "/examples/policies/key_account.json";
constexpr char kKa[] = "key_account";
constexpr char kMgmt[] = "management_standard";

class KeyAccountScenario : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(h_.ok()) << h_.status(); }

  // Enrols `id` on 2025-01-02 and books one purchase of `amount` fen.
  void EnrolWithRevenue(const std::string& id, int64_t amount,
                        const Attrs& attrs = {}) {
    h_.Must(Enrol(id, Local(2025, 1, 2), attrs));
    if (amount > 0) h_.Must(Buy(id, Local(2025, 1, 3), amount));
  }

  Harness h_{kPolicyPath};
};

TEST(KeyAccountPolicy, ParsesAndValidates) {
  absl::StatusOr<v1::Policy> policy = LoadPolicyFile(kPolicyPath);
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_TRUE(ValidatePolicy(*policy).ok()) << ValidatePolicy(*policy);
  EXPECT_EQ(policy->time_zone(), "+08:00");
  EXPECT_EQ(policy->currency(), "CNY");
  ASSERT_EQ(policy->tier_programs_size(), 2);
  const v1::TierProgram& ka = policy->tier_programs(0);
  EXPECT_EQ(ka.name(), kKa);
  std::vector<std::string> names;
  for (const auto& t : ka.tiers()) names.push_back(t.name());
  EXPECT_EQ(names,
            (std::vector<std::string>{"none", "VIP", "黄金", "白金", "钻石"}));
  ASSERT_EQ(ka.multipliers_size(), 2);
  EXPECT_EQ(ka.multiplier_attribute(), "revenue_group");
  EXPECT_EQ(policy->tier_programs(1).name(), kMgmt);
}

TEST_F(KeyAccountScenario, EnrolmentStartsOutsideKeyAccounts) {
  h_.Must(Enrol("c1", Local(2025, 3, 1), {{"region", Text("广州")}}));
  v1::Customer c = h_.Get("c1");
  const v1::ProgramStanding* ka = FindStanding(c, kKa);
  ASSERT_NE(ka, nullptr);
  EXPECT_EQ(ka->tier(), "none");
  EXPECT_EQ(ka->tier_index(), 0);
  // The yearly review is on January 1, local midnight (+08:00).
  EXPECT_EQ(ka->next_review().seconds(), Local(2026, 1, 1, 0, 0));
  EXPECT_EQ(h_.Tier("c1", kMgmt), "standard");
  EXPECT_EQ(h_.Counts(kKa), (std::vector<uint64_t>{1, 0, 0, 0, 0}));
  EXPECT_EQ(h_.Counts(kMgmt), (std::vector<uint64_t>{1, 0}));
}

TEST_F(KeyAccountScenario, LowerBoundsAreInclusiveUpperExclusive) {
  EnrolWithRevenue("below_vip", Yuan(9'999, 99));
  EnrolWithRevenue("vip_exact", Yuan(10'000));
  EnrolWithRevenue("vip_top", Yuan(199'999, 99));
  EnrolWithRevenue("gold_exact", Yuan(200'000));
  EnrolWithRevenue("gold_top", Yuan(1'999'999, 99));
  EnrolWithRevenue("platinum_exact", Yuan(2'000'000));
  EnrolWithRevenue("platinum_top", Yuan(4'999'999, 99));
  EnrolWithRevenue("diamond_exact", Yuan(5'000'000));
  EXPECT_EQ(h_.Tier("below_vip", kKa), "none");
  EXPECT_EQ(h_.Tier("vip_exact", kKa), "VIP");
  EXPECT_EQ(h_.Tier("vip_top", kKa), "VIP");
  EXPECT_EQ(h_.Tier("gold_exact", kKa), "黄金");
  EXPECT_EQ(h_.Tier("gold_top", kKa), "黄金");
  EXPECT_EQ(h_.Tier("platinum_exact", kKa), "白金");
  EXPECT_EQ(h_.Tier("platinum_top", kKa), "白金");
  EXPECT_EQ(h_.Tier("diamond_exact", kKa), "钻石");
  EXPECT_EQ(h_.Counts(kKa), (std::vector<uint64_t>{1, 2, 2, 2, 1}));
}

TEST_F(KeyAccountScenario, UpgradeIsImmediateOnCumulativeRevenue) {
  h_.Must(Enrol("c1", Local(2025, 1, 2)));
  h_.Must(Buy("c1", Local(2025, 2, 1), Yuan(5'000)));
  EXPECT_TRUE(h_.last(kKa).empty());
  EXPECT_EQ(h_.Tier("c1", kKa), "none");

  h_.Must(Buy("c1", Local(2025, 3, 1), Yuan(5'000)));
  ASSERT_EQ(h_.last(kKa).size(), 1u);
  EXPECT_EQ(h_.last(kKa)[0].from_tier(), "none");
  EXPECT_EQ(h_.last(kKa)[0].to_tier(), "VIP");
  EXPECT_EQ(h_.last(kKa)[0].kind(), v1::UPGRADE);

  v1::Event big = Buy("c1", Local(2025, 4, 1), Yuan(190'000));
  big.set_event_id("inv-2025-0401");
  h_.Must(big);
  std::vector<v1::Transition> ts = h_.last(kKa);
  ASSERT_EQ(ts.size(), 1u);
  const v1::Transition& t = ts[0];
  EXPECT_EQ(t.customer_id(), "c1");
  EXPECT_EQ(t.from_tier(), "VIP");
  EXPECT_EQ(t.to_tier(), "黄金");
  EXPECT_EQ(t.kind(), v1::UPGRADE);
  EXPECT_EQ(t.cause(), v1::EVENT);
  EXPECT_EQ(t.at().seconds(), Local(2025, 4, 1));
  EXPECT_FALSE(t.explanation().rule().empty());
  EXPECT_EQ(t.explanation().event_id(), "inv-2025-0401");
  EXPECT_EQ(h_.Metric("c1", "revenue_this_year"), Yuan(200'000));
  // 黄金 is below 白金: the management standard does not move.
  EXPECT_TRUE(h_.last(kMgmt).empty());
}

TEST_F(KeyAccountScenario, RevenueGroupMultiplierScalesThresholds) {
  // Group 3: × 0.8, so VIP from 8,000 and 黄金 from 160,000.
  EnrolWithRevenue("g3_vip", Yuan(8'000), {{"revenue_group", Text("3")}});
  EnrolWithRevenue("g3_none", Yuan(7'999, 99), {{"revenue_group", Text("3")}});
  EnrolWithRevenue("g3_gold", Yuan(160'000), {{"revenue_group", Text("3")}});
  // Group 2: × 0.85, so VIP from 8,500.
  EnrolWithRevenue("g2_vip", Yuan(8'500), {{"revenue_group", Text("2")}});
  EnrolWithRevenue("g2_none", Yuan(8'499, 99), {{"revenue_group", Text("2")}});
  // Group 1 and no group: unscaled.
  EnrolWithRevenue("g1_none", Yuan(8'000), {{"revenue_group", Text("1")}});
  EnrolWithRevenue("plain_none", Yuan(9'999, 99));
  EXPECT_EQ(h_.Tier("g3_vip", kKa), "VIP");
  EXPECT_EQ(h_.Tier("g3_none", kKa), "none");
  EXPECT_EQ(h_.Tier("g3_gold", kKa), "黄金");
  EXPECT_EQ(h_.Tier("g2_vip", kKa), "VIP");
  EXPECT_EQ(h_.Tier("g2_none", kKa), "none");
  EXPECT_EQ(h_.Tier("g1_none", kKa), "none");
  EXPECT_EQ(h_.Tier("plain_none", kKa), "none");

  v1::Explanation e = h_.Explain("g3_vip", kKa);
  EXPECT_EQ(e.tier(), "VIP");
  bool found = false;
  for (const v1::Check* c : ChecksOn(e, "revenue_this_year")) {
    if (std::abs(c->threshold() - 800000.0) < 1e-6) {
      found = true;
      EXPECT_DOUBLE_EQ(c->multiplier(), 0.8);
      EXPECT_DOUBLE_EQ(c->value(), 800000.0);
      EXPECT_TRUE(c->holds());
    }
  }
  EXPECT_TRUE(found) << "no check with the scaled VIP threshold 800000: "
                     << e.DebugString();
}

TEST_F(KeyAccountScenario, UpstreamFlagMeansDiamondWhateverTheRevenue) {
  h_.Must(
      Enrol("up", Local(2025, 1, 2), {{"upstream_key_account", Flag(true)}}));
  EXPECT_EQ(h_.Tier("up", kKa), "钻石");
  EXPECT_EQ(h_.Tier("up", kMgmt), "project_group");
  v1::Explanation e = h_.Explain("up", kKa);
  EXPECT_TRUE(absl::StrContains(e.rule(), "tiers[4]")) << e.rule();

  // Set later: upgrade at once, from none straight to 钻石.
  h_.Must(Enrol("later", Local(2025, 1, 2)));
  h_.Must(SetAttrs("later", Local(2025, 5, 1),
                   {{"upstream_key_account", Flag(true)}}));
  ASSERT_EQ(h_.last(kKa).size(), 1u);
  EXPECT_EQ(h_.last(kKa)[0].from_tier(), "none");
  EXPECT_EQ(h_.last(kKa)[0].to_tier(), "钻石");
  EXPECT_EQ(h_.last(kKa)[0].kind(), v1::UPGRADE);
  EXPECT_EQ(h_.Tier("later", kMgmt), "project_group");

  // Cleared: kept until the yearly review (downgrade AT_REVIEW), then none.
  h_.Must(SetAttrs("later", Local(2025, 6, 1),
                   {{"upstream_key_account", Flag(false)}}));
  EXPECT_TRUE(h_.last(kKa).empty());
  EXPECT_EQ(h_.Tier("later", kKa), "钻石");
  ASSERT_TRUE(h_.Review(Local(2026, 1, 1, 0, 0)).ok());
  EXPECT_EQ(h_.Tier("later", kKa), "none");
  EXPECT_EQ(h_.Tier("later", kMgmt), "standard");
  EXPECT_EQ(h_.Tier("up", kKa), "钻石");
}

TEST_F(KeyAccountScenario, ManagementStandardFollowsPlatinumAndAbove) {
  EnrolWithRevenue("c1", Yuan(1'999'999));
  EXPECT_EQ(h_.Tier("c1", kKa), "黄金");
  EXPECT_EQ(h_.Tier("c1", kMgmt), "standard");

  h_.Must(Buy("c1", Local(2025, 6, 1), Yuan(1)));
  ASSERT_EQ(h_.last(kKa).size(), 1u);
  EXPECT_EQ(h_.last(kKa)[0].to_tier(), "白金");
  std::vector<v1::Transition> mg = h_.last(kMgmt);
  ASSERT_EQ(mg.size(), 1u);
  EXPECT_EQ(mg[0].from_tier(), "standard");
  EXPECT_EQ(mg[0].to_tier(), "project_group");
  EXPECT_EQ(mg[0].kind(), v1::UPGRADE);
  // The semantics doc does not say which cause a same-event dependent change
  // carries; either the event or the dependency is acceptable.
  EXPECT_TRUE(mg[0].cause() == v1::DEPENDENCY || mg[0].cause() == v1::EVENT)
      << v1::Cause_Name(mg[0].cause());
  v1::Explanation e = h_.Explain("c1", kMgmt);
  EXPECT_EQ(e.tier(), "project_group");
  EXPECT_FALSE(e.rule().empty());

  // 钻石 keeps the project group.
  h_.Must(Buy("c1", Local(2025, 7, 1), Yuan(3'000'000)));
  EXPECT_EQ(h_.Tier("c1", kKa), "钻石");
  EXPECT_EQ(h_.Tier("c1", kMgmt), "project_group");
  EXPECT_TRUE(h_.last(kMgmt).empty());

  // No revenue in 2026: 2025 still counts at the 2026 review, not at 2027's.
  ASSERT_TRUE(h_.Review(Local(2026, 1, 1, 0, 0)).ok());
  EXPECT_EQ(h_.Tier("c1", kMgmt), "project_group");
  ASSERT_TRUE(h_.Review(Local(2027, 1, 1, 0, 0)).ok());
  EXPECT_EQ(h_.Tier("c1", kKa), "none");
  EXPECT_EQ(h_.Tier("c1", kMgmt), "standard");
  std::vector<v1::Transition> down = h_.last(kMgmt);
  ASSERT_EQ(down.size(), 1u);
  EXPECT_EQ(down[0].kind(), v1::DOWNGRADE);
  EXPECT_EQ(down[0].to_tier(), "standard");
}

TEST_F(KeyAccountScenario, YearEndReviewDowngradesToTheQualifiedTier) {
  EnrolWithRevenue("c1", Yuan(2'500'000));
  EXPECT_EQ(h_.Tier("c1", kKa), "白金");

  ASSERT_TRUE(h_.Review(Local(2025, 12, 31, 23, 59)).ok());
  EXPECT_TRUE(h_.last(kKa).empty());
  // 2026-01-01: last year (2025) still qualifies for 白金.
  ASSERT_TRUE(h_.Review(Local(2026, 1, 1, 0, 0)).ok());
  EXPECT_TRUE(h_.last(kKa).empty());
  v1::Customer c = h_.Get("c1");
  ASSERT_NE(FindStanding(c, kKa), nullptr);
  EXPECT_EQ(FindStanding(c, kKa)->tier(), "白金");
  EXPECT_EQ(FindStanding(c, kKa)->next_review().seconds(),
            Local(2027, 1, 1, 0, 0));

  // 2026 revenue is only 50,000: no downgrade before the review.
  h_.Must(Buy("c1", Local(2026, 3, 1), Yuan(50'000)));
  EXPECT_TRUE(h_.last(kKa).empty());
  ASSERT_TRUE(h_.Review(Local(2026, 12, 31, 23, 0)).ok());
  EXPECT_EQ(h_.Tier("c1", kKa), "白金");

  ASSERT_TRUE(h_.Review(Local(2027, 1, 1, 0, 0)).ok());
  std::vector<v1::Transition> ts = h_.last(kKa);
  ASSERT_EQ(ts.size(), 1u);
  EXPECT_EQ(ts[0].from_tier(), "白金");
  EXPECT_EQ(ts[0].to_tier(), "VIP");
  EXPECT_EQ(ts[0].kind(), v1::DOWNGRADE);
  EXPECT_EQ(ts[0].cause(), v1::REVIEW);
  EXPECT_EQ(ts[0].at().seconds(), Local(2027, 1, 1, 0, 0));
  const v1::Check* last_year =
      FindCheck(ts[0].explanation(), "revenue_last_year");
  ASSERT_NE(last_year, nullptr) << ts[0].explanation().DebugString();
  EXPECT_DOUBLE_EQ(last_year->value(), Yuan(50'000));
  EXPECT_EQ(h_.Tier("c1", kKa), "VIP");
}

TEST_F(KeyAccountScenario, LateEventWithinHorizonLandsInItsOwnYear) {
  h_.Must(Enrol("c1", Local(2025, 12, 1)));
  h_.Must(Buy("c1", Local(2026, 1, 5), 100));
  // 2026-01-01 07:00 local is still 2025 in UTC: it belongs to 2026.
  h_.Must(Buy("c1", Local(2026, 1, 1, 7, 0), 20'000));
  // 2025-12-31 23:30 local: 2025, five days before the clock (horizon 31).
  h_.Must(Buy("c1", Local(2025, 12, 31, 23, 30), Yuan(10'000)));
  EXPECT_EQ(h_.Metric("c1", "revenue_this_year"), 20'100);
  EXPECT_EQ(h_.Metric("c1", "revenue_last_year"), Yuan(10'000));
  // Last year's revenue alone makes a VIP.
  EXPECT_EQ(h_.Tier("c1", kKa), "VIP");
}

TEST_F(KeyAccountScenario, EventOlderThanHorizonIsRefusedAndChangesNothing) {
  h_.Must(Enrol("c1", Local(2026, 1, 2)));
  h_.Must(Buy("c1", Local(2026, 3, 1), Yuan(9'000)));
  const int64_t clock = h_.engine().clock();

  // 40 days before the clock: beyond the 31-day horizon.
  absl::Status s = h_.Apply(Buy("c1", Local(2026, 1, 20), Yuan(5'000)));
  EXPECT_EQ(s.code(), absl::StatusCode::kOutOfRange) << s;
  EXPECT_TRUE(h_.last().empty());
  EXPECT_EQ(h_.Metric("c1", "revenue_this_year"), Yuan(9'000));
  EXPECT_EQ(h_.Tier("c1", kKa), "none");
  EXPECT_EQ(h_.engine().clock(), clock);

  // 28 days before: accepted, and it makes the customer a VIP.
  h_.Must(Buy("c1", Local(2026, 2, 1), Yuan(1'000)));
  EXPECT_EQ(h_.Metric("c1", "revenue_this_year"), Yuan(10'000));
  EXPECT_EQ(h_.Tier("c1", kKa), "VIP");

  // Before enrolment: refused as well.
  h_.Must(Enrol("c2", Local(2026, 3, 1, 12)));
  s = h_.Apply(Buy("c2", Local(2026, 2, 28), Yuan(50'000)));
  EXPECT_EQ(s.code(), absl::StatusCode::kOutOfRange) << s;
  EXPECT_EQ(h_.Tier("c2", kKa), "none");
}

TEST_F(KeyAccountScenario, UnknownCustomerIsNotFoundAndStateIsUnchanged) {
  EnrolWithRevenue("c1", Yuan(20'000));
  const int64_t clock = h_.engine().clock();
  const std::vector<uint64_t> counts = h_.Counts(kKa);

  absl::Status s = h_.Apply(Buy("ghost", Local(2025, 1, 5), Yuan(300'000)));
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << s;
  EXPECT_TRUE(h_.last().empty());
  EXPECT_EQ(h_.engine().customer_count(), 1u);
  EXPECT_EQ(h_.engine().clock(), clock);
  EXPECT_EQ(h_.Counts(kKa), counts);
  v1::Customer c;
  EXPECT_EQ(h_.engine().GetCustomer("ghost", &c).code(),
            absl::StatusCode::kNotFound);
  v1::Explanation e;
  EXPECT_EQ(h_.engine().Explain("ghost", kKa, &e).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(h_.engine().Explain("c1", "no_such_program", &e).code(),
            absl::StatusCode::kNotFound);

  // Other refusals leave the customer as it was too.
  EXPECT_EQ(h_.Apply(Enrol("c1", Local(2025, 1, 5))).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(
      h_.Apply(Buy("c1", Local(2025, 1, 5), Yuan(500'000), "", "USD")).code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(h_.Apply(SetAttrs("c1", Local(2025, 1, 5),
                              {{"revenue_group", Flag(true)}}))
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      h_.Apply(SetAttrs("c1", Local(2025, 1, 5), {{"undeclared", Text("x")}}))
          .code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(h_.Tier("c1", kKa), "VIP");
  EXPECT_EQ(h_.Metric("c1", "revenue_this_year"), Yuan(20'000));
}

TEST_F(KeyAccountScenario, ListAndCountByTier) {
  EnrolWithRevenue("n1", 0);
  EnrolWithRevenue("v1", Yuan(10'000));
  EnrolWithRevenue("g1", Yuan(250'000));
  EnrolWithRevenue("v2", Yuan(150'000));
  EnrolWithRevenue("p1", Yuan(3'000'000));
  EnrolWithRevenue("d1", 0, {{"upstream_key_account", Flag(true)}});
  EXPECT_EQ(h_.Counts(kKa), (std::vector<uint64_t>{1, 2, 1, 1, 1}));
  EXPECT_EQ(h_.Counts(kMgmt), (std::vector<uint64_t>{4, 2}));
  EXPECT_EQ(h_.List(kKa, "VIP"), (std::vector<std::string>{"v1", "v2"}));
  EXPECT_EQ(h_.List(kKa, "VIP", 1), (std::vector<std::string>{"v1", "v2"}));
  EXPECT_EQ(h_.List(kMgmt, "project_group"),
            (std::vector<std::string>{"p1", "d1"}));
  EXPECT_EQ(h_.List(kKa, "none"), (std::vector<std::string>{"n1"}));

  v1::CustomerPage page;
  EXPECT_EQ(h_.engine().ListByTier(kKa, "铜牌", "", 10, &page).code(),
            absl::StatusCode::kNotFound);
  std::vector<uint64_t> counts;
  EXPECT_EQ(h_.engine().CountByTier("no_such_program", &counts).code(),
            absl::StatusCode::kNotFound);
}

TEST_F(KeyAccountScenario, ExplainShowsRuleMetricValuesAndThresholds) {
  EnrolWithRevenue("c1", Yuan(300'000));
  v1::Explanation e = h_.Explain("c1", kKa);
  EXPECT_EQ(e.program(), kKa);
  EXPECT_EQ(e.tier(), "黄金");
  EXPECT_EQ(e.qualified_tier(), "黄金");
  EXPECT_TRUE(absl::StrContains(e.rule(), "tiers[2]")) << e.rule();
  EXPECT_EQ(e.cause(), v1::EVENT);
  EXPECT_FALSE(e.summary().empty());
  bool gold_check = false;
  for (const v1::Check* c : ChecksOn(e, "revenue_this_year")) {
    EXPECT_DOUBLE_EQ(c->value(), Yuan(300'000));
    EXPECT_DOUBLE_EQ(c->multiplier(), 1.0);
    if (c->threshold() == Yuan(200'000)) {
      gold_check = true;
      EXPECT_TRUE(c->holds());
      EXPECT_FALSE(c->path().empty());
    }
    if (c->threshold() == Yuan(2'000'000)) {
      EXPECT_FALSE(c->holds());
    }
  }
  EXPECT_TRUE(gold_check) << e.DebugString();
}

}  // namespace
}  // namespace standing::scenario
