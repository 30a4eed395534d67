// Incremental metric state: applying an event to a customer's words and
// reading a metric as of an instant. Allocation-free except for rolling
// windows, whose per-day entries grow their block now and then
// (rolling_windows.h).
#ifndef STANDING_SRC_METRIC_STATE_H_
#define STANDING_SRC_METRIC_STATE_H_

#include <algorithm>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "compiled_policy.h"
#include "rolling_windows.h"

namespace standing {

// An instant with its local day and period indices computed once.
struct AsOf {
  int64_t t = 0;
  int64_t day = 0;
  int64_t period_index[4] = {0, 0, 0, 0};  // [v1::Period]

  static AsOf Make(const LocalClock& clock, int64_t t);
};

// The last local day's AsOf: events mostly arrive in runs on the same day,
// and the civil-date conversion is most of AsOf::Make.
struct AsOfCache {
  AsOf as_of{.t = 0, .day = -1, .period_index = {0, 0, 0, 0}};

  AsOf Make(const LocalClock& clock, int64_t t) {
    if (clock.LocalDay(t) != as_of.day) as_of = AsOf::Make(clock, t);
    AsOf out = as_of;
    out.t = t;
    return out;
  }
};

// What metrics need of one event, extracted once.
struct EventFacts {
  v1::EventKind kind = v1::EVENT_KIND_UNSPECIFIED;
  AsOf at;
  int64_t amount = 0;
  int64_t quantity = 0;
  int64_t fulfilled = 0;
  int64_t balance = 0;
  int64_t on_time = 0;  // settlement: 1 when paid by the due date
  absl::string_view category;
  absl::string_view channel;
  absl::string_view contact_kind;
};

struct MetricRead {
  double value = 0;
  bool missing = false;
};

struct CreditAccount;  // credit_book.h

// A customer's mutable state as metric code sees it.
struct CustomerWords {
  int64_t* words;
  RollingWindows* rolling;  // null when the policy has no rolling windows
  int64_t enrolled_at;
  // Receivables for RECEIVABLE metrics; null without credit.
  const CreditAccount* credit = nullptr;
};

// Sets sentinels (MIN/MAX) and the balance clock of a new customer.
void InitMetricWords(const CompiledPolicy& policy, CustomerWords c);

// Checks what would make ApplyEventToMetrics refuse or misbehave (balances
// out of time order) without changing anything.
absl::Status CheckEventForMetrics(const CompiledPolicy& policy,
                                  const EventFacts& event,
                                  const CustomerWords& c);

void ApplyEventToMetrics(const CompiledPolicy& policy, const EventFacts& event,
                         CustomerWords c);

MetricRead ReadMetric(const CompiledPolicy& policy, int metric,
                      const CustomerWords& c, const AsOf& as_of);

// Puts one state group in its empty state (sentinels, balance clock).
void InitGroupWords(const CompiledPolicy& policy, int group, CustomerWords c);

// Empties the state of groups windowed since the tier start of `program`.
void ResetTierStartMetrics(const CompiledPolicy& policy, int program,
                           CustomerWords c);

// Ring position of period `q` in a ring of `slots`. Period indices are
// non-negative (years >= 1971). The common small ring sizes divide by a
// constant, which compiles to a multiply instead of a slow `div`.
inline uint32_t RingIndex(int64_t q, uint32_t slots) {
  const auto u = static_cast<uint32_t>(q);
  switch (slots) {
    case 1:
      return 0;
    case 2:
      return u & 1;
    case 3:
      return u % 3;
    case 4:
      return u & 3;
    default:
      return u % slots;
  }
}

// Tier-program state packed in two words per program.
struct ProgramWords {
  static constexpr int64_t kSinceMask = (int64_t{1} << 40) - 1;
  int64_t* w;

  int tier() const { return static_cast<int>((w[0] >> 40) & 0xff); }
  int cause() const { return static_cast<int>((w[0] >> 48) & 0xff); }
  bool has_grant() const { return (w[0] >> 56) & 1; }
  int64_t tier_since() const { return w[0] & kSinceMask; }
  // Instants at minute precision; 0 = none.
  int64_t next_review() const { return (w[1] & 0xffffffff) * 60; }
  int64_t retained_until() const {
    return ((static_cast<uint64_t>(w[1]) >> 32) & 0xffffffff) * 60;
  }

  void set(int tier, int cause, bool grant, int64_t since) {
    w[0] = (since & kSinceMask) | (int64_t{tier & 0xff} << 40) |
           (int64_t{cause & 0xff} << 48) | (int64_t{grant ? 1 : 0} << 56);
  }
  void set_has_grant(bool grant) { set(tier(), cause(), grant, tier_since()); }
  // Rounded up so a due time never falls before the intended instant.
  void set_next_review(int64_t t) {
    w[1] = (w[1] & ~int64_t{0xffffffff}) | ToMinutes(t);
  }
  void set_retained_until(int64_t t) {
    w[1] = (w[1] & int64_t{0xffffffff}) | (ToMinutes(t) << 32);
  }

 private:
  static int64_t ToMinutes(int64_t t) {
    return t <= 0 ? 0 : std::min<int64_t>((t + 59) / 60, 0xffffffff);
  }
};

inline ProgramWords ProgramState(const CompiledPolicy& policy, int64_t* words,
                                 int program) {
  return ProgramWords{words + policy.program_offset + 2 * program};
}

}  // namespace standing

#endif  // STANDING_SRC_METRIC_STATE_H_
