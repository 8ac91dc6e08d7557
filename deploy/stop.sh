#!/usr/bin/env bash
# Stop the backend started with start.sh (the seed's ./stop.sh).
# A thin wrapper: the launcher does the work; see ./cerebrum help.
exec "$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)/cerebrum" stop "$@"
