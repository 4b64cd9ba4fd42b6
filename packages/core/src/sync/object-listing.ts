/**
 * What objects a store has, by listing: `files/md5/<xx>/` one prefix at a time (256 of them
 * for a whole store, only those of the md5s wanted otherwise), many at once. A sync learns what
 * the target lacks from two listings, never from a request per object.
 */
import { readdirSync } from 'node:fs';
import { joinKey } from '../backend/keys.js';
import { mapLimit } from '../backend/map-limit.js';
import type { ContentStore } from '../store/content-store.js';

const LIST_CONCURRENCY = 16;
const REST_RE = /^[0-9a-f]{30}(\.dir)?$/;

/** Every two-hex prefix: a whole store's listing. */
export const ALL_PREFIXES: readonly string[] = Array.from({ length: 256 }, (_, i) =>
  i.toString(16).padStart(2, '0'),
);

/** md5 → size of the objects under the given two-hex prefixes. */
export async function listObjects(
  objects: ContentStore,
  prefixes: Iterable<string>,
  signal?: AbortSignal,
): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  await mapLimit([...new Set(prefixes)], LIST_CONCURRENCY, async (xx) => {
    const prefix = `${joinKey(objects.prefix, 'files/md5', xx)}/`;
    for await (const entry of objects.backend.list(prefix, signal ? { signal } : {})) {
      const rest = entry.key.slice(prefix.length);
      if (REST_RE.test(rest)) found.set(`${xx}${rest}`, entry.size);
    }
  });
  return found;
}

/** The two-hex prefixes of `md5s`. */
export function prefixesOf(md5s: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const m of md5s) out.add(m.slice(0, 2));
  return out;
}

/**
 * What a sync's source has under the given prefixes: md5 → size, or, from a store whose objects
 * are local files (`pathOf`), md5 → undefined, read from the folders with no stat per object
 * (a sync with nothing to send needs only the names; `ObjectSides.sizeOf` stats what is sent).
 */
export async function listSource(
  objects: ContentStore,
  prefixes: Iterable<string>,
  signal?: AbortSignal,
): Promise<Map<string, number | undefined>> {
  const backend = objects.backend;
  if (!backend.pathOf) return listObjects(objects, prefixes, signal);
  const found = new Map<string, number | undefined>();
  for (const xx of new Set(prefixes)) {
    signal?.throwIfAborted();
    let names: string[];
    try {
      names = readdirSync(backend.pathOf(joinKey(objects.prefix, 'files/md5', xx)));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      // Anything else is for the backend's own listing to report in its words.
      for (const [md5, size] of await listObjects(objects, [xx], signal)) found.set(md5, size);
      continue;
    }
    for (const rest of names) if (REST_RE.test(rest)) found.set(`${xx}${rest}`, undefined);
  }
  return found;
}
