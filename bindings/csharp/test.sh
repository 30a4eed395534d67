#!/usr/bin/env bash
# Packs the Standing NuGet package with the given native library into a local
# folder feed, restores the test project against that feed plus the sources of
# NuGet.config (nuget.org, served here through the machine's NuGet mirror) and
# runs the xunit tests on the package.
#
#   bindings/csharp/test.sh build/libstanding.so.1
#
# Prints a closing line "csharp: N passed, N failed, N skipped".
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 <path-to-libstanding.so>" >&2
  exit 2
fi
lib=$(realpath "$1")
[[ -f "$lib" ]] || { echo "$0: no such library: $1" >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
feed="$here/artifacts/feed"
config=${STANDING_CSHARP_CONFIGURATION:-Release}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

version=$(sed -n 's:.*<StandingVersion[^>]*>\(.*\)</StandingVersion>.*:\1:p' "$here/Directory.Build.props" | head -n1)

rm -rf "$feed"
mkdir -p "$feed"
echo "== dotnet pack (native library: $lib)"
dotnet pack "$here/Standing/Standing.csproj" -c "$config" -p:StandingNativeLib="$lib" -o "$feed" -nologo -v:q

nupkg="$feed/Standing.$version.nupkg"
[[ -f "$nupkg" ]] || { echo "$0: $nupkg was not produced" >&2; exit 1; }
python3 - "$nupkg" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
need = ["runtimes/linux-x64/native/libstanding.so", "lib/net8.0/Standing.dll", "lib/net10.0/Standing.dll"]
missing = [n for n in need if n not in names]
if missing:
    sys.exit(f"package lacks {missing}: {names}")
print("package:", ", ".join(n for n in names if n.startswith(("lib/", "runtimes/"))))
PY

# The same version is packed again on every run: drop the copy NuGet cached
# from an earlier run so the test restores this one.
rm -rf "${NUGET_PACKAGES:-$HOME/.nuget/packages}/standing/$version"

echo "== dotnet test (on the package; STANDING_LIBRARY unset)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
env -u STANDING_LIBRARY dotnet test "$here/Standing.Tests/Standing.Tests.csproj" -c "$config" \
  -p:StandingFeed="$feed" -p:StandingVersion="$version" -nologo 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e

summary=$(grep -Eo 'Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$log" | tail -n1 || true)
if [[ -n "$summary" ]]; then
  read -r failed passed skipped < <(echo "$summary" | sed -E 's/Failed: +([0-9]+), Passed: +([0-9]+), Skipped: +([0-9]+)/\1 \2 \3/')
  echo "csharp: $passed passed, $failed failed, $skipped skipped"
elif [[ $rc -ne 0 ]]; then
  echo "csharp: 0 passed, 1 failed"
fi
exit "$rc"
