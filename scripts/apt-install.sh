#!/usr/bin/env bash
# Installs Debian packages with apt-get (as root, or through sudo), quietly, printing apt's log only when it fails.
# Used by the scripts that make sure a test's system tools are present: apt-install.sh <who> <package>...
set -euo pipefail
who="$1"
shift

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "$who: $* missing and we are not root (no sudo either)" >&2
		exit 1
	fi
fi

echo "$who: installing $* with apt-get (about 1 minute)" >&2
export DEBIAN_FRONTEND=noninteractive
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "$@"; } >"$log" 2>&1; then
	cat "$log" >&2
	echo "$who: apt-get failed" >&2
	exit 1
fi
