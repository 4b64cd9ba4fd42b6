/**
 * The store as a folder: key `a/b/c` is the file `<root>/a/b/c` (DVC's cache layout works as is).
 *
 * - Writes go to `<dir>/.trove-tmp-<random>` in the object's own folder, hashed (md5) in the same
 *   pass, then are renamed over the final name: readers see the old object or the new one, never
 *   part of one. A failed, aborted or md5-mismatched write removes its temp file. Names starting
 *   with `.trove-tmp` are never keys (core rejects them) and `list` skips them.
 * - `{ path }` bodies are copied by the kernel (a reflink where the filesystem can, else
 *   copy_file_range) in the threadpool while this thread md5s the temp file right behind the
 *   copy: one read of the source, and the md5 is of the bytes actually stored (file-copy.ts).
 * - Objects are mode 0444, like DVC's cache; folders get the default mode. Renaming over a
 *   read-only file is allowed (only the folder's mode matters), so overwrites work.
 * - `etag` = inode + size + mtime in ns. A key's mtime is kept strictly increasing across
 *   versions, so a stale etag never matches even when the inode number is reused.
 * - `ifNoneMatch: "*"` commits with `link(temp, final)`, which fails with EEXIST in every
 *   process at once. `ifMatch` compares and renames while holding the key's lock file
 *   `<dir>/.trove-tmp-lock-<name>` (O_EXCL; a lock older than 30 s is taken as stale and broken).
 *   Unconditional writes take no lock: the last rename wins.
 * - No fsync unless `fsync: true` (DVC does not either); a crash may lose recent writes, never
 *   expose half of one.
 */
import type { BigIntStats } from 'node:fs';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  type BackendCapabilities,
  type CopyOptions,
  isTroveError,
  type LinkType,
  type ListOptions,
  type MaterializeOptions,
  type ObjectEntry,
  type ObjectStat,
  type OpOptions,
  type ReadOptions,
  type ReadResult,
  type StorageBackend,
  TroveError,
  validateKey,
  validatePrefix,
  type WriteBody,
  type WriteManyOptions,
  type WriteManyResult,
  type WriteManySource,
  type WriteOptions,
} from '@trove/core';
import {
  assertMatches,
  commitCreate,
  commitIfMatch,
  commitReplace,
  preconditionFailed,
  statIfFile,
} from './commit.js';
import { copyObject } from './copy.js';
import { toObjectStat } from './etag.js';
import { type BrokenLinkTypes, DEFAULT_LINK_TYPES, placeFile } from './link.js';
import { listObjects } from './list.js';
import { rethrow } from './map-error.js';
import { keyPath } from './paths.js';
import { openObject } from './read.js';
import { discard, stageBody } from './stage.js';
import { writeMany } from './write-many.js';

export interface LocalBackendOptions {
  /** The store folder (created on first write). Relative paths resolve against the cwd. */
  root: string;
  /** fsync each object before it is committed (slower; survives power loss). Default false. */
  fsync?: boolean;
}

const DELETE_CONCURRENCY = 32;

export class LocalBackend implements StorageBackend {
  readonly kind = 'local';
  readonly capabilities: BackendCapabilities = Object.freeze({
    ifNoneMatch: true,
    ifMatch: true,
    signedUrl: false,
    serverSideCopy: true,
    rangeRead: true,
    rename: true,
    writeMany: true,
    materialize: true,
  });
  /** Absolute path of the store folder. */
  readonly root: string;
  readonly #fsync: boolean;
  readonly #brokenLinkTypes: BrokenLinkTypes = new Map();

  constructor(options: LocalBackendOptions) {
    this.root = resolve(options.root);
    this.#fsync = options.fsync ?? false;
  }

  #path(key: string): string {
    return keyPath(this.root, validateKey(key, this.kind));
  }

  async #statIfFile(path: string, key: string): Promise<BigIntStats | undefined> {
    try {
      return await statIfFile(path);
    } catch (err) {
      rethrow(err, key);
    }
  }

  async stat(key: string, _options?: OpOptions): Promise<ObjectStat> {
    const st = await this.#statIfFile(this.#path(key), key);
    if (!st) throw notFound(key);
    return toObjectStat(key, st);
  }

  async exists(key: string, options?: OpOptions): Promise<boolean> {
    this.#path(key);
    try {
      await this.stat(key, options);
      return true;
    } catch (err) {
      if (isTroveError(err, 'NOT_FOUND')) return false;
      throw err;
    }
  }

  read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
    return openObject(this.#path(key), key, options.range, options.signal);
  }

  async write(key: string, body: WriteBody, options: WriteOptions = {}): Promise<ObjectStat> {
    const path = this.#path(key);
    // Checked before the bytes are copied (cheap), and again atomically at commit.
    if (options.ifNoneMatch === '*' && (await this.exists(key))) throw preconditionFailed(key);
    if (options.ifMatch !== undefined)
      assertMatches(await this.#statIfFile(path, key), options.ifMatch, key);
    let staged: Awaited<ReturnType<typeof stageBody>>;
    try {
      staged = await stageBody(path, body, { ...options, fsync: this.#fsync });
    } catch (err) {
      if (isSourceError(err, body)) rethrow(err, body.path, 'read');
      rethrow(err, key, 'write');
    }
    try {
      if (options.md5 !== undefined && options.md5.toLowerCase() !== staged.md5) {
        throw new TroveError(
          'CORRUPT',
          `Bytes written to ${key} have md5 ${staged.md5}, not ${options.md5}.`,
          {
            backend: this.kind,
            key,
          },
        );
      }
      const target = { key, path, signal: options.signal };
      if (options.ifNoneMatch === '*') await commitCreate(staged.tempPath, target);
      else if (options.ifMatch !== undefined)
        await commitIfMatch(staged.tempPath, staged.handle, target, options.ifMatch);
      else await commitReplace(staged.tempPath, staged.handle, target);
      // rename/link keep the inode and mtime: this is the committed object's stat.
      const st = await staged.handle.stat({ bigint: true });
      await staged.handle.close();
      return toObjectStat(key, st, staged.md5);
    } catch (err) {
      await discard(staged);
      rethrow(err, key, 'write');
    }
  }

  async copy(from: string, to: string, options: CopyOptions = {}): Promise<ObjectStat> {
    const source = this.#path(from);
    const path = this.#path(to);
    await this.stat(from);
    if (options.ifNoneMatch === '*' && (await this.exists(to))) throw preconditionFailed(to);
    try {
      return await copyObject(source, { key: to, path, ...options });
    } catch (err) {
      // The source went away after the check above.
      if (isTroveError(err, 'NOT_FOUND') && !(await this.exists(from))) throw notFound(from);
      throw err;
    }
  }

  async rename(from: string, to: string, options: CopyOptions = {}): Promise<ObjectStat> {
    const source = this.#path(from);
    const dest = this.#path(to);
    await this.stat(from);
    if (from === to) {
      if (options.ifNoneMatch === '*') throw preconditionFailed(to);
      return this.stat(to);
    }
    try {
      await mkdir(dirname(dest), { recursive: true });
      // With ifNoneMatch: link() to the new name (atomic, create-only), then unlink the old one.
      if (options.ifNoneMatch === '*')
        await commitCreate(source, { key: to, path: dest, signal: options.signal });
      else await rename(source, dest);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !(await this.exists(from)))
        throw notFound(from);
      rethrow(err, to, 'write');
    }
    return this.stat(to);
  }

  async delete(key: string, _options?: OpOptions): Promise<void> {
    const path = this.#path(key);
    try {
      await unlink(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return;
      // macOS says EPERM for unlink() of a folder: a folder is not an object, so nothing to do.
      if (code === 'EPERM' && (await stat(path).catch(() => undefined))?.isDirectory()) return;
      rethrow(err, key, 'write');
    }
  }

  async deleteMany(keys: readonly string[], options: OpOptions = {}): Promise<void> {
    for (const key of keys) validateKey(key, this.kind);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < keys.length) {
        options.signal?.throwIfAborted();
        await this.delete(keys[next++] as string);
      }
    };
    await Promise.all(Array.from({ length: Math.min(DELETE_CONCURRENCY, keys.length) }, worker));
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectEntry> {
    validatePrefix(prefix, this.kind);
    yield* listObjects(this.root, prefix, options.startAfter, options.signal);
  }

  writeMany(items: WriteManySource, options?: WriteManyOptions): Promise<WriteManyResult> {
    return writeMany(items, { root: this.root, fsync: this.#fsync }, options);
  }

  async materialize(
    key: string,
    destination: string,
    options: MaterializeOptions = {},
  ): Promise<LinkType> {
    const source = this.#path(key);
    options.signal?.throwIfAborted();
    await this.stat(key);
    const dest = resolve(destination);
    try {
      return await placeFile(
        source,
        dest,
        options.linkTypes ?? DEFAULT_LINK_TYPES,
        this.#brokenLinkTypes,
      );
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !(await this.exists(key)))
        throw notFound(key);
      rethrow(err, destination, 'write');
    }
  }

  async close(): Promise<void> {}
}

function notFound(key: string): TroveError {
  return new TroveError('NOT_FOUND', `No object at ${JSON.stringify(key)}.`, {
    backend: 'local',
    key,
  });
}

/** True when a `{ path }` body's own file could not be read (the error names the source path). */
function isSourceError(err: unknown, body: WriteBody): body is { path: string } {
  return (
    typeof body === 'object' &&
    body !== null &&
    'path' in body &&
    (err as NodeJS.ErrnoException)?.path === body.path
  );
}

/** A local-folder backend; `root` is created on first write. */
export function createLocalBackend(options: LocalBackendOptions): LocalBackend {
  return new LocalBackend(options);
}
