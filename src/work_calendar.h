// Working-time arithmetic on a calendar of working weekdays, working hours,
// public holidays and make-up workdays, in a fixed UTC offset. Instants are
// UTC seconds; everything calendar-like is local. Foundation of service
// levels (issue 5): "respond within 2 working days", "8 working hours".
//
// Thread-safety: immutable after Create; any number of threads may use it.
#ifndef STANDING_SRC_WORK_CALENDAR_H_
#define STANDING_SRC_WORK_CALENDAR_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "civil_time.h"
#include "standing/v1/calendar.pb.h"

namespace standing {

class WorkCalendar {
 public:
  // Validates `spec` (dates, weekdays, hours, a date both holiday and
  // make-up workday); errors name the field, e.g. `holidays[3]: "2026-02-30"
  // is not a date`.
  static absl::StatusOr<WorkCalendar> Create(const v1::WorkCalendar& spec);

  // Whether the local day (days since 1970-01-01) is a working day.
  bool IsWorkingDay(int64_t day) const;
  // Whether instant `t` lies in working time.
  bool IsWorkingTime(int64_t t) const;

  // The first instant >= t in working time.
  int64_t NextWorkingInstant(int64_t t) const;
  // The instant when `seconds` of working time have passed after t.
  // `seconds` must be >= 0; 0 gives NextWorkingInstant(t).
  int64_t AddWorkingSeconds(int64_t t, int64_t seconds) const;
  int64_t AddWorkingHours(int64_t t, int64_t hours) const {
    return AddWorkingSeconds(t, hours * 3600);
  }
  // The same local time of day on the n-th working day after t's local day
  // (Friday 15:00 + 1 = Monday 15:00; Saturday 10:00 + 1 = Monday 10:00).
  int64_t AddWorkingDays(int64_t t, int n) const;
  // Working time in [from, to), in seconds (0 when to <= from).
  int64_t WorkingSecondsBetween(int64_t from, int64_t to) const;

  const LocalClock& clock() const { return clock_; }

 private:
  WorkCalendar() = default;

  LocalClock clock_;
  uint8_t weekday_mask_ = 0;  // bit w: ISO weekday w (1..7) works
  // Working intervals of a day, in seconds after local midnight.
  std::vector<std::pair<int32_t, int32_t>> hours_;
  int64_t seconds_per_day_ = 0;
  absl::flat_hash_set<int64_t> holidays_;
  absl::flat_hash_set<int64_t> makeup_;
};

}  // namespace standing

#endif  // STANDING_SRC_WORK_CALENDAR_H_
