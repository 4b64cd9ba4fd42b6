/**
 * The runs and searches of the MLflow side-by-side test. Runs are deterministic; values repeat
 * on purpose (ties in metrics, params, start times) so that the tie-breaks are compared too.
 * `{idN}` in a filter stands for the id MLflow gave run N.
 */

export interface SpecRun {
  name: string;
  status: 'FINISHED' | 'FAILED' | 'RUNNING';
  start: number;
  end: number;
  user: string;
  tags: Record<string, string>;
  params: Record<string, string>;
  metrics: Record<string, number>;
}

const T0 = 1_700_000_000_000;

export const SPEC_RUNS: SpecRun[] = Array.from({ length: 40 }, (_, i) => {
  const start = T0 + (i % 13) * 3_600_000;
  const tags: Record<string, string> = { priority: ['high', 'low'][i % 2] as string };
  if (i % 7 !== 0) tags.team = ['cv', 'nlp', 'CV'][i % 3] as string;
  if (i % 5 === 1) tags['odd key'] = 'x';
  const params: Record<string, string> = {
    lr: ['0.01', '0.1', '0.001', '1e-3', '0.5'][i % 5] as string,
    batch: String(2 ** (4 + (i % 3))),
  };
  if (i % 6 !== 0) params.opt = ['adam', 'Adam', 'sgd', 'rmsprop'][i % 4] as string;
  if (i % 8 === 0) params['a.b'] = 'yes';
  const metrics: Record<string, number> = { loss: (i % 9) * 0.25 };
  if (i % 6 !== 5) metrics.acc = ((i * 37) % 101) / 100;
  if (i % 4 === 2) metrics['val loss'] = i / 10;
  return {
    name: `${['alpha', 'beta', 'gamma', 'delta'][i % 4]}-${i}`,
    status: (['FINISHED', 'FAILED', 'RUNNING'] as const)[i % 3] as SpecRun['status'],
    start,
    end: start + 60_000 * (1 + (i % 5)),
    user: ['ann', 'bob', 'cat'][Math.floor(i / 3) % 3] as string,
    tags,
    params,
    metrics,
  };
});

export interface Query {
  filter: string;
  orderBy: string[];
}

const T = (hours: number) => T0 + hours * 3_600_000;

const FILTERS = [
  '',
  'metrics.acc > 0.5',
  'metrics.acc >= 0.5',
  'metrics.acc < 0.3',
  'metrics.acc <= 0.25',
  'metrics.loss = 0',
  'metrics.loss != 0.5',
  'metric.`val loss` > 1',
  'metrics."val loss" < 2.5',
  'metrics.acc > -1e1',
  'metrics.acc > 5e-1',
  "params.lr = '0.01'",
  'params.lr = "0.1"',
  "params.lr != '0.01'",
  "params.opt LIKE 'a%'",
  "params.opt LIKE '%a%'",
  "params.opt ILIKE 'A%'",
  "params.opt LIKE '_gd'",
  'params.opt IS NULL',
  'params.opt IS NOT NULL',
  "params.`a.b` = 'yes'",
  "param.batch = '32'",
  "parameters.batch != '16'",
  "tags.team = 'cv'",
  "tags.team != 'cv'",
  "tags.team ILIKE 'cv'",
  "tags.team LIKE 'c%'",
  'tags.team IS NULL',
  "tags.`odd key` = 'x'",
  'tags."odd key" IS NOT NULL',
  "tags.priority = 'high' and tags.team = 'nlp'",
  "attributes.status = 'FINISHED'",
  "attributes.status != 'RUNNING'",
  "attributes.status = 'FAILED'",
  "attributes.run_name = 'alpha-4'",
  "attributes.run_name LIKE 'beta%'",
  "run_name ILIKE 'GAMMA-%'",
  "attributes.`run name` != 'alpha-0'",
  "attributes.user_id = 'bob'",
  "attributes.user_id LIKE '%a%'",
  `attributes.start_time > ${T(6)}`,
  `attributes.start_time <= ${T(3)}`,
  `created >= ${T(12)}`,
  `attributes.end_time < ${T(4)}`,
  'attributes.end_time > 0',
  "attributes.run_id = '{id5}'",
  "attributes.run_id IN ('{id1}', '{id2}', '{id30}')",
  "attributes.run_id NOT IN ('{id1}', '{id2}')",
  "metrics.acc > 0.3 and params.lr = '0.01' and tags.team = 'cv' and attributes.status = 'FINISHED'",
  'metrics.acc > 0.2 AND metrics.loss < 1',
  "params.opt = 'adam' and attributes.user_id != 'ann'",
  "metrics.acc>0.5 and params.lr='0.1'",
];

const ORDERS: [string, string[]][] = [
  ['', ['metrics.acc DESC']],
  ['', ['metrics.acc']],
  ['', ['params.lr', 'metrics.loss DESC']],
  ['', ['tags.team DESC']],
  ['', ['attributes.start_time']],
  ['', ['attributes.run_name DESC']],
  ['', ['attributes.status']],
  ['', ['attributes.end_time DESC']],
  ['', ['metrics.`val loss` ASC']],
  ['', ['params.opt', 'attributes.user_id DESC']],
  ['metrics.acc > 0.2', ['attributes.user_id']],
  ["tags.team != 'nlp'", ['attributes.start_time DESC', 'metrics.acc']],
  ['metrics.loss < 1.5', ['metrics.loss', 'params.batch DESC']],
];

export const QUERIES: Query[] = [
  ...FILTERS.map((filter) => ({ filter, orderBy: [] })),
  ...ORDERS.map(([filter, orderBy]) => ({ filter, orderBy })),
];

/** Every run in MLflow's default order: the reference for the differences below. */
export const ALL_RUNS: Query = { filter: '', orderBy: [] };

/** What trove accepts and MLflow refuses, with MLflow filters whose union is the same runs. */
const DIFFERENT: [why: string, filter: string, parts: string[]][] = [
  ['or', "metrics.acc > 0.8 or tags.team = 'nlp'", ['metrics.acc > 0.8', "tags.team = 'nlp'"]],
  [
    'parentheses',
    "(metrics.acc > 0.8 or metrics.acc < 0.2) and tags.team = 'cv'",
    ["metrics.acc > 0.8 and tags.team = 'cv'", "metrics.acc < 0.2 and tags.team = 'cv'"],
  ],
  ['IN on a tag', "tags.team IN ('cv', 'nlp')", ["tags.team = 'cv'", "tags.team = 'nlp'"]],
  [
    'IN on status',
    "attributes.status IN ('FINISHED', 'FAILED')",
    ["attributes.status = 'FINISHED'", "attributes.status = 'FAILED'"],
  ],
  [
    'a param compared with a number',
    'params.lr < 0.05',
    ["params.lr = '0.01'", "params.lr = '0.001'", "params.lr = '1e-3'"],
  ],
];

export const DIFFERENCES = DIFFERENT.map(([why, filter, parts]) => ({ why, filter, parts }));
