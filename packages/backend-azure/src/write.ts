import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { BlockBlobUploadOptions } from '@azure/storage-blob';
import {
  notFound,
  type ObjectStat,
  preconditionFailed,
  readFileBytes,
  TroveError,
  type WriteBody,
  type WriteOptions,
} from '@trove/core/backend';
import { bufferSource, fileSource, iterableSource } from './block-source.js';
import type { AzureContext } from './context.js';
import { headObject, quoteEtag } from './head.js';
import { mapAzureError } from './map-error.js';
import { blockSizeFor } from './options.js';
import { blockUpload } from './upload.js';

/**
 * `write()` for every body type. A body of at most `blockSize` bytes is read into memory, hashed,
 * checked against `md5` and sent as one Put Blob with its Content-MD5, so a mismatch is caught
 * before anything is sent and the service verifies what it received. A larger one is a block
 * upload (see `upload.ts`).
 */
export async function writeObject(
  ctx: AzureContext,
  key: string,
  body: WriteBody,
  options: WriteOptions,
): Promise<ObjectStat> {
  if (typeof body === 'string') return writeBytes(ctx, key, Buffer.from(body, 'utf8'), options);
  if (body instanceof Uint8Array)
    return writeBytes(
      ctx,
      key,
      Buffer.from(body.buffer, body.byteOffset, body.byteLength),
      options,
    );
  if ('path' in body && typeof body.path === 'string')
    return writeFile(ctx, key, body.path, options);
  return writeIterable(ctx, key, body as AsyncIterable<Uint8Array>, options);
}

/** One Put Blob of bytes in memory; `md5` is checked before the request is made. */
export async function putBlob(
  ctx: AzureContext,
  key: string,
  bytes: Buffer,
  options: WriteOptions,
): Promise<ObjectStat> {
  const digest = createHash('md5').update(bytes).digest();
  const md5 = digest.toString('hex');
  if (options.md5 !== undefined && options.md5 !== md5) throw corrupt(key, md5, options.md5);
  // The SDK passes `transactionalContentMD5` on as Put Blob's Content-MD5, although its type
  // does not list it: the service checks the body against it.
  const upload: BlockBlobUploadOptions & { transactionalContentMD5: Uint8Array } = {
    abortSignal: options.signal,
    transactionalContentMD5: digest,
    blobHTTPHeaders: { blobContentMD5: digest, blobContentType: options.contentType },
    conditions: { ifNoneMatch: options.ifNoneMatch, ifMatch: options.ifMatch },
  };
  return ifMatchChecked(ctx, key, options, async () => {
    const out = await ctx.conn.container
      .getBlockBlobClient(key)
      .upload(bytes, bytes.length, upload);
    options.onProgress?.(bytes.length);
    return {
      key,
      size: bytes.length,
      etag: quoteEtag(out.etag),
      lastModified: out.lastModified ?? new Date(),
      md5,
    };
  });
}

/**
 * Azure answers an `ifMatch` write to a missing blob with 412; the contract says NOT_FOUND.
 * Returns the error to throw.
 */
async function ifMatchOnMissing(
  ctx: AzureContext,
  key: string,
  err: unknown,
  options: WriteOptions,
): Promise<unknown> {
  if (options.ifMatch === undefined) return err;
  const mapped = mapAzureError(err, { container: ctx.options.container, key });
  if (mapped.code !== 'PRECONDITION_FAILED') return mapped;
  const head = await headObject(ctx, key, options.signal).catch(() => ({}));
  return head === undefined ? notFound('azure', key, 'No object to match at') : mapped;
}

async function writeBytes(
  ctx: AzureContext,
  key: string,
  bytes: Buffer,
  options: WriteOptions,
): Promise<ObjectStat> {
  if (bytes.length <= ctx.options.blockSize) return putBlob(ctx, key, bytes, options);
  await checkConditions(ctx, key, options);
  return ifMatchChecked(ctx, key, options, () =>
    blockUpload(ctx, {
      ...requestOptions(key, options),
      blockSize: blockSizeFor(bytes.length, ctx.options.blockSize),
      source: async (size) => bufferSource(bytes, size),
    }),
  );
}

/** A local file: small ones in one request, large ones as blocks from positioned reads, resumable. */
export async function writeFile(
  ctx: AzureContext,
  key: string,
  path: string,
  options: WriteOptions,
): Promise<ObjectStat> {
  const info = await stat(path);
  if (!info.isFile()) throw Object.assign(new Error(`${path} is not a file`), { code: 'EISDIR' });
  const size = info.size;
  if (size <= ctx.options.blockSize)
    return putBlob(ctx, key, await readFileBytes(path, size), options);
  await checkConditions(ctx, key, options);
  const slots = ctx.options.concurrency + 1;
  return ifMatchChecked(ctx, key, options, () =>
    blockUpload(ctx, {
      ...requestOptions(key, options),
      blockSize: blockSizeFor(size, ctx.options.blockSize),
      source: (blockSize) => fileSource(path, size, blockSize, slots),
      file: ctx.options.resume
        ? { path: resolve(path), size, mtimeMs: info.mtimeMs, ino: info.ino }
        : undefined,
    }),
  );
}

async function writeIterable(
  ctx: AzureContext,
  key: string,
  body: AsyncIterable<Uint8Array>,
  options: WriteOptions,
): Promise<ObjectStat> {
  const blockSize =
    options.size !== undefined
      ? blockSizeFor(options.size, ctx.options.blockSize)
      : ctx.options.blockSize;
  const iterator = body[Symbol.asyncIterator]();
  // Read up to one block plus a byte: a body that ends within it is one request.
  const first: Buffer[] = [];
  let buffered = 0;
  let ended = false;
  try {
    while (buffered <= blockSize) {
      const step = await iterator.next();
      if (step.done) {
        ended = true;
        break;
      }
      const chunk = Buffer.from(step.value.buffer, step.value.byteOffset, step.value.byteLength);
      first.push(chunk);
      buffered += chunk.length;
    }
    if (ended) return await putBlob(ctx, key, Buffer.concat(first, buffered), options);
    await checkConditions(ctx, key, options);
  } catch (err) {
    if (!ended) await iterator.return?.().catch(() => {});
    throw err;
  }
  return ifMatchChecked(ctx, key, options, () =>
    blockUpload(ctx, {
      ...requestOptions(key, options),
      blockSize,
      source: async (size) => iterableSource(iterator, size, ctx.options.concurrency + 1, first),
    }),
  );
}

function requestOptions(key: string, options: WriteOptions) {
  return {
    key,
    contentType: options.contentType,
    md5: options.md5,
    ifNoneMatch: options.ifNoneMatch,
    ifMatch: options.ifMatch,
    signal: options.signal,
    onProgress: options.onProgress,
  };
}

/** Runs a write, turning Azure's 412 for an `ifMatch` on a missing blob into NOT_FOUND. */
async function ifMatchChecked(
  ctx: AzureContext,
  key: string,
  options: WriteOptions,
  upload: () => Promise<ObjectStat>,
): Promise<ObjectStat> {
  try {
    return await upload();
  } catch (err) {
    throw await ifMatchOnMissing(ctx, key, err, options);
  }
}

/**
 * Checks conditions before a block upload starts, so a write that is bound to fail does not send
 * gigabytes first. Put Block List checks them again, atomically, at the commit.
 */
async function checkConditions(
  ctx: AzureContext,
  key: string,
  options: WriteOptions,
): Promise<void> {
  if (options.ifNoneMatch === undefined && options.ifMatch === undefined) return;
  const head = await headObject(ctx, key, options.signal);
  if (options.ifNoneMatch === '*' && head) throw preconditionFailed('azure', key);
  if (options.ifMatch !== undefined) {
    if (!head) throw notFound('azure', key, 'No object to match at');
    if (head.etag !== options.ifMatch) throw preconditionFailed('azure', key, 'has changed');
  }
}

function corrupt(key: string, actual: string, expected: string): TroveError {
  return new TroveError('CORRUPT', `The bytes for ${key} have md5 ${actual}, not ${expected}.`, {
    backend: 'azure',
    key,
  });
}
