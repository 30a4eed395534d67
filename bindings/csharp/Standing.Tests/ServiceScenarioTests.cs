using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Google.Protobuf.WellKnownTypes;
using Standing.V1;
using Xunit;

namespace Standing.Tests
{
    /// <summary>Rule set 4 (service levels) through the C# binding: one scenario per rule of
    /// examples/policies/service_levels.json, the same expectations as
    /// tests/scenario_service_levels_test.cc (mainland China 2025-2026 calendar, times +08:00).</summary>
    public class ServiceScenarioTests
    {
        static readonly string ServiceLevelsPath = Path.Combine(F.Repo, "examples", "policies", "service_levels.json");
        static readonly TimeSpan Cst = TimeSpan.FromHours(8);

        static long Local(int y, int mo, int d, int h = 12, int mi = 0) =>
            new DateTimeOffset(y, mo, d, h, mi, 0, Cst).ToUnixTimeSeconds();

        static long Yuan(long n) => n * 100;

        static Engine Open() => Engine.FromFile(ServiceLevelsPath);

        static Event Ev(string id, long at) => new() { CustomerId = id, At = new Timestamp { Seconds = at } };

        static Event Enrol(string id, long at)
        {
            var e = Ev(id, at);
            e.Enrolled = new Enrolled();
            return e;
        }

        static Event Buy(string id, long at, long amount)
        {
            var e = Ev(id, at);
            e.Purchase = new Purchase { Amount = amount, Currency = "CNY", Category = "goods", Quantity = 1 };
            return e;
        }

        static Event Grant(string id, long at, string tier)
        {
            var e = Ev(id, at);
            e.TierGrant = new ManualTierGrant { Program = "card", Tier = tier, Approver = "branch head", Reason = "card issued" };
            return e;
        }

        static Event Request(string id, long at, string rid, ServiceRequest.Types.Stage stage, string type = "")
        {
            var e = Ev(id, at);
            e.ServiceRequest = new ServiceRequest { RequestId = rid, Stage = stage, RequestType = type };
            return e;
        }

        static Event OpenRequest(string id, long at, string rid, string type) =>
            Request(id, at, rid, ServiceRequest.Types.Stage.Opened, type);

        static Event Respond(string id, long at, string rid) =>
            Request(id, at, rid, ServiceRequest.Types.Stage.Responded);

        static Event Contact(string id, long at, string channel)
        {
            var e = Ev(id, at);
            e.Contact = new V1.Contact { Channel = channel, Actor = "manager" };
            return e;
        }

        static Event Manager(string id, long at, string manager)
        {
            var e = Ev(id, at);
            e.Manager = new ManagerAssignment
            {
                Manager = manager, Role = ManagerAssignment.Types.Role.Primary, Actor = "branch head", Reason = "assignment",
            };
            return e;
        }

        static List<string> Names(OverdueList list) => list.Items.Select(i => $"{i.CustomerId}/{i.Name}").ToList();

        [Fact]
        public void PolicyEmbedsTheChinaCalendar()
        {
            using var e = Open();
            Assert.Equal(new[] { "customer_class", "card" }, e.Policy.TierPrograms.Select(p => p.Name));
            Assert.Equal(e.Policy.Calendars[0].Name, e.Policy.ServiceLevels.Calendar);
            Assert.Contains("2026-02-14", e.Policy.Calendars[0].MakeupWorkdays);
            Assert.Contains("2026-02-17", e.Policy.Calendars[0].Holidays);
        }

        [Fact]
        public void BadCalendarIsRefusedWithThePath()
        {
            string json = File.ReadAllText(ServiceLevelsPath)
                .Replace("\"calendar\": \"cn_2025_2026\"", "\"calendar\": \"cn_2027\"");
            var error = Assert.Throws<PolicyException>(() => new Engine(json, PolicyFormat.Json));
            Assert.Contains("cn_2027", error.Message);
        }

        [Fact]
        public void ResponseWithin24_48_72HoursByClass()
        {
            using var e = Open();
            foreach (var id in new[] { "a", "b", "c" }) e.Apply(Enrol(id, Local(2026, 2, 9, 9)));
            e.Apply(Buy("a", Local(2026, 2, 9, 10), Yuan(100_000)));
            e.Apply(Buy("b", Local(2026, 2, 9, 10), Yuan(20_000)));

            RequestStatus preview = e.PreviewRequest("c", "service", "", Local(2026, 2, 13, 15));
            Assert.Equal("response_class_c", preview.Rule);
            Assert.Equal(Local(2026, 2, 16, 15), preview.RespondBy.Seconds);

            foreach (var id in new[] { "a", "b", "c" }) e.Apply(OpenRequest(id, Local(2026, 2, 13, 15), "r1", "service"));
            Assert.Equal(Local(2026, 2, 14, 15), e.GetRequest("a", "r1").RespondBy.Seconds);
            Assert.Equal(Local(2026, 2, 15, 15), e.GetRequest("b", "r1").RespondBy.Seconds);
            Assert.Equal(Local(2026, 2, 16, 15), e.GetRequest("c", "r1").RespondBy.Seconds);
            Assert.False(e.GetRequest("b", "r1", Local(2026, 2, 15, 14)).ResponseBreached);
            Assert.True(e.GetRequest("b", "r1", Local(2026, 2, 15, 16)).ResponseBreached);

            e.Apply(Respond("a", Local(2026, 2, 14, 14), "r1"));
            BreachList breaches = e.ListBreaches(Local(2026, 2, 17));
            Assert.Equal(new[] { "b/r1", "c/r1" }, breaches.Items.Select(b => $"{b.CustomerId}/{b.Request.RequestId}"));
        }

        [Fact]
        public void BranchWaitingVip10Premium15Others30()
        {
            using var e = Open();
            long t0 = Local(2026, 3, 2, 9);
            foreach (var id in new[] { "d", "s", "m" }) e.Apply(Enrol(id, t0));
            e.Apply(Grant("d", t0 + 60, "钻卡"));
            e.Apply(Grant("s", t0 + 60, "银卡"));
            foreach (var id in new[] { "d", "s", "m" }) e.Apply(OpenRequest(id, Local(2026, 3, 2, 10), "q1", "branch_queue"));
            Assert.Equal(Local(2026, 3, 2, 10, 10), e.GetRequest("d", "q1").RespondBy.Seconds);
            Assert.Equal(Local(2026, 3, 2, 10, 15), e.GetRequest("s", "q1").RespondBy.Seconds);
            Assert.Equal(Local(2026, 3, 2, 10, 30), e.GetRequest("m", "q1").RespondBy.Seconds);
            Assert.Equal("branch_wait_premium", e.GetRequest("s", "q1").Rule);
        }

        [Fact]
        public void FeedbackCallbackWithin3WorkingDaysOverTheSpringFestival()
        {
            using var e = Open();
            e.Apply(Enrol("f", Local(2026, 2, 9, 9)));
            e.Apply(OpenRequest("f", Local(2026, 2, 13, 15), "fb", "feedback"));
            RequestStatus fb = e.GetRequest("f", "fb");
            Assert.Equal("feedback_callback", fb.Rule);
            Assert.Equal(Local(2026, 2, 25, 15), fb.RespondBy.Seconds);
            Assert.False(e.GetRequest("f", "fb", Local(2026, 2, 25, 14)).ResponseBreached);
            Assert.True(e.GetRequest("f", "fb", Local(2026, 2, 25, 16)).ResponseBreached);
        }

        [Fact]
        public void NewCustomerInfoWarnsAfter1AndBreachesAfter2WorkingDays()
        {
            using var e = Open();
            e.Apply(Enrol("n", Local(2025, 9, 30, 15)));
            e.Apply(OpenRequest("n", Local(2025, 9, 30, 16), "info", "customer_info"));
            RequestStatus info = e.GetRequest("n", "info");
            Assert.Equal(Local(2025, 10, 9, 16), info.WarnAt.Seconds);
            Assert.Equal(Local(2025, 10, 10, 16), info.ResolveBy.Seconds);
            Assert.False(e.GetRequest("n", "info", Local(2025, 10, 8, 12)).Warning);
            RequestStatus warned = e.GetRequest("n", "info", Local(2025, 10, 9, 17));
            Assert.True(warned.Warning);
            Assert.False(warned.ResolutionBreached);
            Assert.True(e.GetRequest("n", "info", Local(2025, 10, 10, 17)).ResolutionBreached);
        }

        [Fact]
        public void VipHotline90PercentWithin20Seconds()
        {
            using var e = Open();
            e.Apply(Enrol("d", Local(2026, 3, 1, 8)));
            e.Apply(Grant("d", Local(2026, 3, 1, 9), "钻卡"));
            for (int i = 0; i < 10; i++)
            {
                long at = Local(2026, 3, 2 + i, 10);
                e.Apply(OpenRequest("d", at, $"c{i}", "hotline_call"));
                e.Apply(Respond("d", at + (i == 9 ? 25 : 10), $"c{i}"));
            }
            ComplianceReport report = e.GetCompliance();
            TargetCompliance row = Assert.Single(report.Rows,
                r => r.Tier == "钻卡" && r.PeriodStart.Seconds == Local(2026, 3, 1, 0));
            Assert.Equal("vip_hotline_20s", row.Target);
            Assert.Equal(10UL, row.Requests);
            Assert.Equal(9UL, row.WithinTarget);
            Assert.Equal(90.0, row.Percent, 6);
            Assert.True(row.Met);
        }

        [Fact]
        public void OverdueCallsByManager()
        {
            using var e = Open();
            long t0 = Local(2026, 3, 2, 9);
            foreach (var id in new[] { "a", "b" })
            {
                e.Apply(Enrol(id, t0));
                e.Apply(Manager(id, t0 + 600, "m1"));
            }
            e.Apply(Buy("a", Local(2026, 3, 2, 10), Yuan(100_000)));
            e.Apply(Buy("b", Local(2026, 3, 2, 10), Yuan(20_000)));
            e.Apply(Contact("a", Local(2026, 3, 5, 15), "phone"));
            var query = new OverdueQuery
            {
                Manager = "m1", Kind = OverdueQuery.Types.Kind.Cadence, AsOf = new Timestamp { Seconds = Local(2026, 3, 13, 0) },
            };
            Assert.Equal(new[] { "b/phone", "a/phone" }, Names(e.ListOverdue(query)));
            query.Program = "customer_class";
            query.Tier = "A";
            Assert.Equal(new[] { "a/phone" }, Names(e.ListOverdue(query)));
        }

        [Fact]
        public void ObligationsOnDiamondEntry()
        {
            using var e = Open();
            e.Apply(Enrol("d1", Local(2026, 1, 20, 9)));
            e.Apply(Grant("d1", Local(2026, 1, 26, 10), "钻卡"));
            var tasks = e.GetCustomer("d1").Tasks.ToDictionary(t => t.Task);
            Assert.Equal(Local(2026, 1, 29, 10), tasks["bind_manager"].Due.Seconds);
            Assert.Equal(Local(2026, 2, 26, 10), tasks["first_visit"].Due.Seconds);
            Assert.Equal(Local(2026, 2, 14, 10), tasks["visit_notice"].Due.Seconds); // make-up Saturday
            e.Apply(Manager("d1", Local(2026, 1, 27, 10), "m1"));
            V1.TaskStatus bind = e.GetCustomer("d1").Tasks.Single(t => t.Task == "bind_manager");
            Assert.Equal(V1.TaskStatus.Types.State.Done, bind.State);
            Assert.Equal("manager", bind.ClosedBy);
            var query = new OverdueQuery
            {
                Manager = "m1", Kind = OverdueQuery.Types.Kind.Task, AsOf = new Timestamp { Seconds = Local(2026, 2, 25, 0) },
            };
            Assert.Equal(new[] { "d1/visit_notice" }, Names(e.ListOverdue(query)));
        }

        [Fact]
        public void CapacityAndVipCoverage()
        {
            using var e = Open();
            long t0 = Local(2026, 3, 2, 9);
            var events = new List<Event>();
            for (int i = 0; i < 201; i++)
            {
                events.Add(Enrol($"D{i}", t0));
                events.Add(Manager($"D{i}", t0 + 60, "m1"));
                events.Add(Grant($"D{i}", t0 + 120, "钻卡"));
            }
            events.Add(Enrol("u1", t0));
            events.Add(Grant("u1", t0 + 120, "金卡"));
            e.ApplyBatch(events);
            CapacityReport report = e.GetCapacityReport();
            ManagerLoad m1 = Assert.Single(report.OverCapacity);
            Assert.Equal("m1", m1.Manager);
            Assert.Equal(201.0 / 200, m1.Load, 9);
            Assert.Equal(1UL, report.UnmanagedCount);
            Assert.Equal(new[] { "u1" }, report.UnmanagedCustomerIds);
        }

        [Fact]
        public void EntitlementsOfDiamondMemberAndClassA()
        {
            using var e = Open();
            long t0 = Local(2026, 3, 2, 9);
            foreach (var id in new[] { "d", "m", "a" }) e.Apply(Enrol(id, t0));
            e.Apply(Grant("d", t0 + 60, "钻卡"));
            e.Apply(Buy("a", t0 + 60, Yuan(100_000)));
            var d = e.ResolveEntitlements("d").Entitlements.ToDictionary(x => x.Name);
            Assert.True(d["dedicated_hotline"].Value.Flag);
            Assert.Equal(1, d["service_priority"].Value.Rank);
            Assert.Equal(2.0, d["points_multiplier"].Value.Multiplier);
            Assert.Equal(Yuan(500), d["gift_cap"].Value.Amount);
            Assert.Equal("金卡", d["gift_cap"].DefinedByTier);
            var m = e.ResolveEntitlements("m").Entitlements.ToDictionary(x => x.Name);
            Assert.Equal(Yuan(100), m["gift_cap"].Value.Amount);
            Assert.False(m.ContainsKey("dedicated_hotline"));
            var a = e.ResolveEntitlements("a").Entitlements.ToDictionary(x => x.Name);
            Assert.Equal(2, a["service_priority"].Value.Rank);
            Assert.Equal("customer_class", a["service_priority"].Program);
        }
    }
}
