/**
 * Issue 18's catalog of bad input to the run API (items 2 and 9): each refusal is one TroveError
 * with a stable code at the call, the project and its store are unchanged by it, TMPDIR (a fresh
 * folder per case) stays empty, and the run still saves and ends. Values JSON cannot hold never
 * make a run unsaveable. The CLI's cases are in packages/cli/test/bad-input-catalog.test.ts.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inFreshTmpdir } from '@trove/test-utils';
import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '../src/backend/memory-backend.js';
import { isTroveError, TroveError } from '../src/errors.js';
import { Store } from '../src/record/store.js';
import type { Run } from '../src/run/run.js';
import { startRun } from '../src/run/start-run.js';
import { snapshotTree, tempDir } from './helpers.js';

interface Refusal {
  name: string;
  code: string;
  call: (run: Run) => unknown;
}

const REFUSALS: Refusal[] = [
  { name: 'logArtifact(42)', code: 'INVALID_PATH', call: (run) => run.logArtifact(42 as never) },
  {
    name: 'useArtifact(a model object) (was a raw TypeError)',
    code: 'INVALID_ARGUMENT',
    call: (run) => run.useArtifact({ layers: [] } as never),
  },
  { name: 'a NUL in the path', code: 'INVALID_PATH', call: (run) => run.logArtifact('a\0.txt') },
  {
    name: 'a NUL in relPath',
    code: 'INVALID_PATH',
    call: (run) => run.logArtifact('a.txt', { relPath: 'x\0y' }),
  },
  ...['\t', '\u0001', '\u001b', '\u007f'].map((c) => ({
    name: `a control character ${JSON.stringify(c)} in relPath (was accepted)`,
    code: 'INVALID_PATH',
    call: (run: Run) => run.logArtifact('a.txt', { relPath: `x${c}y` }),
  })),
  {
    name: 'meta with a function (was silently dropped)',
    code: 'INVALID_ARGUMENT',
    call: (run) => run.logArtifact('a.txt', { meta: { fn: () => 1 } }),
  },
  {
    name: 'step and relPath together (relPath was silently ignored)',
    code: 'INVALID_ARGUMENT',
    call: (run) => run.logArtifact('a.txt', { step: 1, relPath: 'x' }),
  },
  {
    name: 'copy: true with the run folder a file (was an ENOTDIR error)',
    code: 'INVALID_PATH',
    call: (run) => run.logArtifact('a.txt', { copy: true }),
  },
  {
    name: 'a dangling symlink in a folder (was NOT_FOUND)',
    code: 'INVALID_ARTIFACT',
    call: (run) => run.logArtifact('linked'),
  },
  {
    name: 'a line break in a path that gets a pointer (ended up in .gitignore)',
    code: 'INVALID_PATH',
    call: (run) => run.logArtifact('a\nb.txt', { dvc: true }),
  },
  {
    name: '/proc/self/status (stored the empty object)',
    code: 'INVALID_PATH',
    call: (run) => run.logArtifact('/proc/self/status'),
  },
  {
    name: 'logParam with a function (was silently dropped)',
    code: 'INVALID_ARGUMENT',
    call: (run) => run.logParam('fn', () => 1),
  },
  {
    name: 'logParam with a value that contains itself',
    code: 'INVALID_ARGUMENT',
    call: (run) => {
      const loop: Record<string, unknown> = {};
      loop.self = loop;
      run.logParam('loop', loop);
    },
  },
  { name: 'logParam with an empty name', code: 'INVALID_NAME', call: (run) => run.logParam('', 1) },
];

function project(): string {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'a.txt'), 'a');
  writeFileSync(join(cwd, 'a\nb.txt'), 'b');
  mkdirSync(join(cwd, 'linked'));
  writeFileSync(join(cwd, 'linked', 'f.csv'), 'x');
  symlinkSync(join(cwd, 'nowhere'), join(cwd, 'linked', 'link'));
  writeFileSync(join(cwd, 'trove'), 'a file where the run folder would be');
  return cwd;
}

describe('bad input to a run: one TroveError at the call, nothing written, the run still ends', () => {
  for (const c of REFUSALS) {
    it(`${c.name}: ${c.code}`, async () => {
      const cwd = project();
      const run = await startRun({ cwd });
      run.logParam('kept', 1);
      await run.flush();
      const before = snapshotTree(cwd);
      const { error, tmpLeft } = await inFreshTmpdir(() => c.call(run));
      expect(isTroveError(error), String(error)).toBe(true);
      expect((error as TroveError).code).toBe(c.code);
      expect(snapshotTree(cwd)).toEqual(before);
      expect(tmpLeft).toEqual([]);
      await run.end();
      const record = JSON.parse(
        readFileSync(join(cwd, '.trove', 'runs', run.id, 'run.json'), 'utf8'),
      );
      expect(record).toMatchObject({ status: 'completed', params: { kept: 1 } });
    });
  }
});

describe('values JSON cannot hold never make a run unsaveable (item 2)', () => {
  it('logParam with a BigInt: a number when safe, else its text; end() completes', async () => {
    const store = new Store({ name: 'mem', meta: new MemoryBackend() });
    const run = await startRun({ cwd: tempDir(), store });
    run.logParam('n', 10n);
    run.logParams({ big: 2n ** 70n, nested: { list: [1n, 'x'] } });
    await run.end();
    const record = await store.readRun(run.id);
    expect(record.status).toBe('completed');
    expect(record.params).toEqual({
      n: 10,
      big: '1180591620717411303424',
      nested: { list: [1, 'x'] },
    });
    expect(run.params).toEqual(record.params);
  });

  it('a summary value a record cannot hold: end() names it, the run is saved as failed with the rest', async () => {
    const store = new Store({ name: 'mem', meta: new MemoryBackend() });
    const run = await startRun({ cwd: tempDir(), store });
    run.logParam('lr', 0.1);
    run.logMetric('loss', 0.5);
    run.summary.fn = () => 1;
    run.summary.count = 3n;
    const err = await run.end().catch((e: unknown) => e);
    expect(isTroveError(err, 'INVALID_ARGUMENT'), String(err)).toBe(true);
    expect((err as TroveError).message).toContain('summary value fn');
    const record = await store.readRun(run.id);
    expect(record.status).toBe('failed');
    expect(record.params).toEqual({ lr: 0.1 });
    expect(record.summary).toEqual({ loss: 0.5, count: 3 });
    expect(run.status).toBe('failed');
  });

  it('a save that fails: end() reports the real error (not CORRUPT) and the run says failed', async () => {
    const meta = new MemoryBackend();
    const write = meta.write.bind(meta);
    let down = false;
    meta.write = (key, body, options) => {
      if (down && key.endsWith('run.json')) {
        return Promise.reject(new TroveError('UNAVAILABLE', `store down writing ${key}`));
      }
      return write(key, body, options);
    };
    const store = new Store({ name: 'mem', meta });
    const run = await startRun({ cwd: tempDir(), store });
    run.logParam('n', 1);
    down = true;
    const err = await run.end().catch((e: unknown) => e);
    expect(isTroveError(err, 'UNAVAILABLE'), String(err)).toBe(true);
    expect(run.status).toBe('failed');
  });
});
