/**
 * `@trove/polyaxon`: Polyaxon's tracking client on trove. A script written for
 * `polyaxon.tracking` keeps its shape: `init()`, `getOutputsPath()`, `logArtifact()`,
 * `logModel()`, `logCurve()`, the `log*Ref` family, `end()`, with the client's folder layout,
 * names and events files, stored on any of trove's stores.
 *
 * @example
 * import * as tracking from '@trove/polyaxon';
 * await tracking.init({ name: 'train' });
 * const path = tracking.getOutputsPath('model/model.h5');
 * // … save the model at `path` …
 * await tracking.logArtifact({ path: 'data.tar.gz', kind: 'dataframe', step: 3 });
 * await tracking.end(); // outputs/model/model.h5 is stored with the run
 */

import type { ArtifactRecord, LineageRow, RunStatus } from '@trove/core';
import { TroveError } from '@trove/core';
import { endAfter, onRunEnded } from '@trove/core/dialect';
import type {
  InitOptions,
  LogArtifactOptions,
  LogCurveOptions,
  LogMetricOptions,
  LogModelOptions,
  LogModelRefOptions,
  LogRefOptions,
  PathOptions,
} from './options.js';
import { PolyaxonRun } from './tracking-run.js';

export { ARTIFACT_KINDS, type ArtifactKind } from './kinds.js';
export type {
  InitOptions,
  LogArtifactOptions,
  LogCurveOptions,
  LogMetricOptions,
  LogModelOptions,
  LogModelRefOptions,
  LogRefOptions,
  PathOptions,
} from './options.js';
export { PolyaxonRun };

let current: PolyaxonRun | undefined;

/**
 * Starts a run and makes it the one the module's functions log to (`tracking.init`). With `fn`,
 * the run ends when `fn` settles: succeeded, or failed when `fn` throws (the error is thrown
 * again), as the client's exit hooks record it; no run is current afterwards either way.
 *
 * @example
 * await tracking.init({ name: 'train' }, async () => {
 *   tracking.logMetric('loss', 0.1, { step: 1 });
 * });
 */
export function init(options?: InitOptions): Promise<PolyaxonRun>;
export function init<T>(options: InitOptions, fn: (run: PolyaxonRun) => Promise<T>): Promise<T>;
export async function init<T>(
  options: InitOptions = {},
  fn?: (run: PolyaxonRun) => Promise<T>,
): Promise<PolyaxonRun | T> {
  const start = async () => {
    const run = await PolyaxonRun.start(options);
    current = run;
    // However the run ends (end(), await using, the process leaving), it is no longer current.
    onRunEnded(run.run, () => {
      if (current === run) current = undefined;
    });
    return run;
  };
  if (fn === undefined) return start();
  return endAfter('init(options, fn)', start, fn, (run, status) => run.end(status));
}

/** The run `init()` started, if any. */
export function getRun(): PolyaxonRun | undefined {
  return current;
}

function active(): PolyaxonRun {
  if (!current) {
    throw new TroveError('NOT_FOUND', 'No Polyaxon run: call init() first.', {
      hint: "import * as tracking from '@trove/polyaxon'; await tracking.init();",
    });
  }
  return current;
}

export function getArtifactsPath(relPath?: string, options?: PathOptions): string {
  return active().getArtifactsPath(relPath, options);
}

export function getOutputsPath(relPath?: string, options?: PathOptions): string {
  return active().getOutputsPath(relPath, options);
}

export function logArtifact(
  pathOrOptions: string | LogArtifactOptions,
  options?: Omit<LogArtifactOptions, 'path'>,
): Promise<ArtifactRecord> {
  return active().logArtifact(pathOrOptions, options);
}

export function logModel(
  pathOrOptions: string | LogModelOptions,
  options?: Omit<LogModelOptions, 'path'>,
): Promise<ArtifactRecord> {
  return active().logModel(pathOrOptions, options);
}

export function logMetric(name: string, value: number, options?: LogMetricOptions): void {
  active().logMetric(name, value, options);
}

export function logMetrics(metrics: Record<string, number>, options?: LogMetricOptions): void {
  active().logMetrics(metrics, options);
}

export function logCurve(
  name: string,
  x: readonly number[],
  y: readonly number[],
  options?: LogCurveOptions,
): void {
  active().logCurve(name, x, y, options);
}

type RefCall = (
  pathOrOptions: string | LogRefOptions,
  options?: Omit<LogRefOptions, 'path'>,
) => Promise<LineageRow>;

const refCall =
  (method: 'logArtifactRef' | 'logFileRef' | 'logDirRef'): RefCall =>
  (pathOrOptions, options) =>
    active()[method](pathOrOptions, options);

/** Lineage only (`log_artifact_ref`); `kind` defaults to `file`. */
export const logArtifactRef: RefCall = refCall('logArtifactRef');
/** A file reference (kind `file`). */
export const logFileRef: RefCall = refCall('logFileRef');
/** A folder reference (kind `dir`), named by the folder's whole name by default. */
export const logDirRef: RefCall = refCall('logDirRef');

export function logModelRef(
  pathOrOptions: string | LogModelRefOptions,
  options?: Omit<LogModelRefOptions, 'path'>,
): Promise<LineageRow> {
  return active().logModelRef(pathOrOptions, options);
}

export function logDataRef(options: LogRefOptions & { name: string }): Promise<LineageRow> {
  return active().logDataRef(options);
}

export function logCodeRef(options?: {
  codeRef?: Record<string, unknown>;
  isInput?: boolean;
}): Promise<LineageRow | undefined> {
  return active().logCodeRef(options);
}

/** Waits for pending calls and writes what is buffered (events). */
export function flush(): Promise<void> {
  return active().flush();
}

/** Ends the current run (`tracking.end`): stores what is under `outputs/`, records the status. */
export async function end(status?: Exclude<RunStatus, 'running'>): Promise<void> {
  const run = active();
  try {
    await run.end(status);
  } finally {
    if (current === run) current = undefined;
  }
}
