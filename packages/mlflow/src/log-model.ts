/**
 * `logModel` (MLflow 3's `log_model`) for a model the user already saved (an ONNX file, a
 * safetensors file, a TF.js folder, a pickle). trove writes MLflow's model directory around it in a
 * temporary folder and records it as a **logged model** `m-<id>`, as MLflow 3 does: stored apart
 * from the run's artifacts (so the run's `listArtifacts` does not show it), with its own document
 * (name, params, tags, model type, step, source run), found by `models:/m-<id>` and by
 * `runs:/<run>/<name>`. Without a run it is a model of no run. A version is registered when
 * `registeredModelName` is given. Everything is checked before the first write.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { openRegistry, type Run, type Store, TroveError } from '@trove/core';
import {
  assertActive,
  logModelDir,
  newModelId,
  statArtifactPath,
  validateModelName,
  validateStep,
} from '@trove/core/dialect';
import { describeValue } from './describe-value.js';
import { activeExperiment, experimentIdOfTags } from './experiments.js';
import {
  checkModelDirOptions,
  MLFLOW_VERSION,
  type ModelDirOptions,
  pyUtcNow,
  writeModelDir,
} from './model/mlmodel.js';
import { signatureDict } from './model/signature.js';
import type { ModelMetricInfo } from './model-metrics.js';

export interface LogModelOptions extends ModelDirOptions {
  /** The logged model's name (MLflow 3's `name`, default `model`): no `/`, `:`, `.`, `%` or quotes. */
  name?: string;
  params?: Record<string, unknown>;
  tags?: Record<string, unknown>;
  modelType?: string;
  /** The step of the run the model was saved at (recorded; MLflow 3's `step`). */
  step?: number;
  /** Registers the model as the next version of this registered model. */
  registeredModelName?: string;
}

/** What `logModel` returns: MLflow 3's `ModelInfo`, its fields in camelCase. */
export interface ModelInfo {
  /** `models:/<modelId>`, as MLflow 3 returns it; `runs:/<run>/<name>` names it too. */
  modelUri: string;
  /** `m-<hex>`. */
  modelId: string;
  modelUuid: string;
  name: string;
  /** Where the model's files are: `models:/<modelId>` (MLflow 3: the logged model's artifact location). */
  artifactPath: string;
  /** The run that logged it; null for a model logged without a run. */
  runId: string | null;
  flavors: Record<string, unknown>;
  /** As `MLmodel` holds it: schemas as JSON strings. */
  signature?: Record<string, string | null>;
  savedInputExampleInfo?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  utcTimeCreated: string;
  /** Epoch milliseconds. */
  creationTimestamp: number;
  /** The MLflow version whose model format trove writes. */
  mlflowVersion: string;
  /** Environment variables the model needs at inference (MLflow records them when it finds any). */
  envVars: string[] | null;
  /** The metrics linked to the model so far (none at logging, as in MLflow 3). */
  metrics: ModelMetricInfo[];
  /** The model's params and the run's, as text (MLflow 3's logged model params). */
  params: Record<string, string>;
  tags: Record<string, string>;
  modelType?: string;
  step: number;
  registeredModelVersion: number | null;
  /** The md5 of the model directory's `.dir` manifest. */
  md5: string;
}

/** `logModel` into a core `Run` (`startRun` of `@trove/core`). */
export function logRunModel(
  run: Run,
  path: string,
  options: LogModelOptions = {},
): Promise<ModelInfo> {
  return logLoggedModel({ run }, path, options);
}

/**
 * A logged model, of `run` or of none (then stored in `store`, found from `cwd`). The common
 * path of `logRunModel` and the fluent `logModel`.
 */
export async function logLoggedModel(
  where: { run: Run } | { store: Store; cwd: string },
  path: string,
  options: LogModelOptions = {},
): Promise<ModelInfo> {
  const run = 'run' in where ? where.run : undefined;
  if (run) assertActive(run);
  const { store, cwd } = 'run' in where ? where.run : where;
  if (typeof path !== 'string' || path === '')
    throw new TroveError(
      'INVALID_ARGUMENT',
      `logModel takes the path of a saved model, not ${describeValue(path)}: save the model (e.g. to model.onnx) and pass its path.`,
    );
  const source = resolve(cwd, path);
  statArtifactPath(source);
  const name = checkName(options.name ?? 'model');
  const registeredName =
    options.registeredModelName === undefined
      ? undefined
      : validateModelName(options.registeredModelName);
  const step = validateStep(options.step) ?? 0;
  const given = textMap('params', options.params);
  const tags = { ...contextTags(), ...textMap('tags', options.tags) };
  if (options.modelType !== undefined && typeof options.modelType !== 'string')
    throw new TroveError('INVALID_ARGUMENT', 'modelType must be a string.');
  const prep = checkModelDirOptions(source, options);
  // MLflow 3: the model's params and then the run's (the run's win on a clash).
  const params = { ...given, ...(run ? textMap('run params', run.params) : {}) };

  const modelId = newModelId();
  const utcTimeCreated = pyUtcNow();
  const creationTimestamp = Date.now();
  const tmp = mkdtempSync(join(tmpdir(), 'trove-model-'));
  try {
    const dir = join(tmp, 'artifacts');
    const { flavors } = writeModelDir(dir, source, prep, {
      artifactPath: `models:/${modelId}`,
      modelId,
      runId: run?.id ?? null,
      utcTimeCreated,
    });
    const ref = {
      modelId,
      name,
      creationTimestamp,
      ...(run ? { runId: run.id } : {}),
      experimentId: run ? experimentIdOfTags(run.tags) : activeExperiment().experiment_id,
      ...(options.modelType !== undefined ? { modelType: options.modelType } : {}),
      params,
      tags,
      step,
    };
    const stored = await logModelDir(store, dir, ref, run ? { run } : { cwd });
    const info: ModelInfo = {
      modelUri: `models:/${modelId}`,
      modelId,
      modelUuid: modelId,
      name,
      artifactPath: `models:/${modelId}`,
      runId: run?.id ?? null,
      flavors,
      ...(prep.signature ? { signature: signatureDict(prep.signature) } : {}),
      ...(prep.example ? { savedInputExampleInfo: { ...prep.example.info } } : {}),
      ...(prep.metadata ? { metadata: prep.metadata } : {}),
      utcTimeCreated,
      creationTimestamp,
      mlflowVersion: MLFLOW_VERSION,
      envVars: null,
      metrics: [],
      params,
      tags,
      ...(options.modelType !== undefined ? { modelType: options.modelType } : {}),
      step,
      registeredModelVersion: null,
      md5: stored.md5 as string,
    };
    if (registeredName !== undefined) {
      const version = await openRegistry(store).createVersion(registeredName, {
        source: info.modelUri,
        md5: info.md5,
        isdir: stored.isdir ?? true,
        ...(stored.size !== undefined ? { size: stored.size } : {}),
        ...(stored.nfiles !== undefined ? { nfiles: stored.nfiles } : {}),
        ...(run ? { runId: run.id } : {}),
        modelId,
      });
      info.registeredModelVersion = version.version;
    }
    return info;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** MLflow 3's rule for a logged model's name. */
function checkName(name: unknown): string {
  if (typeof name !== 'string' || name === '' || /[/:.%"']/.test(name))
    throw new TroveError(
      'INVALID_ARGUMENT',
      `Invalid model name (${JSON.stringify(name)}): a non-empty string without / : . % " '.`,
    );
  return name;
}

/** The context tags MLflow 3 puts on a logged model (and a run): who, from what script. */
function contextTags(): Record<string, string> {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {}
  return {
    'mlflow.source.type': 'LOCAL',
    'mlflow.source.name': process.argv[1] ?? '',
    'mlflow.user': user,
  };
}

/** A mapping's values as text, as MLflow keeps params and tags (`str(value)`). */
function textMap(name: string, value: unknown): Record<string, string> {
  return Object.fromEntries(
    Object.entries(plainMap(name, value)).map(([k, v]) => [
      k,
      typeof v === 'string' ? v : JSON.stringify(v),
    ]),
  );
}

function plainMap(name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TroveError('INVALID_ARGUMENT', `${name} must be a mapping of keys to values.`);
  try {
    return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  } catch (err) {
    throw new TroveError('INVALID_ARGUMENT', `${name} must be JSON-serialisable.`, { cause: err });
  }
}
