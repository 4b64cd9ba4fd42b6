#!/usr/bin/env bash
# Every test of the workspace, from a fresh checkout: installs what is missing (pnpm, dependencies,
# real DVC), builds, lints, checks the packages with publint, then runs the vitest projects.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
bash scripts/bootstrap.sh
if ! command -v dvc >/dev/null 2>&1; then
  echo "test-all: installing dvc with pip" >&2
  python3 -m pip install --quiet dvc
fi
dvc --version >/dev/null
pnpm exec biome check .
pnpm exec turbo run publint --output-logs=errors-only
results=$(mktemp)
status=0
pnpm exec vitest run --reporter=default --reporter=json --outputFile="$results" || status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$results" || true
rm -f "$results"
exit $status
