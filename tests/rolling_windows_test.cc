// RollingWindows (src/rolling_windows.h) keeps every rolling window of a
// customer in one block with running totals. Random streams through the
// metric code (ApplyEventToMetrics, ReadMetric, InputsConstantUntil) must
// give exactly what the vector-per-window code it replaced gave; that code
// is copied here as the reference.
#include "rolling_windows.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "compiled_policy.h"
#include "evaluation_inputs.h"
#include "gtest/gtest.h"
#include "interner.h"
#include "metric_state.h"

namespace standing {
namespace {

constexpr int64_t kMinSentinel = std::numeric_limits<int64_t>::max();
constexpr int64_t kMaxSentinel = std::numeric_limits<int64_t>::min();
constexpr int64_t kNever = std::numeric_limits<int32_t>::max();
constexpr int64_t kDay = 86400;

// ----- the reference: one sorted vector per window (the former
// ApplyRolling / ReadRolling of metric_state.cc and RollingChange of
// evaluation_inputs.cc, unchanged) -----
using RollingBuffer = std::vector<RollingEntry>;

void ReferenceApply(const CompiledPolicy& policy, const StateGroup& g,
                    RollingBuffer& buffer, int64_t day, int64_t value) {
  auto it = buffer.end();
  while (it != buffer.begin() && (it - 1)->day > day) --it;
  if (it == buffer.begin() || (it - 1)->day != day) {
    const int64_t init = g.aggregate == v1::MIN   ? kMinSentinel
                         : g.aggregate == v1::MAX ? kMaxSentinel
                                                  : 0;
    it = buffer.insert(it, RollingEntry{static_cast<int32_t>(day), 0, init});
  } else {
    --it;
  }
  it->count += 1;
  switch (g.aggregate) {
    case v1::MIN:
      it->value = std::min(it->value, value);
      break;
    case v1::MAX:
      it->value = std::max(it->value, value);
      break;
    default:
      it->value += value;
  }
  const int64_t keep_from = buffer.back().day - g.rolling_days -
                            policy.late_horizon_seconds / kSecondsPerDay - 1;
  size_t drop = 0;
  while (drop < buffer.size() && buffer[drop].day < keep_from) ++drop;
  if (drop > 0) buffer.erase(buffer.begin(), buffer.begin() + drop);
}

MetricRead ReferenceRead(const StateGroup& g, const RollingBuffer& buffer,
                         const AsOf& as_of) {
  int64_t sum = 0, count = 0, days = 0;
  int64_t lo = kMinSentinel, hi = kMaxSentinel;
  for (const RollingEntry& e : buffer) {
    if (e.day <= as_of.day - g.rolling_days || e.day > as_of.day) continue;
    sum += e.value;
    count += e.count;
    days += 1;
    lo = std::min(lo, e.value);
    hi = std::max(hi, e.value);
  }
  switch (g.aggregate) {
    case v1::SUM:
      return {static_cast<double>(sum), false};
    case v1::COUNT:
      return {static_cast<double>(count), false};
    case v1::DISTINCT_DAYS:
      return {static_cast<double>(days), false};
    case v1::MIN:
      return count == 0 ? MetricRead{0, true}
                        : MetricRead{static_cast<double>(lo), false};
    case v1::MAX:
      return count == 0 ? MetricRead{0, true}
                        : MetricRead{static_cast<double>(hi), false};
    case v1::AVERAGE:
      return count == 0 ? MetricRead{0, true}
                        : MetricRead{static_cast<double>(sum) / count, false};
    default:
      return {0, true};
  }
}

int64_t ReferenceChange(const StateGroup& g, const RollingBuffer& buffer,
                        int64_t day) {
  int64_t change = kNever;
  for (const RollingEntry& e : buffer) {
    if (e.day > day) return std::min<int64_t>(change, e.day);
    if (e.day > day - g.rolling_days && change == kNever) {
      change = e.day + g.rolling_days;
    }
  }
  return change;
}

// ----- fixtures -----

// Every aggregate a rolling window takes, over windows of 1 to 365 days,
// fed by purchases.
std::shared_ptr<const CompiledPolicy> RollingPolicy(int horizon_days) {
  v1::Policy p;
  p.set_name("rolling");
  p.set_version("1");
  p.set_time_zone("+00:00");
  p.set_currency("CNY");
  p.set_late_event_horizon_days(horizon_days);
  const v1::Aggregate aggregates[] = {v1::SUM, v1::COUNT,   v1::MIN,
                                      v1::MAX, v1::AVERAGE, v1::DISTINCT_DAYS};
  for (v1::Aggregate aggregate : aggregates) {
    for (int days : {1, 3, 30, 365}) {
      v1::MetricDef* m = p.add_metrics();
      m->set_name(absl::StrCat(v1::Aggregate_Name(aggregate), "_", days));
      m->set_aggregate(aggregate);
      if (aggregate != v1::COUNT && aggregate != v1::DISTINCT_DAYS) {
        m->set_field(v1::AMOUNT);
      }
      m->mutable_window()->set_rolling_days(days);
      m->mutable_filter()->add_kinds(v1::PURCHASE);
    }
  }
  // A policy needs a program; nothing here evaluates it.
  v1::TierProgram* program = p.add_tier_programs();
  program->set_name("any");
  program->set_downgrade(v1::TierProgram::IMMEDIATE);
  program->add_tiers()->set_name("base");
  v1::Tier* high = program->add_tiers();
  high->set_name("high");
  v1::MetricComparison* condition = high->mutable_qualify()->mutable_metric();
  condition->set_metric("SUM_365");
  condition->set_op(v1::GE);
  condition->set_value(1);
  static Interner* interner = new Interner();
  auto compiled = CompilePolicy(p, *interner);
  EXPECT_TRUE(compiled.ok()) << compiled.status();
  return compiled.ok() ? *compiled : nullptr;
}

// One customer's state under the metric code, beside the reference.
class Customer {
 public:
  explicit Customer(const CompiledPolicy& policy)
      : policy_(policy),
        words_(policy.total_words, 0),
        windows_(policy.rolling_count),
        reference_(policy.rolling_count) {
    InitMetricWords(policy_, words());
  }

  CustomerWords words() { return CustomerWords{words_.data(), &windows_, 0}; }

  void Buy(int64_t day, int64_t amount) {
    EventFacts e;
    e.kind = v1::PURCHASE;
    e.at = At(day);
    e.amount = amount;
    ApplyEventToMetrics(policy_, e, words());
    for (const StateGroup& g : policy_.groups) {
      ReferenceApply(policy_, g, reference_[g.rolling_index], day,
                     g.field == v1::AMOUNT ? amount : 1);
    }
  }

  void Clear(int group) {
    InitGroupWords(policy_, group, words());
    reference_[policy_.groups[group].rolling_index].clear();
  }

  // Entries, every metric and the end of each group's constant stretch as
  // of `day`.
  void ExpectSame(int64_t day, const std::string& where) {
    const AsOf as_of = At(day);
    for (size_t gi = 0; gi < policy_.groups.size(); ++gi) {
      const StateGroup& g = policy_.groups[gi];
      const RollingBuffer& want = reference_[g.rolling_index];
      const std::span<const RollingEntry> got =
          windows_.entries(g.rolling_index);
      ASSERT_EQ(got.size(), want.size()) << where << " group " << g.key;
      for (size_t i = 0; i < want.size(); ++i) {
        ASSERT_EQ(got[i].day, want[i].day) << where << " group " << g.key;
        ASSERT_EQ(got[i].count, want[i].count) << where << " group " << g.key;
        ASSERT_EQ(got[i].value, want[i].value) << where << " group " << g.key;
      }
      ReadSet inputs;
      inputs.timed_groups.push_back(static_cast<int>(gi));
      ASSERT_EQ(InputsConstantUntil(policy_, inputs, words(), as_of),
                ReferenceChange(g, want, day))
          << where << " group " << g.key << " as of day " << day;
    }
    for (size_t m = 0; m < policy_.metrics.size(); ++m) {
      const StateGroup& g = policy_.groups[policy_.metrics[m].group];
      const MetricRead got =
          ReadMetric(policy_, static_cast<int>(m), words(), as_of);
      const MetricRead want =
          ReferenceRead(g, reference_[g.rolling_index], as_of);
      ASSERT_EQ(got.missing, want.missing)
          << where << " " << policy_.metrics[m].name << " as of day " << day;
      ASSERT_EQ(got.value, want.value)
          << where << " " << policy_.metrics[m].name << " as of day " << day;
    }
  }

  const RollingWindows& windows() const { return windows_; }

 private:
  AsOf At(int64_t day) const {
    return AsOf::Make(policy_.clock, day * kDay + 12 * 3600);
  }

  const CompiledPolicy& policy_;
  std::vector<int64_t> words_;
  RollingWindows windows_;
  std::vector<RollingBuffer> reference_;
};

// ----- randomized comparison -----

TEST(RollingWindowsRandom, MatchesTheVectorPerWindowReference) {
  for (int horizon : {0, 7, 31}) {
    const auto policy = RollingPolicy(horizon);
    ASSERT_NE(policy, nullptr);
    ASSERT_EQ(policy->rolling_count, 24);
    const int64_t horizon_days = policy->late_horizon_seconds / kDay;
    for (uint64_t seed = 1; seed <= 4; ++seed) {
      std::mt19937_64 rng(seed * 1000 + static_cast<uint64_t>(horizon));
      const auto uniform = [&rng](int64_t lo, int64_t hi) {
        return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
      };
      Customer customer(*policy);
      const int longest =
          policy->groups[policy->metrics[policy->FindMetric("SUM_365")].group]
              .rolling_index;
      size_t most_entries = 0;
      int64_t today = 20000;  // 2024-10-04
      for (int step = 0; step < 4000; ++step) {
        const std::string where =
            absl::StrCat("horizon ", horizon, " seed ", seed, " step ", step);
        const int64_t r = uniform(0, 399);
        int64_t day = today;
        if (r < 120) {
          day = today += uniform(1, 3);  // the next days: appends
        } else if (r < 122) {
          day = today += uniform(20, 500);  // a gap: windows empty out
        } else if (r < 180) {
          day = today - uniform(1, horizon_days + 3);  // late, some too late
        }
        customer.Buy(day, uniform(-1000, 100000));
        if (uniform(0, 199) == 0) {
          customer.Clear(static_cast<int>(uniform(0, 23)));
        }
        most_entries =
            std::max(most_entries, customer.windows().entries(longest).size());
        if (step % 3 == 0) {
          for (int64_t read_day :
               {today, today + uniform(1, 400), today - uniform(1, 40)}) {
            customer.ExpectSame(read_day, where);
            if (testing::Test::HasFatalFailure()) return;
          }
        }
      }
      // The year-long window held many days: its region grew many times.
      EXPECT_GT(most_entries, 100u) << "seed " << seed;
    }
  }
}

// ----- fixed cases -----

std::vector<std::pair<int32_t, int64_t>> DaysAndValues(
    std::span<const RollingEntry> entries) {
  std::vector<std::pair<int32_t, int64_t>> out;
  for (const RollingEntry& e : entries) out.emplace_back(e.day, e.value);
  return out;
}

using Pairs = std::vector<std::pair<int32_t, int64_t>>;
constexpr auto kSum = RollingWindows::Combine::kSum;
constexpr int64_t kKeepAll = 1000000;

TEST(RollingWindows, OneEntryPerDayInDayOrder) {
  RollingWindows w(2);
  w.Add(0, 10, 5, kSum, kKeepAll);
  w.Add(0, 12, 7, kSum, kKeepAll);
  w.Add(0, 12, 1, kSum, kKeepAll);
  w.Add(0, 11, 3, kSum, kKeepAll);  // late: between
  w.Add(0, 9, 2, kSum, kKeepAll);   // late: first
  EXPECT_EQ(DaysAndValues(w.entries(0)),
            (Pairs{{9, 2}, {10, 5}, {11, 3}, {12, 8}}));
  EXPECT_EQ(w.entries(0)[3].count, 2);
  EXPECT_TRUE(w.entries(1).empty());
}

TEST(RollingWindows, TotalsLeaveOutEntriesOutsideTheWindow) {
  RollingWindows w(1);
  for (int32_t day = 1; day <= 10; ++day) w.Add(0, day, day * 10, kSum, 100);
  w.Add(0, 4, 1, kSum, 100);
  const RollingTotals all = w.Totals(0, 0, 10);
  EXPECT_EQ(all.sum, 551);
  EXPECT_EQ(all.count, 11);
  EXPECT_EQ(all.days, 10);
  // Days 4..7: (after 3, through 7).
  const RollingTotals mid = w.Totals(0, 3, 7);
  EXPECT_EQ(mid.sum, 40 + 1 + 50 + 60 + 70);
  EXPECT_EQ(mid.count, 5);
  EXPECT_EQ(mid.days, 4);
  const RollingTotals none = w.Totals(0, 20, 30);
  EXPECT_EQ(none.sum, 0);
  EXPECT_EQ(none.count, 0);
  EXPECT_EQ(none.days, 0);
  const RollingTotals before = w.Totals(0, -10, 0);
  EXPECT_EQ(before.days, 0);
}

TEST(RollingWindows, DropsEntriesOlderThanKeepDaysBeforeTheNewest) {
  RollingWindows w(1);
  w.Add(0, 100, 1, kSum, 5);
  w.Add(0, 103, 1, kSum, 5);
  w.Add(0, 105, 1, kSum, 5);
  EXPECT_EQ(w.entries(0).front().day, 100);
  w.Add(0, 106, 1, kSum, 5);  // keeps 101..106
  EXPECT_EQ(DaysAndValues(w.entries(0)), (Pairs{{103, 1}, {105, 1}, {106, 1}}));
  w.Add(0, 90, 1, kSum, 5);  // too late to keep
  EXPECT_EQ(w.entries(0).size(), 3u);
  EXPECT_EQ(w.Totals(0, 0, 200).sum, 3);
  w.Add(0, 500, 4, kSum, 5);  // everything else leaves
  EXPECT_EQ(DaysAndValues(w.entries(0)), (Pairs{{500, 4}}));
  EXPECT_EQ(w.Totals(0, 0, 1000).count, 1);
}

// Appended entries (a snapshot, another policy) may be older than the
// window keeps; the next event drops them even on the newest entry's day.
TEST(RollingWindows, AddOnTheNewestDayDropsWhatAppendBrought) {
  RollingWindows w(1);
  ASSERT_TRUE(w.Append(0, RollingEntry{1, 1, 10}));
  ASSERT_TRUE(w.Append(0, RollingEntry{100, 1, 20}));
  w.Add(0, 100, 5, kSum, 10);
  EXPECT_EQ(DaysAndValues(w.entries(0)), (Pairs{{100, 25}}));
  EXPECT_EQ(w.Totals(0, 0, 200).sum, 25);
  EXPECT_EQ(w.Totals(0, 0, 200).count, 2);
}

TEST(RollingWindows, MinAndMaxKeepTheDaysExtreme) {
  RollingWindows w(2);
  for (int64_t v : {5, -3, 8}) {
    w.Add(0, 7, v, RollingWindows::Combine::kMin, kKeepAll);
    w.Add(1, 7, v, RollingWindows::Combine::kMax, kKeepAll);
  }
  EXPECT_EQ(DaysAndValues(w.entries(0)), (Pairs{{7, -3}}));
  EXPECT_EQ(DaysAndValues(w.entries(1)), (Pairs{{7, 8}}));
  EXPECT_EQ(w.entries(1)[0].count, 3);
}

TEST(RollingWindows, GrowingRegionLeavesOtherGroupsIntact) {
  RollingWindows w(3);
  w.Add(0, 1, 11, kSum, kKeepAll);
  w.Add(2, 1, 33, kSum, kKeepAll);
  for (int32_t day = 1; day <= 300; ++day) w.Add(1, day, day, kSum, kKeepAll);
  EXPECT_EQ(DaysAndValues(w.entries(0)), (Pairs{{1, 11}}));
  EXPECT_EQ(DaysAndValues(w.entries(2)), (Pairs{{1, 33}}));
  ASSERT_EQ(w.entries(1).size(), 300u);
  for (int32_t day = 1; day <= 300; ++day) {
    EXPECT_EQ(w.entries(1)[day - 1].day, day);
  }
  EXPECT_EQ(w.Totals(1, 0, 300).sum, 300 * 301 / 2);
  // A sliding window reuses its region: compacted, not grown further.
  for (int32_t day = 301; day <= 3000; ++day) w.Add(1, day, 1, kSum, 99);
  EXPECT_EQ(w.entries(1).size(), 100u);
  EXPECT_EQ(w.Totals(1, 0, 3000).sum, 100);
  EXPECT_EQ(DaysAndValues(w.entries(2)), (Pairs{{1, 33}}));
}

// Three groups: 7 descriptor slots and 2 entries each, 13 slots, in a
// 256-byte block (sizes are rounded to 64 bytes): the first doubling of a
// region (2 more slots) fits in it, the second (4 more) does not.
TEST(RollingWindows, GrowsInPlaceWhileTheBlockHasRoomThenMoves) {
  RollingWindows w(3);
  w.Add(0, 1, 11, kSum, kKeepAll);
  w.Add(2, 1, 33, kSum, kKeepAll);
  w.Add(2, 2, 34, kSum, kKeepAll);
  const RollingEntry* first = w.entries(0).data();
  for (int32_t day = 1; day <= 3; ++day) w.Add(1, day, day, kSum, kKeepAll);
  EXPECT_EQ(w.entries(0).data(), first) << "grew in place";
  EXPECT_EQ(DaysAndValues(w.entries(2)), (Pairs{{1, 33}, {2, 34}}));
  EXPECT_EQ(DaysAndValues(w.entries(1)), (Pairs{{1, 1}, {2, 2}, {3, 3}}));
  for (int32_t day = 4; day <= 5; ++day) w.Add(1, day, day, kSum, kKeepAll);
  EXPECT_NE(w.entries(0).data(), first) << "moved to a larger block";
  EXPECT_EQ(DaysAndValues(w.entries(0)), (Pairs{{1, 11}}));
  EXPECT_EQ(DaysAndValues(w.entries(2)), (Pairs{{1, 33}, {2, 34}}));
  EXPECT_EQ(w.Totals(1, 0, 5).sum, 15);
  w.Add(2, 3, 35, kSum, kKeepAll);  // the last region grows too
  EXPECT_EQ(w.Totals(2, 0, 3).sum, 102);
}

TEST(RollingWindows, ClearEmptiesOneGroup) {
  RollingWindows w(2);
  w.Add(0, 1, 1, kSum, kKeepAll);
  w.Add(1, 1, 2, kSum, kKeepAll);
  w.Clear(0);
  EXPECT_TRUE(w.entries(0).empty());
  EXPECT_EQ(w.Totals(0, 0, 10).sum, 0);
  EXPECT_EQ(w.Totals(0, 0, 10).count, 0);
  EXPECT_EQ(DaysAndValues(w.entries(1)), (Pairs{{1, 2}}));
  w.Add(0, 5, 9, kSum, kKeepAll);
  EXPECT_EQ(w.Totals(0, 0, 10).sum, 9);
}

TEST(RollingWindows, AppendTakesOnlyNewerDays) {
  RollingWindows w(1);
  EXPECT_TRUE(w.Append(0, RollingEntry{3, 2, 30}));
  EXPECT_TRUE(w.Append(0, RollingEntry{5, 1, 50}));
  EXPECT_FALSE(w.Append(0, RollingEntry{5, 1, 1}));
  EXPECT_FALSE(w.Append(0, RollingEntry{4, 1, 1}));
  EXPECT_EQ(DaysAndValues(w.entries(0)), (Pairs{{3, 30}, {5, 50}}));
  const RollingTotals t = w.Totals(0, 0, 10);
  EXPECT_EQ(t.sum, 80);
  EXPECT_EQ(t.count, 3);
  for (int32_t day = 6; day < 6 + RollingWindows::kMaxEntries - 2; ++day) {
    ASSERT_TRUE(w.Append(0, RollingEntry{day, 1, 1}));
  }
  EXPECT_FALSE(w.Append(0, RollingEntry{1 << 20, 1, 1}));
  EXPECT_EQ(w.entries(0).size(), size_t{RollingWindows::kMaxEntries});
}

TEST(RollingWindows, SumWrapsOnlyInsideTheRunningTotal) {
  // The running sum overflows; the window's own sum does not.
  RollingWindows w(1);
  const int64_t big = std::numeric_limits<int64_t>::max() - 10;
  w.Add(0, 1, big, kSum, kKeepAll);
  w.Add(0, 2, big, kSum, kKeepAll);
  w.Add(0, 3, -5, kSum, kKeepAll);
  EXPECT_EQ(w.Totals(0, 1, 2).sum, big);
  EXPECT_EQ(w.Totals(0, 1, 3).sum, big - 5);
}

TEST(RollingWindows, MovesWithoutCopying) {
  RollingWindows a(2);
  a.Add(1, 4, 40, kSum, kKeepAll);
  const RollingEntry* entry = a.entries(1).data();
  RollingWindows b(std::move(a));
  EXPECT_EQ(a.groups(), 0);  // NOLINT(bugprone-use-after-move): moved-from
  EXPECT_EQ(b.groups(), 2);
  EXPECT_EQ(b.entries(1).data(), entry);
  RollingWindows c;
  c = std::move(b);
  EXPECT_EQ(DaysAndValues(c.entries(1)), (Pairs{{4, 40}}));
  static_assert(sizeof(RollingWindows) == sizeof(void*));
}

}  // namespace
}  // namespace standing
