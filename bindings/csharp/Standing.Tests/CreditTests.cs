using System;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Google.Protobuf.WellKnownTypes;
using Standing.V1;
using Xunit;

namespace Standing.Tests
{
    /// <summary>The credit methods (docs/credit.md) on a small policy: three grades (black is blocked, red
    /// blocks over its limit, green warns), one score sheet, a 90-days-past-due hard rule, a monthly review
    /// with one approval step (2 days, escalating to the manager), readers and limit approvers (as
    /// bindings/python/tests/test_credit.py).</summary>
    public class CreditTests : IDisposable
    {
        private const long T0 = F.T0; // 2026-01-15T00:00:00Z
        private const long Day = F.Day;

        internal const string PolicyJson = """
        {
          "name": "credit-test", "version": "1", "timeZone": "+00:00", "currency": "EUR",
          "lateEventHorizonDays": 30,
          "metrics": [
            { "name": "spend", "aggregate": "SUM", "field": "AMOUNT",
              "window": { "sinceEnrolment": true }, "filter": { "kinds": ["PURCHASE"] } },
            { "name": "days_past_due", "aggregate": "RECEIVABLE", "receivable": "DAYS_PAST_DUE" }
          ],
          "credit": {
            "grades": [
              { "name": "black", "control": "CONTROL_BLOCK", "blocked": true },
              { "name": "red", "minScore": 40, "control": "CONTROL_BLOCK", "limit": { "amount": 100000 },
                "termDays": 30 },
              { "name": "green", "minScore": 70, "control": "CONTROL_WARN", "limit": { "amount": 500000 },
                "termDays": 60, "overdueToleranceDays": 10 }
            ],
            "scoreSheet": { "items": [
              { "name": "spend", "metric": "spend",
                "bands": [{ "atLeast": 0, "points": 0 }, { "atLeast": 50000, "points": 30 }] },
              { "name": "days past due", "metric": "days_past_due",
                "bands": [{ "atLeast": 0, "points": 50 }, { "atLeast": 1, "points": 20 }, { "atLeast": 31, "points": 0 }] }
            ] },
            "hardRules": [{ "name": "more than 90 days past due",
                            "when": { "metric": { "metric": "days_past_due", "op": "GT", "value": 90 } },
                            "grade": "black" }],
            "review": { "monthly": true },
            "approvalSteps": [{ "name": "check", "roles": ["supervisor"],
                                "within": { "amount": 2, "unit": "DAYS" }, "escalateTo": "manager" }],
            "readers": ["supervisor", "manager"],
            "limitApprovers": ["manager"]
          }
        }
        """;

        private readonly Engine _engine = new(PolicyJson);

        public CreditTests()
        {
            _engine.Apply(F.Enrolled("c1"));
        }

        public void Dispose() => _engine.Dispose();

        private static Event At(string id, long at) => new() { CustomerId = id, At = new Timestamp { Seconds = at } };

        private static Event Order(string id, long at, string orderId, long amount)
        {
            var e = At(id, at);
            e.OrderPlaced = new OrderPlaced { OrderId = orderId, Amount = amount, Currency = "EUR" };
            return e;
        }

        private static Event Approval(string id, long at, string role,
                                      CreditApproval.Types.Decision decision = CreditApproval.Types.Decision.Approve)
        {
            var e = At(id, at);
            e.CreditApproval = new CreditApproval { Decision = decision, Role = role, Actor = "someone" };
            return e;
        }

        private static Event Increase(string id, long at, long amount, long expires, string role)
        {
            var e = At(id, at);
            e.LimitIncrease = new CreditLimitIncrease
            {
                Amount = amount, Currency = "EUR", Approver = "boss", Role = role, ExpiresAt = new Timestamp { Seconds = expires },
            };
            return e;
        }

        private static Event Spend(string id, long at, long amount)
        {
            var e = At(id, at);
            e.Purchase = new Purchase { Amount = amount, Currency = "EUR" };
            return e;
        }

        // ---- errors ------------------------------------------------------------------------

        [Fact]
        public void PermissionDeniedIsATypedStatus()
        {
            Assert.Equal(13, (int)StandingStatus.PermissionDenied);
            Assert.Equal("STANDING_PERMISSION_DENIED", StandingLibrary.StatusName(StandingStatus.PermissionDenied));
            var ex = StandingException.For(StandingStatus.PermissionDenied, "no");
            Assert.IsType<PermissionDeniedException>(ex);
            Assert.Equal(StandingStatus.PermissionDenied, ex.Status);
        }

        [Fact]
        public void UnknownCustomerIsNotFound()
        {
            Assert.Throws<NotFoundException>(() => _engine.CheckCredit("nobody", 100));
            Assert.Throws<NotFoundException>(() => _engine.GetCreditRecord("nobody", "supervisor"));
            Assert.Throws<NotFoundException>(() => _engine.GetCreditRecord("nobody", "clerk"));
        }

        [Fact]
        public void BadArguments()
        {
            foreach (long amount in new[] { 0L, -1L, long.MinValue })
            {
                var ex = Assert.Throws<InvalidArgumentException>(() => _engine.CheckCredit("c1", amount));
                Assert.Contains("amount", ex.Message);
            }
            Assert.Throws<InvalidArgumentException>(() => _engine.CheckCredit("", 100));
            Assert.Throws<InvalidArgumentException>(() => _engine.CheckCredit("\ud800", 100));
            Assert.Throws<InvalidArgumentException>(() => _engine.CheckCredit(new string('\ud800', 200), 100));
            Assert.Throws<InvalidArgumentException>(() => _engine.CheckCredit(new byte[] { 0xff }, 100));
            Assert.Throws<InvalidArgumentException>(() => _engine.GetCreditRecord("c1", "\ud800"));
            Assert.Throws<InvalidArgumentException>(() => _engine.GetCreditRecord("", "supervisor"));
            Assert.Throws<InvalidArgumentException>(() => _engine.GetCreditReport(-1));
            Assert.Throws<ArgumentNullException>(() => _engine.CheckCredit((string)null!, 100));
            Assert.Throws<ArgumentNullException>(() => _engine.GetCreditRecord(null!, "supervisor"));
            Assert.Throws<ArgumentNullException>(() => _engine.GetCreditRecord("c1", null!));
        }

        [Fact]
        public void PolicyWithoutCreditIsFailedPrecondition()
        {
            using var e = F.Open();
            e.Apply(F.Enrolled("alice"));
            Assert.Contains("credit", Assert.Throws<FailedPreconditionException>(() => e.CheckCredit("alice", 100)).Message);
            Assert.Throws<FailedPreconditionException>(() => e.GetCreditRecord("alice", "supervisor"));
            Assert.Throws<FailedPreconditionException>(() => e.GetCreditReport());
            Assert.Throws<FailedPreconditionException>(() => e.Apply(Order("alice", T0 + 60, "o1", 100)));
            // The amount is checked first, whatever the policy.
            Assert.Throws<InvalidArgumentException>(() => e.CheckCredit("alice", 0));
        }

        [Fact]
        public void DisposedEngineThrows()
        {
            var e = new Engine(PolicyJson);
            e.Apply(F.Enrolled("c1"));
            e.Dispose();
            Assert.Throws<ObjectDisposedException>(() => e.CheckCredit("c1", 100));
            Assert.Throws<ObjectDisposedException>(() => e.CheckCredit("c1", 100, DateTimeOffset.UnixEpoch));
            Assert.Throws<ObjectDisposedException>(() => e.CheckCredit(Encoding.UTF8.GetBytes("c1"), 100));
            Assert.Throws<ObjectDisposedException>(() => e.GetCreditRecord("c1", "supervisor"));
            Assert.Throws<ObjectDisposedException>(() => e.GetCreditReport());
        }

        [Fact]
        public void RefusedEventsLeaveStateUnchanged()
        {
            _engine.Apply(Order("c1", T0 + 60, "o1", 30000));
            CreditRecord before = _engine.GetCreditRecord("c1", "supervisor");
            Assert.Contains("clerk", Assert.Throws<PermissionDeniedException>(
                () => _engine.Apply(Increase("c1", T0 + 120, 50000, T0 + 10 * Day, "clerk"))).Message);
            Assert.Throws<FailedPreconditionException>(() => _engine.Apply(Approval("c1", T0 + 120, "supervisor")));
            var pay = At("c1", T0 + 120);
            pay.Payment = new Payment { Amount = 100, Currency = "EUR", InvoiceId = "nope" };
            Assert.Throws<NotFoundException>(() => _engine.Apply(pay));
            Assert.Throws<AlreadyExistsException>(() => _engine.Apply(Order("c1", T0 + 120, "o1", 10)));
            var wrongCurrency = Order("c1", T0 + 120, "o2", 10);
            wrongCurrency.OrderPlaced.Currency = "USD";
            Assert.Throws<InvalidArgumentException>(() => _engine.Apply(wrongCurrency));
            Assert.Equal(before, _engine.GetCreditRecord("c1", "supervisor"));
        }

        [Fact]
        public void ApprovalByARoleTheStepDoesNotAllow()
        {
            _engine.Apply(Spend("c1", T0 + 60, 60000));
            var proposed = _engine.Review(T0 + 17 * Day + 1).Where(t => t.Program == "credit").ToList();
            Assert.Equal(new[] { (TransitionKind.Proposed, "red", "green") },
                         proposed.Select(t => (t.Kind, t.FromTier, t.ToTier)));
            PendingApproval pending = _engine.GetCreditRecord("c1", "supervisor").Pending;
            Assert.Equal("check", pending.Step);
            Assert.Contains("manager", Assert.Throws<PermissionDeniedException>(
                () => _engine.Apply(Approval("c1", T0 + 18 * Day, "manager"))).Message);
            Assert.Equal(pending, _engine.GetCreditRecord("c1", "supervisor").Pending);
            var changes = _engine.Apply(Approval("c1", T0 + 18 * Day, "supervisor"));
            Assert.Equal(new[] { (TransitionKind.Upgrade, Cause.Approval, "green") },
                         changes.Select(t => (t.Kind, t.Cause, t.ToTier)));
            CreditRecord r = _engine.GetCreditRecord("c1", "manager");
            Assert.Equal(("green", 500000L), (r.Grade, r.Limit));
            Assert.Null(r.Pending);
        }

        // ---- the check --------------------------------------------------------------------

        [Fact]
        public void CheckApprovesWithinTheLimitAndBlocksOverIt()
        {
            CreditDecision d = _engine.CheckCredit("c1", 60000);
            Assert.Equal(CreditDecision.Types.Outcome.Approve, d.Outcome);
            Assert.Empty(d.Findings);
            Assert.Equal((100000L, 60000L, "EUR", CreditControl.ControlBlock), (d.Available, d.OrderAmount, d.Currency, d.Control));

            _engine.Apply(Order("c1", T0 + 60, "o1", 60000));
            d = _engine.CheckCredit("c1", 60000);
            Assert.Equal(CreditDecision.Types.Outcome.Block, d.Outcome);
            var f = Assert.Single(d.Findings);
            Assert.Equal((CreditDecision.Types.Reason.OverLimit, 20000L), (f.Reason, f.Amount));
            Assert.Equal(40000, d.Available);
            Assert.Equal(d, _engine.CheckCredit(Encoding.UTF8.GetBytes("c1"), 60000));
            Assert.Equal(d, _engine.CheckCredit("c1", 60000, 0L));
            // A check changes nothing.
            Assert.Equal(60000, _engine.GetCreditRecord("c1", "supervisor").Receivables.Exposure);
        }

        [Fact]
        public void CheckAtAnInstant()
        {
            _engine.Apply(Increase("c1", T0 + 60, 50000, T0 + 10 * Day, "manager"));
            Assert.Equal(CreditDecision.Types.Outcome.Approve, _engine.CheckCredit("c1", 120000).Outcome);
            var later = DateTimeOffset.FromUnixTimeSeconds(T0 + 11 * Day);
            foreach (CreditDecision d in new[]
                     {
                         _engine.CheckCredit("c1", 120000, later),
                         _engine.CheckCredit("c1", 120000, later.ToOffset(TimeSpan.FromHours(8))),
                         _engine.CheckCredit("c1", 120000, T0 + 11 * Day),
                     })
            {
                Assert.Equal((CreditDecision.Types.Outcome.Block, 100000L), (d.Outcome, d.Available));
            }
        }

        [Fact]
        public void LongIdsAreNotTruncated()
        {
            string id = new string('x', 200); // past the stack buffer (ids are at most 256 bytes)
            _engine.Apply(F.Enrolled(id));
            Assert.Equal(100000, _engine.CheckCredit(id, 1).Available);
            Assert.Equal(id, _engine.GetCreditRecord(id, "supervisor").CustomerId);
        }

        [Fact]
        public void ChecksFromManyThreads()
        {
            _engine.Apply(Order("c1", T0 + 60, "o1", 30000));
            Parallel.For(0, 4, _ =>
            {
                for (int i = 0; i < 500; ++i)
                {
                    Assert.Equal(10000, _engine.CheckCredit("c1", 80000).Findings[0].Amount);
                }
            });
        }

        // ---- reading the record -----------------------------------------------------------

        [Fact]
        public void ReaderSeesGradeLimitAndCriteria()
        {
            CreditRecord r = _engine.GetCreditRecord("c1", "supervisor");
            Assert.Equal(("c1", false, "red", 1), (r.CustomerId, r.Redacted, r.Grade, r.GradeIndex));
            Assert.Equal((100000L, 30, CreditControl.ControlBlock, "EUR"), (r.Limit, r.TermDays, r.Control, r.Currency));
            Assert.Equal(50, r.Criteria.Score);
            Assert.Equal(new[] { ("spend", 0.0), ("days past due", 50.0) }, r.Criteria.Items.Select(i => (i.Item, i.Points)));
            Assert.Equal("credit.grades[1].min_score", r.Criteria.Rule);
            Assert.Equal(T0, r.GradeSince.Seconds);
        }

        [Fact]
        public void OtherRolesGetARedactedRecordAndAreCounted()
        {
            _engine.Apply(Order("c1", T0 + 60, "o1", 30000));
            Assert.Equal(0UL, _engine.GetCreditReport().RefusedReads);
            foreach (string role in new[] { "clerk", "", "Supervisor" })
            {
                CreditRecord r = _engine.GetCreditRecord("c1", role);
                Assert.True(r.Redacted, role);
                Assert.Equal(("", 0, 0L, 0), (r.Grade, r.GradeIndex, r.Limit, r.TermDays));
                Assert.Null(r.Criteria);
                Assert.Null(r.Pending);
                Assert.Null(r.GradeSince);
                Assert.Empty(r.Increases);
                Assert.Equal(("c1", "EUR"), (r.CustomerId, r.Currency));
                Assert.Equal(30000, r.Receivables.Exposure);
                Assert.Equal(new[] { "o1" }, r.Receivables.OpenOrdersIds);
            }
            Assert.False(_engine.GetCreditRecord("c1", "manager").Redacted);
            CreditReport report = _engine.GetCreditReport();
            Assert.Equal(3UL, report.RefusedReads);
            Assert.Equal(new[] { ("black", 0UL), ("red", 1UL), ("green", 0UL) },
                         report.Grades.Select(g => (g.Grade, g.Customers)));
        }

        [Fact]
        public void ReportListsPendingAndEscalatedApprovals()
        {
            foreach (string id in new[] { "a", "b" })
            {
                _engine.Apply(F.Enrolled(id));
                _engine.Apply(Spend(id, T0 + 60, 60000));
            }
            _engine.Review(T0 + 17 * Day + 1);
            CreditReport report = _engine.GetCreditReport();
            Assert.Equal((2UL, 0UL), (report.PendingApprovals, report.EscalatedApprovals));
            Assert.Equal(new[] { "a", "b" }, report.Pending.Select(p => p.CustomerId).OrderBy(s => s));
            CreditReport one = _engine.GetCreditReport(limit: 1);
            Assert.Single(one.Pending);
            Assert.Equal(2UL, one.PendingApprovals);

            var escalated = _engine.Review(T0 + 20 * Day).Where(t => t.Program == "credit")
                .Select(t => (t.CustomerId, t.Kind, t.Cause)).OrderBy(t => t.CustomerId);
            Assert.Equal(new[] { ("a", TransitionKind.Escalated, Cause.Deadline), ("b", TransitionKind.Escalated, Cause.Deadline) },
                         escalated);
            Assert.Equal(2UL, _engine.GetCreditReport().EscalatedApprovals);
            Assert.Equal(new[] { "supervisor", "manager" }, _engine.GetCreditRecord("a", "supervisor").Pending.Roles);
            _engine.Apply(Approval("a", T0 + 20 * Day, "manager"));
            Assert.Equal("green", _engine.GetCreditRecord("a", "supervisor").Grade);
            Assert.Equal(1UL, _engine.GetCreditReport().PendingApprovals);
        }
    }
}
