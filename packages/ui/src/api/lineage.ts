/**
 * `/api/lineage`: the graph around a run, an artifact or a content hash, `depth` hops up
 * (toward what it was made from), down (toward what was made from it) or both. Runs come from
 * their lineage rows (`runs/<id>/lineage.jsonl`), artifacts' other runs from the lineage table
 * (`findLineage`), registered versions from the registry.
 */
import {
  findLineage,
  isTroveError,
  type LineageRow,
  type ModelVersion,
  openRegistry,
  resolveArtifactRef,
  type Store,
} from '@trove/core';

export interface LineageNode {
  id: string;
  kind: 'run' | 'artifact' | 'model';
  label: string;
  /** What the app names it by: a run id, an md5 (or a reference's URI), `models:/name/version`. */
  ref: string;
}

export interface LineageEdge {
  from: string;
  to: string;
  kind: 'produced' | 'consumed' | 'reference' | 'registered';
}

/** What an artifact node is made from: a run's lineage row or a lineage table row. */
interface ArtifactRow {
  name: string;
  path: string;
  md5: string | null;
}

type Direction = 'up' | 'down' | 'both';

export async function lineageGraph(store: Store, ref: string, dir: Direction, depth: number) {
  const nodes = new Map<string, LineageNode>();
  const edges = new Map<string, LineageEdge>();
  const add = (node: LineageNode) => {
    if (!nodes.has(node.id)) nodes.set(node.id, node);
  };
  const link = (edge: LineageEdge) => edges.set(`${edge.from} ${edge.to} ${edge.kind}`, edge);
  const runNode = async (runId: string) => {
    const id = `run:${runId}`;
    if (!nodes.has(id)) {
      const name = await store.readRun(runId).then(
        (r) => r.name,
        () => runId,
      );
      add({ id, kind: 'run', label: name || runId, ref: runId });
    }
    return id;
  };
  const artifactNode = (row: ArtifactRow) => {
    const key = row.md5 ?? row.path;
    const id = `artifact:${key}`;
    add({ id, kind: 'artifact', label: row.name || row.path, ref: key });
    return id;
  };
  // what one node leads to in the directions asked: [next node's key, its kind]
  const up = dir !== 'down';
  const down = dir !== 'up';
  // registered versions hang below an artifact: only a graph that goes down reads the registry
  const versions: ModelVersion[] = down ? await openRegistry(store).searchVersions() : [];
  const fromRun = async (runId: string): Promise<string[]> => {
    const me = await runNode(runId);
    const next: string[] = [];
    for (const row of runRows(await store.readLineage(runId))) {
      const art = artifactNode(row);
      if (row.direction === 'input' && up) {
        link({ from: art, to: me, kind: 'consumed' });
        if (row.md5) next.push(`md5:${row.md5}`);
      } else if (row.direction === 'output' && down) {
        link({ from: me, to: art, kind: 'produced' });
        if (row.md5) next.push(`md5:${row.md5}`);
      } else if (row.direction === 'reference' && up) {
        link({ from: art, to: me, kind: 'reference' });
      }
    }
    return next;
  };
  const fromArtifact = async (md5: string): Promise<string[]> => {
    const next: string[] = [];
    for (const t of await findLineage(store, md5)) {
      const art = artifactNode({ name: t.name, path: t.path, md5 });
      if (t.direction === 'output' && up) {
        link({ from: await runNode(t.run_id), to: art, kind: 'produced' });
        next.push(`run:${t.run_id}`);
      } else if (t.direction === 'input' && down) {
        link({ from: art, to: await runNode(t.run_id), kind: 'consumed' });
        next.push(`run:${t.run_id}`);
      } else if (t.direction === 'reference' && down) {
        link({ from: art, to: await runNode(t.run_id), kind: 'reference' });
        next.push(`run:${t.run_id}`);
      }
    }
    if (down) {
      for (const v of versions.filter((x) => x.md5 === md5)) {
        const id = `model:${v.name}/${v.version}`;
        add({
          id,
          kind: 'model',
          label: `${v.name} v${v.version}`,
          ref: `models:/${v.name}/${v.version}`,
        });
        add({ id: `artifact:${md5}`, kind: 'artifact', label: md5, ref: md5 });
        link({ from: `artifact:${md5}`, to: id, kind: 'registered' });
      }
    }
    return next;
  };
  let frontier = [await startOf(store, ref)];
  if (frontier[0]?.startsWith('md5:')) {
    const md5 = frontier[0].slice(4);
    add({ id: `artifact:${md5}`, kind: 'artifact', label: md5, ref: md5 });
  }
  const seen = new Set<string>();
  for (let hop = 0; hop <= depth && frontier.length > 0; hop++) {
    const next: string[] = [];
    for (const key of frontier) {
      if (seen.has(key)) continue;
      seen.add(key);
      if (hop === depth) {
        if (key.startsWith('run:')) await runNode(key.slice(4));
        continue;
      }
      next.push(
        ...(key.startsWith('run:')
          ? await fromRun(key.slice(4))
          : await fromArtifact(key.slice(4))),
      );
    }
    frontier = next;
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()] };
}

/** The start: a run (by id or prefix), else a content hash, else any artifact reference. */
async function startOf(store: Store, ref: string): Promise<string> {
  if (/^[0-9a-f]{4,32}$/.test(ref)) {
    try {
      return `run:${await store.resolveRunId(ref)}`;
    } catch (err) {
      if (!isTroveError(err, 'NOT_FOUND')) throw err;
    }
  }
  const found = await resolveArtifactRef(store, ref);
  return `md5:${found.md5}`;
}

function runRows(rows: readonly LineageRow[]): (ArtifactRow & { direction: string })[] {
  return rows.map((r) => ({
    // As the lineage table says it (core tables/rows.ts): an input only pointed at is an input.
    direction: r.isInput ? 'input' : r.isRef ? 'reference' : 'output',
    name: r.name,
    path: r.path,
    md5: typeof r.summary?.md5 === 'string' ? r.summary.md5 : null,
  }));
}
