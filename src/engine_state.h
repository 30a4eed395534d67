// The engine's state and the operations on it. Callers hold `mu`: shared
// for reads, exclusive for anything that changes state.
#ifndef STANDING_SRC_ENGINE_STATE_H_
#define STANDING_SRC_ENGINE_STATE_H_

#include <algorithm>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "compiled_policy.h"
#include "credit_book.h"
#include "customer_store.h"
#include "interner.h"
#include "program_eval.h"
#include "rolling_windows.h"
#include "service_book.h"
#include "standing/engine.h"
#include "standing/v1/event.pb.h"
#include "standing/v1/transition.pb.h"

namespace standing {

// Where the consequences of an evaluation go. Events apply member moves
// and grant erasures at once; a parallel review queues them (`deferred`)
// and applies them after its threads join, because those structures are
// shared between customers.
struct Effects {
  struct MemberMove {
    uint64_t sequence;
    int program;
    int from;
    int to;
    int64_t at;
  };
  std::vector<v1::Transition>* out = nullptr;
  bool deferred = false;
  std::vector<MemberMove> moves;
  std::vector<uint64_t> erased_grants;
  // Set when a tier, grace or review instant changed, so the customer's
  // next evaluation must be recomputed (most events change none).
  bool schedule_changed = false;
  // Set when a tier, grade or grace changed: the customer's stable marker
  // no longer holds (evaluation_inputs.h).
  bool state_changed = false;
  // On the event path: what the event changed, so evaluations whose inputs
  // it did not touch are skipped. Elsewhere `stable` is false: all run.
  EventInputs inputs;
  MetricCache cache;  // valid for one customer at one instant
};

struct GrantRecord {
  int tier = 0;
  int64_t expires_at = 0;  // 0: until revoked
  v1::TierGrant info;
};

class EngineState {
 public:
  EngineOptions options;
  mutable std::shared_mutex mu;
  std::shared_ptr<const CompiledPolicy> policy;
  Interner interner;
  CustomerTable customers;
  std::vector<const CustomerRecord*> by_sequence;
  TierMembers members;
  DueQueue due_queue;
  absl::flat_hash_map<uint64_t, GrantRecord> grants;
  // Rolling-window state by sequence; empty when the policy has none.
  RollingTable rolling;
  int64_t clock = 0;
  uint64_t next_sequence = 0;
  // Service-level state: ownership, requests, contacts, tasks and indices.
  ServiceBook service;
  // Set while an enrolment settles its entry tiers: the service book sees
  // the customer once, with its final tiers (ServiceBook::OnEnrol).
  bool enrolling = false;
  // Credit: receivables, grades, pending approvals (docs/credit.md).
  CreditBook credit;
  // Reused by credit evaluation on the event path (no allocation per event).
  std::vector<Settlement> settled_scratch;
  Rating rating_scratch;
  AsOfCache as_of_cache;  // for the event path

  TierView View(const CustomerRecord& rec) const {
    return TierView{policy.get(), rec.words.get(), &rec.id};
  }
  // The first deadline rule that matches a request of this type and
  // priority for the customer at `as_of`; -1 when none does.
  int MatchDeadline(const CustomerRecord& rec, absl::string_view type,
                    absl::string_view priority, const AsOf& as_of) const;

  // Forgets the customer's stable marker: its evaluations run in full,
  // from the rest of this event on (a new tier or grade changes which rules
  // matter) to its next event.
  void Unsettle(const CustomerRecord& rec, Effects& fx) const {
    rec.words[policy->stable_offset] = 0;
    fx.state_changed = true;
    fx.inputs.stable = false;
  }

  CustomerWords Words(const CustomerRecord& rec) const {
    return CustomerWords{
        rec.words.get(),
        // Metric code changes the windows through a const state, as it
        // does the record's (mutable) words.
        rolling.empty() ? nullptr
                        : const_cast<RollingWindows*>(&rolling[rec.sequence]),
        rec.enrolled_at, credit.Find(rec.sequence)};
  }

  // ----- credit (engine_credit.cc) -----
  // Validates what the credit book must accept of a credit event (invoice,
  // payment, order, cancellation, approval, limit increase).
  absl::Status CheckCreditEvent(const CustomerRecord& rec,
                                const v1::Event& event, int64_t t) const;
  // Changes receivables (settled invoices feed SETTLEMENT metrics) or acts
  // on an approval. Cannot fail after CheckCreditEvent.
  void ApplyCreditEvent(const CustomerRecord& rec, const v1::Event& event,
                        const AsOf& at, Effects& fx);
  // Hard rules and immediate timing after an event; formula limits.
  void CreditAfterEvent(const CustomerRecord& rec, const AsOf& at,
                        absl::string_view event_id, Effects& fx);
  void CreditOnEnrol(const CustomerRecord& rec, const AsOf& at,
                     absl::string_view event_id, Effects& fx);
  // Escalations, scheduled credit reviews and time-driven hard rules due
  // by `as_of`.
  void CreditReview(int64_t as_of, Effects& fx);
  // After a policy change: grades and pending changes by name, accounts
  // opened or dropped as the new policy has credit or not.
  void RemapCredit(const CompiledPolicy& from, Effects& fx);

  // Sets `policy` and sizes `members` for it.
  void Install(std::shared_ptr<const CompiledPolicy> compiled);

  absl::Status Apply(const v1::Event& event, std::vector<v1::Transition>* out);
  // What a batch already knows when it applies an event (Engine::ApplyBatch):
  // `rec` is the event's customer if the batch found it (nullptr: not known
  // yet, look it up; records never move, so a found one stays valid).
  struct ApplyHints {
    const CustomerRecord* rec = nullptr;
  };
  absl::Status Apply(const v1::Event& event, std::vector<v1::Transition>* out,
                     ApplyHints& hints);
  absl::Status Review(int64_t as_of, std::vector<v1::Transition>* out);

  // Event-driven evaluation of every program at `as_of`.
  void Evaluate(const CustomerRecord& rec, const AsOf& as_of, v1::Cause cause,
                absl::string_view event_id, Effects& fx);
  // Runs the customer's evaluations due at `due`.
  void RunDue(const CustomerRecord& rec, int64_t due, Effects& fx);
  // Recomputes the record's next evaluation and re-indexes it if changed.
  void Reschedule(const CustomerRecord& rec);
  int64_t NextEval(const CustomerRecord& rec) const;

  void ChangeTier(const CustomerRecord& rec, int program, int to, int64_t at,
                  v1::TransitionKind kind, v1::Cause cause,
                  const Target& target, absl::string_view event_id,
                  Effects& fx);
  // Records a kept tier (grace) as a transition with from == to.
  void Retain(const CustomerRecord& rec, int program, int64_t at, int64_t until,
              const Target& target, Effects& fx);
  // Applies member moves and grant erasures queued by a parallel review.
  void ApplyDeferred(const Effects& fx);

  static uint64_t GrantKey(uint64_t sequence, int program) {
    return (sequence << 8) | static_cast<uint64_t>(program);
  }
  const GrantRecord* FindGrant(const CustomerRecord& rec, int program) const;
  // The granted tier while the grant is active at `t`, else -1.
  int ActiveGrantTier(const CustomerRecord& rec, int program, int64_t t) const;

  // Cache hints for the batch pipeline (Engine::ApplyBatch): what applying
  // an event of `rec` reads, in three steps, each following pointers that
  // the one before brought in. The hints themselves never fault, but
  // reading those pointers may wait for a line not yet in cache.
  void PrefetchState(const CustomerRecord& rec) const {
    // Every line the words span (a pool block of a size not a multiple of
    // 64 is only 16-byte aligned, so five words cross a line boundary half
    // the time), up to eight.
    const auto first =
        reinterpret_cast<uintptr_t>(rec.words.get()) & ~uintptr_t{63};
    const uintptr_t last = std::min<uintptr_t>(
        reinterpret_cast<uintptr_t>(rec.words.get() + policy->total_words) - 1,
        first + 7 * 64);
    for (uintptr_t line = first; line <= last; line += 64) {
      __builtin_prefetch(reinterpret_cast<const void*>(line));
    }
    if (rec.sequence < credit.accounts.size()) {
      const char* a =
          reinterpret_cast<const char*>(&credit.accounts[rec.sequence]);
      __builtin_prefetch(a);
      __builtin_prefetch(a + 64);
    }
    if (rec.sequence < rolling.size())
      __builtin_prefetch(&rolling[rec.sequence]);
  }
  void PrefetchStateDeep(const CustomerRecord& rec,
                         const v1::Event& event) const {
    if (rec.sequence < credit.accounts.size()) {
      PrefetchInvoices(credit.accounts[rec.sequence].invoices, event);
    }
    if (rec.sequence < rolling.size()) {
      rolling[rec.sequence].PrefetchRegions(policy->rolling_kinds.data(),
                                            policy->rolling_count,
                                            KindsWritten(event));
    }
  }
  // The invoice an invoice event adds or a payment names.
  static void PrefetchInvoices(const OpenInvoices& invoices,
                               const v1::Event& event) {
    const OpenInvoice* line = nullptr;
    if (event.has_invoice()) {
      line = invoices.next_slot();
    } else if (event.has_payment() && !invoices.empty() &&
               !event.payment().invoice_id().empty()) {
      line = invoices.Guess(OpenInvoices::Tag(event.payment().invoice_id()));
    }
    if (line != nullptr) __builtin_prefetch(line);
  }
  // The newest entries of each rolling window (where events add and reads
  // end).
  void PrefetchRolling(const CustomerRecord& rec,
                       const v1::Event& event) const {
    if (rec.sequence >= rolling.size()) return;
    rolling[rec.sequence].PrefetchEnds(policy->rolling_kinds.data(),
                                       policy->rolling_count,
                                       KindsWritten(event));
  }
  // The metric event kinds `event` may write, as a v1::EventKind bit
  // mask (all bits: not known). Hints only: at 100,000 customers the few
  // misses in flight are better left to the windows an event does touch.
  static uint32_t KindsWritten(const v1::Event& event) {
    switch (event.kind_case()) {
      case v1::Event::kPurchase:
        return 1u << v1::PURCHASE;
      case v1::Event::kInvoice:  // settled at once only from a credit balance
        return 1u << v1::INVOICE;
      case v1::Event::kPayment:
        return 1u << v1::PAYMENT | 1u << v1::SETTLEMENT;
      case v1::Event::kObligation:
        return 1u << v1::OBLIGATION;
      default:
        return ~0u;
    }
  }

  const CustomerRecord* Find(absl::string_view id) const {
    return customers.Find(id);
  }
  // Find, with the one NotFound message every operation uses.
  absl::StatusOr<const CustomerRecord*> FindOrNotFound(
      absl::string_view id) const;
};

// Decodes the customer's attributes (text ids back to text).
void ExportAttributes(
    const EngineState& state, const CustomerRecord& rec,
    google::protobuf::Map<std::string, v1::AttributeValue>* out);

// Fills the service-level fields of a customer: ownership, requests,
// cadences, tasks (engine_service.cc).
void ExportCustomerService(const EngineState& state, const CustomerRecord& rec,
                           v1::Customer* out);

// Builds a transition with its explanation (explain.cc).
void BuildTransition(const EngineState& state, const CustomerRecord& rec,
                     int program, int from, int to, int64_t at,
                     v1::TransitionKind kind, v1::Cause cause,
                     const Target& target, absl::string_view event_id,
                     v1::Transition* out);

// Explains the customer's tier in `program` as of `at` (explain.cc).
void FillExplanation(const EngineState& state, const CustomerRecord& rec,
                     int program, int tier, int64_t at, v1::Cause cause,
                     const Target& target, absl::string_view event_id,
                     v1::Explanation* out);

// Validates the event's common fields (id, instant).
absl::Status ValidateEventEnvelope(const v1::Event& event);

}  // namespace standing

#endif  // STANDING_SRC_ENGINE_STATE_H_
