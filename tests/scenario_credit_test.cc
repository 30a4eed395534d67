// Scenario tests for rule set 3 (B2B key-account credit lists and control)
// under examples/policies/credit.json: receivables from orders, invoices
// and payments; the score sheet; hard rules (fulfilment below 75% at once,
// 90+ days past due); quarterly reviews whose grade changes wait for
// approval steps with working-day deadlines and escalate; limits by grade
// and temporary increases; the credit check; who may read the credit
// record; snapshots. Expected values follow docs/credit.md.
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "scenario_util.h"
#include "standing/engine.h"
#include "standing/policy.h"

namespace standing::scenario {
namespace {

constexpr char kPolicyPath[] =
    STANDING_SOURCE_DIR "/examples/policies/credit.json";
constexpr char kBlack[] = "黑名单";
constexpr char kRed[] = "红名单";
constexpr char kGreen[] = "绿名单";

// --- events --------------------------------------------------------------

v1::Event Order(std::string_view id, int64_t at, std::string_view order,
                int64_t amount) {
  v1::Event e = NewEvent(id, at);
  e.mutable_order_placed()->set_order_id(std::string(order));
  e.mutable_order_placed()->set_amount(amount);
  e.mutable_order_placed()->set_currency("CNY");
  return e;
}
v1::Event Cancel(std::string_view id, int64_t at, std::string_view order) {
  v1::Event e = NewEvent(id, at);
  e.mutable_order_cancelled()->set_order_id(std::string(order));
  return e;
}
v1::Event Invoice(std::string_view id, int64_t at, std::string_view invoice,
                  int64_t amount, int64_t due_at = 0,
                  std::string_view order = "") {
  v1::Event e = NewEvent(id, at);
  v1::Invoice* i = e.mutable_invoice();
  i->set_invoice_id(std::string(invoice));
  i->set_amount(amount);
  i->set_currency("CNY");
  if (due_at != 0) i->mutable_due_at()->set_seconds(due_at);
  i->set_order_id(std::string(order));
  return e;
}
v1::Event Pay(std::string_view id, int64_t at, int64_t amount,
              std::string_view invoice = "",
              std::string_view currency = "CNY") {
  v1::Event e = NewEvent(id, at);
  v1::Payment* p = e.mutable_payment();
  p->set_amount(amount);
  p->set_currency(std::string(currency));
  p->set_invoice_id(std::string(invoice));
  return e;
}
v1::Event Contract(std::string_view id, int64_t at, bool fulfilled) {
  v1::Event e = NewEvent(id, at);
  e.mutable_obligation()->set_contract_id("C");
  e.mutable_obligation()->set_fulfilled(fulfilled);
  return e;
}
v1::Event Decide(std::string_view id, int64_t at, bool approve,
                 std::string_view role, std::string_view actor = "someone") {
  v1::Event e = NewEvent(id, at);
  v1::CreditApproval* a = e.mutable_credit_approval();
  a->set_decision(approve ? v1::CreditApproval::APPROVE
                          : v1::CreditApproval::REJECT);
  a->set_role(std::string(role));
  a->set_actor(std::string(actor));
  return e;
}
v1::Event Increase(std::string_view id, int64_t at, int64_t amount,
                   int64_t expires_at, std::string_view role) {
  v1::Event e = NewEvent(id, at);
  v1::CreditLimitIncrease* i = e.mutable_limit_increase();
  i->set_amount(amount);
  i->set_currency("CNY");
  i->mutable_expires_at()->set_seconds(expires_at);
  i->set_approver("Wang Wei");
  i->set_role(std::string(role));
  i->set_reason("seasonal stock-up");
  return e;
}

class CreditScenario : public ::testing::Test {
 protected:
  CreditScenario() : h_(kPolicyPath) {}
  void SetUp() override { ASSERT_TRUE(h_.ok()) << h_.status(); }

  v1::CreditRecord Record(std::string_view id,
                          std::string_view role = "supervisor") {
    v1::CreditRecord r;
    absl::Status s = h_.engine().GetCreditRecord(id, role, &r);
    EXPECT_TRUE(s.ok()) << s;
    return r;
  }
  std::string Grade(std::string_view id) { return Record(id).grade(); }
  v1::CreditDecision Check(std::string_view id, int64_t amount,
                           int64_t at = 0) {
    v1::CreditDecision d;
    absl::Status s = h_.engine().CheckCredit(id, amount, at, &d);
    EXPECT_TRUE(s.ok()) << s;
    return d;
  }
  static const v1::CreditDecision::Finding* FindingOf(
      const v1::CreditDecision& d, v1::CreditDecision::Reason reason) {
    for (const auto& f : d.findings()) {
      if (f.reason() == reason) return &f;
    }
    return nullptr;
  }
  // A customer whose score is 100 (green) at the April review: 1.2 M CNY
  // revenue, two contracts fulfilled, one invoice paid on time.
  void GoodCustomer(std::string_view id) {
    h_.Must(Enrol(id, Local(2026, 1, 5)));
    h_.Must(Buy(id, Local(2026, 1, 10), Yuan(600000)));
    h_.Must(Buy(id, Local(2026, 2, 10), Yuan(600000)));
    h_.Must(Contract(id, Local(2026, 2, 20), true));
    h_.Must(Contract(id, Local(2026, 3, 1), true));
    h_.Must(
        Invoice(id, Local(2026, 3, 2), std::string(id) + "-I1", Yuan(10000)));
    h_.Must(Pay(id, Local(2026, 3, 5), Yuan(10000)));
  }
  std::vector<v1::Transition> Credit() { return h_.last("credit"); }

  Harness h_;
};

TEST_F(CreditScenario, NewCustomerStartsOnTheRedListWithItsFixedLimit) {
  h_.Must(Enrol("B1", Local(2026, 1, 5)));
  const v1::CreditRecord r = Record("B1");
  EXPECT_EQ(r.grade(), kRed);
  // 0 (no revenue) + 20 (no contracts due) + 15 (nothing settled) + 10 (not
  // overdue) = 45 >= 40.
  EXPECT_DOUBLE_EQ(r.criteria().score(), 45);
  ASSERT_EQ(r.criteria().items_size(), 4);
  EXPECT_TRUE(r.criteria().items(1).missing());
  EXPECT_DOUBLE_EQ(r.criteria().items(1).points(), 20);
  EXPECT_EQ(r.criteria().rule(), "credit.grades[1].min_score");
  EXPECT_EQ(r.limit(), Yuan(50000));
  EXPECT_EQ(r.term_days(), 15);
  EXPECT_EQ(r.control(), v1::CONTROL_BLOCK);
  ASSERT_EQ(Credit().size(), 1u);
  EXPECT_EQ(Credit()[0].kind(), v1::ENTERED);
  EXPECT_EQ(Credit()[0].from_tier(), "");  // a first rating, from no grade
  EXPECT_EQ(Credit()[0].cause(), v1::ENROLMENT);

  const v1::CreditDecision ok = Check("B1", Yuan(30000));
  EXPECT_EQ(ok.outcome(), v1::CreditDecision::APPROVE);
  EXPECT_EQ(ok.available(), Yuan(50000));
  EXPECT_EQ(ok.findings_size(), 0);
  const v1::CreditDecision over = Check("B1", Yuan(60000));
  EXPECT_EQ(over.outcome(), v1::CreditDecision::BLOCK);
  const auto* f = FindingOf(over, v1::CreditDecision::OVER_LIMIT);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->amount(), Yuan(10000));
}

TEST_F(CreditScenario, OrdersInvoicesAndPaymentsMoveExposure) {
  h_.Must(Enrol("B2", Local(2026, 1, 5)));
  h_.Must(Order("B2", Local(2026, 1, 6), "O1", Yuan(40000)));
  EXPECT_EQ(Record("B2").receivables().open_orders(), Yuan(40000));
  EXPECT_EQ(Check("B2", Yuan(10000)).available(), Yuan(10000));
  // A check has no side effects: the same answer twice.
  EXPECT_EQ(Check("B2", Yuan(10000)).available(), Yuan(10000));

  h_.Must(Invoice("B2", Local(2026, 1, 10), "I1", Yuan(40000), 0, "O1"));
  v1::CreditRecord r = Record("B2");
  EXPECT_EQ(r.receivables().open_orders(), 0);
  EXPECT_EQ(r.receivables().open_receivables(), Yuan(40000));
  EXPECT_EQ(r.receivables().exposure(), Yuan(40000));
  ASSERT_EQ(r.receivables().invoices_size(), 1);
  // No due date on the invoice: the red list's 15-day term.
  EXPECT_EQ(r.receivables().invoices(0).due_at().seconds(), Local(2026, 1, 25));

  h_.Must(Pay("B2", Local(2026, 1, 12), Yuan(10000)));
  EXPECT_EQ(Record("B2").receivables().open_receivables(), Yuan(30000));
  // Overpaid by 5,000: kept as a credit balance, which adds to available.
  h_.Must(Pay("B2", Local(2026, 1, 20), Yuan(35000), "I1"));
  r = Record("B2");
  EXPECT_EQ(r.receivables().open_receivables(), 0);
  EXPECT_EQ(r.receivables().credit_balance(), Yuan(5000));
  EXPECT_EQ(Check("B2", Yuan(1)).available(), Yuan(55000));
  EXPECT_DOUBLE_EQ(h_.Metric("B2", "on_time_rate"), 1.0);
  // The next invoice is paid from the balance first.
  h_.Must(Invoice("B2", Local(2026, 1, 21), "I2", Yuan(3000)));
  r = Record("B2");
  EXPECT_EQ(r.receivables().credit_balance(), Yuan(2000));
  EXPECT_EQ(r.receivables().open_receivables(), 0);
  EXPECT_DOUBLE_EQ(h_.Metric("B2", "invoices_settled_12m"), 2);

  // An order cancelled releases its reservation.
  h_.Must(Order("B2", Local(2026, 1, 22), "O2", Yuan(20000)));
  h_.Must(Cancel("B2", Local(2026, 1, 23), "O2"));
  EXPECT_EQ(Record("B2").receivables().exposure(), 0);
}

TEST_F(CreditScenario, LatePaymentLowersTheOnTimeRateAndAges) {
  h_.Must(Enrol("B3", Local(2026, 1, 5)));
  h_.Must(
      Invoice("B3", Local(2026, 1, 6), "I1", Yuan(1000), Local(2026, 1, 20)));
  h_.Must(
      Invoice("B3", Local(2026, 1, 7), "I2", Yuan(2000), Local(2026, 2, 20)));
  // Paid 10 days late.
  h_.Must(Pay("B3", Local(2026, 1, 30), Yuan(1000), "I1"));
  EXPECT_DOUBLE_EQ(h_.Metric("B3", "on_time_rate"), 0.0);
  h_.Must(Pay("B3", Local(2026, 2, 1), Yuan(2000)));
  EXPECT_DOUBLE_EQ(h_.Metric("B3", "on_time_rate"), 0.5);
  // Ageing by days past due.
  h_.Must(Invoice("B3", Local(2026, 2, 2), "I3", Yuan(500), Local(2026, 2, 3)));
  h_.Must(Invoice("B3", Local(2026, 2, 2, 13), "I4", Yuan(700),
                  Local(2026, 3, 30)));
  h_.Must(Buy("B3", Local(2026, 3, 15), Yuan(1)));  // moves the clock
  const v1::Receivables rc = Record("B3").receivables();
  EXPECT_EQ(rc.days_past_due(), 40);
  EXPECT_EQ(rc.overdue_amount(), Yuan(500));
  EXPECT_EQ(rc.aged_31_60(), Yuan(500));
  EXPECT_EQ(rc.aged_current(), Yuan(700));
}

TEST_F(CreditScenario, BadCreditEventsAreRefusedAndChangeNothing) {
  h_.Must(Enrol("B4", Local(2026, 1, 5)));
  h_.Must(Invoice("B4", Local(2026, 1, 6), "I1", Yuan(1000)));
  h_.Must(Order("B4", Local(2026, 1, 6), "O1", Yuan(1000)));
  const std::string before = Record("B4").SerializeAsString();

  absl::Status s = h_.Apply(Pay("B4", Local(2026, 1, 7), Yuan(10), "nope"));
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "payment.invoice_id")) << s;
  s = h_.Apply(Pay("B4", Local(2026, 1, 7), 0));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  s = h_.Apply(Pay("B4", Local(2026, 1, 7), -5));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  s = h_.Apply(Pay("B4", Local(2026, 1, 7), Yuan(10), "", "USD"));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "currency")) << s;
  s = h_.Apply(Invoice("B4", Local(2026, 1, 7), "I1", Yuan(5)));
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists) << s;
  s = h_.Apply(Invoice("B4", Local(2026, 1, 7), "I9", Yuan(5), 0, "O9"));
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << s;
  s = h_.Apply(Cancel("B4", Local(2026, 1, 7), "O9"));
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << s;
  s = h_.Apply(Order("B4", Local(2026, 1, 7), "O1", Yuan(5)));
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists) << s;
  s = h_.Apply(Decide("B4", Local(2026, 1, 7), true, "supervisor"));
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  s = h_.Apply(
      Increase("B4", Local(2026, 1, 7), Yuan(5), Local(2026, 2, 1), "clerk"));
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
  EXPECT_EQ(Record("B4").SerializeAsString(), before);

  v1::CreditDecision d;
  EXPECT_EQ(h_.engine().CheckCredit("nobody", 1, 0, &d).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(h_.engine().CheckCredit("B4", 0, 0, &d).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(h_.engine().CheckCredit("B4", -1, 0, &d).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(CreditScenario, ReviewProposesAndTwoApprovalStepsDecide) {
  GoodCustomer("A1");
  EXPECT_EQ(Grade("A1"), kRed);  // score changes wait for the review
  // The quarterly review at 2026-04-01 00:00 (+08:00) proposes green.
  ASSERT_TRUE(h_.Review(Local(2026, 4, 1, 9)).ok());
  std::vector<v1::Transition> t = Credit();
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].kind(), v1::PROPOSED);
  EXPECT_EQ(t[0].from_tier(), kRed);
  EXPECT_EQ(t[0].to_tier(), kGreen);
  EXPECT_DOUBLE_EQ(t[0].credit().score(), 100);
  EXPECT_EQ(Grade("A1"), kRed);
  v1::CreditRecord r = Record("A1");
  ASSERT_TRUE(r.has_pending());
  EXPECT_EQ(r.pending().step(), "supervisor review");
  // The step's deadline is 3 whole working days on the policy's calendar:
  // the review at midnight of Wednesday 1 April starts the first, so the
  // step is due at the end of Friday 3 April.
  EXPECT_EQ(r.pending().step_due().seconds(), Local(2026, 4, 4, 0));
  // A step that starts during a day counts from the next working day: the
  // supervisor's approval at 11:00 on 1 April gives the committee 2, 3, 7
  // (after the Qingming holidays of 4-6 April), 8 and 9 April.

  // A clerk may not approve.
  absl::Status s = h_.Apply(Decide("A1", Local(2026, 4, 1, 10), true, "clerk"));
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "supervisor")) << s;
  h_.Must(Decide("A1", Local(2026, 4, 1, 11), true, "supervisor"));
  ASSERT_EQ(Credit().size(), 1u);
  EXPECT_EQ(Credit()[0].kind(), v1::STEP_APPROVED);
  EXPECT_EQ(Record("A1").pending().step(), "credit committee");
  EXPECT_EQ(Record("A1").pending().step_due().seconds(), Local(2026, 4, 10, 0));
  // A supervisor may not decide the committee's step.
  EXPECT_EQ(
      h_.Apply(Decide("A1", Local(2026, 4, 2), true, "supervisor")).code(),
      absl::StatusCode::kPermissionDenied);
  h_.Must(Decide("A1", Local(2026, 4, 2, 10), true, "manager"));
  t = Credit();
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].kind(), v1::UPGRADE);
  EXPECT_EQ(t[0].cause(), v1::APPROVAL);
  EXPECT_EQ(t[0].to_tier(), kGreen);
  r = Record("A1");
  EXPECT_EQ(r.grade(), kGreen);
  EXPECT_FALSE(r.has_pending());
  // Green: twice the average monthly revenue of 6 months (1.2 M / 6 * 2).
  EXPECT_EQ(r.limit(), Yuan(400000));
  EXPECT_EQ(r.term_days(), 60);
  EXPECT_DOUBLE_EQ(r.criteria().score(), 100);

  // Green warns rather than blocks.
  const v1::CreditDecision d = Check("A1", Yuan(500000));
  EXPECT_EQ(d.outcome(), v1::CreditDecision::WARN);
  ASSERT_NE(FindingOf(d, v1::CreditDecision::OVER_LIMIT), nullptr);
  EXPECT_EQ(FindingOf(d, v1::CreditDecision::OVER_LIMIT)->amount(),
            Yuan(100000));
}

TEST_F(CreditScenario, RejectionKeepsTheGrade) {
  GoodCustomer("A2");
  ASSERT_TRUE(h_.Review(Local(2026, 4, 1, 9)).ok());
  h_.Must(Decide("A2", Local(2026, 4, 1, 10), false, "supervisor"));
  ASSERT_EQ(Credit().size(), 1u);
  EXPECT_EQ(Credit()[0].kind(), v1::REJECTED);
  const v1::CreditRecord r = Record("A2");
  EXPECT_EQ(r.grade(), kRed);
  EXPECT_FALSE(r.has_pending());
}

TEST_F(CreditScenario, AnUndecidedStepEscalates) {
  GoodCustomer("A3");
  ASSERT_TRUE(h_.Review(Local(2026, 4, 1, 9)).ok());
  // Before the manager may act, the step must be overdue.
  EXPECT_EQ(
      h_.Apply(Decide("A3", Local(2026, 4, 1, 10), true, "manager")).code(),
      absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(h_.Review(Local(2026, 4, 10)).ok());
  const std::vector<v1::Transition> t = Credit();
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].kind(), v1::ESCALATED);
  EXPECT_EQ(t[0].cause(), v1::DEADLINE);
  const v1::CreditRecord r = Record("A3");
  EXPECT_TRUE(r.pending().escalated());
  h_.Must(Decide("A3", Local(2026, 4, 10, 10), true, "manager"));
  EXPECT_EQ(Record("A3").pending().step(), "credit committee");
  v1::CreditReport report;
  ASSERT_TRUE(h_.engine().GetCreditReport(0, &report).ok());
  EXPECT_EQ(report.pending_approvals(), 1u);
}

TEST_F(CreditScenario, FulfilmentBelowSeventyFivePercentActsAtOnce) {
  GoodCustomer("K1");
  EXPECT_EQ(h_.Tier("K1", "key_account"), "key_account");
  ASSERT_TRUE(h_.Review(Local(2026, 4, 1, 9)).ok());
  h_.Must(Decide("K1", Local(2026, 4, 1, 10), true, "supervisor"));
  h_.Must(Decide("K1", Local(2026, 4, 1, 11), true, "director"));
  ASSERT_EQ(Grade("K1"), kGreen);
  // One missed contract: 2 of 3 = 67% < 75%. No approval step: the grade
  // falls to the red list and the key-account tier is lost at once.
  h_.Must(Contract("K1", Local(2026, 4, 5), false));
  const std::vector<v1::Transition> t = Credit();
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].kind(), v1::DOWNGRADE);
  EXPECT_EQ(t[0].cause(), v1::HARD_RULE);
  EXPECT_EQ(t[0].to_tier(), kRed);
  EXPECT_EQ(t[0].credit().hard_rule(), "contract fulfilment below 75%");
  EXPECT_EQ(t[0].explanation().rule(), "credit.hard_rules[0]");
  const v1::Check* check = FindCheck(t[0].explanation(), "fulfilment_rate");
  ASSERT_NE(check, nullptr);
  EXPECT_NEAR(check->value(), 2.0 / 3.0, 1e-9);
  EXPECT_TRUE(check->holds());
  EXPECT_EQ(Grade("K1"), kRed);
  EXPECT_EQ(Record("K1").limit(), Yuan(50000));
  EXPECT_EQ(h_.Tier("K1", "key_account"), "ordinary");
  const std::vector<v1::Transition> tiers = h_.last("key_account");
  ASSERT_EQ(tiers.size(), 1u);
  EXPECT_EQ(tiers[0].kind(), v1::DOWNGRADE);
}

TEST_F(CreditScenario, NinetyDaysPastDueIsBlackListedAsTimePasses) {
  h_.Must(Enrol("L1", Local(2025, 10, 6)));
  h_.Must(
      Invoice("L1", Local(2025, 10, 6), "I1", Yuan(20000), Local(2025, 10, 7)));
  // Nothing happens for three months: the review at 2026-01-06 (after the
  // quarterly review of 01-01) finds 91 days past due.
  ASSERT_TRUE(h_.Review(Local(2026, 1, 6, 13)).ok());
  EXPECT_EQ(Grade("L1"), kBlack);
  bool hard = false;
  for (const auto& t : Credit()) {
    if (t.kind() == v1::DOWNGRADE && t.cause() == v1::HARD_RULE) hard = true;
  }
  EXPECT_TRUE(hard);
  const v1::CreditDecision d = Check("L1", Yuan(100));
  EXPECT_EQ(d.outcome(), v1::CreditDecision::BLOCK);
  EXPECT_NE(FindingOf(d, v1::CreditDecision::GRADE_BLOCKED), nullptr);
  const auto* overdue = FindingOf(d, v1::CreditDecision::OVERDUE);
  ASSERT_NE(overdue, nullptr);
  EXPECT_EQ(overdue->days(), 91);
  v1::CreditReport report;
  ASSERT_TRUE(h_.engine().GetCreditReport(0, &report).ok());
  EXPECT_EQ(report.grades(0).grade(), kBlack);
  EXPECT_EQ(report.grades(0).customers(), 1u);
  EXPECT_EQ(report.customers_overdue(), 1u);
}

TEST_F(CreditScenario, TemporaryIncreaseRaisesTheLimitUntilItExpires) {
  h_.Must(Enrol("T1", Local(2026, 1, 5)));
  h_.Must(Increase("T1", Local(2026, 1, 6), Yuan(20000), Local(2026, 2, 1),
                   "manager"));
  EXPECT_EQ(Check("T1", Yuan(60000)).outcome(), v1::CreditDecision::APPROVE);
  EXPECT_EQ(Record("T1").limit(), Yuan(70000));
  ASSERT_EQ(Record("T1").increases_size(), 1);
  EXPECT_EQ(Record("T1").increases(0).role(), "manager");
  EXPECT_EQ(Check("T1", Yuan(60000), Local(2026, 2, 2)).outcome(),
            v1::CreditDecision::BLOCK);
}

TEST_F(CreditScenario, OnlySupervisorsAndAboveReadTheCreditRecord) {
  h_.Must(Enrol("R1", Local(2026, 1, 5)));
  h_.Must(Invoice("R1", Local(2026, 1, 6), "I1", Yuan(1000)));
  const v1::CreditRecord clerk = Record("R1", "clerk");
  EXPECT_TRUE(clerk.redacted());
  EXPECT_TRUE(clerk.grade().empty());
  EXPECT_EQ(clerk.limit(), 0);
  EXPECT_FALSE(clerk.has_criteria());
  EXPECT_EQ(clerk.receivables().open_receivables(), Yuan(1000));
  EXPECT_TRUE(Record("R1", "").redacted());
  const v1::CreditRecord director = Record("R1", "director");
  EXPECT_FALSE(director.redacted());
  EXPECT_EQ(director.grade(), kRed);
  v1::CreditReport report;
  ASSERT_TRUE(h_.engine().GetCreditReport(0, &report).ok());
  EXPECT_EQ(report.refused_reads(), 2u);
}

TEST_F(CreditScenario, SnapshotKeepsReceivablesGradesAndApprovals) {
  GoodCustomer("S1");
  h_.Must(Order("S1", Local(2026, 3, 6), "O1", Yuan(3000)));
  h_.Must(Invoice("S1", Local(2026, 3, 7), "I2", Yuan(4000)));
  h_.Must(Increase("S1", Local(2026, 3, 8), Yuan(1000), Local(2026, 6, 1),
                   "director"));
  ASSERT_TRUE(h_.Review(Local(2026, 4, 1, 9)).ok());
  h_.Must(Decide("S1", Local(2026, 4, 1, 10), true, "supervisor"));
  std::string bytes;
  ASSERT_TRUE(h_.engine().SaveSnapshot(&bytes).ok());
  auto loaded = Engine::LoadSnapshot(bytes, nullptr);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  v1::CreditRecord a, b;
  ASSERT_TRUE(h_.engine().GetCreditRecord("S1", "manager", &a).ok());
  ASSERT_TRUE((*loaded)->GetCreditRecord("S1", "manager", &b).ok());
  EXPECT_EQ(a.SerializeAsString(), b.SerializeAsString());
  // The loaded engine goes on: the committee approves.
  std::vector<v1::Transition> out;
  ASSERT_TRUE(
      (*loaded)
          ->Apply(Decide("S1", Local(2026, 4, 2), true, "manager"), &out)
          .ok());
  ASSERT_TRUE((*loaded)->GetCreditRecord("S1", "manager", &b).ok());
  EXPECT_EQ(b.grade(), kGreen);
}

// Policy validation of the credit section: errors name the path.
absl::Status CreateWith(void (*edit)(v1::Policy*)) {
  auto policy = LoadPolicyFile(kPolicyPath);
  if (!policy.ok()) return policy.status();
  edit(&*policy);
  return Engine::Create(*policy).status();
}

TEST(CreditPolicyValidation, ErrorsNameThePath) {
  absl::Status s = CreateWith([](v1::Policy* p) {
    p->mutable_credit()->mutable_grades(3)->set_min_score(50);
  });
  EXPECT_EQ(s.message(), "credit.grades[3].min_score: must exceed grades[2]");
  s = CreateWith([](v1::Policy* p) {
    p->mutable_credit()->mutable_score_sheet()->mutable_items(0)->set_metric(
        "nope");
  });
  EXPECT_TRUE(absl::StrContains(
      s.message(), "credit.score_sheet.items[0].metric: unknown metric"))
      << s;
  s = CreateWith([](v1::Policy* p) {
    p->mutable_credit()->mutable_hard_rules(1)->set_grade("purple");
  });
  EXPECT_TRUE(
      absl::StrContains(s.message(), "credit.hard_rules[1].grade: unknown"))
      << s;
  s = CreateWith([](v1::Policy* p) { p->mutable_credit()->clear_review(); });
  EXPECT_TRUE(absl::StrContains(s.message(), "credit.approval_steps")) << s;
  s = CreateWith([](v1::Policy* p) {
    p->mutable_credit()
        ->mutable_approval_steps(0)
        ->mutable_within()
        ->set_amount(-1);
  });
  EXPECT_TRUE(
      absl::StrContains(s.message(),
                        "credit.approval_steps[0].within.amount: must not be "
                        "negative"))
      << s;
  s = CreateWith([](v1::Policy* p) { p->clear_credit(); });
  EXPECT_TRUE(absl::StrContains(s.message(), "RECEIVABLE needs a credit")) << s;
  s = CreateWith([](v1::Policy* p) {
    p->mutable_credit()->mutable_grades(0)->set_min_score(1);
  });
  EXPECT_TRUE(absl::StrContains(s.message(), "credit.grades[0].min_score"))
      << s;
}

}  // namespace
}  // namespace standing::scenario
