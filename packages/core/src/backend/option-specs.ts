/**
 * Options checked once, by their specs: a backend declares each option's type, default, range
 * and allowed values in `options.ts`, and `resolveOptions` gives it the values to use, or one
 * `INVALID_CONFIG` error naming the option and what it must be. The same specs tell `trove.yaml`
 * users what a store takes.
 */
import { resolve } from 'node:path';
import { TroveError } from '../errors.js';
import type { OptionSpec } from './define.js';
import { defaultResumeDir } from './upload-journal.js';

/** The error for a bad option of a backend, with the option's description as the hint. */
export function invalidOption(
  kind: string,
  specs: Readonly<Record<string, OptionSpec>>,
  name: string,
  message: string,
): TroveError {
  return new TroveError('INVALID_CONFIG', `${kind} option "${name}" ${message}`, {
    backend: kind,
    hint: specs[name]?.description,
  });
}

/**
 * The options with every spec's `default` filled in, after checking each given value against
 * its spec (type, `min`/`max`, `integer`, `enum`, `required`). Options without a spec pass
 * through unchecked (clients, callbacks: what only a program can give).
 */
export function resolveOptions<T extends object>(
  kind: string,
  specs: Readonly<Record<string, OptionSpec>>,
  input: T,
): T {
  const out = { ...input } as Record<string, unknown>;
  for (const [name, spec] of Object.entries(specs)) {
    const value = out[name];
    if (value === undefined) {
      if (spec.required) throw invalidOption(kind, specs, name, 'is required.');
      if (spec.default !== undefined) out[name] = spec.default;
      continue;
    }
    const why = mismatch(value, spec);
    if (why) throw invalidOption(kind, specs, name, `${why}, not ${JSON.stringify(value)}.`);
  }
  return out as T;
}

function mismatch(value: unknown, spec: OptionSpec): string | undefined {
  switch (spec.type) {
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      if (spec.integer && !Number.isInteger(value)) return `must be a whole number${range(spec)}`;
      if (
        (spec.min !== undefined && value < spec.min) ||
        (spec.max !== undefined && value > spec.max)
      )
        return `must be a${spec.integer ? ' whole' : ''} number${range(spec)}`;
      return undefined;
    }
    case 'string':
      if (typeof value !== 'string' || value === '') return 'must be a non-empty string';
      if (spec.enum && !spec.enum.includes(value)) return `must be one of ${spec.enum.join(', ')}`;
      if (spec.format === 'http-url' && !isHttpUrl(value))
        return 'must be an http:// or https:// URL';
      return undefined;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'string[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string')
        ? undefined
        : 'must be a list of strings';
    default:
      return typeof value === 'object' && value !== null && !Array.isArray(value)
        ? undefined
        : 'must be a mapping';
  }
}

/** An endpoint the SDKs can use: `localhost:9000` parses as a URL of scheme `localhost:`. */
function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

function range(spec: OptionSpec): string {
  if (spec.min !== undefined && spec.max !== undefined) return ` from ${spec.min} to ${spec.max}`;
  if (spec.min !== undefined) return ` of at least ${spec.min}`;
  if (spec.max !== undefined) return ` of at most ${spec.max}`;
  return '';
}

/** A whole number of at least 1, with its default (concurrency, attempts…). */
export function countSpec(fallback: number, description: string): OptionSpec {
  return { type: 'number', integer: true, min: 1, default: fallback, description };
}

/**
 * A backend's own option specs (`own`), followed by the ones every object store takes alike:
 * directory uploads in flight, attempts per request, and resumable uploads with their journal
 * folder (`<tmpdir>/trove-<kind>-uploads` by default).
 */
export function objectStoreOptionSpecs(
  kind: string,
  own: Readonly<Record<string, OptionSpec>>,
): Readonly<Record<string, OptionSpec>> {
  return {
    ...own,
    objectConcurrency: countSpec(32, 'Objects uploaded at once for directories (default 32).'),
    maxAttempts: countSpec(5, 'Attempts per request, with backoff, before giving up (default 5).'),
    resume: {
      type: 'boolean',
      default: true,
      description: 'Continue interrupted uploads of large files where they stopped (default true).',
    },
    resumeDir: {
      type: 'string',
      description: `Folder for resume journals (default <tmpdir>/trove-${kind}-uploads).`,
    },
  };
}

/** The options every object store takes alike, as a program gives them (`objectStoreOptionSpecs`). */
export interface ObjectStoreOptions {
  /** Objects in flight in `writeMany` (default 32). */
  objectConcurrency?: number;
  /** Attempts per request, including the first (default 5). */
  maxAttempts?: number;
  /** Keep interrupted uploads of large local files and continue them next time (default true). */
  resume?: boolean;
  /** Where resume journals live (default `<tmpdir>/trove-<kind>-uploads`). */
  resumeDir?: string;
}

/** Those options after defaults. */
export interface ResolvedObjectStoreOptions {
  objectConcurrency: number;
  maxAttempts: number;
  resume: boolean;
  resumeDir: string;
}

/**
 * `resolveOptions` for an object store: the options as given with defaults filled in (`given`),
 * and the shared ones ready to use (`shared`).
 */
export function resolveObjectStoreOptions<T extends ObjectStoreOptions>(
  kind: string,
  specs: Readonly<Record<string, OptionSpec>>,
  input: T,
): { given: T; shared: ResolvedObjectStoreOptions } {
  const given = resolveOptions(kind, specs, input);
  const shared = {
    objectConcurrency: given.objectConcurrency as number,
    maxAttempts: given.maxAttempts as number,
    resume: given.resume as boolean,
    resumeDir: given.resumeDir ?? defaultResumeDir(kind),
  };
  return { given, shared };
}

/** `options` with the named path options (relative to the project root in trove.yaml) made absolute. */
export function withPathsFrom<T extends object>(
  root: string,
  options: T,
  names: readonly (keyof T & string)[],
): T {
  const out = { ...options } as Record<string, unknown>;
  for (const name of names) {
    const value = out[name];
    if (typeof value === 'string') out[name] = resolve(root, value);
  }
  return out as T;
}
