import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { validatePrefix } from '../backend/keys.js';
import { TroveError } from '../errors.js';
import { configError } from './config-error.js';
import { type HooksConfig, parseHooks } from './hooks-config.js';
import { parseRetention, type RetentionPolicy } from './retention-config.js';

/** The embedded store's name: a local store at `<root>/.trove`, used when nothing else is named. */
export const DEFAULT_STORE = 'default';

export { configError } from './config-error.js';

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
  /** The store `trove push` sends to and `trove pull` takes from when none is named. */
  remote?: string;
  stores: Record<string, StoreConfig>;
  /** `retention:`: which artifacts expire (`trove gc --policy`). */
  retention?: RetentionPolicy[];
  /** `on:`: commands run after a change (`hooks`). */
  on?: HooksConfig;
}

/**
 * Top-level keys besides `store` and `stores`, one entry each: the key, its parser, and where
 * the parsed value goes in `TroveConfig`.
 */
const SECTIONS: Readonly<
  Record<string, (config: TroveConfig, file: string, value: unknown) => void>
> = {
  retention: (config, file, value) => {
    config.retention = parseRetention(file, value);
  },
  on: (config, file, value) => {
    config.on = parseHooks(file, value);
  },
  // The store push and pull use when none is named.
  remote: (config, file, value) => {
    if (typeof value !== 'string' || !(value in config.stores || value === DEFAULT_STORE)) {
      throw configError(
        file,
        'remote',
        `must name a store under stores, not ${JSON.stringify(value)}.`,
        knownStoresHint(config),
      );
    }
    config.remote = value;
  },
};

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
  let data: unknown;
  try {
    // `yaml` stops an alias bomb (a few lines that expand to billions of nodes) with its
    // default `maxAliasCount`; that and any other failure to build the data is the file's fault.
    data = (doc.toJS() ?? {}) as unknown;
  } catch (err) {
    throw new TroveError(
      'INVALID_CONFIG',
      `${file} cannot be read as data: ${String((err as Error).message).split('\n')[0]}`,
      { key: file, cause: err, hint: 'Write the stores out without YAML aliases (*name).' },
    );
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw configError(file, '', 'the file must hold a mapping with "store" and "stores".');
  }
  const raw = data as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (key !== 'store' && key !== 'stores' && !(key in SECTIONS)) {
      throw configError(
        file,
        key,
        'unknown key.',
        `Allowed top-level keys: ${['store', 'stores', ...Object.keys(SECTIONS)].join(', ')}.`,
      );
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
  for (const [key, read] of Object.entries(SECTIONS)) {
    if (raw[key] !== undefined) read(config, file, raw[key]);
  }
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

export function knownStoresHint(config: TroveConfig): string {
  const names = [DEFAULT_STORE, ...Object.keys(config.stores)];
  return `Known stores: ${names.join(', ')}.`;
}
