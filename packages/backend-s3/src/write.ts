import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  type ObjectStat,
  readFileBytes,
  TroveError,
  type WriteBody,
  type WriteOptions,
} from '@trove/core/backend';
import { type S3Context, sendOptions } from './context.js';
import { headObject } from './head.js';
import { partSizeFor } from './part-size.js';
import { bufferSource, fileSource, iterableSource, type Part, withFirst } from './part-source.js';
import { multipartUpload } from './upload.js';

/**
 * `write()` for every body type. A body that fits in one part (≤ `partSize`) is read into memory,
 * hashed, checked against `md5` and sent as one PutObject with `Content-MD5`, so a mismatch is
 * caught before anything is sent and S3 verifies what it received. A larger one goes multipart.
 */
export async function writeObject(
  ctx: S3Context,
  key: string,
  body: WriteBody,
  options: WriteOptions,
): Promise<ObjectStat> {
  if (typeof body === 'string') return writeBytes(ctx, key, Buffer.from(body, 'utf8'), options);
  if (body instanceof Uint8Array) {
    return writeBytes(
      ctx,
      key,
      Buffer.from(body.buffer, body.byteOffset, body.byteLength),
      options,
    );
  }
  if ('path' in body && typeof body.path === 'string')
    return writeFile(ctx, key, body.path, options);
  return writeIterable(ctx, key, body as AsyncIterable<Uint8Array>, options);
}

/** One PutObject of bytes in memory; `md5` is checked before the request is made. */
export async function putObject(
  ctx: S3Context,
  key: string,
  bytes: Buffer,
  options: WriteOptions,
): Promise<ObjectStat> {
  const digest = createHash('md5').update(bytes).digest();
  const md5 = digest.toString('hex');
  if (options.md5 !== undefined && options.md5 !== md5) throw corrupt(key, md5, options.md5);
  const out = await ctx.client.send(
    new PutObjectCommand({
      Bucket: ctx.bucket,
      Key: key,
      Body: bytes,
      ContentLength: bytes.length,
      ContentMD5: digest.toString('base64'),
      ContentType: options.contentType,
      IfNoneMatch: options.ifNoneMatch,
      IfMatch: options.ifMatch,
    }),
    sendOptions(options.signal),
  );
  options.onProgress?.(bytes.length);
  return { key, size: bytes.length, etag: out.ETag ?? '', lastModified: new Date(), md5 };
}

async function writeBytes(
  ctx: S3Context,
  key: string,
  bytes: Buffer,
  options: WriteOptions,
): Promise<ObjectStat> {
  if (bytes.length <= ctx.options.partSize) return putObject(ctx, key, bytes, options);
  await checkConditions(ctx, key, options);
  return multipartUpload(ctx, {
    ...requestOptions(key, options),
    partSize: partSizeFor(bytes.length, ctx.options.partSize),
    source: async (partSize) => bufferSource(bytes, partSize),
  });
}

/** A local file: small ones in one PUT, large ones multipart from positioned reads, resumable. */
export async function writeFile(
  ctx: S3Context,
  key: string,
  path: string,
  options: WriteOptions,
): Promise<ObjectStat> {
  const info = await stat(path);
  if (!info.isFile()) throw Object.assign(new Error(`${path} is not a file`), { code: 'EISDIR' });
  const size = info.size;
  if (size <= ctx.options.partSize)
    return putObject(ctx, key, await readFileBytes(path, size), options);
  await checkConditions(ctx, key, options);
  const slots = ctx.options.concurrency + 1;
  return multipartUpload(ctx, {
    ...requestOptions(key, options),
    partSize: partSizeFor(size, ctx.options.partSize),
    source: (partSize) => fileSource(path, size, partSize, slots),
    file: ctx.options.resume
      ? { path: resolve(path), size, mtimeMs: info.mtimeMs, ino: info.ino }
      : undefined,
  });
}

async function writeIterable(
  ctx: S3Context,
  key: string,
  body: AsyncIterable<Uint8Array>,
  options: WriteOptions,
): Promise<ObjectStat> {
  const base =
    options.size !== undefined
      ? partSizeFor(options.size, ctx.options.partSize)
      : ctx.options.partSize;
  const source = iterableSource(body[Symbol.asyncIterator](), base, ctx.options.concurrency + 1);
  let first: Part | undefined;
  try {
    first = await source.next();
    // The stream ended within the first part: one PUT, the md5 checked before it is sent.
    if (!first || first.bytes.length < base) {
      return await putObject(ctx, key, first?.bytes ?? Buffer.alloc(0), options);
    }
    await checkConditions(ctx, key, options);
  } catch (err) {
    first?.release();
    await source.close().catch(() => {});
    throw err;
  }
  const head = first;
  return multipartUpload(ctx, {
    ...requestOptions(key, options),
    partSize: base,
    source: async () => withFirst(head, source),
  });
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

/**
 * Checks conditions before a multipart upload starts, so a write that is bound to fail does not
 * send gigabytes first. CompleteMultipartUpload checks them again, atomically, at the end.
 */
async function checkConditions(ctx: S3Context, key: string, options: WriteOptions): Promise<void> {
  if (options.ifNoneMatch === undefined && options.ifMatch === undefined) return;
  const head = await headObject(ctx, key, options.signal);
  if (options.ifNoneMatch === '*' && head) {
    throw new TroveError('PRECONDITION_FAILED', `An object already exists at ${key}.`, {
      backend: 's3',
      key,
    });
  }
  if (options.ifMatch !== undefined) {
    if (!head)
      throw new TroveError('NOT_FOUND', `No object at ${key} to match.`, { backend: 's3', key });
    if (head.etag !== options.ifMatch) {
      throw new TroveError('PRECONDITION_FAILED', `The object at ${key} has changed.`, {
        backend: 's3',
        key,
      });
    }
  }
}

function corrupt(key: string, actual: string, expected: string): TroveError {
  return new TroveError('CORRUPT', `The bytes for ${key} have md5 ${actual}, not ${expected}.`, {
    backend: 's3',
    key,
  });
}
