#include "metric_state.h"

#include <algorithm>
#include <bit>
#include <limits>

#include "absl/strings/str_cat.h"
#include "condition_eval.h"
#include "credit_book.h"

namespace standing {
namespace {

constexpr int64_t kMinSentinel = std::numeric_limits<int64_t>::max();
constexpr int64_t kMaxSentinel = std::numeric_limits<int64_t>::min();

int64_t FieldValue(const StateGroup& g, const EventFacts& e) {
  switch (g.field) {
    case v1::AMOUNT:
      return e.amount;
    case v1::QUANTITY:
      return e.quantity;
    case v1::FULFILLED:
      return e.fulfilled;
    case v1::BALANCE_AMOUNT:
      return e.balance;
    case v1::ON_TIME:
      return e.on_time;
    default:
      return 1;
  }
}

bool Contains(const std::vector<std::string>& list, absl::string_view v) {
  for (const auto& s : list) {
    if (s == v) return true;
  }
  return false;
}

bool Matches(const CompiledPolicy& policy, const StateGroup& g,
             const EventFacts& e, uint64_t category_bit, const int64_t* words) {
  const CompiledFilter& f = g.filter;
  if (policy.category_masks) {
    if (f.include_mask != 0 && !(f.include_mask & category_bit)) return false;
    if (f.exclude_mask & category_bit) return false;
  } else {
    if (!f.categories.empty() && !Contains(f.categories, e.category)) {
      return false;
    }
    if (!f.exclude_categories.empty() &&
        Contains(f.exclude_categories, e.category)) {
      return false;
    }
  }
  if (!f.channels.empty() && !Contains(f.channels, e.channel)) return false;
  if (!f.contact_kinds.empty() && !Contains(f.contact_kinds, e.contact_kind)) {
    return false;
  }
  for (const AttrTest& t : f.customer) {
    if (!AttributeTestHolds(policy, t, words)) return false;
  }
  return true;
}

void ClearSlot(const StateGroup& g, int64_t* slot) {
  const int64_t fill = g.aggregate == v1::MIN   ? kMinSentinel
                       : g.aggregate == v1::MAX ? kMaxSentinel
                                                : 0;
  for (int i = 0; i < g.slot_words; ++i) slot[i] = fill;
}

int64_t* Slot(const StateGroup& g, int64_t* words, int64_t period_index) {
  const uint32_t ring = RingIndex(period_index, static_cast<uint32_t>(g.slots));
  return words + g.offset + ring * g.slot_words;
}

int64_t DayInPeriod(const CompiledPolicy& policy, int period, int64_t day,
                    int64_t period_index) {
  const int64_t start =
      policy.clock.LocalDay(policy.clock.PeriodStart(period, period_index));
  return day - start;
}

void Accumulate(const StateGroup& g, int64_t* slot, int64_t value,
                int64_t day_bit) {
  switch (g.aggregate) {
    case v1::SUM:
      slot[0] += value;
      break;
    case v1::COUNT:
      slot[0] += 1;
      break;
    case v1::MIN:
      slot[0] = std::min(slot[0], value);
      break;
    case v1::MAX:
      slot[0] = std::max(slot[0], value);
      break;
    case v1::AVERAGE:
      slot[0] += value;
      slot[1] += 1;
      break;
    case v1::DISTINCT_DAYS:
      if (day_bit >= 0 && day_bit < 64 * g.slot_words) {
        slot[day_bit / 64] |= int64_t{1} << (day_bit % 64);
      }
      break;
    default:
      break;
  }
}

// Integrates the balance held over [from, to) into the calendar slots it
// overlaps (minutes x balance).
void IntegrateBalance(const CompiledPolicy& policy, const StateGroup& g,
                      int64_t* words, int64_t from, int64_t to,
                      int64_t balance) {
  if (to <= from || balance == 0) return;
  if (g.window != WindowKind::kCalendar) {
    words[g.offset] += balance * ((to - from) / 60);
    return;
  }
  const int64_t head = words[policy.period_head_offset[g.period]] - 1;
  int64_t q =
      std::max(policy.clock.PeriodIndex(g.period, from), head - g.slots + 1);
  for (; q <= head; ++q) {
    const int64_t start = policy.clock.PeriodStart(g.period, q);
    const int64_t end = policy.clock.PeriodStart(g.period, q + 1);
    const int64_t lo = std::max(start, from);
    const int64_t hi = std::min(end, to);
    if (hi > lo) Slot(g, words, q)[0] += balance * ((hi - lo) / 60);
  }
}

void AdvanceHeads(const CompiledPolicy& policy, const AsOf& at,
                  int64_t* words) {
  for (int period = 1; period <= 3; ++period) {
    const int head_offset = policy.period_head_offset[period];
    if (head_offset < 0) continue;
    const int64_t p = at.period_index[period];
    const int64_t head = words[head_offset] - 1;
    if (words[head_offset] != 0 && p <= head) continue;
    for (int g : policy.groups_by_period[period]) {
      const StateGroup& group = policy.groups[g];
      const int64_t steps = words[head_offset] == 0
                                ? group.slots
                                : std::min<int64_t>(p - head, group.slots);
      for (int64_t k = 0; k < steps; ++k) {
        ClearSlot(group, Slot(group, words, p - k));
      }
    }
    words[head_offset] = p + 1;
  }
}

RollingWindows::Combine RollingCombine(const StateGroup& g) {
  switch (g.aggregate) {
    case v1::MIN:
      return RollingWindows::Combine::kMin;
    case v1::MAX:
      return RollingWindows::Combine::kMax;
    default:
      return RollingWindows::Combine::kSum;
  }
}

void ApplyRolling(const CompiledPolicy& policy, const StateGroup& g,
                  RollingWindows& windows, int64_t day, int64_t value) {
  // Entries older than the window plus the late-event horizon can no
  // longer be read.
  const int64_t keep_days =
      g.rolling_days + policy.late_horizon_seconds / kSecondsPerDay + 1;
  windows.Add(g.rolling_index, day, value, RollingCombine(g), keep_days);
}

MetricRead ReadRolling(const StateGroup& g, const RollingWindows& windows,
                       const AsOf& as_of) {
  const int64_t after_day = as_of.day - g.rolling_days;
  if (g.aggregate == v1::MIN || g.aggregate == v1::MAX) {
    int64_t count = 0;
    int64_t lo = kMinSentinel, hi = kMaxSentinel;
    for (const RollingEntry& e : windows.entries(g.rolling_index)) {
      if (e.day <= after_day) continue;
      if (e.day > as_of.day) break;
      count += e.count;
      lo = std::min(lo, e.value);
      hi = std::max(hi, e.value);
    }
    if (count == 0) return {0, true};
    return {static_cast<double>(g.aggregate == v1::MIN ? lo : hi), false};
  }
  const RollingTotals t = windows.Totals(g.rolling_index, after_day, as_of.day);
  switch (g.aggregate) {
    case v1::SUM:
      return {static_cast<double>(t.sum), false};
    case v1::COUNT:
      return {static_cast<double>(t.count), false};
    case v1::DISTINCT_DAYS:
      return {static_cast<double>(t.days), false};
    case v1::AVERAGE:
      return t.count == 0
                 ? MetricRead{0, true}
                 : MetricRead{static_cast<double>(t.sum) / t.count, false};
    default:
      return {0, true};
  }
}

MetricRead ReadSlot(const StateGroup& g, const int64_t* slot) {
  switch (g.aggregate) {
    case v1::SUM:
    case v1::COUNT:
      return {static_cast<double>(slot[0]), false};
    case v1::MIN:
      return slot[0] == kMinSentinel
                 ? MetricRead{0, true}
                 : MetricRead{static_cast<double>(slot[0]), false};
    case v1::MAX:
      return slot[0] == kMaxSentinel
                 ? MetricRead{0, true}
                 : MetricRead{static_cast<double>(slot[0]), false};
    case v1::AVERAGE:
      return slot[1] == 0 ? MetricRead{0, true}
                          : MetricRead{static_cast<double>(slot[0]) /
                                           static_cast<double>(slot[1]),
                                       false};
    case v1::DISTINCT_DAYS: {
      int64_t n = 0;
      for (int i = 0; i < g.slot_words; ++i) {
        n += std::popcount(static_cast<uint64_t>(slot[i]));
      }
      return {static_cast<double>(n), false};
    }
    default:
      return {0, true};
  }
}

MetricRead EmptyRead(const StateGroup& g) {
  switch (g.aggregate) {
    case v1::SUM:
    case v1::COUNT:
    case v1::DISTINCT_DAYS:
      return {0, false};
    default:
      return {0, true};
  }
}

MetricRead ReadTwa(const CompiledPolicy& policy, const StateGroup& g, int back,
                   const CustomerWords& c, const AsOf& as_of) {
  const int64_t* words = c.words;
  const int64_t tail = g.offset + g.slots * g.slot_words;
  const int64_t balance = words[tail];
  const int64_t last_change = words[tail + 1];
  int64_t start = c.enrolled_at, end = as_of.t, integral = 0;
  if (g.window == WindowKind::kCalendar) {
    const int64_t q = as_of.period_index[g.period] - back;
    start = policy.clock.PeriodStart(g.period, q);
    end = std::min(as_of.t, policy.clock.PeriodStart(g.period, q + 1));
    const int64_t head_word = words[policy.period_head_offset[g.period]];
    const int64_t head = head_word - 1;
    if (head_word != 0 && q <= head) {
      if (q <= head - g.slots) return {0, true};
      integral = Slot(g, const_cast<int64_t*>(words), q)[0];
    }
  } else {
    integral = words[g.offset];
  }
  if (end <= start) return {0, true};
  const int64_t open_from = std::max(start, last_change);
  if (end > open_from) integral += balance * ((end - open_from) / 60);
  const int64_t minutes = (end - start) / 60;
  if (minutes <= 0) return {0, true};
  return {static_cast<double>(integral) / static_cast<double>(minutes), false};
}

}  // namespace

AsOf AsOf::Make(const LocalClock& clock, int64_t t) {
  AsOf a;
  a.t = t;
  a.day = clock.LocalDay(t);
  const CivilDate d = CivilFromDays(a.day);
  a.period_index[v1::MONTH] = int64_t{d.year} * 12 + (d.month - 1);
  a.period_index[v1::QUARTER] = int64_t{d.year} * 4 + (d.month - 1) / 3;
  a.period_index[v1::YEAR] = d.year;
  return a;
}

void InitGroupWords(const CompiledPolicy& policy, int group, CustomerWords c) {
  const StateGroup& g = policy.groups[group];
  if (g.window == WindowKind::kRolling) {
    if (c.rolling != nullptr) c.rolling->Clear(g.rolling_index);
    return;
  }
  for (int s = 0; s < g.slots; ++s) {
    ClearSlot(g, c.words + g.offset + s * g.slot_words);
  }
  if (g.aggregate == v1::TIME_WEIGHTED_AVERAGE) {
    const int64_t tail = g.offset + g.slots * g.slot_words;
    c.words[tail] = 0;
    c.words[tail + 1] = c.enrolled_at;
  }
}

void InitMetricWords(const CompiledPolicy& policy, CustomerWords c) {
  for (int g = 0; g < static_cast<int>(policy.groups.size()); ++g) {
    InitGroupWords(policy, g, c);
  }
}

absl::Status CheckEventForMetrics(const CompiledPolicy& policy,
                                  const EventFacts& event,
                                  const CustomerWords& c) {
  if (event.kind != v1::BALANCE) return absl::OkStatus();
  for (int gi : policy.groups_by_kind[v1::BALANCE]) {
    const StateGroup& g = policy.groups[gi];
    if (g.aggregate != v1::TIME_WEIGHTED_AVERAGE) continue;
    const int64_t last = c.words[g.offset + g.slots * g.slot_words + 1];
    if (event.at.t < last) {
      return absl::OutOfRangeError(absl::StrCat(
          "balance: older than the customer's last balance change (", last,
          "); balances must arrive in time order"));
    }
  }
  return absl::OkStatus();
}

void ApplyEventToMetrics(const CompiledPolicy& policy, const EventFacts& event,
                         CustomerWords c) {
  const auto& groups = policy.groups_by_kind[event.kind];
  if (groups.empty()) return;
  AdvanceHeads(policy, event.at, c.words);
  uint64_t category_bit = 0;
  if (policy.category_masks) {
    for (size_t i = 0; i < policy.filter_categories.size(); ++i) {
      if (policy.filter_categories[i] == event.category) {
        category_bit = uint64_t{1} << i;
        break;
      }
    }
  }
  for (int gi : groups) {
    const StateGroup& g = policy.groups[gi];
    if (!Matches(policy, g, event, category_bit, c.words)) continue;
    const int64_t value = FieldValue(g, event);
    if (g.aggregate == v1::TIME_WEIGHTED_AVERAGE) {
      const int64_t tail = g.offset + g.slots * g.slot_words;
      IntegrateBalance(policy, g, c.words, c.words[tail + 1], event.at.t,
                       c.words[tail]);
      c.words[tail] = value;
      c.words[tail + 1] = event.at.t;
      continue;
    }
    if (g.aggregate == v1::RECENCY_DAYS) {
      c.words[g.offset] = std::max(c.words[g.offset], event.at.t);
      continue;
    }
    switch (g.window) {
      case WindowKind::kRolling:
        if (c.rolling != nullptr) {
          ApplyRolling(policy, g, *c.rolling, event.at.day, value);
        }
        break;
      case WindowKind::kCalendar: {
        const int64_t p = event.at.period_index[g.period];
        const int64_t head = c.words[policy.period_head_offset[g.period]] - 1;
        if (p <= head - g.slots) break;  // older than the ring remembers
        const int64_t bit = g.aggregate == v1::DISTINCT_DAYS
                                ? DayInPeriod(policy, g.period, event.at.day, p)
                                : 0;
        Accumulate(g, Slot(g, c.words, p), value, bit);
        break;
      }
      case WindowKind::kSinceTierStart: {
        const ProgramWords state =
            ProgramState(policy, c.words, g.tier_program);
        if (event.at.t < state.tier_since()) break;
        Accumulate(g, c.words + g.offset, value, -1);
        break;
      }
      case WindowKind::kSinceEnrolment:
        Accumulate(g, c.words + g.offset, value, -1);
        break;
    }
  }
}

MetricRead ReadMetric(const CompiledPolicy& policy, int metric,
                      const CustomerWords& c, const AsOf& as_of) {
  const CompiledMetric& m = policy.metrics[metric];
  if (m.aggregate == v1::RATIO) {
    const MetricRead num = ReadMetric(policy, m.numerator, c, as_of);
    const MetricRead den = ReadMetric(policy, m.denominator, c, as_of);
    if (num.missing || den.missing || den.value == 0) return {0, true};
    return {num.value / den.value, false};
  }
  if (m.aggregate == v1::RECEIVABLE) {
    return {ReadReceivable(c.credit, m.receivable, as_of.t), false};
  }
  const StateGroup& g = policy.groups[m.group];
  if (g.aggregate == v1::RECENCY_DAYS) {
    const int64_t last = c.words[g.offset];
    const int64_t from =
        policy.clock.LocalDay(last != 0 ? last : c.enrolled_at);
    return {static_cast<double>(std::max<int64_t>(0, as_of.day - from)), false};
  }
  if (g.aggregate == v1::TIME_WEIGHTED_AVERAGE) {
    return ReadTwa(policy, g, m.back, c, as_of);
  }
  switch (g.window) {
    case WindowKind::kRolling:
      if (c.rolling == nullptr) return EmptyRead(g);
      return ReadRolling(g, *c.rolling, as_of);
    case WindowKind::kCalendar: {
      const int64_t head_word = c.words[policy.period_head_offset[g.period]];
      const int64_t head = head_word - 1;
      const int64_t q = as_of.period_index[g.period] - m.back;
      if (head_word == 0 || q > head || q <= head - g.slots) {
        return EmptyRead(g);
      }
      return ReadSlot(g, Slot(g, c.words, q));
    }
    default:
      return ReadSlot(g, c.words + g.offset);
  }
}

void ResetTierStartMetrics(const CompiledPolicy& policy, int program,
                           CustomerWords c) {
  for (const StateGroup& g : policy.groups) {
    if (g.window == WindowKind::kSinceTierStart && g.tier_program == program) {
      ClearSlot(g, c.words + g.offset);
    }
  }
}

}  // namespace standing
