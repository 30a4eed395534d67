// Credit state of every customer (docs/credit.md): open invoices and
// orders, the credit balance, temporary limit increases, the grade with
// the criteria it was rated on, and a pending grade change with its
// approval step. Indices: customers with open invoices by their oldest due
// time (time-driven hard rules such as "90+ days past due") and pending
// approvals by step due time (escalation).
//
// Check* methods validate an event without changing anything; Apply*
// methods then cannot fail, so a refused event leaves state as it was.
#ifndef STANDING_SRC_CREDIT_BOOK_H_
#define STANDING_SRC_CREDIT_BOOK_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "credit_policy.h"
#include "open_invoices.h"
#include "overdue_watch.h"
#include "standing/v1/credit.pb.h"
#include "standing/v1/event.pb.h"
#include "standing/v1/snapshot.pb.h"

namespace standing {

struct OpenOrder {
  std::string id;
  int64_t amount = 0;
  int64_t placed_at = 0;
};

struct LimitIncrease {
  int64_t amount = 0;
  int64_t granted_at = 0;
  int64_t expires_at = 0;
  std::string approver;
  std::string role;
  std::string reason;
};

// What a rating found: the score, the grade the score gives, the hard rule
// that capped it (-1: none) and the resulting grade.
struct Rating {
  double score = 0;
  int score_grade = 0;
  int hard_rule = -1;
  int target = 0;
  int64_t rated_at = 0;
  int64_t limit = 0;  // the target grade's limit at the rating
  // Item values at the rating (NaN: the metric had no data).
  std::vector<double> values;
};

struct PendingChange {
  int to_grade = 0;
  int64_t proposed_at = 0;
  int step = 0;
  int64_t step_due = 0;
  bool escalated = false;
  std::vector<v1::ApprovalAction> history;
  Rating rating;
};

// What the credit check reads comes first, in one cache line; what an
// invoice or payment also reads (the open invoices and their id tags)
// straddles into the next. Aligned so those are exactly two lines.
struct alignas(64) CreditAccount {
  int32_t grade = 0;
  int32_t increase_count = 0;  // increases.size(), read without the vector
  int64_t limit = 0;           // the grade's limit, without temporary increases
  int64_t open_receivables = 0;
  int64_t open_orders = 0;
  int64_t credit_balance = 0;
  int64_t oldest_due = 0;  // of the open invoices; 0: none open
  int64_t grade_since = 0;
  OpenInvoices invoices;
  std::vector<OpenOrder> orders;
  std::vector<LimitIncrease> increases;
  Rating rating;  // the criteria of the current grade
  std::unique_ptr<PendingChange> pending;

  int64_t exposure() const { return open_receivables + open_orders; }
  // Temporary increases active at `t`.
  int64_t ActiveIncrease(int64_t t) const;
  int64_t Available(int64_t t) const {
    return limit + ActiveIncrease(t) - exposure() + credit_balance;
  }
  // Days past due of the oldest overdue invoice at `t` (0: none overdue;
  // `*overdue` says whether any is).
  int32_t DaysPastDue(int64_t t, bool* overdue = nullptr) const;
  const OpenInvoice* FindInvoice(absl::string_view id) const;
  const OpenOrder* FindOrder(absl::string_view id) const;
};

// A receivable figure of `account` at `t` (ReceivableMeasure); a null
// account reads as empty.
double ReadReceivable(const CreditAccount* account, int measure, int64_t t);

// Fills `out` from `account` as of `t`.
void ExportReceivables(const CreditAccount& account, int64_t t,
                       v1::Receivables* out);

// A settled invoice, for the SETTLEMENT metrics (on-time payment rate).
struct Settlement {
  int64_t amount;
  bool on_time;
};

class CreditBook {
 public:
  // Accounts by customer sequence (held by value: one cache miss fewer
  // per check); empty when the policy has no credit.
  std::vector<CreditAccount, PoolAllocator<CreditAccount>> accounts;
  std::vector<uint64_t> grade_counts;
  // Accounts whose oldest open invoice is overdue, for reviews.
  OverdueWatch overdue;
  // (step due time, sequence) of pending grade changes.
  absl::btree_set<std::pair<int64_t, uint64_t>> pending_by_due;
  int64_t next_review = 0;  // 0: none scheduled
  mutable std::atomic<uint64_t> refused_reads{0};

  CreditAccount* Find(uint64_t sequence) {
    return sequence < accounts.size() ? &accounts[sequence] : nullptr;
  }
  const CreditAccount* Find(uint64_t sequence) const {
    return sequence < accounts.size() ? &accounts[sequence] : nullptr;
  }
  // Creates the account of a new customer in `grade`.
  CreditAccount& Open(uint64_t sequence, int grade, int64_t at);
  void Clear();

  absl::Status CheckInvoice(const CreditAccount& a, const v1::Invoice& e,
                            int64_t at) const;
  // Appends to `settled` the invoice if a credit balance pays it at once.
  void ApplyInvoice(const CompiledCredit& credit, uint64_t sequence,
                    const v1::Invoice& e, int64_t at,
                    std::vector<Settlement>* settled);
  absl::Status CheckPayment(const CreditAccount& a, const v1::Payment& e) const;
  void ApplyPayment(uint64_t sequence, const v1::Payment& e, int64_t at,
                    std::vector<Settlement>* settled);
  absl::Status CheckOrder(const CreditAccount& a,
                          const v1::OrderPlaced& e) const;
  void ApplyOrder(CreditAccount& a, const v1::OrderPlaced& e, int64_t at);
  absl::Status CheckCancel(const CreditAccount& a,
                           const v1::OrderCancelled& e) const;
  void ApplyCancel(CreditAccount& a, const v1::OrderCancelled& e);
  absl::Status CheckIncrease(const CompiledCredit& credit,
                             const v1::CreditLimitIncrease& e,
                             int64_t at) const;
  void ApplyIncrease(CreditAccount& a, const v1::CreditLimitIncrease& e,
                     int64_t at);

  // Moves the account to `grade` (counts follow).
  void SetGrade(CreditAccount& a, int grade, int64_t at);
  // Sets or clears the pending change (index follows).
  void SetPending(uint64_t sequence, std::unique_ptr<PendingChange> p);
  // Recomputes the oldest due time of `a` (index follows).
  void ReindexDue(uint64_t sequence, CreditAccount& a);
  // Sets it when the caller knows it.
  void SetOldestDue(uint64_t sequence, CreditAccount& a, int64_t oldest);
  // The customers overdue at `t` (oldest due before it), most overdue
  // first.
  std::vector<uint64_t> Overdue(int64_t t);

  // Snapshot of one account (grade names, not indices).
  void Export(const CompiledCredit& credit, uint64_t sequence,
              v1::CustomerCreditState* out) const;
  absl::Status Import(const CompiledCredit& credit, uint64_t sequence,
                      const v1::CustomerCreditState& in);
};

struct CompiledPolicy;

// Fills `out` with the criteria of `rating` (names from the policy).
void ExportRating(const CompiledPolicy& policy, const Rating& rating,
                  v1::CreditCriteria* out);
// The inverse, for snapshots (unknown names: score-grade 0, no rule).
void ImportRating(const CompiledCredit& credit, const v1::CreditCriteria& in,
                  Rating* out);

}  // namespace standing

#endif  // STANDING_SRC_CREDIT_BOOK_H_
