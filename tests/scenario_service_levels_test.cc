// Scenario tests for rule set 4 (service levels) under
// examples/policies/service_levels.json: response deadlines by customer
// class, branch waiting times, feedback callbacks and new-customer-info
// entry in working days on the mainland China 2025-2026 calendar (Spring
// Festival, National Day, make-up workdays), pause and resume, the VIP
// hotline percentage target, contact cadences, obligations on VIP entry,
// account-manager capacity and coverage, entitlements, and policy
// validation of bad service-level input. Expected values follow
// docs/service-levels.md; the dates are real 2025-2026 dates.
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "scenario_util.h"
#include "standing/engine.h"
#include "standing/policy.h"

namespace standing::scenario {
namespace {

constexpr char kPolicyPath[] =
    STANDING_SOURCE_DIR "/examples/policies/service_levels.json";
constexpr char kCalendarPath[] =
    STANDING_SOURCE_DIR "/examples/calendars/cn-2025-2026.json";
constexpr char kClass[] = "customer_class";
constexpr char kCard[] = "card";

using Stage = v1::ServiceRequest::Stage;

// --- events --------------------------------------------------------------

v1::Event Request(std::string_view id, int64_t at, std::string_view request,
                  Stage stage, std::string_view type = "",
                  std::string_view priority = "") {
  v1::Event e = NewEvent(id, at);
  v1::ServiceRequest* r = e.mutable_service_request();
  r->set_request_id(std::string(request));
  r->set_stage(stage);
  r->set_request_type(std::string(type));
  r->set_priority(std::string(priority));
  return e;
}
v1::Event Open(std::string_view id, int64_t at, std::string_view request,
               std::string_view type, std::string_view priority = "") {
  return Request(id, at, request, v1::ServiceRequest::OPENED, type, priority);
}
v1::Event Respond(std::string_view id, int64_t at, std::string_view request) {
  return Request(id, at, request, v1::ServiceRequest::RESPONDED);
}
v1::Event Resolve(std::string_view id, int64_t at, std::string_view request) {
  return Request(id, at, request, v1::ServiceRequest::RESOLVED);
}
v1::Event Pause(std::string_view id, int64_t at, std::string_view request) {
  return Request(id, at, request, v1::ServiceRequest::PAUSED);
}
v1::Event Resume(std::string_view id, int64_t at, std::string_view request) {
  return Request(id, at, request, v1::ServiceRequest::RESUMED);
}

v1::Event ContactEvent(std::string_view id, int64_t at,
                       std::string_view channel,
                       std::string_view actor = "manager") {
  v1::Event e = NewEvent(id, at);
  e.mutable_contact()->set_channel(std::string(channel));
  e.mutable_contact()->set_actor(std::string(actor));
  return e;
}

// Assigns `manager` as primary (empty: removes the primary manager).
v1::Event AssignManager(std::string_view id, int64_t at,
                        std::string_view manager,
                        std::string_view actor = "branch head",
                        std::string_view reason = "assignment") {
  v1::Event e = NewEvent(id, at);
  v1::ManagerAssignment* m = e.mutable_manager();
  m->set_manager(std::string(manager));
  m->set_role(v1::ManagerAssignment::PRIMARY);
  m->set_actor(std::string(actor));
  m->set_reason(std::string(reason));
  return e;
}

v1::Event CompleteTask(std::string_view id, int64_t at, std::string_view task,
                       std::string_view actor) {
  v1::Event e = NewEvent(id, at);
  e.mutable_task_completed()->set_task(std::string(task));
  e.mutable_task_completed()->set_actor(std::string(actor));
  return e;
}

v1::Event Revoke(std::string_view id, int64_t at, std::string_view program) {
  v1::Event e = NewEvent(id, at);
  e.mutable_tier_revoke()->set_program(std::string(program));
  e.mutable_tier_revoke()->set_actor("branch head");
  e.mutable_tier_revoke()->set_reason("card returned");
  return e;
}

v1::Event CardGrant(std::string_view id, int64_t at, std::string_view tier) {
  return Grant(id, at, kCard, tier, "branch head", "card issued");
}

v1::DurationSpec Span(int64_t amount, v1::DurationSpec::Unit unit,
                      std::string_view calendar = "") {
  v1::DurationSpec d;
  d.set_amount(amount);
  d.set_unit(unit);
  d.set_calendar(std::string(calendar));
  return d;
}

// --- lookups -------------------------------------------------------------

const v1::CadenceStatus* FindCadence(const v1::Customer& c,
                                     std::string_view program,
                                     std::string_view name) {
  for (const auto& s : c.cadences()) {
    if (s.program() == program && s.cadence() == name) return &s;
  }
  return nullptr;
}

const v1::TaskStatus* FindTask(const v1::Customer& c, std::string_view name) {
  for (const auto& t : c.tasks()) {
    if (t.task() == name) return &t;
  }
  return nullptr;
}

const v1::ResolvedEntitlement* FindEntitlement(const v1::EntitlementSet& s,
                                               std::string_view name) {
  for (const auto& e : s.entitlements()) {
    if (e.name() == name) return &e;
  }
  return nullptr;
}

const v1::TargetCompliance* FindRow(const v1::ComplianceReport& r,
                                    std::string_view target,
                                    std::string_view tier, int64_t period) {
  for (const auto& row : r.rows()) {
    if (row.target() == target && row.tier() == tier &&
        row.period_start().seconds() == period) {
      return &row;
    }
  }
  return nullptr;
}

// "customer/name" of each overdue item, in order.
std::vector<std::string> Names(const v1::OverdueList& list) {
  std::vector<std::string> out;
  for (const auto& item : list.items()) {
    out.push_back(absl::StrCat(item.customer_id(), "/", item.name()));
  }
  return out;
}

std::vector<std::string> Names(const v1::BreachList& list) {
  std::vector<std::string> out;
  for (const auto& item : list.items()) {
    out.push_back(
        absl::StrCat(item.customer_id(), "/", item.request().request_id()));
  }
  return out;
}

class ServiceLevelsScenario : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(h_.ok()) << h_.status(); }

  v1::RequestStatus Req(std::string_view id, std::string_view request,
                        int64_t as_of = 0) {
    v1::RequestStatus r;
    absl::Status s = h_.engine().GetRequest(id, request, as_of, &r);
    EXPECT_TRUE(s.ok()) << id << "/" << request << ": " << s;
    return r;
  }
  v1::RequestStatus Preview(std::string_view id, std::string_view type,
                            int64_t at, std::string_view priority = "") {
    v1::RequestStatus r;
    absl::Status s = h_.engine().PreviewRequest(id, type, priority, at, &r);
    EXPECT_TRUE(s.ok()) << id << " " << type << ": " << s;
    return r;
  }
  v1::OverdueList Overdue(v1::OverdueQuery q) {
    v1::OverdueList out;
    absl::Status s = h_.engine().ListOverdue(q, &out);
    EXPECT_TRUE(s.ok()) << q.DebugString() << s;
    return out;
  }
  v1::BreachList Breaches(int64_t as_of) {
    v1::BreachList out;
    absl::Status s = h_.engine().ListBreaches(as_of, 0, &out);
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }
  v1::EntitlementSet Entitlements(std::string_view id) {
    v1::EntitlementSet out;
    absl::Status s = h_.engine().ResolveEntitlements(id, &out);
    EXPECT_TRUE(s.ok()) << id << ": " << s;
    return out;
  }
  v1::CapacityReport Capacity() {
    v1::CapacityReport out;
    absl::Status s = h_.engine().GetCapacityReport(0, &out);
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }
  int64_t Add(int64_t at, const v1::DurationSpec& d) {
    absl::StatusOr<int64_t> t = h_.engine().AddDuration(at, d);
    EXPECT_TRUE(t.ok()) << d.DebugString() << t.status();
    return t.ok() ? *t : -1;
  }
  // Applies `e`, which must be refused, and checks that the request is
  // unchanged.
  void Refused(const v1::Event& e, std::string_view request, int64_t as_of) {
    const std::string before =
        Req(e.customer_id(), request, as_of).DebugString();
    absl::Status s = h_.Apply(e);
    EXPECT_FALSE(s.ok()) << e.DebugString();
    EXPECT_EQ(Req(e.customer_id(), request, as_of).DebugString(), before)
        << e.DebugString();
  }

  Harness h_{kPolicyPath};
};

// --- the policy ------------------------------------------------------------

TEST(ServiceLevelsPolicy, ParsesValidatesAndEmbedsTheChinaCalendar) {
  absl::StatusOr<v1::Policy> policy = LoadPolicyFile(kPolicyPath);
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_TRUE(ValidatePolicy(*policy).ok()) << ValidatePolicy(*policy);
  ASSERT_EQ(policy->tier_programs_size(), 2);
  EXPECT_EQ(policy->tier_programs(0).name(), kClass);
  EXPECT_EQ(policy->tier_programs(1).name(), kCard);
  std::vector<std::string> cards;
  for (const auto& t : policy->tier_programs(1).tiers()) {
    cards.push_back(t.name());
  }
  EXPECT_EQ(cards,
            (std::vector<std::string>{"member", "银卡", "金卡", "钻卡"}));
  std::vector<int> capacity;
  std::vector<bool> requires_manager;
  for (const auto& t : policy->tier_programs(1).tiers()) {
    capacity.push_back(t.customers_per_manager());
    requires_manager.push_back(t.requires_manager());
  }
  EXPECT_EQ(capacity, (std::vector<int>{0, 1000, 500, 200}));
  EXPECT_EQ(requires_manager, (std::vector<bool>{false, false, true, true}));

  // The embedded calendar is the data of examples/calendars/cn-2025-2026.json.
  std::ifstream in(kCalendarPath, std::ios::binary);
  ASSERT_TRUE(in) << kCalendarPath;
  std::stringstream bytes;
  bytes << in.rdbuf();
  v1::WorkCalendar file;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(bytes.str(), &file).ok());
  ASSERT_EQ(policy->calendars_size(), 1);
  v1::WorkCalendar embedded = policy->calendars(0);
  EXPECT_EQ(policy->service_levels().calendar(), embedded.name());
  embedded.set_name(file.name());
  EXPECT_EQ(embedded.SerializeAsString(), file.SerializeAsString())
      << embedded.DebugString();
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Create(*policy);
  EXPECT_TRUE(engine.ok()) << engine.status();
}

// --- durations on the calendar ---------------------------------------------

TEST_F(ServiceLevelsScenario, WorkingTimeSkipsHolidaysAndCountsMakeupDays) {
  using U = v1::DurationSpec;
  // Friday before the 2026 Spring Festival: Saturday 14 Feb is a make-up
  // workday, 15-23 Feb are off.
  EXPECT_EQ(Add(Local(2026, 2, 13, 15), Span(1, U::WORKING_DAYS)),
            Local(2026, 2, 14, 15));
  EXPECT_EQ(Add(Local(2026, 2, 13, 15), Span(2, U::WORKING_DAYS)),
            Local(2026, 2, 24, 15));
  EXPECT_EQ(Add(Local(2026, 2, 13, 15), Span(3, U::WORKING_DAYS)),
            Local(2026, 2, 25, 15));
  // From a holiday, counting starts at the next working day.
  EXPECT_EQ(Add(Local(2026, 2, 15, 10), Span(1, U::WORKING_DAYS)),
            Local(2026, 2, 24, 10));
  // Working hours 09:00-12:00 and 13:00-18:00.
  EXPECT_EQ(Add(Local(2026, 2, 13, 17), Span(2, U::WORKING_HOURS)),
            Local(2026, 2, 14, 10));
  EXPECT_EQ(Add(Local(2026, 2, 13, 17, 50), Span(20, U::WORKING_MINUTES)),
            Local(2026, 2, 14, 9, 10));
  // National Day 2025: 1-8 Oct off, Saturday 11 Oct worked.
  EXPECT_EQ(Add(Local(2025, 9, 30, 10), Span(1, U::WORKING_DAYS)),
            Local(2025, 10, 9, 10));
  EXPECT_EQ(Add(Local(2025, 9, 30, 10), Span(3, U::WORKING_DAYS)),
            Local(2025, 10, 11, 10));
  // New Year 2026: 1-3 Jan off, Sunday 4 Jan worked.
  EXPECT_EQ(Add(Local(2025, 12, 31, 10), Span(1, U::WORKING_DAYS)),
            Local(2026, 1, 4, 10));
  // National Day 2026: 1-7 Oct off.
  EXPECT_EQ(Add(Local(2026, 9, 30, 9, 30), Span(8, U::WORKING_HOURS)),
            Local(2026, 10, 8, 9, 30));
  // The calendar named explicitly gives the same.
  EXPECT_EQ(
      Add(Local(2026, 2, 13, 15), Span(2, U::WORKING_DAYS, "cn_2025_2026")),
      Local(2026, 2, 24, 15));
  // Calendar units.
  EXPECT_EQ(Add(Local(2026, 1, 31, 10), Span(1, U::MONTHS)),
            Local(2026, 2, 28, 10));
  EXPECT_EQ(Add(Local(2026, 2, 13, 15), Span(72, U::HOURS)),
            Local(2026, 2, 16, 15));

  absl::StatusOr<int64_t> negative =
      h_.engine().AddDuration(Local(2026, 2, 13), Span(-1, U::WORKING_DAYS));
  EXPECT_EQ(negative.status().code(), absl::StatusCode::kInvalidArgument);
  absl::StatusOr<int64_t> unknown = h_.engine().AddDuration(
      Local(2026, 2, 13), Span(1, U::WORKING_DAYS, "nope"));
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(unknown.status().message(), "nope"))
      << unknown.status();
}

// --- response deadlines by class -------------------------------------------

TEST_F(ServiceLevelsScenario, ResponseWithin24_48_72HoursByClass) {
  for (const char* id : {"a", "b", "c"}) {
    h_.Must(Enrol(id, Local(2026, 2, 9, 9)));
  }
  h_.Must(Buy("a", Local(2026, 2, 9, 10), Yuan(100'000)));
  h_.Must(Buy("b", Local(2026, 2, 9, 10), Yuan(20'000)));
  EXPECT_EQ(h_.Tier("a", kClass), "A");
  EXPECT_EQ(h_.Tier("b", kClass), "B");
  EXPECT_EQ(h_.Tier("c", kClass), "C");

  // "By when must we answer?" before anything is opened.
  v1::RequestStatus preview = Preview("c", "service", Local(2026, 2, 13, 15));
  EXPECT_EQ(preview.rule(), "response_class_c");
  EXPECT_EQ(preview.respond_by().seconds(), Local(2026, 2, 16, 15));
  EXPECT_FALSE(preview.has_resolve_by());
  preview = Preview("a", "feedback", Local(2026, 2, 13, 15));
  EXPECT_EQ(preview.rule(), "feedback_callback");
  EXPECT_EQ(preview.respond_by().seconds(), Local(2026, 2, 25, 15));
  v1::Customer before = h_.Get("c");
  EXPECT_EQ(before.requests_size(), 0);

  // Friday before the Spring Festival, 15:00: plain hours, holidays count.
  for (const char* id : {"a", "b", "c"}) {
    h_.Must(Open(id, Local(2026, 2, 13, 15), "r1", "service"));
  }
  v1::RequestStatus a = Req("a", "r1");
  EXPECT_EQ(a.rule(), "response_class_a");
  EXPECT_EQ(a.request_type(), "service");
  EXPECT_EQ(a.opened_at().seconds(), Local(2026, 2, 13, 15));
  EXPECT_EQ(a.respond_by().seconds(), Local(2026, 2, 14, 15));
  EXPECT_FALSE(a.has_resolve_by());
  v1::RequestStatus b = Req("b", "r1");
  EXPECT_EQ(b.rule(), "response_class_b");
  EXPECT_EQ(b.respond_by().seconds(), Local(2026, 2, 15, 15));
  v1::RequestStatus c = Req("c", "r1");
  EXPECT_EQ(c.rule(), "response_class_c");
  EXPECT_EQ(c.respond_by().seconds(), Local(2026, 2, 16, 15));
  ASSERT_EQ(h_.Get("c").requests_size(), 1);
  EXPECT_EQ(h_.Get("c").requests(0).request_id(), "r1");

  // Breach state as of any instant.
  EXPECT_FALSE(Req("b", "r1", Local(2026, 2, 15, 14)).response_breached());
  EXPECT_TRUE(Req("b", "r1", Local(2026, 2, 15, 16)).response_breached());

  h_.Must(Respond("a", Local(2026, 2, 14, 14), "r1"));
  a = Req("a", "r1", Local(2026, 2, 20));
  EXPECT_EQ(a.responded_at().seconds(), Local(2026, 2, 14, 14));
  EXPECT_FALSE(a.response_breached());

  // Open requests past due, most overdue first.
  EXPECT_EQ(Names(Breaches(Local(2026, 2, 15, 12))),
            (std::vector<std::string>{}));
  EXPECT_EQ(Names(Breaches(Local(2026, 2, 16, 12))),
            (std::vector<std::string>{"b/r1"}));
  v1::BreachList breaches = Breaches(Local(2026, 2, 17));
  EXPECT_EQ(Names(breaches), (std::vector<std::string>{"b/r1", "c/r1"}));
  if (breaches.items_size() == 2) {
    EXPECT_TRUE(breaches.items(1).request().response_breached());
    EXPECT_EQ(breaches.items(1).request().respond_by().seconds(),
              Local(2026, 2, 16, 15));
  }

  // A late response is a breach.
  h_.Must(Respond("c", Local(2026, 2, 16, 16), "r1"));
  c = Req("c", "r1");
  EXPECT_TRUE(c.response_breached());
  EXPECT_EQ(c.responded_at().seconds(), Local(2026, 2, 16, 16));

  // The due times stay when the customer's class changes; a new request
  // gets the new class's rule.
  h_.Must(Buy("c", Local(2026, 2, 16, 17), Yuan(100'000)));
  EXPECT_EQ(h_.Tier("c", kClass), "A");
  EXPECT_EQ(Req("c", "r1").respond_by().seconds(), Local(2026, 2, 16, 15));
  EXPECT_EQ(Req("c", "r1").rule(), "response_class_c");
  h_.Must(Open("c", Local(2026, 2, 16, 18), "r2", "service"));
  EXPECT_EQ(Req("c", "r2").rule(), "response_class_a");
  EXPECT_EQ(Req("c", "r2").respond_by().seconds(), Local(2026, 2, 17, 18));

  // A type without a rule is tracked without due times.
  h_.Must(Open("b", Local(2026, 2, 16, 18), "x", "something_else"));
  v1::RequestStatus x = Req("b", "x", Local(2027, 1, 1));
  EXPECT_EQ(x.rule(), "");
  EXPECT_FALSE(x.has_respond_by());
  EXPECT_FALSE(x.has_resolve_by());
  EXPECT_FALSE(x.response_breached());
  EXPECT_FALSE(x.resolution_breached());
}

// --- branch waiting time -----------------------------------------------------

TEST_F(ServiceLevelsScenario, BranchWaitingVip10Premium15Others30) {
  const int64_t t0 = Local(2026, 3, 2, 9);
  h_.Must(Enrol("d", t0));
  h_.Must(Enrol("g", t0));
  h_.Must(Enrol("s", t0));
  h_.Must(Enrol("m", t0));
  h_.Must(CardGrant("d", t0 + 60, "钻卡"));
  h_.Must(CardGrant("g", t0 + 60, "金卡"));
  h_.Must(CardGrant("s", t0 + 60, "银卡"));
  EXPECT_EQ(h_.Tier("d", kCard), "钻卡");
  EXPECT_EQ(h_.Tier("s", kCard), "银卡");

  const int64_t queued = Local(2026, 3, 2, 10);
  for (const char* id : {"d", "g", "s", "m"}) {
    h_.Must(Open(id, queued, "q1", "branch_queue"));
  }
  EXPECT_EQ(Req("d", "q1").rule(), "branch_wait_vip");
  EXPECT_EQ(Req("d", "q1").respond_by().seconds(), Local(2026, 3, 2, 10, 10));
  EXPECT_EQ(Req("g", "q1").rule(), "branch_wait_vip");
  EXPECT_EQ(Req("g", "q1").respond_by().seconds(), Local(2026, 3, 2, 10, 10));
  EXPECT_EQ(Req("s", "q1").rule(), "branch_wait_premium");
  EXPECT_EQ(Req("s", "q1").respond_by().seconds(), Local(2026, 3, 2, 10, 15));
  EXPECT_EQ(Req("m", "q1").rule(), "branch_wait_other");
  EXPECT_EQ(Req("m", "q1").respond_by().seconds(), Local(2026, 3, 2, 10, 30));

  h_.Must(Respond("d", Local(2026, 3, 2, 10, 8), "q1"));
  h_.Must(Respond("m", Local(2026, 3, 2, 10, 29), "q1"));
  // At 10:20 the gold and the silver customers are still waiting.
  EXPECT_EQ(Names(Breaches(Local(2026, 3, 2, 10, 20))),
            (std::vector<std::string>{"g/q1", "s/q1"}));
  EXPECT_TRUE(Req("g", "q1", Local(2026, 3, 2, 10, 20)).response_breached());
  EXPECT_FALSE(Req("s", "q1", Local(2026, 3, 2, 10, 14)).response_breached());
  // The silver customer is served at 10:16: one minute late.
  h_.Must(Respond("s", Local(2026, 3, 2, 10, 16), "q1"));
  EXPECT_FALSE(Req("d", "q1").response_breached());
  EXPECT_TRUE(Req("s", "q1").response_breached());
  EXPECT_FALSE(Req("m", "q1").response_breached());

  // VIP served first: the queue order by the service_priority rank.
  std::vector<std::pair<int, std::string>> queue;
  for (const char* id : {"m", "s", "g", "d"}) {
    const v1::EntitlementSet set = Entitlements(id);
    const v1::ResolvedEntitlement* rank =
        FindEntitlement(set, "service_priority");
    ASSERT_NE(rank, nullptr) << id;
    queue.emplace_back(rank->value().rank(), id);
  }
  std::sort(queue.begin(), queue.end());
  EXPECT_EQ(queue, (std::vector<std::pair<int, std::string>>{
                       {1, "d"}, {2, "g"}, {3, "s"}, {4, "m"}}));
}

// --- feedback callback -------------------------------------------------------

TEST_F(ServiceLevelsScenario, FeedbackCallbackWithin3WorkingDaysOverSpring) {
  h_.Must(Enrol("f", Local(2026, 2, 9, 9)));
  h_.Must(Enrol("late", Local(2026, 2, 9, 9)));
  // Friday 13 Feb 15:00: Sat 14 (make-up) is day 1, Tue 24 day 2, Wed 25
  // day 3.
  h_.Must(Open("f", Local(2026, 2, 13, 15), "fb", "feedback"));
  h_.Must(Open("late", Local(2026, 2, 13, 15), "fb", "feedback"));
  v1::RequestStatus fb = Req("f", "fb");
  EXPECT_EQ(fb.rule(), "feedback_callback");
  EXPECT_EQ(fb.respond_by().seconds(), Local(2026, 2, 25, 15));
  EXPECT_FALSE(Req("f", "fb", Local(2026, 2, 23, 23)).response_breached());
  EXPECT_FALSE(Req("f", "fb", Local(2026, 2, 25, 14)).response_breached());
  EXPECT_TRUE(Req("f", "fb", Local(2026, 2, 25, 16)).response_breached());

  h_.Must(Respond("f", Local(2026, 2, 25, 14, 30), "fb"));
  EXPECT_FALSE(Req("f", "fb", Local(2026, 3, 1)).response_breached());
  EXPECT_EQ(Names(Breaches(Local(2026, 2, 25, 16))),
            (std::vector<std::string>{"late/fb"}));
  h_.Must(Respond("late", Local(2026, 2, 26, 9, 30), "fb"));
  EXPECT_TRUE(Req("late", "fb").response_breached());
}

TEST_F(ServiceLevelsScenario, FeedbackCallbackOverNationalDay2025) {
  h_.Must(Enrol("f", Local(2025, 9, 20, 9)));
  // Monday 29 Sep: Tue 30 Sep day 1, then 1-8 Oct off: Thu 9 Oct day 2,
  // Fri 10 Oct day 3.
  h_.Must(Open("f", Local(2025, 9, 29, 10), "fb", "feedback"));
  EXPECT_EQ(Req("f", "fb").respond_by().seconds(), Local(2025, 10, 10, 10));
  // Opened on the make-up Sunday 28 Sep (a working day): Mon 29, Tue 30,
  // Thu 9 Oct.
  h_.Must(Enrol("g", Local(2025, 9, 28, 9)));
  h_.Must(Open("g", Local(2025, 9, 28, 11), "fb", "feedback"));
  EXPECT_EQ(Req("g", "fb").respond_by().seconds(), Local(2025, 10, 9, 11));
}

// --- new customer information ----------------------------------------------

TEST_F(ServiceLevelsScenario, NewCustomerInfoWarnsAfter1AndBreachesAfter2) {
  h_.Must(Enrol("n", Local(2025, 9, 30, 15)));
  // Tuesday 30 Sep 2025 16:00, the eve of National Day.
  h_.Must(Open("n", Local(2025, 9, 30, 16), "info", "customer_info"));
  v1::RequestStatus info = Req("n", "info");
  EXPECT_EQ(info.rule(), "new_customer_info");
  EXPECT_EQ(info.warn_at().seconds(), Local(2025, 10, 9, 16));
  EXPECT_EQ(info.resolve_by().seconds(), Local(2025, 10, 10, 16));
  EXPECT_FALSE(info.has_respond_by());

  info = Req("n", "info", Local(2025, 10, 8, 12));
  EXPECT_FALSE(info.warning());
  EXPECT_FALSE(info.resolution_breached());
  info = Req("n", "info", Local(2025, 10, 9, 17));
  EXPECT_TRUE(info.warning());
  EXPECT_FALSE(info.resolution_breached());
  info = Req("n", "info", Local(2025, 10, 10, 17));
  EXPECT_TRUE(info.warning());
  EXPECT_TRUE(info.resolution_breached());
  EXPECT_FALSE(info.response_breached());
  EXPECT_EQ(Names(Breaches(Local(2025, 10, 10, 17))),
            (std::vector<std::string>{"n/info"}));

  // New Year's Eve 2025: 1-3 Jan off, Sunday 4 Jan worked.
  h_.Must(Enrol("y", Local(2025, 12, 31, 9)));
  h_.Must(Open("y", Local(2025, 12, 31, 10), "info", "customer_info"));
  info = Req("y", "info");
  EXPECT_EQ(info.warn_at().seconds(), Local(2026, 1, 4, 10));
  EXPECT_EQ(info.resolve_by().seconds(), Local(2026, 1, 5, 10));
  EXPECT_TRUE(Req("y", "info", Local(2026, 1, 4, 11)).warning());
  h_.Must(Resolve("y", Local(2026, 1, 5, 9), "info"));
  // Resolved in time: it leaves the breach index; the customer keeps it
  // among its 8 most recently resolved requests.
  v1::Customer y = h_.Get("y");
  ASSERT_EQ(y.requests_size(), 1) << y.DebugString();
  EXPECT_EQ(y.requests(0).resolved_at().seconds(), Local(2026, 1, 5, 9));
  EXPECT_FALSE(y.requests(0).resolution_breached());
  info = Req("y", "info", Local(2026, 1, 6));
  EXPECT_EQ(info.resolved_at().seconds(), Local(2026, 1, 5, 9));
  EXPECT_FALSE(info.resolution_breached());
  EXPECT_EQ(Names(Breaches(Local(2026, 1, 6))),
            (std::vector<std::string>{"n/info"}));
  // Eight more resolved requests push the oldest one out.
  for (int i = 0; i < 8; ++i) {
    const std::string id = absl::StrCat("more", i);
    h_.Must(Open("y", Local(2026, 1, 6, 10 + i), id, "customer_info"));
    h_.Must(Resolve("y", Local(2026, 1, 6, 10 + i, 30), id));
  }
  y = h_.Get("y");
  EXPECT_EQ(y.requests_size(), 8);
  v1::RequestStatus gone;
  EXPECT_EQ(h_.engine().GetRequest("y", "info", 0, &gone).code(),
            absl::StatusCode::kNotFound);
}

// --- pause and resume --------------------------------------------------------

TEST_F(ServiceLevelsScenario, PauseStopsTheClockInWorkingAndPlainTime) {
  h_.Must(Enrol("p", Local(2026, 2, 11, 9)));
  // Thursday 12 Feb 10:00: due Sat 14 Feb 10:00 (two working days).
  h_.Must(Open("p", Local(2026, 2, 12, 10), "i1", "customer_info"));
  EXPECT_EQ(Req("p", "i1").resolve_by().seconds(), Local(2026, 2, 14, 10));
  h_.Must(Pause("p", Local(2026, 2, 12, 11), "i1"));
  EXPECT_TRUE(Req("p", "i1", Local(2026, 2, 12, 12)).paused());
  // Paused for 24 h, of which 8 working hours (Thu 11-12, 13-18; Fri
  // 09-11): the due time moves 8 working hours later, over the Spring
  // Festival, to Tue 24 Feb 10:00.
  h_.Must(Resume("p", Local(2026, 2, 13, 11), "i1"));
  v1::RequestStatus r = Req("p", "i1");
  EXPECT_FALSE(r.paused());
  EXPECT_EQ(r.paused_seconds(), 24 * 3600);
  EXPECT_EQ(r.resolve_by().seconds(), Local(2026, 2, 24, 10));
  EXPECT_FALSE(Req("p", "i1", Local(2026, 2, 23, 18)).resolution_breached());
  EXPECT_TRUE(Req("p", "i1", Local(2026, 2, 24, 11)).resolution_breached());

  // Plain hours: class C, 72 h; paused 26 h.
  h_.Must(Enrol("q", Local(2026, 3, 2, 9)));
  h_.Must(Open("q", Local(2026, 3, 2, 10), "s1", "service"));
  EXPECT_EQ(Req("q", "s1").respond_by().seconds(), Local(2026, 3, 5, 10));
  h_.Must(Pause("q", Local(2026, 3, 3, 10), "s1"));

  // Errors leave the request as it was.
  const int64_t as_of = Local(2026, 3, 3, 11);
  Refused(Pause("q", Local(2026, 3, 3, 11), "s1"), "s1", as_of);
  Refused(Open("q", Local(2026, 3, 3, 11), "s1", "service"), "s1", as_of);
  h_.Must(Resume("q", Local(2026, 3, 4, 12), "s1"));
  EXPECT_EQ(Req("q", "s1").respond_by().seconds(), Local(2026, 3, 6, 12));
  EXPECT_EQ(Req("q", "s1").paused_seconds(), 26 * 3600);
  Refused(Resume("q", Local(2026, 3, 4, 13), "s1"), "s1", as_of);
  h_.Must(Respond("q", Local(2026, 3, 6, 11), "s1"));
  EXPECT_FALSE(Req("q", "s1").response_breached());
  Refused(Respond("q", Local(2026, 3, 6, 12), "s1"), "s1", as_of);
  // Unknown requests.
  EXPECT_FALSE(h_.Apply(Respond("q", Local(2026, 3, 6, 12), "nope")).ok());
  EXPECT_FALSE(h_.Apply(Pause("q", Local(2026, 3, 6, 12), "nope")).ok());
  EXPECT_FALSE(h_.Apply(Resolve("q", Local(2026, 3, 6, 12), "nope")).ok());
  v1::RequestStatus none;
  EXPECT_EQ(h_.engine().GetRequest("q", "nope", 0, &none).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(h_.engine().GetRequest("nobody", "s1", 0, &none).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(h_.Get("q").requests_size(), 1);
}

// --- hotline percentage target -----------------------------------------------

TEST_F(ServiceLevelsScenario, VipHotline90PercentWithin20SecondsPerMonth) {
  h_.Must(Enrol("d", Local(2026, 3, 1, 8)));
  h_.Must(Enrol("g", Local(2026, 3, 1, 8)));
  h_.Must(Enrol("m", Local(2026, 3, 1, 8)));
  h_.Must(CardGrant("d", Local(2026, 3, 1, 9), "钻卡"));
  h_.Must(CardGrant("g", Local(2026, 3, 1, 9), "金卡"));

  // March: the diamond customer calls 10 times, 9 answered within 20 s.
  for (int i = 0; i < 10; ++i) {
    const int64_t at = Local(2026, 3, 2 + i, 10);
    const std::string id = absl::StrCat("call-03-", i);
    h_.Must(Open("d", at, id, "hotline_call"));
    h_.Must(Respond("d", at + (i == 9 ? 25 : 10), id));
  }
  // A call has no per-request deadline: no breach.
  v1::RequestStatus call = Req("d", "call-03-9");
  EXPECT_EQ(call.rule(), "");
  EXPECT_FALSE(call.has_respond_by());
  EXPECT_FALSE(call.response_breached());
  // Gold: 1 of 2. Members are not counted.
  h_.Must(Open("g", Local(2026, 3, 12, 10), "c1", "hotline_call"));
  h_.Must(Respond("g", Local(2026, 3, 12, 10) + 15, "c1"));
  h_.Must(Open("g", Local(2026, 3, 12, 11), "c2", "hotline_call"));
  h_.Must(Respond("g", Local(2026, 3, 12, 11) + 30, "c2"));
  for (int i = 0; i < 3; ++i) {
    const std::string id = absl::StrCat("m", i);
    h_.Must(Open("m", Local(2026, 3, 12, 12 + i), id, "hotline_call"));
    h_.Must(Respond("m", Local(2026, 3, 12, 12 + i) + 60, id));
  }
  // April: 3 answered in 5 s, one resolved without a response in 12 s
  // (within), one answered in 21 s: 4 of 5 = 80%.
  for (int i = 0; i < 5; ++i) {
    const int64_t at = Local(2026, 4, 1 + i, 10);
    const std::string id = absl::StrCat("call-04-", i);
    h_.Must(Open("d", at, id, "hotline_call"));
    if (i == 3) {
      h_.Must(Resolve("d", at + 12, id));
    } else {
      h_.Must(Respond("d", at + (i == 4 ? 21 : 5), id));
    }
  }

  v1::ComplianceReport report;
  ASSERT_TRUE(h_.engine().GetCompliance(&report).ok());
  const v1::TargetCompliance* march =
      FindRow(report, "vip_hotline_20s", "钻卡", Local(2026, 3, 1, 0));
  ASSERT_NE(march, nullptr) << report.DebugString();
  EXPECT_EQ(march->requests(), 10u);
  EXPECT_EQ(march->within_target(), 9u);
  EXPECT_DOUBLE_EQ(march->percent(), 90);
  EXPECT_DOUBLE_EQ(march->target_percent(), 90);
  EXPECT_TRUE(march->met());
  const v1::TargetCompliance* gold =
      FindRow(report, "vip_hotline_20s", "金卡", Local(2026, 3, 1, 0));
  ASSERT_NE(gold, nullptr) << report.DebugString();
  EXPECT_EQ(gold->requests(), 2u);
  EXPECT_EQ(gold->within_target(), 1u);
  EXPECT_DOUBLE_EQ(gold->percent(), 50);
  EXPECT_FALSE(gold->met());
  const v1::TargetCompliance* april =
      FindRow(report, "vip_hotline_20s", "钻卡", Local(2026, 4, 1, 0));
  ASSERT_NE(april, nullptr) << report.DebugString();
  EXPECT_EQ(april->requests(), 5u);
  EXPECT_EQ(april->within_target(), 4u);
  EXPECT_DOUBLE_EQ(april->percent(), 80);
  EXPECT_FALSE(april->met());
  for (const auto& row : report.rows()) {
    EXPECT_NE(row.tier(), "member") << row.DebugString();
    EXPECT_EQ(row.target(), "vip_hotline_20s");
  }
}

// --- contact cadences --------------------------------------------------------

TEST_F(ServiceLevelsScenario, ContactCadencesByClassAndCard) {
  const int64_t t0 = Local(2026, 3, 2, 9);  // Monday
  for (const char* id : {"a", "b", "c", "d"}) h_.Must(Enrol(id, t0));
  h_.Must(AssignManager("a", Local(2026, 3, 2, 9, 10), "m1"));
  h_.Must(AssignManager("b", Local(2026, 3, 2, 9, 10), "m1"));
  h_.Must(AssignManager("c", Local(2026, 3, 2, 9, 10), "m2"));
  h_.Must(Buy("a", Local(2026, 3, 2, 10), Yuan(100'000)));
  h_.Must(Buy("b", Local(2026, 3, 2, 10), Yuan(20'000)));
  h_.Must(CardGrant("d", Local(2026, 3, 2, 10), "钻卡"));

  // C: phone every 2 weeks, visit every 4 months; member: an SMS a month.
  v1::Customer c = h_.Get("c");
  const v1::CadenceStatus* s = FindCadence(c, kClass, "phone");
  ASSERT_NE(s, nullptr) << c.DebugString();
  EXPECT_EQ(s->tier(), "C");
  EXPECT_EQ(s->due().seconds(), Local(2026, 3, 16, 9));
  EXPECT_FALSE(s->has_last_contact());
  s = FindCadence(c, kClass, "visit");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->due().seconds(), Local(2026, 7, 2, 9));
  s = FindCadence(c, kCard, "sms");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->tier(), "member");
  EXPECT_EQ(s->due().seconds(), Local(2026, 4, 2, 9));
  EXPECT_EQ(c.cadences_size(), 3);

  // B: phone weekly, visit every 3 months, from entering B.
  v1::Customer b = h_.Get("b");
  s = FindCadence(b, kClass, "phone");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->tier(), "B");
  EXPECT_EQ(s->due().seconds(), Local(2026, 3, 9, 10));
  s = FindCadence(b, kClass, "visit");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->due().seconds(), Local(2026, 6, 2, 10));

  // A: phone weekly, visit every 2 months.
  v1::Customer a = h_.Get("a");
  s = FindCadence(a, kClass, "visit");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->tier(), "A");
  EXPECT_EQ(s->due().seconds(), Local(2026, 5, 2, 10));

  // Diamond: a call or a visit a month, instead of the SMS.
  v1::Customer d = h_.Get("d");
  s = FindCadence(d, kCard, "call_or_visit");
  ASSERT_NE(s, nullptr) << d.DebugString();
  EXPECT_EQ(s->tier(), "钻卡");
  EXPECT_EQ(s->due().seconds(), Local(2026, 4, 2, 10));
  EXPECT_EQ(FindCadence(d, kCard, "sms"), nullptr);

  // A phone call moves the next due time.
  h_.Must(ContactEvent("a", Local(2026, 3, 5, 15), "phone"));
  a = h_.Get("a");
  s = FindCadence(a, kClass, "phone");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->last_contact().seconds(), Local(2026, 3, 5, 15));
  EXPECT_EQ(s->due().seconds(), Local(2026, 3, 12, 15));
  // An SMS does not count for the phone cadence.
  h_.Must(ContactEvent("b", Local(2026, 3, 5, 16), "sms"));
  b = h_.Get("b");
  ASSERT_NE(FindCadence(b, kClass, "phone"), nullptr);
  EXPECT_EQ(FindCadence(b, kClass, "phone")->due().seconds(),
            Local(2026, 3, 9, 10));
  ASSERT_NE(FindCadence(b, kCard, "sms"), nullptr);
  EXPECT_EQ(FindCadence(b, kCard, "sms")->due().seconds(),
            Local(2026, 4, 5, 16));

  // m1's overdue calls, most overdue first.
  v1::OverdueQuery q;
  q.set_manager("m1");
  q.set_kind(v1::OverdueQuery::CADENCE);
  q.mutable_as_of()->set_seconds(Local(2026, 3, 13, 0));
  v1::OverdueList list = Overdue(q);
  EXPECT_EQ(Names(list), (std::vector<std::string>{"b/phone", "a/phone"}));
  if (list.items_size() == 2) {
    EXPECT_EQ(list.items(0).manager(), "m1");
    EXPECT_EQ(list.items(0).kind(), v1::OverdueQuery::CADENCE);
    EXPECT_EQ(list.items(0).program(), kClass);
    EXPECT_EQ(list.items(0).tier(), "B");
    EXPECT_EQ(list.items(0).due().seconds(), Local(2026, 3, 9, 10));
    EXPECT_EQ(list.items(1).due().seconds(), Local(2026, 3, 12, 15));
  }
  EXPECT_FALSE(list.truncated());
  // Due in [10 Mar, 13 Mar].
  q.mutable_due_from()->set_seconds(Local(2026, 3, 10, 0));
  EXPECT_EQ(Names(Overdue(q)), (std::vector<std::string>{"a/phone"}));
  // Limit.
  q.clear_due_from();
  q.set_limit(1);
  list = Overdue(q);
  EXPECT_EQ(Names(list), (std::vector<std::string>{"b/phone"}));
  EXPECT_TRUE(list.truncated());
  // Everyone in class A.
  v1::OverdueQuery qa;
  qa.set_program(kClass);
  qa.set_tier("A");
  qa.mutable_as_of()->set_seconds(Local(2026, 3, 13, 0));
  EXPECT_EQ(Names(Overdue(qa)), (std::vector<std::string>{"a/phone"}));
  // Customers without a manager: d's class-C phone call, due 16 Mar.
  v1::OverdueQuery qu;
  qu.set_unowned(true);
  qu.set_kind(v1::OverdueQuery::CADENCE);
  qu.mutable_as_of()->set_seconds(Local(2026, 3, 17, 0));
  EXPECT_EQ(Names(Overdue(qu)), (std::vector<std::string>{"d/phone"}));
  v1::OverdueQuery q2;
  q2.set_manager("m2");
  q2.mutable_as_of()->set_seconds(Local(2026, 3, 17, 0));
  EXPECT_EQ(Names(Overdue(q2)), (std::vector<std::string>{"c/phone"}));
  // Unknown program or tier.
  v1::OverdueQuery bad;
  bad.set_program(kCard);
  bad.set_tier("platinum");
  v1::OverdueList out;
  EXPECT_EQ(h_.engine().ListOverdue(bad, &out).code(),
            absl::StatusCode::kNotFound);

  // A visit counts for the diamond call-or-visit and for the class visit.
  h_.Must(ContactEvent("d", Local(2026, 3, 20, 10), "visit"));
  d = h_.Get("d");
  ASSERT_NE(FindCadence(d, kCard, "call_or_visit"), nullptr);
  EXPECT_EQ(FindCadence(d, kCard, "call_or_visit")->due().seconds(),
            Local(2026, 4, 20, 10));
  ASSERT_NE(FindCadence(d, kClass, "visit"), nullptr);
  EXPECT_EQ(FindCadence(d, kClass, "visit")->due().seconds(),
            Local(2026, 7, 20, 10));
  // Overdue as of the engine clock (20 Mar).
  b = h_.Get("b");
  ASSERT_NE(FindCadence(b, kClass, "phone"), nullptr);
  EXPECT_TRUE(FindCadence(b, kClass, "phone")->overdue());
  ASSERT_NE(FindCadence(b, kClass, "visit"), nullptr);
  EXPECT_FALSE(FindCadence(b, kClass, "visit")->overdue());
}

// --- obligations on VIP entry ------------------------------------------------

TEST_F(ServiceLevelsScenario, ObligationsOnVipEntryInWorkingDaysAndMonths) {
  // d1 becomes 钻卡 on Monday 26 Jan 2026: bind a manager within 3 working
  // days (Thu 29 Jan), first visit within a month (Thu 26 Feb), a notice 3
  // working days before the visit: Wed 25, Tue 24, then back over the
  // Spring Festival to the make-up Saturday 14 Feb.
  h_.Must(Enrol("d1", Local(2026, 1, 20, 9)));
  h_.Must(CardGrant("d1", Local(2026, 1, 26, 10), "钻卡"));
  v1::Customer d1 = h_.Get("d1");
  const v1::TaskStatus* t = FindTask(d1, "bind_manager");
  ASSERT_NE(t, nullptr) << d1.DebugString();
  EXPECT_EQ(t->program(), kCard);
  EXPECT_EQ(t->tier(), "钻卡");
  EXPECT_EQ(t->state(), v1::TaskStatus::OPEN);
  EXPECT_EQ(t->created_at().seconds(), Local(2026, 1, 26, 10));
  EXPECT_EQ(t->due().seconds(), Local(2026, 1, 29, 10));
  t = FindTask(d1, "first_visit");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->due().seconds(), Local(2026, 2, 26, 10));
  t = FindTask(d1, "visit_notice");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->due().seconds(), Local(2026, 2, 14, 10));

  // d2 becomes 钻卡 on Thursday 12 Feb: bind by Fri 13, Sat 14 (make-up),
  // Tue 24 Feb; first visit by 12 Mar; notice 3 working days before: 9 Mar.
  h_.Must(Enrol("d2", Local(2026, 2, 9, 9)));
  h_.Must(CardGrant("d2", Local(2026, 2, 12, 10), "钻卡"));
  v1::Customer d2 = h_.Get("d2");
  ASSERT_NE(FindTask(d2, "bind_manager"), nullptr) << d2.DebugString();
  EXPECT_EQ(FindTask(d2, "bind_manager")->due().seconds(),
            Local(2026, 2, 24, 10));
  ASSERT_NE(FindTask(d2, "first_visit"), nullptr);
  EXPECT_EQ(FindTask(d2, "first_visit")->due().seconds(),
            Local(2026, 3, 12, 10));
  ASSERT_NE(FindTask(d2, "visit_notice"), nullptr);
  EXPECT_EQ(FindTask(d2, "visit_notice")->due().seconds(),
            Local(2026, 3, 9, 10));
  // d1's binding is overdue (engine clock: 12 Feb).
  d1 = h_.Get("d1");
  ASSERT_NE(FindTask(d1, "bind_manager"), nullptr);
  EXPECT_TRUE(FindTask(d1, "bind_manager")->overdue());

  // g has a manager before entering 金卡: bind_manager is done at once.
  // 金卡: 5 working days to bind, 2 months to the first visit.
  h_.Must(Enrol("g", Local(2026, 2, 9, 9)));
  h_.Must(AssignManager("g", Local(2026, 2, 10, 9), "m1"));
  h_.Must(CardGrant("g", Local(2026, 2, 12, 10), "金卡"));
  v1::Customer g = h_.Get("g");
  ASSERT_NE(FindTask(g, "bind_manager"), nullptr) << g.DebugString();
  EXPECT_EQ(FindTask(g, "bind_manager")->state(), v1::TaskStatus::DONE);
  EXPECT_EQ(FindTask(g, "bind_manager")->closed_at().seconds(),
            Local(2026, 2, 12, 10));
  EXPECT_EQ(FindTask(g, "bind_manager")->closed_by(), "manager");
  // Fri 13, Sat 14 (make-up), Tue 24, Wed 25, Thu 26 Feb.
  ASSERT_NE(FindTask(g, "bind_manager"), nullptr);
  EXPECT_EQ(FindTask(g, "bind_manager")->due().seconds(),
            Local(2026, 2, 26, 10));
  ASSERT_NE(FindTask(g, "first_visit"), nullptr);
  EXPECT_EQ(FindTask(g, "first_visit")->due().seconds(),
            Local(2026, 4, 12, 10));

  // Completion by manager, by contact channel and by TaskCompleted.
  h_.Must(AssignManager("d2", Local(2026, 2, 13, 11), "m1"));
  d2 = h_.Get("d2");
  t = FindTask(d2, "bind_manager");
  ASSERT_NE(t, nullptr) << d2.DebugString();
  EXPECT_EQ(t->state(), v1::TaskStatus::DONE);
  EXPECT_EQ(t->closed_at().seconds(), Local(2026, 2, 13, 11));
  EXPECT_EQ(t->closed_by(), "manager");

  // Overdue obligations of customers without a manager, as of 25 Feb.
  v1::OverdueQuery q;
  q.set_unowned(true);
  q.set_kind(v1::OverdueQuery::TASK);
  q.mutable_as_of()->set_seconds(Local(2026, 2, 25, 0));
  v1::OverdueList list = Overdue(q);
  EXPECT_EQ(Names(list),
            (std::vector<std::string>{"d1/bind_manager", "d1/visit_notice"}));
  if (list.items_size() == 2) {
    EXPECT_EQ(list.items(0).kind(), v1::OverdueQuery::TASK);
    EXPECT_EQ(list.items(0).manager(), "");
    EXPECT_EQ(list.items(0).tier(), "钻卡");
    EXPECT_EQ(list.items(0).due().seconds(), Local(2026, 1, 29, 10));
  }
  // m1's tasks as of 10 Mar: d2's notice (9 Mar) is overdue.
  v1::OverdueQuery qm;
  qm.set_manager("m1");
  qm.set_kind(v1::OverdueQuery::TASK);
  qm.mutable_as_of()->set_seconds(Local(2026, 3, 10, 0));
  EXPECT_EQ(Names(Overdue(qm)), (std::vector<std::string>{"d2/visit_notice"}));

  h_.Must(ContactEvent("d2", Local(2026, 3, 5, 10), "sms", "m1"));
  d2 = h_.Get("d2");
  t = FindTask(d2, "visit_notice");
  ASSERT_NE(t, nullptr) << d2.DebugString();
  EXPECT_EQ(t->state(), v1::TaskStatus::DONE);
  EXPECT_EQ(t->closed_by(), "sms");
  EXPECT_EQ(Names(Overdue(qm)), (std::vector<std::string>{}));

  h_.Must(CompleteTask("d2", Local(2026, 3, 10, 16), "first_visit", "张经理"));
  d2 = h_.Get("d2");
  t = FindTask(d2, "first_visit");
  ASSERT_NE(t, nullptr) << d2.DebugString();
  EXPECT_EQ(t->state(), v1::TaskStatus::DONE);
  EXPECT_EQ(t->closed_by(), "张经理");
  EXPECT_EQ(t->closed_at().seconds(), Local(2026, 3, 10, 16));
  // Completing a closed or unknown task is an error; nothing changes.
  const std::string before = h_.Get("d2").DebugString();
  EXPECT_FALSE(
      h_.Apply(CompleteTask("d2", Local(2026, 3, 10, 17), "first_visit", "x"))
          .ok());
  EXPECT_FALSE(
      h_.Apply(CompleteTask("d2", Local(2026, 3, 10, 17), "nope", "x")).ok());
  EXPECT_EQ(h_.Get("d2").DebugString(), before);

  // Moving to another tier cancels the open tasks.
  h_.Must(Revoke("d1", Local(2026, 3, 10, 18), kCard));
  EXPECT_EQ(h_.Tier("d1", kCard), "member");
  d1 = h_.Get("d1");
  for (const auto& task : d1.tasks()) {
    EXPECT_NE(task.state(), v1::TaskStatus::OPEN) << task.DebugString();
    if (task.state() == v1::TaskStatus::CANCELLED) {
      EXPECT_EQ(task.closed_at().seconds(), Local(2026, 3, 10, 18));
    }
  }
  q.mutable_as_of()->set_seconds(Local(2026, 3, 11, 0));
  EXPECT_EQ(Names(Overdue(q)), (std::vector<std::string>{}));
}

// --- capacity and coverage ---------------------------------------------------

TEST_F(ServiceLevelsScenario, ManagerCapacityByCardTierAndVipCoverage) {
  const int64_t t0 = Local(2026, 3, 2, 9);
  std::vector<v1::Event> events;
  auto customer = [&](const std::string& id, std::string_view tier,
                      std::string_view manager) {
    events.push_back(Enrol(id, t0));
    if (!manager.empty()) {
      events.push_back(AssignManager(id, t0 + 60, manager));
    }
    if (!tier.empty()) events.push_back(CardGrant(id, t0 + 120, tier));
  };
  // m1: 100 diamond (1:200) and 300 gold (1:500): load 0.5 + 0.6 = 1.1.
  for (int i = 0; i < 100; ++i) customer(absl::StrCat("D", i), "钻卡", "m1");
  for (int i = 0; i < 300; ++i) customer(absl::StrCat("G", i), "金卡", "m1");
  // m2: one silver (1:1000) and a member (no capacity).
  customer("S0", "银卡", "m2");
  customer("M0", "", "m2");
  // Without a manager: a gold and a diamond (VIP: must have one), a silver.
  customer("u1", "金卡", "");
  customer("u2", "银卡", "");
  customer("u3", "钻卡", "");
  size_t applied = 0;
  ASSERT_TRUE(h_.engine()
                  .ApplyBatch(events.data(), events.size(), nullptr, &applied)
                  .ok());

  v1::CapacityReport report = Capacity();
  ASSERT_EQ(report.over_capacity_size(), 1) << report.DebugString();
  const v1::ManagerLoad& m1 = report.over_capacity(0);
  EXPECT_EQ(m1.manager(), "m1");
  EXPECT_NEAR(m1.load(), 1.1, 1e-9);
  uint64_t diamonds = 0, golds = 0;
  for (const auto& tc : m1.tiers()) {
    EXPECT_EQ(tc.program(), kCard);
    if (tc.tier() == "钻卡") {
      diamonds = tc.customers();
      EXPECT_EQ(tc.capacity(), 200);
    }
    if (tc.tier() == "金卡") {
      golds = tc.customers();
      EXPECT_EQ(tc.capacity(), 500);
    }
  }
  EXPECT_EQ(diamonds, 100u);
  EXPECT_EQ(golds, 300u);
  EXPECT_EQ(report.unmanaged_count(), 2u);
  std::vector<std::string> unmanaged(report.unmanaged_customer_ids().begin(),
                                     report.unmanaged_customer_ids().end());
  std::sort(unmanaged.begin(), unmanaged.end());
  EXPECT_EQ(unmanaged, (std::vector<std::string>{"u1", "u3"}));
  EXPECT_EQ(report.manager_count(), 2u);

  // Handover of 50 gold customers to m3: m1 is at exactly 1.0, not over.
  const int64_t t1 = Local(2026, 3, 3, 10);
  for (int i = 0; i < 50; ++i) {
    h_.Must(AssignManager(absl::StrCat("G", i), t1, "m3", "branch head",
                          "rebalancing"));
  }
  v1::Customer g0 = h_.Get("G0");
  EXPECT_EQ(g0.ownership().primary_manager(), "m3");
  EXPECT_EQ(g0.ownership().primary_since().seconds(), t1);
  EXPECT_EQ(g0.ownership().last_handover().from_manager(), "m1");
  EXPECT_EQ(g0.ownership().last_handover().to_manager(), "m3");
  EXPECT_EQ(g0.ownership().last_handover().actor(), "branch head");
  EXPECT_EQ(g0.ownership().last_handover().reason(), "rebalancing");
  EXPECT_EQ(g0.ownership().last_handover().at().seconds(), t1);
  report = Capacity();
  EXPECT_EQ(report.over_capacity_size(), 0) << report.DebugString();
  EXPECT_EQ(report.manager_count(), 3u);

  // Removing a diamond customer's manager: covered no more.
  h_.Must(AssignManager("D0", t1, "", "branch head", "manager left"));
  EXPECT_EQ(h_.Get("D0").ownership().primary_manager(), "");
  report = Capacity();
  EXPECT_EQ(report.unmanaged_count(), 3u);
  // A silver upgraded to gold by purchases now needs a manager too.
  for (int i = 0; i < 8; ++i) {
    h_.Must(Buy("u2", t1 + 60 * (i + 1), Yuan(2'500)));
  }
  EXPECT_EQ(h_.Tier("u2", kCard), "金卡");
  report = Capacity();
  EXPECT_EQ(report.unmanaged_count(), 4u);
  unmanaged.assign(report.unmanaged_customer_ids().begin(),
                   report.unmanaged_customer_ids().end());
  std::sort(unmanaged.begin(), unmanaged.end());
  EXPECT_EQ(unmanaged, (std::vector<std::string>{"D0", "u1", "u2", "u3"}));
  // The limit caps the ids, not the count.
  v1::CapacityReport limited;
  ASSERT_TRUE(h_.engine().GetCapacityReport(1, &limited).ok());
  EXPECT_EQ(limited.unmanaged_count(), 4u);
  EXPECT_EQ(limited.unmanaged_customer_ids_size(), 1);
}

// --- entitlements ----------------------------------------------------------

TEST_F(ServiceLevelsScenario, EntitlementsByCardAndClass) {
  const int64_t t0 = Local(2026, 3, 2, 9);
  for (const char* id : {"d", "m", "a", "s"}) h_.Must(Enrol(id, t0));
  h_.Must(CardGrant("d", t0 + 60, "钻卡"));
  h_.Must(Buy("a", t0 + 60, Yuan(100'000)));
  for (int i = 0; i < 4; ++i) h_.Must(Buy("s", t0 + 60 * (i + 1), Yuan(1'500)));
  EXPECT_EQ(h_.Tier("s", kCard), "银卡");
  EXPECT_EQ(h_.Tier("s", kClass), "C");
  EXPECT_EQ(h_.Tier("a", kCard), "member");

  // Diamond: everything; booking and the gift cap inherited from 金卡.
  v1::EntitlementSet d = Entitlements("d");
  EXPECT_EQ(d.customer_id(), "d");
  std::vector<std::string> names;
  for (const auto& e : d.entitlements()) names.push_back(e.name());
  EXPECT_EQ(names,
            (std::vector<std::string>{"dedicated_hotline", "service_priority",
                                      "priority_booking", "discount",
                                      "points_multiplier", "gift_cap"}));
  const v1::ResolvedEntitlement* e = FindEntitlement(d, "dedicated_hotline");
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(e->value().flag());
  EXPECT_EQ(e->type(), v1::EntitlementDecl::FLAG);
  EXPECT_EQ(e->program(), kCard);
  EXPECT_EQ(e->tier(), "钻卡");
  EXPECT_EQ(e->defined_by_tier(), "钻卡");
  e = FindEntitlement(d, "service_priority");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->value().rank(), 1);
  e = FindEntitlement(d, "priority_booking");
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(e->value().flag());
  EXPECT_EQ(e->tier(), "钻卡");
  EXPECT_EQ(e->defined_by_tier(), "金卡");
  e = FindEntitlement(d, "discount");
  ASSERT_NE(e, nullptr);
  EXPECT_DOUBLE_EQ(e->value().percent(), 10);
  e = FindEntitlement(d, "points_multiplier");
  ASSERT_NE(e, nullptr);
  EXPECT_DOUBLE_EQ(e->value().multiplier(), 2);
  e = FindEntitlement(d, "gift_cap");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->value().amount(), Yuan(500));
  EXPECT_EQ(e->defined_by_tier(), "金卡");

  // Member: rank 4, single points, gifts up to 100 CNY; nothing else.
  v1::EntitlementSet m = Entitlements("m");
  names.clear();
  for (const auto& x : m.entitlements()) names.push_back(x.name());
  EXPECT_EQ(names, (std::vector<std::string>{"service_priority",
                                             "points_multiplier", "gift_cap"}));
  ASSERT_NE(FindEntitlement(m, "service_priority"), nullptr);
  EXPECT_EQ(FindEntitlement(m, "service_priority")->value().rank(), 4);
  ASSERT_NE(FindEntitlement(m, "gift_cap"), nullptr);
  EXPECT_EQ(FindEntitlement(m, "gift_cap")->value().amount(), Yuan(100));
  EXPECT_DOUBLE_EQ(
      FindEntitlement(m, "points_multiplier")->value().multiplier(), 1);

  // Class A member: the better rank comes from the class program.
  v1::EntitlementSet a = Entitlements("a");
  e = FindEntitlement(a, "service_priority");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->value().rank(), 2);
  EXPECT_EQ(e->program(), kClass);
  EXPECT_EQ(e->tier(), "A");
  EXPECT_EQ(FindEntitlement(a, "dedicated_hotline"), nullptr);

  // Silver: 5% off, rank 3, the member gift cap.
  v1::EntitlementSet s = Entitlements("s");
  ASSERT_NE(FindEntitlement(s, "discount"), nullptr);
  EXPECT_DOUBLE_EQ(FindEntitlement(s, "discount")->value().percent(), 5);
  ASSERT_NE(FindEntitlement(s, "service_priority"), nullptr);
  EXPECT_EQ(FindEntitlement(s, "service_priority")->value().rank(), 3);
  ASSERT_NE(FindEntitlement(s, "gift_cap"), nullptr);
  EXPECT_EQ(FindEntitlement(s, "gift_cap")->value().amount(), Yuan(100));
  EXPECT_EQ(FindEntitlement(s, "gift_cap")->defined_by_tier(), "member");
  EXPECT_EQ(FindEntitlement(s, "priority_booking"), nullptr);

  // The card returned: back to the member's entitlements at once.
  h_.Must(Revoke("d", t0 + 3600, kCard));
  v1::EntitlementSet back = Entitlements("d");
  EXPECT_EQ(FindEntitlement(back, "dedicated_hotline"), nullptr);
  ASSERT_NE(FindEntitlement(back, "service_priority"), nullptr);
  EXPECT_EQ(FindEntitlement(back, "service_priority")->value().rank(), 4);
  v1::EntitlementSet none;
  EXPECT_EQ(h_.engine().ResolveEntitlements("nobody", &none).code(),
            absl::StatusCode::kNotFound);
}

// --- validation of bad service-level input ---------------------------------

class ServiceLevelsValidation : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<v1::Policy> p = LoadPolicyFile(kPolicyPath);
    ASSERT_TRUE(p.ok()) << p.status();
    policy_ = *p;
  }
  // The policy must be refused with InvalidArgument naming every part.
  void ExpectRefused(const v1::Policy& policy,
                     const std::vector<std::string>& parts) {
    absl::Status s = ValidatePolicy(policy);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    for (const std::string& part : parts) {
      EXPECT_TRUE(absl::StrContains(s.message(), part))
          << "\"" << part << "\" not in: " << s.message();
    }
    absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Create(policy);
    EXPECT_EQ(engine.status().code(), absl::StatusCode::kInvalidArgument);
  }
  v1::Policy policy_;
};

TEST_F(ServiceLevelsValidation, NegativeDurationNamesThePath) {
  v1::Policy p = policy_;
  p.mutable_service_levels()
      ->mutable_deadlines(3)
      ->mutable_respond_within()
      ->set_amount(-3);
  ExpectRefused(p, {"service_levels.deadlines[3].respond_within"});

  p = policy_;
  p.mutable_tier_programs(0)
      ->mutable_tiers(2)
      ->mutable_cadences(0)
      ->mutable_every()
      ->set_amount(-1);
  ExpectRefused(p, {"tier_programs[0].tiers[2].cadences[0].every"});
}

TEST_F(ServiceLevelsValidation, UnknownCalendarNamesThePath) {
  v1::Policy p = policy_;
  p.mutable_service_levels()->set_calendar("cn_2027");
  ExpectRefused(p, {"service_levels.calendar", "cn_2027"});

  p = policy_;
  p.mutable_tier_programs(1)
      ->mutable_tiers(3)
      ->mutable_obligations(0)
      ->mutable_due_after()
      ->set_calendar("moon");
  ExpectRefused(p,
                {"tier_programs[1].tiers[3].obligations[0].due_after", "moon"});

  // Working units with no calendar at all.
  p = policy_;
  p.clear_calendars();
  p.mutable_service_levels()->clear_calendar();
  EXPECT_EQ(ValidatePolicy(p).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ServiceLevelsValidation, HolidayThatIsAlsoAMakeupWorkday) {
  v1::Policy p = policy_;
  p.mutable_calendars(0)->add_holidays("2026-02-14");
  ExpectRefused(p, {"calendars[0]", "2026-02-14"});
}

}  // namespace
}  // namespace standing::scenario
