#!/usr/bin/env bash
# Prints a new random API key (the seed's scripts/generate_api_key.sh); with --write sets it in .env.
# A thin wrapper: the launcher does the work; see ./cerebrum help.
exec "$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)/cerebrum" key "$@"
