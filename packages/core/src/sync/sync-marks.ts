/**
 * What the last sync from a store left, so that a sync with nothing to do reads no record: after
 * a run folder (or a registry document) is merged, the target gets an empty create-only object
 * `sync/<source id>/<runs|registry>/<name>.<digest>`, where the digest covers the listing
 * entries (key, size, etag) of that run folder on both sides as the merge left them. The next
 * sync lists both sides anyway; when the digest of what it lists has a mark, the two sides are
 * as a finished merge left them and the run is skipped without a read. Any change on either side
 * changes an etag, so the run is merged again (merges are idempotent: at worst it writes nothing).
 * Objects are marked by two-hex prefix (`object-sides.ts`).
 */
import { createHash } from 'node:crypto';
import type { ObjectEntry } from '../backend/contract.js';
import { joinKey } from '../backend/keys.js';
import type { MetaLocation } from '../record/meta-io.js';

export type MarkKind = 'runs' | 'registry' | 'objects';

export class SyncMarks {
  readonly #store: MetaLocation;
  readonly #prefix: string;
  /** `<kind>/<name>` → digests marked. */
  readonly #marks = new Map<string, Set<string>>();

  private constructor(store: MetaLocation, sourceId: string) {
    this.#store = store;
    this.#prefix = joinKey(store.metaPrefix, 'sync', sourceId);
  }

  /** The marks the target holds for syncs from `sourceId` (one listing). */
  static async load(store: MetaLocation, sourceId: string): Promise<SyncMarks> {
    const marks = new SyncMarks(store, sourceId);
    for await (const entry of store.meta.list(`${marks.#prefix}/`)) {
      const rel = entry.key.slice(marks.#prefix.length + 1);
      const dot = rel.lastIndexOf('.');
      if (dot < 0) continue;
      const name = rel.slice(0, dot);
      const set = marks.#marks.get(name) ?? new Set<string>();
      set.add(rel.slice(dot + 1));
      marks.#marks.set(name, set);
    }
    return marks;
  }

  has(kind: MarkKind, name: string, digest: string): boolean {
    return this.#marks.get(`${kind}/${name}`)?.has(digest) ?? false;
  }

  /** Records `digest` for `name` and drops the older marks of it. */
  async set(kind: MarkKind, name: string, digest: string): Promise<void> {
    const old = [...(this.#marks.get(`${kind}/${name}`) ?? [])].filter((d) => d !== digest);
    await this.#store.meta.write(joinKey(this.#prefix, kind, `${name}.${digest}`), '');
    this.#marks.set(`${kind}/${name}`, new Set([digest]));
    if (old.length > 0) {
      await this.#store.meta.deleteMany(
        old.map((d) => joinKey(this.#prefix, kind, `${name}.${d}`)),
      );
    }
  }
}

/** The digest of both sides' listing entries (keys relative to `sourceBase` / `targetBase`). */
export function digestOf(
  source: readonly ObjectEntry[],
  sourceBase: string,
  target: readonly ObjectEntry[],
  targetBase: string,
): string {
  const hash = createHash('md5');
  const add = (entries: readonly ObjectEntry[], base: string) => {
    for (const e of [...entries].sort((a, b) => (a.key < b.key ? -1 : 1))) {
      hash.update(`${e.key.slice(base.length)}\t${e.size}\t${e.etag}\n`);
    }
    hash.update('--\n');
  };
  add(source, sourceBase);
  add(target, targetBase);
  return hash.digest('hex');
}
