import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LinkType } from '@trove/core/backend';
import { expect } from 'vitest';
import { type CaseSuite, whenCapable } from '../context.js';
import { expectTroveError, md5Hex, randomBytes, readBytes } from '../helpers.js';

const LINK_TYPES: readonly LinkType[] = ['reflink', 'hardlink', 'symlink', 'copy'];

export function materializeCases(suite: CaseSuite): void {
  whenCapable(suite, 'materialize', 'materialize', () => {
    suite.test('materialize puts the object at a new path (creating its folders)', async (c) => {
      const { backend, key } = c;
      const bytes = randomBytes(250_000);
      await backend.write(key('mat/obj.bin'), bytes);
      const dest = join(await c.tempDir(), 'a', 'b', 'out.bin');
      const type = await backend.materialize?.(key('mat/obj.bin'), dest);
      expect(LINK_TYPES).toContain(type);
      expect(md5Hex(await readFile(dest))).toBe(md5Hex(bytes));
    });

    suite.test('materialize replaces an existing (even read-only) file', async (c) => {
      const { backend, key } = c;
      await backend.write(key('mat/new'), 'new content');
      const dest = join(await c.tempDir(), 'existing.txt');
      await writeFile(dest, 'old content that is longer');
      await chmod(dest, 0o444);
      await backend.materialize?.(key('mat/new'), dest);
      expect(await readFile(dest, 'utf8')).toBe('new content');
    });

    suite.test(
      'materialize with linkTypes ["copy"] makes an independent, writable copy',
      async (c) => {
        const { backend, key } = c;
        await backend.write(key('mat/copy'), 'original');
        const dest = join(await c.tempDir(), 'copy.txt');
        expect(await backend.materialize?.(key('mat/copy'), dest, { linkTypes: ['copy'] })).toBe(
          'copy',
        );
        expect((await stat(dest)).mode & 0o200).toBe(0o200);
        await writeFile(dest, 'edited');
        expect((await readBytes(backend, key('mat/copy'))).toString()).toBe('original');
      },
    );

    suite.test('materialize of a 0-byte object makes an empty file', async (c) => {
      const { backend, key } = c;
      await backend.write(key('mat/empty'), '');
      const dest = join(await c.tempDir(), 'empty');
      const type = await backend.materialize?.(key('mat/empty'), dest);
      expect(LINK_TYPES).toContain(type);
      expect((await stat(dest)).size).toBe(0);
    });

    suite.test('materialize of a missing key is NOT_FOUND and creates nothing', async (c) => {
      const { backend, key } = c;
      const dest = join(await c.tempDir(), 'never');
      await expectTroveError(() => backend.materialize?.(key('mat/missing'), dest), 'NOT_FOUND');
      await expect(stat(dest)).rejects.toMatchObject({ code: 'ENOENT' });
    });
  });
}
