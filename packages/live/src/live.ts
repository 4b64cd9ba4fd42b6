/**
 * `Live`: DVCLive 3.x for TypeScript. The same calls write the same `dvclive/` tree and
 * dvc.yaml, byte for byte (dvc-formats.md §4–§5), and each Live is also a trove run whose
 * params, metrics, images, plots and artifacts go to the store.
 *
 * File writes happen in the call (as DVCLive's do), except metric history rows, which are
 * buffered and appended on `nextStep()`, `makeSummary()` and `end()`.
 */
import { mkdirSync } from 'node:fs';
import { join, parse, resolve } from 'node:path';
import { findProject, type RunStatus, TroveError } from '@trove/core';
import {
  dumpJsonDvclive,
  dumpYaml,
  endAfter,
  validateEventName,
  writeFileAtomic,
} from '@trove/core/dialect';
import type { ReportInput } from '@trove/report';
import { type ImageValue, prepareImage } from './image.js';
import { type LiveArtifactOptions, logLiveArtifact } from './live-artifact.js';
import { type DvcyamlMemo, type LiveArtifactEntry, writeDvcyaml } from './live-dvcyaml.js';
import { cleanLiveDir, readResumed } from './live-files.js';
import { LivePlots } from './live-plots.js';
import { LiveRun } from './live-run.js';
import { MetricLog } from './metric-log.js';
import {
  type CheckedOptions,
  checkOptions,
  type LiveOptions,
  type LogMetricOptions,
  type LogPlotOptions,
  type LogSklearnPlotOptions,
} from './options.js';
import { cleanName, type SklearnKind } from './plots.js';
import {
  checkParam,
  checkRelName,
  isMetricValue,
  liveMetricValue,
  type MetricValue,
  numericValue,
  pathlibJoin,
  summaryKeys,
} from './py-values.js';
import { renderReport } from './render-report.js';
import { buildReportInput } from './report-input.js';
import { RewriteFile } from './rewrite-file.js';
import { saveDvcExp } from './save-exp.js';
import type { Label } from './sklearn-curves.js';
import { startSystemMonitor } from './system-monitor.js';

const REPORT_EVERY_MS = 5000;

export class Live implements AsyncDisposable {
  /** The latest value of each metric (nested by `/`), written to `metrics.json`. */
  summary: Record<string, unknown> = {};
  readonly dir: string;
  readonly cwd: string;
  /** The dvc.yaml this Live writes, or undefined. */
  readonly dvcFile: string | undefined;
  readonly #o: CheckedOptions;
  readonly #options: LiveOptions;
  #step: number | undefined;
  readonly #params: Record<string, unknown> = {};
  readonly #metricNames = new Set<string>();
  /** Checked metric names and their summary keys (a long loop checks each name once). */
  readonly #metricKeys = new Map<string, string[]>();
  readonly #dvcyamlMemo: DvcyamlMemo = {};
  readonly #summaryFile: RewriteFile;
  readonly #images = new Set<string>();
  readonly #plots: LivePlots;
  readonly #artifacts: Record<string, LiveArtifactEntry> = {};
  readonly #metrics: MetricLog;
  #run: LiveRun;
  readonly #root: string;
  readonly #dvcRoot: string | undefined;
  readonly #untracked: string[] = [];
  #stopMonitor: (() => void) | undefined;
  #ended = false;
  #lastReport = 0;

  /** Starts a Live (and its trove run, in the background). `Live.create` waits for the run. */
  constructor(options: LiveOptions = {}) {
    this.#options = options;
    this.#o = checkOptions(options);
    this.dir = this.#o.dir;
    this.cwd = this.#o.cwd;
    this.dvcFile = this.#o.dvcFile;
    const project = findProject(this.cwd);
    this.#dvcRoot = project.dvcRoot;
    mkdirSync(this.dir, { recursive: true });
    if (this.#o.resume) {
      const resumed = readResumed(this.dir);
      Object.assign(this.#params, resumed.params);
      this.summary = resumed.summary;
      this.#step = resumed.step;
    } else {
      cleanLiveDir(this.dir);
    }
    this.#metrics = new MetricLog(join(this.dir, 'plots', 'metrics'));
    this.#summaryFile = new RewriteFile(join(this.dir, 'metrics.json'));
    this.#root = project.root;
    this.#run = this.#openRun(this.#o.resume);
    this.#plots = new LivePlots(this.dir, () => this.#run);
    if (Object.keys(this.#params).length > 0) this.#run.logParams(this.#params);
    if (options.monitorSystem) this.monitorSystem();
  }

  /**
   * `await Live.create(options)`: a Live whose trove run is recorded in the store. With `fn`,
   * DVCLive's `with Live() as live:` that also tells the run how the block ended: `end()` when
   * `fn` settles, and the trove run recorded `failed` when `fn` throws (the error is thrown
   * again). `await using` ends it too, but cannot see the error: the run is `completed`.
   *
   * @example
   * await Live.create({}, async (live) => {
   *   live.logMetric('loss', 0.1);
   *   await live.nextStep();
   * });
   */
  static create(options?: LiveOptions): Promise<Live>;
  static create<T>(options: LiveOptions, fn: (live: Live) => Promise<T>): Promise<T>;
  static async create<T>(
    options: LiveOptions = {},
    fn?: (live: Live) => Promise<T>,
  ): Promise<Live | T> {
    const start = async () => {
      const live = new Live(options);
      await live.#run.ready;
      return live;
    };
    if (fn === undefined) return start();
    return endAfter('Live.create(options, fn)', start, fn, (live, status) => live.#finish(status));
  }

  /** The trove run id (once the run has started). */
  async runId(): Promise<string> {
    return (await this.#run.ready).id;
  }

  get step(): number {
    return this.#step ?? 0;
  }

  set step(value: number) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new TroveError('INVALID_STEP', `Invalid step ${String(value)}: an integer ≥ 0.`);
    }
    this.#step = value;
  }

  get params(): Readonly<Record<string, unknown>> {
    return this.#params;
  }

  logParam(name: string, value: unknown): void {
    this.logParams({ [name]: value });
  }

  /** Merges into `params.yaml` (rewritten whole, as DVCLive does). */
  logParams(params: Record<string, unknown>): void {
    this.#assertActive();
    if (typeof params !== 'object' || params === null || Array.isArray(params)) {
      throw new TroveError('INVALID_ARGUMENT', 'logParams takes an object of name → value.');
    }
    for (const [k, v] of Object.entries(params)) {
      // DVCLive writes `'': 1`; the run's record has no empty names: refused before params.yaml.
      if (k.trim() === '') throw new TroveError('INVALID_NAME', 'A param name cannot be empty.');
      checkParam(k, v);
    }
    const text = dumpYaml({ ...this.#params, ...params });
    Object.assign(this.#params, params);
    writeFileAtomic(join(this.dir, 'params.yaml'), text);
    this.#run.logParams(params);
  }

  /** One value of a metric at the current step: a history row and the summary. */
  logMetric(name: string, value: MetricValue, options: LogMetricOptions = {}): void {
    this.#assertActive();
    let keys = this.#metricKeys.get(name);
    if (keys === undefined) {
      checkRelName('Metric', name);
      validateEventName('metric', name); // the run's events/metric/<name>.plx
      keys = summaryKeys(name);
    }
    if (!isMetricValue(value)) {
      throw new TroveError(
        'INVALID_ARGUMENT',
        `Data '${name}' has not supported type ${value === null ? 'null' : typeof value}.`,
        { hint: 'A metric value is a number, bigint, boolean, string or float(x).' },
      );
    }
    let node: Record<string, unknown> = this.summary;
    const last = keys.length - 1;
    for (let i = 0; i < last; i++) {
      const next = node[keys[i] as string];
      if (next !== undefined && (typeof next !== 'object' || next === null)) {
        throw new TroveError(
          'INVALID_NAME',
          `Metric ${name}: summary key ${keys[i]} holds a value.`,
        );
      }
      node = (next as Record<string, unknown>) ?? {};
    }
    if (!this.#metricKeys.has(name)) {
      this.#metricKeys.set(name, keys);
      this.#metricNames.add(name);
    }
    const val = liveMetricValue(value);
    if (options.plot !== false) {
      this.#metrics.append(name, this.step, val, options.timestamp === true);
    }
    node = this.summary;
    for (let i = 0; i < last; i++) {
      const key = keys[i] as string;
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    node[keys[last] as string] = val;
    const n = numericValue(value);
    if (n !== undefined) this.#run.logMetric(name, n, this.step);
  }

  /**
   * Writes `plots/images/<name>` from PNG/JPEG/GIF bytes, an image file, or RGBA pixels, and
   * stores it in the run as `assets/image/<name>_<step>.<ext>` (every step's image is kept).
   */
  async logImage(name: string, value: ImageValue): Promise<void> {
    this.#assertActive();
    const image = prepareImage(name, typeof value === 'string' ? resolve(this.cwd, value) : value);
    checkRelName('Image', image.name);
    const file = pathlibJoin(this.dir, 'plots', 'images', image.name);
    await image.write(file);
    this.#images.add(image.name);
    await this.#run.logArtifact(file, {
      type: 'image',
      name: cleanName(image.name.slice(0, image.name.length - parse(image.name).ext.length)),
      step: this.step,
      dvc: false,
    });
  }

  /** Writes `plots/custom/<name>.json` and a dvc.yaml plot for it. */
  logPlot(name: string, datapoints: Array<Record<string, unknown>>, options: LogPlotOptions): void {
    this.#assertActive();
    this.#plots.custom(name, datapoints, options);
  }

  /** Computes a scikit-learn plot (numbers equal scikit-learn's) into `plots/sklearn/`. */
  logSklearnPlot(
    kind: SklearnKind,
    labels: readonly Label[],
    predictions: readonly unknown[],
    options: LogSklearnPlotOptions = {},
  ): void {
    this.#assertActive();
    this.#plots.sklearn(kind, labels, predictions, options);
  }

  /**
   * DVCLive's `log_artifact`: inside a DVC repository, `dvc add` (a `.dvc` pointer and its
   * `.gitignore` line) and, with any metadata, a dvc.yaml `artifacts:` entry; outside one, a
   * warning. Either way the artifact is stored in the trove run.
   */
  async logArtifact(path: string, options: LiveArtifactOptions = {}): Promise<void> {
    this.#assertActive();
    const logged = await logLiveArtifact(
      {
        cwd: this.cwd,
        dir: this.dir,
        dvcRoot: this.#dvcRoot,
        run: this.#run,
        warn: (m) => this.#warn(m),
      },
      path,
      options,
    );
    if (logged.name && logged.entry) this.#artifacts[logged.name] = logged.entry;
    this.#untracked.push(...logged.untracked);
  }

  /** Ends the step: writes history rows, `metrics.json`, dvc.yaml and the report, then step + 1. */
  nextStep(): Promise<void> {
    this.#assertActive();
    if (this.#step === undefined) this.#step = 0;
    const done = this.#sync();
    this.#step = this.step + 1;
    return done;
  }

  /** Writes `metrics.json` (and the buffered history rows). */
  makeSummary(): void {
    this.#metrics.flush();
    if (this.#step !== undefined) this.summary.step = this.step;
    this.#summaryFile.write(dumpJsonDvclive(this.summary));
  }

  /** Writes this Live's sections of dvc.yaml (nothing when `dvcyaml` is false). */
  makeDvcyaml(): void {
    if (!this.dvcFile) return;
    this.#metrics.flush();
    writeDvcyaml(
      {
        dvcFile: this.dvcFile,
        dir: this.dir,
        hasParams: Object.keys(this.#params).length > 0,
        hasMetrics: this.#metricNames.size > 0 || Object.keys(this.summary).length > 0,
        hasImages: this.#images.size > 0,
        plots: this.#plots.values(),
        artifacts: this.#artifacts,
      },
      this.#dvcyamlMemo,
    );
  }

  /** What the report shows, from this Live's files. */
  buildReportInput(): ReportInput {
    this.#metrics.flush();
    return buildReportInput({
      dir: this.dir,
      params: this.#params,
      summary: this.summary,
      plots: this.#plots.values(),
      title: 'DVC Report',
    });
  }

  /** Writes `report.html` or `report.md` with `@trove/report` (nothing when `report` is null). */
  async makeReport(): Promise<void> {
    if (this.#o.report === null) return;
    await renderReport(this.#o.report, this.buildReportInput(), this.dir);
  }

  /** Logs DVCLive's `system/*` metrics every `intervalMs` until `end()`. */
  monitorSystem(options: { intervalMs?: number; directories?: Record<string, string> } = {}): void {
    this.#stopMonitor?.();
    this.#stopMonitor = startSystemMonitor(this, options);
  }

  /** Ends the Live: final files, the DVC experiment, the trove run. Idempotent. */
  end(): Promise<void> {
    return this.#finish('completed');
  }

  /**
   * `end()`, with the trove run recorded as `status`. A process stopped by a signal leaves no
   * DVC experiment (DVCLive's process would be gone before its `end()`).
   */
  async #finish(status: Exclude<RunStatus, 'running'>): Promise<void> {
    if (this.#ended) return;
    this.#stopMonitor?.();
    if (this.#images.size > 0 && this.#options.cacheImages && this.#dvcRoot) {
      const images = join(this.dir, 'plots', 'images');
      await this.#run.logArtifact(images, { dvc: true }).catch(() => undefined);
      this.#untracked.push(`${images}.dvc`, join(this.dir, 'plots', '.gitignore'));
    }
    if (typeof this.summary.step === 'number') this.#step = this.summary.step;
    const synced = this.#sync(true);
    this.#metrics.close();
    this.#summaryFile.close();
    this.#ended = true;
    await synced;
    if (this.#options.saveDvcExp !== false && this.#dvcRoot && status !== 'killed') {
      await saveDvcExp({
        cwd: this.cwd,
        dvcRoot: this.#dvcRoot,
        include: [this.dir, ...this.#untracked, ...(this.dvcFile ? [this.dvcFile] : [])],
        name: this.#o.expName,
        message: this.#options.expMessage,
        warn: (m) => this.#warn(m),
      });
    }
    await this.#run.end(this.#step, status);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.end();
  }

  #sync(force = false): Promise<void> {
    this.makeSummary();
    this.makeDvcyaml();
    // A report reads every history: drawn at most every REPORT_EVERY_MS (the page reloads
    // every 5 s anyway) and at end(), so a long run does not redraw it on every step.
    const due = force || Date.now() - this.#lastReport >= REPORT_EVERY_MS;
    if (due && this.#o.report !== null) this.#lastReport = Date.now();
    const report = due ? this.makeReport() : Promise.resolve();
    const run = this.#run.sync(force);
    return Promise.all([report, run]).then(() => undefined);
  }

  /**
   * DVCLive lets a Live log again after `end()` (a framework callback may have ended it):
   * the files are written as before, the trove run is resumed, and `end()` ends it again.
   */
  #assertActive(): void {
    if (!this.#ended) return;
    this.#ended = false;
    this.#run = this.#openRun(true);
  }

  #openRun(resume: boolean): LiveRun {
    const o = this.#options;
    return new LiveRun({
      cwd: this.cwd,
      root: this.#root,
      dir: this.dir,
      resume,
      exitEnd: (status) => this.#finish(status),
      ...(this.#o.expName !== undefined ? { name: this.#o.expName } : {}),
      ...(o.store !== undefined ? { store: o.store } : {}),
      ...(o.configFile !== undefined ? { configFile: o.configFile } : {}),
    });
  }

  #warn(message: string): void {
    if (this.#options.onWarning) this.#options.onWarning(message);
    else process.emitWarning(message, { code: 'TROVE_LIVE' });
  }
}
