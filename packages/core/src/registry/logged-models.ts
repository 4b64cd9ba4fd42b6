/**
 * Logged models (MLflow 3's `models:/<model-id>`): `models/<model-id>.json` in the metadata
 * backend names the run and artifact path the model directory was logged at. Written once,
 * create-only, when `logModel` records the model.
 */
import { randomUUID } from 'node:crypto';
import { joinKey } from '../backend/keys.js';
import { isTroveError, TroveError } from '../errors.js';
import { type MetaLocation, readJson } from '../record/meta-io.js';

export interface LoggedModelRef {
  modelId: string;
  runId: string;
  artifactPath: string;
  name: string;
  creationTimestamp: number;
}

const MODEL_ID_RE = /^m-[0-9a-f]{32}$/;

/** A new model id, as MLflow 3 makes them: `m-` and 32 hex digits. */
export function newModelId(): string {
  return `m-${randomUUID().replaceAll('-', '')}`;
}

export function isModelId(value: string): boolean {
  return MODEL_ID_RE.test(value);
}

function modelKey(store: MetaLocation, modelId: string): string {
  return joinKey(store.metaPrefix, 'models', `${modelId}.json`);
}

export async function writeLoggedModel(store: MetaLocation, ref: LoggedModelRef): Promise<void> {
  await store.meta.write(modelKey(store, ref.modelId), `${JSON.stringify(ref, null, 2)}\n`, {
    contentType: 'application/json',
    ifNoneMatch: '*',
  });
}

export async function readLoggedModel(
  store: MetaLocation,
  modelId: string,
): Promise<LoggedModelRef> {
  try {
    return await readJson<LoggedModelRef>(store.meta, modelKey(store, modelId));
  } catch (err) {
    if (isTroveError(err, 'NOT_FOUND'))
      throw new TroveError('NOT_FOUND', `No logged model ${modelId} in store "${store.name}".`);
    throw err;
  }
}
