// Per-customer service-level state (ownership, last contacts, open
// service requests, obligations) and the indices over it: overdue items by
// (manager, due time), open requests by due time, manager capacity counts
// and the customers that need a manager and have none.
//
// Every change to a customer goes Detach -> change -> Attach: Detach removes
// exactly what the customer contributed to the indices (remembered in its
// record), Attach adds what its current state contributes. Correct by
// construction, and cheap: a customer contributes a handful of entries.
//
// Callers hold EngineState::mu (exclusive for changes).
#ifndef STANDING_SRC_SERVICE_BOOK_H_
#define STANDING_SRC_SERVICE_BOOK_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "compiled_policy.h"
#include "interner.h"
#include "proto_time.h"
#include "standing/v1/event.pb.h"
#include "standing/v1/service.pb.h"
#include "standing/v1/snapshot.pb.h"

namespace standing {

// Overdue index key. `slot`: a cadence index (ServicePolicy::cadences), or
// kTaskBit | task index in the customer's task list.
struct OverdueKey {
  int64_t manager;  // interned primary manager, 0 = none
  int64_t due;
  uint64_t sequence;
  uint32_t slot;
  friend bool operator<(const OverdueKey& a, const OverdueKey& b) {
    if (a.manager != b.manager) return a.manager < b.manager;
    if (a.due != b.due) return a.due < b.due;
    if (a.sequence != b.sequence) return a.sequence < b.sequence;
    return a.slot < b.slot;
  }
  friend bool operator==(const OverdueKey& a, const OverdueKey& b) {
    return a.manager == b.manager && a.due == b.due &&
           a.sequence == b.sequence && a.slot == b.slot;
  }
};
inline constexpr uint32_t kTaskBit = 0x80000000u;

// Open-request due-time index key; `serial` names the request within its
// customer, `which` 0 = response, 1 = resolution.
struct RequestDueKey {
  int64_t due;
  uint64_t sequence;
  uint32_t serial;
  uint32_t which;
  friend bool operator<(const RequestDueKey& a, const RequestDueKey& b) {
    if (a.due != b.due) return a.due < b.due;
    if (a.sequence != b.sequence) return a.sequence < b.sequence;
    if (a.serial != b.serial) return a.serial < b.serial;
    return a.which < b.which;
  }
};

struct OpenRequest {
  uint32_t serial = 0;
  std::string request_id;
  std::string request_type;
  std::string priority;
  // The deadline rule that set the due times, by name: a policy change
  // keeps the due times, and pauses shift them by the rule of that name.
  std::string rule;
  int64_t opened_at = 0;
  int64_t respond_by = 0;  // 0: no target
  int64_t resolve_by = 0;
  int64_t warn_at = 0;
  int64_t responded_at = 0;
  int64_t resolved_at = 0;  // nonzero: closed (kept briefly for queries)
  int64_t paused_at = 0;    // nonzero while paused
  int64_t paused_seconds = 0;
  // Per percentage target: the customer's tier at opening (-1: not
  // counted) and the instant the response is due for it.
  std::vector<int16_t> target_tier;
  std::vector<int64_t> target_due;
};

struct Task {
  int obligation = -1;  // index in ServicePolicy::obligations
  int64_t created_at = 0;
  int64_t due = 0;
  v1::TaskStatus::State state = v1::TaskStatus::OPEN;
  int64_t closed_at = 0;
  std::string closed_by;
};

struct CustomerService {
  int64_t primary = 0;  // interned manager ids, 0 = none
  int64_t assistant = 0;
  int64_t primary_since = 0;
  std::unique_ptr<v1::Handover> last_handover;
  // Last contact instant per channel (few channels, short names).
  std::vector<std::pair<std::string, int64_t>> last_contact;
  std::vector<OpenRequest> requests;
  uint32_t next_serial = 1;
  std::vector<Task> tasks;

  // What Attach added (so Detach removes exactly that).
  bool attached = false;
  std::vector<OverdueKey> overdue_keys;
  std::vector<RequestDueKey> request_keys;
  std::vector<int> capacity_slots;
  bool unmanaged = false;
};

// What a customer's tiers are, as the book needs them.
struct TierView {
  const CompiledPolicy* policy;
  const int64_t* words;
  int tier(int program) const;
  int64_t tier_since(int program) const;
};

class ServiceBook {
 public:
  // Overdue index, per manager then due time.
  absl::btree_set<OverdueKey> overdue;
  absl::btree_set<RequestDueKey> request_due;
  // Customers per (manager, capacity slot).
  absl::flat_hash_map<int64_t, std::vector<uint64_t>> manager_counts;
  absl::btree_set<uint64_t> unmanaged;
  // Percentage-target counters: (target, period start, tier) -> (all, met).
  absl::btree_map<std::tuple<int, int64_t, int>, std::pair<uint64_t, uint64_t>>
      compliance;
  // By enrolment sequence; null for customers with no service state.
  std::vector<std::unique_ptr<CustomerService>> customers;

  CustomerService* Get(uint64_t sequence) const {
    return sequence < customers.size() ? customers[sequence].get() : nullptr;
  }
  CustomerService& GetOrCreate(uint64_t sequence);

  // Removes a customer's index entries / adds those of its current state.
  void Detach(uint64_t sequence);
  void Attach(const CompiledPolicy& policy, uint64_t sequence,
              const TierView& tiers);
  // Drops every index entry (policy replacement and snapshot load rebuild
  // them with Attach).
  void ClearIndices();

  // Events. Check* validate without changing anything; the others assume a
  // successful check and cannot fail.
  absl::Status CheckRequest(uint64_t sequence,
                            const v1::ServiceRequest& e) const;
  // `rule`: the deadline rule matched at opening (-1: none).
  void ApplyRequest(const CompiledPolicy& policy, uint64_t sequence,
                    const v1::ServiceRequest& e, int64_t at, int rule,
                    const TierView& tiers);
  void ApplyContact(const CompiledPolicy& policy, uint64_t sequence,
                    const v1::Contact& e, int64_t at, const TierView& tiers);
  absl::Status CheckManager(uint64_t sequence, const v1::ManagerAssignment& e,
                            const Interner& interner) const;
  void ApplyManager(const CompiledPolicy& policy, Interner& interner,
                    uint64_t sequence, const v1::ManagerAssignment& e,
                    int64_t at, const TierView& tiers);
  absl::Status CheckTaskCompleted(const CompiledPolicy& policy,
                                  uint64_t sequence,
                                  const v1::TaskCompleted& e) const;
  void ApplyTaskCompleted(const CompiledPolicy& policy, uint64_t sequence,
                          const v1::TaskCompleted& e, int64_t at,
                          const TierView& tiers);
  // A tier change in `program` (tiers already show the new tier): cancels
  // the old tier's open tasks, creates the new tier's and the old tier's
  // ON_EXIT tasks, re-indexes.
  void OnTierChange(const CompiledPolicy& policy, uint64_t sequence,
                    int program, int from, int to, int64_t at,
                    const TierView& tiers);
  // A new customer: ON_ENTRY tasks of its tiers, cadences, capacity.
  void OnEnrol(const CompiledPolicy& policy, uint64_t sequence, int64_t at,
               const TierView& tiers);

  // Due time of one cadence for a customer.
  int64_t CadenceDue(const CompiledPolicy& policy, const CustomerService* cs,
                     int cadence, const TierView& tiers,
                     int64_t* last_contact) const;

  // After a policy replacement: tasks and target counters follow their
  // names into `to` (those without a counterpart are dropped), and every
  // index is cleared (the caller re-attaches every customer).
  void RemapForPolicy(const CompiledPolicy& from, const CompiledPolicy& to);

  // Snapshot of one customer's state; false when it has none.
  bool Export(const CompiledPolicy& policy, uint64_t sequence,
              const Interner& interner, v1::CustomerServiceState* out) const;
  // Restores one customer's state (indices are rebuilt by Attach after).
  absl::Status Import(const CompiledPolicy& policy, Interner& interner,
                      uint64_t sequence, const v1::CustomerServiceState& in);

 private:
  // Closes open tasks completed by a manager assignment (`channel` empty)
  // or by a contact on `channel`.
  void CompleteTasks(const CompiledPolicy& policy, CustomerService& cs,
                     int64_t at, absl::string_view channel);
};

// Fills `out` with the request's state as of `as_of`.
void ExportRequest(const OpenRequest& r, int64_t as_of, v1::RequestStatus* out);

// Deadlines of a request opened at `at` under deadline rule `rule`.
void SetDueTimes(const CompiledPolicy& policy, int rule, int64_t at,
                 OpenRequest* r);

// Closed requests kept per customer for GetRequest, newest last.
inline constexpr int kClosedRequestsKept = 8;

}  // namespace standing

#endif  // STANDING_SRC_SERVICE_BOOK_H_
