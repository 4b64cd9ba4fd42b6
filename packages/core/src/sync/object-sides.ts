/**
 * What each side of a sync has under the two-hex prefixes of `files/md5/`. The source is listed;
 * the target's listing of a prefix is skipped when the last sync from this source left a mark
 * there (`sync/<source id>/objects/<xx>.<digest>`) saying the target then held every object the
 * source has now. The digest covers the source's names under the prefix and the target's gc log:
 * objects are content-addressed and only a gc removes one, a gc changes the log, and the log
 * keeps its newest entry (`gc-log.ts`), so an unchanged log means the objects are still there.
 * A sync with nothing to do then lists the source and reads the marks: no listing of the
 * target's objects, the slowest part of a sync to a bucket of 100,000 objects.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { mapLimit } from '../backend/map-limit.js';
import type { Store } from '../record/store.js';
import { listObjects, listSource } from './object-listing.js';
import type { SyncMarks } from './sync-marks.js';

const MARK_CONCURRENCY = 16;

interface SidesOptions {
  /** The target's gc log as read before the listings (`GcFence.state`). */
  gcState: string;
  /** Whether a mark may stand for a listing (not when asked to list all, or a gc is running). */
  trustMarks: boolean;
  signal?: AbortSignal | undefined;
}

export class ObjectSides {
  /** md5 → size (undefined until asked, for a local store) of the source's objects listed. */
  readonly #source = new Map<string, number | undefined>();
  /** The target's objects listed, under the prefixes not marked. */
  readonly #target = new Set<string>();
  /** Prefixes whose mark stands for the target's listing: it has all the source has there. */
  readonly #marked = new Set<string>();
  readonly #from: Store;
  readonly #to: Store;
  readonly #marks: SyncMarks;
  readonly #options: SidesOptions;
  /** Each loaded prefix's digest of what the source has there. */
  readonly #digests = new Map<string, string>();

  constructor(from: Store, to: Store, marks: SyncMarks, options: SidesOptions) {
    this.#from = from;
    this.#to = to;
    this.#marks = marks;
    this.#options = options;
  }

  /** Lists the prefixes not loaded yet: the source's, then the target's not marked. */
  async load(prefixes: Iterable<string>): Promise<void> {
    const fresh = [...new Set(prefixes)].filter((xx) => !this.#digests.has(xx));
    if (fresh.length === 0) return;
    const { signal, trustMarks } = this.#options;
    const source = await listSource(this.#from.objects, fresh, signal);
    const names = new Map<string, string[]>(fresh.map((xx) => [xx, []]));
    for (const [md5, size] of source) {
      this.#source.set(md5, size);
      names.get(md5.slice(0, 2))?.push(md5);
    }
    const unmarked: string[] = [];
    for (const [xx, list] of names) {
      const digest = this.#digest(list);
      this.#digests.set(xx, digest);
      if (trustMarks && this.#marks.has('objects', xx, digest)) this.#marked.add(xx);
      else unmarked.push(xx);
    }
    for (const md5 of (await listObjects(this.#to.objects, unmarked, signal)).keys()) {
      this.#target.add(md5);
    }
  }

  /** The source's objects listed. */
  sourceMd5s(): IterableIterator<string> {
    return this.#source.keys();
  }

  sourceHas(md5: string): boolean {
    return this.#source.has(md5);
  }

  targetHas(md5: string): boolean {
    return this.#marked.has(md5.slice(0, 2)) ? this.#source.has(md5) : this.#target.has(md5);
  }

  /** The size of a source object listed; undefined when it is gone since. */
  sizeOf(md5: string): number | undefined {
    const known = this.#source.get(md5);
    if (known !== undefined) return known;
    const objects = this.#from.objects;
    try {
      const size = statSync(objects.backend.pathOf?.(objects.key(md5)) as string).size;
      this.#source.set(md5, size);
      return size;
    } catch {
      return undefined;
    }
  }

  /**
   * Marks every loaded prefix where the target now holds all the source has (what it had, and
   * `copied`). Only after the sync's records are written and its gc fence was not crossed.
   */
  async leaveMarks(copied: ReadonlySet<string>): Promise<void> {
    const whole = new Set(this.#digests.keys());
    for (const md5 of this.#source.keys()) {
      if (!this.targetHas(md5) && !copied.has(md5)) whole.delete(md5.slice(0, 2));
    }
    const unmarked = [...whole].filter(
      (xx) => !this.#marks.has('objects', xx, this.#digests.get(xx) as string),
    );
    await mapLimit(unmarked, MARK_CONCURRENCY, (xx) =>
      this.#marks.set('objects', xx, this.#digests.get(xx) as string),
    );
  }

  #digest(md5s: string[]): string {
    const hash = createHash('md5');
    for (const md5 of md5s.sort()) hash.update(`${md5}\n`);
    return hash.update(`--\n${this.#options.gcState}`).digest('hex');
  }
}
