using System.Runtime.InteropServices;

namespace Standing
{
    /// <summary>
    /// The service-level functions of include/standing/standing.h (section "Service levels";
    /// docs/service-levels.md). Every one is a read of the engine.
    /// </summary>
    internal static unsafe partial class Native
    {
        [LibraryImport(Library)]
        internal static partial int standing_engine_resolve_entitlements(
            EngineHandle engine, byte* id, nuint idLen, NativeBuffer* @out);

        [LibraryImport(Library)]
        internal static partial int standing_engine_get_request(
            EngineHandle engine, byte* id, nuint idLen, byte* requestId, nuint requestIdLen, long asOfSeconds,
            NativeBuffer* @out);

        [LibraryImport(Library)]
        internal static partial int standing_engine_preview_request(
            EngineHandle engine, byte* id, nuint idLen, byte* requestType, nuint requestTypeLen, byte* priority,
            nuint priorityLen, long atSeconds, NativeBuffer* @out);

        [LibraryImport(Library)]
        internal static partial int standing_engine_list_breaches(
            EngineHandle engine, long asOfSeconds, int limit, NativeBuffer* @out);

        [LibraryImport(Library)]
        internal static partial int standing_engine_list_overdue(
            EngineHandle engine, byte* query, nuint queryLen, NativeBuffer* @out);

        [LibraryImport(Library)]
        internal static partial int standing_engine_capacity_report(EngineHandle engine, int limit, NativeBuffer* @out);

        [LibraryImport(Library)]
        internal static partial int standing_engine_compliance(EngineHandle engine, NativeBuffer* @out);

        [LibraryImport(Library)]
        internal static partial int standing_engine_add_duration(
            EngineHandle engine, long atSeconds, byte* duration, nuint durationLen, long* outSeconds);
    }
}
