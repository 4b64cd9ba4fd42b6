/**
 * The names the registry accepts. A model name becomes a store key (`registry/<name>.json`) and
 * part of a `models:/` URI, so it is kept to characters every backend and URI parser agree on.
 * Aliases follow MLflow's rule (`^[\w-]+$`, not `latest`, not `v<digits>`, which name versions).
 */
import { TroveError } from '../errors.js';

const MODEL_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/;
const ALIAS_RE = /^[A-Za-z0-9_-]{1,255}$/;

/** A registered model's name: 1–200 of `A-Z a-z 0-9 _ . -`, starting with a letter or digit. */
export function validateModelName(name: unknown): string {
  if (typeof name !== 'string' || !MODEL_NAME_RE.test(name) || name.includes('..')) {
    throw new TroveError(
      'INVALID_NAME',
      `Invalid model name ${JSON.stringify(name)}: use 1–200 letters, digits, "_", "." or "-", starting with a letter or digit.`,
    );
  }
  return name;
}

/** An alias: MLflow's rule. `latest` and `v<digits>` are reserved. */
export function validateAlias(alias: unknown): string {
  if (
    typeof alias !== 'string' ||
    !ALIAS_RE.test(alias) ||
    alias.toLowerCase() === 'latest' ||
    /^v\d+$/i.test(alias)
  ) {
    throw new TroveError(
      'INVALID_NAME',
      `Invalid alias ${JSON.stringify(alias)}: use letters, digits, "_" or "-"; "latest" and "v<number>" are reserved.`,
    );
  }
  return alias;
}

/** A version number: an integer ≥ 1 (given as a number or a string of digits). */
export function validateVersion(version: unknown): number {
  const n = typeof version === 'string' && /^\d+$/.test(version) ? Number(version) : version;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) {
    throw new TroveError(
      'INVALID_ARGUMENT',
      `Invalid model version ${JSON.stringify(version)}: a version is an integer ≥ 1.`,
    );
  }
  return n;
}

/** A tag key (non-empty string) and value (a string, as MLflow stores them). */
export function validateTag(key: unknown, value: unknown): [string, string] {
  if (typeof key !== 'string' || key === '' || key.length > 250) {
    throw new TroveError('INVALID_ARGUMENT', `Invalid tag key ${JSON.stringify(key)}.`);
  }
  if (value === undefined || value === null || typeof value === 'object') {
    throw new TroveError('INVALID_ARGUMENT', `Tag ${key} needs a string, number or boolean value.`);
  }
  return [key, String(value)];
}
