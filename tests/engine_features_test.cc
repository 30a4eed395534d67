// Focused tests of engine features, each under a small inline policy (text
// format, zone +08:00, currency CNY): timing rules, review schedules,
// metric windows and aggregates, filters, floors, grants, multipliers,
// late events and listings.
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "scenario_util.h"
#include "standing/engine.h"
#include "standing/policy.h"

namespace standing::scenario {
namespace {

constexpr char kHeader[] =
    R"pb(
  name: "features" version: "1" time_zone: "+08:00" currency: "CNY"
    )pb";

// An engine over `kHeader` + `body`, with the transitions of the last call.
class T {
 public:
  explicit T(const std::string& body) {
    auto policy = ParsePolicy(absl::StrCat(kHeader, body), PolicyFormat::kText);
    if (!policy.ok()) {
      status_ = policy.status();
      return;
    }
    auto engine = Engine::Create(*policy);
    if (!engine.ok()) {
      status_ = engine.status();
      return;
    }
    engine_ = std::move(*engine);
  }
  bool ok() const { return engine_ != nullptr; }
  const absl::Status& status() const { return status_; }
  Engine& engine() { return *engine_; }

  void Must(const v1::Event& e) {
    last_.clear();
    absl::Status s = engine_->Apply(e, &last_);
    EXPECT_TRUE(s.ok()) << e.ShortDebugString() << ": " << s;
  }
  void Review(int64_t as_of) {
    last_.clear();
    absl::Status s = engine_->Review(as_of, &last_);
    EXPECT_TRUE(s.ok()) << s;
  }
  const std::vector<v1::Transition>& last() const { return last_; }
  std::vector<v1::Transition> last(const std::string& program) const {
    return OfProgram(last_, program);
  }
  v1::Customer Get(const std::string& id) const {
    v1::Customer c;
    absl::Status s = engine_->GetCustomer(id, &c);
    EXPECT_TRUE(s.ok()) << id << ": " << s;
    return c;
  }
  v1::ProgramStanding Standing(const std::string& id,
                               const std::string& program) const {
    v1::Customer c = Get(id);
    const v1::ProgramStanding* s = FindStanding(c, program);
    EXPECT_NE(s, nullptr) << program;
    return s == nullptr ? v1::ProgramStanding() : *s;
  }
  std::string Tier(const std::string& id, const std::string& program) const {
    return Standing(id, program).tier();
  }
  v1::MetricValue Metric(const std::string& id, const std::string& name) const {
    v1::Customer c = Get(id);
    const v1::MetricValue* m = FindMetric(c, name);
    EXPECT_NE(m, nullptr) << name;
    return m == nullptr ? v1::MetricValue() : *m;
  }
  double Value(const std::string& id, const std::string& name) const {
    v1::MetricValue m = Metric(id, name);
    EXPECT_FALSE(m.missing()) << name << " is missing";
    return m.value();
  }

 private:
  absl::Status status_;
  std::unique_ptr<Engine> engine_;
  std::vector<v1::Transition> last_;
};

#define ASSERT_ENGINE(t) ASSERT_TRUE((t).ok()) << (t).status()

v1::Event Obligation(const std::string& id, int64_t at, bool fulfilled) {
  v1::Event e = NewEvent(id, at);
  e.mutable_obligation()->set_contract_id("c1");
  e.mutable_obligation()->set_fulfilled(fulfilled);
  return e;
}

v1::Event Balance(const std::string& id, int64_t at, int64_t balance) {
  v1::Event e = NewEvent(id, at);
  e.mutable_balance()->set_balance(balance);
  e.mutable_balance()->set_currency("CNY");
  return e;
}

v1::Event BuyVia(const std::string& id, int64_t at, int64_t amount,
                 const std::string& category, const std::string& channel) {
  v1::Event e = Buy(id, at, amount, category);
  e.mutable_purchase()->set_channel(channel);
  return e;
}

v1::Event Contact(const std::string& id, int64_t at, const std::string& channel,
                  const std::string& kind) {
  v1::Event e = NewEvent(id, at);
  e.mutable_contact()->set_channel(channel);
  e.mutable_contact()->set_kind(kind);
  return e;
}

v1::Event Revoke(const std::string& id, int64_t at,
                 const std::string& program) {
  v1::Event e = NewEvent(id, at);
  e.mutable_tier_revoke()->set_program(program);
  e.mutable_tier_revoke()->set_actor("mgr");
  e.mutable_tier_revoke()->set_reason("ended");
  return e;
}

// ----- grace period --------------------------------------------------------

constexpr char kGracePolicy[] = R"pb(
  metrics {
    name: "spend_q"
    aggregate: SUM
    field: AMOUNT
    window { calendar { period: QUARTER } }
  }
  tier_programs {
    name: "card"
    tiers { name: "base" }
    tiers {
      name: "gold"
      qualify { metric { metric: "spend_q" op: GE value: 1000 } }
    }
    review { quarterly: true }
    grace_days: 30
  }
)pb";

TEST(Grace, RetainedAtReviewThenDowngradedAtGraceEnd) {
  T t(kGracePolicy);
  ASSERT_ENGINE(t);
  t.Must(Enrol("c", Local(2026, 1, 5)));
  t.Must(Buy("c", Local(2026, 1, 10), 1000));
  ASSERT_EQ(t.last().size(), 1u);
  EXPECT_EQ(t.last()[0].kind(), v1::UPGRADE);
  EXPECT_EQ(t.last()[0].cause(), v1::EVENT);
  EXPECT_EQ(t.Tier("c", "card"), "gold");
  EXPECT_EQ(t.Standing("c", "card").next_review().seconds(),
            Local(2026, 4, 1, 0));

  // Q2 review: no spend in Q2 -> keep gold for 30 days.
  t.Review(Local(2026, 4, 1, 0));
  ASSERT_EQ(t.last().size(), 1u);
  EXPECT_EQ(t.last()[0].kind(), v1::RETAINED);
  EXPECT_EQ(t.last()[0].cause(), v1::REVIEW);
  EXPECT_EQ(t.last()[0].from_tier(), "gold");
  EXPECT_EQ(t.last()[0].to_tier(), "gold");
  EXPECT_EQ(t.last()[0].at().seconds(), Local(2026, 4, 1, 0));
  v1::ProgramStanding s = t.Standing("c", "card");
  EXPECT_EQ(s.tier(), "gold");
  EXPECT_EQ(s.qualified_tier(), "base");
  EXPECT_EQ(s.retained_until().seconds(), Local(2026, 5, 1, 0));

  t.Review(Local(2026, 4, 30, 23, 59, 59));
  EXPECT_TRUE(t.last().empty());
  EXPECT_EQ(t.Tier("c", "card"), "gold");

  t.Review(Local(2026, 5, 1, 0));
  ASSERT_EQ(t.last().size(), 1u);
  EXPECT_EQ(t.last()[0].kind(), v1::DOWNGRADE);
  EXPECT_EQ(t.last()[0].cause(), v1::GRACE_EXPIRED);
  EXPECT_EQ(t.last()[0].to_tier(), "base");
  EXPECT_EQ(t.last()[0].at().seconds(), Local(2026, 5, 1, 0));
  s = t.Standing("c", "card");
  EXPECT_EQ(s.tier(), "base");
  EXPECT_FALSE(s.has_retained_until());
  EXPECT_EQ(s.tier_since().seconds(), Local(2026, 5, 1, 0));
  EXPECT_EQ(t.engine().clock(), Local(2026, 5, 1, 0));
}

TEST(Grace, RequalifyingDuringGraceCancelsIt) {
  T t(kGracePolicy);
  ASSERT_ENGINE(t);
  t.Must(Enrol("d", Local(2026, 1, 5)));
  t.Must(Buy("d", Local(2026, 2, 10), 1500));
  t.Review(Local(2026, 4, 1, 0));
  ASSERT_EQ(t.last().size(), 1u);
  EXPECT_EQ(t.last()[0].kind(), v1::RETAINED);
  ASSERT_TRUE(t.Standing("d", "card").has_retained_until());

  t.Must(Buy("d", Local(2026, 4, 15), 1000));
  EXPECT_TRUE(t.last().empty());  // already gold: no transition
  v1::ProgramStanding s = t.Standing("d", "card");
  EXPECT_EQ(s.tier(), "gold");
  EXPECT_FALSE(s.has_retained_until());

  t.Review(Local(2026, 6, 30));
  EXPECT_TRUE(t.last().empty());
  EXPECT_EQ(t.Tier("d", "card"), "gold");
  // The Q3 review finds no Q3 spend: a new grace starts.
  t.Review(Local(2026, 7, 1, 0));
  ASSERT_EQ(t.last().size(), 1u);
  EXPECT_EQ(t.last()[0].kind(), v1::RETAINED);
  EXPECT_EQ(t.Standing("d", "card").retained_until().seconds(),
            Local(2026, 7, 31, 0));
}

// ----- minimum stay ----------------------------------------------------------

TEST(MinimumStay, DowngradeDeferredUntilStayServed) {
  T t(R"pb(
    metrics {
      name: "spend_m"
      aggregate: SUM
      field: AMOUNT
      window { calendar { period: MONTH } }
    }
    tier_programs {
      name: "card"
      tiers { name: "base" }
      tiers {
        name: "gold"
        qualify { metric { metric: "spend_m" op: GE value: 1000 } }
      }
      review { monthly: true }
      minimum_stay_days: 60
    }
  )pb");
  ASSERT_ENGINE(t);
  t.Must(Enrol("c", Local(2026, 1, 5)));
  t.Must(Buy("c", Local(2026, 1, 20, 12), 1000));
  EXPECT_EQ(t.Tier("c", "card"), "gold");
  EXPECT_EQ(t.Standing("c", "card").tier_since().seconds(),
            Local(2026, 1, 20, 12));

  const int64_t stay_end = Local(2026, 1, 20, 12) + 60 * 86400;
  ASSERT_EQ(stay_end, Local(2026, 3, 21, 12));
  t.Review(Local(2026, 2, 1, 0));
  EXPECT_TRUE(t.last().empty());
  EXPECT_EQ(t.Tier("c", "card"), "gold");
  EXPECT_EQ(t.Standing("c", "card").next_review().seconds(),
            Local(2026, 3, 1, 0));
  t.Review(Local(2026, 3, 1, 0));
  EXPECT_TRUE(t.last().empty());
  EXPECT_EQ(t.Standing("c", "card").next_review().seconds(), stay_end);

  t.Review(stay_end - 1);
  EXPECT_TRUE(t.last().empty());
  EXPECT_EQ(t.Tier("c", "card"), "gold");
  t.Review(stay_end);
  ASSERT_EQ(t.last().size(), 1u);
  EXPECT_EQ(t.last()[0].kind(), v1::DOWNGRADE);
  EXPECT_EQ(t.last()[0].cause(), v1::REVIEW);
  EXPECT_EQ(t.last()[0].at().seconds(), stay_end);
  EXPECT_EQ(t.Tier("c", "card"), "base");
  EXPECT_EQ(t.Standing("c", "card").next_review().seconds(),
            Local(2026, 4, 1, 0));
}

// ----- downgrade modes and timing
// ---------------------------------------------

TEST(DowngradeMode, OneTierDownVersusToQualified) {
  const std::string tiers = R"(
    tiers { name: "base" }
    tiers {
      name: "silver"
      qualify { metric { metric: "spend_y" op: GE value: 1000 } }
    }
    tiers {
      name: "gold"
      qualify { metric { metric: "spend_y" op: GE value: 2000 } }
    }
    tiers {
      name: "platinum"
      qualify { metric { metric: "spend_y" op: GE value: 3000 } }
    }
    review { yearly { month: 1 day: 1 } }
  )";
  const std::string metric = R"pb(
    metrics {
      name: "spend_y"
      aggregate: SUM
      field: AMOUNT
      window { calendar { period: YEAR } }
    }
  )pb";
  T t(absl::StrCat(metric,
                   "tier_programs { name: \"step\" downgrade_mode: "
                   "ONE_TIER_DOWN ",
                   tiers, "}\n tier_programs { name: \"drop\" ", tiers, "}"));
  ASSERT_ENGINE(t);
  t.Must(Enrol("c", Local(2025, 3, 1)));
  t.Must(Buy("c", Local(2025, 3, 2), 3000));
  EXPECT_EQ(t.Tier("c", "step"), "platinum");
  EXPECT_EQ(t.Tier("c", "drop"), "platinum");

  t.Review(Local(2026, 1, 1, 0));
  ASSERT_EQ(t.last("step").size(), 1u);
  EXPECT_EQ(t.last("step")[0].to_tier(), "gold");
  EXPECT_EQ(t.last("step")[0].kind(), v1::DOWNGRADE);
  ASSERT_EQ(t.last("drop").size(), 1u);
  EXPECT_EQ(t.last("drop")[0].to_tier(), "base");

  // Spend 1000 in 2026: qualifies for silver; step goes gold -> silver, not
  // below its target.
  t.Must(Buy("c", Local(2026, 5, 1), 1000));
  EXPECT_EQ(t.Tier("c", "drop"), "silver");  // immediate upgrade
  t.Review(Local(2027, 1, 1, 0));
  EXPECT_EQ(t.Tier("c", "step"), "silver");
  EXPECT_EQ(t.Tier("c", "drop"), "base");
  t.Review(Local(2028, 1, 1, 0));
  EXPECT_EQ(t.Tier("c", "step"), "base");
}

TEST(Timing, DowngradeImmediateOnFulfilmentRatio) {
  T t(R"pb(
    metrics {
      name: "fulfilled"
      aggregate: SUM
      field: FULFILLED
      window { since_enrolment: true }
    }
    metrics {
      name: "obligations"
      aggregate: COUNT
      window { since_enrolment: true }
      filter { kinds: OBLIGATION }
    }
    metrics {
      name: "rate"
      aggregate: RATIO
      numerator: "fulfilled"
      denominator: "obligations"
    }
    tier_programs {
      name: "trust"
      tiers { name: "watch" }
      tiers {
        name: "good"
        qualify { metric { metric: "rate" op: GE value: 0.75 } }
      }
      downgrade: IMMEDIATE
    }
  )pb");
  ASSERT_ENGINE(t);
  t.Must(Enrol("c", Local(2026, 1, 1)));
  EXPECT_TRUE(t.Metric("c", "rate").missing());
  EXPECT_EQ(t.Tier("c", "trust"), "watch");
  t.Must(Obligation("c", Local(2026, 1, 2), true));
  EXPECT_EQ(t.Tier("c", "trust"), "good");
  t.Must(Obligation("c", Local(2026, 1, 3), true));
  t.Must(Obligation("c", Local(2026, 1, 4), true));
  t.Must(Obligation("c", Local(2026, 1, 5), false));
  EXPECT_DOUBLE_EQ(t.Value("c", "rate"), 0.75);
  EXPECT_TRUE(t.last().empty());
  EXPECT_EQ(t.Tier("c", "trust"), "good");
  t.Must(Obligation("c", Local(2026, 1, 6), false));
  ASSERT_EQ(t.last().size(), 1u);
  const v1::Transition& tr = t.last()[0];
  EXPECT_EQ(tr.kind(), v1::DOWNGRADE);
  EXPECT_EQ(tr.cause(), v1::EVENT);
  EXPECT_EQ(tr.to_tier(), "watch");
  EXPECT_EQ(tr.at().seconds(), Local(2026, 1, 6));
  const v1::Check* c = FindCheck(tr.explanation(), "rate");
  ASSERT_NE(c, nullptr) << tr.explanation().DebugString();
  EXPECT_DOUBLE_EQ(c->value(), 0.6);
  EXPECT_FALSE(c->holds());
  EXPECT_EQ(t.Tier("c", "trust"), "watch");
}

TEST(Timing, UpgradeAtReviewWaits) {
  T t(R"pb(
    metrics {
      name: "spend"
      aggregate: SUM
      field: AMOUNT
      window { since_enrolment: true }
    }
    tier_programs {
      name: "card"
      upgrade: AT_REVIEW
      tiers { name: "base" }
      tiers {
        name: "gold"
        qualify { metric { metric: "spend" op: GE value: 500 } }
      }
      review { monthly: true }
    }
  )pb");
  ASSERT_ENGINE(t);
  t.Must(Enrol("c", Local(2026, 3, 3)));
  t.Must(Buy("c", Local(2026, 3, 4), 800));
  EXPECT_TRUE(t.last().empty());
  v1::ProgramStanding s = t.Standing("c", "card");
  EXPECT_EQ(s.tier(), "base");
  EXPECT_EQ(s.qualified_tier(), "gold");
  t.Review(Local(2026, 3, 31, 23));
  EXPECT_TRUE(t.last().empty());
  t.Review(Local(2026, 4, 1, 0));
  ASSERT_EQ(t.last().size(), 1u);
  EXPECT_EQ(t.last()[0].kind(), v1::UPGRADE);
  EXPECT_EQ(t.last()[0].cause(), v1::REVIEW);
  EXPECT_EQ(t.last()[0].at().seconds(), Local(2026, 4, 1, 0));
  EXPECT_EQ(t.Tier("c", "card"), "gold");
}

// ----- review instants
// ---------------------------------------------------------

constexpr char kReviewsPolicy[] = R"pb(
  metrics {
    name: "spend"
    aggregate: SUM
    field: AMOUNT
    window { since_enrolment: true }
  }
  tier_programs {
    name: "q"
    tiers { name: "b" }
    tiers {
      name: "g"
      qualify { metric { metric: "spend" op: GE value: 100 } }
    }
    review { quarterly: true }
  }
  tier_programs {
    name: "m"
    tiers { name: "b" }
    tiers {
      name: "g"
      qualify { metric { metric: "spend" op: GE value: 100 } }
    }
    review { monthly: true }
  }
  tier_programs {
    name: "ea"
    tiers { name: "b" }
    tiers {
      name: "g"
      qualify { metric { metric: "spend" op: GE value: 100 } }
    }
    review { enrolment_anniversary: true }
  }
  tier_programs {
    name: "ta"
    tiers { name: "b" }
    tiers {
      name: "g"
      qualify { metric { metric: "spend" op: GE value: 100 } }
    }
    review { tier_anniversary: true }
  }
  tier_programs {
    name: "y"
    tiers { name: "b" }
    tiers {
      name: "g"
      qualify { metric { metric: "spend" op: GE value: 100 } }
    }
    review { yearly { month: 7 day: 1 } }
  }
)pb";

TEST(ReviewSchedule, NextReviewInstantsInLocalTime) {
  T t(kReviewsPolicy);
  ASSERT_ENGINE(t);
  t.Must(Enrol("c", Local(2026, 2, 15, 10)));
  EXPECT_EQ(t.Standing("c", "q").next_review().seconds(), Local(2026, 4, 1, 0));
  EXPECT_EQ(t.Standing("c", "m").next_review().seconds(), Local(2026, 3, 1, 0));
  EXPECT_EQ(t.Standing("c", "ea").next_review().seconds(),
            Local(2027, 2, 15, 0));
  EXPECT_EQ(t.Standing("c", "ta").next_review().seconds(),
            Local(2027, 2, 15, 0));
  EXPECT_EQ(t.Standing("c", "y").next_review().seconds(), Local(2026, 7, 1, 0));

  // A tier change moves the tier anniversary.
  t.Must(Buy("c", Local(2026, 5, 20, 9), 100));
  EXPECT_EQ(t.Tier("c", "ta"), "g");
  EXPECT_EQ(t.Standing("c", "ta").next_review().seconds(),
            Local(2027, 5, 20, 0));
  EXPECT_EQ(t.Standing("c", "ea").next_review().seconds(),
            Local(2027, 2, 15, 0));
  // Reviews advance each schedule past the due instant.
  t.Review(Local(2026, 7, 1, 0));
  EXPECT_EQ(t.Standing("c", "q").next_review().seconds(),
            Local(2026, 10, 1, 0));
  EXPECT_EQ(t.Standing("c", "m").next_review().seconds(), Local(2026, 8, 1, 0));
  EXPECT_EQ(t.Standing("c", "y").next_review().seconds(), Local(2027, 7, 1, 0));
  t.Review(Local(2027, 2, 15, 0));
  EXPECT_EQ(t.Standing("c", "ea").next_review().seconds(),
            Local(2028, 2, 15, 0));
  EXPECT_EQ(t.Standing("c", "m").next_review().seconds(), Local(2027, 3, 1, 0));
}

TEST(ReviewSchedule, LocalZoneDecidesThePeriod) {
  T t(kReviewsPolicy);
  ASSERT_ENGINE(t);
  // 2026-03-31T20:00Z is already 2026-04-01 04:00 in +08:00.
  const int64_t at = Local(2026, 4, 1, 4);
  t.Must(Enrol("c", at));
  EXPECT_EQ(t.Standing("c", "q").next_review().seconds(), Local(2026, 7, 1, 0));
  EXPECT_EQ(t.Standing("c", "m").next_review().seconds(), Local(2026, 5, 1, 0));
  EXPECT_EQ(t.Standing("c", "ea").next_review().seconds(),
            Local(2027, 4, 1, 0));
  // Enrolled exactly at a local midnight starting a quarter: the next
  // review is strictly later.
  t.Must(Enrol("f", Local(2026, 7, 1, 0)));
  EXPECT_EQ(t.Standing("f", "q").next_review().seconds(),
            Local(2026, 10, 1, 0));
  EXPECT_EQ(t.Standing("f", "y").next_review().seconds(), Local(2027, 7, 1, 0));
}

// ----- rolling windows
// ---------------------------------------------------------

constexpr char kMetricsProgram[] = R"pb(
  tier_programs {
    name: "p"
    tiers { name: "b" }
    tiers {
      name: "g"
      qualify { metric { metric: "m_any" op: GE value: 1000000 } }
    }
    downgrade: IMMEDIATE
  }
)pb";

TEST(Windows, RollingSumAndCountDropOldDays) {
  T t(absl::StrCat(R"pb(
                     metrics {
                       name: "m_any"
                       aggregate: SUM
                       field: AMOUNT
                       window { since_enrolment: true }
                     }
                     metrics {
                       name: "sum7"
                       aggregate: SUM
                       field: AMOUNT
                       window { rolling_days: 7 }
                     }
                     metrics {
                       name: "count7"
                       aggregate: COUNT
                       window { rolling_days: 7 }
                     }
                     metrics {
                       name: "days7"
                       aggregate: DISTINCT_DAYS
                       window { rolling_days: 7 }
                     }
                   )pb",
                   kMetricsProgram));
  ASSERT_ENGINE(t);
  t.Must(Enrol("c", Local(2026, 3, 1, 8)));
  t.Must(Buy("c", Local(2026, 3, 1, 9), 100));
  t.Must(Buy("c", Local(2026, 3, 2, 23, 30), 200));  // local 03-02
  t.Must(Buy("c", Local(2026, 3, 7, 10), 400));
  t.Must(Buy("c", Local(2026, 3, 7, 11), 800));
  EXPECT_DOUBLE_EQ(t.Value("c", "sum7"), 1500);
  EXPECT_DOUBLE_EQ(t.Value("c", "count7"), 4);
  EXPECT_DOUBLE_EQ(t.Value("c", "days7"), 3);
  // 03-08: the window is 03-02..03-08.
  t.Review(Local(2026, 3, 8, 0, 10));
  EXPECT_DOUBLE_EQ(t.Value("c", "sum7"), 1400);
  EXPECT_DOUBLE_EQ(t.Value("c", "count7"), 3);
  EXPECT_DOUBLE_EQ(t.Value("c", "days7"), 2);
  // 03-09 00:10 local: 03-02 (even its 23:30 purchase) has left.
  t.Review(Local(2026, 3, 9, 0, 10));
  EXPECT_DOUBLE_EQ(t.Value("c", "sum7"), 1200);
  EXPECT_DOUBLE_EQ(t.Value("c", "count7"), 2);
  EXPECT_DOUBLE_EQ(t.Value("c", "days7"), 1);
  t.Review(Local(2026, 3, 13, 23, 59));
  EXPECT_DOUBLE_EQ(t.Value("c", "sum7"), 1200);
  t.Review(Local(2026, 3, 14, 0, 0));
  EXPECT_DOUBLE_EQ(t.Value("c", "sum7"), 0);
  EXPECT_DOUBLE_EQ(t.Value("c", "count7"), 0);
  EXPECT_DOUBLE_EQ(t.Value("c", "days7"), 0);
  // New purchases after a long pause.
  t.Must(Buy("c", Local(2026, 6, 1), 5));
  EXPECT_DOUBLE_EQ(t.Value("c", "sum7"), 5);
  EXPECT_DOUBLE_EQ(t.Value("c", "m_any"), 1505);
}

TEST(Windows, DistinctDaysPerCalendarMonth) {
  T t(absl::StrCat(R"pb(
                     metrics {
                       name: "m_any"
                       aggregate: SUM
                       field: AMOUNT
                       window { since_enrolment: true }
                     }
                     metrics {
                       name: "days_m"
                       aggregate: DISTINCT_DAYS
                       window { calendar { period: MONTH } }
                     }
                     metrics {
                       name: "days_prev_m"
                       aggregate: DISTINCT_DAYS
                       window { calendar { period: MONTH periods_back: 1 } }
                     }
                     metrics {
                       name: "days_y"
                       aggregate: DISTINCT_DAYS
                       window { calendar { period: YEAR } }
                     }
                   )pb",
                   kMetricsProgram));
  ASSERT_ENGINE(t);
  t.Must(Enrol("c", Local(2026, 1, 1, 1)));
  t.Must(Buy("c", Local(2026, 1, 31, 23, 59), 1));  // local January 31
  t.Must(Buy("c", Local(2026, 2, 1, 0, 1), 1));
  t.Must(Buy("c", Local(2026, 2, 1, 18), 1));  // same day
  t.Must(Buy("c", Local(2026, 2, 2, 9), 1));
  t.Must(Buy("c", Local(2026, 2, 28, 23, 59), 1));
  EXPECT_DOUBLE_EQ(t.Value("c", "days_m"), 3);
  EXPECT_DOUBLE_EQ(t.Value("c", "days_prev_m"), 1);
  EXPECT_DOUBLE_EQ(t.Value("c", "days_y"), 4);
  // Last day of a long year (bit 364 of the year bitmap).
  t.Must(Buy("c", Local(2026, 12, 31, 23), 1));
  EXPECT_DOUBLE_EQ(t.Value("c", "days_y"), 5);
  EXPECT_DOUBLE_EQ(t.Value("c", "days_m"), 1);
  EXPECT_DOUBLE_EQ(t.Value("c", "days_prev_m"), 0);
}

TEST(Windows, DistinctDaysLeapYearLastDay) {
  T t(absl::StrCat(R"pb(
                     metrics {
                       name: "m_any"
                       aggregate: SUM
                       field: AMOUNT
                       window { since_enrolment: true }
                     }
                     metrics {
                       name: "days_y"
                       aggregate: DISTINCT_DAYS
                       window { calendar { period: YEAR } }
                     }
                     metrics {
                       name: "days_q"
                       aggregate: DISTINCT_DAYS
                       window { calendar { period: QUARTER } }
                     }
                   )pb",
                   kMetricsProgram));
  ASSERT_ENGINE(t);
  t.Must(Enrol("c", Local(2028, 10, 1, 1)));
  for (int d = 1; d <= 30; ++d) t.Must(Buy("c", Local(2028, 11, d), 0));
  for (int d = 1; d <= 31; ++d) t.Must(Buy("c", Local(2028, 12, d), 1));
  EXPECT_DOUBLE_EQ(t.Value("c", "days_y"), 61);  // 2028 is a leap year
  EXPECT_DOUBLE_EQ(t.Value("c", "days_q"), 61);
}

TEST(Windows, RecencyCountsFromEnrolmentWithoutEvents) {
  T t(absl::StrCat(R"pb(
                     metrics {
                       name: "m_any"
                       aggregate: SUM
                       field: AMOUNT
                       window { since_enrolment: true }
                     }
                     metrics {
                       name: "recency"
                       aggregate: RECENCY_DAYS
                       window { since_enrolment: true }
                     }
                   )pb",
                   kMetricsProgram));
  ASSERT_ENGINE(t);
  t.Must(Enrol("c", Local(2026, 3, 1, 23)));
  EXPECT_DOUBLE_EQ(t.Value("c", "recency"), 0);
  t.Review(Local(2026, 3, 11, 1));
  EXPECT_DOUBLE_EQ(t.Value("c", "recency"), 10);  // local days, not 24h units
  t.Must(Buy("c", Local(2026, 3, 11, 2), 10));
  EXPECT_DOUBLE_EQ(t.Value("c", "recency"), 0);
  t.Review(Local(2026, 3, 15, 0, 5));
  EXPECT_DOUBLE_EQ(t.Value("c", "recency"), 4);
  // A late purchase does not move the last instant backwards.
  t.Must(Buy("c", Local(2026, 3, 10), 10));
  EXPECT_DOUBLE_EQ(t.Value("c", "recency"), 4);
}

// ----- missing data
// ----------------------------------------------------------------

TEST(Missing, MinMaxAverageAndWhenMissing) {
  T t(R"pb(
    metrics {
      name: "min_y"
      aggregate: MIN
      field: AMOUNT
      window { calendar { period: YEAR } }
    }
    metrics {
      name: "max_y"
      aggregate: MAX
      field: AMOUNT
      window { calendar { period: YEAR } }
    }
    metrics {
      name: "avg_y"
      aggregate: AVERAGE
      field: AMOUNT
      window { calendar { period: YEAR } }
    }
    metrics {
      name: "max7"
      aggregate: MAX
      field: AMOUNT
      window { rolling_days: 7 }
    }
    metrics {
      name: "avg_all"
      aggregate: AVERAGE
      field: AMOUNT
      window { since_enrolment: true }
    }
    tier_programs {
      name: "strict"
      tiers { name: "b" }
      tiers {
        name: "small"
        qualify { metric { metric: "avg_y" op: LT value: 50 } }
      }
      downgrade: IMMEDIATE
    }
    tier_programs {
      name: "lenient"
      tiers { name: "b" }
      tiers {
        name: "small"
        qualify {
          metric { metric: "avg_y" op: LT value: 50 when_missing: true }
        }
      }
      downgrade: IMMEDIATE
    }
  )pb");
  ASSERT_ENGINE(t);
  t.Must(Enrol("c", Local(2026, 1, 5)));
  ASSERT_EQ(t.last().size(), 1u);
  EXPECT_EQ(t.last()[0].program(), "lenient");
  EXPECT_EQ(t.last()[0].kind(), v1::ENTERED);
  EXPECT_EQ(t.last()[0].cause(), v1::ENROLMENT);
  EXPECT_EQ(t.Tier("c", "strict"), "b");
  EXPECT_EQ(t.Tier("c", "lenient"), "small");
  for (const char* m : {"min_y", "max_y", "avg_y", "max7", "avg_all"}) {
    v1::MetricValue v = t.Metric("c", m);
    EXPECT_TRUE(v.missing()) << m;
    EXPECT_EQ(v.value(), 0) << m;
  }
  v1::Explanation ex;
  ASSERT_TRUE(t.engine().Explain("c", "strict", &ex).ok());
  const v1::Check* check = FindCheck(ex, "avg_y");
  ASSERT_NE(check, nullptr);
  EXPECT_TRUE(check->missing());
  EXPECT_FALSE(check->holds());

  t.Must(Buy("c", Local(2026, 1, 6), 30));
  t.Must(Buy("c", Local(2026, 1, 7), 10));
  EXPECT_EQ(t.Tier("c", "strict"), "small");
  t.Must(Buy("c", Local(2026, 1, 8), 80));
  EXPECT_DOUBLE_EQ(t.Value("c", "min_y"), 10);
  EXPECT_DOUBLE_EQ(t.Value("c", "max_y"), 80);
  EXPECT_DOUBLE_EQ(t.Value("c", "avg_y"), 40);
  EXPECT_DOUBLE_EQ(t.Value("c", "max7"), 80);
  EXPECT_DOUBLE_EQ(t.Value("c", "avg_all"), 40);
  t.Must(Buy("c", Local(2026, 1, 9), 100));  // avg 55
  EXPECT_EQ(t.Tier("c", "strict"), "b");
  EXPECT_EQ(t.Tier("c", "lenient"), "b");

  // A new year: the yearly ones are missing again; lenient holds again.
  t.Must(Buy("c", Local(2027, 1, 1, 12), 0));
  EXPECT_DOUBLE_EQ(t.Value("c", "min_y"), 0);
  t.Review(Local(2027, 1, 20));
  EXPECT_DOUBLE_EQ(t.Value("c", "avg_all"), 44);  // (30+10+80+100+0)/5
  EXPECT_TRUE(t.Metric("c", "max7").missing());
}

TEST(Missing, NewYearLeavesYearlyMetricsMissing) {
  T t(R"pb(
    metrics {
      name: "avg_y"
      aggregate: AVERAGE
      field: AMOUNT
      window { calendar { period: YEAR } }
    }
    metrics {
      name: "max_y"
      aggregate: MAX
      field: AMOUNT
      window { calendar { period: YEAR } }
    }
    tier_programs {
      name: "lenient"
      tiers { name: "b" }
      tiers {
        name: "small"
        qualify {
          metric { metric: "avg_y" op: LT value: 50 when_missing: true }
        }
      }
      downgrade: IMMEDIATE
    }
  )pb");
  ASSERT_ENGINE(t);
  t.Must(Enrol("c", Local(2026, 12, 1)));
  t.Must(Buy("c", Local(2026, 12, 2), 100));
  EXPECT_EQ(t.Tier("c", "lenient"), "b");
  t.Review(Local(2027, 1, 2));
  EXPECT_TRUE(t.Metric("c", "avg_y").missing());
  EXPECT_TRUE(t.Metric("c", "max_y").missing());
  // The next event sees the missing average and qualifies.
  v1::Event e = NewEvent("c", Local(2027, 1, 3));
  e.mutable_contact()->set_channel("phone");
  t.Must(e);
  EXPECT_EQ(t.Tier("c", "lenient"), "small");
}

// ----- time-weighted average balance
// ---------------------------------------------

constexpr char kTwaPolicy[] = R"pb(
  metrics {
    name: "twa_m"
    aggregate: TIME_WEIGHTED_AVERAGE
    field: BALANCE_AMOUNT
    window { calendar { period: MONTH } }
  }
  metrics {
    name: "twa_prev_m"
    aggregate: TIME_WEIGHTED_AVERAGE
    field: BALANCE_AMOUNT
    window { calendar { period: MONTH periods_back: 1 } }
  }
  metrics {
    name: "twa_all"
    aggregate: TIME_WEIGHTED_AVERAGE
    field: BALANCE_AMOUNT
    window { since_enrolment: true }
  }
  tier_programs {
    name: "wealth"
    tiers { name: "b" }
    tiers {
      name: "rich"
      qualify { metric { metric: "twa_prev_m" op: GE value: 2000 } }
    }
    review { monthly: true }
  }
)pb";

TEST(TimeWeightedAverage, HalfMonthAtEachBalance) {
  T t(kTwaPolicy);
  ASSERT_ENGINE(t);
  t.Must(Enrol("c", Local(2026, 2, 20, 0)));
  t.Must(Balance("c", Local(2026, 3, 1, 0), 1000));
  // March has 31 days; its middle is 03-16 12:00.
  t.Must(Balance("c", Local(2026, 3, 16, 12), 3000));
  EXPECT_NEAR(t.Value("c", "twa_m"), 1000, 1e-9);
  t.Review(Local(2026, 3, 31, 0));
  // 15.5 days at 1000, 14.5 at 3000, of 30 days.
  EXPECT_NEAR(t.Value("c", "twa_m"), (15.5 * 1000 + 14.5 * 3000) / 30, 1e-6);
  t.Review(Local(2026, 4, 1, 0));
  EXPECT_NEAR(t.Value("c", "twa_prev_m"), 2000, 1e-9);
  EXPECT_TRUE(t.Metric("c", "twa_m").missing());  // empty window
  // Since enrolment: 9 days at 0, 15.5 at 1000, 15.5 at 3000, of 40 days.
  EXPECT_NEAR(t.Value("c", "twa_all"), 62000.0 / 40, 1e-6);
  // The April review reads March's average: exactly 2000 qualifies.
  EXPECT_EQ(t.Tier("c", "wealth"), "rich");
  ASSERT_EQ(t.last().size(), 1u);
  EXPECT_EQ(t.last()[0].cause(), v1::REVIEW);
  t.Review(Local(2026, 4, 2, 0));
  EXPECT_NEAR(t.Value("c", "twa_m"), 3000, 1e-9);
}

TEST(TimeWeightedAverage, BalanceHeldAcrossMonthsWithoutEvents) {
  T t(kTwaPolicy);
  ASSERT_ENGINE(t);
  t.Must(Enrol("c", Local(2026, 2, 20, 0)));
  t.Must(Balance("c", Local(2026, 3, 1, 0), 1000));
  // The next change arrives in May: March and April held 1000 throughout.
  t.Must(Balance("c", Local(2026, 5, 1, 0), 4000));
  EXPECT_NEAR(t.Value("c", "twa_prev_m"), 1000, 1e-9);
  t.Must(Balance("c", Local(2026, 5, 11, 0), 0));
  t.Review(Local(2026, 5, 21, 0));
  EXPECT_NEAR(t.Value("c", "twa_m"), 2000, 1e-9);  // 10 days 4000, 10 days 0
  t.Review(Local(2026, 6, 1, 0));
  EXPECT_NEAR(t.Value("c", "twa_prev_m"), 4000.0 * 10 / 31, 1e-6);
}

// ----- since_tier_start
// ------------------------------------------------------------

TEST(Windows, SinceTierStartResetsOnTierChange) {
  T t(R"pb(
    metrics {
      name: "spend"
      aggregate: SUM
      field: AMOUNT
      window { since_enrolment: true }
    }
    metrics {
      name: "spend_in_tier"
      aggregate: SUM
      field: AMOUNT
      window { since_tier_start: "card" }
    }
    metrics {
      name: "buys_in_tier"
      aggregate: COUNT
      window { since_tier_start: "card" }
    }
    tier_programs {
      name: "card"
      tiers { name: "base" }
      tiers {
        name: "silver"
        qualify { metric { metric: "spend" op: GE value: 1000 } }
      }
      tiers {
        name: "gold"
        qualify { metric { metric: "spend" op: GE value: 3000 } }
      }
      downgrade: IMMEDIATE
    }
  )pb");
  ASSERT_ENGINE(t);
  t.Must(Enrol("c", Local(2026, 1, 1)));
  t.Must(Buy("c", Local(2026, 1, 2), 600));
  EXPECT_DOUBLE_EQ(t.Value("c", "spend_in_tier"), 600);
  EXPECT_DOUBLE_EQ(t.Value("c", "buys_in_tier"), 1);
  t.Must(Buy("c", Local(2026, 1, 3), 600));
  ASSERT_EQ(t.last().size(), 1u);
  EXPECT_EQ(t.Tier("c", "card"), "silver");
  EXPECT_DOUBLE_EQ(t.Value("c", "spend_in_tier"), 0);
  EXPECT_DOUBLE_EQ(t.Value("c", "buys_in_tier"), 0);
  t.Must(Buy("c", Local(2026, 1, 4), 300));
  EXPECT_DOUBLE_EQ(t.Value("c", "spend_in_tier"), 300);
  EXPECT_DOUBLE_EQ(t.Value("c", "buys_in_tier"), 1);
  EXPECT_DOUBLE_EQ(t.Value("c", "spend"), 1500);
  t.Must(Buy("c", Local(2026, 1, 5), 2000));
  EXPECT_EQ(t.Tier("c", "card"), "gold");
  EXPECT_DOUBLE_EQ(t.Value("c", "spend_in_tier"), 0);
  t.Must(Buy("c", Local(2026, 1, 6), 5));
  EXPECT_DOUBLE_EQ(t.Value("c", "spend_in_tier"), 5);
}

// ----- event filters
// -----------------------------------------------------------------

TEST(Filters, CategoriesExcludeChannelsContactKindsAndCustomer) {
  T t(absl::StrCat(
      R"pb(
        attributes { name: "region" type: TEXT }
        attributes { name: "staff" type: FLAG }
        metrics {
          name: "m_any"
          aggregate: SUM
          field: AMOUNT
          window { since_enrolment: true }
        }
        metrics {
          name: "food_wine"
          aggregate: SUM
          field: AMOUNT
          window { calendar { period: YEAR } }
          filter { categories: "food" categories: "wine" }
        }
        metrics {
          name: "not_gift"
          aggregate: SUM
          field: AMOUNT
          window { calendar { period: YEAR } }
          filter { exclude_categories: "gift" }
        }
        metrics {
          name: "online_buys"
          aggregate: COUNT
          window { calendar { period: YEAR } }
          filter { kinds: PURCHASE channels: "online" }
        }
        metrics {
          name: "phone_callbacks"
          aggregate: COUNT
          window { since_enrolment: true }
          filter { kinds: CONTACT channels: "phone" contact_kinds: "callback" }
        }
        metrics {
          name: "north_spend"
          aggregate: SUM
          field: AMOUNT
          window { calendar { period: YEAR } }
          filter { customer { attribute: "region" values: "north" } }
        }
        metrics {
          name: "non_staff_spend"
          aggregate: SUM
          field: AMOUNT
          window { calendar { period: YEAR } }
          filter { customer { attribute: "staff" negate: true } }
        }
      )pb",
      kMetricsProgram));
  ASSERT_ENGINE(t);
  t.Must(Enrol("n", Local(2026, 1, 1), {{"region", Text("north")}}));
  t.Must(Enrol("s", Local(2026, 1, 1),
               {{"region", Text("south")}, {"staff", Flag(true)}}));
  for (const char* id : {"n", "s"}) {
    t.Must(BuyVia(id, Local(2026, 1, 2), 100, "food", "online"));
    t.Must(BuyVia(id, Local(2026, 1, 3), 200, "wine", "store"));
    t.Must(BuyVia(id, Local(2026, 1, 4), 400, "gift", "online"));
    t.Must(BuyVia(id, Local(2026, 1, 5), 800, "", "store"));
    t.Must(Contact(id, Local(2026, 1, 6), "phone", "callback"));
    t.Must(Contact(id, Local(2026, 1, 6), "phone", "greeting"));
    t.Must(Contact(id, Local(2026, 1, 6), "visit", "callback"));
  }
  EXPECT_DOUBLE_EQ(t.Value("n", "food_wine"), 300);
  EXPECT_DOUBLE_EQ(t.Value("n", "not_gift"), 1100);
  EXPECT_DOUBLE_EQ(t.Value("n", "online_buys"), 2);
  EXPECT_DOUBLE_EQ(t.Value("n", "phone_callbacks"), 1);
  EXPECT_DOUBLE_EQ(t.Value("n", "north_spend"), 1500);
  EXPECT_DOUBLE_EQ(t.Value("s", "north_spend"), 0);
  EXPECT_DOUBLE_EQ(t.Value("n", "non_staff_spend"), 1500);
  EXPECT_DOUBLE_EQ(t.Value("s", "non_staff_spend"), 0);
  EXPECT_DOUBLE_EQ(t.Value("s", "m_any"), 1500);

  // Attributes at the event instant decide: s moves north and leaves staff.
  t.Must(SetAttrs("s", Local(2026, 2, 1),
                  {{"region", Text("north")}, {"staff", Flag(false)}}));
  t.Must(Buy("s", Local(2026, 2, 2), 50));
  EXPECT_DOUBLE_EQ(t.Value("s", "north_spend"), 50);
  EXPECT_DOUBLE_EQ(t.Value("s", "non_staff_spend"), 50);
  // Removing the region: the test no longer holds.
  v1::Event rm = NewEvent("s", Local(2026, 2, 3));
  rm.mutable_attribute_change()->add_remove("region");
  t.Must(rm);
  EXPECT_EQ(t.Get("s").attributes().count("region"), 0u);
  t.Must(Buy("s", Local(2026, 2, 4), 7));
  EXPECT_DOUBLE_EQ(t.Value("s", "north_spend"), 50);
  EXPECT_DOUBLE_EQ(t.Value("s", "non_staff_spend"), 57);
}

// ----- floors and dependencies
// ----------------------------------------------------------

TEST(Floors, TierAtLeastAcrossProgramsAndAttributeFloor) {
  T t(R"pb(
    attributes { name: "staff" type: FLAG }
    metrics {
      name: "spend_y"
      aggregate: SUM
      field: AMOUNT
      window { calendar { period: YEAR } }
    }
    metrics {
      name: "contacts"
      aggregate: COUNT
      window { since_enrolment: true }
      filter { kinds: CONTACT }
    }
    tier_programs {
      name: "service"
      tiers { name: "standard" }
      tiers {
        name: "priority"
        qualify { metric { metric: "contacts" op: GE value: 10 } }
      }
      tiers {
        name: "elite"
        qualify {
          all {
            conditions { metric { metric: "contacts" op: GE value: 20 } }
            conditions { tier_at_least { program: "status" tier: "premium" } }
          }
        }
      }
      floors {
        when { tier_at_least { program: "status" tier: "premium" } }
        tier: "priority"
      }
      floors {
        when { attribute { attribute: "staff" } }
        tier: "elite"
      }
      review { yearly { month: 1 day: 1 } }
    }
    tier_programs {
      name: "status"
      tiers { name: "regular" }
      tiers {
        name: "premium"
        qualify { metric { metric: "spend_y" op: GE value: 5000 } }
      }
      review { yearly { month: 1 day: 1 } }
    }
  )pb");
  ASSERT_ENGINE(t);
  t.Must(Enrol("a", Local(2026, 1, 2)));
  EXPECT_TRUE(t.last().empty());
  t.Must(Buy("a", Local(2026, 1, 3), 5000));
  // status (declared second) is evaluated first; service's floor follows.
  ASSERT_EQ(t.last().size(), 2u);
  EXPECT_EQ(t.last()[0].program(), "status");
  EXPECT_EQ(t.last()[0].to_tier(), "premium");
  EXPECT_EQ(t.last()[0].cause(), v1::EVENT);
  EXPECT_EQ(t.last()[1].program(), "service");
  EXPECT_EQ(t.last()[1].to_tier(), "priority");
  EXPECT_EQ(t.last()[1].kind(), v1::UPGRADE);
  EXPECT_EQ(t.last()[1].cause(), v1::FLOOR);
  EXPECT_EQ(t.last()[1].explanation().rule(), "tier_programs[0].floors[0]");
  EXPECT_EQ(t.last()[1].explanation().qualified_tier(), "standard");

  // The staff floor puts a new customer in elite at enrolment.
  t.Must(Enrol("b", Local(2026, 1, 3), {{"staff", Flag(true)}}));
  ASSERT_EQ(t.last().size(), 1u);
  EXPECT_EQ(t.last()[0].program(), "service");
  EXPECT_EQ(t.last()[0].to_tier(), "elite");
  EXPECT_EQ(t.last()[0].kind(), v1::ENTERED);

  // Elite by criteria needs both 20 contacts and premium status.
  for (int i = 0; i < 20; ++i) {
    v1::Event e = NewEvent("a", Local(2026, 2, 1) + i);
    e.mutable_contact()->set_channel("phone");
    t.Must(e);
  }
  EXPECT_EQ(t.Tier("a", "service"), "elite");
  EXPECT_EQ(t.Standing("a", "service").qualified_tier(), "elite");

  // Next year: status falls to regular at the review, and with it the
  // elite criteria; the service review (same instant) keeps priority from
  // the contact count.
  t.Review(Local(2027, 1, 1, 0));
  EXPECT_EQ(t.Tier("a", "status"), "regular");
  EXPECT_EQ(t.Tier("a", "service"), "priority");
  EXPECT_EQ(t.Tier("b", "service"), "elite");
}

// ----- grants
// ----------------------------------------------------------------------------

constexpr char kCardPolicy[] = R"pb(
  attributes { name: "city_group" type: TEXT }
  metrics {
    name: "spend_y"
    aggregate: SUM
    field: AMOUNT
    window { calendar { period: YEAR } }
  }
  metrics {
    name: "count_y"
    aggregate: COUNT
    window { calendar { period: YEAR } }
  }
  tier_programs {
    name: "card"
    tiers { name: "base" }
    tiers {
      name: "silver"
      qualify { metric { metric: "spend_y" op: GE value: 1000 } }
    }
    tiers {
      name: "gold"
      qualify {
        all {
          conditions { metric { metric: "spend_y" op: GE value: 2000 } }
          conditions {
            metric { metric: "count_y" op: GE value: 3 unscaled: true }
          }
        }
      }
    }
    review { yearly { month: 1 day: 1 } }
    multiplier_attribute: "city_group"
    multipliers { value: "g2" multiplier: 0.8 }
    multipliers { value: "g3" multiplier: 0.5 }
  }
)pb";

TEST(Grants, ExpiryAtReviewDropsToOwnCriteria) {
  T t(kCardPolicy);
  ASSERT_ENGINE(t);
  t.Must(Enrol("c", Local(2026, 1, 2)));
  t.Must(Buy("c", Local(2026, 1, 3), 1000));
  EXPECT_EQ(t.Tier("c", "card"), "silver");
  v1::Event g = Grant("c", Local(2026, 2, 1), "card", "gold", "mgr",
                      "nominated", Local(2026, 6, 1, 0));
  g.set_event_id("ev-grant");
  t.Must(g);
  ASSERT_EQ(t.last().size(), 1u);
  EXPECT_EQ(t.last()[0].kind(), v1::UPGRADE);
  EXPECT_EQ(t.last()[0].cause(), v1::GRANT);
  EXPECT_EQ(t.last()[0].to_tier(), "gold");
  EXPECT_EQ(t.last()[0].explanation().rule(), "tier_grant");
  EXPECT_EQ(t.last()[0].explanation().event_id(), "ev-grant");
  v1::ProgramStanding s = t.Standing("c", "card");
  ASSERT_TRUE(s.has_grant());
  EXPECT_EQ(s.grant().tier(), "gold");
  EXPECT_EQ(s.grant().approver(), "mgr");
  EXPECT_EQ(s.grant().reason(), "nominated");
  EXPECT_EQ(s.grant().granted_at().seconds(), Local(2026, 2, 1));
  EXPECT_EQ(s.grant().expires_at().seconds(), Local(2026, 6, 1, 0));
  EXPECT_EQ(s.qualified_tier(), "silver");

  t.Review(Local(2026, 5, 31, 23, 59, 59));
  EXPECT_TRUE(t.last().empty());
  t.Review(Local(2026, 6, 1, 0));
  ASSERT_EQ(t.last().size(), 1u);
  EXPECT_EQ(t.last()[0].kind(), v1::DOWNGRADE);
  EXPECT_EQ(t.last()[0].cause(), v1::GRANT_EXPIRED);
  EXPECT_EQ(t.last()[0].to_tier(), "silver");
  EXPECT_EQ(t.last()[0].at().seconds(), Local(2026, 6, 1, 0));
  s = t.Standing("c", "card");
  EXPECT_EQ(s.tier(), "silver");
  EXPECT_FALSE(s.has_grant());
}

TEST(Grants, RevokeDropsAtOnce) {
  T t(kCardPolicy);
  ASSERT_ENGINE(t);
  t.Must(Enrol("c", Local(2026, 1, 2)));
  t.Must(Grant("c", Local(2026, 1, 3), "card", "gold", "mgr", "vip guest"));
  EXPECT_EQ(t.Tier("c", "card"), "gold");
  EXPECT_FALSE(t.Standing("c", "card").grant().has_expires_at());
  // A review does not take an open-ended grant away.
  t.Review(Local(2027, 1, 1, 0));
  EXPECT_EQ(t.Tier("c", "card"), "gold");
  t.Must(Revoke("c", Local(2027, 1, 5), "card"));
  ASSERT_EQ(t.last().size(), 1u);
  EXPECT_EQ(t.last()[0].kind(), v1::DOWNGRADE);
  EXPECT_EQ(t.last()[0].cause(), v1::REVOKE);
  EXPECT_EQ(t.last()[0].to_tier(), "base");
  EXPECT_FALSE(t.Standing("c", "card").has_grant());
  // Revoking again: nothing to revoke.
  std::vector<v1::Transition> out;
  EXPECT_EQ(
      t.engine().Apply(Revoke("c", Local(2027, 1, 6), "card"), &out).code(),
      absl::StatusCode::kFailedPrecondition);
}

TEST(Grants, GrantBelowQualifiedTierChangesNothing) {
  T t(kCardPolicy);
  ASSERT_ENGINE(t);
  t.Must(Enrol("c", Local(2026, 1, 2)));
  t.Must(Buy("c", Local(2026, 1, 3), 1000));
  t.Must(Buy("c", Local(2026, 1, 4), 1000));
  t.Must(Buy("c", Local(2026, 1, 5), 1000));
  EXPECT_EQ(t.Tier("c", "card"), "gold");
  t.Must(Grant("c", Local(2026, 1, 6), "card", "silver", "mgr", "x",
               Local(2026, 3, 1)));
  EXPECT_TRUE(t.last().empty());
  t.Review(Local(2026, 3, 2));
  EXPECT_TRUE(t.last().empty());
  EXPECT_EQ(t.Tier("c", "card"), "gold");
  EXPECT_FALSE(t.Standing("c", "card").has_grant());
}

// ----- group multipliers
// --------------------------------------------------------------------

TEST(Multipliers, GroupScalesThresholdsUnlessUnscaled) {
  T t(kCardPolicy);
  ASSERT_ENGINE(t);
  t.Must(Enrol("g1", Local(2026, 1, 2), {{"city_group", Text("g1")}}));
  t.Must(Enrol("g2", Local(2026, 1, 2), {{"city_group", Text("g2")}}));
  t.Must(Enrol("g3", Local(2026, 1, 2), {{"city_group", Text("g3")}}));
  for (const char* id : {"g1", "g2", "g3"}) {
    t.Must(Buy(id, Local(2026, 1, 3), 800));
  }
  EXPECT_EQ(t.Tier("g1", "card"), "base");
  EXPECT_EQ(t.Tier("g2", "card"), "silver");
  EXPECT_EQ(t.Tier("g3", "card"), "silver");
  ASSERT_EQ(t.last().size(), 1u);
  {
    const v1::Check* c = FindCheck(t.last()[0].explanation(), "spend_y");
    ASSERT_NE(c, nullptr);
    EXPECT_DOUBLE_EQ(c->threshold(), 500);
    EXPECT_DOUBLE_EQ(c->multiplier(), 0.5);
  }
  // g3 reaches gold's scaled 1000 but count_y (unscaled 3) needs a third.
  t.Must(Buy("g3", Local(2026, 1, 4), 200));
  EXPECT_EQ(t.Tier("g3", "card"), "silver");
  t.Must(Buy("g3", Local(2026, 1, 5), 0));
  EXPECT_EQ(t.Tier("g3", "card"), "gold");
  ASSERT_EQ(t.last().size(), 1u);
  std::vector<const v1::Check*> counts =
      ChecksOn(t.last()[0].explanation(), "count_y");
  ASSERT_FALSE(counts.empty());
  EXPECT_DOUBLE_EQ(counts[0]->threshold(), 3);
  EXPECT_DOUBLE_EQ(counts[0]->multiplier(), 1);
  v1::Explanation ex;
  ASSERT_TRUE(t.engine().Explain("g2", "card", &ex).ok());
  std::vector<const v1::Check*> spend = ChecksOn(ex, "spend_y");
  ASSERT_GE(spend.size(), 1u);
  EXPECT_DOUBLE_EQ(spend[0]->threshold(), 800);
  EXPECT_DOUBLE_EQ(spend[0]->multiplier(), 0.8);
}

// ----- late events
// ----------------------------------------------------------------------------

TEST(LateEvents, WithinHorizonLandInTheirOwnPeriod) {
  T t(absl::StrCat(R"pb(
                     metrics {
                       name: "m_any"
                       aggregate: SUM
                       field: AMOUNT
                       window { since_enrolment: true }
                     }
                     metrics {
                       name: "spend_m"
                       aggregate: SUM
                       field: AMOUNT
                       window { calendar { period: MONTH } }
                     }
                     metrics {
                       name: "spend_prev_m"
                       aggregate: SUM
                       field: AMOUNT
                       window { calendar { period: MONTH periods_back: 1 } }
                     }
                     metrics {
                       name: "spend7"
                       aggregate: SUM
                       field: AMOUNT
                       window { rolling_days: 7 }
                     }
                     metrics {
                       name: "days_prev_m"
                       aggregate: DISTINCT_DAYS
                       window { calendar { period: MONTH periods_back: 1 } }
                     }
                   )pb",
                   kMetricsProgram));
  ASSERT_ENGINE(t);
  t.Must(Enrol("c", Local(2026, 3, 20)));
  t.Must(Buy("c", Local(2026, 3, 25), 10));
  t.Must(Buy("c", Local(2026, 4, 2), 100));
  // Late by three days, in March.
  t.Must(Buy("c", Local(2026, 3, 30), 50));
  EXPECT_DOUBLE_EQ(t.Value("c", "spend_m"), 100);
  EXPECT_DOUBLE_EQ(t.Value("c", "spend_prev_m"), 60);
  EXPECT_DOUBLE_EQ(t.Value("c", "days_prev_m"), 2);
  EXPECT_DOUBLE_EQ(t.Value("c", "spend7"), 150);  // 03-27..04-02
  EXPECT_EQ(t.engine().clock(), Local(2026, 4, 2));
  // Past the horizon: refused.
  std::vector<v1::Transition> out;
  EXPECT_EQ(t.engine().Apply(Buy("c", Local(2026, 3, 26, 11), 1), &out).code(),
            absl::StatusCode::kOutOfRange);
}

TEST(LateEvents, LateEventAfterPeriodRolledKeepsCurrentPeriod) {
  T t(absl::StrCat(R"pb(
                     metrics {
                       name: "m_any"
                       aggregate: SUM
                       field: AMOUNT
                       window { since_enrolment: true }
                     }
                     metrics {
                       name: "spend_q"
                       aggregate: SUM
                       field: AMOUNT
                       window { calendar { period: QUARTER } }
                     }
                     metrics {
                       name: "spend_prev_q"
                       aggregate: SUM
                       field: AMOUNT
                       window { calendar { period: QUARTER periods_back: 1 } }
                     }
                   )pb",
                   kMetricsProgram));
  ASSERT_ENGINE(t);
  t.Must(Enrol("c", Local(2026, 3, 20)));
  t.Must(Buy("c", Local(2026, 4, 3), 100));
  t.Must(Buy("c", Local(2026, 3, 31, 23, 59), 7));  // late, Q1
  t.Must(Buy("c", Local(2026, 4, 4), 1000));
  EXPECT_DOUBLE_EQ(t.Value("c", "spend_q"), 1100);
  EXPECT_DOUBLE_EQ(t.Value("c", "spend_prev_q"), 7);
}

// ----- listing
// -----------------------------------------------------------------------------------

TEST(Listing, ListByTierPagesInEnrolmentOrderAndCounts) {
  T t(kCardPolicy);
  ASSERT_ENGINE(t);
  std::vector<std::string> silver, base;
  for (int i = 0; i < 25; ++i) {
    const std::string id = absl::StrCat("cust", 100 - i);  // not sorted by id
    t.Must(Enrol(id, Local(2026, 1, 2) + i));
    if (i % 3 == 0) {
      t.Must(Buy(id, Local(2026, 1, 3) + i, 1000));
      silver.push_back(id);
    } else {
      base.push_back(id);
    }
  }
  std::vector<uint64_t> counts;
  ASSERT_TRUE(t.engine().CountByTier("card", &counts).ok());
  EXPECT_EQ(counts, (std::vector<uint64_t>{16, 9, 0}));

  std::vector<std::string> got;
  std::string token;
  int pages = 0;
  for (; pages < 20; ++pages) {
    v1::CustomerPage page;
    ASSERT_TRUE(t.engine().ListByTier("card", "base", token, 4, &page).ok());
    EXPECT_LE(page.customer_ids_size(), 4);
    got.insert(got.end(), page.customer_ids().begin(),
               page.customer_ids().end());
    token = page.next_page_token();
    if (token.empty()) break;
  }
  EXPECT_EQ(got, base);
  EXPECT_EQ(pages, 3);  // 4 + 4 + 4 + 4 = 16: the fourth page ends it

  v1::CustomerPage page;
  ASSERT_TRUE(t.engine().ListByTier("card", "silver", "", 100, &page).ok());
  EXPECT_EQ(std::vector<std::string>(page.customer_ids().begin(),
                                     page.customer_ids().end()),
            silver);
  EXPECT_TRUE(page.next_page_token().empty());
  ASSERT_TRUE(t.engine().ListByTier("card", "gold", "", 10, &page).ok());
  EXPECT_EQ(page.customer_ids_size(), 0);
  EXPECT_TRUE(page.next_page_token().empty());

  // Exactly one full page: no token for an empty next page.
  ASSERT_TRUE(t.engine().ListByTier("card", "silver", "", 9, &page).ok());
  EXPECT_EQ(page.customer_ids_size(), 9);
  EXPECT_TRUE(page.next_page_token().empty());

  // A tier change moves the customer between listings.
  t.Must(Grant(base[0], Local(2026, 2, 1), "card", "gold", "m", "r"));
  ASSERT_TRUE(t.engine().CountByTier("card", &counts).ok());
  EXPECT_EQ(counts, (std::vector<uint64_t>{15, 9, 1}));
  ASSERT_TRUE(t.engine().ListByTier("card", "gold", "", 10, &page).ok());
  ASSERT_EQ(page.customer_ids_size(), 1);
  EXPECT_EQ(page.customer_ids(0), base[0]);

  EXPECT_EQ(t.engine().ListByTier("card", "base", "garbage", 4, &page).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(t.engine().ListByTier("card", "base", "s:", 4, &page).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(t.engine().ListByTier("card", "base", "", 0, &page).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(t.engine().ListByTier("card", "base", "", -3, &page).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(t.engine().ListByTier("club", "base", "", 4, &page).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(t.engine().ListByTier("card", "diamond", "", 4, &page).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(t.engine().CountByTier("club", &counts).code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace standing::scenario
