// Snapshots and policy replacement: a large random population round-trips
// byte for byte and behaves identically afterwards; snapshots of another
// policy, truncated or foreign bytes are refused; ReplacePolicy keeps what
// is unchanged and reports what changes.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/delimited_message_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "scenario_util.h"
#include "standing/engine.h"
#include "standing/policy.h"
#include "standing/v1/snapshot.pb.h"

namespace standing::scenario {
namespace {

using google::protobuf::util::MessageDifferencer;

// Every aggregate and window kind, every review kind, grace, minimum stay,
// ONE_TIER_DOWN, AT_REVIEW upgrades, IMMEDIATE downgrades, multipliers,
// floors and tier_at_least.
constexpr char kBigPolicy[] = R"pb(
  name: "snapshot_population"
  version: "1"
  time_zone: "+08:00"
  currency: "CNY"
  late_event_horizon_days: 7
  attributes { name: "region" type: TEXT }
  attributes { name: "staff" type: FLAG }
  attributes { name: "birthday" type: DATE }
  attributes { name: "score" type: NUMBER }
  attributes { name: "level" type: INTEGER }
  metrics {
    name: "spend_y"
    aggregate: SUM
    field: AMOUNT
    window { calendar { period: YEAR } }
  }
  metrics {
    name: "spend_prev_y"
    aggregate: SUM
    field: AMOUNT
    window { calendar { period: YEAR periods_back: 1 } }
  }
  metrics {
    name: "spend_q"
    aggregate: SUM
    field: AMOUNT
    window { calendar { period: QUARTER } }
  }
  metrics {
    name: "spend_prev_m"
    aggregate: SUM
    field: AMOUNT
    window { calendar { period: MONTH periods_back: 1 } }
  }
  metrics {
    name: "count_30"
    aggregate: COUNT
    window { rolling_days: 30 }
  }
  metrics {
    name: "max_30"
    aggregate: MAX
    field: AMOUNT
    window { rolling_days: 30 }
  }
  metrics {
    name: "min_y"
    aggregate: MIN
    field: AMOUNT
    window { calendar { period: YEAR } }
  }
  metrics {
    name: "avg_7"
    aggregate: AVERAGE
    field: AMOUNT
    window { rolling_days: 7 }
  }
  metrics {
    name: "avg_all"
    aggregate: AVERAGE
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
    name: "days_90"
    aggregate: DISTINCT_DAYS
    window { rolling_days: 90 }
  }
  metrics {
    name: "days_q"
    aggregate: DISTINCT_DAYS
    window { calendar { period: QUARTER } }
  }
  metrics {
    name: "recency"
    aggregate: RECENCY_DAYS
    window { since_enrolment: true }
  }
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
  metrics {
    name: "twa_prev_m"
    aggregate: TIME_WEIGHTED_AVERAGE
    field: BALANCE_AMOUNT
    window { calendar { period: MONTH periods_back: 1 } }
  }
  metrics {
    name: "twa_y"
    aggregate: TIME_WEIGHTED_AVERAGE
    field: BALANCE_AMOUNT
    window { calendar { period: YEAR } }
  }
  metrics {
    name: "twa_all"
    aggregate: TIME_WEIGHTED_AVERAGE
    field: BALANCE_AMOUNT
    window { since_enrolment: true }
  }
  metrics {
    name: "spend_in_tier"
    aggregate: SUM
    field: AMOUNT
    window { since_tier_start: "card" }
  }
  metrics {
    name: "north_food_y"
    aggregate: SUM
    field: AMOUNT
    window { calendar { period: YEAR } }
    filter {
      categories: "food"
      customer { attribute: "region" values: "north" }
    }
  }
  metrics {
    name: "qty_q"
    aggregate: SUM
    field: QUANTITY
    window { calendar { period: QUARTER } }
    filter { exclude_categories: "gift" }
  }
  metrics {
    name: "calls"
    aggregate: COUNT
    window { since_enrolment: true }
    filter { kinds: CONTACT channels: "phone" }
  }
  tier_programs {
    name: "card"
    tiers { name: "base" }
    tiers {
      name: "silver"
      qualify { metric { metric: "spend_q" op: GE value: 3000 } }
    }
    tiers {
      name: "gold"
      qualify {
        all {
          conditions { metric { metric: "spend_q" op: GE value: 10000 } }
          conditions {
            metric { metric: "count_30" op: GE value: 2 unscaled: true }
          }
        }
      }
    }
    tiers {
      name: "platinum"
      qualify { metric { metric: "spend_q" op: GE value: 30000 } }
    }
    review { quarterly: true }
    grace_days: 30
    minimum_stay_days: 60
    multiplier_attribute: "region"
    multipliers { value: "south" multiplier: 0.8 }
  }
  tier_programs {
    name: "activity"
    tiers { name: "dormant" }
    tiers {
      name: "active"
      qualify { metric { metric: "days_m" op: GE value: 2 } }
    }
    tiers {
      name: "frequent"
      qualify { metric { metric: "days_m" op: GE value: 5 } }
    }
    review { monthly: true }
    downgrade_mode: ONE_TIER_DOWN
  }
  tier_programs {
    name: "wealth"
    tiers { name: "base" }
    tiers {
      name: "rich"
      qualify { metric { metric: "twa_prev_m" op: GE value: 50000 } }
    }
    upgrade: AT_REVIEW
    review { monthly: true }
  }
  tier_programs {
    name: "trust"
    tiers { name: "watch" }
    tiers {
      name: "good"
      qualify {
        any {
          conditions { metric { metric: "rate" op: GE value: 0.75 } }
          conditions {
            metric { metric: "avg_7" op: GT value: 900 when_missing: false }
          }
        }
      }
    }
    downgrade: IMMEDIATE
  }
  tier_programs {
    name: "service"
    tiers { name: "standard" }
    tiers {
      name: "priority"
      qualify {
        any {
          conditions { metric { metric: "spend_in_tier" op: GE value: 2000 } }
          conditions { tier_at_least { program: "card" tier: "gold" } }
        }
      }
    }
    tiers {
      name: "elite"
      qualify {
        all {
          conditions { tier_at_least { program: "card" tier: "platinum" } }
          conditions { metric { metric: "recency" op: LE value: 30 } }
        }
      }
    }
    floors {
      when { attribute { attribute: "staff" } }
      tier: "priority"
    }
    review { tier_anniversary: true }
  }
  tier_programs {
    name: "loyalty"
    tiers { name: "new" }
    tiers {
      name: "loyal"
      qualify { metric { metric: "spend_prev_m" op: GE value: 1 } }
    }
    review { enrolment_anniversary: true }
  }
)pb";

v1::Policy BigPolicy() {
  auto p = ParsePolicy(kBigPolicy, PolicyFormat::kText);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *p : v1::Policy();
}

const char* const kPrograms[] = {"card",  "activity", "wealth",
                                 "trust", "service",  "loyalty"};

std::string Save(const Engine& e) {
  std::string bytes;
  absl::Status s = e.SaveSnapshot(&bytes);
  EXPECT_TRUE(s.ok()) << s;
  return bytes;
}

// A timed event; `order` keeps per-customer order among equal instants.
struct Timed {
  int64_t arrival;
  uint64_t order;
  v1::Event event;
};

// A random population over 2026 with reviews at every local month start.
class Population {
 public:
  Population(int customers, uint32_t seed) : rng_(seed) {
    const int64_t year_start = Local(2026, 1, 1, 0);
    const int64_t year_end = Local(2027, 1, 1, 0) - 1;
    const char* regions[] = {"north", "south", "east", "west"};
    const char* categories[] = {"food", "wine", "gift", "tech", ""};
    uint64_t order = 0;
    for (int i = 0; i < customers; ++i) {
      const std::string id = absl::StrCat("c", i);
      ids_.push_back(id);
      const int64_t enrolled = Uniform(year_start, Local(2026, 11, 30));
      Attrs attrs;
      if (Chance(0.8))
        attrs.push_back({"region", Text(regions[Uniform(0, 3)])});
      if (Chance(0.05)) attrs.push_back({"staff", Flag(true)});
      if (Chance(0.5)) {
        attrs.push_back(
            {"birthday", DateValue(static_cast<int>(Uniform(1950, 2005)),
                                   static_cast<int>(Uniform(1, 12)),
                                   static_cast<int>(Uniform(1, 28)))});
      }
      if (Chance(0.3)) {
        v1::AttributeValue v;
        v.set_number(static_cast<double>(Uniform(0, 1000)) / 7.0);
        attrs.push_back({"score", v});
      }
      if (Chance(0.3)) {
        v1::AttributeValue v;
        v.set_integer(Uniform(-5, 5));
        attrs.push_back({"level", v});
      }
      events_.push_back({enrolled, order++, Enrol(id, enrolled, attrs)});
      const int n = static_cast<int>(Uniform(0, 22));
      std::vector<int64_t> times;
      for (int k = 0; k < n; ++k) times.push_back(Uniform(enrolled, year_end));
      std::sort(times.begin(), times.end());
      int grant_state = 0;  // 0 none, 1 open-ended, 2 expiring
      int64_t prev = enrolled;
      for (int64_t t : times) {
        t = std::max(t, prev + 1);
        prev = t;
        const int kind = static_cast<int>(Uniform(0, 99));
        v1::Event e;
        if (kind < 55) {
          // Purchases may be late by up to two days (within the horizon).
          const int64_t at =
              std::max(enrolled, t - (Chance(0.2) ? Uniform(0, 2 * 86400) : 0));
          const int64_t amount =
              Chance(0.1) ? Uniform(5000, 40000) : Uniform(0, 3000);
          e = Buy(id, at, amount, categories[Uniform(0, 4)]);
          e.mutable_purchase()->set_quantity(Uniform(0, 5));
          if (Chance(0.3)) e.mutable_purchase()->set_channel("online");
        } else if (kind < 70) {
          e = NewEvent(id, t);
          e.mutable_balance()->set_balance(Uniform(0, 200000));
          e.mutable_balance()->set_currency("CNY");
        } else if (kind < 80) {
          e = NewEvent(id, t);
          e.mutable_obligation()->set_contract_id("k");
          e.mutable_obligation()->set_fulfilled(Chance(0.7));
        } else if (kind < 85) {
          e = NewEvent(id, t);
          e.mutable_contact()->set_channel(Chance(0.5) ? "phone" : "visit");
          e.mutable_contact()->set_kind("callback");
        } else if (kind < 89) {
          e = SetAttrs(id, t, {{"region", Text(regions[Uniform(0, 3)])}});
          if (Chance(0.3)) e.mutable_attribute_change()->add_remove("staff");
        } else if (kind < 93) {
          const char* tiers[] = {"silver", "gold", "platinum"};
          const bool expiring = Chance(0.6);
          e = Grant(id, t, "card", tiers[Uniform(0, 2)], "mgr", "campaign",
                    expiring ? t + Uniform(86400, 120 * 86400) : 0);
          grant_state = expiring ? 2 : 1;
        } else if (kind < 96 && grant_state == 1) {
          e = NewEvent(id, t);
          e.mutable_tier_revoke()->set_program("card");
          e.mutable_tier_revoke()->set_actor("mgr");
          grant_state = 0;
        } else {
          e = NewEvent(id, t);
          e.mutable_service_request()->set_request_id(absl::StrCat("r", order));
          e.mutable_service_request()->set_stage(v1::ServiceRequest::OPENED);
        }
        e.set_event_id(absl::StrCat(id, "-", order));
        events_.push_back({t, order++, std::move(e)});
      }
    }
    std::sort(
        events_.begin(), events_.end(), [](const Timed& a, const Timed& b) {
          return std::tie(a.arrival, a.order) < std::tie(b.arrival, b.order);
        });
  }

  // Applies everything, reviewing at each local month start passed.
  void Run(Engine& engine, size_t* failures) {
    int next_month = 2;
    int64_t next_review = Local(2026, next_month, 1, 0);
    for (const Timed& t : events_) {
      while (t.arrival >= next_review) {
        absl::Status s = engine.Review(next_review, nullptr);
        EXPECT_TRUE(s.ok()) << s;
        ++next_month;
        next_review = next_month <= 12 ? Local(2026, next_month, 1, 0)
                                       : std::numeric_limits<int64_t>::max();
      }
      absl::Status s = engine.Apply(t.event, nullptr);
      if (!s.ok()) {
        if (++*failures < 10) {
          ADD_FAILURE() << t.event.ShortDebugString() << ": " << s;
        }
      }
    }
  }

  const std::vector<std::string>& ids() const { return ids_; }
  std::mt19937_64& rng() { return rng_; }

  int64_t Uniform(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }

 private:
  std::mt19937_64 rng_;
  std::vector<std::string> ids_;
  std::vector<Timed> events_;
};

// Sorted by customer (stable: each customer's own order kept). The order
// across customers of one Review is not part of the contract.
std::vector<std::string> Canonical(const std::vector<v1::Transition>& ts) {
  std::vector<std::pair<std::string, std::string>> keyed;
  for (const auto& t : ts) {
    std::string bytes;
    t.SerializeToString(&bytes);
    keyed.emplace_back(t.customer_id(), bytes);
  }
  std::stable_sort(
      keyed.begin(), keyed.end(),
      [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (auto& k : keyed) out.push_back(std::move(k.second));
  return out;
}

class LargePopulation : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    policy_ = new v1::Policy(BigPolicy());
    population_ = new Population(20000, 20260101);
    auto engine = Engine::Create(*policy_);
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = engine->release();
    size_t failures = 0;
    population_->Run(*engine_, &failures);
    EXPECT_EQ(failures, 0u);
  }
  static void TearDownTestSuite() {
    delete engine_;
    delete population_;
    delete policy_;
  }

  static v1::Policy* policy_;
  static Population* population_;
  static Engine* engine_;
};

v1::Policy* LargePopulation::policy_ = nullptr;
Population* LargePopulation::population_ = nullptr;
Engine* LargePopulation::engine_ = nullptr;

TEST_F(LargePopulation, PopulationIsInteresting) {
  ASSERT_EQ(engine_->customer_count(), 20000u);
  // Every program has customers above its base tier, so the round trip
  // exercises real state.
  for (const char* program : kPrograms) {
    std::vector<uint64_t> counts;
    ASSERT_TRUE(engine_->CountByTier(program, &counts).ok()) << program;
    uint64_t total = 0, above = 0;
    for (size_t t = 0; t < counts.size(); ++t) {
      total += counts[t];
      if (t > 0) above += counts[t];
    }
    EXPECT_EQ(total, 20000u) << program;
    EXPECT_GT(above, 0u) << program;
  }
}

// ENGINE BUG (HEAD e78c009): failed while Engine::LoadSnapshot merged
// customer records (see SmallEngine.SnapshotWithSeveralCustomersLoads).
TEST_F(LargePopulation, RoundTripIsByteIdenticalAndBehavesIdentically) {
  const std::string bytes = Save(*engine_);
  ASSERT_GT(bytes.size(), 20000u);
  EXPECT_EQ(Save(*engine_), bytes) << "snapshots are not deterministic";

  auto loaded = Engine::LoadSnapshot(bytes, policy_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  Engine& copy = **loaded;
  EXPECT_EQ(copy.customer_count(), engine_->customer_count());
  EXPECT_EQ(copy.clock(), engine_->clock());
  const std::string again = Save(copy);
  ASSERT_EQ(again.size(), bytes.size());
  EXPECT_TRUE(again == bytes) << "re-saved snapshot differs";

  // The snapshot's own policy (null) loads the same state.
  auto own = Engine::LoadSnapshot(bytes, nullptr);
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_TRUE(Save(**own) == bytes);

  // Sampled customers are equal field by field.
  std::mt19937_64 rng(7);
  const auto& ids = population_->ids();
  for (int i = 0; i < 1000; ++i) {
    const std::string& id = ids[rng() % ids.size()];
    v1::Customer a, b;
    ASSERT_TRUE(engine_->GetCustomer(id, &a).ok());
    ASSERT_TRUE(copy.GetCustomer(id, &b).ok());
    std::string diff;
    MessageDifferencer d;
    d.ReportDifferencesToString(&diff);
    EXPECT_TRUE(d.Compare(a, b)) << id << ": " << diff;
    for (const char* program : kPrograms) {
      v1::Explanation ea, eb;
      ASSERT_TRUE(engine_->Explain(id, program, &ea).ok());
      ASSERT_TRUE(copy.Explain(id, program, &eb).ok());
      EXPECT_TRUE(MessageDifferencer::Equals(ea, eb)) << id << " " << program;
    }
  }
  for (const char* program : kPrograms) {
    std::vector<uint64_t> ca, cb;
    ASSERT_TRUE(engine_->CountByTier(program, &ca).ok());
    ASSERT_TRUE(copy.CountByTier(program, &cb).ok());
    EXPECT_EQ(ca, cb) << program;
  }
  {
    v1::CustomerPage pa, pb;
    ASSERT_TRUE(engine_->ListByTier("card", "silver", "", 200, &pa).ok());
    ASSERT_TRUE(copy.ListByTier("card", "silver", "", 200, &pb).ok());
    EXPECT_TRUE(MessageDifferencer::Equals(pa, pb));
    ASSERT_FALSE(pa.next_page_token().empty());
    ASSERT_TRUE(
        engine_->ListByTier("card", "silver", pa.next_page_token(), 200, &pa)
            .ok());
    ASSERT_TRUE(
        copy.ListByTier("card", "silver", pb.next_page_token(), 200, &pb).ok());
    EXPECT_TRUE(MessageDifferencer::Equals(pa, pb));
  }

  // Further events and reviews: both engines produce the same transitions.
  std::mt19937_64 more(99);
  std::vector<v1::Event> events;
  int64_t t = Local(2027, 1, 2, 9);
  for (int i = 0; i < 30000; ++i) {
    const std::string& id = ids[more() % ids.size()];
    t += static_cast<int64_t>(more() % 200);
    v1::Event e;
    switch (more() % 4) {
      case 0:
      case 1:
        e = Buy(id, t, static_cast<int64_t>(more() % 15000), "food");
        break;
      case 2:
        e = NewEvent(id, t);
        e.mutable_balance()->set_balance(static_cast<int64_t>(more() % 90000));
        e.mutable_balance()->set_currency("CNY");
        break;
      default:
        e = NewEvent(id, t);
        e.mutable_obligation()->set_fulfilled(more() % 3 != 0);
    }
    e.set_event_id(absl::StrCat("more-", i));
    events.push_back(std::move(e));
  }
  std::vector<v1::Transition> ta, tb;
  size_t na = 0, nb = 0;
  absl::Status sa = engine_->ApplyBatch(events.data(), events.size(), &ta, &na);
  absl::Status sb = copy.ApplyBatch(events.data(), events.size(), &tb, &nb);
  ASSERT_TRUE(sa.ok()) << sa;
  ASSERT_TRUE(sb.ok()) << sb;
  EXPECT_EQ(na, events.size());
  ASSERT_EQ(ta.size(), tb.size());
  EXPECT_GT(ta.size(), 0u);
  for (size_t i = 0; i < ta.size(); ++i) {
    EXPECT_TRUE(MessageDifferencer::Equals(ta[i], tb[i]))
        << i << ": " << ta[i].ShortDebugString() << " vs "
        << tb[i].ShortDebugString();
    if (::testing::Test::HasFailure()) break;
  }
  for (int64_t review : {Local(2027, 2, 1, 0), Local(2027, 4, 1, 0),
                         Local(2027, 6, 15, 0), Local(2028, 1, 1, 0)}) {
    ta.clear();
    tb.clear();
    ASSERT_TRUE(engine_->Review(review, &ta).ok());
    ASSERT_TRUE(copy.Review(review, &tb).ok());
    EXPECT_GT(ta.size(), 0u);
    EXPECT_EQ(Canonical(ta), Canonical(tb)) << "review at " << review;
  }
  EXPECT_TRUE(Save(*engine_) == Save(copy)) << "states diverged";
}

// ----- refusals
// ---------------------------------------------------------------------

constexpr char kSmallPolicy[] = R"pb(
  name: "small"
  version: "1"
  time_zone: "+08:00"
  currency: "CNY"
  attributes { name: "region" type: TEXT }
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
  metrics {
    name: "sum7"
    aggregate: SUM
    field: AMOUNT
    window { rolling_days: 7 }
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
      qualify { metric { metric: "spend_y" op: GE value: 5000 } }
    }
    review { yearly { month: 1 day: 1 } }
  }
)pb";

class SmallEngine : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = ParsePolicy(kSmallPolicy, PolicyFormat::kText);
    ASSERT_TRUE(p.ok()) << p.status();
    policy_ = *p;
    auto e = Engine::Create(policy_);
    ASSERT_TRUE(e.ok()) << e.status();
    engine_ = std::move(*e);
    Must(Enrol("a", Local(2026, 3, 1), {{"region", Text("north")}}));
    Must(Enrol("b", Local(2026, 3, 1)));
    Must(Enrol("c", Local(2026, 3, 1)));
    Must(Buy("a", Local(2026, 3, 2), 6000));  // gold
    Must(Buy("b", Local(2026, 3, 3), 4000));  // silver
    Must(Buy("c", Local(2026, 3, 4), 600));   // base
    Must(Buy("c", Local(2026, 3, 5), 100));
  }
  void Must(const v1::Event& e) {
    absl::Status s = engine_->Apply(e, nullptr);
    ASSERT_TRUE(s.ok()) << s;
  }
  v1::Policy Edited(const std::string& extra_or_replacement) {
    auto p = ParsePolicy(extra_or_replacement, PolicyFormat::kText);
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? *p : v1::Policy();
  }
  std::string Tier(const std::string& id, const std::string& program) {
    v1::Customer c;
    EXPECT_TRUE(engine_->GetCustomer(id, &c).ok());
    const v1::ProgramStanding* s = FindStanding(c, program);
    return s == nullptr ? "<none>" : s->tier();
  }
  v1::MetricValue Metric(const std::string& id, const std::string& name) {
    v1::Customer c;
    EXPECT_TRUE(engine_->GetCustomer(id, &c).ok());
    const v1::MetricValue* m = FindMetric(c, name);
    return m == nullptr ? v1::MetricValue() : *m;
  }

  v1::Policy policy_;
  std::unique_ptr<Engine> engine_;
};

// ENGINE BUG (found at HEAD e78c009): src/snapshot.cc, Engine::LoadSnapshot
// reused one v1::CustomerState across the customer loop without Clear(), and
// protobuf's ParseDelimitedFromZeroCopyStream *merges* into the message, so
// customer 1 arrived with the programs / metric words / rolling states of
// customers 0 and 1 and was refused as DataLoss ("state does not match the
// policy's layout"): no snapshot with two or more customers loaded. Fixed in
// the working tree by `customer.Clear()`; this is the regression test.
TEST_F(SmallEngine, SnapshotWithSeveralCustomersLoads) {
  const std::string bytes = Save(*engine_);
  auto loaded = Engine::LoadSnapshot(bytes, &policy_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->customer_count(), 3u);
  EXPECT_TRUE(Save(**loaded) == bytes);
  v1::Customer b;
  ASSERT_TRUE((*loaded)->GetCustomer("b", &b).ok());
  EXPECT_EQ(FindStanding(b, "card")->tier(), "silver");
  EXPECT_DOUBLE_EQ(FindMetric(b, "spend_y")->value(), 4000);
}

TEST(SnapshotSingle, OneCustomerRoundTrips) {
  auto p = ParsePolicy(kSmallPolicy, PolicyFormat::kText);
  ASSERT_TRUE(p.ok()) << p.status();
  auto e = Engine::Create(*p);
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE((*e)->Apply(Enrol("solo", Local(2026, 3, 1)), nullptr).ok());
  ASSERT_TRUE((*e)->Apply(Buy("solo", Local(2026, 3, 2), 1500), nullptr).ok());
  const std::string bytes = Save(**e);
  auto loaded = Engine::LoadSnapshot(bytes, &*p);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_TRUE(Save(**loaded) == bytes);
  v1::Customer c;
  ASSERT_TRUE((*loaded)->GetCustomer("solo", &c).ok());
  EXPECT_EQ(FindStanding(c, "card")->tier(), "silver");
  EXPECT_DOUBLE_EQ(FindMetric(c, "sum7")->value(), 1500);
}

TEST_F(SmallEngine, LoadUnderAnotherPolicyNeedsAllowPolicyChange) {
  const std::string bytes = Save(*engine_);
  v1::Policy other = policy_;
  other.set_version("2");
  auto refused = Engine::LoadSnapshot(bytes, &other);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition)
      << refused.status();
  EXPECT_TRUE(absl::StrContains(refused.status().message(), "policy"));

  auto allowed = Engine::LoadSnapshot(bytes, &other, true);
  ASSERT_TRUE(allowed.ok()) << allowed.status();
  EXPECT_EQ((*allowed)->policy().version(), "2");
  EXPECT_EQ((*allowed)->customer_count(), 3u);
  EXPECT_EQ((*allowed)->clock(), engine_->clock());
  v1::Customer a;
  ASSERT_TRUE((*allowed)->GetCustomer("a", &a).ok());
  EXPECT_EQ(FindStanding(a, "card")->tier(), "gold");
  EXPECT_DOUBLE_EQ(FindMetric(a, "spend_y")->value(), 6000);
  EXPECT_DOUBLE_EQ(FindMetric(a, "sum7")->value(), 6000);

  // The same policy loads without the flag.
  auto same = Engine::LoadSnapshot(bytes, &policy_);
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_TRUE(Save(**same) == bytes);
}

TEST_F(SmallEngine, TruncatedAndForeignBytesAreRefused) {
  const std::string bytes = Save(*engine_);
  ASSERT_GT(bytes.size(), 40u);
  for (size_t keep :
       {size_t{5}, size_t{12}, bytes.size() / 2, bytes.size() - 1}) {
    auto r = Engine::LoadSnapshot(bytes.substr(0, keep), &policy_);
    ASSERT_FALSE(r.ok()) << keep;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss)
        << keep << ": " << r.status();
    EXPECT_TRUE(absl::StrContains(r.status().message(), "truncated or corrupt"))
        << keep << ": " << r.status();
  }
  // Magic only: the header is missing.
  auto magic_only = Engine::LoadSnapshot(bytes.substr(0, 4), &policy_);
  EXPECT_EQ(magic_only.status().code(), absl::StatusCode::kDataLoss)
      << magic_only.status();

  std::string bad = bytes;
  bad[0] = 'X';
  auto r = Engine::LoadSnapshot(bad, &policy_);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument)
      << r.status();
  EXPECT_TRUE(absl::StrContains(r.status().message(), "magic"));
  EXPECT_EQ(Engine::LoadSnapshot("", &policy_).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Engine::LoadSnapshot("STN", nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// Rolling entries must come in increasing day order (a window keeps one
// entry per day, sorted); a snapshot that breaks it is refused, naming
// the customer and the window.
TEST_F(SmallEngine, RollingEntriesOutOfDayOrderAreRefused) {
  const std::string tampered =
      RewriteSnapshot(Save(*engine_), [](v1::CustomerState& customer) {
        if (customer.id() != "c") return;  // two purchases, on two days
        auto* entries = customer.mutable_rolling(0)->mutable_entries();
        ASSERT_EQ(entries->size(), 2);
        entries->SwapElements(0, 1);
      });
  auto r = Engine::LoadSnapshot(tampered, &policy_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss) << r.status();
  EXPECT_TRUE(absl::StrContains(r.status().message(), "customer 2"))
      << r.status();
  EXPECT_TRUE(absl::StrContains(r.status().message(), "sum7")) << r.status();
}

// A window holds at most kMaxEntries (16,384) entries: a snapshot with
// exactly that many loads and reads the same, one more is refused. The
// window block grows by doubling its region as the entries append, up to
// the End slot past the last descriptor.
TEST_F(SmallEngine, RollingGroupAtTheEntryLimitLoadsAndOverItIsRefused) {
  const std::string bytes = Save(*engine_);
  const auto with_entries = [&](int n) {
    return RewriteSnapshot(bytes, [n](v1::CustomerState& customer) {
      if (customer.id() != "c") return;
      auto* entries = customer.mutable_rolling(0)->mutable_entries();
      ASSERT_EQ(entries->size(), 2);
      const v1::RollingEntry newest = entries->Get(1);
      entries->Clear();
      // n days ending on the newest, one yuan a day: the 7-day window
      // reads 7.
      for (int i = 0; i < n; ++i) {
        v1::RollingEntry* e = entries->Add();
        e->set_day(newest.day() - (n - 1) + i);
        e->set_count(1);
        e->set_value(1);
      }
    });
  };
  auto at_limit = Engine::LoadSnapshot(with_entries(16384), &policy_);
  ASSERT_TRUE(at_limit.ok()) << at_limit.status();
  v1::Customer c;
  ASSERT_TRUE((*at_limit)->GetCustomer("c", &c).ok());
  EXPECT_DOUBLE_EQ(FindMetric(c, "sum7")->value(), 7);
  auto over = Engine::LoadSnapshot(with_entries(16385), &policy_);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), absl::StatusCode::kDataLoss) << over.status();
  EXPECT_TRUE(absl::StrContains(over.status().message(), "customer 2"))
      << over.status();
  EXPECT_TRUE(absl::StrContains(over.status().message(), "more entries"))
      << over.status();
}

// ----- policy replacement
// ------------------------------------------------------------

TEST_F(SmallEngine, ReplacePolicyKeepsUnchangedAndEntersNewProgram) {
  // spend_y and sum7 unchanged; count_y changed (quarterly); a new metric;
  // gold's threshold lowered; a new program "club".
  v1::Policy next = policy_;
  next.set_version("2");
  ASSERT_EQ(next.metrics(1).name(), "count_y");
  next.mutable_metrics(1)->mutable_window()->mutable_calendar()->set_period(
      v1::QUARTER);
  next.mutable_tier_programs(0)
      ->mutable_tiers(2)
      ->mutable_qualify()
      ->mutable_metric()
      ->set_value(3000);
  const v1::Policy extra = Edited(R"pb(
    metrics {
      name: "big_y"
      aggregate: MAX
      field: AMOUNT
      window { calendar { period: YEAR } }
    }
    tier_programs {
      name: "club"
      tiers { name: "guest" }
      tiers {
        name: "member"
        qualify { metric { metric: "spend_y" op: GE value: 700 } }
      }
      downgrade: IMMEDIATE
    }
  )pb");
  next.MergeFrom(extra);
  ASSERT_TRUE(ValidatePolicy(next).ok()) << ValidatePolicy(next);

  EXPECT_DOUBLE_EQ(Metric("c", "count_y").value(), 2);
  std::vector<v1::Transition> out;
  absl::Status s = engine_->ReplacePolicy(next, &out);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(engine_->policy().version(), "2");

  // Metrics: unchanged ones keep state, the changed and the new start empty.
  EXPECT_DOUBLE_EQ(Metric("a", "spend_y").value(), 6000);
  EXPECT_DOUBLE_EQ(Metric("c", "spend_y").value(), 700);
  EXPECT_DOUBLE_EQ(Metric("c", "sum7").value(), 700);
  EXPECT_DOUBLE_EQ(Metric("c", "count_y").value(), 0);
  EXPECT_TRUE(Metric("a", "big_y").missing());

  // Tiers kept by name; b's 4000 now reaches gold; club entered.
  EXPECT_EQ(Tier("a", "card"), "gold");
  EXPECT_EQ(Tier("b", "card"), "gold");
  EXPECT_EQ(Tier("c", "card"), "base");
  EXPECT_EQ(Tier("a", "club"), "member");
  EXPECT_EQ(Tier("c", "club"), "member");
  int entered = 0, upgraded = 0;
  for (const auto& t : out) {
    EXPECT_EQ(t.cause(), v1::POLICY_CHANGE) << t.ShortDebugString();
    if (t.program() == "club") {
      ++entered;
      EXPECT_EQ(t.kind(), v1::ENTERED);
      EXPECT_EQ(t.from_tier(), "guest");
      EXPECT_EQ(t.to_tier(), "member");
    } else {
      ++upgraded;
      EXPECT_EQ(t.customer_id(), "b");
      EXPECT_EQ(t.kind(), v1::UPGRADE);
      EXPECT_EQ(t.from_tier(), "silver");
      EXPECT_EQ(t.to_tier(), "gold");
    }
  }
  EXPECT_EQ(entered, 3);  // a (6000), b (4000), c (700)
  EXPECT_EQ(upgraded, 1);
  std::vector<uint64_t> counts;
  ASSERT_TRUE(engine_->CountByTier("club", &counts).ok());
  EXPECT_EQ(counts, (std::vector<uint64_t>{0, 3}));
  ASSERT_TRUE(engine_->CountByTier("card", &counts).ok());
  EXPECT_EQ(counts, (std::vector<uint64_t>{1, 0, 2}));

  // The migrated state still round-trips and keeps working.
  const std::string bytes = Save(*engine_);
  auto loaded = Engine::LoadSnapshot(bytes, &next);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_TRUE(Save(**loaded) == bytes);
  Must(Buy("c", Local(2026, 3, 6), 50));
  EXPECT_DOUBLE_EQ(Metric("c", "count_y").value(), 1);
  EXPECT_DOUBLE_EQ(Metric("c", "sum7").value(), 750);
  EXPECT_DOUBLE_EQ(Metric("c", "big_y").value(), 50);
}

TEST_F(SmallEngine, ReplacePolicyRemovedTierMovesToTarget) {
  v1::Policy next = policy_;
  next.set_version("3");
  next.mutable_tier_programs(0)->mutable_tiers(2)->set_name("diamond");
  std::vector<v1::Transition> out;
  ASSERT_TRUE(engine_->ReplacePolicy(next, &out).ok());
  // a's gold no longer exists: a goes to its target (diamond) at once.
  EXPECT_EQ(Tier("a", "card"), "diamond");
  EXPECT_EQ(Tier("b", "card"), "silver");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].customer_id(), "a");
  EXPECT_EQ(out[0].to_tier(), "diamond");
  EXPECT_EQ(out[0].cause(), v1::POLICY_CHANGE);
  v1::Customer a;
  ASSERT_TRUE(engine_->GetCustomer("a", &a).ok());
  EXPECT_EQ(FindStanding(a, "card")->tier_index(), 2);
}

TEST_F(SmallEngine, InvalidReplacementLeavesStateUnchanged) {
  const std::string before = Save(*engine_);
  const int64_t clock = engine_->clock();
  // A tier on an undeclared metric.
  v1::Policy bad = policy_;
  bad.set_version("9");
  bad.mutable_tier_programs(0)
      ->mutable_tiers(2)
      ->mutable_qualify()
      ->mutable_metric()
      ->set_metric("nope");
  std::vector<v1::Transition> out;
  absl::Status s = engine_->ReplacePolicy(bad, &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "tier_programs[0]")) << s;
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(Save(*engine_) == before);
  EXPECT_EQ(engine_->clock(), clock);
  EXPECT_EQ(engine_->policy().version(), "1");

  // A policy with no tier programs at all.
  v1::Policy empty = policy_;
  empty.clear_tier_programs();
  EXPECT_EQ(engine_->ReplacePolicy(empty, &out).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Save(*engine_) == before);
  // Still usable.
  Must(Buy("c", Local(2026, 3, 6), 300));
  EXPECT_EQ(Tier("c", "card"), "silver");
}

}  // namespace
}  // namespace standing::scenario
