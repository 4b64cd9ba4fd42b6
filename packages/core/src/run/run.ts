import { join, resolve } from 'node:path';
import { TroveError } from '../errors.js';
import { HashState } from '../hash/hash-state.js';
import { validateEventName } from '../layout/events.js';
import { validateStep } from '../layout/paths.js';
import { findProject } from '../project/find-project.js';
import { fireHooks } from '../record/hooks.js';
import type { ArtifactRecord, LineageRow, RunRecord, RunStatus } from '../record/records.js';
import type { RunContents } from '../record/run-folder.js';
import type { Store } from '../record/store.js';
import { bindContext, type RunContext } from './context.js';
import { type ExitStatus, guardRun, unguardRun } from './exit-guard.js';
import { type LogArtifactOptions, logArtifact } from './log-artifact.js';
import { type LogInputOptions, logInput } from './log-input.js';
import { type LogRefOptions, logRef } from './log-ref.js';
import { recordValues } from './record-value.js';
import { RunWriter } from './run-writer.js';
import { type UseArtifactOptions, type UsedArtifact, useArtifact } from './use-artifact.js';

/** Event rows that wait for a save before the run saves them in the background. */
const SAVE_AT_ROWS = 100_000;

/** Where a run keeps its local files and pointers (from `StartRunOptions`). */
export interface RunPlaces {
  /** The run's local folder (DVCLive's `dvclive/`): `copy: true` copies into `<dir>/artifacts`. */
  dir?: string;
  /** The dvc.yaml that gets `artifacts:` entries (DVCLive's default: `dvc.yaml` in cwd); `false` for none. */
  dvcyaml?: string | false;
}

/** How a `Run` object is made (by `startRun`, `resumeRun` and `addArtifact`). */
export interface RunInit {
  store: Store;
  /** Close the store when the run ends (the run opened it). */
  ownsStore: boolean;
  cwd: string;
  places: RunPlaces;
  /** A new run's record, or a recorded run's contents to continue. */
  start: { record: RunRecord } | { resume: RunContents };
}

/**
 * One run of a pipeline: its params, metrics by step, and the artifacts it logged and used,
 * recorded under `runs/<id>/` in the store. Log calls resolve when the bytes and the records
 * are in the store; `end()` (or `await using`) closes the run.
 */
export class Run implements AsyncDisposable {
  readonly id: string;
  readonly name: string;
  readonly store: Store;
  /** The project root (where `.trove/` and `trove.yaml` are). */
  readonly root: string;
  readonly cwd: string;
  readonly dir: string;
  readonly #record: RunRecord;
  readonly #artifacts: Record<string, ArtifactRecord> = {};
  readonly #lineage: LineageRow[] = [];
  readonly #writer: RunWriter;
  readonly #ctx: RunContext;
  readonly #ownsStore: boolean;
  #hashState: HashState | undefined;
  #step: number | undefined;
  #ended = false;
  /** Set when this object continues a run recorded earlier (possibly by another process). */
  readonly #resumedStatus: RunStatus | undefined;
  readonly #pending = new Set<Promise<unknown>>();
  /** Metric names already checked (a long loop checks each name once). */
  readonly #metricNames = new Set<string>();
  /** A background save of event rows is running (`#saveIfMany`). */
  #saving = false;
  /** `end()` under way (a second call, or the exit guard, waits for it). */
  #ending: Promise<void> | undefined;
  /** Told once the run has ended or was dropped (a dialect's active-run stack). */
  readonly #endedListeners: Array<() => void> = [];
  /** How the run ends if the process leaves while it is open (a dialect may end it its way). */
  #exitEnd: (status: ExitStatus) => Promise<void> = (status) => this.end(status);

  /** Use `startRun()` or `resumeRun()`. */
  constructor(init: RunInit) {
    const { start } = init;
    this.#record = 'record' in start ? start.record : start.resume.record;
    this.id = this.#record.id;
    this.name = this.#record.name;
    this.store = init.store;
    this.#ownsStore = init.ownsStore;
    this.cwd = init.cwd;
    const project = findProject(init.cwd);
    this.root = project.root;
    this.dir = resolve(this.cwd, init.places.dir ?? 'trove');
    const resume = 'resume' in start ? start.resume : undefined;
    this.#writer = new RunWriter(this.store, this.#record, resume !== undefined);
    if (resume) {
      this.#resumedStatus = resume.record.status;
      Object.assign(this.#artifacts, resume.artifacts);
      this.#lineage.push(...resume.lineage);
      if (typeof resume.record.summary.step === 'number') this.#step = resume.record.summary.step;
    }
    const { dvcyaml } = init.places;
    this.#ctx = {
      id: this.id,
      store: this.store,
      root: this.root,
      cwd: this.cwd,
      dir: this.dir,
      dvcRoot: project.dvcRoot,
      dvcyaml: dvcyaml === false ? undefined : resolve(this.cwd, dvcyaml ?? 'dvc.yaml'),
      assertActive: () => this.#assertActive(),
      hashState: () => this.#state(),
      addArtifact: (record) => {
        this.#artifacts[record.path] = record;
        this.#writer.addArtifact(record);
      },
      addLineage: (row) => {
        this.#lineage.push(row);
        this.#writer.addLineage(row);
      },
      events: {
        add: (kind, name, step, value, options = {}) => {
          this.#writer.events.add(kind, name, step, value, options.dir, options.at);
          this.#saveIfMany();
        },
        files: () => this.#writer.events.files(),
        summary: (file) => this.#writer.events.summary(file),
        onSaved: (listener) => this.#writer.onEventsSaved(listener),
      },
      persist: () => this.#writer.save(),
      track: (promise) => this.#track(promise),
      onEnded: (listener) => {
        if (this.#ended) listener();
        else this.#endedListeners.push(listener);
      },
      setExitEnd: (end) => {
        this.#exitEnd = end;
      },
    };
    bindContext(this, this.#ctx);
    guardRun(this, (status) => this.#exitEnd(status));
  }

  get status(): RunStatus {
    return this.#record.status;
  }

  /** The current step: 0 until set or advanced. */
  get step(): number {
    return this.#step ?? 0;
  }

  set step(value: number) {
    this.#step = validateStep(value);
  }

  get params(): Readonly<Record<string, unknown>> {
    return this.#record.params;
  }

  /** The latest value of each metric, plus anything set directly. Saved on `end()`. */
  get summary(): Record<string, unknown> {
    return this.#record.summary;
  }

  get artifacts(): Readonly<Record<string, ArtifactRecord>> {
    return this.#artifacts;
  }

  get lineage(): readonly LineageRow[] {
    return this.#lineage;
  }

  /** Moves to the next step and saves what was logged so far. */
  async nextStep(): Promise<void> {
    this.#assertActive();
    this.#step = this.step + 1;
    await this.#writer.save();
  }

  get tags(): Readonly<Record<string, string>> {
    return this.#record.tags;
  }

  /** Sets run tags (MLflow's `set_tags`); values are kept as strings. Saved with the record. */
  setTags(tags: Record<string, unknown>): void {
    this.#assertActive();
    const strings = Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, String(v)]));
    Object.assign(this.#record.tags, strings);
    this.#writer.setTags(strings);
  }

  /**
   * Records a param. A BigInt is kept as a number when it is a safe integer, else as its text;
   * a function, a symbol or a value containing itself is refused (`INVALID_ARGUMENT`).
   */
  logParam(name: string, value: unknown): void {
    if (typeof name !== 'string') {
      throw new TroveError('INVALID_NAME', `A param name is a string, not ${typeof name}.`);
    }
    this.logParams({ [name]: value });
  }

  logParams(params: Record<string, unknown>): void {
    this.#assertActive();
    if (typeof params !== 'object' || params === null || Array.isArray(params)) {
      throw new TroveError('INVALID_ARGUMENT', 'params must be a mapping of names to values.');
    }
    for (const name of Object.keys(params)) {
      if (name.trim() === '') throw new TroveError('INVALID_NAME', 'A param name cannot be empty.');
    }
    // Checked here, so that no value can make a later save of the run fail.
    const values = recordValues(params, 'param');
    Object.assign(this.#record.params, values);
    this.#writer.setParams(values);
  }

  /** Records a metric value at a step (default: the current step); the summary keeps the latest. */
  logMetric(name: string, value: number, options: { step?: number } = {}): void {
    this.#assertActive();
    if (!this.#metricNames.has(name)) {
      validateEventName('metric', name);
      this.#metricNames.add(name);
    }
    if (typeof value !== 'number')
      throw new TroveError('INVALID_ARGUMENT', `Metric ${name} must be a number.`);
    const step = validateStep(options.step) ?? this.step;
    this.#ctx.events.add('metric', name, step, value);
    this.#record.summary[name] = value;
  }

  /**
   * Logs a file or directory: stores its content once (content-addressed), writes `<path>.dvc`
   * as `dvc add` does (and its `.gitignore` line), adds metadata to dvc.yaml `artifacts:` when
   * any is given, and records the artifact and its lineage in the run.
   *
   * @example
   * await run.logArtifact('model.pt', { type: 'model', name: 'mymodel', labels: ['resnet'] });
   */
  logArtifact(path: string, options: LogArtifactOptions = {}): Promise<ArtifactRecord> {
    return this.#track(logArtifact(this.#ctx, path, options));
  }

  /**
   * Records lineage only (Polyaxon's `log_artifact_ref`): nothing is copied or stored. A readable
   * local path gets its md5 recorded, an `s3://`, `gs://` or `az://` object its ETag or
   * generation (with a store of that service in trove.yaml); any other URI is recorded as given.
   */
  logArtifactRef(pathOrUri: string, options: LogRefOptions = {}): Promise<LineageRow> {
    return this.#track(logRef(this.#ctx, pathOrUri, options));
  }

  /**
   * Records a dataset this run reads, with a digest of what it holds now (md5 of a local path;
   * ETag or generation of an `s3://`, `gs://`, `az://` object). Nothing is copied.
   *
   * @example
   * await run.logInput('s3://data/train.parquet', { name: 'train', context: 'training' });
   */
  logInput(pathOrUri: string, options: LogInputOptions = {}): Promise<LineageRow> {
    return this.#track(logInput(this.#ctx, pathOrUri, options));
  }

  /**
   * Fetches an artifact logged by any run and records it as this run's input. `ref` is a name
   * (newest wins), `name:v<N>`, `name@<alias>`, `runs:/<run>/<path>`, `<run>/<path>`, or an md5.
   * The content is linked out of a local store (reflink, hardlink, then copy) or downloaded and
   * verified. A reference or input (by name or URI) is checked instead: when the data under it
   * changed since it was recorded, `CHANGED` (a warning with `allowChanged: true`).
   */
  useArtifact(ref: string, options: UseArtifactOptions = {}): Promise<UsedArtifact> {
    return this.#track(useArtifact(this.#ctx, ref, options));
  }

  /** Waits for every log call made so far, then saves the run's records. */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
    await this.#writer.save();
  }

  /**
   * Ends the run: waits for pending logs, then saves it as `completed` (or `failed`). Idempotent.
   * When a log call or the last save fails, the run ends `failed` and `end()` rejects with that
   * error (the first one); the store is closed either way.
   */
  end(status: Exclude<RunStatus, 'running'> = 'completed'): Promise<void> {
    if (this.#ending) return this.#ending.catch(() => undefined);
    if (this.#ended) return Promise.resolve();
    this.#ending = this.#end(status).finally(() => unguardRun(this));
    return this.#ending;
  }

  async #end(status: Exclude<RunStatus, 'running'>): Promise<void> {
    let failure: { error: unknown } | undefined;
    try {
      await this.flush();
    } catch (err) {
      status = 'failed';
      failure = { error: err };
    }
    this.#ended = true;
    this.#closed();
    // Adding to a run that had already ended keeps its status and end time.
    const ends = this.#resumedStatus === undefined || this.#resumedStatus === 'running';
    if (ends) this.#writer.end(status);
    if (this.#step !== undefined) this.#record.summary.step = this.step;
    try {
      await this.#writer.save(true);
    } catch (err) {
      failure ??= { error: err };
      // The record could not say so: this object does (`run.status`).
      if (ends) this.#record.status = 'failed';
    }
    if (!failure) {
      const notIndexed = await this.#writer.commitToTables();
      if (notIndexed) warnNotIndexed(this.id, notIndexed);
    }
    try {
      this.#hashState?.save();
      if (ends) {
        await fireHooks(this.store, 'run-end', {
          runId: this.id,
          name: this.name,
          status: this.#record.status,
        });
      }
    } finally {
      if (this.#ownsStore) await this.store.close();
    }
    if (failure) throw failure.error;
  }

  /** Drops the run without recording anything more (nothing already saved is removed). */
  async abandon(): Promise<void> {
    this.#ended = true;
    this.#closed();
    unguardRun(this);
    if (this.#ownsStore) await this.store.close();
  }

  /**
   * `await using run = await startRun()`: ends the run when the block exits, even by an
   * exception, but as `completed`: a disposer is not told of the error. `withRun` is.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.end();
  }

  /** No log call is taken any more: the dialects let go of this run (their active run). */
  #closed(): void {
    for (const listener of this.#endedListeners.splice(0)) listener();
  }

  /** The stat cache, loaded on first use: a run that logs no files never reads it. */
  #state(): HashState {
    this.#hashState ??= HashState.load(join(this.root, '.trove', 'tmp', 'hashes.json'));
    return this.#hashState;
  }

  /**
   * Saves in the background once many event rows wait (`flush()` and `end()` wait for it): a long
   * loop's unsaved rows stay bounded, and each save appends only its own rows to the store.
   */
  #saveIfMany(): void {
    if (this.#saving || this.#writer.events.size < SAVE_AT_ROWS) return;
    this.#saving = true;
    const done = (): void => {
      this.#saving = false;
    };
    this.#track(this.#writer.save()).then(done, done);
  }

  #assertActive(): void {
    if (this.#ended)
      throw new TroveError('RUN_ENDED', `Run ${this.id} has ended; start a new run to log more.`);
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#pending.add(promise);
    const forget = (): void => {
      this.#pending.delete(promise);
    };
    promise.then(forget, forget);
    return promise;
  }
}

/**
 * The run is saved; only its rows in the tables are not (they are derived, and the next search or
 * `trove index` catches up from the backlog). Said once, as a warning, not as a failed run.
 */
function warnNotIndexed(runId: string, err: unknown): void {
  const reason = err instanceof Error ? err.message : String(err);
  process.emitWarning(`run ${runId} is saved but not yet in the tables: ${reason}`, {
    code: 'TROVE_NOT_INDEXED',
    detail: 'Searches still find it; `trove index` commits it.',
  });
}
