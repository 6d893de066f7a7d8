#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed at /usr/bin/chromium for the headless browser checks of the e2e suite
# (playwright-core drives it; a Playwright browser download does not work offline). About 1 minute when missing.
set -euo pipefail

if [ ! -x /usr/bin/chromium ]; then
	bash "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" install-chromium chromium fonts-liberation
fi
/usr/bin/chromium --version 2>/dev/null || true
