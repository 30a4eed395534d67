// "Which of my customers are overdue for a call or a visit?" for one account
// manager among 1,000,000 customers (issue 5).
//
// Setup (not timed): 1,000,000 customers in two classes (weekly phone
// calls and a visit every 3 months for B; a call every 2 weeks for C),
// 5,000 account managers with 200 customers each (or 1,000 with 1,000),
// and one contact per customer at a spread of instants, so about 60% of
// each manager's customers are overdue at the query instant.
// Timed: Engine::ListOverdue for one manager (rotating over managers), with
// and without a tier filter, all overdue items or a page of 50, into a
// reused OverdueList.
//
// Target: <= 50 us per query.
//
// Counter `heap_B/customer`: heap bytes in use (glibc mallinfo2, all
// arenas, mmapped blocks included) after the setup minus before, per
// customer: the engine with its service state and indices.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "standing/engine.h"
#include "standing/policy.h"

namespace {

namespace v1 = standing::v1;

constexpr char kPolicy[] = R"pb(
  name: "overdue-bench"
  version: "1"
  time_zone: "+08:00"
  currency: "CNY"
  attributes { name: "class" type: TEXT }
  tier_programs {
    name: "class"
    downgrade: IMMEDIATE
    tiers {
      name: "C"
      cadences {
        name: "phone"
        channels: "phone"
        every { amount: 2 unit: WEEKS }
      }
    }
    tiers {
      name: "B"
      qualify { attribute { attribute: "class" values: "B" } }
      cadences {
        name: "phone"
        channels: "phone"
        every { amount: 1 unit: WEEKS }
      }
      cadences {
        name: "visit"
        channels: "visit"
        every { amount: 3 unit: MONTHS }
      }
      customers_per_manager: 1200
    }
  }
)pb";

constexpr int64_t kStart = 1767196800;  // 2026-01-01T00:00:00+08:00
// 1:200 is the Diamond ratio of DOMAIN.md rule set 4; 1:1000 the Silver.
int kManagers = 1000;

struct Fixture {
  std::unique_ptr<standing::Engine> engine;
  int64_t as_of = 0;
  uint64_t customers = 0;
  double heap_per_customer = 0;
};

size_t HeapInUse() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

Fixture* Build(uint64_t customers, int managers) {
  static Fixture* fixture = nullptr;
  if (fixture != nullptr && fixture->customers == customers &&
      kManagers == managers) {
    return fixture;
  }
  kManagers = managers;
  delete fixture;  // one engine at a time
  fixture = nullptr;
  const size_t heap_before = HeapInUse();
  auto policy = standing::ParsePolicy(kPolicy, standing::PolicyFormat::kText);
  if (!policy.ok()) return nullptr;
  auto engine = standing::Engine::Create(*policy);
  if (!engine.ok()) return nullptr;
  v1::Event e;
  for (uint64_t i = 0; i < customers; ++i) {
    const std::string id = absl::StrCat("customer-", i);
    e.Clear();
    e.set_customer_id(id);
    e.mutable_at()->set_seconds(kStart);
    (*e.mutable_enrolled()->mutable_attributes())["class"].set_text(
        i % 3 == 0 ? "B" : "C");
    if (!(*engine)->Apply(e, nullptr).ok()) return nullptr;
    e.Clear();
    e.set_customer_id(id);
    e.mutable_at()->set_seconds(kStart + 60);
    e.mutable_manager()->set_manager(absl::StrCat("manager-", i % kManagers));
    if (!(*engine)->Apply(e, nullptr).ok()) return nullptr;
  }
  // One phone contact per customer, spread over 28 days (in time order).
  for (uint64_t i = 0; i < customers; ++i) {
    e.Clear();
    e.set_customer_id(absl::StrCat("customer-", i));
    e.mutable_at()->set_seconds(
        kStart + 86400 + static_cast<int64_t>(i * 28 * 86400 / customers));
    e.mutable_contact()->set_channel("phone");
    if (!(*engine)->Apply(e, nullptr).ok()) return nullptr;
  }
  const double heap_per_customer =
      static_cast<double>(HeapInUse() - heap_before) /
      static_cast<double>(customers);
  fixture = new Fixture{std::move(*engine), kStart + 30 * 86400, customers,
                        heap_per_customer};
  return fixture;
}

void Run(benchmark::State& state, bool tier_filter) {
  Fixture* f = Build(static_cast<uint64_t>(state.range(0)),
                     static_cast<int>(state.range(1)));
  if (f == nullptr) {
    state.SkipWithError("setup failed");
    return;
  }
  std::vector<v1::OverdueQuery> queries(kManagers);
  for (int m = 0; m < kManagers; ++m) {
    queries[m].set_manager(absl::StrCat("manager-", m));
    queries[m].mutable_as_of()->set_seconds(f->as_of);
    queries[m].set_limit(static_cast<int>(state.range(2)));
    if (tier_filter) {
      queries[m].set_program("class");
      queries[m].set_tier("B");
    }
  }
  v1::OverdueList list;
  uint64_t items = 0, calls = 0;
  int m = 0;
  for (auto _ : state) {
    if (!f->engine->ListOverdue(queries[m], &list).ok()) {
      state.SkipWithError("ListOverdue failed");
      return;
    }
    items += static_cast<uint64_t>(list.items_size());
    ++calls;
    m = (m + 1) % kManagers;
  }
  state.counters["items/query"] =
      calls == 0 ? 0 : static_cast<double>(items) / static_cast<double>(calls);
  state.counters["customers"] = static_cast<double>(f->customers);
  state.counters["heap_B/customer"] = f->heap_per_customer;
}

void BM_OverdueForOneManager(benchmark::State& state) { Run(state, false); }
void BM_OverdueForOneManagerOneTier(benchmark::State& state) {
  Run(state, true);
}

// Args: customers, managers, page size (0: the default 1,000).
BENCHMARK(BM_OverdueForOneManager)
    ->ArgNames({"customers", "managers", "limit"})
    ->Args({1'000'000, 5'000, 0})
    ->Args({1'000'000, 5'000, 50})
    ->Args({1'000'000, 1'000, 0})
    ->Args({1'000'000, 1'000, 50})
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_OverdueForOneManagerOneTier)
    ->ArgNames({"customers", "managers", "limit"})
    ->Args({1'000'000, 5'000, 0})
    ->Args({1'000'000, 1'000, 0})
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
