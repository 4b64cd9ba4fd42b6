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
 *
 * The class only validates keys and dispatches: one file per operation.
 */
import { resolve } from 'node:path';
import {
  type CleanupOptions,
  type CleanupResult,
  type CopyOptions,
  type DeclaredCapabilities,
  isTroveError,
  type LinkType,
  type ListOptions,
  type MaterializeOptions,
  notFound,
  type ObjectEntry,
  type ObjectStat,
  type OpOptions,
  preconditionFailed,
  type ReadOptions,
  type ReadResult,
  type StorageBackend,
  validateKey,
  validatePrefix,
  type WriteBody,
  type WriteManyOptions,
  type WriteManyResult,
  type WriteManySource,
  type WriteOptions,
} from '@trove/core/backend';
import { cleanupFolder } from './cleanup.js';
import { KIND, type LocalContext } from './context.js';
import { copyObject } from './copy.js';
import { deleteObject, deleteObjects } from './delete.js';
import { headObject, statObject } from './head.js';
import { listObjects } from './list.js';
import { materializeObject } from './materialize.js';
import { keyPath } from './paths.js';
import { openObject } from './read.js';
import { renameObject } from './rename.js';
import { checkStoreFolder } from './store-folder.js';
import { writeObject } from './write.js';
import { writeMany } from './write-many.js';

export interface LocalBackendOptions {
  /** The store folder (created on first write). Relative paths resolve against the cwd. */
  root: string;
  /** fsync each object before it is committed (slower; survives power loss). Default false. */
  fsync?: boolean;
}

export class LocalBackend implements StorageBackend {
  readonly kind = KIND;
  readonly capabilities: DeclaredCapabilities = Object.freeze({
    ifNoneMatch: true,
    ifMatch: true,
    serverSideCopy: true,
    rangeRead: true,
  });
  /** Absolute path of the store folder. */
  readonly root: string;
  readonly #ctx: LocalContext;

  constructor(options: LocalBackendOptions) {
    this.root = resolve(options.root);
    checkStoreFolder(this.root, 'INVALID_ARGUMENT', 'The store folder');
    this.#ctx = { root: this.root, fsync: options.fsync ?? false, brokenLinkTypes: new Map() };
  }

  #path(key: string): string {
    return keyPath(this.root, validateKey(key, this.kind));
  }

  #at(key: string): { path: string; key: string } {
    return { path: this.#path(key), key };
  }

  pathOf(key: string): string {
    return this.#path(key);
  }

  stat(key: string, _options?: OpOptions): Promise<ObjectStat> {
    return statObject(this.#path(key), key);
  }

  async exists(key: string, _options?: OpOptions): Promise<boolean> {
    return (await headObject(this.#path(key), key)) !== undefined;
  }

  read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
    return openObject(this.#path(key), key, options.range, options.signal);
  }

  write(key: string, body: WriteBody, options: WriteOptions = {}): Promise<ObjectStat> {
    return writeObject(this.#ctx, this.#path(key), key, body, options);
  }

  async copy(from: string, to: string, options: CopyOptions = {}): Promise<ObjectStat> {
    const source = this.#path(from);
    const path = this.#path(to);
    await statObject(source, from);
    if (options.ifNoneMatch === '*' && (await this.exists(to))) {
      throw preconditionFailed(KIND, to);
    }
    try {
      return await copyObject(source, { key: to, path, ...options });
    } catch (err) {
      // The source went away after the check above.
      if (isTroveError(err, 'NOT_FOUND') && !(await this.exists(from))) throw notFound(KIND, from);
      throw err;
    }
  }

  rename(from: string, to: string, options: CopyOptions = {}): Promise<ObjectStat> {
    return renameObject(this.#at(from), this.#at(to), options);
  }

  delete(key: string, _options?: OpOptions): Promise<void> {
    return deleteObject(this.#path(key), key);
  }

  async deleteMany(keys: readonly string[], options: OpOptions = {}): Promise<void> {
    const items = keys.map((key) => this.#at(key));
    await deleteObjects(items, options.signal);
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectEntry> {
    validatePrefix(prefix, this.kind);
    yield* listObjects(this.root, prefix, options.startAfter, options.signal);
  }

  writeMany(items: WriteManySource, options?: WriteManyOptions): Promise<WriteManyResult> {
    return writeMany(items, { root: this.root, fsync: this.#ctx.fsync }, options);
  }

  materialize(
    key: string,
    destination: string,
    options: MaterializeOptions = {},
  ): Promise<LinkType> {
    return materializeObject(this.#ctx, this.#at(key), destination, options);
  }

  cleanup(options: CleanupOptions): Promise<CleanupResult> {
    return cleanupFolder(this.root, options);
  }

  async close(): Promise<void> {}
}

/** A local-folder backend; `root` is created on first write. */
export function createLocalBackend(options: LocalBackendOptions): LocalBackend {
  return new LocalBackend(options);
}
