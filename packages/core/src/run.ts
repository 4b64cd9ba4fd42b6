import { cpSync, renameSync, rmSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { type CheckoutResult, checkout } from './checkout.js';
import { findProject, openStore } from './config.js';
import { upsertDvcYamlArtifact } from './dvc/dvcyaml.js';
import { ignoreInGit, writeDvcFile } from './dvc/pointer.js';
import { TroveError } from './errors.js';
import { EventLog } from './events.js';
import { readGitInfo } from './git-info.js';
import { HashState } from './hash/hash-state.js';
import { type Ingested, ingestPath, type Progress, statArtifactPath } from './ingest.js';
import {
  defaultArtifactName,
  logicalPath,
  validateArtifactName,
  validateArtifactType,
  validateRelPath,
  validateStep,
} from './naming.js';
import type { ArtifactRecord, LineageRow, RunRecord, RunStatus } from './records.js';
import { resolveArtifactRef } from './refs.js';
import { Store } from './store.js';

export interface StartRunOptions {
  name?: string;
  /** Working directory: relative paths are resolved against it. Defaults to `process.cwd()`. */
  cwd?: string;
  /** A store, or the name of one in `trove.yaml`. Defaults to the project's store. */
  store?: Store | string;
  configFile?: string;
  params?: Record<string, unknown>;
  tags?: Record<string, string>;
  /** The run's local folder (DVCLive's `dvclive/`): `copy: true` copies into `<dir>/artifacts`. */
  dir?: string;
  /** The dvc.yaml that gets `artifacts:` entries (DVCLive's default: `dvc.yaml` in cwd); `false` for none. */
  dvcyaml?: string | false;
  /** Folders to resolve backend packages from, besides the project. */
  resolveFrom?: string[];
  /**
   * Write nothing to the store until something is logged (the CLI's one-shot runs: a rejected
   * input leaves no trace). By default the run is recorded as `running` at once.
   */
  deferRecord?: boolean;
}

export interface LogArtifactOptions {
  /** `model`, `dataset`, …; names the `assets/<type>/` folder when a step is given. */
  type?: string;
  /** Defaults to the path's stem. Must pass DVC's artifact-name rule. */
  name?: string;
  desc?: string;
  labels?: string[];
  meta?: Record<string, unknown>;
  /** Copy into `<run dir>/artifacts/` first and track the copy. */
  copy?: boolean;
  /** `false` records metadata only; the content is not stored and no `.dvc` file is written. */
  cache?: boolean;
  /** Versioned: the artifact goes to `assets/<type>/<name>_<step>[.<ext>]`. */
  step?: number;
  /** Unversioned: the folder under `outputs/`. */
  relPath?: string;
  onProgress?: (progress: Progress) => void;
}

export interface LogRefOptions {
  name?: string;
  kind?: string;
  summary?: Record<string, unknown>;
  /** True for an input the run consumed (Polyaxon's `is_input`). */
  isInput?: boolean;
}

export interface UseArtifactOptions {
  /** Where to put it; defaults to its file name in the working directory. */
  to?: string;
}

export interface UsedArtifact extends CheckoutResult {
  md5: string;
  name: string;
  runId?: string;
}

const URI_RE = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;

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
  /** The DVC repository around the working directory, if any (its .dvcignore rules apply). */
  readonly #dvcRoot: string | undefined;
  readonly cwd: string;
  readonly dir: string;
  readonly #dvcyaml: string | undefined;
  readonly #record!: RunRecord;
  readonly #artifacts: Record<string, ArtifactRecord> = {};
  readonly #lineage: LineageRow[] = [];
  readonly #events: EventLog;
  #hashState: HashState | undefined;
  readonly #ownsStore: boolean;
  #step: number | undefined;
  #ended = false;
  /** Set when this object continues a run recorded earlier (possibly by another process). */
  #resumedStatus: RunStatus | undefined;
  #persisting: Promise<void> = Promise.resolve();
  readonly #pending = new Set<Promise<unknown>>();

  /** Use `startRun()` or `resumeRun()`. */
  constructor(init: {
    store: Store;
    ownsStore: boolean;
    cwd: string;
    root: string;
    options: StartRunOptions;
    resume?: ResumeState;
  }) {
    const { options, resume } = init;
    this.id = resume?.record.id ?? uuidv7().replaceAll('-', '');
    this.name = resume?.record.name ?? options.name ?? `run-${this.id.slice(0, 8)}`;
    this.store = init.store;
    this.#ownsStore = init.ownsStore;
    this.cwd = init.cwd;
    this.root = init.root;
    this.#dvcRoot = findProject(init.cwd).dvcRoot;
    this.dir = resolve(this.cwd, options.dir ?? 'trove');
    this.#dvcyaml =
      options.dvcyaml === false ? undefined : resolve(this.cwd, options.dvcyaml ?? 'dvc.yaml');
    this.#events = new EventLog();
    if (resume) {
      this.#record = resume.record;
      this.#resumedStatus = resume.record.status;
      Object.assign(this.#artifacts, resume.artifacts);
      this.#lineage.push(...resume.lineage);
      for (const [file, text] of resume.events) this.#events.load(file, text);
      if (typeof resume.record.summary.step === 'number') this.#step = resume.record.summary.step;
      return;
    }
    const git = readGitInfo(this.root);
    this.#record = {
      id: this.id,
      name: this.name,
      status: 'running',
      startTime: new Date().toISOString(),
      params: { ...(options.params ?? {}) },
      summary: {},
      tags: { ...(options.tags ?? {}) },
      host: {
        hostname: hostname(),
        user: safeUser(),
        platform: process.platform,
        node: process.version,
      },
      root: this.root,
      ...(git ? { git } : {}),
    };
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
    await this.#persist();
  }

  logParam(name: string, value: unknown): void {
    this.logParams({ [name]: value });
  }

  logParams(params: Record<string, unknown>): void {
    this.#assertActive();
    Object.assign(this.#record.params, params);
  }

  /** Records a metric value at a step (default: the current step); the summary keeps the latest. */
  logMetric(name: string, value: number, options: { step?: number } = {}): void {
    this.#assertActive();
    if (typeof value !== 'number')
      throw new TroveError('INVALID_ARGUMENT', `Metric ${name} must be a number.`);
    const step = validateStep(options.step) ?? this.step;
    this.#events.add('metric', name, step, value);
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
    return this.#track(this.#logArtifact(path, options));
  }

  /** `logArtifact` with `type: "model"`; `framework` goes into `meta`. */
  logModel(
    path: string,
    options: LogArtifactOptions & { framework?: string } = {},
  ): Promise<ArtifactRecord> {
    const { framework, ...rest } = options;
    const meta = withFramework(rest.meta, framework);
    return this.logArtifact(path, {
      ...rest,
      type: rest.type ?? 'model',
      ...(meta ? { meta } : {}),
    });
  }

  async #logArtifact(path: string, options: LogArtifactOptions): Promise<ArtifactRecord> {
    this.#assertActive();
    // Every argument is checked before anything is read or written.
    const type = options.type === undefined ? undefined : validateArtifactType(options.type);
    const name = options.name === undefined ? undefined : validateArtifactName(options.name);
    const step = validateStep(options.step);
    const relPath = validateRelPath(options.relPath);
    const labels = checkLabels(options.labels);
    const meta = checkMeta(options.meta);
    if (options.desc !== undefined && typeof options.desc !== 'string') {
      throw new TroveError('INVALID_ARGUMENT', 'desc must be a string.');
    }
    const source = resolve(this.cwd, path);
    statArtifactPath(source);
    const artifactName = name ?? defaultArtifactName(source);
    const cache = options.cache ?? true;

    const ingested = await ingestPath(source, {
      store: cache ? this.store.objects : undefined,
      state: this.#state(),
      onProgress: options.onProgress,
      ...(this.#dvcRoot ? { dvcRoot: this.#dvcRoot } : {}),
    });
    this.#state().save();

    const tracked = options.copy ? copyInto(source, join(this.dir, 'artifacts')) : source;
    let dvcFile: string | undefined;
    if (cache) {
      dvcFile = writeDvcFile(tracked, ingested);
      ignoreInGit(tracked);
    }
    const hasMetadata = [
      options.type,
      options.name,
      options.desc,
      options.labels,
      options.meta,
    ].some((v) => v !== undefined);
    if (hasMetadata && this.#dvcyaml) {
      upsertDvcYamlArtifact(this.#dvcyaml, artifactName, {
        path: tracked,
        ...(type !== undefined ? { type } : {}),
        ...(options.desc !== undefined ? { desc: options.desc } : {}),
        ...(labels ? { labels } : {}),
        ...(meta ? { meta } : {}),
      });
    }
    const logical = logicalPath({
      source: tracked,
      isdir: ingested.isdir,
      name: artifactName,
      type,
      step,
      relPath,
    });
    const record = this.#artifactRecord(logical, artifactName, ingested, {
      type,
      step,
      desc: options.desc,
      labels,
      meta,
      cached: cache,
      source: this.#rel(tracked),
      dvcFile: dvcFile ? this.#rel(dvcFile) : undefined,
    });
    this.#artifacts[logical] = record;
    this.#lineage.push(
      this.#lineageRow(
        artifactName,
        type ?? (ingested.isdir ? 'dir' : 'file'),
        logical,
        false,
        !cache,
        summaryOf(ingested, step),
      ),
    );
    if (step !== undefined) {
      const kind = type ?? 'file';
      // Polyaxon's V1EventModel / V1EventArtifact, without empty fields.
      const value =
        kind === 'model'
          ? {
              ...(meta?.framework !== undefined ? { framework: meta.framework } : {}),
              path: logical,
            }
          : { kind, path: logical };
      this.#events.add(kind === 'model' ? 'model' : 'artifact', artifactName, step, value, kind);
    }
    await this.#persist();
    return record;
  }

  /**
   * Records lineage only (Polyaxon's `log_artifact_ref`): nothing is copied or stored. A readable
   * local path gets its md5 recorded; a URI (`s3://…`) is recorded as given.
   */
  logArtifactRef(pathOrUri: string, options: LogRefOptions = {}): Promise<LineageRow> {
    return this.#track(this.#logRef(pathOrUri, options));
  }

  /** `logArtifactRef` with kind `model`. */
  logModelRef(
    pathOrUri: string,
    options: LogRefOptions & { framework?: string } = {},
  ): Promise<LineageRow> {
    const { framework, ...rest } = options;
    const summary = withFramework(rest.summary, framework);
    return this.logArtifactRef(pathOrUri, {
      ...rest,
      kind: 'model',
      ...(summary ? { summary } : {}),
    });
  }

  async #logRef(pathOrUri: string, options: LogRefOptions): Promise<LineageRow> {
    this.#assertActive();
    if (typeof pathOrUri !== 'string' || pathOrUri === '') {
      throw new TroveError('INVALID_ARGUMENT', 'A reference needs a path or URI.');
    }
    const name =
      options.name === undefined
        ? defaultArtifactName(pathOrUri.replace(URI_RE, ''))
        : validateArtifactName(options.name);
    const kind = options.kind === undefined ? undefined : validateArtifactType(options.kind);
    const summary: Record<string, unknown> = { ...(options.summary ?? {}) };
    let path = pathOrUri;
    let isdir = false;
    if (!URI_RE.test(pathOrUri)) {
      const local = resolve(this.cwd, pathOrUri);
      path = this.#rel(local);
      try {
        const ingested = await ingestPath(local, {
          state: this.#state(),
          ...(this.#dvcRoot ? { dvcRoot: this.#dvcRoot } : {}),
        });
        this.#state().save();
        isdir = ingested.isdir;
        Object.assign(summary, summaryOf(ingested));
      } catch {
        // Polyaxon hashes a reference only when it can read it; an unreadable one is still recorded.
      }
    }
    const row = this.#lineageRow(
      name,
      kind ?? (isdir ? 'dir' : 'file'),
      path,
      options.isInput ?? false,
      true,
      summary,
    );
    this.#lineage.push(row);
    await this.#persist();
    return row;
  }

  /**
   * Fetches an artifact logged by any run and records it as this run's input. `ref` is a name
   * (newest wins), `runs:/<run>/<path>`, `<run>/<path>`, or an md5. The content is linked out of
   * a local store (reflink, hardlink, then copy) or downloaded and verified.
   */
  useArtifact(ref: string, options: UseArtifactOptions = {}): Promise<UsedArtifact> {
    return this.#track(this.#useArtifact(ref, options));
  }

  async #useArtifact(ref: string, options: UseArtifactOptions): Promise<UsedArtifact> {
    this.#assertActive();
    const found = await resolveArtifactRef(this.store, ref);
    const fileName = found.record ? basename(found.record.path) : found.md5;
    const dest = resolve(this.cwd, options.to ?? fileName);
    const result = await checkout(this.store.objects, found.md5, dest);
    this.#lineage.push(
      this.#lineageRow(
        found.name,
        found.kind,
        found.record ? `runs:/${found.runId}/${found.record.path}` : `md5:${found.md5}`,
        true,
        false,
        {
          md5: found.md5,
          ...(found.size !== undefined ? { size: found.size } : {}),
          ...(found.nfiles !== undefined ? { nfiles: found.nfiles } : {}),
          ...(found.runId ? { run: found.runId } : {}),
          localPath: this.#rel(dest),
        },
      ),
    );
    await this.#persist();
    return {
      ...result,
      md5: found.md5,
      name: found.name,
      ...(found.runId ? { runId: found.runId } : {}),
    };
  }

  /** Waits for every log call made so far, then saves the run's records. */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
    await this.#persist();
  }

  /** Ends the run: waits for pending logs, then saves it as `completed` (or `failed`). Idempotent. */
  async end(status: Exclude<RunStatus, 'running'> = 'completed'): Promise<void> {
    if (this.#ended) return;
    try {
      await this.flush();
    } catch (err) {
      status = 'failed';
      throw err;
    } finally {
      this.#ended = true;
      // Adding to a run that had already ended keeps its status and end time.
      if (this.#resumedStatus === undefined || this.#resumedStatus === 'running') {
        this.#record.status = status;
        this.#record.endTime = new Date().toISOString();
      }
      if (this.#step !== undefined) this.#record.summary.step = this.step;
      await this.#persist(true);
      this.#hashState?.save();
      if (this.#ownsStore) await this.store.close();
    }
  }

  /** Drops the run without recording anything more (nothing already saved is removed). */
  async abandon(): Promise<void> {
    this.#ended = true;
    if (this.#ownsStore) await this.store.close();
  }

  /** `await using run = await startRun()`: ends the run when the block exits, even by an exception. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.end();
  }

  /** The stat cache, loaded on first use: a run that logs no files never reads it. */
  #state(): HashState {
    this.#hashState ??= HashState.load(join(this.root, '.trove', 'tmp', 'hashes.json'));
    return this.#hashState;
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

  #rel(path: string): string {
    const rel = relative(this.root, path);
    return rel.split(sep).join('/') || '.';
  }

  #artifactRecord(
    logical: string,
    name: string,
    ingested: Ingested,
    extra: {
      type?: string;
      step?: number;
      desc?: string;
      labels?: string[];
      meta?: Record<string, unknown>;
      cached: boolean;
      source: string;
      dvcFile?: string;
    },
  ): ArtifactRecord {
    const record: ArtifactRecord = {
      path: logical,
      name,
      md5: ingested.md5,
      size: ingested.size,
      isdir: ingested.isdir,
      cached: extra.cached,
      source: extra.source,
      loggedAt: new Date().toISOString(),
    };
    if (extra.type !== undefined) record.type = extra.type;
    if (ingested.nfiles !== undefined) record.nfiles = ingested.nfiles;
    if (ingested.isexec) record.isexec = true;
    if (extra.step !== undefined) record.step = extra.step;
    if (extra.desc !== undefined) record.desc = extra.desc;
    if (extra.labels) record.labels = extra.labels;
    if (extra.meta) record.meta = extra.meta;
    if (extra.dvcFile) record.dvcFile = extra.dvcFile;
    return record;
  }

  #lineageRow(
    name: string,
    kind: string,
    path: string,
    isInput: boolean,
    isRef: boolean,
    summary: Record<string, unknown>,
  ): LineageRow {
    return {
      name,
      kind,
      path,
      isInput,
      isRef,
      run: this.id,
      connection: this.store.name,
      summary,
      timestamp: new Date().toISOString(),
    };
  }

  /** Saves the records; calls are queued so writes of one run never interleave. */
  #persist(final = false): Promise<void> {
    const write = async (): Promise<void> => {
      const store = this.store;
      if (final || this.#record.status === 'running')
        await store.writeJson(store.runKey(this.id, 'run.json'), this.#record);
      await store.writeJson(store.runKey(this.id, 'artifacts.json'), this.#artifacts);
      const lineage = this.#lineage.map((row) => JSON.stringify(row)).join('\n');
      await store.meta.write(
        store.runKey(this.id, 'lineage.jsonl'),
        lineage === '' ? '' : `${lineage}\n`,
      );
      for (const [file, text] of this.#events.drainDirty()) {
        await store.meta.write(store.runKey(this.id, 'events', file), text);
      }
    };
    this.#persisting = this.#persisting.then(write, write);
    return this.#persisting;
  }
}

/** Starts a run and records it in the store (status `running`). */
export async function startRun(options: StartRunOptions = {}): Promise<Run> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const ownsStore = !(options.store instanceof Store);
  const store =
    options.store instanceof Store
      ? options.store
      : await openStore({
          cwd,
          store: options.store,
          configFile: options.configFile,
          resolveFrom: options.resolveFrom,
        });
  const run = new Run({ store, ownsStore, cwd, root: findProject(cwd).root, options });
  if (!options.deferRecord) await run.flush();
  return run;
}

/** Everything a store holds about a run, to continue it. */
interface ResumeState {
  record: RunRecord;
  artifacts: Record<string, ArtifactRecord>;
  lineage: LineageRow[];
  events: Array<[string, string]>;
}

/**
 * Continues a run recorded in the store (by this or another process): later log calls add to
 * its artifacts, lineage and events. A run that had ended keeps its status.
 */
export async function resumeRun(
  runId: string,
  options: Omit<StartRunOptions, 'name'> = {},
): Promise<Run> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const ownsStore = !(options.store instanceof Store);
  const store =
    options.store instanceof Store
      ? options.store
      : await openStore({
          cwd,
          store: options.store,
          configFile: options.configFile,
          resolveFrom: options.resolveFrom,
        });
  try {
    const id = await store.resolveRunId(runId);
    const eventsPrefix = store.runKey(id, 'events/');
    const events: Array<[string, string]> = [];
    for await (const entry of store.meta.list(eventsPrefix)) {
      events.push([entry.key.slice(eventsPrefix.length), await store.readText(entry.key)]);
    }
    const resume: ResumeState = {
      record: await store.readRun(id),
      artifacts: await store.readArtifacts(id),
      lineage: await store.readLineage(id),
      events,
    };
    return new Run({ store, ownsStore, cwd, root: findProject(cwd).root, options, resume });
  } catch (err) {
    if (ownsStore) await store.close();
    throw err;
  }
}

/** Runs `fn` in a new run; the run ends `completed`, or `failed` if `fn` throws. */
export async function withRun<T>(
  options: StartRunOptions,
  fn: (run: Run) => Promise<T>,
): Promise<T> {
  const run = await startRun(options);
  try {
    const result = await fn(run);
    await run.end('completed');
    return result;
  } catch (err) {
    await run.end('failed').catch(() => undefined);
    throw err;
  }
}

function summaryOf(ingested: Ingested, step?: number): Record<string, unknown> {
  const summary: Record<string, unknown> = {
    hash: `md5:${ingested.md5}`,
    md5: ingested.md5,
    size: ingested.size,
  };
  if (ingested.nfiles !== undefined) summary.nfiles = ingested.nfiles;
  if (step !== undefined) summary.step = step;
  return summary;
}

/** Polyaxon's `framework` argument, kept with the other metadata. */
function withFramework(
  values: Record<string, unknown> | undefined,
  framework: string | undefined,
): Record<string, unknown> | undefined {
  return framework ? { ...(values ?? {}), framework } : values;
}

function checkLabels(labels: unknown): string[] | undefined {
  if (labels === undefined) return undefined;
  if (!Array.isArray(labels) || !labels.every((l) => typeof l === 'string')) {
    throw new TroveError('INVALID_ARGUMENT', 'labels must be a list of strings.');
  }
  return [...labels];
}

function checkMeta(meta: unknown): Record<string, unknown> | undefined {
  if (meta === undefined) return undefined;
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    throw new TroveError('INVALID_ARGUMENT', 'meta must be a mapping of keys to values.');
  }
  try {
    return JSON.parse(JSON.stringify(meta)) as Record<string, unknown>;
  } catch (err) {
    throw new TroveError('INVALID_ARGUMENT', 'meta must be JSON-serialisable.', { cause: err });
  }
}

/**
 * DVCLive's `clean_and_copy_into`: `<dir>/<basename>`, replacing what is there. Copied to a
 * temporary name first, so a failed copy leaves the old one in place.
 */
function copyInto(source: string, dir: string): string {
  const dest = join(dir, basename(source));
  if (dest === source) return dest;
  const tmp = join(dir, `.${basename(source)}.${process.pid}.${Date.now()}.tmp`);
  try {
    cpSync(source, tmp, { recursive: true, dereference: false, preserveTimestamps: true });
    rmSync(dest, { recursive: true, force: true });
    renameSync(tmp, dest);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw new TroveError('UNAVAILABLE', `Could not copy ${source} into ${dirname(dest)}.`, {
      cause: err,
      key: dest,
    });
  }
  return dest;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
