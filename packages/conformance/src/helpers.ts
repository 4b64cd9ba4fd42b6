import { createHash, randomBytes as cryptoRandomBytes } from 'node:crypto';
import type { ObjectEntry, StorageBackend, TroveError, TroveErrorCode } from '@trove/core/backend';
import { isTroveError } from '@trove/core/backend';
import { expect } from 'vitest';

/** md5 of bytes or a UTF-8 string, as 32 lower-case hex digits. */
export function md5Hex(data: Uint8Array | string): string {
  return createHash('md5').update(data).digest('hex');
}

/** Reads a stream (or any async iterable of chunks) to the end into one Buffer. */
export async function collect(stream: AsyncIterable<Uint8Array | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** `size` random bytes. */
export function randomBytes(size: number): Buffer {
  return cryptoRandomBytes(size);
}

/** Yields `bytes` in chunks of `chunkSize`, each a fresh copy (as a network stream would). */
export async function* chunked(bytes: Uint8Array, chunkSize: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += chunkSize) {
    yield Uint8Array.prototype.slice.call(bytes, at, at + chunkSize);
  }
}

/** Every entry `list` yields, in the order it yields them. */
export async function listAll(
  backend: StorageBackend,
  prefix: string,
  startAfter?: string,
): Promise<ObjectEntry[]> {
  const entries: ObjectEntry[] = [];
  const options = startAfter === undefined ? undefined : { startAfter };
  for await (const entry of backend.list(prefix, options)) entries.push(entry);
  return entries;
}

/** The keys `list` yields. */
export async function listKeys(
  backend: StorageBackend,
  prefix: string,
  startAfter?: string,
): Promise<string[]> {
  return (await listAll(backend, prefix, startAfter)).map((e) => e.key);
}

/** The whole content of an object. */
export async function readBytes(backend: StorageBackend, key: string): Promise<Buffer> {
  const { body } = await backend.read(key);
  return collect(body);
}

/**
 * Runs `fn` (which may throw synchronously or reject) and asserts it fails with a TroveError of
 * `code`. Returns the error for further checks.
 */
export async function expectTroveError(
  fn: () => unknown,
  code: TroveErrorCode,
): Promise<TroveError> {
  let caught: unknown;
  let threw = false;
  try {
    await fn();
  } catch (err) {
    caught = err;
    threw = true;
  }
  expect(threw, `expected a TroveError ${code}, but the call succeeded`).toBe(true);
  expect(caught).toMatchObject({ code });
  expect(
    isTroveError(caught, code),
    `expected a TroveError (Symbol.for marker) with code ${code}`,
  ).toBe(true);
  return caught as TroveError;
}

/** Bounded concurrency, shared with core. */
export { mapLimit } from '@trove/core/backend';

/**
 * Asserts that a backend whose bucket or container (`name`) does not exist fails every kind of
 * call (stat, exists, read, write, list, then `extra`) as `NOT_FOUND` naming it in the message
 * and the hint, so the user learns what to create instead of hunting for a missing object.
 */
export async function expectMissingContainer(
  backend: StorageBackend,
  name: string,
  extra: [string, () => Promise<unknown>][] = [],
): Promise<void> {
  const calls: [string, () => Promise<unknown>][] = [
    ['stat', () => backend.stat('a/b')],
    ['exists', () => backend.exists('a/b')],
    ['read', () => backend.read('a/b')],
    ['write', () => backend.write('a/b', 'x')],
    ['list', () => listAll(backend, 'a/')],
    ...extra,
  ];
  for (const [call, run] of calls) {
    const err = await expectTroveError(run, 'NOT_FOUND');
    expect(err.message, call).toContain(name);
    expect(err.hint, call).toContain(name);
    expect(err.backend, call).toBe(backend.kind);
  }
}
