/**
 * The rows of trove's tables, made from a run folder (the source of truth; the tables are
 * derived from it and can always be rebuilt). Column names are snake_case, as SQL users and
 * every Delta reader expect; values are what the records hold, in the tables' types.
 */
import type { RunContents } from '../record/run-folder.js';

export interface RunRow {
  run_id: string;
  name: string;
  experiment: string | null;
  status: string;
  start_time: Date;
  end_time: Date | null;
  user: string | null;
  host: string | null;
  git_commit: string | null;
  git_branch: string | null;
  tags: Record<string, string>;
  /** Each param as text: strings as they are, anything else as JSON (MLflow keeps `str(value)`). */
  params: Record<string, string>;
  /** The latest value of each numeric summary entry (what `logMetric` keeps). */
  metrics: Record<string, number>;
  artifact_count: number;
  updated_time: Date;
}

export interface ArtifactRow {
  run_id: string;
  path: string;
  name: string;
  type: string | null;
  md5: string;
  size: number;
  nfiles: number | null;
  step: number | null;
  labels: string[];
  meta: string | null;
  logged_at: Date;
}

export interface LineageTableRow {
  run_id: string;
  /** `input`, `output` or `reference`. */
  direction: string;
  name: string;
  kind: string;
  path: string;
  md5: string | null;
  timestamp: Date;
}

export interface MetricRow {
  run_id: string;
  name: string;
  step: number | null;
  timestamp: Date;
  value: number;
}

/**
 * The tags the MLflow dialect (and users who want one) name an experiment by, first found wins;
 * the runs table's `experiment` column holds it.
 */
export const EXPERIMENT_TAGS = ['mlflow.experimentName', 'experiment'] as const;

export function runRow(contents: RunContents, updated: Date = new Date()): RunRow {
  const { record } = contents;
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(record.params ?? {})) params[key] = paramText(value);
  const metrics: Record<string, number> = {};
  for (const [key, value] of Object.entries(record.summary ?? {})) {
    if (typeof value === 'number' && Number.isFinite(value)) metrics[key] = value;
  }
  const tags = { ...(record.tags ?? {}) };
  return {
    run_id: record.id,
    name: record.name,
    experiment: EXPERIMENT_TAGS.map((t) => tags[t]).find((v) => v !== undefined) ?? null,
    status: record.status,
    start_time: new Date(record.startTime),
    end_time: record.endTime === undefined ? null : new Date(record.endTime),
    user: record.host?.user ?? null,
    host: record.host?.hostname ?? null,
    git_commit: record.git?.commit ?? null,
    git_branch: record.git?.branch ?? null,
    tags,
    params,
    metrics,
    artifact_count: Object.keys(contents.artifacts).length,
    updated_time: updated,
  };
}

/** A param's text, as search compares it: strings as they are, other values as JSON. */
function paramText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}

export function artifactRows(contents: RunContents): ArtifactRow[] {
  return Object.values(contents.artifacts).map((a) => ({
    run_id: contents.record.id,
    path: a.path,
    name: a.name,
    type: a.type ?? null,
    md5: a.md5,
    size: a.size,
    nfiles: a.nfiles ?? null,
    step: a.step ?? null,
    labels: a.labels ?? [],
    meta: a.meta === undefined ? null : JSON.stringify(a.meta),
    logged_at: new Date(a.loggedAt),
  }));
}

export function lineageRows(contents: RunContents): LineageTableRow[] {
  return contents.lineage.map((row) => {
    const md5 = row.summary?.md5;
    return {
      run_id: contents.record.id,
      // An input is an input whether its bytes were stored or only pointed at (`logInput`, an
      // input reference): the lineage graph walks inputs one way, outputs and references the other.
      direction: row.isInput ? 'input' : row.isRef ? 'reference' : 'output',
      name: row.name,
      kind: row.kind,
      path: row.path,
      md5: typeof md5 === 'string' ? md5 : null,
      timestamp: new Date(row.timestamp),
    };
  });
}

/**
 * Appends `items` to `target` one by one: `target.push(...items)` passes every item as an
 * argument and throws a RangeError past about 120,000 (a long run's metric values, a compacted
 * file's rows).
 */
export function pushAll<T>(target: T[], items: Iterable<T>): void {
  for (const item of items) target.push(item);
}

/**
 * Appends `item` to the group of `key`: a copy of the group at each step (`[...group, item]`)
 * costs time quadratic in the group's size (an artifact name's versions, a run's expired files).
 */
export function groupInto<K, V>(groups: Map<K, V[]>, key: K, item: V): void {
  const group = groups.get(key);
  if (group) group.push(item);
  else groups.set(key, [item]);
}
