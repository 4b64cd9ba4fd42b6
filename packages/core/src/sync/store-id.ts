/**
 * A store's identity for syncs: the registry merge remembers, per source store, which aliases
 * it gave (`registry/merge-doc.ts`), and the sync marks are kept per source. The id is the name
 * of a create-only empty object `sync/id/<uuid>`, found by a listing; two processes that create
 * one at once both end up with the smallest.
 */
import { randomUUID } from 'node:crypto';
import { joinKey } from '../backend/keys.js';
import { isTroveError } from '../errors.js';
import type { MetaLocation } from '../record/meta-io.js';

const ID_RE = /^[0-9a-f-]{36}$/;

async function listed(store: MetaLocation): Promise<string | undefined> {
  const prefix = joinKey(store.metaPrefix, 'sync/id/');
  for await (const entry of store.meta.list(prefix)) {
    const id = entry.key.slice(prefix.length);
    if (ID_RE.test(id)) return id;
  }
  return undefined;
}

/**
 * The store's id; made when it has none and `create` is set. A store that cannot be written to
 * (a read-only source) and has none gets one derived from where it is, which is stable too.
 */
export async function storeId(store: MetaLocation, create: boolean): Promise<string> {
  const found = await listed(store);
  if (found !== undefined || !create) return found ?? `unnamed-${store.meta.kind}`;
  try {
    await store.meta.write(joinKey(store.metaPrefix, 'sync/id', randomUUID()), '', {
      ifNoneMatch: '*',
    });
  } catch (err) {
    if (!isTroveError(err, 'PERMISSION_DENIED')) throw err;
    return `unnamed-${store.meta.kind}`;
  }
  return (await listed(store)) as string;
}
