/**
 * The metrics table's layout for charts: each data file sorted by run, metric and step, cut into
 * row groups of 16,384 rows with min/max statistics, and its curve summary written with it at
 * commit into `tables/metrics/_summaries/` (named in the file's `add.tags`), which whole curves
 * are drawn from on a cold cache with no data file fetched. Files written before (no summary)
 * fall back to a summary made in the cache; vacuum removes a summary with its data file.
 */
import { existsSync, readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { DeltaTable, defineSchema, type Row } from '@trove/delta';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { joinKey } from '../src/backend/keys.js';
import type { Store } from '../src/record/store.js';
import { startRun } from '../src/run/start-run.js';
import { TABLE_COLUMNS } from '../src/tables/columns.js';
import { compactTable } from '../src/tables/commit-runs.js';
import { Session } from '../src/tables/engine.js';
import { indexStore } from '../src/tables/index-store.js';
import { metricSeries, prepareMetricSeries } from '../src/tables/metric-series.js';
import { openTroveTable } from '../src/tables/tables.js';
import { localProject, tempDir } from './helpers.js';

beforeEach(() => {
  process.env.TROVE_CACHE_DIR = join(tempDir(), 'cache');
});

const cached = () => {
  const dir = join(process.env.TROVE_CACHE_DIR as string, 'tables');
  return existsSync(dir) ? readdirSync(dir).sort() : [];
};

/** Every store key under the metrics table, relative to it. */
async function tableKeys(store: Store): Promise<string[]> {
  const root = `${joinKey(store.metaPrefix, 'tables', 'metrics')}/`;
  const out: string[] = [];
  for await (const e of store.meta.list(root)) out.push(e.key.slice(root.length));
  return out.sort();
}

/** The local folder of the metrics table (the store is `<cwd>/.trove`). */
function tableDir(cwd: string): string {
  return join(cwd, '.trove', 'tables', 'metrics');
}

/** One run with metrics `a` (steps 0..n-1, value step % 10) and `b` (value -step). */
async function runWithMetrics(n: number) {
  const { cwd, store } = await localProject();
  const run = await startRun({ store, cwd, name: 'r' });
  // logged b before a and steps backwards: the file is sorted whatever the log's order
  for (let s = n - 1; s >= 0; s--) run.logMetric('b', -s, { step: s });
  for (let s = 0; s < n; s++) run.logMetric('a', s % 10, { step: s });
  await run.end();
  return { cwd, store, runId: run.id };
}

describe('metrics data files', () => {
  it('are sorted by run, metric and step in row groups of 16,384 with min/max statistics', async () => {
    const { cwd, store, runId } = await runWithMetrics(20_000);
    const snapshot = await openTroveTable(store, 'metrics').delta.snapshot();
    expect(snapshot.files).toHaveLength(1);
    const file = snapshot.files[0];
    const path = join(tableDir(cwd), file?.path ?? '');
    const session = await Session.open();
    try {
      const groups = await session.rows(
        `SELECT row_group_id AS g, row_group_num_rows AS rows, path_in_schema AS col,
           stats_min_value AS lo, stats_max_value AS hi
         FROM parquet_metadata('${path}') WHERE path_in_schema IN ('run_id', 'name', 'step')
         ORDER BY row_group_id, path_in_schema`,
      );
      const by = (g: number, col: string) =>
        groups.find((r) => Number(r.g) === g && r.col === col) as Record<string, unknown>;
      // 40,000 rows: 16,384 + 16,384 + 7,232
      expect([0, 1, 2].map((g) => Number(by(g, 'step').rows))).toEqual([16_384, 16_384, 7_232]);
      expect(groups).toHaveLength(9);
      // a first, then b; steps ascending within each: each group's statistics are narrow
      expect([by(0, 'name').lo, by(0, 'name').hi, by(0, 'step').lo, by(0, 'step').hi]).toEqual([
        'a',
        'a',
        '0',
        '16383',
      ]);
      expect([by(1, 'name').lo, by(1, 'name').hi, by(1, 'step').lo, by(1, 'step').hi]).toEqual([
        'a',
        'b',
        '0',
        '19999',
      ]);
      expect([by(2, 'name').lo, by(2, 'step').lo, by(2, 'step').hi]).toEqual([
        'b',
        '12768',
        '19999',
      ]);
      // run ids are kept whole in the statistics (not cut to 16 bytes)
      expect(by(0, 'run_id').lo).toBe(runId);
      expect(by(0, 'run_id').hi).toBe(runId);
      // a zoom on b's steps 15,000–15,099 skips group 0 (a only); group 1 holds the end of a
      // and the start of b, so its step range is the union and min/max cannot exclude it
      const meets = [0, 1, 2].filter(
        (g) =>
          String(by(g, 'name').lo) <= 'b' &&
          String(by(g, 'name').hi) >= 'b' &&
          Number(by(g, 'step').lo) <= 15_099 &&
          Number(by(g, 'step').hi) >= 15_000,
      );
      expect(meets).toEqual([1, 2]);
    } finally {
      session.close();
    }
  });

  it('each has its summary written at commit under _summaries/, named in add.tags', async () => {
    const { cwd, store, runId } = await runWithMetrics(5_000);
    const [file] = (await openTroveTable(store, 'metrics').delta.snapshot()).files;
    expect(file?.tags?.summary).toBe(`_summaries/${file?.path}`);
    expect(await tableKeys(store)).toContain(`_summaries/${file?.path}`);
    const local = join(tableDir(cwd), `_summaries/${file?.path}`);
    const session = await Session.open();
    try {
      const rows = await session.rows(
        `SELECT axis, name, count(*) AS buckets, sum(n) AS n, min(y_lo) AS lo, max(y_hi) AS hi,
           min(x_lo) AS x0, max(x_hi) AS x1, min(run_id) AS run
         FROM read_parquet('${local}') GROUP BY axis, name ORDER BY axis, name`,
      );
      expect(
        rows.map((r) => [r.axis, r.name, Number(r.buckets), Number(r.n), r.lo, r.hi, r.run]),
      ).toEqual([
        ['step', 'a', 2048, 5000, 0, 9, runId],
        ['step', 'b', 2048, 5000, -4999, 0, runId],
        ['time', 'a', expect.any(Number), 5000, 0, 9, runId],
        ['time', 'b', expect.any(Number), 5000, -4999, 0, runId],
      ]);
      expect([rows[0]?.x0, rows[0]?.x1]).toEqual([0, 4999]);
    } finally {
      session.close();
    }
  });

  it('whole curves on a cold cache read only the summaries: no data file is fetched', async () => {
    const { store, runId } = await runWithMetrics(5_000);
    const fetched: string[] = [];
    const materialize = store.meta.materialize?.bind(store.meta);
    const read = store.meta.read.bind(store.meta);
    const spies = [
      vi.spyOn(store.meta, 'read').mockImplementation((key, o) => {
        fetched.push(key);
        return read(key, o);
      }),
      ...(materialize
        ? [
            vi.spyOn(store.meta, 'materialize').mockImplementation((key, dest, o) => {
              fetched.push(key);
              return materialize(key, dest, o);
            }),
          ]
        : []),
    ];
    try {
      const series = await metricSeries(store, { runs: [runId], names: ['a', 'b'], width: 10 });
      expect(series.map((s) => [s.name, s.total, s.x.length])).toEqual([
        ['a', 5000, 20],
        ['b', 5000, 20],
      ]);
      expect(Math.min(...(series[1]?.y ?? []))).toBe(-4999);
      const parquet = fetched.filter((k) => k.endsWith('.parquet') && !k.includes('_delta_log'));
      expect(parquet).toHaveLength(1);
      expect(parquet[0]).toMatch(/tables\/metrics\/_summaries\/part-.*\.parquet$/);
      expect(cached()).toEqual([
        parquet[0]?.replace(/^(.*\/)?tables\/metrics\//, '').replace('/', '__'),
      ]);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  it('written before (no summary) fall back to a summary made in the cache', async () => {
    const { store } = await localProject();
    // an older writer: the table with no layout
    const old = new DeltaTable(store.meta, `${joinKey(store.metaPrefix, 'tables', 'metrics')}/`, {
      schema: defineSchema(TABLE_COLUMNS.metrics),
    });
    const rows: Row[] = Array.from({ length: 3000 }, (_, s) => ({
      run_id: 'run-old',
      name: 'y',
      step: s,
      timestamp: new Date(Date.UTC(2026, 0, 1) + s * 1000),
      value: s === 1500 ? -50 : s % 5,
    }));
    await old.commit(() => ({ add: [rows] }));
    expect((await old.snapshot()).files[0]?.tags ?? undefined).toBeUndefined();
    await prepareMetricSeries(store, { signal: AbortSignal.abort() });
    expect(cached().filter((f) => f.endsWith('-summary-1.parquet'))).toEqual([]);
    await prepareMetricSeries(store, { x: 'time' });
    expect(
      cached()
        .filter((f) => f.endsWith('-summary-1.parquet'))
        .map((f) => f.replace(/^.*\.parquet\./, '')),
    ).toEqual(['time-summary-1.parquet']);
    const [series] = await metricSeries(store, { runs: ['run-old'], names: ['y'], width: 10 });
    expect(series?.total).toBe(3000);
    expect(Math.min(...(series?.y ?? []))).toBe(-50);
    expect(cached().filter((f) => f.endsWith('.step-summary-1.parquet'))).toHaveLength(1);
  });

  it('optimize and index --rebuild write summaries for their files; vacuum removes old ones', async () => {
    const { cwd, store } = await localProject();
    for (let r = 0; r < 3; r++) {
      const run = await startRun({ store, cwd, name: `r${r}` });
      for (let s = 0; s < 50; s++) run.logMetric('y', r * 100 + s, { step: s });
      await run.end();
    }
    const table = openTroveTable(store, 'metrics').delta;
    const before = (await table.snapshot()).files.map((f) => f.path);
    expect(before.length).toBeGreaterThan(1);
    await compactTable(store, 'metrics');
    const compacted = (await table.snapshot()).files;
    expect(compacted).toHaveLength(1);
    const summaryOf = (path: string) => `_summaries/${path}`;
    expect(compacted[0]?.tags?.summary).toBe(summaryOf(compacted[0]?.path ?? ''));
    expect(await tableKeys(store)).toEqual(
      expect.arrayContaining([...before, compacted[0]?.path].map((p) => summaryOf(p ?? ''))),
    );
    // past the grace, the removed files and their summaries go; the live file's summary stays
    const root = tableDir(cwd);
    const old = new Date(Date.now() - 3_600_000);
    for (const p of before) {
      utimesSync(join(root, p), old, old);
      utimesSync(join(root, summaryOf(p)), old, old);
    }
    const vacuumed = await table.vacuum({ olderThanMs: 0 });
    const prefix = `${joinKey(store.metaPrefix, 'tables', 'metrics')}/`;
    expect(vacuumed.deleted.map((k) => k.slice(prefix.length)).sort()).toEqual(
      [...before, ...before.map(summaryOf)].sort(),
    );
    expect((await tableKeys(store)).filter((k) => !k.startsWith('_delta_log/'))).toEqual(
      [compacted[0]?.path, summaryOf(compacted[0]?.path ?? '')].sort(),
    );
    // a rebuild rewrites the rows: its file has its summary too
    await indexStore(store, { rebuild: true });
    const rebuilt = (await table.snapshot()).files;
    expect(rebuilt.length).toBeGreaterThan(0);
    const keys = await tableKeys(store);
    for (const f of rebuilt) {
      expect(f.tags?.summary).toBe(summaryOf(f.path));
      expect(keys).toContain(summaryOf(f.path));
    }
    const series = await metricSeries(store, {
      runs: (await store.listRunIds()).sort(),
      names: ['y'],
    });
    expect(series.map((s) => s.total)).toEqual([50, 50, 50]);
  });
});
