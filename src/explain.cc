// Explanations: the rule that decided a tier, every comparison with its
// metric value and scaled threshold, and a sentence for people.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "condition_eval.h"
#include "engine_state.h"
#include "standing/engine.h"

namespace standing {
namespace {

std::string CauseText(v1::Cause cause) {
  switch (cause) {
    case v1::ENROLMENT:
      return "on enrolment";
    case v1::EVENT:
      return "on a qualifying event";
    case v1::REVIEW:
      return "at the scheduled review";
    case v1::GRACE_EXPIRED:
      return "when the grace period ended";
    case v1::GRANT:
      return "by manual grant";
    case v1::GRANT_EXPIRED:
      return "when the manual grant expired";
    case v1::REVOKE:
      return "when the manual grant was revoked";
    case v1::FLOOR:
      return "by a floor rule";
    case v1::POLICY_CHANGE:
      return "on a policy change";
    case v1::DEPENDENCY:
      return "after another program changed";
    default:
      return "";
  }
}

std::string CheckText(const v1::Check& c) {
  if (!c.metric().empty()) {
    if (c.missing()) {
      return absl::StrCat(c.metric(), " has no data (",
                          c.holds() ? "ok" : "not met", ")");
    }
    std::string text = absl::StrFormat("%s %.10g %s %.10g", c.metric(),
                                       c.value(), c.op(), c.threshold());
    if (c.multiplier() != 1.0) {
      absl::StrAppendFormat(&text, " (threshold x%.4g)", c.multiplier());
    }
    return absl::StrCat(text, c.holds() ? " ok" : " not met");
  }
  return absl::StrCat(c.detail(), c.holds() ? " ok" : " not met");
}

// Appends the checks of `node` (all branches) to `out`.
void CollectChecks(const CompiledPolicy& policy, const CustomerWords& c,
                   const AsOf& as_of, double multiplier, int node,
                   google::protobuf::RepeatedPtrField<v1::Check>* out) {
  std::vector<v1::Check> checks;
  const EvalInput in{policy, c, as_of, multiplier, &checks};
  EvalCondition(in, node);
  for (auto& check : checks) *out->Add() = std::move(check);
}

}  // namespace

void FillExplanation(const EngineState& state, const CustomerRecord& rec,
                     int program, int tier, int64_t at, v1::Cause cause,
                     const Target& target, absl::string_view event_id,
                     v1::Explanation* out) {
  const CompiledPolicy& policy = *state.policy;
  const CompiledProgram& p = policy.programs[program];
  const CustomerWords c = state.Words(rec);
  const AsOf as_of = AsOf::Make(policy.clock, at);
  const double multiplier = ProgramMultiplier(policy, program, c.words);
  out->Clear();
  out->set_program(p.name);
  out->set_tier(p.tiers[tier].name);
  out->set_qualified_tier(p.tiers[target.qualified].name);
  out->set_cause(cause);
  out->set_event_id(std::string(event_id));

  std::string why;
  if (target.grant_tier == tier && tier > target.qualified) {
    const GrantRecord* g = state.FindGrant(rec, program);
    out->set_rule("tier_grant");
    why = g == nullptr ? "manual grant"
                       : absl::StrCat("manual grant by ", g->info.approver(),
                                      ": ", g->info.reason());
  } else if (target.floor_index >= 0 && target.floor_tier == tier &&
             tier > target.qualified) {
    const CompiledFloor& floor = p.floors[target.floor_index];
    out->set_rule(floor.path);
    why = absl::StrCat("floor ", floor.path, " holds");
    CollectChecks(policy, c, as_of, 1.0, floor.condition,
                  out->mutable_checks());
  } else if (tier > target.target) {
    out->set_rule(absl::StrCat(p.path, ".downgrade"));
    why = absl::StrCat("kept: qualifies only for ", p.tiers[target.target].name,
                       "; a downgrade waits for the review or grace end");
  } else if (tier == 0) {
    out->set_rule(absl::StrCat(p.path, ".tiers[0]"));
    why = "base tier";
  } else {
    out->set_rule(p.tiers[tier].path);
    why = absl::StrCat(p.tiers[tier].path, " holds");
  }
  if (tier > 0 && p.tiers[tier].condition >= 0) {
    CollectChecks(policy, c, as_of, multiplier, p.tiers[tier].condition,
                  out->mutable_checks());
  }
  const int first_next = out->checks_size();
  if (tier + 1 < static_cast<int>(p.tiers.size())) {
    CollectChecks(policy, c, as_of, multiplier, p.tiers[tier + 1].condition,
                  out->mutable_checks());
  }
  std::string summary = absl::StrCat(p.name, ": ", p.tiers[tier].name, " ",
                                     CauseText(cause), " (", why, ")");
  std::vector<std::string> held, missing;
  for (int i = 0; i < out->checks_size(); ++i) {
    const v1::Check& check = out->checks(i);
    if (i < first_next) {
      if (check.holds()) held.push_back(CheckText(check));
    } else if (!check.holds()) {
      missing.push_back(CheckText(check));
    }
  }
  if (!held.empty()) absl::StrAppend(&summary, "; ", absl::StrJoin(held, ", "));
  if (!missing.empty()) {
    absl::StrAppend(&summary, "; for ", p.tiers[tier + 1].name, ": ",
                    absl::StrJoin(missing, ", "));
  }
  out->set_summary(std::move(summary));
}

void BuildTransition(const EngineState& state, const CustomerRecord& rec,
                     int program, int from, int to, int64_t at,
                     v1::TransitionKind kind, v1::Cause cause,
                     const Target& target, absl::string_view event_id,
                     v1::Transition* out) {
  const CompiledProgram& p = state.policy->programs[program];
  out->set_customer_id(rec.id);
  out->set_program(p.name);
  out->set_from_tier(p.tiers[from].name);
  out->set_to_tier(p.tiers[to].name);
  out->mutable_at()->set_seconds(at);
  out->set_kind(kind);
  out->set_cause(cause);
  FillExplanation(state, rec, program, to, at, cause, target, event_id,
                  out->mutable_explanation());
}

absl::Status Engine::Explain(std::string_view id_view,
                             std::string_view program_view,
                             v1::Explanation* out) const {
  const absl::string_view id(id_view.data(), id_view.size());
  const absl::string_view program(program_view.data(), program_view.size());
  std::shared_lock lock(state_->mu);
  auto found = state_->FindOrNotFound(id);
  if (!found.ok()) return found.status();
  const CustomerRecord* rec = *found;
  const CompiledPolicy& policy = *state_->policy;
  const int p = policy.FindProgram(program);
  if (p < 0) {
    return absl::NotFoundError(
        absl::StrCat("program \"", program, "\": not in the policy"));
  }
  const int64_t at = std::max(state_->clock, rec->enrolled_at);
  const ProgramWords s = ProgramState(policy, rec->words.get(), p);
  const Target target = ComputeTarget(policy, p, state_->Words(*rec),
                                      AsOf::Make(policy.clock, at),
                                      state_->ActiveGrantTier(*rec, p, at));
  FillExplanation(*state_, *rec, p, s.tier(), at,
                  static_cast<v1::Cause>(s.cause()), target, "", out);
  return absl::OkStatus();
}

}  // namespace standing
