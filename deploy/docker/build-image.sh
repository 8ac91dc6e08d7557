#!/usr/bin/env bash
# Builds the backend image from this repository's sources with deploy/docker/Dockerfile, offline:
#   1. stages every Maven artifact the build needs into deploy/docker/target/m2, by running the same
#      build on the host against a copy of the local Maven repository (~/.m2) used as a mirror; this
#      is redone only when a pom.xml changes;
#   2. assembles a small build context: src/ (the poms and sources, no target/), m2/, and natives/: the
#      pinned llama.cpp libraries of the ffm engine (engine-ffm/natives/fetch-natives.sh fetches them once
#      with npm and verifies their sha512);
#   3. runs docker build --network none.
#
# Usage: deploy/docker/build-image.sh [-t TAG] [--build-image IMAGE] [--runtime-image IMAGE]
#                                     [--build-id ID] [--clean-build-stage]
#   -t TAG                 image name (default cerebrum-backend:latest)
#   --build-image IMAGE    JDK 25+ with Maven, for the build stage (default cerebrum-base:build)
#   --runtime-image IMAGE  JRE 25+, for the runtime stage (default cerebrum-base:jre)
#   --build-id ID          labels the images of this build (default: a random id)
#   --clean-build-stage    remove the build stage's image afterwards (keeps the disk tidy; the next
#                          build then compiles from scratch)
# Settings (environment): MAVEN_LOCAL_REPO (default ~/.m2/repository), the source of the staged artifacts.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

tag=cerebrum-backend:latest
build_image=cerebrum-base:build
runtime_image=cerebrum-base:jre
build_id="$(od -An -tx1 -N6 /dev/urandom | tr -d ' \n')"
clean_stage=false
while [ $# -gt 0 ]; do
    case "$1" in
        -t|--tag) tag="$2"; shift 2 ;;
        --build-image) build_image="$2"; shift 2 ;;
        --runtime-image) runtime_image="$2"; shift 2 ;;
        --build-id) build_id="$2"; shift 2 ;;
        --clean-build-stage) clean_stage=true; shift ;;
        -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "build-image: unknown option '$1' (try --help)" >&2; exit 2 ;;
    esac
done

# The classic builder (Docker 20.10 has no BuildKit here) makes newer clients print a deprecation
# notice on every build; it says nothing about this build, so it is filtered out.
docker_build() {
    docker build "$@" 2>&1 | { grep -vE '^(DEPRECATED: The legacy builder| +Install the buildx| +https://docs.docker.com/go/buildx|$)' || true; }
}

die() { echo "build-image: $*" >&2; exit 1; }
step() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

command -v docker >/dev/null || die "docker is not installed"
docker info >/dev/null 2>&1 || die "the Docker engine is not running"
for image in "$build_image" "$runtime_image"; do
    docker image inspect "$image" >/dev/null 2>&1 \
        || die "base image $image is missing: build it with deploy/docker/build-base-images.sh (or pass another)"
done

# The modules of the root pom: only they (and the root pom) go into the context.
mapfile -t modules < <(sed -n 's:.*<module>\(.*\)</module>.*:\1:p' "$root/pom.xml")
[ ${#modules[@]} -gt 0 ] || die "no <module> in $root/pom.xml"

copy_sources() { # copy_sources DEST: the root pom and each module's pom.xml, src/ and natives/ (the pin)
    local dest="$1" m
    mkdir -p "$dest"
    cp "$root/pom.xml" "$dest/"
    for m in "${modules[@]}"; do
        mkdir -p "$dest/$m"
        cp "$root/$m/pom.xml" "$dest/$m/"
        if [ -d "$root/$m/src" ]; then cp -r "$root/$m/src" "$dest/$m/"; fi
        if [ -d "$root/$m/natives" ]; then cp -r "$root/$m/natives" "$dest/$m/"; fi
    done
}

# --- 1. the Maven artifacts, staged once per set of poms ---
staged="$here/target/m2"
key="$( (cd "$root" && cat pom.xml "${modules[@]/%//pom.xml}") | sha256sum | cut -c1-16)"
if [ ! -f "$staged.key" ] || [ "$(cat "$staged.key")" != "$key" ] || [ ! -d "$staged" ]; then
    local_repo="${MAVEN_LOCAL_REPO:-$HOME/.m2/repository}"
    [ -d "$local_repo" ] || die "no local Maven repository at $local_repo (build the project once first)"
    jh="$("$root/cerebrum" java-home)"
    step "staging the build's Maven artifacts from $local_repo"
    rm -rf "$staged" "$staged.key"
    mkdir -p "$staged"
    work="$(mktemp -d /tmp/cerebrum-stage.XXXXXX)"
    trap 'rm -rf "$work"' EXIT
    copy_sources "$work/src"
    # The local repository as the only "remote": the staged copy receives exactly what the build reads.
    # The mirror's id is "central" so that the offline build inside Docker accepts the artifacts.
    cat >"$work/settings.xml" <<EOF
<settings><mirrors><mirror><id>central</id><mirrorOf>*</mirrorOf>
<url>file://$local_repo</url></mirror></mirrors></settings>
EOF
    (cd "$work/src" && JAVA_HOME="$jh" mvn -B -q -s "$work/settings.xml" -Dmaven.repo.local="$staged" \
        -DskipTests -pl server-helidon -am package) >"$work/stage.log" 2>&1 \
        || { tail -30 "$work/stage.log" >&2; die "staging failed: is the project buildable (./cerebrum build)?"; }
    # The image's own build produces these again; staged copies of project artifacts would only confuse.
    rm -rf "$staged/dev/cerebrum"
    echo "$key" >"$staged.key"
    rm -rf "$work"
    trap - EXIT
fi

# --- 2. the build context ---
natives="$(bash "$root/engine-ffm/natives/fetch-natives.sh")" \
    || die "the ffm engine's llama.cpp libraries are needed in the image: see the messages above"
ctx="$(mktemp -d /tmp/cerebrum-ctx.XXXXXX)"
trap 'rm -rf "$ctx"' EXIT
copy_sources "$ctx/src"
mkdir -p "$ctx/src/deploy/docker" "$ctx/natives"
cp "$here/entrypoint.sh" "$here/healthcheck.sh" "$ctx/src/deploy/docker/"
cp -r "$staged" "$ctx/m2"
# The shared libraries and the package's licence; the pin's NOTICE says where they come from.
cp "$natives"/*.so "$natives/LICENSE" "$root/engine-ffm/natives/NOTICE" "$ctx/natives/"

# --- 3. the image ---
step "docker build $tag (build id $build_id; base images $build_image, $runtime_image)"
status=0
docker_build --network none -f "$here/Dockerfile" -t "$tag" \
    --build-arg BUILD_IMAGE="$build_image" --build-arg RUNTIME_IMAGE="$runtime_image" \
    --build-arg BUILD_ID="$build_id" "$ctx" || status=$?
if $clean_stage || [ "$status" != 0 ]; then
    docker image prune -f --filter "label=dev.cerebrum.build-stage=$build_id" >/dev/null || true
fi
[ "$status" = 0 ] || die "docker build failed"
step "built $tag ($(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1/1e6}'))"
