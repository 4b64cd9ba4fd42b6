import { describe, expect, test } from 'vitest';
import { isTroveError } from '../errors.js';
import { parseFilter } from './parse-filter.js';
import { parseOrderBy } from './parse-order-by.js';

/** The error `fn` throws, checked to be one INVALID_ARGUMENT TroveError naming `column`. */
function refused(fn: () => unknown, column: number): Error & { column?: number } {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'it threw').toBeDefined();
  const err = caught as Error & { column?: number };
  expect(err.name).toBe('TroveError');
  expect(isTroveError(err, 'INVALID_ARGUMENT')).toBe(true);
  expect(err.column).toBe(column);
  expect(err.message).toContain(` at column ${column}\n`);
  // The excerpt's caret sits under the named column (no ellipsis when the text is short).
  const [, shown, caret] = err.message.split('\n');
  if (shown !== undefined && caret !== undefined && !shown.includes('…')) {
    expect(caret.indexOf('^')).toBe(column + 1);
  }
  return err;
}

const deep = `${'('.repeat(10_000)}metrics.acc > 1${')'.repeat(10_000)}`;
const huge = 'metrics.acc > 1 and '.repeat(60_000);

/** [what, filter, column] */
const CATALOG: readonly [string, string, number][] = [
  ['unknown prefix', 'foo.acc > 1', 1],
  ['unknown bare key', "bogus = 'x'", 1],
  ['unknown attribute', "attributes.foo = 'x'", 1],
  ['a string where a key goes', "'metrics.acc' > 1", 1],
  ['missing value', 'metrics.acc >', 14],
  ['missing comparator', 'metrics.acc 0.9', 13],
  ['== is not a comparator', 'metrics.acc == 1', 13],
  ['unclosed quote', "metrics.acc > 'x", 15],
  ['unclosed backtick', 'metrics.`val loss > 1', 9],
  ['unclosed double quote', "params.\"a.b = 'x'", 8],
  ['unclosed paren', '(metrics.acc > 1', 17],
  ['unmatched paren', 'metrics.acc > 1)', 16],
  ['empty parens', '()', 2],
  ['IN ()', 'attributes.run_id IN ()', 23],
  ['IN without a list', "tags.x IN 'a'", 11],
  ['IN list without a comma', "tags.x IN ('a' 'b')", 16],
  ['IN list with a number', "tags.x IN ('a', 1)", 17],
  ['IN on a metric', "metrics.acc IN ('1')", 13],
  ['LIKE on a metric', "metrics.acc LIKE '0.9%'", 13],
  ['string compared to a metric', "metrics.acc > '0.9'", 15],
  ['number LIKE', 'params.lr LIKE 5', 16],
  ['string < on a param', "params.lr < 'a'", 13],
  ['IS NULL on a metric', 'metrics.acc IS NULL', 13],
  ['IS NOT without NULL', "tags.x IS NOT 'a'", 15],
  ['NOT LIKE', "tags.x NOT LIKE 'a'", 12],
  ['bad status name', "attributes.status = 'DONE'", 21],
  ['bad status name in a list', "attributes.status IN ('FINISHED', 'done')", 35],
  ['LIKE on status', "attributes.status LIKE 'FIN%'", 19],
  ['not a date', "attributes.start_time > 'yesterday'", 25],
  ['LIKE on a time', "attributes.start_time LIKE '2024%'", 23],
  ['IN on a time', "attributes.end_time IN ('a')", 21],
  ['< on a text attribute', "attributes.run_id > 'a'", 19],
  ['number for a text attribute', 'attributes.run_id = 5', 21],
  ['trailing and', 'metrics.acc > 1 and', 20],
  ['trailing or', 'metrics.acc > 1 or', 19],
  ['leading or', 'or metrics.acc > 1', 1],
  ['and and', "metrics.acc > 1 and and params.x = 'a'", 21],
  ['lone and', 'and', 1],
  ['or before a closing paren', "metrics.acc > 1 and (params.x = 'a' or)", 39],
  ['two comparisons without and', 'metrics.acc > 1 metrics.b > 2', 17],
  ['empty name', "params.`` = 'a'", 8],
  ['no name after the prefix', 'metrics. > 1', 10],
  ['NUL', 'metrics.acc > 1\u0000', 16],
  ['control character in a name', 'metrics.acc\u0007 > 1', 12],
  ['control character in a string', "tags.x = 'a\u001bb'", 12],
  ['unexpected character', 'metrics.acc > 1 # x', 17],
  ['double minus', 'metrics.acc > --1', 15],
  ['10,000 nested parens', deep, 101],
  ['a 1 MB filter', huge, 100_001],
];

describe('every bad filter is one INVALID_ARGUMENT naming its column', () => {
  test('the catalog has at least 30 filters', () => {
    expect(CATALOG.length).toBeGreaterThanOrEqual(30);
  });
  test.each(CATALOG)('%s', (_what, filter, column) => {
    refused(() => parseFilter(filter), column);
  });
});

describe('the message says what was expected', () => {
  test('a missing comparator', () => {
    const err = refused(() => parseFilter('metrics.acc 0.9'), 13);
    expect(err.message.split('\n')[0]).toBe(
      'expected a comparator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN) after metrics.acc but found the number 0.9 at column 13',
    );
    expect(err.message.split('\n').slice(1)).toEqual(['  metrics.acc 0.9', '              ^']);
  });
  test('a long filter shows the part around the column', () => {
    const err = refused(
      () => parseFilter(`${'metrics.a > 1 and '.repeat(100)}metrics.a >> 1`),
      1812,
    );
    const [, shown, caret] = err.message.split('\n');
    expect(shown?.length).toBeLessThan(80);
    expect(shown?.[caret?.indexOf('^') ?? 0]).toBe('>');
  });
});

describe('limits that hold', () => {
  test('100 levels of parentheses parse', () => {
    const ast = parseFilter(`${'('.repeat(100)}metrics.acc > 1${')'.repeat(100)}`);
    expect(ast).toEqual({
      kind: 'compare',
      key: { kind: 'metric', name: 'acc' },
      op: '>',
      value: { type: 'number', value: 1 },
      column: 101,
    });
  });
  test('a filter just under the length limit parses into one flat and', () => {
    const text = Array.from({ length: 3500 }, (_, i) => `metrics.m${i} > ${i}`).join(' and ');
    expect(text.length).toBeLessThan(100_000);
    const ast = parseFilter(text);
    expect(ast.kind === 'and' && ast.items.length).toBe(3500);
  });
});

describe('bad order-by items', () => {
  test.each([
    ['an unknown direction', ['metrics.acc DESCENDING'], 13],
    ['two directions', ['metrics.acc DESC ASC'], 18],
    ['an empty item', [''], 1],
    ['an unknown prefix', ['foo.x'], 1],
    ['the same key twice', ['metrics.acc', 'metrics.acc DESC'], 1],
    ['an unclosed backtick', ['params.`a b DESC'], 8],
  ] as const)('%s', (_what, list, column) => {
    refused(() => parseOrderBy(list), column);
  });
});
