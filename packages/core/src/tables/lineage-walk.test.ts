import { describe, expect, it } from 'vitest';
import { type WalkRows, walkIds } from './lineage-walk.js';

/**
 * Runs 0–3 and data 0–4, rows as [run, data, direction (0 input, 1 output, 2 reference), name]:
 * run 0 reads data 0 and writes 1 (twice, under two names); run 1 reads 1, writes 2 and refers
 * to 3; run 2 reads 2 and writes 2 again (a cycle); run 3 reads 4 only (unrelated).
 */
const TABLE: Array<[number, number, number, number]> = [
  [0, 0, 0, 0],
  [0, 1, 1, 1],
  [0, 1, 1, 2],
  [1, 1, 0, 1],
  [1, 2, 1, 3],
  [1, 3, 2, 4],
  [2, 2, 0, 3],
  [2, 2, 1, 3],
  [3, 4, 0, 5],
];

function rows(table = TABLE): WalkRows {
  const column = (k: number) => Int32Array.from(table.map((r) => r[k] as number));
  return { run: column(0), data: column(1), dir: column(2), name: column(3), runs: 4, datas: 5 };
}

const depths = (a: Int32Array) => [...a];

describe('walkIds: the lineage walk over integer ids', () => {
  it('down from a data: every hop, each node at the hop that first reached it, a cycle ends', () => {
    const reach = walkIds(rows(), [], [0], ['down'], Number.POSITIVE_INFINITY);
    expect(depths(reach.runDepth)).toEqual([1, 3, 5, -1]);
    // Data 0 is the start (its rows at hop 1); data 3 is referred to by run 1 at hop 4.
    expect(depths(reach.dataDepth)).toEqual([1, 2, 4, 4, -1]);
    expect(reach.rows).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('up from a data, and a depth limit stops where it says', () => {
    const up = walkIds(rows(), [], [2], ['up'], Number.POSITIVE_INFINITY);
    expect(depths(up.runDepth)).toEqual([3, 1, 1, -1]);
    expect(depths(up.dataDepth)).toEqual([4, 2, 1, -1, -1]);
    expect(up.rows).toEqual([0, 1, 2, 3, 4, 6, 7]);
    const near = walkIds(rows(), [], [0], ['down'], 2);
    expect(depths(near.runDepth)).toEqual([1, -1, -1, -1]);
    expect(depths(near.dataDepth)).toEqual([1, 2, -1, -1, -1]);
    expect(near.rows).toEqual([0, 1, 2]);
  });

  it('both ways from a run: each node at its smaller depth of the two', () => {
    const both = walkIds(rows(), [1], [], ['down', 'up'], Number.POSITIVE_INFINITY);
    expect(depths(both.runDepth)).toEqual([2, 0, 2, -1]);
    expect(depths(both.dataDepth)).toEqual([3, 1, 1, 1, -1]);
    // The same rows in any order index the same way.
    const shuffled = walkIds(
      rows([...TABLE].reverse()),
      [1],
      [],
      ['down', 'up'],
      Number.POSITIVE_INFINITY,
    );
    expect(depths(shuffled.runDepth)).toEqual(depths(both.runDepth));
    expect(depths(shuffled.dataDepth)).toEqual(depths(both.dataDepth));
    expect(shuffled.rows.map((i) => TABLE.length - 1 - i).sort()).toEqual(both.rows);
  });
});
