/**
 * MLflow's fluent API (`mlflow.start_run`, `log_param`, `log_artifact`, …) on trove runs. Paths
 * are MLflow's (`log_artifact(p, "plots")` → `plots/<basename>`, no `outputs/`), and nothing is
 * written into the user's folders: no `.dvc`, no `.gitignore`, no dvc.yaml.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, posix, resolve } from 'node:path';
import {
  openStore,
  type Run,
  resumeRun,
  type Store,
  startRun as startCoreRun,
  TroveError,
} from '@trove/core';
import { logArtifactAs, pyJsonDumps, recordValue } from '@trove/core/dialect';
import {
  type DownloadArtifactsOptions,
  downloadRunArtifacts,
  type FileInfo,
  listRunArtifacts,
} from './artifacts.js';
import { activeExperiment, experimentTags } from './experiments.js';
import { type LogModelOptions, logRunModel, type ModelInfo } from './log-model.js';
import { safeDumpYaml } from './model/mlmodel.js';
import { mlflowParamValue } from './param-value.js';

export interface StartRunOptions {
  /** Continue this run instead of starting one. */
  runId?: string;
  runName?: string;
  /** The experiment of a new run (MLflow's `experiment_id`); default: `setExperiment`'s, else `0`. */
  experimentId?: string;
  tags?: Record<string, unknown>;
  /** Start inside the active run (MLflow's `nested=True`); otherwise one active run at a time. */
  nested?: boolean;
  /** A store, or a store's name in `trove.yaml`; defaults to the project's store. */
  store?: Store | string;
  cwd?: string;
}

export type MlflowRunStatus = 'FINISHED' | 'FAILED' | 'KILLED';

const active: Run[] = [];
let lastStore: Store | undefined;

export async function startRun(options: StartRunOptions = {}): Promise<Run> {
  if (active.length > 0 && !options.nested) {
    throw new TroveError(
      'INVALID_ARGUMENT',
      `Run ${active.at(-1)?.id} is already active; end it first or pass nested: true.`,
    );
  }
  const tags = Object.fromEntries(
    Object.entries(options.tags ?? {}).map(([k, v]) => [k, String(v)]),
  );
  const common = {
    ...(options.store !== undefined ? { store: options.store } : {}),
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    dvcyaml: false as const,
  };
  const run =
    options.runId !== undefined
      ? await resumeRun(options.runId, common)
      : await startCoreRun({
          ...common,
          ...(options.runName ? { name: options.runName } : {}),
          tags: {
            ...experimentTags(options.experimentId ?? activeExperiment().experiment_id),
            ...tags,
          },
        });
  if (options.runId !== undefined && Object.keys(tags).length > 0) run.setTags(tags);
  active.push(run);
  lastStore = run.store;
  return run;
}

export function activeRun(): Run | undefined {
  return active.at(-1);
}

/** Ends the active run (`FINISHED` → completed; `FAILED`/`KILLED` → failed). */
export async function endRun(status: MlflowRunStatus = 'FINISHED'): Promise<void> {
  const run = active.pop();
  if (run) await run.end(status === 'FINISHED' ? 'completed' : 'failed');
}

function current(): Run {
  const run = active.at(-1);
  if (!run) throw new TroveError('RUN_ENDED', 'No active run: call startRun() first.');
  return run;
}

/** Saves what the active runs logged, so that a search sees it (MLflow's calls are durable). */
export async function flushActiveRuns(): Promise<void> {
  await Promise.all(active.map((run) => run.flush()));
}

/** The store of the active or last run, else the project's store. */
export async function currentStore(): Promise<Store> {
  lastStore ??= active.at(-1)?.store ?? (await openStore());
  return lastStore;
}

/** Runs `fn` on the active run, or on `runId` (resumed for the call, then ended again). */
async function onRun<T>(runId: string | undefined, fn: (run: Run) => Promise<T>): Promise<T> {
  const run = active.at(-1);
  if (runId === undefined || run?.id === runId) return fn(current());
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
export const logParam = (key: string, value: unknown): void =>
  current().logParam(key, mlflowParamValue(value, key));
export const logParams = (params: Record<string, unknown>): void => {
  const run = current();
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    run.logParams(params); // the kernel's refusal
    return;
  }
  run.logParams(
    Object.fromEntries(Object.entries(params).map(([k, v]) => [k, mlflowParamValue(v, k)])),
  );
};
export const setTag = (key: string, value: unknown): void => current().setTags({ [key]: value });
export const setTags = (tags: Record<string, unknown>): void => current().setTags(tags);

export function logMetric(key: string, value: number, step?: number): void {
  current().logMetric(key, value, step === undefined ? {} : { step });
}

export function logMetrics(metrics: Record<string, number>, step?: number): void {
  for (const [key, value] of Object.entries(metrics)) logMetric(key, value, step);
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
 * `log_input(dataset, context)`: the dataset as an input of the active run (`run.logInput`), so
 * lineage knows what the run read and a later use can tell the data changed.
 */
export async function logInput(dataset: Dataset, context?: string): Promise<void> {
  if (typeof dataset !== 'object' || dataset === null || typeof dataset.source !== 'string') {
    throw new TroveError(
      'INVALID_ARGUMENT',
      'logInput takes a dataset: { source, name?, schema?, profile? }.',
    );
  }
  await current().logInput(dataset.source, {
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

async function logTempFile(text: string, artifactFile: string, runId?: string): Promise<void> {
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

/** `log_model` for a saved model file or folder (see `LogModelOptions`). */
export function logModel(path: string, options: LogModelOptions = {}): Promise<ModelInfo> {
  return logRunModel(current(), path, options);
}
