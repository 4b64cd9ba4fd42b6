#!/usr/bin/env bash
# `pnpm lint`: every static check, each one run even when an earlier one fails, so that one run
# shows every problem:
#   lint:format    Biome (format and lint)
#   lint:deps      dependency-cruiser: core's layers, no cycles, no backend in core, packages
#                  meet only at their entry points (.dependency-cruiser.cjs)
#   lint:unused    knip: unused files, exports and dependencies (knip.jsonc)
#   lint:packages  per published package, after its build: publint and @arethetypeswrong/cli on
#                  its `pnpm pack` tarball (the turbo task lint:package)
set -uo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1
failed=()
for check in lint:format lint:deps lint:unused lint:packages; do
  echo "> pnpm run $check" >&2
  pnpm run --silent "$check" || failed+=("$check")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "lint: failed: ${failed[*]}" >&2
  exit 1
fi
echo "lint: all clean" >&2
