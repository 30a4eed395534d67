// Credit on the engine (docs/credit.md): receivables from events, grades
// from score sheets and hard rules, approvals with working-day deadlines,
// the credit check and the role-filtered credit record.
#include <algorithm>
#include <mutex>
#include <shared_mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "condition_eval.h"
#include "credit_grading.h"
#include "duration.h"
#include "engine_state.h"
#include "proto_time.h"
#include "standing/engine.h"

namespace standing {
namespace {

int64_t StepDue(const CompiledPolicy& pol, int step, int64_t from) {
  const Duration& d = pol.credit.steps[step].within;
  const WorkCalendar* calendar = pol.service.Calendar(d);
  if (d.unit != v1::DurationSpec::WORKING_DAYS || calendar == nullptr) {
    return AddDuration(d, from, pol.clock, calendar);
  }
  // "Within N working days" means N whole working days: the day the step
  // starts counts when it starts at its midnight (a review), else counting
  // begins the next day; the deadline is the end of the N-th.
  const LocalClock& clock = calendar->clock();
  int64_t day = clock.LocalDay(from);
  if (from != clock.DayStart(day)) ++day;
  int64_t found = 0;
  for (int64_t guard = 0; guard < 40000; ++guard, ++day) {
    if (calendar->IsWorkingDay(day) && ++found == d.amount) break;
  }
  return d.amount == 0 ? from : clock.DayStart(day + 1);
}

std::string Summary(const CompiledPolicy& pol, const Rating& r, int from,
                    int to, v1::TransitionKind kind) {
  const CompiledCredit& cc = pol.credit;
  std::string s = absl::StrFormat("score %.4g gives %s", r.score,
                                  cc.grades[r.score_grade].name);
  if (r.hard_rule >= 0 && cc.hard_rules[r.hard_rule].grade <= r.target) {
    absl::StrAppend(&s, "; hard rule \"", cc.hard_rules[r.hard_rule].name,
                    "\" caps it at ", cc.grades[r.target].name);
  }
  switch (kind) {
    case v1::PROPOSED:
      absl::StrAppend(&s, "; change from ", cc.grades[from].name, " to ",
                      cc.grades[to].name, " awaits approval");
      break;
    case v1::STEP_APPROVED:
      absl::StrAppend(&s, "; an approval step passed");
      break;
    case v1::REJECTED:
      absl::StrAppend(&s, "; the change to ", cc.grades[to].name,
                      " was rejected or withdrawn");
      break;
    case v1::ESCALATED:
      absl::StrAppend(&s, "; the approval step is overdue and escalated");
      break;
    default:
      absl::StrAppend(&s, "; grade ", cc.grades[from].name, " -> ",
                      cc.grades[to].name);
  }
  return s;
}

}  // namespace

// Records a credit change as a Transition whose program is the credit
// policy's name; `credit` carries the criteria.
static void CreditTransition(const EngineState& st, const CustomerRecord& rec,
                             int from, int to, int64_t at,
                             v1::TransitionKind kind, v1::Cause cause,
                             const Rating& r, absl::string_view event_id,
                             Effects& fx) {
  st.Unsettle(rec, fx);
  if (fx.out == nullptr) return;
  const CompiledPolicy& pol = *st.policy;
  const CompiledCredit& cc = pol.credit;
  v1::Transition& t = fx.out->emplace_back();
  t.set_customer_id(rec.id);
  t.set_program(cc.name);
  // A first rating comes from no grade (not from the lowest one).
  if (kind != v1::ENTERED) t.set_from_tier(cc.grades[from].name);
  t.set_to_tier(cc.grades[to].name);
  Stamp(at, t.mutable_at());
  t.set_kind(kind);
  t.set_cause(cause);
  ExportRating(pol, r, t.mutable_credit());
  v1::Explanation* e = t.mutable_explanation();
  e->set_program(cc.name);
  e->set_tier(
      cc.grades[kind == v1::PROPOSED || kind == v1::REJECTED ||
                        kind == v1::ESCALATED || kind == v1::STEP_APPROVED
                    ? from
                    : to]
          .name);
  e->set_qualified_tier(cc.grades[r.target].name);
  e->set_rule(t.credit().rule());
  e->set_summary(Summary(pol, r, from, to, kind));
  e->set_cause(cause);
  e->set_event_id(std::string(event_id));
  if (r.hard_rule >= 0) {
    // Every comparison of the hard rule that held, as of the rating.
    std::vector<v1::Check> checks;
    const CustomerWords c = st.Words(rec);
    const AsOf as_of = AsOf::Make(pol.clock, r.rated_at);
    const EvalInput in{pol, c, as_of, 1.0, &checks};
    EvalCondition(in, cc.hard_rules[r.hard_rule].condition);
    for (auto& check : checks) *e->add_checks() = std::move(check);
  }
}

namespace {

// Moves the account to `to`, with `rating` as its criteria; a pending
// change is superseded.
void ChangeGrade(EngineState& st, const CustomerRecord& rec, CreditAccount& a,
                 int to, const AsOf& at, v1::TransitionKind kind,
                 v1::Cause cause, const Rating& rating,
                 absl::string_view event_id, Effects& fx) {
  const CompiledPolicy& pol = *st.policy;
  const int from = a.grade;
  if (a.pending && cause != v1::APPROVAL) {
    CreditTransition(st, rec, from, a.pending->to_grade, at.t, v1::REJECTED,
                     cause, a.pending->rating, event_id, fx);
  }
  if (a.pending) st.credit.SetPending(rec.sequence, nullptr);
  st.credit.SetGrade(a, to, at.t);
  a.rating = rating;
  a.rating.target = to;
  a.limit = GradeLimit(pol, to, st.Words(rec), at);
  a.rating.limit = a.limit;
  a.rating.rated_at = at.t;
  CreditTransition(st, rec, from, to, at.t, kind, cause, a.rating, event_id,
                   fx);
}

v1::TransitionKind Direction(int from, int to) {
  return to > from ? v1::UPGRADE : v1::DOWNGRADE;
}

// The scheduled review of one customer at `t`.
void ReviewGrade(EngineState& st, const CustomerRecord& rec, int64_t t,
                 Effects& fx) {
  const CompiledPolicy& pol = *st.policy;
  const CompiledCredit& cc = pol.credit;
  CreditAccount& a = *st.credit.Find(rec.sequence);
  const AsOf as_of = AsOf::Make(pol.clock, t);
  // The review re-rates and resets the limit as of its own day: events
  // compare against that from now on.
  st.Unsettle(rec, fx);
  MetricCache cache;
  cache.Clear();
  Rating& r = st.rating_scratch;
  RateCustomer(pol, st.Words(rec), as_of, &cache, &r);
  if (r.target == a.grade) {
    if (a.pending) {
      CreditTransition(st, rec, a.grade, a.pending->to_grade, t, v1::REJECTED,
                       v1::REVIEW, r, "", fx);
      st.credit.SetPending(rec.sequence, nullptr);
    }
    a.rating = r;  // re-rated: the criteria are the latest
    a.limit = r.limit;
    return;
  }
  // A holding hard rule acts at once, whatever the score says; what the
  // score asks beyond it goes through approval like any review change.
  const int cap = r.hard_rule >= 0 ? cc.hard_rules[r.hard_rule].grade
                                   : static_cast<int>(cc.grades.size()) - 1;
  if (cap < a.grade) {
    ChangeGrade(st, rec, a, cap, as_of, v1::DOWNGRADE, v1::HARD_RULE, r, "",
                fx);
    if (r.target == a.grade) return;
  }
  if (cc.steps.empty()) {
    ChangeGrade(st, rec, a, r.target, as_of, Direction(a.grade, r.target),
                v1::REVIEW, r, "", fx);
    return;
  }
  if (a.pending && a.pending->to_grade == r.target) return;  // still waiting
  if (a.pending) {
    // Replaced by this review's proposal: say so.
    CreditTransition(st, rec, a.grade, a.pending->to_grade, t, v1::REJECTED,
                     v1::REVIEW, r, "", fx);
  }
  auto p = std::make_unique<PendingChange>();
  p->to_grade = r.target;
  p->proposed_at = t;
  p->step = 0;
  p->step_due = StepDue(pol, 0, t);
  p->rating = r;
  const int from = a.grade;
  st.credit.SetPending(rec.sequence, std::move(p));
  CreditTransition(st, rec, from, r.target, t, v1::PROPOSED, v1::REVIEW, r, "",
                   fx);
}

// The lowest grade the holding hard rules allow, when below `grade`
// (else `grade`). Unlike HardRuleCap, rules that could not lower `grade`
// are not evaluated: on the event path and for overdue customers at each
// review only a fall matters, and a customer already at the bottom (the
// black list) needs no evaluation at all.
// With `inputs` (the event path), rules whose inputs the event did not
// change are not evaluated either: they held last time only if they had
// already lowered the grade.
int LowerCap(const CompiledPolicy& pol, const CustomerWords& c,
             const AsOf& as_of, MetricCache* cache, int grade,
             EventInputs* inputs) {
  int cap = grade;
  const EvalInput in{pol, c, as_of, 1.0, nullptr, cache};
  const auto& rules = pol.credit.hard_rules;
  for (size_t i = 0; i < rules.size(); ++i) {
    const CompiledHardRule& h = rules[i];
    if (h.grade >= cap) continue;
    if (inputs != nullptr) {
      if (inputs->Unchanged(pol.inputs.hard_rules[i])) continue;
      inputs->Ran(pol.inputs.hard_rules[i]);
    }
    if (EvalConditionFast(in, h.condition)) cap = h.grade;
  }
  return cap;
}

// Hard rules only (time passing: days past due grow without events).
void CheckHardRules(EngineState& st, const CustomerRecord& rec,
                    const AsOf& as_of, Effects& fx) {
  const CompiledPolicy& pol = *st.policy;
  CreditAccount& a = *st.credit.Find(rec.sequence);
  MetricCache cache;
  cache.Clear();
  const int cap = LowerCap(pol, st.Words(rec), as_of, &cache, a.grade, nullptr);
  if (cap >= a.grade) return;
  Rating& r = st.rating_scratch;
  RateCustomer(pol, st.Words(rec), as_of, &cache, &r);
  ChangeGrade(st, rec, a, cap, as_of, v1::DOWNGRADE, v1::HARD_RULE, r, "", fx);
}

}  // namespace

absl::Status EngineState::CheckCreditEvent(const CustomerRecord& rec,
                                           const v1::Event& event,
                                           int64_t t) const {
  const CompiledCredit& cc = policy->credit;
  const auto kind = event.kind_case();
  if (!cc.enabled) {
    if (kind == v1::Event::kInvoice || kind == v1::Event::kPayment) {
      return absl::OkStatus();  // metrics only, as without credit
    }
    return absl::FailedPreconditionError(
        "event: credit events need a credit section in the policy "
        "(policy.credit)");
  }
  const CreditAccount& a = *credit.Find(rec.sequence);
  switch (kind) {
    case v1::Event::kInvoice:
      return credit.CheckInvoice(a, event.invoice(), t);
    case v1::Event::kPayment:
      return credit.CheckPayment(a, event.payment());
    case v1::Event::kOrderPlaced:
      return credit.CheckOrder(a, event.order_placed());
    case v1::Event::kOrderCancelled:
      return credit.CheckCancel(a, event.order_cancelled());
    case v1::Event::kLimitIncrease:
      return credit.CheckIncrease(cc, event.limit_increase(), t);
    case v1::Event::kCreditApproval: {
      const v1::CreditApproval& e = event.credit_approval();
      if (!a.pending) {
        return absl::FailedPreconditionError(
            absl::StrCat("credit_approval: customer \"", rec.id,
                         "\" has no grade change waiting for approval"));
      }
      if (e.decision() != v1::CreditApproval::APPROVE &&
          e.decision() != v1::CreditApproval::REJECT) {
        return absl::InvalidArgumentError(
            "credit_approval.decision: must be APPROVE or REJECT");
      }
      if (e.actor().empty()) {
        return absl::InvalidArgumentError("credit_approval.actor: is required");
      }
      const CompiledApprovalStep& step = cc.steps[a.pending->step];
      if (!step.Allows(e.role(), a.pending->escalated)) {
        std::string roles = absl::StrJoin(step.roles, ", ");
        if (a.pending->escalated && step.EscalationAddsRole()) {
          absl::StrAppend(&roles, ", ", step.escalate_to, " (escalated)");
        }
        return absl::PermissionDeniedError(absl::StrCat(
            "credit_approval.role: \"", e.role(), "\" may not act on step \"",
            step.name, "\" (allowed: ", roles, ")"));
      }
      return absl::OkStatus();
    }
    default:
      return absl::OkStatus();
  }
}

void EngineState::ApplyCreditEvent(const CustomerRecord& rec,
                                   const v1::Event& event, const AsOf& at,
                                   Effects& fx) {
  const CompiledPolicy& pol = *policy;
  if (!pol.credit.enabled) return;
  CreditAccount& a = *credit.Find(rec.sequence);
  settled_scratch.clear();
  switch (event.kind_case()) {
    case v1::Event::kInvoice:
      credit.ApplyInvoice(pol.credit, rec.sequence, event.invoice(), at.t,
                          &settled_scratch);
      break;
    case v1::Event::kPayment:
      credit.ApplyPayment(rec.sequence, event.payment(), at.t,
                          &settled_scratch);
      break;
    case v1::Event::kOrderPlaced:
      credit.ApplyOrder(a, event.order_placed(), at.t);
      break;
    case v1::Event::kOrderCancelled:
      credit.ApplyCancel(a, event.order_cancelled());
      break;
    case v1::Event::kLimitIncrease:
      credit.ApplyIncrease(a, event.limit_increase(), at.t);
      break;
    case v1::Event::kCreditApproval: {
      const v1::CreditApproval& e = event.credit_approval();
      PendingChange& p = *a.pending;
      v1::ApprovalAction& h = p.history.emplace_back();
      h.set_step(pol.credit.steps[p.step].name);
      h.set_approved(e.decision() == v1::CreditApproval::APPROVE);
      h.set_role(e.role());
      h.set_actor(e.actor());
      h.set_comment(e.comment());
      Stamp(at.t, h.mutable_at());
      if (e.decision() == v1::CreditApproval::REJECT) {
        CreditTransition(*this, rec, a.grade, p.to_grade, at.t, v1::REJECTED,
                         v1::APPROVAL, p.rating, event.event_id(), fx);
        credit.SetPending(rec.sequence, nullptr);
      } else if (p.step + 1 < static_cast<int>(pol.credit.steps.size())) {
        // Take the change out of the index, move to the next step, put it
        // back under the new step's due time.
        credit.pending_by_due.erase({p.step_due, rec.sequence});
        auto next = std::move(a.pending);
        ++next->step;
        next->step_due = StepDue(pol, next->step, at.t);
        next->escalated = false;
        const int to = next->to_grade;
        const Rating rating = next->rating;
        credit.SetPending(rec.sequence, std::move(next));
        CreditTransition(*this, rec, a.grade, to, at.t, v1::STEP_APPROVED,
                         v1::APPROVAL, rating, event.event_id(), fx);
      } else {
        const Rating rating = p.rating;
        const int to = p.to_grade;
        ChangeGrade(*this, rec, a, to, at, Direction(a.grade, to), v1::APPROVAL,
                    rating, event.event_id(), fx);
      }
      break;
    }
    default:
      break;
  }
  if (settled_scratch.empty()) return;
  fx.inputs.fed_kinds |= 1u << v1::SETTLEMENT;
  EventFacts facts;
  facts.kind = v1::SETTLEMENT;
  facts.at = at;
  for (const Settlement& s : settled_scratch) {
    facts.amount = s.amount;
    facts.on_time = s.on_time ? 1 : 0;
    ApplyEventToMetrics(pol, facts, Words(rec));
  }
}

void EngineState::CreditAfterEvent(const CustomerRecord& rec, const AsOf& at,
                                   absl::string_view event_id, Effects& fx) {
  const CompiledPolicy& pol = *policy;
  const CompiledCredit& cc = pol.credit;
  if (!cc.enabled) return;
  CreditAccount& a = *credit.Find(rec.sequence);
  const CustomerWords c = Words(rec);
  Rating& r = rating_scratch;
  int to = a.grade;
  v1::Cause cause = v1::EVENT;
  const EvaluationInputs& inputs = pol.inputs;
  bool rate = false;
  if (cc.upgrade_immediate || cc.downgrade_immediate) {
    rate = !fx.inputs.Unchanged(inputs.score);
    for (const ReadSet& rule : inputs.hard_rules) {
      rate = rate || !fx.inputs.Unchanged(rule);
    }
  }
  if (rate) {
    fx.inputs.Ran(inputs.score);
    for (const ReadSet& rule : inputs.hard_rules) fx.inputs.Ran(rule);
    RateCustomer(pol, c, at, &fx.cache, &r);
    const int cap = r.hard_rule >= 0 ? cc.hard_rules[r.hard_rule].grade
                                     : static_cast<int>(cc.grades.size()) - 1;
    if (cap < a.grade) {
      to = cc.downgrade_immediate ? r.target : cap;
      cause = to < r.score_grade ? v1::HARD_RULE : v1::EVENT;
    } else if (r.target < a.grade && cc.downgrade_immediate) {
      to = r.target;
    } else if (r.target > a.grade && cc.upgrade_immediate) {
      to = r.target;
    }
  } else if (!cc.upgrade_immediate && !cc.downgrade_immediate &&
             !cc.hard_rules.empty()) {
    const int cap = LowerCap(pol, c, at, &fx.cache, a.grade, &fx.inputs);
    if (cap < a.grade) {
      RateCustomer(pol, c, at, &fx.cache, &r);
      to = cap;
      cause = v1::HARD_RULE;
    }
  }
  if (to != a.grade) {
    ChangeGrade(*this, rec, a, to, at, Direction(a.grade, to), cause, r,
                event_id, fx);
  } else if (cc.formula_limits && !fx.inputs.Unchanged(inputs.limits)) {
    fx.inputs.Ran(inputs.limits);
    a.limit = GradeLimit(pol, a.grade, c, at);
  }
}

void EngineState::CreditOnEnrol(const CustomerRecord& rec, const AsOf& at,
                                absl::string_view event_id, Effects& fx) {
  const CompiledPolicy& pol = *policy;
  if (!pol.credit.enabled) return;
  if (credit.next_review == 0) {
    credit.next_review = NextCreditReview(pol.credit, pol.clock, at.t);
  }
  CreditAccount& a = *credit.Find(rec.sequence);
  Rating& r = rating_scratch;
  RateCustomer(pol, Words(rec), at, &fx.cache, &r);
  if (r.target != a.grade) {
    ChangeGrade(*this, rec, a, r.target, at, v1::ENTERED, v1::ENROLMENT, r,
                event_id, fx);
  } else {
    a.rating = r;
    a.limit = r.limit;
  }
}

void EngineState::CreditReview(int64_t as_of, Effects& fx) {
  const CompiledPolicy& pol = *policy;
  const CompiledCredit& cc = pol.credit;
  if (!cc.enabled) return;
  // Approval steps past their deadline escalate (once per step).
  while (!credit.pending_by_due.empty() &&
         credit.pending_by_due.begin()->first <= as_of) {
    const auto [due, seq] = *credit.pending_by_due.begin();
    credit.pending_by_due.erase(credit.pending_by_due.begin());
    CreditAccount& a = *credit.Find(seq);
    a.pending->escalated = true;
    CreditTransition(*this, *by_sequence[seq], a.grade, a.pending->to_grade,
                     due, v1::ESCALATED, v1::DEADLINE, a.pending->rating, "",
                     fx);
  }
  // Scheduled reviews, one instant for everyone.
  while (credit.next_review != 0 && credit.next_review <= as_of) {
    const int64_t t = credit.next_review;
    for (const CustomerRecord* rec : by_sequence) {
      if (rec->enrolled_at > t) continue;
      ReviewGrade(*this, *rec, t, fx);
    }
    credit.next_review = NextCreditReview(cc, pol.clock, t);
  }
  // Days past due grow without events: hard rules of overdue customers.
  if (cc.hard_rules.empty()) return;
  const AsOf at = AsOf::Make(pol.clock, as_of);
  for (uint64_t seq : credit.Overdue(as_of)) {
    CheckHardRules(*this, *by_sequence[seq], at, fx);
  }
}

void EngineState::RemapCredit(const CompiledPolicy& from, Effects& fx) {
  const CompiledPolicy& pol = *policy;
  const CompiledCredit& cc = pol.credit;
  if (!cc.enabled) {
    credit.Clear();
    return;
  }
  const int64_t now = clock;
  if (!from.credit.enabled) {
    credit.Clear();
    for (const CustomerRecord* rec : by_sequence) {
      credit.Open(rec->sequence, 0, std::max(now, rec->enrolled_at));
    }
  }
  // Counted again below, under the new policy's grades.
  std::fill(credit.grade_counts.begin(), credit.grade_counts.end(), 0);
  credit.pending_by_due.clear();
  credit.next_review = cc.review == CreditReview::kNone || by_sequence.empty()
                           ? 0
                           : NextCreditReview(cc, pol.clock, now);
  for (const CustomerRecord* rec : by_sequence) {
    CreditAccount& a = *credit.Find(rec->sequence);
    const int64_t t = std::max(now, rec->enrolled_at);
    const AsOf at = AsOf::Make(pol.clock, t);
    // Grades and the pending change carry over by name.
    int grade = 0;
    bool known = true;
    if (from.credit.enabled) {
      grade = cc.FindGrade(from.credit.grades[a.grade].name);
      known = grade >= 0;
      if (!known) grade = 0;
      if (a.pending) {
        const int to =
            cc.FindGrade(from.credit.grades[a.pending->to_grade].name);
        if (to < 0 || a.pending->step >= static_cast<int>(cc.steps.size())) {
          a.pending.reset();
        } else {
          a.pending->to_grade = to;
        }
      }
    }
    a.grade = grade;
    ++credit.grade_counts[grade];
    if (a.pending && !a.pending->escalated) {
      credit.pending_by_due.insert({a.pending->step_due, rec->sequence});
    }
    MetricCache cache;
    cache.Clear();
    Rating& r = rating_scratch;
    RateCustomer(pol, Words(*rec), at, &cache, &r);
    if (!known || !from.credit.enabled) {
      // No grade to keep: rate now.
      if (r.target != grade) {
        ChangeGrade(*this, *rec, a, r.target, at, v1::ENTERED,
                    v1::POLICY_CHANGE, r, "", fx);
      } else {
        a.rating = r;
        a.limit = r.limit;
      }
    } else if (r.hard_rule >= 0 && r.target < r.score_grade &&
               r.target < a.grade) {
      ChangeGrade(*this, *rec, a, r.target, at, v1::DOWNGRADE, v1::HARD_RULE, r,
                  "", fx);
    } else {
      // The grade stays until the next review; its limit follows the new
      // policy at once.
      a.limit = GradeLimit(pol, a.grade, Words(*rec), at);
    }
  }
}

// ----- the public API
// ---------------------------------------------------------

absl::Status Engine::CheckCredit(std::string_view id, int64_t amount,
                                 int64_t at_seconds,
                                 v1::CreditDecision* out) const {
  std::shared_lock lock(state_->mu);
  const EngineState& st = *state_;
  const CompiledCredit& cc = st.policy->credit;
  if (!cc.enabled) {
    return absl::FailedPreconditionError(
        "check credit: the policy has no credit section (policy.credit)");
  }
  if (amount <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "check credit: amount must be positive (got ", amount, ")"));
  }
  const CustomerRecord* rec = st.Find(absl::string_view(id.data(), id.size()));
  if (rec == nullptr) {
    return st.FindOrNotFound(absl::string_view(id.data(), id.size())).status();
  }
  const CreditAccount& a = *st.credit.Find(rec->sequence);
  const CompiledGrade& g = cc.grades[a.grade];
  const int64_t t = at_seconds != 0 ? at_seconds : st.clock;
  const int64_t available = a.Available(t);
  // Findings are reused (Clear keeps the allocated elements).
  auto* findings = out->mutable_findings();
  findings->Clear();
  if (g.blocked) {
    v1::CreditDecision::Finding* f = findings->Add();
    f->set_reason(v1::CreditDecision::GRADE_BLOCKED);
    f->set_amount(0);
    f->set_days(0);
  }
  if (amount > available) {
    v1::CreditDecision::Finding* f = findings->Add();
    f->set_reason(v1::CreditDecision::OVER_LIMIT);
    f->set_amount(amount - available);
    f->set_days(0);
  }
  bool overdue = false;
  const int32_t days = a.DaysPastDue(t, &overdue);
  if (overdue &&
      (g.overdue_tolerance_days == 0 || days > g.overdue_tolerance_days)) {
    v1::CreditDecision::Finding* f = findings->Add();
    f->set_reason(v1::CreditDecision::OVERDUE);
    f->set_amount(0);
    f->set_days(days);
  }
  v1::CreditDecision::Outcome outcome = v1::CreditDecision::APPROVE;
  if (g.blocked) {
    outcome = v1::CreditDecision::BLOCK;
  } else if (!findings->empty()) {
    switch (g.control) {
      case v1::CONTROL_NONE:
        outcome = v1::CreditDecision::APPROVE;
        break;
      case v1::CONTROL_WARN:
        outcome = v1::CreditDecision::WARN;
        break;
      default:
        outcome = v1::CreditDecision::BLOCK;
    }
  }
  out->set_outcome(outcome);
  out->set_available(available);
  out->set_order_amount(amount);
  // A reused decision already holds the currency: no copy per check.
  if (out->currency() != st.policy->currency) {
    out->set_currency(st.policy->currency);
  }
  out->set_control(g.control);
  return absl::OkStatus();
}

namespace {

void ExportPending(const EngineState& st, const CustomerRecord& rec,
                   const CreditAccount& a, v1::PendingApproval* out) {
  const CompiledPolicy& pol = *st.policy;
  const CompiledCredit& cc = pol.credit;
  const PendingChange& p = *a.pending;
  const CompiledApprovalStep& step = cc.steps[p.step];
  out->set_customer_id(rec.id);
  out->set_from_grade(cc.grades[a.grade].name);
  out->set_to_grade(cc.grades[p.to_grade].name);
  Stamp(p.proposed_at, out->mutable_proposed_at());
  out->set_step(step.name);
  out->set_step_index(p.step);
  Stamp(p.step_due, out->mutable_step_due());
  out->set_escalated(p.escalated);
  for (const auto& role : step.roles) out->add_roles(role);
  if (p.escalated && step.EscalationAddsRole()) {
    out->add_roles(step.escalate_to);
  }
  for (const auto& h : p.history) *out->add_history() = h;
  ExportRating(pol, p.rating, out->mutable_criteria());
}

}  // namespace

absl::Status Engine::GetCreditRecord(std::string_view id, std::string_view role,
                                     v1::CreditRecord* out) const {
  std::shared_lock lock(state_->mu);
  const EngineState& st = *state_;
  const CompiledPolicy& pol = *st.policy;
  const CompiledCredit& cc = pol.credit;
  if (!cc.enabled) {
    return absl::FailedPreconditionError(
        "credit record: the policy has no credit section (policy.credit)");
  }
  auto found = st.FindOrNotFound(absl::string_view(id.data(), id.size()));
  if (!found.ok()) return found.status();
  const CustomerRecord& rec = **found;
  const CreditAccount& a = *st.credit.Find(rec.sequence);
  out->Clear();
  out->set_customer_id(rec.id);
  out->set_currency(pol.currency);
  ExportReceivables(a, st.clock, out->mutable_receivables());
  if (!cc.MayRead(absl::string_view(role.data(), role.size()))) {
    out->set_redacted(true);
    st.credit.refused_reads.fetch_add(1, std::memory_order_relaxed);
    return absl::OkStatus();
  }
  const CompiledGrade& g = cc.grades[a.grade];
  out->set_grade(g.name);
  out->set_grade_index(a.grade);
  Stamp(a.grade_since, out->mutable_grade_since());
  out->set_limit(a.limit + a.ActiveIncrease(st.clock));
  out->set_term_days(g.term_days);
  out->set_control(g.control);
  ExportRating(pol, a.rating, out->mutable_criteria());
  for (const LimitIncrease& inc : a.increases) {
    if (inc.expires_at <= st.clock) continue;
    v1::TemporaryIncrease* o = out->add_increases();
    o->set_amount(inc.amount);
    Stamp(inc.granted_at, o->mutable_granted_at());
    Stamp(inc.expires_at, o->mutable_expires_at());
    o->set_approver(inc.approver);
    o->set_role(inc.role);
    o->set_reason(inc.reason);
  }
  if (a.pending) ExportPending(st, rec, a, out->mutable_pending());
  return absl::OkStatus();
}

absl::Status Engine::GetCreditReport(int limit, v1::CreditReport* out) const {
  std::shared_lock lock(state_->mu);
  const EngineState& st = *state_;
  const CompiledPolicy& pol = *st.policy;
  const CompiledCredit& cc = pol.credit;
  if (!cc.enabled) {
    return absl::FailedPreconditionError(
        "credit report: the policy has no credit section (policy.credit)");
  }
  if (limit < 0) {
    return absl::InvalidArgumentError("credit report: limit must be >= 0");
  }
  const size_t max_items = limit == 0 ? 1000 : static_cast<size_t>(limit);
  out->Clear();
  for (size_t g = 0; g < cc.grades.size(); ++g) {
    v1::GradeCount* c = out->add_grades();
    c->set_grade(cc.grades[g].name);
    c->set_customers(st.credit.grade_counts[g]);
  }
  std::vector<std::pair<int64_t, uint64_t>> pending;
  uint64_t escalated = 0;
  for (size_t seq = 0; seq < st.credit.accounts.size(); ++seq) {
    const CreditAccount& a = st.credit.accounts[seq];
    if (!a.pending) continue;
    pending.emplace_back(a.pending->step_due, seq);
    if (a.pending->escalated) ++escalated;
  }
  std::sort(pending.begin(), pending.end());
  out->set_pending_approvals(pending.size());
  out->set_escalated_approvals(escalated);
  out->set_refused_reads(
      st.credit.refused_reads.load(std::memory_order_relaxed));
  for (size_t i = 0; i < pending.size() && i < max_items; ++i) {
    const uint64_t seq = pending[i].second;
    ExportPending(st, *st.by_sequence[seq], st.credit.accounts[seq],
                  out->add_pending());
  }
  uint64_t overdue = 0;
  for (const CreditAccount& a : st.credit.accounts) {
    overdue += a.oldest_due != 0 && a.oldest_due < st.clock;
  }
  out->set_customers_overdue(overdue);
  return absl::OkStatus();
}

}  // namespace standing
