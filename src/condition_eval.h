// Evaluates compiled condition trees against one customer.
#ifndef STANDING_SRC_CONDITION_EVAL_H_
#define STANDING_SRC_CONDITION_EVAL_H_

#include <vector>

#include "compiled_policy.h"
#include "metric_state.h"
#include "standing/v1/transition.pb.h"

namespace standing {

struct EvalInput {
  const CompiledPolicy& policy;
  const CustomerWords& customer;
  const AsOf& as_of;
  double multiplier = 1.0;  // the evaluated program's group multiplier
  // When set, every comparison is evaluated (no short-circuit) and recorded.
  std::vector<v1::Check>* checks = nullptr;
};

bool EvalCondition(const EvalInput& in, int node);

// True when the attribute test holds for the customer's words.
bool AttributeTestHolds(const CompiledPolicy& policy, const AttrTest& test,
                        const int64_t* words);

const char* ComparatorText(v1::Comparator op);

}  // namespace standing

#endif  // STANDING_SRC_CONDITION_EVAL_H_
