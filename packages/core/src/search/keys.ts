import type { FilterKeyKind, LoggedModelAttribute, RunAttribute } from './ast.js';

/**
 * The names a filter may use: MLflow's prefixes and run attributes with their aliases, plus
 * trove's own run columns. Prefixes are matched without regard to case; attribute names as
 * written, as MLflow does.
 */

const PREFIXES: ReadonlyMap<string, FilterKeyKind> = new Map([
  ['metric', 'metric'],
  ['metrics', 'metric'],
  ['param', 'param'],
  ['params', 'param'],
  ['parameter', 'param'],
  ['parameters', 'param'],
  ['tag', 'tag'],
  ['tags', 'tag'],
  ['attribute', 'attribute'],
  ['attributes', 'attribute'],
  ['attr', 'attribute'],
  ['run', 'attribute'],
] as const);

export const PREFIX_NAMES = 'metrics., params., tags. or attributes.';

/** How an attribute compares: text, a point in time, a count, or a run status. */
export type AttributeType = 'string' | 'time' | 'integer' | 'status';

const ATTRIBUTES: ReadonlyMap<string, readonly [RunAttribute, AttributeType]> = new Map([
  ['run_id', ['run_id', 'string']],
  ['run_name', ['name', 'string']],
  ['run name', ['name', 'string']],
  ['Run name', ['name', 'string']],
  ['Run Name', ['name', 'string']],
  ['name', ['name', 'string']],
  ['status', ['status', 'status']],
  ['start_time', ['start_time', 'time']],
  ['created', ['start_time', 'time']],
  ['Created', ['start_time', 'time']],
  ['end_time', ['end_time', 'time']],
  ['updated_time', ['updated_time', 'time']],
  ['user_id', ['user', 'string']],
  ['user', ['user', 'string']],
  ['experiment', ['experiment', 'string']],
  ['host', ['host', 'string']],
  ['git_commit', ['git_commit', 'string']],
  ['git_branch', ['git_branch', 'string']],
  ['artifact_count', ['artifact_count', 'integer']],
] as const);

const ATTRIBUTE_NAMES =
  'run_id, run_name, name, status, start_time, end_time, updated_time, user_id, user, experiment, host, git_commit, git_branch, artifact_count';

export function prefixKind(prefix: string): FilterKeyKind | undefined {
  return PREFIXES.get(prefix.toLowerCase());
}

/** What a filter searches: its attributes by every name they have, and those names for messages. */
export interface Grammar {
  readonly attributes: ReadonlyMap<
    string,
    readonly [RunAttribute | LoggedModelAttribute, AttributeType]
  >;
  readonly names: string;
}

/** Runs (MLflow's `search_runs` and trove's own columns). */
export const RUN_GRAMMAR: Grammar = { attributes: ATTRIBUTES, names: ATTRIBUTE_NAMES };

/** Logged models (MLflow 3's `search_logged_models`, its attribute names and their aliases). */
export const LOGGED_MODEL_GRAMMAR: Grammar = {
  attributes: new Map<string, readonly [LoggedModelAttribute, AttributeType]>([
    ['model_id', ['model_id', 'string']],
    ['name', ['name', 'string']],
    ['model_type', ['model_type', 'string']],
    ['source_run_id', ['source_run_id', 'string']],
    ['experiment_id', ['experiment_id', 'string']],
    ['creation_time', ['creation_time', 'time']],
    ['creation_timestamp', ['creation_time', 'time']],
    ['last_updated_timestamp', ['last_updated_time', 'time']],
    ['last_updated_time', ['last_updated_time', 'time']],
  ]),
  names:
    'model_id, name, model_type, source_run_id, experiment_id, creation_time, creation_timestamp, last_updated_timestamp',
};

/**
 * MLflow's run statuses and trove's own, to trove's. trove has no SCHEDULED run: a scheduled one
 * is running.
 */
const STATUSES: ReadonlyMap<string, string> = new Map([
  ['FINISHED', 'completed'],
  ['FAILED', 'failed'],
  ['KILLED', 'killed'],
  ['RUNNING', 'running'],
  ['SCHEDULED', 'running'],
  ['completed', 'completed'],
  ['failed', 'failed'],
  ['killed', 'killed'],
  ['running', 'running'],
]);

export const STATUS_NAMES =
  'FINISHED, FAILED, KILLED, RUNNING, SCHEDULED, completed, failed, killed, running';

export function troveStatus(name: string): string | undefined {
  return STATUSES.get(name);
}

/** trove's status as MLflow names it, for ordering as MLflow does. */
export const MLFLOW_STATUS: Readonly<Record<string, string>> = {
  completed: 'FINISHED',
  failed: 'FAILED',
  killed: 'KILLED',
  running: 'RUNNING',
};

const ISO_DATE =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * Epoch milliseconds of an ISO 8601 date or date-time; a time without an offset is UTC (never
 * the machine's zone, so a filter means the same everywhere). Undefined when it is not one.
 */
export function isoMillis(text: string): number | undefined {
  const parts = ISO_DATE.exec(text);
  if (!parts) return undefined;
  const ms = Date.parse(`${parts[1]}T${parts[2] ?? '00:00'}${parts[3] ?? 'Z'}`);
  return Number.isFinite(ms) ? ms : undefined;
}
