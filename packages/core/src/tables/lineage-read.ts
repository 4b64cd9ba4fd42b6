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
  // Keys come in their order (ids are numbered in it: what the backlog added comes after),
  // and nodes and edges are handed to the graph in the order it sorts them by: its sort then
  // finds them in order (the engine orders by bytes, JavaScript by UTF-16 units, so the graph's
  // own sort stays the one that decides).
  const runKeys = await lookup(session, 'w_runs', runIds);
  const dataKeys = await lookup(session, 'w_keys', dataIds);
  const labels = await lookup(session, 'w_labels', [...nameIds]);
  const label = new Map(labels.ids.map((n, k) => [n, labels.keys[k] as string]));
  const runNames = await namesOfRuns(session, [...runKeys.keys, ...(start.runs ?? [])]);
  // The start nodes at depth 0 (each once), the rest as distinct nodes: no lookup by id.
  const startRuns = new Set(start.runs ?? []);
  const startData = new Set(start.data ?? []);
  for (const id of startRuns) graph.run(id, runNames.get(id) ?? '', 0);
  // Each node's id string, by its key's rank, made once for its node and its edges.
  const runNodes: string[] = new Array(runKeys.ids.length);
  const dataNodes: string[] = new Array(dataKeys.ids.length);
  const byDepth: Array<{ runs: number[]; data: number[] }> = [];
  const at = (depth: number) => {
    byDepth[depth] ??= { runs: [], data: [] };
    return byDepth[depth];
  };
  dataKeys.ids.forEach((d, k) => {
    at(reach.dataDepth[d] as number).data.push(k);
  });
  runKeys.ids.forEach((r, k) => {
    at(reach.runDepth[r] as number).runs.push(k);
  });
  for (const { runs, data: datas } of byDepth.filter((b) => b !== undefined)) {
    for (const k of datas) {
      const d = dataKeys.ids[k] as number;
      const key = dataKeys.keys[k] as string;
      const first = firstName[d] as number;
      const more = moreNames.get(d);
      // One array a node (most data has one name), not three.
      const names =
        first === -1
          ? []
          : more === undefined
            ? [label.get(first) as string]
            : [first, ...more].map((n) => label.get(n) as string);
      const depth = startData.delete(key) ? 0 : (reach.dataDepth[d] as number);
      dataNodes[k] = graph.data(key, names, depth, true);
    }
    for (const k of runs) {
      const id = runKeys.keys[k] as string;
      const r = runKeys.ids[k] as number;
      runNodes[k] = startRuns.has(id)
        ? `run:${id}`
        : graph.run(id, runNames.get(id) ?? '', reach.runDepth[r] as number, true);
    }
  }
  // Start data no walked row touches.
  for (const key of startData) graph.data(key, undefined, 0);
  if (graph.withEdges)
    addEdges(graph, rows, reach.rows, runKeys.ids, dataKeys.ids, {
      runs: runNodes,
      data: dataNodes,
    });
}

/**
 * An edge a distinct (run, data, direction) walked, in the graph's order (inputs by their data
 * then run, the rest by their run then data, by the keys' ranks), its ends the node ids made
 * for the nodes (`nodes`, by rank). Each row is one number of its side, ranks and direction:
 * sorted as numbers, repeats next to each other. (Past 2^53 — tens of millions of nodes
 * reached — a row's string, in walk order.)
 */
function addEdges(
  graph: GraphBuilder,
  rows: WalkRows,
  walked: readonly number[],
  runs: readonly number[],
  datas: readonly number[],
  nodes: { runs: readonly string[]; data: readonly string[] },
): void {
  const { run, data, dir } = rows;
  const runRank = new Int32Array(rows.runs);
  const dataRank = new Int32Array(rows.datas);
  runs.forEach((r, i) => {
    runRank[r] = i;
  });
  datas.forEach((d, i) => {
    dataRank[d] = i;
  });
  const edge = (r: number, d: number, way: number) => {
    const from = nodes.runs[r] as string;
    const to = nodes.data[d] as string;
    const kind = DIRECTIONS[way] ?? 'output';
    graph.distinctEdge(kind === 'input' ? { from: to, to: from, kind } : { from, to, kind });
  };
  const size = Math.max(runs.length, datas.length, 1);
  const ways = DIRECTIONS.length;
  if (2 * size * size * ways < Number.MAX_SAFE_INTEGER) {
    const keys = new Float64Array(walked.length);
    for (let k = 0; k < walked.length; k++) {
      const i = walked[k] as number;
      const r = runRank[run[i] as number] as number;
      const d = dataRank[data[i] as number] as number;
      const way = dir[i] as number;
      const pair = way === 0 ? d * size + r : (size + r) * size + d;
      keys[k] = pair * ways + way;
    }
    keys.sort();
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k] as number;
      if (k > 0 && key === keys[k - 1]) continue;
      const way = key % ways;
      const pair = (key - way) / ways;
      const second = pair % size;
      const first = ((pair - second) / size) % size;
      if (way === 0) edge(second, first, way);
      else edge(first, second, way);
    }
  } else {
    const seen = new Set<string>();
    for (const i of walked) {
      const key = `${run[i]} ${data[i]} ${dir[i]}`;
      if (seen.has(key)) continue;
      seen.add(key);
      edge(
        runRank[run[i] as number] as number,
        dataRank[data[i] as number] as number,
        dir[i] as number,
      );
    }
  }
}

/** The keys in `dictionary` of the ids in `list`, in the ids' order (two parallel lists). */
async function lookup(session: Session, dictionary: string, list: number[]) {
  const ids: number[] = [];
  const keys: string[] = [];
  await pairs(
    session,
    `SELECT id::VARCHAR AS id, key FROM ${dictionary}
      WHERE id IN (SELECT unnest(from_json($1::JSON, '["INTEGER"]')))`,
    `${dictionary}.id`,
    [jsonList(list)],
    (id, key) => {
      ids.push(Number(id));
      keys.push(key);
    },
  );
  return { ids, keys };
}

/** Run names from the runs table ('' where a run has none there). */
async function namesOfRuns(session: Session, runIds: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await pairs(
    session,
    `SELECT run_id AS id, coalesce(any_value(name), '') AS key FROM runs
      WHERE run_id IN (SELECT unnest(from_json($1::JSON, '["VARCHAR"]'))) GROUP BY run_id`,
    undefined,
    [jsonList([...new Set(runIds)])],
    (id, key) => {
      out.set(id, key);
    },
  );
  return out;
}

/**
 * The `(id, key)` rows of `select` (ids without a space), by `order` (if given), each handed to
 * `put`, read as one text of `<id> <key>` lines: reading tens of thousands of strings one by one
 * costs more than the query. Where a key holds a line break, they are read one by one.
 */
async function pairs(
  session: Session,
  select: string,
  order: string | undefined,
  params: unknown[],
  put: (id: string, key: string) => void,
): Promise<void> {
  const ordered = order === undefined ? select : `${select} ORDER BY ${order}`;
  const [all] = await session.rows(
    // Ordered in a subquery, not in the aggregate (which sorts apart, at twice the cost): the
    // order only spares the graph's sort its work, so an order not kept costs time, not truth.
    `SELECT string_agg(id || ' ' || key, chr(10)) AS lines,
            coalesce(bool_or(contains(key, chr(10))), false) AS broken
       FROM (${ordered})`,
    params,
  );
  if (all?.broken) {
    const [id, key] = (await session.columns(ordered, params)) as [string[], string[]];
    id.forEach((n, i) => {
      put(n, key[i] as string);
    });
  } else if (typeof all?.lines === 'string') {
    for (const line of all.lines.split('\n')) {
      const space = line.indexOf(' ');
      put(line.slice(0, space), line.slice(space + 1));
    }
  }
}

/** The ids a walk reached (depth ≥ 0). */
function reached(depths: Int32Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < depths.length; i++) if ((depths[i] as number) >= 0) out.push(i);
  return out;
}
