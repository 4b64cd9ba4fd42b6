import type { FilterComparator, FilterComparison, FilterValue } from './ast.js';
import type { Cursor, ParsedKey } from './cursor.js';
import { isoMillis, STATUS_NAMES, troveStatus } from './keys.js';
import type { Token } from './tokenize.js';

/** A value as parsed, with its token(s) so that an error can point at it. */
export interface RawValue {
  readonly token: Token;
  readonly value: FilterValue;
  /** The tokens of a list's items, in order. */
  readonly items?: readonly Token[];
}

const ORDERING = new Set<FilterComparator>(['=', '!=', '<', '<=', '>', '>=']);
const TEXT = new Set<FilterComparator>(['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN']);
const EQUALITY = new Set<FilterComparator>(['=', '!=', 'IN', 'NOT IN']);

/**
 * Checks that a comparator and a value fit the key (MLflow's rules, widened where trove is
 * deliberately more permissive: IN on params, tags and every text attribute; params and tags
 * against a number) and returns the comparison with its value normalised.
 */
export function comparison(
  cursor: Cursor,
  key: ParsedKey,
  op: FilterComparator,
  opToken: Token,
  raw: RawValue,
): FilterComparison {
  const made = (value: FilterValue): FilterComparison => ({
    kind: 'compare',
    key: key.key,
    op,
    value,
    column: key.column,
  });
  const { value } = raw;
  const where = `${key.written} ${op}`;
  if ((op === 'IS NULL' || op === 'IS NOT NULL') && key.type !== 'param' && key.type !== 'tag') {
    cursor.fail(opToken, `${op} is for params and tags, not ${key.written}`);
  }
  switch (key.type) {
    case 'metric':
      if (!ORDERING.has(op)) {
        cursor.fail(
          opToken,
          `${op} does not apply to metrics: compare ${key.written} with =, !=, <, <=, > or >=`,
        );
      }
      if (value.type !== 'number') cursor.fail(raw.token, `${where} needs a number, not a string`);
      return made(value);
    case 'param':
    case 'tag':
      if (value.type === 'number' && !ORDERING.has(op)) {
        cursor.fail(raw.token, `${where} needs a quoted string pattern, not a number`);
      }
      if (value.type === 'string' && !TEXT.has(op)) {
        cursor.fail(raw.token, `${where} compares numbers: give a number, or use = or != for text`);
      }
      return made(value);
    case 'string':
      if (!TEXT.has(op)) {
        cursor.fail(
          opToken,
          `${op} does not apply to ${key.written}: use =, !=, LIKE, ILIKE, IN or NOT IN`,
        );
      }
      if (value.type === 'number')
        cursor.fail(raw.token, `${where} needs a quoted string, not a number`);
      return made(value);
    case 'status':
      if (!EQUALITY.has(op)) {
        cursor.fail(opToken, `${op} does not apply to ${key.written}: use =, !=, IN or NOT IN`);
      }
      return made(statusValue(cursor, raw));
    case 'time':
    case 'integer':
      if (!ORDERING.has(op)) {
        cursor.fail(opToken, `${op} does not apply to ${key.written}: use =, !=, <, <=, > or >=`);
      }
      if (value.type === 'string') {
        const ms = key.type === 'time' ? isoMillis(value.value) : undefined;
        if (ms === undefined) {
          cursor.fail(
            raw.token,
            key.type === 'time'
              ? `${where} needs epoch milliseconds or an ISO date ('2025-01-31' or '2025-01-31T12:00:00Z'), not '${value.value}'`
              : `${where} needs a number, not a string`,
          );
        }
        return made({ type: 'number', value: ms });
      }
      return made(value);
  }
}

function statusValue(cursor: Cursor, raw: RawValue): FilterValue {
  const one = (text: string, token: Token): string => {
    const status = troveStatus(text);
    if (status === undefined) {
      cursor.fail(token, `unknown status '${text}': expected one of ${STATUS_NAMES}`);
    }
    return status;
  };
  const { value } = raw;
  if (value.type === 'string') return { type: 'string', value: one(value.value, raw.token) };
  if (value.type === 'list') {
    const items = raw.items ?? [];
    return { type: 'list', value: value.value.map((text, i) => one(text, items[i] ?? raw.token)) };
  }
  return cursor.fail(raw.token, "a status is a quoted name such as 'FINISHED', not a number");
}
