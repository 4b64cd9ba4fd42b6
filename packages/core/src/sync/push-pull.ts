/**
 * `push()` and `pull()`: a sync between the store a project uses and another one it names,
 * by default the `remote:` of `trove.yaml` (so a project that logs locally pushes with a bare
 * `trove push`).
 */
import { TroveError } from '../errors.js';
import { openStore } from '../record/open-store.js';
import type { Store } from '../record/store.js';
import type { OpenStoreOptions } from '../store/open-backends.js';
import { type SyncOptions, type SyncSummary, sync } from './sync.js';

interface PushPullOptions extends OpenStoreOptions, SyncOptions {
  /** What to move: run ids, a filter, artifact references; empty or absent for everything. */
  what?: readonly string[];
}

export interface PushOptions extends PushPullOptions {
  /** The store to send to (default: `remote:` in `trove.yaml`). */
  to?: string;
}

export interface PullOptions extends PushPullOptions {
  /** The store to take from (default: `remote:` in `trove.yaml`). */
  from?: string;
}

/**
 * Sends what the project's store has and the remote lacks.
 *
 * @example
 * await push({ to: 'team', what: ['params.lr > 0.01'] });
 */
export function push(options: PushOptions = {}): Promise<SyncSummary> {
  return between(options, options.to, (local, remote) => [local, remote]);
}

/** Takes what the remote has and the project's store lacks. */
export function pull(options: PullOptions = {}): Promise<SyncSummary> {
  return between(options, options.from, (local, remote) => [remote, local]);
}

async function between(
  options: PushPullOptions,
  named: string | undefined,
  order: (local: Store, remote: Store) => [Store, Store],
): Promise<SyncSummary> {
  // The store in use carries the trove.yaml it was opened from: the remote is read there.
  const local = await openStore(options);
  try {
    const remoteName = named ?? local.config.remote;
    if (remoteName === undefined) {
      throw new TroveError(
        'INVALID_ARGUMENT',
        'No store to sync with: none named, no remote set.',
        {
          hint: 'Name one (--to / --from), or set `remote: <store>` in trove.yaml.',
        },
      );
    }
    const remote = await openStore({ ...options, store: remoteName });
    try {
      if (remote.name === local.name) {
        throw new TroveError(
          'INVALID_ARGUMENT',
          `The remote "${remoteName}" is the store in use: nothing to sync it with.`,
        );
      }
      const [from, to] = order(local, remote);
      return await sync(from, to, options.what ?? [], options);
    } finally {
      await remote.close();
    }
  } finally {
    await local.close();
  }
}
