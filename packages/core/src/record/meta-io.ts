import type { StorageBackend } from '../backend/contract.js';
import { TroveError } from '../errors.js';

/** Where a store keeps its small metadata (run records, events, the registry). */
export interface MetaLocation {
  readonly name: string;
  readonly meta: StorageBackend;
  readonly metaPrefix: string;
}

/** A small object as UTF-8 text. Throws `NOT_FOUND` when absent. */
export async function readText(backend: StorageBackend, key: string): Promise<string> {
  const { body } = await backend.read(key);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A small JSON object; `CORRUPT` (naming the key) when it does not parse. */
export async function readJson<T>(backend: StorageBackend, key: string): Promise<T> {
  const text = await readText(backend, key);
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new TroveError('CORRUPT', `${key} is not valid JSON.`, {
      key,
      backend: backend.kind,
      cause: err,
    });
  }
}

export async function writeJson(
  backend: StorageBackend,
  key: string,
  value: unknown,
): Promise<void> {
  await backend.write(key, `${JSON.stringify(value, null, 2)}\n`, {
    contentType: 'application/json',
  });
}
