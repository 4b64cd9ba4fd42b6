/**
 * Step events in Polyaxon's format: `events/<kind>/<name>.plx`, a pipe-separated file whose
 * header is `step|timestamp|<kind>` and whose rows start with a newline (so the file has no
 * trailing one). Object values are inline JSON. The whole file is rewritten on save: object
 * stores cannot append.
 */
export class EventLog {
  readonly #files = new Map<string, EventFile>();
  readonly #dirty = new Set<string>();

  /** Adds one event for `name` under `events/<kind>/`. `dir` overrides the folder (artifact kinds). */
  add(
    kind: string,
    name: string,
    step: number | undefined,
    value: unknown,
    dir: string = kind,
  ): void {
    const file = `${dir}/${name}.plx`;
    let f = this.#files.get(file);
    if (f === undefined) {
      f = { text: `step|timestamp|${kind}`, chunks: [], rows: [] };
      this.#files.set(file, f);
    }
    const cell =
      typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
    f.rows.push(`${step ?? ''}|${isoNow()}|${cell}`);
    // Joined into one flat string every few thousand rows: a string grown row by row is a
    // chain of small pieces, several times the size of its text (1,000,000 metric values).
    if (f.rows.length >= ROWS_PER_CHUNK) {
      f.chunks.push(f.rows.join('\n'));
      f.rows = [];
    }
    this.#dirty.add(file);
  }

  /** Starts from a file already in the store (a resumed run). */
  load(file: string, text: string): void {
    this.#files.set(file, { text, chunks: [], rows: [] });
  }

  /** Files changed since the last call, as [path under events/, text]. */
  drainDirty(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const file of this.#dirty) {
      const f = this.#files.get(file);
      if (f) compact(f);
      out.push([file, f?.text ?? '']);
    }
    this.#dirty.clear();
    return out;
  }
}

interface EventFile {
  /** The file's text as last saved (or loaded): header and rows. */
  text: string;
  /** Rows added since, joined by thousands (without their leading newline). */
  chunks: string[];
  rows: string[];
}

const ROWS_PER_CHUNK = 4096;

function compact(f: EventFile): void {
  if (f.rows.length > 0) f.chunks.push(f.rows.join('\n'));
  if (f.chunks.length > 0) f.text = [f.text, ...f.chunks].join('\n');
  f.chunks = [];
  f.rows = [];
}

let lastMs = -1;
let lastIso = '';

/** The current time as ISO text; formatted once per millisecond (a training loop logs many). */
function isoNow(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

/**
 * The event logged for an artifact at a step: Polyaxon's V1EventModel for models
 * (`{framework?, path}`, under `events/model/`), V1EventArtifact for other kinds
 * (`{kind, path}`, under `events/<kind>/` with header `artifact`). Empty fields are left out.
 */
export function artifactEvent(
  kind: string,
  path: string,
  meta: Record<string, unknown> | undefined,
): { eventKind: 'model' | 'artifact'; value: Record<string, unknown> } {
  if (kind === 'model') {
    return {
      eventKind: 'model',
      value: { ...(meta?.framework !== undefined ? { framework: meta.framework } : {}), path },
    };
  }
  return { eventKind: 'artifact', value: { kind, path } };
}

/** Polyaxon's `framework` argument, kept with the other metadata (`meta` or a ref's `summary`). */
export function withFramework(
  values: Record<string, unknown> | undefined,
  framework: string | undefined,
): Record<string, unknown> | undefined {
  return framework ? { ...(values ?? {}), framework } : values;
}
