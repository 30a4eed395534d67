namespace Standing
{
    /// <summary>Information about the loaded native library (libstanding).</summary>
    public static unsafe class StandingLibrary
    {
        /// <summary>The ABI version this binding is written for (<c>STANDING_ABI_VERSION</c>).</summary>
        public const int BindingAbiVersion = Native.AbiVersion;

        /// <summary>The version of the loaded library, e.g. <c>0.1.0</c> (<c>standing_version()</c>).</summary>
        public static string Version => Native.FromUtf8(Native.standing_version());

        /// <summary>The ABI version the loaded library implements (<c>standing_abi_version()</c>).</summary>
        public static int AbiVersion => Native.standing_abi_version();

        /// <summary>
        /// The path or name the native library was loaded from (see the package README for
        /// the search order), or null before the first call into the library.
        /// </summary>
        public static string? LoadedFrom => NativeResolver.LoadedFrom;

        /// <summary>The C enumerator name of a status code, e.g. <c>STANDING_NOT_FOUND</c>;
        /// <c>STANDING_UNKNOWN_STATUS</c> for codes the library does not know.</summary>
        public static string StatusName(StandingStatus status) =>
            Native.FromUtf8(Native.standing_status_name((int)status));
    }
}
