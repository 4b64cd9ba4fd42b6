/**
 * What retention expired, in the records of the runs that logged it: one create-only object per
 * gc and run, `runs/<id>/expired/<gc id>.json`, listing the artifacts (logical path, name, md5,
 * size) and why. An artifact listed there no longer keeps its content: gc removes the objects no
 * other artifact, registry entry or pointer refers to. A write retried after a lost answer finds
 * its own object there (the same gc id, the same content): it is written once.
 */
import { mapLimit } from '../backend/map-limit.js';
import { isTroveError } from '../errors.js';
import { readJson } from './meta-io.js';
import type { ExpiredRecord } from './records.js';
import { listRunIds, runKey } from './run-folder.js';
import type { Store } from './store.js';

/** `<run id>/<path>\n<md5>`: one expired artifact, as gc's reference check looks it up. */
export function expiredKey(runId: string, path: string, md5: string): string {
  return `${runId}/${path}\n${md5}`;
}

/** Records that gc `record.gc` expired `record.artifacts` of run `runId`. */
export async function writeExpired(
  store: Store,
  runId: string,
  record: ExpiredRecord,
): Promise<void> {
  try {
    await store.meta.write(
      runKey(store, runId, 'expired', `${record.gc}.json`),
      `${JSON.stringify(record, null, 2)}\n`,
      { ifNoneMatch: '*', contentType: 'application/json' },
    );
  } catch (err) {
    // Its own earlier attempt, whose answer was lost, landed: the gc id is this gc's alone.
    if (!isTroveError(err, 'PRECONDITION_FAILED')) throw err;
  }
}

/** A file of a run folder that is an expiry record. */
const EXPIRED_FILE_RE = /^expired\/[^/]+\.json$/;
const READ_CONCURRENCY = 16;

/**
 * The run ids (`listRunIds`) and every run's expiry records by run id, from one listing of
 * `runs/`: gc's reference pass wants both, and lists that folder once.
 */
async function scanRuns(
  store: Store,
): Promise<{ runIds: string[]; records: Map<string, ExpiredRecord[]> }> {
  const found: Array<[string, string]> = [];
  const runIds = await listRunIds(store, (runId, file, key) => {
    if (EXPIRED_FILE_RE.test(file)) found.push([runId, key]);
  });
  const read = await mapLimit(found, READ_CONCURRENCY, ([, key]) =>
    readJson<ExpiredRecord>(store.meta, key),
  );
  const records = new Map<string, ExpiredRecord[]>();
  found.forEach(([runId], i) => {
    const list = records.get(runId) ?? [];
    list.push(read[i] as ExpiredRecord);
    records.set(runId, list);
  });
  return { runIds, records };
}

/** Every run's expiry records, by run id (one listing of `runs/`). */
export async function readAllExpired(store: Store): Promise<Map<string, ExpiredRecord[]>> {
  return (await scanRuns(store)).records;
}

/** The run ids (`listRunIds`) and the `expiredKey`s of every artifact expired so far. */
export async function runsAndExpiredKeys(
  store: Store,
): Promise<{ runIds: string[]; expired: Set<string> }> {
  const { runIds, records } = await scanRuns(store);
  const expired = new Set<string>();
  for (const [runId, list] of records) {
    for (const r of list)
      for (const a of r.artifacts) expired.add(expiredKey(runId, a.path, a.md5));
  }
  return { runIds, expired };
}
