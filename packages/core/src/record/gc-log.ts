/**
 * The gc log: `gc/<id>` (create-only, written before gc reads a single reference) and
 * `gc/<id>.done` (written when it has deleted all it will), beside `runs/`. Writers compare two
 * listings of it, one before they look for existing objects and one after they recorded their
 * reference (`GcFence`): any change, or a gc without `.done`, means a gc may have moved their
 * objects, and they check every one. Entries of finished gcs are pruned after a week, except
 * the last one to finish: the log is never empty again once a gc ran, so an unchanged log means
 * no gc since, however long ago the log was read (what a sync's marks rely on). A gc that never
 * finished is presumed dead a day after it started, and the next gc finishes its work.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { joinKey } from '../backend/keys.js';
import type { Store } from './store.js';

const DONE = '.done';
/** A gc that has not finished a day after it started is presumed killed. */
const GC_PRESUMED_DEAD_MS = 24 * 60 * 60 * 1000;
/** Entries of finished gcs are kept a week (removing one also makes racing writers check). */
const GC_LOG_KEEP_MS = 7 * 24 * 60 * 60 * 1000;

interface GcLogEntry {
  id: string;
  started: Date;
  /** When its `.done` was written; absent while it runs (or if it was killed). */
  done?: Date;
}

export interface GcLog {
  /** Every key of the log, sorted: what writers compare. */
  keys: string[];
  entries: GcLogEntry[];
}

function logPrefix(store: Store): string {
  return joinKey(store.metaPrefix, 'gc/');
}

function logKey(store: Store, name: string): string {
  return joinKey(store.metaPrefix, 'gc', name);
}

/** Reads the gc log (one listing). */
export async function readGcLog(store: Store, signal?: AbortSignal): Promise<GcLog> {
  const prefix = logPrefix(store);
  const keys: string[] = [];
  const started = new Map<string, Date>();
  const done = new Map<string, Date>();
  for await (const e of store.meta.list(prefix, { signal })) {
    const name = e.key.slice(prefix.length);
    keys.push(name);
    if (name.endsWith(DONE)) done.set(name.slice(0, -DONE.length), e.lastModified);
    else started.set(name, e.lastModified);
  }
  const entries = [...started].map(([id, at]) => {
    const end = done.get(id);
    return end ? { id, started: at, done: end } : { id, started: at };
  });
  return { keys: keys.sort(), entries };
}

/** Writes `gc/<id>` for a gc that is starting; resolves to its id. */
export async function beginGc(store: Store): Promise<string> {
  store.prepare();
  const id = `${new Date().toISOString().replace(/[-:.]/g, '')}-${randomBytes(6).toString('hex')}`;
  const body = JSON.stringify({
    startedAt: new Date().toISOString(),
    host: hostname(),
    pid: process.pid,
  });
  await store.meta.write(logKey(store, id), body, { ifNoneMatch: '*' });
  return id;
}

/** Writes `gc/<id>.done`: that gc deletes nothing more. */
export async function endGc(store: Store, id: string): Promise<void> {
  await store.meta.write(logKey(store, `${id}${DONE}`), '');
}

/** Ids of gcs that never finished and started more than a day ago. */
export function deadGcs(log: GcLog, now = Date.now()): string[] {
  return log.entries
    .filter((e) => !e.done && now - e.started.getTime() > GC_PRESUMED_DEAD_MS)
    .map((e) => e.id);
}

/** Removes the entries of gcs that finished more than a week ago, all but the last to finish. */
export async function pruneGcLog(store: Store, log: GcLog, now = Date.now()): Promise<void> {
  // The store's clock (the `.done` objects' times) orders them, not the hosts' clocks in ids.
  const last = log.entries.reduce<GcLogEntry | undefined>(
    (a, e) => (e.done && (!a?.done || e.done > a.done) ? e : a),
    undefined,
  );
  const old = log.entries.filter(
    (e) => e !== last && e.done && now - e.done.getTime() > GC_LOG_KEEP_MS,
  );
  const keys = old.flatMap((e) => [e.id, `${e.id}${DONE}`].map((k) => logKey(store, k)));
  if (keys.length > 0) await store.meta.deleteMany(keys);
}

/**
 * A writer's view of the gc log across its own work: `open` before it looks for existing
 * objects, `crossed` after it recorded its reference. Costs one listing of `gc/` each.
 */
export class GcFence {
  readonly #store: Store;
  readonly #before: string;
  /** No gc was running when the fence was opened. */
  readonly settled: boolean;

  private constructor(store: Store, log: GcLog) {
    this.#store = store;
    this.#before = log.keys.join('\n');
    this.settled = log.entries.every((e) => e.done);
  }

  static async open(store: Store, signal?: AbortSignal): Promise<GcFence> {
    return new GcFence(store, await readGcLog(store, signal));
  }

  /**
   * The log as the fence found it: equal strings read at two times mean no gc started between
   * them (the log keeps its newest entry), so objects seen at the first are there at the second.
   */
  get state(): string {
    return this.#before;
  }

  /** Whether a gc may have moved objects since `open`: the log changed, or a gc is unfinished. */
  async crossed(): Promise<boolean> {
    const log = await readGcLog(this.#store);
    return log.keys.join('\n') !== this.#before || log.entries.some((e) => !e.done);
  }
}
