/**
 * One walk of the lineage rows as ids: read every row once (four integers each), walk them in
 * memory (`lineage-walk.ts`), then look up, once each, what the walk reached: the runs' ids and
 * names, the data's keys and the names its walked rows gave it.
 */
import type { Session } from './engine.js';
import type { GraphBuilder } from './lineage-graph-builder.js';
import { DIRECTIONS, type WalkRows, walkIds } from './lineage-walk.js';

/** Where a walk starts: run ids, and data by md5 (or a reference's path or URI). */
export interface WalkStart {
  runs?: readonly string[];
  data?: readonly string[];
}

const jsonList = (values: readonly (string | number)[]) => JSON.stringify(values);

/**
 * Walks the relations `walkColumns` made in `session` from `start` (`ways`, at most `maxDepth`
 * hops) into `graph`: the runs and data reached and an edge a distinct row walked.
 */
export async function readWalk(
  session: Session,
  graph: GraphBuilder,
  start: WalkStart,
  ways: readonly ('up' | 'down')[],
  maxDepth: number,
): Promise<void> {
  const [ids] = await session.rows(
    `SELECT (SELECT count(*) FROM w_runs) AS runs, (SELECT count(*) FROM w_keys) AS datas,
       (SELECT list(id) FROM w_runs WHERE key IN (SELECT unnest(from_json($1::JSON, '["VARCHAR"]')))) AS start_runs,
       (SELECT list(id) FROM w_keys WHERE key IN (SELECT unnest(from_json($2::JSON, '["VARCHAR"]')))) AS start_data`,
    [jsonList(start.runs ?? []), jsonList(start.data ?? [])],
  );
  const [run, data, dir, name] = (await session.integers(
    'SELECT run, data, dir, name FROM w_rows',
  )) as [Int32Array, Int32Array, Int32Array, Int32Array];
  const rows: WalkRows = {
    run,
    data,
    dir,
    name,
    runs: Number(ids?.runs),
    datas: Number(ids?.datas),
  };
  const reach = walkIds(
    rows,
    (ids?.start_runs as number[] | null) ?? [],
    (ids?.start_data as number[] | null) ?? [],
    ways,
    maxDepth,
  );
  const runIds = reached(reach.runDepth);
  const dataIds = reached(reach.dataDepth);
  // Each data's names, from the rows walked that touch it: most data has one, kept in an array
  // of ids; a second and later ones go to `moreNames`.
  const firstName = new Int32Array(rows.datas).fill(-1);
  const moreNames = new Map<number, number[]>();
  const nameIds = new Set<number>();
  for (const i of reach.rows) {
    const d = data[i] as number;
    const n = name[i] as number;
    nameIds.add(n);
    if (firstName[d] === -1) firstName[d] = n;
    else if (firstName[d] !== n) {
      const more = moreNames.get(d);
      if (!more) moreNames.set(d, [n]);
      else if (!more.includes(n)) more.push(n);
    }
  }
  // Keys come in their order, and nodes and edges are handed to the graph in the order it
  // sorts them by: its sort then finds them in order (the engine orders by bytes, JavaScript by
  // UTF-16 units, so the graph's own sort stays the one that decides).
  const runKeys = await lookup(session, 'w_runs', runIds);
  const dataKeys = await lookup(session, 'w_keys', dataIds);
  const labels = await lookup(session, 'w_labels', [...nameIds]);
  const runNames = await namesOfRuns(session, [...runKeys.values(), ...(start.runs ?? [])]);
  // The start nodes at depth 0 (each once), the rest as distinct nodes: no lookup by id.
  const startRuns = new Set(start.runs ?? []);
  const startData = new Set(start.data ?? []);
  for (const id of startRuns) graph.run(id, runNames.get(id) ?? '', 0);
  const byDepth: Array<{ runs: number[]; data: number[] }> = [];
  const at = (depth: number) => {
    byDepth[depth] ??= { runs: [], data: [] };
    return byDepth[depth];
  };
  for (const d of dataKeys.keys()) at(reach.dataDepth[d] as number).data.push(d);
  for (const r of runKeys.keys()) at(reach.runDepth[r] as number).runs.push(r);
  for (const { runs, data: datas } of byDepth.filter((b) => b !== undefined)) {
    for (const d of datas) {
      const key = dataKeys.get(d) as string;
      const first = firstName[d] as number;
      const names = first === -1 ? [] : [first, ...(moreNames.get(d) ?? [])];
      const depth = startData.delete(key) ? 0 : (reach.dataDepth[d] as number);
      graph.data(
        key,
        names.map((n) => labels.get(n) as string),
        depth,
        true,
      );
    }
    for (const r of runs) {
      const id = runKeys.get(r) as string;
      if (!startRuns.has(id))
        graph.run(id, runNames.get(id) ?? '', reach.runDepth[r] as number, true);
    }
  }
  // Start data no walked row touches.
  for (const key of startData) graph.data(key, undefined, 0);
  if (graph.withEdges) addEdges(graph, rows, reach.rows, runKeys, dataKeys);
}

/**
 * An edge a distinct (run, data, direction) walked, in the graph's order (inputs by their data
 * then run, the rest by their run then data, by the keys' ranks); node ids made once a node.
 * Each row is one number of its side, ranks and direction: sorted as numbers, repeats next to
 * each other. (Past 2^53 — tens of millions of nodes reached — a row's string, in walk order.)
 */
function addEdges(
  graph: GraphBuilder,
  rows: WalkRows,
  walked: readonly number[],
  runKeys: Map<number, string>,
  dataKeys: Map<number, string>,
): void {
  const { run, data, dir } = rows;
  const runs = [...runKeys.keys()];
  const datas = [...dataKeys.keys()];
  const runRank = new Int32Array(rows.runs);
  const dataRank = new Int32Array(rows.datas);
  runs.forEach((r, i) => {
    runRank[r] = i;
  });
  datas.forEach((d, i) => {
    dataRank[d] = i;
  });
  const size = Math.max(runs.length, datas.length, 1);
  const edges: Array<[number, number, number]> = [];
  if (2 * size * size * DIRECTIONS.length < Number.MAX_SAFE_INTEGER) {
    const keys = new Float64Array(walked.length);
    walked.forEach((i, k) => {
      const r = runRank[run[i] as number] as number;
      const d = dataRank[data[i] as number] as number;
      const [side, first, second] = dir[i] === 0 ? [0, d, r] : [1, r, d];
      keys[k] = ((side * size + first) * size + second) * DIRECTIONS.length + (dir[i] as number);
    });
    keys.sort();
    keys.forEach((key, k) => {
      if (k > 0 && key === keys[k - 1]) return;
      const way = key % DIRECTIONS.length;
      const pair = (key - way) / DIRECTIONS.length;
      const second = pair % size;
      const first = ((pair - second) / size) % size;
      const [r, d] = way === 0 ? [second, first] : [first, second];
      edges.push([runs[r] as number, datas[d] as number, way]);
    });
  } else {
    const seen = new Set<string>();
    for (const i of walked) {
      const edge = `${run[i]} ${data[i]} ${dir[i]}`;
      if (seen.has(edge)) continue;
      seen.add(edge);
      edges.push([run[i] as number, data[i] as number, dir[i] as number]);
    }
  }
  const runNode = new Map([...runKeys].map(([r, id]) => [r, `run:${id}`]));
  const dataNode = new Map([...dataKeys].map(([d, key]) => [d, `data:${key}`]));
  for (const [r, d, way] of edges) {
    const from = runNode.get(r) as string;
    const to = dataNode.get(d) as string;
    const kind = DIRECTIONS[way] ?? 'output';
    graph.distinctEdge(kind === 'input' ? { from: to, to: from, kind } : { from, to, kind });
  }
}

/** Each id's key in `dictionary`, for the ids in `list`. */
async function lookup(session: Session, dictionary: string, list: number[]) {
  const found = await pairs(
    session,
    `SELECT id::VARCHAR AS id, key FROM ${dictionary}
      WHERE id IN (SELECT unnest(from_json($1::JSON, '["INTEGER"]')))`,
    [jsonList(list)],
  );
  return new Map([...found].map(([id, key]) => [Number(id), key]));
}

/** Run names from the runs table ('' where a run has none there). */
function namesOfRuns(session: Session, runIds: string[]): Promise<Map<string, string>> {
  return pairs(
    session,
    `SELECT run_id AS id, coalesce(any_value(name), '') AS key FROM runs
      WHERE run_id IN (SELECT unnest(from_json($1::JSON, '["VARCHAR"]'))) GROUP BY run_id`,
    [jsonList([...new Set(runIds)])],
  );
}

/**
 * The `(id, key)` rows of `select` (ids without a space) as a map, read as one text of
 * `<id> <key>` lines: reading tens of thousands of strings one by one costs more than the
 * query. Where a key holds a line break, they are read one by one.
 */
async function pairs(
  session: Session,
  select: string,
  params: unknown[],
): Promise<Map<string, string>> {
  const [all] = await session.rows(
    // Ordered in a subquery, not in the aggregate (which sorts apart, at twice the cost): the
    // order only spares the graph's sort its work, so an order not kept costs time, not truth.
    `SELECT string_agg(id || ' ' || key, chr(10)) AS lines,
            coalesce(bool_or(contains(key, chr(10))), false) AS broken
       FROM (${select} ORDER BY key)`,
    params,
  );
  const out = new Map<string, string>();
  if (all?.broken) {
    const [id, key] = (await session.columns(`${select} ORDER BY key`, params)) as [
      string[],
      string[],
    ];
    id.forEach((n, i) => {
      out.set(n, key[i] as string);
    });
  } else if (typeof all?.lines === 'string') {
    for (const line of all.lines.split('\n')) {
      const space = line.indexOf(' ');
      out.set(line.slice(0, space), line.slice(space + 1));
    }
  }
  return out;
}

/** The ids a walk reached (depth ≥ 0). */
function reached(depths: Int32Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < depths.length; i++) if ((depths[i] as number) >= 0) out.push(i);
  return out;
}
