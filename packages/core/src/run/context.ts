import { relative, sep } from 'node:path';
import type { HashState } from '../hash/hash-state.js';
import type { ArtifactRecord, LineageRow } from '../record/records.js';
import type { Store } from '../record/store.js';
import type { Ingested } from '../store/ingest.js';

/**
 * What an operation of a run (log an artifact, log a reference, use an artifact) may touch:
 * the run's identity and places, and the few ways to add to its records. `Run` builds one and
 * hands it to each operation file, so the operations never reach into the kernel.
 */
export interface RunContext {
  readonly id: string;
  readonly store: Store;
  /** The project root (where `.trove/` and `trove.yaml` are). */
  readonly root: string;
  readonly cwd: string;
  /** The run's local folder (DVCLive's `dvclive/`; trove's default `trove/`). */
  readonly dir: string;
  /** The DVC repository around the working directory, if any (its .dvcignore rules apply). */
  readonly dvcRoot: string | undefined;
  /** The dvc.yaml that gets `artifacts:` entries, or undefined for none. */
  readonly dvcyaml: string | undefined;
  /** Throws `RUN_ENDED` once the run has ended. */
  assertActive(): void;
  /** The stat cache, loaded on first use. */
  hashState(): HashState;
  addArtifact(record: ArtifactRecord): void;
  addLineage(row: LineageRow): void;
  addEvent(kind: string, name: string, step: number, value: unknown, dir?: string): void;
  /** Saves the run's records (queued: saves of one run never interleave). */
  persist(): Promise<void>;
}

/** A path relative to the project root, `/`-separated (`.` for the root itself). */
export function relToRoot(ctx: Pick<RunContext, 'root'>, path: string): string {
  return relative(ctx.root, path).split(sep).join('/') || '.';
}

/** One lineage row of this run (Polyaxon's V1RunArtifact plus content identity). */
export function lineageRow(
  ctx: Pick<RunContext, 'id' | 'store'>,
  row: { name: string; kind: string; path: string; isInput: boolean; isRef: boolean },
  summary: Record<string, unknown>,
): LineageRow {
  return {
    ...row,
    run: ctx.id,
    connection: ctx.store.name,
    summary,
    timestamp: new Date().toISOString(),
  };
}

/** The content identity of something hashed, as lineage rows carry it. */
export function summaryOf(ingested: Ingested, step?: number): Record<string, unknown> {
  const summary: Record<string, unknown> = {
    hash: `md5:${ingested.md5}`,
    md5: ingested.md5,
    size: ingested.size,
  };
  if (ingested.nfiles !== undefined) summary.nfiles = ingested.nfiles;
  if (step !== undefined) summary.step = step;
  return summary;
}
