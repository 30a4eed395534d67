using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Google.Protobuf.WellKnownTypes;
using Standing.V1;
using Xunit;
using Outcome = Standing.V1.CreditDecision.Types.Outcome;
using Reason = Standing.V1.CreditDecision.Types.Reason;

namespace Standing.Tests
{
    /// <summary>Rule set 3 (credit) through the C# binding: one scenario per rule of
    /// examples/policies/credit.json, the same expectations as
    /// bindings/python/tests/test_scenario_credit.py (grades 黑名单 &lt; 红名单 &lt; 黄名单 &lt; 绿名单, amounts in
    /// fen, the mainland China 2025-2026 calendar for approval deadlines, times +08:00).</summary>
    public class CreditScenarioTests
    {
        const string Black = "黑名单", Red = "红名单", Yellow = "黄名单", Green = "绿名单";
        const long Day = 86400;

        static readonly string CreditPath = Path.Combine(F.Repo, "examples", "policies", "credit.json");
        static readonly TimeSpan Cst = TimeSpan.FromHours(8);

        static long Local(int y, int mo, int d, int h = 12, int mi = 0) =>
            new DateTimeOffset(y, mo, d, h, mi, 0, Cst).ToUnixTimeSeconds();

        static long Yuan(long n) => n * 100;

        static readonly long Q2 = Local(2026, 4, 1, 0); // the first quarterly review
        static readonly long T0 = Local(2026, 1, 5, 10); // a Monday

        static Engine Open() => Engine.FromFile(CreditPath);

        static Event Ev(string id, long at) => new() { CustomerId = id, At = new Timestamp { Seconds = at } };

        static Event Enrol(string id)
        {
            var e = Ev(id, T0);
            e.Enrolled = new Enrolled();
            return e;
        }

        static Event Buy(string id, long at, long amount)
        {
            var e = Ev(id, at);
            e.Purchase = new Purchase { Amount = amount, Currency = "CNY", Category = "goods", Quantity = 1 };
            return e;
        }

        static Event Order(string id, long at, string orderId, long amount)
        {
            var e = Ev(id, at);
            e.OrderPlaced = new OrderPlaced { OrderId = orderId, Amount = amount, Currency = "CNY" };
            return e;
        }

        static Event Invoice(string id, long at, string invoiceId, long amount, string orderId = "", long? dueAt = null)
        {
            var e = Ev(id, at);
            e.Invoice = new Invoice { InvoiceId = invoiceId, Amount = amount, Currency = "CNY", OrderId = orderId };
            if (dueAt is long due)
            {
                e.Invoice.DueAt = new Timestamp { Seconds = due };
            }
            return e;
        }

        static Event Pay(string id, long at, string paymentId, long amount)
        {
            var e = Ev(id, at);
            e.Payment = new Payment { PaymentId = paymentId, Amount = amount, Currency = "CNY" };
            return e;
        }

        static Event Obligation(string id, long at, string contract, bool fulfilled)
        {
            var e = Ev(id, at);
            e.Obligation = new ObligationOutcome { ContractId = contract, Fulfilled = fulfilled };
            return e;
        }

        static Event Approve(string id, long at, string role, string actor = "someone",
                             CreditApproval.Types.Decision decision = CreditApproval.Types.Decision.Approve)
        {
            var e = Ev(id, at);
            e.CreditApproval = new CreditApproval { Decision = decision, Role = role, Actor = actor, Comment = "ok" };
            return e;
        }

        static Event Increase(string id, long at, long amount, long expires, string role = "manager")
        {
            var e = Ev(id, at);
            e.LimitIncrease = new CreditLimitIncrease
            {
                Amount = amount, Currency = "CNY", Approver = "王经理", Role = role, Reason = "spring season",
                ExpiresAt = new Timestamp { Seconds = expires },
            };
            return e;
        }

        static List<(string, TransitionKind, Cause, string, string)> CreditChanges(IEnumerable<Transition> ts) =>
            ts.Where(t => t.Program == "credit").Select(t => (t.CustomerId, t.Kind, t.Cause, t.FromTier, t.ToTier)).ToList();

        static string Grade(Engine e, string id) => e.GetCreditRecord(id, "supervisor").Grade;

        static List<(Reason, long, int)> Findings(CreditDecision d) =>
            d.Findings.Select(f => (f.Reason, f.Amount, f.Days)).ToList();

        /// <summary>Enrols <paramref name="id"/>, buys <paramref name="revenue"/>, and takes the grade through
        /// the Q2 review and both approval steps (supervisor, then manager).</summary>
        static void UpgradedByReview(Engine e, string id, long revenue, string to)
        {
            e.Apply(Enrol(id));
            e.Apply(Buy(id, T0 + 60, revenue));
            Assert.Contains((id, TransitionKind.Proposed, Cause.Review, Red, to), CreditChanges(e.Review(Q2)));
            e.Apply(Approve(id, Local(2026, 4, 1, 10), "supervisor"));
            Assert.Equal(new[] { (id, TransitionKind.Upgrade, Cause.Approval, Red, to) },
                         CreditChanges(e.Apply(Approve(id, Local(2026, 4, 2, 10), "manager"))));
        }

        // ---- the policy -------------------------------------------------------------------

        [Fact]
        public void PolicyDeclaresRuleSet3()
        {
            using var e = Open();
            CreditPolicy credit = e.Policy.Credit;
            Assert.Equal(new[] { Black, Red, Yellow, Green }, credit.Grades.Select(g => g.Name));
            Assert.True(credit.Grades[0].Blocked);
            Assert.Equal(new[] { "supervisor", "manager", "director" }, credit.Readers);
            Assert.Equal(new[] { "manager", "director" }, credit.LimitApprovers);
            Assert.Equal(new[] { ("supervisor review", "manager"), ("credit committee", "director") },
                         credit.ApprovalSteps.Select(s => (s.Name, s.EscalateTo)));
            Assert.True(credit.Review.Quarterly);
        }

        // ---- (a) a new customer -----------------------------------------------------------

        [Fact]
        public void NewCustomerStartsOnTheRedList()
        {
            using var e = Open();
            Assert.Equal(new[] { ("B-1", TransitionKind.Entered, Cause.Enrolment, "", Red) }, CreditChanges(e.Apply(Enrol("B-1"))));
            CreditRecord r = e.GetCreditRecord("B-1", "supervisor");
            Assert.Equal((Red, 1, Yuan(50_000), 15), (r.Grade, r.GradeIndex, r.Limit, r.TermDays));
            // 0 revenue + 20 (fulfilment missing) + 15 (on-time missing) + 10 (not overdue).
            Assert.Equal(45, r.Criteria.Score);
            Assert.Equal(new[] { ("revenue_12m", false, 0.0), ("fulfilment_rate", true, 20.0), ("on_time_rate", true, 15.0), ("days_past_due", false, 10.0) },
                         r.Criteria.Items.Select(i => (i.Metric, i.Missing, i.Points)));

            Assert.Equal(Outcome.Approve, e.CheckCredit("B-1", Yuan(50_000)).Outcome);
            CreditDecision d = e.CheckCredit("B-1", Yuan(60_000));
            Assert.Equal(Outcome.Block, d.Outcome);
            Assert.Equal(new[] { (Reason.OverLimit, Yuan(10_000), 0) }, Findings(d));
            Assert.Equal((Yuan(50_000), "CNY", CreditControl.ControlBlock), (d.Available, d.Currency, d.Control));
        }

        // ---- (b) orders, invoices, payments -------------------------------------------------

        [Fact]
        public void AnOrderReservesExposureAndItsInvoiceMovesItToReceivables()
        {
            using var e = Open();
            e.Apply(Enrol("B-2"));
            e.Apply(Order("B-2", T0 + 60, "SO-1", Yuan(30_000)));
            Receivables rec = e.GetCreditRecord("B-2", "supervisor").Receivables;
            Assert.Equal((Yuan(30_000), 0L, Yuan(30_000)), (rec.OpenOrders, rec.OpenReceivables, rec.Exposure));
            Assert.Equal(Yuan(20_000), e.CheckCredit("B-2", Yuan(30_000)).Available);
            Assert.Equal(new[] { (Reason.OverLimit, Yuan(5_000), 0) }, Findings(e.CheckCredit("B-2", Yuan(25_000))));

            e.Apply(Invoice("B-2", T0 + 120, "INV-1", Yuan(30_000), orderId: "SO-1"));
            rec = e.GetCreditRecord("B-2", "supervisor").Receivables;
            Assert.Equal((0L, Yuan(30_000), Yuan(30_000)), (rec.OpenOrders, rec.OpenReceivables, rec.Exposure));
            Assert.Empty(rec.OpenOrdersIds);
            OpenInvoice inv = Assert.Single(rec.Invoices);
            Assert.Equal(("INV-1", Yuan(30_000)), (inv.InvoiceId, inv.OpenAmount));
            Assert.Equal(T0 + 120 + 15 * Day, inv.DueAt.Seconds); // 红名单's 15-day term
        }

        [Fact]
        public void PaymentsAllocateOldestDueFirstAndOverpaymentIsACreditBalance()
        {
            using var e = Open();
            e.Apply(Enrol("B-3"));
            e.Apply(Invoice("B-3", T0 + 60, "INV-1", Yuan(20_000), dueAt: T0 + 40 * Day)); // issued first, due last
            e.Apply(Invoice("B-3", T0 + 120, "INV-2", Yuan(10_000)));
            e.Apply(Pay("B-3", T0 + 2 * Day, "PAY-1", Yuan(15_000)));
            Receivables rec = e.GetCreditRecord("B-3", "supervisor").Receivables;
            Assert.Equal(new[] { ("INV-1", Yuan(15_000)) }, rec.Invoices.Select(i => (i.InvoiceId, i.OpenAmount)));

            e.Apply(Pay("B-3", T0 + 3 * Day, "PAY-2", Yuan(18_000)));
            rec = e.GetCreditRecord("B-3", "supervisor").Receivables;
            Assert.Empty(rec.Invoices);
            Assert.Equal((0L, Yuan(3_000), Yuan(53_000)), (rec.Exposure, rec.CreditBalance, rec.Available));
            Assert.Equal(Outcome.Approve, e.CheckCredit("B-3", Yuan(53_000)).Outcome);
            var metrics = e.GetCustomer("B-3").Metrics.ToDictionary(m => m.Name);
            Assert.Equal((2.0, 1.0), (metrics["invoices_settled_12m"].Value, metrics["on_time_rate"].Value));
        }

        // ---- (c) contract fulfilment below 75% ----------------------------------------------

        [Fact]
        public void FulfilmentBelow75PercentCapsTheGradeAndDropsKeyAccountAtOnce()
        {
            using var e = Open();
            UpgradedByReview(e, "KA-1", Yuan(5_000_000), Green); // 40 + 20 + 15 + 10 = 85
            Assert.Equal("key_account", e.GetCustomer("KA-1").Standings[0].Tier);

            Assert.Empty(CreditChanges(e.Apply(Obligation("KA-1", Local(2026, 4, 20, 10), "C-1", true))));
            var changes = e.Apply(Obligation("KA-1", Local(2026, 4, 21, 10), "C-2", false));
            Assert.Equal(new[] { (TransitionKind.Downgrade, Cause.Event, "ordinary") },
                         changes.Where(t => t.Program == "key_account").Select(t => (t.Kind, t.Cause, t.ToTier)));
            Assert.Equal(new[] { ("KA-1", TransitionKind.Downgrade, Cause.HardRule, Green, Red) }, CreditChanges(changes));
            Transition t = changes.Single(t => t.Program == "credit");
            Assert.Equal((65.0, Yellow), (t.Credit.Score, t.Credit.ScoreGrade)); // the score alone: 黄名单
            Assert.Equal(("contract fulfilment below 75%", "credit.hard_rules[0]"), (t.Credit.HardRule, t.Credit.Rule));
            Assert.Equal((Red, Yuan(50_000)), (Grade(e, "KA-1"), e.GetCreditRecord("KA-1", "director").Limit));
            Assert.Equal("ordinary", e.GetCustomer("KA-1").Standings[0].Tier);
        }

        // ---- (d) more than 90 days past due -------------------------------------------------

        [Fact]
        public void MoreThan90DaysPastDueBlacklistsAsTimePasses()
        {
            using var e = Open();
            e.Apply(Enrol("B-4"));
            e.Apply(Invoice("B-4", T0 + 60, "INV-1", Yuan(10_000)));
            long due = T0 + 60 + 15 * Day;
            Assert.Empty(CreditChanges(e.Review(due + 60 * Day + 1)));
            Assert.Contains((Reason.Overdue, 0L, 60), Findings(e.CheckCredit("B-4", Yuan(100))));

            e.Review(due + 90 * Day + 1);
            Assert.Equal(Red, Grade(e, "B-4"));
            Assert.Contains(("B-4", TransitionKind.Downgrade, Cause.HardRule, Red, Black),
                            CreditChanges(e.Review(due + 91 * Day + 1)));
            CreditRecord r = e.GetCreditRecord("B-4", "supervisor");
            Assert.Equal((Black, "more than 90 days past due"), (r.Grade, r.Criteria.HardRule));
            Assert.Null(r.Pending);
            Assert.Equal((91, Yuan(10_000)), (r.Receivables.DaysPastDue, r.Receivables.AgedOver90));

            CreditDecision d = e.CheckCredit("B-4", Yuan(100));
            Assert.Equal(Outcome.Block, d.Outcome);
            Assert.Contains(d.Findings, f => f.Reason == Reason.GradeBlocked);
            Assert.Equal(91, d.Findings.Single(f => f.Reason == Reason.Overdue).Days);
            CreditReport report = e.GetCreditReport();
            Assert.Equal((Black, 1UL), (report.Grades[0].Grade, report.Grades[0].Customers));
            Assert.Equal(1UL, report.CustomersOverdue);
        }

        // ---- (e) the quarterly review and its approval steps --------------------------------

        [Fact]
        public void QuarterlyReviewProposesAnUpgradeThatNeedsTwoApprovals()
        {
            using var e = Open();
            e.Apply(Enrol("B-5"));
            e.Apply(Buy("B-5", T0 + 60, Yuan(1_200_000))); // 30 + 20 + 15 + 10 = 75
            Assert.Equal(Red, Grade(e, "B-5"));
            Assert.Empty(CreditChanges(e.Review(Q2 - 1)));
            Assert.Equal(new[] { ("B-5", TransitionKind.Proposed, Cause.Review, Red, Yellow) }, CreditChanges(e.Review(Q2)));
            PendingApproval p = e.GetCreditRecord("B-5", "supervisor").Pending;
            Assert.Equal(("supervisor review", 0, Q2), (p.Step, p.StepIndex, p.ProposedAt.Seconds));
            Assert.Equal(Local(2026, 4, 4, 0), p.StepDue.Seconds); // 3 whole working days: 1, 2, 3 April

            Assert.Throws<PermissionDeniedException>(() => e.Apply(Approve("B-5", Local(2026, 4, 1, 10), "clerk")));
            Assert.Throws<PermissionDeniedException>(() => e.Apply(Approve("B-5", Local(2026, 4, 1, 10), "manager")));
            Assert.Equal(p, e.GetCreditRecord("B-5", "supervisor").Pending);

            Assert.Equal(new[] { ("B-5", TransitionKind.StepApproved, Cause.Approval, Red, Yellow) },
                         CreditChanges(e.Apply(Approve("B-5", Local(2026, 4, 1, 10), "supervisor", "李主管"))));
            p = e.GetCreditRecord("B-5", "supervisor").Pending;
            Assert.Equal(("credit committee", 1), (p.Step, p.StepIndex));
            Assert.Equal(new[] { "manager", "director" }, p.Roles);
            Assert.Equal(new[] { ("supervisor review", "supervisor", "李主管", true) },
                         p.History.Select(h => (h.Step, h.Role, h.Actor, h.Approved)));

            Assert.Equal(new[] { ("B-5", TransitionKind.Upgrade, Cause.Approval, Red, Yellow) },
                         CreditChanges(e.Apply(Approve("B-5", Local(2026, 4, 2, 10), "manager"))));
            CreditRecord r = e.GetCreditRecord("B-5", "supervisor");
            Assert.Equal((Yellow, 30, CreditControl.ControlWarn, Yuan(1_200_000) / 6), (r.Grade, r.TermDays, r.Control, r.Limit));
            Assert.Null(r.Pending);
            CreditDecision d = e.CheckCredit("B-5", r.Limit + 1); // 黄名单 warns
            Assert.Equal(Outcome.Warn, d.Outcome);
            Assert.Equal(new[] { (Reason.OverLimit, 1L, 0) }, Findings(d));
        }

        [Fact]
        public void AnUndecidedStepEscalatesAndTheManagerMayThenAct()
        {
            using var e = Open();
            foreach (string id in new[] { "B-6", "B-7" })
            {
                e.Apply(Enrol(id));
                e.Apply(Buy(id, T0 + 60, Yuan(600_000))); // 20 + 20 + 15 + 10 = 65
            }
            e.Review(Q2);
            long due = e.GetCreditRecord("B-6", "supervisor").Pending.StepDue.Seconds;
            Assert.Empty(CreditChanges(e.Review(due - 1)));
            Assert.Equal(new[]
                         {
                             ("B-6", TransitionKind.Escalated, Cause.Deadline, Red, Yellow),
                             ("B-7", TransitionKind.Escalated, Cause.Deadline, Red, Yellow),
                         },
                         CreditChanges(e.Review(due)));
            CreditReport report = e.GetCreditReport();
            Assert.Equal((2UL, 2UL), (report.PendingApprovals, report.EscalatedApprovals));
            PendingApproval p = e.GetCreditRecord("B-6", "supervisor").Pending;
            Assert.True(p.Escalated);
            Assert.Equal(new[] { "supervisor", "manager" }, p.Roles);
            Assert.Empty(CreditChanges(e.Review(due + Day))); // escalates once

            Assert.Equal(new[] { ("B-6", TransitionKind.StepApproved, Cause.Approval, Red, Yellow) },
                         CreditChanges(e.Apply(Approve("B-6", due + 3600, "manager"))));
            e.Apply(Approve("B-6", due + 7200, "director"));
            Assert.Equal(Yellow, Grade(e, "B-6"));

            Assert.Equal(new[] { ("B-7", TransitionKind.Rejected, Cause.Approval, Red, Yellow) },
                         CreditChanges(e.Apply(Approve("B-7", due + 3600, "manager", decision: CreditApproval.Types.Decision.Reject))));
            Assert.Equal(Red, Grade(e, "B-7"));
            Assert.Equal(0UL, e.GetCreditReport().PendingApprovals);
        }

        // ---- (f) temporary limit increases --------------------------------------------------

        [Fact]
        public void ATemporaryIncreaseRaisesAvailableCreditUntilItExpires()
        {
            using var e = Open();
            e.Apply(Enrol("B-8"));
            long expires = T0 + 30 * Day;
            Assert.Throws<PermissionDeniedException>(() => e.Apply(Increase("B-8", T0 + 60, Yuan(20_000), expires, "supervisor")));
            Assert.Equal(Outcome.Block, e.CheckCredit("B-8", Yuan(60_000)).Outcome);

            e.Apply(Increase("B-8", T0 + 60, Yuan(20_000), expires));
            CreditDecision d = e.CheckCredit("B-8", Yuan(60_000));
            Assert.Equal((Outcome.Approve, Yuan(70_000)), (d.Outcome, d.Available));
            CreditRecord r = e.GetCreditRecord("B-8", "manager");
            Assert.Equal(Yuan(70_000), r.Limit);
            Assert.Equal(new[] { (Yuan(20_000), "王经理", "manager", expires) },
                         r.Increases.Select(i => (i.Amount, i.Approver, i.Role, i.ExpiresAt.Seconds)));

            d = e.CheckCredit("B-8", Yuan(60_000), DateTimeOffset.FromUnixTimeSeconds(expires));
            Assert.Equal((Outcome.Block, Yuan(50_000)), (d.Outcome, d.Available));
            e.Review(expires + 1);
            r = e.GetCreditRecord("B-8", "manager");
            Assert.Equal(Yuan(50_000), r.Limit);
            Assert.Empty(r.Increases);
        }

        // ---- (g) snapshots ------------------------------------------------------------------

        static readonly string[] Customers = { "S-1", "S-2", "S-3", "S-4", "S-5" };

        /// <summary>All of the above in one engine, in time order (as _populate in the Python test).</summary>
        static void Populate(Engine e)
        {
            foreach (string id in Customers)
            {
                e.Apply(Enrol(id));
            }
            e.Apply(Order("S-1", T0 + 60, "SO-1", Yuan(30_000)));
            e.Apply(Invoice("S-1", T0 + 120, "INV-1", Yuan(20_000), orderId: "SO-1", dueAt: Local(2026, 6, 30)));
            e.Apply(Invoice("S-1", T0 + 180, "INV-2", Yuan(4_000)));
            e.Apply(Pay("S-1", T0 + Day, "PAY-1", Yuan(5_000)));
            e.Apply(Buy("S-2", T0 + 60, Yuan(5_000_000)));
            e.Apply(Buy("S-3", T0 + 60, Yuan(600_000)));
            e.Apply(Invoice("S-4", T0 + 60, "INV-9", Yuan(10_000)));
            e.Apply(Pay("S-5", T0 + 60, "PAY-9", Yuan(1_000)));
            e.Review(Q2);
            e.Apply(Approve("S-1", Local(2026, 4, 1, 11), "supervisor", decision: CreditApproval.Types.Decision.Reject));
            e.Apply(Approve("S-2", Local(2026, 4, 1, 10), "supervisor"));
            e.Apply(Approve("S-2", Local(2026, 4, 2, 10), "manager"));
            e.Apply(Increase("S-5", Local(2026, 4, 3, 10), Yuan(20_000), Local(2026, 5, 1)));
            e.Review(Local(2026, 4, 7, 0));
            e.Apply(Obligation("S-2", Local(2026, 4, 20, 10), "C-1", false));
            e.Apply(Approve("S-3", Local(2026, 4, 21, 10), "manager"));
            e.Review(Local(2026, 4, 22, 0));
        }

        [Fact]
        public void ASnapshotRoundTripKeepsCredit()
        {
            using var e = Open();
            Populate(e);
            Assert.Equal(new[] { Red, Red, Red, Black, Red }, Customers.Select(id => Grade(e, id)));
            Assert.Equal(new[] { ("S-3", "credit committee", false) },
                         e.GetCreditReport().Pending.Select(p => (p.CustomerId, p.Step, p.Escalated)));
            e.GetCreditRecord("S-1", "clerk"); // a refused read (not part of the state)

            string dir = F.TempDir();
            try
            {
                string path = Path.Combine(dir, "credit.snapshot");
                e.Save(path);
                foreach (Engine restored in new[] { Engine.Load(e.Snapshot()), Engine.LoadFile(path) })
                {
                    using (restored)
                    {
                        foreach (string id in Customers)
                        {
                            Assert.Equal(e.GetCreditRecord(id, "supervisor"), restored.GetCreditRecord(id, "supervisor"));
                            foreach (long amount in new[] { Yuan(1), Yuan(30_000), Yuan(80_000) })
                            {
                                Assert.Equal(e.CheckCredit(id, amount), restored.CheckCredit(id, amount));
                            }
                        }
                        CreditReport want = e.GetCreditReport(), got = restored.GetCreditReport();
                        Assert.Equal((1UL, 0UL), (want.RefusedReads, got.RefusedReads));
                        want.RefusedReads = 0;
                        Assert.Equal(want, got);
                    }
                }
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }

            using var loaded = Engine.Load(e.Snapshot());
            foreach (Engine x in new[] { e, loaded })
            {
                Assert.Equal(new[] { ("S-3", TransitionKind.Upgrade, Cause.Approval, Red, Yellow) },
                             CreditChanges(x.Apply(Approve("S-3", Local(2026, 4, 23, 10), "director"))));
                x.Apply(Pay("S-1", Local(2026, 4, 23, 11), "PAY-2", Yuan(20_000)));
                Assert.Equal(Yuan(1_000), x.GetCreditRecord("S-1", "supervisor").Receivables.CreditBalance);
                Assert.Equal(Outcome.Approve, x.CheckCredit("S-5", Yuan(70_000)).Outcome);
                Assert.Equal(Outcome.Block, x.CheckCredit("S-5", Yuan(70_000), Local(2026, 5, 1)).Outcome);
            }
            long later = Local(2026, 7, 1, 0); // the Q3 review
            Assert.Equal(CreditChanges(e.Review(later)), CreditChanges(loaded.Review(later)));
            foreach (string id in Customers)
            {
                Assert.Equal(e.GetCreditRecord(id, "director"), loaded.GetCreditRecord(id, "director"));
            }
        }

        [Fact]
        public void AnEscalatedStepDoesNotEscalateAgainAfterALoad()
        {
            using var e = Open();
            e.Apply(Enrol("S-6"));
            e.Apply(Buy("S-6", T0 + 60, Yuan(600_000)));
            e.Review(Q2);
            long due = e.GetCreditRecord("S-6", "supervisor").Pending.StepDue.Seconds;
            Assert.Single(CreditChanges(e.Review(due)));
            using var restored = Engine.Load(e.Snapshot());
            Assert.Empty(CreditChanges(restored.Review(due + Day)));
        }
    }
}
