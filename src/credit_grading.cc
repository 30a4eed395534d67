#include "credit_grading.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace standing {

double ItemPoints(const CompiledScoreItem& item, double value,
                  double* band_at_least) {
  double points = 0;
  for (const auto& [at_least, p] : item.bands) {
    if (value < at_least) break;
    points = p;
    if (band_at_least != nullptr) *band_at_least = at_least;
  }
  return points;
}

int HardRuleCap(const CompiledPolicy& policy, const CustomerWords& c,
                const AsOf& as_of, MetricCache* cache, int* rule) {
  const CompiledCredit& credit = policy.credit;
  int cap = static_cast<int>(credit.grades.size()) - 1;
  *rule = -1;
  const EvalInput in{policy, c, as_of, 1.0, nullptr, cache};
  for (int r = 0; r < static_cast<int>(credit.hard_rules.size()); ++r) {
    const CompiledHardRule& h = credit.hard_rules[r];
    // A rule that cannot lower the cap further is not evaluated.
    if (h.grade >= cap && *rule >= 0) continue;
    if (EvalConditionFast(in, h.condition)) {
      if (*rule < 0 || h.grade < cap) {
        cap = h.grade;
        *rule = r;
      }
    }
  }
  return cap;
}

void RateCustomer(const CompiledPolicy& policy, const CustomerWords& c,
                  const AsOf& as_of, MetricCache* cache, Rating* out) {
  const CompiledCredit& credit = policy.credit;
  out->values.resize(credit.items.size());
  double score = 0;
  for (size_t i = 0; i < credit.items.size(); ++i) {
    const CompiledScoreItem& item = credit.items[i];
    const MetricRead r = ReadMetric(policy, item.metric, c, as_of);
    if (r.missing) {
      out->values[i] = std::numeric_limits<double>::quiet_NaN();
      score += item.weight * item.missing_points;
    } else {
      out->values[i] = r.value;
      score += item.weight * ItemPoints(item, r.value);
    }
  }
  out->score = score;
  int grade = 0;
  for (int g = static_cast<int>(credit.grades.size()) - 1; g > 0; --g) {
    if (score >= credit.grades[g].min_score) {
      grade = g;
      break;
    }
  }
  out->score_grade = grade;
  const int cap = HardRuleCap(policy, c, as_of, cache, &out->hard_rule);
  out->target = std::min(grade, cap);
  out->rated_at = as_of.t;
  out->limit = GradeLimit(policy, out->target, c, as_of);
}

int64_t GradeLimit(const CompiledPolicy& policy, int grade,
                   const CustomerWords& c, const AsOf& as_of) {
  const CompiledGrade& g = policy.credit.grades[grade];
  if (g.limit_metric < 0) return g.fixed_limit;
  const MetricRead r = ReadMetric(policy, g.limit_metric, c, as_of);
  double limit = r.missing ? 0 : r.value * g.limit_factor;
  if (!std::isfinite(limit) || limit < 0) limit = 0;
  if (g.limit_cap > 0)
    limit = std::min(limit, static_cast<double>(g.limit_cap));
  limit = std::max(limit, static_cast<double>(g.limit_minimum));
  return static_cast<int64_t>(std::floor(limit));
}

}  // namespace standing
