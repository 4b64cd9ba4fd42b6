/** `/api/images` and `/api/images/names`: image artifacts of runs, by name and step. */
import type { ArtifactRecord, Store } from '@trove/core';

export interface ImageEntry {
  run: string;
  name: string;
  /** The step it was logged at; null for an image logged without one. */
  step: number | null;
  path: string;
}

/** Every stored image file of `runIds`, by run (in the order given), name, then step. */
export async function imagesOf(store: Store, runIds: readonly string[]): Promise<ImageEntry[]> {
  const out: ImageEntry[] = [];
  for (const run of runIds) {
    const records = Object.values(await store.readArtifacts(run)).filter(isImage);
    records.sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : (a.step ?? -1) - (b.step ?? -1),
    );
    for (const r of records) out.push({ run, name: r.name, step: r.step ?? null, path: r.path });
  }
  return out;
}

function isImage(record: ArtifactRecord): boolean {
  return record.cached && !record.isdir && record.type === 'image';
}

/** The image names the runs have, sorted. */
export async function imageNames(store: Store, runIds: readonly string[]): Promise<string[]> {
  return [...new Set((await imagesOf(store, runIds)).map((i) => i.name))].sort();
}
