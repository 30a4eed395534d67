using System;
using Google.Protobuf;
using Standing.V1;

namespace Standing
{
    // Service levels (docs/service-levels.md): entitlements, service requests and their deadlines,
    // overdue cadences and obligations, account-manager capacity, percentage targets and working-time
    // arithmetic. Every method is a read: any number run concurrently with each other and with writes.
    public sealed unsafe partial class Engine
    {
        /// <summary>What the customer is entitled to now, across programs, and where each entitlement
        /// comes from (program, tier, defining tier), in declaration order.</summary>
        /// <param name="customerId">The customer id.</param>
        /// <exception cref="NotFoundException">No such customer.</exception>
        /// <exception cref="InvalidArgumentException">An empty id, or one with a lone surrogate.</exception>
        /// <exception cref="ObjectDisposedException">The engine is disposed.</exception>
        public EntitlementSet ResolveEntitlements(string customerId)
        {
            ArgumentNullException.ThrowIfNull(customerId);
            byte[] id = Utf8(customerId, "customer id");
            NativeBuffer buf = default;
            int st;
            fixed (byte* p = id)
            {
                st = Native.standing_engine_resolve_entitlements(H(), p, (nuint)id.Length, &buf);
            }
            Check(st);
            return Take(ref buf, EntitlementSet.Parser);
        }

        /// <summary>An open service request: its deadline rule, due times and breach state
        /// (<c>Warning</c>, <c>ResponseBreached</c>, <c>ResolutionBreached</c>) as of
        /// <paramref name="asOfSeconds"/>.</summary>
        /// <param name="customerId">The customer id.</param>
        /// <param name="requestId">The request id (from the <c>ServiceRequest</c> event that opened it).</param>
        /// <param name="asOfSeconds">Seconds since the Unix epoch (UTC); 0: the engine's clock.</param>
        /// <exception cref="NotFoundException">No such customer, or no such open request.</exception>
        /// <exception cref="InvalidArgumentException">An empty id.</exception>
        /// <exception cref="ObjectDisposedException">The engine is disposed.</exception>
        public RequestStatus GetRequest(string customerId, string requestId, long asOfSeconds = 0)
        {
            ArgumentNullException.ThrowIfNull(customerId);
            ArgumentNullException.ThrowIfNull(requestId);
            byte[] id = Utf8(customerId, "customer id");
            byte[] rid = Utf8(requestId, "request id");
            NativeBuffer buf = default;
            int st;
            fixed (byte* p = id)
            fixed (byte* r = rid)
            {
                st = Native.standing_engine_get_request(H(), p, (nuint)id.Length, r, (nuint)rid.Length, asOfSeconds, &buf);
            }
            Check(st);
            return Take(ref buf, RequestStatus.Parser);
        }

        /// <summary>As <see cref="GetRequest(string, string, long)"/>, as of an instant.</summary>
        public RequestStatus GetRequest(string customerId, string requestId, DateTimeOffset asOf) =>
            GetRequest(customerId, requestId, asOf.ToUnixTimeSeconds());

        /// <summary>"By when must we answer this?": the due times a request of this type and priority
        /// would get if the customer opened it at <paramref name="atSeconds"/>, without opening it.
        /// <c>Rule</c> is empty when no deadline rule matches.</summary>
        /// <param name="customerId">The customer id.</param>
        /// <param name="requestType">The request type (may be empty).</param>
        /// <param name="priority">The priority (may be empty).</param>
        /// <param name="atSeconds">Seconds since the Unix epoch (UTC); 0: the engine's clock.</param>
        /// <exception cref="NotFoundException">No such customer.</exception>
        /// <exception cref="InvalidArgumentException">An empty customer id.</exception>
        /// <exception cref="ObjectDisposedException">The engine is disposed.</exception>
        public RequestStatus PreviewRequest(string customerId, string requestType, string priority = "", long atSeconds = 0)
        {
            ArgumentNullException.ThrowIfNull(customerId);
            ArgumentNullException.ThrowIfNull(requestType);
            ArgumentNullException.ThrowIfNull(priority);
            byte[] id = Utf8(customerId, "customer id");
            byte[] type = Utf8(requestType, "request type");
            byte[] prio = Utf8(priority, "priority");
            NativeBuffer buf = default;
            int st;
            fixed (byte* p = id)
            fixed (byte* t = type)
            fixed (byte* pr = prio)
            {
                st = Native.standing_engine_preview_request(H(), p, (nuint)id.Length, type.Length == 0 ? null : t, (nuint)type.Length,
                                                            prio.Length == 0 ? null : pr, (nuint)prio.Length, atSeconds, &buf);
            }
            Check(st);
            return Take(ref buf, RequestStatus.Parser);
        }

        /// <summary>As <see cref="PreviewRequest(string, string, string, long)"/>, at an instant.</summary>
        public RequestStatus PreviewRequest(string customerId, string requestType, string priority, DateTimeOffset at) =>
            PreviewRequest(customerId, requestType, priority, at.ToUnixTimeSeconds());

        /// <summary>Open requests past their response or resolution due time as of
        /// <paramref name="asOfSeconds"/>, most overdue first.</summary>
        /// <param name="asOfSeconds">Seconds since the Unix epoch (UTC); 0: the engine's clock.</param>
        /// <param name="limit">At most this many (0: 1000); <c>Truncated</c> tells whether more matched.</param>
        /// <exception cref="InvalidArgumentException">A negative limit.</exception>
        /// <exception cref="ObjectDisposedException">The engine is disposed.</exception>
        public BreachList ListBreaches(long asOfSeconds = 0, int limit = 0)
        {
            NativeBuffer buf = default;
            Check(Native.standing_engine_list_breaches(H(), asOfSeconds, limit, &buf));
            return Take(ref buf, BreachList.Parser);
        }

        /// <summary>As <see cref="ListBreaches(long, int)"/>, as of an instant.</summary>
        public BreachList ListBreaches(DateTimeOffset asOf, int limit = 0) => ListBreaches(asOf.ToUnixTimeSeconds(), limit);

        /// <summary>Contact cadences and obligations past due, most overdue first: for one manager
        /// (<c>Manager</c>), the customers without one (<c>Unowned</c>) or everyone; optionally one
        /// kind, one tier of one program, and a range of due times (<c>DueFrom</c> .. <c>AsOf</c>,
        /// default the engine's clock).</summary>
        /// <param name="query">The criteria; null: everything overdue now (at most 1000 items).</param>
        /// <exception cref="NotFoundException">No such program or tier.</exception>
        /// <exception cref="InvalidArgumentException">Bad criteria (a negative limit, an unknown kind).</exception>
        /// <exception cref="ObjectDisposedException">The engine is disposed.</exception>
        public OverdueList ListOverdue(OverdueQuery? query = null)
        {
            byte[] q = query is null ? Array.Empty<byte>() : query.ToByteArray();
            NativeBuffer buf = default;
            int st;
            fixed (byte* p = q)
            {
                st = Native.standing_engine_list_overdue(H(), q.Length == 0 ? null : p, (nuint)q.Length, &buf);
            }
            Check(st);
            return Take(ref buf, OverdueList.Parser);
        }

        /// <summary>Managers over capacity (highest load first) and the customers of tiers that require
        /// a manager but have none.</summary>
        /// <param name="limit">At most this many unmanaged customer ids (0: 1000); <c>UnmanagedCount</c>
        /// counts them all.</param>
        /// <exception cref="InvalidArgumentException">A negative limit.</exception>
        /// <exception cref="ObjectDisposedException">The engine is disposed.</exception>
        public CapacityReport GetCapacityReport(int limit = 0)
        {
            NativeBuffer buf = default;
            Check(Native.standing_engine_capacity_report(H(), limit, &buf));
            return Take(ref buf, CapacityReport.Parser);
        }

        /// <summary>Compliance with every percentage target of the policy, per target, period and
        /// tier.</summary>
        /// <exception cref="ObjectDisposedException">The engine is disposed.</exception>
        public ComplianceReport GetCompliance()
        {
            NativeBuffer buf = default;
            Check(Native.standing_engine_compliance(H(), &buf));
            return Take(ref buf, ComplianceReport.Parser);
        }

        /// <summary><paramref name="atSeconds"/> plus <paramref name="duration"/>, in calendar or
        /// working time on the policy's calendars.</summary>
        /// <param name="atSeconds">Seconds since the Unix epoch (UTC).</param>
        /// <param name="duration">The duration, e.g. <c>new DurationSpec { Amount = 2, Unit = DurationSpec.Types.Unit.WorkingDays }</c>.</param>
        /// <returns>The end instant, in seconds since the Unix epoch.</returns>
        /// <exception cref="InvalidArgumentException">A negative amount, an unknown unit or calendar, a
        /// working unit without a calendar.</exception>
        /// <exception cref="ObjectDisposedException">The engine is disposed.</exception>
        public long AddDuration(long atSeconds, DurationSpec duration)
        {
            ArgumentNullException.ThrowIfNull(duration);
            byte[] d = duration.ToByteArray();
            long end;
            int st;
            fixed (byte* p = d)
            {
                st = Native.standing_engine_add_duration(H(), atSeconds, p, (nuint)d.Length, &end);
            }
            Check(st);
            return end;
        }

        /// <summary>As <see cref="AddDuration(long, DurationSpec)"/>, from an instant (whole seconds;
        /// the result is in UTC).</summary>
        public DateTimeOffset AddDuration(DateTimeOffset at, DurationSpec duration) =>
            DateTimeOffset.FromUnixTimeSeconds(AddDuration(at.ToUnixTimeSeconds(), duration));
    }
}
