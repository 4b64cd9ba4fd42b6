/**
 * The code reference Polyaxon's `log_code_ref` records (clipped's `get_code_reference`): the
 * commit, the branch and the remote URL (`git@host:a/b.git` → `https://host/a/b`), plus whether
 * the work tree has uncommitted changes (`is_dirty`).
 */
import { spawnSync } from 'node:child_process';
import { readGitInfo } from '@trove/core/dialect';

export interface CodeRef {
  commit: string;
  branch?: string;
  url?: string;
  is_dirty?: boolean;
  [key: string]: unknown;
}

/** The code reference of the Git work tree around `cwd`, or undefined outside one. */
export function readCodeRef(cwd: string): CodeRef | undefined {
  const info = readGitInfo(cwd);
  if (!info?.commit) return undefined;
  const ref: CodeRef = { commit: info.commit };
  if (info.branch) ref.branch = info.branch;
  const url = git(cwd, ['config', '--get', 'remote.origin.url']);
  if (url) ref.url = httpsUrl(url);
  const status = git(cwd, ['status', '--porcelain']);
  if (status !== undefined) ref.is_dirty = status !== '';
  return ref;
}

function git(cwd: string, args: string[]): string | undefined {
  const out = spawnSync('git', args, { cwd, encoding: 'utf8', timeout: 10_000 });
  if (out.error) return undefined;
  if (out.status !== 0) return args[0] === 'status' ? undefined : '';
  return out.stdout.trim();
}

function httpsUrl(url: string): string {
  if (!url.includes('git@')) return url;
  const rest = url.split('git@')[1] ?? '';
  return `https://${(rest.split('.git')[0] ?? '').replace(':', '/')}`;
}
