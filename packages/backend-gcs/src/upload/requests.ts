import { randomBytes } from 'node:crypto';
import type { WriteOptions } from '@trove/core/backend';
import type { GcsContext, ObjectResource } from '../context.js';
import { objectResource } from '../head.js';
import { gcsFetch, httpError, query, withRetries } from '../http.js';
import { generationOf, md5Base64 } from '../stat.js';

/**
 * The JSON API's upload requests, one function each: a one-request upload (`uploadType=
 * multipart`: metadata and bytes in one body) and the four steps of a resumable session
 * (create, send a chunk, ask where it stands, cancel).
 */

export interface UploadTarget {
  key: string;
  contentType?: string | undefined;
  /** base64 md5 the service must find, or it rejects the upload (400). */
  md5Base64?: string | undefined;
  /** `0`: create only; a generation: replace only that version. */
  ifGenerationMatch?: string | undefined;
}

/** The target of a write: `ifNoneMatch: "*"` is `ifGenerationMatch: 0`, `ifMatch` the generation. */
export function uploadTarget(key: string, options: WriteOptions, md5?: string): UploadTarget {
  return {
    key,
    contentType: options.contentType,
    md5Base64: md5 ?? (options.md5 ? md5Base64(options.md5) : undefined),
    ifGenerationMatch:
      options.ifNoneMatch === '*'
        ? '0'
        : options.ifMatch !== undefined
          ? generationOf(options.ifMatch)
          : undefined,
  };
}

function uploadUrl(ctx: GcsContext, params: Record<string, string | number | undefined>): string {
  return `${ctx.apiBase}/upload/storage/v1/b/${encodeURIComponent(ctx.bucket.name)}/o${query(params)}`;
}

function metadata(target: UploadTarget): string {
  return JSON.stringify({
    name: target.key,
    ...(target.contentType ? { contentType: target.contentType } : {}),
    ...(target.md5Base64 ? { md5Hash: target.md5Base64 } : {}),
  });
}

/**
 * Uploads bytes in one request with their md5 declared, so GCS rejects them if what arrives
 * differs. Retried on 408/429/5xx and lost connections; a create-only upload whose retry finds
 * the key taken by these very bytes (the first attempt landed, its answer was lost) succeeds.
 */
export async function uploadInOneRequest(
  ctx: GcsContext,
  target: UploadTarget,
  bytes: Uint8Array,
  signal: AbortSignal | undefined,
): Promise<ObjectResource> {
  const boundary = `trove-${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n${metadata(target)}\r\n` +
      `--${boundary}\r\nContent-Type: ${target.contentType ?? 'application/octet-stream'}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const length = head.length + bytes.byteLength + tail.length;
  const url = uploadUrl(ctx, {
    uploadType: 'multipart',
    ifGenerationMatch: target.ifGenerationMatch,
  });
  return withRetries(
    ctx.options.maxAttempts,
    async (attempt) => {
      const response = await gcsFetch(ctx, url, {
        method: 'POST',
        ...bodyOf([head, bytes, tail]),
        headers: {
          'Content-Type': `multipart/related; boundary=${boundary}`,
          'Content-Length': String(length),
        },
        ...(signal ? { signal } : {}),
      });
      if (response.ok) return (await response.json()) as ObjectResource;
      const err = await httpError(response, `uploading ${target.key}`);
      if (attempt > 0 && err.code === 412 && target.md5Base64)
        return (await landedEarlier(ctx, target)) ?? Promise.reject(err);
      throw err;
    },
    signal,
  );
}

/** The object at the target, if it holds the bytes an earlier attempt sent. */
async function landedEarlier(
  ctx: GcsContext,
  target: UploadTarget,
): Promise<ObjectResource | undefined> {
  try {
    const current = await objectResource(ctx, target.key);
    return current?.md5Hash === target.md5Base64 ? current : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A request body of buffers sent as they are, without a copy: fetch copies a Uint8Array or Blob
 * body whole, and each chunk of an async iterable too (undici's ReadableStreamFrom), but sends
 * the chunks of a ReadableStream as given. Those copies (16 MiB per chunk) wait for a GC, which
 * Node 24 runs later than Node 20: a 200 MiB upload peaked at 205–240 MiB RSS on 24 (172–181 on
 * 20); without them, 113–124 on both. The caller sets Content-Length, so the body is not sent
 * chunked. Empty parts are left out: undici waits forever on a zero-length chunk (a 0-byte object
 * hung its upload).
 */
function bodyOf(parts: readonly Uint8Array[]): RequestInit & { duplex: 'half' } {
  const queue = parts.filter((part) => part.byteLength > 0);
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const part = queue[next++];
      if (part) controller.enqueue(part);
      else controller.close();
    },
  });
  return { body, duplex: 'half' };
}

/** Starts a resumable session; its URI is all a later process needs to continue it. */
export async function createSession(
  ctx: GcsContext,
  target: UploadTarget,
  size: number | undefined,
  signal: AbortSignal | undefined,
): Promise<string> {
  const url = uploadUrl(ctx, {
    uploadType: 'resumable',
    name: target.key,
    ifGenerationMatch: target.ifGenerationMatch,
  });
  return withRetries(
    ctx.options.maxAttempts,
    async () => {
      const response = await gcsFetch(ctx, url, {
        method: 'POST',
        body: metadata(target),
        headers: {
          'Content-Type': 'application/json; charset=UTF-8',
          ...(size !== undefined ? { 'X-Upload-Content-Length': String(size) } : {}),
          ...(target.contentType ? { 'X-Upload-Content-Type': target.contentType } : {}),
        },
        ...(signal ? { signal } : {}),
      });
      const location = response.headers.get('location');
      if (response.ok && location) {
        await response.body?.cancel();
        return location;
      }
      throw await httpError(response, `starting the upload of ${target.key}`);
    },
    signal,
  );
}

/** Where a session stands: bytes the service holds, or the finished object. */
export type SessionStatus =
  | { done: false; persisted: number }
  | { done: true; resource: ObjectResource };

async function sessionStatus(response: Response, what: string): Promise<SessionStatus> {
  if (response.status === 308) {
    await response.body?.cancel();
    // "bytes=0-N": N+1 bytes are persisted; no Range header: none yet.
    const range = /bytes=0-(\d+)/.exec(response.headers.get('range') ?? '');
    return { done: false, persisted: range ? Number(range[1]) + 1 : 0 };
  }
  if (response.ok) return { done: true, resource: (await response.json()) as ObjectResource };
  throw await httpError(response, what);
}

/**
 * Sends one chunk at `offset`. `total` is the object's size once known (always with the last
 * chunk, which then finalises the object); `finalMd5` goes with the last chunk as
 * `X-Goog-Hash`, so GCS refuses to finalise other bytes. Not retried here: after a failure the
 * caller asks the session where it stands and sends from there.
 */
export async function sendChunk(
  ctx: GcsContext,
  uri: string,
  chunk: Uint8Array,
  offset: number,
  total: number | undefined,
  finalMd5: string | undefined,
  contentType: string | undefined,
  signal: AbortSignal | undefined,
): Promise<SessionStatus> {
  const end = offset + chunk.length - 1;
  const response = await gcsFetch(ctx, uri, {
    method: 'PUT',
    ...bodyOf([chunk]),
    headers: {
      'Content-Length': String(chunk.byteLength),
      'Content-Type': contentType ?? 'application/octet-stream',
      'Content-Range': `bytes ${offset}-${end}/${total ?? '*'}`,
      ...(finalMd5 ? { 'X-Goog-Hash': `md5=${finalMd5}` } : {}),
    },
    ...(signal ? { signal } : {}),
  });
  return sessionStatus(response, `uploading bytes ${offset}-${end}`);
}

/**
 * Asks a session how many bytes it holds (`Content-Range: bytes *\/<size>`). Against
 * fake-gcs-server 1.56.1 this finalises the session (a known emulator bug), so trove only asks
 * when resuming or after a failed chunk, as on GCS. `undefined` when the session is gone.
 */
export async function querySession(
  ctx: GcsContext,
  uri: string,
  total: number | undefined,
  signal: AbortSignal | undefined,
): Promise<SessionStatus | undefined> {
  return withRetries(
    ctx.options.maxAttempts,
    async () => {
      const response = await gcsFetch(ctx, uri, {
        method: 'PUT',
        headers: { 'Content-Range': `bytes */${total ?? '*'}`, 'Content-Length': '0' },
        ...(signal ? { signal } : {}),
      });
      if (response.status === 404 || response.status === 410) {
        await response.body?.cancel();
        return undefined;
      }
      return sessionStatus(response, 'asking where the upload stands');
    },
    signal,
  );
}

/** Cancels a session so its bytes are dropped; a session already gone is fine. */
export async function cancelSession(ctx: GcsContext, uri: string): Promise<void> {
  try {
    const response = await gcsFetch(ctx, uri, { method: 'DELETE' });
    // 499 is GCS's answer to a cancelled session; 404/410: already gone.
    await response.body?.cancel();
  } catch {
    // Best effort: GCS drops an unfinished session after a week anyway.
  }
}
