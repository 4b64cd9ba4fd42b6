/**
 * The fluent API's active runs (MLflow's active run stack): started by `startRun`, or, as MLflow
 * does, by the first log call made with none (`_get_or_start_run`). trove's start is
 * asynchronous, so a synchronous call made with no active run (`logParam`, `logMetric`,
 * `setTag`) is checked now and applied, in order, once its run has started; `endRun()` and the
 * searches wait for those calls and `endRun()` throws the first that failed. However a run ends
 * (`endRun`, `await using`, `withRun`, the process leaving) it is no longer active; one still
 * active when the process leaves ends as MLflow's `atexit` ends it.
 */
import {
  openStore,
  type Run,
  resumeRun,
  type Store,
  startRun as startCoreRun,
  TroveError,
} from '@trove/core';
import { onRunEnded } from '@trove/core/dialect';
import { activeExperiment, experimentTags } from './experiments.js';

export interface StartRunOptions {
  /** Continue this run instead of starting one. */
  runId?: string;
  runName?: string;
  /** The experiment of a new run (MLflow's `experiment_id`); default: `setExperiment`'s, else `0`. */
  experimentId?: string;
  tags?: Record<string, unknown>;
  /** Start inside the active run (MLflow's `nested=True`); otherwise one active run at a time. */
  nested?: boolean;
  /** A store, or a store's name in `trove.yaml`; defaults to the project's store. */
  store?: Store | string;
  cwd?: string;
}

const active: Run[] = [];
/**
 * Where the last run logged (MLflow's tracking URI in use): the store the caller gave, or how
 * the run opened its own. A run closes a store it opened when it ends, so that one is never
 * reused: searches open it again (`opened`), and a log call's run opens its own.
 */
let last: { store: Store } | { open: { store?: string; cwd?: string } } | undefined;
/** The store opened here for searches, from `last.open` (or the project's). */
let opened: { store: Promise<Store>; from: string } | undefined;
/** A run being started by a log call (one at a time). */
let starting: Promise<Run> | undefined;
/** Synchronous calls waiting for their auto-started run, and the first of them that failed. */
const waiting = new Set<Promise<void>>();
let waitingError: { error: unknown } | undefined;

export async function openRun(options: StartRunOptions): Promise<Run> {
  if (active.length > 0 && !options.nested) {
    throw new TroveError(
      'INVALID_ARGUMENT',
      `Run ${active.at(-1)?.id} is already active; end it first or pass nested: true.`,
    );
  }
  const tags = Object.fromEntries(
    Object.entries(options.tags ?? {}).map(([k, v]) => [k, String(v)]),
  );
  const common = {
    ...(options.store !== undefined ? { store: options.store } : {}),
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    dvcyaml: false as const,
  };
  const run =
    options.runId !== undefined
      ? await resumeRun(options.runId, common)
      : await startCoreRun({
          ...common,
          ...(options.runName ? { name: options.runName } : {}),
          tags: {
            ...experimentTags(options.experimentId ?? activeExperiment().experiment_id),
            ...tags,
          },
        });
  if (options.runId !== undefined && Object.keys(tags).length > 0) run.setTags(tags);
  active.push(run);
  // However the run ends (endRun, await using, withRun, the process leaving), it is not active.
  onRunEnded(run, () => {
    const at = active.lastIndexOf(run);
    if (at >= 0) active.splice(at, 1);
  });
  last =
    typeof options.store === 'object'
      ? { store: options.store }
      : {
          open: {
            ...(options.store !== undefined ? { store: options.store } : {}),
            ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
          },
        };
  return run;
}

export function activeRun(): Run | undefined {
  return active.at(-1);
}

/** The active run, or one started now (MLflow's `_get_or_start_run`). */
export function activeOrStart(): Promise<Run> {
  const run = active.at(-1);
  if (run) return Promise.resolve(run);
  // In the store of the last run, as MLflow starts it at the tracking URI in use.
  starting ??= openRun(last === undefined ? {} : 'store' in last ? last : last.open).finally(() => {
    starting = undefined;
  });
  return starting;
}

/**
 * `fn` on the active run now; with none, on the run a log call starts, once it has (the caller
 * checked the arguments first, so what fails later is the run's own trouble, for `endRun()`).
 */
export function onActiveRun(fn: (run: Run) => void): void {
  const run = active.at(-1);
  if (run && !starting) {
    fn(run);
    return;
  }
  const call = activeOrStart()
    .then(fn)
    .catch((error: unknown) => {
      waitingError ??= { error };
    });
  waiting.add(call);
  void call.finally(() => waiting.delete(call));
}

/** Waits for the calls queued for an auto-started run (none of them throws here). */
export async function queuedCalls(): Promise<void> {
  while (waiting.size > 0) await Promise.all([...waiting]);
}

/** Waits for the calls queued for an auto-started run; throws the first that failed. */
export async function settleWaiting(): Promise<void> {
  await queuedCalls();
  const failed = waitingError;
  waitingError = undefined;
  if (failed) throw failed.error;
}

export function current(): Run {
  const run = active.at(-1);
  if (!run) throw new TroveError('RUN_ENDED', 'No active run: call startRun() first.');
  return run;
}

/** Saves what the active runs logged, so that a search sees it (MLflow's calls are durable). */
export async function flushActiveRuns(): Promise<void> {
  await queuedCalls();
  await Promise.all(active.map((run) => run.flush()));
}

/** The store of the active or last run (`openRun` keeps it), else the project's store. */
export function currentStore(): Promise<Store> {
  const run = active.at(-1);
  if (run) return Promise.resolve(run.store);
  if (last !== undefined && 'store' in last) return Promise.resolve(last.store);
  const where = last?.open ?? {};
  const from = JSON.stringify(where);
  if (opened?.from !== from) {
    const store = openStore(where);
    opened = { store, from };
    // A store that failed to open is tried again by the next call.
    store.catch(() => {
      if (opened?.store === store) opened = undefined;
    });
  }
  return opened.store;
}
