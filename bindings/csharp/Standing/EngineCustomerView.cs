using System;
using System.Runtime.InteropServices;
using Standing.V1;

namespace Standing
{
    /// <summary>How much of a customer <see cref="Engine.GetCustomer(string, CustomerView)"/>
    /// returns (standing_customer_view in include/standing/standing.h).</summary>
    public enum CustomerView
    {
        /// <summary>Attributes, enrolment instant, standing in every program, metrics: what
        /// <see cref="Engine.GetCustomer(string)"/> returns.</summary>
        Full = 0,

        /// <summary>Only the id and the standing in every program (each
        /// <see cref="ProgramStanding"/> complete): a smaller message, quicker to get and parse.</summary>
        Standing = 1,
    }

    internal static unsafe partial class Native
    {
        [LibraryImport(Library)]
        internal static partial int standing_engine_get_customer_view(
            EngineHandle engine, byte* id, nuint idLen, int view, NativeBuffer* customer);

        [LibraryImport(Library)]
        internal static partial int standing_engine_get_tier(
            EngineHandle engine, byte* id, nuint idLen, byte* program, nuint programLen, int* tierIndex);
    }

    public sealed unsafe partial class Engine
    {
        /// <summary>The customer with the fields <paramref name="view"/> selects:
        /// <see cref="CustomerView.Standing"/> sets only <c>Id</c> and <c>Standings</c>.</summary>
        /// <exception cref="NotFoundException">No such customer.</exception>
        /// <exception cref="InvalidArgumentException">An empty or invalid id, or an unknown view.</exception>
        public Customer GetCustomer(string customerId, CustomerView view)
        {
            ArgumentNullException.ThrowIfNull(customerId);
            if (customerId.Length <= 128)
            {
                Span<byte> id = stackalloc byte[128 * 3];
                int n = Utf8(customerId, id, "customer id");
                return GetCustomer(id.Slice(0, n), view);
            }
            return GetCustomer(Utf8(customerId, "customer id"), view);
        }

        /// <summary>As <see cref="GetCustomer(string, CustomerView)"/> with a UTF-8 encoded id.</summary>
        public Customer GetCustomer(ReadOnlySpan<byte> utf8CustomerId, CustomerView view)
        {
            NativeBuffer buf = default;
            int st;
            fixed (byte* p = utf8CustomerId)
            {
                st = Native.standing_engine_get_customer_view(H(), p, (nuint)utf8CustomerId.Length, (int)view, &buf);
            }
            Check(st);
            return Take(ref buf, Customer.Parser);
        }

        /// <summary>The index of the customer's current tier in <paramref name="program"/>
        /// (0 = the base tier, then the tiers in policy order; <c>ProgramStanding.TierIndex</c>),
        /// without building or parsing a <see cref="Customer"/>. Allocates nothing for ids and
        /// program names up to 128 characters.</summary>
        /// <exception cref="NotFoundException">No such customer or program.</exception>
        /// <exception cref="InvalidArgumentException">An empty or invalid id or program.</exception>
        public int GetTierIndex(string customerId, string program)
        {
            ArgumentNullException.ThrowIfNull(customerId);
            ArgumentNullException.ThrowIfNull(program);
            if (customerId.Length <= 128 && program.Length <= 128)
            {
                Span<byte> id = stackalloc byte[128 * 3];
                Span<byte> prog = stackalloc byte[128 * 3];
                int n = Utf8(customerId, id, "customer id");
                int m = Utf8(program, prog, "program");
                return GetTierIndex(id.Slice(0, n), prog.Slice(0, m));
            }
            return GetTierIndex(Utf8(customerId, "customer id"), Utf8(program, "program"));
        }

        /// <summary>As <see cref="GetTierIndex(string, string)"/> with UTF-8 encoded identifiers.</summary>
        public int GetTierIndex(ReadOnlySpan<byte> utf8CustomerId, ReadOnlySpan<byte> utf8Program)
        {
            int tier = 0;
            int st;
            fixed (byte* id = utf8CustomerId)
            fixed (byte* prog = utf8Program)
            {
                st = Native.standing_engine_get_tier(
                    H(), id, (nuint)utf8CustomerId.Length, prog, (nuint)utf8Program.Length, &tier);
            }
            Check(st);
            return tier;
        }
    }
}
