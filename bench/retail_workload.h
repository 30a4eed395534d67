// A large retail member base for review_bench and memory_bench: N customers
// enrolled in January 2026 under examples/policies/retail.json, then about
// `purchases_per_customer` purchases each from February to December 2026, in
// time order, with the reviews due at each local month start run as a
// host's scheduler would. Deterministic (a hash of the event number, no
// random engine), cheap to generate on the fly, and skewed: a few
// customers spend far more than the rest, about 1% of purchases are
// mid/high-end, 0.5% are excluded categories (car, renovation).
#ifndef STANDING_BENCH_RETAIL_WORKLOAD_H_
#define STANDING_BENCH_RETAIL_WORKLOAD_H_

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "standing/engine.h"
#include "standing/policy.h"

namespace standing_bench {

namespace v1 = standing::v1;

// Local (+08:00) midnight starting month `month` (1..13) of 2026.
inline int64_t MonthStart2026(int month) {
  static constexpr int kDaysBefore[] = {0,   31,  59,  90,  120, 151, 181,
                                        212, 243, 273, 304, 334, 365};
  constexpr int64_t kJan1 = 1767196800;  // 2026-01-01T00:00:00+08:00
  return kJan1 + int64_t{kDaysBefore[month - 1]} * 86400;
}

inline uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

inline absl::StatusOr<v1::Policy> LoadRetailPolicy() {
  const std::string path =
      std::string(STANDING_SOURCE_DIR) + "/examples/policies/retail.json";
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream bytes;
  bytes << file.rdbuf();
  return standing::ParsePolicy(bytes.str(), standing::PolicyFormat::kJson);
}

class RetailWorkload {
 public:
  RetailWorkload(uint64_t customers, uint64_t purchases_per_customer,
                 size_t chunk = 4096)
      : customers_(customers),
        purchases_(customers * purchases_per_customer),
        chunk_(chunk) {
    // Fill every message once with both kinds so that the replay reuses
    // their storage.
    for (v1::Event& e : chunk_) {
      e.set_customer_id("C0000000");
      e.mutable_purchase()->set_currency("CNY");
    }
  }

  // 2654435761 is prime, so coprime with any smaller customer count: every
  // run of `customers` consecutive purchases visits each customer once.
  uint64_t CustomerOf(uint64_t purchase) const {
    return (purchase * 2654435761ULL) % customers_;
  }

  // Enrols everyone, applies every purchase and runs the month-start
  // reviews of February .. December 2026. `on_transitions` sees each
  // batch's transitions (then they are cleared).
  absl::Status Replay(standing::Engine& engine,
                      const std::function<void(std::vector<v1::Transition>&)>&
                          on_transitions = nullptr) {
    std::vector<v1::Transition> transitions;
    auto flush = [&](size_t count) -> absl::Status {
      transitions.clear();
      absl::Status status =
          engine.ApplyBatch(chunk_.data(), count, &transitions);
      if (on_transitions) on_transitions(transitions);
      return status;
    };
    // Enrolments over January 1..30.
    const int64_t jan = MonthStart2026(1);
    size_t count = 0;
    for (uint64_t c = 0; c < customers_; ++c) {
      v1::Event& e = chunk_[count];
      e.Clear();
      e.set_customer_id(Id(c));
      e.mutable_at()->set_seconds(
          jan + 60 + static_cast<int64_t>(c * (30ULL * 86400) / customers_));
      auto* attributes = e.mutable_enrolled()->mutable_attributes();
      const uint64_t h = SplitMix64(c ^ 0xb1b1);
      v1::Date* birthday = (*attributes)["birthday"].mutable_date();
      birthday->set_year(1955 + static_cast<int>(h % 50));
      birthday->set_month(1 + static_cast<int>((h >> 8) % 12));
      birthday->set_day(1 + static_cast<int>((h >> 16) % 28));
      static constexpr const char* kRegions[] = {"华东", "华北", "华南", "华中",
                                                 "西南", "西北", "东北"};
      (*attributes)["region"].set_text(kRegions[(h >> 24) % 7]);
      if (++count == chunk_.size()) {
        if (absl::Status s = flush(count); !s.ok()) return s;
        count = 0;
      }
    }
    // Purchases from February 1 to December 31, evenly spaced in time.
    const int64_t from = MonthStart2026(2);
    const int64_t to = MonthStart2026(13) - 3600;
    int month = 2;
    for (uint64_t i = 0; i < purchases_; ++i) {
      const int64_t at =
          from +
          static_cast<int64_t>(static_cast<unsigned __int128>(i) *
                               static_cast<uint64_t>(to - from) / purchases_);
      while (month <= 12 && at >= MonthStart2026(month)) {
        if (count > 0) {
          if (absl::Status s = flush(count); !s.ok()) return s;
          count = 0;
        }
        transitions.clear();
        if (absl::Status s = engine.Review(MonthStart2026(month), &transitions);
            !s.ok()) {
          return s;
        }
        if (on_transitions) on_transitions(transitions);
        ++month;
      }
      Purchase(i, at, &chunk_[count]);
      if (++count == chunk_.size()) {
        if (absl::Status s = flush(count); !s.ok()) return s;
        count = 0;
      }
    }
    if (count > 0) {
      if (absl::Status s = flush(count); !s.ok()) return s;
    }
    for (; month <= 12; ++month) {
      transitions.clear();
      if (absl::Status s = engine.Review(MonthStart2026(month), &transitions);
          !s.ok()) {
        return s;
      }
      if (on_transitions) on_transitions(transitions);
    }
    return absl::OkStatus();
  }

  static std::string Id(uint64_t customer) {
    char id[24];
    std::snprintf(id, sizeof id, "C%07llu",
                  static_cast<unsigned long long>(customer));
    return id;
  }

 private:
  void Purchase(uint64_t i, int64_t at, v1::Event* e) const {
    const uint64_t c = CustomerOf(i);
    e->Clear();
    e->set_customer_id(Id(c));
    e->mutable_at()->set_seconds(at);
    v1::Purchase* p = e->mutable_purchase();
    p->set_currency("CNY");
    p->set_quantity(1);
    const uint64_t h = SplitMix64(i);
    // Pareto-like spending factor per customer (1 .. 200).
    const double u =
        static_cast<double>(SplitMix64(c) >> 11) * 0x1.0p-53;  // [0, 1)
    const double factor = std::min(200.0, 1.0 / (0.005 + 0.995 * u * u));
    const uint64_t r = h % 1000;
    int64_t amount = 0;
    if (r < 10) {
      p->set_category("mid_high_end");
      amount = 200000 + static_cast<int64_t>((h >> 20) % 1300000);
    } else if (r < 15) {
      p->set_category(r < 12 ? "car" : "renovation");
      amount = 5000000 + static_cast<int64_t>((h >> 20) % 20000000);
    } else if (r < 300) {
      p->set_category("apparel");
      amount = static_cast<int64_t>(
          3000.0 * factor *
          (0.5 + static_cast<double>((h >> 20) % 1000) / 1000));
    } else {
      p->set_category("grocery");
      amount = static_cast<int64_t>(
          500.0 * factor *
          (0.5 + static_cast<double>((h >> 20) % 1000) / 1000));
    }
    p->set_amount(std::max<int64_t>(amount, 100));
  }

  uint64_t customers_;
  uint64_t purchases_;
  std::vector<v1::Event> chunk_;
};

}  // namespace standing_bench

#endif  // STANDING_BENCH_RETAIL_WORKLOAD_H_
