using System;
using System.Linq;
using Google.Protobuf.WellKnownTypes;
using Standing.V1;
using Xunit;

namespace Standing.Tests
{
    /// <summary>The service-level methods (docs/service-levels.md), on a small policy with a working
    /// calendar, one deadline rule, a percentage target, entitlements, and on gold a cadence, an
    /// obligation and a manager capacity of 1 (as bindings/python/tests/test_service.py).</summary>
    public class ServiceTests : IDisposable
    {
        private const long T0 = F.T0; // 2026-01-15T00:00:00Z, a Thursday
        private const long Hour = 3600;
        private const long Day = F.Day;
        private const long GoldAt = T0 + 9 * Hour; // Thursday 09:00: c1, c2, c3 reach gold
        private const long Opened = T0 + 10 * Hour; // r1 (c1) and r2 (c2) open
        private const long WelcomeDue = T0 + 6 * Day + 9 * Hour; // 3 working days: Wed 21 09:00
        private const long CadenceDue = GoldAt + 30 * Day;

        internal const string PolicyJson = """
        {
          "name": "service-test", "version": "1", "timeZone": "+00:00", "currency": "EUR",
          "lateEventHorizonDays": 30,
          "metrics": [{ "name": "spend", "aggregate": "SUM", "field": "AMOUNT",
                        "window": { "sinceEnrolment": true }, "filter": { "kinds": ["PURCHASE"] } }],
          "calendars": [{ "name": "office", "timeZone": "+00:00", "workingWeekdays": [1, 2, 3, 4, 5],
                          "hours": [{ "start": "09:00", "end": "17:00" }], "holidays": ["2026-01-19"] }],
          "serviceLevels": {
            "calendar": "office",
            "deadlines": [{ "name": "standard",
                            "respondWithin": { "amount": 4, "unit": "WORKING_HOURS" },
                            "resolveWithin": { "amount": 2, "unit": "WORKING_DAYS" },
                            "warnAfter": { "amount": 2, "unit": "WORKING_HOURS" } }],
            "targets": [{ "name": "answer_fast", "program": "loyalty",
                          "respondWithin": { "amount": 1, "unit": "HOURS" }, "percent": 90, "period": "MONTH" }],
            "entitlements": [{ "name": "discount", "type": "PERCENT" }, { "name": "hotline", "type": "FLAG" }]
          },
          "tierPrograms": [{
            "name": "loyalty",
            "tiers": [
              { "name": "base", "entitlements": [{ "name": "discount", "value": { "percent": 5 } }] },
              { "name": "gold",
                "qualify": { "metric": { "metric": "spend", "op": "GE", "value": 50000 } },
                "entitlements": [{ "name": "discount", "value": { "percent": 10 } },
                                 { "name": "hotline", "value": { "flag": true } }],
                "cadences": [{ "name": "monthly_call", "channels": ["phone", "visit"],
                               "every": { "amount": 30, "unit": "DAYS" } }],
                "obligations": [{ "name": "welcome_call", "dueAfter": { "amount": 3, "unit": "WORKING_DAYS" },
                                  "completedByChannels": ["phone"] }],
                "customersPerManager": 1, "requiresManager": true }
            ],
            "upgrade": "IMMEDIATE", "downgrade": "AT_REVIEW", "review": { "yearly": { "month": 1, "day": 1 } }
          }]
        }
        """;

        private readonly Engine _engine = new(PolicyJson);

        public void Dispose() => _engine.Dispose();

        private static Event At(string id, long at) => new() { CustomerId = id, At = new Timestamp { Seconds = at } };

        private static DurationSpec Span(long amount, DurationSpec.Types.Unit unit, string calendar = "") =>
            new() { Amount = amount, Unit = unit, Calendar = calendar };

        private Engine Populated()
        {
            var e = _engine;
            foreach (var id in new[] { "c1", "c2", "c3", "c4" })
            {
                e.Apply(F.Enrolled(id));
            }
            foreach (var id in new[] { "c1", "c2", "c3" })
            {
                var p = At(id, GoldAt);
                p.EventId = "p-" + id;
                p.Purchase = new Purchase { Amount = 60000, Currency = "EUR" };
                e.Apply(p);
            }
            foreach (var id in new[] { "c1", "c2" })
            {
                var m = At(id, Opened);
                m.Manager = new ManagerAssignment { Manager = "m1", Actor = "ops", Reason = "new gold" };
                e.Apply(m);
            }
            var r1 = At("c1", Opened);
            r1.ServiceRequest = new ServiceRequest
            {
                RequestId = "r1", Stage = ServiceRequest.Types.Stage.Opened, RequestType = "complaint", Priority = "high",
            };
            e.Apply(r1);
            var r2 = At("c2", Opened);
            r2.ServiceRequest = new ServiceRequest { RequestId = "r2", Stage = ServiceRequest.Types.Stage.Opened, RequestType = "complaint" };
            e.Apply(r2);
            var answer = At("c1", Opened + 1800);
            answer.ServiceRequest = new ServiceRequest { RequestId = "r1", Stage = ServiceRequest.Types.Stage.Responded };
            e.Apply(answer);
            return e;
        }

        // ---- errors ------------------------------------------------------------------------

        [Fact]
        public void UnknownCustomerIsNotFound()
        {
            _engine.Apply(F.Enrolled("known"));
            Assert.Throws<NotFoundException>(() => _engine.ResolveEntitlements("nobody"));
            Assert.Throws<NotFoundException>(() => _engine.GetRequest("nobody", "r1"));
            Assert.Throws<NotFoundException>(() => _engine.GetRequest("known", "no-such-request"));
            Assert.Throws<NotFoundException>(() => _engine.PreviewRequest("nobody", "complaint"));
            Assert.Throws<NotFoundException>(() => _engine.ListOverdue(new OverdueQuery { Program = "loyalty", Tier = "platinum" }));
        }

        [Fact]
        public void BadArguments()
        {
            _engine.Apply(F.Enrolled("c1"));
            Assert.Throws<ArgumentNullException>(() => _engine.ResolveEntitlements(null!));
            Assert.Throws<ArgumentNullException>(() => _engine.GetRequest("c1", null!));
            Assert.Throws<ArgumentNullException>(() => _engine.PreviewRequest("c1", null!));
            Assert.Throws<ArgumentNullException>(() => _engine.AddDuration(T0, null!));
            Assert.Throws<InvalidArgumentException>(() => _engine.ResolveEntitlements(""));
            Assert.Throws<InvalidArgumentException>(() => _engine.ResolveEntitlements("bad\ud800"));
            Assert.Throws<InvalidArgumentException>(() => _engine.GetRequest("c1", ""));
            Assert.Throws<InvalidArgumentException>(() => _engine.ListBreaches(0, -1));
            Assert.Throws<InvalidArgumentException>(() => _engine.GetCapacityReport(-1));
            Assert.Throws<InvalidArgumentException>(() => _engine.ListOverdue(new OverdueQuery { Limit = -1 }));
            Assert.Throws<InvalidArgumentException>(() => _engine.ListOverdue(new OverdueQuery { Kind = (OverdueQuery.Types.Kind)7 }));
            Assert.Throws<InvalidArgumentException>(() => _engine.AddDuration(T0, Span(-1, DurationSpec.Types.Unit.Days)));
            Assert.Throws<InvalidArgumentException>(() => _engine.AddDuration(T0, Span(1, DurationSpec.Types.Unit.WorkingDays, "nope")));
            Assert.Throws<InvalidArgumentException>(() => _engine.AddDuration(T0, new DurationSpec())); // zero bytes
            Assert.Throws<InvalidArgumentException>(() => _engine.AddDuration(T0, Span(1, (DurationSpec.Types.Unit)99)));
        }

        [Fact]
        public void DisposedEngineThrows()
        {
            var e = new Engine(PolicyJson);
            e.Dispose();
            Assert.Throws<ObjectDisposedException>(() => e.ResolveEntitlements("c1"));
            Assert.Throws<ObjectDisposedException>(() => e.GetRequest("c1", "r1"));
            Assert.Throws<ObjectDisposedException>(() => e.PreviewRequest("c1", "complaint"));
            Assert.Throws<ObjectDisposedException>(() => e.ListBreaches());
            Assert.Throws<ObjectDisposedException>(() => e.ListOverdue());
            Assert.Throws<ObjectDisposedException>(() => e.GetCapacityReport());
            Assert.Throws<ObjectDisposedException>(() => e.GetCompliance());
            Assert.Throws<ObjectDisposedException>(() => e.AddDuration(T0, Span(1, DurationSpec.Types.Unit.Days)));
        }

        // ---- happy paths -------------------------------------------------------------------

        [Fact]
        public void ResolveEntitlements()
        {
            var e = Populated();
            EntitlementSet set = e.ResolveEntitlements("c1");
            Assert.Equal("c1", set.CustomerId);
            Assert.Equal(new[] { "discount", "hotline" }, set.Entitlements.Select(x => x.Name));
            var discount = set.Entitlements[0];
            Assert.Equal(EntitlementDecl.Types.Type.Percent, discount.Type);
            Assert.Equal(10, discount.Value.Percent);
            Assert.Equal(("loyalty", "gold", "gold"), (discount.Program, discount.Tier, discount.DefinedByTier));
            Assert.True(set.Entitlements[1].Value.Flag);
            var base_ = Assert.Single(e.ResolveEntitlements("c4").Entitlements);
            Assert.Equal(("discount", 5.0, "base"), (base_.Name, base_.Value.Percent, base_.Tier));
        }

        [Fact]
        public void GetRequest()
        {
            var e = Populated();
            RequestStatus r = e.GetRequest("c2", "r2", T0 + 15 * Hour);
            Assert.Equal(("r2", "complaint", "standard"), (r.RequestId, r.RequestType, r.Rule));
            Assert.Equal(Opened, r.OpenedAt.Seconds);
            Assert.Equal(Opened + 4 * Hour, r.RespondBy.Seconds);
            Assert.Equal(Opened + 2 * Hour, r.WarnAt.Seconds);
            Assert.Equal(T0 + 5 * Day + 10 * Hour, r.ResolveBy.Seconds); // Monday is a holiday
            Assert.True(r.Warning);
            Assert.True(r.ResponseBreached);
            Assert.False(r.ResolutionBreached);
            var early = e.GetRequest("c2", "r2", DateTimeOffset.FromUnixTimeSeconds(T0 + 11 * Hour));
            Assert.False(early.Warning || early.ResponseBreached);
            var answered = e.GetRequest("c1", "r1", T0 + 15 * Hour);
            Assert.Equal(Opened + 1800, answered.RespondedAt.Seconds);
            Assert.False(answered.ResponseBreached);
        }

        [Fact]
        public void PreviewRequest()
        {
            var e = Populated();
            long friday4pm = T0 + Day + 16 * Hour;
            RequestStatus p = e.PreviewRequest("c3", "complaint", "high", friday4pm);
            Assert.Equal("standard", p.Rule);
            Assert.Equal(T0 + 5 * Day + 12 * Hour, p.RespondBy.Seconds);
            Assert.Equal(T0 + 5 * Day + 10 * Hour, p.WarnAt.Seconds);
            Assert.Equal(T0 + 6 * Day + 16 * Hour, p.ResolveBy.Seconds);
            Assert.Equal(p.RespondBy, e.PreviewRequest("c3", "complaint", "high", DateTimeOffset.FromUnixTimeSeconds(friday4pm)).RespondBy);
            Assert.Empty(e.GetCustomer("c3").Requests); // nothing opened
        }

        [Fact]
        public void ListBreaches()
        {
            var e = Populated();
            BreachList b = e.ListBreaches(T0 + 15 * Hour);
            var item = Assert.Single(b.Items);
            Assert.Equal(("c2", "r2"), (item.CustomerId, item.Request.RequestId));
            Assert.True(item.Request.ResponseBreached);
            Assert.False(b.Truncated);
            Assert.Empty(e.ListBreaches(T0 + 11 * Hour).Items);
            Assert.Single(e.ListBreaches(DateTimeOffset.FromUnixTimeSeconds(T0 + 15 * Hour), limit: 1).Items);
        }

        [Fact]
        public void ListOverdue()
        {
            var e = Populated();
            var asOf = new Timestamp { Seconds = T0 + 7 * Day };
            OverdueList mine = e.ListOverdue(new OverdueQuery { Manager = "m1", Kind = OverdueQuery.Types.Kind.Task, AsOf = asOf });
            Assert.Equal(new[] { "c1", "c2" }, mine.Items.Select(i => i.CustomerId).OrderBy(x => x, StringComparer.Ordinal));
            Assert.All(mine.Items, i =>
            {
                Assert.Equal(("welcome_call", "m1", "loyalty", "gold"), (i.Name, i.Manager, i.Program, i.Tier));
                Assert.Equal(OverdueQuery.Types.Kind.Task, i.Kind);
                Assert.Equal(WelcomeDue, i.Due.Seconds);
            });
            var unowned = Assert.Single(e.ListOverdue(new OverdueQuery { Unowned = true, AsOf = asOf }).Items);
            Assert.Equal(("c3", "welcome_call", ""), (unowned.CustomerId, unowned.Name, unowned.Manager));
            var later = new Timestamp { Seconds = T0 + 31 * Day };
            Assert.Equal(6, e.ListOverdue(new OverdueQuery { AsOf = later }).Items.Count); // three tasks, three cadences
            var cadences = e.ListOverdue(new OverdueQuery
            {
                AsOf = later, DueFrom = asOf, Program = "loyalty", Tier = "gold",
            });
            Assert.Equal(new[] { "c1", "c2", "c3" }, cadences.Items.Select(i => i.CustomerId).OrderBy(x => x, StringComparer.Ordinal));
            Assert.All(cadences.Items, i => Assert.Equal(("monthly_call", CadenceDue), (i.Name, i.Due.Seconds)));
            var first = e.ListOverdue(new OverdueQuery { AsOf = later, Limit = 2 });
            Assert.Equal(2, first.Items.Count);
            Assert.True(first.Truncated);
        }

        [Fact]
        public void GetCapacityReport()
        {
            var e = Populated();
            CapacityReport c = e.GetCapacityReport();
            var m1 = Assert.Single(c.OverCapacity);
            Assert.Equal("m1", m1.Manager);
            Assert.Equal(2.0, m1.Load, 9);
            var t = Assert.Single(m1.Tiers);
            Assert.Equal(("loyalty", "gold", 2UL, 1), (t.Program, t.Tier, t.Customers, t.Capacity));
            Assert.Equal(1UL, c.UnmanagedCount);
            Assert.Equal(new[] { "c3" }, c.UnmanagedCustomerIds);
            Assert.Equal(1UL, c.ManagerCount);
        }

        [Fact]
        public void GetCompliance()
        {
            var e = Populated();
            var row = Assert.Single(e.GetCompliance().Rows);
            Assert.Equal(("answer_fast", "gold"), (row.Target, row.Tier));
            Assert.Equal(1767225600, row.PeriodStart.Seconds); // 2026-01-01T00:00:00Z
            Assert.Equal((1UL, 1UL), (row.Requests, row.WithinTarget));
            Assert.Equal(100.0, row.Percent, 9);
            Assert.Equal(90.0, row.TargetPercent, 9);
            Assert.True(row.Met);
        }

        [Fact]
        public void AddDuration()
        {
            long friday4pm = T0 + Day + 16 * Hour;
            var fourHours = Span(4, DurationSpec.Types.Unit.WorkingHours);
            // One working hour on Friday, the Monday holiday, three on Tuesday.
            Assert.Equal(T0 + 5 * Day + 12 * Hour, _engine.AddDuration(friday4pm, fourHours));
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(T0 + 5 * Day + 12 * Hour),
                         _engine.AddDuration(DateTimeOffset.FromUnixTimeSeconds(friday4pm), Span(4, DurationSpec.Types.Unit.WorkingHours, "office")));
            Assert.Equal(T0 + 2 * Day, _engine.AddDuration(T0, Span(2, DurationSpec.Types.Unit.Days)));
            Assert.Equal(new DateTimeOffset(2026, 2, 28, 10, 0, 0, TimeSpan.Zero),
                         _engine.AddDuration(new DateTimeOffset(2026, 1, 31, 10, 0, 0, TimeSpan.Zero), Span(1, DurationSpec.Types.Unit.Months)));
            Assert.Equal(T0 + 5 * Day + 15 * Hour, _engine.AddDuration(T0 + Day + 15 * Hour, Span(1, DurationSpec.Types.Unit.WorkingDays)));
        }
    }
}
