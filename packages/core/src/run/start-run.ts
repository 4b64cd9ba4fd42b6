import { hostname, userInfo } from 'node:os';
import { resolve } from 'node:path';
import { TroveError } from '../errors.js';
import { findProject } from '../project/find-project.js';
import { readGitInfo } from '../project/git-info.js';
import { openStore } from '../record/open-store.js';
import type { RunRecord } from '../record/records.js';
import { RunFolder } from '../record/run-folder.js';
import { Store } from '../record/store.js';
import { Run, type RunPlaces } from './run.js';

export interface StartRunOptions extends RunPlaces {
  name?: string;
  /** Working directory: relative paths are resolved against it. Defaults to `process.cwd()`. */
  cwd?: string;
  /** A store, or the name of one in `trove.yaml`. Defaults to the project's store. */
  store?: Store | string;
  configFile?: string;
  params?: Record<string, unknown>;
  tags?: Record<string, string>;
}

/** Starts a run and records it in the store (status `running`). */
export async function startRun(options: StartRunOptions = {}): Promise<Run> {
  const run = await createRun(options);
  await run.flush();
  return run;
}

/**
 * A new run whose record is written with its first save (`flush`, a log call, `end`): what
 * `addArtifact` uses so that a rejected input leaves no run behind.
 */
export async function createRun(options: StartRunOptions): Promise<Run> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const { store, ownsStore } = await storeFor(options, cwd);
  // uuid is loaded by the commands that start a run, not by every process that loads core.
  const { v7: uuidv7 } = await import('uuid');
  const record = newRunRecord(options, findProject(cwd).root, uuidv7().replaceAll('-', ''));
  return new Run({ store, ownsStore, cwd, places: options, start: { record } });
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
  const { store, ownsStore } = await storeFor(options, cwd);
  try {
    const id = await store.resolveRunId(runId);
    const resume = await new RunFolder(store, id).load();
    return new Run({ store, ownsStore, cwd, places: options, start: { resume } });
  } catch (err) {
    if (ownsStore) await store.close();
    throw err;
  }
}

/** Runs `fn` in a new run; the run ends `completed`, or `failed` if `fn` throws. */
export function withRun<T>(options: StartRunOptions, fn: (run: Run) => Promise<T>): Promise<T> {
  return endAfter(
    'withRun',
    () => startRun(options),
    fn,
    (run, status) => run.end(status),
  );
}

/**
 * The callback form of every run (`withRun`, the dialects' `startRun(options, fn)`): `fn` is
 * checked (`call` names the form in the refusal) before `start` makes the run, so bad input
 * starts none; then `fn`, then `end('completed')`; when `fn` throws, `end('failed')` and the same
 * error again (a failure to end is not allowed to hide it).
 */
export async function endAfter<R, T>(
  call: string,
  start: () => Promise<R>,
  fn: (run: R) => Promise<T>,
  end: (run: R, status: 'completed' | 'failed') => Promise<void>,
): Promise<T> {
  if (typeof fn !== 'function')
    throw new TroveError('INVALID_ARGUMENT', `${call} needs a function to run.`);
  const run = await start();
  let result: T;
  try {
    result = await fn(run);
  } catch (err) {
    await end(run, 'failed').catch(() => undefined);
    throw err;
  }
  await end(run, 'completed');
  return result;
}

/** The one place a run gets its store: the one given, else the project's, opened (and owned). */
async function storeFor(
  options: Pick<StartRunOptions, 'store' | 'configFile'>,
  cwd: string,
): Promise<{ store: Store; ownsStore: boolean }> {
  if (options.store instanceof Store) return { store: options.store, ownsStore: false };
  const store = await openStore({
    cwd,
    ...(options.store !== undefined ? { store: options.store } : {}),
    ...(options.configFile !== undefined ? { configFile: options.configFile } : {}),
  });
  return { store, ownsStore: true };
}

function newRunRecord(options: StartRunOptions, root: string, id: string): RunRecord {
  const git = readGitInfo(root);
  return {
    id,
    name: options.name ?? `run-${id.slice(0, 8)}`,
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
    root,
    ...(git ? { git } : {}),
  };
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
