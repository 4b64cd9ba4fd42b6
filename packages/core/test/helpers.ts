import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@trove/test-utils';
import { MemoryBackend } from '../src/backend/memory-backend.js';
import { openStore } from '../src/record/open-store.js';
import { Store } from '../src/record/store.js';

export {
  readEvents,
  rejectionCode,
  snapshotTree,
  storeKeys,
  tempDir,
  vectors,
} from '@trove/test-utils';

export function memoryStore(): Store {
  return new Store({ name: 'mem', meta: new MemoryBackend() });
}

/** Writes `count` files spread over `folders` folders under `root`; returns their contents. */
export function writeTree(
  root: string,
  count: number,
  folders: number,
  content: (i: number) => string = (i) => `file ${i}`,
): string[] {
  const contents: string[] = [];
  for (let i = 0; i < count; i++) {
    const dir = join(root, `s${i % folders}`);
    mkdirSync(dir, { recursive: true });
    contents.push(content(i));
    writeFileSync(join(dir, `f${i}`), contents[i] as string);
  }
  return contents;
}

/** A project with an embedded local store. */
export async function localProject(): Promise<{ cwd: string; store: Store }> {
  const cwd = tempDir();
  mkdirSync(join(cwd, '.trove'));
  return { cwd, store: await openStore({ cwd }) };
}

/**
 * A project folder over a memory store, with `file(name, text)` to write a file in it and
 * return its name (for `logArtifact`).
 */
export function memoryProject(): {
  cwd: string;
  store: Store;
  file: (name: string, text: string) => string;
} {
  const cwd = tempDir();
  mkdirSync(join(cwd, '.trove'));
  const file = (name: string, text: string) => {
    writeFileSync(join(cwd, name), text);
    return name;
  };
  return { cwd, store: memoryStore(), file };
}
