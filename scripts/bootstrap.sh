#!/usr/bin/env bash
# Installs what the workspace needs on a machine with Node 20+ and npm: pnpm (the version pinned in
# package.json), the dependencies, and a build of every package.
set -euo pipefail
cd "$(dirname "$0")/.."
want=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [ "$(pnpm --version 2>/dev/null || true)" != "$want" ]; then
  echo "bootstrap: installing pnpm@$want" >&2
  npm install --global --silent "pnpm@$want"
fi
export TURBO_TELEMETRY_DISABLED=1
pnpm install --frozen-lockfile --reporter=silent
pnpm exec turbo run build --output-logs=errors-only
