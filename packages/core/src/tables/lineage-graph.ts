/**
 * The lineage graph, walked through the lineage table (committed rows plus the backlog's, as a
 * search sees them): data → run for each input, run → data for each output or reference. Data is
 * named by its md5, or by its path or URI when only a reference to it was recorded. The rows are
 * read once as integer ids and walked in memory (`lineage-walk.ts`), so a walk of any depth costs
 * one read, and a cycle (a run that reads what it wrote) ends where nodes repeat; only what the
 * walk reached is named after, in one lookup a dictionary.
 *
 * The data found is joined to what names it: model versions registered from it (and their
 * aliases) and artifact aliases that pin it, so `impactedBy` answers "which models learned from
 * this, and which aliases point at them?".
 */
import type { Store } from '../record/store.js';
import { listArtifactAliases } from '../registry/artifact-aliases.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import { Session } from './engine.js';
import { PERSISTED, walkColumns } from './lineage-columns.js';
import { DIRECTIONS, type WalkRows, walkIds } from './lineage-walk.js';
import { openViews, warnDamaged } from './views.js';

type LineageNodeType = 'run' | 'data' | 'model-version' | 'alias';

export interface LineageNode {
  /** `run:<id>`, `data:<md5 | uri>`, `model:<name>/<version>`, `alias:<name>@<alias>`. */
  id: string;
  type: LineageNodeType;
  /** What a person reads: the run's name, the data's names, `models:/<name>/<version>`, … */
  label: string;
  /** Hops from the nearest start node (0 for a start node). */
  depth: number;
  runId?: string;
  md5?: string;
  /** The names the data was logged or used under. */
  names?: string[];
  /** A reference's path or URI (data known by no md5). */
  uri?: string;
}

interface LineageEdge {
  from: string;
  to: string;
  /** `input`, `output`, `reference` (a run's lineage rows), `version` (registered as), `alias`. */
  kind: 'input' | 'output' | 'reference' | 'version' | 'alias';
}

export interface LineageGraph {
  /** The node ids the walk started from. */
  start: string[];
  nodes: LineageNode[];
  edges: LineageEdge[];
}

export interface WalkOptions {
  /** `down` (what came from it), `up` (what it came from), or `both` (default). */
  direction?: 'up' | 'down' | 'both';
  /** At most this many hops (default: no limit). */
  depth?: number;
}

/** Where a walk starts: run ids, and data by md5 (or a reference's path or URI). */
export interface WalkStart {
  runs?: readonly string[];
  data?: readonly string[];
}

/**
 * Walks the lineage graph from `start` and names what it reaches: runs, data, and (through
 * `registry` and the store's artifact aliases) model versions and aliases of the data reached.
 */
export async function walkLineage(
  store: Store,
  registry: ModelRegistry,
  start: WalkStart,
  options: WalkOptions = {},
): Promise<LineageGraph> {
  const graph = new GraphBuilder();
  const session = await Session.open();
  try {
    const views = await openViews(store, session, ['lineage', 'runs'], warnDamaged, PERSISTED);
    await walkColumns(session, views.committed.get('lineage'), views.backlog);
    const direction = options.direction ?? 'both';
    const ways = direction === 'both' ? (['down', 'up'] as const) : [direction];
    await readWalk(session, graph, start, ways, options.depth ?? Number.POSITIVE_INFINITY);
  } finally {
    session.close();
  }
  for (const id of start.runs ?? []) graph.run(id, '', 0);
  for (const key of start.data ?? []) graph.data(key, undefined, 0);
  await attachNames(store, registry, graph);
  return graph.toGraph([
    ...(start.runs ?? []).map((id) => `run:${id}`),
    ...(start.data ?? []).map((key) => `data:${key}`),
  ]);
}

const jsonList = (values: readonly (string | number)[]) => JSON.stringify(values);

/**
 * Walks the rows as ids (`lineage-walk.ts`: every row read once, the hops in memory), then looks
 * up what the walk reached, once: the runs' ids and names, the data's keys, the names its rows
 * walked gave it.
 */
async function readWalk(
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
  const names = [...new Set(reach.rows.map((i) => name[i] as number))];
  const lookup = async (dictionary: string, list: number[]) => {
    const [id, key] = (await session.columns(
      `SELECT id, key FROM ${dictionary} WHERE id IN (SELECT unnest(from_json($1::JSON, '["INTEGER"]')))`,
      [jsonList(list)],
    )) as [number[], string[]];
    return new Map(id.map((n, i) => [n, key[i] as string]));
  };
  const runKeys = await lookup('w_runs', runIds);
  const dataKeys = await lookup('w_keys', dataIds);
  const labels = await lookup('w_labels', names);
  // A start run is named from the runs table even when no lineage row has it.
  const [named, runName] = (await session.columns(
    `SELECT run_id, any_value(name) AS name FROM runs
      WHERE run_id IN (SELECT unnest(from_json($1::JSON, '["VARCHAR"]'))) GROUP BY run_id`,
    [jsonList([...new Set([...runKeys.values(), ...(start.runs ?? [])])])],
  )) as [string[], (string | null)[]];
  const runNames = new Map(named.map((id, i) => [id, runName[i] ?? '']));
  for (const id of start.runs ?? []) graph.run(id, runNames.get(id) ?? '', 0);
  for (const r of runIds) {
    const id = runKeys.get(r) as string;
    graph.run(id, runNames.get(id) ?? '', reach.runDepth[r] as number);
  }
  // Each data's names: those of the rows walked that touch it.
  const dataNames = new Map<number, string[]>();
  for (const i of reach.rows) {
    const d = data[i] as number;
    const label = labels.get(name[i] as number) as string;
    const list = dataNames.get(d);
    if (!list) dataNames.set(d, [label]);
    else if (!list.includes(label)) list.push(label);
  }
  for (const d of dataIds) {
    graph.data(dataKeys.get(d) as string, dataNames.get(d), reach.dataDepth[d] as number);
  }
  // Node ids made once a node, not once a row.
  const runNode = new Map([...runKeys].map(([r, id]) => [r, `run:${id}`]));
  const dataNode = new Map([...dataKeys].map(([d, key]) => [d, `data:${key}`]));
  for (const i of reach.rows) {
    const r = runNode.get(run[i] as number) as string;
    const d = dataNode.get(data[i] as number) as string;
    const kind = DIRECTIONS[dir[i] as number] ?? 'output';
    if (kind === 'input') graph.edge(d, r, 'input');
    else graph.edge(r, d, kind);
  }
}

/** The ids a walk reached (depth ≥ 0). */
function reached(depths: Int32Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < depths.length; i++) if ((depths[i] as number) >= 0) out.push(i);
  return out;
}

/** Model versions of the data reached (and their aliases), and artifact aliases pinning it. */
async function attachNames(
  store: Store,
  registry: ModelRegistry,
  graph: GraphBuilder,
): Promise<void> {
  const md5s = graph.md5s();
  if (md5s.size === 0) return;
  for (const v of await registry.searchVersions()) {
    if (!md5s.has(v.md5)) continue;
    const depth = graph.depthOf(`data:${v.md5}`) + 1;
    const id = `model:${v.name}/${v.version}`;
    graph.add({ id, type: 'model-version', label: `models:/${v.name}/${v.version}`, depth });
    graph.edge(`data:${v.md5}`, id, 'version');
    for (const alias of v.aliases) {
      const aliasId = `alias:models:/${v.name}@${alias}`;
      graph.add({
        id: aliasId,
        type: 'alias',
        label: `models:/${v.name}@${alias}`,
        depth: depth + 1,
      });
      graph.edge(id, aliasId, 'alias');
    }
  }
  for (const a of await listArtifactAliases(store)) {
    if (!md5s.has(a.md5)) continue;
    const id = `alias:${a.name}@${a.alias}`;
    const depth = graph.depthOf(`data:${a.md5}`) + 1;
    graph.add({ id, type: 'alias', label: `${a.name}@${a.alias}`, depth, runId: a.runId });
    graph.edge(`data:${a.md5}`, id, 'alias');
  }
}

const MD5_KEY = /^[0-9a-f]{32}(\.dir)?$/;

/** Nodes by id (each kept at its smallest depth) and edges without repeats. */
class GraphBuilder {
  readonly #nodes = new Map<string, LineageNode>();
  /** Each edge by `from`, `to` and kind, with the key it is ordered by (`from`, `to`). */
  readonly #edges = new Map<string, { by: string; edge: LineageEdge }>();

  add(node: LineageNode): void {
    const known = this.#nodes.get(node.id);
    if (!known) this.#nodes.set(node.id, node);
    else if (node.depth < known.depth) known.depth = node.depth;
  }

  run(id: string, name: string, depth: number): void {
    this.add({ id: `run:${id}`, type: 'run', label: name || id, depth, runId: id });
  }

  /** Data by its key: an md5, or the path or URI of data known by no md5 (its `uri`). */
  data(key: string, names: readonly string[] | undefined, depth: number): void {
    const isMd5 = MD5_KEY.test(key);
    const sorted = names === undefined ? [] : [...new Set(names)].sort();
    const label = isMd5 && sorted.length > 0 ? `${sorted.join(', ')} (${key.slice(0, 8)})` : key;
    const node: LineageNode = { id: `data:${key}`, type: 'data', label, depth };
    if (isMd5) node.md5 = key;
    else node.uri = key;
    node.names = sorted;
    this.add(node);
  }

  edge(from: string, to: string, kind: LineageEdge['kind']): void {
    const by = `${from}\n${to}`;
    const key = `${by}\n${kind}`;
    if (!this.#edges.has(key)) this.#edges.set(key, { by, edge: { from, to, kind } });
  }

  depthOf(id: string): number {
    return this.#nodes.get(id)?.depth ?? 0;
  }

  md5s(): Set<string> {
    return new Set([...this.#nodes.values()].flatMap((n) => (n.md5 ? [n.md5] : [])));
  }

  toGraph(start: string[]): LineageGraph {
    const order = (a: { depth: number; id: string }, b: { depth: number; id: string }) =>
      a.depth - b.depth || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    const nodes = [...this.#nodes.values()].sort(order);
    // Each edge's sort key is made once, not twice at every comparison (tens of thousands).
    const edges = [...this.#edges.values()]
      .sort((a, b) => (a.by < b.by ? -1 : a.by > b.by ? 1 : a.edge.kind < b.edge.kind ? -1 : 1))
      .map((e) => e.edge);
    return { start, nodes, edges };
  }
}
