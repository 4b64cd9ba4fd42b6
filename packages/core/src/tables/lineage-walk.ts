/**
 * The lineage walk over integer ids, in memory: every lineage row as (run id, data id, direction,
 * name id), read once from the snapshot's file, indexed by the ids a hop looks up, then walked
 * breadth first. A hop here is an array lookup, where a hop in the engine was a scan of every
 * row and a round trip: the wide walk of issue 23 (10,000 runs, 22 hops) cost a second of hops.
 */

/** Every lineage row as four parallel columns of ids (`dir`: see `DIRECTIONS`). */
export interface WalkRows {
  run: Int32Array;
  data: Int32Array;
  dir: Int32Array;
  name: Int32Array;
  /** How many run ids and data ids there are (ids are 0 … n - 1). */
  runs: number;
  datas: number;
}

/** A row's direction as its id in the file: input, output, reference. */
export const DIRECTIONS = ['input', 'output', 'reference'] as const;
const INPUT = 0;

/** What a walk reached. */
export interface WalkReach {
  /** Each run's depth (its smallest over both ways), -1 where not reached. */
  runDepth: Int32Array;
  /** Each data's depth: the smallest depth of a row walked that touches it; -1 where none. */
  dataDepth: Int32Array;
  /** The rows walked (by their index), ascending. */
  rows: number[];
}

/** Rows grouped by one of their id columns, restricted to inputs or to the rest. */
interface Index {
  start: Int32Array;
  rows: Int32Array;
}

/**
 * A counting sort of the rows by `ids` (only inputs, or only the rest): how many rows each id
 * has, where each id's rows begin, then the rows. The file keeps the rows in the order a
 * downward walk indexes them (inputs by data, the rest by run), so these passes run in order
 * through memory; any other order (an upward walk, the backlog's rows) gives the same index.
 */
function indexBy(ids: Int32Array, size: number, dir: Int32Array, inputs: boolean): Index {
  const start = new Int32Array(size + 1);
  const n = ids.length;
  for (let i = 0; i < n; i++) {
    if ((dir[i] === INPUT) !== inputs) continue;
    const next = (ids[i] as number) + 1;
    start[next] = (start[next] as number) + 1;
  }
  for (let k = 0; k < size; k++) start[k + 1] = (start[k + 1] as number) + (start[k] as number);
  const at = start.slice(0, size);
  const out = new Int32Array(start[size] as number);
  for (let i = 0; i < n; i++) {
    if ((dir[i] === INPUT) !== inputs) continue;
    const id = ids[i] as number;
    const to = at[id] as number;
    out[to] = i;
    at[id] = to + 1;
  }
  return { start, rows: out };
}

/**
 * Breadth first from `startRuns` and `startData`, `down` (data → the runs that read it → what
 * they wrote …), `up` (the reverse) or both, at most `maxDepth` hops. A node keeps the depth of
 * the hop that first reached it; a cycle ends where nodes repeat.
 */
export function walkIds(
  rows: WalkRows,
  startRuns: readonly number[],
  startData: readonly number[],
  ways: readonly ('up' | 'down')[],
  maxDepth: number,
): WalkReach {
  const runDepth = new Int32Array(rows.runs).fill(-1);
  const dataDepth = new Int32Array(rows.datas).fill(-1);
  const walked = new Uint8Array(rows.run.length);
  for (const way of ways) {
    // Down, a data leads to the runs that read it, a run to what it wrote; up, the reverse.
    const fromData = indexBy(rows.data, rows.datas, rows.dir, way === 'down');
    const fromRun = indexBy(rows.run, rows.runs, rows.dir, way !== 'down');
    const seenRun = new Int32Array(rows.runs).fill(-1);
    const seenData = new Int32Array(rows.datas).fill(-1);
    let runs = [...new Set(startRuns)];
    let datas = [...new Set(startData)];
    for (const r of runs) seenRun[r] = 0;
    for (const d of datas) seenData[d] = 0;
    for (let hop = 1; hop <= maxDepth && runs.length + datas.length > 0; hop++) {
      const nextRuns = across(datas, fromData, rows.run, seenRun, hop);
      datas = across(runs, fromRun, rows.data, seenData, hop);
      runs = nextRuns;
    }
    for (let r = 0; r < rows.runs; r++) runDepth[r] = smaller(runDepth[r], seenRun[r]);
  }
  const walkedRows: number[] = [];
  for (let i = 0; i < walked.length; i++) if (walked[i]) walkedRows.push(i);
  return { runDepth, dataDepth, rows: walkedRows };

  /**
   * One side of a hop: every row of each node of `frontier` (by `index`) is walked; the nodes
   * at the rows' other end (`ends`) not seen yet are the next frontier.
   */
  function across(
    frontier: readonly number[],
    index: Index,
    ends: Int32Array,
    seen: Int32Array,
    hop: number,
  ): number[] {
    const next: number[] = [];
    for (const node of frontier) {
      for (let j = index.start[node] as number; j < (index.start[node + 1] as number); j++) {
        const i = index.rows[j] as number;
        walked[i] = 1;
        const d = rows.data[i] as number;
        dataDepth[d] = smaller(dataDepth[d], hop);
        const other = ends[i] as number;
        if (seen[other] === -1) {
          seen[other] = hop;
          next.push(other);
        }
      }
    }
    return next;
  }
}

/** The smaller of two depths, -1 being none. */
function smaller(a: number | undefined, b: number | undefined): number {
  const x = a ?? -1;
  const y = b ?? -1;
  return x === -1 ? y : y === -1 ? x : Math.min(x, y);
}
