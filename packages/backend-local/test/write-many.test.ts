import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectTroveError, listKeys } from '@trove/conformance';
import type { WriteManyItem } from '@trove/core';
import { tempDir } from '@trove/test-utils';
import { describe, expect, it } from 'vitest';
import { INLINE_MAX_ITEMS } from '../src/write-many.js';
import { freshBackend, leftovers } from './helpers.js';

const md5 = (data: string): string => createHash('md5').update(data).digest('hex');

function sourceFiles(count: number): (WriteManyItem & { text: string })[] {
  const dir = tempDir();
  const items: (WriteManyItem & { text: string })[] = [];
  for (let i = 0; i < count; i++) {
    const sub = join(dir, String(i % 20));
    mkdirSync(sub, { recursive: true });
    const text = `object ${i}\n`.repeat(1 + (i % 50));
    const hash = md5(text);
    const path = join(sub, `${i}.txt`);
    writeFileSync(path, text);
    items.push({
      key: `files/md5/${hash.slice(0, 2)}/${hash.slice(2)}`,
      path,
      md5: hash,
      size: text.length,
      text,
    });
  }
  return items;
}

describe.each([
  ['inline (small batch)', 40],
  ['worker threads', INLINE_MAX_ITEMS + 700],
])('writeMany, %s', (_name, count) => {
  it('stores every file as a 0444 object, then skips what exists', async () => {
    const backend = freshBackend();
    const items = sourceFiles(count);
    const half = items.slice(0, count / 2);
    const first = await backend.writeMany(half);
    expect(first.written).toBe(half.length);
    const progress: number[] = [];
    const second = await backend.writeMany(items, { onProgress: (done) => progress.push(done) });
    expect(second).toEqual({
      written: count - half.length,
      skipped: half.length,
      bytes: items.slice(count / 2).reduce((n, it) => n + (it.size ?? 0), 0),
    });
    expect(progress.at(-1)).toBe(count);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    for (const item of items.filter((_, i) => i % 13 === 0)) {
      const path = join(backend.root, item.key);
      expect(readFileSync(path, 'utf8')).toBe(item.text);
      expect(statSync(path).mode & 0o777).toBe(0o444);
    }
    expect((await listKeys(backend, 'files/')).length).toBe(count);
    expect(leftovers(backend.root)).toEqual([]);
  });

  it('reports CORRUPT for a bad item, stores the others, leaves no temp file', async () => {
    const backend = freshBackend();
    const items = sourceFiles(count);
    const bad = { ...(items[7] as WriteManyItem), md5: md5('not the content') };
    items[7] = { ...bad, text: '' };
    const err = await expectTroveError(() => backend.writeMany(items), 'CORRUPT');
    expect(err.key).toBe(bad.key);
    expect(await backend.exists(bad.key)).toBe(false);
    expect((await listKeys(backend, 'files/')).length).toBe(count - 1);
    expect(leftovers(backend.root)).toEqual([]);
  });

  it('an existing object with other bytes is left as it is', async () => {
    const backend = freshBackend();
    const items = sourceFiles(count);
    const target = items[3] as WriteManyItem;
    await backend.write(target.key, 'already here');
    const result = await backend.writeMany(items);
    expect(result.skipped).toBe(1);
    expect(result.written).toBe(count - 1);
    expect(readFileSync(join(backend.root, target.key), 'utf8')).toBe('already here');
  });
});

describe('writeMany', () => {
  it('rejects an invalid key before writing anything', async () => {
    const backend = freshBackend();
    const items = sourceFiles(3);
    await expectTroveError(
      () => backend.writeMany([...items, { key: 'a/../b', path: items[0]?.path ?? '' }]),
      'INVALID_KEY',
    );
    expect(await listKeys(backend, '')).toEqual([]);
  });

  it('copies a file larger than its 1 MiB buffer exactly', async () => {
    const backend = freshBackend();
    const path = join(tempDir(), 'large.bin');
    const bytes = Buffer.alloc((3 << 20) + 5);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31) & 0xff;
    writeFileSync(path, bytes);
    const hash = createHash('md5').update(bytes).digest('hex');
    const result = await backend.writeMany([{ key: 'large', path, md5: hash }]);
    expect(result).toEqual({ written: 1, skipped: 0, bytes: bytes.length });
    expect(readFileSync(join(backend.root, 'large')).equals(bytes)).toBe(true);
  });

  it('two concurrent calls with the same items store each object once', async () => {
    const backend = freshBackend();
    const items = sourceFiles(INLINE_MAX_ITEMS + 100);
    const [a, b] = await Promise.all([backend.writeMany(items), backend.writeMany(items)]);
    expect(a.written + b.written).toBe(items.length);
    expect(a.skipped + b.skipped).toBe(items.length);
    expect(leftovers(backend.root)).toEqual([]);
  });
});
