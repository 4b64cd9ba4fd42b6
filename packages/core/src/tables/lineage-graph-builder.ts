/**
 * The lineage graph as it is handed out, built node by node: each node once (at its smallest
 * depth), each edge once, both in a stable order (nodes by depth then id, edges by their ends).
 */
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

export interface LineageEdge {
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

const MD5_KEY = /^[0-9a-f]{32}(\.dir)?$/;

/** Nodes by id (each kept at its smallest depth) and edges without repeats. */
export class GraphBuilder {
  readonly #nodes = new Map<string, LineageNode>();
  readonly #edges = new Map<string, LineageEdge>();
  /** Edges known to be distinct from each other and from every other edge (`distinctEdge`). */
  readonly #distinct: LineageEdge[] = [];
  /** Whether edges are kept at all (`WalkOptions.edges`). */
  readonly withEdges: boolean;

  constructor(withEdges = true) {
    this.withEdges = withEdges;
  }

  /** Nodes known to be distinct from each other and from every other node (`distinct`). */
  readonly #distinctNodes: LineageNode[] = [];

  /** A node, kept once by id at its smallest depth. */
  add(node: LineageNode): void {
    const known = this.#nodes.get(node.id);
    if (!known) this.#nodes.set(node.id, node);
    else if (node.depth < known.depth) known.depth = node.depth;
  }

  /**
   * A node the caller knows no other has the id of (a walk's nodes, made distinct by their
   * ids): kept without a lookup, which for tens of thousands of nodes is much of their cost.
   */
  #put(node: LineageNode, distinct: boolean): void {
    if (distinct) this.#distinctNodes.push(node);
    else this.add(node);
  }

  /** A run's node; returns its node id (made once: a walk's edges end at the same string). */
  run(id: string, name: string, depth: number, distinct = false): string {
    const node = `run:${id}`;
    this.#put({ id: node, type: 'run', label: name || id, depth, runId: id }, distinct);
    return node;
  }

  /** Data by its key: an md5, or the path or URI of data known by no md5 (its `uri`). */
  data(key: string, names: readonly string[] | undefined, depth: number, distinct = false): string {
    const isMd5 = MD5_KEY.test(key);
    // Most data has one name: no set and no sort to make for it.
    const sorted =
      names === undefined ? [] : names.length < 2 ? [...names] : [...new Set(names)].sort();
    const label = isMd5 && sorted.length > 0 ? `${sorted.join(', ')} (${key.slice(0, 8)})` : key;
    const node: LineageNode = { id: `data:${key}`, type: 'data', label, depth };
    if (isMd5) node.md5 = key;
    else node.uri = key;
    node.names = sorted;
    this.#put(node, distinct);
    return node.id;
  }

  edge(from: string, to: string, kind: LineageEdge['kind']): void {
    if (!this.withEdges) return;
    const key = `${from}\n${to}\n${kind}`;
    if (!this.#edges.has(key)) this.#edges.set(key, { from, to, kind });
  }

  /**
   * An edge the caller knows is not among the others (a walk's rows, made distinct by their
   * ids): no key is made for it, which for tens of thousands of edges is most of their cost.
   */
  distinctEdge(edge: LineageEdge): void {
    if (this.withEdges) this.#distinct.push(edge);
  }

  /** The depth of each data node known by its md5. */
  md5Depths(): Map<string, number> {
    const out = new Map<string, number>();
    for (const nodes of [this.#distinctNodes, this.#nodes.values()]) {
      for (const n of nodes) if (n.md5) out.set(n.md5, n.depth);
    }
    return out;
  }

  toGraph(start: string[]): LineageGraph {
    const nodes = [...this.#distinctNodes, ...this.#nodes.values()].sort(
      (a, b) => a.depth - b.depth || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
    const edges = [...this.#distinct, ...this.#edges.values()].sort(
      (a, b) => compareJoined(a.from, a.to, b.from, b.to) || (a.kind < b.kind ? -1 : 1),
    );
    return { start, nodes, edges };
  }
}

/**
 * `${a}\n${a2}` against `${b}\n${b2}` (the order edges have always had), without making either
 * string: ends that differ before one ends decide alone; only where one `from` begins the other
 * are the joined strings made.
 */
function compareJoined(a: string, a2: string, b: string, b2: string): number {
  if (a === b) return a2 < b2 ? -1 : a2 > b2 ? 1 : 0;
  if (!a.startsWith(b) && !b.startsWith(a)) return a < b ? -1 : 1;
  const x = `${a}\n${a2}`;
  const y = `${b}\n${b2}`;
  return x < y ? -1 : x > y ? 1 : 0;
}
