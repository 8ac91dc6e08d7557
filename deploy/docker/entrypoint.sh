#!/bin/bash
# Container entry point: refuses to start without an API key, then runs the server as PID 1 so that
# `docker stop` (SIGTERM) reaches it directly and it can finish running requests.
set -euo pipefail

# A key from a file (a Docker/Kubernetes secret) when it is not given directly.
if [ -z "${CEREBRUM_API_KEY:-}" ] && [ -n "${CEREBRUM_API_KEY_FILE:-}" ]; then
    if [ ! -r "$CEREBRUM_API_KEY_FILE" ]; then
        echo "cerebrum: CEREBRUM_API_KEY_FILE names a file that cannot be read" >&2
        exit 64
    fi
    CEREBRUM_API_KEY="$(tr -d '\r\n' <"$CEREBRUM_API_KEY_FILE")"
    export CEREBRUM_API_KEY
fi
if [ -z "${CEREBRUM_API_KEY:-}" ]; then
    cat >&2 <<'MSG'
cerebrum: CEREBRUM_API_KEY is not set: this container never runs without an API key.
  Pass one, e.g.  docker run -e CEREBRUM_API_KEY="$(./cerebrum key)" ...
  or mount a file and set CEREBRUM_API_KEY_FILE=/run/secrets/cerebrum_api_key.
MSG
    exit 64
fi

# OSHI loads its native helper through JNA (module com.sun.jna), and models on the ffm-inprocess engine call
# llama.cpp from the server (module dev.cerebrum.engine.ffm); JDK 22+ warns about that unless it is allowed.
native=""
major="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "${JAVA_HOME:-/opt/java}/release" 2>/dev/null || true)"
if [ -n "$major" ] && [ "$major" -ge 22 ]; then native="--enable-native-access=com.sun.jna,dev.cerebrum.engine.ffm"; fi

# The server runs on the module path, as the launcher runs it; model workers follow (see engine-worker).
# shellcheck disable=SC2086 # CEREBRUM_JAVA_OPTS holds several options
exec java $native ${CEREBRUM_JAVA_OPTS:-} -p "/app/server-helidon.jar:/app/lib" \
    -m dev.cerebrum.server/dev.cerebrum.server.Main "$@"
