import { type SpawnSyncOptions, spawn, spawnSync } from 'node:child_process';
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
  options: { cwd: string; env?: NodeJS.ProcessEnv; unprivileged?: boolean },
): Result {
  const spawnOptions: SpawnSyncOptions = {
    cwd: options.cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: '1', ...options.env },
    // Not a timing check: a command that hangs (a store under /proc once did) fails its test
    // with exit -1 instead of blocking the whole line, since a sync spawn cannot be timed out.
    timeout: 300_000,
  };
  const command = [process.execPath, TROVE_BIN, ...args];
  if (options.unprivileged) command.unshift(...unprivilegedPrefix());
  const r = spawnSync(command[0] as string, command.slice(1), spawnOptions);
  return { code: r.status ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

let prefix: string[] | undefined;

/**
 * How to run a command without root's power to read any file, for tests of unreadable input:
 * nothing for another user; for root, a new user namespace (`unshare --user`), where root's
 * files are checked by their mode bits like anyone's while the checkout stays reachable (its
 * parents may be 0700, as `mktemp -d` makes them). Fails if that cannot be had: never skips.
 */
function unprivilegedPrefix(): string[] {
  prefix ??= process.getuid?.() === 0 ? rootlessPrefix() : [];
  return prefix;
}

function rootlessPrefix(): string[] {
  const probe = spawnSync('unshare', ['--user', 'true']);
  if (probe.status !== 0) {
    throw new Error(
      `Running as root, and \`unshare --user\` is not available (${probe.error?.message ?? String(probe.stderr)}): the unreadable-input tests need a process that cannot override file modes.`,
    );
  }
  return ['unshare', '--user'];
}

export function troveJson<T = unknown>(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): T {
  const r = trove([...args, '--json'], options);
  if (r.code !== 0) throw new Error(`trove ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Runs `trove` without waiting for it, so several run at once. */
export function troveAsync(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TROVE_BIN, ...args], {
      cwd,
      env: { ...process.env, CI: '1', ...env },
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
