#!/usr/bin/env node
// bench/tables-contention: issue 19's "16 processes ending 100 runs each while 2 `trove index`
// run" on every store: the local store, MinIO (S3: moto's create-only writes are not atomic
// under concurrency, so S3 is measured here), fake-gcs-server and Azurite. The scenario is
// `expectTablesUnderContention` from @trove/conformance (the one the tests run at 4 × 8): a seed
// run first (it creates the tables), then writer processes end their runs (each commits its
// rows as it ends) while indexer processes run `indexTables` in a loop; afterwards a final index,
// and the runs table must hold exactly one row per run with its final state, the metrics table
// every value logged, no backlog marker left. Reports rows, seconds, commits and retried attempts.
// Usage: node bench/tables-contention.mjs [--writers 16] [--each 100] [--indexers 2]
//        [--only local,minio,gcs,azure]
// Needs: a build (pnpm build), minio (see bench/servers.mjs) and fake-gcs-server.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { machine, REPO, writeSection } from './lib.mjs';
import {
  createAzuriteContainer,
  createFakeGcsBucket,
  createMinioBucket,
  minioEnv,
  startAzurite,
  startFakeGcs,
  startMinio,
} from './servers.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const WRITERS = Number(option('--writers', 16));
const EACH = Number(option('--each', 100));
const INDEXERS = Number(option('--indexers', 2));
const ONLY = option('--only', 'local,minio,gcs,azure').split(',');
const WORK = join(tmpdir(), 'trove-bench-tables-contention');
const CLI = join(REPO, 'packages/cli');
const { expectTablesUnderContention } = await import(
  createRequire(join(CLI, 'package.json')).resolve('@trove/conformance')
);

/** The project folder of store `name` (its own folder: stores can be run by separate benches). */
function project(name, trove) {
  const cwd = join(WORK, name, 'project');
  mkdirSync(join(cwd, '.trove'), { recursive: true });
  if (trove) writeFileSync(join(cwd, 'trove.yaml'), trove);
  return cwd;
}

const stores = {
  local: async () => ({ cwd: project('local'), env: {}, stop() {} }),
  minio: async () => {
    const server = await startMinio(join(WORK, 'minio'));
    await createMinioBucket(server.url, 'trove-tables');
    const trove = `store: s3\nstores:\n  s3: { type: s3, bucket: trove-tables, endpoint: "${server.url}", prefix: trove }\n`;
    return { cwd: project('minio', trove), env: minioEnv(), stop: server.stop };
  },
  gcs: async () => {
    const server = await startFakeGcs(join(WORK, 'gcs'));
    await createFakeGcsBucket(server.url, 'trove-tables');
    const trove = `store: gcs\nstores:\n  gcs: { type: gcs, bucket: trove-tables, apiEndpoint: "${server.url}", projectId: bench, prefix: trove }\n`;
    // STORAGE_EMULATOR_HOST would override apiEndpoint in the SDK.
    return {
      cwd: project('gcs', trove),
      env: { STORAGE_EMULATOR_HOST: '' },
      stop: server.stop,
    };
  },
  azure: async () => {
    const server = await startAzurite(join(WORK, 'azure'));
    await createAzuriteContainer(server.connectionString, 'trove-tables');
    const trove = `store: azure\nstores:\n  azure: { type: azure, container: trove-tables, prefix: trove }\n`;
    return {
      cwd: project('azure', trove),
      env: { AZURE_STORAGE_CONNECTION_STRING: server.connectionString },
      stop: server.stop,
    };
  },
};
const LABELS = {
  local: 'local store',
  minio: 'S3 (MinIO)',
  gcs: 'GCS (fake-gcs-server, on disk)',
  azure: 'Azure (Azurite, in memory)',
};

const rows = [];
for (const name of ONLY) {
  rmSync(join(WORK, name), { recursive: true, force: true });
  const target = await stores[name]();
  const load0 = loadavg()[0];
  let line;
  try {
    const r = await expectTablesUnderContention({
      cwd: target.cwd,
      resolveFrom: [CLI],
      env: target.env,
      writers: WRITERS,
      each: EACH,
      indexers: INDEXERS,
      countCommits: true,
    });
    const commits = Object.values(r.commits).reduce((n, c) => n + c.commits, 0);
    const retried = Object.values(r.commits).reduce((n, c) => n + c.retried, 0);
    line = `| ${LABELS[name]} | ${r.runs} (${WRITERS} × ${EACH} + seed) | ${r.metricRows} | ${r.seconds.toFixed(1)} | ${((r.seconds / (WRITERS * EACH)) * 1000) | 0} ms | ${r.indexPasses} | ${commits} (runs ${r.commits.runs.commits}) | ${retried} | pass | ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)} |`;
  } catch (err) {
    line = `| ${LABELS[name]} | — | — | — | — | — | — | — | **fail**: ${String(err.message).split('\n').slice(0, 3).join(' ').slice(0, 300)} | ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)} |`;
  } finally {
    target.stop();
  }
  console.log(line);
  rows.push(line);
}

// Rows of stores not run this time stay (each store can be run on its own with --only).
const RESULTS = join(REPO, 'bench/RESULTS.md');
const previous = existsSync(RESULTS)
  ? (/<!-- tables-contention:start -->([\s\S]*?)<!-- tables-contention:end -->/.exec(
      readFileSync(RESULTS, 'utf8'),
    )?.[1] ?? '')
  : '';
const ran = ONLY.map((name) => `| ${LABELS[name]} |`);
const kept = previous
  .split('\n')
  .filter((l) => Object.values(LABELS).some((label) => l.startsWith(`| ${label} |`)))
  .filter((l) => !ran.some((r) => l.startsWith(r)));
rows.unshift(...kept);

writeSection(
  'tables-contention',
  `## Tables under contention: many writer processes while ${INDEXERS} indexers run (bench/tables-contention.mjs)

${machine()}. \`--writers 16 --each 100\` is issue 19's size; the *runs rows* column says the size each
store was run at. Each writer process ends its runs one after another (2 params, 3 metric values, each
run committing its rows into the 4 tables as it ends); ${INDEXERS} processes run \`indexTables\` (what
\`trove index\` runs) in a loop meanwhile; then a final index. Checked (the run fails otherwise):
exactly one row per run in \`tables/runs\` with its final state (status, params, last metric), every
metric value in \`tables/metrics\`, no backlog marker left. *Seconds*: the writers' wall time,
process start-up included. *Commits*: Delta commits in the four tables' logs; *retried*:
attempts beyond the first (a version lost to another writer, the commit made again on the newer
snapshot). Load average: 1-minute, before → after (the machine is shared).

| store | runs rows | metrics rows | seconds | per run | index passes | commits | retried | check | load |
|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}
`,
);
