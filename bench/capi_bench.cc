// The cost of the C ABI over the C++ API, on one engine with the retail
// policy (examples/policies/retail.json) and 10,000 customers.
//
// The C ABI sources are compiled into this benchmark (cmake/
// standing_capi.cmake), so both sides call the very same engine object;
// the difference is the ABI layer: argument checks, UTF-8 validation,
// parsing inputs and serializing results into malloc'd buffers.
//
// Pairs to compare (bench/README.md, "C ABI and Python"):
//   BM_GetCustomer_Cpp           vs BM_GetCustomer_CApi
//   BM_GetCustomer_CppSerialized vs BM_GetCustomer_CApi (bytes on both sides)
//   BM_ApplyPurchase_Cpp         vs BM_ApplyPurchase_CApi
//
// BM_ApplyBatch_KeyAccount is the C# bench's ApplyBatchSerialized without
// dotnet: its own engine under examples/policies/key_account.json, the same
// 10,000 customers and the same serialized batch applied again and again.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "capi/engine_handle.h"
#include "capi/wire.h"
#include "standing/engine.h"
#include "standing/standing.h"
#include "standing/v1/customer.pb.h"
#include "standing/v1/event.pb.h"
#include "standing/v1/transition.pb.h"

namespace {

namespace v1 = standing::v1;

constexpr int kCustomers = 10000;
constexpr int64_t kStart = 1767225600;  // 2026-01-01T00:00:00Z

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Id(int i) { return "customer-" + std::to_string(i); }

v1::Event Purchase(int customer, int64_t at, int64_t amount) {
  v1::Event e;
  e.set_customer_id(Id(customer));
  e.mutable_at()->set_seconds(at);
  auto* p = e.mutable_purchase();
  p->set_amount(amount);
  p->set_currency("CNY");
  p->set_category(customer % 3 == 0 ? "mid_high_end" : "grocery");
  p->set_quantity(1);
  return e;
}

// One engine shared by every benchmark; the clock only moves forward.
struct Fixture {
  standing_engine* handle = nullptr;
  int64_t now = kStart;

  Fixture() {
    std::string policy = ReadFile(std::string(STANDING_SOURCE_DIR) +
                                  "/examples/policies/retail.json");
    if (standing_engine_open(reinterpret_cast<const uint8_t*>(policy.data()),
                             policy.size(), STANDING_FORMAT_JSON, nullptr,
                             &handle) != STANDING_OK) {
      std::fprintf(stderr, "open: %s\n", standing_last_error());
      std::abort();
    }
    v1::EventBatch batch;
    for (int i = 0; i < kCustomers; ++i) {
      v1::Event* e = batch.add_events();
      e->set_customer_id(Id(i));
      e->mutable_at()->set_seconds(now);
      e->mutable_enrolled();
    }
    for (int k = 0; k < 5; ++k) {
      now += 3600;
      for (int i = 0; i < kCustomers; ++i) {
        *batch.add_events() = Purchase(i, now, 10000 + 997 * ((i + k) % 50));
      }
    }
    std::string bytes = batch.SerializeAsString();
    if (standing_engine_apply_batch(
            handle, reinterpret_cast<const uint8_t*>(bytes.data()),
            bytes.size(), nullptr, nullptr) != STANDING_OK) {
      std::fprintf(stderr, "setup: %s\n", standing_last_error());
      std::abort();
    }
  }
  standing::Engine& engine() { return *handle->engine; }
};

Fixture& F() {
  static Fixture* f = new Fixture;
  return *f;
}

void BM_GetCustomer_Cpp(benchmark::State& state) {
  Fixture& f = F();
  std::vector<std::string> ids;
  for (int i = 0; i < 1024; ++i) ids.push_back(Id((i * 7919) % kCustomers));
  v1::Customer c;
  size_t i = 0;
  for (auto _ : state) {
    absl::Status st = f.engine().GetCustomer(ids[i++ & 1023], &c);
    benchmark::DoNotOptimize(st);
    benchmark::DoNotOptimize(c);
  }
}
BENCHMARK(BM_GetCustomer_Cpp);

void BM_GetCustomer_CppSerialized(benchmark::State& state) {
  Fixture& f = F();
  std::vector<std::string> ids;
  for (int i = 0; i < 1024; ++i) ids.push_back(Id((i * 7919) % kCustomers));
  v1::Customer c;
  std::string bytes;
  size_t i = 0;
  for (auto _ : state) {
    absl::Status st = f.engine().GetCustomer(ids[i++ & 1023], &c);
    c.SerializeToString(&bytes);
    benchmark::DoNotOptimize(st);
    benchmark::DoNotOptimize(bytes);
  }
}
BENCHMARK(BM_GetCustomer_CppSerialized);

// The C++ call the C ABI makes: the wire format written from the engine's
// state (Engine::GetCustomerBytes), no message built.
void BM_GetCustomer_CppBytes(benchmark::State& state) {
  Fixture& f = F();
  std::vector<std::string> ids;
  for (int i = 0; i < 1024; ++i) ids.push_back(Id((i * 7919) % kCustomers));
  std::string bytes;
  size_t i = 0;
  for (auto _ : state) {
    absl::Status st = f.engine().GetCustomerBytes(ids[i++ & 1023], &bytes);
    benchmark::DoNotOptimize(st);
    benchmark::DoNotOptimize(bytes);
  }
}
BENCHMARK(BM_GetCustomer_CppBytes);

void BM_GetCustomer_CApi(benchmark::State& state) {
  Fixture& f = F();
  std::vector<std::string> ids;
  for (int i = 0; i < 1024; ++i) ids.push_back(Id((i * 7919) % kCustomers));
  size_t i = 0;
  standing_buffer out = {nullptr, 0};
  for (auto _ : state) {
    const std::string& id = ids[i++ & 1023];
    standing_status st =
        standing_engine_get_customer(f.handle, id.data(), id.size(), &out);
    benchmark::DoNotOptimize(st);
    benchmark::DoNotOptimize(out.data);
    standing_buffer_free(&out);
  }
  state.counters["bytes"] = 0;
  {
    const std::string& id = ids[0];
    standing_engine_get_customer(f.handle, id.data(), id.size(), &out);
    state.counters["bytes"] = static_cast<double>(out.len);
    standing_buffer_free(&out);
  }
}
BENCHMARK(BM_GetCustomer_CApi);

// Purchases that cause no transition (small amounts, grocery).
std::vector<v1::Event> SmallPurchases(int64_t at) {
  std::vector<v1::Event> events;
  for (int i = 0; i < 4096; ++i) {
    v1::Event e = Purchase((i * 31) % kCustomers, at, 1);
    e.mutable_purchase()->set_category("grocery");
    events.push_back(std::move(e));
  }
  return events;
}

void BM_ApplyPurchase_Cpp(benchmark::State& state) {
  Fixture& f = F();
  f.now += 60;
  std::vector<v1::Event> events = SmallPurchases(f.now);
  std::vector<v1::Transition> transitions;
  size_t i = 0;
  for (auto _ : state) {
    transitions.clear();
    absl::Status st = f.engine().Apply(events[i++ & 4095], &transitions);
    benchmark::DoNotOptimize(st);
  }
}
BENCHMARK(BM_ApplyPurchase_Cpp);

void BM_ApplyPurchase_CApi(benchmark::State& state) {
  Fixture& f = F();
  f.now += 60;
  std::vector<v1::Event> events = SmallPurchases(f.now);
  std::vector<std::string> bytes;
  for (const auto& e : events) bytes.push_back(e.SerializeAsString());
  standing_buffer out = {nullptr, 0};
  size_t i = 0;
  for (auto _ : state) {
    const std::string& b = bytes[i++ & 4095];
    standing_status st = standing_engine_apply(
        f.handle, reinterpret_cast<const uint8_t*>(b.data()), b.size(), &out);
    benchmark::DoNotOptimize(st);
    standing_buffer_free(&out);
  }
}
BENCHMARK(BM_ApplyPurchase_CApi);

// Events per second through one apply_batch call of `range(0)` events.
void BM_ApplyBatch_CApi(benchmark::State& state) {
  Fixture& f = F();
  const int n = static_cast<int>(state.range(0));
  v1::EventBatch batch;
  for (int i = 0; i < n; ++i) {
    v1::Event* e = batch.add_events();
    *e = Purchase((i * 31) % kCustomers, 0, 1);
    e->mutable_purchase()->set_category("grocery");
  }
  for (auto _ : state) {
    state.PauseTiming();
    f.now += 1;
    for (auto& e : *batch.mutable_events()) e.mutable_at()->set_seconds(f.now);
    std::string bytes = batch.SerializeAsString();
    standing_buffer out = {nullptr, 0};
    state.ResumeTiming();
    size_t applied = 0;
    standing_status st = standing_engine_apply_batch(
        f.handle, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
        &out, &applied);
    benchmark::DoNotOptimize(st);
    standing_buffer_free(&out);
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_ApplyBatch_CApi)->Arg(10000)->Unit(benchmark::kMillisecond);

// The same through the C++ API (events already parsed): the engine's share.
void BM_ApplyBatch_Cpp(benchmark::State& state) {
  Fixture& f = F();
  const int n = static_cast<int>(state.range(0));
  std::vector<v1::Event> events;
  for (int i = 0; i < n; ++i) {
    events.push_back(Purchase((i * 31) % kCustomers, 0, 1));
    events.back().mutable_purchase()->set_category("grocery");
  }
  std::vector<v1::Transition> transitions;
  for (auto _ : state) {
    state.PauseTiming();
    f.now += 1;
    for (auto& e : events) e.mutable_at()->set_seconds(f.now);
    transitions.clear();
    state.ResumeTiming();
    absl::Status st =
        f.engine().ApplyBatch(events.data(), events.size(), &transitions);
    benchmark::DoNotOptimize(st);
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_ApplyBatch_Cpp)->Arg(10000)->Unit(benchmark::kMillisecond);

// The workload of bench/csharp/StandingBench ApplyBatchSerialized: 10,000
// customers KA-0000000.. enrolled with region and revenue_group at
// 2025-01-02T10:00+08:00, one purchase each an hour later (event ids
// inv-<i>, 1000 + i % 5000 CNY cents, category "postal"), serialized once
// and applied again and again (the sums grow; the instant does not move).
struct KeyAccountFixture {
  standing_engine* handle = nullptr;
  std::string batch;

  KeyAccountFixture() {
    std::string policy = ReadFile(std::string(STANDING_SOURCE_DIR) +
                                  "/examples/policies/key_account.json");
    if (standing_engine_open(reinterpret_cast<const uint8_t*>(policy.data()),
                             policy.size(), STANDING_FORMAT_JSON, nullptr,
                             &handle) != STANDING_OK) {
      std::fprintf(stderr, "open: %s\n", standing_last_error());
      std::abort();
    }
    constexpr int64_t kKaStart = 1735783200;  // 2025-01-02T10:00:00+08:00
    v1::EventBatch enrol;
    v1::EventBatch purchases;
    for (int i = 0; i < kCustomers; ++i) {
      char id[16];
      std::snprintf(id, sizeof(id), "KA-%07d", i);
      v1::Event* e = enrol.add_events();
      e->set_customer_id(id);
      e->mutable_at()->set_seconds(kKaStart);
      auto& attrs = *e->mutable_enrolled()->mutable_attributes();
      attrs["region"].set_text(i % 2 == 0 ? "east" : "north");
      attrs["revenue_group"].set_text(std::to_string(1 + i % 3));
      v1::Event* p = purchases.add_events();
      p->set_customer_id(id);
      p->mutable_at()->set_seconds(kKaStart + 3600);
      p->set_event_id("inv-" + std::to_string(i));
      auto* pu = p->mutable_purchase();
      pu->set_amount(1000 + i % 5000);
      pu->set_currency("CNY");
      pu->set_category("postal");
      pu->set_quantity(1);
    }
    // Set up through the C++ API, so that a profile of
    // standing_engine_apply_batch (callgrind --toggle-collect) sees only
    // the measured calls.
    for (const v1::EventBatch* b : {&enrol, &purchases}) {
      const std::vector<v1::Event> events(b->events().begin(),
                                          b->events().end());
      absl::Status st =
          handle->engine->ApplyBatch(events.data(), events.size(), nullptr);
      if (!st.ok()) {
        std::fprintf(stderr, "setup: %s\n", st.ToString().c_str());
        std::abort();
      }
    }
    batch = purchases.SerializeAsString();
  }
};

KeyAccountFixture& KA() {
  static KeyAccountFixture* f = new KeyAccountFixture;
  return *f;
}

// One standing_engine_apply_batch of the serialized batch per iteration,
// transitions returned, as the C# binding calls it.
void BM_ApplyBatch_KeyAccount_CApi(benchmark::State& state) {
  KeyAccountFixture& f = KA();
  for (auto _ : state) {
    standing_buffer out = {nullptr, 0};
    size_t applied = 0;
    standing_status st = standing_engine_apply_batch(
        f.handle, reinterpret_cast<const uint8_t*>(f.batch.data()),
        f.batch.size(), &out, &applied);
    if (st != STANDING_OK) {
      state.SkipWithError(standing_last_error());
      break;
    }
    benchmark::DoNotOptimize(out.data);
    standing_buffer_free(&out);
  }
  state.SetItemsProcessed(state.iterations() * kCustomers);
}
BENCHMARK(BM_ApplyBatch_KeyAccount_CApi)->Unit(benchmark::kMillisecond);

// Where that time goes, part 1: the parse of the batch alone, into reused
// events (the C ABI's share of BM_ApplyBatch_KeyAccount_CApi).
void BM_ParseBatch_KeyAccount(benchmark::State& state) {
  KeyAccountFixture& f = KA();
  std::vector<v1::Event> events;
  std::string error;
  for (auto _ : state) {
    size_t count = 0;
    if (!standing::capi::ParseEventBatch(
            reinterpret_cast<const uint8_t*>(f.batch.data()), f.batch.size(),
            &events, &count, &error)) {
      state.SkipWithError(error.c_str());
      break;
    }
    benchmark::DoNotOptimize(count);
  }
  state.SetItemsProcessed(state.iterations() * kCustomers);
}
BENCHMARK(BM_ParseBatch_KeyAccount)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
