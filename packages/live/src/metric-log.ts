/**
 * DVCLive's metric history, `plots/metrics/<name>.tsv`, as a buffered append: a `logMetric` call
 * only adds a line to memory; `flush()` (every `nextStep`, `makeSummary`, `end`) appends what
 * was added to each file (kept open). Nothing is ever rewritten, so a step costs what changed
 * in it; a long run without steps is appended every 64 KiB of rows.
 * Bytes are DVCLive's: a header when the file is created (`[timestamp\t]step\t<basename>`),
 * Python `csv` quoting, `\n` line ends (Windows: `\r\n`, as Python's `os.linesep`).
 */
import { closeSync, existsSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { csvField, type MetricValue, pathlibJoin, pyStr } from './py-values.js';

const EOL = process.platform === 'win32' ? '\r\n' : '\n';

interface MetricFile {
  readonly path: string;
  readonly column: string;
  /** Whether the file is known to exist on disk (or its header is already buffered). */
  created: boolean;
  pending: string;
  /** Open for appending after the first flush; closed by `close()`. */
  fd: number | undefined;
}

/** Rows kept in memory per file before they are appended even without a step. */
const FLUSH_AT = 1 << 16;

export class MetricLog {
  readonly #folder: string;
  readonly #files = new Map<string, MetricFile>();
  readonly #dirty = new Set<MetricFile>();
  readonly #dirs = new Set<string>();

  /** `folder` is `<dir>/plots/metrics`. */
  constructor(folder: string) {
    this.#folder = folder;
  }

  /** Adds one row; the file is written on the next `flush()`. */
  append(name: string, step: number, value: MetricValue, timestamp: boolean): void {
    let file = this.#files.get(name);
    if (file === undefined) {
      const path = `${pathlibJoin(this.#folder, name)}.tsv`;
      file = {
        path,
        column: csvField(name.slice(name.lastIndexOf('/') + 1)),
        created: existsSync(path),
        pending: '',
        fd: undefined,
      };
      this.#files.set(name, file);
    }
    if (!file.created) {
      file.pending += `${timestamp ? 'timestamp\t' : ''}step\t${file.column}${EOL}`;
      file.created = true;
    }
    const cell = typeof value === 'string' ? csvField(value) : pyStr(value);
    file.pending += `${timestamp ? `${Date.now()}\t` : ''}${step}\t${cell}${EOL}`;
    this.#dirty.add(file);
    if (file.pending.length > FLUSH_AT) this.#write(file);
  }

  /** Appends every buffered row to its file. */
  flush(): void {
    for (const file of this.#dirty) this.#write(file);
    this.#dirty.clear();
  }

  /** Flushes and closes the files. */
  close(): void {
    this.flush();
    for (const file of this.#files.values()) {
      if (file.fd !== undefined) closeSync(file.fd);
      file.fd = undefined;
    }
  }

  #write(file: MetricFile): void {
    if (file.pending === '') return;
    if (file.fd === undefined) {
      const dir = dirname(file.path);
      if (!this.#dirs.has(dir)) {
        mkdirSync(dir, { recursive: true });
        this.#dirs.add(dir);
      }
      file.fd = openSync(file.path, 'a');
    }
    writeSync(file.fd, file.pending);
    file.pending = '';
  }

  /** Forgets what is known of the files on disk (after `_init_cleanup` removed them). */
  reset(): void {
    this.close();
    this.#files.clear();
    this.#dirty.clear();
    this.#dirs.clear();
  }
}
