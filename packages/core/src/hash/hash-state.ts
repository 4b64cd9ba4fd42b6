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
  readonly #rows: Map<string, Row>;
  #dirty = false;

  private constructor(file: string | undefined, rows: Map<string, Row>) {
    this.#file = file;
    this.#rows = rows;
  }

  /** Loads the cache at `file`; a missing or unreadable file starts empty. `undefined`: in memory only. */
  static load(file: string | undefined): HashState {
    let rows = new Map<string, Row>();
    if (file !== undefined) {
      try {
        const data = JSON.parse(readFileSync(file, 'utf8')) as { v?: number; e?: Record<string, Row> };
        if (data.v === 1 && data.e) rows = new Map(Object.entries(data.e));
      } catch {
        // No cache yet, or a damaged one: it is only a cache, so start over.
      }
    }
    return new HashState(file, rows);
  }

  get(path: string, st: { ino: number; size: number; mtimeMs: number }): string | undefined {
    const row = this.#rows.get(path);
    if (row && row[0] === st.ino && row[1] === st.size && row[2] === st.mtimeMs) return row[3];
    return undefined;
  }

  set(path: string, st: { ino: number; size: number; mtimeMs: number }, md5: string): void {
    const row = this.#rows.get(path);
    if (row && row[0] === st.ino && row[1] === st.size && row[2] === st.mtimeMs && row[3] === md5) return;
    this.#rows.delete(path); // re-insert at the end: insertion order is age order
    this.#rows.set(path, [st.ino, st.size, st.mtimeMs, md5]);
    this.#dirty = true;
  }

  /** Writes the cache if it changed (temporary file, then rename). */
  save(): void {
    if (!this.#dirty || this.#file === undefined) return;
    while (this.#rows.size > MAX_ENTRIES) {
      const oldest = this.#rows.keys().next().value as string;
      this.#rows.delete(oldest);
    }
    mkdirSync(dirname(this.#file), { recursive: true });
    const tmp = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ v: 1, e: Object.fromEntries(this.#rows) }));
    renameSync(tmp, this.#file);
    this.#dirty = false;
  }
}
