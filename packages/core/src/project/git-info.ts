import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findUp } from './find-project.js';

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
