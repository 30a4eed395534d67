// The standing engine: customers, their metrics and their tiers under one
// policy, changed only by events.
//
// Ownership: an Engine owns its state and an immutable compiled copy of the
// policy. Messages passed in are read during the call only; output
// arguments are cleared and filled, so hosts can reuse them across calls
// (the hot path then allocates nothing).
//
// Thread-safety: any number of threads may call the const (read) methods
// concurrently; mutating methods take an exclusive lock, so one writer runs
// at a time and readers never observe a half-applied event.
//
// Errors: every method returns absl::Status. On error, the engine's state
// is exactly as it was before the call (a batch stops at the first bad event
// and reports its index; the events before it stay applied).
#ifndef STANDING_ENGINE_H_
#define STANDING_ENGINE_H_

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "standing/policy.h"
#include "standing/v1/credit.pb.h"
#include "standing/v1/customer.pb.h"
#include "standing/v1/event.pb.h"
#include "standing/v1/policy.pb.h"
#include "standing/v1/service.pb.h"
#include "standing/v1/transition.pb.h"

namespace standing {

class EngineState;  // defined in src/

struct EngineOptions {
  // Review runs on this many threads (0: hardware concurrency).
  int review_threads = 0;
};

class Engine {
 public:
  // Validates and compiles `policy`. Errors: InvalidArgument with the path.
  static absl::StatusOr<std::unique_ptr<Engine>> Create(
      const v1::Policy& policy, EngineOptions options = {});

  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Applies one event; appends the transitions it caused to `transitions`
  // (which may be null). Errors: NotFound (unknown customer),
  // AlreadyExists (enrolled twice), InvalidArgument (bad field, wrong
  // currency, undeclared attribute), OutOfRange (older than the late-event
  // horizon, before enrolment).
  absl::Status Apply(const v1::Event& event,
                     std::vector<v1::Transition>* transitions);

  // Applies events in order under one lock. Stops at the first error, whose
  // message starts with `events[i]: `; `*applied` (if not null) is set to
  // the number applied.
  absl::Status ApplyBatch(const v1::Event* events, size_t count,
                          std::vector<v1::Transition>* transitions,
                          size_t* applied = nullptr);

  // Runs every scheduled evaluation (reviews, grace and grant expiries,
  // minimum-stay ends) due at or before `as_of_seconds`, each as of its own
  // due instant, in time order per customer.
  absl::Status Review(int64_t as_of_seconds,
                      std::vector<v1::Transition>* transitions);

  // Replaces the policy. Metrics whose definition is unchanged keep their
  // state; new or changed metrics start empty. Every customer is then
  // re-evaluated and each tier change is reported with cause POLICY_CHANGE.
  absl::Status ReplacePolicy(const v1::Policy& policy,
                             std::vector<v1::Transition>* transitions);

  // Errors: NotFound.
  absl::Status GetCustomer(std::string_view id, v1::Customer* out) const;

  // The same customer as a serialized standing.v1.Customer, written
  // straight from the engine's state without building the message (what
  // the C ABI returns; map entries in policy declaration order). `out` is
  // overwritten. Errors: NotFound.
  absl::Status GetCustomerBytes(std::string_view id, std::string* out) const;

  // How much of a customer GetCustomerBytes writes: everything, or only
  // the id and the standings (each ProgramStanding complete; no
  // attributes, enrolment instant or metrics).
  enum class CustomerView { kFull, kStanding };
  absl::Status GetCustomerBytes(std::string_view id, CustomerView view,
                                std::string* out) const;

  // The index of the customer's current tier in `program` (0 = the base
  // tier, in policy order), read without building anything. Errors:
  // NotFound (customer or program).
  absl::Status GetTierIndex(std::string_view id, std::string_view program,
                            int* tier) const;

  // Why the customer is in its tier of `program`: the deciding rule, every
  // comparison with metric values and (scaled) thresholds, and the cause of
  // the last change. Errors: NotFound (customer or program).
  absl::Status Explain(std::string_view id, std::string_view program,
                       v1::Explanation* out) const;

  // Customers in `tier` of `program`, in enrolment order. `page_token` is
  // empty for the first page, else the token of the previous page. Errors:
  // NotFound (program or tier), InvalidArgument (bad token or size).
  absl::Status ListByTier(std::string_view program, std::string_view tier,
                          std::string_view page_token, int page_size,
                          v1::CustomerPage* out) const;

  // Number of customers in each tier of `program`, lowest tier first.
  // Errors: NotFound.
  absl::Status CountByTier(std::string_view program,
                           std::vector<uint64_t>* counts) const;

  // ----- service levels (docs/service-levels.md) -----------------------------

  // What the customer is entitled to now, across programs, and where each
  // entitlement came from. `out` is overwritten (reuse it: no allocation
  // after the first call). Errors: NotFound.
  absl::Status ResolveEntitlements(std::string_view id,
                                   v1::EntitlementSet* out) const;

  // One service request (open, or among the customer's 8 most recently
  // resolved): its rule, due times and breach state as of `as_of_seconds`
  // (0: the engine clock). Errors: NotFound (customer or request).
  absl::Status GetRequest(std::string_view id, std::string_view request_id,
                          int64_t as_of_seconds, v1::RequestStatus* out) const;

  // "By when must we answer this?": the due times a request of this type
  // and priority would get if the customer opened it at `at_seconds`,
  // without opening it. Errors: NotFound, InvalidArgument.
  absl::Status PreviewRequest(std::string_view id,
                              std::string_view request_type,
                              std::string_view priority, int64_t at_seconds,
                              v1::RequestStatus* out) const;

  // Open requests past their response or resolution due time as of
  // `as_of_seconds` (0: the engine clock), most overdue first, at most
  // `limit` (0: 1000).
  absl::Status ListBreaches(int64_t as_of_seconds, int limit,
                            v1::BreachList* out) const;

  // Customers overdue for a contact cadence or an obligation, by manager,
  // tier and time range, from an index (never a scan of all customers).
  // Errors: NotFound (program or tier), InvalidArgument.
  absl::Status ListOverdue(const v1::OverdueQuery& query,
                           v1::OverdueList* out) const;

  // Managers over capacity and customers that need a manager and have
  // none (the first `limit` ids, 0: 1000).
  absl::Status GetCapacityReport(int limit, v1::CapacityReport* out) const;

  // Compliance with every percentage target, per tier and period.
  absl::Status GetCompliance(v1::ComplianceReport* out) const;

  // `at_seconds` plus a duration in calendar or working time on the
  // policy's calendars. Errors: InvalidArgument (negative, unknown
  // calendar).
  absl::StatusOr<int64_t> AddDuration(int64_t at_seconds,
                                      const v1::DurationSpec& duration) const;

  // ----- credit (docs/credit.md) ------------------------------------------

  // "May this customer take an order of `amount` on credit?" as of
  // `at_seconds` (0: the engine clock): approve / warn / block with the
  // reasons and the available credit, following the grade's control mode.
  // No side effects (reserving is an OrderPlaced event). `out` is
  // overwritten; reuse it: no allocation after the first call. Errors:
  // NotFound, InvalidArgument (amount <= 0), FailedPrecondition (the
  // policy has no credit section).
  absl::Status CheckCredit(std::string_view id, int64_t amount,
                           int64_t at_seconds, v1::CreditDecision* out) const;

  // The customer's credit record as a caller with `role` may see it:
  // grade, limit, criteria and pending approval only for the policy's
  // `credit.readers`; for anyone else they are removed (`redacted`) and
  // the refusal is counted. Receivables are always present. Errors:
  // NotFound, FailedPrecondition.
  absl::Status GetCreditRecord(std::string_view id, std::string_view role,
                               v1::CreditRecord* out) const;

  // Customers per grade, pending and escalated approvals (the first
  // `limit`, 0: 1000, by step due time), refused reads, overdue customers.
  absl::Status GetCreditReport(int limit, v1::CreditReport* out) const;

  // Snapshot of the whole state (see proto/standing/v1/snapshot.proto).
  absl::Status WriteSnapshot(std::ostream& out) const;
  absl::Status SaveSnapshot(std::string* out) const;

  // Loads a snapshot. Unless `allow_policy_change`, the snapshot's policy
  // fingerprint must equal `policy`'s (FailedPrecondition otherwise); with
  // it, the snapshot is loaded under its own policy and then moved to
  // `policy` as ReplacePolicy does. A null `policy` uses the snapshot's.
  static absl::StatusOr<std::unique_ptr<Engine>> LoadSnapshot(
      std::istream& in, const v1::Policy* policy,
      bool allow_policy_change = false, EngineOptions options = {});
  static absl::StatusOr<std::unique_ptr<Engine>> LoadSnapshot(
      std::string_view bytes, const v1::Policy* policy,
      bool allow_policy_change = false, EngineOptions options = {});

  const v1::Policy& policy() const;
  size_t customer_count() const;
  // The latest event or review instant seen (seconds since the epoch).
  int64_t clock() const;

 private:
  explicit Engine(std::unique_ptr<EngineState> state);
  std::unique_ptr<EngineState> state_;
};

}  // namespace standing

#endif  // STANDING_ENGINE_H_
