import type { FilterAst, FilterComparator, FilterComparison } from './ast.js';
import { comparison, type RawValue } from './check-comparison.js';
import { Cursor, describe } from './cursor.js';
import type { Grammar } from './keys.js';
import type { Token } from './tokenize.js';

/** Deeper nesting is refused: a bound on the parser's recursion, far above any real filter. */
const MAX_FILTER_DEPTH = 100;

const COMPARATORS = '=, !=, <, <=, >, >=, LIKE, ILIKE, IN';

/**
 * Parses a run filter in MLflow's `search_runs` grammar, plus `or` and parentheses (`and` binds
 * tighter than `or`). An empty filter matches every run. Throws one `TroveError`
 * (`INVALID_ARGUMENT`, a `FilterError` with the column) for any bad filter.
 *
 * @example parseFilter("metrics.acc > 0.9 and (params.lr = '0.01' or tags.team = 'cv')")
 */
export function parseFilter(text: string, grammar?: Grammar): FilterAst {
  const cursor = new Cursor(text, grammar);
  if (cursor.peek().type === 'eof') return { kind: 'and', items: [] };
  const ast = or(cursor, 0);
  const rest = cursor.peek();
  if (rest.type !== 'eof') {
    cursor.fail(
      rest,
      rest.type === ')'
        ? "unmatched ')'"
        : `expected and, or or the end of the filter but found ${describe(rest)}`,
    );
  }
  return ast;
}

function or(cursor: Cursor, depth: number): FilterAst {
  const items = [and(cursor, depth)];
  while (cursor.keyword('or')) items.push(and(cursor, depth));
  return items.length === 1 ? (items[0] as FilterAst) : { kind: 'or', items: flat('or', items) };
}

function and(cursor: Cursor, depth: number): FilterAst {
  const items = [primary(cursor, depth)];
  while (cursor.keyword('and')) items.push(primary(cursor, depth));
  return items.length === 1 ? (items[0] as FilterAst) : { kind: 'and', items: flat('and', items) };
}

/** `a and (b and c)` is `a and b and c`: one level per operator. */
function flat(kind: 'and' | 'or', items: FilterAst[]): FilterAst[] {
  return items.flatMap((item) => (item.kind === kind ? item.items : [item]));
}

function primary(cursor: Cursor, depth: number): FilterAst {
  const token = cursor.peek();
  if (token.type !== '(') return compare(cursor);
  if (depth >= MAX_FILTER_DEPTH) {
    cursor.fail(token, `parentheses nested deeper than ${MAX_FILTER_DEPTH} levels`);
  }
  cursor.next();
  const inner = or(cursor, depth + 1);
  const close = cursor.next();
  if (close.type !== ')') {
    cursor.fail(
      close,
      `expected ')' to close the '(' at column ${token.column} but found ${describe(close)}`,
    );
  }
  return inner;
}

function compare(cursor: Cursor): FilterComparison {
  const key = cursor.key();
  const opToken = cursor.peek();
  const op = comparator(cursor, key.written);
  if (op === 'IS NULL' || op === 'IS NOT NULL') {
    return comparison(cursor, key, op, opToken, { token: opToken, value: { type: 'none' } });
  }
  return comparison(cursor, key, op, opToken, value(cursor, op, key.written));
}

function comparator(cursor: Cursor, written: string): FilterComparator {
  const token = cursor.next();
  if (token.type === 'op') {
    if (token.text === '==') cursor.fail(token, `unknown comparator '==' after ${written}: use =`);
    return token.text === '<>' ? '!=' : (token.text as FilterComparator);
  }
  const word = token.type === 'word' ? token.text.toUpperCase() : '';
  if (word === 'LIKE' || word === 'ILIKE' || word === 'IN') return word;
  if (word === 'NOT') {
    const next = cursor.next();
    if (next.type === 'word' && next.text.toUpperCase() === 'IN') return 'NOT IN';
    cursor.fail(next, `expected IN after NOT but found ${describe(next)}`);
  }
  if (word === 'IS') {
    const not = cursor.keyword('not');
    const next = cursor.next();
    if (next.type === 'word' && next.text.toUpperCase() === 'NULL') {
      return not ? 'IS NOT NULL' : 'IS NULL';
    }
    cursor.fail(next, `expected NULL after IS${not ? ' NOT' : ''} but found ${describe(next)}`);
  }
  return cursor.fail(
    token,
    `expected a comparator (${COMPARATORS}) after ${written} but found ${describe(token)}`,
  );
}

function value(cursor: Cursor, op: FilterComparator, written: string): RawValue {
  const token = cursor.next();
  if (op === 'IN' || op === 'NOT IN') return list(cursor, token, `${written} ${op}`);
  if (token.type === 'number')
    return { token, value: { type: 'number', value: Number(token.text) } };
  if (token.type === 'string' || token.type === 'dquote') {
    return { token, value: { type: 'string', value: token.text } };
  }
  return cursor.fail(
    token,
    `expected a value (a number or a quoted string) after ${written} ${op} but found ${describe(token)}`,
  );
}

/** `('a', "b", …)`: quoted strings only, at least one; a trailing comma is allowed (MLflow). */
function list(cursor: Cursor, open: Token, before: string): RawValue {
  if (open.type !== '(') {
    cursor.fail(
      open,
      `expected a list such as ('a', 'b') after ${before} but found ${describe(open)}`,
    );
  }
  const items: string[] = [];
  const tokens: Token[] = [];
  for (;;) {
    const token = cursor.next();
    if (token.type === ')') {
      if (items.length === 0)
        cursor.fail(token, `empty list after ${before}: give at least one value`);
      return { token: open, value: { type: 'list', value: items }, items: tokens };
    }
    if (token.type !== 'string' && token.type !== 'dquote') {
      cursor.fail(
        token,
        `expected a quoted string in the list after ${before} but found ${describe(token)}`,
      );
    }
    items.push(token.text);
    tokens.push(token);
    const after = cursor.next();
    if (after.type === ')')
      return { token: open, value: { type: 'list', value: items }, items: tokens };
    if (after.type !== ',') {
      cursor.fail(
        after,
        `expected ',' or ')' in the list after ${before} but found ${describe(after)}`,
      );
    }
  }
}
