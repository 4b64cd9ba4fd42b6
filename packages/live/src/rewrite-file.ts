/**
 * A small file rewritten on every step (`metrics.json`). Truncating a file that holds data
 * (`open(..., 'w')`, what DVCLive does) or renaming over it makes ext4 flush it (its
 * `auto_da_alloc` rule): milliseconds a step. This keeps the file open and writes the new text
 * over the old, then cuts it to length, so a step costs two system calls. A file removed or
 * replaced behind its back is opened again.
 */
import { closeSync, ftruncateSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export class RewriteFile {
  readonly path: string;
  #fd: number | undefined;
  #ino = -1;

  constructor(path: string) {
    this.path = path;
  }

  write(text: string): void {
    const st = statSync(this.path, { throwIfNoEntry: false });
    if (this.#fd === undefined || st === undefined || st.ino !== this.#ino) {
      this.close();
      mkdirSync(dirname(this.path), { recursive: true });
      this.#fd = openSync(this.path, st === undefined ? 'w' : 'r+');
      this.#ino = st?.ino ?? statSync(this.path).ino;
    }
    const bytes = Buffer.from(text, 'utf8');
    writeSync(this.#fd, bytes, 0, bytes.length, 0);
    ftruncateSync(this.#fd, bytes.length);
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}
