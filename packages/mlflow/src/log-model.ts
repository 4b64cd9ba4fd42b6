/**
 * `logRunModel(run, path, options)` (the fluent `logModel` on the active run): MLflow's `log_model` for a model the user already saved (an
 * ONNX file, a safetensors file, a TF.js folder, a pickle). trove writes MLflow's model directory
 * around it in a temporary folder, logs that folder as one artifact at `<name>` in the run (no
 * workspace pointers), records the logged model (`models:/<model-id>`), and registers a version
 * when `registeredModelName` is given. Everything is checked before the first write.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, resolve } from 'node:path';
import { openRegistry, type Run, TroveError } from '@trove/core';
import {
  assertActive,
  logArtifactAs,
  newModelId,
  statArtifactPath,
  validateModelName,
  validateRelPath,
  validateStep,
  writeLoggedModel,
} from '@trove/core/dialect';
import {
  checkModelDirOptions,
  type ModelDirOptions,
  pyUtcNow,
  writeModelDir,
} from './model/mlmodel.js';
import { signatureDict } from './model/signature.js';

export interface LogModelOptions extends ModelDirOptions {
  /** Where the model directory goes in the run, and the logged model's name (default `model`). */
  name?: string;
  params?: Record<string, unknown>;
  tags?: Record<string, unknown>;
  modelType?: string;
  /** The step the model was saved at (recorded; the path does not change). */
  step?: number;
  /** Registers the model as the next version of this registered model. */
  registeredModelName?: string;
}

/** What `logModel` returns (MLflow's `ModelInfo`). */
export interface ModelInfo {
  /** `runs:/<run>/<artifactPath>`. */
  modelUri: string;
  /** `m-<hex>`; `models:/<modelId>` resolves to the same directory. */
  modelId: string;
  modelUuid: string;
  name: string;
  artifactPath: string;
  runId: string;
  flavors: Record<string, unknown>;
  /** As `MLmodel` holds it: schemas as JSON strings. */
  signature?: Record<string, string | null>;
  savedInputExampleInfo?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  utcTimeCreated: string;
  params: Record<string, unknown>;
  tags: Record<string, string>;
  modelType?: string;
  step: number;
  registeredModelVersion?: number;
  /** The md5 of the model directory's `.dir` manifest. */
  md5: string;
}

export async function logRunModel(
  run: Run,
  path: string,
  options: LogModelOptions = {},
): Promise<ModelInfo> {
  assertActive(run);
  const source = resolve(run.cwd, path);
  statArtifactPath(source);
  const artifactPath = validateRelPath(options.name ?? 'model');
  if (artifactPath === '') throw new TroveError('INVALID_PATH', 'A model name cannot be empty.');
  const registeredName =
    options.registeredModelName === undefined
      ? undefined
      : validateModelName(options.registeredModelName);
  const step = validateStep(options.step) ?? 0;
  const params = plainMap('params', options.params);
  const tags = Object.fromEntries(
    Object.entries(plainMap('tags', options.tags)).map(([k, v]) => [k, String(v)]),
  );
  if (options.modelType !== undefined && typeof options.modelType !== 'string')
    throw new TroveError('INVALID_ARGUMENT', 'modelType must be a string.');
  const prep = checkModelDirOptions(source, options);
  if (artifactPath in (await existingPaths(run))) {
    throw new TroveError(
      'ALREADY_EXISTS',
      `Run ${run.id} already has an artifact at ${artifactPath}.`,
      {
        hint: 'Give the model another name.',
      },
    );
  }

  const modelId = newModelId();
  const utcTimeCreated = pyUtcNow();
  const tmp = mkdtempSync(join(tmpdir(), 'trove-model-'));
  try {
    const dir = join(tmp, posix.basename(artifactPath));
    const { flavors } = writeModelDir(dir, source, prep, {
      artifactPath,
      modelId,
      runId: run.id,
      utcTimeCreated,
    });
    const record = await logArtifactAs(
      run,
      dir,
      {
        type: 'model',
        meta: {
          modelId,
          flavors: Object.keys(flavors),
          ...(options.modelType !== undefined ? { modelType: options.modelType } : {}),
          ...(Object.keys(params).length > 0 ? { params } : {}),
          ...(Object.keys(tags).length > 0 ? { tags } : {}),
          ...(step !== 0 ? { step } : {}),
        },
      },
      { path: artifactPath },
    );
    await writeLoggedModel(run.store, {
      modelId,
      runId: run.id,
      artifactPath,
      name: posix.basename(artifactPath),
      creationTimestamp: Date.now(),
    });
    const modelUri = `runs:/${run.id}/${artifactPath}`;
    const info: ModelInfo = {
      modelUri,
      modelId,
      modelUuid: modelId,
      name: posix.basename(artifactPath),
      artifactPath,
      runId: run.id,
      flavors,
      ...(prep.signature ? { signature: signatureDict(prep.signature) } : {}),
      ...(prep.example ? { savedInputExampleInfo: { ...prep.example.info } } : {}),
      ...(prep.metadata ? { metadata: prep.metadata } : {}),
      utcTimeCreated,
      params,
      tags,
      ...(options.modelType !== undefined ? { modelType: options.modelType } : {}),
      step,
      md5: record.md5,
    };
    if (registeredName !== undefined) {
      const version = await openRegistry(run.store).createVersion(registeredName, {
        source: modelUri,
        md5: record.md5,
        isdir: record.isdir,
        size: record.size,
        ...(record.nfiles !== undefined ? { nfiles: record.nfiles } : {}),
        runId: run.id,
        modelId,
      });
      info.registeredModelVersion = version.version;
    }
    return info;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function existingPaths(run: Run): Promise<Record<string, unknown>> {
  try {
    return await run.store.readArtifacts(run.id);
  } catch {
    return {};
  }
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
