import type { BigIntStats } from 'node:fs';
import type { ObjectStat } from '@trove/core/backend';

/**
 * The etag of a stored file: inode, size and mtime in nanoseconds. Every write makes a new
 * inode (temp file + rename), and `commit.ts` keeps a key's mtime strictly increasing, so a
 * stale etag cannot match a newer version even when the filesystem reuses the inode number.
 */
export function etagOf(st: BigIntStats): string {
  return `${st.ino.toString(36)}-${st.size.toString(36)}-${st.mtimeNs.toString(36)}`;
}

export function toObjectStat(key: string, st: BigIntStats, md5?: string): ObjectStat {
  const stat: ObjectStat = {
    key,
    size: Number(st.size),
    etag: etagOf(st),
    lastModified: new Date(Number(st.mtimeMs)),
  };
  if (md5 !== undefined) stat.md5 = md5;
  return stat;
}
