import { validateKey } from '../backend/keys.js';
import { TroveError } from '../errors.js';

/**
 * Step events in Polyaxon's format: `events/<kind>/<name>.plx`, a pipe-separated file whose
 * header is `step|timestamp|<kind>` and whose rows start with a newline (so the file has no
 * trailing one). Object values are inline JSON. Rows are buffered and appended on save (object
 * stores cannot append, so the run folder rewrites the file with the new rows after the old ones).
 */
export class EventLog {
  /** Rows not saved yet, by file (path under `events/`), each starting with a newline. */
  readonly #pending = new Map<string, { header: string; rows: string[] }>();

  /** Adds one event for `name` under `events/<kind>/`. `dir` overrides the folder (artifact kinds). */
  add(
    kind: string,
    name: string,
    step: number | undefined,
    value: unknown,
    dir: string = kind,
  ): void {
    const file = `${dir}/${name}.plx`;
    let entry = this.#pending.get(file);
    if (!entry) {
      entry = { header: `step|timestamp|${kind}`, rows: [] };
      this.#pending.set(file, entry);
    }
    const cell =
      typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
    entry.rows.push(`\n${step ?? ''}|${new Date().toISOString()}|${cell}`);
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
