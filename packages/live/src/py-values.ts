/**
 * Python's view of the values DVCLive logs. JS has one number type; Python prints `1` and `1.0`
 * differently, so a value that Python would hold as a float is written as `float(x)` (a
 * `PyFloat`) wherever an integral number must print as `1.0`. Non-integral numbers are floats
 * anyway.
 */
import { posix } from 'node:path';
import { TroveError } from '@trove/core';
import { isPyInt, PyFloat, pyFloatRepr } from '@trove/core/dialect';

/** A value `logMetric` accepts: DVCLive's `int`, `float`, `str` (a bool is an int). */
export type MetricValue = number | bigint | boolean | string | PyFloat;

/** Marks a number as a Python float: `float(1)` prints `1.0` in every DVCLive file. */
export function float(value: number): PyFloat {
  return new PyFloat(value);
}

export function isMetricValue(value: unknown): value is MetricValue {
  return (
    typeof value === 'number' ||
    typeof value === 'bigint' ||
    typeof value === 'boolean' ||
    typeof value === 'string' ||
    value instanceof PyFloat
  );
}

/** The numeric value of a metric, if it has one (what a trove run records). */
export function numericValue(value: MetricValue): number | undefined {
  if (typeof value === 'number') return value;
  if (value instanceof PyFloat) return value.value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  return undefined;
}

/** DVCLive turns NaN and ±inf into the strings `nan`, `inf`, `-inf` (`str(val)`). */
export function liveMetricValue(value: MetricValue): MetricValue {
  const n = typeof value === 'number' ? value : value instanceof PyFloat ? value.value : 0;
  if ((typeof value === 'number' || value instanceof PyFloat) && !Number.isFinite(n)) {
    return pyFloatRepr(n);
  }
  return value;
}

/** Python `str(value)`. */
export function pyStr(value: MetricValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof PyFloat) return floatText(value.value);
  return isPyInt(value) ? String(value) : floatText(value);
}

/**
 * `repr(float)`, fast for the common case: between 1e-4 and 1e16 JS and Python both print
 * the shortest round-trip digits in fixed notation; only integral values need a `.0`.
 */
function floatText(x: number): string {
  const a = x < 0 ? -x : x;
  if (a >= 1e-4 && a < 1e16) {
    const s = String(x);
    return Number.isInteger(x) ? `${s}.0` : s;
  }
  return pyFloatRepr(x);
}

/** One field of Python's `csv` writer (tab-delimited, QUOTE_MINIMAL, `"` doubled). */
export function csvField(text: string): string {
  return /[\t"\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A metric or plot name: relative, `/`-separated, never leaving the folder it is written to. */
export function checkRelName(what: string, name: unknown): string {
  if (typeof name !== 'string' || name === '') {
    throw new TroveError('INVALID_NAME', `${what} name must be a non-empty string.`);
  }
  const normal = posix.normalize(name);
  if (
    name.startsWith('/') ||
    name.includes('\\') ||
    normal === '.' ||
    normal === './' ||
    normal === '..' ||
    normal.startsWith('../') ||
    name.includes('\0')
  ) {
    throw new TroveError('INVALID_NAME', `${what} name ${JSON.stringify(name)} must be relative.`);
  }
  return name;
}

/** `pathlib` joins: `a//b` → `a/b`, `./a` → `a`, no trailing slash. */
export function pathlibJoin(...parts: string[]): string {
  const joined = parts.join('/');
  const body = joined
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/');
  return joined.startsWith('/') ? `/${body}` : body;
}

/** `os.path.normpath(name).split(os.sep)`: the summary keys of a metric. */
export function summaryKeys(name: string): string[] {
  return posix.normalize(name).replace(/\/+$/, '').split('/');
}

/** Checks that the value can be a YAML parameter (DVCLive's `InvalidParameterTypeError`). */
export function checkParam(path: string, value: unknown, seen = new Set<unknown>()): void {
  if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    typeof value === 'bigint' ||
    value instanceof PyFloat
  )
    return;
  if (typeof value === 'number') return;
  const bad = (why: string): TroveError =>
    new TroveError('INVALID_ARGUMENT', `Parameter ${path} ${why}; YAML cannot represent it.`, {
      hint: 'Use strings, numbers, booleans, null, lists and plain objects.',
    });
  if (typeof value !== 'object' || value === undefined) throw bad(`is a ${typeof value}`);
  if (seen.has(value)) throw bad('refers to itself');
  seen.add(value);
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      checkParam(`${path}[${i}]`, v, seen);
    });
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null && !(value instanceof Map)) {
      throw bad(`is a ${value.constructor?.name ?? 'class instance'}`);
    }
    const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
    for (const [k, v] of entries) {
      if (typeof k !== 'string') throw bad('has a key that is not a string');
      if (v === undefined) throw bad(`.${k} is undefined`);
      checkParam(`${path}.${k}`, v, seen);
    }
  }
  seen.delete(value);
}

/** The same data with Python floats as plain numbers (what JSON records and reports hold). */
export function toPlain(value: unknown): unknown {
  if (value instanceof PyFloat) return value.value;
  if (Array.isArray(value)) return value.map(toPlain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  }
  return value;
}
