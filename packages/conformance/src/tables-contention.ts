/**
 * The tables' "nothing lost, nothing stale" check, run on a real store by real processes: N
 * writers (tables-worker.ts) each end M runs, every run committing its rows as it ends, while
 * indexers run `indexTables` in a loop (committing the backlog, runs still open included). Every
 * commit is a create-only log entry retried on conflict, so afterwards, once a final index has
 * run: the runs table holds exactly one row per run (N×M and the seed), each with the state its
 * folder ends in (`completed`, its params, its last metric value), the metrics table exactly the
 * values logged, and no backlog marker is left. A backend whose create-only writes are not atomic
 * under concurrency can lose a commit here (moto's are not: emulators.md).
 *
 * It starts with one seed run ended alone: in a new store a writer creates the tables only when it
 * is alone there (`tablesCanStart`); else `trove index` does.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import {
  loggedValue,
  type TablesFinalReport,
  type TablesRunsReport,
  type TablesWorkerJob,
} from './tables-job.js';
import { runWorkerProcess, type WorkerProcessOptions } from './worker-process.js';

export interface TablesContentionOptions extends WorkerProcessOptions {
  /** Writer processes (default 4). */
  writers?: number;
  /** Runs each writer ends (default 8). */
  each?: number;
  /** Indexer processes running `indexTables` in a loop meanwhile (default 2). */
  indexers?: number;
  /** Metric values a run logs (default 3). */
  steps?: number;
  /** Count each table's commits and retried attempts (reads every commit: a bench's cost). */
  countCommits?: boolean;
}

export interface TablesContentionResult {
  /** Wall time of the contended part (writers and indexers), process start-up included. */
  seconds: number;
  /** Rows of the runs table (the seed run's included). */
  runs: number;
  /** Rows of the metrics table. */
  metricRows: number;
  /** `indexTables` passes the indexers made while the writers ran. */
  indexPasses: number;
  /** Per table: commits and attempts beyond the first (with `countCommits`; else empty). */
  commits: TablesFinalReport['commits'];
}

/**
 * Runs the scenario on the store `cwd`'s project uses (which must hold its tables: one run ended
 * alone first) and asserts that no row was lost, doubled or left stale.
 *
 * @example
 * const r = await expectTablesUnderContention({ cwd, env, resolveFrom: [here] });
 * console.log(`${r.runs} rows in ${r.seconds.toFixed(1)} s`);
 */
export async function expectTablesUnderContention(
  options: TablesContentionOptions,
): Promise<TablesContentionResult> {
  const writers = options.writers ?? 4;
  const each = options.each ?? 8;
  const indexers = options.indexers ?? 2;
  const steps = options.steps ?? 3;
  const base = {
    cwd: options.cwd,
    ...(options.store !== undefined ? { store: options.store } : {}),
    ...(options.resolveFrom ? { resolveFrom: options.resolveFrom } : {}),
  };
  // The seed: one run ended alone, which creates the tables in a new store.
  await runWorker<TablesRunsReport>(options, { ...base, mode: 'runs', writer: writers, each: 1 });
  const before = await runWorker<TablesFinalReport>(options, { ...base, mode: 'final' });
  expect(before.markers).toEqual([]);
  const seeded = new Map(before.runs.map((r) => [r.run_id, r]));
  const seededMetrics = before.metrics.length;

  const dir = mkdtempSync(join(tmpdir(), 'trove-tables-contention-'));
  const stopFile = join(dir, 'stop');
  const t0 = performance.now();
  try {
    const indexing = Promise.all(
      Array.from({ length: indexers }, () =>
        runWorker<{ passes: number }>(options, { ...base, mode: 'index', stopFile }),
      ),
    );
    const writing = Promise.all(
      Array.from({ length: writers }, (_, writer) =>
        runWorker<TablesRunsReport>(options, { ...base, mode: 'runs', writer, each, steps }),
      ),
    );
    // The indexers stop once the writers are done (or failed): nothing is left running, and an
    // indexer that fails meanwhile (an `indexTables` that gave up) fails the scenario.
    const [written, indexed] = await Promise.allSettled([
      writing.finally(() => writeFileSync(stopFile, '')),
      indexing,
    ]);
    if (written.status === 'rejected') throw written.reason;
    if (indexed.status === 'rejected') throw indexed.reason;
    const reports = written.value;
    const passes = indexed.value.reduce((n, r) => n + r.passes, 0);
    const seconds = (performance.now() - t0) / 1000;

    const after = await runWorker<TablesFinalReport>(options, {
      ...base,
      mode: 'final',
      countCommits: options.countCommits ?? false,
    });
    expect(after.markers).toEqual([]);
    const ours = after.runs.filter((r) => !seeded.has(r.run_id));
    expect(after.runs).toHaveLength(seeded.size + writers * each);
    expect(new Set(after.runs.map((r) => r.run_id)).size).toBe(after.runs.length);
    const expectedRows = reports.flatMap((report) =>
      report.runIds.map((id, seq) => ({
        run_id: id,
        name: `w${report.writer}-${seq}`,
        status: 'completed',
        params: { writer: String(report.writer), seq: String(seq) },
        metrics: { loss: loggedValue(report.writer, seq, steps - 1) },
      })),
    );
    const byId = (a: { run_id: string }, b: { run_id: string }) =>
      a.run_id < b.run_id ? -1 : a.run_id > b.run_id ? 1 : 0;
    // Each run's row is its final state: a commit made from an older read never wins.
    expect(ours.sort(byId)).toEqual(expectedRows.sort(byId));

    const names = new Map(expectedRows.map((r) => [r.run_id, r.params]));
    const values = after.metrics
      .filter((m) => names.has(m.run_id))
      .map((m) => `${m.run_id}|${m.name}|${m.step}|${m.value}`)
      .sort();
    const logged = reports
      .flatMap((report) =>
        report.runIds.flatMap((id, seq) =>
          Array.from(
            { length: steps },
            (_, step) => `${id}|loss|${step}|${loggedValue(report.writer, seq, step)}`,
          ),
        ),
      )
      .sort();
    expect(values).toEqual(logged);
    expect(after.metrics).toHaveLength(seededMetrics + writers * each * steps);
    return {
      seconds,
      runs: after.runs.length,
      metricRows: after.metrics.length,
      indexPasses: passes,
      commits: after.commits,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runWorker<T>(options: TablesContentionOptions, job: TablesWorkerJob): Promise<T> {
  return runWorkerProcess<T>(
    'tables-worker',
    options,
    job,
    `tables worker (${job.mode} ${job.writer ?? ''})`,
  );
}
