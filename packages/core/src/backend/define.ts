import type { StorageBackend } from './contract.js';

/**
 * One option in `trove.yaml`: its type, for validation and error messages, and what
 * `resolveOptions` (option-specs.ts) applies: a `default`, a range (`min`/`max`, numbers: whole
 * numbers when `integer`) and the values allowed (`enum`, strings).
 */
export interface OptionSpec {
  type: 'string' | 'number' | 'boolean' | 'string[]' | 'object';
  required?: boolean;
  description: string;
  default?: string | number | boolean;
  min?: number;
  max?: number;
  /** Numbers only: must be a whole number. */
  integer?: boolean;
  enum?: readonly string[];
  /** Strings only: `http-url` must be an absolute http:// or https:// URL with a host. */
  format?: 'http-url';
}

export interface BackendContext {
  /** Project root: relative paths in options are resolved against it. */
  root: string;
  /** Name of the store in `trove.yaml`, for messages. */
  storeName?: string;
}

export interface BackendFactory<Options = Record<string, unknown>> {
  readonly kind: string;
  /** Every option the backend accepts; unknown keys are an `INVALID_CONFIG` error. */
  readonly options: Readonly<Record<string, OptionSpec>>;
  create(options: Options, context: BackendContext): StorageBackend | Promise<StorageBackend>;
}

/**
 * How a backend package exports itself: `export default defineBackend({ kind, options, create })`.
 * Core finds it by dynamic import of `@trove/backend-<type>` or the `package:` named in `trove.yaml`.
 */
export function defineBackend<Options>(factory: BackendFactory<Options>): BackendFactory<Options> {
  return factory;
}
