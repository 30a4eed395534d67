// A reproducible synthetic retail population for the demo: customers who
// enrolled in January 2026 (or some time in 2025) and a year (2026) of
// their purchases.
//
// Reproducibility: everything comes from one std::mt19937_64 with a fixed
// seed, through the small helpers in synthetic_population.cc (the
// std::*_distribution classes are not used because their output differs
// between standard libraries). The same options give the same population
// on every platform with IEEE doubles.
//
// The shape follows the figures quoted in retail manuals: sales are skewed
// (about 80% of sales from 20% of customers), a few customers buy
// mid/high-end goods of 10,000 CNY or more in one purchase, about 30% of
// customers stop buying during the year, and a few buy a house, a car or a
// renovation (purchases a retail policy excludes from its metrics).
#ifndef STANDING_EXAMPLES_DEMO_SYNTHETIC_POPULATION_H_
#define STANDING_EXAMPLES_DEMO_SYNTHETIC_POPULATION_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace standing_demo {

enum class Category : uint8_t {
  kGrocery = 0,
  kApparel,
  kElectronics,
  kMidHighEnd,
  kHouse,
  kCar,
  kRenovation,
};
inline constexpr int kCategoryCount = 7;

// "grocery", "apparel", "electronics", "mid_high_end", "house", "car",
// "renovation".
std::string_view CategoryName(Category category);

// True for house, car and renovation (excluded by the retail policy).
bool IsExcludedCategory(Category category);

struct CivilDate {
  int year = 0;
  int month = 0;  // 1..12
  int day = 0;    // 1..31
};

struct SyntheticCustomer {
  std::string id;           // "C0000001", in enrolment order of generation
  int64_t enrolled_at = 0;  // UTC seconds
  CivilDate birthday;
  std::string_view region;  // one of Regions()
};

struct SyntheticEvent {
  int64_t at = 0;         // UTC seconds
  uint32_t customer = 0;  // index into Population::customers
  uint32_t serial = 0;    // global event number before sorting (a tie-break)
  int64_t amount = 0;     // fen (CNY minor units); 0 for an enrolment
  Category category = Category::kGrocery;
  bool enrolment = false;
};

struct PopulationOptions {
  size_t customers = 100000;
  uint64_t seed = 20260101;
  // Local time = UTC + this offset (the policy's time zone, +08:00).
  int utc_offset_seconds = 8 * 3600;
};

struct Population {
  std::vector<SyntheticCustomer> customers;
  // Enrolments and purchases sorted by (at, serial).
  std::vector<SyntheticEvent> events;
};

Population GeneratePopulation(const PopulationOptions& options);

// The regions customers live in.
const std::vector<std::string_view>& Regions();

// UTC seconds of local midnight starting `date` at `utc_offset_seconds`.
int64_t LocalMidnight(const CivilDate& date, int utc_offset_seconds);

// The local calendar date of `utc_seconds`.
CivilDate LocalDate(int64_t utc_seconds, int utc_offset_seconds);

}  // namespace standing_demo

#endif  // STANDING_EXAMPLES_DEMO_SYNTHETIC_POPULATION_H_
