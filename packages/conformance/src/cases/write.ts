import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { CaseSuite } from '../context.js';
import { chunked, expectTroveError, md5Hex, randomBytes, readBytes } from '../helpers.js';

const MIB = 1024 * 1024;

export function writeCases(suite: CaseSuite): void {
  suite.test('writes a Uint8Array', async ({ backend, key }) => {
    const k = key('write/u8.bin');
    const bytes = new Uint8Array([0, 1, 2, 253, 254, 255]);
    const stat = await backend.write(k, bytes);
    expect(stat.size).toBe(6);
    expect([...(await readBytes(backend, k))]).toEqual([0, 1, 2, 253, 254, 255]);
  });

  suite.test(
    'writes a Uint8Array view without its neighbouring bytes',
    async ({ backend, key }) => {
      const k = key('write/view.bin');
      const whole = Buffer.from('0123456789');
      const view = new Uint8Array(whole.buffer, whole.byteOffset + 3, 4);
      await backend.write(k, view);
      expect((await readBytes(backend, k)).toString()).toBe('3456');
    },
  );

  suite.test('writes a string as UTF-8', async ({ backend, key }) => {
    const k = key('write/text.txt');
    const text = 'héllo wörld ✓ 日本 🚀\n';
    const stat = await backend.write(k, text);
    expect(stat.size).toBe(Buffer.byteLength(text));
    expect((await readBytes(backend, k)).toString('utf8')).toBe(text);
  });

  suite.test('writes an async iterable of chunks', async ({ backend, key }) => {
    const k = key('write/iterable.bin');
    const bytes = randomBytes(200_001);
    const stat = await backend.write(k, chunked(bytes, 7_919));
    expect(stat.size).toBe(bytes.length);
    expect(md5Hex(await readBytes(backend, k))).toBe(md5Hex(bytes));
  });

  suite.test('writes a local file given as { path }', async ({ backend, key, tempDir }) => {
    const k = key('write/from-file.bin');
    const bytes = randomBytes(3 * MIB + 17);
    const path = join(await tempDir(), 'source.bin');
    await writeFile(path, bytes);
    const stat = await backend.write(k, { path });
    expect(stat.size).toBe(bytes.length);
    if (stat.md5 !== undefined) expect(stat.md5).toBe(md5Hex(bytes));
    expect(md5Hex(await readBytes(backend, k))).toBe(md5Hex(bytes));
  });

  suite.test('writes 0-byte objects from every body type', async ({ backend, key, tempDir }) => {
    const path = join(await tempDir(), 'empty');
    await writeFile(path, '');
    const bodies = {
      u8: new Uint8Array(0),
      string: '',
      iterable: (async function* () {})(),
      file: { path },
    };
    for (const [name, body] of Object.entries(bodies)) {
      const k = key(`write/empty-${name}`);
      const stat = await backend.write(k, body);
      expect(stat.size, name).toBe(0);
      if (stat.md5 !== undefined) expect(stat.md5, name).toBe(md5Hex(''));
      expect((await backend.stat(k)).size, name).toBe(0);
      expect((await readBytes(backend, k)).length, name).toBe(0);
    }
  });

  suite.test(
    'streams an 8 MiB write from an async generator (md5 checked, progress reported)',
    async ({ backend, key }) => {
      const k = key('write/large.bin');
      const size = 8 * MIB;
      const parts: Buffer[] = [];
      async function* generate(): AsyncGenerator<Uint8Array> {
        for (let sent = 0; sent < size; sent += 64 * 1024) {
          const part = randomBytes(Math.min(64 * 1024, size - sent));
          parts.push(part);
          yield part;
        }
      }
      const progress: number[] = [];
      const stat = await backend.write(k, generate(), { onProgress: (n) => progress.push(n) });
      const expected = md5Hex(Buffer.concat(parts));
      expect(stat.size).toBe(size);
      if (stat.md5 !== undefined) expect(stat.md5).toBe(expected);
      expect(progress.length).toBeGreaterThan(0);
      expect(progress.at(-1)).toBe(size);
      expect([...progress].sort((a, b) => a - b)).toEqual(progress);
      const stored = await readBytes(backend, k);
      expect(stored.length).toBe(size);
      expect(md5Hex(stored)).toBe(expected);
    },
    { slow: true },
  );

  suite.test(
    'an overwrite replaces the content (longer, then shorter)',
    async ({ backend, key }) => {
      const k = key('write/overwrite.txt');
      await backend.write(k, 'short');
      await backend.write(k, 'a much longer second version');
      expect((await readBytes(backend, k)).toString()).toBe('a much longer second version');
      const stat = await backend.write(k, 'tiny');
      expect(stat.size).toBe(4);
      expect((await readBytes(backend, k)).toString()).toBe('tiny');
      expect((await backend.stat(k)).size).toBe(4);
    },
  );

  suite.test('writes under deeply nested new prefixes', async ({ backend, key }) => {
    const k = key('write/a/b/c/d/e/f/g/h/i/j/leaf.txt');
    await backend.write(k, 'deep');
    expect((await readBytes(backend, k)).toString()).toBe('deep');
  });

  suite.test('a correct md5 option is accepted and returned', async ({ backend, key }) => {
    const k = key('write/md5-ok');
    const stat = await backend.write(k, 'checked', { md5: md5Hex('checked') });
    expect(stat.size).toBe(7);
    if (stat.md5 !== undefined) expect(stat.md5).toBe(md5Hex('checked'));
    expect((await readBytes(backend, k)).toString()).toBe('checked');
  });

  suite.test('a wrong md5 is CORRUPT and leaves no object behind', async ({ backend, key }) => {
    const k = key('write/md5-bad');
    await expectTroveError(
      () => backend.write(k, 'some bytes', { md5: md5Hex('other bytes') }),
      'CORRUPT',
    );
    expect(await backend.exists(k)).toBe(false);
    await expectTroveError(() => backend.stat(k), 'NOT_FOUND');
  });

  suite.test(
    'a wrong md5 over an existing object leaves it unchanged',
    async ({ backend, key }) => {
      const k = key('write/md5-bad-existing');
      const first = await backend.write(k, 'original');
      await expectTroveError(
        () => backend.write(k, chunked(randomBytes(100_000), 10_000), { md5: md5Hex('x') }),
        'CORRUPT',
      );
      expect((await readBytes(backend, k)).toString()).toBe('original');
      expect((await backend.stat(k)).etag).toBe(first.etag);
    },
  );

  suite.test(
    'a wrong md5 on a { path } body is CORRUPT and leaves nothing',
    async ({ backend, key, tempDir }) => {
      const k = key('write/md5-bad-file');
      const path = join(await tempDir(), 'source.bin');
      await writeFile(path, randomBytes(2 * MIB));
      await expectTroveError(() => backend.write(k, { path }, { md5: md5Hex('nope') }), 'CORRUPT');
      expect(await backend.exists(k)).toBe(false);
    },
  );

  suite.test('a stream that fails mid-way leaves no object behind', async ({ backend, key }) => {
    const k = key('write/broken-stream');
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield randomBytes(50_000);
      throw new Error('the source broke');
    }
    await expect(backend.write(k, broken())).rejects.toThrow();
    expect(await backend.exists(k)).toBe(false);
  });
}
