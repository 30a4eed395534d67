#include "duration.h"

#include <algorithm>
#include <limits>

namespace standing {
namespace {

constexpr int64_t kLatest = 253402300799;  // 9999-12-31T23:59:59Z

int64_t Saturate(int64_t t) { return std::min(t, kLatest); }

int64_t Multiply(int64_t amount, int64_t unit) {
  return amount > kLatest / unit ? kLatest : amount * unit;
}

// Same local time, `months` later (negative: earlier), clamped to the
// month's last day.
int64_t AddMonths(int64_t t, int64_t months, const LocalClock& clock) {
  const int64_t day = clock.LocalDay(t);
  const int64_t sod = t - clock.DayStart(day);
  const CivilDate date = CivilFromDays(day);
  const int64_t index = int64_t{date.year} * 12 + (date.month - 1) + months;
  const int64_t year = FloorDiv(index, 12);
  if (year > 9999) return kLatest;
  const int month = static_cast<int>(index - year * 12) + 1;
  const int last = DaysInMonth(year, month);
  return clock.DayStart(DaysFromCivil(year, month, std::min(date.day, last))) +
         sod;
}

}  // namespace

int64_t AddDuration(const Duration& d, int64_t t, const LocalClock& clock,
                    const WorkCalendar* calendar) {
  using U = v1::DurationSpec;
  switch (d.unit) {
    case U::SECONDS:
      return Saturate(t + std::min(d.amount, kLatest));
    case U::MINUTES:
      return Saturate(t + Multiply(d.amount, 60));
    case U::HOURS:
      return Saturate(t + Multiply(d.amount, 3600));
    case U::DAYS:
      return Saturate(t + Multiply(d.amount, kSecondsPerDay));
    case U::WEEKS:
      return Saturate(t + Multiply(d.amount, 7 * kSecondsPerDay));
    case U::MONTHS:
      return Saturate(AddMonths(t, std::min<int64_t>(d.amount, 120000), clock));
    case U::WORKING_MINUTES:
      return Saturate(calendar->AddWorkingSeconds(t, Multiply(d.amount, 60)));
    case U::WORKING_HOURS:
      return Saturate(calendar->AddWorkingSeconds(t, Multiply(d.amount, 3600)));
    case U::WORKING_DAYS:
      return Saturate(calendar->AddWorkingDays(
          t, static_cast<int>(std::min<int64_t>(d.amount, 1 << 20))));
    default:
      return t;
  }
}

int64_t SubtractDuration(const Duration& d, int64_t t, const LocalClock& clock,
                         const WorkCalendar* calendar) {
  using U = v1::DurationSpec;
  switch (d.unit) {
    case U::MONTHS:
      return AddMonths(t, -std::min<int64_t>(d.amount, 120000), clock);
    case U::WORKING_DAYS: {
      // The same local time on the n-th working day before t's local day.
      const LocalClock& c = calendar->clock();
      int64_t day = c.LocalDay(t);
      const int64_t sod = t - c.DayStart(day);
      for (int64_t found = 0, steps = 0; found < d.amount && steps < 40000;
           ++steps) {
        --day;
        if (calendar->IsWorkingDay(day)) ++found;
      }
      return c.DayStart(day) + sod;
    }
    case U::UNIT_UNSPECIFIED:
      return t;
    default: {
      const int64_t later = AddDuration(d, 0, clock, calendar);
      return t - later;
    }
  }
}

int64_t ShiftForPause(const Duration& d, int64_t due, int64_t paused_at,
                      int64_t resumed_at, const WorkCalendar* calendar) {
  if (resumed_at <= paused_at) return due;
  if (d.working() && calendar != nullptr) {
    const int64_t worked =
        calendar->WorkingSecondsBetween(paused_at, resumed_at);
    return Saturate(calendar->AddWorkingSeconds(due, worked));
  }
  return Saturate(due + (resumed_at - paused_at));
}

}  // namespace standing
