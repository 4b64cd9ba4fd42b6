/**
 * The keys runs have (params, metrics, tags), as a runs table's column chooser lists them: one
 * query over the runs table (committed snapshot plus the backlog), not a read of every run.
 */
import type { Store } from '../record/store.js';
import type { OnDamaged } from './commit-runs.js';
import { Session } from './engine.js';
import { openViews } from './views.js';

export interface RunKeys {
  params: string[];
  /** The keys of the runs' latest metric values (the runs table's `metrics`). */
  metrics: string[];
  tags: string[];
}

/** Every param, metric and tag key any run has, each list sorted. */
export async function runKeys(
  store: Store,
  options: { onDamaged?: OnDamaged } = {},
): Promise<RunKeys> {
  const session = await Session.open();
  try {
    await openViews(store, session, ['runs'], options.onDamaged);
    const keysOf = async (column: 'params' | 'metrics' | 'tags') =>
      (
        await session.rows(
          `SELECT DISTINCT unnest(map_keys("${column}")) AS k FROM runs ORDER BY k`,
        )
      ).map((row) => String(row.k));
    return {
      params: await keysOf('params'),
      metrics: await keysOf('metrics'),
      tags: await keysOf('tags'),
    };
  } finally {
    session.close();
  }
}
