import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compileFilter } from './compile-filter.js';
import { compileOrderBy } from './compile-order-by.js';
import { parseFilter } from './parse-filter.js';
import { parseOrderBy } from './parse-order-by.js';

// Real DuckDB on a runs table with the Delta schema's types; the compiled SQL must pick out
// exactly the expected runs.

let db: DuckDBInstance;
let connection: DuckDBConnection;

const RUNS = `
CREATE TABLE runs(run_id VARCHAR, name VARCHAR, experiment VARCHAR, status VARCHAR,
  start_time TIMESTAMPTZ, end_time TIMESTAMPTZ, "user" VARCHAR, host VARCHAR, git_commit VARCHAR,
  git_branch VARCHAR, tags MAP(VARCHAR, VARCHAR), params MAP(VARCHAR, VARCHAR),
  metrics MAP(VARCHAR, DOUBLE), artifact_count BIGINT, updated_time TIMESTAMPTZ);
INSERT INTO runs VALUES
 ('r1', 'alpha', 'exp', 'completed', '2024-01-01 00:00:00+00', '2024-01-01 01:00:00+00', 'ann', 'h1', 'c1', 'main',
  MAP {'team': 'cv', 'odd key': 'x'}, MAP {'lr': '0.01', 'a.b': '1', 'opt': 'adam'},
  MAP {'acc': 0.95, 'val loss': 0.1}, 2, '2024-01-01 01:00:00+00'),
 ('r2', 'beta', 'exp', 'failed', '2024-02-01 00:00:00+00', '2024-02-01 01:00:00+00', 'bob', 'h1', 'c2', 'dev',
  MAP {'team': 'nlp'}, MAP {'lr': '0.1', 'opt': 'Adam'}, MAP {'acc': 0.5}, 0, '2024-02-01 01:00:00+00'),
 ('r3', 'gamma', 'other', 'running', '2024-03-01 00:00:00+00', NULL, 'ann', 'h2', NULL, NULL,
  MAP {}::MAP(VARCHAR, VARCHAR), MAP {'lr': '1e-3', 'opt': 'sgd'}, MAP {'acc': 'NaN'::DOUBLE, 'loss': 2}, 5,
  '2024-03-01 00:00:00+00'),
 ('r4', 'delta', 'exp', 'completed', '2024-04-01 00:00:00+00', '2024-04-01 01:00:00+00', 'cat', 'h2', 'c4', 'main',
  MAP {'team': 'cv', 'note': 'it''s'}, MAP {'lr': 'abc'}, MAP {}::MAP(VARCHAR, DOUBLE), 1, '2024-04-01 01:00:00+00'),
 ('r5', 'alphabet', 'exp', 'completed', '2024-05-01 00:00:00+00', '2024-05-01 01:00:00+00', 'ann', 'h1', 'c5', 'main',
  MAP {'team': 'CV'}, MAP {}::MAP(VARCHAR, VARCHAR), MAP {'acc': 0.9}, 3, '2024-05-01 01:00:00+00');
`;

beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:');
  connection = await db.connect();
  await connection.run(RUNS);
});

afterAll(() => {
  connection?.closeSync();
  db?.closeSync();
});

async function ids(filter: string, orderBy: readonly string[] = []): Promise<string[]> {
  const where = compileFilter(parseFilter(filter));
  const order = compileOrderBy(parseOrderBy(orderBy));
  const sql = `SELECT run_id FROM runs WHERE ${where.sql} ORDER BY ${order.sql}`;
  const reader = await connection.runAndReadAll(sql, [...where.params, ...order.params] as never[]);
  return reader.getRows().map((row) => String(row[0]));
}

/** [filter, the runs it selects (in the default order: newest first)] */
const FILTERS: readonly [string, string[]][] = [
  ['', ['r5', 'r4', 'r3', 'r2', 'r1']],
  ['metrics.acc > 0.9', ['r1']],
  ['metrics.acc >= 0.9', ['r5', 'r1']],
  ['metric.acc != 0.5', ['r5', 'r1']],
  ['metrics.acc = 0.5', ['r2']],
  ['metrics.acc <= -1e3', []],
  ['metrics.`val loss` < 0.2', ['r1']],
  ['metrics."val loss" < 2E-1', ['r1']],
  ['metrics.loss > 1', ['r3']],
  ["params.lr = '0.01'", ['r1']],
  ['params.lr = "0.01"', ['r1']],
  ["params.lr != '0.01'", ['r4', 'r3', 'r2']],
  ["param.lr <> '0.01'", ['r4', 'r3', 'r2']],
  ['params.lr < 0.05', ['r3', 'r1']],
  ['params.lr > 0.05', ['r2']],
  ['params.lr = 0.1', ['r2']],
  ["params.`a.b` = '1'", ['r1']],
  ["params.a.b = '1'", ['r1']],
  ["params.opt LIKE 'A%'", ['r2']],
  ["params.opt like 'a%'", ['r1']],
  ["params.opt ILIKE 'A%'", ['r2', 'r1']],
  ["params.opt LIKE '_gd'", ['r3']],
  ["params.opt IN ('sgd', 'adam')", ['r3', 'r1']],
  ['params.lr IS NULL', ['r5']],
  ["tags.team = 'cv'", ['r4', 'r1']],
  ["tags.team != 'cv'", ['r5', 'r2']],
  ["tags.team IN ('cv', 'nlp')", ['r4', 'r2', 'r1']],
  ["tags.team NOT IN ('cv')", ['r5', 'r2']],
  ['tags.team IS NULL', ['r3']],
  ['tags.team is not null', ['r5', 'r4', 'r2', 'r1']],
  ["tags.`odd key` = 'x'", ['r1']],
  ['tags.note = "it\'s"', ['r4']],
  // As MLflow: a doubled quote stays doubled in the value.
  ["tags.note = 'it''s'", []],
  ["attributes.status = 'FINISHED'", ['r5', 'r4', 'r1']],
  ["attributes.status = 'failed'", ['r2']],
  ["attributes.status IN ('RUNNING', 'FAILED')", ['r3', 'r2']],
  // KILLED is its own status (a run ended by a signal), none of these runs.
  ["attributes.status IN ('RUNNING', 'KILLED')", ['r3']],
  ["attributes.status != 'FINISHED'", ['r3', 'r2']],
  ["attr.status NOT IN ('FINISHED', 'FAILED')", ['r3']],
  ["attributes.run_id IN ('r1', 'r3')", ['r3', 'r1']],
  ["attributes.run_id NOT IN ('r1')", ['r5', 'r4', 'r3', 'r2']],
  ["run.run_id = 'r2'", ['r2']],
  ["run_name LIKE 'alpha%'", ['r5', 'r1']],
  ["attributes.`run name` = 'gamma'", ['r3']],
  ["attributes.name = 'beta'", ['r2']],
  ["attributes.name ILIKE 'ALPHA'", ['r1']],
  ["attributes.user_id = 'ann'", ['r5', 'r3', 'r1']],
  ["user = 'bob'", ['r2']],
  ["experiment = 'other'", ['r3']],
  ["attributes.git_branch = 'dev'", ['r2']],
  ["host IN ('h2')", ['r4', 'r3']],
  ['attributes.start_time >= 1706745600000', ['r5', 'r4', 'r3', 'r2']],
  ["attributes.start_time < '2024-02-01'", ['r1']],
  ["created > '2024-04-15T00:00:00Z'", ['r5']],
  ["attributes.start_time = '2024-03-01 01:00:00+01:00'", ['r3']],
  ['attributes.end_time > 0', ['r5', 'r4', 'r2', 'r1']],
  ['attributes.updated_time < 1704067200001', []],
  ['attributes.artifact_count > 2', ['r5', 'r3']],
  ["metrics.acc > 0.9 or tags.team = 'nlp'", ['r2', 'r1']],
  ["(metrics.acc > 0.9 or tags.team = 'nlp') and attributes.user = 'bob'", ['r2']],
  ["metrics.acc > 0.9 or tags.team = 'nlp' and attributes.user = 'ann'", ['r1']],
  [
    "metrics.acc > 0.9 OR (tags.team = 'cv' AND (params.lr < 1 OR params.lr = 'abc'))",
    ['r4', 'r1'],
  ],
];

describe('compiled filters select the expected runs in DuckDB', () => {
  test.each(FILTERS)('%s', async (filter, expected) => {
    expect(await ids(filter)).toEqual(expected);
  });
});

describe('no user text reaches the SQL', () => {
  test.each(FILTERS.filter(([f]) => f !== ''))('%s', (filter) => {
    const { sql, params } = compileFilter(parseFilter(filter));
    expect(sql).not.toContain("'");
    expect(sql.split('?').length - 1).toBe(params.length);
  });
  test('quotes and SQL in keys and values are only data', async () => {
    const filter = `tags."x'); DROP TABLE runs; --" = 'a''); DROP TABLE runs; --' or params.\`lr\` = "0.01"`;
    expect(await ids(filter)).toEqual(['r1']);
    expect(await ids('')).toHaveLength(5);
  });
});

describe('order by', () => {
  test.each([
    [[], ['r5', 'r4', 'r3', 'r2', 'r1']],
    [['metrics.acc DESC'], ['r1', 'r5', 'r2', 'r3', 'r4']],
    [['metrics.acc'], ['r2', 'r5', 'r1', 'r3', 'r4']],
    [['params.lr'], ['r1', 'r2', 'r3', 'r4', 'r5']],
    [['params.lr desc'], ['r4', 'r3', 'r2', 'r1', 'r5']],
    [
      ['attributes.status', 'attributes.run_id DESC'],
      ['r2', 'r5', 'r4', 'r1', 'r3'],
    ],
    [['tags.team DESC'], ['r2', 'r4', 'r1', 'r5', 'r3']],
    [['attributes.start_time'], ['r1', 'r2', 'r3', 'r4', 'r5']],
    [['attributes.end_time DESC'], ['r5', 'r4', 'r2', 'r1', 'r3']],
    [
      ['user', 'metrics.acc DESC'],
      ['r1', 'r5', 'r3', 'r2', 'r4'],
    ],
  ] as const)('%j', async (orderBy, expected) => {
    expect(await ids('', orderBy)).toEqual(expected);
  });
});
