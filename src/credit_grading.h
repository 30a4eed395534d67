// Rating a customer under the credit policy: the score sheet (weighted
// items banded into points), the grade the score gives, hard rules that
// cap it, and the grade's limit (docs/credit.md).
#ifndef STANDING_SRC_CREDIT_GRADING_H_
#define STANDING_SRC_CREDIT_GRADING_H_

#include <cstdint>
#include <vector>

#include "compiled_policy.h"
#include "condition_eval.h"
#include "credit_book.h"
#include "metric_state.h"

namespace standing {

// Points of `item` for a value (0 below every band).
double ItemPoints(const CompiledScoreItem& item, double value,
                  double* band_at_least = nullptr);

// The grade the hard rules allow at most (grades.size() - 1 when none
// holds); `*rule` is the first rule giving that cap (-1: none).
int HardRuleCap(const CompiledPolicy& policy, const CustomerWords& c,
                const AsOf& as_of, MetricCache* cache, int* rule);

// Full rating: item values, score, score grade, hard-rule cap, target and
// the target grade's limit. `out->values` is reused.
void RateCustomer(const CompiledPolicy& policy, const CustomerWords& c,
                  const AsOf& as_of, MetricCache* cache, Rating* out);

// The limit of `grade` for this customer (formula limits read a metric).
int64_t GradeLimit(const CompiledPolicy& policy, int grade,
                   const CustomerWords& c, const AsOf& as_of);

}  // namespace standing

#endif  // STANDING_SRC_CREDIT_GRADING_H_
