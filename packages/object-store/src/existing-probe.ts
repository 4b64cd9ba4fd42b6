import { compareKeys, mapLimit } from '@trove/core/backend';

/** Lists every key under a prefix, in ascending byte order (a backend's `list`). */
export type ListKeys = (prefix: string, signal?: AbortSignal) => AsyncIterable<{ key: string }>;

/** Below this many items, listing prefixes costs more than it can save. */
const PROBE_MIN_ITEMS = 16;
/** A prefix is listed for at most one page per this many wanted keys under it. */
const ITEMS_PER_LIST_PAGE = 8;
/**
 * Prefixes listed before giving up when none of them holds a wanted key: then the objects are
 * most likely all new (a first upload), and the conditional PUTs are cheaper than more listings.
 */
const PROBE_SAMPLE = 8;
const LIST_CONCURRENCY = 8;

/**
 * Which keys the store already has, from one listing per parent prefix (capped in pages, so a
 * huge prefix is not listed whole for a few keys), kept for the whole call so later batches
 * under a prefix already listed cost nothing. When the first prefixes hold none of the keys, the
 * rest are not listed: the objects are most likely all new (a first upload), and conditional
 * PUTs are cheaper than more listings. `known()` is undefined for a key the listings cannot tell.
 */
export class ExistingProbe {
  readonly #list: ListKeys;
  readonly #signal: AbortSignal | undefined;
  readonly #known = new Map<string, boolean>();
  /** Per listed prefix: the keys seen, and the last one when the listing stopped early. */
  readonly #listed = new Map<string, { keys: Set<string>; complete: boolean; last?: string }>();
  #items = 0;
  #probed = 0;
  #hits = 0;

  constructor(list: ListKeys, signal: AbortSignal | undefined) {
    this.#list = list;
    this.#signal = signal;
  }

  known(key: string): boolean | undefined {
    return this.#known.get(key);
  }

  async add(items: readonly { key: string }[]): Promise<void> {
    this.#items += items.length;
    const groups = new Map<string, string[]>();
    for (const { key } of items) {
      const parent = key.slice(0, key.lastIndexOf('/') + 1);
      const listing = this.#listed.get(parent);
      if (listing) this.#resolve(key, listing);
      else {
        const group = groups.get(parent);
        if (group) group.push(key);
        else groups.set(parent, [key]);
      }
    }
    if (this.#items < PROBE_MIN_ITEMS) return;
    const toList = [...groups].filter(([, keys]) => keys.length > 1);
    await mapLimit(toList, LIST_CONCURRENCY, async ([prefix, keys]) => {
      if (this.#probed >= PROBE_SAMPLE && this.#hits === 0) return;
      this.#probed++;
      const listing = await this.#listPrefix(prefix, keys.length);
      this.#listed.set(prefix, listing);
      for (const key of keys) this.#resolve(key, listing);
    });
  }

  #resolve(key: string, listing: { keys: Set<string>; complete: boolean; last?: string }): void {
    if (listing.keys.has(key)) {
      this.#known.set(key, true);
      this.#hits++;
    } else if (
      listing.complete ||
      (listing.last !== undefined && compareKeys(key, listing.last) <= 0)
    ) {
      this.#known.set(key, false);
    }
  }

  async #listPrefix(
    prefix: string,
    wanted: number,
  ): Promise<{ keys: Set<string>; complete: boolean; last?: string }> {
    const maxEntries = Math.ceil(wanted / ITEMS_PER_LIST_PAGE) * 1000;
    const keys = new Set<string>();
    let last: string | undefined;
    for await (const entry of this.#list(prefix, this.#signal)) {
      keys.add(entry.key);
      last = entry.key;
      if (keys.size >= maxEntries) return { keys, complete: false, last };
    }
    return { keys, complete: true };
  }
}
