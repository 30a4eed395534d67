using System;
using System.Runtime.InteropServices;

namespace Standing
{
    /// <summary>standing_buffer: bytes allocated by the library, released with standing_buffer_free.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct NativeBuffer
    {
        public byte* Data;
        public nuint Length;

        public readonly ReadOnlySpan<byte> Span => new(Data, checked((int)Length));
    }

    /// <summary>
    /// The C ABI of include/standing/standing.h, declared with source-generated
    /// P/Invoke. "standing" is resolved by <see cref="NativeResolver"/>.
    /// </summary>
    internal static unsafe partial class Native
    {
        internal const string Library = "standing";

        /// <summary>STANDING_ABI_VERSION of the header this binding is written for.</summary>
        internal const int AbiVersion = 1;

        // ---- library information and errors ----------------------------------------

        [LibraryImport(Library)]
        internal static partial byte* standing_version();

        [LibraryImport(Library)]
        internal static partial int standing_abi_version();

        [LibraryImport(Library)]
        internal static partial byte* standing_last_error();

        [LibraryImport(Library)]
        internal static partial byte* standing_status_name(int status);

        [LibraryImport(Library)]
        internal static partial void standing_buffer_free(NativeBuffer* buffer);

        // ---- options -------------------------------------------------------------------

        [LibraryImport(Library)]
        internal static partial int standing_options_create(out nint options);

        [LibraryImport(Library)]
        internal static partial void standing_options_destroy(nint options);

        [LibraryImport(Library)]
        internal static partial int standing_options_set_max_message_bytes(nint options, nuint maxBytes);

        [LibraryImport(Library)]
        internal static partial int standing_options_set_review_threads(nint options, int threads);

        [LibraryImport(Library)]
        internal static partial int standing_options_set_allow_policy_change(nint options, int allow);

        // ---- engine lifetime ---------------------------------------------------------------

        [LibraryImport(Library)]
        internal static partial int standing_engine_open(
            byte* policy, nuint policyLen, int format, nint options, out EngineHandle engine);

        [LibraryImport(Library)]
        internal static partial int standing_engine_close(nint engine);

        [LibraryImport(Library)]
        internal static partial int standing_engine_replace_policy(
            EngineHandle engine, byte* policy, nuint policyLen, int format, NativeBuffer* transitions);

        // ---- events ----------------------------------------------------------------------

        [LibraryImport(Library)]
        internal static partial int standing_engine_apply(
            EngineHandle engine, byte* @event, nuint eventLen, NativeBuffer* transitions);

        [LibraryImport(Library)]
        internal static partial int standing_engine_apply_batch(
            EngineHandle engine, byte* batch, nuint batchLen, NativeBuffer* transitions, nuint* applied);

        [LibraryImport(Library)]
        internal static partial int standing_engine_review(
            EngineHandle engine, long asOfSeconds, NativeBuffer* transitions);

        // ---- queries ---------------------------------------------------------------------

        [LibraryImport(Library)]
        internal static partial int standing_engine_get_customer(
            EngineHandle engine, byte* id, nuint idLen, NativeBuffer* customer);

        [LibraryImport(Library)]
        internal static partial int standing_engine_explain(
            EngineHandle engine, byte* id, nuint idLen, byte* program, nuint programLen, NativeBuffer* explanation);

        [LibraryImport(Library)]
        internal static partial int standing_engine_list_by_tier(
            EngineHandle engine, byte* program, nuint programLen, byte* tier, nuint tierLen,
            byte* pageToken, nuint pageTokenLen, int pageSize, NativeBuffer* page);

        [LibraryImport(Library)]
        internal static partial int standing_engine_policy(EngineHandle engine, NativeBuffer* policy);

        [LibraryImport(Library)]
        internal static partial int standing_engine_clock(EngineHandle engine, long* outSeconds);

        [LibraryImport(Library)]
        internal static partial int standing_engine_customer_count(EngineHandle engine, ulong* outCount);

        // ---- snapshots -------------------------------------------------------------------

        [LibraryImport(Library)]
        internal static partial int standing_engine_snapshot(EngineHandle engine, NativeBuffer* snapshot);

        [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int standing_engine_save(EngineHandle engine, string path);

        [LibraryImport(Library)]
        internal static partial int standing_engine_load(
            byte* snapshot, nuint snapshotLen, byte* policy, nuint policyLen, int format, nint options,
            out EngineHandle engine);

        [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int standing_engine_load_file(
            string path, byte* policy, nuint policyLen, int format, nint options, out EngineHandle engine);

        // ---- helpers -----------------------------------------------------------------------

        /// <summary>A NUL-terminated UTF-8 string owned by the library, as a .NET string.</summary>
        internal static string FromUtf8(byte* s) =>
            s == null ? string.Empty : Marshal.PtrToStringUTF8((nint)s) ?? string.Empty;

        /// <summary>The message of the latest failing call on this thread.</summary>
        internal static string LastError() => FromUtf8(standing_last_error());
    }
}
