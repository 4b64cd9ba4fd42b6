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
import { ObjectStoreBackend } from '@trove/object-store';
import { uploadLeftovers } from './cleanup.js';
import { clientAgents, createClient } from './client.js';
import type { S3Context } from './context.js';
import { copyObject } from './copy.js';
import { deleteKeys } from './delete.js';
import { headObject } from './head.js';
import { DirectRequests } from './http.js';
import { listObjects } from './list.js';
import { mapS3Error } from './map-error.js';
import { type ResolvedOptions, resolveOptions, type S3BackendOptions } from './options.js';
import { putObject } from './put.js';
import { readObject } from './read.js';
import { signUrl } from './signed-url.js';
import { uploadBody } from './upload/upload.js';

/** A bucket as a trove store: S3's primitives on core's object-store base. */
export class S3Backend extends ObjectStoreBackend {
  readonly bucket: string;
  readonly client: S3Client;
  readonly options: ResolvedOptions;

  constructor(input: S3BackendOptions) {
    const options = resolveOptions(input);
    const ownsClient = input.client === undefined;
    const agents = clientAgents(options);
    const client = input.client ?? createClient(input, options, agents);
    // Reads and small writes skip the SDK's stack only over the transport trove built (http.ts).
    const direct =
      ownsClient && input.clientConfig?.requestHandler === undefined
        ? new DirectRequests(client, options.bucket, agents, options.maxAttempts)
        : undefined;
    const ctx: S3Context = {
      client,
      bucket: options.bucket,
      options,
      endpointId: input.endpoint ?? 'aws',
      onPart: input.onPart,
      direct,
    };
    let signer: S3Client | undefined;
    /**
     * With `checksums: when_supported` the SDK would put the CRC32 of an empty body into
     * presigned PUT URLs, which S3 then rejects for any real upload; URLs are signed by a twin
     * client that adds no checksums. (An injected client is used as it is.)
     */
    const signingClient = (): S3Client => {
      if (!ownsClient || options.checksums === 'when_required') return client;
      signer ??= createClient(input, { ...options, checksums: 'when_required' }, agents);
      return signer;
    };
    super({
      kind: 's3',
      capabilities: { ifNoneMatch: true, ifMatch: true, serverSideCopy: true, rangeRead: true },
      mapError: (err, key) => mapS3Error(err, { bucket: options.bucket, key }),
      head: (key, signal) => headObject(ctx, key, signal),
      read: (key, o) => readObject(ctx, key, o),
      oneRequestMax: options.partSize,
      put: (key, bytes, md5, o) => putObject(ctx, key, bytes, md5, o),
      upload: (key, body, o) => uploadBody(ctx, key, body, o),
      copy: (from, to, o) => copyObject(ctx, from, to, o),
      // Buckets of one endpoint copy between each other server-side, with this client's credentials.
      copyOrigin: { service: `s3 ${ctx.endpointId}`, container: options.bucket },
      copyFrom: (source, from, to, o) => copyObject(ctx, from, to, o, source.container),
      delete: (keys, signal) => deleteKeys(ctx, keys, signal),
      list: (prefix, startAfter, signal) => listObjects(ctx, prefix, startAfter, signal),
      signedUrl: (key, o) => signUrl(signingClient(), options.bucket, key, o),
      // The bytes buffered at once are bounded by `partSize × concurrency`.
      writeMany: {
        objectConcurrency: options.objectConcurrency,
        bufferBudget: options.partSize * options.concurrency,
      },
      leftovers: uploadLeftovers(ctx),
      close: async () => {
        if (ownsClient) client.destroy();
        signer?.destroy();
      },
    });
    this.bucket = options.bucket;
    this.client = client;
    this.options = options;
  }
}

/** A backend for one bucket. @example createS3Backend({ bucket: 'ml-artifacts', region: 'eu-west-1' }) */
export function createS3Backend(options: S3BackendOptions): S3Backend {
  return new S3Backend(options);
}
