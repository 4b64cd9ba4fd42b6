import { DeltaError } from './errors.js';
import type { DeltaSchema, DeltaType } from './schema.js';

/** A row as callers give it: timestamps as `Date` or ISO string, maps as plain objects. */
export type Row = Record<string, unknown>;

/** A value after checking: longs and timestamps (µs since the epoch, UTC) as bigint. */
export type CellValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | Record<string, string | number | null>
  | (string | null)[];

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const ISO = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/;

function fail(where: string, message: string): never {
  throw new DeltaError('INVALID_ARGUMENT', `${where}: ${message}`);
}

/** µs since the epoch from a `Date`, an ISO-8601 string with a zone, or a bigint of µs. */
function timestampMicros(value: unknown, where: string): bigint {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (!Number.isFinite(ms)) fail(where, 'invalid Date');
    return BigInt(ms) * 1000n;
  }
  if (typeof value === 'bigint') return value;
  if (typeof value === 'string') {
    const m = ISO.exec(value);
    const ms = m ? Date.parse(`${m[1]}T${m[2]}${m[4]}`) : Number.NaN;
    if (!m || !Number.isFinite(ms))
      fail(where, `not an ISO-8601 timestamp with a zone: ${JSON.stringify(value)}`);
    // Date keeps milliseconds only: the fraction's first 6 digits give the microseconds.
    const fraction = BigInt((m[3] ?? '').padEnd(6, '0').slice(0, 6));
    return BigInt(ms) * 1000n + fraction;
  }
  return fail(where, `expected a Date or an ISO-8601 string, got ${typeof value}`);
}

function checkMap(
  value: unknown,
  where: string,
  values: 'string' | 'number',
): Record<string, string | number | null> {
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    value instanceof Date
  ) {
    fail(where, 'expected a plain object for a map column');
  }
  for (const [k, v] of Object.entries(value)) {
    if (v !== null && typeof v !== values)
      fail(`${where}.${k}`, `expected a ${values} or null, got ${typeof v}`);
  }
  return value as Record<string, string | number | null>;
}

function checkValue(type: DeltaType, value: unknown, where: string): CellValue {
  switch (type) {
    case 'string':
      return typeof value === 'string'
        ? value
        : fail(where, `expected a string, got ${typeof value}`);
    case 'boolean':
      return typeof value === 'boolean'
        ? value
        : fail(where, `expected a boolean, got ${typeof value}`);
    case 'double':
      // NaN and ±Infinity are doubles too (a diverged loss); they get no min/max statistics.
      return typeof value === 'number'
        ? value
        : fail(where, `expected a number, got ${typeof value}`);
    case 'integer':
      if (
        typeof value !== 'number' ||
        !Number.isInteger(value) ||
        value < -(2 ** 31) ||
        value >= 2 ** 31
      ) {
        fail(where, `expected a 32-bit integer, got ${String(value)}`);
      }
      return value;
    case 'long': {
      if (typeof value === 'number' && !Number.isSafeInteger(value))
        fail(where, `expected an integer, got ${value}`);
      if (typeof value !== 'number' && typeof value !== 'bigint')
        fail(where, `expected an integer, got ${typeof value}`);
      const big = BigInt(value);
      if (big < INT64_MIN || big > INT64_MAX) fail(where, 'outside the 64-bit range');
      return big;
    }
    case 'timestamp':
      return timestampMicros(value, where);
    case 'map<string,string>':
      return checkMap(value, where, 'string');
    case 'map<string,double>':
      return checkMap(value, where, 'number');
    case 'array<string>':
      if (!Array.isArray(value)) fail(where, 'expected an array of strings');
      value.forEach((v, i) => {
        if (v !== null && typeof v !== 'string')
          fail(`${where}[${i}]`, `expected a string or null, got ${typeof v}`);
      });
      return value as (string | null)[];
  }
}

/**
 * The rows as columns of checked values, in schema order. Throws `INVALID_ARGUMENT` naming the
 * row and column for the first value that does not fit (before anything is written).
 */
export function rowsToColumns(
  schema: DeltaSchema,
  rows: readonly Row[],
  label = 'row',
): CellValue[][] {
  const names = new Set(schema.fields.map((f) => f.name));
  const columns: CellValue[][] = schema.fields.map(() => []);
  rows.forEach((row, r) => {
    if (typeof row !== 'object' || row === null || Array.isArray(row))
      fail(`${label} ${r}`, 'expected an object');
    for (const key of Object.keys(row)) {
      if (!names.has(key))
        fail(`${label} ${r}`, `column ${JSON.stringify(key)} is not in the schema`);
    }
    schema.fields.forEach((field, c) => {
      const value = row[field.name];
      const where = `${label} ${r}, column ${field.name}`;
      if (value === null || value === undefined) {
        if (!field.nullable) fail(where, 'is required (the column is not nullable)');
        columns[c]?.push(null);
      } else {
        columns[c]?.push(checkValue(field.type, value, where));
      }
    });
  });
  return columns;
}
