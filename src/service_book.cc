#include "service_book.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "metric_state.h"

namespace standing {
namespace {

bool Contains(const std::vector<std::string>& list, absl::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

OpenRequest* FindOpen(CustomerService* cs, absl::string_view id) {
  if (cs == nullptr) return nullptr;
  for (OpenRequest& r : cs->requests) {
    if (r.resolved_at == 0 && r.request_id == id) return &r;
  }
  return nullptr;
}

int FindDeadline(const ServicePolicy& sp, absl::string_view name) {
  for (size_t i = 0; i < sp.deadlines.size(); ++i) {
    if (sp.deadlines[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

int TierView::tier(int program) const {
  return ProgramState(*policy, const_cast<int64_t*>(words), program).tier();
}

int64_t TierView::tier_since(int program) const {
  return ProgramState(*policy, const_cast<int64_t*>(words), program)
      .tier_since();
}

CustomerService& ServiceBook::GetOrCreate(uint64_t sequence) {
  if (sequence >= customers.size()) customers.resize(sequence + 1);
  if (!customers[sequence]) {
    customers[sequence] = std::make_unique<CustomerService>();
  }
  return *customers[sequence];
}

int64_t ServiceBook::CadenceDue(const CompiledPolicy& policy,
                                const CustomerService* cs, int cadence,
                                const TierView& tiers,
                                int64_t* last_contact) const {
  const ServicePolicy& sp = policy.service;
  const CompiledCadence& c = sp.cadences[cadence];
  int64_t last = 0;
  if (cs != nullptr) {
    for (const auto& [channel, at] : cs->last_contact) {
      if (Contains(c.channels, channel)) last = std::max(last, at);
    }
  }
  const int64_t since = tiers.tier_since(c.program);
  // A contact before the customer entered the tier does not count for it.
  if (last < since) last = 0;
  if (last_contact != nullptr) *last_contact = last;
  return AddDuration(c.every, std::max(last, since), policy.clock,
                     sp.Calendar(c.every));
}

void ServiceBook::Detach(uint64_t sequence) {
  CustomerService* cs = Get(sequence);
  if (cs == nullptr || !cs->attached) return;
  for (const AttachedOverdue& k : cs->overdue_keys) {
    overdue.erase(OverdueKey::Make(cs->primary, k.due, sequence, k.slot));
  }
  for (const RequestDueKey& k : cs->request_keys) request_due.erase(k);
  if (!cs->capacity_slots.empty()) {
    auto it = manager_counts.find(cs->primary);
    if (it != manager_counts.end()) {
      for (int slot : cs->capacity_slots) --it->second[slot];
    }
  }
  if (cs->unmanaged) unmanaged.erase(sequence);
  cs->overdue_keys.clear();
  cs->request_keys.clear();
  cs->capacity_slots.clear();
  cs->unmanaged = false;
  cs->attached = false;
}

void ServiceBook::Attach(const CompiledPolicy& policy, uint64_t sequence,
                         const TierView& tiers) {
  const ServicePolicy& sp = policy.service;
  CustomerService* cs = Get(sequence);
  if (cs == nullptr) {
    if (!sp.tracks_customers) return;
    cs = &GetOrCreate(sequence);
  }
  if (cs->attached) Detach(sequence);
  for (size_t p = 0; p < sp.tiers.size(); ++p) {
    const int t = tiers.tier(static_cast<int>(p));
    if (t >= static_cast<int>(sp.tiers[p].size())) continue;
    const TierService& ts = sp.tiers[p][t];
    for (int c : ts.cadences) {
      OverdueKey key = OverdueKey::Make(
          cs->primary, CadenceDue(policy, cs, c, tiers, nullptr), sequence,
          static_cast<uint32_t>(c));
      key.item = static_cast<uint32_t>(c);
      key.customer_id.Set(tiers.id);
      overdue.insert(key);
      cs->overdue_keys.push_back({key.due, key.slot});
    }
    if (ts.capacity_slot >= 0 && cs->primary != 0) {
      std::vector<uint64_t>& counts = manager_counts[cs->primary];
      counts.resize(sp.capacity_tiers.size());
      ++counts[ts.capacity_slot];
      cs->capacity_slots.push_back(ts.capacity_slot);
    }
    if (ts.requires_manager && cs->primary == 0) cs->unmanaged = true;
  }
  for (size_t i = 0; i < cs->tasks.size(); ++i) {
    const Task& task = cs->tasks[i];
    if (task.state != v1::TaskStatus::OPEN) continue;
    OverdueKey key = OverdueKey::Make(cs->primary, task.due, sequence,
                                      kTaskBit | static_cast<uint32_t>(i));
    key.item = static_cast<uint32_t>(task.obligation);
    key.customer_id.Set(tiers.id);
    overdue.insert(key);
    cs->overdue_keys.push_back({key.due, key.slot});
  }
  for (const OpenRequest& r : cs->requests) {
    if (r.resolved_at != 0 || r.paused_at != 0) continue;
    if (r.respond_by != 0 && r.responded_at == 0) {
      cs->request_keys.push_back({r.respond_by, sequence, r.serial, 0});
    }
    if (r.resolve_by != 0) {
      cs->request_keys.push_back({r.resolve_by, sequence, r.serial, 1});
    }
  }
  for (const RequestDueKey& k : cs->request_keys) request_due.insert(k);
  if (cs->unmanaged) unmanaged.insert(sequence);
  cs->attached = true;
}

void ServiceBook::ClearIndices() {
  overdue.clear();
  request_due.clear();
  manager_counts.clear();
  unmanaged.clear();
  for (auto& cs : customers) {
    if (!cs) continue;
    cs->overdue_keys.clear();
    cs->request_keys.clear();
    cs->capacity_slots.clear();
    cs->unmanaged = false;
    cs->attached = false;
  }
}

// ----- service requests -----------------------------------------------------

void SetDueTimes(const CompiledPolicy& policy, int rule, int64_t at,
                 OpenRequest* r) {
  r->opened_at = at;
  if (rule < 0) return;
  const ServicePolicy& sp = policy.service;
  const CompiledDeadline& d = sp.deadlines[rule];
  r->rule = d.name;
  auto add = [&](const Duration& dur) {
    return dur.set() ? AddDuration(dur, at, policy.clock, sp.Calendar(dur))
                     : int64_t{0};
  };
  r->respond_by = add(d.respond_within);
  r->resolve_by = add(d.resolve_within);
  r->warn_at = add(d.warn_after);
}

absl::Status ServiceBook::CheckRequest(uint64_t sequence,
                                       const v1::ServiceRequest& e) const {
  if (e.request_id().empty()) {
    return absl::InvalidArgumentError(
        "service_request.request_id: must not be empty");
  }
  CustomerService* cs = Get(sequence);
  const OpenRequest* r = FindOpen(cs, e.request_id());
  const std::string id =
      absl::StrCat("service_request \"", e.request_id(), "\"");
  switch (e.stage()) {
    case v1::ServiceRequest::OPENED:
      if (r != nullptr) {
        return absl::AlreadyExistsError(absl::StrCat(id, ": already open"));
      }
      return absl::OkStatus();
    case v1::ServiceRequest::RESPONDED:
    case v1::ServiceRequest::RESOLVED:
    case v1::ServiceRequest::PAUSED:
    case v1::ServiceRequest::RESUMED:
      break;
    default:
      return absl::InvalidArgumentError("service_request.stage: must be set");
  }
  if (r == nullptr) {
    return absl::NotFoundError(
        absl::StrCat(id, ": no open request with this id"));
  }
  if (e.stage() == v1::ServiceRequest::RESPONDED && r->responded_at != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(id, ": already responded"));
  }
  if (e.stage() == v1::ServiceRequest::PAUSED && r->paused_at != 0) {
    return absl::FailedPreconditionError(absl::StrCat(id, ": already paused"));
  }
  if (e.stage() == v1::ServiceRequest::RESUMED && r->paused_at == 0) {
    return absl::FailedPreconditionError(absl::StrCat(id, ": not paused"));
  }
  return absl::OkStatus();
}

void ServiceBook::ApplyRequest(const CompiledPolicy& policy, uint64_t sequence,
                               const v1::ServiceRequest& e, int64_t at,
                               int rule, const TierView& tiers) {
  const ServicePolicy& sp = policy.service;
  Detach(sequence);
  CustomerService& cs = GetOrCreate(sequence);
  // Counts the request for every percentage target it is tracked by.
  auto count_response = [&](OpenRequest& r) {
    for (size_t k = 0; k < r.target_tier.size() && k < sp.targets.size(); ++k) {
      if (r.target_tier[k] < 0) continue;
      const CompiledTarget& target = sp.targets[k];
      const int64_t period = policy.clock.PeriodStart(
          target.period, policy.clock.PeriodIndex(target.period, r.opened_at));
      auto& counter = compliance[{static_cast<int>(k), period,
                                  static_cast<int>(r.target_tier[k])}];
      ++counter.first;
      if (at <= r.target_due[k]) ++counter.second;
      r.target_tier[k] = -1;  // counted once
    }
  };
  switch (e.stage()) {
    case v1::ServiceRequest::OPENED: {
      OpenRequest r;
      r.serial = cs.next_serial++;
      r.request_id = e.request_id();
      r.request_type = e.request_type();
      r.priority = e.priority();
      SetDueTimes(policy, rule, at, &r);
      r.target_tier.assign(sp.targets.size(), -1);
      r.target_due.assign(sp.targets.size(), 0);
      for (size_t k = 0; k < sp.targets.size(); ++k) {
        const CompiledTarget& target = sp.targets[k];
        if (!target.request_types.empty() &&
            !Contains(target.request_types, e.request_type())) {
          continue;
        }
        const int tier = tiers.tier(target.program);
        if (tier >= 64 || !((target.tier_mask >> tier) & 1)) continue;
        r.target_tier[k] = static_cast<int16_t>(tier);
        r.target_due[k] = AddDuration(target.respond_within, at, policy.clock,
                                      sp.Calendar(target.respond_within));
      }
      cs.requests.push_back(std::move(r));
      break;
    }
    case v1::ServiceRequest::RESPONDED: {
      OpenRequest* r = FindOpen(&cs, e.request_id());
      r->responded_at = at;
      count_response(*r);
      break;
    }
    case v1::ServiceRequest::RESOLVED: {
      OpenRequest* r = FindOpen(&cs, e.request_id());
      if (r->paused_at != 0) {
        r->paused_seconds += at - r->paused_at;
        r->paused_at = 0;
      }
      count_response(*r);  // a resolution answers an unanswered request
      r->resolved_at = at;
      // Keep the newest closed requests only.
      int closed = 0;
      for (const OpenRequest& q : cs.requests) closed += q.resolved_at != 0;
      for (auto it = cs.requests.begin();
           closed > kClosedRequestsKept && it != cs.requests.end();) {
        if (it->resolved_at != 0) {
          it = cs.requests.erase(it);
          --closed;
        } else {
          ++it;
        }
      }
      break;
    }
    case v1::ServiceRequest::PAUSED:
      FindOpen(&cs, e.request_id())->paused_at = at;
      break;
    case v1::ServiceRequest::RESUMED: {
      OpenRequest* r = FindOpen(&cs, e.request_id());
      const int d = FindDeadline(sp, r->rule);
      auto shift = [&](int64_t due, const Duration* dur) {
        if (due == 0) return due;
        return ShiftForPause(dur != nullptr ? *dur : Duration{}, due,
                             r->paused_at, at,
                             dur != nullptr ? sp.Calendar(*dur) : nullptr);
      };
      const CompiledDeadline* rule_def = d >= 0 ? &sp.deadlines[d] : nullptr;
      if (r->responded_at == 0) {
        r->respond_by = shift(r->respond_by,
                              rule_def ? &rule_def->respond_within : nullptr);
      }
      r->resolve_by =
          shift(r->resolve_by, rule_def ? &rule_def->resolve_within : nullptr);
      r->warn_at =
          shift(r->warn_at, rule_def ? &rule_def->warn_after : nullptr);
      for (size_t k = 0; k < r->target_due.size() && k < sp.targets.size();
           ++k) {
        if (r->target_tier[k] >= 0) {
          r->target_due[k] =
              shift(r->target_due[k], &sp.targets[k].respond_within);
        }
      }
      r->paused_seconds += at - r->paused_at;
      r->paused_at = 0;
      break;
    }
    default:
      break;
  }
  Attach(policy, sequence, tiers);
}

void ExportRequest(const OpenRequest& r, int64_t as_of,
                   v1::RequestStatus* out) {
  out->Clear();
  out->set_request_id(r.request_id);
  out->set_request_type(r.request_type);
  out->set_priority(r.priority);
  out->set_rule(r.rule);
  Stamp(r.opened_at, out->mutable_opened_at());
  if (r.respond_by != 0) Stamp(r.respond_by, out->mutable_respond_by());
  if (r.resolve_by != 0) Stamp(r.resolve_by, out->mutable_resolve_by());
  if (r.warn_at != 0) Stamp(r.warn_at, out->mutable_warn_at());
  if (r.responded_at != 0) Stamp(r.responded_at, out->mutable_responded_at());
  if (r.resolved_at != 0) Stamp(r.resolved_at, out->mutable_resolved_at());
  out->set_paused(r.paused_at != 0 && (r.resolved_at == 0));
  // While paused the clocks stand still at the pause.
  const int64_t now = r.paused_at != 0 ? std::min(as_of, r.paused_at) : as_of;
  out->set_paused_seconds(
      r.paused_seconds +
      (r.paused_at != 0 && as_of > r.paused_at ? as_of - r.paused_at : 0));
  Stamp(as_of, out->mutable_as_of());
  const int64_t responded =
      r.responded_at != 0 ? r.responded_at : r.resolved_at;
  if (r.respond_by != 0) {
    out->set_response_breached(responded != 0 ? responded > r.respond_by
                                              : now > r.respond_by);
  }
  if (r.resolve_by != 0) {
    out->set_resolution_breached(
        r.resolved_at != 0 ? r.resolved_at > r.resolve_by : now > r.resolve_by);
  }
  if (r.warn_at != 0) {
    out->set_warning(r.resolved_at != 0 ? r.resolved_at > r.warn_at
                                        : now >= r.warn_at);
  }
}

// ----- contacts, managers, tasks --------------------------------------------

void ServiceBook::CompleteTasks(const CompiledPolicy& policy,
                                CustomerService& cs, int64_t at,
                                absl::string_view channel) {
  for (Task& task : cs.tasks) {
    if (task.state != v1::TaskStatus::OPEN) continue;
    const CompiledObligation& o = policy.service.obligations[task.obligation];
    const bool done = channel.empty()
                          ? o.completed_by_manager
                          : Contains(o.completed_by_channels, channel);
    if (!done) continue;
    task.state = v1::TaskStatus::DONE;
    task.closed_at = at;
    task.closed_by =
        channel.empty() ? std::string("manager") : std::string(channel);
  }
}

void ServiceBook::ApplyContact(const CompiledPolicy& policy, uint64_t sequence,
                               const v1::Contact& e, int64_t at,
                               const TierView& tiers) {
  if (e.channel().empty()) return;
  if (Get(sequence) == nullptr && !policy.service.tracks_customers) return;
  Detach(sequence);
  CustomerService& cs = GetOrCreate(sequence);
  bool found = false;
  for (auto& [channel, last] : cs.last_contact) {
    if (channel == e.channel()) {
      last = std::max(last, at);
      found = true;
    }
  }
  if (!found) cs.last_contact.emplace_back(e.channel(), at);
  CompleteTasks(policy, cs, at, e.channel());
  Attach(policy, sequence, tiers);
}

absl::Status ServiceBook::CheckManager(uint64_t sequence,
                                       const v1::ManagerAssignment& e,
                                       const Interner& interner) const {
  if (!v1::ManagerAssignment::Role_IsValid(e.role())) {
    return absl::InvalidArgumentError("manager.role: unknown role");
  }
  const bool assistant = e.role() == v1::ManagerAssignment::ASSISTANT;
  const CustomerService* cs = Get(sequence);
  if (cs != nullptr && !e.manager().empty()) {
    const int64_t other = assistant ? cs->primary : cs->assistant;
    if (other != 0 && interner.Text(other) == e.manager()) {
      return absl::InvalidArgumentError(
          absl::StrCat("manager.manager: \"", e.manager(), "\" is already the ",
                       assistant ? "primary" : "assistant",
                       " manager; the primary and the assistant must differ"));
    }
  }
  return absl::OkStatus();
}

void ServiceBook::ApplyManager(const CompiledPolicy& policy, Interner& interner,
                               uint64_t sequence,
                               const v1::ManagerAssignment& e, int64_t at,
                               const TierView& tiers) {
  Detach(sequence);
  CustomerService& cs = GetOrCreate(sequence);
  const int64_t id = e.manager().empty() ? 0 : interner.Intern(e.manager());
  if (e.role() == v1::ManagerAssignment::ASSISTANT) {
    cs.assistant = id;
  } else if (id != cs.primary) {
    auto handover = std::make_unique<v1::Handover>();
    handover->set_from_manager(std::string(interner.Text(cs.primary)));
    handover->set_to_manager(e.manager());
    Stamp(at, handover->mutable_at());
    handover->set_actor(e.actor());
    handover->set_reason(e.reason());
    cs.last_handover = std::move(handover);
    cs.primary = id;
    cs.primary_since = id != 0 ? at : 0;
    if (id != 0) CompleteTasks(policy, cs, at, "");
  }
  Attach(policy, sequence, tiers);
}

absl::Status ServiceBook::CheckTaskCompleted(const CompiledPolicy& policy,
                                             uint64_t sequence,
                                             const v1::TaskCompleted& e) const {
  if (e.task().empty()) {
    return absl::InvalidArgumentError("task_completed.task: must not be empty");
  }
  if (const CustomerService* cs = Get(sequence)) {
    for (const Task& task : cs->tasks) {
      if (task.state == v1::TaskStatus::OPEN &&
          policy.service.obligations[task.obligation].name == e.task()) {
        return absl::OkStatus();
      }
    }
  }
  return absl::NotFoundError(
      absl::StrCat("task_completed.task: no open task \"", e.task(), "\""));
}

void ServiceBook::ApplyTaskCompleted(const CompiledPolicy& policy,
                                     uint64_t sequence,
                                     const v1::TaskCompleted& e, int64_t at,
                                     const TierView& tiers) {
  Detach(sequence);
  CustomerService& cs = GetOrCreate(sequence);
  for (Task& task : cs.tasks) {
    if (task.state == v1::TaskStatus::OPEN &&
        policy.service.obligations[task.obligation].name == e.task()) {
      task.state = v1::TaskStatus::DONE;
      task.closed_at = at;
      task.closed_by =
          e.actor().empty() ? std::string("task_completed") : e.actor();
    }
  }
  Attach(policy, sequence, tiers);
}

// ----- tier changes -------------------------------------------------------

namespace {

// Creates the tasks of `obligations` (all with the same trigger) at `at`.
void CreateTasks(const CompiledPolicy& policy, const std::vector<int>& list,
                 bool on_exit, int64_t at, CustomerService& cs) {
  const ServicePolicy& sp = policy.service;
  auto due_after = [&](const CompiledObligation& o) {
    return AddDuration(o.due_after, at, policy.clock, sp.Calendar(o.due_after));
  };
  for (int index : list) {
    const CompiledObligation& o = sp.obligations[index];
    if (o.on_exit != on_exit) continue;
    Task task;
    task.obligation = index;
    task.created_at = at;
    if (o.before >= 0) {
      const int64_t other = due_after(sp.obligations[o.before]);
      task.due = std::max(at, SubtractDuration(o.lead, other, policy.clock,
                                               sp.Calendar(o.lead)));
    } else {
      task.due = due_after(o);
    }
    if (o.completed_by_manager && cs.primary != 0) {
      task.state = v1::TaskStatus::DONE;
      task.closed_at = at;
      task.closed_by = "manager";
    }
    cs.tasks.push_back(std::move(task));
  }
}

}  // namespace

void ServiceBook::OnTierChange(const CompiledPolicy& policy, uint64_t sequence,
                               int program, int from, int to, int64_t at,
                               const TierView& tiers) {
  const ServicePolicy& sp = policy.service;
  if (!sp.tracks_customers) return;
  Detach(sequence);
  CustomerService& cs = GetOrCreate(sequence);
  // Closed tasks of earlier moves in this program go; open entry tasks of
  // the tier left are cancelled (and shown until the next move).
  std::erase_if(cs.tasks, [&](const Task& t) {
    return sp.obligations[t.obligation].program == program &&
           t.state != v1::TaskStatus::OPEN;
  });
  for (Task& t : cs.tasks) {
    const CompiledObligation& o = sp.obligations[t.obligation];
    if (o.program == program && o.tier == from && !o.on_exit) {
      t.state = v1::TaskStatus::CANCELLED;
      t.closed_at = at;
      t.closed_by = "tier change";
    }
  }
  if (from >= 0 && from < static_cast<int>(sp.tiers[program].size())) {
    CreateTasks(policy, sp.tiers[program][from].obligations, true, at, cs);
  }
  CreateTasks(policy, sp.tiers[program][to].obligations, false, at, cs);
  Attach(policy, sequence, tiers);
}

void ServiceBook::OnEnrol(const CompiledPolicy& policy, uint64_t sequence,
                          int64_t at, const TierView& tiers) {
  const ServicePolicy& sp = policy.service;
  if (!sp.tracks_customers) return;
  CustomerService& cs = GetOrCreate(sequence);
  for (size_t p = 0; p < sp.tiers.size(); ++p) {
    CreateTasks(policy,
                sp.tiers[p][tiers.tier(static_cast<int>(p))].obligations, false,
                at, cs);
  }
  Attach(policy, sequence, tiers);
}

void ServiceBook::RemapForPolicy(const CompiledPolicy& from,
                                 const CompiledPolicy& to) {
  ClearIndices();
  const ServicePolicy& old_sp = from.service;
  const ServicePolicy& new_sp = to.service;
  std::vector<int> obligation_map(old_sp.obligations.size(), -1);
  for (size_t i = 0; i < old_sp.obligations.size(); ++i) {
    const CompiledObligation& o = old_sp.obligations[i];
    for (size_t k = 0; k < new_sp.obligations.size(); ++k) {
      const CompiledObligation& n = new_sp.obligations[k];
      if (n.name == o.name && n.on_exit == o.on_exit &&
          to.programs[n.program].name == from.programs[o.program].name &&
          to.programs[n.program].tiers[n.tier].name ==
              from.programs[o.program].tiers[o.tier].name) {
        obligation_map[i] = static_cast<int>(k);
      }
    }
  }
  std::vector<int> target_map(old_sp.targets.size(), -1);
  for (size_t i = 0; i < old_sp.targets.size(); ++i) {
    for (size_t k = 0; k < new_sp.targets.size(); ++k) {
      if (new_sp.targets[k].name == old_sp.targets[i].name &&
          new_sp.targets[k].program >= 0 &&
          to.programs[new_sp.targets[k].program].name ==
              from.programs[old_sp.targets[i].program].name) {
        target_map[i] = static_cast<int>(k);
      }
    }
  }
  for (auto& cs : customers) {
    if (!cs) continue;
    std::erase_if(cs->tasks, [&](Task& t) {
      t.obligation = obligation_map[t.obligation];
      return t.obligation < 0;
    });
    for (OpenRequest& r : cs->requests) {
      std::vector<int16_t> tiers(new_sp.targets.size(), -1);
      std::vector<int64_t> dues(new_sp.targets.size(), 0);
      for (size_t i = 0; i < r.target_tier.size() && i < target_map.size();
           ++i) {
        if (target_map[i] < 0) continue;
        tiers[target_map[i]] = r.target_tier[i];
        dues[target_map[i]] = r.target_due[i];
      }
      r.target_tier = std::move(tiers);
      r.target_due = std::move(dues);
    }
  }
  decltype(compliance) kept;
  for (const auto& [key, counts] : compliance) {
    const auto& [target, period, tier] = key;
    if (target < static_cast<int>(target_map.size()) &&
        target_map[target] >= 0) {
      kept[{target_map[target], period, tier}] = counts;
    }
  }
  compliance = std::move(kept);
}

// ----- snapshots ------------------------------------------------------------

bool ServiceBook::Export(const CompiledPolicy& policy, uint64_t sequence,
                         const Interner& interner,
                         v1::CustomerServiceState* out) const {
  const CustomerService* cs = Get(sequence);
  if (cs == nullptr) return false;
  const ServicePolicy& sp = policy.service;
  out->set_primary_manager(std::string(interner.Text(cs->primary)));
  out->set_assistant_manager(std::string(interner.Text(cs->assistant)));
  out->set_primary_since(cs->primary_since);
  if (cs->last_handover) *out->mutable_last_handover() = *cs->last_handover;
  for (const auto& [channel, at] : cs->last_contact) {
    v1::ContactMark* m = out->add_contacts();
    m->set_channel(channel);
    m->set_at(at);
  }
  for (const OpenRequest& r : cs->requests) {
    v1::RequestState* q = out->add_requests();
    q->set_serial(r.serial);
    q->set_request_id(r.request_id);
    q->set_request_type(r.request_type);
    q->set_priority(r.priority);
    q->set_rule(r.rule);
    q->set_opened_at(r.opened_at);
    q->set_respond_by(r.respond_by);
    q->set_resolve_by(r.resolve_by);
    q->set_warn_at(r.warn_at);
    q->set_responded_at(r.responded_at);
    q->set_resolved_at(r.resolved_at);
    q->set_paused_at(r.paused_at);
    q->set_paused_seconds(r.paused_seconds);
    for (int16_t t : r.target_tier) q->add_target_tier(t);
    for (int64_t t : r.target_due) q->add_target_due(t);
  }
  out->set_next_serial(cs->next_serial);
  for (const Task& task : cs->tasks) {
    const CompiledObligation& o = sp.obligations[task.obligation];
    v1::TaskState* t = out->add_tasks();
    t->set_program(policy.programs[o.program].name);
    t->set_tier(policy.programs[o.program].tiers[o.tier].name);
    t->set_obligation(o.name);
    t->set_created_at(task.created_at);
    t->set_due(task.due);
    t->set_state(static_cast<uint32_t>(task.state));
    t->set_closed_at(task.closed_at);
    t->set_closed_by(task.closed_by);
  }
  return true;
}

absl::Status ServiceBook::Import(const CompiledPolicy& policy,
                                 Interner& interner, uint64_t sequence,
                                 const v1::CustomerServiceState& in) {
  const ServicePolicy& sp = policy.service;
  // Validate everything before creating the record.
  std::vector<Task> tasks;
  for (const v1::TaskState& t : in.tasks()) {
    int found = -1;
    for (size_t i = 0; i < sp.obligations.size(); ++i) {
      const CompiledObligation& o = sp.obligations[i];
      if (o.name == t.obligation() &&
          policy.programs[o.program].name == t.program() &&
          policy.programs[o.program].tiers[o.tier].name == t.tier()) {
        found = static_cast<int>(i);
      }
    }
    if (found < 0 ||
        !v1::TaskStatus::State_IsValid(static_cast<int>(t.state())) ||
        t.state() == v1::TaskStatus::STATE_UNSPECIFIED) {
      return absl::DataLossError(absl::StrCat(
          "service state: task \"", t.obligation(), "\" of ", t.program(), "/",
          t.tier(), " does not match the policy"));
    }
    Task task;
    task.obligation = found;
    task.created_at = t.created_at();
    task.due = t.due();
    task.state = static_cast<v1::TaskStatus::State>(t.state());
    task.closed_at = t.closed_at();
    task.closed_by = t.closed_by();
    tasks.push_back(std::move(task));
  }
  // Index entries are found again by the primary manager: drop any first.
  Detach(sequence);
  CustomerService& cs = GetOrCreate(sequence);
  cs.primary =
      in.primary_manager().empty() ? 0 : interner.Intern(in.primary_manager());
  cs.assistant = in.assistant_manager().empty()
                     ? 0
                     : interner.Intern(in.assistant_manager());
  cs.primary_since = in.primary_since();
  if (in.has_last_handover()) {
    cs.last_handover = std::make_unique<v1::Handover>(in.last_handover());
  }
  for (const v1::ContactMark& m : in.contacts()) {
    cs.last_contact.emplace_back(m.channel(), m.at());
  }
  for (const v1::RequestState& q : in.requests()) {
    OpenRequest r;
    r.serial = q.serial();
    r.request_id = q.request_id();
    r.request_type = q.request_type();
    r.priority = q.priority();
    r.rule = q.rule();
    r.opened_at = q.opened_at();
    r.respond_by = q.respond_by();
    r.resolve_by = q.resolve_by();
    r.warn_at = q.warn_at();
    r.responded_at = q.responded_at();
    r.resolved_at = q.resolved_at();
    r.paused_at = q.paused_at();
    r.paused_seconds = q.paused_seconds();
    // Targets are tracked by position; a snapshot from a policy with other
    // targets is loaded under that policy first, so sizes match.
    r.target_tier.assign(sp.targets.size(), -1);
    r.target_due.assign(sp.targets.size(), 0);
    for (int k = 0;
         k < q.target_tier_size() && k < static_cast<int>(sp.targets.size()) &&
         k < q.target_due_size();
         ++k) {
      r.target_tier[k] = static_cast<int16_t>(q.target_tier(k));
      r.target_due[k] = q.target_due(k);
    }
    cs.requests.push_back(std::move(r));
  }
  cs.next_serial = std::max<uint32_t>(in.next_serial(), 1);
  cs.tasks = std::move(tasks);
  return absl::OkStatus();
}

}  // namespace standing
