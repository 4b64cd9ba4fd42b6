import { constants } from 'node:fs';
import {
  chmod,
  copyFile,
  link,
  mkdir,
  open,
  rename,
  stat,
  symlink,
  unlink,
} from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { LinkType } from '@trove/core/backend';
import { tempPathBeside } from './paths.js';

/** DVC's order when hard links are allowed: a free copy-on-write clone, a link, then a copy. */
export const DEFAULT_LINK_TYPES: readonly LinkType[] = ['reflink', 'hardlink', 'copy'];

/** errno values meaning "this link type does not work here": try the next one (as DVC does). */
const TRY_NEXT = new Set([
  'EXDEV',
  'EPERM',
  'EACCES',
  'ENOTSUP',
  'EOPNOTSUPP',
  'EINVAL',
  'ENOSYS',
  'ENOTTY',
  'EAGAIN',
  'EMLINK',
]);
/** Of those, the ones that say nothing about the filesystem, only about this file. */
const PER_FILE = new Set(['EMLINK', 'EACCES']);

let umaskCache: number | undefined;
/** The mode a plain new file gets: 0o666 & ~umask (what DVC gives copies and reflinks). */
function writableFileMode(): number {
  umaskCache ??= process.umask();
  return 0o666 & ~umaskCache;
}

/** Link types found not to work, by device number of the destination folder. */
export type BrokenLinkTypes = Map<bigint, Set<LinkType>>;

/**
 * Places the file `source` at `dest` by the first link type in `types` that works, through a
 * temp name beside `dest` and a rename, so `dest` is replaced atomically. Copies and reflinks
 * are made writable; hard links share the object's read-only inode; symlinks point at its
 * absolute path. An empty file is always a fresh empty file (as DVC does: link counts are
 * limited and empty files are free). `broken` remembers link types that failed on a
 * filesystem, so a large checkout does not retry them for every file.
 */
export async function placeFile(
  source: string,
  dest: string,
  types: readonly LinkType[],
  broken: BrokenLinkTypes,
): Promise<LinkType> {
  const info = await stat(source, { bigint: true });
  const folder = dirname(dest);
  await mkdir(folder, { recursive: true });
  if (info.size === 0n) {
    await viaTemp(dest, async (temp) => (await open(temp, 'wx', 0o666)).close());
    return 'copy';
  }
  const { dev } = await stat(folder, { bigint: true });
  let failed = broken.get(dev);
  const order = [...new Set([...types, 'copy' as const])];
  for (const type of order) {
    if (type !== 'copy' && failed?.has(type)) continue;
    // Reflinks and hard links never cross filesystems.
    if ((type === 'reflink' || type === 'hardlink') && dev !== info.dev) continue;
    const temp = tempPathBeside(dest);
    try {
      await makeLink(type, source, temp);
    } catch (err) {
      await unlink(temp).catch(() => {});
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (type === 'copy' || !TRY_NEXT.has(code)) throw err;
      if (!PER_FILE.has(code)) {
        failed ??= new Set();
        failed.add(type);
        broken.set(dev, failed);
      }
      continue;
    }
    await renameOrDiscard(temp, dest);
    return type;
  }
  /* c8 ignore next */
  throw new Error('unreachable: copy is always tried last');
}

async function makeLink(type: LinkType, source: string, temp: string): Promise<void> {
  switch (type) {
    case 'reflink':
      await copyFile(source, temp, constants.COPYFILE_FICLONE_FORCE | constants.COPYFILE_EXCL);
      await chmod(temp, writableFileMode());
      return;
    case 'hardlink':
      await link(source, temp);
      return;
    case 'symlink':
      await symlink(resolve(source), temp);
      return;
    case 'copy':
      await copyFile(source, temp, constants.COPYFILE_EXCL);
      await chmod(temp, writableFileMode());
      return;
  }
}

/** Creates `dest` through a temp name beside it, removing the temp file on failure. */
async function viaTemp(dest: string, make: (temp: string) => Promise<void>): Promise<void> {
  const temp = tempPathBeside(dest);
  try {
    await make(temp);
  } catch (err) {
    await unlink(temp).catch(() => {});
    throw err;
  }
  await renameOrDiscard(temp, dest);
}

async function renameOrDiscard(temp: string, dest: string): Promise<void> {
  try {
    await rename(temp, dest);
  } catch (err) {
    await unlink(temp).catch(() => {});
    throw err;
  }
}
