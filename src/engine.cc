// The public Engine: locking, and the read operations.
#include "standing/engine.h"

#include <algorithm>
#include <mutex>
#include <shared_mutex>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "condition_eval.h"
#include "engine_state.h"
#include "policy_migration.h"

namespace standing {

Engine::Engine(std::unique_ptr<EngineState> state) : state_(std::move(state)) {}
Engine::~Engine() = default;

absl::StatusOr<std::unique_ptr<Engine>> Engine::Create(const v1::Policy& policy,
                                                       EngineOptions options) {
  auto state = std::make_unique<EngineState>();
  state->options = options;
  auto compiled = CompilePolicy(policy, state->interner);
  if (!compiled.ok()) return compiled.status();
  state->Install(*std::move(compiled));
  return std::unique_ptr<Engine>(new Engine(std::move(state)));
}

absl::Status Engine::Apply(const v1::Event& event,
                           std::vector<v1::Transition>* transitions) {
  std::unique_lock lock(state_->mu);
  return state_->Apply(event, transitions);
}

namespace {

// Cache hints for an event's own memory, in three steps because each
// follows pointers the one before brought in: the message, then its id,
// instant and payload, then the payload's strings. A freshly parsed batch
// is mostly contiguous, but a message's parts are separate allocations.
void PrefetchEvent(const v1::Event& e, int step) {
  const auto line = [](const void* p) { __builtin_prefetch(p); };
  switch (step) {
    case 0:
      line(&e);
      line(reinterpret_cast<const char*>(&e) + 64);
      return;
    case 1:
      line(&e.customer_id());
      line(&e.at());
      switch (e.kind_case()) {
        case v1::Event::kPurchase:
          line(&e.purchase());
          break;
        case v1::Event::kInvoice:
          line(&e.invoice());
          break;
        case v1::Event::kPayment:
          line(&e.payment());
          break;
        default:
          break;
      }
      return;
    default:
      switch (e.kind_case()) {
        case v1::Event::kPurchase:
          line(&e.purchase().currency());
          line(&e.purchase().category());
          break;
        case v1::Event::kInvoice:
          line(&e.invoice().invoice_id());
          line(&e.invoice().currency());
          break;
        case v1::Event::kPayment:  // payment_id is never read
          line(&e.payment().invoice_id());
          line(&e.payment().currency());
          break;
        default:
          break;
      }
      return;
  }
}

}  // namespace

absl::Status Engine::ApplyBatch(const v1::Event* events, size_t count,
                                std::vector<v1::Transition>* transitions,
                                size_t* applied) {
  std::unique_lock lock(state_->mu);
  if (applied != nullptr) *applied = 0;
  // The customer lookup and state of each event are cache misses that would
  // stall its apply; a pipeline overlaps them with the work on earlier
  // events, each stage following pointers the one before brought in:
  //   i+15, i+13, i+12  the event's own message, parts and strings
  //                     (PrefetchEvent), before the slot stage hashes its id;
  //   i+11              the id index slot;
  //   i+8               the record (through the slot, ids not compared);
  //   i+5               the record found: state words, credit account,
  //                     rolling-window block pointer
  //                     (EngineState::PrefetchState);
  //   i+3               the invoice added or paid, the descriptors of
  //                     the rolling windows the event writes
  //                     (PrefetchStateDeep);
  //   i+2               their newest entries (PrefetchRolling).
  // A stage that reads what the one before fetched runs two or three
  // events after it (the record, the state, the invoice); on a loaded
  // memory system (100,000 customers and more, few misses in flight on
  // small VMs) a miss can outlast one event's work. The rolling entries
  // follow their descriptors by one event only, as a hint.
  // Hashes are kept in a ring so each id is hashed once, and the record
  // found is handed to the apply (no second lookup). An id not found ahead
  // (unknown, or enrolled by an event in between) is looked up again by
  // the apply; records never move, so a found one stays valid.
  constexpr size_t kEventAhead[3] = {15, 13, 12};
  constexpr size_t kSlotAhead = 11;
  constexpr size_t kRecordAhead = 8;
  constexpr size_t kFindAhead = 5;
  constexpr size_t kDeepAhead = 3;
  constexpr size_t kRollingAhead = 2;
  const CustomerTable& table = state_->customers;
  const EngineState& st = *state_;
  constexpr size_t kRing = 16;  // > the farthest stage
  uint64_t hashes[kRing];
  const CustomerRecord* found[kRing] = {};
  const auto find = [&](size_t j) {
    const CustomerRecord* rec =
        table.Find(events[j].customer_id(), hashes[j % kRing]);
    if (rec != nullptr) st.PrefetchState(*rec);
    found[j % kRing] = rec;
  };
  for (int step = 0; step < 3; ++step) {
    for (size_t j = 0; j < kEventAhead[step] && j < count; ++j) {
      PrefetchEvent(events[j], step);
    }
  }
  for (size_t j = 0; j < kSlotAhead && j < count; ++j) {
    hashes[j % kRing] = CustomerTable::Hash(events[j].customer_id());
    table.PrefetchSlot(hashes[j % kRing]);
  }
  for (size_t j = 0; j < kRecordAhead && j < count; ++j) {
    table.PrefetchRecord(hashes[j % kRing]);
  }
  for (size_t j = 0; j < kFindAhead && j < count; ++j) find(j);
  EngineState::ApplyHints hints;
  for (size_t i = 0; i < count; ++i) {
    for (int step = 0; step < 3; ++step) {
      if (i + kEventAhead[step] < count) {
        PrefetchEvent(events[i + kEventAhead[step]], step);
      }
    }
    if (i + kSlotAhead < count) {
      const size_t j = i + kSlotAhead;
      hashes[j % kRing] = CustomerTable::Hash(events[j].customer_id());
      table.PrefetchSlot(hashes[j % kRing]);
    }
    if (i + kRecordAhead < count) {
      table.PrefetchRecord(hashes[(i + kRecordAhead) % kRing]);
    }
    if (i + kFindAhead < count) find(i + kFindAhead);
    if (i + kDeepAhead < count && found[(i + kDeepAhead) % kRing] != nullptr) {
      st.PrefetchStateDeep(*found[(i + kDeepAhead) % kRing],
                           events[i + kDeepAhead]);
    }
    if (i + kRollingAhead < count &&
        found[(i + kRollingAhead) % kRing] != nullptr) {
      st.PrefetchRolling(*found[(i + kRollingAhead) % kRing],
                         events[i + kRollingAhead]);
    }
    hints.rec = found[i % kRing];
    if (auto s = state_->Apply(events[i], transitions, hints); !s.ok()) {
      return absl::Status(s.code(),
                          absl::StrCat("events[", i, "]: ", s.message()));
    }
    if (applied != nullptr) *applied = i + 1;
  }
  return absl::OkStatus();
}

absl::Status Engine::Review(int64_t as_of_seconds,
                            std::vector<v1::Transition>* transitions) {
  std::unique_lock lock(state_->mu);
  return state_->Review(as_of_seconds, transitions);
}

absl::Status Engine::ReplacePolicy(const v1::Policy& policy,
                                   std::vector<v1::Transition>* transitions) {
  std::unique_lock lock(state_->mu);
  return MigratePolicy(*state_, policy, transitions);
}

absl::Status Engine::GetCustomer(std::string_view id_view,
                                 v1::Customer* out) const {
  const absl::string_view id(id_view.data(), id_view.size());
  std::shared_lock lock(state_->mu);
  const EngineState& st = *state_;
  auto found = st.FindOrNotFound(id);
  if (!found.ok()) return found.status();
  const CustomerRecord* rec = *found;
  const CompiledPolicy& policy = *st.policy;
  // Fields are overwritten rather than cleared, so a host that reuses `out`
  // (the C ABI does) gets its strings, sub-messages and map entries reused
  // and the call allocates nothing in the steady state.
  out->set_id(rec->id);
  out->mutable_enrolled_at()->set_seconds(rec->enrolled_at);
  ExportAttributes(st, *rec, out->mutable_attributes());
  const int64_t now = std::max(st.clock, rec->enrolled_at);
  const AsOf as_of = AsOf::Make(policy.clock, now);
  const CustomerWords words = st.Words(*rec);
  MetricCache cache;
  const int programs = static_cast<int>(policy.programs.size());
  auto* standings = out->mutable_standings();
  while (standings->size() > programs) standings->RemoveLast();
  for (int p = 0; p < programs; ++p) {
    const CompiledProgram& prog = policy.programs[p];
    const ProgramWords s = ProgramState(policy, rec->words.get(), p);
    v1::ProgramStanding* ps =
        p < standings->size() ? standings->Mutable(p) : standings->Add();
    ps->set_program(prog.name);
    ps->set_tier(prog.tiers[s.tier()].name);
    ps->set_tier_index(s.tier());
    ps->mutable_tier_since()->set_seconds(s.tier_since());
    if (s.next_review() != 0) {
      ps->mutable_next_review()->set_seconds(s.next_review());
    } else {
      ps->clear_next_review();
    }
    if (s.retained_until() != 0) {
      ps->mutable_retained_until()->set_seconds(s.retained_until());
    } else {
      ps->clear_retained_until();
    }
    if (const GrantRecord* g = st.FindGrant(*rec, p)) {
      *ps->mutable_grant() = g->info;
    } else {
      ps->clear_grant();
    }
    ps->set_qualified_tier(
        prog.tiers[QualifiedTier(policy, p, words, as_of, &cache)].name);
  }
  const int metrics = static_cast<int>(policy.metrics.size());
  auto* values = out->mutable_metrics();
  while (values->size() > metrics) values->RemoveLast();
  for (int m = 0; m < metrics; ++m) {
    const MetricRead r = ReadMetric(policy, m, words, as_of);
    v1::MetricValue* mv =
        m < values->size() ? values->Mutable(m) : values->Add();
    mv->set_name(policy.metrics[m].name);
    mv->set_value(r.value);
    mv->set_missing(r.missing);
  }
  ExportCustomerService(st, *rec, out);
  return absl::OkStatus();
}

absl::Status Engine::ListByTier(std::string_view program_view,
                                std::string_view tier_view,
                                std::string_view token_view, int page_size,
                                v1::CustomerPage* out) const {
  const absl::string_view program(program_view.data(), program_view.size());
  const absl::string_view tier(tier_view.data(), tier_view.size());
  const absl::string_view page_token(token_view.data(), token_view.size());
  std::shared_lock lock(state_->mu);
  const EngineState& st = *state_;
  const CompiledPolicy& policy = *st.policy;
  const int p = policy.FindProgram(program);
  if (p < 0) {
    return absl::NotFoundError(
        absl::StrCat("program \"", program, "\": not in the policy"));
  }
  const int t = policy.FindTier(p, tier);
  if (t < 0) {
    return absl::NotFoundError(
        absl::StrCat("tier \"", tier, "\": not in program \"", program, "\""));
  }
  if (page_size < 1 || page_size > 10000) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: must be 1..10000 (got ", page_size, ")"));
  }
  const auto& set = st.members[p][t];
  auto it = set.begin();
  if (!page_token.empty()) {
    uint64_t after = 0;
    if (page_token.size() < 3 || page_token.substr(0, 2) != "s:" ||
        !absl::SimpleAtoi(page_token.substr(2), &after)) {
      return absl::InvalidArgumentError(
          absl::StrCat("page_token: \"", page_token, "\" is not a token"));
    }
    it = set.upper_bound(after);
  }
  out->Clear();
  uint64_t last = 0;
  for (int n = 0; it != set.end() && n < page_size; ++it, ++n) {
    out->add_customer_ids(st.by_sequence[*it]->id);
    last = *it;
  }
  if (it != set.end()) out->set_next_page_token(absl::StrCat("s:", last));
  return absl::OkStatus();
}

absl::Status Engine::CountByTier(std::string_view program_view,
                                 std::vector<uint64_t>* counts) const {
  const absl::string_view program(program_view.data(), program_view.size());
  std::shared_lock lock(state_->mu);
  const int p = state_->policy->FindProgram(program);
  if (p < 0) {
    return absl::NotFoundError(
        absl::StrCat("program \"", program, "\": not in the policy"));
  }
  counts->clear();
  for (const auto& set : state_->members[p]) counts->push_back(set.size());
  return absl::OkStatus();
}

const v1::Policy& Engine::policy() const {
  std::shared_lock lock(state_->mu);
  return state_->policy->source;
}

size_t Engine::customer_count() const {
  std::shared_lock lock(state_->mu);
  return state_->customers.size();
}

int64_t Engine::clock() const {
  std::shared_lock lock(state_->mu);
  return state_->clock;
}

}  // namespace standing
