#include "credit_demo.h"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "demo_util.h"
#include "standing/engine.h"
#include "standing/policy.h"
#include "synthetic_population.h"

namespace standing_demo {
namespace {

namespace v1 = standing::v1;

constexpr int64_t kDay = 86400;
constexpr int64_t kHour = 3600;
constexpr int64_t kYuan = 100;  // fen per yuan

// "2026-03-14".
std::string Date(int64_t utc, int offset) {
  const CivilDate d = LocalDate(utc, offset);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

// "2026-03-14 15:02".
std::string When(int64_t utc, int offset) {
  const int64_t local = utc + offset;
  const int64_t second = ((local % kDay) + kDay) % kDay;
  char buf[16];
  std::snprintf(buf, sizeof buf, " %02d:%02d", static_cast<int>(second / 3600),
                static_cast<int>(second / 60 % 60));
  return Date(utc, offset) + buf;
}

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

std::string Lower(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return name;
}

std::string ControlName(v1::CreditControl control) {
  switch (control) {
    case v1::CONTROL_NONE:
      return "none";
    case v1::CONTROL_WARN:
      return "warn";
    default:
      return "block";
  }
}

// "over limit by 1,234.00; overdue 40 days; grade blocked".
std::string Reasons(const v1::CreditDecision& d) {
  std::string out;
  for (const auto& f : d.findings()) {
    if (!out.empty()) out += "; ";
    switch (f.reason()) {
      case v1::CreditDecision::OVER_LIMIT:
        out += "over limit by " + Yuan(f.amount());
        break;
      case v1::CreditDecision::OVERDUE:
        out += "overdue " + std::to_string(f.days()) + " days";
        break;
      case v1::CreditDecision::GRADE_BLOCKED:
        out += "grade blocked";
        break;
      default:
        out += "?";
    }
  }
  return out.empty() ? "-" : out;
}

// --- the customer base -------------------------------------------------------

enum class Payer : uint8_t { kPrompt, kMostly, kSlow, kPoor, kDefaulting };
constexpr int kPayers = 5;
constexpr const char* kPayerNames[kPayers] = {
    "prompt", "mostly on time", "slow", "poor", "stops paying in 2026"};
constexpr double kPayerShares[kPayers] = {0.55, 0.22, 0.13, 0.07, 0.03};

struct Customer {
  std::string id;  // "B0000001"
  int64_t enrolled_at = 0;
  std::string_view region;
  Payer payer = Payer::kPrompt;
  double monthly = 0;  // revenue per month, fen
  int orders_per_month = 1;
  double fulfil = 1;  // chance an obligation is fulfilled
  int obligation_day = 1;
  int64_t stops_paying = 0;  // kDefaulting: no payment from here on
  // What the simulation has seen of the engine (from transitions).
  int grade = 0;
  int step = 0;             // approval step of the pending change
  uint32_t generation = 0;  // of the pending change; stale decisions drop
  int proposal_review = -1;
  bool pending = false;
  bool decision_scheduled = false;
  uint32_t orders = 0;
  uint32_t payments = 0;
};

// Things that happen; all but kRequest become events.
enum class Kind : uint8_t {
  kRequest,  // an order request: checked, then placed, sold for cash or lost
  kEnrol,
  kOrder,
  kCancel,
  kInvoice,
  kPurchase,
  kPayment,
  kObligation,
  kApproval,
  kIncrease,
};
constexpr int kKinds = 10;

struct Item {
  int64_t at = 0;
  uint64_t serial = 0;
  Kind kind = Kind::kRequest;
  uint8_t flag = 0;  // payment: names its invoice; obligation: fulfilled;
                     // approval: approve
  uint8_t role = 0;  // approval: index into kRoles
  uint32_t customer = 0;
  uint32_t number = 0;   // order/invoice or payment number; approval:
                         // generation of the change decided
  uint32_t invoice = 0;  // payment: the invoice named
  int64_t amount = 0;
};

constexpr std::string_view kRoles[] = {"supervisor", "manager", "director"};
constexpr std::string_view kActors[] = {
    "主管 李娜 (supervisor Li Na)", "信用经理 王强 (credit manager Wang Qiang)",
    "财务总监 陈静 (finance director Chen Jing)"};

// The quarterly reviews of the replayed period.
constexpr CivilDate kReviews[] = {
    {2026, 1, 1}, {2026, 4, 1}, {2026, 7, 1}, {2026, 10, 1}};
constexpr int kReviewCount = 4;

enum Outcome {
  kProposed,
  kApproved,
  kRejected,
  kWithdrawn,   // a later review no longer supported it
  kSuperseded,  // a hard rule moved the grade first
  kReplaced,    // a later review proposed another grade
  kEscalated,   // a step passed its deadline (counted per escalation)
  kOutcomes,
};

struct ChangeKey {
  int from, to, kind, cause;
  bool operator<(const ChangeKey& o) const {
    return std::tie(kind, cause, from, to) <
           std::tie(o.kind, o.cause, o.from, o.to);
  }
};

class Simulation {
 public:
  Simulation(const CreditDemoOptions& options, standing::Engine& engine,
             int offset)
      : options_(options),
        engine_(engine),
        offset_(offset),
        rng_(options.seed ^ 0xc4ed17c4ed17ULL),
        start_(LocalMidnight({2025, 10, 1}, offset)),
        end_(LocalMidnight({2027, 1, 1}, offset)),
        days_(static_cast<int>((end_ - start_) / kDay)),
        buckets_(days_) {
    const v1::Policy& policy = engine.policy();
    credit_name_ =
        policy.credit().name().empty() ? "credit" : policy.credit().name();
    for (const auto& g : policy.credit().grades()) {
      grade_names_.push_back(g.name());
      terms_.push_back(g.term_days());
    }
    for (int r = 0; r < kReviewCount; ++r) {
      review_at_[r] = LocalMidnight(kReviews[r], offset);
    }
    Generate();
  }

  void Run() {
    for (day_ = 0; day_ < days_; ++day_) {
      const int64_t midnight = start_ + day_ * kDay;
      earliest_day_ = day_;  // decisions of the review may fall today
      for (int r = 0; r < kReviewCount; ++r) {
        if (review_at_[r] == midnight) last_review_ = r;
      }
      transitions_.clear();
      const auto t0 = std::chrono::steady_clock::now();
      const absl::Status status = engine_.Review(midnight, &transitions_);
      apply_time_ += std::chrono::steady_clock::now() - t0;
      if (!status.ok()) Fail("Review", status);
      for (const v1::Transition& t : transitions_) Handle(t);
      earliest_day_ = day_ + 1;
      if (midnight == LocalMidnight({2026, 11, 2}, offset_)) {
        GrantIncreases(midnight);
      }
      std::vector<Item> items = std::move(buckets_[day_]);
      buckets_[day_] = {};
      std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
        return a.at != b.at ? a.at < b.at : a.serial < b.serial;
      });
      for (const Item& item : items) {
        switch (item.kind) {
          case Kind::kRequest:
            Flush();  // the check sees every earlier event
            Request(item);
            break;
          case Kind::kInvoice:
            Invoice(item);
            break;
          case Kind::kObligation:
            Add(item);
            Obligation(item.customer, item.at);
            break;
          case Kind::kApproval:
            // A decision on a change that is no longer pending is not sent.
            if (item.number != customers_[item.customer].generation) {
              ++stale_decisions_;
            } else {
              customers_[item.customer].decision_scheduled = false;
              Add(item);
            }
            break;
          default:
            Add(item);
        }
      }
      Flush();
    }
  }

  const std::vector<Customer>& customers() const { return customers_; }
  const std::vector<std::string>& grade_names() const { return grade_names_; }
  const std::string& credit_name() const { return credit_name_; }
  uint64_t applied() const { return applied_; }
  uint64_t refused() const { return refused_; }
  uint64_t stale_decisions() const { return stale_decisions_; }
  double apply_seconds() const { return Seconds(apply_time_); }
  double check_seconds() const { return Seconds(check_time_); }
  const uint64_t* counts() const { return counts_; }
  const uint64_t* payer_counts() const { return payer_counts_; }
  // Order requests by outcome (APPROVE, WARN, BLOCK) and what became of
  // them: placed on credit, sold for cash instead, lost.
  const uint64_t (&decisions() const)[4][3] { return decisions_; }
  const uint64_t (&findings() const)[4] { return findings_; }
  const uint64_t (&revenue() const)[3] { return revenue_; }
  const std::map<ChangeKey, uint64_t>& changes() const { return changes_; }
  const uint64_t (&reviews() const)[kReviewCount][kOutcomes] {
    return outcomes_;
  }
  int64_t review_at(int r) const { return review_at_[r]; }
  bool has_black_example() const { return has_black_; }
  bool has_upgrade_example() const { return has_upgrade_; }
  const v1::Transition& black_example() const { return black_; }
  const v1::Transition& upgrade_example() const { return upgrade_; }
  // The customer's typical order, fen.
  int64_t TypicalOrder(uint32_t c) const {
    const Customer& k = customers_[c];
    return std::max<int64_t>(
        1000 * kYuan,
        static_cast<int64_t>(k.monthly / k.orders_per_month / kYuan) * kYuan);
  }

 private:
  // --- the synthetic base ---
  void Generate() {
    const auto& regions = Regions();
    customers_.resize(options_.customers);
    for (size_t i = 0; i < customers_.size(); ++i) {
      Customer& c = customers_[i];
      char id[32];
      std::snprintf(id, sizeof id, "B%07zu", i + 1);
      c.id = id;
      c.region = regions[rng_.Between(0, regions.size() - 1)];
      double u = rng_.Uniform();
      int payer = 0;
      while (payer + 1 < kPayers && u >= kPayerShares[payer]) {
        u -= kPayerShares[payer];
        ++payer;
      }
      c.payer = static_cast<Payer>(payer);
      ++payer_counts_[payer];
      // Revenue per month: median 60,000 CNY, a long tail of big accounts.
      c.monthly = std::clamp(rng_.LogNormal(60000.0 * kYuan, 1.1),
                             5000.0 * kYuan, 8e6 * kYuan);
      c.orders_per_month = static_cast<int>(
          std::clamp(std::lround(c.monthly / (100000.0 * kYuan)), 1L, 4L));
      const double f = rng_.Uniform();
      c.fulfil = f < 0.70 ? 0.995 : f < 0.88 ? 0.93 : f < 0.96 ? 0.84 : 0.6;
      c.obligation_day = static_cast<int>(rng_.Between(1, 28));
      if (c.payer == Payer::kDefaulting) {
        c.stops_paying =
            LocalMidnight({2026, 2, 1}, offset_) + rng_.Between(0, 200) * kDay;
      }
      // Enrolled in October 2025, on a working day.
      c.enrolled_at =
          WorkingMoment(static_cast<int>(rng_.Between(9, 29)), 9, 12);
      Schedule(Item{c.enrolled_at, serial_++, Kind::kEnrol, 0, 0,
                    static_cast<uint32_t>(i), 0, 0, 0});
      NextRequest(static_cast<uint32_t>(i), c.enrolled_at);
      const CivilDate d = LocalDate(c.enrolled_at, offset_);
      Obligation(static_cast<uint32_t>(i),
                 LocalMidnight({d.year, d.month, 1}, offset_));
    }
  }

  // A moment between `from_hour` and 18:00 on the first weekday at or
  // after day index `day`.
  int64_t WorkingMoment(int day, int from_hour = 9, int to_hour = 18) {
    const int64_t midnight = start_ + day * kDay;
    const int64_t local_day = (midnight + offset_) / kDay;
    const int weekday = static_cast<int>((local_day + 4) % 7);  // 0: Sunday
    const int shift = weekday == 6 ? 2 : weekday == 0 ? 1 : 0;
    return midnight + shift * kDay + from_hour * kHour +
           rng_.Between(0, (to_hour - from_hour) * kHour - 1);
  }

  int DayOf(int64_t t) const {
    return t < start_ ? -1 : static_cast<int>((t - start_) / kDay);
  }

  // Into the bucket of its day; after the replayed period: dropped.
  void Schedule(const Item& item) {
    const int day = DayOf(item.at);
    if (day >= 0 && day < days_) buckets_[day].push_back(item);
  }

  void NextRequest(uint32_t c, int64_t after) {
    const Customer& k = customers_[c];
    const double gap = rng_.Exponential(30.4 / k.orders_per_month);
    const int day = DayOf(after) + 1 + static_cast<int>(gap);
    if (day >= days_) return;
    const int64_t amount = std::max<int64_t>(
        500 * kYuan, std::llround(rng_.LogNormal(
                         k.monthly / k.orders_per_month / kYuan, 0.35)) *
                         kYuan);
    Schedule(Item{WorkingMoment(day), serial_++, Kind::kRequest, 0, 0, c, 0, 0,
                  amount});
  }

  // The customer's next monthly obligation after `after` (17:00 on its
  // day of the month).
  void Obligation(uint32_t c, int64_t after) {
    CivilDate d = LocalDate(after, offset_);
    if (++d.month > 12) {
      d.month = 1;
      ++d.year;
    }
    d.day = customers_[c].obligation_day;
    const int64_t at = LocalMidnight(d, offset_) + 17 * kHour;
    Schedule(Item{at, serial_++, Kind::kObligation,
                  static_cast<uint8_t>(rng_.Chance(customers_[c].fulfil)), 0, c,
                  0, 0, 0});
  }

  // --- the host's side of an order ---
  void Request(const Item& item) {
    Customer& c = customers_[item.customer];
    const auto t0 = std::chrono::steady_clock::now();
    const absl::Status status =
        engine_.CheckCredit(c.id, item.amount, item.at, &decision_);
    check_time_ += std::chrono::steady_clock::now() - t0;
    if (!status.ok()) Fail("CheckCredit", status);
    const int outcome = decision_.outcome();  // 1 approve, 2 warn, 3 block
    ++checks_;
    for (const auto& f : decision_.findings()) ++findings_[f.reason()];
    const bool place =
        outcome == v1::CreditDecision::APPROVE ||
        (outcome == v1::CreditDecision::WARN && rng_.Chance(0.85));
    if (place) {
      ++decisions_[outcome][0];
      revenue_[0] += item.amount;
      const uint32_t n = ++c.orders;
      Add(Item{item.at, serial_++, Kind::kOrder, 0, 0, item.customer, n, 0,
               item.amount});
      const int day = DayOf(item.at);
      if (rng_.Chance(0.03)) {
        Schedule(Item{WorkingMoment(day + static_cast<int>(rng_.Between(1, 3))),
                      serial_++, Kind::kCancel, 0, 0, item.customer, n, 0,
                      item.amount});
        revenue_[0] -= item.amount;
      } else {
        Schedule(Item{WorkingMoment(day + static_cast<int>(rng_.Between(1, 5))),
                      serial_++, Kind::kInvoice, 0, 0, item.customer, n, 0,
                      item.amount});
      }
    } else if (outcome == v1::CreditDecision::BLOCK && rng_.Chance(0.3)) {
      ++decisions_[outcome][2];
      revenue_[2] += item.amount;
    } else {
      // Paid in advance instead: revenue without a receivable.
      ++decisions_[outcome][1];
      revenue_[1] += item.amount;
      Add(Item{item.at, serial_++, Kind::kPurchase, 0, 0, item.customer, 0, 0,
               item.amount});
    }
    NextRequest(item.customer, item.at);
  }

  // An invoice for a placed order (revenue booked with it), and the
  // payments the customer will make.
  void Invoice(const Item& item) {
    Add(item);
    Add(Item{item.at + 1, serial_++, Kind::kPurchase, 0, 0, item.customer, 0, 0,
             item.amount});
    Customer& c = customers_[item.customer];
    const int term = terms_[c.grade];
    const int64_t due = item.at + term * kDay;
    // Days after the invoice, relative to the term.
    auto on_time = [&] {
      return std::min<int64_t>(
          due, item.at + std::max<int64_t>(
                             2 * kDay,
                             static_cast<int64_t>((0.4 + 0.6 * rng_.Uniform()) *
                                                  term * kDay)));
    };
    auto late = [&](int lo, int hi) {
      return due + rng_.Between(lo, hi) * kDay + rng_.Between(0, 8 * kHour);
    };
    int64_t pay = 0;
    bool named = true;
    switch (c.payer) {
      case Payer::kPrompt:
        pay = rng_.Chance(0.03) ? late(1, 10) : on_time();
        break;
      case Payer::kMostly:
      case Payer::kDefaulting:
        pay = rng_.Chance(0.15) ? late(1, 25) : on_time();
        if (c.stops_paying != 0 && pay >= c.stops_paying) return;  // never
        break;
      case Payer::kSlow:
        pay = rng_.Chance(0.7) ? late(5, 45) : on_time();
        named = false;
        break;
      case Payer::kPoor:
        if (rng_.Chance(0.08)) return;  // disputed, never paid
        pay = late(20, 110);
        named = false;
        break;
    }
    pay = std::max(pay, item.at + kDay);
    int64_t amount = item.amount;
    if (c.payer == Payer::kPoor && rng_.Chance(0.3)) {
      // Half now, the rest a few weeks later.
      const int64_t half = amount / 2;
      Schedule(Item{pay, serial_++, Kind::kPayment, 0, 0, item.customer,
                    ++c.payments, 0, half});
      amount -= half;
      pay += rng_.Between(10, 40) * kDay;
    }
    if (!named && rng_.Chance(0.04)) {
      // Rounded up to the next 1,000 CNY: a credit balance.
      amount = (amount / (1000 * kYuan) + 1) * 1000 * kYuan;
    }
    Schedule(Item{pay, serial_++, Kind::kPayment,
                  named ? uint8_t{1} : uint8_t{0}, 0, item.customer,
                  ++c.payments, item.number, amount});
  }

  // Year-end stocking: the biggest 黄名单/绿名单 accounts get a temporary
  // increase from the credit manager.
  void GrantIncreases(int64_t midnight) {
    std::vector<std::pair<double, uint32_t>> big;
    for (uint32_t c = 0; c < customers_.size(); ++c) {
      if (customers_[c].grade >= 2) big.emplace_back(-customers_[c].monthly, c);
    }
    std::sort(big.begin(), big.end());
    for (size_t i = 0; i < big.size() && i < 40; ++i) {
      const uint32_t c = big[i].second;
      const int64_t amount = std::min<int64_t>(
          1000000 * kYuan,
          static_cast<int64_t>(customers_[c].monthly / (10000 * kYuan)) *
              10000 * kYuan);
      Schedule(Item{midnight + 10 * kHour + static_cast<int64_t>(i) * 60,
                    serial_++, Kind::kIncrease, 0, 1, c, 0, 0, amount});
    }
  }

  // --- what the engine reports back ---
  void Handle(const v1::Transition& t) {
    if (t.program() != credit_name_) {
      ++other_transitions_;
      return;
    }
    const uint32_t index = Index(t.customer_id());
    Customer& c = customers_[index];
    const int from = GradeIndex(t.from_tier());
    const int to = GradeIndex(t.to_tier());
    ++changes_[ChangeKey{from, to, t.kind(), t.cause()}];
    const int review = c.proposal_review;
    auto close = [&](Outcome o) {
      if (review >= 0) ++outcomes_[review][o];
      c.pending = false;
      c.decision_scheduled = false;
      ++c.generation;
    };
    switch (t.kind()) {
      case v1::ENTERED:
      case v1::UPGRADE:
      case v1::DOWNGRADE:
        c.grade = to;
        if (t.cause() == v1::APPROVAL) {
          close(kApproved);
          if (!has_upgrade_ && t.kind() == v1::UPGRADE &&
              to + 1 == static_cast<int>(grade_names_.size())) {
            upgrade_ = t;
            has_upgrade_ = true;
          }
        }
        if (!has_black_ && t.cause() == v1::HARD_RULE && to == 0) {
          black_ = t;
          has_black_ = true;
        }
        break;
      case v1::PROPOSED: {
        if (c.pending && review >= 0) ++outcomes_[review][kReplaced];
        c.pending = true;
        c.step = 0;
        ++c.generation;
        c.decision_scheduled = false;
        c.proposal_review = last_review_;
        if (last_review_ >= 0) ++outcomes_[last_review_][kProposed];
        Decide(index, t.at().seconds(), false);
        break;
      }
      case v1::STEP_APPROVED:
        c.step = 1;
        c.decision_scheduled = false;
        Decide(index, t.at().seconds(), false);
        break;
      case v1::REJECTED:
        close(t.cause() == v1::APPROVAL ? kRejected
              : t.cause() == v1::REVIEW ? kWithdrawn
                                        : kSuperseded);
        break;
      case v1::ESCALATED:
        if (review >= 0) ++outcomes_[review][kEscalated];
        if (!c.decision_scheduled) Decide(index, t.at().seconds(), true);
        break;
      default:
        break;
    }
  }

  // Whether and when an approver acts on the customer's current step: most
  // decide within the deadline, some leave it to escalate, and after an
  // escalation the escalation role acts on some.
  void Decide(uint32_t index, int64_t base, bool escalated) {
    Customer& c = customers_[index];
    double act = 0, approve = 0;
    int role = 0, max_days = 1;
    if (c.step == 0) {
      act = escalated ? 0.6 : 0.8;
      role = escalated ? 1 : 0;
      max_days = escalated ? 3 : 2;  // the step allows 3 working days
      approve = escalated ? 0.8 : 0.88;
    } else {
      act = escalated ? 0.5 : 0.85;
      role = escalated || rng_.Chance(0.3) ? 2 : 1;
      max_days = escalated ? 3 : 4;  // the step allows 5 working days
      approve = 0.92;
    }
    if (!rng_.Chance(act)) return;
    v1::DurationSpec spec;
    spec.set_unit(v1::DurationSpec::WORKING_DAYS);
    spec.set_amount(rng_.Between(1, max_days));
    // The start of the local day `base` falls on, plus working days.
    const int64_t local_midnight =
        base - (((base + offset_) % kDay) + kDay) % kDay;
    absl::StatusOr<int64_t> day = engine_.AddDuration(local_midnight, spec);
    if (!day.ok()) Fail("AddDuration", day.status());
    int64_t at = *day + 9 * kHour + rng_.Between(0, 8 * kHour);
    if (DayOf(at) < earliest_day_) {
      at = start_ + earliest_day_ * kDay + 10 * kHour;
    }
    Schedule(Item{at, serial_++, Kind::kApproval,
                  static_cast<uint8_t>(rng_.Chance(approve)),
                  static_cast<uint8_t>(role), index, c.generation, 0, 0});
    c.decision_scheduled = true;
  }

  void Add(const Item& item) { batch_.push_back(item); }

  void Flush() {
    size_t i = 0;
    while (i < batch_.size()) {
      const size_t count = std::min(chunk_.size(), batch_.size() - i);
      for (size_t k = 0; k < count; ++k) Write(batch_[i + k], &chunk_[k]);
      transitions_.clear();
      size_t applied = 0;
      const auto t0 = std::chrono::steady_clock::now();
      const absl::Status status =
          engine_.ApplyBatch(chunk_.data(), count, &transitions_, &applied);
      apply_time_ += std::chrono::steady_clock::now() - t0;
      applied_ += applied;
      for (size_t k = 0; k < applied; ++k) {
        ++counts_[static_cast<int>(batch_[i + k].kind)];
      }
      for (const v1::Transition& t : transitions_) Handle(t);
      i += applied;
      if (!status.ok()) {
        // Reported and skipped; the rest still goes in.
        if (refused_++ < 3) {
          std::fprintf(stderr, "  refused: %s\n", status.ToString().c_str());
        }
        ++i;
      }
    }
    batch_.clear();
  }

  void Write(const Item& item, v1::Event* out) const {
    out->Clear();
    const Customer& c = customers_[item.customer];
    out->set_customer_id(c.id);
    out->mutable_at()->set_seconds(item.at);
    const char* digits = c.id.c_str() + 1;
    char id[40];
    switch (item.kind) {
      case Kind::kEnrol:
        (*out->mutable_enrolled()->mutable_attributes())["region"].set_text(
            std::string(c.region));
        break;
      case Kind::kOrder: {
        std::snprintf(id, sizeof id, "O%s-%03" PRIu32, digits, item.number);
        v1::OrderPlaced* o = out->mutable_order_placed();
        o->set_order_id(id);
        o->set_amount(item.amount);
        o->set_currency("CNY");
        break;
      }
      case Kind::kCancel: {
        std::snprintf(id, sizeof id, "O%s-%03" PRIu32, digits, item.number);
        v1::OrderCancelled* o = out->mutable_order_cancelled();
        o->set_order_id(id);
        o->set_reason("changed by the customer");
        break;
      }
      case Kind::kInvoice: {
        v1::Invoice* inv = out->mutable_invoice();
        std::snprintf(id, sizeof id, "I%s-%03" PRIu32, digits, item.number);
        inv->set_invoice_id(id);
        std::snprintf(id, sizeof id, "O%s-%03" PRIu32, digits, item.number);
        inv->set_order_id(id);
        inv->set_amount(item.amount);
        inv->set_currency("CNY");
        break;
      }
      case Kind::kPurchase: {
        v1::Purchase* p = out->mutable_purchase();
        p->set_amount(item.amount);
        p->set_currency("CNY");
        p->set_category("goods");
        p->set_quantity(1);
        break;
      }
      case Kind::kPayment: {
        v1::Payment* p = out->mutable_payment();
        std::snprintf(id, sizeof id, "P%s-%03" PRIu32, digits, item.number);
        p->set_payment_id(id);
        p->set_amount(item.amount);
        p->set_currency("CNY");
        if (item.flag != 0) {
          std::snprintf(id, sizeof id, "I%s-%03" PRIu32, digits, item.invoice);
          p->set_invoice_id(id);
        }
        break;
      }
      case Kind::kObligation: {
        v1::ObligationOutcome* o = out->mutable_obligation();
        std::snprintf(id, sizeof id, "K%s", digits);
        o->set_contract_id(id);
        o->set_fulfilled(item.flag != 0);
        break;
      }
      case Kind::kApproval: {
        v1::CreditApproval* a = out->mutable_credit_approval();
        a->set_decision(item.flag != 0 ? v1::CreditApproval::APPROVE
                                       : v1::CreditApproval::REJECT);
        a->set_role(std::string(kRoles[item.role]));
        a->set_actor(std::string(kActors[item.role]));
        a->set_comment(item.flag != 0 ? "criteria checked"
                                      : "wait for another quarter");
        std::snprintf(id, sizeof id, "APPROVAL-%s-%" PRIu32, digits,
                      item.number);
        out->set_event_id(id);
        break;
      }
      case Kind::kIncrease: {
        v1::CreditLimitIncrease* e = out->mutable_limit_increase();
        e->set_amount(item.amount);
        e->set_currency("CNY");
        e->mutable_expires_at()->set_seconds(
            LocalMidnight({2027, 2, 1}, offset_));
        e->set_approver(std::string(kActors[item.role]));
        e->set_role(std::string(kRoles[item.role]));
        e->set_reason("year-end stocking");
        break;
      }
      case Kind::kRequest:
        break;
    }
  }

  int GradeIndex(const std::string& name) const {
    for (size_t g = 0; g < grade_names_.size(); ++g) {
      if (grade_names_[g] == name) return static_cast<int>(g);
    }
    return -1;  // "(none)"
  }

  // "B0000123" -> 122.
  static uint32_t Index(const std::string& id) {
    return static_cast<uint32_t>(std::strtoul(id.c_str() + 1, nullptr, 10) - 1);
  }

  const CreditDemoOptions& options_;
  standing::Engine& engine_;
  const int offset_;
  Random rng_;
  const int64_t start_;
  const int64_t end_;
  const int days_;
  std::vector<std::vector<Item>> buckets_;
  std::vector<Customer> customers_;
  std::vector<Item> batch_;
  std::vector<v1::Event> chunk_{std::max<size_t>(1, options_.chunk)};
  std::vector<v1::Transition> transitions_;
  v1::CreditDecision decision_;
  std::string credit_name_;
  std::vector<std::string> grade_names_;
  std::vector<int> terms_;
  int64_t review_at_[kReviewCount] = {};
  int day_ = 0;
  int earliest_day_ = 0;
  int last_review_ = -1;
  uint64_t serial_ = 0;
  uint64_t applied_ = 0;
  uint64_t refused_ = 0;
  uint64_t stale_decisions_ = 0;
  uint64_t checks_ = 0;
  uint64_t counts_[kKinds] = {};
  uint64_t payer_counts_[kPayers] = {};
  uint64_t decisions_[4][3] = {};
  uint64_t findings_[4] = {};
  uint64_t revenue_[3] = {};
  uint64_t other_transitions_ = 0;
  std::map<ChangeKey, uint64_t> changes_;
  uint64_t outcomes_[kReviewCount][kOutcomes] = {};
  bool has_black_ = false;
  bool has_upgrade_ = false;
  v1::Transition black_;
  v1::Transition upgrade_;
  std::chrono::steady_clock::duration apply_time_{};
  std::chrono::steady_clock::duration check_time_{};
};

// --- the report
// ----------------------------------------------------------------

std::string KindName(int kind) {
  return Lower(v1::TransitionKind_Name(static_cast<v1::TransitionKind>(kind)));
}

std::string CauseName(int cause) {
  return Lower(v1::Cause_Name(static_cast<v1::Cause>(cause)));
}

void PrintCriteria(const v1::CreditCriteria& c) {
  std::printf("      score %g (the score alone gives %s)", c.score(),
              c.score_grade().c_str());
  if (!c.hard_rule().empty()) {
    std::printf("; hard rule \"%s\"", c.hard_rule().c_str());
  }
  std::printf("; decided by %s; limit %s CNY, term %d days\n", c.rule().c_str(),
              Yuan(c.limit()).c_str(), c.term_days());
  for (const auto& item : c.items()) {
    std::string value;
    if (item.missing()) {
      value = "no data";
    } else if (item.metric().find("rate") != std::string::npos) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.1f%%", 100 * item.value());
      value = buf;
    } else if (item.metric().find("revenue") != std::string::npos) {
      value = Yuan(static_cast<int64_t>(item.value())) + " CNY";
    } else {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%g", item.value());
      value = buf;
    }
    std::printf("        %-32s %22s  %+5g points%s\n", item.item().c_str(),
                value.c_str(), item.points() * item.weight(),
                item.missing() ? " (missing)" : "");
  }
}

void PrintTransition(const v1::Transition& t, int offset) {
  std::printf(
      "    %s  %s -> %s  (%s, cause %s, at %s)\n", t.customer_id().c_str(),
      t.from_tier().c_str(), t.to_tier().c_str(), KindName(t.kind()).c_str(),
      CauseName(t.cause()).c_str(), When(t.at().seconds(), offset).c_str());
  std::printf("      %s\n", t.explanation().summary().c_str());
  PrintCriteria(t.credit());
  for (const v1::Check& check : t.explanation().checks()) {
    std::printf("      [%s] %s = %g %s %g%s%s\n",
                check.holds() ? "holds" : "fails", check.metric().c_str(),
                check.value(), check.op().c_str(), check.threshold(),
                check.label().empty() ? "" : "  ", check.label().c_str());
  }
}

}  // namespace

int RunCreditDemo(const CreditDemoOptions& options) {
  std::ifstream file(options.policy_path, std::ios::binary);
  if (!file) {
    std::fprintf(stderr, "error: cannot read %s\n",
                 options.policy_path.c_str());
    return 1;
  }
  std::stringstream bytes;
  bytes << file.rdbuf();
  absl::StatusOr<v1::Policy> policy =
      standing::ParsePolicy(bytes.str(), standing::PolicyFormat::kJson);
  if (!policy.ok()) Fail(options.policy_path, policy.status());
  absl::StatusOr<std::unique_ptr<standing::Engine>> created =
      standing::Engine::Create(*policy);
  if (!created.ok()) Fail("Engine::Create", created.status());
  standing::Engine& engine = **created;
  const int offset = ParseUtcOffset(policy->time_zone());
  const v1::CreditPolicy& credit = policy->credit();

  std::printf("\n\n=== credit (rule set 3) ===\n");
  std::string grades;
  for (const auto& g : credit.grades()) {
    if (!grades.empty()) grades += " < ";
    grades += g.name();
  }
  std::string steps;
  for (const auto& s : credit.approval_steps()) {
    if (!steps.empty()) steps += " -> ";
    steps += s.name() + " (" + std::to_string(s.within().amount()) +
             " working days)";
  }
  std::printf("  policy:   %s (version %s), grades %s\n",
              policy->name().c_str(), policy->version().c_str(),
              grades.c_str());
  std::printf("            quarterly review; grade changes approved by %s\n",
              steps.c_str());
  std::printf(
      "            hard rules: %d (fulfilment < 75%% -> 红名单, 90+ days past "
      "due -> 黑名单), applied at once\n",
      credit.hard_rules_size());

  const auto run_start = std::chrono::steady_clock::now();
  Simulation sim(options, engine, offset);
  sim.Run();
  const double run_seconds =
      Seconds(std::chrono::steady_clock::now() - run_start);
  const int64_t as_of = engine.clock();
  const std::vector<Customer>& customers = sim.customers();
  const std::vector<std::string>& names = sim.grade_names();
  const int top = static_cast<int>(names.size()) - 1;

  std::printf(
      "  %s B2B customers enrolled in October 2025; replayed day by day to "
      "2026-12-31\n",
      Grouped(customers.size()).c_str());
  std::printf("  payment behaviour:");
  for (int p = 0; p < kPayers; ++p) {
    std::printf("%s %s %s", p ? "," : "", kPayerNames[p],
                Grouped(sim.payer_counts()[p]).c_str());
  }
  std::printf("\n");
  const uint64_t* n = sim.counts();
  auto count = [&](Kind k) { return Grouped(n[static_cast<int>(k)]); };
  std::printf(
      "  events: %s enrolments, %s orders placed, %s cancelled, %s invoices, "
      "%s purchases,\n          %s payments, %s contract obligations, %s "
      "approval decisions, %s limit increases;\n          %s applied, %s "
      "refused (%s decisions not sent: the change was no longer pending)\n",
      count(Kind::kEnrol).c_str(), count(Kind::kOrder).c_str(),
      count(Kind::kCancel).c_str(), count(Kind::kInvoice).c_str(),
      count(Kind::kPurchase).c_str(), count(Kind::kPayment).c_str(),
      count(Kind::kObligation).c_str(), count(Kind::kApproval).c_str(),
      count(Kind::kIncrease).c_str(), Grouped(sim.applied()).c_str(),
      Grouped(sim.refused()).c_str(), Grouped(sim.stale_decisions()).c_str());
  std::printf(
      "  ApplyBatch and daily Review: %.2f s, %s events/s; the whole "
      "simulation %.2f s (timing)\n",
      sim.apply_seconds(),
      Grouped(static_cast<int64_t>(sim.applied() /
                                   std::max(sim.apply_seconds(), 1e-9)))
          .c_str(),
      run_seconds);
  std::printf("  as of %s (the engine clock)\n", When(as_of, offset).c_str());

  // --- the checks made before each order ---
  const auto& d = sim.decisions();
  const uint64_t requests = d[1][0] + d[1][1] + d[1][2] + d[2][0] + d[2][1] +
                            d[2][2] + d[3][0] + d[3][1] + d[3][2];
  std::printf(
      "\norder requests checked with CheckCredit before they were placed: "
      "%s\n",
      Grouped(requests).c_str());
  std::printf("    approve %10s  placed on credit\n", Grouped(d[1][0]).c_str());
  std::printf(
      "    warn    %10s  placed anyway %s, paid in advance instead %s\n",
      Grouped(d[2][0] + d[2][1]).c_str(), Grouped(d[2][0]).c_str(),
      Grouped(d[2][1]).c_str());
  std::printf("    block   %10s  paid in advance %s, lost %s\n",
              Grouped(d[3][1] + d[3][2]).c_str(), Grouped(d[3][1]).c_str(),
              Grouped(d[3][2]).c_str());
  const auto& f = sim.findings();
  std::printf(
      "  findings: over limit %s, overdue %s, grade blocked %s; %.0f ns per "
      "check (timing)\n",
      Grouped(f[v1::CreditDecision::OVER_LIMIT]).c_str(),
      Grouped(f[v1::CreditDecision::OVERDUE]).c_str(),
      Grouped(f[v1::CreditDecision::GRADE_BLOCKED]).c_str(),
      1e9 * sim.check_seconds() / std::max<uint64_t>(1, requests));
  std::printf(
      "  order value: on credit %s CNY, paid in advance %s CNY, lost %s CNY\n",
      Yuan(sim.revenue()[0]).c_str(), Yuan(sim.revenue()[1]).c_str(),
      Yuan(sim.revenue()[2]).c_str());

  // --- receivables, read as a supervisor ---
  struct Seen {
    int grade = 0;
    int64_t limit = 0;
    int64_t available = 0;
    int32_t days_past_due = 0;
    int64_t overdue = 0;
    int increases = 0;
    bool pending = false;
    int64_t typical = 0;  // the customer's typical order
  };
  std::vector<Seen> seen(customers.size());
  int64_t open = 0, orders = 0, overdue = 0, current = 0, balance = 0;
  int64_t aged[4] = {};
  uint64_t invoices = 0, with_balance = 0, with_increase = 0;
  v1::CreditRecord record;
  for (size_t c = 0; c < customers.size(); ++c) {
    const absl::Status s =
        engine.GetCreditRecord(customers[c].id, "supervisor", &record);
    if (!s.ok()) Fail("GetCreditRecord", s);
    const v1::Receivables& r = record.receivables();
    open += r.open_receivables();
    orders += r.open_orders();
    overdue += r.overdue_amount();
    current += r.aged_current();
    aged[0] += r.aged_0_30();
    aged[1] += r.aged_31_60();
    aged[2] += r.aged_61_90();
    aged[3] += r.aged_over_90();
    balance += r.credit_balance();
    with_balance += r.credit_balance() > 0;
    with_increase += record.increases_size() > 0;
    invoices += r.invoices_size();
    seen[c] =
        Seen{record.grade_index(), record.limit(),
             r.available(),        r.days_past_due(),
             r.overdue_amount(),   record.increases_size(),
             record.has_pending(), sim.TypicalOrder(static_cast<uint32_t>(c))};
  }
  std::printf("\nreceivables as of %s (GetCreditRecord as a supervisor)\n",
              When(as_of, offset).c_str());
  std::printf(
      "    open receivables %s CNY in %s invoices; open orders %s CNY\n",
      Yuan(open).c_str(), Grouped(invoices).c_str(), Yuan(orders).c_str());
  std::printf("    not yet due %s CNY; overdue %s CNY:\n",
              Yuan(current).c_str(), Yuan(overdue).c_str());
  std::printf(
      "      0-30 days %s, 31-60 days %s, 61-90 days %s, 90+ days %s CNY\n",
      Yuan(aged[0]).c_str(), Yuan(aged[1]).c_str(), Yuan(aged[2]).c_str(),
      Yuan(aged[3]).c_str());
  std::printf(
      "    credit balances (overpayments) %s CNY with %s customers; %s "
      "customers with a temporary increase\n",
      Yuan(balance).c_str(), Grouped(with_balance).c_str(),
      Grouped(with_increase).c_str());

  // --- grades ---
  v1::CreditReport report;
  {
    const absl::Status s = engine.GetCreditReport(100000, &report);
    if (!s.ok()) Fail("GetCreditReport", s);
  }
  std::printf("\ngrade distribution (GetCreditReport)\n");
  uint64_t total = 0;
  for (const auto& g : report.grades()) total += g.customers();
  for (int g = report.grades_size() - 1; g >= 0; --g) {
    const auto& row = report.grades(g);
    const v1::CreditGrade& decl = credit.grades(g);
    std::string terms =
        decl.blocked() ? "no credit"
                       : "term " + std::to_string(decl.term_days()) +
                             " days, control " + ControlName(decl.control());
    std::printf("    %s %8s  %s   %s\n", Pad(row.grade(), 8).c_str(),
                Grouped(row.customers()).c_str(),
                Percent(row.customers(), total).c_str(), terms.c_str());
  }
  std::printf("  customers with an overdue invoice: %s\n",
              Grouped(report.customers_overdue()).c_str());
  for (const auto& program : policy->tier_programs()) {
    std::vector<uint64_t> counts;
    const absl::Status s = engine.CountByTier(program.name(), &counts);
    if (!s.ok()) Fail("CountByTier", s);
    std::printf("  tier program %s:", program.name().c_str());
    for (int i = 0;
         i < program.tiers_size() && i < static_cast<int>(counts.size()); ++i) {
      std::printf(" %s %s", program.tiers(i).name().c_str(),
                  Grouped(counts[i]).c_str());
    }
    std::printf("\n");
  }

  // --- grade changes ---
  std::printf("\ngrade changes (transitions of program \"%s\")\n",
              sim.credit_name().c_str());
  for (const auto& [key, k] : sim.changes()) {
    if (key.kind != v1::UPGRADE && key.kind != v1::DOWNGRADE &&
        key.kind != v1::ENTERED) {
      continue;
    }
    const std::string from = key.from < 0 ? "(none)" : names[key.from];
    const std::string to = key.to < 0 ? "(none)" : names[key.to];
    std::printf("    %s -> %s %8s  %s, cause %s\n", Pad(from, 8).c_str(),
                Pad(to, 8).c_str(), Grouped(k).c_str(),
                KindName(key.kind).c_str(), CauseName(key.cause).c_str());
  }
  std::printf(
      "\napprovals of the quarterly reviews (supervisor, then the credit "
      "committee)\n");
  std::printf("    %-10s %9s %9s %9s %9s %10s %9s %10s %8s\n", "review",
              "proposed", "approved", "rejected", "withdrawn", "superseded",
              "replaced", "escalated", "waiting");
  std::map<std::string, uint64_t> waiting_by_review;
  for (const auto& p : report.pending()) {
    ++waiting_by_review[Date(p.proposed_at().seconds(), offset)];
  }
  for (int r = 0; r < kReviewCount; ++r) {
    const auto& o = sim.reviews()[r];
    const std::string date = Date(sim.review_at(r), offset);
    std::printf("    %-10s %9s %9s %9s %9s %10s %9s %10s %8s\n", date.c_str(),
                Grouped(o[kProposed]).c_str(), Grouped(o[kApproved]).c_str(),
                Grouped(o[kRejected]).c_str(), Grouped(o[kWithdrawn]).c_str(),
                Grouped(o[kSuperseded]).c_str(), Grouped(o[kReplaced]).c_str(),
                Grouped(o[kEscalated]).c_str(),
                Grouped(waiting_by_review[date]).c_str());
  }
  std::printf(
      "  (withdrawn: a later review no longer supported the change; "
      "superseded: a hard rule moved the grade first;\n   replaced: a later "
      "review proposed another grade; escalated: a step's deadline passed)\n");

  std::printf(
      "\napprovals waiting as of %s: %s pending, %s of them escalated "
      "(GetCreditReport: the 3 oldest and the 3 latest by step due)\n",
      When(as_of, offset).c_str(), Grouped(report.pending_approvals()).c_str(),
      Grouped(report.escalated_approvals()).c_str());
  std::printf("    %-9s %s %-10s %-18s %-16s %s\n", "customer",
              Pad("change", 22).c_str(), "proposed", "step", "step due",
              "who may act now");
  for (int i = 0; i < report.pending_size(); ++i) {
    if (i >= 3 && i < report.pending_size() - 3) continue;
    const v1::PendingApproval& p = report.pending(i);
    std::string roles;
    for (const auto& role : p.roles()) {
      roles += (roles.empty() ? "" : ", ") + role;
    }
    std::printf("    %-9s %s %-10s %-18s %-16s %s%s\n", p.customer_id().c_str(),
                Pad(p.from_grade() + " -> " + p.to_grade(), 22).c_str(),
                Date(p.proposed_at().seconds(), offset).c_str(),
                p.step().c_str(), When(p.step_due().seconds(), offset).c_str(),
                roles.c_str(), p.escalated() ? " (escalated)" : "");
  }

  // --- who may read credit ---
  std::printf(
      "\nwho may read credit (GetCreditRecord; readers: supervisor, manager, "
      "director)\n");
  // The first customer of the top grade with nothing overdue, and the
  // first on the black list.
  std::vector<size_t> sample;
  for (size_t c = 0; c < customers.size(); ++c) {
    if (seen[c].grade == top && seen[c].overdue == 0) {
      sample.push_back(c);
      break;
    }
  }
  for (size_t c = 0; c < customers.size(); ++c) {
    if (seen[c].grade == 0) {
      sample.push_back(c);
      break;
    }
  }
  for (size_t c : sample) {
    const std::string& id = customers[c].id;
    for (std::string_view role : {"clerk", "supervisor"}) {
      const absl::Status s = engine.GetCreditRecord(id, role, &record);
      if (!s.ok()) Fail("GetCreditRecord", s);
      const v1::Receivables& r = record.receivables();
      std::printf("  %s as %-10s: ", id.c_str(), std::string(role).c_str());
      if (record.redacted()) {
        std::printf("redacted (grade, limit and criteria removed)\n");
      } else {
        std::printf("%s since %s, limit %s CNY, term %d days, control %s\n",
                    record.grade().c_str(),
                    Date(record.grade_since().seconds(), offset).c_str(),
                    Yuan(record.limit()).c_str(), record.term_days(),
                    ControlName(record.control()).c_str());
        PrintCriteria(record.criteria());
      }
      std::printf(
          "%26s receivables: open %s, overdue %s (%d days), exposure %s, "
          "available %s CNY\n",
          "", Yuan(r.open_receivables()).c_str(),
          Yuan(r.overdue_amount()).c_str(), r.days_past_due(),
          Yuan(r.exposure()).c_str(), Yuan(r.available()).c_str());
    }
  }
  {
    v1::CreditReport small;
    const absl::Status s = engine.GetCreditReport(1, &small);
    if (!s.ok()) Fail("GetCreditReport", s);
    std::printf("  refused (redacted) reads counted by the engine: %s\n",
                Grouped(small.refused_reads()).c_str());
  }

  // --- explained grade changes ---
  std::printf("\nexplained grade changes\n");
  if (sim.has_black_example()) {
    std::printf("  1. a hard rule: more than 90 days past due\n");
    PrintTransition(sim.black_example(), offset);
  }
  if (sim.has_upgrade_example()) {
    std::printf("  2. an upgrade proposed by a review and approved\n");
    PrintTransition(sim.upgrade_example(), offset);
  }

  // --- credit checks for a sample of orders ---
  const int64_t check_at = LocalMidnight({2026, 12, 31}, offset) + 18 * kHour;
  struct Sample {
    size_t customer;
    int64_t amount;
  };
  std::vector<Sample> orders_to_check;
  auto pick = [&](auto&& fits, int64_t (*amount)(const Seen&)) {
    for (size_t c = 0; c < customers.size(); ++c) {
      bool used = false;
      for (const Sample& s : orders_to_check) used |= s.customer == c;
      if (!used && fits(seen[c])) {
        orders_to_check.push_back({c, amount(seen[c])});
        return;
      }
    }
  };
  auto typical = +[](const Seen& s) { return s.typical; };
  auto over = +[](const Seen& s) {
    return (std::max<int64_t>(s.available, 0) * 12 / 10 / (1000 * kYuan) + 1) *
           1000 * kYuan;
  };
  for (int g = top; g >= 0; --g) {
    const int tolerance = credit.grades(g).overdue_tolerance_days();
    const bool blocked = credit.grades(g).blocked();
    // A typical order within the limit; one 20% over the available
    // credit; one from a customer overdue beyond the grade's tolerance; one
    // with a temporary increase.
    pick(
        [&](const Seen& s) {
          return s.grade == g && s.overdue == 0 &&
                 (blocked || s.available >= s.typical);
        },
        typical);
    if (!blocked) {
      pick(
          [&](const Seen& s) {
            return s.grade == g && s.overdue == 0 && s.available > s.typical;
          },
          over);
    }
    pick(
        [&](const Seen& s) {
          return s.grade == g && s.days_past_due > tolerance + 15;
        },
        typical);
    if (g >= 2) {
      pick(
          [&](const Seen& s) {
            return s.grade == g && s.increases > 0 && s.available > s.typical;
          },
          typical);
    }
  }
  std::printf(
      "\ncredit checks for a sample of orders at %s (CheckCredit; no side "
      "effects)\n",
      When(check_at, offset).c_str());
  std::printf("    %-9s %s %16s  %-8s %16s  %s\n", "customer",
              Pad("grade", 8).c_str(), "order CNY", "decision", "available CNY",
              "reasons");
  v1::CreditDecision decision;
  for (const Sample& s : orders_to_check) {
    const absl::Status st = engine.CheckCredit(customers[s.customer].id,
                                               s.amount, check_at, &decision);
    if (!st.ok()) Fail("CheckCredit", st);
    std::string reasons = Reasons(decision);
    if (seen[s.customer].increases > 0) reasons += " (temporary increase)";
    std::printf(
        "    %-9s %s %16s  %-8s %16s  %s\n", customers[s.customer].id.c_str(),
        Pad(names[seen[s.customer].grade], 8).c_str(), Yuan(s.amount).c_str(),
        v1::CreditDecision::Outcome_Name(decision.outcome()).c_str(),
        Yuan(decision.available()).c_str(), reasons.c_str());
  }
  // Every customer's typical order, timed.
  uint64_t outcomes[4] = {};
  const auto check_start = std::chrono::steady_clock::now();
  for (size_t c = 0; c < customers.size(); ++c) {
    const absl::Status st = engine.CheckCredit(
        customers[c].id, sim.TypicalOrder(static_cast<uint32_t>(c)), check_at,
        &decision);
    if (!st.ok()) Fail("CheckCredit", st);
    ++outcomes[decision.outcome()];
  }
  const double check_seconds =
      Seconds(std::chrono::steady_clock::now() - check_start);
  std::printf(
      "  every customer's typical order: approve %s, warn %s, block %s; "
      "%.0f ns per check (timing)\n",
      Grouped(outcomes[1]).c_str(), Grouped(outcomes[2]).c_str(),
      Grouped(outcomes[3]).c_str(),
      1e9 * check_seconds / std::max<size_t>(1, customers.size()));

  // --- bad input ---
  std::printf("\nrefused, state unchanged (Apply)\n");
  {
    v1::Event e;
    e.set_customer_id(customers[0].id);
    e.mutable_at()->set_seconds(as_of);
    v1::Payment* p = e.mutable_payment();
    p->set_payment_id("P-UNKNOWN");
    p->set_amount(100 * kYuan);
    p->set_currency("CNY");
    p->set_invoice_id("I-NO-SUCH-INVOICE");
    std::printf("    payment for an unknown invoice: %s\n",
                engine.Apply(e, nullptr).ToString().c_str());
    v1::CreditLimitIncrease* inc = e.mutable_limit_increase();
    inc->set_amount(100000 * kYuan);
    inc->set_currency("CNY");
    inc->mutable_expires_at()->set_seconds(as_of + 30 * kDay);
    inc->set_approver("销售 张伟 (sales Zhang Wei)");
    inc->set_role("sales");
    inc->set_reason("big order");
    std::printf("    limit increase by a salesperson: %s\n",
                engine.Apply(e, nullptr).ToString().c_str());
  }
  return 0;
}

}  // namespace standing_demo
