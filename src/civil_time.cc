#include "civil_time.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace standing {

absl::StatusOr<LocalClock> LocalClock::Parse(absl::string_view zone) {
  if (zone.empty()) return LocalClock(0);
  auto digit = [&](size_t i) { return zone[i] >= '0' && zone[i] <= '9'; };
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || !digit(1) ||
      !digit(2) || zone[3] != ':' || !digit(4) || !digit(5)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "time_zone: \"", zone, "\" is not a fixed UTC offset like \"+08:00\""));
  }
  const int hours = (zone[1] - '0') * 10 + (zone[2] - '0');
  const int minutes = (zone[4] - '0') * 10 + (zone[5] - '0');
  if (hours > 14 || minutes > 59 || (hours == 14 && minutes > 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("time_zone: \"", zone, "\" is out of range"));
  }
  const int64_t sign = zone[0] == '-' ? -1 : 1;
  return LocalClock(sign * (hours * 3600 + minutes * 60));
}

int64_t LocalClock::PeriodIndex(int period, int64_t t) const {
  const CivilDate d = Date(t);
  switch (period) {
    case 1:
      return int64_t{d.year} * 12 + (d.month - 1);
    case 2:
      return int64_t{d.year} * 4 + (d.month - 1) / 3;
    default:
      return d.year;
  }
}

int64_t LocalClock::PeriodStart(int period, int64_t index) const {
  switch (period) {
    case 1:
      return Midnight(FloorDiv(index, 12),
                      static_cast<int>(index - FloorDiv(index, 12) * 12) + 1,
                      1);
    case 2: {
      const int64_t y = FloorDiv(index, 4);
      return Midnight(y, static_cast<int>(index - y * 4) * 3 + 1, 1);
    }
    default:
      return Midnight(index, 1, 1);
  }
}

int64_t LocalClock::NextYearly(int64_t t, int month, int day) const {
  const CivilDate now = Date(t);
  for (int64_t y = now.year;; ++y) {
    const int64_t at = Midnight(y, month, std::min(day, DaysInMonth(y, month)));
    if (at > t) return at;
  }
}

int64_t LocalClock::NextMonthStart(int64_t t) const {
  return PeriodStart(1, PeriodIndex(1, t) + 1);
}

int64_t LocalClock::NextQuarterStart(int64_t t) const {
  return PeriodStart(2, PeriodIndex(2, t) + 1);
}

}  // namespace standing
