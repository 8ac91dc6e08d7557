#!/usr/bin/env bash
# Builds llama-server, the peer the benchmark measures the ffm engine against, from the pinned llama.cpp source
# (engine-ffm/natives/llama-natives.properties: the same source as the ffm engine's libraries) once, together with
# the shared llama.cpp libraries it runs on, and prints the path of the binary. Its folder is a natives folder the
# ffm engine loads (CEREBRUM_LLAMA_NATIVES_DIR), so the benchmark can run both servers on identical native code.
#
# Usage: bench/peer/build-llama-server.sh
#
# How: `npm pack <source.package>@<version>` downloads the package through npm's configured registry (nothing is
# installed); its sha512 must equal the pinned integrity. Its llama/gitRelease.bundle is cloned at the pinned
# commit and its llama-server target built with CMake and gcc: CPU, Release, shared libraries
# (BUILD_SHARED_LIBS=ON) for this machine's CPU (GGML_NATIVE=ON, the CPU backend linked in: this source refuses
# GGML_NATIVE with the prebuilt natives' loadable variants, GGML_BACKEND_DL), no CURL, no tests or examples (about
# 5 minutes on 2 cores). The binary and its libraries (libllama, libggml, libggml-base, libggml-cpu, libmtmd, ...;
# run path $ORIGIN) go to $CEREBRUM_LLAMA_SERVER_CACHE/<version>/
# (default $HOME/.cache/cerebrum/llama-server/<version>), with BUILD.txt saying how and how long; a later run
# finds them and does nothing. The source and the build tree are deleted afterwards.
#
# Exit status: 0 the binary is there; 3 a tool is missing (npm, node, git, cmake, a C++ compiler; nothing was
# done); 1 anything else (download failed, integrity mismatch, build failed).
set -euo pipefail

here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
readonly PIN="$here/../../engine-ffm/natives/llama-natives.properties"

say() { printf 'build-llama-server: %s\n' "$*" >&2; }
die() { printf 'build-llama-server: %s\n' "$*" >&2; exit 1; }

case "${1:-}" in
    "") ;;
    -h|--help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
esac

# shellcheck source=../../engine-ffm/natives/pinned-package.sh
. "$here/../../engine-ffm/natives/pinned-package.sh"

version="$(pin version)"
package="$(pin source.package)"
integrity="$(pin source.integrity)"
commit="$(pin source.commit)"
cache="${CEREBRUM_LLAMA_SERVER_CACHE:-$HOME/.cache/cerebrum/llama-server}"
dir="$cache/$version"

# How the folder is built; a folder built another way (an older script's static binary) is built again.
readonly SCHEME="shared, GGML_NATIVE"
readonly CMAKE_OPTIONS=(-DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON -DGGML_BACKEND_DL=OFF -DGGML_NATIVE=ON
    -DCMAKE_BUILD_WITH_INSTALL_RPATH=ON '-DCMAKE_INSTALL_RPATH=$ORIGIN' -DLLAMA_BUILD_SERVER=ON
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=ON -DLLAMA_CURL=OFF)
# The marker is written last, so a folder with a matching marker holds a complete build.
built() {
    [ -x "$dir/llama-server" ] && [ -f "$dir/.commit" ] && [ "$(cat "$dir/.commit")" = "$commit $SCHEME" ]
}

if built; then
    printf '%s\n' "$dir/llama-server"
    exit 0
fi

missing=()
for tool in npm node git cmake c++ cc make; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
    say "cannot build llama-server: missing ${missing[*]}."
    say "Install them (for example: sudo apt-get install -y npm git cmake g++ make), then run this again."
    exit 3
fi

mkdir -p "$dir"
# Two benchmarks may start at once: one builds, the other waits and then finds the binary.
exec 9>"$dir/.lock"
if command -v flock >/dev/null 2>&1; then
    flock 9
fi
if built; then
    printf '%s\n' "$dir/llama-server"
    exit 0
fi

work="$(mktemp -d "$dir/.build.XXXXXX")"
trap 'rm -rf "$work"' EXIT

say "fetching $package@$version with npm pack (the llama.cpp source it carries)"
archive="$(pack_verified "$work" "$package" "$version" "$integrity")"

tar -xzf "$archive" -C "$work" package/llama/gitRelease.bundle
rm -f "$archive"
git -c advice.detachedHead=false clone --quiet "$work/package/llama/gitRelease.bundle" "$work/src"
git -C "$work/src" -c advice.detachedHead=false checkout --quiet "$commit" \
    || die "the bundle of $package@$version has no commit $commit"
[ "$(git -C "$work/src" rev-parse HEAD)" = "$commit" ] || die "checked out $(git -C "$work/src" rev-parse HEAD), not $commit"

jobs="$(nproc 2>/dev/null || echo 2)"
say "building llama-server and the shared libraries at $commit (CPU, Release, $SCHEME; a few minutes on $jobs cores)"
started=$SECONDS
cmake -S "$work/src" -B "$work/build" "${CMAKE_OPTIONS[@]}" >"$work/configure.log" 2>&1 \
    || { tail -30 "$work/configure.log" >&2; die "cmake could not configure the build"; }
cmake --build "$work/build" --target llama-server -j "$jobs" >"$work/build.log" 2>&1 \
    || { tail -40 "$work/build.log" >&2; die "the build failed"; }
seconds=$((SECONDS - started))

out="$work/build/bin"
[ -x "$out/llama-server" ] || die "the build produced no $out/llama-server"
for lib in libllama.so libggml.so libggml-base.so libggml-cpu.so; do
    [ -e "$out/$lib" ] || die "the build produced no $lib"
done
"$out/llama-server" --version >/dev/null 2>&1 || die "the built llama-server does not run ($out/llama-server --version failed)"
rm -f "$dir/.commit" "$dir/llama-server" "$dir"/lib*.so*
# The libraries with their version links (llama-server needs libllama.so.0, the engine opens libllama.so).
cp -a "$out"/lib*.so* "$dir/"
install -m 755 "$out/llama-server" "$dir/llama-server"
cp "$work/src/LICENSE" "$dir/LICENSE"
{
    printf 'llama.cpp %s (%s %s), built %s in %d s on %d cores with gcc %s\n' "$commit" "$package" "$version" \
        "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$seconds" "$jobs" "$(c++ -dumpfullversion 2>/dev/null || echo '?')"
    printf 'cmake %s\n' "${CMAKE_OPTIONS[*]}"
} >"$dir/BUILD.txt"
printf '%s' "$commit $SCHEME" >"$dir/.commit"
say "built in $seconds s and cached in $dir"
printf '%s\n' "$dir/llama-server"
