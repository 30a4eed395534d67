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
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "compiled_policy.h"
#include "interner.h"
#include "proto_time.h"
#include "standing/v1/event.pb.h"
#include "standing/v1/service.pb.h"
#include "standing/v1/snapshot.pb.h"

namespace standing {

// A customer id as an overdue entry keeps it: inline when it is short (most
// ids), else a pointer to the record's id (records do not move while the
// customer exists), so listing an item reads no customer record.
class EntryId {
 public:
  static constexpr size_t kInline = 19;
  void Set(const std::string* id) {
    if (id == nullptr) {
      size_ = kNone;
    } else if (id->size() <= kInline) {
      size_ = static_cast<uint8_t>(id->size());
      std::memcpy(text_, id->data(), id->size());
    } else {
      size_ = kLong;
      std::memcpy(text_, &id, sizeof id);
    }
  }
  bool known() const { return size_ != kNone; }
  // The record's string when the id is not inline, else null.
  const std::string* record_id() const {
    if (size_ != kLong) return nullptr;
    const std::string* id;
    std::memcpy(&id, text_, sizeof id);
    return id;
  }
  // Valid when known().
  std::string_view view() const {
    if (const std::string* id = record_id()) return *id;
    return std::string_view(text_, size_);
  }

 private:
  static constexpr uint8_t kLong = 0xFE;
  static constexpr uint8_t kNone = 0xFF;
  uint8_t size_ = kNone;
  char text_[kInline];
};

// Overdue index entry, ordered by (manager, due, sequence, slot). `slot`: a
// cadence index (ServicePolicy::cadences), or kTaskBit | task index in the
// customer's task list. The rest is payload, not part of the order: what a
// listed item shows. `item`: the cadence index, or the task's obligation
// index (ServicePolicy::obligations). 48 bytes.
struct OverdueKey {
  int64_t due;
  uint64_t sequence;
  uint32_t manager;  // interned primary manager, 0 = none
  uint32_t slot;
  uint32_t item = 0;
  EntryId customer_id;

  static OverdueKey Make(int64_t manager, int64_t due, uint64_t sequence,
                         uint32_t slot) {
    OverdueKey k;
    k.due = due;
    k.sequence = sequence;
    k.manager = static_cast<uint32_t>(manager);  // interner ids are dense
    k.slot = slot;
    return k;
  }
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
static_assert(sizeof(OverdueKey) == 48);
// The overdue index: an absl::btree_set with 2 KiB nodes instead of the
// default 256 bytes (absl::btree_set has no parameter for it; this is its
// own definition with another node size). A listing walks one manager's
// range leaf by leaf, and each leaf is a cache and TLB miss in an index of
// millions of entries spread over the heap: 42 entries per leaf instead of
// 5 means an eighth of the misses (the lines within a leaf are adjacent,
// which the hardware prefetcher follows). Memory is about the same: nodes
// are filled to the same degree whatever their size.
inline constexpr int kOverdueNodeBytes = 2048;
using OverdueIndex = absl::container_internal::btree_set_container<
    absl::container_internal::btree<absl::container_internal::set_params<
        OverdueKey, std::less<OverdueKey>, std::allocator<OverdueKey>,
        kOverdueNodeBytes, /*IsMulti=*/false>>>;

// What a customer added to the overdue index, for Detach: the manager and
// sequence of every entry are the customer's (the primary manager changes
// only between Detach and Attach).
struct AttachedOverdue {
  int64_t due;
  uint32_t slot;
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
  // Most customers have one to three entries: kept inline, no allocation.
  absl::InlinedVector<AttachedOverdue, 2> overdue_keys;
  std::vector<RequestDueKey> request_keys;
  std::vector<int> capacity_slots;
  bool unmanaged = false;
};

// What a customer's tiers are, as the book needs them.
struct TierView {
  const CompiledPolicy* policy;
  const int64_t* words;
  const std::string* id = nullptr;  // the customer's id (overdue entries)
  int tier(int program) const;
  int64_t tier_since(int program) const;
};

class ServiceBook {
 public:
  // Overdue index, per manager then due time.
  OverdueIndex overdue;
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
