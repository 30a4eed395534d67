#include "program_eval.h"

#include <algorithm>

#include "condition_eval.h"

namespace standing {

double ProgramMultiplier(const CompiledPolicy& policy, int program,
                         const int64_t* words) {
  const CompiledProgram& p = policy.programs[program];
  if (p.multiplier_attribute < 0) return 1.0;
  if (!((words[policy.presence_offset] >> p.multiplier_attribute) & 1)) {
    return 1.0;
  }
  const int64_t value = words[p.multiplier_attribute];
  for (const auto& [v, m] : p.multipliers) {
    if (v == value) return m;
  }
  return 1.0;
}

int QualifiedTier(const CompiledPolicy& policy, int program,
                  const CustomerWords& c, const AsOf& as_of, MetricCache* cache,
                  int above) {
  const CompiledProgram& p = policy.programs[program];
  const int lowest = std::max(above, 0);
  if (static_cast<int>(p.tiers.size()) - 1 <= lowest) return lowest;
  const EvalInput in{policy,  c,
                     as_of,   ProgramMultiplier(policy, program, c.words),
                     nullptr, cache};
  for (int t = static_cast<int>(p.tiers.size()) - 1; t > lowest; --t) {
    if (EvalConditionFast(in, p.tiers[t].condition)) return t;
  }
  return lowest;
}

Target ComputeTarget(const CompiledPolicy& policy, int program,
                     const CustomerWords& c, const AsOf& as_of, int grant_tier,
                     MetricCache* cache, int above) {
  Target out;
  out.qualified = QualifiedTier(policy, program, c, as_of, cache, above);
  const CompiledProgram& p = policy.programs[program];
  const EvalInput in{policy, c, as_of, 1.0, nullptr, cache};
  for (int f = 0; f < static_cast<int>(p.floors.size()); ++f) {
    const CompiledFloor& floor = p.floors[f];
    if (floor.tier > out.floor_tier && EvalCondition(in, floor.condition)) {
      out.floor_tier = floor.tier;
      out.floor_index = f;
    }
  }
  out.grant_tier = grant_tier;
  if (above > 0 && out.qualified == above &&
      std::max(out.floor_tier, grant_tier) > above) {
    // A floor or grant lifts the target: explain it with the exact tier.
    out.qualified = QualifiedTier(policy, program, c, as_of, cache);
  }
  out.target = std::max({out.qualified, out.floor_tier, grant_tier});
  return out;
}

int64_t NextReview(const CompiledPolicy& policy, int program, int64_t t,
                   int64_t enrolled_at, int64_t tier_since) {
  const CompiledProgram& p = policy.programs[program];
  const LocalClock& clock = policy.clock;
  switch (p.review) {
    case ReviewKind::kYearly:
      return clock.NextYearly(t, p.review_month, p.review_day);
    case ReviewKind::kQuarterly:
      return clock.NextQuarterStart(t);
    case ReviewKind::kMonthly:
      return clock.NextMonthStart(t);
    case ReviewKind::kEnrolmentAnniversary: {
      const CivilDate d = clock.Date(enrolled_at);
      return clock.NextYearly(t, d.month, d.day);
    }
    case ReviewKind::kTierAnniversary: {
      const CivilDate d = clock.Date(tier_since);
      return clock.NextYearly(t, d.month, d.day);
    }
    case ReviewKind::kNone:
      return 0;
  }
  return 0;
}

}  // namespace standing
