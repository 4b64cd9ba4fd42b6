/**
 * Logged models (MLflow 3's `models:/<model-id>`): `models/<model-id>.json` in the metadata
 * backend, written once, create-only. MLflow 3 keeps a logged model apart from any run
 * (`<experiment>/models/<model-id>/artifacts/`), so the document names the model directory's
 * content itself (`md5`), kept alive by gc like a registry version; the run that logged it, if
 * any, is `runId`. A document from before that (`artifactPath`, no `md5`) names the run artifact
 * the directory was logged at.
 */
import { randomUUID } from 'node:crypto';
import { joinKey } from '../backend/keys.js';
import { mapLimit } from '../backend/map-limit.js';
import { isTroveError, TroveError } from '../errors.js';
import type { HashState } from '../hash/hash-state.js';
import { GcFence } from '../record/gc-log.js';
import { type MetaLocation, readJson } from '../record/meta-io.js';
import type { Store } from '../record/store.js';
import { ensureStored } from '../store/ensure-stored.js';
import { ingestPath } from '../store/ingest.js';

export interface LoggedModelRef {
  modelId: string;
  name: string;
  /** Epoch milliseconds. */
  creationTimestamp: number;
  /** The run that logged it (MLflow's `source_run_id`); absent for a model logged without one. */
  runId?: string;
  /** Older documents: the model directory is the run's artifact at this path. */
  artifactPath?: string;
  /** The model directory's content: a `.dir` manifest's md5 (or a file's). */
  md5?: string;
  isdir?: boolean;
  size?: number;
  nfiles?: number;
  experimentId?: string;
  modelType?: string;
  /** As MLflow keeps them: text. */
  params?: Record<string, string>;
  tags?: Record<string, string>;
  /** The step of the run the model was logged at. */
  step?: number;
}

const MODEL_ID_RE = /^m-[0-9a-f]{32}$/;
const READ_CONCURRENCY = 16;

/** A new model id, as MLflow 3 makes them: `m-` and 32 hex digits. */
export function newModelId(): string {
  return `m-${randomUUID().replaceAll('-', '')}`;
}

export function isModelId(value: string): boolean {
  return MODEL_ID_RE.test(value);
}

function loggedModelsPrefix(store: MetaLocation): string {
  return joinKey(store.metaPrefix, 'models/');
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

/**
 * Stores the model directory (or file) at `path` content-addressed and writes the logged
 * model's document naming it, as a run's `logArtifact` does (the gc fence, then a second look
 * for objects a gc may have moved meanwhile): the model belongs to no run's artifacts.
 */
export async function storeLoggedModel(
  store: Store,
  path: string,
  ref: Omit<LoggedModelRef, 'md5' | 'isdir' | 'size' | 'nfiles' | 'artifactPath'>,
  state: HashState,
): Promise<LoggedModelRef> {
  store.prepare();
  // Before any object is looked for: a gc that starts later sees this document.
  const fence = await GcFence.open(store);
  const ingested = await ingestPath(path, { store: store.objects, state });
  state.save();
  const full: LoggedModelRef = {
    ...ref,
    md5: ingested.md5,
    isdir: ingested.isdir,
    size: ingested.size,
    ...(ingested.nfiles !== undefined ? { nfiles: ingested.nfiles } : {}),
  };
  await writeLoggedModel(store, full);
  if (await fence.crossed()) await ensureStored(store.objects, ingested.md5, ingested);
  return full;
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

/** Every logged model in the store (read 16 at a time: one request each). */
export async function listLoggedModels(store: MetaLocation): Promise<LoggedModelRef[]> {
  const keys: string[] = [];
  for await (const entry of store.meta.list(loggedModelsPrefix(store))) {
    if (entry.key.endsWith('.json')) keys.push(entry.key);
  }
  return mapLimit(keys, READ_CONCURRENCY, (key) => readJson<LoggedModelRef>(store.meta, key));
}
