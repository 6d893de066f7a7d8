#!/usr/bin/env bash
# Makes sure Debian's redis-server and PostgreSQL 15 are installed for the queue-mode test (npm run test:queue), which
# starts both itself on loopback ports (no system service is used or started). About 1 minute when missing.
set -euo pipefail

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
[ -x /usr/lib/postgresql/15/bin/initdb ] && [ -x /usr/lib/postgresql/15/bin/psql ] || need+=(postgresql-15)
if [ "${#need[@]}" -eq 0 ]; then
	exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "install-queue-deps: ${need[*]} missing and we are not root (no sudo either)" >&2
		exit 1
	fi
fi

echo "install-queue-deps: installing ${need[*]} with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"; } >"$log" 2>&1; then
	cat "$log" >&2
	echo "install-queue-deps: apt-get failed" >&2
	exit 1
fi
