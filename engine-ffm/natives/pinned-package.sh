# Sourced by fetch-natives.sh and bench/peer/build-llama-server.sh: what both do with the pin file. The sourcing
# script sets PIN (the pin file's path) and defines die.

# pin KEY: the value of KEY in the pin file.
pin() {
    local value
    value="$(sed -n "s/^$1=//p" "$PIN" | tail -1)"
    [ -n "$value" ] || die "$PIN has no '$1'"
    printf '%s' "$value"
}

# pack_verified DIR PACKAGE VERSION INTEGRITY: downloads PACKAGE@VERSION into DIR with `npm pack` (through npm's
# configured registry; nothing is installed), checks that its sha512 is INTEGRITY, and prints the archive's path.
pack_verified() {
    local dir="$1" package="$2" version="$3" integrity="$4" archive actual
    archive="$(cd "$dir" && npm pack --silent --pack-destination "$dir" "$package@$version" | tail -1)"
    [ -n "$archive" ] && [ -f "$dir/$archive" ] || die "npm pack $package@$version produced no archive"
    actual="$(node -e '
        const data = require("fs").readFileSync(process.argv[1]);
        process.stdout.write("sha512-" + require("crypto").createHash("sha512").update(data).digest("base64"));
    ' "$dir/$archive")"
    [ "$actual" = "$integrity" ] \
        || die "integrity mismatch for $package@$version: expected $integrity, got $actual. Nothing was installed."
    printf '%s' "$dir/$archive"
}
