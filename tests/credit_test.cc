// Credit semantics beyond the rule set 3 scenarios (docs/credit.md):
// oldest-first allocation, formula limits with cap and minimum, immediate
// timing, receivable metrics in tier conditions, the control modes,
// policy replacement and engines without credit.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "scenario_util.h"
#include "standing/engine.h"
#include "standing/policy.h"

namespace standing::scenario {
namespace {

// Two grades by revenue; limit 3x monthly average of 3 months' revenue,
// capped at 1,000 and at least 100; a tier program that reads exposure.
constexpr char kPolicy[] = R"pb(
  name: "credit-unit"
  currency: "CNY"
  time_zone: "+08:00"
  metrics {
    name: "revenue"
    aggregate: SUM
    field: AMOUNT
    window { rolling_days: 90 }
    filter { kinds: PURCHASE }
  }
  metrics { name: "exposure" aggregate: RECEIVABLE receivable: EXPOSURE }
  metrics { name: "dpd" aggregate: RECEIVABLE receivable: DAYS_PAST_DUE }
  tier_programs {
    name: "watch"
    upgrade: IMMEDIATE
    downgrade: IMMEDIATE
    tiers { name: "normal" }
    tiers {
      name: "high_exposure"
      qualify { metric { metric: "exposure" op: GE value: 50000 } }
    }
  }
  credit {
    grades {
      name: "C"
      control: CONTROL_NONE
      limit { amount: 0 }
    }
    grades {
      name: "B"
      min_score: 10
      control: CONTROL_WARN
      term_days: 30
      limit {
        revenue_multiple {
          metric: "revenue"
          months: 3
          multiple: 3
          cap: 100000
          minimum: 10000
        }
      }
    }
    grades {
      name: "A"
      min_score: 20
      control: CONTROL_BLOCK
      term_days: 45
      limit { amount: 500000 }
    }
    score_sheet {
      items {
        metric: "revenue"
        bands { at_least: 0 points: 0 }
        bands { at_least: 1000 points: 10 }
        bands { at_least: 100000 points: 20 }
      }
    }
    hard_rules {
      name: "late"
      when { metric { metric: "dpd" op: GE value: 1 } }
      grade: "C"
    }
    upgrade: IMMEDIATE
    downgrade: IMMEDIATE
  }
)pb";

class CreditUnit : public ::testing::Test {
 protected:
  void SetUp() override {
    auto policy = ParsePolicy(kPolicy, PolicyFormat::kText);
    ASSERT_TRUE(policy.ok()) << policy.status();
    policy_ = *policy;
    auto engine = Engine::Create(policy_);
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = std::move(*engine);
  }
  void Must(const v1::Event& e) {
    out_.clear();
    absl::Status s = engine_->Apply(e, &out_);
    ASSERT_TRUE(s.ok()) << s;
  }
  v1::CreditRecord Record(std::string_view id) {
    v1::CreditRecord r;
    EXPECT_TRUE(engine_->GetCreditRecord(id, "any", &r).ok());
    return r;
  }
  v1::Event Invoice(std::string_view id, int64_t at, std::string_view inv,
                    int64_t amount, int64_t due = 0) {
    v1::Event e = NewEvent(id, at);
    e.mutable_invoice()->set_invoice_id(std::string(inv));
    e.mutable_invoice()->set_amount(amount);
    if (due != 0) e.mutable_invoice()->mutable_due_at()->set_seconds(due);
    return e;
  }
  // Ids of the customer's open invoices, in issue order.
  std::vector<std::string> OpenInvoiceIds(std::string_view id) {
    const v1::CreditRecord r = Record(id);
    std::vector<std::string> ids;
    for (const auto& inv : r.receivables().invoices()) {
      ids.push_back(inv.invoice_id());
    }
    return ids;
  }
  v1::Event Pay(std::string_view id, int64_t at, int64_t amount) {
    v1::Event e = NewEvent(id, at);
    e.mutable_payment()->set_amount(amount);
    return e;
  }
  // A payment of the invoice `inv`.
  v1::Event PayInvoice(std::string_view id, int64_t at, std::string_view inv,
                       int64_t amount) {
    v1::Event e = Pay(id, at, amount);
    e.mutable_payment()->set_invoice_id(std::string(inv));
    return e;
  }

  v1::Policy policy_;
  std::unique_ptr<Engine> engine_;
  std::vector<v1::Transition> out_;
};

TEST_F(CreditUnit, NoReadersMeansEveryRecordIsRedacted) {
  Must(Enrol("X", Local(2026, 1, 1)));
  EXPECT_TRUE(Record("X").redacted());
}

TEST_F(CreditUnit, ImmediateTimingAndFormulaLimits) {
  policy_.mutable_credit()->add_readers("any");
  auto engine = Engine::Create(policy_);
  ASSERT_TRUE(engine.ok());
  engine_ = std::move(*engine);
  Must(Enrol("X", Local(2026, 1, 1)));
  EXPECT_EQ(Record("X").grade(), "C");
  // 1,500 revenue: grade B at once; 3 x 1,500 / 3 = 1,500 is below the
  // minimum of 10,000.
  Must(Buy("X", Local(2026, 1, 2), 1500));
  v1::CreditRecord r = Record("X");
  EXPECT_EQ(r.grade(), "B");
  EXPECT_EQ(r.limit(), 10000);
  // 60,000 revenue in all: 60,000 x 3 / 3 = 60,000, under the cap.
  Must(Buy("X", Local(2026, 1, 3), 58500));
  EXPECT_EQ(Record("X").limit(), 60000);
  // 300,000: capped at 100,000? No: the score reaches A (fixed 500,000).
  Must(Buy("X", Local(2026, 1, 4), 240000));
  r = Record("X");
  EXPECT_EQ(r.grade(), "A");
  EXPECT_EQ(r.limit(), 500000);
  EXPECT_EQ(r.criteria().rule(), "credit.grades[2].min_score");
}

TEST_F(CreditUnit, PaymentsGoToTheOldestDueFirst) {
  policy_.mutable_credit()->add_readers("any");
  engine_ = *Engine::Create(policy_);
  Must(Enrol("X", Local(2026, 1, 1)));
  Must(Invoice("X", Local(2026, 1, 2), "late-due", 300, Local(2026, 3, 1)));
  Must(Invoice("X", Local(2026, 1, 3), "early-due", 200, Local(2026, 2, 1)));
  Must(Pay("X", Local(2026, 1, 4), 250));
  const v1::CreditRecord r = Record("X");
  ASSERT_EQ(r.receivables().invoices_size(), 1);
  EXPECT_EQ(r.receivables().invoices(0).invoice_id(), "late-due");
  EXPECT_EQ(r.receivables().invoices(0).open_amount(), 250);
}

// Invoices past the first four (whose ids are tagged for quick lookups)
// are found too, and the oldest due time follows payments by id.
TEST_F(CreditUnit, ManyOpenInvoicesPaidByIdInAnyOrder) {
  policy_.mutable_credit()->add_readers("any");
  engine_ = *Engine::Create(policy_);
  Must(Enrol("X", Local(2026, 1, 1)));
  for (int i = 0; i < 9; ++i) {
    // Due dates out of issue order: invoice 5 is due first.
    const int due_day = i == 5 ? 2 : 10 + i;
    Must(Invoice("X", Local(2026, 1, 1, 13 + i), "INV-" + std::to_string(i),
                 100 * (i + 1), Local(2026, 2, due_day)));
  }
  // Paid on 12 February, when receivables are read (the engine clock).
  const auto pay = [&](const std::string& inv, int64_t amount) {
    return engine_->Apply(PayInvoice("X", Local(2026, 2, 12), inv, amount),
                          &out_);
  };
  // A duplicate of an untagged invoice is refused.
  EXPECT_EQ(
      engine_->Apply(Invoice("X", Local(2026, 1, 2), "INV-7", 5), &out_).code(),
      absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(pay("INV-7", 800).ok());
  ASSERT_TRUE(pay("INV-1", 200).ok());  // a tagged one; INV-2 moves up
  ASSERT_TRUE(pay("INV-6", 100).ok());  // partly
  EXPECT_EQ(pay("INV-1", 1).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(pay("INV-9", 1).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(OpenInvoiceIds("X"),
            (std::vector<std::string>{"INV-0", "INV-2", "INV-3", "INV-4",
                                      "INV-5", "INV-6", "INV-8"}));
  v1::CreditRecord r = Record("X");
  EXPECT_EQ(r.receivables().open_receivables(),
            100 + 300 + 400 + 500 + 600 + (700 - 100) + 900);
  EXPECT_EQ(r.receivables().days_past_due(), 10);  // INV-5, due 2 February
  ASSERT_TRUE(pay("INV-2", 300).ok());  // shifts INV-3.. into the tags
  ASSERT_TRUE(pay("INV-5", 600).ok());
  EXPECT_EQ(Record("X").receivables().days_past_due(), 2);  // INV-0, 10 Feb
  ASSERT_TRUE(pay("INV-0", 100).ok());
  r = Record("X");
  EXPECT_EQ(r.receivables().days_past_due(), 0);  // INV-3, due 13 February
  EXPECT_EQ(r.receivables().invoices_size(), 4);
  ASSERT_TRUE(pay("INV-8", 900).ok());
  ASSERT_TRUE(pay("INV-3", 400).ok());
  ASSERT_TRUE(pay("INV-4", 500).ok());
  ASSERT_TRUE(pay("INV-6", 600).ok());
  EXPECT_EQ(Record("X").receivables().invoices_size(), 0);
  // An id can be reused once its invoice is settled.
  Must(Invoice("X", Local(2026, 2, 12), "INV-7", 5));
}

// A snapshot keeps open invoices findable by id, the four tagged ones and
// those past them, and refuses an invoice listed twice (tagged or not).
TEST_F(CreditUnit, SnapshotKeepsInvoicesFindableByIdAndRefusesDuplicates) {
  policy_.mutable_credit()->add_readers("any");
  engine_ = *Engine::Create(policy_);
  Must(Enrol("X", Local(2026, 1, 1)));
  for (int i = 0; i < 7; ++i) {
    Must(Invoice("X", Local(2026, 1, 1, 13 + i), "INV-" + std::to_string(i),
                 100 * (i + 1), Local(2026, 2, 10 + i)));
  }
  std::string bytes;
  ASSERT_TRUE(engine_->SaveSnapshot(&bytes).ok());
  auto loaded = Engine::LoadSnapshot(bytes, &policy_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  engine_ = std::move(*loaded);
  const auto pay = [&](const std::string& inv, int64_t amount) {
    return engine_->Apply(PayInvoice("X", Local(2026, 2, 1), inv, amount),
                          &out_);
  };
  EXPECT_EQ(
      engine_->Apply(Invoice("X", Local(2026, 2, 1), "INV-5", 5), &out_).code(),
      absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(
      engine_->Apply(Invoice("X", Local(2026, 2, 1), "INV-2", 5), &out_).code(),
      absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(pay("INV-6", 700).ok());  // past the tags
  ASSERT_TRUE(pay("INV-1", 200).ok());  // tagged
  EXPECT_EQ(pay("INV-6", 1).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(
      OpenInvoiceIds("X"),
      (std::vector<std::string>{"INV-0", "INV-2", "INV-3", "INV-4", "INV-5"}));

  for (int copied : {1, 5}) {
    SCOPED_TRACE(copied);
    const std::string twice =
        RewriteSnapshot(bytes, [copied](v1::CustomerState& customer) {
          auto* invoices = customer.mutable_credit()->mutable_invoices();
          *invoices->Add() = invoices->Get(copied);
        });
    auto refused = Engine::LoadSnapshot(twice, &policy_);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_TRUE(
        absl::StrContains(refused.status().message(),
                          absl::StrCat("\"INV-", copied, "\" is listed twice")))
        << refused.status();
  }
}

// ApplyBatch's pipeline fetches each event's invoice and the rolling
// windows it writes ahead of the apply, using records found up to five
// events ahead: a batch must end exactly where one Apply per event does,
// for customers enrolled inside the batch and used 1 to 7 events later,
// invoices paid by id and oldest first, and batch sizes around the
// pipeline's depth.
TEST_F(CreditUnit, BatchesOfCreditEventsMatchOneEventAtATime) {
  const int64_t t = Local(2026, 1, 5);
  std::vector<v1::Event> events;
  for (int k = 0; k < 8; ++k) {
    const std::string id = absl::StrCat("N", k);
    const std::string inv = absl::StrCat("I", k);
    events.push_back(Enrol(id, t));
    // Fillers put the new customer's events 1 to 7 events after its
    // enrolment.
    for (int f = 0; f < k; ++f) {
      events.push_back(Buy(k % 2 ? "A" : "B", t + f, 100 + f));
    }
    events.push_back(Invoice(id, t + 10, inv, 5000 + k));
    events.push_back(Buy(id, t + 11, 20000 * (k + 1)));
    events.push_back(Invoice(id, t + 12, inv + "b", 700));
    events.push_back(PayInvoice(id, t + 13, inv, 5000 + k));
    events.push_back(Pay(id, t + 14, 300));  // oldest first, partly
    events.push_back(Invoice("A", t + 15, inv + "a", 90));
  }
  const auto save = [&] {
    std::string bytes;
    EXPECT_TRUE(engine_->SaveSnapshot(&bytes).ok());
    return bytes;
  };
  const auto fresh = [&] {
    engine_ = *Engine::Create(policy_);
    ASSERT_TRUE(engine_->Apply(Enrol("A", t - 86400), nullptr).ok());
    ASSERT_TRUE(engine_->Apply(Enrol("B", t - 86400), nullptr).ok());
  };
  for (size_t size : {size_t{3}, size_t{5}, size_t{6}, size_t{7}, size_t{11},
                      size_t{16}, size_t{17}, events.size()}) {
    SCOPED_TRACE(size);
    fresh();
    std::vector<v1::Transition> batched;
    for (size_t i = 0; i < events.size(); i += size) {
      const size_t n = std::min(size, events.size() - i);
      ASSERT_TRUE(engine_->ApplyBatch(events.data() + i, n, &batched).ok());
    }
    const std::string after_batches = save();
    fresh();
    std::vector<v1::Transition> one_by_one;
    for (const v1::Event& e : events) {
      ASSERT_TRUE(engine_->Apply(e, &one_by_one).ok());
    }
    EXPECT_TRUE(save() == after_batches);
    ASSERT_EQ(batched.size(), one_by_one.size());
    ExpectSameTransitions(batched, one_by_one);
  }
}

TEST_F(CreditUnit, ReceivableMetricsDriveTiersAndHardRules) {
  policy_.mutable_credit()->add_readers("any");
  engine_ = *Engine::Create(policy_);
  Must(Enrol("X", Local(2026, 1, 1)));
  Must(Buy("X", Local(2026, 1, 2), 200000));
  EXPECT_EQ(Record("X").grade(), "A");
  Must(Invoice("X", Local(2026, 1, 3), "I", 60000, Local(2026, 1, 10)));
  v1::Customer c;
  ASSERT_TRUE(engine_->GetCustomer("X", &c).ok());
  EXPECT_EQ(FindStanding(c, "watch")->tier(), "high_exposure");
  // Overdue: the hard rule caps at C when the next event comes (or at
  // review); an event after the due date does it at once.
  Must(Buy("X", Local(2026, 1, 11), 1));
  EXPECT_EQ(Record("X").grade(), "C");
  bool hard = false;
  for (const auto& t : out_) {
    if (t.program() == "credit" && t.cause() == v1::HARD_RULE) hard = true;
  }
  EXPECT_TRUE(hard);
  // C's control is NONE: the check approves and still names the reasons.
  v1::CreditDecision d;
  ASSERT_TRUE(engine_->CheckCredit("X", 10, 0, &d).ok());
  EXPECT_EQ(d.outcome(), v1::CreditDecision::APPROVE);
  EXPECT_EQ(d.findings_size(), 2);  // over the limit of 0, and overdue
  // Paid: the hard rule no longer holds; immediate upgrade back to A.
  Must(Pay("X", Local(2026, 1, 12), 60000));
  EXPECT_EQ(Record("X").grade(), "A");
  ASSERT_TRUE(engine_->GetCustomer("X", &c).ok());
  EXPECT_EQ(FindStanding(c, "watch")->tier(), "normal");
}

TEST_F(CreditUnit, ReplacingThePolicyKeepsReceivablesAndGradesByName) {
  policy_.mutable_credit()->add_readers("any");
  engine_ = *Engine::Create(policy_);
  Must(Enrol("X", Local(2026, 1, 1)));
  Must(Buy("X", Local(2026, 1, 2), 200000));
  Must(Invoice("X", Local(2026, 1, 3), "I", 1000, Local(2026, 2, 1)));
  // Rename C and A; B keeps its name.
  v1::Policy next = policy_;
  next.mutable_credit()->mutable_grades(0)->set_name("C-");
  next.mutable_credit()->mutable_hard_rules(0)->set_grade("C-");
  next.mutable_credit()->mutable_grades(2)->set_name("A+");
  std::vector<v1::Transition> out;
  absl::Status replaced = engine_->ReplacePolicy(next, &out);
  ASSERT_TRUE(replaced.ok()) << replaced;
  const v1::CreditRecord r = Record("X");
  EXPECT_EQ(r.grade(), "A+");  // re-rated at once: A is gone
  EXPECT_EQ(r.receivables().open_receivables(), 1000);
  bool rerated = false;
  for (const auto& t : out) {
    if (t.program() == "credit" && t.cause() == v1::POLICY_CHANGE) {
      rerated = true;
    }
  }
  EXPECT_TRUE(rerated);
  // Dropping credit drops the state; credit calls then fail clearly.
  v1::Policy none = next;
  none.clear_credit();
  none.clear_metrics();
  none.mutable_metrics()->Add()->CopyFrom(policy_.metrics(0));  // revenue
  none.mutable_tier_programs(0)
      ->mutable_tiers(1)
      ->mutable_qualify()
      ->mutable_metric()
      ->set_metric("revenue");
  replaced = engine_->ReplacePolicy(none, &out);
  ASSERT_TRUE(replaced.ok()) << replaced;
  v1::CreditDecision d;
  const absl::Status s = engine_->CheckCredit("X", 1, 0, &d);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(s.message(), "policy.credit")) << s;
}

TEST(CreditWithout, InvoicesAndPaymentsStillFeedMetrics) {
  auto policy =
      ParsePolicy(R"pb(
                    name: "no-credit"
                    currency: "CNY"
                    tier_programs {
                      name: "p"
                      downgrade: IMMEDIATE
                      tiers { name: "base" }
                      tiers {
                        name: "payer"
                        qualify { metric { metric: "paid" op: GE value: 1 } }
                      }
                    }
                    metrics {
                      name: "paid"
                      aggregate: SUM
                      field: AMOUNT
                      window { since_enrolment: true }
                      filter { kinds: PAYMENT }
                    }
                  )pb",
                  PolicyFormat::kText);
  ASSERT_TRUE(policy.ok()) << policy.status();
  auto engine = Engine::Create(*policy);
  ASSERT_TRUE(engine.ok()) << engine.status();
  std::vector<v1::Transition> out;
  ASSERT_TRUE((*engine)->Apply(Enrol("X", Local(2026, 1, 1)), &out).ok());
  v1::Event pay = NewEvent("X", Local(2026, 1, 2));
  pay.mutable_payment()->set_amount(70);
  pay.mutable_payment()->set_invoice_id("whatever");
  ASSERT_TRUE((*engine)->Apply(pay, &out).ok());
  v1::Customer c;
  ASSERT_TRUE((*engine)->GetCustomer("X", &c).ok());
  EXPECT_EQ(FindMetric(c, "paid")->value(), 70);
  v1::Event order = NewEvent("X", Local(2026, 1, 3));
  order.mutable_order_placed()->set_order_id("O");
  order.mutable_order_placed()->set_amount(5);
  EXPECT_EQ((*engine)->Apply(order, &out).code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace standing::scenario
