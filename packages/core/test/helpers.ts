import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryBackend } from '../src/memory-backend.js';
import { Store } from '../src/store.js';

export const vectors = JSON.parse(
  readFileSync(new URL('./fixtures/dvc-vectors.json', import.meta.url), 'utf8'),
) as Vectors;

// biome-ignore lint/suspicious/noExplicitAny: the vectors file is untyped JSON, checked by the tests that read it
type Vectors = Record<string, any>;

export function tempDir(prefix = 'trove-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function memoryStore(): Store {
  return new Store({ name: 'mem', meta: new MemoryBackend() });
}

/** Every path under `root` with its content (files), link target (links) or "dir", for before/after checks. */
export function snapshotTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const key = rel ? `${rel}/${name}` : name;
      const st = lstatSync(path);
      if (st.isSymbolicLink()) out[key] = `link:${readlinkSync(path)}`;
      else if (st.isDirectory()) {
        out[key] = 'dir';
        visit(path, key);
      } else if (st.isFile()) out[key] = readFileSync(path).toString('hex');
      else out[key] = 'special';
    }
  };
  visit(root, '');
  return out;
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
