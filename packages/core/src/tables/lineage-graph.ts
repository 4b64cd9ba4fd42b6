/**
 * The lineage graph, walked through the lineage table (committed rows plus the backlog's, as a
 * search sees them): data → run for each input, run → data for each output or reference. Data is
 * named by its md5, or by its path or URI when only a reference to it was recorded. The walk stays
 * in the engine (temporary tables of the nodes found, one query a hop), so a walk of any depth
 * costs a scan a hop, and a cycle (a run that reads what it wrote) ends where nodes repeat.
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
    const depth = options.depth ?? Number.POSITIVE_INFINITY;
    await session.run(
      'CREATE OR REPLACE TEMP TABLE walk_nodes (kind VARCHAR, id VARCHAR, depth INTEGER)',
    );
    await session.run(
      'CREATE OR REPLACE TEMP TABLE walk_edges (run_id VARCHAR, key VARCHAR, direction VARCHAR, depth INTEGER, way VARCHAR)',
    );
    for (const way of ['down', 'up'] as const) {
      if (direction === (way === 'down' ? 'up' : 'down')) continue;
      await walk(session, start, way, depth);
    }
    await readWalk(session, graph);
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

/**
 * Breadth first, inside the engine: each hop adds the lineage rows that touch the nodes the hop
 * before found, then the nodes those rows reach that no hop found yet. Down: data → runs that
 * read it → what they wrote → … Up: the reverse. Nothing is read into JavaScript until the end.
 */
async function walk(
  session: Session,
  start: WalkStart,
  way: 'up' | 'down',
  maxDepth: number,
): Promise<void> {
  await session.run(
    'CREATE OR REPLACE TEMP TABLE way_nodes (kind VARCHAR, id VARCHAR, depth INTEGER)',
  );
  await session.run(
    `INSERT INTO way_nodes
       SELECT 'run', unnest(from_json($1::JSON, '["VARCHAR"]')), 0
       UNION ALL SELECT 'data', unnest(from_json($2::JSON, '["VARCHAR"]')), 0`,
    [JSON.stringify(start.runs ?? []), JSON.stringify(start.data ?? [])],
  );
  await session.run('INSERT INTO walk_nodes SELECT * FROM way_nodes');
  // Down, a data node leads to the runs that read it and a run to what it wrote; up, the reverse.
  const fromData = way === 'down' ? 'walk_in' : 'walk_made';
  const fromRuns = way === 'down' ? 'walk_made' : 'walk_in';
  // Only one side has a frontier at a time (data, then runs, then data…): the other is skipped.
  let frontier = { run: (start.runs ?? []).length, data: (start.data ?? []).length };
  for (let hop = 1; hop <= maxDepth && frontier.run + frontier.data > 0; hop++) {
    const sides = [
      frontier.data > 0
        ? `SELECT run_id, key, direction, $1, $3 FROM ${fromData}
             WHERE key IN (SELECT id FROM way_nodes WHERE kind = 'data' AND depth = $2)`
        : undefined,
      frontier.run > 0
        ? `SELECT run_id, key, direction, $1, $3 FROM ${fromRuns}
             WHERE run_id IN (SELECT id FROM way_nodes WHERE kind = 'run' AND depth = $2)`
        : undefined,
    ].filter((side) => side !== undefined);
    await session.run(`INSERT INTO walk_edges ${sides.join(' UNION ALL ')}`, [hop, hop - 1, way]);
    await session.run(
      `INSERT INTO way_nodes
       SELECT DISTINCT kind, id, $1 FROM (
         SELECT 'run' AS kind, run_id AS id FROM walk_edges WHERE depth = $1 AND way = $2
         UNION ALL SELECT 'data', key FROM walk_edges WHERE depth = $1 AND way = $2
       ) WHERE (kind, id) NOT IN (SELECT (kind, id) FROM way_nodes)`,
      [hop, way],
    );
    const counts = await session.rows(
      'SELECT kind, count(*) AS n FROM way_nodes WHERE depth = $1 GROUP BY kind',
      [hop],
    );
    frontier = { run: 0, data: 0 };
    for (const c of counts) frontier[c.kind as 'run' | 'data'] = Number(c.n);
  }
  await session.run('INSERT INTO walk_nodes SELECT * FROM way_nodes WHERE depth > 0');
}

/**
 * The walk's nodes and edges, read into the graph as two JSON texts (one value each): reading
 * tens of thousands of rows one by one would cost more than the walk.
 */
async function readWalk(session: Session, graph: GraphBuilder): Promise<void> {
  const [result] = await session.rows(
    `SELECT
       (SELECT to_json(coalesce(list({'id': n.id, 'depth': n.depth, 'name': r.name}), []))
          FROM (SELECT id, min(depth) AS depth FROM walk_nodes WHERE kind = 'run' GROUP BY id) n
          LEFT JOIN (SELECT run_id, any_value(name) AS name FROM runs GROUP BY run_id) r
            ON r.run_id = n.id)::VARCHAR AS runs,
       (SELECT to_json(coalesce(list({'key': key, 'depth': depth, 'names': names, 'path': path}), []))
          FROM (SELECT e.key, min(e.depth) AS depth, list(DISTINCT l.name ORDER BY l.name) AS names,
                       any_value(l.path) AS path
                  FROM walk_edges e JOIN lineage l
                    ON l.run_id = e.run_id AND coalesce(l.md5, l.path) = e.key
                   AND l.direction = e.direction
                 GROUP BY e.key))::VARCHAR AS data,
       (SELECT to_json(coalesce(list({'run': run_id, 'key': key, 'direction': direction}), []))
          FROM (SELECT DISTINCT run_id, key, direction FROM walk_edges))::VARCHAR AS edges`,
  );
  const runs = JSON.parse(String(result?.runs ?? '[]')) as Array<{
    id: string;
    depth: number;
    name: string | null;
  }>;
  for (const r of runs) graph.run(r.id, r.name ?? '', r.depth);
  const data = JSON.parse(String(result?.data ?? '[]')) as Array<{
    key: string;
    depth: number;
    names: string[];
    path: string;
  }>;
  for (const d of data) graph.data(d.key, d.names, d.depth, d.key === d.path ? d.path : undefined);
  const edges = JSON.parse(String(result?.edges ?? '[]')) as Array<{
    run: string;
    key: string;
    direction: string;
  }>;
  for (const e of edges) {
    if (e.direction === 'input') graph.edge(`data:${e.key}`, `run:${e.run}`, 'input');
    else graph.edge(`run:${e.run}`, `data:${e.key}`, e.direction as 'output' | 'reference');
  }
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
  readonly #edges = new Map<string, LineageEdge>();

  add(node: LineageNode): void {
    const known = this.#nodes.get(node.id);
    if (!known) this.#nodes.set(node.id, node);
    else if (node.depth < known.depth) known.depth = node.depth;
  }

  run(id: string, name: string, depth: number): void {
    this.add({ id: `run:${id}`, type: 'run', label: name || id, depth, runId: id });
  }

  data(key: string, names: readonly string[] | undefined, depth: number, uri?: string): void {
    const isMd5 = MD5_KEY.test(key);
    const sorted = [...new Set(names ?? [])].sort();
    this.add({
      id: `data:${key}`,
      type: 'data',
      label: isMd5 && sorted.length > 0 ? `${sorted.join(', ')} (${key.slice(0, 8)})` : key,
      depth,
      ...(isMd5 ? { md5: key } : { uri: uri ?? key }),
      names: sorted,
    });
  }

  edge(from: string, to: string, kind: LineageEdge['kind']): void {
    this.#edges.set(`${from}\n${to}\n${kind}`, { from, to, kind });
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
    const edges = [...this.#edges.values()].sort((a, b) =>
      `${a.from}\n${a.to}` < `${b.from}\n${b.to}` ? -1 : 1,
    );
    return { start, nodes, edges };
  }
}
