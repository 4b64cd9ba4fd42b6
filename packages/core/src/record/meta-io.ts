import type { StorageBackend } from '../backend/contract.js';
import { isTroveError, TroveError } from '../errors.js';

/** Where a store keeps its small metadata (run records, events, the registry). */
export interface MetaLocation {
  readonly name: string;
  readonly meta: StorageBackend;
  readonly metaPrefix: string;
}

/** Whole reads of one small object before a change under every one of them is an error. */
const WHOLE_READ_ATTEMPTS = 5;

/**
 * A small object as UTF-8 text, with the etag of that very version. A read cut mid-answer is
 * resumed by the backend, which refuses (`CONFLICT`, retryable) when the object changed in
 * between: a shared record many writers update (the registry, run.json) then is read again
 * from the start, up to 5 times. Throws `NOT_FOUND` when absent.
 */
export async function readWhole(
  backend: StorageBackend,
  key: string,
): Promise<{ text: string; etag: string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const { stat, body } = await backend.read(key);
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk as Buffer);
      return { text: Buffer.concat(chunks).toString('utf8'), etag: stat.etag };
    } catch (err) {
      const changed = isTroveError(err, 'CONFLICT') && err.retryable;
      if (!changed || attempt >= WHOLE_READ_ATTEMPTS) throw err;
    }
  }
}

/** A small object as UTF-8 text (see `readWhole`). Throws `NOT_FOUND` when absent. */
export async function readText(backend: StorageBackend, key: string): Promise<string> {
  return (await readWhole(backend, key)).text;
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
