import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  checkWriteConditions,
  type FileVersion,
  isAbortError,
  type ObjectStat,
  readFileBytes,
  UploadJournal,
  type WriteBody,
  type WriteOptions,
} from '@trove/core/backend';
import { type ChunkSource, fileChunks, streamChunks } from './chunk-source.js';
import type { GcsContext } from './context.js';
import { headObject } from './head.js';
import { BACKEND, mapGcsError } from './map-error.js';
import { checkFinished, corrupt, runSession } from './session.js';
import { generationOf, md5Base64, toStat } from './stat.js';
import {
  cancelSession,
  createSession,
  querySession,
  type UploadTarget,
  uploadInOneRequest,
} from './upload-requests.js';

/** What a resume journal keeps for a GCS upload: the session, which is all GCS needs. */
interface SessionState {
  uri: string;
}

/**
 * `write()` for every body type. Bytes and strings go in one request with their md5 declared
 * (GCS rejects other bytes), checked against `md5` before anything is sent. Files and streams up
 * to `chunkSize` are read into memory and go the same way; larger ones go through a resumable
 * session, chunk by chunk, with two chunks in memory at most. A large local file's session is
 * kept in a journal, so a later attempt (another process, after a kill) continues it.
 */
export async function writeObject(
  ctx: GcsContext,
  key: string,
  body: WriteBody,
  options: WriteOptions,
): Promise<ObjectStat> {
  if (typeof body === 'string') return writeBytes(ctx, key, Buffer.from(body, 'utf8'), options);
  if (body instanceof Uint8Array) return writeBytes(ctx, key, body, options);
  if ('path' in body && typeof body.path === 'string')
    return writeFile(ctx, key, body.path, options);
  return writeStream(ctx, key, body as AsyncIterable<Uint8Array>, options);
}

/** One request; the md5 is checked before it is sent, and declared so GCS checks it too. */
export async function writeBytes(
  ctx: GcsContext,
  key: string,
  bytes: Uint8Array,
  options: WriteOptions,
): Promise<ObjectStat> {
  const digest = createHash('md5').update(bytes).digest();
  const md5 = digest.toString('hex');
  if (options.md5 !== undefined && options.md5 !== md5) throw corrupt(key, md5, options.md5);
  await checkMalformedEtag(ctx, key, options);
  const resource = await conditional(ctx, key, options, () =>
    uploadInOneRequest(ctx, target(key, options, digest.toString('base64')), bytes, options.signal),
  );
  options.onProgress?.(bytes.length);
  return { ...toStat(key, resource), md5 };
}

/** A local file: small ones in one request, large ones through a resumable, journaled session. */
export async function writeFile(
  ctx: GcsContext,
  key: string,
  path: string,
  options: WriteOptions,
): Promise<ObjectStat> {
  const info = await stat(path);
  if (!info.isFile()) throw Object.assign(new Error(`${path} is not a file`), { code: 'EISDIR' });
  if (info.size <= ctx.options.chunkSize)
    return writeBytes(ctx, key, await readFileBytes(path, info.size), options);
  await checkBeforeSending(ctx, key, options);
  const version: FileVersion = { size: info.size, mtimeMs: info.mtimeMs, ino: info.ino };
  const journal = ctx.options.resume
    ? await UploadJournal.acquire<SessionState>(ctx.options.resumeDir, {
        backend: BACKEND,
        endpoint: ctx.endpointId,
        container: ctx.bucket.name,
        key,
        path: resolve(path),
      })
    : undefined;
  const hint = `Did ${path} change while it was uploaded?`;
  const source = await fileChunks(path, info.size, ctx.options.chunkSize);
  let uri: string | undefined;
  try {
    let persisted = 0;
    const earlier = journal?.resumable(version);
    const stale = journal?.previous?.state;
    // Another version of the file: its session goes, and this one starts over.
    if (stale && !earlier) await cancelSession(ctx, stale.uri);
    if (earlier) {
      const status = await querySession(ctx, earlier.uri, info.size, options.signal);
      if (status?.done) {
        // The earlier attempt finished; its answer was lost. Check it holds this file.
        const whole = await md5OfSource(source);
        await checkFinished(ctx, key, status.resource, whole, hint);
        await journal?.finish();
        return { ...toStat(key, status.resource), md5: whole };
      }
      if (status) {
        uri = earlier.uri;
        persisted = status.persisted;
      }
    }
    if (uri === undefined) {
      uri = await createSession(ctx, target(key, options), info.size, options.signal);
      await journal?.save(version, { uri }).catch(() => {});
    }
    const session = uri;
    const { resource, md5 } = await conditional(ctx, key, options, () =>
      runSession(ctx, { ...sessionRun(key, session, source, options), persisted, hint }),
    );
    await journal?.finish();
    return { ...toStat(key, resource), md5 };
  } catch (err) {
    const keep =
      journal !== undefined &&
      uri !== undefined &&
      !isAbortError(err) &&
      mapGcsError(err, { bucket: ctx.bucket.name, key }).retryable;
    if (keep) await journal.release();
    else {
      if (uri !== undefined) await cancelSession(ctx, uri);
      await journal?.finish();
    }
    throw err;
  } finally {
    await source.close();
  }
}

/** A stream: one request if it ends within `chunkSize`, else a resumable session (not journaled). */
async function writeStream(
  ctx: GcsContext,
  key: string,
  body: AsyncIterable<Uint8Array>,
  options: WriteOptions,
): Promise<ObjectStat> {
  const iterator = body[Symbol.asyncIterator]();
  const first = await readUpTo(iterator, ctx.options.chunkSize + 1);
  if (first.length <= ctx.options.chunkSize) return writeBytes(ctx, key, first, options);
  const source = streamChunks(iterator, ctx.options.chunkSize, first);
  let uri: string | undefined;
  try {
    await checkBeforeSending(ctx, key, options);
    uri = await createSession(ctx, target(key, options), options.size, options.signal);
    const session = uri;
    const { resource, md5 } = await conditional(ctx, key, options, () =>
      runSession(ctx, { ...sessionRun(key, session, source, options), persisted: 0 }),
    );
    return { ...toStat(key, resource), md5 };
  } catch (err) {
    if (uri !== undefined) await cancelSession(ctx, uri);
    throw err;
  } finally {
    await source.close().catch(() => {});
  }
}

function target(key: string, options: WriteOptions, md5Base64Value?: string): UploadTarget {
  return {
    key,
    contentType: options.contentType,
    md5Base64: md5Base64Value ?? (options.md5 ? md5Base64(options.md5) : undefined),
    ifGenerationMatch:
      options.ifNoneMatch === '*'
        ? '0'
        : options.ifMatch !== undefined
          ? generationOf(options.ifMatch)
          : undefined,
  };
}

function sessionRun(key: string, uri: string, source: ChunkSource, options: WriteOptions) {
  return {
    key,
    uri,
    source,
    md5: options.md5,
    contentType: options.contentType,
    signal: options.signal,
    onProgress: options.onProgress,
  };
}

/**
 * Runs a conditional upload; a 412 on an `ifMatch` write whose object is gone is NOT_FOUND
 * (GCS answers 412 either way).
 */
async function conditional<T>(
  ctx: GcsContext,
  key: string,
  options: WriteOptions,
  upload: () => Promise<T>,
): Promise<T> {
  try {
    return await upload();
  } catch (err) {
    if (options.ifMatch !== undefined) {
      const mapped = mapGcsError(err, { bucket: ctx.bucket.name, key });
      if (mapped.code === 'PRECONDITION_FAILED' && !(await headObject(ctx, key, options.signal)))
        checkWriteConditions(BACKEND, key, undefined, options);
    }
    throw err;
  }
}

/** An `ifMatch` that is no generation cannot match: say why without a request that would 400. */
async function checkMalformedEtag(ctx: GcsContext, key: string, options: WriteOptions) {
  if (options.ifMatch !== undefined && generationOf(options.ifMatch) !== options.ifMatch) {
    const head = await headObject(ctx, key, options.signal);
    checkWriteConditions(BACKEND, key, head?.etag, options);
  }
}

/**
 * Checks conditions before a resumable upload starts, so a write bound to fail sends nothing.
 * GCS checks them again, atomically, when the last chunk finalises the object.
 */
async function checkBeforeSending(
  ctx: GcsContext,
  key: string,
  options: WriteOptions,
): Promise<void> {
  if (options.ifNoneMatch === undefined && options.ifMatch === undefined) return;
  const head = await headObject(ctx, key, options.signal);
  checkWriteConditions(BACKEND, key, head?.etag, options);
}

async function md5OfSource(source: ChunkSource): Promise<string> {
  const hash = createHash('md5');
  for (let offset = 0; ; ) {
    const chunk = await source.at(offset);
    hash.update(chunk.bytes);
    offset += chunk.bytes.length;
    if (chunk.last) return hash.digest('hex');
  }
}

/** Bytes from an iterator until `limit` or its end (the rest stays in the iterator). */
async function readUpTo(iterator: AsyncIterator<Uint8Array>, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let length = 0;
  while (length < limit) {
    const next = await iterator.next();
    if (next.done) break;
    parts.push(Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength));
    length += next.value.byteLength;
  }
  return Buffer.concat(parts, length);
}
