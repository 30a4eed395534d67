// Credit (issue 6) under examples/policies/credit.json: the credit check
// (Engine::CheckCredit) and invoice and payment events (Engine::ApplyBatch
// and Engine::Apply).
//
// Setup (not timed, once per process): 100,000 B2B customers enrolled in
// July 2025 with half a year of history, applied in time order through
// ApplyBatch with a Review at every local month start (the quarterly
// reviews of 2025-10-01 and 2026-01-01 propose grade changes; a supervisor
// and then a manager approve every proposal): two purchases a month
// (a skewed revenue per customer), a monthly contract obligation (5% of
// customers miss a third of them), a monthly invoice on the grade's term
// paid on time (70% of customers), 10-40 days late (15%), 60-100 days late
// (10%) or never (5%), January 2026 invoices, and a Review on 2026-02-01
// (90+ days past due: black list). The result is a realistic spread of
// grades, limits, exposure and overdue invoices (printed on stderr, with
// the block pool's regions and bytes: src/block_pool.h).
//
// BM_CheckCredit: one CheckCredit into a reused CreditDecision, amounts
// from 0.2 to 2 months of the customer's revenue, at 2026-02-01 10:00.
// Customers visited in enrolment order or in a fixed shuffled order
// (caches cold for each lookup), over all 100,000, or over the first
// 10,000 (meant to stay in the 32 MiB L3) or 1,000 (in L2: the cost of
// the instructions alone). Target: >= 5 M checks/s on one core (<= 200 ns).
//
// BM_ApplyBatchInvoicePayment / BM_ApplyInvoicePayment: batches of 10,000
// events, 5,000 invoices (no due date: the grade's term) for consecutive
// customers, then the 5,000 payments naming them (on time, exact amount,
// so each settles its invoice and feeds the on-time payment metrics);
// with 1,000 customers, batches of 2,000. Batches rotate over the
// customers; their instants are fixed, so every pass finds the state it
// left (the invoice ids are open again only between an invoice and its
// payment). With next_day:1 the instants move a day on after each pass
// over the customers, so each customer's events fall on a new day: the
// stable marker of the last evaluation (src/evaluation_inputs.h) then
// covers them only while no window input has moved, as in a live stream.
// It runs last: it moves the engine's clock on, past the other streams'
// fixed instants. Target: >= 2 M events/s.
//
// BM_ApplyBatchInvoicePayment_CApi: the same batches, serialized, through
// standing_engine_apply_batch on an engine loaded from a snapshot of the
// fixture's (how the Python and C# bindings send events).
//
// "allocs/op" and "allocs/event" count global operator new calls inside
// the timed loop.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <new>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_TOGGLE_COLLECT
#endif

#include "allocation_counter.h"
#include "block_pool.h"
#include "standing/engine.h"
#include "standing/policy.h"
#include "standing/standing.h"

namespace {

namespace v1 = standing::v1;

// STANDING_BENCH_CUSTOMERS shrinks the population for profiling under
// callgrind, where the full setup would take an hour.
int PopulationSize() {
  const char* env = std::getenv("STANDING_BENCH_CUSTOMERS");
  const int n = env != nullptr ? std::atoi(env) : 0;
  return n > 0 ? n : 100000;
}
const int kCustomers = PopulationSize();

// STANDING_BENCH_ITERATIONS fixes the iteration count instead of running
// each benchmark for two seconds, so that two builds under callgrind count
// the same events (cache misses per event are compared that way).
void Timing(benchmark::internal::Benchmark* b) {
  const char* env = std::getenv("STANDING_BENCH_ITERATIONS");
  const int n = env != nullptr ? std::atoi(env) : 0;
  if (n > 0) {
    b->Iterations(n);
  } else {
    b->MinTime(2.0);
  }
}
constexpr int64_t kDay = 86400;
constexpr int64_t kHour = 3600;
constexpr int64_t kYuan = 100;
// Local (+08:00) midnights starting July 2025 .. February 2026.
constexpr int64_t kJul2025 = 1751299200;
constexpr int kMonthDays[] = {31, 31, 30, 31, 30, 31, 31};  // Jul .. Jan
constexpr int64_t kCheckAt = 1769911200;   // 2026-02-01T10:00:00+08:00
constexpr int64_t kStreamAt = 1769994000;  // 2026-02-02T09:00:00+08:00

int64_t MonthStart(int m) {  // m = 0: July 2025 .. 7: February 2026
  int64_t t = kJul2025;
  for (int i = 0; i < m; ++i) t += kMonthDays[i] * kDay;
  return t;
}

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// In [0, 1).
double Unit(uint64_t key) {
  return static_cast<double>(SplitMix64(key) >> 11) * 0x1.0p-53;
}

[[noreturn]] void Die(const char* what, const absl::Status& status) {
  std::fprintf(stderr, "%s: %s\n", what, status.ToString().c_str());
  std::abort();
}

std::string CustomerId(int i) {
  char id[16];
  std::snprintf(id, sizeof id, "K%07d", i);
  return id;
}

// Monthly revenue of customer i (fen): 10,000 .. ~3,000,000 CNY, skewed.
int64_t Monthly(int i) {
  const double u = Unit(static_cast<uint64_t>(i) * 7 + 1);
  return static_cast<int64_t>(10000.0 * std::pow(1.0 - u, -1.2)) * kYuan;
}

// 0: on time, 1: 10-40 days late, 2: 60-100 days late, 3: never.
int Payer(int i) {
  const double u = Unit(static_cast<uint64_t>(i) * 7 + 2);
  return u < 0.70 ? 0 : u < 0.85 ? 1 : u < 0.95 ? 2 : 3;
}

enum class Kind : uint8_t {
  kEnrol,
  kPurchase,
  kInvoice,
  kPayment,
  kObligation,
  kApproval,
};

struct Planned {
  int64_t at;
  int32_t customer;
  Kind kind;
  uint8_t flag;    // obligation: fulfilled; approval: step role
  uint16_t month;  // invoice / payment: the invoice's month
  int64_t amount;
};

void Write(const Planned& p, v1::Event* e) {
  e->Clear();
  e->set_customer_id(CustomerId(p.customer));
  e->mutable_at()->set_seconds(p.at);
  char id[32];
  switch (p.kind) {
    case Kind::kEnrol:
      (*e->mutable_enrolled()->mutable_attributes())["region"].set_text(
          p.customer % 2 ? "east" : "north");
      break;
    case Kind::kPurchase:
      e->mutable_purchase()->set_amount(p.amount);
      e->mutable_purchase()->set_currency("CNY");
      e->mutable_purchase()->set_quantity(1);
      break;
    case Kind::kInvoice:
      std::snprintf(id, sizeof id, "I%07d-%02u", p.customer, p.month);
      e->mutable_invoice()->set_invoice_id(id);
      e->mutable_invoice()->set_amount(p.amount);
      e->mutable_invoice()->set_currency("CNY");
      break;
    case Kind::kPayment:
      std::snprintf(id, sizeof id, "I%07d-%02u", p.customer, p.month);
      e->mutable_payment()->set_invoice_id(id);
      std::snprintf(id, sizeof id, "P%07d-%02u", p.customer, p.month);
      e->mutable_payment()->set_payment_id(id);
      e->mutable_payment()->set_amount(p.amount);
      e->mutable_payment()->set_currency("CNY");
      break;
    case Kind::kObligation:
      e->mutable_obligation()->set_contract_id("contract");
      e->mutable_obligation()->set_fulfilled(p.flag != 0);
      break;
    case Kind::kApproval:
      e->mutable_credit_approval()->set_decision(v1::CreditApproval::APPROVE);
      e->mutable_credit_approval()->set_role(p.flag == 0 ? "supervisor"
                                                         : "manager");
      e->mutable_credit_approval()->set_actor("bench");
      break;
  }
}

// The invoice/payment stream over the first `customers` customers:
// batches of up to 5,000 invoices for consecutive customers, then the
// payments naming them.
std::vector<std::vector<v1::Event>> MakeBatches(int customers) {
  std::vector<std::vector<v1::Event>> batches;
  const int pairs = std::min(customers, 5000);
  for (int b = 0; b < customers / pairs; ++b) {
    std::vector<v1::Event>& batch = batches.emplace_back(2 * pairs);
    for (int k = 0; k < pairs; ++k) {
      const int c = b * pairs + k;
      const int64_t amount =
          std::max<int64_t>(kYuan, Monthly(c) / 4 / kYuan * kYuan);
      char id[16];
      std::snprintf(id, sizeof id, "X%07d", c);
      v1::Event& inv = batch[k];
      inv.set_customer_id(CustomerId(c));
      inv.mutable_at()->set_seconds(kStreamAt + k % 3600);
      inv.mutable_invoice()->set_invoice_id(id);
      inv.mutable_invoice()->set_amount(amount);
      inv.mutable_invoice()->set_currency("CNY");
      v1::Event& pay = batch[pairs + k];
      pay.set_customer_id(CustomerId(c));
      pay.mutable_at()->set_seconds(kStreamAt + 4 * kHour + k % 3600);
      pay.mutable_payment()->set_invoice_id(id);
      pay.mutable_payment()->set_payment_id(id);
      pay.mutable_payment()->set_amount(amount);
      pay.mutable_payment()->set_currency("CNY");
    }
  }
  return batches;
}

struct Fixture {
  // Invoice/payment streams by customers rotated over, built before the
  // setup's millions of allocations so that, like a freshly parsed batch,
  // their strings and sub-messages lie together in memory rather than
  // scattered through a fragmented heap.
  std::map<int, std::vector<std::vector<v1::Event>>> streams;
  std::unique_ptr<standing::Engine> engine;
  std::string policy_json;            // examples/policies/credit.json
  std::vector<std::string> ids;       // in enrolment order
  std::vector<std::string> shuffled;  // the same, in a fixed random order
  std::vector<int64_t> amounts;       // order amount to check, per customer
};

void ApplyAll(standing::Engine& engine, std::vector<v1::Event>& chunk,
              const std::vector<Planned>& plan,
              std::vector<v1::Transition>* transitions) {
  for (size_t i = 0; i < plan.size(); i += chunk.size()) {
    const size_t n = std::min(chunk.size(), plan.size() - i);
    for (size_t k = 0; k < n; ++k) Write(plan[i + k], &chunk[k]);
    const absl::Status s =
        engine.ApplyBatch(chunk.data(), n, transitions, nullptr);
    if (!s.ok()) Die("setup ApplyBatch", s);
  }
}

Fixture& GetFixture() {
  static Fixture* fixture = [] {
    auto* f = new Fixture;
    for (int customers : {kCustomers, 10000, 1000}) {
      f->streams[customers] = MakeBatches(customers);
    }
    const std::string path =
        std::string(STANDING_SOURCE_DIR) + "/examples/policies/credit.json";
    std::ifstream file(path, std::ios::binary);
    std::stringstream bytes;
    bytes << file.rdbuf();
    f->policy_json = bytes.str();
    absl::StatusOr<v1::Policy> policy =
        standing::ParsePolicy(f->policy_json, standing::PolicyFormat::kJson);
    if (!policy.ok()) Die("ParsePolicy", policy.status());
    absl::StatusOr<std::unique_ptr<standing::Engine>> engine =
        standing::Engine::Create(*policy);
    if (!engine.ok()) Die("Engine::Create", engine.status());
    f->engine = std::move(*engine);
    standing::Engine& e = *f->engine;

    // Term of the grade at enrolment (红名单: 15 days) and after the
    // reviews; the plan uses 30 days for the payment dates (late payers
    // are late whatever the term).
    std::vector<Planned> plan;
    plan.reserve(static_cast<size_t>(kCustomers) * 40);
    for (int i = 0; i < kCustomers; ++i) {
      f->ids.push_back(CustomerId(i));
      const int64_t monthly = Monthly(i);
      const int payer = Payer(i);
      const bool misses = Unit(static_cast<uint64_t>(i) * 7 + 3) < 0.05;
      plan.push_back(
          {kJul2025 + 9 * kHour + i % 3600, i, Kind::kEnrol, 0, 0, 0});
      for (int m = 0; m < 7; ++m) {  // July .. January
        const int64_t start = MonthStart(m);
        const uint64_t key = (static_cast<uint64_t>(i) << 8) | m;
        const int64_t jitter = static_cast<int64_t>(SplitMix64(key) % 3600);
        if (m < 6) {
          for (int k = 0; k < 2; ++k) {
            plan.push_back({start + (3 + 14 * k) * kDay + 10 * kHour + jitter,
                            i, Kind::kPurchase, 0, 0,
                            monthly / 2 / kYuan * kYuan});
          }
          plan.push_back({start + 24 * kDay + 16 * kHour + jitter, i,
                          Kind::kObligation,
                          static_cast<uint8_t>(!(misses && m % 3 == 1)), 0, 0});
        }
        const int64_t invoice_at = start + 4 * kDay + 11 * kHour + jitter;
        const int64_t amount = monthly * 8 / 10 / kYuan * kYuan;
        plan.push_back({invoice_at, i, Kind::kInvoice, 0,
                        static_cast<uint16_t>(m), amount});
        int64_t pay_at = invoice_at + 12 * kDay;
        if (payer == 1) pay_at += (10 + SplitMix64(key + 1) % 31) * kDay;
        if (payer == 2) pay_at += (60 + SplitMix64(key + 1) % 41) * kDay;
        if (payer != 3 && pay_at < MonthStart(7)) {
          plan.push_back(
              {pay_at, i, Kind::kPayment, 0, static_cast<uint16_t>(m), amount});
        }
      }
    }
    std::sort(plan.begin(), plan.end(), [](const Planned& a, const Planned& b) {
      return a.at != b.at ? a.at < b.at : a.customer < b.customer;
    });
    std::vector<v1::Event> chunk(4096);
    std::vector<v1::Transition> transitions;
    std::vector<Planned> part;
    size_t next = 0;
    uint64_t events = plan.size(), approvals = 0;
    for (int m = 1; m <= 7; ++m) {
      const int64_t review = MonthStart(m);
      part.clear();
      while (next < plan.size() && plan[next].at < review) {
        part.push_back(plan[next++]);
      }
      ApplyAll(e, chunk, part, nullptr);
      transitions.clear();
      if (auto s = e.Review(review, &transitions); !s.ok()) Die("Review", s);
      // Approve every proposal: the supervisor, then a manager.
      part.clear();
      for (const v1::Transition& t : transitions) {
        if (t.kind() != v1::PROPOSED) continue;
        const int c = std::atoi(t.customer_id().c_str() + 1);
        part.push_back({review + 60, c, Kind::kApproval, 0, 0, 0});
      }
      const size_t step0 = part.size();
      for (size_t k = 0; k < step0; ++k) {
        Planned p = part[k];
        p.at += 60;
        p.flag = 1;
        part.push_back(p);
      }
      approvals += part.size();
      ApplyAll(e, chunk, part, nullptr);
    }
    if (auto s = e.Review(MonthStart(7), nullptr); !s.ok()) Die("Review", s);

    v1::CreditReport report;
    if (auto s = e.GetCreditReport(1, &report); !s.ok()) Die("report", s);
    std::fprintf(stderr,
                 "credit_bench setup: %d customers, %" PRIu64
                 " events and %" PRIu64 " approvals; grades:",
                 kCustomers, events, approvals);
    for (const auto& g : report.grades()) {
      std::fprintf(stderr, " %s %" PRIu64, g.grade().c_str(),
                   static_cast<uint64_t>(g.customers()));
    }
    std::fprintf(stderr, "; %" PRIu64 " overdue\n",
                 static_cast<uint64_t>(report.customers_overdue()));
    const standing::PoolStats pool = standing::GetPoolStats();
    std::fprintf(stderr,
                 "block pool: %zu regions (%zu marked for huge pages), "
                 "%zu MiB in small blocks, %zu MiB large, %zu MiB medium\n",
                 pool.regions, pool.huge_regions, pool.small_live_bytes >> 20,
                 pool.large_bytes >> 20, pool.medium_bytes >> 20);

    for (int i = 0; i < kCustomers; ++i) {
      const double factor = 0.2 + 1.8 * Unit(static_cast<uint64_t>(i) * 7 + 4);
      f->amounts.push_back(std::max<int64_t>(
          kYuan, static_cast<int64_t>(factor *
                                      static_cast<double>(Monthly(i) / kYuan)) *
                     kYuan));
    }
    f->shuffled = f->ids;
    std::mt19937_64 rng(42);
    std::shuffle(f->shuffled.begin(), f->shuffled.end(), rng);

    return f;
  }();
  return *fixture;
}

// Args: order (0: enrolment order; 1: shuffled, each lookup likely a cache
// miss on the id hash bucket, the customer record and its credit account)
// and how many customers are visited.
void BM_CheckCredit(benchmark::State& state) {
  Fixture& f = GetFixture();
  const std::vector<std::string>& ids =
      state.range(0) == 0 ? f.ids : f.shuffled;
  const uint64_t visited = static_cast<uint64_t>(state.range(1));
  // Amounts follow the ids visited.
  std::vector<int64_t> amounts(visited);
  for (uint64_t i = 0; i < visited; ++i) {
    amounts[i] = f.amounts[std::atoi(ids[i].c_str() + 1)];
  }
  v1::CreditDecision decision;
  uint64_t next = 0;
  uint64_t outcomes[4] = {};
  const uint64_t allocations_before = standing_bench::AllocationCount();
  for (auto _ : state) {
    const uint64_t i = next++ % visited;
    const absl::Status status =
        f.engine->CheckCredit(ids[i], amounts[i], kCheckAt, &decision);
    if (!status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      break;
    }
    ++outcomes[decision.outcome() & 3];
  }
  const uint64_t allocations =
      standing_bench::AllocationCount() - allocations_before;
  const double iterations =
      static_cast<double>(std::max<int64_t>(1, state.iterations()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["allocs/op"] = static_cast<double>(allocations) / iterations;
  state.counters["approve"] = static_cast<double>(outcomes[1]) / iterations;
  state.counters["warn"] = static_cast<double>(outcomes[2]) / iterations;
  state.counters["block"] = static_cast<double>(outcomes[3]) / iterations;
}
BENCHMARK(BM_CheckCredit)
    ->ArgNames({"shuffled", "customers"})
    ->Args({0, kCustomers})
    ->Args({1, kCustomers})
    ->Args({0, 10000})
    ->Args({0, 1000})
    ->Apply(Timing);

// `batch`: ApplyBatch of each batch, else Apply of each event. Arg: how
// many customers the stream rotates over.
void RunInvoicePayment(benchmark::State& state, bool batch) {
  Fixture& f = GetFixture();
  std::vector<std::vector<v1::Event>>& stream =
      f.streams.at(static_cast<int>(state.range(0)));
  const bool next_day = state.range(1) != 0;
  const uint64_t batches = stream.size();
  std::vector<v1::Transition> transitions;
  transitions.reserve(64);
  uint64_t next = 0, events = 0, produced = 0;
  const uint64_t allocations_before = standing_bench::AllocationCount();
  // Under `valgrind --tool=callgrind --collect-atstart=no` only the timed
  // loop is counted.
  CALLGRIND_TOGGLE_COLLECT;
  for (auto _ : state) {
    if (next_day && next > 0 && next % batches == 0) {
      // A new day for everyone: instants move on, untimed.
      state.PauseTiming();
      for (auto& batch_events : stream) {
        for (v1::Event& e : batch_events) {
          e.mutable_at()->set_seconds(e.at().seconds() + kDay);
        }
      }
      state.ResumeTiming();
    }
    const std::vector<v1::Event>& b = stream[next++ % batches];
    absl::Status status;
    if (batch) {
      status = f.engine->ApplyBatch(b.data(), b.size(), &transitions, nullptr);
    } else {
      for (const v1::Event& e : b) {
        status = f.engine->Apply(e, &transitions);
        if (!status.ok()) break;
      }
    }
    if (!status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      break;
    }
    events += b.size();
    if (!transitions.empty()) {
      produced += transitions.size();
      transitions.clear();
    }
  }
  CALLGRIND_TOGGLE_COLLECT;
  const uint64_t allocations =
      standing_bench::AllocationCount() - allocations_before;
  state.SetItemsProcessed(static_cast<int64_t>(events));
  state.counters["allocs/event"] =
      static_cast<double>(allocations) /
      static_cast<double>(std::max<uint64_t>(1, events));
  state.counters["transitions"] = static_cast<double>(produced);
}

void BM_ApplyBatchInvoicePayment(benchmark::State& state) {
  RunInvoicePayment(state, true);
}
void BM_ApplyInvoicePayment(benchmark::State& state) {
  RunInvoicePayment(state, false);
}
BENCHMARK(BM_ApplyBatchInvoicePayment)
    ->ArgNames({"customers", "next_day"})
    ->Args({kCustomers, 0})
    ->Args({10000, 0})
    ->Args({1000, 0})
    ->Apply(Timing);

// The same stream through the C ABI, as the Python and C# bindings send it:
// each batch serialized once at setup, then standing_engine_apply_batch,
// which parses it into the thread's reused events and applies them. The
// engine is loaded from a snapshot of the C++ fixture's.
void BM_ApplyBatchInvoicePayment_CApi(benchmark::State& state) {
  Fixture& f = GetFixture();
  std::string snapshot;
  if (absl::Status s = f.engine->SaveSnapshot(&snapshot); !s.ok()) {
    Die("SaveSnapshot", s);
  }
  standing_engine* handle = nullptr;
  if (standing_engine_load(
          reinterpret_cast<const uint8_t*>(snapshot.data()), snapshot.size(),
          reinterpret_cast<const uint8_t*>(f.policy_json.data()),
          f.policy_json.size(), STANDING_FORMAT_JSON, nullptr,
          &handle) != STANDING_OK) {
    state.SkipWithError("standing_engine_load failed");
    return;
  }
  snapshot.clear();
  snapshot.shrink_to_fit();
  std::vector<std::string> batches;
  for (const auto& b : f.streams.at(static_cast<int>(state.range(0)))) {
    v1::EventBatch batch;
    for (const v1::Event& e : b) *batch.add_events() = e;
    batches.push_back(batch.SerializeAsString());
  }
  uint64_t next = 0, events = 0;
  for (auto _ : state) {
    const std::string& bytes = batches[next++ % batches.size()];
    size_t applied = 0;
    const standing_status st = standing_engine_apply_batch(
        handle, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
        nullptr, &applied);
    if (st != STANDING_OK) {
      state.SkipWithError(standing_last_error());
      break;
    }
    events += applied;
  }
  state.SetItemsProcessed(static_cast<int64_t>(events));
  standing_engine_close(handle);
}
BENCHMARK(BM_ApplyBatchInvoicePayment_CApi)
    ->ArgNames({"customers"})
    ->Arg(kCustomers)
    ->Arg(1000)
    ->Apply(Timing);
BENCHMARK(BM_ApplyInvoicePayment)
    ->ArgNames({"customers", "next_day"})
    ->Args({kCustomers, 0})
    ->Apply(Timing);
// Last: moving the instants on moves the engine's clock, after which the
// other streams' fixed instants fall behind the late-event horizon.
BENCHMARK(BM_ApplyBatchInvoicePayment)
    ->ArgNames({"customers", "next_day"})
    ->Args({kCustomers, 1})
    ->Apply(Timing);

}  // namespace

BENCHMARK_MAIN();
