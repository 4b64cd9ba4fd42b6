/**
 * DVCLive's metric history, `plots/metrics/<name>.tsv`, as a buffered append: a `logMetric` call
 * only adds a line to memory; `flush()` (every `nextStep`, `makeSummary`, `end`) appends what
 * was added to each file. Nothing is ever rewritten, so a step costs what changed in it.
 * Bytes are DVCLive's: a header when the file is created (`[timestamp\t]step\t<basename>`),
 * Python `csv` quoting, `\n` line ends (Windows: `\r\n`, as Python's `os.linesep`).
 */
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { csvField, type MetricValue, pathlibJoin, pyStr } from './py-values.js';

const EOL = process.platform === 'win32' ? '\r\n' : '\n';

interface MetricFile {
  readonly path: string;
  readonly column: string;
  /** Whether the file is known to exist on disk (or its header is already buffered). */
  created: boolean;
  pending: string;
}

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
  }

  /** Appends every buffered row to its file. */
  flush(): void {
    for (const file of this.#dirty) {
      const dir = dirname(file.path);
      if (!this.#dirs.has(dir)) {
        mkdirSync(dir, { recursive: true });
        this.#dirs.add(dir);
      }
      appendFileSync(file.path, file.pending);
      file.pending = '';
    }
    this.#dirty.clear();
  }

  /** Forgets what is known of the files on disk (after `_init_cleanup` removed them). */
  reset(): void {
    this.#files.clear();
    this.#dirty.clear();
    this.#dirs.clear();
  }
}
