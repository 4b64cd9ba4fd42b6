#!/usr/bin/env node
// bench/spark-read: pyspark with delta-spark reads `tables/runs` of a trove store straight from
// its folder, with no trove: N runs logged through the core API on a local store (each
// committing its rows as it ends, so the log has N versions and Parquet checkpoints), then Spark
// counts the rows and runs the search query (`metrics['acc'] > 0.9 AND params['lr'] < 0.01`,
// by acc descending, 20 rows); both must equal trove's (`searchRuns` with the same filter).
// Not in the test line: Spark needs a JVM and 400 MB of jars.
// Usage: node bench/spark-read.mjs [--runs 300]
// Needs: a build (pnpm build), Java 17, pyspark==4.0.1 in ~/.cache/trove-test/spark-venv
// (python3 -m venv …; pip install pyspark==4.0.1), and in ~/.m2 the jars of
// `mvn dependency:get -Dartifact=io.delta:delta-spark_2.13:4.0.0` and
// `-Dartifact=io.delta:delta-storage:4.0.0` (toolchain.md).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadAverages, machine, REPO, writeSection } from './lib.mjs';
import { spec } from './run-specs.mjs';

const args = process.argv.slice(2);
const at = args.indexOf('--runs');
const N = Number(at >= 0 ? args[at + 1] : 300) || 300;
const WORK = join(tmpdir(), 'trove-bench-spark-read');
const PYTHON = join(homedir(), '.cache/trove-test/spark-venv/bin/python');
const M2 = join(homedir(), '.m2/repository/io/delta');
const JARS = [
  join(M2, 'delta-spark_2.13/4.0.0/delta-spark_2.13-4.0.0.jar'),
  join(M2, 'delta-storage/4.0.0/delta-storage-4.0.0.jar'),
];
for (const need of [PYTHON, ...JARS]) {
  if (!existsSync(need)) throw new Error(`${need} is missing: see the Needs line of this script`);
}
const core = await import(pathToFileURL(join(REPO, 'packages/core/dist/index.js')).href);

rmSync(WORK, { recursive: true, force: true });
const project = join(WORK, 'project');
mkdirSync(join(project, '.trove'), { recursive: true });
process.env.TROVE_CACHE_DIR = join(WORK, 'cache');
const store = await core.openStore({ cwd: project });
let t0 = performance.now();
async function logRun(i) {
  const s = spec(i);
  const run = await core.startRun({ store, cwd: project, name: s.name, params: s.params });
  // The final value of each series (the runs table keeps the latest).
  for (const [name, values] of Object.entries(s.metrics)) run.logMetric(name, values.at(-1));
  await run.end();
}
// The first run alone: in a new store a writer creates the tables only when no other run is
// there (commit-runs.ts, tablesCanStart); four first runs at once would leave it to `trove index`.
await logRun(0);
let next = 1;
async function worker() {
  while (next < N) await logRun(next++);
}
await Promise.all(Array.from({ length: 4 }, worker));
const genSeconds = (performance.now() - t0) / 1000;
const FILTER = 'metrics.acc > 0.9 and params.lr < 0.01';
const ours = await core.searchRuns(store, {
  filter: FILTER,
  orderBy: ['metrics.acc DESC'],
  limit: 20,
});
const all = await core.searchRuns(store, {});
await store.close();

t0 = performance.now();
const r = spawnSync(
  PYTHON,
  [join(REPO, 'bench/spark_read.py'), join(project, '.trove/tables/runs'), JARS.join(',')],
  {
    encoding: 'utf8',
    env: { ...process.env, PYSPARK_PYTHON: PYTHON },
    maxBuffer: 1 << 26,
  },
);
const wallSeconds = (performance.now() - t0) / 1000;
if (r.status !== 0) throw new Error(`spark_read.py failed: ${r.stderr.slice(-3000)}`);
const spark = JSON.parse(r.stdout.trim().split('\n').pop());
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
// trove orders ties newest first too (run ids sort by time).
const want = ours.map((row) => [row.run_id, row.name, row.metrics.acc]);
const countOk = spark.count === all.length && spark.count === N;
const topOk = same(spark.top, want);
if (!countOk || !topOk) {
  throw new Error(
    `Spark disagrees with trove: count ${spark.count} vs ${all.length}; top ${JSON.stringify(spark.top.slice(0, 3))}… vs ${JSON.stringify(want.slice(0, 3))}…`,
  );
}

const md = `## Spark reads trove's runs table (bench/spark-read.mjs)

${machine()}. Load average at the end: ${loadAverages()}. ${N} runs logged through the core API on a local store (4 at a time, each
committing its rows as it ends: ${genSeconds.toFixed(1)} s), then pyspark ${spark.spark} with
delta-spark 4.0.0 (jars from \`~/.m2\`, Java 17, \`local[2]\`) read \`.trove/tables/runs\` with no trove:

| what | Spark | trove |
|---|---|---|
| rows in \`tables/runs\` | ${spark.count} | ${all.length} (\`searchRuns\`) |
| \`metrics['acc'] > 0.9 AND params['lr'] < 0.01\` by acc descending, 20 rows | ${spark.top.length} rows, first ${spark.top[0]?.[1]} (${spark.top[0]?.[2]}) | the same ${want.length} runs in the same order |
| table versions (\`DESCRIBE HISTORY\`) | ${spark.versions} | |
| seconds | session start ${spark.start_seconds.toFixed(1)}, the three queries ${spark.query_seconds.toFixed(1)} (process ${wallSeconds.toFixed(1)}) | |
`;
writeSection('spark-read', md);
console.log(md);
