#!/usr/bin/env bash
# Makes sure Debian's redis-server and PostgreSQL 15 are installed for the queue-mode test (npm run test:queue), which
# starts both itself on loopback ports (no system service is used or started). About 1 minute when missing.
set -euo pipefail

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
[ -x /usr/lib/postgresql/15/bin/initdb ] && [ -x /usr/lib/postgresql/15/bin/psql ] || need+=(postgresql-15)
if [ "${#need[@]}" -gt 0 ]; then
	bash "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" install-queue-deps "${need[@]}"
fi
