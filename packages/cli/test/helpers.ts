import { type SpawnSyncOptions, spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built binary: these tests run `trove` as users do. */
export const TROVE_BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export function trove(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; uid?: number; gid?: number },
): Result {
  const spawnOptions: SpawnSyncOptions = {
    cwd: options.cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: '1', ...options.env },
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.gid ?? options.uid } : {}),
  };
  const r = spawnSync(process.execPath, [TROVE_BIN, ...args], spawnOptions);
  return { code: r.status ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export function troveJson<T = unknown>(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): T {
  const r = trove([...args, '--json'], options);
  if (r.code !== 0) throw new Error(`trove ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

export function sh(cmd: string, args: string[], cwd: string): Result {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export function tempDir(prefix = 'trove-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Every path under `root` (except `exclude`) with its content, for before/after comparisons. */
export function snapshotTree(root: string, exclude: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const key = rel ? `${rel}/${name}` : name;
      if (exclude.includes(key)) continue;
      const path = join(dir, name);
      const st = lstatSync(path);
      if (st.isSymbolicLink()) out[key] = `link:${readlinkSync(path)}`;
      else if (st.isDirectory()) {
        out[key] = 'dir';
        visit(path, key);
      } else if (st.isFile())
        out[key] = `${(st.mode & 0o777).toString(8)}:${readFileSync(path).toString('base64')}`;
      else out[key] = 'special';
    }
  };
  visit(root, '');
  return out;
}
