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

/** A run's events file (`<kind>/<name>.plx`) as readers see it: base file and segments, in order. */
export async function readEvents(store: Store, runId: string, file: string): Promise<string> {
  const [kind = '', name = ''] = [
    file.slice(0, file.indexOf('/')),
    file.slice(file.indexOf('/') + 1, -4),
  ];
  const [found] = await store.listEventFiles(runId, kind, name);
  if (!found) throw new Error(`no events file ${file}`);
  const chunks: Buffer[] = [];
  for await (const chunk of store.readEventFile(found)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
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
