/**
 * The run folder on a store, `runs/<id>/`, and the only code that knows its layout:
 * `run.json` (the record), `artifacts.json` (logical path → artifact), `lineage.jsonl` (one row
 * a line) and `events/<kind>/<name>.plx`. Everything else reads and writes runs through here.
 */
import { joinKey } from '../backend/keys.js';
import { isTroveError, TroveError } from '../errors.js';
import { type MetaLocation, readJson, readText, writeJson } from './meta-io.js';
import type { ArtifactRecord, LineageRow, RunRecord } from './records.js';

const RUN_ID_RE = /^[0-9a-f]{32}$/;

/** The key of a file in a run's folder. */
export function runKey(store: MetaLocation, runId: string, ...path: string[]): string {
  return joinKey(store.metaPrefix, 'runs', runId, ...path);
}

/** Run ids in the store, newest first (ids sort by time). */
export async function listRunIds(store: MetaLocation): Promise<string[]> {
  const ids = new Set<string>();
  const prefix = joinKey(store.metaPrefix, 'runs/');
  for await (const entry of store.meta.list(prefix)) {
    const rest = entry.key.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash > 0 && rest.slice(slash + 1) === 'run.json') ids.add(rest.slice(0, slash));
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

export function readRun(store: MetaLocation, runId: string): Promise<RunRecord> {
  return readJson<RunRecord>(store.meta, runKey(store, runId, 'run.json'));
}

export async function readArtifacts(
  store: MetaLocation,
  runId: string,
): Promise<Record<string, ArtifactRecord>> {
  try {
    return await readJson<Record<string, ArtifactRecord>>(
      store.meta,
      runKey(store, runId, 'artifacts.json'),
    );
  } catch (err) {
    if (isTroveError(err, 'NOT_FOUND')) return {};
    throw err;
  }
}

export async function readLineage(store: MetaLocation, runId: string): Promise<LineageRow[]> {
  let text: string;
  try {
    text = await readText(store.meta, runKey(store, runId, 'lineage.jsonl'));
  } catch (err) {
    if (isTroveError(err, 'NOT_FOUND')) return [];
    throw err;
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LineageRow);
}

/** Everything a store holds about a run, to continue it. */
export interface RunContents {
  record: RunRecord;
  artifacts: Record<string, ArtifactRecord>;
  lineage: LineageRow[];
  /** `[path under events/, text]` for each events file. */
  events: Array<[string, string]>;
}

/** What a run writes on save: the record only while it may change (see `Run`). */
export interface RunSnapshot {
  record?: RunRecord;
  artifacts: Record<string, ArtifactRecord>;
  lineage: readonly LineageRow[];
  /** Events files changed since the last save. */
  events: Array<[string, string]>;
}

/** One run's folder: loads it to resume, saves it as the run goes. */
export class RunFolder {
  readonly #store: MetaLocation;
  readonly runId: string;

  constructor(store: MetaLocation, runId: string) {
    this.#store = store;
    this.runId = runId;
  }

  async load(): Promise<RunContents> {
    const store = this.#store;
    const eventsPrefix = runKey(store, this.runId, 'events/');
    const events: Array<[string, string]> = [];
    for await (const entry of store.meta.list(eventsPrefix)) {
      events.push([entry.key.slice(eventsPrefix.length), await readText(store.meta, entry.key)]);
    }
    return {
      record: await readRun(store, this.runId),
      artifacts: await readArtifacts(store, this.runId),
      lineage: await readLineage(store, this.runId),
      events,
    };
  }

  async save(snapshot: RunSnapshot): Promise<void> {
    const store = this.#store;
    const key = (...path: string[]) => runKey(store, this.runId, ...path);
    if (snapshot.record) await writeJson(store.meta, key('run.json'), snapshot.record);
    await writeJson(store.meta, key('artifacts.json'), snapshot.artifacts);
    const lineage = snapshot.lineage.map((row) => JSON.stringify(row)).join('\n');
    await store.meta.write(key('lineage.jsonl'), lineage === '' ? '' : `${lineage}\n`);
    for (const [file, text] of snapshot.events) await store.meta.write(key('events', file), text);
  }
}
