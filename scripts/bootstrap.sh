#!/usr/bin/env bash
# Installs what the workspace needs on a machine with Node 20+ and npm: Node 24 (the test line's
# runtime: from the npm registry into .tools/ where the machine's node is older; see node.sh),
# pnpm (the version pinned in package.json), the dependencies, and a build of every package.
# Run under Node 24 from then on: scripts/test-all.sh does (`. scripts/node.sh; use_node 24+`).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/node.sh
use_node 24+
want=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [ "$(pnpm --version 2>/dev/null || true)" != "$want" ]; then
  echo "bootstrap: installing pnpm@$want" >&2
  npm install --global --silent "pnpm@$want"
fi
export TURBO_TELEMETRY_DISABLED=1
pnpm install --frozen-lockfile --reporter=silent
pnpm exec turbo run build --output-logs=errors-only
