import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryBackend } from '../src/backend/memory-backend.js';
import { Store } from '../src/record/store.js';

export { snapshotTree, tempDir } from '@trove/test-utils';

export const vectors = JSON.parse(
  readFileSync(new URL('./fixtures/dvc-vectors.json', import.meta.url), 'utf8'),
) as Vectors;

// biome-ignore lint/suspicious/noExplicitAny: the vectors file is untyped JSON, checked by the tests that read it
type Vectors = Record<string, any>;

export function memoryStore(): Store {
  return new Store({ name: 'mem', meta: new MemoryBackend() });
}

export async function storeKeys(store: Store): Promise<string[]> {
  const keys: string[] = [];
  for await (const e of store.meta.list('')) keys.push(e.key);
  return keys;
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
