#!/usr/bin/env node
// bench/lineage: `trove lineage --impacted-by` over 100,000 runs and 1,000,000 lineage rows
// (issue 23). The rows are written straight into `tables/runs` and `tables/lineage` (no run
// folders), shaped like many pipelines side by side: 1,000 projects of 100 runs in 10 layers.
// A first-layer run reads its project's dataset and a shared one (one of 10, each read by the
// first layer of 100 projects); a later one reads 2 outputs of the layer before; every run reads
// 2 files of its own and writes 6 outputs: 10 rows a run. One model version is registered from a
// last-layer output of project 0, with an alias, and an artifact alias pins an output of its
// middle layer, so the walk has names to find.
// - deep: the impact of one project's dataset: 100 runs in 10 layers, 20 hops of runs and data.
// - wide: the impact of a shared dataset: 100 projects' runs (10,000), as many hops.
// Each case is timed with `--json` (the graph) and in the default text form, a new process each
// time, with the CPU seconds each used (user + system, DuckDB's threads included): on a shared
// machine the wall clock follows the load, the CPU time much less.
// Usage: node bench/lineage.mjs [--runs 100000]
// Needs: a build (pnpm build). Writes its section of bench/RESULTS.md.
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadAverages, machine, median, REPO, TROVE, timed, writeSection } from './lib.mjs';

const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1] || 100_000);
const PER_PROJECT = 100;
const LAYERS = 10;
const PER_LAYER = PER_PROJECT / LAYERS;
const OUTPUTS = 6;
const SHARED = 10;
const FILE_ROWS = 100_000;
const WORK = join(tmpdir(), 'trove-bench-lineage');
const dist = (p) => import(pathToFileURL(join(REPO, 'packages/core/dist', p)).href);
const core = await dist('index.js');
const { openTroveTable } = await dist('tables/tables.js');
const { setArtifactAlias } = await dist('registry/artifact-aliases.js');
const { ModelRegistry } = await dist('registry/model-registry.js');

const hex = (n, tag) =>
  (BigInt(n) * 0x9e3779b97f4a7c15n + BigInt(tag)).toString(16).padStart(32, '0').slice(-32);
const runId = (i) => hex(i, 1);
const output = (i, k) => hex(i * OUTPUTS + k, 2);
const projectData = (p) => hex(p, 3);
const sharedData = (s) => hex(s, 4);

function runRows(i, now) {
  const project = Math.floor(i / PER_PROJECT);
  const inProject = i % PER_PROJECT;
  const layer = Math.floor(inProject / PER_LAYER);
  const t = new Date(now - (RUNS - i) * 1000);
  const run = {
    run_id: runId(i),
    name: `p${project}-l${layer}-r${inProject % PER_LAYER}`,
    experiment: null,
    status: 'completed',
    start_time: t,
    end_time: t,
    user: 'bench',
    host: 'bench',
    git_commit: null,
    git_branch: null,
    tags: {},
    params: {},
    metrics: {},
    artifact_count: OUTPUTS,
    updated_time: t,
  };
  const row = (direction, name, md5) => ({
    run_id: run.run_id,
    direction,
    name,
    kind: 'dataset',
    path: `outputs/${name}`,
    md5,
    timestamp: t,
  });
  const lineage = [];
  if (layer === 0) {
    // The first layer reads the project's dataset and a shared one (shared dataset s is read by
    // the first layer of projects s*100 … s*100+99), plus two seeds of its own.
    const shared = Math.floor(project / 100) % SHARED;
    lineage.push(
      row('input', `project-${project}`, projectData(project)),
      row('input', `shared-${shared}`, sharedData(shared)),
      row('input', 'seed', hex(i, 5)),
      row('input', 'seed2', hex(i, 6)),
    );
  } else {
    // Later layers read 2 outputs of the layer before, and 2 configs of their own.
    for (const k of [0, 1]) {
      const from = project * PER_PROJECT + (layer - 1) * PER_LAYER + ((inProject + k) % PER_LAYER);
      lineage.push(row('input', `o${k}`, output(from, k)));
    }
    lineage.push(row('input', 'config', hex(i, 5)), row('input', 'config2', hex(i, 6)));
  }
  for (let k = 0; k < OUTPUTS; k++) lineage.push(row('output', `o${k}`, output(i, k)));
  return { run, lineage };
}

mkdirSync(WORK, { recursive: true });
const project = join(WORK, `r${RUNS}`);
rmSync(project, { recursive: true, force: true });
mkdirSync(join(project, '.trove'), { recursive: true });
process.env.TROVE_CACHE_DIR = join(project, 'cache');
const store = await core.openStore({ cwd: project });
const runsTable = openTroveTable(store, 'runs').delta;
const lineageTable = openTroveTable(store, 'lineage').delta;
const now = Date.now();
const t0 = performance.now();
let lineageRows = 0;
for (let from = 0; from < RUNS; from += FILE_ROWS / 10) {
  const runs = [];
  const lines = [];
  for (let i = from; i < Math.min(RUNS, from + FILE_ROWS / 10); i++) {
    const r = runRows(i, now);
    runs.push(r.run);
    for (const l of r.lineage) lines.push(l);
  }
  lineageRows += lines.length;
  await runsTable.commit(() => ({ add: [runs] }));
  await lineageTable.commit(() => ({ add: [lines] }));
}
const writeSeconds = (performance.now() - t0) / 1000;
// Names for the walk to find: a model version from the last layer of project 0, an alias on it,
// and an artifact alias on an output of project 0's middle layer.
const last = PER_PROJECT - 1;
const registry = new ModelRegistry(store);
await registry.createVersion('bench-model', {
  source: 'bench',
  md5: output(last, 0),
  isdir: false,
});
await registry.setAlias('bench-model', 'champion', 1);
await setArtifactAlias(store, 'o3', 'best', {
  runId: runId(50),
  path: 'outputs/o3',
  md5: output(50, 3),
});
await store.close();

const env = { TROVE_CACHE_DIR: process.env.TROVE_CACHE_DIR };
// Datasets only read (no artifact record holds them): the walk starts from their lineage rows.
const cases = [
  ['deep', 'project-0', PER_PROJECT],
  ['wide', 'shared-0', PER_PROJECT * 100],
];
const loadBefore = loadAverages();
const results = [];

for (const [name, ref, expectRuns] of cases) {
  const cmd = `node ${TROVE} lineage --impacted-by ${ref}`;
  const first = timed(`${cmd} --json`, { cwd: project, env });
  const graph = JSON.parse(first.stdout);
  const count = (type) => graph.nodes.filter((n) => n.type === type && n.depth > 0).length;
  const found = {
    runs: count('run'),
    data: count('data'),
    models: count('model-version'),
    aliases: count('alias'),
  };
  if (found.runs !== Math.min(expectRuns, RUNS))
    throw new Error(`${name}: ${found.runs} runs, not ${expectRuns}`);
  if (found.models !== 1 || found.aliases !== 2)
    throw new Error(`${name}: names not found: ${JSON.stringify(found)}`);
  const json = [first, ...[0, 1, 2, 3].map(() => timed(`${cmd} --json`, { cwd: project, env }))];
  const text = [0, 1, 2, 3, 4].map(() => timed(cmd, { cwd: project, env }));
  const text0 = text[0].stdout;
  if (!text0.includes(`runs (${found.runs}):`))
    throw new Error(`${name}: text form: ${text0.slice(0, 200)}`);
  const depth = Math.max(...graph.nodes.map((n) => n.depth));
  const seconds = (xs) => median(xs.map((x) => x.seconds));
  const cpu = (xs) => median(xs.map((x) => x.cpuSeconds));
  results.push({
    name,
    ref,
    ...found,
    depth,
    bytes: { json: first.stdout.length, text: text0.length },
    first: first.seconds,
    json: { median: seconds(json), cpu: cpu(json) },
    text: { median: seconds(text), cpu: cpu(text) },
    load: loadAverages(),
  });
  console.log(JSON.stringify(results.at(-1)));
}

const mb = (n) => (n < 1e6 ? `${(n / 1e3).toFixed(0)} kB` : `${(n / 1e6).toFixed(1)} MB`);
const md = `## lineage (local store) — \`node bench/lineage.mjs --runs ${RUNS}\`

${machine()}. Load average before the walks: ${loadBefore}; after each case: ${results.map((r) => `${r.name} ${r.load}`).join('; ')}. ${RUNS.toLocaleString('en')} runs and ${lineageRows.toLocaleString('en')} lineage rows written straight into \`tables/runs\` and \`tables/lineage\` (written in ${writeSeconds.toFixed(1)} s; no run folders, no backlog): ${RUNS / PER_PROJECT} projects of ${PER_PROJECT} runs in ${LAYERS} layers, the first layer reading its project's dataset and a shared one (each read by 100 projects), later layers 2 outputs of the layer before, each run 2 files of its own; ${OUTPUTS} outputs a run. One model version (with an alias) and one artifact alias name outputs of project 0. \`trove lineage --impacted-by <ref>\`, a new process each time, with \`--json\` and in the default text form; *first* is a case's first walk (\`--json\`); the deep case's is the first after the tables were written, which makes the snapshot's DuckDB file in the cache (\`<cache>/tables/db/\`: the walk's dictionaries and rows as integer ids, made once a snapshot); every later walk attaches it. Medians of 5 (\`--json\`: the first included), wall clock and CPU (user + system, DuckDB's threads included).

| case | ref | runs found | data | model versions | aliases | deepest hop | first | \`--json\` median | CPU | text median | CPU | answer (json / text) |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
${results.map((r) => `| ${r.name} | \`${r.ref}\` | ${r.runs.toLocaleString('en')} | ${r.data.toLocaleString('en')} | ${r.models} | ${r.aliases} | ${r.depth} | ${r.first.toFixed(2)} s | ${r.json.median.toFixed(2)} s | ${r.json.cpu.toFixed(2)} s | ${r.text.median.toFixed(2)} s | ${r.text.cpu.toFixed(2)} s | ${mb(r.bytes.json)} / ${mb(r.bytes.text)} |`).join('\n')}

Target (issue 23): \`trove lineage --impacted-by\` with 100,000 runs and 1,000,000 lineage rows ≤ 1 s.
`;
writeSection('lineage', md);
console.log(md);
