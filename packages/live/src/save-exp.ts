/**
 * DVCLive's `save_dvc_exp`: at `end()`, inside a Git + DVC repository with a commit, the real
 * `dvc exp save` with DVCLive's include list. Without `dvc` on the PATH, or without Git or a
 * commit, one warning and nothing else (as DVCLive).
 */
import { execFile } from 'node:child_process';
import { relative } from 'node:path';
import { findUp } from '@trove/core/dialect';

export interface SaveExpOptions {
  cwd: string;
  dvcRoot: string;
  include: string[];
  name: string | undefined;
  message: string | undefined;
  warn(message: string): void;
  /** The `dvc` executable (default: `dvc` on the PATH, or env `TROVE_DVC`). */
  dvc?: string;
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

export async function saveDvcExp(o: SaveExpOptions): Promise<string | undefined> {
  if (process.env.DVC_ROOT) return undefined;
  if (!findUp(o.cwd, '.git')) {
    o.warn(
      "Can't save experiment without a Git Repo.\nCreate a Git repo (`git init`) and commit (`git commit`).",
    );
    return undefined;
  }
  const head = await run('git', ['rev-parse', '--verify', 'HEAD'], o.cwd);
  if (head.code !== 0) {
    o.warn(
      "Can't save experiment to an empty Git Repo.\nAdd a commit (`git commit`) to save experiments.",
    );
    return undefined;
  }
  const args = ['exp', 'save', '--force'];
  if (o.name) args.push('--name', o.name);
  if (o.message) args.push('--message', o.message);
  for (const p of o.include) args.push('--include-untracked', relative(o.dvcRoot, p) || '.');
  const dvc = o.dvc ?? process.env.TROVE_DVC ?? 'dvc';
  const result = await run(dvc, args, o.dvcRoot);
  if (result.code !== 0) {
    o.warn(
      result.code === -1 || /ENOENT/.test(result.out)
        ? 'Cannot save the DVC experiment: dvc is not installed (pip install dvc).'
        : `Error in save_dvc_exp: ${result.out.trim()}`,
    );
    return undefined;
  }
  return result.out.trim();
}
