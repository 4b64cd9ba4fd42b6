import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** DVC's cache folder: `cache.dir` from `.dvc/config.local` or `.dvc/config` (relative to `.dvc/`), else `.dvc/cache`. */
export function dvcCacheDir(dvcRoot: string): string {
  const dvcDir = join(dvcRoot, '.dvc');
  let dir: string | undefined;
  for (const file of ['config', 'config.local']) {
    const path = join(dvcDir, file);
    if (!existsSync(path)) continue;
    const value = readIni(readFileSync(path, 'utf8')).cache?.dir;
    if (value) dir = value;
  }
  return dir ? resolve(dvcDir, dir) : join(dvcDir, 'cache');
}

/** A small reader for DVC's INI config: `[section]` and `key = value` lines. */
function readIni(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1]) {
      const name = header[1].trim().replace(/^'(.*)'$/, '$1');
      out[name] ??= {};
      section = out[name];
      continue;
    }
    const eq = line.indexOf('=');
    if (section && eq > 0) section[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}
