import { createHash } from 'node:crypto';
import { comparePyStr, pyJsonString } from '../py/py-format.js';

/** One file of a directory, as DVC's `.dir` manifest lists it. */
export interface ManifestEntry {
  relpath: string;
  md5: string;
}

export interface DirManifest {
  /** `<md5 of bytes>.dir`: the directory's DVC hash and the manifest object's name. */
  md5: string;
  /** The exact bytes DVC writes: `json.dumps(sorted entries, sort_keys=True)`. */
  bytes: Buffer;
  entries: ManifestEntry[];
  size: number;
  nfiles: number;
}

/** The md5 of an empty directory's manifest (`[]`). */
export const EMPTY_DIR_MD5 = 'd751713988987e9331980363e24189ce.dir';

/**
 * Builds a DVC 3 `.dir` manifest: entries sorted by relpath in code-point order, serialised as
 * Python's `json.dumps(..., sort_keys=True)` would (", " and ": " separators, ASCII-only).
 * Written by hand rather than with JSON.stringify: the separators and escapes differ, and this
 * runs on 100,000-entry directories.
 */
export function buildDirManifest(files: readonly ManifestEntry[], size: number): DirManifest {
  const entries = [...files].sort((a, b) => comparePyStr(a.relpath, b.relpath));
  const parts: string[] = new Array(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as ManifestEntry;
    parts[i] = `{"md5": "${e.md5}", "relpath": ${pyJsonString(e.relpath)}}`;
  }
  const bytes = Buffer.from(`[${parts.join(', ')}]`, 'utf8');
  const md5 = `${createHash('md5').update(bytes).digest('hex')}.dir`;
  return { md5, bytes, entries, size, nfiles: entries.length };
}

/** Parses the bytes of a `.dir` object (written by DVC or by trove). */
export function parseDirManifest(bytes: Uint8Array | string): ManifestEntry[] {
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8');
  const data: unknown = JSON.parse(text);
  if (!Array.isArray(data)) throw new Error('a .dir manifest must be a JSON array');
  return data.map((row: { md5?: unknown; relpath?: unknown }) => {
    if (typeof row.md5 !== 'string' || typeof row.relpath !== 'string') {
      throw new Error('a .dir manifest row needs "md5" and "relpath" strings');
    }
    return { md5: row.md5, relpath: row.relpath };
  });
}
