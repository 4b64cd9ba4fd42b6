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
import { TroveError } from '@trove/core/backend';
import { ObjectStoreBackend } from '@trove/object-store';
import { uploadLeftovers } from './cleanup.js';
import { createStorage, usesAuth } from './client.js';
import type { GcsContext } from './context.js';
import { copyObject } from './copy.js';
import { deleteKeys } from './delete.js';
import { explain404, lookupObject } from './head.js';
import { listObjects } from './list.js';
import { BACKEND, mapGcsError } from './map-error.js';
import { type GcsBackendOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { putObject } from './put.js';
import { readObject } from './read.js';
import { signUrl } from './signed-url.js';
import { uploadBody } from './upload/upload.js';

/** Bytes of one-request bodies over 1 MiB (up to `chunkSize` each) held at once by `writeMany`. */
const BUFFER_BUDGET = 64 * 1024 * 1024;
/** GCS's longest signed URL: 7 days. */
const MAX_SIGNED_SECONDS = 7 * 24 * 3600;

/** A bucket as a trove store: GCS's primitives on core's object-store base. */
export class GcsBackend extends ObjectStoreBackend {
  readonly bucket: string;
  readonly storage: Storage;
  readonly options: ResolvedOptions;

  constructor(input: GcsBackendOptions) {
    const options = resolveOptions(input);
    const storage = input.storage ?? createStorage(input, options);
    const ctx: GcsContext = {
      storage,
      bucket: storage.bucket(options.bucket),
      options,
      apiBase: (options.apiEndpoint ?? storage.apiEndpoint).replace(/\/+$/, ''),
      endpointId: options.apiEndpoint ?? 'gcs',
      auth: input.storage ? input.apiEndpoint === undefined : usesAuth(input),
      onChunk: input.onChunk,
      seen: { bucket: false },
    };
    super({
      kind: BACKEND,
      capabilities: { ifNoneMatch: true, ifMatch: true, serverSideCopy: true, rangeRead: true },
      // A write or a listing has no object to miss: its 404 can only mean the bucket.
      mapError: (err, key, op) =>
        mapGcsError(err, {
          bucket: options.bucket,
          key,
          keyFilename: input.keyFilename,
          bucketLevel: op === 'write' || op === 'list',
        }),
      head: (key, signal) => lookupObject(ctx, key, signal),
      read: (key, o) => readObject(ctx, key, o).catch((err) => explain404(ctx, err, o.signal)),
      oneRequestMax: options.chunkSize,
      put: (key, bytes, md5, o) => putObject(ctx, key, bytes, md5, o),
      upload: (key, body, o) => uploadBody(ctx, key, body, o),
      copy: (from, to, o) =>
        copyObject(ctx, from, to, o).catch((err) => explain404(ctx, err, o.signal)),
      // Buckets of one endpoint rewrite into each other server-side, with this client's credentials.
      copyOrigin: { service: `gcs ${ctx.endpointId}`, container: options.bucket },
      copyFrom: (source, from, to, o) => copyObject(ctx, from, to, o, source.container),
      delete: (keys, signal) => deleteKeys(ctx, keys, signal),
      list: (prefix, startAfter, signal) => listObjects(ctx, prefix, startAfter, signal),
      signedUrl: (key, o) => {
        if (!Number.isInteger(o.expiresIn) || o.expiresIn < 1 || o.expiresIn > MAX_SIGNED_SECONDS) {
          throw new TroveError(
            'INVALID_ARGUMENT',
            `expiresIn must be a whole number of seconds from 1 to ${MAX_SIGNED_SECONDS} (7 days), not ${o.expiresIn}.`,
            { backend: BACKEND, key },
          );
        }
        return signUrl(ctx, key, o);
      },
      writeMany: { objectConcurrency: options.objectConcurrency, bufferBudget: BUFFER_BUDGET },
      leftovers: uploadLeftovers(ctx),
      // The SDK keeps no sockets that need closing (its agents are shared and unref'd).
    });
    this.bucket = options.bucket;
    this.storage = storage;
    this.options = options;
  }
}

/** A backend for one bucket. @example createGcsBackend({ bucket: 'ml-artifacts' }) */
export function createGcsBackend(options: GcsBackendOptions): GcsBackend {
  return new GcsBackend(options);
}
