using System;
using Standing.V1;

namespace Standing
{
    // Credit (docs/credit.md): the credit check, the role-filtered credit record and the credit report.
    // Every method is a read: any number run concurrently with each other and with writes. Credit writes
    // are events applied with Apply: Invoice (with OrderId), Payment, OrderPlaced, OrderCancelled,
    // CreditApproval and CreditLimitIncrease; grade changes come back as transitions whose Program is the
    // credit policy's name ("credit" by default), with the criteria in Transition.Credit. Amounts are
    // minor units of the policy currency (fen for CNY).
    public sealed unsafe partial class Engine
    {
        /// <summary>"May this customer take an order of <paramref name="amount"/> on credit?": approve,
        /// warn or block following the grade's control mode, with the reasons (<c>OverLimit</c> with the
        /// excess in <c>Amount</c>, <c>Overdue</c> with the days past due in <c>Days</c>,
        /// <c>GradeBlocked</c>) and the credit available before this order (limit with temporary increases,
        /// minus exposure, plus credit balance; may be negative). Nothing changes: reserving the amount is
        /// an <see cref="OrderPlaced"/> event.</summary>
        /// <param name="customerId">The customer id.</param>
        /// <param name="amount">The order amount in minor units; must be positive.</param>
        /// <param name="at">The instant of the check (temporary increases and days past due are taken then);
        /// null: the engine's clock.</param>
        /// <exception cref="InvalidArgumentException">An empty id, one with a lone surrogate, or
        /// <paramref name="amount"/> &lt;= 0.</exception>
        /// <exception cref="NotFoundException">No such customer.</exception>
        /// <exception cref="FailedPreconditionException">The policy has no credit section.</exception>
        /// <exception cref="ObjectDisposedException">The engine is disposed.</exception>
        public CreditDecision CheckCredit(string customerId, long amount, DateTimeOffset? at = null) =>
            CheckCredit(customerId, amount, at?.ToUnixTimeSeconds() ?? 0);

        /// <summary>As <see cref="CheckCredit(string, long, DateTimeOffset?)"/>, at an instant in seconds since
        /// the Unix epoch (UTC; 0: the engine's clock).</summary>
        public CreditDecision CheckCredit(string customerId, long amount, long atSeconds)
        {
            ArgumentNullException.ThrowIfNull(customerId);
            if (customerId.Length <= 128)
            {
                Span<byte> id = stackalloc byte[128 * 3];
                int n = Utf8(customerId, id, "customer id");
                return CheckCredit(id.Slice(0, n), amount, atSeconds);
            }
            return CheckCredit(Utf8(customerId, "customer id"), amount, atSeconds);
        }

        /// <summary>As <see cref="CheckCredit(string, long, long)"/> with a UTF-8 encoded customer id (no
        /// encoding on the way in).</summary>
        public CreditDecision CheckCredit(ReadOnlySpan<byte> utf8CustomerId, long amount, long atSeconds = 0)
        {
            NativeBuffer buf = default;
            int st;
            fixed (byte* p = utf8CustomerId)
            {
                st = Native.standing_engine_check_credit(H(), p, (nuint)utf8CustomerId.Length, amount, atSeconds, &buf);
            }
            Check(st);
            return Take(ref buf, CreditDecision.Parser);
        }

        /// <summary>The customer's credit record as a caller with <paramref name="role"/> may see it. For
        /// the roles of the policy's <c>credit.readers</c>: <c>Grade</c>, <c>GradeIndex</c>, <c>Limit</c>
        /// (with active temporary increases), <c>TermDays</c>, <c>Control</c>, <c>Criteria</c>,
        /// <c>Increases</c> and <c>Pending</c> (a grade change awaiting approval). For any other role (an
        /// empty one too) those are left out, <c>Redacted</c> is true and the refusal is counted
        /// (<see cref="CreditReport.RefusedReads"/>); that is not an error. <c>Receivables</c> are always
        /// present, as of the engine's clock.</summary>
        /// <param name="customerId">The customer id.</param>
        /// <param name="role">The caller's role, e.g. <c>"supervisor"</c>.</param>
        /// <exception cref="InvalidArgumentException">An empty id, or a lone surrogate in an argument.</exception>
        /// <exception cref="NotFoundException">No such customer.</exception>
        /// <exception cref="FailedPreconditionException">The policy has no credit section.</exception>
        /// <exception cref="ObjectDisposedException">The engine is disposed.</exception>
        public CreditRecord GetCreditRecord(string customerId, string role)
        {
            ArgumentNullException.ThrowIfNull(customerId);
            ArgumentNullException.ThrowIfNull(role);
            byte[] id = Utf8(customerId, "customer id");
            byte[] r = Utf8(role, "role");
            NativeBuffer buf = default;
            int st;
            fixed (byte* p = id)
            fixed (byte* q = r)
            {
                st = Native.standing_engine_get_credit_record(
                    H(), p, (nuint)id.Length, r.Length == 0 ? null : q, (nuint)r.Length, &buf);
            }
            Check(st);
            return Take(ref buf, CreditRecord.Parser);
        }

        /// <summary>Customers per grade (lowest first), pending and escalated grade changes (the first
        /// <paramref name="limit"/> by step due time), credit-record reads refused since the engine was
        /// opened, and the number of customers overdue.</summary>
        /// <param name="limit">At most this many pending approvals listed (0: 1000);
        /// <c>PendingApprovals</c> counts them all.</param>
        /// <exception cref="InvalidArgumentException">A negative limit.</exception>
        /// <exception cref="FailedPreconditionException">The policy has no credit section.</exception>
        /// <exception cref="ObjectDisposedException">The engine is disposed.</exception>
        public CreditReport GetCreditReport(int limit = 0)
        {
            NativeBuffer buf = default;
            Check(Native.standing_engine_get_credit_report(H(), limit, &buf));
            return Take(ref buf, CreditReport.Parser);
        }
    }
}
