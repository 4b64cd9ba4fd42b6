import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The file that names a project's stores; its folder is the project root. */
export const CONFIG_FILE = 'trove.yaml';

export interface ProjectPaths {
  /** Where `trove.yaml` and `.trove/` are. */
  root: string;
  /** The DVC repository root, when inside one. */
  dvcRoot?: string;
}

/** The nearest ancestor of `start` (itself included) that has `marker`, or undefined. */
export function findUp(
  start: string,
  marker: string,
  kind: 'dir' | 'file' | 'any' = 'any',
): string | undefined {
  let dir = resolve(start);
  for (;;) {
    const candidate = join(dir, marker);
    if (existsSync(candidate)) {
      const st = statSync(candidate);
      if (kind === 'any' || (kind === 'dir' ? st.isDirectory() : st.isFile())) return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The project root: the nearest folder with `trove.yaml` or `.trove/`; else the DVC repository
 * root; else the Git work tree root; else `cwd`.
 */
export function findProject(cwd: string): ProjectPaths {
  const dvcRoot = findUp(cwd, '.dvc', 'dir');
  const root =
    findUp(cwd, CONFIG_FILE, 'file') ??
    findUp(cwd, '.trove', 'dir') ??
    dvcRoot ??
    findUp(cwd, '.git') ??
    resolve(cwd);
  return dvcRoot ? { root, dvcRoot } : { root };
}
