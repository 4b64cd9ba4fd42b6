/**
 * MLflow's fluent API (`mlflow.start_run`, `log_param`, `log_artifact`, …) on trove runs. Paths
 * are MLflow's (`log_artifact(p, "plots")` → `plots/<basename>`, no `outputs/`), and nothing is
 * written into the user's folders: no `.dvc`, no `.gitignore`, no dvc.yaml.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, posix, resolve } from 'node:path';
import { type Run, resumeRun, TroveError } from '@trove/core';
import {
  endAfter,
  eventsOf,
  isModelId,
  logArtifactAs,
  MODEL_METRIC_DIR,
  pyJsonDumps,
  recordValue,
  validateEventName,
  validateStep,
} from '@trove/core/dialect';
import {
  activeOrStart,
  activeRun,
  current,
  currentStore,
  onActiveRun,
  openRun,
  queuedCalls,
  type StartRunOptions,
  settleWaiting,
} from './active-runs.js';
import {
  type DownloadArtifactsOptions,
  downloadRunArtifacts,
  type FileInfo,
  listRunArtifacts,
} from './artifacts.js';
import { describeValue } from './describe-value.js';
import { type LogModelOptions, logLoggedModel, type ModelInfo } from './log-model.js';
import { safeDumpYaml } from './model/mlmodel.js';
import { mlflowParamValue } from './param-value.js';

export type MlflowRunStatus = 'FINISHED' | 'FAILED' | 'KILLED';

const TROVE_STATUS = { FINISHED: 'completed', FAILED: 'failed', KILLED: 'killed' } as const;

/**
 * `start_run`. With `fn`, the run is `with mlflow.start_run():` — it ends FINISHED when `fn`
 * resolves, FAILED when it throws (the error is thrown again), and is no longer active either way.
 * Without, the run stays active until `endRun()` (or `await using`, which ends it FINISHED even
 * when the block throws: a disposer is not told of the error) or the process exits.
 *
 * @example
 * await mlflow.startRun({ runName: 'train' }, async (run) => {
 *   mlflow.logParam('lr', 0.01);
 * });
 */
export function startRun(options?: StartRunOptions): Promise<Run>;
export function startRun<T>(options: StartRunOptions, fn: (run: Run) => Promise<T>): Promise<T>;
export function startRun<T>(
  options: StartRunOptions = {},
  fn?: (run: Run) => Promise<T>,
): Promise<Run | T> {
  return fn === undefined ? openRun(options) : withRun(options, fn);
}

/** `startRun(options, fn)`: `fn` in a new active run, FAILED if it throws, FINISHED otherwise. */
export function withRun<T>(options: StartRunOptions, fn: (run: Run) => Promise<T>): Promise<T> {
  return endAfter(
    'withRun',
    () => openRun(options),
    fn,
    (run, status) => run.end(status),
  );
}

/** Ends the active run (`FINISHED` → completed, `FAILED` → failed, `KILLED` → killed). */
export async function endRun(status: MlflowRunStatus = 'FINISHED'): Promise<void> {
  const ends = TROVE_STATUS[status];
  if (ends === undefined)
    throw new TroveError(
      'INVALID_ARGUMENT',
      `Unknown run status ${JSON.stringify(status)}: FINISHED, FAILED or KILLED.`,
    );
  // Calls waiting for an auto-started run land in it first; the first that failed is thrown
  // once the run has ended (as the kernel's end() reports a failed log call).
  let failed: { error: unknown } | undefined;
  await settleWaiting().catch((error: unknown) => {
    failed = { error };
  });
  await activeRun()?.end(failed ? 'failed' : ends);
  if (failed) throw failed.error;
}

/**
 * Runs `fn` on the active run (started now when there is none, as MLflow does), or on `runId`
 * (resumed for the call, then ended again).
 */
async function onRun<T>(runId: string | undefined, fn: (run: Run) => Promise<T>): Promise<T> {
  const run = activeRun();
  if (runId === undefined || run?.id === runId) return fn(await activeOrStart());
  const other = await resumeRun(runId, { store: await currentStore(), dvcyaml: false });
  try {
    return await fn(other);
  } finally {
    await other.end();
  }
}

/**
 * `log_param`. What JSON can hold is recorded as given (a BigInt as a number, or its text when
 * past 2^53); what it cannot (a function, a symbol, a value containing itself) is recorded as
 * its text, as MLflow records `str(value)`, instead of being refused.
 */
export const logParam = (key: string, value: unknown): void => {
  // An empty name is refused by logParams.
  if (typeof key !== 'string')
    throw new TroveError('INVALID_NAME', `A param name is a non-empty string, not ${String(key)}.`);
  logParams({ [key]: value });
};
export const logParams = (params: Record<string, unknown>): void => {
  if (typeof params !== 'object' || params === null || Array.isArray(params))
    throw new TroveError('INVALID_ARGUMENT', 'params must be a mapping of names to values.');
  const values = Object.fromEntries(
    Object.entries(params).map(([k, v]) => {
      if (k.trim() === '') throw new TroveError('INVALID_NAME', 'A param name cannot be empty.');
      // Checked now (mlflowParamValue gives what a record holds), so a call that waits for its
      // run to start cannot fail later.
      return [k, mlflowParamValue(v, k)];
    }),
  );
  onActiveRun((run) => run.logParams(values));
};
export const setTag = (key: string, value: unknown): void => setTags({ [key]: value });
export const setTags = (tags: Record<string, unknown>): void => {
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags))
    throw new TroveError('INVALID_ARGUMENT', 'tags must be a mapping of names to values.');
  onActiveRun((run) => run.setTags(tags));
};

export interface LogMetricOptions {
  /** Links the value to this logged model too (MLflow 3's `model_id`): its `metrics` show it. */
  modelId?: string;
}

/** `log_metric`: into the active run's history (and, with `modelId`, the logged model's). */
export function logMetric(
  key: string,
  value: number,
  step?: number,
  options: LogMetricOptions = {},
): void {
  const { modelId } = options;
  if (modelId !== undefined && (typeof modelId !== 'string' || !isModelId(modelId)))
    throw new TroveError(
      'INVALID_ARGUMENT',
      `modelId ${JSON.stringify(modelId)} is not a logged model's id (m-<32 hex digits>).`,
    );
  // Checked here, so that a call that waits for its run to start cannot fail later.
  validateEventName('metric', key);
  if (typeof value !== 'number')
    throw new TroveError('INVALID_ARGUMENT', `Metric ${key} must be a number.`);
  validateStep(step);
  onActiveRun((run) => {
    run.logMetric(key, value, step === undefined ? {} : { step });
    if (modelId !== undefined) {
      eventsOf(run).add('metric', `${modelId}/${key}`, step ?? run.step, value, {
        dir: MODEL_METRIC_DIR,
      });
    }
  });
}

export function logMetrics(
  metrics: Record<string, number>,
  step?: number,
  options: LogMetricOptions = {},
): void {
  for (const [key, value] of Object.entries(metrics)) logMetric(key, value, step, options);
}

/**
 * A dataset as `logInput` takes it (MLflow's `mlflow.data.Dataset`): where the data is (a local
 * path or an `s3://`, `gs://`, `az://` URI), a name, and optionally its schema and profile. The
 * digest is trove's own (md5, ETag or generation), taken when it is logged.
 */
export interface Dataset {
  source: string;
  name?: string;
  schema?: Record<string, unknown>;
  profile?: Record<string, unknown>;
}

/**
 * `log_input(dataset, context)`: the dataset as an input of the active run (`run.logInput`; one
 * is started when none is active), so lineage knows what the run read and a later use can tell
 * the data changed.
 */
export async function logInput(dataset: Dataset, context?: string): Promise<void> {
  if (typeof dataset !== 'object' || dataset === null || typeof dataset.source !== 'string') {
    throw new TroveError(
      'INVALID_ARGUMENT',
      'logInput takes a dataset: { source, name?, schema?, profile? }.',
    );
  }
  // MLflow's log_input starts a run when none is active, as every log call does.
  await (await activeOrStart()).logInput(dataset.source, {
    ...(dataset.name !== undefined ? { name: dataset.name } : {}),
    ...(context !== undefined ? { context } : {}),
    ...(dataset.schema !== undefined ? { schema: dataset.schema } : {}),
    ...(dataset.profile !== undefined ? { profile: dataset.profile } : {}),
  });
}

function artifactDir(artifactPath: string | undefined): string {
  return (artifactPath ?? '').replace(/^\/+|\/+$/g, '');
}

/** `log_artifact`: the file (or folder) goes to `<artifactPath>/<basename>`. */
export async function logArtifact(
  localPath: string,
  artifactPath?: string,
  runId?: string,
): Promise<void> {
  localPathOf(localPath, 'logArtifact');
  await onRun(runId, async (run) => {
    const source = resolve(run.cwd, localPath);
    const path = posix.join(artifactDir(artifactPath), basename(source));
    await logArtifactAs(run, source, {}, { path });
  });
}

/**
 * `log_artifacts`: the folder's contents go under `<artifactPath>/`, stored as one directory
 * (files uploaded concurrently); without `artifactPath`, each top-level entry is its own artifact.
 */
export async function logArtifacts(
  localDir: string,
  artifactPath?: string,
  runId?: string,
): Promise<void> {
  localPathOf(localDir, 'logArtifacts');
  await onRun(runId, async (run) => {
    const source = resolve(run.cwd, localDir);
    if (!statSync(source, { throwIfNoEntry: false })?.isDirectory())
      throw new TroveError('NOT_FOUND', `${source} is not a folder.`, { key: source });
    const dir = artifactDir(artifactPath);
    if (dir !== '') {
      await logArtifactAs(run, source, {}, { path: dir });
      return;
    }
    await Promise.all(
      readdirSync(source).map((entry) =>
        logArtifactAs(run, join(source, entry), {}, { path: entry }),
      ),
    );
  });
}

/**
 * A local path argument: a non-empty string. A model object (MLflow's `log_model(model)` habit)
 * or anything else is refused with a word on what is wanted, before a run is started.
 */
function localPathOf(value: unknown, call: string): string {
  if (typeof value === 'string' && value !== '') return value;
  throw new TroveError(
    'INVALID_ARGUMENT',
    `${call} takes the path of a local file or folder, not ${describeValue(value)}: save it to a file first and pass the file's path.`,
  );
}

async function logTempFile(text: string, artifactFile: string, runId?: string): Promise<void> {
  if (typeof text !== 'string')
    throw new TroveError('INVALID_ARGUMENT', `logText takes a string, not ${typeof text}.`);
  if (typeof artifactFile !== 'string')
    throw new TroveError('INVALID_ARGUMENT', 'artifactFile must be a path in the run (a string).');
  const path = artifactDir(artifactFile);
  if (path === '' || path.endsWith('/'))
    throw new TroveError(
      'INVALID_PATH',
      `artifactFile ${JSON.stringify(artifactFile)} names no file.`,
    );
  const tmp = mkdtempSync(join(tmpdir(), 'trove-text-'));
  try {
    const file = join(tmp, posix.basename(path));
    writeFileSync(file, text);
    await onRun(runId, (run) => logArtifactAs(run, file, {}, { path }));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** `log_text`: the text as the file `artifactFile` in the run. */
export function logText(text: string, artifactFile: string, runId?: string): Promise<void> {
  return logTempFile(text, artifactFile, runId);
}

/** `log_dict`: JSON (`indent=2`), or YAML for `.yaml`/`.yml` files, as MLflow writes them. */
export function logDict(
  dictionary: Record<string, unknown>,
  artifactFile: string,
  runId?: string,
): Promise<void> {
  // json.dumps and yaml.safe_dump refuse a function or a cycle (here it would be a RangeError).
  recordValue(dictionary, 'dictionary');
  const yaml = /\.ya?ml$/.test(artifactFile);
  const text = yaml ? safeDumpYaml(dictionary) : pyJsonDumps(dictionary, { indent: 2 });
  return logTempFile(text, artifactFile, runId);
}

/** `list_artifacts`: one level of the run's artifacts under `path`. */
export async function listArtifacts(runId?: string, path?: string): Promise<FileInfo[]> {
  const store = await currentStore();
  const id = runId === undefined ? current().id : await store.resolveRunId(runId);
  if (runId === undefined) await current().flush();
  return listRunArtifacts(store, id, path);
}

/** `download_artifacts`: returns the local path of what was downloaded. */
export async function downloadArtifacts(options: DownloadArtifactsOptions): Promise<string> {
  return downloadRunArtifacts(await currentStore(), options);
}

/**
 * `log_model` for a saved model file or folder (see `LogModelOptions`): a logged model of the
 * active run, or, with none, of no run (as MLflow 3 does; no run is started).
 */
export async function logModel(path: string, options: LogModelOptions = {}): Promise<ModelInfo> {
  await queuedCalls();
  const run = activeRun();
  if (run) return logLoggedModel({ run }, path, options);
  return logLoggedModel({ store: await currentStore(), cwd: process.cwd() }, path, options);
}

export { activeRun, type StartRunOptions };
