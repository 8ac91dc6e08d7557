#!/usr/bin/env bash
# Builds, without any container registry, the two base images that deploy/docker/Dockerfile uses
# by default:
#   cerebrum-base:build  Debian bookworm (minbase) + the host's JDK + the host's Maven  (build stage)
#   cerebrum-base:jre    Debian bookworm (minbase) + libgomp1 + a jlink-ed JRE           (runtime stage)
# Both start from cerebrum-base:bookworm, a debootstrap root file system imported with
# `docker import`. Needs root (debootstrap), the Debian mirror, and a JDK 25+ on the host.
#
# Usage: deploy/docker/build-base-images.sh [--force]
#   --force  rebuild images that already exist
# Settings (environment): DEBIAN_MIRROR (default: the host's own Debian mirror, the first `deb` source
# of its apt configuration that serves a release suite), CEREBRUM_BASE_JDK (the JDK to copy and jlink
# from; default: the JDK the launcher finds), MAVEN_HOME (/usr/share/maven).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

force=false
for arg in "$@"; do
    case "$arg" in
        --force) force=true ;;
        -h|--help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "build-base-images: unknown option '$arg' (try --help)" >&2; exit 2 ;;
    esac
done

readonly BASE_IMAGE=cerebrum-base:bookworm
readonly BUILD_IMAGE=cerebrum-base:build
readonly JRE_IMAGE=cerebrum-base:jre

# host_mirror: the URI of the host's first apt `deb` source for a release suite (not -security, -updates
# or -backports), from the one-line sources.list format and the deb822 *.sources format alike.
host_mirror() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                           if ($(i + 1) !~ /-(security|updates|backports)$/) { print $i; exit } }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        # deb822 stanzas are separated by blank lines; one stanza per record.
        awk 'BEGIN { RS = ""; FS = "\n" }
             { types = uris = suites = ""
               for (n = 1; n <= NF; n++) {
                   if ($n ~ /^Types:/) types = $n
                   if ($n ~ /^URIs:/) { uris = $n; sub(/^URIs:[ \t]*/, "", uris); split(uris, u, /[ \t]+/) }
                   if ($n ~ /^Suites:/) suites = $n
               }
               if (types ~ /[ \t]deb([ \t]|$)/ && suites ~ /[ \t][a-z]+([ \t]|$)/) { print u[1]; exit } }' "$f"
    done
}

mirror="${DEBIAN_MIRROR:-$(host_mirror | head -n 1)}"
maven_home="${MAVEN_HOME:-/usr/share/maven}"
jdk="${CEREBRUM_BASE_JDK:-$("$root/cerebrum" java-home)}"

# JDK modules of the runtime. jdeps over server-helidon.jar and target/lib finds java.base, java.logging,
# java.management, java.desktop (java.beans), java.sql, jdk.management and jdk.unsupported; the rest are
# small and cover what libraries load reflectively (naming, XML, HTTP client, EC crypto, zip fs, JFR).
readonly JRE_MODULES="java.base,java.logging,java.management,java.naming,java.net.http,java.xml,java.desktop,java.sql,jdk.unsupported,jdk.management,jdk.crypto.ec,jdk.zipfs,jdk.jfr,jdk.net"

# The classic builder (Docker 20.10 has no BuildKit here) makes newer clients print a deprecation
# notice on every build; it says nothing about this build, so it is filtered out.
docker_build() {
    docker build "$@" 2>&1 | { grep -vE '^(DEPRECATED: The legacy builder| +Install the buildx| +https://docs.docker.com/go/buildx|$)' || true; }
}

die() { echo "build-base-images: $*" >&2; exit 1; }
have_image() { docker image inspect "$1" >/dev/null 2>&1; }
step() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

command -v docker >/dev/null || die "docker is not installed"
docker info >/dev/null 2>&1 || die "the Docker engine is not running (start dockerd first)"
[ -x "$jdk/bin/jlink" ] || die "no JDK with jlink at '$jdk' (set CEREBRUM_BASE_JDK)"
[ -x "$maven_home/bin/mvn" ] || die "no Maven at '$maven_home' (set MAVEN_HOME)"

work="$(mktemp -d /tmp/cerebrum-base.XXXXXX)"
trap 'rm -rf "$work"' EXIT

if $force || ! have_image "$BASE_IMAGE"; then
    [ "$(id -u)" = 0 ] || die "debootstrap needs root: run as root (sudo $0)"
    command -v debootstrap >/dev/null || die "debootstrap is missing: apt-get install -y debootstrap"
    [ -n "$mirror" ] || die "no Debian mirror found in the host's apt sources: set DEBIAN_MIRROR"
    step "debootstrap bookworm (minbase + libgomp1) from $mirror"
    debootstrap --variant=minbase --include=libgomp1 bookworm "$work/rootfs" "$mirror" \
        >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
    rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
    step "docker import $BASE_IMAGE"
    tar -C "$work/rootfs" -c . | docker import \
        --change 'ENV LANG=C.UTF-8' --change 'CMD ["/bin/bash"]' - "$BASE_IMAGE" >/dev/null
    rm -rf "$work/rootfs"
else
    step "$BASE_IMAGE exists (use --force to rebuild)"
fi

if $force || ! have_image "$JRE_IMAGE"; then
    step "jlink a JRE from $jdk"
    mkdir -p "$work/jre-ctx"
    "$jdk/bin/jlink" --add-modules "$JRE_MODULES" --strip-debug --no-man-pages --no-header-files \
        --generate-cds-archive --output "$work/jre-ctx/jre" >/dev/null
    cat >"$work/jre-ctx/Dockerfile" <<EOF
FROM $BASE_IMAGE
COPY jre /opt/java
ENV JAVA_HOME=/opt/java PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN java -version && test -e /usr/lib/x86_64-linux-gnu/libgomp.so.1
EOF
    step "docker build $JRE_IMAGE"
    docker_build -q --network none -t "$JRE_IMAGE" "$work/jre-ctx"
    rm -rf "$work/jre-ctx"
else
    step "$JRE_IMAGE exists (use --force to rebuild)"
fi

if $force || ! have_image "$BUILD_IMAGE"; then
    step "copy JDK $jdk and Maven $maven_home"
    mkdir -p "$work/build-ctx"
    cp -a "$jdk" "$work/build-ctx/jdk"
    # Debian's Maven links its jars from /usr/share/java: -L copies what the links point to.
    cp -rL "$maven_home" "$work/build-ctx/maven"
    cat >"$work/build-ctx/Dockerfile" <<EOF
FROM $BASE_IMAGE
COPY jdk /opt/jdk
COPY maven /opt/maven
ENV JAVA_HOME=/opt/jdk MAVEN_HOME=/opt/maven \
    PATH=/opt/jdk/bin:/opt/maven/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN mvn -v
EOF
    step "docker build $BUILD_IMAGE"
    docker_build -q --network none -t "$BUILD_IMAGE" "$work/build-ctx"
else
    step "$BUILD_IMAGE exists (use --force to rebuild)"
fi

docker image ls --format '{{.Repository}}:{{.Tag}}  {{.Size}}' | grep '^cerebrum-base:'
