/**
 * What retention expired, in the records of the runs that logged it: one create-only object per
 * gc and run, `runs/<id>/expired/<gc id>.json`, listing the artifacts (logical path, name, md5,
 * size) and why. An artifact listed there no longer keeps its content: gc removes the objects no
 * other artifact, registry entry or pointer refers to. A write retried after a lost answer finds
 * its own object there (the same gc id, the same content): it is written once.
 */
import { joinKey } from '../backend/keys.js';
import { isTroveError } from '../errors.js';
import { readJson } from './meta-io.js';
import { runKey } from './run-folder.js';
import type { Store } from './store.js';

interface ExpiredArtifact {
  path: string;
  name: string;
  md5: string;
  size: number;
  /** The policy (`type=checkpoint keep 5 ttl 30d`) or `ttl 7d` of the artifact itself. */
  reason: string;
}

export interface ExpiredRecord {
  format: 1;
  /** The gc that expired them. */
  gc: string;
  /** When (ISO 8601). */
  at: string;
  artifacts: ExpiredArtifact[];
}

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

/** Every run's expiry records, by run id (one listing of `runs/`). */
export async function readExpired(store: Store): Promise<Map<string, ExpiredRecord[]>> {
  const prefix = joinKey(store.metaPrefix, 'runs/');
  const out = new Map<string, ExpiredRecord[]>();
  for await (const entry of store.meta.list(prefix)) {
    const m = /^([^/]+)\/expired\/[^/]+\.json$/.exec(entry.key.slice(prefix.length));
    if (!m?.[1]) continue;
    const record = await readJson<ExpiredRecord>(store.meta, entry.key);
    out.set(m[1], [...(out.get(m[1]) ?? []), record]);
  }
  return out;
}

/** The `expiredKey`s of every artifact expired so far. */
export async function expiredKeys(store: Store): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const [runId, records] of await readExpired(store)) {
    for (const r of records)
      for (const a of r.artifacts) keys.add(expiredKey(runId, a.path, a.md5));
  }
  return keys;
}
