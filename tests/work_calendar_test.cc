// WorkCalendar against a brute-force minute-by-minute reference over random
// calendars and instants, the mainland China 2025-2026 example calendar,
// and bad calendars.
#include "work_calendar.h"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <sstream>
#include <string>

#include "boost/date_time/gregorian/gregorian.hpp"
#include "google/protobuf/util/json_util.h"

namespace standing {
namespace {

constexpr int64_t kOffset = 8 * 3600;

// Local midnight of a date in +08:00, as a UTC instant.
int64_t Local(int y, int m, int d, int hh = 0, int mm = 0) {
  return DaysFromCivil(y, m, d) * 86400 + hh * 3600 + mm * 60 - kOffset;
}

// The reference: decides each minute from the spec alone, with Boost's own
// weekday rather than the calendar's arithmetic.
struct Reference {
  const v1::WorkCalendar& spec;
  std::vector<std::pair<int, int>> hours;  // minutes of the day
  mutable std::map<int64_t, bool> memo;

  explicit Reference(const v1::WorkCalendar& s) : spec(s) {
    for (const auto& h : s.hours()) {
      auto minutes = [](const std::string& t) {
        return std::stoi(t.substr(0, 2)) * 60 + std::stoi(t.substr(3, 2));
      };
      hours.emplace_back(minutes(h.start()), minutes(h.end()));
    }
    if (hours.empty()) hours.emplace_back(0, 1440);
  }
  bool WorkingDay(int64_t day) const {
    auto it = memo.find(day);
    if (it != memo.end()) return it->second;
    return memo[day] = WorkingDayUncached(day);
  }
  bool WorkingDayUncached(int64_t day) const {
    const auto d = boost::gregorian::date(1970, 1, 1) +
                   boost::gregorian::days(static_cast<long>(day));
    const std::string iso = boost::gregorian::to_iso_extended_string(d);
    for (const auto& m : spec.makeup_workdays()) {
      if (m == iso) return true;
    }
    for (const auto& h : spec.holidays()) {
      if (h == iso) return false;
    }
    int w = d.day_of_week().as_number();  // 0 = Sunday
    if (w == 0) w = 7;
    for (int x : spec.working_weekdays()) {
      if (x == w) return true;
    }
    return false;
  }
  // Working minute starting at local minute index m.
  bool Working(int64_t minute) const {
    const int64_t day = FloorDiv(minute, 1440);
    const int64_t mod = minute - day * 1440;
    if (!WorkingDay(day)) return false;
    for (const auto& [s, e] : hours) {
      if (mod >= s && mod < e) return true;
    }
    return false;
  }
  static int64_t MinuteOf(int64_t t) { return (t + kOffset) / 60; }
  static int64_t InstantOf(int64_t minute) { return minute * 60 - kOffset; }
};

v1::WorkCalendar RandomSpec(std::mt19937_64& rng) {
  v1::WorkCalendar spec;
  spec.set_time_zone("+08:00");
  const uint64_t mask = 1 + rng() % 127;
  for (int w = 1; w <= 7; ++w) {
    if (mask & (1u << (w - 1))) spec.add_working_weekdays(w);
  }
  switch (rng() % 3) {
    case 0:
      break;  // whole day
    case 1: {
      auto* h = spec.add_hours();
      h->set_start("09:00");
      h->set_end("17:30");
      break;
    }
    default: {
      auto* a = spec.add_hours();
      a->set_start("08:30");
      a->set_end("12:00");
      auto* b = spec.add_hours();
      b->set_start("13:15");
      b->set_end("24:00");
    }
  }
  const auto first = boost::gregorian::date(2025, 1, 1);
  for (int i = 0; i < 40; ++i) {
    const auto d =
        first + boost::gregorian::days(static_cast<long>(rng() % 120));
    const std::string iso = boost::gregorian::to_iso_extended_string(d);
    bool used = false;
    for (const auto& x : spec.holidays()) used = used || x == iso;
    for (const auto& x : spec.makeup_workdays()) used = used || x == iso;
    if (used) continue;
    if (rng() % 2) {
      spec.add_holidays(iso);
    } else {
      spec.add_makeup_workdays(iso);
    }
  }
  return spec;
}

TEST(WorkCalendarProperty, MatchesMinuteByMinuteReference) {
  std::mt19937_64 rng(20261122);
  for (int c = 0; c < 12; ++c) {
    const v1::WorkCalendar spec = RandomSpec(rng);
    auto cal = WorkCalendar::Create(spec);
    ASSERT_TRUE(cal.ok()) << cal.status();
    const Reference ref(spec);
    const int64_t base = Reference::MinuteOf(Local(2025, 1, 1));
    for (int i = 0; i < 60; ++i) {
      const int64_t m0 = base + static_cast<int64_t>(rng() % (100 * 1440));
      const int64_t t = Reference::InstantOf(m0);
      SCOPED_TRACE(::testing::Message() << "calendar " << c << " t " << t);

      EXPECT_EQ(cal->IsWorkingTime(t), ref.Working(m0));

      int64_t next = m0;
      while (!ref.Working(next)) ++next;
      EXPECT_EQ(cal->NextWorkingInstant(t), Reference::InstantOf(next));

      const int64_t k = 1 + static_cast<int64_t>(rng() % 3000);
      int64_t m = m0, count = 0;
      for (;; ++m) {
        if (ref.Working(m) && ++count == k) break;
      }
      EXPECT_EQ(cal->AddWorkingSeconds(t, k * 60), Reference::InstantOf(m + 1))
          << "k " << k;

      const int64_t span = static_cast<int64_t>(rng() % (20 * 1440));
      int64_t working = 0;
      for (int64_t x = m0; x < m0 + span; ++x) working += ref.Working(x);
      EXPECT_EQ(cal->WorkingSecondsBetween(t, Reference::InstantOf(m0 + span)),
                working * 60);

      const int n = static_cast<int>(rng() % 8);
      int64_t day = FloorDiv(m0, 1440);
      for (int found = 0; found < n;) found += ref.WorkingDay(++day);
      const int64_t expected =
          n == 0 ? t
                 : Reference::InstantOf(day * 1440 +
                                        (m0 - FloorDiv(m0, 1440) * 1440));
      EXPECT_EQ(cal->AddWorkingDays(t, n), expected) << "n " << n;
    }
  }
}

v1::WorkCalendar LoadChina() {
  std::ifstream in(std::string(STANDING_SOURCE_DIR) +
                   "/examples/calendars/cn-2025-2026.json");
  std::stringstream bytes;
  bytes << in.rdbuf();
  v1::WorkCalendar spec;
  const auto status =
      google::protobuf::util::JsonStringToMessage(bytes.str(), &spec);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return spec;
}

TEST(ChinaCalendar, HolidaysAndMakeUpWorkdays) {
  auto cal = WorkCalendar::Create(LoadChina());
  ASSERT_TRUE(cal.ok()) << cal.status();
  auto day = [](int y, int m, int d) { return DaysFromCivil(y, m, d); };
  EXPECT_TRUE(cal->IsWorkingDay(day(2026, 2, 14)));    // Saturday, make-up
  EXPECT_FALSE(cal->IsWorkingDay(day(2026, 2, 16)));   // Monday, 春节
  EXPECT_TRUE(cal->IsWorkingDay(day(2026, 2, 24)));    // Tuesday after
  EXPECT_TRUE(cal->IsWorkingDay(day(2026, 1, 4)));     // Sunday, make-up
  EXPECT_FALSE(cal->IsWorkingDay(day(2025, 10, 8)));   // Wednesday, 国庆
  EXPECT_FALSE(cal->IsWorkingDay(day(2026, 11, 21)));  // an ordinary Saturday

  // A request on Friday 2026-02-13 17:00: one working day later is the
  // make-up Saturday, two are the Tuesday after the Spring Festival.
  const int64_t friday = Local(2026, 2, 13, 17);
  EXPECT_EQ(cal->AddWorkingDays(friday, 1), Local(2026, 2, 14, 17));
  EXPECT_EQ(cal->AddWorkingDays(friday, 2), Local(2026, 2, 24, 17));

  // 2 working hours from Tuesday 2025-09-30 17:00: one hour that day, then
  // the National Day holiday, then 09:00-10:00 on Thursday 2025-10-09.
  EXPECT_EQ(cal->AddWorkingHours(Local(2025, 9, 30, 17), 2),
            Local(2025, 10, 9, 10));
  // Lunch break: 11:30 + 1 h = 13:30.
  EXPECT_EQ(cal->AddWorkingHours(Local(2026, 3, 2, 11, 30), 1),
            Local(2026, 3, 2, 13, 30));
  EXPECT_EQ(cal->WorkingSecondsBetween(Local(2026, 3, 2), Local(2026, 3, 3)),
            8 * 3600);
  EXPECT_EQ(cal->NextWorkingInstant(Local(2026, 10, 1, 10)),
            Local(2026, 10, 8, 9));
}

TEST(WorkCalendarErrors, NameTheField) {
  struct Case {
    const char* what;
    std::function<void(v1::WorkCalendar&)> edit;
    const char* message;
  };
  const Case cases[] = {
      {"bad zone",
       [](v1::WorkCalendar& c) { c.set_time_zone("Asia/Shanghai"); },
       "time_zone"},
      {"weekday 0", [](v1::WorkCalendar& c) { c.add_working_weekdays(0); },
       "working_weekdays[0]: must be 1 (Monday) .. 7 (Sunday)"},
      {"bad start",
       [](v1::WorkCalendar& c) {
         auto* h = c.add_hours();
         h->set_start("9:00");
         h->set_end("17:00");
       },
       "hours[0].start: \"9:00\" is not a time"},
      {"end before start",
       [](v1::WorkCalendar& c) {
         auto* h = c.add_hours();
         h->set_start("17:00");
         h->set_end("09:00");
       },
       "hours[0]: end must be after start"},
      {"overlap",
       [](v1::WorkCalendar& c) {
         auto* a = c.add_hours();
         a->set_start("09:00");
         a->set_end("12:00");
         auto* b = c.add_hours();
         b->set_start("11:00");
         b->set_end("18:00");
       },
       "hours[1]: overlaps"},
      {"bad date", [](v1::WorkCalendar& c) { c.add_holidays("2026-02-30"); },
       "holidays[0]: \"2026-02-30\" is not a date"},
      {"contradiction",
       [](v1::WorkCalendar& c) {
         c.add_holidays("2026-02-14");
         c.add_makeup_workdays("2026-02-14");
       },
       "makeup_workdays[0]: \"2026-02-14\" is also listed as a holiday"},
      {"empty weekdays mean Monday to Friday",
       [](v1::WorkCalendar& c) {
         c.add_working_weekdays(6);
         c.clear_working_weekdays();
         c.set_time_zone("+08:00");
       },
       ""},
  };
  for (const Case& k : cases) {
    v1::WorkCalendar spec;
    k.edit(spec);
    auto cal = WorkCalendar::Create(spec);
    if (std::string(k.message).empty()) {
      EXPECT_TRUE(cal.ok()) << k.what;  // empty weekdays: Monday..Friday
      continue;
    }
    ASSERT_FALSE(cal.ok()) << k.what;
    EXPECT_NE(std::string(cal.status().message()).find(k.message),
              std::string::npos)
        << k.what << ": " << cal.status().message();
  }
}

}  // namespace
}  // namespace standing
