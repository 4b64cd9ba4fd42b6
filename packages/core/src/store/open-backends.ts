import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { StorageBackend } from '../backend/contract.js';
import type { BackendFactory, OptionSpec } from '../backend/define.js';
import { dvcCacheDir } from '../dvc/cache-dir.js';
import { isTroveError, TroveError } from '../errors.js';
import { type CacheSettings, cacheSettings } from '../project/cache-config.js';
import {
  configError,
  DEFAULT_STORE,
  knownStoresHint,
  loadConfig,
  type StoreConfig,
  type TroveConfig,
} from '../project/config.js';
import { CONFIG_FILE, findProject, type ProjectPaths } from '../project/find-project.js';
import { ObjectCache } from './object-cache.js';

/** Backends published with trove, as `@trove/backend-<type>`. */
const OFFICIAL_TYPES = new Set(['local', 's3', 'gcs', 'azure']);

/** Options every store has, handled by core rather than by the backend. */
const CORE_STORE_OPTIONS = new Set(['type', 'package', 'prefix', 'cache']);

export interface OpenStoreOptions {
  cwd?: string;
  /** Path to a config file other than `<root>/trove.yaml`. */
  configFile?: string;
  /** Store name; overrides `TROVE_STORE` and the config's `store`. */
  store?: string;
  /** Extra folders to resolve backend packages from (the CLI passes its own). */
  resolveFrom?: string[];
  env?: NodeJS.ProcessEnv;
}

/** The backends a store is made of (see `Store`). */
export interface StoreParts {
  /** The store's name in `trove.yaml` ("default" for the embedded one). */
  name: string;
  /** Where run records, events and the registry live. */
  meta: StorageBackend;
  metaPrefix?: string;
  /** Where content-addressed objects live; the same backend as `meta` unless objects go to DVC's cache. */
  objects?: StorageBackend;
  objectsPrefix?: string;
  /** The embedded store's folder (`<root>/.trove`), which gets a `.gitignore` when first created. */
  embeddedDir?: string;
  /** Opens the backend an `s3://`, `gs://` or `az://` URI is on (see `uriBackends`). */
  uriBackends?: UriBackends;
  /** The project's trove.yaml as read (retention policies, hooks). */
  config?: TroveConfig;
  /** This machine's read-through cache of the objects (`cache:` on the store). */
  cache?: ObjectCache;
}

/**
 * The backends of the buckets that `s3://`, `gs://` and `az://` URIs name, opened on first use
 * with the project's own settings for that service (the store in use when it is one, else the
 * first store of that type in `trove.yaml`: endpoint, region, account…) and the SDK's own
 * credential chain, the bucket or container taken from the URI. A project with no store of that
 * service reads no such URI.
 */
export interface UriBackends {
  /** The backend and key of `uri`, or undefined for a scheme no backend reads. */
  open(uri: string): Promise<{ backend: StorageBackend; key: string } | undefined>;
  close(): Promise<void>;
}

/** URI schemes read through a backend, and the option that names the bucket. */
const URI_SCHEMES: Readonly<Record<string, { type: string; bucketOption: string }>> = {
  s3: { type: 's3', bucketOption: 'bucket' },
  gs: { type: 'gcs', bucketOption: 'bucket' },
  az: { type: 'azure', bucketOption: 'container' },
};

const URI_RE = /^([a-z0-9]+):\/\/([^/]+)\/(.+)$/;

function uriBackends(
  config: TroveConfig,
  inUse: string,
  root: string,
  searchFrom: string[],
): UriBackends {
  const opened = new Map<string, Promise<StorageBackend>>();
  return {
    async open(uri) {
      const m = URI_RE.exec(uri);
      const scheme = m?.[1] && URI_SCHEMES[m[1]];
      if (!m?.[2] || !m[3] || !scheme) return undefined;
      const id = `${scheme.type}\n${m[2]}`;
      let backend = opened.get(id);
      if (!backend) {
        const found = [inUse, ...Object.keys(config.stores)]
          .map((n) => [n, config.stores[n]] as const)
          .find(([, c]) => c?.type === scheme.type);
        // Without a store of that service the project says nothing of where it is (an endpoint,
        // an account): nothing is sent anywhere, and the URI is read by no backend.
        if (!found?.[1]) return undefined;
        const [name, base] = found;
        const { prefix: _, ...settings } = base;
        backend = loadBackend(
          { ...settings, type: scheme.type, [scheme.bucketOption]: m[2] },
          name,
          config,
          root,
          searchFrom,
        );
        opened.set(id, backend);
        backend.catch(() => opened.delete(id));
      }
      return { backend: await backend, key: m[3] };
    },
    async close() {
      for (const backend of opened.values())
        await (await backend.catch(() => undefined))?.close?.();
      opened.clear();
    },
  };
}

/**
 * The backends of the store a project uses: `--store`, else `TROVE_STORE`, else `trove.yaml`'s
 * `store`, else the embedded default: a local store at `<root>/.trove`, whose objects go to DVC's
 * cache when the project is a DVC repository (so `dvc status`, `checkout` and `push` see them).
 */
export async function openStoreParts(options: OpenStoreOptions = {}): Promise<StoreParts> {
  const env = options.env ?? process.env;
  const { project, file, config } = projectConfig(options);
  const name = options.store ?? (env.TROVE_STORE || undefined) ?? config.store ?? DEFAULT_STORE;
  const searchFrom = [project.root, ...(options.resolveFrom ?? [])];
  const local = (path: string) =>
    loadBackend({ type: 'local', path }, 'default', config, project.root, searchFrom);
  const uris = uriBackends(config, name, project.root, searchFrom);

  if (name === DEFAULT_STORE && !(DEFAULT_STORE in config.stores)) {
    const embeddedDir = join(project.root, '.trove');
    const meta = await local(embeddedDir);
    if (!project.dvcRoot) return { name, meta, embeddedDir, uriBackends: uris, config };
    return {
      name,
      meta,
      embeddedDir,
      objects: await local(dvcCacheDir(project.dvcRoot)),
      uriBackends: uris,
      config,
    };
  }
  const storeConfig = config.stores[name];
  if (!storeConfig) {
    const source =
      options.store !== undefined ? '--store' : env.TROVE_STORE ? 'TROVE_STORE' : 'store';
    throw new TroveError('UNKNOWN_STORE', `Unknown store "${name}" (from ${source}).`, {
      hint: `${knownStoresHint(config)} Add it under "stores:" in ${file}.`,
    });
  }
  const backend = await loadBackend(storeConfig, name, config, project.root, searchFrom);
  const parts: StoreParts = {
    name,
    meta: backend,
    metaPrefix: storeConfig.prefix ?? '',
    uriBackends: uris,
    config,
  };
  if (storeConfig.cache !== undefined) {
    parts.cache = new ObjectCache(storeCacheSettings(name, project, config, env));
  }
  return parts;
}

/**
 * Store `name`'s `cache:` settings, its folder checked: it may not be, hold or sit inside a
 * folder of the project's own objects (`own`), whose files eviction and `trove cache clear`
 * would remove.
 */
export function storeCacheSettings(
  name: string,
  project: ProjectPaths,
  config: TroveConfig,
  env: NodeJS.ProcessEnv,
  own = ownObjectDirs(project, config),
): CacheSettings {
  const where = config.file ?? CONFIG_FILE;
  const settings = cacheSettings(config.stores[name]?.cache, where, name, project.root, env);
  for (const { what, dir } of own) {
    if (!overlaps(settings.dir, dir)) continue;
    throw configError(
      where,
      `stores.${name}.cache.path`,
      `${settings.dir} is or overlaps ${what} (${dir}), and a cache removes its least recently used files.`,
      'Give the cache a folder of its own, or leave path out (the user cache folder).',
    );
  }
  return settings;
}

/** The folders of the project's own objects: the embedded store, DVC's cache, local stores'. */
export function ownObjectDirs(
  project: ProjectPaths,
  config: TroveConfig,
): Array<{ what: string; dir: string }> {
  const own = [{ what: 'the embedded store', dir: join(project.root, '.trove') }];
  if (project.dvcRoot) own.push({ what: "DVC's cache", dir: dvcCacheDir(project.dvcRoot) });
  for (const [other, store] of Object.entries(config.stores)) {
    if (store.type === 'local' && typeof store.path === 'string') {
      own.push({ what: `store "${other}"`, dir: resolve(project.root, store.path) });
    }
  }
  return own;
}

/** Whether one folder is the other or inside it. */
function overlaps(a: string, b: string): boolean {
  const inside = (x: string, y: string) => {
    const rel = relative(y, x);
    return !rel.startsWith('..') && !isAbsolute(rel);
  };
  return inside(a, b) || inside(b, a);
}

/** The project around `options.cwd` and its config (empty when there is no `trove.yaml`). */
export function projectConfig(options: Pick<OpenStoreOptions, 'cwd' | 'configFile'>) {
  const cwd = resolve(options.cwd ?? process.cwd());
  const project = findProject(cwd);
  const file = options.configFile
    ? resolve(cwd, options.configFile)
    : join(project.root, CONFIG_FILE);
  if (options.configFile && !existsSync(file)) {
    throw new TroveError('INVALID_CONFIG', `Config file ${file} does not exist.`, { key: file });
  }
  const config: TroveConfig = existsSync(file) ? loadConfig(file) : { stores: {} };
  return { project, file, config };
}

async function loadBackend(
  storeConfig: StoreConfig,
  storeName: string,
  config: TroveConfig,
  root: string,
  searchFrom: string[],
): Promise<StorageBackend> {
  const factory = await importBackendFactory(
    storeConfig.type,
    storeConfig.package,
    root,
    searchFrom,
  );
  const where = `${config.file ?? CONFIG_FILE}`;
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(storeConfig)) {
    if (CORE_STORE_OPTIONS.has(key)) continue;
    const spec = factory.options[key];
    if (!spec) {
      const allowed = [...CORE_STORE_OPTIONS, ...Object.keys(factory.options)].join(', ');
      throw configError(
        where,
        `stores.${storeName}.${key}`,
        `unknown option for type "${storeConfig.type}".`,
        `Allowed: ${allowed}.`,
      );
    }
    if (!matchesSpec(value, spec)) {
      throw configError(
        where,
        `stores.${storeName}.${key}`,
        `must be ${describeSpec(spec)}.`,
        spec.description,
      );
    }
    options[key] = value;
  }
  for (const [key, spec] of Object.entries(factory.options)) {
    if (spec.required && options[key] === undefined) {
      throw configError(
        where,
        `stores.${storeName}`,
        `the required option "${key}" is missing.`,
        `Add "${key}: …" (${spec.description}).`,
      );
    }
  }
  try {
    return await factory.create(options, { root, storeName });
  } catch (err) {
    if (isTroveError(err)) throw err;
    throw new TroveError(
      'INVALID_CONFIG',
      `Cannot open store "${storeName}": ${(err as Error).message}`,
      {
        key: where,
        cause: err,
      },
    );
  }
}

function matchesSpec(value: unknown, spec: OptionSpec): boolean {
  switch (spec.type) {
    case 'string[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return typeof value === spec.type && (spec.type !== 'number' || Number.isFinite(value));
  }
}

function describeSpec(spec: OptionSpec): string {
  return spec.type === 'string[]'
    ? 'a list of strings'
    : spec.type === 'object'
      ? 'a mapping'
      : `a ${spec.type}`;
}

/**
 * Imports a backend package without core depending on it: first from the project (and the
 * CLI's own folder), then from wherever Node finds it for core.
 */
async function importBackendFactory(
  type: string,
  pkg: string | undefined,
  root: string,
  searchFrom: string[],
): Promise<BackendFactory> {
  const name = pkg ?? `@trove/backend-${type}`;
  let url: string | undefined;
  if (name.startsWith('.') || isAbsolute(name)) {
    url = pathToFileURL(resolve(root, name)).href;
  } else {
    for (const dir of searchFrom) {
      try {
        url = pathToFileURL(createRequire(join(dir, 'noop.js')).resolve(name)).href;
        break;
      } catch {
        // not installed there: try the next place
      }
    }
  }
  let mod: { default?: unknown };
  try {
    mod = (await import(url ?? name)) as { default?: unknown };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (
      (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
      !pkg &&
      !OFFICIAL_TYPES.has(type)
    ) {
      throw new TroveError('INVALID_CONFIG', `Unknown store type "${type}".`, {
        cause: err,
        hint: `trove's own types are ${[...OFFICIAL_TYPES].join(', ')}; for a third-party backend add "package: <npm package>".`,
      });
    }
    // Only the package itself missing is "not installed"; a file or dependency missing inside
    // an installed one is a broken install, said below with what is missing.
    const missing = String((err as Error)?.message ?? '');
    if (
      (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
      (missing.includes(`'${name}'`) ||
        (url !== undefined && missing.includes(`'${fileURLToPath(url)}'`)))
    ) {
      throw new TroveError(
        'BACKEND_NOT_INSTALLED',
        `The store type "${type}" needs the package ${name}, which is not installed.`,
        {
          cause: err,
          hint: `Install it: npm install ${name}`,
        },
      );
    }
    // The package is there but fails while loading: the store cannot be opened as configured.
    throw new TroveError(
      'INVALID_CONFIG',
      `The store type "${type}" cannot be loaded: ${name} failed on import (${String((err as Error)?.message ?? err).split('\n')[0]}).`,
      { cause: err, key: name, hint: `Reinstall ${name}, or check that it suits this Node.js.` },
    );
  }
  const factory = mod.default as BackendFactory | undefined;
  if (!factory || typeof factory.create !== 'function' || typeof factory.options !== 'object') {
    throw new TroveError(
      'INVALID_CONFIG',
      `${name} does not export a trove backend (export default defineBackend(…)).`,
    );
  }
  return factory;
}
