/**
 * A small shared JSON document many writers change (a registered model, the aliases of an
 * artifact name): every change reads the document with its etag, applies a pure update, and
 * writes it back with `ifMatch: etag` (`ifNoneMatch: "*"` for a new one). A writer that loses the
 * race reads again and re-applies its update, so with many writers no change is lost, on every
 * backend whose conditional writes are atomic.
 *
 * Every change has an id the document keeps (its last `RECENT_CHANGES`). A write whose answer was
 * lost may have landed: the SDK's retry of it then fails its condition, or the call fails after
 * its retries. Either way the writer reads again, and if its id is there the change is done; a
 * call fails only when its change is not in the document.
 */
import { randomUUID } from 'node:crypto';
import { isTroveError, TroveError } from '../errors.js';
import { type MetaLocation, readWhole } from './meta-io.js';

/** What every such document carries: the ids of the last changes applied, oldest first. */
export interface ChangeLog {
  recentChanges?: string[];
}

/**
 * How many change ids a document keeps. A writer looks for its id right after its write, so
 * this only has to outlast the changes other writers make in that moment.
 */
const RECENT_CHANGES = 64;

/** How long a writer keeps retrying a contended document before giving up. */
const RETRY_DEADLINE_MS = 120_000;
const MAX_BACKOFF_MS = 50;

/** One kind of shared document: how to check one read from the store, how to find a change. */
export interface DocKind<T extends ChangeLog> {
  /** Checks a parsed document has the shape this code writes (`CORRUPT` when not). */
  check(value: unknown, key: string): T;
  /** Whether the change `id` is in `doc` (beyond `recentChanges`, a kind may keep ids for good). */
  hasChange?(doc: T, id: string): boolean;
}

/** A change to a document; `undefined` in, for one not written yet. May throw to change nothing. */
export type DocChange<T> = (doc: T | undefined, now: number) => T;

/** Whether the change `id` is already in `doc`. */
function hasRecentChange(doc: ChangeLog, id: string): boolean {
  return doc.recentChanges?.includes(id) ?? false;
}

/** The document at `key` with the etag of that very version, or undefined when absent. */
export async function readDoc<T extends ChangeLog>(
  location: MetaLocation,
  key: string,
  kind: DocKind<T>,
): Promise<{ doc: T; etag: string } | undefined> {
  try {
    const { text, etag } = await readWhole(location.meta, key);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new TroveError('CORRUPT', `${key} is not valid JSON.`, { key, cause: err });
    }
    return { doc: kind.check(parsed, key), etag };
  } catch (err) {
    if (isTroveError(err, 'NOT_FOUND')) return undefined;
    throw err;
  }
}

/**
 * Read, apply, write conditionally; on a lost race, again. A change that throws (a missing
 * version, say) ends the loop with nothing written. A read that finds the change `id` already
 * applied (a write that landed although its answer was lost) ends it too, and so does a change
 * that leaves the document as it was. Resolves with the document the change is in.
 */
export async function updateDoc<T extends ChangeLog>(
  location: MetaLocation,
  key: string,
  kind: DocKind<T>,
  change: DocChange<T>,
  id: string = randomUUID(),
): Promise<T> {
  const has = (doc: T) => hasRecentChange(doc, id) || (kind.hasChange?.(doc, id) ?? false);
  const deadline = Date.now() + RETRY_DEADLINE_MS;
  for (let attempt = 0; ; attempt++) {
    const current = await readDoc(location, key, kind);
    if (current && has(current.doc)) return current.doc;
    const next = change(current ? structuredClone(current.doc) : undefined, Date.now());
    // A change that leaves the document as it is (a merge that adds nothing) writes nothing.
    if (current && JSON.stringify(next) === JSON.stringify(current.doc)) return current.doc;
    next.recentChanges = [...(next.recentChanges ?? []), id].slice(-RECENT_CHANGES);
    try {
      await location.meta.write(key, `${JSON.stringify(next, null, 2)}\n`, {
        contentType: 'application/json',
        ...(current ? { ifMatch: current.etag } : { ifNoneMatch: '*' as const }),
      });
      return next;
    } catch (err) {
      const lost = isTroveError(err, 'PRECONDITION_FAILED') || isTroveError(err, 'NOT_FOUND');
      // Not a lost race: the write failed after the backend's own retries. It may still have
      // landed (an answer cut after the server acted), and only a read can tell.
      if (!lost) return landedOrThrow(location, key, kind, has, err);
      if (Date.now() > deadline) {
        throw new TroveError('UNAVAILABLE', `Gave up updating ${key} after ${attempt + 1} tries.`, {
          key,
          retryable: true,
          cause: err,
        });
      }
      const cap = Math.min(MAX_BACKOFF_MS, 2 ** Math.min(attempt, 6));
      await new Promise((r) => setTimeout(r, Math.random() * cap));
    }
  }
}

/** The document holding the change, or `failure` when the change is not there. */
async function landedOrThrow<T extends ChangeLog>(
  location: MetaLocation,
  key: string,
  kind: DocKind<T>,
  has: (doc: T) => boolean,
  failure: unknown,
): Promise<T> {
  let current: { doc: T } | undefined;
  try {
    current = await readDoc(location, key, kind);
  } catch {
    throw failure;
  }
  if (current && has(current.doc)) return current.doc;
  throw failure;
}
