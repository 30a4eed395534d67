// Engine: the service-level queries (docs/service-levels.md). All are
// reads under the shared lock; overdue and breach listings walk indices.
#include <algorithm>
#include <limits>
#include <mutex>
#include <shared_mutex>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "engine_state.h"
#include "message_reuse.h"
#include "standing/engine.h"

namespace standing {
namespace {

constexpr int kDefaultLimit = 1000;

int Limit(int limit) { return limit > 0 ? limit : kDefaultLimit; }

const OpenRequest* FindRequest(const CustomerService* cs,
                               absl::string_view id) {
  if (cs == nullptr) return nullptr;
  const OpenRequest* found = nullptr;
  for (const OpenRequest& r : cs->requests) {
    if (r.request_id != id) continue;
    if (r.resolved_at == 0) return &r;  // the open one wins
    found = &r;                         // else the newest closed one
  }
  return found;
}

}  // namespace

void ExportCustomerService(const EngineState& st, const CustomerRecord& rec,
                           v1::Customer* out) {
  out->clear_ownership();
  out->mutable_requests()->Clear();
  out->mutable_cadences()->Clear();
  out->mutable_tasks()->Clear();
  const CustomerService* cs = st.service.Get(rec.sequence);
  if (cs == nullptr) return;
  const CompiledPolicy& pol = *st.policy;
  const ServicePolicy& sp = pol.service;
  const int64_t now = std::max(st.clock, rec.enrolled_at);
  if (cs->primary != 0 || cs->assistant != 0 || cs->last_handover) {
    v1::Ownership* o = out->mutable_ownership();
    o->set_primary_manager(std::string(st.interner.Text(cs->primary)));
    o->set_assistant_manager(std::string(st.interner.Text(cs->assistant)));
    if (cs->primary_since != 0) {
      Stamp(cs->primary_since, o->mutable_primary_since());
    }
    if (cs->last_handover) *o->mutable_last_handover() = *cs->last_handover;
  }
  for (const OpenRequest& r : cs->requests) {
    ExportRequest(r, now, out->add_requests());
  }
  const TierView tiers = st.View(rec);
  for (size_t p = 0; p < sp.tiers.size(); ++p) {
    const int t = tiers.tier(static_cast<int>(p));
    for (int c : sp.tiers[p][t].cadences) {
      int64_t last = 0;
      const int64_t due = st.service.CadenceDue(pol, cs, c, tiers, &last);
      v1::CadenceStatus* status = out->add_cadences();
      status->set_program(pol.programs[p].name);
      status->set_tier(pol.programs[p].tiers[t].name);
      status->set_cadence(sp.cadences[c].name);
      if (last != 0) Stamp(last, status->mutable_last_contact());
      Stamp(due, status->mutable_due());
      status->set_overdue(now > due);
    }
  }
  for (const Task& task : cs->tasks) {
    const CompiledObligation& o = sp.obligations[task.obligation];
    v1::TaskStatus* status = out->add_tasks();
    status->set_task(o.name);
    status->set_program(pol.programs[o.program].name);
    status->set_tier(pol.programs[o.program].tiers[o.tier].name);
    Stamp(task.created_at, status->mutable_created_at());
    Stamp(task.due, status->mutable_due());
    status->set_state(task.state);
    if (task.closed_at != 0) Stamp(task.closed_at, status->mutable_closed_at());
    status->set_closed_by(task.closed_by);
    status->set_overdue(task.state == v1::TaskStatus::OPEN && now > task.due);
  }
}

absl::Status Engine::GetRequest(std::string_view id,
                                std::string_view request_id,
                                int64_t as_of_seconds,
                                v1::RequestStatus* out) const {
  std::shared_lock lock(state_->mu);
  const EngineState& st = *state_;
  auto found = st.FindOrNotFound(absl::string_view(id.data(), id.size()));
  if (!found.ok()) return found.status();
  const absl::string_view rid(request_id.data(), request_id.size());
  const OpenRequest* r = FindRequest(st.service.Get((*found)->sequence), rid);
  if (r == nullptr) {
    return absl::NotFoundError(absl::StrCat(
        "customer \"", (*found)->id, "\": no service request \"", rid, "\""));
  }
  ExportRequest(*r, as_of_seconds != 0 ? as_of_seconds : st.clock, out);
  return absl::OkStatus();
}

absl::Status Engine::PreviewRequest(std::string_view id,
                                    std::string_view request_type,
                                    std::string_view priority,
                                    int64_t at_seconds,
                                    v1::RequestStatus* out) const {
  std::shared_lock lock(state_->mu);
  const EngineState& st = *state_;
  auto found = st.FindOrNotFound(absl::string_view(id.data(), id.size()));
  if (!found.ok()) return found.status();
  const CompiledPolicy& pol = *st.policy;
  const int64_t at = at_seconds != 0 ? at_seconds : st.clock;
  const absl::string_view type(request_type.data(), request_type.size());
  const absl::string_view prio(priority.data(), priority.size());
  const int rule =
      st.MatchDeadline(**found, type, prio, AsOf::Make(pol.clock, at));
  OpenRequest r;
  r.request_type = std::string(type);
  r.priority = std::string(prio);
  SetDueTimes(pol, rule, at, &r);
  ExportRequest(r, at, out);
  return absl::OkStatus();
}

absl::Status Engine::ListBreaches(int64_t as_of_seconds, int limit,
                                  v1::BreachList* out) const {
  std::shared_lock lock(state_->mu);
  const EngineState& st = *state_;
  out->Clear();
  const int64_t as_of = as_of_seconds != 0 ? as_of_seconds : st.clock;
  const int max_items = Limit(limit);
  // A request has up to two keys (response, resolution): list it once, at
  // its earliest breached due time.
  absl::flat_hash_set<std::pair<uint64_t, uint32_t>> listed;
  for (const RequestDueKey& k : st.service.request_due) {
    if (k.due >= as_of) break;
    if (!listed.insert({k.sequence, k.serial}).second) continue;
    const CustomerService* cs = st.service.Get(k.sequence);
    if (cs == nullptr) continue;
    for (const OpenRequest& r : cs->requests) {
      if (r.serial != k.serial) continue;
      if (out->items_size() >= max_items) {
        out->set_truncated(true);
        return absl::OkStatus();
      }
      v1::BreachedRequest* b = out->add_items();
      b->set_customer_id(st.by_sequence[k.sequence]->id);
      ExportRequest(r, as_of, b->mutable_request());
    }
  }
  return absl::OkStatus();
}

absl::Status Engine::ListOverdue(const v1::OverdueQuery& query,
                                 v1::OverdueList* out) const {
  std::shared_lock lock(state_->mu);
  const EngineState& st = *state_;
  const CompiledPolicy& pol = *st.policy;
  const ServicePolicy& sp = pol.service;
  int program = -1, tier = -1;
  if (!query.program().empty() || !query.tier().empty()) {
    program = pol.FindProgram(query.program());
    if (program < 0) {
      return absl::NotFoundError(absl::StrCat(
          "overdue query: unknown program \"", query.program(), "\""));
    }
    tier = pol.FindTier(program, query.tier());
    if (tier < 0) {
      return absl::NotFoundError(absl::StrCat("overdue query: unknown tier \"",
                                              query.tier(), "\" in program \"",
                                              query.program(), "\""));
    }
  }
  if (!v1::OverdueQuery::Kind_IsValid(query.kind())) {
    return absl::InvalidArgumentError("overdue query: unknown kind");
  }
  if (query.unowned() && !query.manager().empty()) {
    return absl::InvalidArgumentError(
        "overdue query: give a manager or unowned, not both");
  }
  const int64_t as_of = query.has_as_of() ? query.as_of().seconds() : st.clock;
  const int64_t due_from = query.has_due_from()
                               ? query.due_from().seconds()
                               : std::numeric_limits<int64_t>::min();
  const size_t max_items = static_cast<size_t>(Limit(query.limit()));
  const auto& index = st.service.overdue;

  // The answer's entries, in order. Per thread: a host that lists again and
  // again allocates nothing.
  thread_local std::vector<const OverdueKey*> hits;
  hits.clear();
  bool truncated = false;
  const bool single = !query.manager().empty() || query.unowned();
  // Whether an entry's customer is in the queried tier. A cadence entry
  // exists only while the customer is in the cadence's tier, so for the
  // queried program the entry answers; otherwise read the customer's tier.
  auto in_tier = [&](const OverdueKey& k) {
    if ((k.slot & kTaskBit) == 0) {
      const CompiledCadence& c = sp.cadences[k.slot];
      if (c.program == program) return c.tier == tier;
    }
    return st.View(*st.by_sequence[k.sequence]).tier(program) == tier;
  };
  // Collects one manager's overdue keys in [due_from, as_of).
  auto scan = [&](int64_t manager) {
    for (auto it = index.lower_bound(OverdueKey::Make(manager, due_from, 0, 0));
         it != index.end() && it->manager == manager && it->due < as_of; ++it) {
      const bool is_task = (it->slot & kTaskBit) != 0;
      if (query.kind() == v1::OverdueQuery::CADENCE && is_task) continue;
      if (query.kind() == v1::OverdueQuery::TASK && !is_task) continue;
      if (program >= 0 && !in_tier(*it)) continue;
      // One manager's range is in due order: stop once the page is full.
      if (single && hits.size() >= max_items) {
        truncated = true;
        return;
      }
      hits.push_back(&*it);
    }
  };
  if (!query.manager().empty()) {
    const int64_t id = st.interner.Find(query.manager());
    if (id != 0) scan(id);
  } else if (query.unowned()) {
    scan(0);
  } else {
    // Every manager: jump from one manager's range to the next.
    for (auto it = index.begin(); it != index.end();) {
      const int64_t manager = it->manager;
      scan(manager);
      if (manager == std::numeric_limits<uint32_t>::max()) break;
      it = index.lower_bound(OverdueKey::Make(
          manager + 1, std::numeric_limits<int64_t>::min(), 0, 0));
    }
  }
  if (!single) {  // one manager's range is already in due order
    std::stable_sort(hits.begin(), hits.end(),
                     [](const OverdueKey* a, const OverdueKey* b) {
                       return a->due < b->due;
                     });
  }
  if (hits.size() > max_items) {
    hits.resize(max_items);
    truncated = true;
  }
  out->set_truncated(truncated);
  // Everything an item shows is in its index entry, except a customer id
  // too long to be kept there: that one sits in the customer's record far
  // from the index, so prefetch those first (the misses then overlap).
  for (const OverdueKey* k : hits) {
    if (const std::string* id = k->customer_id.record_id()) {
      __builtin_prefetch(id);
    }
  }
  // Items are overwritten in place, not cleared (a generated Clear() frees
  // sub-messages), and a string is written only when it differs from the
  // one the reused item holds: a host that reuses `out` allocates nothing,
  // and names, programs, tiers and the manager mostly repeat.
  auto* items = out->mutable_items();
  while (items->size() > static_cast<int>(hits.size())) items->RemoveLast();
  int64_t manager = -1;
  std::string_view manager_name;
  for (size_t i = 0; i < hits.size(); ++i) {
    const OverdueKey* k = hits[i];
    v1::OverdueItem* item = static_cast<int>(i) < items->size()
                                ? items->Mutable(static_cast<int>(i))
                                : items->Add();
    STANDING_ASSIGN(item, customer_id,
                    k->customer_id.known()
                        ? k->customer_id.view()
                        : std::string_view(st.by_sequence[k->sequence]->id));
    if (k->manager != manager) {
      manager = k->manager;
      manager_name = st.interner.Text(manager);
    }
    STANDING_ASSIGN(item, manager, manager_name);
    google::protobuf::Timestamp* due = item->mutable_due();
    if (due->seconds() != k->due) due->set_seconds(k->due);
    if (due->nanos() != 0) due->set_nanos(0);
    const std::string* name;
    int p = 0, t = 0;
    if (k->slot & kTaskBit) {
      const CompiledObligation& o = sp.obligations[k->item];
      item->set_kind(v1::OverdueQuery::TASK);
      name = &o.name;
      p = o.program;
      t = o.tier;
    } else {
      const CompiledCadence& c = sp.cadences[k->item];
      item->set_kind(v1::OverdueQuery::CADENCE);
      name = &c.name;
      p = c.program;
      t = c.tier;
    }
    STANDING_ASSIGN(item, name, *name);
    STANDING_ASSIGN(item, program, pol.programs[p].name);
    STANDING_ASSIGN(item, tier, pol.programs[p].tiers[t].name);
  }
  return absl::OkStatus();
}

absl::Status Engine::GetCapacityReport(int limit,
                                       v1::CapacityReport* out) const {
  std::shared_lock lock(state_->mu);
  const EngineState& st = *state_;
  const CompiledPolicy& pol = *st.policy;
  const ServicePolicy& sp = pol.service;
  out->Clear();
  uint64_t managers = 0;
  for (const auto& [manager, counts] : st.service.manager_counts) {
    double load = 0;
    bool any = false;
    for (size_t s = 0; s < counts.size(); ++s) {
      any |= counts[s] > 0;
      load += static_cast<double>(counts[s]) / sp.capacity_tiers[s].capacity;
    }
    if (!any) continue;
    ++managers;
    if (load <= 1.0 + 1e-12) continue;
    v1::ManagerLoad* m = out->add_over_capacity();
    m->set_manager(std::string(st.interner.Text(manager)));
    m->set_load(load);
    for (size_t s = 0; s < counts.size(); ++s) {
      if (counts[s] == 0) continue;
      const auto& ct = sp.capacity_tiers[s];
      v1::ManagerLoad::TierCount* tc = m->add_tiers();
      tc->set_program(pol.programs[ct.program].name);
      tc->set_tier(pol.programs[ct.program].tiers[ct.tier].name);
      tc->set_customers(counts[s]);
      tc->set_capacity(ct.capacity);
    }
  }
  std::sort(out->mutable_over_capacity()->begin(),
            out->mutable_over_capacity()->end(),
            [](const v1::ManagerLoad& a, const v1::ManagerLoad& b) {
              if (a.load() != b.load()) return a.load() > b.load();
              return a.manager() < b.manager();
            });
  out->set_manager_count(managers);
  out->set_unmanaged_count(st.service.unmanaged.size());
  const int max_ids = Limit(limit);
  for (uint64_t seq : st.service.unmanaged) {
    if (out->unmanaged_customer_ids_size() >= max_ids) break;
    out->add_unmanaged_customer_ids(st.by_sequence[seq]->id);
  }
  return absl::OkStatus();
}

absl::Status Engine::GetCompliance(v1::ComplianceReport* out) const {
  std::shared_lock lock(state_->mu);
  const EngineState& st = *state_;
  const CompiledPolicy& pol = *st.policy;
  const ServicePolicy& sp = pol.service;
  out->Clear();
  for (const auto& [key, counts] : st.service.compliance) {
    const auto& [target, period_start, tier] = key;
    if (target >= static_cast<int>(sp.targets.size())) continue;
    const CompiledTarget& t = sp.targets[target];
    v1::TargetCompliance* row = out->add_rows();
    row->set_target(t.name);
    const auto& tiers = pol.programs[t.program].tiers;
    row->set_tier(tier < static_cast<int>(tiers.size()) ? tiers[tier].name
                                                        : std::string());
    Stamp(period_start, row->mutable_period_start());
    row->set_requests(counts.first);
    row->set_within_target(counts.second);
    const double percent = counts.first == 0
                               ? 100.0
                               : 100.0 * static_cast<double>(counts.second) /
                                     static_cast<double>(counts.first);
    row->set_percent(percent);
    row->set_target_percent(t.percent);
    row->set_met(percent + 1e-9 >= t.percent);
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> Engine::AddDuration(
    int64_t at_seconds, const v1::DurationSpec& duration) const {
  std::shared_lock lock(state_->mu);
  const CompiledPolicy& pol = *state_->policy;
  Duration d;
  if (auto s =
          CompileDuration(pol.service, duration, "duration", true, true, &d);
      !s.ok()) {
    return s;
  }
  return standing::AddDuration(d, at_seconds, pol.clock,
                               pol.service.Calendar(d));
}

#undef STANDING_ASSIGN

}  // namespace standing
