// Memory per customer under the retail example policy
// (examples/policies/retail.json): glibc's mallinfo2() before and after
// enrolling 1,000,000 customers and applying about 5 purchases each (with
// the month-start reviews a host would run; retail_workload.h). Counts
// bytes in use from both the heap (uordblks) and separately mmapped blocks
// (hblkhd), over all arenas, plus what the engine's block pool maps
// (src/block_pool.h: state words, window blocks, invoices, big tables;
// its regions count in full, free blocks included).
//
// Target: <= 400 bytes/customer.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "block_pool.h"
#include "retail_workload.h"
#include "standing/engine.h"
#include "standing/policy.h"

namespace {

namespace v1 = standing::v1;

size_t HeapInUse() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd + standing::GetPoolStats().mapped_bytes();
}

// Resident set size in bytes (VmRSS), for information.
double ResidentBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::stod(line.substr(6)) * 1024.0;
    }
  }
  return 0;
}

void BM_MemoryPerCustomer(benchmark::State& state) {
  const uint64_t customers = static_cast<uint64_t>(state.range(0));
  absl::StatusOr<v1::Policy> policy = standing_bench::LoadRetailPolicy();
  if (!policy.ok()) {
    state.SkipWithError(policy.status().ToString().c_str());
    return;
  }
  for (auto _ : state) {
    absl::StatusOr<std::unique_ptr<standing::Engine>> engine =
        standing::Engine::Create(*policy);
    if (!engine.ok()) {
      state.SkipWithError(engine.status().ToString().c_str());
      return;
    }
    auto workload =
        std::make_unique<standing_bench::RetailWorkload>(customers, 5);
    const size_t before = HeapInUse();
    if (absl::Status s = workload->Replay(**engine); !s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      return;
    }
    malloc_trim(0);
    const size_t after = HeapInUse();
    const double per_customer =
        (static_cast<double>(after) - static_cast<double>(before)) /
        static_cast<double>(customers);
    state.counters["bytes/customer"] = per_customer;
    state.counters["heap_MiB"] =
        (static_cast<double>(after) - static_cast<double>(before)) / 1048576.0;
    state.counters["rss_MiB"] = ResidentBytes() / 1048576.0;
    state.counters["customers"] = static_cast<double>(customers);
    state.counters["engine_customers"] =
        static_cast<double>((*engine)->customer_count());
  }
}
BENCHMARK(BM_MemoryPerCustomer)
    ->Arg(1000000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Customers under examples/policies/credit.json, each with a purchase, an
// invoice paid on time and one invoice left open (the common B2B state):
// tier and metric words plus the credit account (grade, criteria of the
// rating, one open invoice). For the record in bench/README.md.
void BM_MemoryPerCreditCustomer(benchmark::State& state) {
  const int64_t customers = state.range(0);
  std::ifstream in(STANDING_SOURCE_DIR "/examples/policies/credit.json");
  std::string json((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  absl::StatusOr<v1::Policy> policy =
      standing::ParsePolicy(json, standing::PolicyFormat::kJson);
  if (!policy.ok()) {
    state.SkipWithError(policy.status().ToString().c_str());
    return;
  }
  for (auto _ : state) {
    auto engine = standing::Engine::Create(*policy);
    if (!engine.ok()) {
      state.SkipWithError(engine.status().ToString().c_str());
      return;
    }
    const size_t before = HeapInUse();
    const int64_t t0 = 1767225600;  // 2026-01-01T00:00:00Z
    v1::Event e;
    std::vector<v1::Transition> out;
    char id[32];
    auto apply = [&](int64_t at) {
      e.mutable_at()->set_seconds(at);
      out.clear();
      return (*engine)->Apply(e, &out);
    };
    for (int64_t c = 0; c < customers; ++c) {
      std::snprintf(id, sizeof(id), "B%07lld", static_cast<long long>(c));
      e.Clear();
      e.set_customer_id(id);
      e.mutable_enrolled();
      absl::Status s = apply(t0);
      e.clear_enrolled();
      auto* buy = e.mutable_purchase();
      buy->set_amount(100000 + c % 1000 * 1000);
      if (s.ok()) s = apply(t0 + 86400);
      e.clear_purchase();
      auto* inv = e.mutable_invoice();
      inv->set_invoice_id("INV-000001");
      inv->set_amount(50000);
      if (s.ok()) s = apply(t0 + 2 * 86400);
      e.clear_invoice();
      e.mutable_payment()->set_amount(50000);
      if (s.ok()) s = apply(t0 + 3 * 86400);
      e.clear_payment();
      inv = e.mutable_invoice();
      inv->set_invoice_id("INV-000002");
      inv->set_amount(70000);
      if (s.ok()) s = apply(t0 + 4 * 86400);
      e.clear_invoice();
      if (!s.ok()) {
        state.SkipWithError(s.ToString().c_str());
        return;
      }
    }
    malloc_trim(0);
    const size_t after = HeapInUse();
    state.counters["bytes/customer"] =
        (static_cast<double>(after) - static_cast<double>(before)) /
        static_cast<double>(customers);
    state.counters["rss_MiB"] = ResidentBytes() / 1048576.0;
  }
}
BENCHMARK(BM_MemoryPerCreditCustomer)
    ->Arg(200000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
