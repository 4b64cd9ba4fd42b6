#!/usr/bin/env node
// bench/search-scale: search over a big runs table. The rows are written straight into
// `tables/runs` (as the issue allows for 1,000,000 rows): 10 params and 10 latest metrics a run,
// the same generator as bench/search.mjs, no run folders. Then `trove runs search` in a new
// process (empty cache, then warm) and `searchRuns()` repeated in one process.
// The artifacts and lineage tables get two artifacts and one lineage row a run the same way, and
// one real run logged last: `trove lineage weights` and `resolveArtifactRef('weights')` are timed.
// Usage: node bench/search-scale.mjs [--rows 100000] [--rows 1000000]
// Needs: a build (pnpm build). Writes its section of bench/RESULTS.md.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
import { random } from './run-specs.mjs';

const args = process.argv.slice(2);
const sizes = args.flatMap((a, i) => (a === '--rows' ? [Number(args[i + 1])] : []));
const SIZES = sizes.length > 0 ? sizes : [100_000, 1_000_000];
const WORK = join(tmpdir(), 'trove-bench-search-scale');
const dist = (p) => import(pathToFileURL(join(REPO, 'packages/core/dist', p)).href);
const core = await dist('index.js');
const { openTroveTable } = await dist('tables/tables.js');
const FILE_ROWS = 100_000;
const OPTIMIZERS = ['adam', 'sgd', 'adamw', 'rmsprop'];

function row(i, now) {
  const r = random(i + 1);
  const params = {
    lr: String(Number((10 ** (-4 + 3 * r())).toPrecision(3))),
    optimizer: OPTIMIZERS[i % 4],
  };
  for (let p = 0; p < 8; p++) params[`p${p}`] = String(Math.floor(r() * 100));
  const metrics = { acc: Number((0.5 + 0.5 * r()).toFixed(5)) };
  for (let m = 1; m < 10; m++) metrics[`m${m}`] = r();
  const start = new Date(now - (SIZES.at(-1) - i) * 1000);
  return {
    run_id: (BigInt(start.getTime()) * 2n ** 80n + BigInt(i)).toString(16).padStart(32, '0'),
    name: `run-${i}`,
    experiment: null,
    status: 'completed',
    start_time: start,
    end_time: new Date(start.getTime() + 500),
    user: 'bench',
    host: 'bench',
    git_commit: null,
    git_branch: null,
    tags: { team: i % 2 ? 'cv' : 'nlp' },
    params,
    metrics,
    artifact_count: 2,
    updated_time: start,
  };
}

const FILTER = 'metrics.acc > 0.9 and params.lr < 0.01';
const results = [];
for (const n of SIZES) {
  const project = join(WORK, `p${n}`);
  rmSync(project, { recursive: true, force: true });
  mkdirSync(join(project, '.trove'), { recursive: true });
  process.env.TROVE_CACHE_DIR = join(project, 'cache');
  const store = await core.openStore({ cwd: project });
  const table = openTroveTable(store, 'runs').delta;
  let t0 = performance.now();
  const now = Date.now();
  for (let from = 0; from < n; from += FILE_ROWS) {
    const rows = [];
    for (let i = from; i < Math.min(n, from + FILE_ROWS); i++) rows.push(row(i, now));
    await table.commit(() => ({ add: [rows] }));
  }
  // Two artifacts and one lineage row a run, named as a real store's would be, in the same batches.
  const artifacts = openTroveTable(store, 'artifacts').delta;
  const lineage = openTroveTable(store, 'lineage').delta;
  for (let from = 0; from < n; from += FILE_ROWS) {
    const arts = [];
    const lines = [];
    for (let i = from; i < Math.min(n, from + FILE_ROWS); i++) {
      const { run_id, start_time } = row(i, now);
      const md5 = (i * 2654435761).toString(16).padStart(32, '0').slice(-32);
      for (const [path, name, type] of [
        ['outputs/model.pt', 'weights', 'model'],
        ['outputs/config.json', 'config', 'config'],
      ]) {
        arts.push({
          run_id,
          path,
          name,
          type,
          md5,
          size: 1024,
          nfiles: null,
          step: null,
          labels: [],
          meta: null,
          logged_at: start_time,
        });
      }
      lines.push({
        run_id,
        direction: 'output',
        name: 'weights',
        kind: 'model',
        path: 'outputs/model.pt',
        md5,
        timestamp: start_time,
      });
    }
    await artifacts.commit(() => ({ add: [arts] }));
    await lineage.commit(() => ({ add: [lines] }));
  }
  const writeSeconds = (performance.now() - t0) / 1000;
  // One real run, the newest: `weights` names its file, which name resolution must find among
  // n older artifacts of that name, and whose lineage row the lineage table must give.
  writeFileSync(join(project, 'model.pt'), `weights of the newest run, ${n}`);
  const newest = await core.startRun({ store, cwd: project, name: 'newest' });
  await newest.logArtifact('model.pt', { name: 'weights', type: 'model' });
  await newest.end();
  const lineageCli = `node ${TROVE} lineage weights --json`;
  const lineageRuns = JSON.parse(
    wall(lineageCli, { cwd: project, env: { TROVE_CACHE_DIR: process.env.TROVE_CACHE_DIR } })
      .stdout ?? '[]',
  );
  const lineageTimes = [0, 1, 2].map(
    () =>
      wall(lineageCli, { cwd: project, env: { TROVE_CACHE_DIR: process.env.TROVE_CACHE_DIR } })
        .seconds,
  );
  const useTimes = [];
  for (let round = 0; round < 4; round++) {
    t0 = performance.now();
    const found = await core.resolveArtifactRef(store, 'weights');
    if (found.runId !== newest.id)
      throw new Error(`weights resolved to ${found.runId}, not ${newest.id}`);
    useTimes.push((performance.now() - t0) / 1000);
  }
  const cli = `node ${TROVE} runs search "${FILTER}" --order-by "metrics.acc DESC" --limit 20 --json`;
  const timings = await searchTimings({
    core,
    store,
    cliCommand: cli,
    cwd: project,
    filter: FILTER,
  });
  results.push({
    n,
    writeSeconds,
    ...timings,
    lineage: median(lineageTimes),
    lineageRows: Array.isArray(lineageRuns) ? lineageRuns.length : 0,
    resolveFirst: useTimes[0],
    resolveRepeated: median(useTimes.slice(1)),
  });
  console.log(results.at(-1));
}

const md = `## search-scale (local store) — \`node bench/search-scale.mjs\`

${machine()}. Load average at the end: ${loadAverages()}. Rows written straight into \`tables/runs\` (${FILE_ROWS.toLocaleString('en')} a data file; no run folders, no backlog), 10 params and 10 metrics a run. Filter \`${FILTER}\`, \`--order-by 'metrics.acc DESC' --limit 20\`. Medians of 3 (CLI) and 5 (repeated).

| rows | written in s | CLI, new process, empty cache | CLI, warm cache | \`searchRuns()\` repeated in one process | found |
|---|---|---|---|---|---|
${results.map((r) => `| ${r.n.toLocaleString('en')} | ${r.writeSeconds.toFixed(1)} | ${r.cold.toFixed(3)} s | ${r.warm.toFixed(3)} s | ${r.repeated.toFixed(3)} s | ${r.found} |`).join('\n')}

Name resolution and lineage with the same number of runs in the tables (each with an artifact named \`weights\` and its lineage row, plus one real run logged last, whose \`weights\` must be found):

| runs | \`trove lineage weights\`, new process | rows it gave | \`resolveArtifactRef('weights')\` (what \`useArtifact\` and \`trove get\` use), first in a process | repeated |
|---|---|---|---|---|
${results.map((r) => `| ${r.n.toLocaleString('en')} | ${r.lineage.toFixed(3)} s | ${r.lineageRows} | ${r.resolveFirst.toFixed(3)} s | ${r.resolveRepeated.toFixed(3)} s |`).join('\n')}

Targets (issue 19): 100,000 runs, CLI ≤ 1 s and repeated ≤ 0.3 s; 1,000,000 rows, repeated ≤ 1 s; \`useArtifact('name')\` and \`trove lineage name\` with 100,000 runs ≤ 1 s.
`;
writeSection('search-scale', md);
console.log(md);
