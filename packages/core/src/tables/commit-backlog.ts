import type { Store } from '../record/store.js';
import { backlogKey } from './backlog.js';
import { commitRuns } from './commit-runs.js';

/**
 * A writer's last step for the runs it changed (`writer`'s backlog markers name them): their
 * rows are committed into the tables and its markers deleted; when the store has no tables yet
 * or the commit fails, `.done` markers replace them, so `trove index` commits the runs at once
 * and searches fold them in meanwhile. The run folders stay the source of truth, so a failure
 * is returned, not thrown.
 */
export async function commitBacklog(
  store: Store,
  runIds: readonly string[],
  writer: string | undefined,
): Promise<unknown> {
  const active = runIds.map((id) => backlogKey(store, id, writer));
  let failure: unknown;
  try {
    if (await commitRuns(store, runIds, { onlyIfComplete: true })) {
      try {
        await store.meta.deleteMany(active);
      } catch {
        // The rows are in: a marker left behind only makes searches read the run's folder
        // until `trove index` clears it (the run has ended), so nothing is said.
      }
      return undefined;
    }
  } catch (err) {
    failure = err;
  }
  try {
    // Finished, not committed: `trove index` may commit this writer's changes right away.
    for (const id of runIds) await store.meta.write(backlogKey(store, id, writer, true), '');
    await store.meta.deleteMany(active);
  } catch (err) {
    failure ??= err;
  }
  return failure;
}
