#!/usr/bin/env node
// bench/search: trove's tables and search against the old listing and MLflow's search_runs.
// (1) generates N runs on a local store through the core API (10 params, 10 metrics × 100 steps,
//     2 artifacts each; 8 at a time), each ending with its commit into the tables;
// (2) `trove index --optimize`;
// (3) `trove runs search '<filter>' --order-by 'metrics.acc DESC' --limit 20` in a new process,
//     with an empty cache and a warm one; `searchRuns()` repeated in one process;
// (4) what a listing cost before the tables: reading every run folder (run.json + artifacts);
// (5) MLflow's `search_runs` on the same N runs in its SQLite store, same filter and order.
// Usage: node bench/search.mjs [--runs 2000]
// Needs: a build (pnpm build) and the MLflow venv of the search tests (~/.cache/trove-test/mlflow-search-venv: mlflow with its SQLite store).
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  loadAverages,
  machine,
  median,
  REPO,
  searchTimings,
  TROVE,
  wall,
  writeSection,
} from './lib.mjs';
import { spec } from './run-specs.mjs';

const args = process.argv.slice(2);
const at = args.indexOf('--runs');
const N = Number(at >= 0 ? args[at + 1] : 2000) || 2000;
const WORK = join(tmpdir(), 'trove-bench-search');
const PYTHON = join(homedir(), '.cache/trove-test/mlflow-search-venv/bin/python');
const core = await import(pathToFileURL(join(REPO, 'packages/core/dist/index.js')).href);

rmSync(WORK, { recursive: true, force: true });
const project = join(WORK, 'project');
mkdirSync(join(project, '.trove'), { recursive: true });
writeFileSync(join(project, 'a.bin'), 'weights');
writeFileSync(join(project, 'b.json'), '{"classes": 10}');
process.env.TROVE_CACHE_DIR = join(WORK, 'cache');

// (1) generate
let t0 = performance.now();
let next = 0;
const store = await core.openStore({ cwd: project });
async function worker() {
  while (next < N) {
    const i = next++;
    const s = spec(i);
    const run = await core.startRun({ store, cwd: project, name: s.name, params: s.params });
    for (const [name, values] of Object.entries(s.metrics)) {
      for (const [step, v] of values.entries()) run.logMetric(name, v, { step });
    }
    await run.logArtifact('a.bin', { type: 'model' });
    await run.logArtifact('b.json', { type: 'config' });
    await run.end();
  }
}
await Promise.all(Array.from({ length: 8 }, worker));
const genSeconds = (performance.now() - t0) / 1000;
console.log(`generated ${N} runs in ${genSeconds.toFixed(1)} s`);

// (2) index --optimize
const index = wall(`node ${TROVE} index --optimize --json`, { cwd: project });
console.log(`index --optimize: ${index.seconds.toFixed(2)} s`);

// (3) search
const FILTER = "metrics.acc > 0.9 and params.optimizer = 'adam'";
const FILTER_NUMERIC = 'metrics.acc > 0.9 and params.lr < 0.01';
const cli = (filter) =>
  `node ${TROVE} runs search "${filter}" --order-by "metrics.acc DESC" --limit 20 --json`;
const timings = await searchTimings({
  core,
  store,
  cliCommand: cli(FILTER_NUMERIC),
  cwd: project,
  filter: FILTER,
});

// (4) the listing before the tables: every run's run.json and artifacts.json
t0 = performance.now();
for (const id of await store.listRunIds()) {
  await store.readRun(id);
  await store.readArtifacts(id);
}
const listing = (performance.now() - t0) / 1000;

// (5) MLflow on the same runs
let mlflow = 'not run (no MLflow venv)';
const venv = spawnSync(PYTHON, ['-c', 'import mlflow; print(mlflow.__version__)'], {
  encoding: 'utf8',
});
if (venv.status === 0) {
  const specs = join(WORK, 'specs.json');
  writeFileSync(specs, JSON.stringify(Array.from({ length: N }, (_, i) => spec(i))));
  const py = `
import json, sys, time, mlflow
from mlflow.entities import Metric, Param
from mlflow.tracking import MlflowClient
mlflow.set_tracking_uri("sqlite:///${join(WORK, 'mlflow.db')}")
client = MlflowClient()
exp = client.create_experiment("bench")
for s in json.load(open("${specs}")):
    run = client.create_run(exp, run_name=s["name"])
    now = int(time.time() * 1000)
    # The search reads MLflow's latest_metrics: each series' last value at its last step (logging
    # all 100 steps of 10,000 runs into SQLite would take longer than the comparison itself).
    metrics = [Metric(k, vs[-1], now, len(vs) - 1) for k, vs in s["metrics"].items()]
    params = [Param(k, str(v)) for k, v in s["params"].items()]
    for i in range(0, len(metrics), 1000):
        client.log_batch(run.info.run_id, metrics=metrics[i:i+1000], params=params if i == 0 else [])
    client.set_terminated(run.info.run_id)
times = []
for _ in range(6):
    t = time.perf_counter()
    runs = client.search_runs([exp], filter_string="${FILTER}", order_by=["metrics.acc DESC"], max_results=20)
    times.append(time.perf_counter() - t)
print(json.dumps({"times": times[1:], "found": len(runs)}))
`;
  const r = spawnSync(PYTHON, ['-c', py], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONWARNINGS: 'ignore' },
  });
  if (r.status !== 0) throw new Error(r.stderr.slice(-2000));
  const out = JSON.parse(r.stdout.trim().split('\n').pop());
  mlflow = { seconds: median(out.times), found: out.found };
}

const load = loadAverages();
const ours = timings.repeated;
const md = `## search (local store) — \`node bench/search.mjs --runs ${N}\`

${machine()}. Load average at the end: ${load}. ${N} runs generated through the core API (10 params, 10 metrics × 100 steps, 2 artifacts each, 8 runs at a time, each committing its rows when it ends) in ${genSeconds.toFixed(1)} s; \`trove index --optimize\` then took ${index.seconds.toFixed(2)} s.

| what | seconds (median) |
|---|---|
| \`trove runs search '${FILTER_NUMERIC}' --order-by 'metrics.acc DESC' --limit 20\`, new process, empty cache | ${timings.cold.toFixed(3)} |
| the same, warm cache | ${timings.warm.toFixed(3)} |
| \`searchRuns()\` repeated in one process ('${FILTER}', ${timings.found} found) | ${ours.toFixed(4)} |
| the listing before the tables: read every run's run.json + artifacts.json | ${listing.toFixed(2)} |
| MLflow ${typeof mlflow === 'object' ? `\`search_runs\` (SQLite store, the same runs with each metric's latest value, same filter and order, ${mlflow.found} found)` : mlflow} | ${typeof mlflow === 'object' ? mlflow.seconds.toFixed(4) : '–'} |
${typeof mlflow === 'object' ? `\ntrove's repeated search is **${(mlflow.seconds / ours).toFixed(1)}×** MLflow's on the same runs (target ≥ 5× at 10,000 runs).\n` : ''}`;
writeSection('search', md);
console.log(md);
