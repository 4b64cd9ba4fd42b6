/**
 * The runs and searches of the dialect's side-by-side search test. Runs are deterministic; values
 * repeat on purpose (ties in metrics and params) so that the tie-breaks are compared too. In a
 * filter, `{idN}` stands for run N's id on each side and `{startN}` for its start time.
 */

export const EXPERIMENTS = ['exp-a', 'exp-b'] as const;
/** The experiment of the fluent searches that name none, on both sides. */
export const ACTIVE = 'exp-a';

export interface SpecRun {
  name: string;
  experiment: string;
  status: 'FINISHED' | 'FAILED' | 'RUNNING';
  tags: Record<string, string>;
  /** Logged as given: numbers stay numbers in trove, and read back as MLflow's `str(value)`. */
  params: Record<string, string | number>;
  /** In the order logged, steps rising, so the last is the latest for both. */
  metrics: { key: string; value: number; step: number }[];
}

export const SPEC_RUNS: SpecRun[] = Array.from({ length: 30 }, (_, i) => {
  const tags: Record<string, string> = { priority: ['high', 'low'][i % 2] as string };
  if (i % 7 !== 0) tags.team = ['cv', 'nlp', 'CV'][i % 3] as string;
  if (i % 5 === 1) tags['odd key'] = 'x';
  const params: Record<string, string | number> = {
    lr: [0.01, 0.1, 0.001, 0.5][i % 4] as number,
    batch: 2 ** (4 + (i % 3)),
  };
  if (i % 6 !== 0) params.opt = ['adam', 'Adam', 'sgd', 'rmsprop'][i % 4] as string;
  const loss = (i % 9) * 0.25;
  const metrics = [
    { key: 'loss', value: 5, step: 0 },
    { key: 'loss', value: 3, step: 1 },
    { key: 'loss', value: loss, step: 2 },
  ];
  if (i % 6 !== 5) metrics.push({ key: 'acc', value: ((i * 37) % 101) / 100, step: 2 });
  if (i % 4 === 2) metrics.push({ key: 'val loss', value: i / 10, step: 0 });
  return {
    name: `${['alpha', 'beta', 'gamma', 'delta'][i % 4]}-${i}`,
    experiment: [...EXPERIMENTS, 'Default'][i % 3] as string,
    status: i % 5 === 4 ? 'RUNNING' : i % 5 === 2 ? 'FAILED' : 'FINISHED',
    tags,
    params,
    metrics,
  };
});

export interface Query {
  /** The fluent `search_runs` or the client's. */
  api: 'fluent' | 'client';
  /** Experiment names; `all` (fluent: search_all_experiments); absent: the active one. */
  experiments?: string[] | 'all';
  filter: string;
  orderBy: string[];
  maxResults?: number;
  view?: 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';
}

const ALL3 = [...EXPERIMENTS, 'Default'];

export const QUERIES: Query[] = [
  { api: 'client', experiments: ALL3, filter: '', orderBy: [] },
  { api: 'fluent', experiments: ['exp-a'], filter: '', orderBy: [] },
  { api: 'fluent', filter: 'metrics.acc > 0.5', orderBy: [] },
  { api: 'fluent', experiments: 'all', filter: "params.opt = 'adam'", orderBy: [] },
  { api: 'client', experiments: ['exp-a', 'exp-b'], filter: "tags.team = 'cv'", orderBy: [] },
  {
    api: 'fluent',
    experiments: 'all',
    filter: "attributes.status = 'FINISHED'",
    orderBy: ['metrics.acc DESC'],
  },
  {
    api: 'fluent',
    experiments: 'all',
    filter: "metrics.loss <= 0.5 and params.batch = '32'",
    orderBy: [],
  },
  { api: 'fluent', experiments: 'all', filter: "params.opt LIKE 'a%'", orderBy: [] },
  { api: 'fluent', experiments: 'all', filter: "params.opt ILIKE 'a%'", orderBy: [] },
  {
    api: 'fluent',
    experiments: 'all',
    filter: "tags.team != 'cv'",
    orderBy: ['tags.team', 'attributes.run_name'],
  },
  { api: 'client', experiments: ALL3, filter: "attributes.run_name LIKE 'beta%'", orderBy: [] },
  { api: 'fluent', experiments: 'all', filter: "run_name = 'alpha-4'", orderBy: [] },
  {
    api: 'fluent',
    experiments: 'all',
    filter: 'attributes.start_time > {start10}',
    orderBy: ['attributes.start_time ASC'],
  },
  {
    api: 'fluent',
    experiments: 'all',
    filter: "attributes.status != 'RUNNING'",
    orderBy: ['metrics.acc DESC'],
    maxResults: 7,
  },
  { api: 'fluent', experiments: 'all', filter: '', orderBy: ['params.lr ASC'] },
  {
    api: 'client',
    experiments: ['Default'],
    filter: 'metrics.`val loss` < 2',
    orderBy: ['metrics.`val loss` DESC'],
  },
  {
    api: 'fluent',
    experiments: 'all',
    filter: "attributes.run_id IN ('{id3}', '{id7}', '{id20}')",
    orderBy: [],
  },
  {
    api: 'client',
    experiments: ['exp-b'],
    filter: "metrics.acc >= 0.2 and tags.priority = 'high'",
    orderBy: ['attributes.end_time DESC'],
  },
  { api: 'fluent', experiments: 'all', filter: "tags.`odd key` = 'x'", orderBy: [] },
  {
    api: 'fluent',
    experiments: ['exp-a', 'Default'],
    filter: "params.lr = '0.01'",
    orderBy: ['metrics.loss DESC'],
    maxResults: 4,
  },
  {
    api: 'fluent',
    experiments: 'all',
    filter: 'metrics.acc < 0.3 and metrics.loss > 0',
    orderBy: ['tags.priority DESC'],
  },
  { api: 'client', experiments: ALL3, filter: "attributes.status = 'RUNNING'", orderBy: [] },
  { api: 'client', experiments: ALL3, filter: '', orderBy: [], view: 'DELETED_ONLY' },
  { api: 'fluent', experiments: 'all', filter: "params.opt = 'sgd'", orderBy: [], view: 'ALL' },
];
