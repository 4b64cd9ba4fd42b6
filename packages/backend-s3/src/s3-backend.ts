/**
 * The store as an S3 bucket (AWS, or any S3-compatible server through `endpoint`): key `a/b/c`
 * is the object `a/b/c` in the bucket; core adds the store's `prefix` before keys get here.
 *
 * - Writes: a body of at most `partSize` (8 MiB by default) is one PutObject, hashed first, with
 *   `Content-MD5`, so S3 verifies it and a wrong `md5` option fails before anything is sent.
 *   Larger bodies are multipart uploads with parts of `max(partSize, ceil(size / 9000))` rounded
 *   up to 1 MiB, so no object reaches the 10,000-part limit; streams of unknown length double
 *   their part size every 1,000 parts. Parts live in a pool of `concurrency + 1` buffers, so
 *   memory is bounded whatever the size. The md5 of the whole body is computed as the parts are
 *   read, in order, and checked before CompleteMultipartUpload: until then nothing is visible.
 *   A failed upload is aborted (no orphaned parts), except below.
 * - Resume: a multipart upload of a local file keeps `{ uploadId, partSize }` and the file's
 *   size, mtime and inode in an owned journal in `resumeDir` (the toolkit's `UploadJournal`: a
 *   live upload is never joined by another process, which then uploads on its own). Started
 *   again (after a kill or a lost connection), the same upload of the same unchanged file asks ListParts, re-reads each part the server holds to
 *   check its md5 against the part's ETag, and sends only the missing ones. A retryable failure
 *   keeps the upload for that; anything else aborts it. A bucket lifecycle rule that aborts
 *   incomplete uploads after a few days is still wise for machines that never come back;
 *   `trove gc` (`cleanup`) aborts uploads older than its grace period and removes their journals.
 * - Conditional writes: `ifNoneMatch: "*"` is `If-None-Match: *` on PutObject and on
 *   CompleteMultipartUpload; `ifMatch` is `If-Match` on both. 412 (and 409
 *   ConditionalRequestConflict, a concurrent conditional write) is PRECONDITION_FAILED. Before a
 *   multipart upload the condition is checked once with HeadObject, to fail before sending.
 * - Consistency: S3 is strongly consistent for reads after writes and for listings, so `list`
 *   sees every completed write; readers never see a partial object.
 * - Checksums: `checksums: when_required` (the default with a custom `endpoint`) keeps the SDK
 *   from adding CRC32 and aws-chunked bodies that many S3-compatible stores reject.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import {
  type CleanupOptions,
  type CleanupResult,
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
import { cleanupUploads } from './cleanup.js';
import { createClient } from './client.js';
import type { S3Context } from './context.js';
import { copyObject } from './copy.js';
import { deleteKeys } from './delete.js';
import { headObject } from './head.js';
import { listObjects } from './list.js';
import { rethrow } from './map-error.js';
import { type ResolvedOptions, resolveOptions, type S3BackendOptions } from './options.js';
import { readObject } from './read.js';
import { signUrl } from './signed-url.js';
import { writeObject } from './write.js';
import { writeManyObjects } from './write-many.js';

export class S3Backend implements StorageBackend {
  readonly kind = 's3';
  readonly capabilities: DeclaredCapabilities = Object.freeze({
    ifNoneMatch: true,
    ifMatch: true,
    serverSideCopy: true,
    rangeRead: true,
  });
  readonly bucket: string;
  readonly client: S3Client;
  readonly options: ResolvedOptions;
  readonly #ctx: S3Context;
  readonly #ownsClient: boolean;
  readonly #clientOptions: S3BackendOptions;
  #signer: S3Client | undefined;

  constructor(options: S3BackendOptions) {
    this.options = resolveOptions(options);
    this.bucket = this.options.bucket;
    this.#ownsClient = options.client === undefined;
    this.#clientOptions = options;
    this.client = options.client ?? createClient(options, this.options);
    this.#ctx = {
      client: this.client,
      bucket: this.bucket,
      options: this.options,
      endpointId: options.endpoint ?? 'aws',
      onPart: options.onPart,
    };
  }

  async stat(key: string, options: OpOptions = {}): Promise<ObjectStat> {
    validateKey(key, this.kind);
    const stat = await this.#run(key, () => headObject(this.#ctx, key, options.signal));
    if (!stat)
      throw new TroveError('NOT_FOUND', `No object at ${key}.`, { backend: this.kind, key });
    return { key, size: stat.size, etag: stat.etag, lastModified: stat.lastModified };
  }

  async exists(key: string, options: OpOptions = {}): Promise<boolean> {
    validateKey(key, this.kind);
    return (await this.#run(key, () => headObject(this.#ctx, key, options.signal))) !== undefined;
  }

  async read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
    validateKey(key, this.kind);
    return this.#run(key, () => readObject(this.#ctx, key, options));
  }

  async write(key: string, body: WriteBody, options: WriteOptions = {}): Promise<ObjectStat> {
    validateKey(key, this.kind);
    return this.#run(key, () => writeObject(this.#ctx, key, body, options));
  }

  async copy(from: string, to: string, options: CopyOptions = {}): Promise<ObjectStat> {
    validateKey(from, this.kind);
    validateKey(to, this.kind);
    return this.#run(to, () => copyObject(this.#ctx, from, to, options));
  }

  async delete(key: string, options: OpOptions = {}): Promise<void> {
    validateKey(key, this.kind);
    await this.#run(key, () => deleteKeys(this.#ctx, [key], options.signal));
  }

  async deleteMany(keys: readonly string[], options: OpOptions = {}): Promise<void> {
    for (const key of keys) validateKey(key, this.kind);
    await this.#run(undefined, () => deleteKeys(this.#ctx, keys, options.signal));
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectEntry> {
    validatePrefix(prefix, this.kind);
    try {
      yield* listObjects(this.#ctx, prefix, options.startAfter, options.signal);
    } catch (err) {
      rethrow(err, { bucket: this.bucket, key: prefix === '' ? undefined : prefix });
    }
  }

  async writeMany(
    items: WriteManySource,
    options: WriteManyOptions = {},
  ): Promise<WriteManyResult> {
    return this.#run(undefined, () => writeManyObjects(this.#ctx, items, options));
  }

  async signedUrl(key: string, options: SignedUrlOptions): Promise<URL> {
    validateKey(key, this.kind);
    return this.#run(key, () => signUrl(this.#signingClient(), this.bucket, key, options));
  }

  async cleanup(options: CleanupOptions): Promise<CleanupResult> {
    return this.#run(undefined, () => cleanupUploads(this.#ctx, options));
  }

  async close(): Promise<void> {
    if (this.#ownsClient) this.client.destroy();
    this.#signer?.destroy();
  }

  /**
   * With `checksums: when_supported` the SDK would put the CRC32 of an empty body into presigned
   * PUT URLs, which S3 then rejects for any real upload; URLs are signed by a twin client that
   * adds no checksums. (An injected client is used as it is.)
   */
  #signingClient(): S3Client {
    if (!this.#ownsClient || this.options.checksums === 'when_required') return this.client;
    this.#signer ??= createClient(this.#clientOptions, {
      ...this.options,
      checksums: 'when_required',
    });
    return this.#signer;
  }

  async #run<T>(key: string | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      rethrow(err, { bucket: this.bucket, key });
    }
  }
}

/** A backend for one bucket. @example createS3Backend({ bucket: 'ml-artifacts', region: 'eu-west-1' }) */
export function createS3Backend(options: S3BackendOptions): S3Backend {
  return new S3Backend(options);
}
