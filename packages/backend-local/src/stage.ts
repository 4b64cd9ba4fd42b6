import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, mkdir, open, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { WriteBody } from '@trove/core/backend';
import { CHUNK_SIZE, copyFileHashing, writeFully } from './file-copy.js';
import { tempPathBeside } from './paths.js';

/** A complete, hashed, read-only temp file waiting to be committed under its final name. */
export interface StagedFile {
  readonly tempPath: string;
  /** Still open, so the committed file can be described without racing other writers. */
  readonly handle: FileHandle;
  readonly md5: string;
  readonly size: number;
}

export interface StageOptions {
  signal?: AbortSignal;
  onProgress?: (bytes: number) => void;
  /** fsync the file before it is committed. */
  fsync?: boolean;
}

/** Mode of every stored object, like DVC's cache: read-only for everyone. */
export const OBJECT_MODE = 0o444;

/**
 * Writes `body` to a fresh temp file beside `dest` (creating the folder if needed), computing
 * its md5 in the same pass, and leaves it mode 0444. On any failure the temp file is removed.
 */
export async function stageBody(
  dest: string,
  body: WriteBody,
  options: StageOptions = {},
): Promise<StagedFile> {
  options.signal?.throwIfAborted();
  const tempPath = tempPathBeside(dest);
  const source = isPathBody(body) ? body.path : undefined;
  // A file copy is read back for its md5 (read-write); the kernel's copy needs it writable.
  const sourceStat = source === undefined ? undefined : await stat(source);
  const handle = await openTemp(
    tempPath,
    sourceStat ? 'wx+' : 'wx',
    sourceStat ? 0o600 : OBJECT_MODE,
  );
  try {
    const hash = createHash('md5');
    let size: number;
    if (typeof body === 'string' || body instanceof Uint8Array) {
      const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
      hash.update(bytes);
      await writeFully(handle.fd, bytes, bytes.byteLength, 0);
      size = bytes.byteLength;
      options.onProgress?.(size);
    } else if (source !== undefined && sourceStat?.isFile()) {
      const started = Date.now();
      size = await copyFileHashing(source, tempPath, handle.fd, hash, options);
      if (size === 0) options.onProgress?.(0);
      // The object was made now, whatever times the copy carried over from its source.
      if ((await handle.stat()).mtimeMs < started - 1000)
        await handle.utimes(new Date(), new Date());
    } else {
      // A `{ path }` that is not a regular file (a pipe, a device) is read as a stream.
      const chunks =
        source === undefined
          ? (body as AsyncIterable<Uint8Array>)
          : createReadStream(source, { highWaterMark: CHUNK_SIZE });
      size = await writeChunks(handle.fd, chunks, hash, options);
    }
    // `open` applied the umask (or 0600 for a copy); set 0444 exactly.
    await handle.chmod(OBJECT_MODE);
    if (options.fsync) await handle.sync();
    return { tempPath, handle, md5: hash.digest('hex'), size };
  } catch (err) {
    await discard({ tempPath, handle });
    throw err;
  }
}

function isPathBody(body: WriteBody): body is { path: string } {
  return (
    typeof body === 'object' &&
    body !== null &&
    !(body instanceof Uint8Array) &&
    'path' in body &&
    typeof body.path === 'string'
  );
}

/** Closes and removes a staged file that will not be committed. Never throws. */
export async function discard(staged: { tempPath: string; handle: FileHandle }): Promise<void> {
  await staged.handle.close().catch(() => {});
  await unlink(staged.tempPath).catch(() => {});
}

async function openTemp(tempPath: string, flags: string, mode: number): Promise<FileHandle> {
  try {
    return await open(tempPath, flags, mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await mkdir(dirname(tempPath), { recursive: true });
    return await open(tempPath, flags, mode);
  }
}

/** Writes a stream of chunks, gathering small ones into 1 MiB writes. */
async function writeChunks(
  fd: number,
  chunks: AsyncIterable<Uint8Array>,
  hash: ReturnType<typeof createHash>,
  options: StageOptions,
): Promise<number> {
  const staging = Buffer.allocUnsafe(CHUNK_SIZE);
  let staged = 0;
  let position = 0;
  let total = 0;
  const flush = async (): Promise<void> => {
    await writeFully(fd, staging, staged, position);
    position += staged;
    staged = 0;
  };
  for await (const item of chunks as AsyncIterable<Uint8Array | string>) {
    options.signal?.throwIfAborted();
    const chunk = typeof item === 'string' ? Buffer.from(item, 'utf8') : item;
    hash.update(chunk);
    total += chunk.byteLength;
    if (chunk.byteLength >= CHUNK_SIZE / 2) {
      if (staged > 0) await flush();
      await writeFully(fd, chunk, chunk.byteLength, position);
      position += chunk.byteLength;
    } else {
      if (staged + chunk.byteLength > CHUNK_SIZE) await flush();
      staging.set(chunk, staged);
      staged += chunk.byteLength;
    }
    options.onProgress?.(total);
  }
  if (staged > 0) await flush();
  if (total === 0) options.onProgress?.(0);
  return total;
}
