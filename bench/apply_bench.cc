// Applying one purchase to an existing customer: the metric updates and the
// re-evaluation of a 5-tier program, through the public API.
//
// The policy is dedicated to this benchmark: one program of 5 tiers on the
// annual spend and the annual purchase count. 10,000 customers are enrolled
// first; the loop then rotates over them, reusing one v1::Event (customer
// id, amount and time mutated in place, the time one second later each
// time) and one transitions vector, so the hot path should allocate
// nothing. The "allocs/event" counter checks that: it counts calls of the
// global operator new inside the timed loop.
//
// Target: >= 3 M events/s (items_per_second).
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "allocation_counter.h"
#include "standing/engine.h"
#include "standing/policy.h"

namespace {

namespace v1 = standing::v1;

constexpr char kPolicy[] = R"pb(
  name: "apply-bench"
  version: "1"
  time_zone: "+08:00"
  currency: "CNY"
  metrics {
    name: "spend_this_year"
    aggregate: SUM
    field: AMOUNT
    window { calendar { period: YEAR } }
    filter { kinds: PURCHASE exclude_categories: "house" }
  }
  metrics {
    name: "purchases_this_year"
    aggregate: COUNT
    window { calendar { period: YEAR } }
    filter { kinds: PURCHASE exclude_categories: "house" }
  }
  tier_programs {
    name: "loyalty"
    tiers { name: "basic" }
    tiers {
      name: "bronze"
      qualify {
        all {
          conditions {
            metric { metric: "spend_this_year" op: GE value: 100000 }
          }
          conditions {
            metric { metric: "purchases_this_year" op: GE value: 2 }
          }
        }
      }
    }
    tiers {
      name: "silver"
      qualify {
        all {
          conditions {
            metric { metric: "spend_this_year" op: GE value: 1000000 }
          }
          conditions {
            metric { metric: "purchases_this_year" op: GE value: 5 }
          }
        }
      }
    }
    tiers {
      name: "gold"
      qualify {
        all {
          conditions {
            metric { metric: "spend_this_year" op: GE value: 5000000 }
          }
          conditions {
            metric { metric: "purchases_this_year" op: GE value: 20 }
          }
        }
      }
    }
    tiers {
      name: "platinum"
      qualify {
        all {
          conditions {
            metric { metric: "spend_this_year" op: GE value: 20000000 }
          }
          conditions {
            metric { metric: "purchases_this_year" op: GE value: 50 }
          }
        }
      }
    }
    upgrade: IMMEDIATE
    downgrade: AT_REVIEW
    review { yearly { month: 1 day: 1 } }
  }
)pb";

constexpr int kCustomers = 10000;
constexpr int64_t kStart = 1767196800;  // 2026-01-01T00:00:00+08:00

struct Fixture {
  std::unique_ptr<standing::Engine> engine;
  std::vector<std::string> ids;
  v1::Event event;
  std::vector<v1::Transition> transitions;
  int64_t now = kStart;
  uint64_t next = 0;
};

[[noreturn]] void Die(const char* what, const absl::Status& status) {
  std::fprintf(stderr, "%s: %s\n", what, status.ToString().c_str());
  std::abort();
}

Fixture& GetFixture() {
  static Fixture* fixture = [] {
    auto* f = new Fixture;
    absl::StatusOr<v1::Policy> policy =
        standing::ParsePolicy(kPolicy, standing::PolicyFormat::kText);
    if (!policy.ok()) Die("ParsePolicy", policy.status());
    absl::StatusOr<std::unique_ptr<standing::Engine>> engine =
        standing::Engine::Create(*policy);
    if (!engine.ok()) Die("Engine::Create", engine.status());
    f->engine = std::move(*engine);
    v1::Event enrol;
    enrol.mutable_enrolled();
    for (int i = 0; i < kCustomers; ++i) {
      char id[16];
      std::snprintf(id, sizeof id, "B%06d", i);
      f->ids.emplace_back(id);
      enrol.set_customer_id(id);
      enrol.mutable_at()->set_seconds(f->now);
      const absl::Status status = f->engine->Apply(enrol, nullptr);
      if (!status.ok()) Die("enrol", status);
    }
    f->event.set_customer_id(f->ids[0]);
    f->event.mutable_at()->set_seconds(f->now);
    v1::Purchase* purchase = f->event.mutable_purchase();
    purchase->set_currency("CNY");
    purchase->set_category("grocery");
    purchase->set_channel("store");
    purchase->set_quantity(1);
    f->transitions.reserve(64);
    return f;
  }();
  return *fixture;
}

void BM_ApplyPurchase(benchmark::State& state) {
  Fixture& f = GetFixture();
  v1::Purchase* purchase = f.event.mutable_purchase();
  uint64_t transitions = 0;
  const uint64_t allocations_before = standing_bench::AllocationCount();
  for (auto _ : state) {
    const uint64_t n = f.next++;
    f.event.set_customer_id(f.ids[n % kCustomers]);
    f.event.mutable_at()->set_seconds(++f.now);
    // 10.00 .. 1,009.99 CNY, varying with the event number.
    purchase->set_amount(1000 + static_cast<int64_t>((n * 7919) % 100000));
    const absl::Status status = f.engine->Apply(f.event, &f.transitions);
    if (!status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      break;
    }
    if (!f.transitions.empty()) {
      transitions += f.transitions.size();
      f.transitions.clear();
    }
  }
  const uint64_t allocations =
      standing_bench::AllocationCount() - allocations_before;
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["allocs/event"] =
      static_cast<double>(allocations) /
      static_cast<double>(std::max<int64_t>(1, state.iterations()));
  state.counters["transitions"] = static_cast<double>(transitions);
}
BENCHMARK(BM_ApplyPurchase)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
