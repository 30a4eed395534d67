// Evaluates compiled condition trees against one customer.
#ifndef STANDING_SRC_CONDITION_EVAL_H_
#define STANDING_SRC_CONDITION_EVAL_H_

#include <vector>

#include "compiled_policy.h"
#include "metric_state.h"
#include "standing/v1/transition.pb.h"

namespace standing {

// Metric values already read at one instant for one customer, so the
// several tiers and programs of one evaluation read each metric once. The
// owner clears it whenever the instant or the metric state changes.
struct MetricCache {
  static constexpr int kCapacity = 64;
  uint64_t valid = 0;
  // Left uninitialised on purpose: entries are read only when `valid` says
  // so, and zeroing 1 KiB per event would cost more than the cache saves.
  double value[kCapacity];
  bool missing[kCapacity];
  void Clear() { valid = 0; }
};

struct EvalInput {
  const CompiledPolicy& policy;
  const CustomerWords& customer;
  const AsOf& as_of;
  double multiplier = 1.0;  // the evaluated program's group multiplier
  // When set, every comparison is evaluated (no short-circuit) and recorded.
  std::vector<v1::Check>* checks = nullptr;
  MetricCache* cache = nullptr;
};

bool EvalCondition(const EvalInput& in, int node);

// The hot path of EvalCondition (in.checks must be null): short-circuits
// and records nothing.
bool EvalConditionFast(const EvalInput& in, int node);

// True when the attribute test holds for the customer's words.
bool AttributeTestHolds(const CompiledPolicy& policy, const AttrTest& test,
                        const int64_t* words);

const char* ComparatorText(v1::Comparator op);

}  // namespace standing

#endif  // STANDING_SRC_CONDITION_EVAL_H_
