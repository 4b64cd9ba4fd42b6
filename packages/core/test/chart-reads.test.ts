import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isTroveError } from '../src/errors.js';
import { startRun } from '../src/run/start-run.js';
import { metricSeries, prepareMetricSeries } from '../src/tables/metric-series.js';
import { runKeys } from '../src/tables/run-keys.js';
import { countRuns } from '../src/tables/search-runs.js';
import { localProject, tempDir } from './helpers.js';

beforeAll(() => {
  process.env.TROVE_CACHE_DIR = join(tempDir(), 'cache');
});

describe('countRuns and runKeys', () => {
  it('count the runs a filter finds and list every key, a running run included', async () => {
    const { cwd, store } = await localProject();
    const a = await startRun({ store, cwd, name: 'a', params: { lr: 0.1 }, tags: { team: 'cv' } });
    a.logMetric('acc', 0.5);
    await a.end();
    const b = await startRun({ store, cwd, name: 'b', params: { lr: 0.01, depth: 3 } });
    b.logMetric('loss', 2);
    await b.flush();
    expect(await countRuns(store)).toBe(2);
    expect(await countRuns(store, { filter: 'params.lr < 0.05' })).toBe(1);
    expect(await countRuns(store, { filter: "tags.team = 'nlp'" })).toBe(0);
    expect(await runKeys(store)).toEqual({
      params: ['depth', 'lr'],
      metrics: ['acc', 'loss'],
      tags: ['team'],
    });
    await b.end();
    await expect(countRuns(store, { filter: 'params.lr <' })).rejects.toSatisfy((e) =>
      isTroveError(e, 'INVALID_ARGUMENT'),
    );
  });
});

describe('metricSeries', () => {
  it('gives short series whole, in the order asked, from the table and the backlog', async () => {
    const { cwd, store } = await localProject();
    const done = await startRun({ store, cwd, name: 'done' });
    for (let s = 0; s < 5; s++) done.logMetric('loss', 10 - s, { step: s });
    done.logMetric('acc', 0.5, { step: 0 });
    await done.end();
    const open = await startRun({ store, cwd, name: 'open' });
    for (let s = 0; s < 3; s++) open.logMetric('loss', s * s, { step: s * 2 });
    await open.flush();
    const series = await metricSeries(store, {
      runs: [open.id, done.id],
      names: ['loss', 'acc', 'nope'],
    });
    expect(series).toEqual([
      { runId: open.id, name: 'loss', x: [0, 2, 4], y: [0, 1, 4], total: 3 },
      { runId: done.id, name: 'loss', x: [0, 1, 2, 3, 4], y: [10, 9, 8, 7, 6], total: 5 },
      { runId: done.id, name: 'acc', x: [0], y: [0.5], total: 1 },
    ]);
    const zoomed = await metricSeries(store, {
      runs: [done.id],
      names: ['loss'],
      xmin: 1,
      xmax: 3,
    });
    expect(zoomed).toEqual([
      { runId: done.id, name: 'loss', x: [1, 2, 3], y: [9, 8, 7], total: 3 },
    ]);
    const byTime = await metricSeries(store, { runs: [done.id], names: ['acc'], x: 'time' });
    expect(byTime[0]?.x[0]).toBeGreaterThan(Date.parse('2020-01-01'));
    await open.end();
  });

  it('keeps the lowest and highest value of each pixel column, in x order', async () => {
    const { cwd, store } = await localProject();
    const run = await startRun({ store, cwd, name: 'long' });
    // 1,000 steps into 10 columns of 100: a spike down at 150 and up at 420 must survive
    for (let s = 0; s < 1000; s++) {
      run.logMetric('y', s === 150 ? -100 : s === 420 ? 100 : s % 10, { step: s });
    }
    await run.end();
    const [series] = await metricSeries(store, { runs: [run.id], names: ['y'], width: 10 });
    // a whole curve was drawn from the data file's summary, written with it at commit and
    // fetched into the cache folder (none made there)
    const cache = readdirSync(join(process.env.TROVE_CACHE_DIR as string, 'tables'));
    expect(cache.filter((f) => f.startsWith('_summaries__')).length).toBeGreaterThan(0);
    expect(cache.filter((f) => f.endsWith('.step-summary-1.parquet'))).toEqual([]);
    expect(series?.total).toBe(1000);
    expect(series?.x).toHaveLength(20);
    const column = (c: number) =>
      [0, 1]
        .map((i) => [series?.x[2 * c + i], series?.y[2 * c + i]])
        .sort((a, b) => (a[1] ?? 0) - (b[1] ?? 0));
    expect(column(1)[0]).toEqual([150, -100]);
    expect(column(1)[1]?.[1]).toBe(9);
    expect(column(4)[1]).toEqual([420, 100]);
    expect(column(4)[0]?.[1]).toBe(0);
    expect(column(0)[1]?.[1]).toBe(9);
    // each column's pair is in x order
    for (let i = 0; i < 20; i += 2) expect(series?.x[i] ?? 0).toBeLessThan(series?.x[i + 1] ?? 0);
    // zoomed to 100 steps at width 100: every value comes back
    const [zoom] = await metricSeries(store, {
      runs: [run.id],
      names: ['y'],
      width: 100,
      xmin: 400,
      xmax: 499,
    });
    expect(zoom?.x).toEqual(Array.from({ length: 100 }, (_, i) => 400 + i));
    expect(zoom?.y[20]).toBe(100);
  });

  it('a zoom deeper than the summaries reads the values in its window', async () => {
    const { cwd, store } = await localProject();
    const run = await startRun({ store, cwd, name: 'deep' });
    // 10,000 steps: a summary bucket is ~5 steps wide, a pixel of the zoom below 1 step
    for (let s = 0; s < 10_000; s++) run.logMetric('y', s % 7, { step: s });
    await run.end();
    const [zoom] = await metricSeries(store, {
      runs: [run.id],
      names: ['y'],
      width: 100,
      xmin: 5000,
      xmax: 5099,
    });
    expect(zoom?.x).toEqual(Array.from({ length: 100 }, (_, i) => 5000 + i));
    expect(zoom?.y).toEqual(Array.from({ length: 100 }, (_, i) => (5000 + i) % 7));
    expect(zoom?.total).toBe(100);
    // a wide zoom is drawn from the summaries: at most two points a column, peaks kept
    const [wide] = await metricSeries(store, {
      runs: [run.id],
      names: ['y'],
      width: 10,
      xmin: 0,
      xmax: 9999,
    });
    expect(wide?.x.length).toBeLessThanOrEqual(20);
    expect([Math.min(...(wide?.y ?? [])), Math.max(...(wide?.y ?? []))]).toEqual([0, 6]);
    expect(wide?.total).toBe(10_000);
  });

  it('a zoom deeper than the summaries has the backlog runs in its window too', async () => {
    const { cwd, store } = await localProject();
    const done = await startRun({ store, cwd, name: 'deep' });
    for (let s = 0; s < 10_000; s++) done.logMetric('y', s % 7, { step: s });
    await done.end();
    const open = await startRun({ store, cwd, name: 'open' });
    for (let s = 5000; s < 5010; s++) open.logMetric('y', -s, { step: s });
    await open.flush();
    const series = await metricSeries(store, {
      runs: [open.id, done.id],
      names: ['y'],
      width: 100,
      xmin: 5000,
      xmax: 5099,
    });
    expect(series).toEqual([
      {
        runId: open.id,
        name: 'y',
        x: Array.from({ length: 10 }, (_, i) => 5000 + i),
        y: Array.from({ length: 10 }, (_, i) => -(5000 + i)),
        total: 10,
      },
      {
        runId: done.id,
        name: 'y',
        x: Array.from({ length: 100 }, (_, i) => 5000 + i),
        y: Array.from({ length: 100 }, (_, i) => (5000 + i) % 7),
        total: 100,
      },
    ]);
    await open.end();
  });

  it('prepareMetricSeries fetches the stored summaries, and a stopped one fetches none', async () => {
    const { cwd, store } = await localProject();
    const run = await startRun({ store, cwd, name: 'r' });
    for (let s = 0; s < 10; s++) run.logMetric('y', s, { step: s });
    await run.end();
    process.env.TROVE_CACHE_DIR = join(tempDir(), 'cache');
    const cached = () => {
      const dir = join(process.env.TROVE_CACHE_DIR as string, 'tables');
      return existsSync(dir) ? readdirSync(dir) : [];
    };
    await prepareMetricSeries(store, { signal: AbortSignal.abort() });
    expect(cached()).toEqual([]);
    await prepareMetricSeries(store, { x: 'time' });
    // the summary its writer stored (both axes in one file), and no data file, none made
    expect(cached()).toHaveLength(1);
    expect(cached()[0]).toMatch(/^_summaries__part-.*\.parquet$/);
  });

  it('refuses a width, an x or a bound it cannot use', async () => {
    const { store } = await localProject();
    for (const bad of [{ width: 0 }, { width: 1.5 }, { x: 'epoch' }, { xmin: Number.NaN }]) {
      await expect(
        metricSeries(store, { runs: ['a'], names: ['b'], ...(bad as object) }),
      ).rejects.toSatisfy((e) => isTroveError(e, 'INVALID_ARGUMENT'));
    }
  });
});
