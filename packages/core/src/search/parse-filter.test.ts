import { describe, expect, test } from 'vitest';
import { parseFilter } from './parse-filter.js';
import { parseOrderBy } from './parse-order-by.js';

const acc = (op: string, value: number, column: number) => ({
  kind: 'compare',
  key: { kind: 'metric', name: 'acc' },
  op,
  value: { type: 'number', value },
  column,
});

describe('parseFilter', () => {
  test('and binds tighter than or; keywords in any case', () => {
    expect(parseFilter('metrics.acc > 1 OR metrics.acc < 0 and metrics.acc = 5')).toEqual({
      kind: 'or',
      items: [acc('>', 1, 1), { kind: 'and', items: [acc('<', 0, 20), acc('=', 5, 40)] }],
    });
  });

  test('parentheses group, and nested ands flatten', () => {
    expect(
      parseFilter(
        '(metrics.acc > 1 or metrics.acc < 0) and (metrics.acc = 5 and metrics.acc != 6)',
      ),
    ).toEqual({
      kind: 'and',
      items: [
        { kind: 'or', items: [acc('>', 1, 2), acc('<', 0, 21)] },
        acc('=', 5, 43),
        acc('!=', 6, 63),
      ],
    });
  });

  test('prefix and attribute aliases resolve to one name', () => {
    const keys = [
      "parameter.x = 'a'",
      "tag.x = 'a'",
      "attribute.run_name = 'a'",
      "`Run Name` = 'a'",
      'created > 5',
      "user_id = 'a'",
    ].map((f) => {
      const ast = parseFilter(f);
      return ast.kind === 'compare' ? ast.key : undefined;
    });
    expect(keys).toEqual([
      { kind: 'param', name: 'x' },
      { kind: 'tag', name: 'x' },
      { kind: 'attribute', name: 'name' },
      { kind: 'attribute', name: 'name' },
      { kind: 'attribute', name: 'start_time' },
      { kind: 'attribute', name: 'user' },
    ]);
  });

  test('numbers: negatives, exponents, leading dots', () => {
    const values = ['-1', '1e3', '-2.5E-2', '.5', '-.5', '3.'].map((n) => {
      const ast = parseFilter(`metrics.acc > ${n}`);
      return ast.kind === 'compare' && ast.value.type === 'number' ? ast.value.value : undefined;
    });
    expect(values).toEqual([-1, 1000, -0.025, 0.5, -0.5, 3]);
  });

  test('quoted text is kept as written between its quotes, as MLflow keeps it', () => {
    const ast = parseFilter("tags.x = 'a\\'b''c'");
    expect(ast.kind === 'compare' && ast.value).toEqual({ type: 'string', value: "a\\'b''c" });
  });

  test('statuses map to trove names; ISO dates to epoch milliseconds (UTC without offset)', () => {
    expect(
      parseFilter("attributes.status IN ('FINISHED', 'KILLED', 'SCHEDULED', 'failed')"),
    ).toMatchObject({
      value: { type: 'list', value: ['completed', 'killed', 'running', 'failed'] },
    });
    expect(parseFilter("attributes.end_time < '2025-01-31T12:00'")).toMatchObject({
      value: { type: 'number', value: Date.UTC(2025, 0, 31, 12) },
    });
  });

  test('an empty or blank filter matches everything', () => {
    expect(parseFilter('')).toEqual({ kind: 'and', items: [] });
    expect(parseFilter(' \n\t')).toEqual({ kind: 'and', items: [] });
  });
});

describe('parseOrderBy', () => {
  test("MLflow's syntax, ascending by default", () => {
    expect(
      parseOrderBy([
        'metrics.acc DESC',
        'attributes.start_time',
        'params.`a b` asc',
        'tags."x y" desc',
      ]),
    ).toEqual([
      { key: { kind: 'metric', name: 'acc' }, descending: true },
      { key: { kind: 'attribute', name: 'start_time' }, descending: false },
      { key: { kind: 'param', name: 'a b' }, descending: false },
      { key: { kind: 'tag', name: 'x y' }, descending: true },
    ]);
  });
});
