import { readFileSync } from 'node:fs';

/** DVC's own outputs for known inputs (`shared/reference/dvc-vectors.json`), checked by the tests that read them. */
// biome-ignore lint/suspicious/noExplicitAny: the vectors file is untyped JSON, checked by the tests that read it
export const vectors: Record<string, any> = JSON.parse(
  readFileSync(new URL('./dvc-vectors.json', import.meta.url), 'utf8'),
);

/** What these helpers need of a trove `Store` (structural: test-utils does not depend on core). */
export interface StoreLike {
  meta: { list(prefix: string): AsyncIterable<{ key: string }> };
  listEventFiles(runId: string, kind?: string, name?: string): Promise<unknown[]>;
  readEventFile(file: never): AsyncIterable<unknown>;
}

/** Every key in the store's metadata backend, in listing order. */
export async function storeKeys(store: Pick<StoreLike, 'meta'>): Promise<string[]> {
  const keys: string[] = [];
  for await (const e of store.meta.list('')) keys.push(e.key);
  return keys;
}

/** A run's events file (`<kind>/<name>.plx`) as readers see it: base file and segments, in order. */
export async function readEvents(store: StoreLike, runId: string, file: string): Promise<string> {
  const kind = file.slice(0, file.indexOf('/'));
  const name = file.slice(file.indexOf('/') + 1, -4);
  const [found] = await store.listEventFiles(runId, kind, name);
  if (!found) throw new Error(`no events file ${file}`);
  const chunks: Buffer[] = [];
  for await (const chunk of store.readEventFile(found as never)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
