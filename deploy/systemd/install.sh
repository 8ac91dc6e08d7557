#!/usr/bin/env bash
# Installs the systemd unit deploy/systemd/cerebrum-backend.service with its placeholders filled in.
#
# Usage: sudo deploy/systemd/install.sh [--user USER] [--workdir DIR] [--output FILE]
#   --user USER     the account the service runs as (default: the user who ran sudo)
#   --workdir DIR   the backend's working directory: .env, logs/, run/, models/ (default: this repository)
#   --output FILE   only write the filled-in unit to FILE (no root needed, nothing else changes);
#                   without it the unit goes to /etc/systemd/system/cerebrum-backend.service and
#                   systemd is reloaded. Enabling and starting stay your decision (printed at the end).
set -euo pipefail

here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
root="$(cd "$here/../.." && pwd)"
template="$here/cerebrum-backend.service"
unit_name=cerebrum-backend.service

user="${SUDO_USER:-$(id -un)}"
workdir="$root"
output=""
while [ $# -gt 0 ]; do
    case "$1" in
        --user) user="$2"; shift 2 ;;
        --workdir) workdir="$2"; shift 2 ;;
        --output) output="$2"; shift 2 ;;
        -h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install: unknown option '$1' (try --help)" >&2; exit 2 ;;
    esac
done

die() { echo "install: $*" >&2; exit 1; }

id "$user" >/dev/null 2>&1 || die "no user '$user' on this machine (use --user)"
group="$(id -gn "$user")"
workdir="$(cd "$workdir" 2>/dev/null && pwd)" || die "no directory $workdir"
for v in "$workdir" "$root"; do
    [[ "$v" =~ ^[A-Za-z0-9/._+-]+$ ]] || die "'$v' has characters a unit file would need quoted; use a plainer path"
done

# systemd reads every placeholder literally: replace them, escaping what sed treats specially.
escape() { printf '%s' "$1" | sed 's/[&|\\]/\\&/g'; }
render() {
    sed -e "s|@USER@|$(escape "$user")|g" -e "s|@GROUP@|$(escape "$group")|g" \
        -e "s|@WORKDIR@|$(escape "$workdir")|g" -e "s|@LAUNCHER@|$(escape "$root/cerebrum")|g" "$template"
}

if [ -n "$output" ]; then
    render >"$output"
    echo "install: wrote $output (user $user, working directory $workdir)"
    exit 0
fi

[ "$(id -u)" = 0 ] || die "installing into /etc/systemd/system needs root: sudo $0 $*"
command -v systemctl >/dev/null || die "systemctl not found: this machine does not run systemd"
[ -f "$workdir/.env" ] || die "no $workdir/.env yet: as $user run  cp deploy/.env.example .env && ./cerebrum key --write"
[ -f "$root/server-helidon/target/server-helidon.jar" ] \
    || die "the server is not built: as $user run  ./cerebrum build"

# The service runs as $user: it must read .env (the server reads it; systemd does not) and write logs/, run/,
# models/.
if command -v runuser >/dev/null; then
    runuser -u "$user" -- test -r "$workdir/.env" \
        || die "$user cannot read $workdir/.env: chown $user $workdir/.env (keep it chmod 600)"
    runuser -u "$user" -- test -w "$workdir" \
        || die "$user cannot write to $workdir (logs/, run/ and the demo model go there): chown $user $workdir"
fi

render >"/etc/systemd/system/$unit_name"
chmod 644 "/etc/systemd/system/$unit_name"
mkdir -p "$workdir/logs" "$workdir/run"
chown "$user:$group" "$workdir/logs" "$workdir/run"
if command -v systemd-analyze >/dev/null; then
    systemd-analyze verify "/etc/systemd/system/$unit_name" || die "systemd-analyze verify found problems (above)"
fi
if [ ! -d /run/systemd/system ]; then
    echo "install: wrote /etc/systemd/system/$unit_name, but systemd is not running on this machine: nothing was loaded"
    exit 0
fi
systemctl daemon-reload
cat <<MSG
install: installed /etc/systemd/system/$unit_name (user $user, working directory $workdir)
Next:
  sudo systemctl enable --now cerebrum-backend     # start now and on every boot
  sudo systemctl status cerebrum-backend
  sudo journalctl -u cerebrum-backend -f           # console output; the log file is $workdir/logs/backend.log
MSG
