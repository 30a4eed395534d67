// Evaluating one 5-tier program for one customer (the hot path inside
// every apply): target >= 20 M evaluations/s on one core.
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "compiled_policy.h"
#include "metric_state.h"
#include "program_eval.h"
#include "standing/policy.h"

namespace standing {
namespace {

constexpr char kPolicy[] = R"pb(
  name: "bench-5-tier"
  currency: "CNY"
  time_zone: "+08:00"
  attributes { name: "region" type: TEXT }
  metrics {
    name: "spend_year"
    aggregate: SUM
    field: AMOUNT
    window { calendar { period: YEAR } }
  }
  metrics {
    name: "spend_last_year"
    aggregate: SUM
    field: AMOUNT
    window { calendar { period: YEAR periods_back: 1 } }
  }
  metrics {
    name: "purchases_year"
    aggregate: COUNT
    window { calendar { period: YEAR } }
  }
  tier_programs {
    name: "membership"
    review { yearly { month: 1 day: 1 } }
    tiers { name: "basic" }
    tiers {
      name: "silver"
      qualify {
        any {
          conditions { metric { metric: "spend_year" op: GE value: 500000 } }
          conditions {
            metric { metric: "spend_last_year" op: GE value: 500000 }
          }
        }
      }
    }
    tiers {
      name: "gold"
      qualify {
        all {
          conditions {
            any {
              conditions {
                metric { metric: "spend_year" op: GE value: 2000000 }
              }
              conditions {
                metric { metric: "spend_last_year" op: GE value: 2000000 }
              }
            }
          }
          conditions { metric { metric: "purchases_year" op: GE value: 8 } }
        }
      }
    }
    tiers {
      name: "platinum"
      qualify {
        all {
          conditions { metric { metric: "spend_year" op: GE value: 5000000 } }
          conditions { metric { metric: "purchases_year" op: GE value: 12 } }
        }
      }
    }
    tiers {
      name: "diamond"
      qualify {
        all {
          conditions { metric { metric: "spend_year" op: GE value: 10000000 } }
          conditions { metric { metric: "purchases_year" op: GE value: 20 } }
        }
      }
    }
  }
)pb";

struct Fixture {
  Interner interner;
  std::shared_ptr<const CompiledPolicy> policy;
  std::unique_ptr<int64_t[]> words;
  AsOf as_of;

  explicit Fixture(int64_t spend_per_purchase) {
    auto parsed = ParsePolicy(kPolicy, PolicyFormat::kText);
    if (!parsed.ok()) std::abort();
    auto compiled = CompilePolicy(*parsed, interner);
    if (!compiled.ok()) std::abort();
    policy = *compiled;
    words = std::make_unique<int64_t[]>(policy->total_words);
    const int64_t t0 = 1767196800;  // 2026-01-01T00:00:00+08:00
    const CustomerWords c{words.get(), nullptr, t0};
    InitMetricWords(*policy, c);
    for (int i = 0; i < 10; ++i) {
      EventFacts e;
      e.kind = v1::PURCHASE;
      e.amount = spend_per_purchase;
      e.at = AsOf::Make(policy->clock, t0 + i * 86400 * 20);
      ApplyEventToMetrics(*policy, e, c);
    }
    as_of = AsOf::Make(policy->clock, t0 + 200 * 86400);
  }
};

// A gold customer: the evaluation tries diamond and platinum first.
void BM_QualifiedTier(benchmark::State& state) {
  Fixture f(300000);
  const CustomerWords c{f.words.get(), nullptr, 0};
  for (auto _ : state) {
    benchmark::DoNotOptimize(QualifiedTier(*f.policy, 0, c, f.as_of));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_QualifiedTier);

// With floors and grants considered, as apply does.
void BM_ComputeTarget(benchmark::State& state) {
  Fixture f(300000);
  const CustomerWords c{f.words.get(), nullptr, 0};
  for (auto _ : state) {
    benchmark::DoNotOptimize(ComputeTarget(*f.policy, 0, c, f.as_of, -1));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ComputeTarget);

}  // namespace
}  // namespace standing

BENCHMARK_MAIN();
