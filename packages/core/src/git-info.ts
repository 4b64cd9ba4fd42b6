import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

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

/** Commit and branch of the Git work tree at `root`, read from `.git` without running git. */
export function readGitInfo(root: string): { commit?: string; branch?: string } | undefined {
  const top = findUp(root, '.git');
  if (!top) return undefined;
  try {
    let gitDir = join(top, '.git');
    if (statSync(gitDir).isFile()) {
      const m = /^gitdir: (.*)$/m.exec(readFileSync(gitDir, 'utf8'));
      if (!m?.[1]) return undefined;
      gitDir = resolve(top, m[1].trim());
    }
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return { commit: head };
    const ref = head.slice(5);
    const branch = ref.replace(/^refs\/heads\//, '');
    const loose = join(gitDir, ref);
    if (existsSync(loose)) return { commit: readFileSync(loose, 'utf8').trim(), branch };
    const packed = join(gitDir, 'packed-refs');
    if (existsSync(packed)) {
      for (const line of readFileSync(packed, 'utf8').split('\n')) {
        const [sha, name] = line.split(' ');
        if (name === ref && sha) return { commit: sha, branch };
      }
    }
    return { branch };
  } catch {
    return undefined;
  }
}
