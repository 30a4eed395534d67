using System;
using System.Buffers;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using Google.Protobuf;
using Standing.V1;

namespace Standing
{
    /// <summary>
    /// A standing engine: one policy and the state of every customer (a
    /// <c>standing_engine</c> of libstanding).
    /// </summary>
    /// <remarks>
    /// <para>Open it from a policy, feed it events, ask it about customers:</para>
    /// <code>
    /// using var engine = Engine.FromFile("examples/policies/key_account.json");
    /// engine.Apply(new Event { CustomerId = "c1", At = Timestamp.FromDateTimeOffset(now), Enrolled = new Enrolled() });
    /// Customer c = engine.GetCustomer("c1");
    /// </code>
    /// <para>Methods take and return the <c>standing.v1</c> protobuf classes of
    /// <see cref="Standing.V1"/>. Errors throw subclasses of <see cref="StandingException"/>;
    /// bad .NET arguments (null) throw <see cref="ArgumentNullException"/>; any call after
    /// <see cref="Dispose"/> throws <see cref="ObjectDisposedException"/>.</para>
    /// <para>Thread safety: an engine may be used from any number of threads at once. Reads
    /// (<see cref="GetCustomer(string)"/>, <see cref="Explain(string, string)"/>, listings, <see cref="Snapshot"/>, ...)
    /// run concurrently; writes (<see cref="Apply(Event)"/>, <see cref="ApplyBatch(IEnumerable{Event})"/>,
    /// <see cref="Review(long)"/>, <see cref="ReplacePolicy(Policy)"/>) are serialised by the engine,
    /// and readers never see a half-applied event. <see cref="Dispose"/> may be called while other
    /// threads are inside calls: the native engine is closed when the last of them returns.</para>
    /// </remarks>
    public sealed unsafe partial class Engine : IDisposable
    {
        private static readonly IReadOnlyList<Transition> NoTransitions = Array.Empty<Transition>();

        /// <summary>Largest buffer kept per thread for serializing events and batches.</summary>
        private const int MaxRetainedScratch = 4 << 20;

        [ThreadStatic] private static byte[]? _scratch;

        private readonly EngineHandle _handle;

        private Engine(EngineHandle handle)
        {
            _handle = handle;
        }

        // ---- opening ---------------------------------------------------------------------

        /// <summary>Opens an engine with no customers under <paramref name="policy"/>.</summary>
        /// <param name="policy">The policy message.</param>
        /// <param name="options">Settings; null for the defaults.</param>
        /// <exception cref="PolicyException">The policy does not validate.</exception>
        /// <exception cref="TooLargeException">The policy is larger than <see cref="EngineOptions.MaxMessageBytes"/>.</exception>
        public Engine(Policy policy, EngineOptions? options = null)
            : this(Open(Serialize(policy ?? throw new ArgumentNullException(nameof(policy))), PolicyFormat.Binary, options))
        {
        }

        /// <summary>Opens an engine with no customers from a policy in the protobuf JSON mapping or
        /// the text format.</summary>
        /// <param name="policy">The policy text.</param>
        /// <param name="format"><see cref="PolicyFormat.Json"/> or <see cref="PolicyFormat.Text"/>;
        /// when null, JSON if the text starts with <c>{</c>, else the text format.</param>
        /// <param name="options">Settings; null for the defaults.</param>
        /// <exception cref="PolicyException">The policy does not parse or validate; the message names the field.</exception>
        /// <exception cref="InvalidArgumentException">The policy is empty.</exception>
        /// <exception cref="TooLargeException">The policy is larger than <see cref="EngineOptions.MaxMessageBytes"/>.</exception>
        /// <exception cref="OutOfRangeException">An option is out of range.</exception>
        public Engine(string policy, PolicyFormat? format = null, EngineOptions? options = null)
            : this(Open(TextPolicy(policy, format, out var f), f, options))
        {
        }

        /// <summary>Opens an engine with no customers from an encoded policy.</summary>
        /// <param name="policy">The policy bytes (JSON, text format or binary).</param>
        /// <param name="format">The encoding; when null it is guessed (JSON if the bytes start with
        /// <c>{</c>, text if they are UTF-8 starting with a letter or <c>#</c>, else binary).</param>
        /// <param name="options">Settings; null for the defaults.</param>
        /// <exception cref="PolicyException">The policy does not parse or validate.</exception>
        /// <exception cref="InvalidArgumentException">The policy is empty.</exception>
        public Engine(ReadOnlySpan<byte> policy, PolicyFormat? format = null, EngineOptions? options = null)
            : this(Open(policy, format ?? PolicyFormats.Sniff(policy), options))
        {
        }

        /// <summary>Opens an engine from a policy file.</summary>
        /// <param name="path">The file.</param>
        /// <param name="format">The encoding; when null it follows the suffix (<c>.json</c>;
        /// <c>.txtpb</c>, <c>.textproto</c>, <c>.pbtxt</c>, <c>.txt</c>; <c>.binpb</c>, <c>.pb</c>,
        /// <c>.bin</c>), else it is guessed from the content.</param>
        /// <param name="options">Settings; null for the defaults.</param>
        /// <exception cref="IOException">The file cannot be read.</exception>
        /// <exception cref="PolicyException">The policy does not parse or validate.</exception>
        public static Engine FromFile(string path, PolicyFormat? format = null, EngineOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(path);
            byte[] data = File.ReadAllBytes(path);
            return new Engine(data, format ?? PolicyFormats.FromPath(path), options);
        }

        /// <summary>Opens an engine from a snapshot (from <see cref="Snapshot"/>) under the
        /// snapshot's own policy.</summary>
        /// <exception cref="MalformedMessageException">Not a snapshot, truncated or corrupt.</exception>
        /// <exception cref="InvalidArgumentException">The snapshot is empty.</exception>
        public static Engine Load(ReadOnlySpan<byte> snapshot, EngineOptions? options = null) =>
            LoadCore(snapshot, null, default, PolicyFormat.Json, options);

        /// <summary>Opens an engine from a snapshot under <paramref name="policy"/>, which must be the
        /// policy the snapshot was taken under unless <see cref="EngineOptions.AllowPolicyChange"/>.</summary>
        /// <exception cref="MalformedMessageException">Not a snapshot, truncated or corrupt.</exception>
        /// <exception cref="FailedPreconditionException">Taken under another policy.</exception>
        /// <exception cref="PolicyException">The policy does not validate.</exception>
        public static Engine Load(ReadOnlySpan<byte> snapshot, Policy policy, EngineOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(policy);
            return LoadCore(snapshot, null, Serialize(policy), PolicyFormat.Binary, options);
        }

        /// <summary>Opens an engine from a snapshot under a policy in JSON or the text format
        /// (see <see cref="Load(ReadOnlySpan{byte}, Policy, EngineOptions?)"/>).</summary>
        /// <exception cref="MalformedMessageException">Not a snapshot, truncated or corrupt.</exception>
        /// <exception cref="FailedPreconditionException">Taken under another policy.</exception>
        /// <exception cref="PolicyException">The policy does not parse or validate.</exception>
        public static Engine Load(ReadOnlySpan<byte> snapshot, string policy, PolicyFormat? format = null, EngineOptions? options = null)
        {
            byte[] p = TextPolicy(policy, format, out var f);
            return LoadCore(snapshot, null, p, f, options);
        }

        /// <summary>Opens an engine from a snapshot file (from <see cref="Save"/>) under the
        /// snapshot's own policy.</summary>
        /// <exception cref="StorageException">The file cannot be read.</exception>
        /// <exception cref="MalformedMessageException">Not a snapshot, truncated or corrupt.</exception>
        public static Engine LoadFile(string path, EngineOptions? options = null) =>
            LoadCore(default, PathArg(path), default, PolicyFormat.Json, options);

        /// <summary>Opens an engine from a snapshot file under <paramref name="policy"/> (see
        /// <see cref="Load(ReadOnlySpan{byte}, Policy, EngineOptions?)"/>).</summary>
        /// <exception cref="StorageException">The file cannot be read.</exception>
        /// <exception cref="FailedPreconditionException">Taken under another policy.</exception>
        public static Engine LoadFile(string path, Policy policy, EngineOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(policy);
            return LoadCore(default, PathArg(path), Serialize(policy), PolicyFormat.Binary, options);
        }

        /// <summary>Opens an engine from a snapshot file under a policy in JSON or the text format.</summary>
        /// <exception cref="StorageException">The file cannot be read.</exception>
        /// <exception cref="FailedPreconditionException">Taken under another policy.</exception>
        /// <exception cref="PolicyException">The policy does not parse or validate.</exception>
        public static Engine LoadFile(string path, string policy, PolicyFormat? format = null, EngineOptions? options = null)
        {
            byte[] p = TextPolicy(policy, format, out var f);
            return LoadCore(default, PathArg(path), p, f, options);
        }

        private static EngineHandle Open(ReadOnlySpan<byte> policy, PolicyFormat format, EngineOptions? options)
        {
            using var opts = NativeOptions.Create(options);
            EngineHandle handle;
            int st;
            fixed (byte* p = policy)
            {
                st = Native.standing_engine_open(p, (nuint)policy.Length, (int)format, opts.Handle, out handle);
            }
            return Opened(st, handle);
        }

        private static Engine LoadCore(ReadOnlySpan<byte> snapshot, string? path, ReadOnlySpan<byte> policy,
                                       PolicyFormat format, EngineOptions? options)
        {
            using var opts = NativeOptions.Create(options);
            EngineHandle handle;
            int st;
            fixed (byte* s = snapshot)
            fixed (byte* p = policy)
            {
                st = path is null
                    ? Native.standing_engine_load(s, (nuint)snapshot.Length, p, (nuint)policy.Length, (int)format, opts.Handle, out handle)
                    : Native.standing_engine_load_file(path, p, (nuint)policy.Length, (int)format, opts.Handle, out handle);
            }
            return new Engine(Opened(st, handle));
        }

        private static EngineHandle Opened(int status, EngineHandle handle)
        {
            if (status != 0)
            {
                var error = Error(status);
                handle.Dispose();
                throw error;
            }
            return handle;
        }

        private static byte[] TextPolicy(string policy, PolicyFormat? format, out PolicyFormat resolved)
        {
            ArgumentNullException.ThrowIfNull(policy);
            resolved = format ?? PolicyFormats.Sniff(policy);
            if (resolved == PolicyFormat.Binary)
            {
                throw new ArgumentException("a policy string is JSON or the text format; pass binary policies as bytes", nameof(format));
            }
            return Encoding.UTF8.GetBytes(policy);
        }

        private static string PathArg(string path)
        {
            ArgumentNullException.ThrowIfNull(path);
            if (path.Contains('\0'))
            {
                throw new ArgumentException("a path must not contain NUL", nameof(path));
            }
            return path;
        }

        // ---- lifetime -------------------------------------------------------------------

        /// <summary>
        /// Closes the engine. Idempotent. Calls in progress on other threads finish first (the
        /// native engine is closed when the last of them returns); later calls throw
        /// <see cref="ObjectDisposedException"/>. Snapshots and messages returned earlier stay valid.
        /// </summary>
        public void Dispose() => _handle.Dispose();

        /// <summary>True after <see cref="Dispose"/>.</summary>
        public bool IsDisposed => _handle.IsClosed;

        /// <summary>The native engine, for C ABI functions this binding does not wrap.</summary>
        public EngineHandle Handle => _handle;

        /// <inheritdoc />
        public override string ToString() =>
            _handle.IsClosed ? "Standing.Engine (disposed)" : $"Standing.Engine ({CustomerCount} customers, clock {Clock})";

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private EngineHandle H()
        {
            if (_handle.IsClosed)
            {
                ThrowDisposed();
            }
            return _handle;
        }

        [DoesNotReturn]
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void ThrowDisposed() => throw new ObjectDisposedException(nameof(Engine), "the engine is disposed");

        // ---- events ---------------------------------------------------------------------

        /// <summary>Applies one event and returns the tier changes it caused (often none).</summary>
        /// <param name="event">The event.</param>
        /// <exception cref="NotFoundException">Unknown customer.</exception>
        /// <exception cref="AlreadyExistsException">The customer is enrolled twice.</exception>
        /// <exception cref="InvalidArgumentException">A bad field, wrong currency, undeclared attribute.</exception>
        /// <exception cref="OutOfRangeException">Older than the late-event horizon, or before enrolment.</exception>
        /// <exception cref="TooLargeException">Larger than <see cref="EngineOptions.MaxMessageBytes"/>.</exception>
        public IReadOnlyList<Transition> Apply(Event @event)
        {
            ArgumentNullException.ThrowIfNull(@event);
            int size = @event.CalculateSize();
            if (size <= 1024)
            {
                Span<byte> buf = stackalloc byte[size];
                @event.WriteTo(buf);
                return Apply(buf);
            }
            byte[] rented = ArrayPool<byte>.Shared.Rent(size);
            try
            {
                Span<byte> buf = rented.AsSpan(0, size);
                @event.WriteTo(buf);
                return Apply(buf);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        /// <summary>Applies one serialized <c>standing.v1.Event</c> (see <see cref="Apply(Event)"/>).</summary>
        /// <exception cref="MalformedMessageException">The bytes are not an Event.</exception>
        /// <exception cref="InvalidArgumentException">Empty bytes, or as <see cref="Apply(Event)"/>.</exception>
        public IReadOnlyList<Transition> Apply(ReadOnlySpan<byte> serializedEvent)
        {
            NativeBuffer buf = default;
            int st;
            fixed (byte* p = serializedEvent)
            {
                st = Native.standing_engine_apply(H(), p, (nuint)serializedEvent.Length, &buf);
            }
            Check(st);
            return Transitions(ref buf);
        }

        /// <summary>
        /// Applies events in order in one call: one crossing, one parse, one engine lock. Returns the
        /// transitions of all of them. Stops at the first event that fails: the exception's message
        /// starts with <c>events[i]: </c>, the events before it stay applied, and
        /// <see cref="StandingException.Applied"/> and <see cref="StandingException.Transitions"/> tell
        /// how many and what they caused.
        /// </summary>
        /// <param name="events">The events.</param>
        public IReadOnlyList<Transition> ApplyBatch(IEnumerable<Event> events)
        {
            ArgumentNullException.ThrowIfNull(events);
            byte[] scratch = _scratch ??= new byte[64 * 1024];
            int pos = 0;
            foreach (var e in events)
            {
                if (e is null)
                {
                    throw new ArgumentException("an event is null", nameof(events));
                }
                int size = e.CalculateSize();
                int need = pos + 11 + size;
                if (need > scratch.Length)
                {
                    scratch = Grow(scratch, pos, need);
                }
                scratch[pos++] = 0x0A; // EventBatch.events, field 1, length-delimited
                pos += WriteVarint(scratch, pos, (uint)size);
                e.WriteTo(scratch.AsSpan(pos, size));
                pos += size;
            }
            try
            {
                return ApplyBatch(scratch.AsSpan(0, pos));
            }
            finally
            {
                if (scratch.Length <= MaxRetainedScratch)
                {
                    _scratch = scratch;
                }
            }
        }

        /// <summary>Applies the events of <paramref name="batch"/> (see <see cref="ApplyBatch(IEnumerable{Event})"/>).</summary>
        public IReadOnlyList<Transition> ApplyBatch(EventBatch batch)
        {
            ArgumentNullException.ThrowIfNull(batch);
            return ApplyBatch(batch.Events);
        }

        /// <summary>Applies a serialized <c>standing.v1.EventBatch</c> (an empty batch is zero bytes);
        /// the fastest way to feed many events (see <see cref="ApplyBatch(IEnumerable{Event})"/>).</summary>
        /// <exception cref="MalformedMessageException">The bytes are not an EventBatch (nothing is applied).</exception>
        public IReadOnlyList<Transition> ApplyBatch(ReadOnlySpan<byte> serializedBatch)
        {
            NativeBuffer buf = default;
            nuint applied = 0;
            int st;
            fixed (byte* p = serializedBatch)
            {
                st = Native.standing_engine_apply_batch(H(), p, (nuint)serializedBatch.Length, &buf, &applied);
            }
            if (st != 0)
            {
                var error = Error(st);
                error.Applied = (int)applied;
                error.Transitions = Transitions(ref buf);
                throw error;
            }
            return Transitions(ref buf);
        }

        /// <summary>Runs every scheduled evaluation due at or before <paramref name="asOfSeconds"/>
        /// (seconds since the Unix epoch, UTC), each as of its own due instant, advances the clock to
        /// it and returns the tier changes.</summary>
        /// <exception cref="OutOfRangeException">An instant the engine cannot represent.</exception>
        public IReadOnlyList<Transition> Review(long asOfSeconds)
        {
            NativeBuffer buf = default;
            Check(Native.standing_engine_review(H(), asOfSeconds, &buf));
            return Transitions(ref buf);
        }

        /// <summary>As <see cref="Review(long)"/>, at an instant.</summary>
        public IReadOnlyList<Transition> Review(DateTimeOffset asOf) => Review(asOf.ToUnixTimeSeconds());

        /// <summary>As <see cref="Review(long)"/>; a <see cref="DateTime"/> of unspecified kind is
        /// taken as UTC, a local one is converted.</summary>
        public IReadOnlyList<Transition> Review(DateTime asOf) => Review(Seconds(asOf));

        /// <summary>
        /// Replaces the policy (docs/semantics.md, "Policy replacement") and returns the tier changes,
        /// each with cause <see cref="Cause.PolicyChange"/>. A policy that fails changes nothing.
        /// </summary>
        /// <exception cref="PolicyException">The policy does not validate.</exception>
        public IReadOnlyList<Transition> ReplacePolicy(Policy policy)
        {
            ArgumentNullException.ThrowIfNull(policy);
            return ReplacePolicy(Serialize(policy), PolicyFormat.Binary);
        }

        /// <summary>As <see cref="ReplacePolicy(Policy)"/>, from JSON or the text format (guessed when
        /// <paramref name="format"/> is null).</summary>
        /// <exception cref="PolicyException">The policy does not parse or validate.</exception>
        public IReadOnlyList<Transition> ReplacePolicy(string policy, PolicyFormat? format = null)
        {
            byte[] p = TextPolicy(policy, format, out var f);
            return ReplacePolicy(p, f);
        }

        /// <summary>As <see cref="ReplacePolicy(Policy)"/>, from encoded bytes (guessed when
        /// <paramref name="format"/> is null).</summary>
        /// <exception cref="PolicyException">The policy does not parse or validate.</exception>
        public IReadOnlyList<Transition> ReplacePolicy(ReadOnlySpan<byte> policy, PolicyFormat? format)
        {
            NativeBuffer buf = default;
            int st;
            var f = format ?? PolicyFormats.Sniff(policy);
            fixed (byte* p = policy)
            {
                st = Native.standing_engine_replace_policy(H(), p, (nuint)policy.Length, (int)f, &buf);
            }
            Check(st);
            return Transitions(ref buf);
        }

        // ---- queries ----------------------------------------------------------------------

        /// <summary>The customer: attributes, standing in every program, metrics.</summary>
        /// <param name="customerId">The customer id.</param>
        /// <exception cref="NotFoundException">No such customer.</exception>
        /// <exception cref="InvalidArgumentException">An empty id, or one that is not valid UTF-16 (a lone surrogate).</exception>
        public Customer GetCustomer(string customerId)
        {
            ArgumentNullException.ThrowIfNull(customerId);
            if (customerId.Length <= 128)
            {
                Span<byte> id = stackalloc byte[128 * 3];
                int n = Utf8(customerId, id, "customer id");
                return GetCustomer(id.Slice(0, n));
            }
            return GetCustomer(Utf8(customerId, "customer id"));
        }

        /// <summary>The customer with a UTF-8 encoded id (see <see cref="GetCustomer(string)"/>);
        /// invalid UTF-8 throws <see cref="InvalidArgumentException"/>.</summary>
        public Customer GetCustomer(ReadOnlySpan<byte> utf8CustomerId)
        {
            NativeBuffer buf = default;
            int st;
            fixed (byte* p = utf8CustomerId)
            {
                st = Native.standing_engine_get_customer(H(), p, (nuint)utf8CustomerId.Length, &buf);
            }
            Check(st);
            return Take(ref buf, Customer.Parser);
        }

        /// <summary>The customer, or false when there is no such customer.</summary>
        /// <exception cref="InvalidArgumentException">An empty or invalid id.</exception>
        public bool TryGetCustomer(string customerId, [NotNullWhen(true)] out Customer? customer)
        {
            ArgumentNullException.ThrowIfNull(customerId);
            byte[] id = Utf8(customerId, "customer id");
            NativeBuffer buf = default;
            int st;
            fixed (byte* p = id)
            {
                st = Native.standing_engine_get_customer(H(), p, (nuint)id.Length, &buf);
            }
            if (st == (int)StandingStatus.NotFound)
            {
                customer = null;
                return false;
            }
            Check(st);
            customer = Take(ref buf, Customer.Parser);
            return true;
        }

        /// <summary>True when the customer exists.</summary>
        public bool Contains(string customerId) => TryGetCustomer(customerId, out _);

        /// <summary>Why the customer is in its tier of <paramref name="program"/>: the deciding rule
        /// and every comparison, as of the engine's clock.</summary>
        /// <exception cref="NotFoundException">No such customer or program.</exception>
        public Explanation Explain(string customerId, string program)
        {
            ArgumentNullException.ThrowIfNull(customerId);
            ArgumentNullException.ThrowIfNull(program);
            return Explain(Utf8(customerId, "customer id"), Utf8(program, "program"));
        }

        /// <summary>As <see cref="Explain(string, string)"/>, with UTF-8 encoded identifiers.</summary>
        public Explanation Explain(ReadOnlySpan<byte> utf8CustomerId, ReadOnlySpan<byte> utf8Program)
        {
            NativeBuffer buf = default;
            int st;
            fixed (byte* id = utf8CustomerId)
            fixed (byte* prog = utf8Program)
            {
                st = Native.standing_engine_explain(H(), id, (nuint)utf8CustomerId.Length, prog, (nuint)utf8Program.Length, &buf);
            }
            Check(st);
            return Take(ref buf, Explanation.Parser);
        }

        /// <summary>One page of the ids of the customers in <paramref name="tier"/> of
        /// <paramref name="program"/>, in enrolment order. Start with an empty token and pass each
        /// page's <c>NextPageToken</c>; an empty one ends the listing. <see cref="CustomersInTier"/>
        /// does this for you.</summary>
        /// <exception cref="NotFoundException">No such program or tier.</exception>
        /// <exception cref="InvalidArgumentException">A bad token or a page size below 1.</exception>
        public CustomerPage ListByTier(string program, string tier, string pageToken = "", int pageSize = 1000)
        {
            ArgumentNullException.ThrowIfNull(program);
            ArgumentNullException.ThrowIfNull(tier);
            ArgumentNullException.ThrowIfNull(pageToken);
            return ListByTier(Utf8(program, "program"), Utf8(tier, "tier"), Utf8(pageToken, "page token"), pageSize);
        }

        private CustomerPage ListByTier(byte[] program, byte[] tier, byte[] token, int pageSize)
        {
            NativeBuffer buf = default;
            int st;
            fixed (byte* prog = program)
            fixed (byte* t = tier)
            fixed (byte* tok = token)
            {
                st = Native.standing_engine_list_by_tier(H(), prog, (nuint)program.Length, t, (nuint)tier.Length,
                                                         token.Length == 0 ? null : tok, (nuint)token.Length, pageSize, &buf);
            }
            Check(st);
            return Take(ref buf, CustomerPage.Parser);
        }

        /// <summary>
        /// The ids of the customers in <paramref name="tier"/> of <paramref name="program"/>, in
        /// enrolment order, fetched lazily <paramref name="pageSize"/> at a time as the sequence is
        /// enumerated. Errors (<see cref="NotFoundException"/> for an unknown program or tier) are
        /// thrown on enumeration.
        /// </summary>
        public IEnumerable<string> CustomersInTier(string program, string tier, int pageSize = 1000)
        {
            ArgumentNullException.ThrowIfNull(program);
            ArgumentNullException.ThrowIfNull(tier);
            return Iterate(Utf8(program, "program"), Utf8(tier, "tier"), pageSize);
        }

        private IEnumerable<string> Iterate(byte[] program, byte[] tier, int pageSize)
        {
            byte[] token = Array.Empty<byte>();
            while (true)
            {
                var page = ListByTier(program, tier, token, pageSize);
                foreach (var id in page.CustomerIds)
                {
                    yield return id;
                }
                if (page.NextPageToken.Length == 0)
                {
                    yield break;
                }
                token = Encoding.UTF8.GetBytes(page.NextPageToken);
            }
        }

        /// <summary>The engine's policy.</summary>
        public Policy Policy
        {
            get
            {
                NativeBuffer buf = default;
                Check(Native.standing_engine_policy(H(), &buf));
                return Take(ref buf, Policy.Parser);
            }
        }

        /// <summary>The latest event or review instant the engine has seen, in seconds since the
        /// Unix epoch (UTC).</summary>
        public long Clock
        {
            get
            {
                long s;
                Check(Native.standing_engine_clock(H(), &s));
                return s;
            }
        }

        /// <summary><see cref="Clock"/> as an instant (UTC).</summary>
        public DateTimeOffset ClockTime => DateTimeOffset.FromUnixTimeSeconds(Clock);

        /// <summary>The number of customers.</summary>
        public long CustomerCount
        {
            get
            {
                ulong n;
                Check(Native.standing_engine_customer_count(H(), &n));
                return checked((long)n);
            }
        }

        // ---- snapshots ---------------------------------------------------------------------

        /// <summary>The whole state (policy, clock, every customer); <see cref="Load(ReadOnlySpan{byte}, EngineOptions?)"/>
        /// opens it again. Consistent: writes wait while it is taken.</summary>
        public byte[] Snapshot()
        {
            NativeBuffer buf = default;
            Check(Native.standing_engine_snapshot(H(), &buf));
            try
            {
                return buf.Span.ToArray();
            }
            finally
            {
                Native.standing_buffer_free(&buf);
            }
        }

        /// <summary>Writes a snapshot to <paramref name="path"/> atomically (a temporary file next to it,
        /// renamed into place).</summary>
        /// <exception cref="StorageException">The file cannot be written.</exception>
        /// <exception cref="InvalidArgumentException">An empty path.</exception>
        public void Save(string path)
        {
            PathArg(path);
            Check(Native.standing_engine_save(H(), path));
        }

        // ---- helpers --------------------------------------------------------------------------

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static void Check(int status)
        {
            if (status != 0)
            {
                throw Error(status);
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static StandingException Error(int status) =>
            StandingException.For((StandingStatus)status, Native.LastError());

        private static IReadOnlyList<Transition> Transitions(ref NativeBuffer buf)
        {
            if (buf.Length == 0)
            {
                return NoTransitions;
            }
            return Take(ref buf, TransitionList.Parser).Transitions;
        }

        private static T Take<T>(ref NativeBuffer buf, MessageParser<T> parser) where T : IMessage<T>
        {
            try
            {
                return parser.ParseFrom(buf.Span);
            }
            finally
            {
                fixed (NativeBuffer* b = &buf)
                {
                    Native.standing_buffer_free(b);
                }
            }
        }

        private static byte[] Serialize(IMessage message) => message.ToByteArray();

        private static int Utf8(string s, Span<byte> dest, string what)
        {
            var status = System.Text.Unicode.Utf8.FromUtf16(s, dest, out _, out int written, replaceInvalidSequences: false);
            if (status != OperationStatus.Done)
            {
                throw new InvalidArgumentException($"{what} is not valid UTF-8: it contains a lone surrogate");
            }
            return written;
        }

        private static byte[] Utf8(string s, string what)
        {
            try
            {
                return StrictUtf8.GetBytes(s);
            }
            catch (EncoderFallbackException)
            {
                throw new InvalidArgumentException($"{what} is not valid UTF-8: it contains a lone surrogate");
            }
        }

        private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        private static long Seconds(DateTime t)
        {
            if (t.Kind == DateTimeKind.Unspecified)
            {
                t = DateTime.SpecifyKind(t, DateTimeKind.Utc);
            }
            return new DateTimeOffset(t.ToUniversalTime()).ToUnixTimeSeconds();
        }

        private static byte[] Grow(byte[] scratch, int used, int need)
        {
            var bigger = new byte[Math.Max(need, scratch.Length * 2)];
            Buffer.BlockCopy(scratch, 0, bigger, 0, used);
            return bigger;
        }

        private static int WriteVarint(byte[] dest, int pos, uint value)
        {
            int start = pos;
            while (value >= 0x80)
            {
                dest[pos++] = (byte)(value | 0x80);
                value >>= 7;
            }
            dest[pos++] = (byte)value;
            return pos - start;
        }
    }
}
