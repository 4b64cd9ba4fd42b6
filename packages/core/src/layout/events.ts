/**
 * Step events in Polyaxon's format (traceml's event writer), `events/<kind>/<name>.plx`:
 * - most kinds: a pipe-separated file whose header is `step|timestamp|<kind>` and whose rows
 *   start with a newline (so the file has no trailing one); a missing step is an empty cell;
 *   metrics given as `PyFloat` are Python floats, object values compact JSON (orjson's layout);
 * - `html`, `text`, `chart`, `span`: JSON lines, no header, each line
 *   `{"timestamp": …, "step": …, "<kind>": …}` (Python's `json.dumps` layout), also newline-first.
 * Timestamps are Python's `isoformat()` of an aware UTC time, which pandas (traceml's reader) parses.
 */
import { validateKey } from '../backend/keys.js';
import { TroveError } from '../errors.js';
import { PyFloat, pyFloatRepr, pyJsonDumps } from '../py/py-format.js';

/** The kinds whose events traceml writes as JSON lines (`V1ArtifactKind.is_jsonl_file_event`). */
const JSONL_EVENT_KINDS: ReadonlySet<string> = new Set(['html', 'text', 'chart', 'span']);

/** Rows joined into one string at a time while they wait (see `EventLog.add`). */
const CHUNK_ROWS = 1024;

/** One file's rows drained for a save: `rows` is `count` rows, each starting with a newline. */
export interface EventBatch {
  file: string;
  header: string;
  rows: string;
  count: number;
}

/**
 * The run kernel's events: rows are buffered and appended on save (object stores cannot append,
 * so the run folder stores each save's rows as a new segment of the file).
 */
export class EventLog {
  /** Rows not saved yet, by file (path under `events/`), each starting with a newline. */
  readonly #pending = new Map<
    string,
    { header: string; rows: string[]; tail: string[]; count: number }
  >();
  /** A few numbers per file ever added to (Polyaxon's `lineages.plx.json`), never the rows. */
  readonly #stats = new Map<string, EventStats>();
  #size = 0;

  /** How many rows are waiting for a save. */
  get size(): number {
    return this.#size;
  }

  /**
   * Adds one event for `name` under `events/<kind>/`. `dir` overrides the folder (artifact
   * kinds); `at` is the event's time (default: now).
   */
  add(
    kind: string,
    name: string,
    step: number | undefined,
    value: unknown,
    dir: string = kind,
    at: Date = new Date(),
  ): void {
    const file = `${dir}/${name}.plx`;
    let entry = this.#pending.get(file);
    if (!entry) {
      entry = { header: eventsHeader(kind), rows: [], tail: [], count: 0 };
      this.#pending.set(file, entry);
    }
    // One time a row: the row says it as the client does, the file's stats as its summary does.
    const stamp = eventTimestamp(at);
    entry.tail.push(`\n${eventRow(kind, step, value, stamp.text)}`);
    entry.count++;
    this.#size++;
    this.#count(file, step, stamp.iso);
    // Rows are joined into flat chunks as they come: a row's pieces die young, and only the
    // chunk's bytes stay until the save (a row alone would keep its pieces all that time).
    if (entry.tail.length >= CHUNK_ROWS) {
      entry.rows.push(entry.tail.join(''));
      entry.tail = [];
    }
  }

  /** The rows added since the last call, by file: appended to the stored file (or a new one). */
  drain(): EventBatch[] {
    const out = [...this.#pending].map(([file, e]) => ({
      file,
      header: e.header,
      rows: e.rows.join('') + e.tail.join(''),
      count: e.count,
    }));
    this.#pending.clear();
    this.#size = 0;
    return out;
  }

  /** Every file (path under `events/`) that has events, sorted. */
  files(): string[] {
    return [...this.#stats.keys()].sort();
  }

  /**
   * What Polyaxon's events sync records of a file: `{is_event, step: {count, min, max},
   * timestamp: {min, max}}` (min and max as the first and last row's).
   */
  summary(file: string): Record<string, unknown> {
    const stats = this.#stats.get(file);
    const summary: Record<string, unknown> = { is_event: true };
    if (stats && stats.steps > 0) {
      summary.step = { count: stats.steps, min: stats.firstStep, max: stats.lastStep };
    }
    if (stats?.firstTime !== undefined) {
      summary.timestamp = { min: stats.firstTime, max: stats.lastTime };
    }
    return summary;
  }

  #count(file: string, step: number | undefined, timestamp: string): void {
    let stats = this.#stats.get(file);
    if (!stats) {
      stats = { steps: 0 };
      this.#stats.set(file, stats);
    }
    if (step !== undefined) {
      stats.steps++;
      stats.firstStep ??= step;
      stats.lastStep = step;
    }
    stats.firstTime ??= timestamp;
    stats.lastTime = timestamp;
  }

  /** Puts rows back after a failed save, ahead of any added since. */
  restore(batch: EventBatch[]): void {
    for (const { file, header, rows, count } of batch.reverse()) {
      this.#size += count;
      const entry = this.#pending.get(file);
      if (entry) {
        entry.rows.unshift(rows);
        entry.count += count;
      } else this.#pending.set(file, { header, rows: [rows], tail: [], count });
    }
  }
}

interface EventStats {
  steps: number;
  firstStep?: number;
  lastStep?: number;
  firstTime?: string;
  lastTime?: string;
}

/** A new events file's first line: `step|timestamp|<kind>`, nothing for JSON-lines kinds. */
function eventsHeader(kind: string): string {
  return JSONL_EVENT_KINDS.has(kind) ? '' : `step|timestamp|${kind}`;
}

/** One row (without its leading newline) as traceml writes it for `kind`, at `timestamp`. */
function eventRow(
  kind: string,
  step: number | undefined,
  value: unknown,
  timestamp: string,
): string {
  if (JSONL_EVENT_KINDS.has(kind)) {
    // traceml dumps the value first (an artifact's JSON becomes a string), then the line.
    const cell = typeof value === 'string' ? value : encodeEventValue(value);
    return pyJsonDumps({ timestamp, step: step ?? null, [kind]: cell });
  }
  // A `PyFloat` is written as Python's `str(float)` (traceml's metrics: `1.0`); a plain
  // number as JavaScript prints it (what the run kernel has always written: `1`).
  const cell =
    value instanceof PyFloat
      ? pyFloatRepr(value.value)
      : typeof value === 'number' || typeof value === 'string'
        ? String(value)
        : encodeEventValue(value);
  return `${step ?? ''}|${timestamp}|${cell}`;
}

/**
 * A row's time as traceml writes it, Python's `str(datetime)` of an aware UTC time
 * (`2026-12-05 08:45:21.038000+00:00`), and as its summaries write it, `isoformat()`
 * (`2026-12-05T08:45:21.038000+00:00`). Both leave out a fraction of zero, as Python does.
 */
function eventTimestamp(at: Date = new Date()): { text: string; iso: string } {
  const ms = at.getTime();
  if (ms !== lastStamp.ms) {
    const iso = at.toISOString(); // 2026-12-05T08:45:21.038Z
    const fraction = iso.slice(20, 23) === '000' ? '' : `.${iso.slice(20, 23)}000`;
    const time = `${iso.slice(11, 19)}${fraction}+00:00`;
    lastStamp.ms = ms;
    lastStamp.text = `${iso.slice(0, 10)} ${time}`;
    lastStamp.iso = `${iso.slice(0, 10)}T${time}`;
  }
  return lastStamp;
}

/** Many rows are logged within one millisecond: its timestamp is formatted once. */
const lastStamp = { ms: Number.NaN, text: '', iso: '' };

/**
 * Compact JSON as orjson writes it (traceml's `to_json`): no spaces, non-ASCII kept, `PyFloat`
 * and non-integral numbers as floats (`1.0`), integral numbers as ints.
 */
function encodeEventValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof PyFloat) return orjsonFloat(value.value);
  if (typeof value === 'number')
    return Number.isSafeInteger(value) ? String(value) : orjsonFloat(value);
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(encodeEventValue).join(',')}]`;
  if (typeof value === 'object') {
    const parts = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}:${encodeEventValue(v)}`);
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(String(value));
}

function orjsonFloat(x: number): string {
  if (!Number.isFinite(x)) return 'null';
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${x}.0`;
  return String(x).replace('e+', 'e');
}

/**
 * The event logged for an artifact at a step, as traceml logs it: V1EventModel for models
 * (`{framework?, path, spec?}`, header `model`), V1EventArtifact for every other kind
 * (`{kind, path}`, header = the kind: a `dataframe` artifact's file says `dataframe`).
 * `meta.framework` is the framework; the rest of `meta` is the model's `spec`.
 */
export function artifactEvent(
  kind: string,
  path: string,
  meta: Record<string, unknown> | undefined,
): { kind: string; value: Record<string, unknown>; at?: Date } {
  if (kind === 'model') {
    const { framework, ...spec } = meta ?? {};
    return {
      kind: 'model',
      value: {
        ...(framework !== undefined && framework !== null ? { framework } : {}),
        path,
        ...(Object.keys(spec).length > 0 ? { spec } : {}),
      },
    };
  }
  return { kind, value: { kind, path } };
}

/**
 * Bytes an events file's segments add to its name on a store (`<name>.plx.000001`): the run
 * folder appends each save as a segment (`record/event-files.ts`).
 */
const SEGMENT_SUFFIX = '.000000';

/**
 * Checks that `name` can name an events file and its segments (`events/<kind>/<name>.plx`,
 * `<name>.plx.000001`, …): a relative, `/`-separated name with no `.`/`..` segments, each part
 * short enough for every store (the last one leaves room for `.plx` and the segment suffix).
 */
export function validateEventName(kind: string, name: unknown): string {
  const ok = (): boolean => {
    if (typeof name !== 'string' || name === '') return false;
    try {
      validateKey(`events/${kind}/${name}.plx${SEGMENT_SUFFIX}`);
      return true;
    } catch {
      return false;
    }
  };
  if (!ok()) {
    throw new TroveError('INVALID_NAME', `Invalid ${kind} name ${JSON.stringify(name)}.`, {
      hint: 'Use a relative name such as "loss" or "train/loss": no "..", no leading "/", each "/"-separated part at most 255 bytes and the last at most 244 (the store adds ".plx" and a 7-byte segment suffix such as ".000001").',
    });
  }
  return name as string;
}
