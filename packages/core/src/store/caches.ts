/**
 * The read-through caches of a project's stores, as `trove.yaml` sets them (`cache:` on a store),
 * looked at and pruned on this machine: no backend is opened and no request made. Stores that
 * share a folder (the user's cache folder, by default) are one cache here, whose limit is the
 * least of theirs (the one a fill evicts to first).
 */

import { TroveError } from '../errors.js';
import { byteCount } from '../project/cache-config.js';
import { CONFIG_FILE } from '../project/find-project.js';
import { type CachePruned, type CacheUsage, ObjectCache } from './object-cache.js';
import {
  type OpenStoreOptions,
  ownObjectDirs,
  projectConfig,
  storeCacheSettings,
} from './open-backends.js';

/** Which caches: the project's (`cwd`, `configFile`), all its stores' or one `store`'s. */
export type CacheOptions = Pick<OpenStoreOptions, 'cwd' | 'configFile' | 'store' | 'env'>;

/** One cache folder and what it holds. */
export interface CacheStatus extends CacheUsage {
  /** The folder. */
  dir: string;
  /** Its limit in bytes: the least of its stores' `size`. */
  size: number;
  /** The stores of `trove.yaml` that cache there. */
  stores: string[];
}

export interface PruneCacheOptions extends CacheOptions {
  /**
   * Bytes each cache keeps at most, or a size with a unit (`5GB`; `0` empties it). Default: its
   * limit (`size` in `trove.yaml`, which may have been lowered since the cache was filled).
   */
  to?: number | string;
  /** Say what would be removed; remove nothing. */
  dryRun?: boolean;
}

/** One cache folder after a prune: what it holds and what was removed. */
export type PrunedCache = Omit<CacheStatus, keyof CacheUsage> & CachePruned & { dryRun: boolean };

/** The caches of the project's stores and what each holds. */
export async function cacheStatus(options: CacheOptions = {}): Promise<CacheStatus[]> {
  return projectCaches(options).map(({ cache, folder }) => ({ ...folder, ...cache.usage() }));
}

/**
 * Removes the least recently used objects of each of the project's caches down to `to` bytes
 * (and temp files left by processes that died). Objects another process is reading stay
 * readable to it; a later read fetches them from the store again.
 */
export async function pruneCache(options: PruneCacheOptions = {}): Promise<PrunedCache[]> {
  const to = options.to === undefined ? undefined : byteCount(options.to);
  if (options.to !== undefined && to === undefined) {
    throw new TroveError('INVALID_ARGUMENT', `${JSON.stringify(options.to)} is not a size.`, {
      hint: 'Give bytes or a number with a unit: 0, 500MB, 10GB, 2GiB.',
    });
  }
  const dryRun = Boolean(options.dryRun);
  return projectCaches(options).map(({ cache, folder }) => ({
    ...folder,
    ...cache.prune(to ?? cache.size, dryRun),
    dryRun,
  }));
}

/** The project's caches, one per folder, with the stores that use each. */
function projectCaches(
  options: CacheOptions,
): Array<{ cache: ObjectCache; folder: Omit<CacheStatus, keyof CacheUsage> }> {
  const env = options.env ?? process.env;
  const { project, config } = projectConfig(options);
  const names = Object.keys(config.stores);
  if (options.store !== undefined && !names.includes(options.store)) {
    throw new TroveError('UNKNOWN_STORE', `Unknown store "${options.store}".`, {
      hint: `The stores of ${config.file ?? CONFIG_FILE}: ${names.join(', ') || 'none'}.`,
    });
  }
  const byDir = new Map<string, { size: number; stores: string[] }>();
  const own = ownObjectDirs(project, config);
  for (const name of options.store === undefined ? names : [options.store]) {
    if (config.stores[name]?.cache === undefined) continue;
    const { dir, size } = storeCacheSettings(name, project, config, env, own);
    const seen = byDir.get(dir);
    if (seen) {
      seen.size = Math.min(seen.size, size);
      seen.stores.push(name);
    } else byDir.set(dir, { size, stores: [name] });
  }
  return [...byDir].map(([dir, { size, stores }]) => ({
    cache: new ObjectCache({ dir, size }),
    folder: { dir, size, stores },
  }));
}
