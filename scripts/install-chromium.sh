#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed at /usr/bin/chromium for the headless browser checks of the e2e suite
# (playwright-core drives it; a Playwright browser download does not work offline). About 1 minute when missing.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
	/usr/bin/chromium --version 2>/dev/null || true
	exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "install-chromium: /usr/bin/chromium is missing and we are not root (no sudo either)" >&2
		exit 1
	fi
fi

echo "install-chromium: installing Debian's chromium (about 1 minute)" >&2
export DEBIAN_FRONTEND=noninteractive
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-liberation; } >"$log" 2>&1; then
	cat "$log" >&2
	echo "install-chromium: apt-get failed" >&2
	exit 1
fi
/usr/bin/chromium --version
