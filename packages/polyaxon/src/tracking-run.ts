/**
 * A Polyaxon tracking run on trove: the client's calls and path rules over one trove `Run`.
 * The local folder is laid out as the client lays out its artifacts path; what is logged there is
 * stored content-addressed in the run's store, and the events are written in traceml's format
 * through the run's one events channel: the run appends them under `runs/<id>/events/` (as
 * segments: object stores cannot append), and each saved batch is appended here to the local
 * file too, as the client keeps it.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { ArtifactRecord, LineageRow, Run, RunStatus } from '@trove/core';
import { startRun, TroveError } from '@trove/core';
import {
  baseFileName,
  checkLoggablePath,
  defaultArtifactName,
  type EventBatch,
  eventsOf,
  logArtifactAs,
  logicalPath,
  PyFloat,
  pathExtension,
  setExitEnd,
  statArtifactPath,
  validateArtifactName,
  validateEventName,
  validateRelPath,
  validateStep,
} from '@trove/core/dialect';
import { placeCopy, unrecordedOutputs } from './artifacts-folder.js';
import { writeBookkeeping } from './bookkeeping.js';
import { requireFqn, validateKind, validateSummary, validateTimestamp } from './kinds.js';
import type {
  InitOptions,
  LogArtifactOptions,
  LogCurveOptions,
  LogMetricOptions,
  LogModelOptions,
  LogModelRefOptions,
  LogRefOptions,
  PathOptions,
} from './options.js';
import { logCodeRef, logRef, refOptions } from './ref-calls.js';

type RefArgs = [pathOrOptions: string | LogRefOptions, options?: Omit<LogRefOptions, 'path'>];

export class PolyaxonRun {
  /** The trove run underneath (its id, store, artifacts and lineage). */
  readonly run: Run;
  /** The run's local folder: `outputs/`, `assets/`, `events/`. */
  readonly artifactsPath: string;
  /** Local events files this run has written (a first write replaces, later ones append). */
  readonly #localFiles = new Set<string>();
  /** Calls that place files are run one at a time (they share `.gitignore` files). */
  #queue: Promise<unknown> = Promise.resolve();
  /** Set by `end()`: the run takes no more calls; a second `end()`, or the exit guard, waits for it. */
  #ending: Promise<void> | undefined;

  private constructor(run: Run, artifactsPath: string) {
    this.run = run;
    this.artifactsPath = artifactsPath;
    eventsOf(run).onSaved((batch) => this.#writeLocal(batch));
    // A process leaving with the run open ends it as the client's hooks do (atexit: succeeded,
    // sys.excepthook: failed), and a signal as stopped, with run.plx.json written either way.
    setExitEnd(run, (status) => this.end(status));
  }

  /** Starts a run and creates its local folder with `outputs/` in it, as the client does. */
  static async start(options: InitOptions = {}): Promise<PolyaxonRun> {
    const tags = Array.isArray(options.tags)
      ? Object.fromEntries((options.tags as string[]).map((t) => [String(t), '']))
      : (options.tags as Record<string, string> | undefined);
    const cwd = resolve(options.cwd ?? process.cwd());
    const run = await startRun({
      cwd,
      dvcyaml: false,
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...(tags ? { tags } : {}),
      ...(options.store !== undefined ? { store: options.store } : {}),
      ...(options.configFile !== undefined ? { configFile: options.configFile } : {}),
    });
    // Outside the project, as the client's offline root (/tmp/plx/offline/runs/<uuid>) is:
    // the dialect writes nothing into the user's folders, and trove never logs its own store.
    const folder = resolve(cwd, options.artifactsPath ?? join(tmpdir(), 'trove-polyaxon', run.id));
    mkdirSync(join(folder, 'outputs'), { recursive: true });
    const tracking = new PolyaxonRun(run, folder);
    if (options.trackCode ?? true) await logCodeRef(tracking, {});
    return tracking;
  }

  get id(): string {
    return this.run.id;
  }

  /** `<artifacts path>[/<relPath>]`; created only when `ensurePath` is set. */
  getArtifactsPath(relPath?: string, options: PathOptions = {}): string {
    return this.#localPath('', relPath, { ensurePath: false, ...options });
  }

  /** `<artifacts path>/outputs[/<relPath>]`, created (its parent, or itself with `isDir`). */
  getOutputsPath(relPath?: string, options: PathOptions = {}): string {
    return this.#localPath('outputs', relPath, { ensurePath: true, ...options });
  }

  /**
   * Logs a file or folder as the client does: with a step, copied to
   * `assets/<kind>/<name>_<step>[.<ext>]` plus an event row; without, copied to
   * `outputs/<relPath>/<file>` plus a lineage row. Either way stored with the run.
   */
  logArtifact(
    pathOrOptions: string | LogArtifactOptions,
    options: Omit<LogArtifactOptions, 'path'> = {},
  ): Promise<ArtifactRecord> {
    const o =
      typeof pathOrOptions === 'string' ? { ...options, path: pathOrOptions } : pathOrOptions;
    return this.#logFile(o, validateKind(o.kind, 'file'), undefined, false);
  }

  /** `logArtifact` with kind `model`; `framework` and `summary` go into the model event. */
  logModel(
    pathOrOptions: string | LogModelOptions,
    options: Omit<LogModelOptions, 'path'> = {},
  ): Promise<ArtifactRecord> {
    const o =
      typeof pathOrOptions === 'string' ? { ...options, path: pathOrOptions } : pathOrOptions;
    if (o.framework !== undefined && typeof o.framework !== 'string') {
      throw new TroveError('INVALID_ARGUMENT', 'framework must be a string.');
    }
    return this.#logFile(o, 'model', o.framework, true);
  }

  /** One metric value (a Python float in the events file); no step leaves the step cell empty. */
  logMetric(name: string, value: number, options: LogMetricOptions = {}): void {
    this.logMetrics({ [name]: value }, options);
  }

  logMetrics(metrics: Record<string, number>, options: LogMetricOptions = {}): void {
    this.#assertActive();
    const step = validateStep(options.step);
    const at = validateTimestamp(options.timestamp);
    const rows = Object.entries(metrics ?? {}).map(([name, value]) => {
      if (typeof value !== 'number')
        throw new TroveError('INVALID_ARGUMENT', `Metric ${name} must be a number.`);
      return [validateEventName('metric', requireFqn(name)), value] as const;
    });
    const events = eventsOf(this.run);
    for (const [name, value] of rows) {
      events.add('metric', name, step, new PyFloat(value), { at });
      this.run.summary[name] = value;
    }
  }

  /** A custom curve (`V1EventCurve` of kind `custom`): `x` and `y` of the same length. */
  logCurve(
    name: string,
    x: readonly number[],
    y: readonly number[],
    options: LogCurveOptions = {},
  ) {
    this.#assertActive();
    const step = validateStep(options.step);
    const at = validateTimestamp(options.timestamp);
    const numbers = (v: unknown, what: string): number[] => {
      if (!Array.isArray(v) || !v.every((n) => typeof n === 'number')) {
        throw new TroveError('INVALID_ARGUMENT', `${what} must be a list of numbers.`);
      }
      return v as number[];
    };
    const xs = numbers(x, 'x');
    const ys = numbers(y, 'y');
    if (xs.length !== ys.length) {
      throw new TroveError(
        'INVALID_ARGUMENT',
        `x and y of curve ${name} differ in length (${xs.length} and ${ys.length}).`,
      );
    }
    if (options.annotation !== undefined && typeof options.annotation !== 'string') {
      throw new TroveError('INVALID_ARGUMENT', 'annotation must be a string.');
    }
    eventsOf(this.run).add(
      'curve',
      validateEventName('curve', requireFqn(name)),
      step,
      {
        kind: 'custom',
        x: xs.map((n) => new PyFloat(n)),
        y: ys.map((n) => new PyFloat(n)),
        ...(options.annotation ? { annotation: options.annotation } : {}),
      },
      { at },
    );
  }

  /** Lineage only (`log_artifact_ref`): the artifact stays where it is; `kind` defaults to `file`. */
  logArtifactRef(...args: RefArgs): Promise<LineageRow> {
    return logRef(this, refOptions(...args), {});
  }

  /** A model reference: kind `model`, the framework in the summary. */
  logModelRef(
    pathOrOptions: string | LogModelRefOptions,
    options: Omit<LogModelRefOptions, 'path'> = {},
  ): Promise<LineageRow> {
    const o: LogModelRefOptions = refOptions(pathOrOptions, options);
    return logRef(this, { ...o, kind: 'model' }, { extra: { framework: o.framework ?? null } });
  }

  /**
   * A data reference: kind `data`, an input unless `isInput: false`. An input is the run's
   * `logInput`, so it records the data's digest (md5, or an object's ETag or generation) and a
   * later use can tell the data changed.
   */
  logDataRef(options: LogRefOptions & { name: string }): Promise<LineageRow> {
    return logRef(this, { ...options, kind: 'data' }, { isInput: true, asInput: true });
  }

  logFileRef(...args: RefArgs): Promise<LineageRow> {
    return logRef(this, { ...refOptions(...args), kind: 'file' }, {});
  }

  /** A folder reference: kind `dir`, named by the folder's whole name by default. */
  logDirRef(...args: RefArgs): Promise<LineageRow> {
    return logRef(this, { ...refOptions(...args), kind: 'dir' }, { dirName: true });
  }

  /** The Git commit, branch, remote and dirty flag (or `codeRef` as given), as an input. */
  logCodeRef(
    options: { codeRef?: Record<string, unknown>; isInput?: boolean } = {},
  ): Promise<LineageRow | undefined> {
    return logCodeRef(this, options);
  }

  /** Waits for pending calls, then saves the run with its events (to the store, then locally). */
  async flush(): Promise<void> {
    await this.#queue.catch(() => undefined);
    await this.run.flush();
  }

  /**
   * Ends the run: what was saved under `outputs/` and not logged yet is stored with it, the
   * events are written, and the run is recorded as `completed` (or `failed`). Idempotent.
   */
  end(status: Exclude<RunStatus, 'running'> = 'completed'): Promise<void> {
    if (this.#ending) return this.#ending.catch(() => undefined);
    this.#ending = this.#end(status);
    return this.#ending;
  }

  /** `await using run = await PolyaxonRun.start()`: ends it as succeeded, even when the block throws. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.end();
  }

  async #end(status: Exclude<RunStatus, 'running'>): Promise<void> {
    try {
      await this.#queue.catch(() => undefined);
      const recorded = new Set(Object.keys(this.run.artifacts));
      const swept = new Set<string>();
      for (const rel of unrecordedOutputs(this.artifactsPath, recorded)) {
        swept.add(rel);
        const local = join(this.artifactsPath, rel);
        const relPath = dirname(rel).slice('outputs'.length + 1);
        await this.run.logArtifact(local, {
          name: safeName(local),
          dvc: false,
          ...(relPath ? { relPath } : {}),
        });
      }
      await this.run.flush();
      const record = await this.run.store.readRun(this.id);
      const events = eventsOf(this.run);
      writeBookkeeping(this.artifactsPath, record, this.run.lineage, events, status, swept);
    } catch (err) {
      await this.run.end('failed').catch(() => undefined);
      throw err;
    }
    await this.run.end(status);
  }

  /** Throws `RUN_ENDED` once the run has ended. */
  assertActive(): void {
    this.#assertActive();
  }

  /** Runs `fn` after every call queued before it (calls placing files never overlap). */
  enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(fn, fn);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  #assertActive(): void {
    if (this.#ending) throw new TroveError('RUN_ENDED', `Run ${this.id} has ended.`);
  }

  #localPath(
    under: string,
    relPath: string | undefined,
    options: PathOptions & { ensurePath: boolean },
  ): string {
    const rel = validateRelPath(relPath);
    const path =
      rel === '' ? join(this.artifactsPath, under) : join(this.artifactsPath, under, rel);
    if (options.ensurePath && rel !== '') {
      mkdirSync(options.isDir ? path : dirname(path), { recursive: true });
    }
    return path;
  }

  async #logFile(
    o: LogArtifactOptions,
    kind: string,
    framework: string | undefined,
    isModel: boolean,
  ): Promise<ArtifactRecord> {
    this.#assertActive();
    if (typeof o?.path !== 'string' || o.path === '') {
      throw new TroveError('INVALID_ARGUMENT', 'An artifact needs a path.');
    }
    const source = resolve(this.run.cwd, o.path);
    const stat = statArtifactPath(source);
    // The copy below would hide it from the kernel: the project and the store are refused here.
    checkLoggablePath(this.run, source);
    const step = o.versioned === false ? undefined : validateStep(o.step);
    const relPath = validateRelPath(o.relPath);
    const summary = validateSummary(o.summary);
    const at = validateTimestamp(o.timestamp);
    const name = validateArtifactName(requireFqn(o.name ?? baseFileName(source), o.path));
    if (step !== undefined) validateEventName(kind, name);
    const ext = kind === 'model' && stat.isDirectory() ? '' : pathExtension(source);
    const target =
      step === undefined
        ? join(this.artifactsPath, 'outputs', relPath, basename(source.replace(/[\\/]+$/, '')))
        : join(this.artifactsPath, 'assets', kind, `${name}_${step}${ext ? `.${ext}` : ''}`);
    const meta = framework !== undefined ? { ...(summary ?? {}), framework } : summary;
    const path =
      step === undefined
        ? ''
        : logicalPath({ source: target, isdir: stat.isDirectory(), name, type: kind, step });
    return this.enqueue(async () => {
      placeCopy(source, target);
      // No DVC pointers: the Polyaxon layout has none, and this folder is the dialect's own.
      // Every row is given as the client makes it, when the kernel makes it.
      return logArtifactAs(
        this.run,
        target,
        {
          type: kind,
          name,
          dvc: false,
          // At a step the client ignores rel_path (the asset's path is its kind, name and step).
          ...(step !== undefined ? { step } : relPath ? { relPath } : {}),
          ...(meta ? { meta } : {}),
        },
        step === undefined
          ? {
              // The client's lineage row (log_artifact_ref / log_model_ref) carries the caller's
              // summary, a model's framework and the local path beside the content's hash.
              lineageSummary: {
                ...(summary ?? {}),
                ...(isModel ? { framework: framework ?? null } : {}),
                path: target,
              },
            }
          : {
              // The client's row (log_artifact of kind `model` gives V1EventArtifact, log_model
              // V1EventModel), in place of the kernel's.
              event: {
                kind,
                value: isModel
                  ? {
                      ...(framework !== undefined ? { framework } : {}),
                      path,
                      ...(summary !== undefined ? { spec: summary } : {}),
                    }
                  : { kind, path },
                at,
              },
            },
      );
    });
  }

  /** A batch of rows the run saved to the store, appended to the local events file too. */
  #writeLocal(batch: EventBatch): void {
    const { file, header, rows } = batch;
    const local = join(this.artifactsPath, 'events', file);
    if (this.#localFiles.has(file)) appendFileSync(local, rows);
    else {
      mkdirSync(dirname(local), { recursive: true });
      writeFileSync(local, header + rows);
      this.#localFiles.add(file);
    }
  }
}
/** What a file saved under `outputs/` is called when stored at the end of the run. */
function safeName(path: string): string {
  try {
    return defaultArtifactName(path);
  } catch {
    return 'output';
  }
}
