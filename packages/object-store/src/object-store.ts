/**
 * `defineObjectStore`: a whole `StorageBackend` from an object store's primitives. What is the
 * same for S3, GCS, Azure and any fourth cloud lives here, once: keys checked at one gate, every
 * service error mapped in one place (aborts pass through as they are), `stat`/`exists` from
 * `head`, the write-body dispatch (one request, or the backend's resumable upload after the
 * conditions were looked up), `ifMatch` on a vanished object as `NOT_FOUND`, `writeMany` through
 * `writeManyWith`, and `cleanup` through the journal sweep. A backend supplies only what its
 * SDK does differently.
 */
import {
  type CleanupOptions,
  type CleanupResult,
  type CopyOptions,
  type CopyOrigin,
  checkWriteConditions,
  type DeclaredCapabilities,
  isAbortError,
  type ListOptions,
  notFound,
  type ObjectEntry,
  type ObjectStat,
  type OpOptions,
  type ReadOptions,
  type ReadResult,
  type SignedUrlOptions,
  type StorageBackend,
  type TroveError,
  validateKey,
  validatePrefix,
  type WriteBody,
  type WriteManyOptions,
  type WriteManyResult,
  type WriteManySource,
  type WriteOptions,
} from '@trove/core/backend';
import { readFileBytes } from './file-bytes.js';
import { type JournalSweep, sweepJournals } from './journal-sweep.js';
import { resumableBody } from './resumable-read.js';
import { md5Checked, sortBody, type UploadBody } from './write-body.js';
import { writeManyWith } from './write-many.js';

/** The operation an error came from, for `mapError` (some services answer 404 for a bucket). */
export type ObjectStoreOp =
  | 'stat'
  | 'read'
  | 'write'
  | 'copy'
  | 'delete'
  | 'list'
  | 'signedUrl'
  | 'cleanup';

/** An object store's primitives: its SDK's calls, raw (their errors go through `mapError`). */
export interface ObjectStorePrimitives {
  readonly kind: string;
  readonly capabilities: DeclaredCapabilities;
  /** The service's error as a TroveError (TroveErrors as they are); `key` when there is one. */
  mapError(error: unknown, key: string | undefined, op: ObjectStoreOp): TroveError;
  /** The object's stat, `undefined` when absent (a missing bucket is an error). */
  head(key: string, signal?: AbortSignal): Promise<ObjectStat | undefined>;
  read(key: string, options: ReadOptions): Promise<ReadResult>;
  /** The largest body sent in one request (`put`); larger ones go by `upload`. */
  readonly oneRequestMax: number;
  /** One request with the body's md5 declared (already checked against `options.md5`). */
  put(key: string, bytes: Buffer, md5: Buffer, options: WriteOptions): Promise<ObjectStat>;
  /**
   * A body larger than `oneRequestMax` in many requests (multipart, resumable session, blocks),
   * with the write's conditions and `md5` checked before anything becomes visible. The
   * conditions were looked up just before, so a write bound to fail sends nothing.
   */
  upload(key: string, body: UploadBody, options: WriteOptions): Promise<ObjectStat>;
  copy(from: string, to: string, options: CopyOptions): Promise<ObjectStat>;
  /** The service, endpoint and container, for copies between stores (`StorageBackend.copyOrigin`). */
  readonly copyOrigin?: CopyOrigin;
  /**
   * A server-side copy from another store of the same service and endpoint (`copyOrigin.service`
   * equal): `source.container` is its bucket or container, `source.backend` the store itself
   * (for what only it can give, such as a signed URL from its own credentials). `undefined`
   * when this pair cannot after all (the caller streams).
   */
  copyFrom?(
    source: { container: string; backend: StorageBackend },
    from: string,
    to: string,
    options: CopyOptions,
  ): Promise<ObjectStat | undefined>;
  /** Deletes keys (absent ones are fine). */
  delete(keys: readonly string[], signal?: AbortSignal): Promise<void>;
  /** Every object under `prefix` in ascending byte order, after `startAfter`. */
  list(prefix: string, startAfter?: string, signal?: AbortSignal): AsyncIterable<ObjectEntry>;
  signedUrl?(key: string, options: SignedUrlOptions): Promise<URL>;
  /** `writeMany`'s limits: uploads in flight, and bytes of one-request bodies held at once. */
  readonly writeMany: { objectConcurrency: number; bufferBudget: number };
  /** What interrupted uploads leave, for `cleanup` (see `sweepJournals`); lazily if need be. */
  readonly leftovers?: JournalSweep | (() => Promise<JournalSweep>);
  close?(): Promise<void>;
}

/**
 * A `StorageBackend` from an object store's primitives. A backend package subclasses it to keep
 * its own name and fields: `class S3Backend extends ObjectStoreBackend { … super(primitives) }`.
 */
export class ObjectStoreBackend implements StorageBackend {
  readonly kind: string;
  readonly capabilities: DeclaredCapabilities;
  /** Present when the service signs URLs (the capability is the method's presence). */
  readonly signedUrl?: (key: string, options: SignedUrlOptions) => Promise<URL>;
  /** Present when the backend leaves something behind that `trove gc` can remove. */
  readonly cleanup?: (options: CleanupOptions) => Promise<CleanupResult>;
  readonly copyOrigin?: CopyOrigin;
  readonly #p: ObjectStorePrimitives;

  constructor(primitives: ObjectStorePrimitives) {
    const p = primitives;
    this.#p = p;
    this.kind = p.kind;
    this.capabilities = Object.freeze({ ...p.capabilities });
    const sign = p.signedUrl?.bind(p);
    if (sign) {
      this.signedUrl = (key, options) => {
        validateKey(key, p.kind);
        return this.#run(key, 'signedUrl', () => sign(key, options));
      };
    }
    if (p.copyOrigin) this.copyOrigin = Object.freeze({ ...p.copyOrigin });
    const sweep = p.leftovers;
    if (sweep) {
      this.cleanup = (options) =>
        this.#run(undefined, 'cleanup', async () =>
          sweepJournals(p.kind, typeof sweep === 'function' ? await sweep() : sweep, options),
        );
    }
  }

  async stat(key: string, options: OpOptions = {}): Promise<ObjectStat> {
    const found = await this.#lookup(key, options);
    if (!found) throw notFound(this.kind, key);
    const { size, etag, lastModified, md5 } = found;
    return { key, size, etag, lastModified, ...(md5 !== undefined ? { md5 } : {}) };
  }

  async exists(key: string, options: OpOptions = {}): Promise<boolean> {
    return (await this.#lookup(key, options)) !== undefined;
  }

  async read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
    validateKey(key, this.kind);
    const readOnce = (o: ReadOptions) => this.#run(key, 'read', () => this.#p.read(key, o));
    const first = await readOnce(options);
    if (!this.capabilities.rangeRead) return first;
    // A body cut mid-answer goes on from where it broke (see resumable-read.ts).
    const body = resumableBody(key, first, options, {
      readAgain: readOnce,
      mapError: (err) => this.#p.mapError(err, key, 'read'),
    });
    return { stat: first.stat, body };
  }

  async write(key: string, body: WriteBody, options: WriteOptions = {}): Promise<ObjectStat> {
    validateKey(key, this.kind);
    return this.#run(key, 'write', () => this.#checkedWrite(key, body, options));
  }

  async copy(from: string, to: string, options: CopyOptions = {}): Promise<ObjectStat> {
    validateKey(from, this.kind);
    validateKey(to, this.kind);
    return this.#run(to, 'copy', () => this.#p.copy(from, to, options));
  }

  /** A server-side copy from `source` when it is this service at this endpoint, else `undefined`. */
  async copyFrom(
    source: StorageBackend,
    fromKey: string,
    toKey: string,
    options: CopyOptions = {},
  ): Promise<ObjectStat | undefined> {
    const p = this.#p;
    const origin = source.copyOrigin;
    const copyFrom = p.copyFrom?.bind(p);
    if (!copyFrom || !p.copyOrigin || source.kind !== p.kind) return undefined;
    if (origin === undefined || origin.service !== p.copyOrigin.service) return undefined;
    validateKey(fromKey, this.kind);
    validateKey(toKey, this.kind);
    const from = { container: origin.container, backend: source };
    return this.#run(toKey, 'copy', () => copyFrom(from, fromKey, toKey, options));
  }

  async delete(key: string, options: OpOptions = {}): Promise<void> {
    validateKey(key, this.kind);
    await this.#run(key, 'delete', () => this.#p.delete([key], options.signal));
  }

  async deleteMany(keys: readonly string[], options: OpOptions = {}): Promise<void> {
    for (const key of keys) validateKey(key, this.kind);
    await this.#run(undefined, 'delete', () => this.#p.delete(keys, options.signal));
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectEntry> {
    validatePrefix(prefix, this.kind);
    try {
      yield* this.#p.list(prefix, options.startAfter, options.signal);
    } catch (err) {
      if (isAbortError(err)) throw err;
      throw this.#p.mapError(err, prefix === '' ? undefined : prefix, 'list');
    }
  }

  /**
   * Many local files through `writeManyWith`: one-request bodies create-only with their md5
   * declared, larger files by the backend's upload, one listing per parent prefix.
   */
  writeMany(items: WriteManySource, options: WriteManyOptions = {}): Promise<WriteManyResult> {
    const p = this.#p;
    return this.#run(undefined, 'write', () =>
      writeManyWith(
        {
          backend: p.kind,
          objectConcurrency: p.writeMany.objectConcurrency,
          oneRequestMax: p.oneRequestMax,
          bufferBudget: p.writeMany.bufferBudget,
          putBytes: (key, bytes, write) => this.#put(key, bytes, write),
          writeFile: (key, path, write) => this.#checkedWrite(key, { path }, write),
          exists: async (key, signal) => (await p.head(key, signal)) !== undefined,
          list: (prefix, signal) => p.list(prefix, undefined, signal),
          mapError: (error, key) => p.mapError(error, key, 'write'),
        },
        items,
        options,
      ),
    );
  }

  async close(): Promise<void> {
    await this.#p.close?.();
  }

  async #run<T>(key: string | undefined, op: ObjectStoreOp, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isAbortError(err)) throw err;
      throw this.#p.mapError(err, key, op);
    }
  }

  #lookup(key: string, options: OpOptions): Promise<ObjectStat | undefined> {
    validateKey(key, this.kind);
    return this.#run(key, 'stat', () => this.#p.head(key, options.signal));
  }

  async #put(key: string, bytes: Buffer, options: WriteOptions): Promise<ObjectStat> {
    const md5 = md5Checked(this.kind, key, bytes, options.md5);
    const stat = await this.#p.put(key, bytes, md5, options);
    options.onProgress?.(bytes.length);
    return { ...stat, md5: md5.toString('hex') };
  }

  async #write(key: string, body: WriteBody, options: WriteOptions): Promise<ObjectStat> {
    const p = this.#p;
    const sorted = await sortBody(body, p.oneRequestMax);
    if (sorted.kind === 'one') return this.#put(key, sorted.bytes, options);
    if (sorted.kind === 'file' && sorted.size <= p.oneRequestMax)
      return this.#put(key, await readFileBytes(sorted.path, sorted.size), options);
    try {
      // Looked up first, so a write bound to fail sends nothing; the upload checks again, atomically.
      if (options.ifNoneMatch !== undefined || options.ifMatch !== undefined) {
        const current = await p.head(key, options.signal);
        checkWriteConditions(p.kind, key, current?.etag, options);
      }
      return await p.upload(key, sorted, options);
    } finally {
      if (sorted.kind === 'stream') await sorted.rest.return?.().catch(() => {});
    }
  }

  /** Services answer an `ifMatch` write to a vanished object with 412; the contract says NOT_FOUND. */
  async #checkedWrite(key: string, body: WriteBody, options: WriteOptions): Promise<ObjectStat> {
    try {
      return await this.#write(key, body, options);
    } catch (err) {
      if (options.ifMatch === undefined || isAbortError(err)) throw err;
      const mapped = this.#p.mapError(err, key, 'write');
      if (mapped.code === 'PRECONDITION_FAILED' && !(await this.#p.head(key, options.signal)))
        throw notFound(this.kind, key, 'No object to match at');
      throw mapped;
    }
  }
}

/** A `StorageBackend` from an object store's primitives (`new ObjectStoreBackend(primitives)`). */
export function defineObjectStore(primitives: ObjectStorePrimitives): StorageBackend {
  return new ObjectStoreBackend(primitives);
}
