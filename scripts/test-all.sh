#!/usr/bin/env bash
# Every test of the workspace, from a fresh checkout: installs what is missing (pnpm, dependencies,
# real DVC), builds, lints (`pnpm lint`: Biome, dependency-cruiser, knip, publint and
# @arethetypeswrong/cli per package), then runs the vitest projects.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
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
pnpm exec vitest run --reporter=default --reporter=json --outputFile="$results" || vitest_status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$results" || true
rm -f "$results"
if [ "$vitest_status" -ne 0 ]; then status=$vitest_status; fi
exit $status
