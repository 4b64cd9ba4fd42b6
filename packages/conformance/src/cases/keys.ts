import { compareKeys } from '@trove/core/backend';
import { expect } from 'vitest';
import type { CaseSuite } from '../context.js';
import { listAll, readBytes } from '../helpers.js';

/** Valid keys that stress encodings: spaces, non-ASCII, emoji, URL-special and shell-special characters. */
const AWKWARD_NAMES = [
  'dir with space/café 日本.bin',
  'emoji/🚀 launch 🎉.txt',
  'ünïcödé/ß/ﬁ',
  'symbols/a+b=c&d;e,f@g$h',
  'symbols/quote\'s "double"',
  'symbols/percent%20and%2Fslash',
  'symbols/hash#frag?query',
  'symbols/[brackets]{braces}(parens)',
  'symbols/~tilde!bang*star',
  '.hidden/.dotfile',
  '..dots/x..y',
  '.trove/not-reserved',
  'trailing space /x',
];

export function keyCases(suite: CaseSuite): void {
  suite.test(
    'unicode, space and symbol keys round-trip through write, stat, read and list',
    async ({ backend, key }) => {
      const keys = AWKWARD_NAMES.map((n) => key(`keys/${n}`));
      for (const k of keys) {
        const stat = await backend.write(k, `content of ${k}`);
        expect(stat.key).toBe(k);
      }
      for (const k of keys) {
        const stat = await backend.stat(k);
        expect(stat.key).toBe(k);
        expect(stat.size).toBe(Buffer.byteLength(`content of ${k}`));
        const { stat: readStat, body } = await backend.read(k);
        expect(readStat.key).toBe(k);
        const chunks: Buffer[] = [];
        for await (const chunk of body) chunks.push(Buffer.from(chunk));
        expect(Buffer.concat(chunks).toString('utf8')).toBe(`content of ${k}`);
        expect(await backend.exists(k)).toBe(true);
      }
      const listed = await listAll(backend, key('keys/'));
      expect(listed.map((e) => e.key)).toEqual([...keys].sort(compareKeys));
      expect(listed.map((e) => e.size)).toEqual(
        [...keys].sort(compareKeys).map((k) => Buffer.byteLength(`content of ${k}`)),
      );
    },
  );

  suite.test('a unicode prefix lists only its own keys', async ({ backend, key }) => {
    await backend.write(key('dir with space/café 日本.bin'), '1');
    await backend.write(key('dir with space/café.bin'), '2');
    await backend.write(key('dir with space/cafe.bin'), '3');
    const keys = (await listAll(backend, key('dir with space/café'))).map((e) => e.key);
    expect(keys).toEqual([key('dir with space/café 日本.bin'), key('dir with space/café.bin')]);
  });

  suite.test(
    'a long key (near 1,024 bytes, segments under 255) round-trips',
    async ({ backend, key }) => {
      const segment = 's'.repeat(200);
      let name = 'long';
      while (Buffer.byteLength(key(`${name}/${segment}`)) < 1000) name += `/${segment}`;
      const k = key(name);
      expect(Buffer.byteLength(k)).toBeLessThanOrEqual(1024);
      await backend.write(k, 'long');
      expect((await readBytes(backend, k)).toString()).toBe('long');
      expect((await listAll(backend, key('long/'))).map((e) => e.key)).toEqual([k]);
    },
  );
}
