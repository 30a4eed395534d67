// Moving a live engine to a new policy (Engine::ReplacePolicy).
#ifndef STANDING_SRC_POLICY_MIGRATION_H_
#define STANDING_SRC_POLICY_MIGRATION_H_

#include <vector>

#include "absl/status/status.h"
#include "engine_state.h"

namespace standing {

// Compiles `policy`, carries every customer's attributes, tiers, grants and
// unchanged metric state over, installs it and re-evaluates everyone (cause
// POLICY_CHANGE). On error nothing changes.
absl::Status MigratePolicy(EngineState& state, const v1::Policy& policy,
                           std::vector<v1::Transition>* out);

}  // namespace standing

#endif  // STANDING_SRC_POLICY_MIGRATION_H_
