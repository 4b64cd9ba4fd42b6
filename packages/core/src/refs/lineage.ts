/**
 * `trove lineage`'s two questions, from a ref: the graph around what it names (up, down or both,
 * to a depth), and everything downstream of it (`impactedBy`: every run, artifact, model version
 * and alias, through any number of hops).
 */
import { isTroveError, TroveError } from '../errors.js';
import type { Store } from '../record/store.js';
import { dataKeysNamed } from '../tables/lineage-columns.js';
import {
  type LineageGraph,
  type WalkOptions,
  type WalkStart,
  walkLineage,
} from '../tables/lineage-graph.js';
import { openRegistry } from './open-registry.js';
import { resolveArtifactRef } from './resolve-ref.js';

const RUN_ID_RE = /^[0-9a-f]{4,32}$/;

/**
 * The lineage graph around `ref`: a run id, any artifact ref (name, `name@alias`, `name:v<N>`,
 * `runs:/…`, `models:/…`, md5), or the name, path or URI of a dataset only referred to.
 */
export async function lineageGraph(
  store: Store,
  ref: string,
  options: WalkOptions = {},
): Promise<LineageGraph> {
  checkDepth(options.depth);
  return walkLineage(store, openRegistry(store), await startOf(store, ref), options);
}

/**
 * Everything downstream of what `ref` names: runs, data, model versions, aliases (with
 * `edges: false`, only those: no edges).
 */
export async function impactedBy(
  store: Store,
  ref: string,
  options: Pick<WalkOptions, 'edges'> = {},
): Promise<LineageGraph> {
  const start = await startOf(store, ref);
  return walkLineage(store, openRegistry(store), start, { ...options, direction: 'down' });
}

async function startOf(store: Store, ref: string): Promise<WalkStart> {
  if (typeof ref !== 'string' || ref === '') {
    throw new TroveError(
      'INVALID_ARGUMENT',
      'lineage needs a ref: a run, an artifact or a dataset.',
    );
  }
  if (RUN_ID_RE.test(ref)) {
    try {
      return { runs: [await store.resolveRunId(ref)] };
    } catch (err) {
      if (!isTroveError(err, 'NOT_FOUND') && !isTroveError(err, 'AMBIGUOUS')) throw err;
    }
  }
  try {
    return { data: [(await resolveArtifactRef(store, ref)).md5] };
  } catch (err) {
    if (!isTroveError(err, 'NOT_FOUND') && !isTroveError(err, 'INVALID_NAME')) throw err;
    const keys = await dataKeysNamed(store, ref);
    if (keys.length > 0) return { data: keys };
    throw err;
  }
}

function checkDepth(depth: unknown): void {
  if (depth !== undefined && (!Number.isSafeInteger(depth) || (depth as number) < 1)) {
    throw new TroveError(
      'INVALID_ARGUMENT',
      `Invalid depth ${JSON.stringify(depth)}: an integer ≥ 1.`,
    );
  }
}
