import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ObjectStat, StorageBackend } from '../backend/contract.js';
import type { TroveConfig } from '../project/config.js';
import { ContentStore } from '../store/content-store.js';
import type { StoreParts, UriBackends } from '../store/open-backends.js';
import { type EventFile, listEventFiles, readEventFile } from './event-files.js';
import { readJson, readText, writeJson } from './meta-io.js';
import type { ArtifactRecord, ExpiredRecord, LineageRow, RunRecord } from './records.js';
import {
  listRunIds,
  readArtifacts,
  readExpired,
  readLineage,
  readRun,
  resolveRunId,
  runKey,
} from './run-folder.js';

export type { StoreParts } from '../store/open-backends.js';
export type { EventFile } from './event-files.js';

/**
 * A store: content-addressed objects plus the small metadata that points at them. Every path in
 * it is the same on every backend: `files/md5/…`, `runs/<id>/run.json|artifacts.json|lineage.jsonl`,
 * `runs/<id>/events/<kind>/<name>.plx` (plus its appended segments `<name>.plx.000001`, …).
 */
export class Store {
  readonly name: string;
  readonly meta: StorageBackend;
  readonly metaPrefix: string;
  readonly objects: ContentStore;
  readonly #embeddedDir: string | undefined;
  readonly #uriBackends: UriBackends | undefined;
  /** The project's trove.yaml as read when the store was opened (empty for a store made by hand). */
  readonly config: TroveConfig;

  constructor(parts: StoreParts) {
    this.#uriBackends = parts.uriBackends;
    this.config = parts.config ?? { stores: {} };
    this.name = parts.name;
    this.meta = parts.meta;
    this.metaPrefix = parts.metaPrefix ?? '';
    this.#embeddedDir = parts.embeddedDir;
    this.objects = new ContentStore(
      parts.objects ?? parts.meta,
      parts.objects ? (parts.objectsPrefix ?? '') : this.metaPrefix,
      parts.cache,
    );
  }

  /**
   * Called before the first write: the embedded store's folder is created with a `.gitignore`
   * of `*`, so `.trove/` is never committed by accident (whether or not `trove init` ran).
   */
  prepare(): void {
    const dir = this.#embeddedDir;
    if (dir === undefined || existsSync(dir)) return;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '.gitignore'), '*\n');
  }

  runKey(runId: string, ...path: string[]): string {
    return runKey(this, runId, ...path);
  }

  writeJson(key: string, value: unknown): Promise<void> {
    return writeJson(this.meta, key, value);
  }

  readText(key: string): Promise<string> {
    return readText(this.meta, key);
  }

  readJson<T>(key: string): Promise<T> {
    return readJson<T>(this.meta, key);
  }

  /** Run ids in the store, newest first (ids sort by time). */
  listRunIds(): Promise<string[]> {
    return listRunIds(this);
  }

  /** Full id from an id or a unique prefix of one (at least 4 characters). */
  resolveRunId(idOrPrefix: string): Promise<string> {
    return resolveRunId(this, idOrPrefix);
  }

  readRun(runId: string): Promise<RunRecord> {
    return readRun(this, runId);
  }

  readArtifacts(runId: string): Promise<Record<string, ArtifactRecord>> {
    return readArtifacts(this, runId);
  }

  readLineage(runId: string): Promise<LineageRow[]> {
    return readLineage(this, runId);
  }

  /** What retention (`trove gc --policy`) expired of the run, when and why; oldest first. */
  readExpired(runId: string): Promise<ExpiredRecord[]> {
    return readExpired(this, runId);
  }

  /**
   * A run's events files (all, a kind's, or one by kind and name), each as the keys of its base
   * file and appended segments in reading order. Read one with `readEventFile`.
   *
   * @example
   * const [loss] = await store.listEventFiles(runId, 'metric', 'loss');
   * if (loss) await pipeline(store.readEventFile(loss), createWriteStream('loss.plx'));
   */
  listEventFiles(runId: string, kind?: string, name?: string): Promise<EventFile[]> {
    return listEventFiles(this, runId, kind, name);
  }

  /** One events file's bytes, streamed: the base file, then each segment in order. */
  readEventFile(file: EventFile): Readable {
    return readEventFile(this, file);
  }

  /**
   * The stat of the object an `s3://`, `gs://` or `az://` URI names, read through that service's
   * backend with the project's settings for it (its etag is the ETag, the GCS generation, the
   * Azure ETag); undefined for any other URI, or a store opened without a project. Throws
   * `NOT_FOUND` when there is no such object.
   */
  async statUri(uri: string): Promise<ObjectStat | undefined> {
    const target = await this.#uriBackends?.open(uri);
    return target && (await target.backend.stat(target.key));
  }

  async close(): Promise<void> {
    await this.#uriBackends?.close();
    await this.meta.close?.();
    if (this.objects.backend !== this.meta) await this.objects.backend.close?.();
  }
}
