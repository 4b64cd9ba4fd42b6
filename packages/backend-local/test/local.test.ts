import { createHash } from 'node:crypto';
import { readFileSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { collect, expectTroveError, listKeys } from '@trove/conformance';
import { tempDir } from '@trove/test-utils';
import { describe, expect, it } from 'vitest';
import localFactory, { createLocalBackend, LocalBackend } from '../src/index.js';
import { freshBackend, leftovers } from './helpers.js';

const md5 = (data: string | Uint8Array): string => createHash('md5').update(data).digest('hex');

describe('store layout', () => {
  it('stores key a/b/c as the file <root>/a/b/c, mode 0444, in folders of the default mode', async () => {
    const backend = freshBackend();
    const stat = await backend.write('a/b/c.txt', 'layout');
    expect(readFileSync(join(backend.root, 'a', 'b', 'c.txt'), 'utf8')).toBe('layout');
    expect(statSync(join(backend.root, 'a/b/c.txt')).mode & 0o777).toBe(0o444);
    const umask = process.umask();
    expect(statSync(join(backend.root, 'a/b')).mode & 0o777).toBe(0o777 & ~umask);
    expect(stat.md5).toBe(md5('layout'));
  });

  it('keeps 0444 through overwrite, copy and rename', async () => {
    const backend = freshBackend();
    await backend.write('x', 'one');
    await backend.write('x', 'two');
    await backend.copy('x', 'y');
    await backend.rename('y', 'z/w');
    for (const name of ['x', 'z/w'])
      expect(statSync(join(backend.root, name)).mode & 0o777).toBe(0o444);
    expect(readFileSync(join(backend.root, 'z/w'), 'utf8')).toBe('two');
  });

  it('the default export is a factory resolving `path` against the project root', async () => {
    const project = tempDir();
    expect(localFactory.kind).toBe('local');
    expect(localFactory.options.path?.required).toBe(true);
    const backend = (await localFactory.create(
      { path: 'cache/store' },
      { root: project },
    )) as LocalBackend;
    expect(backend.kind).toBe('local');
    expect(backend.root).toBe(join(project, 'cache/store'));
    await backend.write('k', 'v');
    expect(readFileSync(join(project, 'cache/store/k'), 'utf8')).toBe('v');
    expect(createLocalBackend({ root: project }).root).toBe(project);
  });

  it('a reader keeps the version it opened while the key is overwritten', async () => {
    const backend = freshBackend();
    const first = Buffer.alloc(3 << 20, 'a');
    await backend.write('v', first);
    const { body } = await backend.read('v');
    await backend.write('v', Buffer.alloc(1 << 20, 'b'));
    const got = await collect(body);
    expect(got.length).toBe(first.length);
    expect(md5(got)).toBe(md5(first));
  });
});

describe('temp files', () => {
  it('a write with a wrong md5 leaves no temp file, for every body type', async () => {
    const backend = freshBackend();
    const source = join(tempDir(), 'src.bin');
    writeFileSync(source, Buffer.alloc(5 << 20, 7));
    async function* stream(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('abc');
      yield Buffer.from('def');
    }
    for (const body of ['text', Buffer.from('bytes'), stream(), { path: source }]) {
      await expectTroveError(
        () => backend.write('dir/obj', body, { md5: md5('other') }),
        'CORRUPT',
      );
    }
    expect(leftovers(backend.root)).toEqual([]);
    expect(await backend.exists('dir/obj')).toBe(false);
  });

  it('an aborted stream leaves nothing behind and rejects with the abort', async () => {
    const backend = freshBackend();
    const controller = new AbortController();
    async function* slow(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 100; i++) {
        if (i === 3) controller.abort();
        yield Buffer.alloc(100_000, i);
      }
    }
    await expect(
      backend.write('aborted', slow(), { signal: controller.signal }),
    ).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(leftovers(backend.root)).toEqual([]);
    expect(await backend.exists('aborted')).toBe(false);
  });

  it('an aborted { path } write leaves nothing behind', async () => {
    const backend = freshBackend();
    const source = join(tempDir(), 'big.bin');
    writeFileSync(source, Buffer.alloc(32 << 20, 1));
    const controller = new AbortController();
    const write = backend.write(
      'big',
      { path: source },
      {
        signal: controller.signal,
        onProgress: (n) => {
          if (n >= 4 << 20) controller.abort();
        },
      },
    );
    await expect(write).rejects.toMatchObject({ name: 'AbortError' });
    expect(leftovers(backend.root)).toEqual([]);
    expect(await backend.exists('big')).toBe(false);
  });

  it('a source stream that throws leaves nothing behind', async () => {
    const backend = freshBackend();
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield Buffer.alloc(2 << 20);
      throw new Error('disk on fire');
    }
    await expect(backend.write('broken/x', broken())).rejects.toThrow('disk on fire');
    expect(leftovers(backend.root)).toEqual([]);
  });

  it('failed conditional writes leave no temp or lock files', async () => {
    const backend = freshBackend();
    const first = await backend.write('c', 'one');
    await backend.write('c', 'two');
    await expectTroveError(
      () => backend.write('c', 'x', { ifNoneMatch: '*' }),
      'PRECONDITION_FAILED',
    );
    await expectTroveError(
      () => backend.write('c', 'x', { ifMatch: first.etag }),
      'PRECONDITION_FAILED',
    );
    await expectTroveError(
      () => backend.copy('c', 'c', { ifNoneMatch: '*' }),
      'PRECONDITION_FAILED',
    );
    await expectTroveError(
      () => backend.rename('c', 'c', { ifNoneMatch: '*' }),
      'PRECONDITION_FAILED',
    );
    expect(leftovers(backend.root)).toEqual([]);
  });

  it('list skips temp and lock files at every level', async () => {
    const backend = freshBackend();
    await backend.write('d/real', 'r');
    writeFileSync(join(backend.root, '.trove-tmp-0123'), 'partial');
    writeFileSync(join(backend.root, 'd', '.trove-tmp-lock-real'), '');
    await mkdir(join(backend.root, '.trove-tmp-dir'));
    writeFileSync(join(backend.root, '.trove-tmp-dir', 'inside'), '');
    expect(await listKeys(backend, '')).toEqual(['d/real']);
    expect(await listKeys(backend, 'd/')).toEqual(['d/real']);
  });

  it('a stale lock (older than 30 s) is broken; a fresh one is waited for', async () => {
    const backend = freshBackend();
    const base = await backend.write('locked/k', 'v1');
    const lock = join(backend.root, 'locked', '.trove-tmp-lock-k');
    writeFileSync(lock, 'crashed');
    const old = Date.now() / 1000 - 60;
    utimesSync(lock, old, old);
    const next = await backend.write('locked/k', 'v2', { ifMatch: base.etag });
    expect(leftovers(backend.root)).toEqual([]);

    writeFileSync(lock, 'busy');
    const started = Date.now();
    setTimeout(() => unlinkSync(lock), 300);
    await backend.write('locked/k', 'v3', { ifMatch: next.etag });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(readFileSync(join(backend.root, 'locked/k'), 'utf8')).toBe('v3');
  });
});

describe('etags', () => {
  it('are stable while the object is unchanged and differ for every version', async () => {
    const backend = freshBackend();
    const etags = new Set<string>();
    // Same size, written back to back: inode numbers get reused and mtimes share a clock tick.
    for (let i = 0; i < 200; i++) {
      const stat = await backend.write('same-size', String(i % 10));
      expect((await backend.stat('same-size')).etag).toBe(stat.etag);
      etags.add(stat.etag);
    }
    expect(etags.size).toBe(200);
  });

  it('a stale etag never matches after quick same-size rewrites', async () => {
    const backend = freshBackend();
    const stale = await backend.write('k', 'a');
    for (let i = 0; i < 50; i++) await backend.write('k', 'b');
    await expectTroveError(
      () => backend.write('k', 'c', { ifMatch: stale.etag }),
      'PRECONDITION_FAILED',
    );
  });
});

describe('filesystem errors', () => {
  it('a key under an existing object, or over a folder of objects, is ALREADY_EXISTS', async () => {
    const backend = freshBackend();
    await backend.write('file', 'f');
    await backend.write('folder/child', 'c');
    await expectTroveError(() => backend.write('file/below', 'x'), 'ALREADY_EXISTS');
    await expectTroveError(() => backend.write('folder', 'x'), 'ALREADY_EXISTS');
    await expectTroveError(() => backend.copy('file', 'folder'), 'ALREADY_EXISTS');
    expect(await backend.exists('file/below')).toBe(false);
    expect(await backend.exists('file')).toBe(true);
    expect(leftovers(backend.root)).toEqual([]);
  });

  it('a key segment longer than the filesystem allows is INVALID_KEY', async () => {
    const backend = freshBackend();
    await expectTroveError(() => backend.write(`long/${'x'.repeat(300)}`, 'x'), 'INVALID_KEY');
    expect(await listKeys(backend, '')).toEqual([]);
  });

  it('a { path } body that does not exist is NOT_FOUND naming that path', async () => {
    const backend = freshBackend();
    const missing = join(tempDir(), 'nope.bin');
    const err = await expectTroveError(() => backend.write('k', { path: missing }), 'NOT_FOUND');
    expect(err.key).toBe(missing);
    expect(leftovers(backend.root)).toEqual([]);
  });

  it('operations on a store folder that does not exist yet', async () => {
    const backend = new LocalBackend({ root: join(tempDir(), 'not', 'yet') });
    expect(await listKeys(backend, '')).toEqual([]);
    expect(await backend.exists('a')).toBe(false);
    await backend.delete('a');
    await backend.deleteMany(['a', 'b/c']);
    await backend.write('a', 'created');
    expect(await listKeys(backend, '')).toEqual(['a']);
  });

  it('list from the root and from a partial name', async () => {
    const backend = freshBackend();
    await backend.write('keep/x', '1');
    await backend.write('skip/y', '2');
    await backend.write('skip/deep/z', '3');
    expect(await listKeys(backend, 'keep/')).toEqual(['keep/x']);
    expect(await listKeys(backend, 'ke')).toEqual(['keep/x']);
    expect(await listKeys(backend, 'skip/d')).toEqual(['skip/deep/z']);
    expect(await listKeys(backend, '')).toEqual(['keep/x', 'skip/deep/z', 'skip/y']);
  });
});
