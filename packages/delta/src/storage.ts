import type { Readable } from 'node:stream';
import { errorCode } from './errors.js';

/**
 * What a Delta table needs from a blob store. trove's `StorageBackend` satisfies it as is;
 * errors are recognised by their `code` property only (`NOT_FOUND`, `PRECONDITION_FAILED`).
 */
export interface DeltaStorage {
  /** Throws an error with code `NOT_FOUND` when absent. `range` only when `capabilities.rangeRead`. */
  read(
    key: string,
    options?: { range?: { start: number; end?: number } },
  ): Promise<{ body: Readable }>;
  /** `ifNoneMatch: '*'` throws code `PRECONDITION_FAILED` when the key exists. */
  write(key: string, body: Uint8Array | string, options?: { ifNoneMatch?: '*' }): Promise<unknown>;
  /** Keys starting with `prefix`, ascending; `startAfter` skips keys up to and including it. */
  list(
    prefix: string,
    options?: { startAfter?: string },
  ): AsyncIterable<{ key: string; size: number; lastModified?: Date }>;
  delete(key: string): Promise<void>;
  deleteMany(keys: readonly string[]): Promise<void>;
  readonly capabilities?: { readonly rangeRead?: boolean };
}

function isNotFound(err: unknown): boolean {
  return errorCode(err) === 'NOT_FOUND';
}

export function isPreconditionFailed(err: unknown): boolean {
  return errorCode(err) === 'PRECONDITION_FAILED';
}

/** The whole object as bytes; for log entries and bounded data files only. */
export async function readBytes(
  storage: DeltaStorage,
  key: string,
  range?: { start: number; end: number },
): Promise<Uint8Array> {
  const { body } = await storage.read(key, range ? { range } : undefined);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** The object as UTF-8 text, or `undefined` when it does not exist. */
export async function readTextIfExists(
  storage: DeltaStorage,
  key: string,
): Promise<string | undefined> {
  try {
    return Buffer.from(await readBytes(storage, key)).toString('utf8');
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
