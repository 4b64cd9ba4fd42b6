import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BatchQueue, TroveError, type WriteManyItem } from '@trove/core/backend';
import { expect } from 'vitest';
import { type CaseSuite, whenCapable } from '../context.js';
import { expectTroveError, listAll, md5Hex, readBytes } from '../helpers.js';

async function makeFiles(
  dir: string,
  count: number,
  key: (name: string) => string,
  content: (i: number) => string = (i) => `file number ${i}\n`.repeat(1 + (i % 5)),
): Promise<(WriteManyItem & { content: string })[]> {
  const items: (WriteManyItem & { content: string })[] = [];
  for (let i = 0; i < count; i++) {
    const sub = join(dir, `d${i % 10}`);
    await mkdir(sub, { recursive: true });
    const path = join(sub, `f${i}`);
    const text = content(i);
    await writeFile(path, text);
    items.push({
      key: key(`wm/${i % 10}/f${i}`),
      path,
      md5: md5Hex(text),
      size: Buffer.byteLength(text),
      content: text,
    });
  }
  return items;
}

export function writeManyCases(suite: CaseSuite): void {
  whenCapable(suite, 'writeMany', 'writeMany', () => {
    suite.test('writeMany stores every file, then skips them all the second time', async (c) => {
      const { backend, key } = c;
      const items = await makeFiles(await c.tempDir(), 25, key);
      const progress: [number, number][] = [];
      const first = await backend.writeMany?.(items, {
        onProgress: (done, bytes) => progress.push([done, bytes]),
      });
      const total = items.reduce((n, it) => n + (it.size ?? 0), 0);
      expect(first).toEqual({ written: 25, skipped: 0, bytes: total });
      expect(progress.at(-1)?.[0]).toBe(25);
      for (const item of items)
        expect((await readBytes(backend, item.key)).toString()).toBe(item.content);
      const second = await backend.writeMany?.(items);
      expect(second?.written).toBe(0);
      expect(second?.skipped).toBe(25);
    });

    suite.test(
      'writeMany of 600 files (enough for a threaded path) stores each exactly',
      async (c) => {
        const { backend, key } = c;
        const items = await makeFiles(await c.tempDir(), 600, key, (i) => `${i}:`.repeat(i % 300));
        const result = await backend.writeMany?.(items);
        expect(result?.written).toBe(600);
        expect(result?.skipped).toBe(0);
        const listed = await listAll(backend, key('wm/'));
        expect(listed.length).toBe(600);
        const bySize = new Map(items.map((it) => [it.key, it.size]));
        for (const entry of listed) expect(entry.size).toBe(bySize.get(entry.key));
        for (const item of items.filter((_, i) => i % 37 === 0)) {
          expect(md5Hex(await readBytes(backend, item.key))).toBe(item.md5);
        }
      },
      { slow: true },
    );

    suite.test('writeMany leaves an existing object as it is', async (c) => {
      const { backend, key } = c;
      const items = await makeFiles(await c.tempDir(), 3, key);
      const existing = items[1] as WriteManyItem;
      await backend.write(existing.key, 'already here');
      const result = await backend.writeMany?.(items);
      expect(result?.written).toBe(2);
      expect(result?.skipped).toBe(1);
      expect((await readBytes(backend, existing.key)).toString()).toBe('already here');
    });

    suite.test('writeMany fails with CORRUPT for an item whose md5 does not match', async (c) => {
      const { backend, key } = c;
      const items = await makeFiles(await c.tempDir(), 4, key);
      const bad = { ...(items[2] as WriteManyItem), md5: md5Hex('something else') };
      const err = await expectTroveError(
        () => backend.writeMany?.([items[0], items[1], bad, items[3]] as WriteManyItem[]),
        'CORRUPT',
      );
      expect(err.key).toBe(bad.key);
      expect(await backend.exists(bad.key)).toBe(false);
    });

    suite.test('writeMany fails with NOT_FOUND for an item whose file is missing', async (c) => {
      const { backend, key } = c;
      const dir = await c.tempDir();
      const k = key('wm/missing');
      await expectTroveError(
        () => backend.writeMany?.([{ key: k, path: join(dir, 'nope') }]),
        'NOT_FOUND',
      );
      expect(await backend.exists(k)).toBe(false);
    });

    suite.test('writeMany takes batches that arrive over time and stores them all', async (c) => {
      const { backend, key } = c;
      const items = await makeFiles(await c.tempDir(), 40, key);
      const queue = new BatchQueue<WriteManyItem>();
      let done = 0;
      const pending = backend.writeMany?.(queue, { onProgress: (n) => (done = n) });
      queue.push(items.slice(0, 10));
      await new Promise((r) => setTimeout(r, 20));
      queue.push(items.slice(10, 11));
      queue.push(items.slice(11, 30));
      await new Promise((r) => setTimeout(r, 20));
      queue.push(items.slice(30));
      queue.end();
      const total = items.reduce((n, it) => n + (it.size ?? 0), 0);
      expect(await pending).toEqual({ written: 40, skipped: 0, bytes: total });
      expect(done).toBe(40);
      for (const item of items)
        expect((await readBytes(backend, item.key)).toString()).toBe(item.content);
    });

    suite.test('writeMany stops on a failing batch source and throws its error', async (c) => {
      const { backend, key } = c;
      const items = await makeFiles(await c.tempDir(), 12, key);
      const queue = new BatchQueue<WriteManyItem>();
      const pending = backend.writeMany?.(queue);
      queue.push(items.slice(0, 6));
      queue.fail(new TroveError('PERMISSION_DENIED', 'the source failed'));
      const err = await expectTroveError(() => pending, 'PERMISSION_DENIED');
      expect(err.message).toBe('the source failed');
      // Nothing of what never arrived was written.
      for (const item of items.slice(6)) expect(await backend.exists(item.key)).toBe(false);
    });

    suite.test('writeMany of no items does nothing', async ({ backend, key }) => {
      expect(await backend.writeMany?.([])).toEqual({ written: 0, skipped: 0, bytes: 0 });
      expect(await listAll(backend, key(''))).toEqual([]);
    });
  });
}
