#!/usr/bin/env bash
# Every test of the workspace, from a fresh checkout, on Node 24: installs what is missing (Node 24
# where the machine's node is older, pnpm, dependencies, real DVC), builds, lints (`pnpm lint`:
# Biome, dependency-cruiser, knip, publint and @arethetypeswrong/cli per package), then runs the
# vitest projects. Everything below, and every process the tests start, runs on that Node 24 (first
# on PATH); the install test also runs the packed packages on Node 20 and 22.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1
. scripts/node.sh
use_node 24+
echo "test-all: node $(node --version) ($(command -v node))" >&2
bash scripts/bootstrap.sh
if ! command -v dvc >/dev/null 2>&1; then
  echo "test-all: installing dvc with pip" >&2
  python3 -m pip install --quiet dvc
fi
dvc --version >/dev/null
# Lint failures fail the run too, but the tests still run, so one run shows everything.
status=0
pnpm lint || status=$?
results=$(mktemp)
vitest_status=0
# The tables and searches fetch into the user's cache folder; the test line keeps its own.
TROVE_CACHE_DIR=$(mktemp -d)
export TROVE_CACHE_DIR
# Two test files at a time (CI has 2 cores): most of a test's time is waiting on a child process,
# an emulator or pip, so two workers take about half the wall time of one.
pnpm exec vitest run --maxWorkers=2 --reporter=default --reporter=json --outputFile="$results" || vitest_status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$results" || true
rm -f "$results"
rm -rf "$TROVE_CACHE_DIR"
if [ "$vitest_status" -ne 0 ]; then status=$vitest_status; fi
exit $status
