#include "credit_book.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "compiled_policy.h"
#include "proto_time.h"

namespace standing {
namespace {

constexpr size_t kMaxIdBytes = 256;
// More open invoices or orders than this per customer is refused: it
// bounds the linear scans of a payment (and is far above B2B practice).
constexpr size_t kMaxOpenItems = 4096;

int32_t DaysPast(int64_t due, int64_t t) {
  return t > due ? static_cast<int32_t>((t - due) / kSecondsPerDay) : 0;
}

absl::Status CheckId(absl::string_view field, absl::string_view id) {
  if (id.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": is required"));
  }
  if (id.size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": longer than ", kMaxIdBytes, " bytes"));
  }
  return absl::OkStatus();
}

// Oldest due time of the open invoices (0: none).
int64_t OldestDue(const CreditAccount& a) {
  int64_t oldest = 0;
  for (const OpenInvoice& inv : a.invoices) {
    if (oldest == 0 || inv.due_at < oldest) oldest = inv.due_at;
  }
  return oldest;
}

}  // namespace

int64_t CreditAccount::ActiveIncrease(int64_t t) const {
  if (increase_count == 0) return 0;
  int64_t sum = 0;
  for (const LimitIncrease& inc : increases) {
    if (inc.expires_at > t) sum += inc.amount;
  }
  return sum;
}

int32_t CreditAccount::DaysPastDue(int64_t t, bool* overdue) const {
  const bool any = oldest_due != 0 && t > oldest_due;
  if (overdue != nullptr) *overdue = any;
  return any ? DaysPast(oldest_due, t) : 0;
}

const OpenInvoice* CreditAccount::FindInvoice(absl::string_view id) const {
  const ptrdiff_t i = invoices.Find(id);
  return i < 0 ? nullptr : &invoices[static_cast<size_t>(i)];
}

const OpenOrder* CreditAccount::FindOrder(absl::string_view id) const {
  for (const OpenOrder& o : orders) {
    if (o.id == id) return &o;
  }
  return nullptr;
}

double ReadReceivable(const CreditAccount* a, int measure, int64_t t) {
  if (a == nullptr) return 0;
  switch (measure) {
    case v1::EXPOSURE:
      return static_cast<double>(a->exposure());
    case v1::OPEN_RECEIVABLES:
      return static_cast<double>(a->open_receivables);
    case v1::OPEN_ORDERS:
      return static_cast<double>(a->open_orders);
    case v1::CREDIT_BALANCE:
      return static_cast<double>(a->credit_balance);
    case v1::DAYS_PAST_DUE:
      return a->DaysPastDue(t);
    case v1::CREDIT_LIMIT:
      return static_cast<double>(a->limit + a->ActiveIncrease(t));
    case v1::AVAILABLE_CREDIT:
      return static_cast<double>(a->Available(t));
    default:
      break;
  }
  // Amount buckets: one pass over the open invoices.
  int64_t sum = 0;
  for (const OpenInvoice& inv : a->invoices) {
    const bool overdue = t > inv.due_at;
    const int32_t days = DaysPast(inv.due_at, t);
    bool in = false;
    switch (measure) {
      case v1::OVERDUE_AMOUNT:
        in = overdue;
        break;
      case v1::AGED_CURRENT:
        in = !overdue;
        break;
      case v1::AGED_0_30:
        in = overdue && days <= 30;
        break;
      case v1::AGED_31_60:
        in = overdue && days > 30 && days <= 60;
        break;
      case v1::AGED_61_90:
        in = overdue && days > 60 && days <= 90;
        break;
      case v1::AGED_OVER_90:
        in = overdue && days > 90;
        break;
      default:
        return 0;
    }
    if (in) sum += inv.open;
  }
  return static_cast<double>(sum);
}

void ExportReceivables(const CreditAccount& a, int64_t t,
                       v1::Receivables* out) {
  out->set_open_receivables(a.open_receivables);
  out->set_open_orders(a.open_orders);
  out->set_exposure(a.exposure());
  out->set_credit_balance(a.credit_balance);
  out->set_days_past_due(a.DaysPastDue(t));
  out->set_available(a.Available(t));
  int64_t overdue = 0, current = 0, b30 = 0, b60 = 0, b90 = 0, over90 = 0;
  out->mutable_invoices()->Clear();
  for (const OpenInvoice& inv : a.invoices) {
    const int32_t days = DaysPast(inv.due_at, t);
    if (t > inv.due_at) {
      overdue += inv.open;
      (days <= 30   ? b30
       : days <= 60 ? b60
       : days <= 90 ? b90
                    : over90) += inv.open;
    } else {
      current += inv.open;
    }
    v1::OpenInvoice* o = out->add_invoices();
    o->set_invoice_id(inv.id);
    o->set_amount(inv.amount);
    o->set_open_amount(inv.open);
    Stamp(inv.issued_at, o->mutable_issued_at());
    Stamp(inv.due_at, o->mutable_due_at());
    o->set_days_past_due(days);
  }
  out->set_overdue_amount(overdue);
  out->set_aged_current(current);
  out->set_aged_0_30(b30);
  out->set_aged_31_60(b60);
  out->set_aged_61_90(b90);
  out->set_aged_over_90(over90);
  out->mutable_open_orders_ids()->Clear();
  for (const OpenOrder& o : a.orders) out->add_open_orders_ids(o.id);
}

CreditAccount& CreditBook::Open(uint64_t sequence, int grade, int64_t at) {
  if (accounts.size() <= sequence) accounts.resize(sequence + 1);
  accounts[sequence] = CreditAccount();
  CreditAccount& a = accounts[sequence];
  a.grade = grade;
  a.grade_since = at;
  ++grade_counts[grade];
  return a;
}

void CreditBook::Clear() {
  accounts.clear();
  std::fill(grade_counts.begin(), grade_counts.end(), 0);
  overdue.Clear();
  pending_by_due.clear();
  next_review = 0;
}

absl::Status CreditBook::CheckInvoice(const CreditAccount& a,
                                      const v1::Invoice& e, int64_t at) const {
  if (auto s = CheckId("invoice.invoice_id", e.invoice_id()); !s.ok()) {
    return s;
  }
  if (a.FindInvoice(e.invoice_id()) != nullptr) {
    return absl::AlreadyExistsError(absl::StrCat(
        "invoice.invoice_id: \"", e.invoice_id(), "\" is already open"));
  }
  if (a.invoices.size() >= kMaxOpenItems) {
    return absl::ResourceExhaustedError(
        absl::StrCat("invoice: more than ", kMaxOpenItems, " open invoices"));
  }
  if (e.has_due_at() && e.due_at().seconds() < at) {
    return absl::InvalidArgumentError(
        "invoice.due_at: must not be before the invoice's instant");
  }
  if (!e.order_id().empty() && a.FindOrder(e.order_id()) == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("invoice.order_id: no open order \"", e.order_id(), "\""));
  }
  return absl::OkStatus();
}

void CreditBook::ApplyInvoice(const CompiledCredit& credit, uint64_t sequence,
                              const v1::Invoice& e, int64_t at,
                              std::vector<Settlement>* settled) {
  CreditAccount& a = accounts[sequence];
  if (!e.order_id().empty()) {
    for (size_t i = 0; i < a.orders.size(); ++i) {
      if (a.orders[i].id != e.order_id()) continue;
      a.open_orders -= a.orders[i].amount;
      a.orders.erase(a.orders.begin() + static_cast<std::ptrdiff_t>(i));
      break;
    }
  }
  const int64_t due =
      e.has_due_at()
          ? e.due_at().seconds()
          : at + int64_t{credit.grades[a.grade].term_days} * kSecondsPerDay;
  // A credit balance (earlier overpayment) pays the new invoice first.
  const int64_t from_balance = std::min(a.credit_balance, e.amount());
  a.credit_balance -= from_balance;
  if (from_balance == e.amount()) {
    settled->push_back({e.amount(), true});
    return;
  }
  OpenInvoice inv;
  inv.id = e.invoice_id();
  inv.amount = e.amount();
  inv.open = e.amount() - from_balance;
  inv.issued_at = at;
  inv.due_at = due;
  a.open_receivables += inv.open;
  a.invoices.Add(std::move(inv));
  // Due times mostly grow, so the oldest rarely changes.
  SetOldestDue(sequence, a,
               a.oldest_due == 0 ? due : std::min(a.oldest_due, due));
}

absl::Status CreditBook::CheckPayment(const CreditAccount& a,
                                      const v1::Payment& e) const {
  if (!e.invoice_id().empty() && a.FindInvoice(e.invoice_id()) == nullptr) {
    return absl::NotFoundError(absl::StrCat(
        "payment.invoice_id: no open invoice \"", e.invoice_id(), "\""));
  }
  return absl::OkStatus();
}

void CreditBook::ApplyPayment(uint64_t sequence, const v1::Payment& e,
                              int64_t at, std::vector<Settlement>* settled) {
  CreditAccount& a = accounts[sequence];
  int64_t left = e.amount();
  auto pay = [&](OpenInvoice& inv) {
    const int64_t part = std::min(left, inv.open);
    inv.open -= part;
    a.open_receivables -= part;
    left -= part;
    if (inv.open == 0) settled->push_back({inv.amount, at <= inv.due_at});
  };
  if (!e.invoice_id().empty()) {
    // CheckPayment found it; only the one invoice is touched.
    const ptrdiff_t found = a.invoices.Find(e.invoice_id());
    if (found >= 0) {
      const auto i = static_cast<size_t>(found);
      OpenInvoice& inv = a.invoices.mutable_at(i);
      pay(inv);
      a.credit_balance += left;
      if (inv.open == 0) {
        const bool was_oldest = inv.due_at == a.oldest_due;
        a.invoices.Erase(i);
        if (was_oldest) ReindexDue(sequence, a);
      }
      return;
    }
  } else {
    // Oldest due first; invoices are few per customer, so a scan per
    // allocation beats keeping them sorted.
    while (left > 0 && a.open_receivables > 0) {
      OpenInvoice* oldest = nullptr;
      for (size_t i = 0; i < a.invoices.size(); ++i) {
        OpenInvoice& inv = a.invoices.mutable_at(i);
        if (inv.open > 0 &&
            (oldest == nullptr || inv.due_at < oldest->due_at)) {
          oldest = &inv;
        }
      }
      if (oldest == nullptr) break;
      pay(*oldest);
    }
  }
  a.credit_balance += left;
  a.invoices.EraseSettled();
  ReindexDue(sequence, a);
}

absl::Status CreditBook::CheckOrder(const CreditAccount& a,
                                    const v1::OrderPlaced& e) const {
  if (auto s = CheckId("order_placed.order_id", e.order_id()); !s.ok()) {
    return s;
  }
  if (a.FindOrder(e.order_id()) != nullptr) {
    return absl::AlreadyExistsError(absl::StrCat(
        "order_placed.order_id: \"", e.order_id(), "\" is already open"));
  }
  if (a.orders.size() >= kMaxOpenItems) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "order_placed: more than ", kMaxOpenItems, " open orders"));
  }
  return absl::OkStatus();
}

void CreditBook::ApplyOrder(CreditAccount& a, const v1::OrderPlaced& e,
                            int64_t at) {
  a.orders.push_back(OpenOrder{e.order_id(), e.amount(), at});
  a.open_orders += e.amount();
}

absl::Status CreditBook::CheckCancel(const CreditAccount& a,
                                     const v1::OrderCancelled& e) const {
  if (auto s = CheckId("order_cancelled.order_id", e.order_id()); !s.ok()) {
    return s;
  }
  if (a.FindOrder(e.order_id()) == nullptr) {
    return absl::NotFoundError(absl::StrCat(
        "order_cancelled.order_id: no open order \"", e.order_id(), "\""));
  }
  return absl::OkStatus();
}

void CreditBook::ApplyCancel(CreditAccount& a, const v1::OrderCancelled& e) {
  for (size_t i = 0; i < a.orders.size(); ++i) {
    if (a.orders[i].id != e.order_id()) continue;
    a.open_orders -= a.orders[i].amount;
    a.orders.erase(a.orders.begin() + static_cast<std::ptrdiff_t>(i));
    return;
  }
}

absl::Status CreditBook::CheckIncrease(const CompiledCredit& credit,
                                       const v1::CreditLimitIncrease& e,
                                       int64_t at) const {
  if (e.amount() <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "limit_increase.amount: must be positive (got ", e.amount(), ")"));
  }
  if (e.approver().empty()) {
    return absl::InvalidArgumentError("limit_increase.approver: is required");
  }
  if (!credit.MayRaiseLimit(e.role())) {
    return absl::PermissionDeniedError(absl::StrCat(
        "limit_increase.role: \"", e.role(),
        "\" may not grant limit increases (credit.limit_approvers)"));
  }
  if (!e.has_expires_at() || e.expires_at().seconds() <= at) {
    return absl::InvalidArgumentError(
        "limit_increase.expires_at: is required and must be after the "
        "event's instant");
  }
  return absl::OkStatus();
}

void CreditBook::ApplyIncrease(CreditAccount& a,
                               const v1::CreditLimitIncrease& e, int64_t at) {
  // Expired increases are dropped here, so the list stays short.
  a.increases.erase(std::remove_if(a.increases.begin(), a.increases.end(),
                                   [at](const LimitIncrease& inc) {
                                     return inc.expires_at <= at;
                                   }),
                    a.increases.end());
  a.increases.push_back(LimitIncrease{e.amount(), at, e.expires_at().seconds(),
                                      e.approver(), e.role(), e.reason()});
  a.increase_count = static_cast<int32_t>(a.increases.size());
}

void CreditBook::SetGrade(CreditAccount& a, int grade, int64_t at) {
  --grade_counts[a.grade];
  ++grade_counts[grade];
  a.grade = grade;
  a.grade_since = at;
}

void CreditBook::SetPending(uint64_t sequence,
                            std::unique_ptr<PendingChange> p) {
  CreditAccount& a = accounts[sequence];
  if (a.pending) pending_by_due.erase({a.pending->step_due, sequence});
  a.pending = std::move(p);
  if (a.pending) pending_by_due.insert({a.pending->step_due, sequence});
}

void CreditBook::ReindexDue(uint64_t sequence, CreditAccount& a) {
  SetOldestDue(sequence, a, OldestDue(a));
}

void CreditBook::SetOldestDue(uint64_t sequence, CreditAccount& a,
                              int64_t oldest) {
  if (oldest == a.oldest_due) return;
  a.oldest_due = oldest;
  if (oldest != 0) {
    overdue.Watch(oldest, sequence, accounts.size(),
                  [this](uint64_t s) { return accounts[s].oldest_due; });
  }
}

std::vector<uint64_t> CreditBook::Overdue(int64_t t) {
  return overdue.Overdue(t,
                         [this](uint64_t s) { return accounts[s].oldest_due; });
}

void ExportRating(const CompiledPolicy& policy, const Rating& r,
                  v1::CreditCriteria* out) {
  const CompiledCredit& credit = policy.credit;
  out->set_score(r.score);
  out->set_score_grade(credit.grades[r.score_grade].name);
  out->set_hard_rule(r.hard_rule >= 0 ? credit.hard_rules[r.hard_rule].name
                                      : std::string());
  // The hard rule decided when it caps the grade at (or below) what the
  // score gives.
  out->set_rule(
      r.hard_rule >= 0 && credit.hard_rules[r.hard_rule].grade <= r.target
          ? absl::StrCat("credit.hard_rules[", r.hard_rule, "]")
          : absl::StrCat("credit.grades[", r.score_grade, "].min_score"));
  Stamp(r.rated_at, out->mutable_rated_at());
  out->set_limit(r.limit);
  out->set_term_days(credit.grades[r.target].term_days);
  out->mutable_items()->Clear();
  for (size_t i = 0; i < credit.items.size() && i < r.values.size(); ++i) {
    const CompiledScoreItem& item = credit.items[i];
    v1::ScoreItemResult* o = out->add_items();
    o->set_item(item.name);
    o->set_metric(policy.metrics[item.metric].name);
    o->set_weight(item.weight);
    const double v = r.values[i];
    if (std::isnan(v)) {
      o->set_missing(true);
      o->set_points(item.missing_points);
      continue;
    }
    o->set_value(v);
    double points = 0;
    for (const auto& [at_least, p] : item.bands) {
      if (v < at_least) break;
      points = p;
      o->set_band_at_least(at_least);
    }
    o->set_points(points);
  }
}

void ImportRating(const CompiledCredit& credit, const v1::CreditCriteria& in,
                  Rating* out) {
  out->score = in.score();
  out->score_grade = std::max(0, credit.FindGrade(in.score_grade()));
  out->hard_rule = -1;
  for (size_t i = 0; i < credit.hard_rules.size(); ++i) {
    if (!in.hard_rule().empty() &&
        credit.hard_rules[i].name == in.hard_rule()) {
      out->hard_rule = static_cast<int>(i);
    }
  }
  out->rated_at = in.rated_at().seconds();
  out->limit = in.limit();
  out->values.clear();
  for (const auto& item : in.items()) {
    out->values.push_back(item.missing()
                              ? std::numeric_limits<double>::quiet_NaN()
                              : item.value());
  }
}

namespace {

// The rating as snapshots keep it: values only (names come from the
// policy when it is read back).
void ExportCompactRating(const CompiledCredit& credit, const Rating& r,
                         v1::CreditCriteria* c) {
  c->set_score(r.score);
  c->set_score_grade(credit.grades[r.score_grade].name);
  if (r.hard_rule >= 0) c->set_hard_rule(credit.hard_rules[r.hard_rule].name);
  Stamp(r.rated_at, c->mutable_rated_at());
  c->set_limit(r.limit);
  for (double v : r.values) {
    v1::ScoreItemResult* item = c->add_items();
    if (std::isnan(v)) {
      item->set_missing(true);
    } else {
      item->set_value(v);
    }
  }
}

}  // namespace

void CreditBook::Export(const CompiledCredit& credit, uint64_t sequence,
                        v1::CustomerCreditState* out) const {
  const CreditAccount& a = accounts[sequence];
  out->set_grade(credit.grades[a.grade].name);
  out->set_grade_since(a.grade_since);
  ExportCompactRating(credit, a.rating, out->mutable_criteria());
  for (const OpenInvoice& inv : a.invoices) {
    v1::InvoiceState* o = out->add_invoices();
    o->set_invoice_id(inv.id);
    o->set_amount(inv.amount);
    o->set_open_amount(inv.open);
    o->set_issued_at(inv.issued_at);
    o->set_due_at(inv.due_at);
  }
  for (const OpenOrder& ord : a.orders) {
    v1::OrderState* o = out->add_orders();
    o->set_order_id(ord.id);
    o->set_amount(ord.amount);
    o->set_placed_at(ord.placed_at);
  }
  out->set_credit_balance(a.credit_balance);
  for (const LimitIncrease& inc : a.increases) {
    v1::TemporaryIncrease* o = out->add_increases();
    o->set_amount(inc.amount);
    Stamp(inc.granted_at, o->mutable_granted_at());
    Stamp(inc.expires_at, o->mutable_expires_at());
    o->set_approver(inc.approver);
    o->set_role(inc.role);
    o->set_reason(inc.reason);
  }
  if (a.pending) {
    const PendingChange& p = *a.pending;
    v1::PendingState* o = out->mutable_pending();
    o->set_to_grade(credit.grades[p.to_grade].name);
    o->set_proposed_at(p.proposed_at);
    o->set_step(static_cast<uint32_t>(p.step));
    o->set_step_due(p.step_due);
    o->set_escalated(p.escalated);
    for (const auto& h : p.history) *o->add_history() = h;
    ExportCompactRating(credit, p.rating, o->mutable_criteria());
  }
}

absl::Status CreditBook::Import(const CompiledCredit& credit, uint64_t sequence,
                                const v1::CustomerCreditState& in) {
  const int grade = credit.FindGrade(in.grade());
  if (grade < 0) {
    return absl::DataLossError(
        absl::StrCat("credit: unknown grade \"", in.grade(), "\""));
  }
  CreditAccount& a = Open(sequence, grade, in.grade_since());
  ImportRating(credit, in.criteria(), &a.rating);
  a.rating.target = grade;
  a.limit = a.rating.limit;
  for (const auto& i : in.invoices()) {
    if (i.open_amount() <= 0 || i.open_amount() > i.amount()) {
      return absl::DataLossError(absl::StrCat(
          "credit: invoice \"", i.invoice_id(), "\" has a bad open amount"));
    }
    if (a.invoices.Find(i.invoice_id()) >= 0) {
      return absl::DataLossError(absl::StrCat(
          "credit: invoice \"", i.invoice_id(), "\" is listed twice"));
    }
    a.invoices.Add(OpenInvoice{i.invoice_id(), i.amount(), i.open_amount(),
                               i.issued_at(), i.due_at()});
    a.open_receivables += i.open_amount();
  }
  for (const auto& o : in.orders()) {
    a.orders.push_back(OpenOrder{o.order_id(), o.amount(), o.placed_at()});
    a.open_orders += o.amount();
  }
  a.credit_balance = in.credit_balance();
  for (const auto& inc : in.increases()) {
    a.increases.push_back(LimitIncrease{
        inc.amount(), inc.granted_at().seconds(), inc.expires_at().seconds(),
        inc.approver(), inc.role(), inc.reason()});
  }
  a.increase_count = static_cast<int32_t>(a.increases.size());
  ReindexDue(sequence, a);
  if (in.has_pending()) {
    auto p = std::make_unique<PendingChange>();
    p->to_grade = credit.FindGrade(in.pending().to_grade());
    if (p->to_grade < 0 || in.pending().step() >= credit.steps.size()) {
      return absl::DataLossError("credit: pending change out of range");
    }
    p->proposed_at = in.pending().proposed_at();
    p->step = static_cast<int>(in.pending().step());
    p->step_due = in.pending().step_due();
    p->escalated = in.pending().escalated();
    p->history.assign(in.pending().history().begin(),
                      in.pending().history().end());
    ImportRating(credit, in.pending().criteria(), &p->rating);
    p->rating.target = p->to_grade;
    const bool escalated = p->escalated;
    SetPending(sequence, std::move(p));
    // Escalated steps have left the deadline index (they escalate once).
    if (escalated) pending_by_due.erase({in.pending().step_due(), sequence});
  }
  return absl::OkStatus();
}

}  // namespace standing
