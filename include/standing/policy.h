// Loading and validating policies.
//
// A policy is a standing.v1.Policy message. Hosts keep it as JSON (protobuf's
// JSON mapping), text format or binary. Loading parses only; validation
// checks the whole policy and reports the first error with its path, e.g.
// `tier_programs[0].tiers[2].qualify.any[1].metric: threshold must exceed
// tiers[1]'s`. Engine::Create validates again, so hosts need not call
// ValidatePolicy themselves. All functions are thread-safe.
#ifndef STANDING_POLICY_H_
#define STANDING_POLICY_H_

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "standing/v1/policy.pb.h"

namespace standing {

enum class PolicyFormat { kJson = 0, kText = 1, kBinary = 2 };

// Parses `bytes` in `format`. Errors: InvalidArgument naming the format and
// the parser's message (line and column for JSON and text).
absl::StatusOr<v1::Policy> ParsePolicy(std::string_view bytes,
                                       PolicyFormat format);

// Checks every rule of the policy format. Errors: InvalidArgument whose
// message starts with the path of the offending field.
absl::Status ValidatePolicy(const v1::Policy& policy);

// A stable 64-bit fingerprint of the policy's content (FNV-1a over its
// deterministic binary serialisation). Snapshots carry it.
uint64_t PolicyFingerprint(const v1::Policy& policy);

}  // namespace standing

#endif  // STANDING_POLICY_H_
