/**
 * The objects a sync sends, files before the `.dir` manifests that list them (a manifest in the
 * target means its files are there). From a store whose objects are files on this machine (the
 * local backend's `pathOf`) to one with `writeMany`, they go as files through the target's bulk
 * upload: small files read whole in one call, create-only with the md5 declared, the large ones
 * by the backend's resumable upload. Otherwise each object goes by `copyKey` (server-side or
 * streamed).
 */
import { mapLimit } from '../backend/map-limit.js';
import type { Store } from '../record/store.js';
import { copyKey } from './copy-key.js';

// Object stores answer a small PUT in tens of milliseconds (MinIO fsyncs each): many in flight.
const OBJECT_CONCURRENCY = 64;

export interface SyncProgress {
  phase: 'objects' | 'records';
  done: number;
  total: number;
  bytes: number;
  totalBytes: number;
}

/** Sends `objects` (md5 → size) from `from` to `to`. */
export async function copyObjects(
  from: Store,
  to: Store,
  objects: ReadonlyMap<string, number>,
  totalBytes: number,
  signal: AbortSignal | undefined,
  onProgress?: (p: SyncProgress) => void,
): Promise<void> {
  const all = [...objects];
  let done = 0;
  let bytes = 0;
  const progress = (n: number, b: number) => {
    done += n;
    bytes += b;
    onProgress?.({ phase: 'objects', done, total: all.length, bytes, totalBytes });
  };
  const source = from.objects.backend;
  const target = to.objects.backend;
  for (const part of [
    all.filter(([m]) => !m.endsWith('.dir')),
    all.filter(([m]) => m.endsWith('.dir')),
  ]) {
    if (part.length === 0) continue;
    if (source.pathOf && target.writeMany) {
      const pathOf = source.pathOf.bind(source);
      const items = part.map(([md5, size]) => ({
        key: to.objects.key(md5),
        path: pathOf(from.objects.key(md5)),
        md5: md5.replace(/\.dir$/, ''),
        size,
      }));
      let reported = { done: 0, bytes: 0 };
      await target.writeMany(items, {
        ...(signal ? { signal } : {}),
        onProgress: (n, b) => {
          progress(n - reported.done, b - reported.bytes);
          reported = { done: n, bytes: b };
        },
      });
      continue;
    }
    await mapLimit(part, OBJECT_CONCURRENCY, async ([md5, size]) => {
      await copyKey(source, from.objects.key(md5), target, to.objects.key(md5), {
        md5: md5.replace(/\.dir$/, ''),
        size,
        ...(signal ? { signal } : {}),
      });
      progress(1, size);
    });
  }
}
