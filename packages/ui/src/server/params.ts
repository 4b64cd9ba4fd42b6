/**
 * Query and path parameters, checked before anything is read: a path or id with `..`, a NUL,
 * a backslash or a leading `/` is INVALID_PATH; numbers and lists are INVALID_ARGUMENT when
 * they are not what the route takes.
 */
import { TroveError } from '@trove/core';

/** Refuses a path or id that could step outside what it names. */
export function checkPath(value: string, what: string): string {
  const parts = value.split('/');
  if (
    value.includes('\0') ||
    value.includes('\\') ||
    value.startsWith('/') ||
    /^[A-Za-z]:/.test(value) ||
    parts.includes('..') ||
    parts.includes('.')
  ) {
    throw new TroveError(
      'INVALID_PATH',
      `${what} ${JSON.stringify(value)} is not a path inside the store.`,
      {
        hint: 'Paths are relative to a run, without "..", "\\\\" or a leading "/".',
      },
    );
  }
  return value;
}

/** Every query value is checked as a path: ids and names take no `..` either. */
export function checkAllPaths(url: URL, segments: readonly string[]): void {
  for (const [key, value] of url.searchParams) {
    if (key === 'filter' || key === 'orderBy') continue;
    for (const part of value.split(',')) checkPath(part, key);
  }
  for (const segment of segments) checkPath(segment, 'path segment');
}

/** A required query parameter. */
export function required(url: URL, name: string): string {
  const value = url.searchParams.get(name);
  if (value === null || value === '') {
    throw new TroveError('INVALID_ARGUMENT', `The query parameter "${name}" is required.`);
  }
  return value;
}

/** A comma list (`runs=a,b`), empty entries dropped, each at most once. */
export function list(
  url: URL,
  name: string,
  options: { min?: number; max?: number } = {},
): string[] {
  const items = [...new Set((url.searchParams.get(name) ?? '').split(',').filter((s) => s !== ''))];
  const { min = 0, max = Number.POSITIVE_INFINITY } = options;
  if (items.length < min || items.length > max) {
    throw new TroveError(
      'INVALID_ARGUMENT',
      `"${name}" takes ${max === Number.POSITIVE_INFINITY ? `at least ${min}` : `${min}–${max}`} comma-separated values, not ${items.length}.`,
    );
  }
  return items;
}

/** A whole number in [min, max], or `fallback` when absent. */
export function integer(
  url: URL,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!(Number.isSafeInteger(value) && value >= min && value <= max)) {
    throw new TroveError(
      'INVALID_ARGUMENT',
      `"${name}" must be a whole number ${min}–${max}, not ${raw}.`,
    );
  }
  return value;
}

/** A finite number, or undefined when absent. */
export function number(url: URL, name: string): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) {
    throw new TroveError('INVALID_ARGUMENT', `"${name}" must be a number, not ${raw}.`);
  }
  return value;
}

/** One of `choices`, or the first when absent. */
export function oneOf<T extends string>(url: URL, name: string, choices: readonly T[]): T {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return choices[0] as T;
  if (!choices.includes(raw as T)) {
    throw new TroveError(
      'INVALID_ARGUMENT',
      `"${name}" must be one of ${choices.join(', ')}, not ${raw}.`,
    );
  }
  return raw as T;
}
