// Counts global operator new calls, for the benchmarks' allocs/op and
// allocs/event counters. The replacement allocation functions are defined
// here, so include this header in exactly one translation unit of a
// benchmark program (replacement functions may not be inline).
#ifndef STANDING_BENCH_ALLOCATION_COUNTER_H_
#define STANDING_BENCH_ALLOCATION_COUNTER_H_

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace standing_bench {

inline std::atomic<uint64_t> g_allocations{0};

// Allocations so far; subtract two readings around a timed loop.
inline uint64_t AllocationCount() {
  return g_allocations.load(std::memory_order_relaxed);
}

}  // namespace standing_bench

// A replacement of the global allocation functions (malloc/free underneath);
// GCC cannot see that the pair matches once they are inlined.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t size) {
  standing_bench::g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

#endif  // STANDING_BENCH_ALLOCATION_COUNTER_H_
