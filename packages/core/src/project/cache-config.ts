import { isAbsolute, join, resolve } from 'node:path';
import { userCacheDir } from './cache-home.js';
import { configError } from './config.js';

/** What `cache: { path, size }` on a store gives when a part is left out. */
const DEFAULT_CACHE_SIZE = 10 * 1000 ** 3;

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  tb: 1000 ** 4,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** A store's read-through cache, as `trove.yaml` sets it. */
export interface CacheSettings {
  dir: string;
  size: number;
}

/**
 * `stores.<name>.cache`: `{ path, size }`, both optional. `path` is relative to the project root
 * (default: `objects` in the user's cache folder, shared by every project, as DVC's cache is);
 * `size` is bytes or a number with a unit (`10GB`, `512MiB`; default 10 GB).
 */
export function cacheSettings(
  value: unknown,
  where: string,
  storeName: string,
  root: string,
  env: NodeJS.ProcessEnv = process.env,
): CacheSettings {
  const path = `stores.${storeName}.cache`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw configError(
      where,
      path,
      'must be a mapping: { path, size }.',
      'e.g. cache: { size: 10GB }',
    );
  }
  const raw = value as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (key !== 'path' && key !== 'size') {
      throw configError(where, `${path}.${key}`, 'unknown key.', 'Allowed: path, size.');
    }
  }
  if (raw.path !== undefined && (typeof raw.path !== 'string' || raw.path === '')) {
    throw configError(where, `${path}.path`, 'must be a folder path.');
  }
  const dir =
    typeof raw.path === 'string'
      ? isAbsolute(raw.path)
        ? raw.path
        : resolve(root, raw.path)
      : join(userCacheDir(env), 'objects');
  return {
    dir,
    size: raw.size === undefined ? DEFAULT_CACHE_SIZE : parseSize(raw.size, where, `${path}.size`),
  };
}

/** Bytes from `1000000`, `10GB`, `1.5 GiB`, `512MB`, `0`; undefined for anything else. */
export function byteCount(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = UNITS[(m?.[2] || 'b').toLowerCase()];
  if (!m || unit === undefined) return undefined;
  return Math.floor(Number(m[1]) * unit);
}

/** A cache's size: bytes or a number with a unit, more than 0. */
function parseSize(value: unknown, where: string, path: string): number {
  const bytes = byteCount(value);
  if (bytes === undefined || bytes <= 0) {
    throw configError(
      where,
      path,
      `${JSON.stringify(value)} is not a size.`,
      'Give bytes or a number with a unit: 10GB, 512MiB.',
    );
  }
  return bytes;
}
