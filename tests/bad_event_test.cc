// Malformed and refused events: every row is refused with a specific status
// code and a message naming the offending field, and the engine's state is
// exactly as it was (snapshot bytes and clock unchanged).
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "scenario_util.h"
#include "standing/engine.h"
#include "standing/policy.h"

namespace standing::scenario {
namespace {

constexpr char kPolicyText[] = R"pb(
  name: "bad_events"
  version: "1"
  time_zone: "+08:00"
  currency: "CNY"
  late_event_horizon_days: 7
  attributes { name: "region" type: TEXT }
  attributes { name: "birthday" type: DATE }
  attributes { name: "score" type: NUMBER }
  attributes { name: "staff" type: FLAG }
  metrics {
    name: "spend_year"
    aggregate: SUM
    field: AMOUNT
    window { calendar { period: YEAR } }
  }
  metrics {
    name: "avg_balance"
    aggregate: TIME_WEIGHTED_AVERAGE
    field: BALANCE_AMOUNT
    window { calendar { period: MONTH } }
  }
  tier_programs {
    name: "card"
    tiers { name: "base" }
    tiers {
      name: "gold"
      qualify { metric { metric: "spend_year" op: GE value: 100000 } }
    }
    review { yearly { month: 1 day: 1 } }
  }
)pb";

// Enrolments and a few events; the clock ends at kClock.
const int64_t kAliceEnrolled = Local(2026, 1, 10);
const int64_t kBobEnrolled = Local(2026, 3, 8);
const int64_t kLastBalance = Local(2026, 3, 9);
const int64_t kClock = Local(2026, 3, 10);

v1::Event Purchase(const std::string& id, int64_t at, int64_t amount,
                   int64_t quantity = 1, const std::string& currency = "CNY") {
  v1::Event e = NewEvent(id, at);
  e.mutable_purchase()->set_amount(amount);
  e.mutable_purchase()->set_quantity(quantity);
  e.mutable_purchase()->set_currency(currency);
  return e;
}

v1::Event Balance(const std::string& id, int64_t at, int64_t balance,
                  const std::string& currency = "CNY") {
  v1::Event e = NewEvent(id, at);
  e.mutable_balance()->set_balance(balance);
  e.mutable_balance()->set_currency(currency);
  return e;
}

v1::AttributeValue Integer(int64_t i) {
  v1::AttributeValue v;
  v.set_integer(i);
  return v;
}
v1::AttributeValue Number(double d) {
  v1::AttributeValue v;
  v.set_number(d);
  return v;
}

struct BadCase {
  std::string name;
  v1::Event event;
  absl::StatusCode code;
  std::string message;  // a substring naming the field
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

std::vector<BadCase> BadCases() {
  const int64_t now = Local(2026, 3, 10, 13);
  std::vector<BadCase> cases;
  auto add = [&](std::string name, v1::Event e, absl::StatusCode code,
                 std::string msg) {
    cases.push_back({std::move(name), std::move(e), code, std::move(msg)});
  };
  using C = absl::StatusCode;

  add("UnknownCustomer", Purchase("nobody", now, 100), C::kNotFound,
      "customer \"nobody\": not enrolled");
  add("EmptyId", Purchase("", now, 100), C::kInvalidArgument,
      "event.customer_id: must not be empty");
  add("IdLongerThan256Bytes", Purchase(std::string(257, 'x'), now, 100),
      C::kInvalidArgument, "event.customer_id: longer than 256 bytes");
  add("InvalidUtf8Id", Purchase("ali\xC3(ce", now, 100), C::kInvalidArgument,
      "event.customer_id: not valid UTF-8");
  add("InvalidUtf8IdTruncatedSequence", Purchase("alice\xE4\xB8", now, 100),
      C::kInvalidArgument, "event.customer_id: not valid UTF-8");
  {
    v1::Event e = Purchase("alice", now, 100);
    e.clear_at();
    add("MissingAt", e, C::kInvalidArgument, "event.at: is required");
  }
  add("AtBefore1971", Purchase("alice", 31535999, 100), C::kOutOfRange,
      "event.at");
  add("AtAtEpochZero", Purchase("alice", 0, 100), C::kOutOfRange, "event.at");
  add("AtAfter9999", Purchase("alice", 253402300800, 100), C::kOutOfRange,
      "event.at");
  {
    v1::Event e = Purchase("alice", now, 100);
    e.mutable_at()->set_nanos(-1);
    add("NegativeNanos", e, C::kOutOfRange, "event.at");
  }
  {
    v1::Event e = Purchase("alice", now, 100);
    e.mutable_at()->set_nanos(1000000000);
    add("NanosTooLarge", e, C::kOutOfRange, "event.at");
  }
  add("NoKindSet", NewEvent("alice", now), C::kInvalidArgument,
      "no event kind is set");
  add("NegativePurchaseAmount", Purchase("alice", now, -1), C::kInvalidArgument,
      "purchase.amount");
  add("NegativeQuantity", Purchase("alice", now, 100, -2), C::kInvalidArgument,
      "purchase.quantity");
  add("WrongPurchaseCurrency", Purchase("alice", now, 100, 1, "USD"),
      C::kInvalidArgument, "purchase.currency");
  {
    v1::Event e = NewEvent("alice", now);
    e.mutable_invoice()->set_amount(0);
    e.mutable_invoice()->set_currency("CNY");
    add("ZeroInvoiceAmount", e, C::kInvalidArgument, "invoice.amount");
    e.mutable_invoice()->set_amount(-5);
    add("NegativeInvoiceAmount", e, C::kInvalidArgument, "invoice.amount");
    e.mutable_invoice()->set_amount(5);
    e.mutable_invoice()->set_currency("EUR");
    add("WrongInvoiceCurrency", e, C::kInvalidArgument, "invoice.currency");
  }
  {
    v1::Event e = NewEvent("alice", now);
    e.mutable_payment()->set_amount(0);
    add("ZeroPaymentAmount", e, C::kInvalidArgument, "payment.amount");
    e.mutable_payment()->set_amount(-100);
    add("NegativePaymentAmount", e, C::kInvalidArgument, "payment.amount");
    e.mutable_payment()->set_amount(100);
    e.mutable_payment()->set_currency("cny");
    add("WrongPaymentCurrency", e, C::kInvalidArgument, "payment.currency");
  }
  add("WrongBalanceCurrency", Balance("alice", now, 100, "JPY"),
      C::kInvalidArgument, "balance.currency");
  // Bob enrolled on 03-08; 03-07 is inside the late horizon of 03-10.
  add("EventBeforeEnrolment", Purchase("bob", Local(2026, 3, 7), 100),
      C::kOutOfRange, "before customer \"bob\" enrolled");
  add("OlderThanLateHorizon", Purchase("alice", Local(2026, 3, 2), 100),
      C::kOutOfRange, "late-event horizon");
  add("EnrolmentOlderThanLateHorizon", Enrol("carol", Local(2026, 2, 1)),
      C::kOutOfRange, "late-event horizon");
  add("DuplicateEnrolment", Enrol("alice", now), C::kAlreadyExists,
      "already enrolled");
  add("EnrolUndeclaredAttribute",
      Enrol("carol", now, {{"colour", Text("red")}}), C::kInvalidArgument,
      "enrolled.attributes[\"colour\"]");
  add("EnrolWronglyTypedAttribute",
      Enrol("carol", now, {{"region", Integer(3)}}), C::kInvalidArgument,
      "enrolled.attributes[\"region\"]: attribute \"region\": expected text");
  add("EnrolInvalidDate",
      Enrol("carol", now,
            {{"region", Text("north")}, {"birthday", DateValue(2001, 2, 29)}}),
      C::kInvalidArgument, "enrolled.attributes[\"birthday\"]");
  add("SetUndeclaredAttribute", SetAttrs("alice", now, {{"colour", Text("x")}}),
      C::kInvalidArgument, "attribute_change.set[\"colour\"]");
  add("SetWronglyTypedAttribute",
      SetAttrs("alice", now, {{"staff", Text("yes")}}), C::kInvalidArgument,
      "attribute_change.set[\"staff\"]");
  add("SetInvalidDateMonth13",
      SetAttrs("alice", now, {{"birthday", DateValue(1990, 13, 1)}}),
      C::kInvalidArgument, "attribute_change.set[\"birthday\"]");
  add("SetNaNNumber",
      SetAttrs("alice", now,
               {{"score", Number(std::numeric_limits<double>::quiet_NaN())}}),
      C::kInvalidArgument, "attribute_change.set[\"score\"]");
  add("SetInfiniteNumber",
      SetAttrs("alice", now,
               {{"score", Number(std::numeric_limits<double>::infinity())}}),
      C::kInvalidArgument, "attribute_change.set[\"score\"]");
  {
    // A valid assignment next to an invalid one: neither is applied.
    v1::Event e = SetAttrs("alice", now, {{"region", Text("south")}});
    e.mutable_attribute_change()->add_remove("nickname");
    add("RemoveUndeclaredAttribute", e, C::kInvalidArgument,
        "attribute_change.remove: \"nickname\"");
  }
  add("GrantUnknownProgram", Grant("alice", now, "club", "gold", "mgr", "why"),
      C::kInvalidArgument, "tier_grant.program");
  add("GrantUnknownTier", Grant("alice", now, "card", "platinum", "mgr", "why"),
      C::kInvalidArgument, "tier_grant.tier");
  add("GrantWithoutApprover", Grant("alice", now, "card", "gold", "", "why"),
      C::kInvalidArgument, "approver");
  add("GrantWithoutReason", Grant("alice", now, "card", "gold", "mgr", ""),
      C::kInvalidArgument, "reason");
  add("GrantExpiringBeforeEvent",
      Grant("alice", now, "card", "gold", "mgr", "why", now - 3600),
      C::kInvalidArgument, "tier_grant.expires_at");
  add("GrantExpiringAtEvent",
      Grant("alice", now, "card", "gold", "mgr", "why", now),
      C::kInvalidArgument, "tier_grant.expires_at");
  {
    v1::Event e = NewEvent("alice", now);
    e.mutable_tier_revoke()->set_program("card");
    e.mutable_tier_revoke()->set_actor("mgr");
    add("RevokeWithoutGrant", e, C::kFailedPrecondition, "tier_revoke");
    e.mutable_tier_revoke()->set_program("club");
    add("RevokeUnknownProgram", e, C::kInvalidArgument, "tier_revoke.program");
  }
  {
    v1::Event e = NewEvent("alice", now);
    e.mutable_service_request()->set_request_id("r1");
    add("ServiceRequestWithoutStage", e, C::kInvalidArgument,
        "service_request.stage");
  }
  // Alice's last balance is at 03-09; 03-08 is inside the horizon.
  add("BalanceOutOfTimeOrder", Balance("alice", Local(2026, 3, 8), 500),
      C::kOutOfRange, "balance");
  return cases;
}

class BadEventTest : public ::testing::TestWithParam<BadCase> {
 protected:
  void SetUp() override {
    auto policy = ParsePolicy(kPolicyText, PolicyFormat::kText);
    ASSERT_TRUE(policy.ok()) << policy.status();
    auto engine = Engine::Create(*policy);
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = std::move(*engine);
    Must(Enrol("alice", kAliceEnrolled,
               {{"region", Text("north")}, {"staff", Flag(false)}}));
    Must(Purchase("alice", Local(2026, 2, 1), 30000));
    Must(Balance("alice", Local(2026, 3, 1), 1000));
    Must(Enrol("bob", kBobEnrolled));
    Must(Balance("alice", kLastBalance, 2000));
    Must(Purchase("bob", kClock, 5000));
    ASSERT_EQ(engine_->clock(), kClock);
  }

  void Must(const v1::Event& e) {
    absl::Status s = engine_->Apply(e, nullptr);
    ASSERT_TRUE(s.ok()) << s;
  }

  std::string Snapshot() const {
    std::string bytes;
    absl::Status s = engine_->SaveSnapshot(&bytes);
    EXPECT_TRUE(s.ok()) << s;
    return bytes;
  }

  std::unique_ptr<Engine> engine_;
};

TEST_P(BadEventTest, RefusedWithCodeAndFieldAndStateUnchanged) {
  const BadCase& c = GetParam();
  const std::string before = Snapshot();
  ASSERT_FALSE(before.empty());
  const int64_t clock_before = engine_->clock();
  v1::Customer alice_before;
  ASSERT_TRUE(engine_->GetCustomer("alice", &alice_before).ok());

  std::vector<v1::Transition> transitions;
  absl::Status s = engine_->Apply(c.event, &transitions);
  EXPECT_EQ(s.code(), c.code) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), c.message))
      << "message \"" << s.message() << "\" lacks \"" << c.message << "\"";
  EXPECT_TRUE(transitions.empty());

  EXPECT_EQ(engine_->clock(), clock_before);
  EXPECT_EQ(engine_->customer_count(), 2u);
  const std::string after = Snapshot();
  EXPECT_TRUE(after == before) << "snapshot changed (" << before.size()
                               << " -> " << after.size() << " bytes)";
  v1::Customer alice_after;
  ASSERT_TRUE(engine_->GetCustomer("alice", &alice_after).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(alice_after,
                                                                 alice_before))
      << alice_after.DebugString() << " vs " << alice_before.DebugString();
  v1::Customer carol;
  EXPECT_EQ(engine_->GetCustomer("carol", &carol).code(),
            absl::StatusCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(AllRows, BadEventTest, ::testing::ValuesIn(BadCases()),
                         [](const ::testing::TestParamInfo<BadCase>& info) {
                           return info.param.name;
                         });

TEST(BadEventTable, HasEnoughRows) { EXPECT_GE(BadCases().size(), 22u); }

class BadBatchTest : public BadEventTest {};

TEST_F(BadBatchTest, StopsAtFirstBadEventWithIndexPrefix) {
  const int64_t t = Local(2026, 3, 11);
  std::vector<v1::Event> batch = {
      Purchase("alice", t, 100), Purchase("bob", t + 60, 200),
      Purchase("alice", t + 120, 300, 1, "USD"),  // refused
      Purchase("alice", t + 180, 400),            // never applied
  };
  std::vector<v1::Transition> transitions;
  size_t applied = 99;
  absl::Status s =
      engine_->ApplyBatch(batch.data(), batch.size(), &transitions, &applied);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_TRUE(absl::StartsWith(s.message(), "events[2]: ")) << s.message();
  EXPECT_TRUE(absl::StrContains(s.message(), "purchase.currency"))
      << s.message();
  EXPECT_EQ(applied, 2u);
  EXPECT_EQ(engine_->clock(), t + 60);
  v1::Customer alice;
  ASSERT_TRUE(engine_->GetCustomer("alice", &alice).ok());
  const v1::MetricValue* spend = FindMetric(alice, "spend_year");
  ASSERT_NE(spend, nullptr);
  EXPECT_DOUBLE_EQ(spend->value(), 30100);  // 30000 + 100, not + 400
  v1::Customer bob;
  ASSERT_TRUE(engine_->GetCustomer("bob", &bob).ok());
  EXPECT_DOUBLE_EQ(FindMetric(bob, "spend_year")->value(), 5200);
}

TEST_F(BadBatchTest, FirstEventBadAppliesNothing) {
  const std::string before = Snapshot();
  std::vector<v1::Event> batch = {Purchase("nobody", Local(2026, 3, 11), 1),
                                  Purchase("alice", Local(2026, 3, 11), 1)};
  size_t applied = 99;
  absl::Status s =
      engine_->ApplyBatch(batch.data(), batch.size(), nullptr, &applied);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << s;
  EXPECT_TRUE(absl::StartsWith(s.message(), "events[0]: customer \"nobody\""))
      << s.message();
  EXPECT_EQ(applied, 0u);
  EXPECT_TRUE(Snapshot() == before);
  EXPECT_EQ(engine_->clock(), kClock);
}

TEST_F(BadBatchTest, DuplicateEnrolmentInsideBatch) {
  std::vector<v1::Event> batch = {Enrol("carol", Local(2026, 3, 11)),
                                  Purchase("carol", Local(2026, 3, 11), 7),
                                  Enrol("carol", Local(2026, 3, 12))};
  size_t applied = 0;
  absl::Status s =
      engine_->ApplyBatch(batch.data(), batch.size(), nullptr, &applied);
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists) << s;
  EXPECT_TRUE(absl::StartsWith(s.message(), "events[2]: ")) << s.message();
  EXPECT_EQ(applied, 2u);
  EXPECT_EQ(engine_->customer_count(), 3u);
  EXPECT_EQ(engine_->clock(), Local(2026, 3, 11));
}

// ApplyBatch hands each event the customer record its prefetch pipeline
// found and reuses the calendar of the previous instant: the result must be
// that of one Apply per event, including a customer enrolled inside the
// batch, instants that repeat, move on and go back (inside the late
// horizon), and an upgrade.
TEST_F(BadBatchTest, SameStateAndTransitionsAsOneEventAtATime) {
  const int64_t t = Local(2026, 3, 11);
  const std::vector<v1::Event> batch = {
      Purchase("alice", t, 100),       Enrol("dave", t),
      Purchase("dave", t, 70000),      Purchase("bob", t + 60, 200),
      Purchase("dave", t + 60, 40000), Purchase("alice", t - 86400, 300),
      Purchase("alice", t + 120, 7),   Balance("alice", t + 120, 50),
  };
  std::vector<v1::Transition> batched;
  ASSERT_TRUE(engine_->ApplyBatch(batch.data(), batch.size(), &batched).ok());
  const std::string after_batch = Snapshot();

  SetUp();  // a fresh engine in the state before the batch
  std::vector<v1::Transition> one_by_one;
  for (const v1::Event& e : batch) {
    ASSERT_TRUE(engine_->Apply(e, &one_by_one).ok());
  }
  EXPECT_TRUE(Snapshot() == after_batch);
  ASSERT_EQ(batched.size(), one_by_one.size());
  ASSERT_FALSE(batched.empty());  // dave's upgrade
  ExpectSameTransitions(batched, one_by_one);
}

// The pipeline's rings (16 hashes, 16 found records) wrap in a long batch;
// customers enrolled inside it are used 1 to 3 events later, across the
// wrap (credit_test's BatchesOfCreditEventsMatchOneEventAtATime covers
// later uses, invoices and rolling windows). Batches of 1 and 2 events have no
// pipeline to speak of.
TEST_F(BadBatchTest, LongAndShortBatchesMatchOneEventAtATime) {
  const int64_t t = Local(2026, 3, 11);
  std::vector<v1::Event> long_batch;
  for (int k = 0; k < 12; ++k) {
    const std::string id = absl::StrCat("new", k);
    long_batch.push_back(Enrol(id, t + k));
    long_batch.push_back(Purchase(k % 2 == 0 ? "alice" : "bob", t + k, 5));
    long_batch.push_back(Purchase(id, t + k, 30000 + 1000 * k));
    long_batch.push_back(Purchase(id, t + k + 1, 40000));
  }
  const std::vector<std::vector<v1::Event>> batches = {
      {Purchase("alice", t, 9)},
      {Enrol("solo", t), Purchase("solo", t, 80000)},
      long_batch,
  };
  for (const std::vector<v1::Event>& batch : batches) {
    SCOPED_TRACE(batch.size());
    SetUp();
    std::vector<v1::Transition> batched;
    ASSERT_TRUE(engine_->ApplyBatch(batch.data(), batch.size(), &batched).ok());
    const std::string after_batch = Snapshot();
    SetUp();
    std::vector<v1::Transition> one_by_one;
    for (const v1::Event& e : batch) {
      ASSERT_TRUE(engine_->Apply(e, &one_by_one).ok());
    }
    EXPECT_TRUE(Snapshot() == after_batch);
    ASSERT_EQ(batched.size(), one_by_one.size());
    ExpectSameTransitions(batched, one_by_one);
  }
}

TEST_F(BadBatchTest, AllGoodBatchReportsCount) {
  std::vector<v1::Event> batch = {Purchase("alice", Local(2026, 3, 11), 1),
                                  Purchase("bob", Local(2026, 3, 12), 2)};
  size_t applied = 0;
  ASSERT_TRUE(
      engine_->ApplyBatch(batch.data(), batch.size(), nullptr, &applied).ok());
  EXPECT_EQ(applied, 2u);
  EXPECT_EQ(engine_->clock(), Local(2026, 3, 12));
}

}  // namespace
}  // namespace standing::scenario
