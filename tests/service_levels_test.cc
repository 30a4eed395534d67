// Service levels under a small inline policy: deadlines in working time
// (with the 2026 Spring Festival), pause/resume, breaches, percentage
// targets, cadences and the overdue index, obligations, ownership and
// capacity, snapshots, policy replacement and bad input (state unchanged).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "scenario_util.h"
#include "standing/engine.h"
#include "standing/policy.h"

namespace standing::scenario {
namespace {

// Class C < B < A by revenue this year; card member < gold.
constexpr char kPolicy[] = R"pb(
  name: "service"
  version: "1"
  time_zone: "+08:00"
  currency: "CNY"
  metrics {
    name: "revenue"
    aggregate: SUM
    field: AMOUNT
    window { calendar { period: YEAR } }
  }
  tier_programs {
    name: "class"
    downgrade: IMMEDIATE
    tiers {
      name: "C"
      cadences {
        name: "phone"
        channels: "phone"
        every { amount: 2 unit: WEEKS }
      }
    }
    tiers {
      name: "B"
      qualify { metric { metric: "revenue" op: GE value: 100000 } }
      cadences {
        name: "phone"
        channels: "phone"
        every { amount: 1 unit: WEEKS }
      }
      cadences {
        name: "visit"
        channels: "visit"
        every { amount: 3 unit: MONTHS }
      }
      obligations {
        name: "bind_manager"
        due_after { amount: 3 unit: WORKING_DAYS }
        completed_by_manager: true
      }
      obligations {
        name: "first_visit"
        due_after { amount: 1 unit: MONTHS }
        completed_by_channels: "visit"
      }
      obligations {
        name: "visit_notice"
        before: "first_visit"
        lead { amount: 2 unit: WORKING_DAYS }
      }
      customers_per_manager: 2
      requires_manager: true
    }
    tiers {
      name: "A"
      qualify { metric { metric: "revenue" op: GE value: 1000000 } }
      customers_per_manager: 1
      requires_manager: true
    }
  }
  calendars {
    name: "cn"
    time_zone: "+08:00"
    hours { start: "09:00" end: "18:00" }
    holidays: [
      "2026-02-15",
      "2026-02-16",
      "2026-02-17",
      "2026-02-18",
      "2026-02-19",
      "2026-02-20",
      "2026-02-21",
      "2026-02-22",
      "2026-02-23"
    ]
    makeup_workdays: [ "2026-02-14", "2026-02-28" ]
  }
  service_levels {
    calendar: "cn"
    deadlines {
      name: "vip_complaint"
      request_types: "complaint"
      when { tier_at_least { program: "class" tier: "B" } }
      respond_within { amount: 4 unit: WORKING_HOURS }
      resolve_within { amount: 2 unit: WORKING_DAYS }
    }
    deadlines {
      name: "info_entry"
      request_types: "info_entry"
      warn_after { amount: 1 unit: DAYS }
      resolve_within { amount: 2 unit: DAYS }
    }
    deadlines {
      name: "priority_a"
      priorities: "A"
      respond_within { amount: 24 unit: HOURS }
    }
    targets {
      name: "hotline"
      request_types: "hotline"
      program: "class"
      respond_within { amount: 20 unit: SECONDS }
      percent: 90
    }
  }
)pb";

v1::Event Request(std::string_view id, int64_t at, std::string_view rid,
                  v1::ServiceRequest::Stage stage, std::string_view type = "",
                  std::string_view priority = "") {
  v1::Event e = NewEvent(id, at);
  auto* r = e.mutable_service_request();
  r->set_request_id(std::string(rid));
  r->set_stage(stage);
  r->set_request_type(std::string(type));
  r->set_priority(std::string(priority));
  return e;
}

v1::Event Contact(std::string_view id, int64_t at, std::string_view channel) {
  v1::Event e = NewEvent(id, at);
  e.mutable_contact()->set_channel(std::string(channel));
  return e;
}

v1::Event Manager(
    std::string_view id, int64_t at, std::string_view manager,
    v1::ManagerAssignment::Role role = v1::ManagerAssignment::PRIMARY) {
  v1::Event e = NewEvent(id, at);
  e.mutable_manager()->set_manager(std::string(manager));
  e.mutable_manager()->set_role(role);
  e.mutable_manager()->set_actor("ops");
  e.mutable_manager()->set_reason("assignment");
  return e;
}

class ServiceLevelsTest : public ::testing::Test {
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
    absl::Status s = engine_->Apply(e, nullptr);
    ASSERT_TRUE(s.ok()) << e.ShortDebugString() << ": " << s;
  }
  v1::Customer Get(std::string_view id) {
    v1::Customer c;
    EXPECT_TRUE(engine_->GetCustomer(id, &c).ok());
    return c;
  }
  std::string Snapshot() {
    std::string bytes;
    EXPECT_TRUE(engine_->SaveSnapshot(&bytes).ok());
    return bytes;
  }
  v1::Policy policy_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(ServiceLevelsTest, WorkingTimeDeadlinesSkipTheSpringFestival) {
  // Class B from the first purchase; Friday 2026-02-13 16:00, the last
  // working day before the holiday; Saturday 02-14 is a make-up workday.
  Must(Enrol("c1", Local(2026, 2, 2, 0)));
  Must(Enrol("c2", Local(2026, 2, 2, 0)));
  Must(Buy("c1", Local(2026, 2, 3), 200000));
  Must(Request("c1", Local(2026, 2, 13, 16), "r1", v1::ServiceRequest::OPENED,
               "complaint"));
  v1::RequestStatus r;
  ASSERT_TRUE(engine_->GetRequest("c1", "r1", 0, &r).ok());
  EXPECT_EQ(r.rule(), "vip_complaint");
  // 2 working hours on Friday (16-18), 2 more on the make-up Saturday.
  EXPECT_EQ(r.respond_by().seconds(), Local(2026, 2, 14, 11));
  // Two working days: Saturday 02-14 (make-up), then Tuesday 02-24.
  EXPECT_EQ(r.resolve_by().seconds(), Local(2026, 2, 24, 16));
  EXPECT_FALSE(r.response_breached());
  ASSERT_TRUE(engine_->GetRequest("c1", "r1", Local(2026, 2, 14, 12), &r).ok());
  EXPECT_TRUE(r.response_breached());
  EXPECT_FALSE(r.resolution_breached());

  v1::BreachList breaches;
  ASSERT_TRUE(engine_->ListBreaches(Local(2026, 2, 14, 12), 0, &breaches).ok());
  ASSERT_EQ(breaches.items_size(), 1);
  EXPECT_EQ(breaches.items(0).customer_id(), "c1");
  ASSERT_TRUE(engine_->ListBreaches(Local(2026, 2, 14, 10), 0, &breaches).ok());
  EXPECT_EQ(breaches.items_size(), 0);

  // A class-C customer's complaint matches no rule: tracked, no due times.
  Must(Request("c2", Local(2026, 2, 13, 16), "r1", v1::ServiceRequest::OPENED,
               "complaint"));
  ASSERT_TRUE(engine_->GetRequest("c2", "r1", 0, &r).ok());
  EXPECT_EQ(r.rule(), "");
  EXPECT_FALSE(r.has_respond_by());
}

TEST_F(ServiceLevelsTest, PauseStopsTheClockAndRespondingRecordsBreach) {
  Must(Enrol("c1", Local(2026, 3, 2, 0)));
  Must(Request("c1", Local(2026, 3, 2, 9), "p", v1::ServiceRequest::OPENED, "",
               "A"));
  v1::RequestStatus r;
  ASSERT_TRUE(engine_->GetRequest("c1", "p", 0, &r).ok());
  EXPECT_EQ(r.respond_by().seconds(), Local(2026, 3, 3, 9));
  Must(Request("c1", Local(2026, 3, 2, 10), "p", v1::ServiceRequest::PAUSED));
  // While paused, nothing breaches.
  ASSERT_TRUE(engine_->GetRequest("c1", "p", Local(2026, 3, 5), &r).ok());
  EXPECT_TRUE(r.paused());
  EXPECT_FALSE(r.response_breached());
  Must(Request("c1", Local(2026, 3, 2, 16), "p", v1::ServiceRequest::RESUMED));
  ASSERT_TRUE(engine_->GetRequest("c1", "p", 0, &r).ok());
  EXPECT_EQ(r.respond_by().seconds(), Local(2026, 3, 3, 15));  // +6 h
  EXPECT_EQ(r.paused_seconds(), 6 * 3600);
  Must(
      Request("c1", Local(2026, 3, 3, 16), "p", v1::ServiceRequest::RESPONDED));
  ASSERT_TRUE(engine_->GetRequest("c1", "p", 0, &r).ok());
  EXPECT_TRUE(r.response_breached());  // an hour late
  Must(Request("c1", Local(2026, 3, 3, 17), "p", v1::ServiceRequest::RESOLVED));
  ASSERT_TRUE(engine_->GetRequest("c1", "p", 0, &r).ok());
  EXPECT_TRUE(r.has_resolved_at());
  v1::Customer c = Get("c1");
  ASSERT_EQ(c.requests_size(), 1);
  EXPECT_TRUE(c.requests(0).has_resolved_at());
}

TEST_F(ServiceLevelsTest, WarningBeforeBreach) {
  Must(Enrol("c1", Local(2026, 3, 2, 0)));
  Must(Request("c1", Local(2026, 3, 2, 9), "i", v1::ServiceRequest::OPENED,
               "info_entry"));
  v1::RequestStatus r;
  ASSERT_TRUE(engine_->GetRequest("c1", "i", Local(2026, 3, 3, 10), &r).ok());
  EXPECT_TRUE(r.warning());
  EXPECT_FALSE(r.resolution_breached());
  ASSERT_TRUE(engine_->GetRequest("c1", "i", Local(2026, 3, 4, 10), &r).ok());
  EXPECT_TRUE(r.resolution_breached());
}

TEST_F(ServiceLevelsTest, PreviewAnswersByWhenWithoutOpening) {
  Must(Enrol("c1", Local(2026, 2, 2, 0)));
  Must(Buy("c1", Local(2026, 2, 3), 200000));
  v1::RequestStatus r;
  ASSERT_TRUE(
      engine_->PreviewRequest("c1", "complaint", "", Local(2026, 2, 13, 16), &r)
          .ok());
  EXPECT_EQ(r.respond_by().seconds(), Local(2026, 2, 14, 11));
  EXPECT_EQ(Get("c1").requests_size(), 0);
  EXPECT_EQ(engine_->PreviewRequest("nobody", "x", "", 0, &r).code(),
            absl::StatusCode::kNotFound);
}

TEST_F(ServiceLevelsTest, PercentageTargetPerTierAndMonth) {
  Must(Enrol("c1", Local(2026, 3, 2, 0)));
  for (int i = 0; i < 10; ++i) {
    const int64_t at = Local(2026, 3, 2, 10, i);
    const std::string id = absl::StrCat("h", i);
    Must(Request("c1", at, id, v1::ServiceRequest::OPENED, "hotline"));
    // One of ten answered after 25 s.
    Must(Request("c1", at + (i == 0 ? 25 : 10), id,
                 v1::ServiceRequest::RESPONDED));
  }
  v1::ComplianceReport report;
  ASSERT_TRUE(engine_->GetCompliance(&report).ok());
  ASSERT_EQ(report.rows_size(), 1);
  EXPECT_EQ(report.rows(0).target(), "hotline");
  EXPECT_EQ(report.rows(0).tier(), "C");
  EXPECT_EQ(report.rows(0).requests(), 10u);
  EXPECT_EQ(report.rows(0).within_target(), 9u);
  EXPECT_TRUE(report.rows(0).met());
  EXPECT_EQ(report.rows(0).period_start().seconds(), Local(2026, 3, 1, 0));
}

TEST_F(ServiceLevelsTest, CadencesAndTheOverdueIndex) {
  Must(Enrol("c1", Local(2026, 3, 2, 0)));
  Must(Enrol("c2", Local(2026, 3, 2, 0)));
  Must(Manager("c1", Local(2026, 3, 2, 13), "wang"));
  Must(Contact("c1", Local(2026, 3, 10), "phone"));
  // c1: phone due 03-24; c2 (no manager): due 03-16.
  v1::OverdueQuery q;
  q.set_manager("wang");
  q.mutable_as_of()->set_seconds(Local(2026, 3, 20));
  v1::OverdueList list;
  ASSERT_TRUE(engine_->ListOverdue(q, &list).ok());
  EXPECT_EQ(list.items_size(), 0);
  q.mutable_as_of()->set_seconds(Local(2026, 3, 25));
  ASSERT_TRUE(engine_->ListOverdue(q, &list).ok());
  ASSERT_EQ(list.items_size(), 1);
  EXPECT_EQ(list.items(0).customer_id(), "c1");
  EXPECT_EQ(list.items(0).name(), "phone");
  EXPECT_EQ(list.items(0).due().seconds(), Local(2026, 3, 24));

  v1::OverdueQuery unowned;
  unowned.set_unowned(true);
  unowned.mutable_as_of()->set_seconds(Local(2026, 3, 20));
  ASSERT_TRUE(engine_->ListOverdue(unowned, &list).ok());
  ASSERT_EQ(list.items_size(), 1);
  EXPECT_EQ(list.items(0).customer_id(), "c2");

  v1::OverdueQuery all;
  all.mutable_as_of()->set_seconds(Local(2026, 3, 25));
  all.set_program("class");
  all.set_tier("C");
  ASSERT_TRUE(engine_->ListOverdue(all, &list).ok());
  ASSERT_EQ(list.items_size(), 2);
  EXPECT_EQ(list.items(0).customer_id(), "c2");  // most overdue first
  all.set_tier("Z");
  EXPECT_EQ(engine_->ListOverdue(all, &list).code(),
            absl::StatusCode::kNotFound);

  // A contact moves the due date; the customer shows its cadence.
  Must(Contact("c1", Local(2026, 3, 26), "phone"));
  ASSERT_TRUE(engine_->ListOverdue(q, &list).ok());
  EXPECT_EQ(list.items_size(), 0);
  const v1::Customer c = Get("c1");
  ASSERT_EQ(c.cadences_size(), 1);
  EXPECT_EQ(c.cadences(0).due().seconds(), Local(2026, 4, 9));
  EXPECT_EQ(c.ownership().primary_manager(), "wang");
}

// Overdue entries keep short ids inline and point to the record for long
// ones; the tier filter answers from cadence entries and reads the tier for
// tasks; a reused list is overwritten to the same bytes as a fresh one.
TEST_F(ServiceLevelsTest, OverdueListLongIdsTierFilterAndReuse) {
  const std::string long_id = "customer-with-a-rather-long-id-0001";
  Must(Enrol(long_id, Local(2026, 3, 2, 0)));
  Must(Enrol("c2", Local(2026, 3, 2, 0)));
  Must(Manager(long_id, Local(2026, 3, 2, 13), "wang"));
  Must(Manager("c2", Local(2026, 3, 2, 13), "wang"));
  v1::OverdueQuery q;
  q.set_manager("wang");
  q.mutable_as_of()->set_seconds(Local(2026, 3, 20));
  v1::OverdueList reused;
  ASSERT_TRUE(engine_->ListOverdue(q, &reused).ok());
  ASSERT_EQ(reused.items_size(), 2);
  EXPECT_EQ(reused.items(0).customer_id(), long_id);  // enrolled first
  EXPECT_EQ(reused.items(1).customer_id(), "c2");
  EXPECT_EQ(reused.items(0).manager(), "wang");
  EXPECT_EQ(reused.items(0).tier(), "C");

  // The long-id customer moves to B: B's cadences and open tasks.
  Must(Buy(long_id, Local(2026, 3, 21), 200000));
  q.mutable_as_of()->set_seconds(Local(2026, 6, 30));
  auto fresh_equals_reused = [&](const v1::OverdueQuery& query) {
    v1::OverdueList fresh;
    EXPECT_TRUE(engine_->ListOverdue(query, &fresh).ok());
    EXPECT_TRUE(engine_->ListOverdue(query, &reused).ok());
    EXPECT_EQ(fresh.SerializeAsString(), reused.SerializeAsString());
    return fresh;
  };
  v1::OverdueList all = fresh_equals_reused(q);
  q.set_program("class");
  q.set_tier("B");
  v1::OverdueList in_b = fresh_equals_reused(q);
  int tasks = 0;
  for (const v1::OverdueItem& item : in_b.items()) {
    EXPECT_EQ(item.customer_id(), long_id);
    EXPECT_EQ(item.tier(), "B");
    tasks += item.kind() == v1::OverdueQuery::TASK;
  }
  EXPECT_GT(tasks, 0);
  q.set_tier("C");
  v1::OverdueList in_c = fresh_equals_reused(q);
  ASSERT_EQ(in_c.items_size(), 1);
  EXPECT_EQ(in_c.items(0).customer_id(), "c2");
  EXPECT_EQ(all.items_size(), in_b.items_size() + in_c.items_size());
  // Shorter results after longer ones, and every manager at once.
  q.clear_program();
  q.clear_tier();
  q.set_limit(1);
  EXPECT_EQ(fresh_equals_reused(q).items_size(), 1);
  q.clear_manager();
  q.set_limit(0);
  EXPECT_EQ(fresh_equals_reused(q).items_size(), all.items_size());
}

TEST_F(ServiceLevelsTest, ObligationsOnTierEntry) {
  // Entering B on Thursday 2026-02-12: bind a manager within 3 working days
  // (Fri 13, Sat 14 make-up, Tue 24 after the holiday).
  Must(Enrol("c1", Local(2026, 2, 2, 0)));
  Must(Buy("c1", Local(2026, 2, 12, 10), 200000));
  v1::Customer c = Get("c1");
  ASSERT_EQ(c.tasks_size(), 3);
  EXPECT_EQ(c.tasks(0).task(), "bind_manager");
  EXPECT_EQ(c.tasks(0).due().seconds(), Local(2026, 2, 24, 10));
  EXPECT_EQ(c.tasks(1).task(), "first_visit");
  EXPECT_EQ(c.tasks(1).due().seconds(), Local(2026, 3, 12, 10));
  // Two working days before 03-12 (Thursday): Tuesday 03-10.
  EXPECT_EQ(c.tasks(2).task(), "visit_notice");
  EXPECT_EQ(c.tasks(2).due().seconds(), Local(2026, 3, 10, 10));
  // Unmanaged in a tier that requires a manager.
  v1::CapacityReport cap;
  ASSERT_TRUE(engine_->GetCapacityReport(0, &cap).ok());
  EXPECT_EQ(cap.unmanaged_count(), 1u);

  v1::OverdueQuery q;
  q.set_unowned(true);
  q.set_kind(v1::OverdueQuery::TASK);
  q.mutable_as_of()->set_seconds(Local(2026, 2, 25));
  v1::OverdueList list;
  ASSERT_TRUE(engine_->ListOverdue(q, &list).ok());
  ASSERT_EQ(list.items_size(), 1);
  EXPECT_EQ(list.items(0).name(), "bind_manager");

  Must(Manager("c1", Local(2026, 2, 25), "li"));
  c = Get("c1");
  EXPECT_EQ(c.tasks(0).state(), v1::TaskStatus::DONE);
  EXPECT_EQ(c.tasks(0).closed_by(), "manager");
  Must(Contact("c1", Local(2026, 3, 1), "visit"));
  c = Get("c1");
  EXPECT_EQ(c.tasks(1).state(), v1::TaskStatus::DONE);
  v1::Event done = NewEvent("c1", Local(2026, 3, 1));
  done.mutable_task_completed()->set_task("visit_notice");
  done.mutable_task_completed()->set_actor("li");
  Must(done);
  c = Get("c1");
  EXPECT_EQ(c.tasks(2).state(), v1::TaskStatus::DONE);
  EXPECT_EQ(c.tasks(2).closed_by(), "li");
  // Completing it again is refused, state unchanged.
  const std::string before = Snapshot();
  EXPECT_EQ(engine_->Apply(done, nullptr).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(ServiceLevelsTest, LeavingTheTierCancelsOpenTasks) {
  Must(Enrol("c1", Local(2026, 1, 5, 0)));
  Must(Buy("c1", Local(2026, 1, 6), 200000));
  Must(Buy("c1", Local(2026, 1, 7), 900000));  // straight on to A
  const v1::Customer c = Get("c1");
  ASSERT_EQ(c.tasks_size(), 3);
  for (const auto& t : c.tasks()) {
    EXPECT_EQ(t.state(), v1::TaskStatus::CANCELLED) << t.task();
  }
}

TEST_F(ServiceLevelsTest, CapacityAndHandover) {
  for (int i = 0; i < 3; ++i) {
    const std::string id = absl::StrCat("k", i);
    Must(Enrol(id, Local(2026, 1, 5, 0)));
    Must(Buy(id, Local(2026, 1, 6), 200000));  // class B: 1:2
    Must(Manager(id, Local(2026, 1, 7), "zhao"));
  }
  v1::CapacityReport cap;
  ASSERT_TRUE(engine_->GetCapacityReport(0, &cap).ok());
  ASSERT_EQ(cap.over_capacity_size(), 1);
  EXPECT_EQ(cap.over_capacity(0).manager(), "zhao");
  EXPECT_DOUBLE_EQ(cap.over_capacity(0).load(), 1.5);
  EXPECT_EQ(cap.unmanaged_count(), 0u);
  EXPECT_EQ(cap.manager_count(), 1u);
  // Handover of one customer: zhao at capacity, qian at half.
  Must(Manager("k2", Local(2026, 1, 8), "qian"));
  ASSERT_TRUE(engine_->GetCapacityReport(0, &cap).ok());
  EXPECT_EQ(cap.over_capacity_size(), 0);
  EXPECT_EQ(cap.manager_count(), 2u);
  const v1::Customer c = Get("k2");
  EXPECT_EQ(c.ownership().last_handover().from_manager(), "zhao");
  EXPECT_EQ(c.ownership().last_handover().to_manager(), "qian");
  // The assistant must differ from the primary.
  EXPECT_EQ(engine_
                ->Apply(Manager("k2", Local(2026, 1, 9), "qian",
                                v1::ManagerAssignment::ASSISTANT),
                        nullptr)
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ServiceLevelsTest, BadRequestEventsLeaveStateUnchanged) {
  Must(Enrol("c1", Local(2026, 3, 2, 0)));
  Must(Request("c1", Local(2026, 3, 2, 9), "r", v1::ServiceRequest::OPENED));
  const std::string before = Snapshot();
  struct Case {
    v1::Event event;
    absl::StatusCode code;
  };
  const int64_t t = Local(2026, 3, 2, 10);
  const std::vector<Case> cases = {
      {Request("c1", t, "r", v1::ServiceRequest::OPENED),
       absl::StatusCode::kAlreadyExists},
      {Request("c1", t, "x", v1::ServiceRequest::RESPONDED),
       absl::StatusCode::kNotFound},
      {Request("c1", t, "r", v1::ServiceRequest::RESUMED),
       absl::StatusCode::kFailedPrecondition},
      {Request("c1", t, "", v1::ServiceRequest::OPENED),
       absl::StatusCode::kInvalidArgument},
      {Request("c1", t, "r", v1::ServiceRequest::STAGE_UNSPECIFIED),
       absl::StatusCode::kInvalidArgument},
      {Request("nobody", t, "r", v1::ServiceRequest::OPENED),
       absl::StatusCode::kNotFound},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(engine_->Apply(c.event, nullptr).code(), c.code)
        << c.event.ShortDebugString();
    EXPECT_EQ(Snapshot(), before) << c.event.ShortDebugString();
  }
  Must(Request("c1", t, "r", v1::ServiceRequest::PAUSED));
  EXPECT_EQ(
      engine_->Apply(Request("c1", t, "r", v1::ServiceRequest::PAUSED), nullptr)
          .code(),
      absl::StatusCode::kFailedPrecondition);
}

TEST_F(ServiceLevelsTest, SnapshotKeepsServiceState) {
  Must(Enrol("c1", Local(2026, 2, 2, 0)));
  Must(Buy("c1", Local(2026, 2, 12, 10), 200000));
  Must(Manager("c1", Local(2026, 2, 12, 11), "li"));
  Must(Contact("c1", Local(2026, 2, 12, 12), "phone"));
  Must(Request("c1", Local(2026, 2, 13, 16), "r1", v1::ServiceRequest::OPENED,
               "complaint"));
  Must(Request("c1", Local(2026, 2, 13, 16, 30), "r1",
               v1::ServiceRequest::PAUSED));
  Must(Request("c1", Local(2026, 2, 13, 16), "h", v1::ServiceRequest::OPENED,
               "hotline"));
  Must(Request("c1", Local(2026, 2, 13, 16, 0, 5), "h",
               v1::ServiceRequest::RESPONDED));
  const std::string bytes = Snapshot();
  auto loaded = Engine::LoadSnapshot(std::string_view(bytes), &policy_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  std::string again;
  ASSERT_TRUE((*loaded)->SaveSnapshot(&again).ok());
  EXPECT_EQ(again, bytes);
  v1::Customer a = Get("c1"), b;
  ASSERT_TRUE((*loaded)->GetCustomer("c1", &b).ok());
  EXPECT_EQ(a.SerializeAsString(), b.SerializeAsString());
  // Indices were rebuilt: the same overdue answer and capacity.
  v1::OverdueQuery q;
  q.set_manager("li");
  q.mutable_as_of()->set_seconds(Local(2026, 6, 1));
  v1::OverdueList x, y;
  ASSERT_TRUE(engine_->ListOverdue(q, &x).ok());
  ASSERT_TRUE((*loaded)->ListOverdue(q, &y).ok());
  EXPECT_GT(x.items_size(), 0);
  EXPECT_EQ(x.SerializeAsString(), y.SerializeAsString());
  v1::ComplianceReport r1, r2;
  ASSERT_TRUE(engine_->GetCompliance(&r1).ok());
  ASSERT_TRUE((*loaded)->GetCompliance(&r2).ok());
  EXPECT_EQ(r1.SerializeAsString(), r2.SerializeAsString());
}

TEST_F(ServiceLevelsTest, ReplacePolicyKeepsTasksAndRederivesCadences) {
  Must(Enrol("c1", Local(2026, 2, 2, 0)));
  Must(Buy("c1", Local(2026, 2, 12, 10), 200000));
  v1::Policy next = policy_;
  next.set_version("2");
  // B's phone cadence becomes every 2 weeks.
  next.mutable_tier_programs(0)
      ->mutable_tiers(1)
      ->mutable_cadences(0)
      ->mutable_every()
      ->set_amount(2);
  ASSERT_TRUE(engine_->ReplacePolicy(next, nullptr).ok());
  const v1::Customer c = Get("c1");
  EXPECT_EQ(c.tasks_size(), 3);
  ASSERT_GE(c.cadences_size(), 1);
  EXPECT_EQ(c.cadences(0).due().seconds(), Local(2026, 2, 26, 10));
}

TEST_F(ServiceLevelsTest, AddDuration) {
  v1::DurationSpec d;
  d.set_amount(1);
  d.set_unit(v1::DurationSpec::WORKING_DAYS);
  auto t = engine_->AddDuration(Local(2026, 2, 13, 10), d);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, Local(2026, 2, 14, 10));  // make-up Saturday
  d.set_unit(v1::DurationSpec::MONTHS);
  t = engine_->AddDuration(Local(2026, 1, 31, 10), d);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, Local(2026, 2, 28, 10));
  d.set_amount(-1);
  EXPECT_EQ(engine_->AddDuration(0, d).status().code(),
            absl::StatusCode::kInvalidArgument);
  d.set_amount(1);
  d.set_unit(v1::DurationSpec::WORKING_HOURS);
  d.set_calendar("mars");
  EXPECT_TRUE(absl::StrContains(engine_->AddDuration(0, d).status().message(),
                                "unknown calendar"));
}

struct BadPolicy {
  std::string name;
  std::string from;
  std::string to;
  std::string error;
};

class ServicePolicyValidationTest : public ::testing::TestWithParam<BadPolicy> {
};

TEST_P(ServicePolicyValidationTest, RefusedWithPath) {
  std::string text = kPolicy;
  const BadPolicy& bad = GetParam();
  const size_t at = text.find(bad.from);
  ASSERT_NE(at, std::string::npos) << bad.from;
  text.replace(at, bad.from.size(), bad.to);
  auto policy = ParsePolicy(text, PolicyFormat::kText);
  ASSERT_TRUE(policy.ok()) << policy.status();
  auto engine = Engine::Create(*policy);
  ASSERT_FALSE(engine.ok());
  EXPECT_TRUE(absl::StrContains(engine.status().message(), bad.error))
      << engine.status();
  EXPECT_EQ(engine.status().code(), absl::StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(
    Service, ServicePolicyValidationTest,
    ::testing::Values(
        BadPolicy{"negative_duration", "amount: 2 unit: WEEKS",
                  "amount: -2 unit: WEEKS",
                  "tier_programs[0].tiers[0].cadences[0].every.amount: must "
                  "not be negative"},
        BadPolicy{"unknown_calendar", "calendar: \"cn\"\n    deadlines",
                  "calendar: \"mars\"\n    deadlines",
                  "service_levels.calendar: unknown calendar \"mars\""},
        BadPolicy{"holiday_and_makeup", "makeup_workdays: [ \"2026-02-14\"",
                  "makeup_workdays: [ \"2026-02-15\"", "calendars[0]"},
        BadPolicy{"bad_date", "\"2026-02-28\"", "\"2026-02-30\"",
                  "calendars[0]"},
        BadPolicy{"unknown_before", "before: \"first_visit\"",
                  "before: \"second_visit\"",
                  "obligations[2].before: unknown obligation"},
        BadPolicy{"lead_in_hours", "lead { amount: 2 unit: WORKING_DAYS }",
                  "lead { amount: 2 unit: WORKING_HOURS }",
                  "obligations[2].lead.unit"},
        BadPolicy{"no_targets", "respond_within { amount: 24 unit: HOURS }", "",
                  "service_levels.deadlines[2]: needs respond_within"},
        BadPolicy{"percent", "percent: 90", "percent: 120",
                  "service_levels.targets[0].percent"},
        BadPolicy{"target_program", "program: \"class\"\n      respond",
                  "program: \"klass\"\n      respond",
                  "service_levels.targets[0].program: unknown program"},
        BadPolicy{"duplicate_cadence", "name: \"visit\"", "name: \"phone\"",
                  "duplicate cadence \"phone\""},
        BadPolicy{"negative_capacity", "customers_per_manager: 2",
                  "customers_per_manager: -2", "customers_per_manager"},
        BadPolicy{"condition", "tier: \"B\" } }", "tier: \"Q\" } }",
                  "service_levels.deadlines[0].when"}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace standing::scenario
