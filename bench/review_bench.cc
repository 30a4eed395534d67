// The year-end review of 1,000,000 customers under the retail example
// policy (examples/policies/retail.json).
//
// Setup (not timed): enrol 1,000,000 customers in January 2026, apply about
// 5 purchases each from February to December in time order, with the
// month-start reviews a host's scheduler would run (retail_workload.h).
// Timed: Engine::Review(2027-01-01T00:00:00+08:00) with the default options
// (review on all hardware threads), including the transitions and their
// explanations handed back to the host.
//
// Target: <= 1 s on 2 cores.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "retail_workload.h"
#include "standing/engine.h"

namespace {

namespace v1 = standing::v1;

constexpr int64_t kYearEnd = 1798732800;  // 2027-01-01T00:00:00+08:00

void BM_YearEndReview(benchmark::State& state) {
  const uint64_t customers = static_cast<uint64_t>(state.range(0));
  absl::StatusOr<v1::Policy> policy = standing_bench::LoadRetailPolicy();
  if (!policy.ok()) {
    state.SkipWithError(policy.status().ToString().c_str());
    return;
  }
  absl::StatusOr<std::unique_ptr<standing::Engine>> engine =
      standing::Engine::Create(*policy);
  if (!engine.ok()) {
    state.SkipWithError(engine.status().ToString().c_str());
    return;
  }
  standing_bench::RetailWorkload workload(customers, 5);
  if (absl::Status s = workload.Replay(**engine); !s.ok()) {
    state.SkipWithError(s.ToString().c_str());
    return;
  }

  std::vector<v1::Transition> transitions;
  for (auto _ : state) {
    transitions.clear();
    const absl::Status status = (*engine)->Review(kYearEnd, &transitions);
    if (!status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      return;
    }
  }
  state.counters["customers"] = static_cast<double>(customers);
  state.counters["transitions"] = static_cast<double>(transitions.size());
  state.counters["customers/s"] = benchmark::Counter(
      static_cast<double>(customers), benchmark::Counter::kIsRate);
}
// One iteration: a second Review at the same instant would find nothing due.
BENCHMARK(BM_YearEndReview)
    ->Arg(1000000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
