using System;

namespace Standing
{
    /// <summary>Settings for opening or loading an <see cref="Engine"/> (<c>standing_options</c>).
    /// Unset properties keep the library's defaults.</summary>
    public sealed class EngineOptions
    {
        /// <summary>The largest input message (policy, event, event batch, identifier) the engine
        /// accepts, in bytes: 1 .. 2^31-1; the library's default is 64 MiB. Larger inputs throw
        /// <see cref="TooLargeException"/>; 0 or more than 2^31-1 throws <see cref="OutOfRangeException"/>
        /// when the engine is opened.</summary>
        public long? MaxMessageBytes { get; set; }

        /// <summary>Threads used by <see cref="Engine.Review(long)"/>; 0 (the default) uses every core.
        /// Negative values throw <see cref="OutOfRangeException"/> when the engine is opened.</summary>
        public int? ReviewThreads { get; set; }

        /// <summary>For <see cref="Engine.Load(ReadOnlySpan{byte}, V1.Policy, EngineOptions?)"/> and
        /// friends: load a snapshot taken under another policy under its own policy, then move
        /// it to the given one (as <see cref="Engine.ReplacePolicy(V1.Policy)"/> does). When false
        /// (default) that throws <see cref="FailedPreconditionException"/>.</summary>
        public bool AllowPolicyChange { get; set; }

        internal bool IsDefault => MaxMessageBytes is null && ReviewThreads is null && !AllowPolicyChange;
    }

    /// <summary>A native standing_options for the duration of one call.</summary>
    internal struct NativeOptions : IDisposable
    {
        public nint Handle;

        public static NativeOptions Create(EngineOptions? options)
        {
            var o = new NativeOptions();
            if (options is null || options.IsDefault)
            {
                return o;
            }
            Engine.Check(Native.standing_options_create(out o.Handle));
            try
            {
                if (options.MaxMessageBytes is long max)
                {
                    // Negative values become huge (out of range in the library), as in C.
                    Engine.Check(Native.standing_options_set_max_message_bytes(o.Handle, unchecked((nuint)max)));
                }
                if (options.ReviewThreads is int threads)
                {
                    Engine.Check(Native.standing_options_set_review_threads(o.Handle, threads));
                }
                if (options.AllowPolicyChange)
                {
                    Engine.Check(Native.standing_options_set_allow_policy_change(o.Handle, 1));
                }
            }
            catch
            {
                o.Dispose();
                throw;
            }
            return o;
        }

        public void Dispose()
        {
            if (Handle != 0)
            {
                Native.standing_options_destroy(Handle);
                Handle = 0;
            }
        }
    }
}
