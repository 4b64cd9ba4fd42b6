import { createHash, randomBytes } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@trove/test-utils';
import { describe, expect, it } from 'vitest';
import type { ReadOptions, StorageBackend } from '../backend/contract.js';
import { MemoryBackend } from '../backend/memory-backend.js';
import { TRANSFER_CHANNEL, type TransferMessage } from '../backend/transfer-channel.js';
import { TroveError } from '../errors.js';
import { checkout } from './checkout.js';
import { ContentStore } from './content-store.js';
import { ObjectCache } from './object-cache.js';
import {
  downloadObject,
  MAX_RANGES,
  RANGE_CONCURRENCY,
  RANGE_PART,
  rangesOf,
  SMALL_OBJECT,
} from './range-download.js';

const MIB = 1024 * 1024;
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/** A memory backend that records the range of every read. */
function recorded() {
  const backend = new MemoryBackend();
  const ranges: Array<ReadOptions['range']> = [];
  const wrapped = new Proxy(backend, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (prop === 'read') ranges.push((args[1] as ReadOptions | undefined)?.range);
        return value.apply(target, args);
      };
    },
  }) as StorageBackend;
  return { backend: wrapped, ranges };
}

/** `recorded()` under a content store with a read-through cache. */
function cachedRecorded() {
  const cacheDir = tempDir();
  const cache = new ObjectCache({ dir: cacheDir, size: 100 * MIB });
  const { backend, ranges } = recorded();
  return { backend, ranges, cacheDir, cache, objects: new ContentStore(backend, '', cache) };
}

describe('downloadObject', () => {
  it('reads a large object in parallel ranges, each at its offset, and hashes the whole file', async () => {
    const { backend, ranges } = recorded();
    const bytes = randomBytes(5 * MIB + 12_345);
    await backend.write('big', bytes);
    const path = join(tempDir(), 'big');
    const done = await downloadObject(backend, 'big', path, { partSize: MIB });
    expect(readFileSync(path).equals(bytes)).toBe(true);
    expect(done).toEqual({ md5: md5(bytes), size: bytes.length, ranges: 6, copied: false });
    expect(ranges).toHaveLength(6);
    expect(new Set(ranges.map((r) => `${r?.start}-${r?.end}`))).toEqual(
      new Set([
        `0-${MIB}`,
        `${MIB}-${2 * MIB}`,
        `${2 * MIB}-${3 * MIB}`,
        `${3 * MIB}-${4 * MIB}`,
        `${4 * MIB}-${5 * MIB}`,
        `${5 * MIB}-${bytes.length}`,
      ]),
    );
  });

  it('reads an object within one part with a single request', async () => {
    const { backend, ranges } = recorded();
    const bytes = randomBytes(1000);
    await backend.write('small', bytes);
    const path = join(tempDir(), 'small');
    const done = await downloadObject(backend, 'small', path);
    expect(readFileSync(path).equals(bytes)).toBe(true);
    expect(done).toEqual({ md5: md5(bytes), size: 1000, ranges: 1, copied: false });
    expect(ranges).toEqual([{ start: 0, end: RANGE_PART }]);
  });

  it('an empty object is one request and an empty file', async () => {
    const { backend, ranges } = recorded();
    await backend.write('empty', '');
    const path = join(tempDir(), 'empty');
    const done = await downloadObject(backend, 'empty', path);
    expect(readFileSync(path).length).toBe(0);
    expect(done).toEqual({ md5: md5(Buffer.alloc(0)), size: 0, ranges: 1, copied: false });
    expect(ranges).toHaveLength(1);
  });

  it(`publishes each object's size on ${JSON.stringify(TRANSFER_CHANNEL)} as it starts and ends, also when it fails`, async () => {
    const { backend } = recorded();
    const big = randomBytes(2 * MIB + 5);
    await backend.write('big', big);
    await backend.write('small', 'abc');
    const seen: TransferMessage[] = [];
    const listen = (m: unknown) => seen.push(m as TransferMessage);
    subscribe(TRANSFER_CHANNEL, listen);
    try {
      const dir = tempDir();
      await downloadObject(backend, 'big', join(dir, 'big'), { partSize: MIB });
      await downloadObject(backend, 'small', join(dir, 'small'));
      // A length the store did not deliver fails the download; its end is still published.
      const short = new Proxy(backend, {
        get(target, prop) {
          if (prop !== 'read') return Reflect.get(target, prop, target);
          return async (key: string, options?: ReadOptions) => {
            const got = await target.read(key, options);
            return { ...got, stat: { ...got.stat, size: got.stat.size + 1 } };
          };
        },
      }) as StorageBackend;
      await expect(downloadObject(short, 'small', join(dir, 'short'))).rejects.toMatchObject({
        code: 'UNAVAILABLE',
      });
    } finally {
      unsubscribe(TRANSFER_CHANNEL, listen);
    }
    expect(seen).toEqual([
      { key: 'big', size: big.length, phase: 'start', direction: 'download' },
      { key: 'big', size: big.length, phase: 'end', direction: 'download' },
      { key: 'small', size: 3, phase: 'start', direction: 'download' },
      { key: 'small', size: 3, phase: 'end', direction: 'download' },
      { key: 'small', size: 4, phase: 'start', direction: 'download' },
      { key: 'small', size: 4, phase: 'end', direction: 'download' },
    ]);
  });

  it('never replaces a file at the path (EEXIST), and reads nothing', async () => {
    const { backend, ranges } = recorded();
    await backend.write('x', 'abc');
    const dir = tempDir();
    await downloadObject(backend, 'x', join(dir, 'x'));
    await expect(downloadObject(backend, 'x', join(dir, 'x'))).rejects.toMatchObject({
      code: 'EEXIST',
    });
    expect(ranges).toHaveLength(1);
  });
  it('writes the same bytes to copyTo (parts, a single streamed read and a small object alike); a copy that cannot be written is dropped, never the download', async () => {
    const { backend } = recorded();
    const big = randomBytes(3 * MIB + 7);
    const medium = randomBytes(SMALL_OBJECT + 1);
    const small = randomBytes(5000);
    await backend.write('big', big);
    await backend.write('medium', medium);
    await backend.write('small', small);
    const dir = tempDir();
    for (const [key, bytes, partSize] of [
      ['big', big, MIB],
      ['medium', medium, RANGE_PART],
      ['small', small, MIB],
    ] as const) {
      const done = await downloadObject(backend, key, join(dir, key), {
        partSize,
        copyTo: join(dir, `${key}.copy`),
      });
      expect(done).toMatchObject({ md5: md5(bytes), size: bytes.length, copied: true });
      expect(readFileSync(join(dir, `${key}.copy`)).equals(bytes)).toBe(true);
      expect(readFileSync(join(dir, key)).equals(bytes)).toBe(true);
      // A copy into a folder that does not exist: the download still succeeds.
      const again = await downloadObject(backend, key, join(dir, `${key}.2`), {
        partSize,
        copyTo: join(dir, 'missing', 'copy'),
      });
      expect(again).toMatchObject({ md5: md5(bytes), size: bytes.length, copied: false });
      expect(readFileSync(join(dir, `${key}.2`)).equals(bytes)).toBe(true);
    }
  });
});

describe('downloadObject when a range fails', () => {
  it("fails with the range's error, and the md5 thread serves the next download", async () => {
    const backend = new MemoryBackend();
    const bytes = randomBytes(6 * MIB + 3);
    await backend.write('big', bytes);
    let failing = true;
    const flaky = new Proxy(backend, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const range = (args[1] as ReadOptions | undefined)?.range;
          if (prop === 'read' && failing && range?.start === 3 * MIB)
            return Promise.reject(
              new TroveError('UNAVAILABLE', 'connection reset', { retryable: true }),
            );
          return value.apply(target, args);
        };
      },
    }) as StorageBackend;
    const dir = tempDir();
    const copyTo = join(dir, 'copy');
    await expect(
      downloadObject(flaky, 'big', join(dir, 'first'), { partSize: MIB, copyTo }),
    ).rejects.toMatchObject({ code: 'UNAVAILABLE', message: 'connection reset' });
    failing = false;
    const done = await downloadObject(flaky, 'big', join(dir, 'second'), { partSize: MIB });
    expect(done).toEqual({ md5: md5(bytes), size: bytes.length, ranges: 7, copied: false });
  });

  it('an object replaced between its ranges is CHANGED (never two versions in one file)', async () => {
    const backend = new MemoryBackend();
    await backend.write('big', randomBytes(3 * MIB));
    let replaced = false;
    const racing = new Proxy(backend, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          const range = (args[1] as ReadOptions | undefined)?.range;
          if (prop === 'read' && range && range.start > 0 && !replaced) {
            replaced = true;
            await target.write('big', randomBytes(3 * MIB));
          }
          return value.apply(target, args);
        };
      },
    }) as StorageBackend;
    await expect(
      downloadObject(racing, 'big', join(tempDir(), 'x'), { partSize: MIB }),
    ).rejects.toMatchObject({ code: 'CHANGED' });
  });
});

describe('rangesOf', () => {
  it('covers the object without gap or overlap, in parts of at least the first, MAX_RANGES at most', () => {
    const GIB = 1024 * MIB;
    for (const [size, first, count, part] of [
      [GIB, RANGE_PART, MAX_RANGES, 33 * MIB],
      [5 * MIB + 12_345, MIB, 6, MIB],
      [100 * MIB, RANGE_PART, 13, RANGE_PART],
      [RANGE_PART + 1, RANGE_PART, 2, RANGE_PART],
    ] as const) {
      const ranges = rangesOf(size, first);
      expect(ranges).toHaveLength(count);
      expect(ranges[0]).toEqual({ start: 0, end: first });
      expect(ranges[1]?.end).toBe(Math.min(size, first + part));
      expect(ranges.at(-1)?.end).toBe(size);
      for (const [i, r] of ranges.entries()) {
        if (i > 0) expect(r.start).toBe(ranges[i - 1]?.end);
        expect(r.end - r.start).toBeLessThanOrEqual(Math.max(first, part));
      }
    }
  });
});

describe('checkout from a store that reads ranges', () => {
  it(`fetches a 20 MiB object in ${RANGE_PART / MIB} MiB ranges (${RANGE_CONCURRENCY} at once), then serves it from the cache`, async () => {
    const { backend, ranges } = recorded();
    const cache = new ObjectCache({ dir: tempDir(), size: 100 * MIB });
    const objects = new ContentStore(backend, '', cache);
    const bytes = randomBytes(20 * MIB);
    const sum = md5(bytes);
    await backend.write(objects.key(sum), bytes);
    const dest = join(tempDir(), 'model.bin');
    const result = await checkout(objects, sum, dest);
    expect(result.files).toBe(1);
    expect(readFileSync(dest).equals(bytes)).toBe(true);
    expect(ranges.map((r) => r?.start).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([
      0,
      RANGE_PART,
      2 * RANGE_PART,
    ]);
    expect(cache.has(sum)).toBe(true);
    const again = join(tempDir(), 'model.bin');
    await checkout(objects, sum, again);
    expect(readFileSync(again).equals(bytes)).toBe(true);
    expect(ranges).toHaveLength(3);
  });

  it('a damaged object fetched in ranges is CORRUPT, leaves nothing and is not cached', async () => {
    const { backend } = recorded();
    const cache = new ObjectCache({ dir: tempDir(), size: 100 * MIB });
    const objects = new ContentStore(backend, '', cache);
    const bytes = randomBytes(9 * MIB);
    const sum = md5(bytes);
    bytes[5 * MIB] = (bytes[5 * MIB] ?? 0) ^ 1;
    await backend.write(objects.key(sum), bytes);
    const dir = tempDir();
    await expect(checkout(objects, sum, join(dir, 'm'))).rejects.toMatchObject({ code: 'CORRUPT' });
    expect(cache.has(sum)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a cached object is placed with no read of the store, checked; a damaged cached file is dropped and read from the store again', async () => {
    const { backend, ranges, cacheDir, objects } = cachedRecorded();
    const bytes = randomBytes(12 * MIB);
    const sum = md5(bytes);
    await backend.write(objects.key(sum), bytes);
    await checkout(objects, sum, join(tempDir(), 'first'));
    expect(ranges).toHaveLength(2);
    const dest = join(tempDir(), 'again');
    await checkout(objects, sum, dest);
    expect(readFileSync(dest).equals(bytes)).toBe(true);
    expect(ranges).toHaveLength(2);
    // The cached file is damaged after it was checked in: its md5 tells, and the store's copy
    // (which is whole) is read again, and cached again.
    const cached = join(cacheDir, 'files/md5', sum.slice(0, 2), sum.slice(2));
    const damaged = Buffer.from(bytes);
    damaged[0] = (damaged[0] ?? 0) ^ 1;
    writeFileSync(cached, damaged);
    const dir = tempDir();
    await checkout(objects, sum, join(dir, 'm'));
    expect(readFileSync(join(dir, 'm')).equals(bytes)).toBe(true);
    expect(readdirSync(dir)).toEqual(['m']);
    expect(ranges).toHaveLength(4);
    expect(md5(readFileSync(cached))).toBe(sum);
  });

  it('a cached file evicted between its lookup and its copy is read from the store', async () => {
    const { backend, ranges, cache, objects } = cachedRecorded();
    const bytes = randomBytes(1000);
    const sum = md5(bytes);
    await backend.write(objects.key(sum), bytes);
    await checkout(objects, sum, join(tempDir(), 'first'));
    expect(ranges).toHaveLength(1);
    // Another process evicts the file right after this one looked it up.
    const hit = cache.hit.bind(cache);
    cache.hit = (m: string) => {
      const found = hit(m);
      if (found) rmSync(found.path);
      return found;
    };
    const dest = join(tempDir(), 'again');
    await checkout(objects, sum, dest);
    expect(readFileSync(dest).equals(bytes)).toBe(true);
    expect(ranges).toHaveLength(2);
    cache.hit = hit;
    expect(cache.has(sum)).toBe(true); // filled again on the way
  });
});
