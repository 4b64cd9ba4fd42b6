/**
 * `compareData(store, runIds)`: what the compare view (and `trove report --compare`) shows of
 * 2–100 runs: their records, params and summary side by side with the differences marked, and
 * the names of what can be put side by side (metrics, images, plots, text files).
 */
import { posix } from 'node:path';
import { type RunRecord, type Store, TroveError } from '@trove/core';
import { imageNames } from './images.js';
import { plotNames } from './plots.js';
import { readRunArtifacts } from './run-files.js';

export interface CompareRow {
  key: string;
  /** Each run's value (in the order of `runs`); null where a run has none. */
  values: unknown[];
  differs: boolean;
}

export interface CompareData {
  runs: RunRecord[];
  params: CompareRow[];
  summary: CompareRow[];
  metricKeys: string[];
  imageNames: string[];
  plotNames: string[];
  textPaths: string[];
}

export const MIN_COMPARE = 2;
export const MAX_COMPARE = 100;
const TEXT_FILES = new Set(['txt', 'json', 'yaml', 'yml', 'md', 'csv', 'tsv', 'log', 'toml', 'py']);

/**
 * The data of the compare view. Run ids may be unique prefixes.
 *
 * @example
 * const data = await compareData(store, ['0193a1', '0193b2']);
 * data.params.filter((p) => p.differs);
 */
export async function compareData(store: Store, runIds: readonly string[]): Promise<CompareData> {
  if (runIds.length < MIN_COMPARE || runIds.length > MAX_COMPARE) {
    throw new TroveError(
      'INVALID_ARGUMENT',
      `Compare takes ${MIN_COMPARE}–${MAX_COMPARE} runs, not ${runIds.length}.`,
    );
  }
  const ids = await Promise.all(runIds.map((id) => store.resolveRunId(id)));
  // each run's records and listings read once: every list below is made from them
  const [runs, artifacts, metricFiles] = await Promise.all([
    Promise.all(ids.map((id) => store.readRun(id))),
    readRunArtifacts(store, ids),
    Promise.all(ids.map((id) => store.listEventFiles(id, 'metric'))),
  ]);
  const metricKeys = new Set(metricFiles.flat().map((file) => file.name));
  const textPaths = new Set<string>();
  for (const a of artifacts.flatMap((r) => Object.values(r.artifacts))) {
    const ext = posix.extname(a.path).slice(1).toLowerCase();
    if (a.cached && !a.isdir && a.type !== 'plot' && TEXT_FILES.has(ext)) textPaths.add(a.path);
  }
  return {
    runs,
    params: sideBySide(runs.map((r) => r.params ?? {})),
    summary: sideBySide(runs.map((r) => r.summary ?? {})),
    metricKeys: [...metricKeys].sort(),
    imageNames: imageNames(artifacts),
    plotNames: await plotNames(artifacts),
    textPaths: [...textPaths].sort(),
  };
}

/** One row per key any run has; `differs` when the runs' values are not all the same. */
function sideBySide(maps: readonly Record<string, unknown>[]): CompareRow[] {
  const keys = [...new Set(maps.flatMap((m) => Object.keys(m)))].sort();
  return keys.map((key) => {
    const values = maps.map((m) => (key in m ? (m[key] ?? null) : null));
    const first = JSON.stringify(values[0]);
    return { key, values, differs: values.some((v) => JSON.stringify(v) !== first) };
  });
}
