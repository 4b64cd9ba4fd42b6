import { createHash, randomUUID } from 'node:crypto';
import { eachBatch } from '../backend/batches.js';
import type {
  ReadOptions,
  ReadResult,
  StorageBackend,
  WriteManyItem,
} from '../backend/contract.js';
import { joinKey } from '../backend/keys.js';
import { mapLimit } from '../backend/map-limit.js';
import { isTroveError, TroveError } from '../errors.js';
import { type DirManifest, type ManifestEntry, parseDirManifest } from '../hash/dir-manifest.js';
import { md5File } from '../hash/md5-file.js';
import type { ObjectCache } from './object-cache.js';

/** How many objects a store is asked about or sent at once when it has no bulk method. */
const OBJECT_CONCURRENCY = 32;

const MD5_RE = /^[0-9a-f]{32}(\.dir)?$/;

/**
 * A staging object lives from the end of its copy to its rename, both in one call of `addFile`
 * (the md5 is computed during the copy, or by one more read of the file). One an hour old was
 * left by a process that died; the next add removes it.
 */
const STALE_STAGING_MS = 60 * 60 * 1000;

export interface AddResult {
  md5: string;
  size: number;
  /** False when the store already had the object. */
  written: boolean;
}

/** A local file and its md5, to store by content. */
export interface StoreFile {
  path: string;
  md5: string;
  size: number;
}

export interface AddDirResult {
  written: number;
  skipped: number;
}

/**
 * The content-addressed store: DVC 3's layout, `files/md5/<first 2 hex>/<other 30 hex>[.dir]`,
 * under an optional prefix, so `dvc remote add` on the same place reads it. An object already
 * present is never written again, and every object written is checked against its md5.
 * Directory manifests are written after all their files: a `.dir` object in the store means
 * its files are there too, which lets an unchanged directory be re-logged with one lookup.
 */
export class ContentStore {
  readonly backend: StorageBackend;
  readonly prefix: string;
  /** This machine's read-through cache of the store's objects, if the store has one. */
  readonly cache: ObjectCache | undefined;
  #stagingReclaimed = false;

  constructor(backend: StorageBackend, prefix = '', cache?: ObjectCache) {
    this.backend = backend;
    this.prefix = prefix;
    this.cache = cache;
  }

  /** The store key of an object: `files/md5/ab/cdef…`. */
  key(md5: string): string {
    if (!MD5_RE.test(md5)) {
      throw new TroveError('INVALID_ARGUMENT', `Not an md5 hash: ${JSON.stringify(md5)}`);
    }
    return joinKey(this.prefix, 'files/md5', md5.slice(0, 2), md5.slice(2));
  }

  /** Whether the store has the object (always asked of the store: see `readable`). */
  has(md5: string): Promise<boolean> {
    return this.backend.exists(this.key(md5));
  }

  /**
   * Whether the object can be read: in the cache (no network request), else in the store. Only
   * for readers: a writer asks `has`, so a cached copy never stands in for the store's.
   */
  async readable(md5: string): Promise<boolean> {
    this.key(md5); // refuses what is no md5
    return this.cache?.has(md5) === true || this.has(md5);
  }

  /**
   * Opens an object for reading: from the cache when it has it (no network request), else from
   * the store, filling the cache as it streams when the whole object is read.
   */
  async read(md5: string, options: ReadOptions = {}): Promise<ReadResult> {
    const key = this.key(md5);
    const hit = this.cache?.open(md5, options.range);
    if (hit) {
      const stat = { key, size: hit.size, etag: `cache:${md5}`, lastModified: new Date(0), md5 };
      return { stat, body: hit.body };
    }
    const result = await this.backend.read(key, options);
    if (!this.cache || options.range) return result;
    return { stat: result.stat, body: this.cache.fill(md5, result.body) };
  }

  /**
   * Stores one local file. With `md5` known (from the stat cache) an object already present
   * costs one lookup and no read. On a backend that can rename, the file is read once: copied to
   * a staging key while the backend hashes it, then renamed to its content address.
   */
  async addFile(
    path: string,
    options: { md5?: string; size?: number; onProgress?: (bytes: number) => void } = {},
  ): Promise<AddResult> {
    const { backend } = this;
    if (options.md5 !== undefined && (await this.has(options.md5))) {
      return { md5: options.md5, size: options.size ?? 0, written: false };
    }
    if (backend.rename && options.md5 === undefined) {
      await this.#reclaimStaging();
      const staging = joinKey(this.prefix, 'files/staging', randomUUID());
      const stat = await backend.write(
        staging,
        { path },
        { size: options.size, onProgress: options.onProgress },
      );
      try {
        const md5 = stat.md5 ?? (await md5File(path)).md5;
        const written = await this.#ignoreExisting(() =>
          (backend.rename as NonNullable<StorageBackend['rename']>).call(
            backend,
            staging,
            this.key(md5),
            {
              ifNoneMatch: '*',
            },
          ),
        );
        return { md5, size: stat.size, written };
      } finally {
        await backend.delete(staging);
      }
    }
    const { md5, size } =
      options.md5 !== undefined
        ? { md5: options.md5, size: options.size ?? 0 }
        : await md5File(path);
    if (options.md5 === undefined && (await this.has(md5))) return { md5, size, written: false };
    const written = await this.#ignoreExisting(() =>
      backend.write(
        this.key(md5),
        { path },
        { md5, size, ifNoneMatch: '*', onProgress: options.onProgress },
      ),
    );
    return { md5, size, written };
  }

  /** Stores bytes held in memory (small objects: manifests). */
  async addBytes(md5: string, bytes: Uint8Array): Promise<boolean> {
    if (await this.has(md5)) return false;
    const plain = md5.endsWith('.dir') ? md5.slice(0, -4) : md5;
    return this.#ignoreExisting(() =>
      this.backend.write(this.key(md5), bytes, {
        md5: plain,
        ifNoneMatch: '*',
        size: bytes.length,
      }),
    );
  }

  /**
   * Stores a directory: its files (each once, whatever the number of paths with that content),
   * then its manifest. Nothing is sent when the store has the manifest already.
   */
  async addDirectory(
    manifest: DirManifest,
    files: readonly StoreFile[],
    onProgress?: (done: number, bytes: number) => void,
  ): Promise<AddDirResult> {
    if (await this.has(manifest.md5)) return { written: 0, skipped: files.length };
    const written = await this.addObjects(files, { onProgress });
    await this.addManifest(manifest);
    return { written, skipped: files.length - written };
  }

  /**
   * Stores local files by content, each md5 once, skipping objects the store has; `files` is an
   * array or batches arriving while the rest is still being hashed, which a backend with
   * `writeMany` starts sending at once. Resolves to the number of objects written. Callers write
   * a directory's manifest (`addManifest`) only after this resolves.
   */
  async addObjects(
    files: readonly StoreFile[] | AsyncIterable<readonly StoreFile[]>,
    options: { onProgress?: (done: number, bytes: number) => void; signal?: AbortSignal } = {},
  ): Promise<number> {
    const { onProgress, signal } = options;
    const seen = new Set<string>();
    const newItems = (batch: readonly StoreFile[]): WriteManyItem[] => {
      const items: WriteManyItem[] = [];
      for (const f of batch) {
        if (seen.has(f.md5)) continue;
        seen.add(f.md5);
        items.push({ key: this.key(f.md5), path: f.path, md5: f.md5, size: f.size });
      }
      return items;
    };
    if (this.backend.writeMany) {
      const source = Array.isArray(files)
        ? newItems(files as readonly StoreFile[])
        : mapBatches(files as AsyncIterable<readonly StoreFile[]>, newItems);
      return (await this.backend.writeMany(source, { onProgress, signal })).written;
    }
    let written = 0;
    let done = 0;
    let bytes = 0;
    for await (const batch of eachBatch(files)) {
      const flags = await mapLimit(newItems(batch), OBJECT_CONCURRENCY, async (item) => {
        const already = await this.backend.exists(item.key, { signal });
        const ok =
          !already &&
          (await this.#ignoreExisting(() =>
            this.backend.write(
              item.key,
              { path: item.path },
              { md5: item.md5, size: item.size, ifNoneMatch: '*', signal },
            ),
          ));
        bytes += item.size ?? 0;
        onProgress?.(++done, bytes);
        return ok;
      });
      written += flags.filter(Boolean).length;
    }
    return written;
  }

  /** Stores a directory manifest (after its files: see the class comment). */
  async addManifest(manifest: DirManifest): Promise<boolean> {
    return this.addBytes(manifest.md5, manifest.bytes);
  }

  /** The entries of a stored `.dir` manifest (at `key`: a copy of it elsewhere, gc's quarantine). */
  async readManifest(md5: string, key = this.key(md5)): Promise<ManifestEntry[]> {
    const { body } = key === this.key(md5) ? await this.read(md5) : await this.backend.read(key);
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    const got = createHash('md5').update(bytes).digest('hex');
    if (`${got}.dir` !== md5) {
      throw new TroveError(
        'CORRUPT',
        `The directory manifest ${md5} in the store has md5 ${got}.`,
        {
          key: this.key(md5),
          backend: this.backend.kind,
        },
      );
    }
    try {
      return parseDirManifest(bytes);
    } catch (err) {
      throw new TroveError('CORRUPT', `The directory manifest ${md5} is not valid.`, {
        key: this.key(md5),
        cause: err,
      });
    }
  }

  /** Removes staging objects left by crashed adds (once per store object: one listing). */
  async #reclaimStaging(): Promise<void> {
    if (this.#stagingReclaimed) return;
    this.#stagingReclaimed = true;
    const stale: string[] = [];
    const before = Date.now() - STALE_STAGING_MS;
    try {
      for await (const e of this.backend.list(joinKey(this.prefix, 'files/staging/'))) {
        if (e.lastModified.getTime() < before) stale.push(e.key);
      }
      if (stale.length > 0) await this.backend.deleteMany(stale);
    } catch {
      // Only housekeeping: `trove gc` removes what is left.
    }
  }

  /** Runs a conditional write; "already there" is success, reported as `false`. */
  async #ignoreExisting(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (err) {
      if (isTroveError(err, 'PRECONDITION_FAILED')) return false;
      throw err;
    }
  }
}

async function* mapBatches<T, U>(
  source: AsyncIterable<readonly T[]>,
  fn: (batch: readonly T[]) => U[],
): AsyncGenerator<readonly U[]> {
  for await (const batch of source) {
    const out = fn(batch);
    if (out.length > 0) yield out;
  }
}

/** Runs `fn` over store objects with the store's concurrency. */
export function forEachObject<T>(
  items: readonly T[],
  fn: (item: T) => Promise<void>,
): Promise<void> {
  return mapLimit(items, OBJECT_CONCURRENCY, fn).then(() => undefined);
}
