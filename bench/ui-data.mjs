#!/usr/bin/env node
// bench/ui-data: writes the store `trove ui` is measured on (issue 20): `runs` real runs (run
// folders, params, each metric's last value logged through the run) with `metrics` metrics of
// `steps` steps each, the values written straight into `tables/metrics` (one data file a run, as
// a run's end commits them), and the runs table filled up to `tableRuns` rows as
// bench/search-scale does (rows without folders). bench/ui-server.mjs (the server's timings) and
// bench/ui.mjs (the browser's) both use it.
// Usage: node bench/ui-data.mjs <dir> [--runs 100] [--metrics 10] [--steps 100000] [--table-runs 100000]
// Needs: a build (pnpm build).
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO } from './lib.mjs';
import { random } from './run-specs.mjs';

const dist = (p) => import(pathToFileURL(join(REPO, 'packages/core/dist', p)).href);

/** A metric's value at a step: a noisy decaying curve, different for each run and metric. */
function curve(run, metric, steps) {
  const r = random(run * 1000 + metric + 1);
  const scale = 1 + r() * 4;
  const rate = 3 + r() * 5;
  const y = new Float64Array(steps);
  for (let s = 0; s < steps; s++) y[s] = scale * Math.exp((-rate * s) / steps) + 0.05 * (r() - 0.5);
  return y;
}

/**
 * Writes the store into `<dir>/.trove` (removing what `dir` held) and returns what was written.
 * `TROVE_CACHE_DIR` is set to `<dir>/cache` unless it is set already.
 */
export async function writeUiStore(
  dir,
  { runs = 100, metrics = 10, steps = 100_000, tableRuns = 100_000, log = () => {} } = {},
) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, '.trove'), { recursive: true });
  process.env.TROVE_CACHE_DIR ??= join(dir, 'cache');
  const core = await dist('index.js');
  const { openTroveTable } = await dist('tables/tables.js');
  const store = await core.openStore({ cwd: dir });
  const names = Array.from({ length: metrics }, (_, m) => (m === 0 ? 'loss' : `m${m}`));
  const runIds = [];
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) {
    const r = random(i + 1);
    const run = await core.startRun({
      store,
      cwd: dir,
      name: `run-${i}`,
      params: { lr: Number((10 ** (-4 + 3 * r())).toPrecision(3)), depth: 2 + (i % 6), seed: i },
      tags: { team: i % 2 ? 'cv' : 'nlp' },
    });
    // the last value of each metric through the run: its summary, and one row in the table
    for (const [m, name] of names.entries()) {
      run.logMetric(name, curve(i, m, steps)[steps - 1], { step: steps - 1 });
    }
    await run.end();
    runIds.push(run.id);
  }
  log(`${runs} runs logged in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // Every other step straight into the metrics table, a data file a run.
  const table = openTroveTable(store, 'metrics').delta;
  const t1 = performance.now();
  const start = Date.parse('2026-01-01T00:00:00Z');
  for (const [i, runId] of runIds.entries()) {
    const rows = [];
    for (const [m, name] of names.entries()) {
      const y = curve(i, m, steps);
      for (let s = 0; s < steps - 1; s++) {
        rows.push({
          run_id: runId,
          name,
          step: s,
          timestamp: new Date(start + s * 100),
          value: y[s],
        });
      }
    }
    await table.commit(() => ({ add: [rows] }));
    if ((i + 1) % 10 === 0) log(`metrics of ${i + 1} runs written`);
  }
  log(`metrics written in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  // The runs table up to tableRuns rows (runs without folders, older than the real ones).
  const runsTable = openTroveTable(store, 'runs').delta;
  const extra = Math.max(0, tableRuns - runs);
  const now = Date.now();
  for (let from = 0; from < extra; from += 100_000) {
    const rows = [];
    for (let i = from; i < Math.min(extra, from + 100_000); i++) {
      const r = random(1_000_000 + i);
      const started = new Date(now - 86_400_000 - (extra - i) * 1000);
      rows.push({
        run_id: (BigInt(started.getTime()) * 2n ** 80n + BigInt(i)).toString(16).padStart(32, '0'),
        name: `table-run-${i}`,
        experiment: null,
        status: 'completed',
        start_time: started,
        end_time: new Date(started.getTime() + 500),
        user: 'bench',
        host: 'bench',
        git_commit: null,
        git_branch: null,
        tags: { team: i % 2 ? 'cv' : 'nlp' },
        params: {
          lr: String(Number((10 ** (-4 + 3 * r())).toPrecision(3))),
          depth: String(2 + (i % 6)),
        },
        metrics: Object.fromEntries(names.map((n) => [n, r()])),
        artifact_count: 0,
        updated_time: started,
      });
    }
    await runsTable.commit(() => ({ add: [rows] }));
  }
  await store.close();
  return { dir, runIds, metricNames: names, steps, tableRuns: Math.max(tableRuns, runs) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const opt = (name, fallback) => {
    const at = args.indexOf(`--${name}`);
    return at >= 0 ? Number(args[at + 1]) : fallback;
  };
  const dir = args[0];
  if (!dir || dir.startsWith('--')) {
    console.error(
      'usage: node bench/ui-data.mjs <dir> [--runs N] [--metrics N] [--steps N] [--table-runs N]',
    );
    process.exit(2);
  }
  const out = await writeUiStore(dir, {
    runs: opt('runs', 100),
    metrics: opt('metrics', 10),
    steps: opt('steps', 100_000),
    tableRuns: opt('table-runs', 100_000),
    log: (line) => console.error(line),
  });
  console.log(JSON.stringify({ ...out, runIds: out.runIds.length }));
}
