import type { CellValue } from './rows.js';
import { type DeltaField, SIMPLE_TYPES } from './schema.js';

/**
 * `add.stats`: numRecords, and per simple column nullCount, minValues, maxValues (readers skip
 * files with them). Bounds are left out where they could mislead: a max string longer than the
 * prefix kept, a long beyond JSON's exact integers, a double column holding NaN or ±Infinity.
 */
export interface FileStats {
  numRecords: number;
  minValues: Record<string, unknown>;
  maxValues: Record<string, unknown>;
  nullCount: Record<string, number>;
}

/** Delta (Spark) keeps 32 characters of string bounds. */
const STRING_PREFIX = 32;

function microsToIso(micros: bigint): string {
  // The protocol truncates timestamp statistics down to milliseconds.
  const ms = micros >= 0n ? micros / 1000n : -((-micros + 999n) / 1000n);
  return new Date(Number(ms)).toISOString();
}

function bounds(type: string, values: CellValue[]): { min?: unknown; max?: unknown } {
  if (values.length === 0 || type === 'boolean') return {};
  if (type === 'double' && values.some((v) => !Number.isFinite(v as number))) return {};
  let min = values[0] as string | number | bigint;
  let max = min;
  for (const v of values as (string | number | bigint)[]) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  switch (type) {
    case 'string': {
      const out: { min?: unknown; max?: unknown } = {
        min: (min as string).slice(0, STRING_PREFIX),
      };
      if ((max as string).length <= STRING_PREFIX) out.max = max;
      return out;
    }
    case 'long': {
      const safe = (b: bigint) =>
        b <= BigInt(Number.MAX_SAFE_INTEGER) && b >= BigInt(Number.MIN_SAFE_INTEGER);
      return {
        ...(safe(min as bigint) ? { min: Number(min) } : {}),
        ...(safe(max as bigint) ? { max: Number(max) } : {}),
      };
    }
    case 'timestamp':
      return { min: microsToIso(min as bigint), max: microsToIso(max as bigint) };
    default:
      return { min, max };
  }
}

export function computeStats(
  fields: readonly Required<DeltaField>[],
  columns: CellValue[][],
): FileStats {
  const stats: FileStats = {
    numRecords: columns[0]?.length ?? 0,
    minValues: {},
    maxValues: {},
    nullCount: {},
  };
  fields.forEach((field, i) => {
    if (!SIMPLE_TYPES.has(field.type)) return;
    const column = columns[i] ?? [];
    const present = column.filter((v) => v !== null);
    stats.nullCount[field.name] = column.length - present.length;
    const { min, max } = bounds(field.type, present);
    if (min !== undefined) stats.minValues[field.name] = min;
    if (max !== undefined) stats.maxValues[field.name] = max;
  });
  return stats;
}
