/**
 * MLflow's model directory (`mlflow/models/model.py`, `mlflow/onnx`): the `MLmodel` YAML (keys
 * sorted, as `yaml.safe_dump` writes them), the model's own files, the input example, extra files
 * and the environment. With `flavor: "onnx"` the `onnx` and `python_function` flavors are the
 * ones `mlflow.onnx.save_model` writes, so `mlflow.pyfunc.load_model` serves the model, with
 * `requirements.txt`, `python_env.yaml` and `conda.yaml` as MLflow writes them (the flavor's
 * default packages when none are given), so `mlflow models serve|predict --env-manager
 * virtualenv` builds its environment. Without a flavor, `requirements.txt` only when requirements
 * are given (and `python_env.yaml` when the Python version is too).
 */
import {
  constants,
  copyFileSync,
  cpSync,
  mkdirSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { TroveError } from '@trove/core';
import { pyYamlData, pyYamlDump } from '../pyyaml-dump.js';
import { type SavedExample, saveExample } from './input-example.js';
import { inferSchema } from './schema.js';
import {
  checkExampleFits,
  checkSignature,
  type ModelSignature,
  signatureDict,
} from './signature.js';

const FLAVORS = ['onnx'] as const;

/**
 * The MLflow release whose model format and logged-model fields trove writes (`mlflow_version` in
 * `MLmodel` and `ModelInfo`): the one its tests check against (real MLflow from pip).
 */
export const MLFLOW_VERSION = '3.18.0';

/**
 * What MLflow's flavor requires when no requirements are given (its `get_default_pip_requirements`,
 * pinned to the versions installed where MLflow runs): trove has no Python to ask, so it pins the
 * versions its tests load and serve models with (packages/mlflow/test/mlflow-python.ts).
 */
const DEFAULT_REQUIREMENTS: Readonly<Record<Flavor, readonly string[]>> = {
  onnx: ['onnx==1.23.2', 'onnxruntime==1.32.0'],
};

/**
 * The Python of `python_env.yaml`, `conda.yaml` and `python_version` when `pythonVersion` is not
 * given (MLflow writes the Python it runs in): the one trove's tests serve models with.
 */
const DEFAULT_PYTHON_VERSION = '3.11.7';
type Flavor = (typeof FLAVORS)[number];

export interface ModelDirOptions {
  flavor?: Flavor;
  signature?: ModelSignature;
  inputExample?: unknown;
  pipRequirements?: string[];
  extraPipRequirements?: string[];
  metadata?: Record<string, unknown>;
  extraFiles?: string[];
  /** The Python the model is meant for (`3.11`): `python_function.python_version`, `python_env.yaml`. */
  pythonVersion?: string;
}

/** What `checkModelDirOptions` makes of the options: everything checked, examples serialised. */
export interface PreparedModelDir {
  flavor: Flavor | undefined;
  signature: ModelSignature | undefined;
  example: SavedExample | undefined;
  requirements: string[] | undefined;
  metadata: Record<string, unknown> | undefined;
  extraFiles: string[];
  pythonVersion: string | undefined;
}

export interface MLmodelIdentity {
  artifactPath: string;
  modelId: string;
  /** Null for a model logged without a run. */
  runId: string | null;
  /** `datetime.utcnow()` as Python prints it. */
  utcTimeCreated: string;
}

/** Checks every option before anything is written. */
export function checkModelDirOptions(source: string, o: ModelDirOptions): PreparedModelDir {
  if (o.flavor !== undefined && !FLAVORS.includes(o.flavor)) {
    throw new TroveError(
      'INVALID_ARGUMENT',
      `Unknown flavor ${JSON.stringify(o.flavor)}: trove writes ${FLAVORS.join(', ')} (or none).`,
    );
  }
  if (o.flavor === 'onnx' && !statSync(source).isFile()) {
    throw new TroveError('INVALID_ARGUMENT', `An ONNX model is one file; ${source} is a folder.`);
  }
  let signature = o.signature === undefined ? undefined : checkSignature(o.signature);
  let example: SavedExample | undefined;
  if (o.inputExample !== undefined) {
    example = saveExample(o.inputExample);
    if (signature) checkExampleFits(o.inputExample, signature);
  }
  if (!signature && o.inputExample !== undefined) {
    // MLflow infers the inputs from the example when no signature is given.
    signature = { inputs: inferSchema(o.inputExample) };
  }
  const strings = (name: string, v: unknown): string[] | undefined => {
    if (v === undefined) return undefined;
    if (
      !Array.isArray(v) ||
      !v.every((s) => typeof s === 'string' && s.trim() !== '' && !s.includes('\n'))
    )
      throw new TroveError('INVALID_ARGUMENT', `${name} must be a list of requirement strings.`);
    return v;
  };
  const pip = strings('pipRequirements', o.pipRequirements);
  const extra = strings('extraPipRequirements', o.extraPipRequirements);
  // MLflow's `_process_pip_requirements`: the given list, else the flavor's defaults and the
  // extra ones; `mlflow==<version>` first unless the list names mlflow.
  const defaults = o.flavor === undefined ? undefined : DEFAULT_REQUIREMENTS[o.flavor];
  let requirements: string[] | undefined;
  if (pip) requirements = [...pip];
  else if (extra || defaults) requirements = [...(defaults ?? []), ...(extra ?? [])];
  if (requirements && !requirements.some((r) => /^mlflow(?:-skinny)?\b/.test(r)))
    requirements.unshift(`mlflow==${MLFLOW_VERSION}`);
  const metadata = o.metadata === undefined ? undefined : checkMetadata(o.metadata);
  const extraFiles = (strings('extraFiles', o.extraFiles) ?? []).map((f) => {
    if (!statSync(f, { throwIfNoEntry: false })?.isFile())
      throw new TroveError('NOT_FOUND', `Extra file ${f} does not exist or is not a file.`, {
        key: f,
      });
    return f;
  });
  if (o.pythonVersion !== undefined && !/^\d+\.\d+(?:\.\d+)?$/.test(o.pythonVersion))
    throw new TroveError(
      'INVALID_ARGUMENT',
      `pythonVersion ${JSON.stringify(o.pythonVersion)} is not like 3.11.`,
    );
  return {
    flavor: o.flavor,
    signature,
    example,
    requirements,
    metadata,
    extraFiles,
    // A flavor MLflow serves gets its environment files, for a Python of some version.
    pythonVersion: o.pythonVersion ?? (o.flavor ? DEFAULT_PYTHON_VERSION : undefined),
  };
}

function checkMetadata(meta: unknown): Record<string, unknown> {
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta))
    throw new TroveError('INVALID_ARGUMENT', 'metadata must be a mapping of keys to values.');
  try {
    // A copy of what PyYAML can write (NaN, dates and all), as `Model.load` will read it back.
    return pyYamlData(meta) as Record<string, unknown>;
  } catch (err) {
    throw new TroveError(
      'INVALID_ARGUMENT',
      `metadata cannot be written as YAML: ${(err as Error).message}.`,
      { cause: err },
    );
  }
}

/** Python's `str(datetime.utcnow())`. */
export function pyUtcNow(date = new Date()): string {
  const iso = date.toISOString(); // 2026-12-05T08:48:27.261Z
  const ms = iso.slice(20, 23);
  const base = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  return ms === '000' ? base : `${base}.${ms}000`;
}

/**
 * Writes the model directory into `dir` (which must not exist) and returns the `MLmodel` data.
 * The model's bytes are copied (a reflink where the filesystem can), never read into memory.
 */
export function writeModelDir(
  dir: string,
  source: string,
  prep: PreparedModelDir,
  id: MLmodelIdentity,
): { flavors: Record<string, unknown>; mlmodel: Record<string, unknown> } {
  mkdirSync(dir, { recursive: false });
  const dataPath = prep.flavor === 'onnx' ? 'model.onnx' : basename(source);
  if (statSync(source).isDirectory()) cpSync(source, join(dir, dataPath), { recursive: true });
  else copyFileSync(source, join(dir, dataPath), constants.COPYFILE_FICLONE);
  if (prep.example) {
    writeFileSync(join(dir, prep.example.info.artifact_path), prep.example.inputExample);
    writeFileSync(join(dir, prep.example.info.serving_input_path), prep.example.servingExample);
  }
  const extra = prep.extraFiles.map((f) => {
    mkdirSync(join(dir, 'extra_files'), { recursive: true });
    copyFileSync(f, join(dir, 'extra_files', basename(f)), constants.COPYFILE_FICLONE);
    return { path: `extra_files/${basename(f)}` };
  });
  const size = totalSize(dir);
  const withEnv = prep.requirements !== undefined && prep.pythonVersion !== undefined;
  // conda.yaml beside python_env.yaml, as MLflow writes them for a flavor it serves.
  const withConda = withEnv && prep.flavor !== undefined;
  const flavors: Record<string, unknown> = {};
  if (prep.flavor === 'onnx') {
    const onnxPin = prep.requirements?.map((r) => /^onnx==(\S+)$/.exec(r)?.[1]).find(Boolean);
    flavors.onnx = {
      code: null,
      data: dataPath,
      ...(extra.length > 0 ? { extra_files: extra } : {}),
      onnx_session_options: null,
      onnx_version: onnxPin ?? null,
      providers: ['CUDAExecutionProvider', 'CPUExecutionProvider'],
    };
    flavors.python_function = {
      data: dataPath,
      ...(withEnv
        ? {
            env: {
              ...(withConda ? { conda: 'conda.yaml' } : {}),
              virtualenv: 'python_env.yaml',
            },
          }
        : {}),
      loader_module: 'mlflow.onnx',
      ...(prep.pythonVersion !== undefined ? { python_version: prep.pythonVersion } : {}),
    };
  }
  const mlmodel: Record<string, unknown> = {
    artifact_path: id.artifactPath,
    flavors,
    ...(prep.signature ? { is_signature_from_type_hint: false } : {}),
    ...(prep.metadata ? { metadata: prep.metadata } : {}),
    mlflow_version: MLFLOW_VERSION,
    model_id: id.modelId,
    ...(size > 0 ? { model_size_bytes: size } : {}),
    model_uuid: id.modelId,
    prompts: null,
    run_id: id.runId,
    ...(prep.example ? { saved_input_example_info: prep.example.info } : {}),
    ...(prep.signature ? { signature: signatureDict(prep.signature) } : {}),
    ...(prep.signature ? { type_hint_from_example: false } : {}),
    utc_time_created: id.utcTimeCreated,
  };
  writeFileSync(join(dir, 'MLmodel'), safeDumpYaml(mlmodel));
  if (prep.requirements) {
    writeFileSync(join(dir, 'requirements.txt'), prep.requirements.join('\n'));
    if (withEnv) {
      writeFileSync(
        join(dir, 'python_env.yaml'),
        pyYamlDump(
          {
            python: prep.pythonVersion,
            build_dependencies: ['pip', 'setuptools', 'wheel'],
            dependencies: ['-r requirements.txt'],
          },
          { sortKeys: false },
        ),
      );
    }
    if (withConda) {
      // MLflow's `_mlflow_conda_env` (yaml.safe_dump, keys sorted); pip unpinned, as MLflow
      // writes it when it cannot tell pip's version.
      writeFileSync(
        join(dir, 'conda.yaml'),
        pyYamlDump({
          name: 'mlflow-env',
          channels: ['conda-forge'],
          dependencies: [`python=${prep.pythonVersion}`, 'pip', { pip: prep.requirements }],
        }),
      );
    }
  }
  return { flavors, mlmodel };
}

/** `yaml.safe_dump(d, default_flow_style=False)`, as PyYAML writes it (keys sorted). */
export function safeDumpYaml(value: Record<string, unknown>): string {
  return pyYamlDump(value);
}

function totalSize(dir: string): number {
  let size = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) size += statSync(join(entry.parentPath, entry.name)).size;
  }
  return size;
}
