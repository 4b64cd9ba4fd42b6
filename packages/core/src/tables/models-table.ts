/**
 * The models table: one row per registered version, derived from the registry documents
 * (`registry/<name>.json`, the source of truth, updated by compare-and-swap). `trove index`
 * replaces it whole in one commit, for engines that read the bucket; trove's own queries read
 * the documents themselves (a registry is small), so they are never stale.
 */
import type { Row } from '@trove/delta';
import type { Store } from '../record/store.js';
import { ModelRegistry } from '../registry/model-registry.js';
import { openTroveTable } from './tables.js';

export interface ModelRow {
  model: string;
  version: number;
  run_id: string | null;
  source: string;
  md5: string;
  aliases: string[];
  tags: Record<string, string>;
  description: string | null;
  created_time: Date;
  updated_time: Date;
}

export async function modelRows(store: Store): Promise<ModelRow[]> {
  const versions = await new ModelRegistry(store).searchVersions();
  return versions.map((v) => ({
    model: v.name,
    version: v.version,
    run_id: v.runId ?? null,
    source: v.source,
    md5: v.md5,
    aliases: [...v.aliases].sort(),
    tags: v.tags,
    description: v.description ?? null,
    created_time: new Date(v.creationTimestamp),
    updated_time: new Date(v.lastUpdatedTimestamp),
  }));
}

/** Replaces the models table's rows with the registry's, in one commit. */
export async function commitModels(store: Store): Promise<number> {
  const rows = (await modelRows(store)) as unknown as Row[];
  await openTroveTable(store, 'models').delta.commit((snapshot) => {
    if (snapshot.version >= 0 && snapshot.files.length === 0 && rows.length === 0) return undefined;
    return { remove: snapshot.files.map((f) => f.path), add: rows.length > 0 ? [rows] : [] };
  });
  return rows.length;
}
