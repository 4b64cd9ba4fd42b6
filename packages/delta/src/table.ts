import type { AddFile } from './actions.js';
import { type CommitOptions, type CommitPlan, type CommitResult, runCommit } from './commit.js';
import { readDataFile } from './data-file.js';
import { DeltaError } from './errors.js';
import type { FileLayout } from './file-layout.js';
import { type OptimizeOptions, optimizePlan } from './optimize.js';
import { advanceState, loadState } from './replay.js';
import type { Row } from './rows.js';
import type { DeltaSchema } from './schema.js';
import { type Snapshot, TableState } from './state.js';
import type { DeltaStorage } from './storage.js';
import { type VacuumOptions, type VacuumResult, vacuumTable } from './vacuum.js';

export interface OpenTableOptions {
  schema: DeltaSchema;
  /** Columns (of type string) whose values name each file's partition instead of being stored in it. */
  partitionColumns?: readonly string[];
  /** `commitInfo.engineInfo`; default "trove-delta". */
  engineInfo?: string;
  /** How data files are sorted, cut into row groups and summarized (default: as given, no summary). */
  layout?: FileLayout;
}

/** A Delta table at `prefix` of a store: snapshots by log replay, commits by optimistic concurrency. */
export class DeltaTable {
  readonly storage: DeltaStorage;
  readonly prefix: string;
  readonly schema: DeltaSchema;
  readonly partitionColumns: readonly string[];
  private readonly engineInfo: string;
  private readonly layout: FileLayout | undefined;
  private state: TableState = new TableState();

  constructor(storage: DeltaStorage, prefix: string, options: OpenTableOptions) {
    this.storage = storage;
    this.prefix = prefix;
    this.schema = options.schema;
    this.partitionColumns = options.partitionColumns ?? [];
    this.engineInfo = options.engineInfo ?? 'trove-delta';
    this.layout = options.layout;
  }

  /**
   * The newest snapshot. Later calls list only the log after the version this object last saw;
   * `{ fresh: true }` replays from `_last_checkpoint` as a new reader would.
   */
  async snapshot(options: { fresh?: boolean } = {}): Promise<Snapshot> {
    const state = options.fresh
      ? await loadState(this.storage, this.prefix)
      : await advanceState(this.storage, this.prefix, this.state);
    this.adopt(state);
    return state.snapshot();
  }

  /**
   * Commits what `plan` decides on the newest snapshot, asking it again on the new one whenever
   * another writer took the version first. Data files of a lost attempt that the next attempt does
   * not reuse are deleted.
   *
   * @example await table.commit(() => ({ add: [rows], appTxn: { appId: `run-${id}`, version: 1 } }))
   */
  async commit(plan: CommitPlan, options: CommitOptions = {}): Promise<CommitResult> {
    const { result, state } = await runCommit(
      {
        storage: this.storage,
        prefix: this.prefix,
        schema: this.schema,
        partitionColumns: this.partitionColumns,
        engineInfo: this.engineInfo,
        ...(this.layout ? { layout: this.layout } : {}),
      },
      this.state,
      plan,
      options,
    );
    this.adopt(state);
    return result;
  }

  /** Remembers the newest state seen; calls running at once may finish in any order. */
  private adopt(state: TableState): void {
    if (state.version >= this.state.version) this.state = state;
  }

  /** Appends rows as one data file (per partition). */
  append(rows: readonly Row[], options: CommitOptions = {}): Promise<CommitResult> {
    return this.commit(() => ({ add: [rows] }), options);
  }

  /** The rows of one data file of the table. */
  readRows(file: AddFile, snapshot?: Snapshot): Promise<Row[]> {
    return readDataFile(this.storage, this.prefix, snapshot?.schema ?? this.schema, file);
  }

  /** Every row of the newest snapshot (or of `snapshot`): for tests and small tables. */
  async readAll(snapshot?: Snapshot): Promise<Row[]> {
    const snap = snapshot ?? (await this.snapshot());
    const out: Row[] = [];
    // Row by row: a spread of a large file's rows overflows the call stack (about 120,000).
    for (const file of snap.files) for (const row of await this.readRows(file, snap)) out.push(row);
    return out;
  }

  /** Rewrites small files into files of up to `targetFileRows` rows, in one `dataChange: false` commit. */
  optimize(options: OptimizeOptions, commitOptions: CommitOptions = {}): Promise<CommitResult> {
    if (!Number.isSafeInteger(options.targetFileRows) || options.targetFileRows < 1) {
      throw new DeltaError(
        'INVALID_ARGUMENT',
        'optimize: targetFileRows must be a positive integer',
      );
    }
    return this.commit(optimizePlan(this, options), commitOptions);
  }

  /** Deletes data files the newest snapshot does not use, once older than `olderThanMs`. */
  async vacuum(options: VacuumOptions): Promise<VacuumResult> {
    return vacuumTable(this.storage, this.prefix, await this.snapshot(), options);
  }
}

/**
 * Opens the Delta table rooted at `prefix` (e.g. `tables/runs/`), created by its first commit.
 * Checks the options only; the store is read by `snapshot()` and `commit()`.
 */
export function openTable(
  storage: DeltaStorage,
  prefix: string,
  options: OpenTableOptions,
): DeltaTable {
  if (typeof prefix !== 'string' || (prefix !== '' && !prefix.endsWith('/'))) {
    throw new DeltaError(
      'INVALID_ARGUMENT',
      `a table prefix ends with "/" (got ${JSON.stringify(prefix)})`,
    );
  }
  for (const name of options.partitionColumns ?? []) {
    const field = options.schema?.fields.find((f) => f.name === name);
    if (field?.type !== 'string') {
      throw new DeltaError(
        'INVALID_ARGUMENT',
        `partition column ${name} must be a string column of the schema`,
      );
    }
  }
  return new DeltaTable(storage, prefix, options);
}
