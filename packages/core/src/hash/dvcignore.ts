import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';

/** True when DVC would leave this path out of a directory it hashes. */
export type IgnoreTest = (path: string, isDir: boolean) => boolean;

/**
 * The `.dvcignore` files that apply to a directory being tracked: those in `base` (the DVC
 * repository root) and in every folder between it and the directory, each matching paths
 * relative to its own folder with gitignore rules, as DVC does. `undefined` when there are none.
 */
export function dvcIgnoreFor(dir: string, base: string): IgnoreTest | undefined {
  const target = resolve(dir);
  const root = resolve(base);
  if (target !== root && !target.startsWith(root + sep)) return undefined;
  const rules: Array<{ folder: string; ig: Ignore }> = [];
  for (let folder = dirname(target); ; folder = dirname(folder)) {
    const file = join(folder, '.dvcignore');
    if (existsSync(file)) rules.unshift({ folder, ig: ignore().add(readFileSync(file, 'utf8')) });
    if (folder === root || folder === dirname(folder)) break;
  }
  if (rules.length === 0) return undefined;
  return (path, isDir) =>
    rules.some(({ folder, ig }) => {
      const rel = relative(folder, path).split(sep).join('/');
      return rel !== '' && !rel.startsWith('..') && ig.ignores(isDir ? `${rel}/` : rel);
    });
}
