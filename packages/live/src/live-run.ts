/**
 * The trove run behind a Live. Metric values are buffered here and handed to the run in
 * batches (at each step, or every `SLICE` values); the run's records go to the store at most
 * every few seconds (`SAVE_EVERY_MS`), after a full slice, and at `end()`, so a long training
 * loop never waits on the store. Each save appends only the new event rows (a segment). A resumed Live continues the
 * same run: `<root>/.trove/tmp/live/<hash of dir>.json` remembers which one.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArtifactRecord, LogArtifactOptions, Run, RunStatus, Store } from '@trove/core';
import { resumeRun, startRun } from '@trove/core';
import { setExitEnd, writeFileAtomic } from '@trove/core/dialect';
import { toPlain } from './py-values.js';

const SAVE_EVERY_MS = 3000;
const SLICE = 100_000;

export interface LiveRunOptions {
  cwd: string;
  root: string;
  dir: string;
  resume: boolean;
  /** How the Live ends if the process leaves while its run is open. */
  exitEnd: (status: Exclude<RunStatus, 'running'>) => Promise<void>;
  name?: string;
  store?: Store | string;
  configFile?: string;
}

export class LiveRun {
  readonly ready: Promise<Run>;
  /** Values not handed to the run yet. */
  #slice = new MetricSlice();
  /** Metric names by id (a slice keeps ids: a long loop logs few names many times). */
  readonly #names: string[] = [];
  readonly #nameIds = new Map<string, number>();
  #params: Record<string, unknown> | undefined;
  #lastSave = Date.now();
  #chain: Promise<unknown> = Promise.resolve();
  #error: unknown;

  constructor(options: LiveRunOptions) {
    this.ready = open(options);
    this.ready.catch((err: unknown) => {
      this.#error ??= err;
    });
  }

  logParams(params: Record<string, unknown>): void {
    this.#params = { ...(this.#params ?? {}), ...(toPlain(params) as Record<string, unknown>) };
  }

  logMetric(name: string, value: number, step: number): void {
    let id = this.#nameIds.get(name);
    if (id === undefined) {
      id = this.#names.push(name) - 1;
      this.#nameIds.set(name, id);
    }
    this.#slice.push(id, value, step);
    // A long loop without steps is handed over a slice at a time (when the loop yields).
    if (this.#slice.length >= SLICE) this.#handOver(false).catch(() => undefined);
  }

  /** The caller gets the refusal of this call; `end()` does not report it again. */
  logArtifact(path: string, options: LogArtifactOptions): Promise<ArtifactRecord> {
    return this.#then((run) => run.logArtifact(path, options), false);
  }

  /** Hands buffered values to the run; saves its records when `force` or when due. */
  sync(force = false): Promise<void> {
    const due = force || Date.now() - this.#lastSave >= SAVE_EVERY_MS;
    if (due) this.#lastSave = Date.now();
    return this.#handOver(due);
  }

  #handOver(save: boolean): Promise<void> {
    const slice = this.#slice;
    const names = this.#names;
    const params = this.#params;
    this.#slice = new MetricSlice();
    this.#params = undefined;
    return this.#then(async (run) => {
      if (params) run.logParams(params);
      // The run saves its events in the background every SLICE rows; a whole slice waits for
      // that save, so the run never holds more than a slice or two of unsaved rows.
      const { ids, values, steps, length } = slice;
      for (let i = 0; i < length; i++) {
        run.logMetric(names[ids[i] as number] as string, values[i] as number, {
          step: steps[i] as number,
        });
      }
      if (save || length >= SLICE) await run.flush();
    }) as Promise<void>;
  }

  /** Saves everything and ends the run; rethrows the first error the run side met. */
  async end(step: number | undefined, status: Exclude<RunStatus, 'running'>): Promise<void> {
    await this.sync(true).catch(() => undefined);
    await this.#then(async (run) => {
      if (step !== undefined) run.step = step;
      await run.end(status);
    }).catch(() => undefined);
    if (this.#error !== undefined) throw this.#error;
  }

  /** `fn` after what was queued; its error is kept for `end()` unless `keep` is false (its caller has it). */
  #then<T>(fn: (run: Run) => Promise<T> | T, keep = true): Promise<T> {
    const ready = this.#chain.then(() => this.ready);
    const next = ready.then(fn);
    // A run that never started is end()'s to report, whoever asked.
    this.#chain = (keep ? next : ready).catch((err: unknown) => {
      this.#error ??= err;
    });
    if (!keep) this.#chain = this.#chain.then(() => next.catch(() => undefined));
    return next;
  }
}

/**
 * Metric values waiting for the run, in typed arrays that grow by doubling: a million values
 * take 20 bytes each outside the JavaScript heap, not three growing arrays of it.
 */
class MetricSlice {
  ids = new Uint32Array(16);
  values = new Float64Array(16);
  steps = new Float64Array(16);
  length = 0;

  push(id: number, value: number, step: number): void {
    if (this.length === this.values.length) {
      const size = this.length * 2;
      this.ids = grow(this.ids, new Uint32Array(size));
      this.values = grow(this.values, new Float64Array(size));
      this.steps = grow(this.steps, new Float64Array(size));
    }
    this.ids[this.length] = id;
    this.values[this.length] = value;
    this.steps[this.length] = step;
    this.length++;
  }
}

function grow<T extends Uint32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

function memoFile(root: string, dir: string): string {
  const key = createHash('sha1').update(dir).digest('hex').slice(0, 16);
  return join(root, '.trove', 'tmp', 'live', `${key}.json`);
}

async function open(o: LiveRunOptions): Promise<Run> {
  const run = await openRun(o);
  setExitEnd(run, o.exitEnd);
  return run;
}

async function openRun(o: LiveRunOptions): Promise<Run> {
  const memo = memoFile(o.root, o.dir);
  const common = {
    cwd: o.cwd,
    dir: o.dir,
    dvcyaml: false as const,
    ...(o.store !== undefined ? { store: o.store } : {}),
    ...(o.configFile !== undefined ? { configFile: o.configFile } : {}),
  };
  if (o.resume && existsSync(memo)) {
    const { runId } = JSON.parse(readFileSync(memo, 'utf8')) as { runId: string };
    try {
      return await resumeRun(runId, common);
    } catch {
      // The store no longer has it (another store, or removed): start a new run.
    }
  }
  const run = await startRun({ ...common, ...(o.name !== undefined ? { name: o.name } : {}) });
  writeFileAtomic(memo, `${JSON.stringify({ runId: run.id, dir: o.dir })}\n`);
  return run;
}
