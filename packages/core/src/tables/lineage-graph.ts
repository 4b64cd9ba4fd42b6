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
import { GraphBuilder, type LineageGraph } from './lineage-graph-builder.js';
import { readWalk, type WalkStart } from './lineage-read.js';
import { openViews, warnDamaged } from './views.js';

export type { LineageGraph, LineageNode } from './lineage-graph-builder.js';
export type { WalkStart } from './lineage-read.js';

export interface WalkOptions {
  /** `down` (what came from it), `up` (what it came from), or `both` (default). */
  direction?: 'up' | 'down' | 'both';
  /** At most this many hops (default: no limit). */
  depth?: number;
  /**
   * `false`: the nodes only, `edges` empty (a listing of what was reached: tens of thousands of
   * edges are most of a wide walk's answer). Default true.
   */
  edges?: boolean;
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
  const graph = new GraphBuilder(options.edges ?? true);
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
  await attachNames(store, registry, graph);
  return graph.toGraph([
    ...(start.runs ?? []).map((id) => `run:${id}`),
    ...(start.data ?? []).map((key) => `data:${key}`),
  ]);
}

/** Model versions of the data reached (and their aliases), and artifact aliases pinning it. */
async function attachNames(
  store: Store,
  registry: ModelRegistry,
  graph: GraphBuilder,
): Promise<void> {
  const md5s = graph.md5Depths();
  if (md5s.size === 0) return;
  for (const v of await registry.searchVersions()) {
    if (!md5s.has(v.md5)) continue;
    const depth = (md5s.get(v.md5) ?? 0) + 1;
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
    const depth = (md5s.get(a.md5) ?? 0) + 1;
    graph.add({ id, type: 'alias', label: `${a.name}@${a.alias}`, depth, runId: a.runId });
    graph.edge(`data:${a.md5}`, id, 'alias');
  }
}
