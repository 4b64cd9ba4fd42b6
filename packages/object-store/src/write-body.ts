/**
 * The write-body dispatch of an object store (`defineObjectStore`): every body becomes either
 * one request of bytes in memory (at most `oneRequestMax`, hashed first so a wrong `md5` fails
 * before anything is sent) or a multi-request upload the backend runs (a local file, bytes in
 * memory, or a stream whose first bytes were read to tell which it is).
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  type FileVersion,
  TroveError,
  type WriteBody,
  type WriteOptions,
} from '@trove/core/backend';

/** A body too large for one request, as the backend's upload engine gets it. */
export type UploadBody =
  /** A local file (absolute path) of `size` bytes: its version keys a resume journal. */
  | { kind: 'file'; path: string; size: number; version: FileVersion }
  /** Bytes already in memory. */
  | { kind: 'bytes'; bytes: Buffer }
  /** A stream: `head` (more than one request's worth) was read from it, `rest` follows. */
  | { kind: 'stream'; head: Buffer; rest: AsyncIterator<Uint8Array> };

/** The size of an upload body where it is known: bytes and files, a stream's only if declared. */
export function uploadSize(body: UploadBody, declared: number | undefined): number | undefined {
  if (body.kind === 'bytes') return body.bytes.length;
  return body.kind === 'file' ? body.size : declared;
}

/** What an upload engine takes from a write's options. */
export interface UploadRequest {
  key: string;
  contentType: string | undefined;
  /** Expected md5 (hex): checked before the upload is committed, so a mismatch leaves nothing. */
  md5: string | undefined;
  ifNoneMatch: '*' | undefined;
  ifMatch: string | undefined;
  signal: AbortSignal | undefined;
  onProgress: ((bytes: number) => void) | undefined;
}

export function uploadRequest(key: string, options: WriteOptions): UploadRequest {
  const { contentType, md5, ifNoneMatch, ifMatch, signal, onProgress } = options;
  return { key, contentType, md5, ifNoneMatch, ifMatch, signal, onProgress };
}

/** What a body turned out to be: small enough for one request, or an upload. */
export type SortedBody = { kind: 'one'; bytes: Buffer } | UploadBody;

/** Sorts a write body: one request when it has at most `oneRequestMax` bytes. */
export async function sortBody(body: WriteBody, oneRequestMax: number): Promise<SortedBody> {
  if (typeof body === 'string') return sized(Buffer.from(body, 'utf8'), oneRequestMax);
  if (body instanceof Uint8Array)
    return sized(Buffer.from(body.buffer, body.byteOffset, body.byteLength), oneRequestMax);
  if ('path' in body && typeof body.path === 'string') {
    const path = resolve(body.path);
    const info = await stat(path);
    if (!info.isFile())
      throw Object.assign(new Error(`${path} is not a file`), { code: 'EISDIR', path });
    const version = { size: info.size, mtimeMs: info.mtimeMs, ino: info.ino };
    return { kind: 'file', path, size: info.size, version };
  }
  const rest = (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  let head: Buffer;
  try {
    head = await readUpTo(rest, oneRequestMax + 1);
  } catch (err) {
    await rest.return?.().catch(() => {});
    throw err;
  }
  if (head.length <= oneRequestMax) return { kind: 'one', bytes: head };
  return { kind: 'stream', head, rest };
}

function sized(bytes: Buffer, oneRequestMax: number): SortedBody {
  return bytes.length <= oneRequestMax ? { kind: 'one', bytes } : { kind: 'bytes', bytes };
}

/** Bytes from an iterator until at least `limit` or its end (the rest stays in the iterator). */
async function readUpTo(iterator: AsyncIterator<Uint8Array>, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let length = 0;
  while (length < limit) {
    const next = await iterator.next();
    if (next.done) break;
    parts.push(Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength));
    length += next.value.byteLength;
  }
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, length);
}

/** The md5 of bytes to send in one request, checked against the one the caller expects. */
export function md5Checked(
  kind: string,
  key: string,
  bytes: Uint8Array,
  expected: string | undefined,
): Buffer {
  const digest = createHash('md5').update(bytes).digest();
  const actual = digest.toString('hex');
  if (expected !== undefined && expected !== actual)
    throw corruptBytes(kind, key, actual, expected);
  return digest;
}

/** `CORRUPT`: the bytes of a write have another md5 than the caller said. */
export function corruptBytes(
  kind: string,
  key: string,
  actual: string,
  expected: string,
  hint?: string,
): TroveError {
  return new TroveError('CORRUPT', `The bytes for ${key} have md5 ${actual}, not ${expected}.`, {
    backend: kind,
    key,
    ...(hint ? { hint } : {}),
  });
}
