#!/usr/bin/env node
// bench/search-s3: issue 19's search on an S3 store, 20,000 runs on MinIO.
// (1) generates N runs *directly through core's internals*, not as N real runs (which would
//     take the better part of an hour on this machine): each run's folder gets its run.json and
//     artifacts.json (the records a listing reads: params, final metric values as the summary,
//     2 artifacts), and the runs table gets each run's row made by core's own `runRow`, committed
//     in batches of 5,000 rows, then compacted. No events files and no metrics table: the search
//     reads only `tables/runs`;
// (2) `trove runs search '<filter>' --order-by 'metrics.acc DESC' --limit 20` in a new process
//     with an empty cache (the target: ≤ 2 s), then with a warm one; the result is checked
//     against the same filter applied to the generated runs;
// (3) the listing before the tables (each run's run.json + artifacts.json) on a sample,
//     scaled to N.
// Usage: node bench/search-s3.mjs [--runs 20000] [--sample 500]
// Needs: a build (pnpm build) and minio (see bench/servers.mjs).
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadAverages, machine, median, REPO, TROVE, wall, writeSection } from './lib.mjs';
import { spec } from './run-specs.mjs';
import { createMinioBucket, minioEnv, startMinio } from './servers.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const N = option('--runs', 20_000);
const SAMPLE = Math.min(N, option('--sample', 500));
const BATCH = 5000;
const PARALLEL_PUTS = 32;
const WORK = join(tmpdir(), 'trove-bench-search-s3');
const dist = (path) => import(pathToFileURL(join(REPO, 'packages/core/dist', path)).href);
const core = await dist('index.js');
const { openTroveTable } = await dist('tables/tables.js');
const { runRow } = await dist('tables/rows.js');
const { compactTable } = await dist('tables/commit-runs.js');
const { mapLimit } = await dist('backend/map-limit.js');

rmSync(WORK, { recursive: true, force: true });
const minio = await startMinio(join(WORK, 'minio'));
const env = minioEnv();
Object.assign(process.env, env);
const project = join(WORK, 'project');
mkdirSync(project, { recursive: true });
await createMinioBucket(minio.url, 'trove-search');
writeFileSync(
  join(project, 'trove.yaml'),
  `store: s3\nstores:\n  s3: { type: s3, bucket: trove-search, endpoint: "${minio.url}", prefix: trove }\n`,
);
const store = await core.openStore({ cwd: project, resolveFrom: [join(REPO, 'packages/cli')] });

/** Run `i`'s records, as a run of `spec(i)` would have left them (ids sort by time, as v7's do). */
function records(i) {
  const s = spec(i);
  const start = Date.UTC(2026, 0, 1) + i * 60_000;
  const id = `${start.toString(16).padStart(12, '0')}7${randomBytes(10).toString('hex').slice(0, 19)}`;
  const summary = Object.fromEntries(Object.entries(s.metrics).map(([k, v]) => [k, v.at(-1)]));
  const record = {
    id,
    name: s.name,
    status: 'completed',
    startTime: new Date(start).toISOString(),
    params: s.params,
    summary,
    tags: {},
    host: {
      hostname: hostname(),
      user: userInfo().username,
      platform: process.platform,
      node: process.version,
    },
    root: project,
    endTime: new Date(start + 30_000).toISOString(),
  };
  const artifact = (path, md5, type) => ({
    path,
    name: path.split('/').pop().split('.')[0],
    md5,
    size: 7,
    isdir: false,
    cached: true,
    loggedAt: record.endTime,
    type,
  });
  const artifacts = {
    'outputs/a.bin': artifact('outputs/a.bin', 'a'.repeat(32), 'model'),
    'outputs/b.json': artifact('outputs/b.json', 'b'.repeat(32), 'config'),
  };
  return { record, artifacts };
}

// (1) generate
let t0 = performance.now();
const runs = Array.from({ length: N }, (_, i) => records(i));
await mapLimit(runs, PARALLEL_PUTS, async ({ record, artifacts }) => {
  await store.meta.write(`trove/runs/${record.id}/run.json`, JSON.stringify(record, null, 2));
  await store.meta.write(
    `trove/runs/${record.id}/artifacts.json`,
    JSON.stringify(artifacts, null, 2),
  );
});
const folderSeconds = (performance.now() - t0) / 1000;
t0 = performance.now();
const table = openTroveTable(store, 'runs').delta;
const updated = new Date();
for (let i = 0; i < N; i += BATCH) {
  const rows = runs
    .slice(i, i + BATCH)
    .map(({ record, artifacts }) => runRow({ record, artifacts, lineage: [] }, updated));
  await table.commit(() => ({ add: [rows] }));
}
await compactTable(store, 'runs');
const rowSeconds = (performance.now() - t0) / 1000;
console.log(
  `generated ${N} run folders in ${folderSeconds.toFixed(1)} s, rows in ${rowSeconds.toFixed(1)} s`,
);

// (2) search in a new process
const FILTER = 'metrics.acc > 0.9 and params.lr < 0.01';
const cmd = `node ${TROVE} runs search "${FILTER}" --order-by "metrics.acc DESC" --limit 20 --json`;
const expected = runs
  .map(({ record }) => record)
  .filter((r) => r.summary.acc > 0.9 && r.params.lr < 0.01)
  .sort((a, b) => b.summary.acc - a.summary.acc || (a.id < b.id ? 1 : -1))
  .slice(0, 20);
const cold = [];
const warm = [];
let found;
for (let round = 0; round < 3; round++) {
  const cache = join(WORK, `cache-${round}`);
  const run = (into) => {
    const r = wall(cmd, { cwd: project, env: { ...env, TROVE_CACHE_DIR: cache } });
    into.push(r.seconds);
    return r;
  };
  const r = run(cold);
  run(warm);
  found = JSON.parse(r.stdout);
}
const names = (found.runs ?? found).map((r) => r.name);
const ok = JSON.stringify(names) === JSON.stringify(expected.map((r) => r.name));
if (!ok)
  throw new Error(
    `search returned ${names.join(',')}; expected ${expected.map((r) => r.name).join(',')}`,
  );

// (3) the listing before the tables, on a sample
t0 = performance.now();
for (const { record } of runs.slice(0, SAMPLE)) {
  await store.readRun(record.id);
  await store.readArtifacts(record.id);
}
const perRun = (performance.now() - t0) / 1000 / SAMPLE;
await store.close();
minio.stop();

const md = `## search (S3 on MinIO) — \`node bench/search-s3.mjs --runs ${N}\`

${machine()}. Load average at the end: ${loadAverages()}. ${N} runs generated **directly through core's internals**, not as real runs: each
run's \`run.json\` and \`artifacts.json\` written to the bucket (${folderSeconds.toFixed(1)} s, 32 at a
time), and its \`tables/runs\` row made by core's own \`runRow\` and committed in batches of
${BATCH} rows, then compacted (${rowSeconds.toFixed(1)} s). No events files and no metrics table (the
search reads only \`tables/runs\`). The search's 20 runs were checked against the same filter and
order applied to the generated runs.

| what | seconds (median of 3) |
|---|---|
| \`trove runs search '${FILTER}' --order-by 'metrics.acc DESC' --limit 20\`, new process, empty cache | ${median(cold).toFixed(3)} |
| the same, new process, warm cache | ${median(warm).toFixed(3)} |
| the listing before the tables (run.json + artifacts.json of each run), ${SAMPLE} runs measured | ${(perRun * 1000).toFixed(1)} ms a run → ${(perRun * N).toFixed(0)} s for ${N} |
`;
writeSection('search-s3', md);
console.log(md);
