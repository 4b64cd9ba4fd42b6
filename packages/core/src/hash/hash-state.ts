import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

type Row = [ino: number, size: number, mtimeMs: number, md5: string];

/** Entries beyond this are dropped oldest-first when saving, so the file stays bounded. */
const MAX_ENTRIES = 2_000_000;

/**
 * The stat cache: a file whose inode, size and mtime are unchanged since it was hashed is not
 * read again (DVC's `.dvc/tmp/md5s`, W&B's checksum cache). Keyed by absolute path; a row only
 * counts when all three stat fields match. One JSON file, loaded once per process: parsing
 * 100,000 rows takes ~0.1 s, far less than re-reading the files.
 */
export class HashState {
  readonly #file: string | undefined;
  // A plain object rather than a Map: built by JSON.parse directly, which halves load time.
  // Keys are absolute paths, so they never meet Object.prototype's names.
  readonly #rows: Record<string, Row>;
  #size: number;
  #dirty = false;

  private constructor(file: string | undefined, rows: Record<string, Row>) {
    this.#file = file;
    this.#rows = rows;
    this.#size = Object.keys(rows).length;
  }

  /** Loads the cache at `file`; a missing or unreadable file starts empty. `undefined`: in memory only. */
  static load(file: string | undefined): HashState {
    return new HashState(file, file === undefined ? {} : readRows(file));
  }

  get(path: string, st: { ino: number; size: number; mtimeMs: number }): string | undefined {
    const row = this.#rows[path];
    if (row && row[0] === st.ino && row[1] === st.size && row[2] === st.mtimeMs) return row[3];
    return undefined;
  }

  set(path: string, st: { ino: number; size: number; mtimeMs: number }, md5: string): void {
    const row = this.#rows[path];
    if (row && row[0] === st.ino && row[1] === st.size && row[2] === st.mtimeMs && row[3] === md5)
      return;
    if (row)
      delete this.#rows[path]; // re-insert at the end: insertion order is age order
    else this.#size++;
    this.#rows[path] = [st.ino, st.size, st.mtimeMs, md5];
    this.#dirty = true;
  }

  /** Writes the cache if it changed (temporary file, then rename). */
  save(): void {
    if (!this.#dirty || this.#file === undefined) return;
    if (this.#size > MAX_ENTRIES) {
      const keys = Object.keys(this.#rows);
      for (const key of keys.slice(0, keys.length - MAX_ENTRIES)) delete this.#rows[key];
      this.#size = MAX_ENTRIES;
    }
    // Another process may have saved rows meanwhile: keep those this one does not have.
    for (const [path, row] of Object.entries(readRows(this.#file))) {
      if (!(path in this.#rows)) this.#rows[path] = row;
    }
    mkdirSync(dirname(this.#file), { recursive: true });
    const tmp = `${this.#file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, JSON.stringify({ v: 1, e: this.#rows }));
    renameSync(tmp, this.#file);
    this.#dirty = false;
  }
}

/** The rows of a saved cache; none when it is missing or damaged (it is only a cache). */
function readRows(file: string): Record<string, Row> {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as { v?: number; e?: Record<string, Row> };
    return data.v === 1 && data.e ? data.e : {};
  } catch {
    return {};
  }
}
