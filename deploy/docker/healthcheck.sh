#!/bin/bash
# The image's HEALTHCHECK: GET /health must answer 200. Plain bash (/dev/tcp), as the image has no curl.
exec 3<>"/dev/tcp/127.0.0.1/${CEREBRUM_VPS_PORT:-9000}" 2>/dev/null || exit 1
printf 'GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
IFS= read -r -t 4 status <&3 || exit 1
[[ "$status" == "HTTP/1."?" 200"* ]]
