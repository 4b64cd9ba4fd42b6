import { createHash } from 'node:crypto';
import { existsSync, readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { tempDir } from '@trove/test-utils';
import { describe, expect, it } from 'vitest';
import type { StorageBackend } from '../backend/contract.js';
import { MemoryBackend } from '../backend/memory-backend.js';
import { ContentStore } from './content-store.js';
import { ObjectCache } from './object-cache.js';

const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

async function text(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

/** A memory backend that counts reads, and a content store over it with a cache. */
function cachedStore(size = 1_000_000) {
  const backend = new MemoryBackend();
  let reads = 0;
  const counted = new Proxy(backend, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (prop === 'read') reads++;
        return value.apply(target, args);
      };
    },
  }) as StorageBackend;
  const dir = tempDir('trove-object-cache-');
  const cache = new ObjectCache({ dir, size });
  const store = new ContentStore(counted, '', cache);
  return { store, backend, dir, reads: () => reads };
}

async function put(backend: StorageBackend, content: string): Promise<string> {
  const hash = md5(content);
  await backend.write(`files/md5/${hash.slice(0, 2)}/${hash.slice(2)}`, content);
  return hash;
}

describe('the read-through object cache', () => {
  it('fills as it reads, then serves reads and ranges with no store request', async () => {
    const { store, backend, reads } = cachedStore();
    const hash = await put(backend, 'hello cached world');
    expect(await text((await store.read(hash)).body)).toBe('hello cached world');
    expect(reads()).toBe(1);
    expect(store.cache?.has(hash)).toBe(true);
    expect(await text((await store.read(hash)).body)).toBe('hello cached world');
    expect(await text((await store.read(hash, { range: { start: 6, end: 12 } })).body)).toBe(
      'cached',
    );
    expect(await store.readable(hash)).toBe(true);
    expect(reads()).toBe(1);
  });

  it('keeps nothing whose bytes do not match the md5, nor a read stopped midway', async () => {
    const { store, backend, dir } = cachedStore(10_000_000);
    const hash = md5('the right bytes');
    await backend.write(`files/md5/${hash.slice(0, 2)}/${hash.slice(2)}`, 'damaged bytes!!');
    expect(await text((await store.read(hash)).body)).toBe('damaged bytes!!');
    expect(store.cache?.has(hash)).toBe(false);
    const big = 'x'.repeat(4 << 20);
    const bigHash = await put(backend, big);
    const { body } = await store.read(bigHash);
    for await (const _ of body) break; // the reader stops after one chunk
    expect(store.cache?.has(bigHash)).toBe(false);
    // Read whole, it is kept; no other file is in the cache.
    expect((await text((await store.read(bigHash)).body)).length).toBe(big.length);
    expect(store.cache?.has(bigHash)).toBe(true);
    expect(readdirSync(join(dir, 'files/md5'))).toEqual([bigHash.slice(0, 2)]);
  });

  it('evicts the least recently used files past its size', async () => {
    const { store, backend, dir } = cachedStore(250);
    const hashes: string[] = [];
    for (let i = 0; i < 3; i++) hashes.push(await put(backend, String(i).repeat(100)));
    for (const [i, h] of hashes.slice(0, 2).entries()) {
      await text((await store.read(h)).body);
      // Distinct, ordered last uses without waiting: the first read is the oldest.
      const path = join(dir, 'files/md5', h.slice(0, 2), h.slice(2));
      utimesSync(path, new Date(1000 * (i + 1)), new Date(1000 * (i + 1)));
    }
    await text((await store.read(hashes[0] as string)).body); // a hit: now the newest
    await text((await store.read(hashes[2] as string)).body); // 300 bytes > 250: one goes
    const kept = hashes.map((h) => existsSync(join(dir, 'files/md5', h.slice(0, 2), h.slice(2))));
    expect(kept).toEqual([true, false, true]);
  });

  it('a writer still asks the store, not the cache', async () => {
    const { store, backend } = cachedStore();
    const hash = await put(backend, 'cached then deleted');
    await text((await store.read(hash)).body);
    await backend.delete(`files/md5/${hash.slice(0, 2)}/${hash.slice(2)}`);
    expect(await store.has(hash)).toBe(false);
    expect(await store.readable(hash)).toBe(true);
    expect(await text((await store.read(hash)).body)).toBe('cached then deleted');
  });
});
