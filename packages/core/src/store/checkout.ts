/**
 * Checkout: stored content placed at a local path, safely. Nothing is ever placed by aliasing
 * the store unless asked: the default is a reflink (a free copy-on-write clone) falling back to a
 * copy, so editing the checkout never changes the stored object; hard and symbolic links only
 * with `link`. Every file is checked against its md5 as it is placed, from every backend: a
 * mismatch is `CORRUPT` and leaves nothing at the destination. An existing destination is never
 * replaced unless `force`; a forced directory checkout makes the folder equal to the artifact.
 * Files and directories are built under a temporary name beside the destination and renamed in.
 */
import { randomBytes } from 'node:crypto';
import { constants, lstatSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { copyFile, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { LinkType } from '../backend/contract.js';
import { TroveError } from '../errors.js';
import { md5File } from '../hash/md5-file.js';
import { type ContentStore, forEachObject } from './content-store.js';
import { downloadObject } from './range-download.js';

export interface CheckoutOptions {
  /**
   * How files are placed: `reflink` (the default: a clone, else a copy), `copy`, `hardlink` (the
   * checkout shares the stored object's read-only inode: writing through it as root changes
   * the store) or `symlink` (points into the store). A link type the filesystem refuses falls
   * back to a copy.
   */
  link?: LinkType;
  /** Replace what is at the destination; a directory is made equal to the artifact. */
  force?: boolean;
}

export interface CheckoutResult {
  path: string;
  files: number;
  /** How each file got there, counted by link type. */
  links: Partial<Record<LinkType, number>>;
}

const LINK_ORDER: Record<LinkType, readonly LinkType[]> = {
  reflink: ['reflink', 'copy'],
  copy: ['copy'],
  hardlink: ['hardlink', 'copy'],
  symlink: ['symlink', 'copy'],
};

/** Puts the stored object `md5` (a file, or a `.dir` directory) at `destination`. */
export async function checkout(
  objects: ContentStore,
  md5: string,
  destination: string,
  options: CheckoutOptions = {},
): Promise<CheckoutResult> {
  const dest = resolve(destination);
  const linkTypes = LINK_ORDER[options.link ?? 'reflink'];
  if (!linkTypes) {
    throw new TroveError('INVALID_ARGUMENT', `Unknown link type ${JSON.stringify(options.link)}.`, {
      hint: 'Use reflink, copy, hardlink or symlink.',
    });
  }
  const existing = lstatOrUndefined(dest);
  const emptyDir = existing?.isDirectory() && readdirSync(dest).length === 0;
  if (existing && !options.force && !(emptyDir && md5.endsWith('.dir'))) {
    throw new TroveError('CONFLICT', `${dest} already exists.`, {
      key: dest,
      hint: 'Choose another destination (-o), or pass --force (force: true) to replace it.',
    });
  }
  const links: Partial<Record<LinkType, number>> = {};
  const count = (t: LinkType): void => {
    links[t] = (links[t] ?? 0) + 1;
  };
  mkdirSync(dirname(dest), { recursive: true });
  const temp = join(
    dirname(dest),
    `.${basename(dest)}.trove-${randomBytes(6).toString('hex')}.tmp`,
  );
  let files = 1;
  try {
    if (!md5.endsWith('.dir')) {
      count(await placeFile(objects, md5, temp, linkTypes));
    } else {
      const entries = await objects.readManifest(md5);
      for (const e of entries) {
        const target = resolve(temp, e.relpath);
        if (!target.startsWith(temp + sep)) {
          throw new TroveError(
            'CORRUPT',
            `Manifest ${md5} has an entry outside its directory: ${e.relpath}`,
          );
        }
      }
      mkdirSync(temp);
      // Each folder made once, not once per file.
      for (const dir of new Set(entries.map((e) => dirname(join(temp, e.relpath)))))
        mkdirSync(dir, { recursive: true });
      await forEachObject(entries, async (e) =>
        count(await placeFile(objects, e.md5, join(temp, e.relpath), linkTypes)),
      );
      files = entries.length;
    }
    commit(temp, dest, existing !== undefined);
  } catch (err) {
    rmSync(temp, { recursive: true, force: true });
    throw err;
  }
  return { path: dest, files, links };
}

/** Moves the finished checkout into place; what was there (forced) is removed afterwards. */
function commit(temp: string, dest: string, replace: boolean): void {
  if (!replace) {
    renameSync(temp, dest);
    return;
  }
  const aside = `${temp}.old`;
  renameSync(dest, aside);
  try {
    renameSync(temp, dest);
  } catch (err) {
    renameSync(aside, dest);
    throw err;
  }
  rmSync(aside, { recursive: true, force: true });
}

/**
 * Places one object at `path` (a fresh name in an existing folder) and checks its bytes against
 * `md5`.
 */
async function placeFile(
  objects: ContentStore,
  md5: string,
  path: string,
  linkTypes: readonly LinkType[],
): Promise<LinkType> {
  const key = objects.key(md5);
  const { backend } = objects;
  if (backend.materialize) {
    const type = await backend.materialize(key, path, { linkTypes });
    const got = (await md5File(path)).md5;
    if (got !== md5) {
      rmSync(path, { force: true });
      throw corrupt(md5, got, key, backend.kind);
    }
    return type;
  }
  const { cache } = objects;
  let got: string | undefined;
  const hit = cache?.hit(md5);
  if (hit && cache) {
    // From the cache, no request: a kernel copy (a clone where the filesystem can) while the
    // cached file's md5 is checked beside it (a 1 GiB warm get: 1.3 s, where the copy then the
    // hash of it took 1.9-2.3 s). No stream and no buffer per file: a folder of 10,000 files
    // placed from the cache allocated ~128 MiB of young heap through read and write streams. A
    // file evicted a moment ago, or damaged in the cache, is read from the store below.
    try {
      const [, cached] = await Promise.all([
        copyFile(hit.path, path, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE),
        md5File(hit.path),
      ]);
      if (cached.md5 === md5) got = md5;
      else cache.drop(md5);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'NOT_FOUND') throw err;
    }
    if (got === undefined) await rm(path, { force: true });
  }
  if (got === undefined) {
    // From the store, in parallel ranges when large; the cache's copy is written in the same
    // pass and kept once the md5 is checked.
    const copy = cache?.reserve();
    let kept = false;
    try {
      const done = await downloadObject(backend, key, path, copy ? { copyTo: copy } : {});
      got = done.md5;
      if (cache && copy && done.copied && got === md5) kept = cache.keep(copy, md5, done.size);
    } finally {
      if (copy && !kept) await rm(copy, { force: true });
    }
  }
  if (got !== md5) {
    rmSync(path, { force: true });
    throw corrupt(md5, got, key, backend.kind);
  }
  return 'copy';
}

function corrupt(md5: string, got: string, key: string, backend: string): TroveError {
  return new TroveError('CORRUPT', `Object ${md5} in the store has md5 ${got}.`, {
    key,
    backend,
    hint: 'The stored copy is damaged: `trove verify` lists what else is; log the file again to repair it.',
  });
}

function lstatOrUndefined(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
