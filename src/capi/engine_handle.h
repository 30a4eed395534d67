// The structs behind the C ABI's opaque handles. Internal: shared by the
// C ABI implementation and its benchmark (bench/capi_bench.cc).
#ifndef STANDING_CAPI_ENGINE_HANDLE_H_
#define STANDING_CAPI_ENGINE_HANDLE_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "standing/engine.h"

namespace standing::capi {

inline constexpr size_t kDefaultMaxMessageBytes = size_t{64} << 20;

}  // namespace standing::capi

struct standing_options {
  size_t max_message_bytes = standing::capi::kDefaultMaxMessageBytes;
  int32_t review_threads = 0;
  bool allow_policy_change = false;
};

struct standing_engine {
  std::unique_ptr<standing::Engine> engine;
  size_t max_message_bytes = standing::capi::kDefaultMaxMessageBytes;
};

#endif  // STANDING_CAPI_ENGINE_HANDLE_H_
