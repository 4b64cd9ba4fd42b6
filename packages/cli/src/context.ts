import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore, type Store, TroveError } from '@trove/core';

/** Options every command has. */
export interface GlobalOptions {
  store?: string;
  config?: string;
  json?: boolean;
  quiet?: boolean;
  cwd?: string;
}

/** The CLI's own package folder: backend packages installed with the CLI resolve from here. */
const CLI_PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The folder the command works in (`-C`, else the current one), which must exist. */
export function cwdOf(opts: GlobalOptions): string {
  let dir: string;
  try {
    dir = resolve(opts.cwd ?? process.cwd());
  } catch (err) {
    // process.cwd() fails (ENOENT, uv_cwd) when the shell's folder was removed meanwhile.
    throw new TroveError('NOT_FOUND', 'The current folder no longer exists.', {
      cause: err,
      hint: 'cd to an existing folder (or pass -C <dir>) and run the command again.',
    });
  }
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) {
    throw new TroveError(
      'NOT_FOUND',
      `${dir} is not a folder (${opts.cwd !== undefined ? '-C' : 'the current folder'}).`,
      {
        key: dir,
      },
    );
  }
  return dir;
}

export function storeOptions(opts: GlobalOptions) {
  return {
    cwd: cwdOf(opts),
    ...(opts.store !== undefined ? { store: opts.store } : {}),
    ...(opts.config !== undefined ? { configFile: opts.config } : {}),
    resolveFrom: [CLI_PACKAGE_DIR],
  };
}

/** Opens the store of the command's options (the caller closes it). */
export function openStoreFor(opts: GlobalOptions): Promise<Store> {
  return openStore(storeOptions(opts));
}

/** Opens the store for one command and closes it afterwards. */
export async function withStore<T>(
  opts: GlobalOptions,
  fn: (store: Store) => Promise<T>,
): Promise<T> {
  const store = await openStoreFor(opts);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** A run a listing leaves out because its records are damaged: said on stderr, the rest listed. */
export function warnSkipped(id: string, err: Error): void {
  process.stderr.write(`trove: warning: skipping run ${id}: ${err.message}\n`);
}
