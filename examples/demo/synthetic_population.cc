#include "synthetic_population.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

namespace standing_demo {
namespace {

// --- deterministic random helpers ---------------------------------------
// std::mt19937_64's output is specified by the standard; these helpers turn
// it into numbers the same way everywhere.

class Random {
 public:
  explicit Random(uint64_t seed) : engine_(seed) {}

  // Uniform in [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  // Uniform in (0, 1].
  double UniformOpen() { return 1.0 - Uniform(); }
  // Uniform integer in [lo, hi] (the modulo bias is below 2^-40 here).
  int64_t Between(int64_t lo, int64_t hi) {
    const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
    return lo + static_cast<int64_t>(engine_() % span);
  }
  bool Chance(double p) { return Uniform() < p; }
  // Standard normal (Box-Muller, one value per call).
  double Normal() {
    const double u1 = UniformOpen();
    const double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  // exp(N(log(median), sigma)).
  double LogNormal(double median, double sigma) {
    return median * std::exp(sigma * Normal());
  }
  // Index drawn with the given (unnormalised) weights.
  size_t Pick(const double* weights, size_t n) {
    double total = 0;
    for (size_t i = 0; i < n; ++i) total += weights[i];
    double x = Uniform() * total;
    for (size_t i = 0; i + 1 < n; ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    return n - 1;
  }

 private:
  std::mt19937_64 engine_;
};

// Days since 1970-01-01 of a civil date (proleptic Gregorian).
int64_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int y = static_cast<int>(yoe + era * 400 + (m <= 2));
  return CivilDate{y, m, d};
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

constexpr int64_t kDay = 86400;

// A shopping moment on local day `day0 + day`: between 09:00 and 21:59.
int64_t ShoppingTime(Random& rng, int64_t year_start, int64_t day) {
  return year_start + day * kDay + 9 * 3600 + rng.Between(0, 13 * 3600 - 1);
}

// Amount in fen of one purchase of `category` for a customer of
// `affluence` (a per-customer ticket-size factor around 1).
int64_t Amount(Random& rng, Category category, double affluence) {
  double cny = 0;
  switch (category) {
    case Category::kGrocery:
      cny = rng.LogNormal(65.0 * std::sqrt(affluence), 0.75);
      break;
    case Category::kApparel:
      cny = rng.LogNormal(320.0 * affluence, 0.6);
      break;
    case Category::kElectronics:
      cny = rng.LogNormal(1500.0 * std::sqrt(affluence), 0.8);
      break;
    case Category::kMidHighEnd:
      cny = rng.LogNormal(2600.0 * affluence, 0.6);
      break;
    case Category::kHouse:
      cny = rng.LogNormal(1500000.0, 0.45);
      break;
    case Category::kCar:
      cny = rng.LogNormal(160000.0, 0.5);
      break;
    case Category::kRenovation:
      cny = rng.LogNormal(55000.0, 0.6);
      break;
  }
  cny = std::clamp(cny, 1.0, 20000000.0);
  // Prices end in whole yuan for big tickets, in fen for small ones.
  const int64_t fen = std::llround(cny * 100.0);
  return cny >= 1000 ? fen / 100 * 100 : fen;
}

}  // namespace

std::string_view CategoryName(Category category) {
  switch (category) {
    case Category::kGrocery:
      return "grocery";
    case Category::kApparel:
      return "apparel";
    case Category::kElectronics:
      return "electronics";
    case Category::kMidHighEnd:
      return "mid_high_end";
    case Category::kHouse:
      return "house";
    case Category::kCar:
      return "car";
    case Category::kRenovation:
      return "renovation";
  }
  return "grocery";
}

bool IsExcludedCategory(Category category) {
  return category == Category::kHouse || category == Category::kCar ||
         category == Category::kRenovation;
}

const std::vector<std::string_view>& Regions() {
  static const std::vector<std::string_view> kRegions = {
      "华东", "华北", "华南", "华中", "西南", "西北", "东北"};
  return kRegions;
}

int64_t LocalMidnight(const CivilDate& date, int utc_offset_seconds) {
  return DaysFromCivil(date.year, date.month, date.day) * kDay -
         utc_offset_seconds;
}

CivilDate LocalDate(int64_t utc_seconds, int utc_offset_seconds) {
  const int64_t local = utc_seconds + utc_offset_seconds;
  const int64_t days = local >= 0 ? local / kDay : (local - kDay + 1) / kDay;
  return CivilFromDays(days);
}

Population GeneratePopulation(const PopulationOptions& options) {
  Random rng(options.seed);
  Population population;
  population.customers.reserve(options.customers);
  population.events.reserve(options.customers * 14);

  const int offset = options.utc_offset_seconds;
  const int64_t start_2025 = LocalMidnight({2025, 1, 1}, offset);
  const int64_t start_2026 = LocalMidnight({2026, 1, 1}, offset);
  constexpr int kDays2026 = 365;

  static constexpr double kRegionWeights[] = {30, 18, 20, 12, 10, 4, 6};
  uint32_t serial = 0;
  std::vector<SyntheticEvent> purchases;

  for (size_t i = 0; i < options.customers; ++i) {
    SyntheticCustomer customer;
    char id[24];
    std::snprintf(id, sizeof id, "C%07zu", i + 1);
    customer.id = id;

    // Enrolment: 40% some time in 2025, 60% in January 2026.
    int64_t first_day = 0;  // first local day of 2026 the customer may buy
    if (rng.Chance(0.4)) {
      customer.enrolled_at = ShoppingTime(rng, start_2025, rng.Between(0, 364));
    } else {
      first_day = rng.Between(0, 30);
      customer.enrolled_at = ShoppingTime(rng, start_2026, first_day);
    }
    {
      const int year = static_cast<int>(rng.Between(1955, 2006));
      const int month = static_cast<int>(rng.Between(1, 12));
      const int day =
          static_cast<int>(rng.Between(1, DaysInMonth(year, month)));
      customer.birthday = CivilDate{year, month, day};
    }
    customer.region =
        Regions()[rng.Pick(kRegionWeights, std::size(kRegionWeights))];

    const uint32_t index = static_cast<uint32_t>(i);
    population.events.push_back(SyntheticEvent{
        customer.enrolled_at, index, serial++, 0, Category::kGrocery, true});

    // Segment: how often the customer shops and how big the baskets are.
    static constexpr double kSegmentWeights[] = {30, 40, 22, 8};
    const size_t segment = rng.Pick(kSegmentWeights, 4);
    int64_t yearly_purchases = 0;
    double affluence = rng.LogNormal(1.0, 0.45);
    double churn = 0.3;
    switch (segment) {
      case 0:  // light
        yearly_purchases = rng.Between(0, 3);
        churn = 0.45;
        break;
      case 1:  // occasional
        yearly_purchases = rng.Between(4, 14);
        break;
      case 2:  // regular
        yearly_purchases = rng.Between(15, 50);
        affluence *= 1.3;
        churn = 0.2;
        break;
      default:  // heavy
        yearly_purchases = rng.Between(50, 160);
        affluence *= 2.0;
        churn = 0.12;
        break;
    }
    // Churn: the customer stops buying on a day of the year.
    int64_t last_day = kDays2026 - 1;
    if (rng.Chance(churn)) last_day = rng.Between(first_day, kDays2026 - 1);
    const double span =
        static_cast<double>(last_day - first_day + 1) / kDays2026;
    const int64_t n = std::llround(static_cast<double>(yearly_purchases) *
                                   std::max(span, 1.0 / 12));

    // Category mix: big spenders buy mid/high-end goods more often.
    const double p_mid_high = std::min(0.12, 0.006 * affluence * affluence);
    const double mix[] = {0.58, 0.24, 0.10, p_mid_high};

    purchases.clear();
    for (int64_t k = 0; k < n; ++k) {
      // A January enrollee makes its first purchase at enrolment.
      int64_t at;
      if (k == 0 && first_day > 0) {
        at = customer.enrolled_at + rng.Between(60, 1800);
      } else {
        at = ShoppingTime(rng, start_2026, rng.Between(first_day, last_day));
        if (at <= customer.enrolled_at) {
          at = customer.enrolled_at + rng.Between(60, 3600);
        }
      }
      const auto category = static_cast<Category>(rng.Pick(mix, 4));
      purchases.push_back(SyntheticEvent{
          at, index, 0, Amount(rng, category, affluence), category, false});
    }
    // Rare purchases the retail policy excludes.
    static constexpr struct {
      Category category;
      double p;
    } kExcluded[] = {{Category::kHouse, 0.004},
                     {Category::kCar, 0.012},
                     {Category::kRenovation, 0.025}};
    for (const auto& excluded : kExcluded) {
      if (!rng.Chance(excluded.p)) continue;
      int64_t at =
          ShoppingTime(rng, start_2026, rng.Between(first_day, last_day));
      if (at <= customer.enrolled_at) at = customer.enrolled_at + 600;
      purchases.push_back(SyntheticEvent{at, index, 0,
                                         Amount(rng, excluded.category, 1.0),
                                         excluded.category, false});
    }
    std::stable_sort(purchases.begin(), purchases.end(),
                     [](const SyntheticEvent& a, const SyntheticEvent& b) {
                       return a.at < b.at;
                     });
    for (SyntheticEvent& p : purchases) {
      p.serial = serial++;
      population.events.push_back(p);
    }
    population.customers.push_back(std::move(customer));
  }

  std::sort(population.events.begin(), population.events.end(),
            [](const SyntheticEvent& a, const SyntheticEvent& b) {
              return a.at != b.at ? a.at < b.at : a.serial < b.serial;
            });
  return population;
}

}  // namespace standing_demo
