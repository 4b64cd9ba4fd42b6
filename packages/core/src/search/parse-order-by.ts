import type { OrderByItem } from './ast.js';
import { Cursor, describe } from './cursor.js';
import { FilterError } from './filter-error.js';
import type { Grammar } from './keys.js';

/**
 * Parses MLflow's order-by list: each item a key and an optional `ASC` or `DESC` (ascending by
 * default), e.g. `['metrics.acc DESC', 'attributes.start_time']`. A key may appear once. An
 * empty list is MLflow's default order, which `compileOrderBy` always ends with: start time,
 * newest first, then run id.
 */
export function parseOrderBy(list: readonly string[], grammar?: Grammar): OrderByItem[] {
  const seen = new Set<string>();
  return list.map((text, index) => {
    const cursor = new Cursor(text, grammar);
    const where = `order-by item ${index + 1}`;
    if (cursor.peek().type === 'eof') {
      throw new FilterError(text, 1, `${where} is empty: expected a key such as metrics.acc`);
    }
    const key = cursor.key();
    let descending = false;
    if (cursor.keyword('desc')) descending = true;
    else cursor.keyword('asc');
    const rest = cursor.peek();
    if (rest.type !== 'eof') {
      cursor.fail(rest, `expected ASC, DESC or the end of ${where} but found ${describe(rest)}`);
    }
    const id = `${key.key.kind}\u0000${key.key.name}`;
    if (seen.has(id)) {
      throw new FilterError(text, key.column, `${where} orders by ${key.written} a second time`);
    }
    seen.add(id);
    return { key: key.key, descending };
  });
}
