/**
 * What a run record can hold. Params, summary values and artifact `meta` go into JSON
 * (`run.json`, `artifacts.json`); a value JSON cannot write would make every later save of the
 * run fail, or vanish without a word (`JSON.stringify` drops functions). So values are checked
 * where they are given, and what JSON can hold is kept as it is.
 */
import { TroveError } from '../errors.js';

/**
 * The value as the record keeps it: a BigInt becomes a number when it is a safe integer, else
 * its decimal text (JSON has no bigint); a function, a symbol or a value that contains itself is
 * refused (`INVALID_ARGUMENT`, naming `what`). `undefined` inside a mapping is left out, as JSON does.
 *
 * @example
 * recordValue(10n, 'param n'); // 10
 * recordValue(2n ** 70n, 'param n'); // '1180591620717411303424'
 */
export function recordValue(value: unknown, what: string): unknown {
  return walk(value, what, new Set());
}

/** `recordValue` for each entry of a mapping (`what` names the mapping: "param", "meta"). */
export function recordValues(
  values: Record<string, unknown>,
  what: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values))
    out[key] = recordValue(value, `${what} ${key}`);
  return out;
}

function walk(value: unknown, what: string, seen: Set<object>): unknown {
  switch (typeof value) {
    case 'bigint': {
      const n = Number(value);
      return Number.isSafeInteger(n) ? n : value.toString();
    }
    case 'function':
    case 'symbol':
      throw refused(what, `is a ${typeof value}`);
    case 'object':
      break;
    default:
      return value;
  }
  if (value === null) return null;
  if (seen.has(value)) throw refused(what, 'refers to itself');
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return (value as { toJSON(): unknown }).toJSON(); // Date
  seen.add(value);
  let out: unknown;
  if (Array.isArray(value)) out = value.map((v, i) => walk(v, `${what}[${i}]`, seen));
  else {
    const entries: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) entries[k] = walk(v, `${what}.${k}`, seen);
    }
    out = entries;
  }
  seen.delete(value);
  return out;
}

function refused(what: string, why: string): TroveError {
  return new TroveError('INVALID_ARGUMENT', `The ${what} ${why}: a run record cannot hold it.`, {
    hint: 'Give strings, numbers, booleans, null, lists and plain objects (or String(value)).',
  });
}
