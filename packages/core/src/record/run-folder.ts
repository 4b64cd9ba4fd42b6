/**
 * The run folder on a store, `runs/<id>/`, and the only code that knows its layout:
 * `run.json` (the record), `artifacts.json` (logical path → artifact), `lineage.jsonl` (one row
 * a line) and `events/<kind>/<name>.plx` (with its segments, `event-files.ts`). Everything else
 * reads and writes runs through here.
 */
import { joinKey } from '../backend/keys.js';
import { mapLimit } from '../backend/map-limit.js';
import { isTroveError, TroveError } from '../errors.js';
import { EventFileWriter } from './event-files.js';
import { type MetaLocation, readJson, readText, readWhole, writeJson } from './meta-io.js';
import type { ArtifactRecord, ExpiredRecord, LineageRow, RunRecord } from './records.js';

const RUN_ID_RE = /^[0-9a-f]{32}$/;

/** The key of a file in a run's folder. */
export function runKey(store: MetaLocation, runId: string, ...path: string[]): string {
  return joinKey(store.metaPrefix, 'runs', runId, ...path);
}

/**
 * Run ids in the store, newest first (ids sort by time). `visit` sees every file of every run
 * folder on the way (its run id, its path in the folder, its key): a caller that wants other
 * files of the runs (their expiry records) finds them in this one listing of `runs/`.
 */
export async function listRunIds(
  store: MetaLocation,
  visit?: (runId: string, file: string, key: string) => void,
): Promise<string[]> {
  const ids = new Set<string>();
  const prefix = joinKey(store.metaPrefix, 'runs/');
  for await (const entry of store.meta.list(prefix)) {
    const rest = entry.key.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash <= 0) continue;
    const runId = rest.slice(0, slash);
    const file = rest.slice(slash + 1);
    if (file === 'run.json') ids.add(runId);
    visit?.(runId, file, entry.key);
  }
  return [...ids].sort().reverse();
}

/** Full id from an id or a unique prefix of one (at least 4 characters). */
export async function resolveRunId(store: MetaLocation, idOrPrefix: string): Promise<string> {
  if (
    RUN_ID_RE.test(idOrPrefix) &&
    (await store.meta.exists(runKey(store, idOrPrefix, 'run.json')))
  )
    return idOrPrefix;
  if (!/^[0-9a-f]{4,32}$/.test(idOrPrefix)) {
    throw new TroveError(
      'NOT_FOUND',
      `No run ${JSON.stringify(idOrPrefix)} in store "${store.name}".`,
    );
  }
  const matches = (await listRunIds(store)).filter((id) => id.startsWith(idOrPrefix));
  if (matches.length === 1) return matches[0] as string;
  if (matches.length === 0)
    throw new TroveError('NOT_FOUND', `No run ${idOrPrefix} in store "${store.name}".`);
  throw new TroveError('AMBIGUOUS', `Run id prefix ${idOrPrefix} matches ${matches.length} runs.`, {
    hint: 'Give more characters of the id.',
  });
}

export async function readRun(store: MetaLocation, runId: string): Promise<RunRecord> {
  const key = runKey(store, runId, 'run.json');
  const record = await readJson<RunRecord>(store.meta, key);
  const ok =
    typeof record === 'object' &&
    record !== null &&
    typeof record.id === 'string' &&
    typeof record.status === 'string' &&
    typeof record.params === 'object' &&
    typeof record.summary === 'object';
  if (!ok) throw damaged(store, key);
  return record;
}

/**
 * A run's artifacts: its creator's `artifacts.json` merged with the shards of writers that
 * resumed it (`artifacts.<writer>.json`); for one logical path the newest entry wins.
 */
export async function readArtifacts(
  store: MetaLocation,
  runId: string,
): Promise<Record<string, ArtifactRecord>> {
  const merged: Record<string, ArtifactRecord> = {};
  for (const key of await shardKeys(store, runId, 'artifacts', '.json')) {
    const part = await readJsonIfAny<Record<string, ArtifactRecord>>(store, key);
    if (typeof part !== 'object' || part === null || Array.isArray(part)) throw damaged(store, key);
    for (const [path, record] of Object.entries(part)) {
      if (!isArtifactRecord(record)) throw damaged(store, key);
      const seen = merged[path];
      if (!seen || String(record.loggedAt) >= String(seen.loggedAt)) merged[path] = record;
    }
  }
  return merged;
}

/**
 * What retention expired of a run (`expired/<gc id>.json`, written by `trove gc --policy`), oldest
 * first: a listing of that folder only.
 */
export async function readExpired(store: MetaLocation, runId: string): Promise<ExpiredRecord[]> {
  const keys: string[] = [];
  for await (const { key } of store.meta.list(runKey(store, runId, 'expired/'))) {
    if (key.endsWith('.json')) keys.push(key);
  }
  const records = await mapLimit(keys, 16, (key) => readJson<ExpiredRecord>(store.meta, key));
  return records.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.gc < b.gc ? -1 : 1));
}

/** A run's lineage rows, all writers', oldest first. */
export async function readLineage(store: MetaLocation, runId: string): Promise<LineageRow[]> {
  const rows: LineageRow[] = [];
  for (const key of await shardKeys(store, runId, 'lineage', '.jsonl')) {
    let text: string;
    try {
      text = await readText(store.meta, key);
    } catch (err) {
      if (isTroveError(err, 'NOT_FOUND')) continue;
      throw err;
    }
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        rows.push(JSON.parse(line) as LineageRow);
      } catch (err) {
        throw damaged(store, key, err);
      }
    }
  }
  // A stable sort: rows of one writer keep their order.
  return rows.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
}

/** `<base><ext>` first, then every `<base>.<writer><ext>` shard, in key order. */
async function shardKeys(
  store: MetaLocation,
  runId: string,
  base: string,
  ext: string,
): Promise<string[]> {
  const prefix = runKey(store, runId, base);
  const keys: string[] = [];
  for await (const entry of store.meta.list(prefix)) {
    const rest = entry.key.slice(prefix.length);
    if (rest === ext || new RegExp(`^\\.[0-9a-f]{8,32}${ext.replace('.', '\\.')}$`).test(rest)) {
      keys.push(entry.key);
    }
  }
  return keys.sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
}

async function readJsonIfAny<T>(store: MetaLocation, key: string): Promise<T | undefined> {
  try {
    return await readJson<T>(store.meta, key);
  } catch (err) {
    if (isTroveError(err, 'NOT_FOUND')) return undefined;
    throw err;
  }
}

/** The fields every reader of an artifact entry relies on (listings format `size`, get checks `md5`). */
function isArtifactRecord(value: unknown): value is ArtifactRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const r = value as Record<string, unknown>;
  return typeof r.md5 === 'string' && typeof r.size === 'number' && typeof r.path === 'string';
}

function damaged(store: MetaLocation, key: string, cause?: unknown): TroveError {
  return new TroveError('CORRUPT', `${key} is damaged: it is not a valid run record.`, {
    key,
    backend: store.meta.kind,
    cause,
    hint: 'Restore it from a backup, or remove the run folder if the run is not needed.',
  });
}

/** Everything a store holds about a run, to continue it. */
export interface RunContents {
  record: RunRecord;
  artifacts: Record<string, ArtifactRecord>;
  lineage: LineageRow[];
}

/** What changed in a run record since it was last saved by this writer. */
export interface RecordChanges {
  params: Record<string, unknown>;
  summary: Record<string, unknown>;
  tags: Record<string, string>;
  /** Set when this writer ends a run that is still `running`. */
  end?: { status: RunRecord['status']; endTime: string };
}

const MAX_CONFLICT_RETRIES = 50;

/**
 * One writer's view of a run folder. Many processes may add to one run at once (`resumeRun`,
 * `trove add --run`), so nothing is read, changed and written back blindly:
 * - artifacts and lineage: the creator writes `artifacts.json` / `lineage.jsonl`, every other
 *   writer its own shard (`artifacts.<writer>.json` / `lineage.<writer>.jsonl`) holding only what
 *   it added; readers merge them. No two processes ever write the same object, on any backend.
 * - `run.json` is shared: it is updated by compare-and-swap (`ifMatch` on the etag read,
 *   `ifNoneMatch` to create) with the changes re-applied on conflict, so no update is lost where
 *   the backend's conditional writes are atomic.
 * - events files are shared streams: each save adds a create-only segment (`event-files.ts`),
 *   so writers never rewrite or overwrite each other's rows.
 */
export class RunFolder {
  readonly #store: MetaLocation;
  readonly runId: string;
  /** Undefined for the run's creator; a random hex id for a writer that resumed it. */
  readonly #writer: string | undefined;
  readonly #events: EventFileWriter;

  constructor(store: MetaLocation, runId: string, writer?: string) {
    this.#store = store;
    this.runId = runId;
    this.#writer = writer;
    this.#events = new EventFileWriter(store, runId);
  }

  async load(): Promise<RunContents> {
    return {
      record: await readRun(this.#store, this.runId),
      artifacts: await readArtifacts(this.#store, this.runId),
      lineage: await readLineage(this.#store, this.runId),
    };
  }

  #key(...path: string[]): string {
    return runKey(this.#store, this.runId, ...path);
  }

  /** Writes this writer's own artifacts and lineage rows (its shard: only it writes there). */
  async saveOwn(
    artifacts: Record<string, ArtifactRecord>,
    lineage: readonly LineageRow[],
  ): Promise<void> {
    const suffix = this.#writer === undefined ? '' : `.${this.#writer}`;
    await writeJson(this.#store.meta, this.#key(`artifacts${suffix}.json`), artifacts);
    const text = lineage.map((row) => JSON.stringify(row)).join('\n');
    await this.#store.meta.write(
      this.#key(`lineage${suffix}.jsonl`),
      text === '' ? '' : `${text}\n`,
    );
  }

  /**
   * Applies `changes` to the stored `run.json` (or creates it from `initial`), by compare-and-swap.
   * Resolves to the record as stored.
   */
  async updateRecord(initial: RunRecord, changes: RecordChanges): Promise<RunRecord> {
    const key = this.#key('run.json');
    return this.#swap(key, async (current) => {
      let base = initial;
      try {
        if (current !== undefined) base = JSON.parse(current) as RunRecord;
      } catch (err) {
        throw damaged(this.#store, key, err);
      }
      // Every change is an assignment, so whether it is applied shows in the values: a write
      // that landed although its answer was lost is recognised here and not made again.
      if (current !== undefined && holds(base, changes)) return { value: base };
      const next: RunRecord = {
        ...base,
        params: { ...base.params, ...changes.params },
        summary: { ...base.summary, ...changes.summary },
        tags: { ...base.tags, ...changes.tags },
      };
      if (changes.end && base.status === 'running') {
        next.status = changes.end.status;
        next.endTime = changes.end.endTime;
      }
      return { text: `${JSON.stringify(next, null, 2)}\n`, value: next };
    });
  }

  /**
   * Merges `file` (in the run folder) with `merge` by compare-and-swap: a sync's merge of what
   * another store holds (`merge-run.ts`). `merge` gets the stored text (undefined when absent)
   * and returns the new one, or undefined when nothing is to change. Resolves to whether it wrote.
   */
  mergeFile(file: string, merge: (current: string | undefined) => string | undefined) {
    const key = this.#key(file);
    return this.#swap(key, async (current) => {
      let text: string | undefined;
      try {
        text = merge(current);
      } catch (err) {
        throw damaged(this.#store, key, err);
      }
      return text === undefined ? { value: false } : { text, value: true };
    });
  }

  /**
   * Appends rows to an events file (`file` under `events/`): its base file with `header` on the
   * first save, a new segment holding only `rows` on every later one.
   */
  appendEvents(file: string, header: string, rows: string): Promise<void> {
    return this.#events.append(file, header, rows);
  }

  /**
   * Read, change, write back with `ifMatch` (or `ifNoneMatch` when absent); retried on conflict.
   * `change` returns no `text` when what was read already holds the change. A write that fails
   * after the backend's retries may still have landed: the next read tells, and the call fails
   * only when it did not.
   */
  async #swap<T>(
    key: string,
    change: (current: string | undefined) => Promise<{ text?: string; value: T }>,
  ): Promise<T> {
    const meta = this.#store.meta;
    let failure: unknown;
    for (let attempt = 0; ; attempt++) {
      let current: string | undefined;
      let etag: string | undefined;
      try {
        ({ text: current, etag } = await readWhole(meta, key));
      } catch (err) {
        if (failure !== undefined) throw failure;
        if (!isTroveError(err, 'NOT_FOUND')) throw err;
      }
      // Only what was read can be damaged: an error of `change` is its own (never CORRUPT).
      const next = await change(current);
      if (next.text === undefined) return next.value;
      if (failure !== undefined) throw failure;
      try {
        await meta.write(
          key,
          next.text,
          etag === undefined ? { ifNoneMatch: '*' } : { ifMatch: etag },
        );
        return next.value;
      } catch (err) {
        const conflict = isTroveError(err, 'PRECONDITION_FAILED') || isTroveError(err, 'NOT_FOUND');
        if (!conflict) failure = err;
        else if (attempt >= MAX_CONFLICT_RETRIES) throw err;
        else await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * (attempt + 1)));
      }
    }
  }
}

/** Whether `record` already holds every change (the same values, the run ended if asked). */
function holds(record: RunRecord, changes: RecordChanges): boolean {
  const same = (have: Record<string, unknown> | undefined, want: Record<string, unknown>) =>
    Object.entries(want).every(
      ([k, v]) => have !== undefined && k in have && JSON.stringify(have[k]) === JSON.stringify(v),
    );
  return (
    same(record.params, changes.params) &&
    same(record.summary, changes.summary) &&
    same(record.tags, changes.tags) &&
    (changes.end === undefined || record.status !== 'running')
  );
}
