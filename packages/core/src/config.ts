import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseDocument } from 'yaml';
import type { BackendFactory, OptionSpec, StorageBackend } from './backend.js';
import { isTroveError, TroveError } from './errors.js';
import { findUp } from './git-info.js';
import { validatePrefix } from './keys.js';
import { Store } from './store.js';

export const CONFIG_FILE = 'trove.yaml';
export const DEFAULT_STORE = 'default';

export interface StoreConfig {
  type: string;
  /** Package that provides the backend, instead of `@trove/backend-<type>`. */
  package?: string;
  /** Key prefix inside the backend (all trove keys go under it). */
  prefix?: string;
  [option: string]: unknown;
}

export interface TroveConfig {
  /** The file it was read from, if any. */
  file?: string;
  store?: string;
  stores: Record<string, StoreConfig>;
}

export interface ProjectPaths {
  /** Where `trove.yaml` and `.trove/` are. */
  root: string;
  /** The DVC repository root, when inside one. */
  dvcRoot?: string;
}

/** Backends published with trove, as `@trove/backend-<type>`. */
const OFFICIAL_TYPES = new Set(['local', 's3', 'gcs', 'azure']);

/** Options every store has, handled by core rather than by the backend. */
const CORE_STORE_OPTIONS = new Set(['type', 'package', 'prefix']);

/**
 * The project root: the nearest folder with `trove.yaml` or `.trove/`; else the DVC repository
 * root; else the Git work tree root; else `cwd`.
 */
export function findProject(cwd: string): ProjectPaths {
  const dvcRoot = findUp(cwd, '.dvc', 'dir');
  const root =
    findUp(cwd, CONFIG_FILE, 'file') ??
    findUp(cwd, '.trove', 'dir') ??
    dvcRoot ??
    findUp(cwd, '.git') ??
    resolve(cwd);
  return dvcRoot ? { root, dvcRoot } : { root };
}

function configError(file: string, path: string, message: string, hint?: string): TroveError {
  return new TroveError('INVALID_CONFIG', `${file}: ${path ? `${path}: ` : ''}${message}`, {
    key: file,
    hint,
  });
}

/** Reads and checks `trove.yaml` (shape only: backend options are checked when a store is opened). */
export function loadConfig(file: string): TroveConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new TroveError('INVALID_CONFIG', `Cannot read ${file}.`, { key: file, cause: err });
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    throw new TroveError(
      'INVALID_CONFIG',
      `${file} is not valid YAML: ${first?.message.split('\n')[0]}`,
      {
        key: file,
        cause: first,
        hint: 'Fix the YAML syntax (indentation, colons, quotes).',
      },
    );
  }
  const data = (doc.toJS() ?? {}) as unknown;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw configError(file, '', 'the file must hold a mapping with "store" and "stores".');
  }
  const raw = data as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (key !== 'store' && key !== 'stores') {
      throw configError(file, key, 'unknown key.', 'Allowed top-level keys: store, stores.');
    }
  }
  if (raw.store !== undefined && typeof raw.store !== 'string') {
    throw configError(file, 'store', 'must be the name of a store.');
  }
  const stores: Record<string, StoreConfig> = {};
  const rawStores = raw.stores ?? {};
  if (typeof rawStores !== 'object' || rawStores === null || Array.isArray(rawStores)) {
    throw configError(file, 'stores', 'must be a mapping of store names to settings.');
  }
  for (const [name, value] of Object.entries(rawStores)) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw configError(file, `stores.${name}`, 'must be a mapping with at least "type".');
    }
    const s = value as Record<string, unknown>;
    if (typeof s.type !== 'string' || s.type === '') {
      throw configError(
        file,
        `stores.${name}.type`,
        'is required.',
        'Set type: local, s3, gcs or azure.',
      );
    }
    if (s.package !== undefined && typeof s.package !== 'string') {
      throw configError(file, `stores.${name}.package`, 'must be a package name.');
    }
    if (s.prefix !== undefined) {
      if (typeof s.prefix !== 'string')
        throw configError(file, `stores.${name}.prefix`, 'must be a string.');
      try {
        validatePrefix(s.prefix);
      } catch {
        throw configError(
          file,
          `stores.${name}.prefix`,
          `${JSON.stringify(s.prefix)} is not a valid key prefix.`,
        );
      }
    }
    stores[name] = s as StoreConfig;
  }
  const config: TroveConfig = { file, stores };
  if (typeof raw.store === 'string') config.store = raw.store;
  if (config.store !== undefined && config.store !== DEFAULT_STORE && !(config.store in stores)) {
    throw configError(
      file,
      'store',
      `names "${config.store}", which is not under stores.`,
      knownStoresHint(config),
    );
  }
  return config;
}

function knownStoresHint(config: TroveConfig): string {
  const names = [DEFAULT_STORE, ...Object.keys(config.stores)];
  return `Known stores: ${names.join(', ')}.`;
}

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

/**
 * Opens the store a project uses: `--store`, else `TROVE_STORE`, else `trove.yaml`'s `store`,
 * else the embedded default: a local store at `<root>/.trove`, whose objects go to DVC's cache
 * when the project is a DVC repository (so `dvc status`, `checkout` and `push` see them).
 */
export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const project = findProject(cwd);
  const file = options.configFile
    ? resolve(cwd, options.configFile)
    : join(project.root, CONFIG_FILE);
  if (options.configFile && !existsSync(file)) {
    throw new TroveError('INVALID_CONFIG', `Config file ${file} does not exist.`, { key: file });
  }
  const config: TroveConfig = existsSync(file) ? loadConfig(file) : { stores: {} };
  const name = options.store ?? (env.TROVE_STORE || undefined) ?? config.store ?? DEFAULT_STORE;
  const searchFrom = [project.root, ...(options.resolveFrom ?? [])];
  const local = (path: string) =>
    loadBackend({ type: 'local', path }, 'default', config, project.root, searchFrom);

  if (name === DEFAULT_STORE && !(DEFAULT_STORE in config.stores)) {
    const meta = await local(join(project.root, '.trove'));
    if (!project.dvcRoot) return new Store({ name, meta });
    return new Store({ name, meta, objects: await local(dvcCacheDir(project.dvcRoot)) });
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
  return new Store({ name, meta: backend, metaPrefix: storeConfig.prefix ?? '' });
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
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new TroveError(
        'BACKEND_NOT_INSTALLED',
        `The store type "${type}" needs the package ${name}, which is not installed.`,
        {
          cause: err,
          hint: `Install it: npm install ${name}`,
        },
      );
    }
    throw err;
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

/** DVC's cache folder: `cache.dir` from `.dvc/config.local` or `.dvc/config` (relative to `.dvc/`), else `.dvc/cache`. */
export function dvcCacheDir(dvcRoot: string): string {
  const dvcDir = join(dvcRoot, '.dvc');
  let dir: string | undefined;
  for (const file of ['config', 'config.local']) {
    const path = join(dvcDir, file);
    if (!existsSync(path)) continue;
    const value = readIni(readFileSync(path, 'utf8')).cache?.dir;
    if (value) dir = value;
  }
  return dir ? resolve(dvcDir, dir) : join(dvcDir, 'cache');
}

/** A small reader for DVC's INI config: `[section]` and `key = value` lines. */
function readIni(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1]) {
      const name = header[1].trim().replace(/^'(.*)'$/, '$1');
      out[name] ??= {};
      section = out[name];
      continue;
    }
    const eq = line.indexOf('=');
    if (section && eq > 0) section[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}
