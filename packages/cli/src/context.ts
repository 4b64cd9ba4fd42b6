import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isTroveError, openStore, type Store } from '@trove/core';

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

export function cwdOf(opts: GlobalOptions): string {
  return resolve(opts.cwd ?? process.cwd());
}

function storeOptions(opts: GlobalOptions) {
  return {
    cwd: cwdOf(opts),
    ...(opts.store !== undefined ? { store: opts.store } : {}),
    ...(opts.config !== undefined ? { configFile: opts.config } : {}),
    resolveFrom: [CLI_PACKAGE_DIR],
  };
}

/** Opens the store for one command and closes it afterwards. */
export async function withStore<T>(
  opts: GlobalOptions,
  fn: (store: Store) => Promise<T>,
): Promise<T> {
  const store = await openStore(storeOptions(opts));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/**
 * Calls `fn` for each run of a listing; a run whose records are damaged is skipped with a
 * warning on stderr (the listing goes on), anything else stops it.
 */
export async function forEachRun<T>(
  ids: readonly string[],
  fn: (id: string) => Promise<T>,
): Promise<T[]> {
  const out: T[] = [];
  for (const id of ids) {
    try {
      out.push(await fn(id));
    } catch (err) {
      if (!isTroveError(err, 'CORRUPT')) throw err;
      process.stderr.write(`trove: warning: skipping run ${id}: ${err.message}\n`);
    }
  }
  return out;
}
