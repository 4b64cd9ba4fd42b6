/**
 * gc's last steps around its quarantine (see `gc.ts` for why deleting this way is safe), and the
 * check `--grace 0` makes before it starts.
 */
import { mapLimit } from '../backend/map-limit.js';
import { TroveError } from '../errors.js';
import { listQuarantine, purgeQuarantine, restoreObject } from '../store/quarantine.js';
import { collectReferences, type ReferenceContext, type ReferenceSource } from './references.js';
import type { Store } from './store.js';

const CONCURRENCY = 16;

/**
 * The last look of a gc that moved objects into quarantine: every reference is read again, what
 * is referred to now (or listed by a manifest that is) goes back, files before manifests; the
 * rest of the quarantines in `reclaim` (this gc's, and those of gcs presumed dead) is deleted.
 * Resolves to the md5s put back.
 */
export async function settleQuarantine(
  ctx: ReferenceContext & {
    sources: readonly ReferenceSource[];
    kept: ReadonlySet<string>;
    reclaim: readonly string[];
  },
): Promise<Set<string>> {
  const { store, signal } = ctx;
  const refs = await collectReferences(ctx, ctx.sources);
  const held = await listQuarantine(store.objects, signal);
  const needed = new Set([...ctx.kept, ...refs]);
  let unreadable = false;
  const newManifests = [...refs].filter((m) => m.endsWith('.dir') && !ctx.kept.has(m));
  await mapLimit(newManifests, CONCURRENCY, async (md5) => {
    for (const key of [store.objects.key(md5), ...(held.get(md5) ?? []).map((q) => q.key)]) {
      try {
        for (const e of await store.objects.readManifest(md5, key)) needed.add(e.md5);
        return;
      } catch {
        // gone from there: the next copy
      }
    }
    // A manifest referred to that gc itself may have moved: when in doubt, put everything back.
    unreadable ||= held.has(md5);
  });
  const reclaim = new Set(ctx.reclaim);
  const mine = [...held.values()].flat().filter((q) => reclaim.has(q.gcId));
  const back = [...new Set(mine.map((q) => q.md5))]
    .filter((md5) => unreadable || needed.has(md5))
    .sort((a, b) => Number(a.endsWith('.dir')) - Number(b.endsWith('.dir')));
  for (const md5 of back) {
    await restoreObject(store.objects, held.get(md5) ?? [], md5, signal);
  }
  await purgeQuarantine(
    store.objects.backend,
    mine.map((q) => q.key),
    signal,
  );
  return new Set(back);
}

/** `--grace 0` removes what adds in flight stored: refused while a run is `running`. */
export async function refuseWhileRunning(store: Store): Promise<void> {
  const ids = await store.listRunIds();
  const states = await mapLimit(ids, CONCURRENCY, async (id) => {
    try {
      return (await store.readRun(id)).status;
    } catch {
      return undefined; // the reference sources report a damaged run
    }
  });
  const running = ids.filter((_, i) => states[i] === 'running');
  if (running.length > 0) {
    throw new TroveError(
      'CONFLICT',
      `${running.length} run${running.length === 1 ? ' is' : 's are'} still running (${running.slice(0, 3).join(', ')}${running.length > 3 ? ', …' : ''}); gc with no grace period would make them store their objects again.`,
      {
        hint: 'Give a grace period longer than those runs (the default is 24h), or --force if they are dead.',
      },
    );
  }
}
