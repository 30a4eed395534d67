#include "work_calendar.h"

#include <algorithm>
#include <limits>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "boost/date_time/gregorian/gregorian.hpp"

namespace standing {
namespace {

constexpr int64_t kNoInstant = std::numeric_limits<int64_t>::max();
// A calendar with no working day for this long is treated as never working
// again (every search is bounded by it).
constexpr int64_t kMaxSearchDays = 4000;

absl::Status Error(absl::string_view path, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", message));
}

// Boost.Date_Time parses and validates the date (it throws on a bad one;
// the exception stays inside this function).
absl::StatusOr<int64_t> ParseDay(const std::string& text) {
  try {
    if (text.size() != 10) throw std::out_of_range("length");
    const boost::gregorian::date d = boost::gregorian::from_simple_string(text);
    if (d.is_special()) throw std::out_of_range("special");
    return (d - boost::gregorian::date(1970, 1, 1)).days();
  } catch (const std::exception&) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", text, "\" is not a date YYYY-MM-DD"));
  }
}

absl::StatusOr<int32_t> ParseTimeOfDay(const std::string& text) {
  int h = 0, m = 0;
  if (text.size() != 5 || text[2] != ':' ||
      !absl::SimpleAtoi(text.substr(0, 2), &h) ||
      !absl::SimpleAtoi(text.substr(3, 2), &m) || h < 0 || m < 0 || m > 59 ||
      h > 24 || (h == 24 && m != 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", text, "\" is not a time HH:MM (00:00..24:00)"));
  }
  return h * 3600 + m * 60;
}

int IsoWeekday(int64_t day) {  // 1970-01-01 was a Thursday (4)
  return static_cast<int>(((day + 3) % 7 + 7) % 7) + 1;
}

}  // namespace

absl::StatusOr<WorkCalendar> WorkCalendar::Create(
    const v1::WorkCalendar& spec) {
  WorkCalendar cal;
  auto clock = LocalClock::Parse(spec.time_zone());
  if (!clock.ok()) return clock.status();
  cal.clock_ = *clock;
  if (spec.working_weekdays().empty()) {
    cal.weekday_mask_ = 0b00111110;  // Monday..Friday
  }
  for (int i = 0; i < spec.working_weekdays_size(); ++i) {
    const int w = spec.working_weekdays(i);
    if (w < 1 || w > 7) {
      return Error(absl::StrCat("working_weekdays[", i, "]"),
                   "must be 1 (Monday) .. 7 (Sunday)");
    }
    cal.weekday_mask_ |= static_cast<uint8_t>(1u << w);
  }
  int32_t previous_end = 0;
  for (int i = 0; i < spec.hours_size(); ++i) {
    const std::string path = absl::StrCat("hours[", i, "]");
    auto start = ParseTimeOfDay(spec.hours(i).start());
    if (!start.ok()) return Error(path + ".start", start.status().message());
    auto end = ParseTimeOfDay(spec.hours(i).end());
    if (!end.ok()) return Error(path + ".end", end.status().message());
    if (*end <= *start) return Error(path, "end must be after start");
    if (*start < previous_end) {
      return Error(path, "overlaps or precedes the previous interval");
    }
    previous_end = *end;
    cal.hours_.emplace_back(*start, *end);
  }
  if (cal.hours_.empty()) cal.hours_.emplace_back(0, 86400);
  for (const auto& [s, e] : cal.hours_) cal.seconds_per_day_ += e - s;
  for (int i = 0; i < spec.holidays_size(); ++i) {
    auto day = ParseDay(spec.holidays(i));
    if (!day.ok()) {
      return Error(absl::StrCat("holidays[", i, "]"), day.status().message());
    }
    cal.holidays_.insert(*day);
  }
  for (int i = 0; i < spec.makeup_workdays_size(); ++i) {
    const std::string path = absl::StrCat("makeup_workdays[", i, "]");
    auto day = ParseDay(spec.makeup_workdays(i));
    if (!day.ok()) return Error(path, day.status().message());
    if (cal.holidays_.contains(*day)) {
      return Error(path, absl::StrCat("\"", spec.makeup_workdays(i),
                                      "\" is also listed as a holiday"));
    }
    cal.makeup_.insert(*day);
  }
  if (cal.weekday_mask_ == 0 && cal.makeup_.empty()) {
    return Error("working_weekdays", "the calendar has no working day");
  }
  return cal;
}

bool WorkCalendar::IsWorkingDay(int64_t day) const {
  if (makeup_.contains(day)) return true;
  if (holidays_.contains(day)) return false;
  return (weekday_mask_ >> IsoWeekday(day)) & 1;
}

bool WorkCalendar::IsWorkingTime(int64_t t) const {
  const int64_t local = t + clock_.offset_seconds();
  const int64_t day = FloorDiv(local, kSecondsPerDay);
  const int64_t sod = local - day * kSecondsPerDay;
  if (!IsWorkingDay(day)) return false;
  for (const auto& [s, e] : hours_) {
    if (sod >= s && sod < e) return true;
  }
  return false;
}

int64_t WorkCalendar::NextWorkingInstant(int64_t t) const {
  return AddWorkingSeconds(t, 0);
}

int64_t WorkCalendar::AddWorkingSeconds(int64_t t, int64_t seconds) const {
  const int64_t offset = clock_.offset_seconds();
  const int64_t local = t + offset;
  int64_t day = FloorDiv(local, kSecondsPerDay);
  int64_t sod = local - day * kSecondsPerDay;
  int64_t remaining = std::max<int64_t>(seconds, 0);
  for (int64_t idle = 0; idle < kMaxSearchDays; ++day, sod = 0) {
    if (!IsWorkingDay(day)) {
      ++idle;
      continue;
    }
    idle = 0;
    if (sod == 0 && remaining > seconds_per_day_) {
      remaining -= seconds_per_day_;  // a whole working day
      continue;
    }
    for (const auto& [s, e] : hours_) {
      if (sod >= e) continue;
      const int64_t start = std::max<int64_t>(sod, s);
      const int64_t available = e - start;
      if (remaining <= available) {
        return day * kSecondsPerDay + start + remaining - offset;
      }
      remaining -= available;
    }
  }
  return kNoInstant;
}

int64_t WorkCalendar::AddWorkingDays(int64_t t, int n) const {
  if (n <= 0) return t;
  const int64_t offset = clock_.offset_seconds();
  const int64_t local = t + offset;
  int64_t day = FloorDiv(local, kSecondsPerDay);
  const int64_t sod = local - day * kSecondsPerDay;
  for (int64_t idle = 0, found = 0; found < n;) {
    ++day;
    if (IsWorkingDay(day)) {
      ++found;
      idle = 0;
    } else if (++idle > kMaxSearchDays) {
      return kNoInstant;
    }
  }
  return day * kSecondsPerDay + sod - offset;
}

int64_t WorkCalendar::WorkingSecondsBetween(int64_t from, int64_t to) const {
  if (to <= from) return 0;
  const int64_t offset = clock_.offset_seconds();
  const int64_t lo = from + offset, hi = to + offset;
  int64_t total = 0;
  for (int64_t day = FloorDiv(lo, kSecondsPerDay); day * kSecondsPerDay < hi;
       ++day) {
    if (!IsWorkingDay(day)) continue;
    const int64_t base = day * kSecondsPerDay;
    for (const auto& [s, e] : hours_) {
      const int64_t a = std::max(lo, base + s);
      const int64_t b = std::min(hi, base + e);
      if (b > a) total += b - a;
    }
  }
  return total;
}

}  // namespace standing
