// RollingWindows (src/rolling_windows.h) keeps every rolling window of a
// customer in one block with running totals.
#include "rolling_windows.h"

#include <cstdint>
#include <limits>
#include <span>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace standing {
namespace {

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
