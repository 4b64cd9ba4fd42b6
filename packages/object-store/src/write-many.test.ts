import { createHash } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchQueue,
  MemoryBackend,
  TRANSFER_CHANNEL,
  type TransferMessage,
  TroveError,
  type WriteManyItem,
} from '@trove/core/backend';
import { afterAll, describe, expect, it } from 'vitest';
import { type ManyWrites, writeManyWith } from './write-many.js';

// The toolkit's writeMany loop over core's own in-memory backend: what each request hook is
// called with is counted, so what reaches the service is seen exactly.

const dir = mkdtempSync(join(tmpdir(), 'trove-write-many-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file under one of four prefixes (as a directory's many objects share `files/md5/<xx>/`). */
function file(name: string, bytes: Buffer, prefix = 0): WriteManyItem {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const md5 = createHash('md5').update(bytes).digest('hex');
  return { key: `files/md5/p${prefix % 4}/${md5}`, path, md5, size: bytes.length };
}

/** `count` distinct small files over four prefixes. */
function files(label: string, count: number): WriteManyItem[] {
  return Array.from({ length: count }, (_, i) =>
    file(`${label}${i}`, Buffer.from(`${label} ${i}`), i),
  );
}

function writesTo(backend: MemoryBackend, limits: Partial<ManyWrites> = {}) {
  const calls = { put: [] as string[], file: [] as string[], lists: 0, exists: 0 };
  const w: ManyWrites = {
    backend: 'memory',
    objectConcurrency: 4,
    oneRequestMax: 64 * 1024,
    bufferBudget: 128 * 1024,
    putBytes: (key, bytes, options) => {
      calls.put.push(key);
      return backend.write(key, bytes, options);
    },
    writeFile: (key, path, options) => {
      calls.file.push(key);
      return backend.write(key, { path }, options);
    },
    exists: (key) => {
      calls.exists++;
      return backend.exists(key);
    },
    list: (prefix) => {
      calls.lists++;
      return backend.list(prefix);
    },
    mapError: (error) =>
      error instanceof TroveError ? error : new TroveError('UNAVAILABLE', String(error)),
    ...limits,
  };
  return { w, calls };
}

describe('writeManyWith (the object stores’ writeMany loop)', () => {
  it('stores every item once, create-only, with sizes and bytes counted', async () => {
    const backend = new MemoryBackend();
    const items = files('a', 40);
    const { w, calls } = writesTo(backend);
    const total = items.reduce((n, it) => n + (it.size ?? 0), 0);
    expect(await writeManyWith(w, items, {})).toEqual({ written: 40, skipped: 0, bytes: total });
    expect(calls.put.sort()).toEqual(items.map((it) => it.key).sort());
    for (const item of items) expect((await backend.stat(item.key)).md5).toBe(item.md5);
  });

  it('finds objects already stored by listing their prefixes and sends nothing for them', async () => {
    const backend = new MemoryBackend();
    const items = files('b', 48);
    await writeManyWith(writesTo(backend).w, items, {});
    const { w, calls } = writesTo(backend);
    const fresh = files('b-new', 4);
    const queue = new BatchQueue<WriteManyItem>();
    const pending = writeManyWith(w, queue, {});
    queue.push(items.slice(0, 20));
    queue.push([...items.slice(20), ...fresh]);
    queue.end();
    expect(await pending).toMatchObject({ written: 4, skipped: 48 });
    expect(calls.put.sort()).toEqual(fresh.map((it) => it.key).sort());
    expect(calls.lists).toBeGreaterThan(0);
  });

  it('a key taken meanwhile (create refused) counts as skipped, not as a failure', async () => {
    const backend = new MemoryBackend();
    const [item] = files('c', 1) as [WriteManyItem];
    await backend.write(item.key, 'c 0');
    expect(await writeManyWith(writesTo(backend).w, [item], {})).toMatchObject({
      written: 0,
      skipped: 1,
    });
  });

  it('files over oneRequestMax go by writeFile, after a check that they are not stored', async () => {
    const backend = new MemoryBackend();
    const big = [file('big1', Buffer.alloc(80_000, 1)), file('big2', Buffer.alloc(90_000, 2))];
    const medium = file('medium', Buffer.alloc(2 * 1024 * 1024 + 1, 3));
    const { w, calls } = writesTo(backend, { oneRequestMax: 4 * 1024 * 1024 });
    const small = writesTo(backend, { oneRequestMax: 70_000 });
    await writeManyWith(small.w, big, {});
    expect(small.calls.file.sort()).toEqual(big.map((it) => it.key).sort());
    expect(small.calls.exists).toBe(2);
    // Over 1 MiB but within one request: read asynchronously, sent in one request.
    await writeManyWith(w, [medium], {});
    expect(calls.put).toEqual([medium.key]);
    expect((await backend.stat(medium.key)).size).toBe(medium.size);
  });

  it(`publishes every upload on ${JSON.stringify(TRANSFER_CHANNEL)} as it starts and ends, failed ones too, and nothing for objects a listing found stored`, async () => {
    const backend = new MemoryBackend();
    const tiny = file('t1', Buffer.from('tiny upload'));
    const medium = file('m1', Buffer.alloc(1024 * 1024 + 3, 4));
    const big = file('b1', Buffer.alloc(80_000, 5));
    const broken = { ...file('x1', Buffer.from('broken upload')), md5: '0'.repeat(32) };
    // Enough of them that their prefixes are listed (fewer are sent create-only instead).
    const stored = files('s', 20);
    await writeManyWith(writesTo(backend).w, stored, {});
    const seen: TransferMessage[] = [];
    const listen = (m: unknown) => seen.push(m as TransferMessage);
    subscribe(TRANSFER_CHANNEL, listen);
    try {
      // tiny and medium in one request each, broken refused (CORRUPT), big by writeFile.
      const { w } = writesTo(backend, { oneRequestMax: 2 * 1024 * 1024 });
      await writeManyWith(w, [tiny, medium, broken], {}).catch(() => undefined);
      await writeManyWith(writesTo(backend, { oneRequestMax: 70_000 }).w, [big], {});
      await writeManyWith(writesTo(backend).w, stored, {});
    } finally {
      unsubscribe(TRANSFER_CHANNEL, listen);
    }
    const of = (item: WriteManyItem) =>
      ['start', 'end'].map((phase) => ({
        key: item.key,
        size: item.size,
        phase,
        direction: 'upload',
      }));
    for (const item of [tiny, medium, broken, big])
      expect(seen.filter((m) => m.key === item.key)).toEqual(of(item));
    expect(seen).toHaveLength(8);
  });

  it('a failed item does not stop the others; the first failure is thrown with the counts', async () => {
    const backend = new MemoryBackend();
    const items = files('d', 10);
    const broken = { ...files('d-bad', 1)[0], md5: '0'.repeat(32) } as WriteManyItem;
    const failure = await writeManyWith(writesTo(backend).w, [broken, ...items], {}).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(TroveError);
    expect((failure as TroveError).code).toBe('CORRUPT');
    for (const item of items) expect(await backend.exists(item.key)).toBe(true);
    expect(await backend.exists(broken.key)).toBe(false);
  });

  it('a failing batch source stops new items, and its error is thrown', async () => {
    const backend = new MemoryBackend();
    const queue = new BatchQueue<WriteManyItem>();
    const pending = writeManyWith(writesTo(backend).w, queue, {});
    queue.push(files('e', 3));
    queue.fail(new TroveError('NOT_FOUND', 'the directory went away'));
    await expect(pending).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('an invalid key in a batch fails before anything of that batch is sent', async () => {
    const backend = new MemoryBackend();
    const [item] = files('f', 1) as [WriteManyItem];
    const { w, calls } = writesTo(backend);
    await expect(writeManyWith(w, [{ ...item, key: '../escape' }], {})).rejects.toMatchObject({
      code: 'INVALID_KEY',
    });
    expect(calls.put).toEqual([]);
  });
});
