/** `/api/images` and `/api/images/names`: image artifacts of runs, by name and step. */
import type { ArtifactRecord } from '@trove/core';
import type { RunArtifacts } from './run-files.js';

export interface ImageEntry {
  run: string;
  name: string;
  /** The step it was logged at; null for an image logged without one. */
  step: number | null;
  path: string;
}

/** Every stored image file of the runs, by run (in the order given), name, then step. */
export function imagesOf(runs: readonly RunArtifacts[]): ImageEntry[] {
  const out: ImageEntry[] = [];
  for (const { run, artifacts } of runs) {
    const records = Object.values(artifacts).filter(isImage);
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
export function imageNames(runs: readonly RunArtifacts[]): string[] {
  return [...new Set(imagesOf(runs).map((i) => i.name))].sort();
}
