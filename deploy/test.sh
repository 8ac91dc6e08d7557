#!/usr/bin/env bash
# Smoke-test the running backend: health, auth, models, inference, streaming (the seed's ./test.sh).
# A thin wrapper: the launcher does the work; see ./cerebrum help.
exec "$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)/cerebrum" smoke "$@"
