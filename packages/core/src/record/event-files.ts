/**
 * A run's events files on a store, as append-only segments. Object stores cannot append, so the
 * stream `runs/<id>/events/<kind>/<name>.plx` is kept as:
 * - the base object `<name>.plx`, written by the first save: the header line and the rows, the
 *   file Polyaxon writes (so traceml and older readers still read a short run whole);
 * - one create-only (`ifNoneMatch: "*"`) segment `<name>.plx.<NNNNNN>` per later save, numbered
 *   from 000001, holding only that save's rows (each starting with a newline, as in the base).
 * The stream is the base followed by its segments in sequence order: their bytes concatenated are
 * the file Polyaxon would have. Nothing is ever rewritten, so a save costs what it adds, and two
 * writers never overwrite each other's rows where the backend's create-only writes are atomic.
 */
import { Readable } from 'node:stream';
import { joinKey } from '../backend/keys.js';
import { isTroveError, TroveError } from '../errors.js';
import type { MetaLocation } from './meta-io.js';

const SEGMENT_DIGITS = 6;
const SEGMENT_RE = /^\.(\d{6,})$/;
const MAX_CONFLICT_RETRIES = 50;

/** One event stream of a run: its base object and segments, in reading order. */
export interface EventFile {
  /** The kind folder (`metric`, `model`, …). */
  kind: string;
  /** The event name (`loss`, `train/loss`). */
  name: string;
  /** The path under `events/`: `<kind>/<name>.plx`. */
  file: string;
  /** The store keys to read, base first, then segments by sequence. */
  keys: string[];
}

/** The key of a segment (`seq` ≥ 1) of the stream whose base key is `base`. */
function segmentKey(base: string, seq: number): string {
  return `${base}.${String(seq).padStart(SEGMENT_DIGITS, '0')}`;
}

/**
 * A run's event streams, sorted by file: all of them, a kind's, or one (`kind` and `name`).
 * A stream is listed when its base or any segment exists.
 */
export async function listEventFiles(
  store: MetaLocation,
  runId: string,
  kind?: string,
  name?: string,
): Promise<EventFile[]> {
  const events = joinKey(store.metaPrefix, 'runs', runId, 'events');
  const prefix =
    kind === undefined
      ? `${events}/`
      : name === undefined
        ? `${events}/${kind}/`
        : `${events}/${kind}/${name}.plx`;
  const streams = new Map<string, { base?: string; segments: Array<[number, string]> }>();
  const entry = (file: string) => {
    let s = streams.get(file);
    if (!s) {
      s = { segments: [] };
      streams.set(file, s);
    }
    return s;
  };
  for await (const { key } of store.meta.list(prefix)) {
    const rel = key.slice(events.length + 1);
    if (rel.endsWith('.plx')) {
      entry(rel).base = key;
      continue;
    }
    const at = rel.lastIndexOf('.plx.');
    const seq = at < 0 ? undefined : SEGMENT_RE.exec(rel.slice(at + 4))?.[1];
    if (seq !== undefined) entry(rel.slice(0, at + 4)).segments.push([Number(seq), key]);
  }
  const out: EventFile[] = [];
  for (const [file, s] of streams) {
    const slash = file.indexOf('/');
    if (slash <= 0) continue; // not under a kind folder: not an events file
    const streamName = file.slice(slash + 1, -'.plx'.length);
    if (name !== undefined && streamName !== name) continue;
    s.segments.sort((a, b) => a[0] - b[0]);
    out.push({
      kind: file.slice(0, slash),
      name: streamName,
      file,
      keys: [...(s.base ? [s.base] : []), ...s.segments.map(([, key]) => key)],
    });
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** The bytes of one stream (base, then segments), read one object at a time. */
export function readEventFile(store: MetaLocation, file: EventFile): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    for (const key of file.keys) {
      const { body } = await store.meta.read(key);
      for await (const chunk of body) yield Buffer.from(chunk as Uint8Array);
    }
  }
  return Readable.from(chunks());
}

/**
 * The rows of an events file, line by line without the header (streamed: a long run's file
 * never sits in memory as one string).
 */
export async function* eventRowLines(store: MetaLocation, file: EventFile): AsyncGenerator<string> {
  let header = true;
  let rest = '';
  for await (const chunk of readEventFile(store, file)) {
    const lines = (rest + (chunk as Buffer).toString('utf8')).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (header) header = false;
      else yield line;
    }
  }
  if (rest !== '' && !header) yield rest;
}

/**
 * Appends rows to a run's event streams: the first save of a stream creates its base file, each
 * later one a new segment. One writer remembers the next sequence of each stream; on a conflict
 * (another writer took that number) it lists the stream's segments and takes the next free one.
 */
export class EventFileWriter {
  readonly #store: MetaLocation;
  readonly #runId: string;
  /** Next sequence by file (0: the base file), once known. */
  readonly #next = new Map<string, number>();

  constructor(store: MetaLocation, runId: string) {
    this.#store = store;
    this.#runId = runId;
  }

  /** Appends `rows` (each starting with a newline) to `file` (under `events/`); `header` starts a new one. */
  async append(file: string, header: string, rows: string): Promise<void> {
    if (rows === '') return;
    const base = joinKey(this.#store.metaPrefix, 'runs', this.#runId, 'events', file);
    let seq = this.#next.get(file) ?? 0;
    for (let attempt = 0; ; attempt++) {
      const key = seq === 0 ? base : segmentKey(base, seq);
      try {
        await this.#store.meta.write(key, seq === 0 ? header + rows : rows, { ifNoneMatch: '*' });
        this.#next.set(file, seq + 1);
        return;
      } catch (err) {
        if (!isTroveError(err, 'PRECONDITION_FAILED')) throw err;
        if (attempt >= MAX_CONFLICT_RETRIES) {
          throw new TroveError('PRECONDITION_FAILED', `No free segment for ${base}.`, {
            key: base,
            backend: this.#store.meta.kind,
            retryable: true,
            cause: err,
          });
        }
        seq = Math.max(seq + 1, await this.#nextFree(base));
      }
    }
  }

  /** One past the highest segment stored for `base` (1 when there is none). */
  async #nextFree(base: string): Promise<number> {
    let max = 0;
    for await (const { key } of this.#store.meta.list(`${base}.`)) {
      const seq = SEGMENT_RE.exec(key.slice(base.length))?.[1];
      if (seq !== undefined) max = Math.max(max, Number(seq));
    }
    return max + 1;
  }
}
