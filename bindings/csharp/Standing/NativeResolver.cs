using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Standing
{
    /// <summary>
    /// Finds libstanding for the <c>"standing"</c> imports of this assembly
    /// (<see cref="NativeLibrary.SetDllImportResolver"/>), in this order:
    /// <list type="number">
    /// <item>the library of the NuGet package, <c>runtimes/linux-x64/native/libstanding.so</c>
    /// (in the directories the host lists in NATIVE_DLL_SEARCH_DIRECTORIES from
    /// deps.json, and under the directory of Standing.dll);</item>
    /// <item>the path in the environment variable <c>STANDING_LIBRARY</c> (the one the
    /// Python binding reads);</item>
    /// <item>the system's search path: <c>libstanding.so.1</c>, then <c>libstanding.so</c>.</item>
    /// </list>
    /// A candidate that loads but implements another ABI version is skipped.
    /// </summary>
    internal static class NativeResolver
    {
        internal const string EnvironmentVariable = "STANDING_LIBRARY";

        private static readonly object Gate = new();
        private static IntPtr _handle;
        private static string? _loadedFrom;

        internal static string? LoadedFrom
        {
            get { lock (Gate) { return _loadedFrom; } }
        }

#pragma warning disable CA2255 // The resolver must be in place before the first P/Invoke.
        [ModuleInitializer]
#pragma warning restore CA2255
        internal static void Register()
        {
            NativeLibrary.SetDllImportResolver(typeof(NativeResolver).Assembly, Resolve);
        }

        private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
        {
            if (libraryName != Native.Library)
            {
                return IntPtr.Zero;
            }
            lock (Gate)
            {
                if (_handle != IntPtr.Zero)
                {
                    return _handle;
                }
                var tried = new List<string>();
                foreach (var (candidate, source) in Candidates(
                             NativeSearchDirectories(assembly),
                             Environment.GetEnvironmentVariable(EnvironmentVariable)))
                {
                    if (!NativeLibrary.TryLoad(candidate, out var h))
                    {
                        tried.Add($"{candidate} ({source}): does not load");
                        continue;
                    }
                    int abi = AbiVersionOf(h);
                    if (abi != Native.AbiVersion)
                    {
                        tried.Add($"{candidate} ({source}): ABI version {abi}, this binding needs {Native.AbiVersion}");
                        NativeLibrary.Free(h);
                        continue;
                    }
                    _handle = h;
                    _loadedFrom = candidate;
                    return h;
                }
                throw new DllNotFoundException(
                    "libstanding was not found. Install the Standing package for this runtime "
                    + $"(runtimes/linux-x64/native/libstanding.so) or set {EnvironmentVariable} to the path "
                    + "of libstanding.so.1. Tried: " + string.Join("; ", tried));
            }
        }

        private static unsafe int AbiVersionOf(IntPtr library)
        {
            if (!NativeLibrary.TryGetExport(library, "standing_abi_version", out var f))
            {
                return -1;
            }
            return ((delegate* unmanaged<int>)f)();
        }

        /// <summary>Where a packaged native library may be: the host's native search
        /// directories (deps.json), then the application directory and its runtimes/ tree.</summary>
        internal static IEnumerable<string> NativeSearchDirectories(Assembly assembly)
        {
            if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string dirs)
            {
                foreach (var d in dirs.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
                {
                    yield return d;
                }
            }
            // The application's directory: where Standing.dll and a package's runtimes/ tree
            // are copied (also for single-file apps, whose assemblies have no location).
            string here = AppContext.BaseDirectory;
            if (!string.IsNullOrEmpty(here))
            {
                yield return Path.Combine(here, "runtimes", RuntimeInformation.RuntimeIdentifier, "native");
                yield return Path.Combine(here, "runtimes", PortableRid(), "native");
                yield return here;
            }
        }

        /// <summary>The candidates in search order, each with where it comes from.</summary>
        internal static IEnumerable<(string Path, string Source)> Candidates(
            IEnumerable<string> packageDirectories, string? environmentValue)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var dir in packageDirectories)
            {
                foreach (var name in FileNames())
                {
                    var path = Path.GetFullPath(Path.Combine(dir, name));
                    if (File.Exists(path) && seen.Add(path))
                    {
                        yield return (path, "package");
                    }
                }
            }
            if (!string.IsNullOrEmpty(environmentValue))
            {
                yield return (environmentValue, EnvironmentVariable);
            }
            foreach (var name in FileNames())
            {
                yield return (name, "system search path");
            }
        }

        private static string[] FileNames()
        {
            if (OperatingSystem.IsWindows())
            {
                return new[] { "standing.dll" };
            }
            if (OperatingSystem.IsMacOS())
            {
                return new[] { "libstanding.1.dylib", "libstanding.dylib" };
            }
            return new[] { $"libstanding.so.{Native.AbiVersion}", "libstanding.so" };
        }

        private static string PortableRid()
        {
            string os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
            string arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
            return $"{os}-{arch}";
        }
    }
}
