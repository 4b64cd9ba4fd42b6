/**
 * A writer's second look, after it recorded a reference and a gc may have run meanwhile (see
 * `record/gc-fence.ts`): every object the reference needs must be in `files/md5/`. What is gone
 * is uploaded again from the writer's local files, else copied back from a gc's quarantine;
 * what neither has fails the writer, so no writer reports success over a missing object.
 */
import { TroveError } from '../errors.js';
import type { DirManifest, ManifestEntry } from '../hash/dir-manifest.js';
import type { ContentStore, StoreFile } from './content-store.js';
import { listQuarantine, missingObjects, type Quarantined, restoreObject } from './quarantine.js';

export interface LocalContent {
  /** The local files that were stored, by md5 (a file artifact: itself). */
  files?: readonly StoreFile[];
  /** A directory's manifest as the writer built it. */
  manifest?: DirManifest;
}

/**
 * Makes sure `md5` (and, for a `.dir`, every file it lists) is in the store: files first, the
 * manifest last, so a manifest in the store still means its files are there. Resolves to the
 * number of objects put back; `NOT_FOUND` when one can be had neither from `local` nor from a
 * quarantine.
 */
export async function ensureStored(
  objects: ContentStore,
  md5: string,
  local: LocalContent = {},
  signal?: AbortSignal,
): Promise<number> {
  const isDir = md5.endsWith('.dir');
  let quarantined: Map<string, Quarantined[]> | undefined;
  const copies = async (m: string) => {
    quarantined ??= await listQuarantine(objects, signal);
    return quarantined.get(m) ?? [];
  };
  let entries = local.manifest?.entries;
  if (isDir && !entries) entries = await manifestEntries(objects, md5, await copies(md5));
  const fileMd5s = isDir ? (entries ?? []).map((e) => e.md5) : [md5];
  let missing = await missingObjects(objects, fileMd5s, signal);
  const putBack = missing.length;
  if (missing.length > 0 && local.files) {
    const gone = new Set(missing);
    await objects.addObjects(
      local.files.filter((f) => gone.has(f.md5)),
      signal ? { signal } : {},
    );
    missing = await missingObjects(objects, missing, signal);
  }
  for (const m of missing) {
    if (!(await restoreObject(objects, await copies(m), m, signal))) throw gone(objects, m, md5);
  }
  if (!isDir || !(await missingObjects(objects, [md5], signal)).length) return putBack;
  if (local.manifest) await objects.addManifest(local.manifest);
  else if (!(await restoreObject(objects, await copies(md5), md5, signal)))
    throw gone(objects, md5);
  return putBack + 1;
}

/** A manifest's entries, from the store or, when a gc moved it, from its quarantined copy. */
async function manifestEntries(
  objects: ContentStore,
  md5: string,
  copies: readonly Quarantined[],
): Promise<ManifestEntry[]> {
  try {
    return await objects.readManifest(md5);
  } catch (err) {
    for (const copy of copies) {
      try {
        return await objects.readManifest(md5, copy.key);
      } catch {
        // deleted by its gc meanwhile: the next copy
      }
    }
    throw err;
  }
}

function gone(objects: ContentStore, md5: string, of?: string): TroveError {
  return new TroveError(
    'NOT_FOUND',
    `${of ? `A file of ${of}` : md5} was removed from the store by a trove gc that ran meanwhile, and this process has no copy to store again.`,
    {
      key: objects.key(md5),
      hint: 'Log or add the content again, then retry.',
    },
  );
}
