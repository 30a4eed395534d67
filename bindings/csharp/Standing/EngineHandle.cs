using System;
using System.Runtime.InteropServices;

namespace Standing
{
    /// <summary>
    /// The native <c>standing_engine*</c> of an <see cref="Engine"/>, owned by a
    /// <see cref="SafeHandle"/>: <c>standing_engine_close</c> runs exactly once, when
    /// the handle is disposed (or finalized) and no call that uses it is still in
    /// progress. Every P/Invoke that takes the handle adds a reference for the
    /// duration of the call, so disposing an engine while other threads are inside
    /// calls defers the close until the last of them returns, as the C ABI requires
    /// (<c>standing_engine_close</c> must not run concurrently with any other call).
    /// </summary>
    /// <remarks>
    /// Hosts normally never touch the handle; it is public for hosts that call C ABI
    /// functions this binding does not wrap yet (pass it to their own
    /// <c>LibraryImport</c> declarations, which keep it alive during the call).
    /// </remarks>
    public sealed class EngineHandle : SafeHandle
    {
        /// <summary>An invalid handle; the marshaller fills it in.</summary>
        public EngineHandle() : base(IntPtr.Zero, ownsHandle: true)
        {
        }

        /// <inheritdoc />
        public override bool IsInvalid => handle == IntPtr.Zero;

        /// <inheritdoc />
        protected override bool ReleaseHandle()
        {
            Native.standing_engine_close(handle);
            return true;
        }
    }
}
