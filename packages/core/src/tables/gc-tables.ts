/**
 * `trove gc` over the whole store: the content store's gc (`record/gc.ts`), then the tables'
 * vacuum — data files no snapshot uses any more (compacted, replaced, or written by a commit
 * that never landed), older than the grace period. A table file gets at least an hour whatever
 * the grace: a writer commits the files it has just written within seconds, and a search
 * fetching an older snapshot's files refetches the newer snapshot when one is gone.
 */
import { randomUUID } from 'node:crypto';
import { mapLimit } from '../backend/map-limit.js';
import type { RetentionPolicy } from '../project/retention-config.js';
import { expiredKey, writeExpired } from '../record/expired.js';
import {
  DEFAULT_GC_GRACE_MS,
  type GcOptions,
  type GcResult,
  gcExpiring,
  gc as gcObjects,
} from '../record/gc.js';
import { fireHooks } from '../record/hooks.js';
import type { Store } from '../record/store.js';
import { TABLE_COLUMNS, type TableName } from './columns.js';
import { type PlannedArtifact, type ProtectedArtifact, planRetention } from './retention-plan.js';
import { groupInto } from './rows.js';
import { openTroveTable } from './tables.js';

const MIN_TABLE_GRACE_MS = 60 * 60 * 1000;

export async function gc(store: Store, options: GcOptions = {}): Promise<GcResult> {
  return vacuumTables(store, options, await gcObjects(store, options));
}

export interface PolicyGcOptions extends GcOptions {
  /** The policies (default: `retention:` in the store's trove.yaml). */
  policies?: readonly RetentionPolicy[];
  /** The time ages are measured at (default now). */
  now?: number;
}

export interface PolicyGcResult extends GcResult {
  /** The artifacts expired (dry run: that would be), with why. */
  expired: PlannedArtifact[];
  /** Those a policy or ttl named that an alias, a registration or a run's input kept. */
  protected: ProtectedArtifact[];
}

/**
 * `trove gc --policy`: expires what the retention policies and artifacts' own `ttl` say
 * (`retention-plan.ts`), recording it in each run's records (`runs/<id>/expired/<gc id>.json`),
 * then removes what nothing refers to any more, as `gc` does. A dry run writes nothing and lists
 * the same artifacts and objects.
 */
export async function gcPolicy(
  store: Store,
  options: PolicyGcOptions = {},
): Promise<PolicyGcResult> {
  const policies = options.policies ?? store.config.retention ?? [];
  const plan = await planRetention(store, policies, options.now);
  const expiring = new Set(plan.expiring.map((a) => expiredKey(a.runId, a.path, a.md5)));
  if (!options.dryRun && plan.expiring.length > 0) {
    const record = { format: 1 as const, gc: randomUUID(), at: new Date().toISOString() };
    const byRun = new Map<string, PlannedArtifact[]>();
    for (const a of plan.expiring) groupInto(byRun, a.runId, a);
    await mapLimit([...byRun], 16, ([runId, artifacts]) =>
      writeExpired(store, runId, {
        ...record,
        artifacts: artifacts.map(({ path, name, md5, size, reason }) => ({
          path,
          name,
          md5,
          size,
          reason,
        })),
      }),
    );
  }
  const result = await vacuumTables(store, options, await gcExpiring(store, options, expiring));
  if (!options.dryRun) {
    await fireHooks(store, 'gc', {
      expired: plan.expiring.length,
      removed: result.removed.length,
      bytes: result.bytes,
    });
  }
  return { ...result, expired: plan.expiring, protected: plan.protected };
}

/** The tables' vacuum after the objects' gc, added to its result. */
async function vacuumTables(store: Store, options: GcOptions, result: GcResult): Promise<GcResult> {
  const olderThanMs = Math.max(options.grace ?? DEFAULT_GC_GRACE_MS, MIN_TABLE_GRACE_MS);
  for (const name of Object.keys(TABLE_COLUMNS) as TableName[]) {
    const delta = openTroveTable(store, name).delta;
    if ((await delta.snapshot()).version < 0) continue;
    const vacuumed = await delta.vacuum({ olderThanMs, dryRun: Boolean(options.dryRun) });
    for (const [i, key] of vacuumed.deleted.entries()) {
      result.removed.push({ key, size: vacuumed.sizes[i] ?? 0, kind: 'table-file' });
    }
    result.bytes += vacuumed.bytes;
  }
  return result;
}
