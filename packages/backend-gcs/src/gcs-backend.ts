/**
 * The store as a Google Cloud Storage bucket: key `a/b/c` is the object `a/b/c` in the bucket;
 * core adds the store's `prefix` before keys get here. Through `apiEndpoint` the same code runs
 * against emulators (fake-gcs-server, gcp-storage-emulator) and private endpoints.
 *
 * - Writes: a body of at most `chunkSize` (16 MiB by default) is hashed first and sent in one
 *   request with its `md5Hash` declared, so a wrong `md5` option fails before anything is sent
 *   and GCS rejects bytes damaged on the way. Larger bodies go through a resumable session,
 *   chunk by chunk (two chunks in memory at most); the md5 of the whole body is computed as the
 *   chunks are read and sent with the last one (`X-Goog-Hash`), which is held back when it does
 *   not match `md5`: until the last chunk nothing is visible. The finished object's `md5Hash` is
 *   compared once more, and a mismatching generation is deleted.
 * - Resume: the session URI of a large upload of a local file is kept in an owned journal
 *   (`UploadJournal`, in `resumeDir`). Started again (after a kill or a lost connection), the
 *   same upload of the same unchanged file asks the session how many bytes it holds, re-reads
 *   those locally for the md5, and sends only the rest. Another version of the file cancels the
 *   old session and starts over. A retryable failure keeps the session; anything else cancels it.
 *   GCS forgets unfinished sessions after a week on its own.
 * - Conditional writes: the backend's etag is the object's **generation**. `ifNoneMatch: "*"` is
 *   `ifGenerationMatch: 0` and `ifMatch` is `ifGenerationMatch: <etag>`, both checked atomically
 *   by GCS when the object is created (for a resumable upload, at the last chunk; the condition
 *   is also looked up before the first chunk, to fail before sending gigabytes). A 412 is
 *   PRECONDITION_FAILED.
 * - Reads pin the generation they stat'ed; whole reads are checked against the object's crc32c.
 * - Listing: objects.list with pages of 1,000 (`startAfter` is `startOffset`), in key order.
 * - Consistency: GCS is strongly consistent for reads after writes and for listings.
 * - Credentials: only the SDK's chain (ADC, `keyFilename`, workload identity); never printed.
 *   With `apiEndpoint`, requests are unauthenticated unless `keyFilename` is set.
 */
import type { Storage } from '@google-cloud/storage';
import {
  type CopyOptions,
  type DeclaredCapabilities,
  type ListOptions,
  type ObjectEntry,
  type ObjectStat,
  type OpOptions,
  type ReadOptions,
  type ReadResult,
  type SignedUrlOptions,
  type StorageBackend,
  TroveError,
  validateKey,
  validatePrefix,
  type WriteBody,
  type WriteManyOptions,
  type WriteManyResult,
  type WriteManySource,
  type WriteOptions,
} from '@trove/core/backend';
import { createStorage, usesAuth } from './client.js';
import type { GcsContext } from './context.js';
import { copyObject } from './copy.js';
import { deleteKeys } from './delete.js';
import { headObject } from './head.js';
import { listObjects } from './list.js';
import { type ErrorScope, rethrow } from './map-error.js';
import { type GcsBackendOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { readObject } from './read.js';
import { signUrl } from './signed-url.js';
import { writeObject } from './write.js';
import { writeManyObjects } from './write-many.js';

/** GCS's longest signed URL: 7 days. */
const MAX_SIGNED_SECONDS = 7 * 24 * 3600;

export class GcsBackend implements StorageBackend {
  readonly kind = 'gcs';
  readonly capabilities: DeclaredCapabilities = Object.freeze({
    ifNoneMatch: true,
    ifMatch: true,
    serverSideCopy: true,
    rangeRead: true,
  });
  readonly bucket: string;
  readonly storage: Storage;
  readonly options: ResolvedOptions;
  readonly #ctx: GcsContext;
  readonly #keyFilename: string | undefined;
  /** Set once the bucket is known to exist, so a 404 on a lookup can only mean the object. */
  #bucketSeen = false;

  constructor(options: GcsBackendOptions) {
    this.options = resolveOptions(options);
    this.bucket = this.options.bucket;
    this.#keyFilename = options.keyFilename;
    this.storage = options.storage ?? createStorage(options, this.options);
    this.#ctx = {
      storage: this.storage,
      bucket: this.storage.bucket(this.bucket),
      options: this.options,
      apiBase: (this.options.apiEndpoint ?? this.storage.apiEndpoint).replace(/\/+$/, ''),
      endpointId: this.options.apiEndpoint ?? 'gcs',
      auth: options.storage ? options.apiEndpoint === undefined : usesAuth(options),
      onChunk: options.onChunk,
    };
  }

  async stat(key: string, options: OpOptions = {}): Promise<ObjectStat> {
    validateKey(key, this.kind);
    const stat = await this.#lookup(key, options.signal);
    if (!stat)
      throw new TroveError('NOT_FOUND', `No object at ${key}.`, { backend: this.kind, key });
    return stat;
  }

  async exists(key: string, options: OpOptions = {}): Promise<boolean> {
    validateKey(key, this.kind);
    return (await this.#lookup(key, options.signal)) !== undefined;
  }

  async read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
    validateKey(key, this.kind);
    try {
      return await readObject(this.#ctx, key, options);
    } catch (err) {
      return this.#explain404(err, key, options.signal);
    }
  }

  async write(key: string, body: WriteBody, options: WriteOptions = {}): Promise<ObjectStat> {
    validateKey(key, this.kind);
    return this.#run({ key, bucketLevel: true }, () => writeObject(this.#ctx, key, body, options));
  }

  async copy(from: string, to: string, options: CopyOptions = {}): Promise<ObjectStat> {
    validateKey(from, this.kind);
    validateKey(to, this.kind);
    try {
      return await copyObject(this.#ctx, from, to, options);
    } catch (err) {
      return this.#explain404(err, from, options.signal);
    }
  }

  async delete(key: string, options: OpOptions = {}): Promise<void> {
    validateKey(key, this.kind);
    await this.#run({ key }, () => deleteKeys(this.#ctx, [key], options.signal));
  }

  async deleteMany(keys: readonly string[], options: OpOptions = {}): Promise<void> {
    for (const key of keys) validateKey(key, this.kind);
    await this.#run({}, () => deleteKeys(this.#ctx, keys, options.signal));
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectEntry> {
    validatePrefix(prefix, this.kind);
    try {
      yield* listObjects(this.#ctx, prefix, options.startAfter, options.signal);
    } catch (err) {
      rethrow(err, this.#scope({ key: prefix === '' ? undefined : prefix, bucketLevel: true }));
    }
  }

  async writeMany(
    items: WriteManySource,
    options: WriteManyOptions = {},
  ): Promise<WriteManyResult> {
    return this.#run({ bucketLevel: true }, () => writeManyObjects(this.#ctx, items, options));
  }

  async signedUrl(key: string, options: SignedUrlOptions): Promise<URL> {
    validateKey(key, this.kind);
    if (
      !Number.isInteger(options.expiresIn) ||
      options.expiresIn < 1 ||
      options.expiresIn > MAX_SIGNED_SECONDS
    ) {
      throw new TroveError(
        'INVALID_ARGUMENT',
        `expiresIn must be a whole number of seconds from 1 to ${MAX_SIGNED_SECONDS} (7 days), not ${options.expiresIn}.`,
        { backend: this.kind, key },
      );
    }
    return this.#run({ key }, () => signUrl(this.#ctx, key, options));
  }

  async close(): Promise<void> {
    // The SDK keeps no sockets that need closing (its agents are shared and unref'd).
  }

  /** The object's stat, undefined when absent; NOT_FOUND naming the bucket when that is absent. */
  async #lookup(key: string, signal: AbortSignal | undefined): Promise<ObjectStat | undefined> {
    const stat = await this.#run({ key }, () => headObject(this.#ctx, key, signal));
    if (stat) this.#bucketSeen = true;
    else await this.#checkBucket(key);
    return stat;
  }

  /** Rethrows `err`; a 404 from an object request names the bucket when the bucket is missing. */
  async #explain404(err: unknown, key: string, signal?: AbortSignal): Promise<never> {
    try {
      rethrow(err, this.#scope({ key }));
    } catch (mapped) {
      if ((mapped as TroveError).code === 'NOT_FOUND') {
        signal?.throwIfAborted();
        await this.#checkBucket(key);
      }
      throw mapped;
    }
  }

  /**
   * GCS says "bucket does not exist" in its 404s, but emulators answer a plain "Not Found": the
   * first 404 of a backend checks the bucket once.
   */
  async #checkBucket(key: string): Promise<void> {
    if (this.#bucketSeen) return;
    const [exists] = await this.#run({ key }, () => this.#ctx.bucket.exists());
    if (exists) {
      this.#bucketSeen = true;
      return;
    }
    rethrow(Object.assign(new Error('bucket does not exist'), { code: 404 }), this.#scope({ key }));
  }

  #scope(scope: Partial<ErrorScope>): ErrorScope {
    return { bucket: this.bucket, keyFilename: this.#keyFilename, ...scope };
  }

  async #run<T>(scope: Partial<ErrorScope>, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      rethrow(err, this.#scope(scope));
    }
  }
}

/** A backend for one bucket. @example createGcsBackend({ bucket: 'ml-artifacts' }) */
export function createGcsBackend(options: GcsBackendOptions): GcsBackend {
  return new GcsBackend(options);
}
