// Calendar arithmetic in a fixed UTC offset, allocation-free, for the hot
// path (month, quarter and year indices of an instant; local midnights).
#ifndef STANDING_SRC_CIVIL_TIME_H_
#define STANDING_SRC_CIVIL_TIME_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace standing {

inline constexpr int64_t kSecondsPerDay = 86400;

struct CivilDate {
  int32_t year;
  int32_t month;  // 1..12
  int32_t day;    // 1..31
};

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant).
constexpr int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

constexpr CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  return CivilDate{static_cast<int32_t>(y + (m <= 2)), static_cast<int32_t>(m),
                   static_cast<int32_t>(d)};
}

constexpr int DaysInMonth(int64_t y, int m) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

constexpr int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// A fixed UTC offset. Month index = year * 12 + (month - 1); quarter index
// = year * 4 + (month - 1) / 3; year index = year.
class LocalClock {
 public:
  explicit LocalClock(int64_t offset_seconds = 0) : offset_(offset_seconds) {}

  // Parses "+HH:MM" / "-HH:MM" (empty = UTC).
  static absl::StatusOr<LocalClock> Parse(absl::string_view zone);

  int64_t offset_seconds() const { return offset_; }
  int64_t LocalDay(int64_t t) const {
    return FloorDiv(t + offset_, kSecondsPerDay);
  }
  CivilDate Date(int64_t t) const { return CivilFromDays(LocalDay(t)); }
  // Instant of local midnight starting `day`.
  int64_t DayStart(int64_t day) const { return day * kSecondsPerDay - offset_; }
  int64_t Midnight(int64_t y, int m, int d) const {
    return DayStart(DaysFromCivil(y, m, d));
  }

  // Period index of an instant for a Period enum value (1 month, 2 quarter,
  // 3 year); `PeriodStart` inverts it.
  int64_t PeriodIndex(int period, int64_t t) const;
  int64_t PeriodStart(int period, int64_t index) const;

  // The first local midnight on (month, day) strictly after `t`. A day past
  // the month's end (Feb 29) falls on the month's last day.
  int64_t NextYearly(int64_t t, int month, int day) const;
  // The first local midnight starting a month / quarter strictly after `t`.
  int64_t NextMonthStart(int64_t t) const;
  int64_t NextQuarterStart(int64_t t) const;

 private:
  int64_t offset_;
};

}  // namespace standing

#endif  // STANDING_SRC_CIVIL_TIME_H_
