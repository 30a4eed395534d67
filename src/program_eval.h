// Which tier a customer qualifies for in a program, and the target tier
// once floors and grants are taken into account.
#ifndef STANDING_SRC_PROGRAM_EVAL_H_
#define STANDING_SRC_PROGRAM_EVAL_H_

#include "compiled_policy.h"
#include "condition_eval.h"
#include "metric_state.h"

namespace standing {

struct Target {
  int qualified = 0;
  int floor_tier = 0;
  int floor_index = -1;  // the floor that set floor_tier
  int grant_tier = -1;   // -1: no active grant
  int target = 0;
};

// The program's threshold multiplier for this customer (1 when none).
double ProgramMultiplier(const CompiledPolicy& policy, int program,
                         const int64_t* words);

// The highest tier whose condition holds (0 when none). Hot path. With
// `above` >= 0 only tiers above it are evaluated, and `above` is returned
// when none of them holds (for callers that act only on a rise).
int QualifiedTier(const CompiledPolicy& policy, int program,
                  const CustomerWords& c, const AsOf& as_of,
                  MetricCache* cache = nullptr, int above = -1);

// With `above` >= 0 (a caller that acts only when the target rises above
// that tier), `qualified` is exact when it is above `above` or when a floor
// or grant lifts the target above it; otherwise it reads `above` and the
// tiers below are not evaluated.
Target ComputeTarget(const CompiledPolicy& policy, int program,
                     const CustomerWords& c, const AsOf& as_of, int grant_tier,
                     MetricCache* cache = nullptr, int above = -1);

// The next scheduled review strictly after `t` (0: the program has none).
int64_t NextReview(const CompiledPolicy& policy, int program, int64_t t,
                   int64_t enrolled_at, int64_t tier_since);

}  // namespace standing

#endif  // STANDING_SRC_PROGRAM_EVAL_H_
