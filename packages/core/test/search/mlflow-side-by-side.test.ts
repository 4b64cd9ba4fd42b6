import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { runMlflowSqlScript } from '@trove/test-utils/mlflow-sql';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compileFilter } from '../../src/search/compile-filter.js';
import { compileOrderBy } from '../../src/search/compile-order-by.js';
import { parseFilter } from '../../src/search/parse-filter.js';
import { parseOrderBy } from '../../src/search/parse-order-by.js';
import { ALL_RUNS, DIFFERENCES, QUERIES, SPEC_RUNS } from './mlflow-queries.js';

// The same 40 runs in real MLflow (its SQLite store) and in a DuckDB runs table; each search
// must return the same run ids in the same order from both.

interface MlflowRun {
  run_id: string;
  name: string;
  status: string;
  start: number;
  end: number | null;
  user: string;
  tags: Record<string, string>;
  params: Record<string, string>;
  metrics: Record<string, number>;
}
type Result = string[] | { error: string };

const TROVE_STATUS: Record<string, string> = {
  FINISHED: 'completed',
  FAILED: 'failed',
  RUNNING: 'running',
};

let db: DuckDBInstance;
let connection: DuckDBConnection;
let runs: MlflowRun[];
let results: Result[];
const queries = [
  ...QUERIES,
  ...DIFFERENCES.flatMap((d) => [
    { filter: d.filter, orderBy: [] },
    ...d.parts.map((filter) => ({ filter, orderBy: [] })),
  ]),
  ALL_RUNS,
];

beforeAll(async () => {
  ({ runs, results } = await runMlflowSqlScript<{ runs: MlflowRun[]; results: Result[] }>(
    new URL('./mlflow-side.py', import.meta.url),
    { runs: SPEC_RUNS, queries },
  ));

  db = await DuckDBInstance.create(':memory:');
  connection = await db.connect();
  await connection.run(`CREATE TABLE runs(run_id VARCHAR, name VARCHAR, experiment VARCHAR, status VARCHAR,
    start_time TIMESTAMPTZ, end_time TIMESTAMPTZ, "user" VARCHAR, host VARCHAR, git_commit VARCHAR,
    git_branch VARCHAR, tags MAP(VARCHAR, VARCHAR), params MAP(VARCHAR, VARCHAR),
    metrics MAP(VARCHAR, DOUBLE), artifact_count BIGINT, updated_time TIMESTAMPTZ)`);
  const ms = (at: string) => `make_timestamptz(CAST(${at} AS BIGINT) * 1000)`;
  const asMap = (type: string) => `CAST(CAST(? AS JSON) AS MAP(VARCHAR, ${type}))`;
  for (const r of runs) {
    await connection.run(
      `INSERT INTO runs VALUES (?, ?, 'side-by-side', ?, ${ms('?')}, ${ms('?')}, ?, NULL, NULL, NULL,
        ${asMap('VARCHAR')}, ${asMap('VARCHAR')}, ${asMap('DOUBLE')}, 0, ${ms('?')})`,
      [
        r.run_id,
        r.name,
        TROVE_STATUS[r.status] as string,
        r.start,
        r.end,
        r.user,
        JSON.stringify(r.tags),
        JSON.stringify(r.params),
        JSON.stringify(r.metrics),
        r.end ?? r.start,
      ] as never[],
    );
  }
}, 600_000);

afterAll(() => {
  connection?.closeSync();
  db?.closeSync();
});

const withIds = (text: string) =>
  text.replace(/\{id(\d+)\}/g, (_, i) => runs[Number(i)]?.run_id ?? '?');

async function trove(filter: string, orderBy: readonly string[]): Promise<string[]> {
  const where = compileFilter(parseFilter(withIds(filter)));
  const order = compileOrderBy(parseOrderBy(orderBy));
  const reader = await connection.runAndReadAll(
    `SELECT run_id FROM runs WHERE ${where.sql} ORDER BY ${order.sql}`,
    [...where.params, ...order.params] as never[],
  );
  return reader.getRows().map((row) => String(row[0]));
}

function mlflow(index: number): string[] {
  const result = results[index];
  if (!Array.isArray(result)) throw new Error(`MLflow refused query ${index}: ${result?.error}`);
  return result;
}

describe('the same ids in the same order as MLflow search_runs', () => {
  test('MLflow holds the 40 runs, and the queries cover at least 40 filters and order-bys', () => {
    expect(runs).toHaveLength(40);
    expect(QUERIES.length).toBeGreaterThanOrEqual(40);
  });
  test.each(QUERIES.map((q, i) => [q.filter, q.orderBy, i] as const))(
    '%s %j',
    async (filter, orderBy, i) => {
      const expected = mlflow(i);
      expect(await trove(filter, orderBy)).toEqual(expected);
    },
  );
  test('no query is trivial: together they select different runs', () => {
    const sizes = new Set(QUERIES.map((_, i) => mlflow(i).length));
    expect(sizes.size).toBeGreaterThan(10);
  });
});

describe('where trove deliberately differs (MLflow refuses the filter)', () => {
  let at = QUERIES.length;
  const cases = DIFFERENCES.map((d) => {
    const start = at;
    at += 1 + d.parts.length;
    return [d.why, d.filter, start, d.parts.length] as const;
  });
  test.each(cases)('%s: %s', async (_why, filter, start, parts) => {
    expect(results[start]).toMatchObject({ error: expect.stringContaining('MlflowException') });
    // trove's answer is the union of what MLflow returns for the parts, in MLflow's default order.
    const union = new Set(Array.from({ length: parts }, (_, k) => mlflow(start + 1 + k)).flat());
    const all = mlflow(results.length - 1);
    const expected = all.filter((id) => union.has(id));
    expect(expected.length).toBeGreaterThan(0);
    expect(await trove(filter, [])).toEqual(expected);
  });
});
