/**
 * A read-through cache of a remote store's objects on this machine: `<dir>/files/md5/<xx>/<rest>`,
 * DVC's layout, keyed by content, so one cache folder serves every store and project (the user's
 * cache folder by default). An object read from the store is written to a temp file as it streams
 * to the reader, its md5 checked, and renamed into place only when it matches: a cached file is
 * always whole and right. Later reads open the file and make no network request.
 *
 * Many processes may share the folder: fills are temp file + rename (the last rename wins, with
 * the same bytes), a reader that finds a file evicted meanwhile reads the store instead, and on
 * POSIX a file deleted while open stays readable. Recency is the file's mtime, set on every hit;
 * past `size` bytes the least recently used files go (to 90% of it). Only reads use the cache:
 * whether the store has an object is always asked of the store, so a writer never skips an
 * upload because this machine has a copy.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  createReadStream,
  type Dirent,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';

/** This process's temp files are named by this tag and a count (one random draw, not one a file). */
const TEMP_TAG = randomBytes(8).toString('hex');

/** Temp files older than this were left by a process that died. */
const STALE_TEMP_MS = 60 * 60 * 1000;

export interface ObjectCacheOptions {
  /** The cache folder. */
  dir: string;
  /** Bytes kept at most (least recently used files go first). */
  size: number;
}

/** What a cache folder holds. */
export interface CacheUsage {
  /** Cached objects. */
  objects: number;
  /** Their bytes. */
  bytes: number;
  /** Temp files: fills in flight, or left by a process that died. */
  temps: number;
}

/** What `prune` removed (or, dry, would remove), and what is left. */
export interface CachePruned {
  /** Objects left. */
  objects: number;
  /** Their bytes. */
  bytes: number;
  /** Objects removed. */
  removed: number;
  /** Their bytes. */
  freed: number;
  /** Temp files removed, left by processes that died. */
  staleTemps: number;
}

export class ObjectCache {
  readonly dir: string;
  readonly size: number;
  /** Bytes in the folder as last counted plus what this process added since; unknown at first. */
  #bytes: number | undefined;
  /** Temp files named so far. */
  #temps = 0;
  /** Folders this process made (or found) already. */
  readonly #made = new Set<string>();

  constructor(options: ObjectCacheOptions) {
    this.dir = options.dir;
    this.size = options.size;
  }

  #path(md5: string): string {
    return join(this.dir, 'files', 'md5', md5.slice(0, 2), md5.slice(2));
  }

  /** Whether the cache holds `md5` (no network request). */
  has(md5: string): boolean {
    return statSync(this.#path(md5), { throwIfNoEntry: false })?.isFile() ?? false;
  }

  /**
   * The cached object's bytes (of `range`, `end` exclusive), or undefined when it is not cached
   * (or was evicted a moment ago). A hit makes the file the most recently used.
   */
  open(
    md5: string,
    range?: { start: number; end?: number },
  ): { size: number; body: Readable } | undefined {
    const hit = this.hit(md5);
    if (!hit) return undefined;
    const { path, size } = hit;
    const start = range?.start ?? 0;
    const end = Math.min(range?.end ?? size, size);
    if (start >= end) return { size, body: Readable.from([]) };
    return { size, body: createReadStream(path, { start, end: end - 1 }) };
  }

  /**
   * The cached file of `md5` and its size, or undefined when it is not cached. A hit makes the
   * file the most recently used. For a reader that copies the file itself (it may be evicted by
   * another process before it is opened: the copy then fails with ENOENT).
   */
  hit(md5: string): { path: string; size: number } | undefined {
    const path = this.#path(md5);
    // A miss is the common case of a cold get: no exception thrown (and its stack built) for it.
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return undefined;
    try {
      const { size } = stat;
      const now = new Date();
      utimesSync(path, now, now);
      return { path, size };
    } catch {
      return undefined;
    }
  }

  /** Removes the cached file of `md5` (found damaged by a reader); nothing when there is none. */
  drop(md5: string): void {
    rmSync(this.#path(md5), { force: true });
  }

  /**
   * `body` (the whole object `md5`, read from the store) passed through to the reader while it is
   * written to the cache. The copy is kept only when every byte arrived and its md5 is `md5`; a
   * failure to write the cache never fails the read.
   */
  fill(md5: string, body: Readable): Readable {
    const expected = md5.replace(/\.dir$/, '');
    const temp = this.#temp();
    const hash = createHash('md5');
    let bytes = 0;
    let file: Awaited<ReturnType<typeof open>> | undefined;
    let broken = false;
    const drop = async () => {
      broken = true;
      await file?.close().catch(() => undefined);
      file = undefined;
      rmSync(temp, { force: true });
    };
    // Opened on the first chunk, or at the end for an empty object.
    const opened = async () => {
      if (!file) {
        this.#mkdir(dirname(temp));
        file = await open(temp, 'wx');
      }
      return file;
    };
    const tee = new Transform({
      transform: (chunk: Buffer, _enc, done) => {
        hash.update(chunk);
        bytes += chunk.length;
        if (broken) return done(null, chunk);
        opened()
          .then((f) => f.write(chunk))
          .then(
            () => done(null, chunk),
            () => drop().then(() => done(null, chunk)),
          );
      },
      flush: (done) => {
        const finish = async () => {
          if (broken) return;
          await (await opened()).close();
          file = undefined;
          if (hash.digest('hex') !== expected) return void rmSync(temp, { force: true });
          this.#place(temp, md5, bytes);
        };
        finish().then(
          () => done(),
          () => drop().then(() => done()),
        );
      },
    });
    // A reader that stops early (or a store read that fails) leaves no temp file behind.
    tee.once('close', () => {
      if (file) void drop();
    });
    body.once('error', (err) => tee.destroy(err));
    return body.pipe(tee);
  }

  /**
   * A fresh temp file name in the cache's folder for a copy written elsewhere (a download writes
   * its bytes there as it writes them to the reader's file): `keep` it once its md5 is checked,
   * or remove it.
   */
  reserve(): string {
    const temp = this.#temp();
    this.#mkdir(dirname(temp));
    return temp;
  }

  /**
   * Renames a reserved temp file whose md5 the caller checked is `md5` into place; whether it
   * was placed. A failure to write the cache is ignored, as in `fill`: the temp file, when not
   * placed, stays the caller's to remove (as `reserve` says).
   */
  keep(temp: string, md5: string, size: number): boolean {
    try {
      this.#place(temp, md5, size);
      return true;
    } catch {
      return false;
    }
  }

  /** mkdir -p, once per folder per process (a folder is made once; many files go in it). */
  #mkdir(dir: string): void {
    if (this.#made.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    this.#made.add(dir);
  }

  /** A fresh temp file name in the cache's `tmp/`, named by this process. */
  #temp(): string {
    return join(this.dir, 'tmp', `${TEMP_TAG}.${(this.#temps++).toString(36)}.${process.pid}`);
  }

  /** Renames a whole, checked temp file into place as `md5` and counts its bytes. */
  #place(temp: string, md5: string, bytes: number): void {
    const path = this.#path(md5);
    this.#mkdir(dirname(path));
    renameSync(temp, path);
    this.#added(bytes);
  }

  #added(bytes: number): void {
    if (this.#bytes === undefined) this.#bytes = this.#scan().reduce((a, f) => a + f.size, 0);
    else this.#bytes += bytes;
    if (this.#bytes > this.size) this.#evict();
  }

  /** Deletes least recently used files until the cache holds at most 90% of its size. */
  #evict(): void {
    this.#bytes = this.prune(Math.floor(this.size * 0.9)).bytes;
  }

  /**
   * What the folder holds: its cached objects, their bytes, and its temp files (fills in flight,
   * or left by a process that died).
   */
  usage(): CacheUsage {
    const files = this.#scan();
    return {
      objects: files.length,
      bytes: files.reduce((a, f) => a + f.size, 0),
      temps: entries(join(this.dir, 'tmp')).length,
    };
  }

  /**
   * Removes the least recently used objects until the folder holds at most `goal` bytes, and the
   * temp files left by processes that died (older than an hour; a younger one is a fill in
   * flight). With `dryRun` nothing is removed and the answer is the same. Another process may
   * be reading a file removed here: it has it open (POSIX), or it reads the store instead.
   */
  prune(goal: number, dryRun = false): CachePruned {
    const files = this.#scan().sort((a, b) => a.mtime - b.mtime);
    let bytes = files.reduce((a, f) => a + f.size, 0);
    let removed = 0;
    let freed = 0;
    for (const f of files) {
      if (bytes <= goal) break;
      if (!dryRun) rmSync(f.path, { force: true });
      bytes -= f.size;
      freed += f.size;
      removed++;
    }
    const stale = Date.now() - STALE_TEMP_MS;
    let staleTemps = 0;
    for (const e of entries(join(this.dir, 'tmp'))) {
      const path = join(this.dir, 'tmp', e.name);
      try {
        if (statSync(path).mtimeMs >= stale) continue;
        if (!dryRun) rmSync(path, { force: true });
        staleTemps++;
      } catch {
        // gone meanwhile
      }
    }
    return { objects: files.length - removed, bytes, removed, freed, staleTemps };
  }

  /** Every cached file with its size and last use. */
  #scan(): Array<{ path: string; size: number; mtime: number }> {
    const root = join(this.dir, 'files', 'md5');
    const out: Array<{ path: string; size: number; mtime: number }> = [];
    for (const d of entries(root)) {
      if (!d.isDirectory()) continue;
      for (const f of entries(join(root, d.name))) {
        const path = join(root, d.name, f.name);
        try {
          const s = statSync(path);
          if (s.isFile()) out.push({ path, size: s.size, mtime: s.mtimeMs });
        } catch {
          // evicted by another process meanwhile
        }
      }
    }
    return out;
  }
}

function entries(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}
