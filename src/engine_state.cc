#include "engine_state.h"

#include <algorithm>
#include <bit>
#include <thread>

#include "absl/strings/str_cat.h"
#include "condition_eval.h"
#include "metric_state.h"

namespace standing {

void EngineState::Install(std::shared_ptr<const CompiledPolicy> compiled) {
  policy = std::move(compiled);
  members.assign(policy->programs.size(), {});
  for (size_t p = 0; p < policy->programs.size(); ++p) {
    members[p].resize(policy->programs[p].tiers.size());
  }
  // Accounts keep their (old) grade indices until RemapCredit recounts.
  credit.grade_counts.assign(policy->credit.grades.size(), 0);
}

absl::StatusOr<const CustomerRecord*> EngineState::FindOrNotFound(
    absl::string_view id) const {
  const CustomerRecord* rec = Find(id);
  if (rec == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("customer \"", id, "\": not enrolled"));
  }
  return rec;
}

const GrantRecord* EngineState::FindGrant(const CustomerRecord& rec,
                                          int program) const {
  if (!ProgramState(*policy, rec.words.get(), program).has_grant()) {
    return nullptr;
  }
  auto it = grants.find(GrantKey(rec.sequence, program));
  return it == grants.end() ? nullptr : &it->second;
}

int EngineState::ActiveGrantTier(const CustomerRecord& rec, int program,
                                 int64_t t) const {
  const GrantRecord* g = FindGrant(rec, program);
  if (g == nullptr) return -1;
  if (g->expires_at != 0 && t >= g->expires_at) return -1;
  return g->tier;
}

int64_t EngineState::NextEval(const CustomerRecord& rec) const {
  int64_t next = kNever;
  for (size_t p = 0; p < policy->programs.size(); ++p) {
    const ProgramWords s =
        ProgramState(*policy, rec.words.get(), static_cast<int>(p));
    if (s.next_review() != 0) next = std::min(next, s.next_review());
    if (s.retained_until() != 0) next = std::min(next, s.retained_until());
    if (s.has_grant()) {
      const GrantRecord* g = FindGrant(rec, static_cast<int>(p));
      if (g != nullptr && g->expires_at != 0) {
        next = std::min(next, g->expires_at);
      }
    }
  }
  return next;
}

void EngineState::Reschedule(const CustomerRecord& rec) {
  const int64_t next = NextEval(rec);
  if (next == rec.next_eval) return;
  rec.next_eval = next;
  if (next != kNever) due_queue[next].push_back(rec.sequence);
}

void EngineState::ChangeTier(const CustomerRecord& rec, int program, int to,
                             int64_t at, v1::TransitionKind kind,
                             v1::Cause cause, const Target& target,
                             absl::string_view event_id, Effects& fx) {
  const CompiledPolicy& pol = *policy;
  ProgramWords s = ProgramState(pol, rec.words.get(), program);
  const int from = s.tier();
  Unsettle(rec, fx);
  if (from != to) {
    if (fx.deferred) {
      fx.moves.push_back({rec.sequence, program, from, to, at});
    } else {
      members[program][from].erase(rec.sequence);
      members[program][to].insert(rec.sequence);
    }
  }
  s.set(to, cause, s.has_grant(), at);
  s.set_retained_until(0);
  if (pol.programs[program].review == ReviewKind::kTierAnniversary) {
    s.set_next_review(NextReview(pol, program, at, rec.enrolled_at, at));
  }
  ResetTierStartMetrics(pol, program, Words(rec));
  if (from != to && !fx.deferred && !enrolling) {
    service.OnTierChange(pol, rec.sequence, program, from, to, at, View(rec));
  }
  fx.cache.Clear();  // tier-start windows may have been reset
  fx.schedule_changed = true;
  if (fx.out != nullptr) {
    BuildTransition(*this, rec, program, from, to, at, kind, cause, target,
                    event_id, &fx.out->emplace_back());
  }
}

void EngineState::Retain(const CustomerRecord& rec, int program, int64_t at,
                         int64_t until, const Target& target, Effects& fx) {
  ProgramWords s = ProgramState(*policy, rec.words.get(), program);
  s.set_retained_until(until);
  Unsettle(rec, fx);
  fx.schedule_changed = true;
  if (fx.out != nullptr) {
    BuildTransition(*this, rec, program, s.tier(), s.tier(), at, v1::RETAINED,
                    v1::REVIEW, target, "", &fx.out->emplace_back());
  }
}

void EngineState::ApplyDeferred(const Effects& fx) {
  for (const Effects::MemberMove& m : fx.moves) {
    members[m.program][m.from].erase(m.sequence);
    members[m.program][m.to].insert(m.sequence);
    service.OnTierChange(*policy, m.sequence, m.program, m.from, m.to, m.at,
                         View(*by_sequence[m.sequence]));
  }
  for (uint64_t key : fx.erased_grants) grants.erase(key);
}

int EngineState::MatchDeadline(const CustomerRecord& rec,
                               absl::string_view type,
                               absl::string_view priority,
                               const AsOf& as_of) const {
  const CompiledPolicy& pol = *policy;
  const CustomerWords words = Words(rec);
  MetricCache cache;
  cache.Clear();
  const EvalInput in{pol, words, as_of, 1.0, nullptr, &cache};
  auto listed = [](const std::vector<std::string>& list, absl::string_view v) {
    return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
  };
  for (size_t i = 0; i < pol.service.deadlines.size(); ++i) {
    const CompiledDeadline& d = pol.service.deadlines[i];
    if (!listed(d.request_types, type) || !listed(d.priorities, priority)) {
      continue;
    }
    if (d.condition >= 0 && !EvalConditionFast(in, d.condition)) continue;
    return static_cast<int>(i);
  }
  return -1;
}

void EngineState::Evaluate(const CustomerRecord& rec, const AsOf& as_of,
                           v1::Cause cause, absl::string_view event_id,
                           Effects& fx) {
  const CompiledPolicy& pol = *policy;
  const CustomerWords c = Words(rec);
  for (int p : pol.program_order) {
    const CompiledProgram& prog = pol.programs[p];
    ProgramWords s = ProgramState(pol, c.words, p);
    // Skipped when its metrics read as last time (a tier or grade moved in
    // this event makes nothing "unchanged": Unsettle); grants expire by the
    // second.
    const ReadSet& reads = pol.inputs.program[p];
    if (fx.inputs.Unchanged(reads) && !s.has_grant()) {
      continue;
    }
    fx.inputs.Ran(reads);
    const int cur = s.tier();
    // Without immediate downgrades or a grace period to end, only a rise
    // matters: tiers at or below the current one are not evaluated.
    const bool rise_only = !prog.downgrade_immediate && s.retained_until() == 0;
    const Target t =
        ComputeTarget(pol, p, c, as_of, ActiveGrantTier(rec, p, as_of.t),
                      &fx.cache, rise_only ? cur : -1);
    if (t.target > cur) {
      // Grants and floors apply at once; qualification follows the
      // program's upgrade timing.
      const int forced = std::max(t.floor_tier, t.grant_tier);
      const int to = prog.upgrade_immediate ? t.target : forced;
      if (to > cur) {
        const v1::Cause why = to == t.grant_tier && to > t.qualified ? v1::GRANT
                              : to == t.floor_tier && to > t.qualified
                                  ? v1::FLOOR
                                  : cause;
        ChangeTier(rec, p, to, as_of.t, v1::UPGRADE, why, t, event_id, fx);
      }
    } else if (t.target < cur && prog.downgrade_immediate) {
      const int to =
          prog.one_tier_down ? std::max(t.target, cur - 1) : t.target;
      ChangeTier(rec, p, to, as_of.t, v1::DOWNGRADE, cause, t, event_id, fx);
    }
    if (s.retained_until() != 0 && t.target >= s.tier()) {
      s.set_retained_until(0);  // qualifies again: grace no longer needed
      Unsettle(rec, fx);
      fx.schedule_changed = true;
    }
  }
}

void EngineState::RunDue(const CustomerRecord& rec, int64_t due, Effects& fx) {
  const CompiledPolicy& pol = *policy;
  const CustomerWords c = Words(rec);
  const AsOf as_of = AsOf::Make(pol.clock, due);
  fx.cache.Clear();
  Unsettle(rec, fx);  // reviews and expiries change what events compare to
  for (int p : pol.program_order) {
    const CompiledProgram& prog = pol.programs[p];
    ProgramWords s = ProgramState(pol, c.words, p);
    // Grant expiry: the customer drops at once to what it supports itself.
    if (const GrantRecord* g = FindGrant(rec, p);
        g != nullptr && g->expires_at != 0 && g->expires_at <= due) {
      if (fx.deferred) {
        fx.erased_grants.push_back(GrantKey(rec.sequence, p));
      } else {
        grants.erase(GrantKey(rec.sequence, p));
      }
      s.set_has_grant(false);
      const Target t = ComputeTarget(pol, p, c, as_of, -1, &fx.cache);
      if (t.target != s.tier()) {
        ChangeTier(rec, p, t.target, due,
                   t.target > s.tier() ? v1::UPGRADE : v1::DOWNGRADE,
                   v1::GRANT_EXPIRED, t, "", fx);
      }
    }
    if (s.retained_until() != 0 && s.retained_until() <= due) {
      s.set_retained_until(0);
      const int cur = s.tier();
      const Target t = ComputeTarget(pol, p, c, as_of,
                                     ActiveGrantTier(rec, p, due), &fx.cache);
      if (t.target < cur) {
        const int to =
            prog.one_tier_down ? std::max(t.target, cur - 1) : t.target;
        ChangeTier(rec, p, to, due, v1::DOWNGRADE, v1::GRACE_EXPIRED, t, "",
                   fx);
      }
    }
    if (s.next_review() != 0 && s.next_review() <= due) {
      s.set_next_review(
          NextReview(pol, p, due, rec.enrolled_at, s.tier_since()));
      const int cur = s.tier();
      const Target t = ComputeTarget(pol, p, c, as_of,
                                     ActiveGrantTier(rec, p, due), &fx.cache);
      if (t.target > cur) {
        ChangeTier(rec, p, t.target, due, v1::UPGRADE, v1::REVIEW, t, "", fx);
      } else if (t.target < cur) {
        const int64_t stay_end =
            s.tier_since() + int64_t{prog.minimum_stay_days} * kSecondsPerDay;
        if (due < stay_end) {
          // Evaluate again once the minimum stay is served.
          s.set_next_review(std::min(s.next_review(), stay_end));
        } else if (prog.grace_days > 0 && s.retained_until() == 0) {
          Retain(rec, p, due, due + int64_t{prog.grace_days} * kSecondsPerDay,
                 t, fx);
        } else if (s.retained_until() == 0) {
          const int to =
              prog.one_tier_down ? std::max(t.target, cur - 1) : t.target;
          ChangeTier(rec, p, to, due, v1::DOWNGRADE, v1::REVIEW, t, "", fx);
        }
      } else {
        s.set_retained_until(0);
      }
    }
  }
  // Reviews may move tiers that other programs read, and time has passed
  // for programs with immediate timing: settle everything at this instant.
  // Metric reads are shared with the loop above through fx.cache.
  Evaluate(rec, as_of, v1::DEPENDENCY, "", fx);
}

namespace {

// Below this many due customers a review runs on the calling thread.
constexpr size_t kParallelReviewMin = 20000;

}  // namespace

absl::Status EngineState::Review(int64_t as_of,
                                 std::vector<v1::Transition>* out) {
  // Take every bucket due by `as_of`; keep the entries still current, once
  // each (an entry can repeat if a due instant moved away and back).
  std::vector<const CustomerRecord*> due;
  std::vector<bool> seen;
  while (!due_queue.empty() && due_queue.begin()->first <= as_of) {
    const int64_t at = due_queue.begin()->first;
    const std::vector<uint64_t> bucket = std::move(due_queue.begin()->second);
    due_queue.erase(due_queue.begin());
    for (uint64_t seq : bucket) {
      const CustomerRecord* rec = by_sequence[seq];
      if (rec->next_eval != at) continue;
      if (seen.empty()) seen.resize(by_sequence.size());
      if (seen[seq]) continue;
      seen[seq] = true;
      due.push_back(rec);
    }
  }
  int threads = options.review_threads > 0
                    ? options.review_threads
                    : static_cast<int>(std::thread::hardware_concurrency());
  if (due.size() < kParallelReviewMin) threads = 1;
  threads = std::max(1, std::min<int>(threads, 64));

  // Each customer is independent: its words, its transitions. Shared
  // structures (tier members, grants) are changed only after the join.
  std::vector<Effects> effects(threads);
  std::vector<std::vector<v1::Transition>> outs(threads);
  bool stuck = false;
  auto work = [&](int w) {
    Effects& fx = effects[w];
    fx.out = out != nullptr ? &outs[w] : nullptr;
    fx.deferred = threads > 1;
    const size_t begin = due.size() * w / threads;
    const size_t end = due.size() * (w + 1) / threads;
    for (size_t i = begin; i < end; ++i) {
      const CustomerRecord& rec = *due[i];
      for (int64_t at = rec.next_eval; at <= as_of;) {
        RunDue(rec, at, fx);
        const int64_t next = NextEval(rec);
        if (next <= at) {
          stuck = true;  // a schedule that does not advance: a bug
          break;
        }
        at = next;
      }
    }
  };
  if (threads == 1) {
    work(0);
  } else {
    std::vector<std::thread> pool;
    for (int w = 1; w < threads; ++w) pool.emplace_back(work, w);
    work(0);
    for (auto& t : pool) t.join();
    for (const Effects& fx : effects) ApplyDeferred(fx);
  }
  if (out != nullptr) {
    for (auto& o : outs) {
      for (auto& t : o) out->push_back(std::move(t));
    }
  }
  // Queue each due customer again at its next evaluation. Reschedule
  // compares with next_eval, which still holds the instant just run.
  for (const CustomerRecord* rec : due) {
    rec->next_eval = kNever;
    Reschedule(*rec);
  }
  // Credit after the tiers: its conditions may read them.
  Effects credit_fx;
  credit_fx.out = out;
  CreditReview(as_of, credit_fx);
  clock = std::max(clock, as_of);
  if (stuck) return absl::InternalError("review: a schedule did not advance");
  return absl::OkStatus();
}

void ExportAttributes(
    const EngineState& state, const CustomerRecord& rec,
    google::protobuf::Map<std::string, v1::AttributeValue>* out) {
  const CompiledPolicy& policy = *state.policy;
  const int64_t* words = rec.words.get();
  // Entries are updated in place (and stale ones erased) instead of the map
  // being cleared, so a reused map does not reallocate its nodes.
  for (auto it = out->begin(); it != out->end();) {
    const int a = policy.FindAttribute(it->first);
    if (a < 0 || !((words[policy.presence_offset] >> a) & 1)) {
      it = out->erase(it);
    } else {
      ++it;
    }
  }
  for (size_t a = 0; a < policy.attribute_names.size(); ++a) {
    if (!((words[policy.presence_offset] >> a) & 1)) continue;
    v1::AttributeValue& v = (*out)[policy.attribute_names[a]];
    const int64_t w = words[a];
    switch (policy.attribute_types[a]) {
      case v1::AttributeDecl::TEXT: {
        const auto text = state.interner.Text(w);
        v.mutable_text()->assign(text.data(), text.size());
        break;
      }
      case v1::AttributeDecl::INTEGER:
        v.set_integer(w);
        break;
      case v1::AttributeDecl::NUMBER:
        v.set_number(std::bit_cast<double>(w));
        break;
      case v1::AttributeDecl::FLAG:
        v.set_flag(w != 0);
        break;
      case v1::AttributeDecl::DATE: {
        const CivilDate d = CivilFromDays(w);
        v1::Date* date = v.mutable_date();
        date->set_year(d.year);
        date->set_month(d.month);
        date->set_day(d.day);
        break;
      }
      default:
        break;
    }
  }
}

}  // namespace standing
