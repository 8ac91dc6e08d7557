#!/usr/bin/env bash
# Start the backend in the background (the seed's ./start.sh).
# A thin wrapper: the launcher does the work; see ./cerebrum help.
exec "$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)/cerebrum" start "$@"
