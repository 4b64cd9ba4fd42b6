import { createHash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';
import { join } from 'node:path';

/** One path of a `snapshotTree()`: what "unchanged" compares. */
export type TreeEntry =
  | { type: 'file'; size: number; md5: string; mode: string }
  | { type: 'dir'; mode: string }
  | { type: 'link'; target: string }
  | { type: 'other' };

/**
 * Every path under `root` (relative, `/`-separated, sorted) with its type, and for a file its
 * size, md5 and permission bits, for a directory its permission bits, for a symbolic link its
 * target (not followed). Compare two snapshots with `toEqual` to assert that nothing under `root`
 * changed. Paths in `exclude` (relative to `root`) are left out with everything under them.
 */
export function snapshotTree(
  root: string,
  exclude: readonly string[] = [],
): Record<string, TreeEntry> {
  const out: Record<string, TreeEntry> = {};
  const visit = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const key = rel ? `${rel}/${name}` : name;
      if (exclude.includes(key)) continue;
      const path = join(dir, name);
      const st = lstatSync(path);
      if (st.isSymbolicLink()) out[key] = { type: 'link', target: readlinkSync(path) };
      else if (st.isDirectory()) {
        out[key] = { type: 'dir', mode: modeBits(st.mode) };
        visit(path, key);
      } else if (st.isFile()) {
        out[key] = { type: 'file', size: st.size, md5: md5File(path), mode: modeBits(st.mode) };
      } else out[key] = { type: 'other' };
    }
  };
  visit(root, '');
  return out;
}

/** `0644`-style permission bits (with setuid/setgid/sticky), readable in a failed `toEqual`. */
function modeBits(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

function md5File(path: string): string {
  const hash = createHash('md5');
  const buffer = Buffer.alloc(1 << 20);
  const fd = openSync(path, 'r');
  try {
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer))
      hash.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}
