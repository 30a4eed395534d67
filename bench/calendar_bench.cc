// Due-time computation in working time on the mainland China 2025-2026
// calendar (issue 5 target: >= 2 M/s).
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include "google/protobuf/util/json_util.h"
#include "work_calendar.h"

namespace standing {
namespace {

const WorkCalendar& China() {
  static const WorkCalendar* cal = [] {
    std::ifstream in(std::string(STANDING_SOURCE_DIR) +
                     "/examples/calendars/cn-2025-2026.json");
    std::stringstream bytes;
    bytes << in.rdbuf();
    v1::WorkCalendar spec;
    if (!google::protobuf::util::JsonStringToMessage(bytes.str(), &spec).ok()) {
      std::abort();
    }
    auto created = WorkCalendar::Create(spec);
    if (!created.ok()) std::abort();
    return new WorkCalendar(*std::move(created));
  }();
  return *cal;
}

// Request instants spread over 2026, one every 97 minutes.
int64_t Instant(int64_t i) { return 1767196800 + (i % 5000) * 97 * 60; }

void BM_AddWorkingHours(benchmark::State& state) {
  const WorkCalendar& cal = China();
  int64_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(cal.AddWorkingHours(Instant(i++), state.range(0)));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AddWorkingHours)->Arg(24)->Arg(72);

void BM_AddWorkingDays(benchmark::State& state) {
  const WorkCalendar& cal = China();
  int64_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(cal.AddWorkingDays(Instant(i++), 3));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AddWorkingDays);

}  // namespace
}  // namespace standing

BENCHMARK_MAIN();
