// Resolving one customer's entitlements through the public API
// (Engine::ResolveEntitlements), into one reused v1::EntitlementSet.
//
// The policy is dedicated to this benchmark: 5 entitlements (discount
// percent, points multiplier, priority rank, gift cap amount, hotline flag),
// a 4-tier membership program by annual spend whose tiers inherit, override
// and revoke, and a 2-tier VIP program on an attribute. 100,000 customers
// are spread over the tiers (about 40/30/20/10% normal..diamond, 15% VIP),
// so results have 1 to 5 entitlements and the reused set grows and shrinks.
// The loop visits them in enrolment order or in a fixed shuffled order (a
// customer the caches have not just seen, as in a host serving requests).
// "allocs/op" counts global operator new calls inside the timed loop.
//
// Target (issue 5): >= 5 M resolutions/s on one core (items_per_second).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <random>
#include <string>
#include <vector>

#include "allocation_counter.h"
#include "standing/engine.h"
#include "standing/policy.h"

namespace {

namespace v1 = standing::v1;

constexpr char kPolicy[] = R"pb(
  name: "entitlements-bench"
  version: "1"
  time_zone: "+08:00"
  currency: "CNY"
  attributes { name: "vip" type: FLAG }
  metrics {
    name: "spend_year"
    aggregate: SUM
    field: AMOUNT
    window { calendar { period: YEAR } }
  }
  service_levels {
    entitlements { name: "discount" type: PERCENT }
    entitlements { name: "points" type: MULTIPLIER }
    entitlements { name: "priority" type: RANK }
    entitlements { name: "gift_cap" type: AMOUNT }
    entitlements { name: "hotline" type: FLAG }
  }
  tier_programs {
    name: "membership"
    review { yearly { month: 1 day: 1 } }
    tiers {
      name: "normal"
      entitlements {
        name: "gift_cap"
        value { amount: 10000 }
      }
    }
    tiers {
      name: "silver"
      qualify { metric { metric: "spend_year" op: GE value: 100000 } }
      entitlements {
        name: "discount"
        value { percent: 5 }
      }
      entitlements {
        name: "points"
        value { multiplier: 1.2 }
      }
    }
    tiers {
      name: "gold"
      qualify { metric { metric: "spend_year" op: GE value: 500000 } }
      entitlements {
        name: "discount"
        value { percent: 10 }
      }
      entitlements {
        name: "points"
        value { multiplier: 1.5 }
      }
      entitlements {
        name: "priority"
        value { rank: 3 }
      }
    }
    tiers {
      name: "diamond"
      qualify { metric { metric: "spend_year" op: GE value: 2000000 } }
      entitlements {
        name: "points"
        value { multiplier: 2 }
      }
      entitlements {
        name: "priority"
        value { rank: 1 }
      }
      entitlements {
        name: "gift_cap"
        value { amount: 50000 }
      }
      entitlements {
        name: "hotline"
        value { flag: true }
      }
      entitlements { name: "discount" revoke: true }
    }
  }
  tier_programs {
    name: "vip"
    downgrade: IMMEDIATE
    tiers { name: "member" }
    tiers {
      name: "vip"
      qualify { attribute { attribute: "vip" } }
      entitlements {
        name: "discount"
        value { percent: 8 }
      }
      entitlements {
        name: "priority"
        value { rank: 2 }
      }
      entitlements {
        name: "gift_cap"
        value { amount: 50000 }
      }
      entitlements {
        name: "hotline"
        value { flag: true }
      }
    }
  }
)pb";

constexpr int kCustomers = 100000;
constexpr int64_t kStart = 1767196800;  // 2026-01-01T00:00:00+08:00

struct Fixture {
  std::unique_ptr<standing::Engine> engine;
  std::vector<std::string> ids;       // in enrolment order
  std::vector<std::string> shuffled;  // the same, in a fixed random order
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
    v1::Event buy;
    buy.mutable_purchase()->set_currency("CNY");
    buy.mutable_purchase()->set_quantity(1);
    for (int i = 0; i < kCustomers; ++i) {
      char id[16];
      std::snprintf(id, sizeof id, "E%06d", i);
      f->ids.emplace_back(id);
      enrol.set_customer_id(id);
      enrol.mutable_at()->set_seconds(kStart);
      (*enrol.mutable_enrolled()->mutable_attributes())["vip"].set_flag(i % 20 <
                                                                        3);
      absl::Status status = f->engine->Apply(enrol, nullptr);
      if (!status.ok()) Die("enrol", status);
      // Tier by i % 10: 0-3 normal, 4-6 silver, 7-8 gold, 9 diamond.
      const int bucket = i % 10;
      const int64_t spend = bucket < 4   ? 50000
                            : bucket < 7 ? 100000
                            : bucket < 9 ? 500000
                                         : 2000000;
      buy.set_customer_id(id);
      buy.mutable_at()->set_seconds(kStart + 86400);
      buy.mutable_purchase()->set_amount(spend);
      status = f->engine->Apply(buy, nullptr);
      if (!status.ok()) Die("purchase", status);
    }
    f->shuffled = f->ids;
    std::mt19937_64 rng(42);
    std::shuffle(f->shuffled.begin(), f->shuffled.end(), rng);
    return f;
  }();
  return *fixture;
}

// Args: order (0: enrolment order, neighbours in memory, as apply_bench
// rotates; 1: shuffled, each lookup likely a cache miss on the id hash
// bucket, the customer record and its state words) and how many customers
// are visited (10,000: they stay in cache, which leaves the cost of the
// resolution itself).
void BM_ResolveEntitlements(benchmark::State& state) {
  Fixture& f = GetFixture();
  const std::vector<std::string>& ids =
      state.range(0) == 0 ? f.ids : f.shuffled;
  const uint64_t visited = static_cast<uint64_t>(state.range(1));
  uint64_t next = 0;
  v1::EntitlementSet set;
  uint64_t resolved = 0;
  const uint64_t allocations_before = standing_bench::AllocationCount();
  for (auto _ : state) {
    const std::string& id = ids[next++ % visited];
    const absl::Status status = f.engine->ResolveEntitlements(id, &set);
    if (!status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      break;
    }
    resolved += static_cast<uint64_t>(set.entitlements_size());
  }
  const uint64_t allocations =
      standing_bench::AllocationCount() - allocations_before;
  const double iterations =
      static_cast<double>(std::max<int64_t>(1, state.iterations()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["allocs/op"] = static_cast<double>(allocations) / iterations;
  state.counters["entitlements/op"] =
      static_cast<double>(resolved) / iterations;
}
BENCHMARK(BM_ResolveEntitlements)
    ->ArgNames({"shuffled", "customers"})
    ->Args({0, kCustomers})
    ->Args({1, kCustomers})
    ->Args({0, 10000})
    ->MinTime(2.0);

// The customer lookup alone, for comparison: Engine::GetTierIndex (find the
// record by id, read one program's tier from its state words), same
// customers and orders as above.
void BM_GetTierIndex(benchmark::State& state) {
  Fixture& f = GetFixture();
  const std::vector<std::string>& ids =
      state.range(0) == 0 ? f.ids : f.shuffled;
  const uint64_t visited = static_cast<uint64_t>(state.range(1));
  uint64_t next = 0;
  int64_t sum = 0;
  for (auto _ : state) {
    int tier = 0;
    const absl::Status status =
        f.engine->GetTierIndex(ids[next++ % visited], "membership", &tier);
    if (!status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      break;
    }
    sum += tier;
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_GetTierIndex)
    ->ArgNames({"shuffled", "customers"})
    ->Args({0, kCustomers})
    ->Args({1, kCustomers})
    ->Args({0, 10000})
    ->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
