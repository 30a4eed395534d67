using System.Runtime.InteropServices;

namespace Standing
{
    /// <summary>
    /// The credit functions of include/standing/standing.h (section "Credit"; docs/credit.md). Every one
    /// is a read of the engine.
    /// </summary>
    internal static unsafe partial class Native
    {
        [LibraryImport(Library)]
        internal static partial int standing_engine_check_credit(
            EngineHandle engine, byte* id, nuint idLen, long amount, long atSeconds, NativeBuffer* @out);

        [LibraryImport(Library)]
        internal static partial int standing_engine_get_credit_record(
            EngineHandle engine, byte* id, nuint idLen, byte* role, nuint roleLen, NativeBuffer* @out);

        [LibraryImport(Library)]
        internal static partial int standing_engine_get_credit_report(EngineHandle engine, int limit, NativeBuffer* @out);
    }
}
