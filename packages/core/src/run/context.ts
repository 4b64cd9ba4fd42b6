import { relative, sep } from 'node:path';
import type { HashState } from '../hash/hash-state.js';
import type { EventBatch } from '../layout/events.js';
import type { ArtifactRecord, LineageRow, RunStatus } from '../record/records.js';
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
  readonly events: RunEvents;
  /** Saves the run's records (queued: saves of one run never interleave). */
  persist(): Promise<void>;
  /** Counts `promise` among the run's pending calls (`flush()` and `end()` wait for it). */
  track<T>(promise: Promise<T>): Promise<T>;
  /** `listener` is called once the run has ended (or was dropped), right away if it has. */
  onEnded(listener: () => void): void;
  /** How the run is ended if the process leaves while it is open (default: `run.end(status)`). */
  setExitEnd(end: (status: Exclude<RunStatus, 'running'>) => Promise<void>): void;
}

/**
 * The run's one events channel (`events/<kind>/<name>.plx` in traceml's format): the kernel's
 * metrics and artifact rows and every dialect's rows go through it, are buffered once, and are
 * appended to the store by the run's saves.
 */
export interface RunEvents {
  /** One row for `name` under `events/<dir ?? kind>/`, at `at` (default: now). */
  add(
    kind: string,
    name: string,
    step: number | undefined,
    value: unknown,
    options?: { dir?: string | undefined; at?: Date | undefined },
  ): void;
  /** Every events file the run's writer has added to, sorted (paths under `events/`). */
  files(): string[];
  /** Polyaxon's summary of one events file (step count and range, first and last time). */
  summary(file: string): Record<string, unknown>;
  /** `listener` gets each batch of rows once it is in the store, in order. */
  onSaved(listener: (batch: EventBatch) => void): void;
}

/** Each run's context, for the operations `@trove/core/dialect` hands to the dialect packages. */
const CONTEXTS = new WeakMap<object, RunContext>();

export function bindContext(run: object, ctx: RunContext): void {
  CONTEXTS.set(run, ctx);
}

export function contextOf(run: object): RunContext {
  const ctx = CONTEXTS.get(run);
  if (!ctx) throw new TypeError('Not a trove Run.');
  return ctx;
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
