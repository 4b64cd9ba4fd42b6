import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StorageBackend } from '@trove/core/backend';
import { expect } from 'vitest';
import type { CaseSuite } from '../context.js';
import { expectTroveError, readBytes } from '../helpers.js';

/** Keys core rejects; `%p` stands for the test's prefix. */
const INVALID_KEYS: readonly string[] = [
  '',
  '/abs',
  '%pa//b',
  '%pa/../b',
  '%pa/./b',
  '%p..',
  '%ptrailing/',
  '%pback\\slash',
  '%pcontrol\u0001char',
  '%pnew\nline',
  '%pdel\u007f',
  '.trove-tmp-x',
  '%pdir/.trove-tmp-x',
  '%p.trove-tmp-lock-x',
  `%p${'x'.repeat(1025)}`,
];

/** Prefixes `list` rejects (a prefix may be empty or end with "/"). */
const INVALID_PREFIXES: readonly string[] = [
  '/abs',
  '%pa//b',
  '%pa/../',
  '%pa/./b',
  '%pback\\slash',
  '%pcontrol\u0001',
  '%p.trove-tmp-x/',
];

type KeyCall = (backend: StorageBackend, bad: string, good: string, file: string) => unknown;

const CALLS: Record<string, KeyCall> = {
  stat: (b, bad) => b.stat(bad),
  exists: (b, bad) => b.exists(bad),
  read: (b, bad) => b.read(bad),
  'write (bytes)': (b, bad) => b.write(bad, 'x'),
  'write ({ path })': (b, bad, _good, file) => b.write(bad, { path: file }),
  'write (ifNoneMatch)': (b, bad) => b.write(bad, 'x', { ifNoneMatch: '*' }),
  'copy (from)': (b, bad, good) => b.copy(bad, `${good}-copy`),
  'copy (to)': (b, bad, good) => b.copy(good, bad),
  delete: (b, bad) => b.delete(bad),
  deleteMany: (b, bad, good) => b.deleteMany([good, bad]),
};

const OPTIONAL_CALLS: Record<string, KeyCall> = {
  'rename (from)': (b, bad, good) => b.rename?.(bad, `${good}-moved`),
  'rename (to)': (b, bad, good) => b.rename?.(good, bad),
  writeMany: (b, bad, _good, file) => b.writeMany?.([{ key: bad, path: file }]),
  materialize: (b, bad, _good, file) => b.materialize?.(bad, `${file}-out`),
};

export function errorCases(suite: CaseSuite): void {
  suite.test(
    'every method rejects invalid keys with INVALID_KEY and changes nothing',
    async (c) => {
      const { backend, prefix, key } = c;
      const good = key('errors/good');
      await backend.write(good, 'untouched');
      const file = join(await c.tempDir(), 'body.bin');
      await writeFile(file, 'body');
      const calls: [string, KeyCall][] = Object.entries(CALLS);
      for (const [name, call] of Object.entries(OPTIONAL_CALLS)) {
        const method = name.split(' ')[0] as 'rename' | 'writeMany' | 'materialize';
        if (typeof backend[method] === 'function') calls.push([name, call]);
      }
      for (const template of INVALID_KEYS) {
        const bad = template.replace('%p', prefix);
        for (const [name, call] of calls) {
          const err = await expectTroveError(
            () => call(backend, bad, good, file),
            'INVALID_KEY',
          ).catch((failure: unknown) => {
            throw new Error(`${name}(${JSON.stringify(bad)}): ${String(failure)}`);
          });
          expect(err.code).toBe('INVALID_KEY');
        }
      }
      expect((await readBytes(backend, good)).toString()).toBe('untouched');
      expect(await backend.exists(`${good}-copy`)).toBe(false);
      expect(await backend.exists(`${good}-moved`)).toBe(false);
    },
  );

  suite.test('list rejects invalid prefixes with INVALID_KEY', async ({ backend, prefix }) => {
    for (const template of INVALID_PREFIXES) {
      const bad = template.replace('%p', prefix);
      await expectTroveError(async () => {
        for await (const _ of backend.list(bad)) {
          // draining: the error may come from the first step
        }
      }, 'INVALID_KEY');
    }
  });

  suite.test('NOT_FOUND errors are not retryable and name the key', async ({ backend, key }) => {
    const k = key('errors/absent');
    for (const call of [
      () => backend.stat(k),
      () => backend.read(k),
      () => backend.copy(k, `${k}2`),
    ]) {
      const err = await expectTroveError(call, 'NOT_FOUND');
      expect(err.retryable).toBe(false);
      expect(err.key).toBe(k);
    }
  });
}
