// Skipped evaluations (src/evaluation_inputs.h) must decide exactly what
// full evaluations decide. Two engines take the same random streams: one
// as hosts run it, the other reloaded from a snapshot before every event
// (snapshots do not carry the stable marker, so every evaluation there
// runs in full). Their transitions and final states must be identical.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "scenario_util.h"
#include "standing/engine.h"
#include "standing/policy.h"

namespace standing::scenario {
namespace {

// Rolling windows, recency, immediate one-tier-down downgrades and a
// credit section with immediate timing and a formula limit: the paths
// the example policies do not take.
constexpr char kImmediatePolicy[] = R"pb(
  name: "skip-immediate"
  currency: "CNY"
  time_zone: "+08:00"
  metrics {
    name: "spend_30d"
    aggregate: SUM
    field: AMOUNT
    window { rolling_days: 30 }
    filter { kinds: PURCHASE }
  }
  metrics {
    name: "idle_days"
    aggregate: RECENCY_DAYS
    window { since_enrolment: true }
    filter { kinds: PURCHASE }
  }
  metrics {
    name: "paid_on_time"
    aggregate: SUM
    field: ON_TIME
    window { rolling_days: 20 }
    filter { kinds: SETTLEMENT }
  }
  tier_programs {
    name: "activity"
    upgrade: IMMEDIATE
    downgrade: IMMEDIATE
    downgrade_mode: ONE_TIER_DOWN
    tiers { name: "none" }
    tiers {
      name: "active"
      qualify { metric { metric: "spend_30d" op: GE value: 10000 } }
    }
    tiers {
      name: "busy"
      qualify {
        all {
          conditions { metric { metric: "spend_30d" op: GE value: 50000 } }
          conditions { metric { metric: "idle_days" op: LE value: 3 } }
        }
      }
    }
  }
  credit {
    grades {
      name: "C"
      control: CONTROL_BLOCK
      limit { amount: 1000 }
    }
    grades {
      name: "B"
      min_score: 10
      control: CONTROL_WARN
      term_days: 10
      limit {
        revenue_multiple {
          metric: "spend_30d"
          months: 1
          multiple: 2
          cap: 1000000
          minimum: 5000
        }
      }
    }
    score_sheet {
      items {
        metric: "paid_on_time"
        bands { at_least: 0 points: 0 }
        bands { at_least: 2 points: 10 }
      }
    }
    hard_rules {
      name: "idle"
      when { metric { metric: "idle_days" op: GT value: 20 } }
      grade: "C"
    }
    hard_rules {
      name: "busy accounts are watched"
      when { tier_at_least { program: "activity" tier: "busy" } }
      grade: "C"
    }
    upgrade: IMMEDIATE
    downgrade: IMMEDIATE
  }
)pb";

struct Stream {
  uint32_t seed;
  int customers;
  int events;
  int64_t max_purchase;  // yuan
};

class Twin {
 public:
  explicit Twin(const v1::Policy& policy) : policy_(policy) {
    live_ = *Engine::Create(policy);
    fresh_ = *Engine::Create(policy);
  }

  // Applies to both; the fresh engine is reloaded first.
  void Apply(const v1::Event& e) {
    Reload();
    std::vector<v1::Transition> a, b;
    const absl::Status sa = live_->Apply(e, &a);
    const absl::Status sb = fresh_->Apply(e, &b);
    ASSERT_EQ(sa.ToString(), sb.ToString()) << e.ShortDebugString();
    Same(a, b, e.ShortDebugString());
  }

  void Review(int64_t at) {
    Reload();
    std::vector<v1::Transition> a, b;
    ASSERT_TRUE(live_->Review(at, &a).ok());
    ASSERT_TRUE(fresh_->Review(at, &b).ok());
    Same(a, b, "review");
  }

  void ExpectSameState() {
    std::string a, b;
    ASSERT_TRUE(live_->SaveSnapshot(&a).ok());
    ASSERT_TRUE(fresh_->SaveSnapshot(&b).ok());
    EXPECT_TRUE(a == b) << "snapshots differ";
  }

  int transitions() const { return transitions_; }

 private:
  void Reload() {
    std::string bytes;
    ASSERT_TRUE(fresh_->SaveSnapshot(&bytes).ok());
    auto loaded = Engine::LoadSnapshot(bytes, &policy_);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    fresh_ = *std::move(loaded);
  }

  void Same(const std::vector<v1::Transition>& a,
            const std::vector<v1::Transition>& b, const std::string& what) {
    ASSERT_EQ(a.size(), b.size()) << what;
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].SerializeAsString(), b[i].SerializeAsString())
          << what << "\n"
          << a[i].ShortDebugString() << "\n"
          << b[i].ShortDebugString();
    }
    transitions_ += static_cast<int>(a.size());
  }

  v1::Policy policy_;
  std::unique_ptr<Engine> live_, fresh_;
  int transitions_ = 0;
};

// Several events a day per customer (so the marker is used), days with
// none (so windows slide), month-start reviews.
void RunTwins(const v1::Policy& policy, const Stream& s, bool credit) {
  std::mt19937 rng(s.seed);
  Twin twin(policy);
  const int64_t first = Local(2025, 1, 6, 9);
  int64_t t = first;
  for (int c = 0; c < s.customers; ++c) {
    twin.Apply(Enrol(absl::StrCat("c", c), t));
  }
  int invoice = 0;
  int month = 1;  // months after January 2025
  int64_t next_review = Local(2025, 2, 1, 0);
  for (int i = 0; i < s.events; ++i) {
    const int step = static_cast<int>(rng() % 10);
    t += step < 6 ? 600 : step < 9 ? 86400 : 5 * 86400;
    if (t >= next_review) {
      twin.Review(next_review);
      ++month;
      next_review = Local(2025 + month / 12, month % 12 + 1, 1, 0);
    }
    const std::string id = absl::StrCat("c", rng() % s.customers);
    const int kind = static_cast<int>(rng() % (credit ? 6 : 2));
    // One event in eight arrives late (up to two days, within the horizon),
    // before the marker's day and sometimes before the last review.
    const int64_t at =
        rng() % 8 == 0
            ? std::max(first, t - static_cast<int64_t>(rng() % (2 * 86400)))
            : t;
    v1::Event e = NewEvent(id, at);
    switch (kind) {
      case 0:
        e = Buy(id, at, Yuan(static_cast<int64_t>(rng() % s.max_purchase)));
        break;
      case 1:
        e.mutable_obligation()->set_contract_id("k");
        e.mutable_obligation()->set_fulfilled(rng() % 10 < 7);
        break;
      case 2:
      case 3: {
        auto* inv = e.mutable_invoice();
        inv->set_invoice_id(absl::StrCat("i", invoice++));
        inv->set_amount(Yuan(1 + static_cast<int64_t>(rng() % 20000)));
        inv->set_currency("CNY");
        break;
      }
      case 5: {
        // Acts on a pending grade change, if any (else refused by both).
        static constexpr const char* kRoles[] = {"supervisor", "manager",
                                                 "director"};
        auto* a = e.mutable_credit_approval();
        a->set_decision(rng() % 5 == 0 ? v1::CreditApproval::REJECT
                                       : v1::CreditApproval::APPROVE);
        a->set_role(kRoles[rng() % 3]);
        a->set_actor("approver");
        break;
      }
      default: {
        auto* pay = e.mutable_payment();
        pay->set_payment_id(absl::StrCat("p", i));
        pay->set_amount(Yuan(1 + static_cast<int64_t>(rng() % 30000)));
        pay->set_currency("CNY");
        break;
      }
    }
    twin.Apply(e);
    if (::testing::Test::HasFatalFailure()) return;
  }
  twin.ExpectSameState();
  EXPECT_GT(twin.transitions(), 0);
}

TEST(EvaluationSkip, CreditExampleDecidesAsFullEvaluation) {
  auto policy =
      LoadPolicyFile(STANDING_SOURCE_DIR "/examples/policies/credit.json");
  ASSERT_TRUE(policy.ok()) << policy.status();
  for (uint32_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE(seed);
    RunTwins(*policy, Stream{seed, 12, 1500, 300000}, true);
  }
}

TEST(EvaluationSkip, KeyAccountExampleDecidesAsFullEvaluation) {
  auto policy =
      LoadPolicyFile(STANDING_SOURCE_DIR "/examples/policies/key_account.json");
  ASSERT_TRUE(policy.ok()) << policy.status();
  RunTwins(*policy, Stream{7, 10, 1500, 40000}, false);
}

TEST(EvaluationSkip, ImmediateTimingDecidesAsFullEvaluation) {
  auto policy = ParsePolicy(kImmediatePolicy, PolicyFormat::kText);
  ASSERT_TRUE(policy.ok()) << policy.status();
  for (uint32_t seed : {11u, 12u, 13u}) {
    SCOPED_TRACE(seed);
    RunTwins(*policy, Stream{seed, 8, 1500, 40000}, true);
  }
}

// Grades at review (monthly), hard rules evaluated one by one on events
// (LowerCap), one of them reading a tier.
TEST(EvaluationSkip, ReviewTimedHardRulesDecideAsFullEvaluation) {
  auto policy = ParsePolicy(kImmediatePolicy, PolicyFormat::kText);
  ASSERT_TRUE(policy.ok()) << policy.status();
  policy->mutable_credit()->set_upgrade(v1::TierProgram::AT_REVIEW);
  policy->mutable_credit()->set_downgrade(v1::TierProgram::AT_REVIEW);
  policy->mutable_credit()->mutable_review()->set_monthly(true);
  // Invoices of the lowest grade can be paid on time, so reviews raise
  // grades that the rules may then lower.
  policy->mutable_credit()->mutable_grades(0)->set_term_days(30);
  for (uint32_t seed : {21u, 22u, 23u}) {
    SCOPED_TRACE(seed);
    RunTwins(*policy, Stream{seed, 8, 1500, 40000}, true);
  }
}

}  // namespace
}  // namespace standing::scenario
