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

/**
 * The run kernel's events: rows are buffered and appended on save (object stores cannot append,
 * so the run folder rewrites the file with the new rows after the old ones).
 */
export class EventLog {
  /** Rows not saved yet, by file (path under `events/`), each starting with a newline. */
  readonly #pending = new Map<string, { header: string; rows: string[] }>();

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
      entry = { header: eventsHeader(kind), rows: [] };
      this.#pending.set(file, entry);
    }
    entry.rows.push(`\n${eventRow(kind, step, value, at)}`);
  }

  /** The rows added since the last call, by file: appended to the stored file (or a new one). */
  drain(): Array<{ file: string; header: string; rows: string }> {
    const out = [...this.#pending].map(([file, e]) => ({
      file,
      header: e.header,
      rows: e.rows.join(''),
    }));
    this.#pending.clear();
    return out;
  }

  /** Puts rows back after a failed save, ahead of any added since. */
  restore(batch: Array<{ file: string; header: string; rows: string }>): void {
    for (const { file, header, rows } of batch.reverse()) {
      const entry = this.#pending.get(file);
      if (entry) entry.rows.unshift(rows);
      else this.#pending.set(file, { header, rows: [rows] });
    }
  }
}

/**
 * Whole events files held in memory, for a writer that owns its files and rewrites them (the
 * Polyaxon dialect's run folder, mirrored to the store).
 */
export class EventFiles {
  readonly #files = new Map<string, string>();
  readonly #dirty = new Set<string>();

  /** As `EventLog.add`. */
  add(
    kind: string,
    name: string,
    step: number | undefined,
    value: unknown,
    dir: string = kind,
    at: Date = new Date(),
  ): void {
    const file = `${dir}/${name}.plx`;
    const text = this.#files.get(file) ?? eventsHeader(kind);
    this.#files.set(file, `${text}\n${eventRow(kind, step, value, at)}`);
    this.#dirty.add(file);
  }

  /** The text of one file (path under `events/`), if any event was added. */
  text(file: string): string | undefined {
    return this.#files.get(file);
  }

  /** Every file (path under `events/`) that has events, sorted. */
  files(): string[] {
    return [...this.#files.keys()].sort();
  }

  /** Files changed since the last call, as [path under events/, text]. */
  drainDirty(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const file of this.#dirty) out.push([file, this.#files.get(file) ?? '']);
    this.#dirty.clear();
    return out;
  }
}

/** A new events file's first line: `step|timestamp|<kind>`, nothing for JSON-lines kinds. */
function eventsHeader(kind: string): string {
  return JSONL_EVENT_KINDS.has(kind) ? '' : `step|timestamp|${kind}`;
}

/** One row (without its leading newline) as traceml writes it for `kind`. */
function eventRow(
  kind: string,
  step: number | undefined,
  value: unknown,
  at: Date = new Date(),
): string {
  const timestamp = eventTimestamp(at);
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
 * A timestamp as Python's `datetime.isoformat()` of an aware UTC time:
 * `2026-12-05T08:45:21.038000+00:00` (pandas parses it, as it does traceml's `str(datetime)`).
 */
function eventTimestamp(at: Date = new Date()): string {
  return `${at.toISOString().slice(0, 23)}000+00:00`;
}

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
): { eventKind: string; value: Record<string, unknown> } {
  if (kind === 'model') {
    const { framework, ...spec } = meta ?? {};
    return {
      eventKind: 'model',
      value: {
        ...(framework !== undefined && framework !== null ? { framework } : {}),
        path,
        ...(Object.keys(spec).length > 0 ? { spec } : {}),
      },
    };
  }
  return { eventKind: kind, value: { kind, path } };
}

/** Polyaxon's `framework` argument, kept with the other metadata (`meta` or a ref's `summary`). */
export function withFramework(
  values: Record<string, unknown> | undefined,
  framework: string | undefined,
): Record<string, unknown> | undefined {
  return framework ? { ...(values ?? {}), framework } : values;
}

/**
 * Checks that `name` can name an events file (`events/<kind>/<name>.plx`): a relative,
 * `/`-separated name with no `.`/`..` segments, each segment short enough for every store.
 */
export function validateEventName(kind: string, name: unknown): string {
  const ok = (): boolean => {
    if (typeof name !== 'string' || name === '') return false;
    try {
      validateKey(`events/${kind}/${name}.plx`);
      return true;
    } catch {
      return false;
    }
  };
  if (!ok()) {
    throw new TroveError('INVALID_NAME', `Invalid ${kind} name ${JSON.stringify(name)}.`, {
      hint: 'Use a relative name such as "loss" or "train/loss": no "..", no leading "/", segments under 250 bytes.',
    });
  }
  return name as string;
}
