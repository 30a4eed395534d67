#include "policy_migration.h"

#include <algorithm>
#include <cstdlib>
#include <map>

#include "metric_state.h"
#include "rolling_windows.h"

namespace standing {
namespace {

struct Moved {
  StateWords words;
  std::vector<int> settle;  // programs whose tier must be set at once
};

}  // namespace

absl::Status MigratePolicy(EngineState& state, const v1::Policy& policy,
                           std::vector<v1::Transition>* out) {
  auto compiled = CompilePolicy(policy, state.interner);
  if (!compiled.ok()) return compiled.status();
  // Held so `from` outlives Install below.
  const std::shared_ptr<const CompiledPolicy> old_policy = state.policy;
  const CompiledPolicy& from = *old_policy;
  const CompiledPolicy& to = **compiled;

  // Old indices of what the new policy keeps.
  std::vector<int> attr_map(to.attribute_names.size(), -1);
  for (size_t a = 0; a < to.attribute_names.size(); ++a) {
    const int old = from.FindAttribute(to.attribute_names[a]);
    if (old >= 0 && from.attribute_types[old] == to.attribute_types[a]) {
      attr_map[a] = old;
    }
  }
  std::vector<int> group_map(to.groups.size(), -1);
  for (size_t g = 0; g < to.groups.size(); ++g) {
    for (size_t o = 0; o < from.groups.size(); ++o) {
      if (from.groups[o].key == to.groups[g].key) group_map[g] = o;
    }
  }
  std::vector<int> program_map(to.programs.size(), -1);
  for (size_t p = 0; p < to.programs.size(); ++p) {
    program_map[p] = from.FindProgram(to.programs[p].name);
  }

  std::vector<Moved> moved(state.by_sequence.size());
  RollingTable rolling;
  if (to.rolling_count > 0) rolling.resize(state.by_sequence.size());
  absl::flat_hash_map<uint64_t, GrantRecord> grants;
  for (size_t i = 0; i < state.by_sequence.size(); ++i) {
    const CustomerRecord& rec = *state.by_sequence[i];
    const int64_t* old = rec.words.get();
    Moved& m = moved[i];
    m.words = NewStateWords(to.total_words);
    if (to.rolling_count > 0) rolling[i] = RollingWindows(to.rolling_count);
    int64_t* w = m.words.get();
    const CustomerWords c{w, to.rolling_count > 0 ? &rolling[i] : nullptr,
                          rec.enrolled_at};
    const CustomerWords old_c = state.Words(rec);
    for (size_t a = 0; a < attr_map.size(); ++a) {
      if (attr_map[a] < 0 || !((old[from.presence_offset] >> attr_map[a]) & 1))
        continue;
      w[a] = old[attr_map[a]];
      w[to.presence_offset] |= int64_t{1} << a;
    }
    for (int p = 1; p <= 3; ++p) {
      if (to.period_head_offset[p] >= 0 && from.period_head_offset[p] >= 0) {
        w[to.period_head_offset[p]] = old[from.period_head_offset[p]];
      }
    }
    for (size_t g = 0; g < to.groups.size(); ++g) {
      const StateGroup& ng = to.groups[g];
      if (group_map[g] < 0) {
        InitGroupWords(to, static_cast<int>(g), c);
        continue;
      }
      const StateGroup& og = from.groups[group_map[g]];
      if (ng.window == WindowKind::kRolling) {
        if (old_c.rolling != nullptr) {
          // The old entries are in day order and within kMaxEntries, so
          // every one appends; anything else is a broken invariant.
          for (const RollingEntry& e :
               old_c.rolling->entries(og.rolling_index)) {
            if (!c.rolling->Append(ng.rolling_index, e)) std::abort();
          }
        }
        continue;
      }
      int n = ng.slots * ng.slot_words;
      if (ng.aggregate == v1::TIME_WEIGHTED_AVERAGE) n += 2;
      std::copy(old + og.offset, old + og.offset + n, w + ng.offset);
    }
    for (size_t p = 0; p < to.programs.size(); ++p) {
      ProgramWords s = ProgramState(to, w, static_cast<int>(p));
      const int op = program_map[p];
      int tier = -1;
      if (op >= 0) {
        const ProgramWords o =
            ProgramState(from, const_cast<int64_t*>(old), op);
        tier = to.FindTier(static_cast<int>(p),
                           from.programs[op].tiers[o.tier()].name);
        if (tier >= 0) {
          s.set(tier, o.cause(), false, o.tier_since());
          s.set_retained_until(o.retained_until());
          if (const GrantRecord* g = state.FindGrant(rec, op)) {
            const int gt = to.FindTier(static_cast<int>(p), g->info.tier());
            if (gt >= 0) {
              GrantRecord copy = *g;
              copy.tier = gt;
              grants[EngineState::GrantKey(rec.sequence, static_cast<int>(p))] =
                  std::move(copy);
              s.set_has_grant(true);
            }
          }
        }
      }
      if (tier < 0) {
        s.set(0, v1::POLICY_CHANGE, false, state.clock);
        m.settle.push_back(static_cast<int>(p));
      }
      s.set_next_review(NextReview(to, static_cast<int>(p),
                                   std::max(state.clock, rec.enrolled_at),
                                   rec.enrolled_at, s.tier_since()));
    }
  }

  // Nothing below fails: install the new layout.
  state.Install(*std::move(compiled));
  state.service.RemapForPolicy(from, *state.policy);
  state.grants = std::move(grants);
  state.rolling = std::move(rolling);
  const CompiledPolicy& pol = *state.policy;
  for (size_t i = 0; i < state.by_sequence.size(); ++i) {
    const CustomerRecord& rec = *state.by_sequence[i];
    rec.words = std::move(moved[i].words);
    for (size_t p = 0; p < pol.programs.size(); ++p) {
      state
          .members[p][ProgramState(pol, rec.words.get(), static_cast<int>(p))
                          .tier()]
          .insert(rec.sequence);
    }
  }
  Effects fx;
  fx.out = out;
  for (size_t i = 0; i < state.by_sequence.size(); ++i) {
    const CustomerRecord& rec = *state.by_sequence[i];
    fx.cache.Clear();
    const int64_t now = std::max(state.clock, rec.enrolled_at);
    const AsOf as_of = AsOf::Make(pol.clock, now);
    for (int p : moved[i].settle) {
      const Target t = ComputeTarget(pol, p, state.Words(rec), as_of,
                                     state.ActiveGrantTier(rec, p, now));
      if (t.target != 0) {
        state.ChangeTier(rec, p, t.target, now, v1::ENTERED, v1::POLICY_CHANGE,
                         t, "", fx);
      }
    }
    state.Evaluate(rec, as_of, v1::POLICY_CHANGE, "", fx);
    state.Reschedule(rec);
  }
  state.RemapCredit(from, fx);
  // Cadences, capacity and due times under the new policy.
  for (const CustomerRecord* rec : state.by_sequence) {
    state.service.Attach(pol, rec->sequence, state.View(*rec));
  }
  return absl::OkStatus();
}

}  // namespace standing
