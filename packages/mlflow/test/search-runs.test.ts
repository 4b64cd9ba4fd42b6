import { isTroveError } from '@trove/core';
import { runMlflowSqlScript } from '@trove/test-utils/mlflow-sql';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as mlflow from '../src/index.js';
import { memoryStore, storeKeys } from './helpers.js';
import { ACTIVE, EXPERIMENTS, QUERIES, type Query, SPEC_RUNS } from './search-runs-spec.js';

// The same 30 runs logged through the dialect and into real MLflow (its SQLite store, with the
// dialect's start and end times); every search must return the same run names in the same order.

interface RunView {
  name: string;
  experiment: string;
  status: string;
  start: number;
  end: number | null;
  user: string | null;
  lifecycle: string;
  tags: Record<string, string>;
  params: Record<string, string>;
  metrics: Record<string, number>;
}
interface MlflowSide {
  runs: Record<string, RunView>;
  experiment_ids: Record<string, string>;
  results: (string[] | { error: string })[];
  pages: { names: string[]; token: string | null }[];
}

const REFUSED: Query = {
  api: 'fluent',
  experiments: ['exp-a'],
  filter: 'metrics.acc 0.9',
  orderBy: [],
};
const store = memoryStore();
const client = new mlflow.MlflowClient(store);
const trove: mlflow.MlflowRun[] = [];
let side: MlflowSide;

/** Waits until the clock has moved on, so that no two runs share a start time (ids break ties). */
async function nextMillisecond(): Promise<void> {
  const now = Date.now();
  while (Date.now() <= now) await new Promise((r) => setImmediate(r));
}

beforeAll(async () => {
  for (const r of SPEC_RUNS) {
    mlflow.setExperiment(r.experiment);
    // Nested: a RUNNING run stays active under the later ones, which end themselves.
    const run = await mlflow.startRun({ store, runName: r.name, tags: r.tags, nested: true });
    mlflow.logParams(r.params);
    for (const m of r.metrics) mlflow.logMetric(m.key, m.value, m.step);
    if (r.status !== 'RUNNING') await mlflow.endRun(r.status);
    trove.push(await client.getRun(run.id));
    await nextMillisecond();
  }
  mlflow.setExperiment(ACTIVE);
  side = await runMlflowSqlScript<MlflowSide>(new URL('./mlflow-search-side.py', import.meta.url), {
    experiments: EXPERIMENTS,
    active: ACTIVE,
    runs: SPEC_RUNS.map((r, i) => ({
      ...r,
      params: Object.fromEntries(Object.entries(r.params).map(([k, v]) => [k, String(v)])),
      start: trove[i]?.info.start_time,
      end: trove[i]?.info.end_time,
      user: trove[i]?.info.user_id,
    })),
    queries: [...QUERIES, REFUSED],
  });
}, 600_000);

afterAll(async () => {
  while (mlflow.activeRun()) await mlflow.endRun();
});

const troveIdOf = (name: string) =>
  trove.find((r) => r.data.tags['mlflow.experimentName'] === name)?.info.experiment_id ?? '0';

function fill(text: string): string {
  return text
    .replace(/\{id(\d+)\}/g, (_, i) => trove[Number(i)]?.info.run_id ?? '?')
    .replace(/\{start(\d+)\}/g, (_, i) => String(trove[Number(i)]?.info.start_time));
}

async function troveSearch(q: Query): Promise<mlflow.MlflowRun[]> {
  const view = mlflow.ViewType[q.view ?? 'ACTIVE_ONLY'];
  if (q.api === 'client') {
    const ids = (q.experiments as string[]).map(troveIdOf);
    return client.searchRuns(ids, fill(q.filter), view, q.maxResults, q.orderBy);
  }
  return mlflow.searchRuns({
    ...(q.experiments === 'all' ? { searchAllExperiments: true } : {}),
    ...(Array.isArray(q.experiments) ? { experimentNames: q.experiments } : {}),
    filterString: fill(q.filter),
    runViewType: view,
    ...(q.maxResults === undefined ? {} : { maxResults: q.maxResults }),
    orderBy: q.orderBy,
    outputFormat: 'list',
  });
}

/** A run as the Python side shows it: user tags only (MLflow adds `mlflow.*` system tags). */
function view(run: mlflow.MlflowRun): RunView {
  const { info, data } = run;
  return {
    name: info.run_name,
    experiment: info.experiment_id === '0' ? 'Default' : info.experiment_id,
    status: info.status,
    start: info.start_time,
    end: info.end_time,
    user: info.user_id,
    lifecycle: info.lifecycle_stage,
    tags: Object.fromEntries(Object.entries(data.tags).filter(([k]) => !k.startsWith('mlflow.'))),
    params: data.params,
    metrics: data.metrics,
  };
}

describe('searchRuns returns what MLflow search_runs returns', () => {
  test('the runs: distinct start times, and the same data on both sides', () => {
    expect(new Set(trove.map((r) => r.info.start_time)).size).toBe(SPEC_RUNS.length);
    const names = Object.fromEntries(Object.entries(side.experiment_ids).map(([n, id]) => [id, n]));
    const mlflowRuns = Object.values(side.runs).map((r) => ({
      ...r,
      experiment: names[r.experiment],
    }));
    expect(mlflowRuns).toHaveLength(SPEC_RUNS.length);
    expect(trove.map(view)).toEqual(
      SPEC_RUNS.map((r) => mlflowRuns.find((m) => m.name === r.name)),
    );
    expect(trove.map((r) => r.info.status)).toContain('RUNNING');
  });

  test.each(QUERIES.map((q, i) => [q.api, q.filter, q.orderBy, q.maxResults ?? '', i] as const))(
    '%s %s %j %s',
    async (_api, _filter, _orderBy, _max, i) => {
      const expected = side.results[i];
      if (!Array.isArray(expected))
        throw new Error(`MLflow refused query ${i}: ${expected?.error}`);
      const found = await troveSearch(QUERIES[i] as Query);
      expect(found.map((r) => r.info.run_name)).toEqual(expected);
      // Each run as the search shows it is the run as getRun shows it.
      for (const run of found)
        expect(run).toEqual(trove.find((t) => t.info.run_id === run.info.run_id));
    },
  );

  test('no query is trivial: together they select different runs', () => {
    const sizes = new Set(side.results.slice(0, QUERIES.length).map((r) => (r as string[]).length));
    expect(sizes.size).toBeGreaterThan(8);
  });

  test("three pages of ten: MLflow's pages, and MLflow's tokens", async () => {
    const ids = ['exp-a', 'exp-b', 'Default'].map(troveIdOf);
    let token: string | null = null;
    const pages: { names: string[]; token: string | null }[] = [];
    for (let i = 0; i < 3; i++) {
      const page: mlflow.PagedList<mlflow.MlflowRun> = await client.searchRuns(
        ids,
        '',
        mlflow.ViewType.ACTIVE_ONLY,
        10,
        ['metrics.acc DESC'],
        token,
      );
      token = page.token;
      pages.push({ names: page.map((r) => r.info.run_name), token });
    }
    expect(pages).toEqual(side.pages);
    expect(pages.map((p) => p.token === null)).toEqual([false, false, true]);
  });
});

describe('bad input', () => {
  test('a bad filter is one INVALID_ARGUMENT naming the column of what the user wrote', async () => {
    const refused = side.results[QUERIES.length];
    expect(refused).toMatchObject({ error: expect.stringContaining('MlflowException') });
    const error = await troveSearch(REFUSED).catch((e: unknown) => e);
    expect(isTroveError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as { column?: number }).column).toBe(13);
    expect((error as Error).message).toContain('at column 13');
    const viaClient = await client.searchRuns(['0'], 'metrics.acc >').catch((e: unknown) => e);
    expect((viaClient as { column?: number }).column).toBe(14);
  });

  test('a bad page token, maxResults, view type or experiment list is INVALID_ARGUMENT', async () => {
    const codes = await Promise.all(
      [
        client.searchRuns(['0'], '', undefined, 10, [], 'not a token!'),
        client.searchRuns(
          ['0'],
          '',
          undefined,
          10,
          [],
          Buffer.from('{"offset": -1}').toString('base64'),
        ),
        client.searchRuns(['0'], '', undefined, 0),
        client.searchRuns(['0'], '', undefined, 2.5),
        client.searchRuns(['0'], '', 7 as never),
        client.searchRuns(['0'], '', undefined, 10, ['metrics.acc SIDEWAYS']),
        mlflow.searchRuns({ experimentIds: ['0'], experimentNames: ['exp-a'] }),
        mlflow.searchRuns({ outputFormat: 'pandas' as never }),
      ].map((p) =>
        p.then(
          () => 'resolved',
          (e: unknown) => (isTroveError(e) ? e.code : e),
        ),
      ),
    );
    expect(codes).toEqual(Array(8).fill('INVALID_ARGUMENT'));
  });

  test('an experiment no filter could name is refused before the run writes anything', async () => {
    const before = await storeKeys(store);
    const codeOf = (fn: () => unknown) =>
      Promise.resolve()
        .then(fn)
        .then(
          () => 'resolved',
          (e: unknown) => (isTroveError(e) ? e.code : e),
        );
    const both = `it's "x"`;
    expect([
      await codeOf(() => mlflow.setExperiment(both)),
      await codeOf(() => mlflow.setExperiment('  ')),
      await codeOf(() => mlflow.startRun({ store, experimentId: both, nested: true })),
      await codeOf(() => mlflow.startRun({ store, experimentId: '', nested: true })),
      await codeOf(() => client.searchRuns([both])),
    ]).toEqual(Array(5).fill('INVALID_ARGUMENT'));
    expect(await storeKeys(store)).toEqual(before);
    // The active experiment is still exp-a: alpha-0 is in it, beta-1 (exp-b) is not.
    const names = async (filterString: string) =>
      (await mlflow.searchRuns({ filterString })).map((r) => r.info.run_name);
    expect(await names("run_name IN ('alpha-0', 'beta-1')")).toEqual(['alpha-0']);
  });

  test('getRun of an unknown run is NOT_FOUND', async () => {
    const error = await client.getRun('0123456789abcdef0123456789abcdef').catch((e: unknown) => e);
    expect(isTroveError(error, 'NOT_FOUND')).toBe(true);
  });
});
