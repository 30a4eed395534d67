#include "evaluation_inputs.h"

#include <algorithm>
#include <limits>
#include <span>

#include "compiled_policy.h"
#include "metric_state.h"
#include "rolling_windows.h"

namespace standing {
namespace {

// A day no input reaches: local days of 9999 are below 3 million.
constexpr int64_t kNever = std::numeric_limits<int32_t>::max();

void AddMetric(const CompiledPolicy& policy, int metric, ReadSet* out) {
  const CompiledMetric& m = policy.metrics[metric];
  if (m.aggregate == v1::RATIO) {
    AddMetric(policy, m.numerator, out);
    AddMetric(policy, m.denominator, out);
    return;
  }
  if (m.aggregate == v1::RECEIVABLE) {
    out->continuous = true;
    return;
  }
  const StateGroup& g = policy.groups[m.group];
  out->kinds |= g.filter.kind_mask;
  if (g.aggregate == v1::TIME_WEIGHTED_AVERAGE) {
    out->continuous = true;
    return;
  }
  if (g.aggregate == v1::RECENCY_DAYS || g.window == WindowKind::kRolling ||
      g.window == WindowKind::kCalendar) {
    out->timed_groups.push_back(m.group);
  }
}

// Attributes and other programs' tiers change only through events that are
// never skipped (attribute changes) or through changes that clear the
// marker (tier changes), so only metrics count here.
void AddCondition(const CompiledPolicy& policy, int index, ReadSet* out) {
  if (index < 0) return;
  const CondNode& node = policy.nodes[index];
  switch (node.kind) {
    case CondNode::Kind::kMetric:
      AddMetric(policy, node.a, out);
      return;
    case CondNode::Kind::kAll:
    case CondNode::Kind::kAny:
    case CondNode::Kind::kNot:
      for (uint32_t i = 0; i < node.child_count; ++i) {
        AddCondition(policy,
                     static_cast<int>(policy.children[node.first_child + i]),
                     out);
      }
      return;
    case CondNode::Kind::kAttr:
    case CondNode::Kind::kTierAtLeast:
      return;
  }
}

}  // namespace

void ReadSet::Add(const ReadSet& other) {
  kinds |= other.kinds;
  continuous = continuous || other.continuous;
  for (int g : other.timed_groups) {
    if (std::find(timed_groups.begin(), timed_groups.end(), g) ==
        timed_groups.end()) {
      timed_groups.push_back(g);
    }
  }
}

EvaluationInputs CompileEvaluationInputs(const CompiledPolicy& policy) {
  EvaluationInputs out;
  for (const CompiledProgram& p : policy.programs) {
    ReadSet& reads = out.program.emplace_back();
    for (const CompiledTier& t : p.tiers) {
      AddCondition(policy, t.condition, &reads);
    }
    for (const CompiledFloor& f : p.floors) {
      AddCondition(policy, f.condition, &reads);
    }
  }
  for (const CompiledHardRule& h : policy.credit.hard_rules) {
    AddCondition(policy, h.condition, &out.hard_rules.emplace_back());
  }
  for (const CompiledScoreItem& item : policy.credit.items) {
    AddMetric(policy, item.metric, &out.score);
  }
  for (const CompiledGrade& g : policy.credit.grades) {
    if (g.limit_metric >= 0) AddMetric(policy, g.limit_metric, &out.limits);
  }
  // Deduplicated through Add.
  ReadSet all;
  for (const ReadSet& r : out.program) all.Add(r);
  for (const ReadSet& r : out.hard_rules) all.Add(r);
  all.Add(out.score);
  all.Add(out.limits);
  out.all = std::move(all);
  out.end_day_by_date = true;
  for (int g : out.all.timed_groups) {
    if (policy.groups[g].window == WindowKind::kRolling) {
      out.end_day_by_date = false;
    }
  }
  return out;
}

int64_t InputsConstantUntil(const CompiledPolicy& policy, const ReadSet& inputs,
                            const CustomerWords& c, const AsOf& as_of) {
  int64_t until = kNever;
  int64_t next_period[4] = {0, 0, 0, 0};  // [v1::Period], computed once each
  for (int gi : inputs.timed_groups) {
    const StateGroup& g = policy.groups[gi];
    int64_t change = kNever;
    if (g.aggregate == v1::RECENCY_DAYS) {
      change = as_of.day + 1;
    } else if (g.window == WindowKind::kCalendar) {
      int64_t& next = next_period[g.period];
      if (next == 0) {
        next = policy.clock.LocalDay(policy.clock.PeriodStart(
            g.period, as_of.period_index[g.period] + 1));
      }
      change = next;
    } else if (c.rolling != nullptr) {
      static_assert(RollingWindows::kNoChange == kNever);
      change =
          c.rolling->NextChange(g.rolling_index, as_of.day, g.rolling_days);
    }
    until = std::min(until, change);
    if (until <= as_of.day + 1) break;  // cannot end sooner
  }
  return until;
}

}  // namespace standing
