// Durations of the policy's service levels: calendar units in the policy's
// time zone, or working time on one of the policy's calendars.
#ifndef STANDING_SRC_DURATION_H_
#define STANDING_SRC_DURATION_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "civil_time.h"
#include "standing/v1/policy.pb.h"
#include "work_calendar.h"

namespace standing {

struct Duration {
  v1::DurationSpec::Unit unit = v1::DurationSpec::UNIT_UNSPECIFIED;
  int64_t amount = 0;
  int calendar = -1;  // index into ServicePolicy::calendars for WORKING_*

  bool set() const { return unit != v1::DurationSpec::UNIT_UNSPECIFIED; }
  bool working() const {
    return unit == v1::DurationSpec::WORKING_MINUTES ||
           unit == v1::DurationSpec::WORKING_HOURS ||
           unit == v1::DurationSpec::WORKING_DAYS;
  }
};

// `t` plus `d`. `calendar` must be the duration's calendar when it is in
// working units. Far-future results saturate at the largest instant.
int64_t AddDuration(const Duration& d, int64_t t, const LocalClock& clock,
                    const WorkCalendar* calendar);

// `t` minus `d` (a notice some days before a deadline); working hours and
// minutes are refused by validation, so only whole days count back here.
int64_t SubtractDuration(const Duration& d, int64_t t, const LocalClock& clock,
                         const WorkCalendar* calendar);

// Moves a due time later by the span a request spent paused in
// [paused_at, resumed_at): working time for working units, else plain time.
int64_t ShiftForPause(const Duration& d, int64_t due, int64_t paused_at,
                      int64_t resumed_at, const WorkCalendar* calendar);

}  // namespace standing

#endif  // STANDING_SRC_DURATION_H_
