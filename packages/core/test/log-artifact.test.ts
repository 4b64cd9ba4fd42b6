import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WriteBody, WriteOptions } from '../src/backend/contract.js';
import { MemoryBackend } from '../src/backend/memory-backend.js';
import { isTroveError, TroveError } from '../src/errors.js';
import { Store } from '../src/record/store.js';
import { startRun } from '../src/run/start-run.js';
import { memoryStore, snapshotTree, storeKeys, tempDir, writeTree } from './helpers.js';

async function project() {
  const cwd = tempDir();
  mkdirSync(join(cwd, '.trove'));
  // A DVC repository: where pointers are written by default, as DVCLive does.
  mkdirSync(join(cwd, '.dvc'));
  const store = memoryStore();
  const run = await startRun({ cwd, store, name: 'test' });
  return { cwd, store, run };
}

describe('Run.logArtifact', () => {
  it('stores a file once, writes the .dvc pointer, .gitignore and dvc.yaml, and records it', async () => {
    const { cwd, store, run } = await project();
    writeFileSync(join(cwd, 'model.pt'), 'weights');
    const record = await run.logArtifact('model.pt', {
      type: 'model',
      name: 'mymodel',
      desc: 'Fine-tuned Resnet50',
      labels: ['resnet', 'imagenet'],
    });
    expect(record).toMatchObject({
      path: 'outputs/model.pt',
      name: 'mymodel',
      type: 'model',
      md5: '63f4f1e9b725370f459720575cd5f953',
      size: 7,
      isdir: false,
      cached: true,
      source: 'model.pt',
      dvcFile: 'model.pt.dvc',
    });
    expect(readFileSync(join(cwd, 'model.pt.dvc'), 'utf8')).toBe(
      'outs:\n- md5: 63f4f1e9b725370f459720575cd5f953\n  size: 7\n  hash: md5\n  path: model.pt\n',
    );
    expect(readFileSync(join(cwd, '.gitignore'), 'utf8')).toBe('/model.pt\n');
    expect(readFileSync(join(cwd, 'dvc.yaml'), 'utf8')).toBe(
      'artifacts:\n  mymodel:\n    path: model.pt\n    type: model\n    desc: Fine-tuned Resnet50\n    labels:\n    - resnet\n    - imagenet\n',
    );
    expect(await store.objects.has('63f4f1e9b725370f459720575cd5f953')).toBe(true);
    await run.end();
    const artifacts = await store.readArtifacts(run.id);
    expect(Object.keys(artifacts)).toEqual(['outputs/model.pt']);
    const lineage = await store.readLineage(run.id);
    expect(lineage).toHaveLength(1);
    expect(lineage[0]).toMatchObject({
      name: 'mymodel',
      kind: 'model',
      path: 'outputs/model.pt',
      isInput: false,
      isRef: false,
    });
    expect((await store.readRun(run.id)).status).toBe('completed');
  });

  it('versions by step with Polyaxon paths, keeping multi-part extensions', async () => {
    const { cwd, run } = await project();
    writeFileSync(join(cwd, 'file.tar.gz'), 'x');
    mkdirSync(join(cwd, 'ckpt'));
    writeFileSync(join(cwd, 'ckpt', 'w.bin'), 'w');
    const a = await run.logArtifact('file.tar.gz', { name: 'file', step: 1 });
    const b = await run.logArtifact('ckpt', { type: 'model', name: 'my_model', step: 1 });
    const c = await run.logArtifact('file.tar.gz', {
      type: 'dataframe',
      name: 'df-pickle',
      step: 140,
    });
    const d = await run.logArtifact('file.tar.gz', { relPath: 'csv_files/new/' });
    expect([a.path, b.path, c.path, d.path]).toEqual([
      'assets/file/file_1.tar.gz',
      'assets/model/my_model_1',
      'assets/dataframe/df-pickle_140.tar.gz',
      'outputs/csv_files/new/file.tar.gz',
    ]);
    expect(b).toMatchObject({ isdir: true, nfiles: 1, size: 1 });
    await run.end();
  });

  it('records metadata only with cache: false, and copies into the run folder with copy: true', async () => {
    const { cwd, store, run } = await project();
    writeFileSync(join(cwd, 'big.bin'), 'big');
    const meta = await run.logArtifact('big.bin', { cache: false, type: 'dataset' });
    expect(meta.cached).toBe(false);
    expect(await store.objects.has(meta.md5)).toBe(false);
    expect(existsSync(join(cwd, 'big.bin.dvc'))).toBe(false);
    const copied = await run.logArtifact('big.bin', { copy: true });
    expect(copied.source).toBe('trove/artifacts/big.bin');
    expect(readFileSync(join(cwd, 'trove/artifacts/big.bin'), 'utf8')).toBe('big');
    expect(existsSync(join(cwd, 'trove/artifacts/big.bin.dvc'))).toBe(true);
    expect(readFileSync(join(cwd, 'trove/artifacts/.gitignore'), 'utf8')).toBe('/big.bin\n');
    await run.end();
  });

  it('keeps everything else in an existing dvc.yaml', async () => {
    const { cwd, run } = await project();
    writeFileSync(
      join(cwd, 'dvc.yaml'),
      '# my pipeline\nstages:\n  train:\n    cmd: python train.py  # go\n',
    );
    writeFileSync(join(cwd, 'm.pkl'), 'm');
    await run.logArtifact('m.pkl', { type: 'model' });
    const text = readFileSync(join(cwd, 'dvc.yaml'), 'utf8');
    expect(text).toContain('# my pipeline');
    expect(text).toMatch(/cmd: python train.py +# go/);
    expect(text).toContain('artifacts:\n  m:\n    path: m.pkl\n    type: model\n');
    await run.end();
  });
});

describe('a directory is stored while it is hashed', () => {
  it('1,500 files hashed in threads: every content once, the manifest, and the same md5 again', async () => {
    const { cwd, store, run } = await project();
    // 500 of the files repeat another's content.
    const contents = writeTree(join(cwd, 'data'), 1500, 15, (i) => `file ${i % 1000}\n`);
    const record = await run.logArtifact('data');
    expect(record).toMatchObject({ isdir: true, nfiles: 1500 });
    const md5 = (text: string) => createHash('md5').update(text).digest('hex');
    const objectKeys = [...new Set(contents.map(md5))]
      .map((h) => `files/md5/${h.slice(0, 2)}/${h.slice(2)}`)
      .sort();
    const manifestKey = `files/md5/${record.md5.slice(0, 2)}/${record.md5.slice(2)}`;
    const keys = (await storeKeys(store)).filter((k) => k.startsWith('files/'));
    expect(keys.filter((k) => !k.endsWith('.dir')).sort()).toEqual(objectKeys);
    expect(keys.filter((k) => k.endsWith('.dir'))).toEqual([manifestKey]);
    // Logged again, every hash comes from the stat cache: the same manifest, nothing new stored.
    const again = await run.logArtifact('data', { name: 'data-again' });
    expect(again.md5).toBe(record.md5);
    expect((await storeKeys(store)).filter((k) => k.startsWith('files/'))).toEqual(keys);
  });
});

describe('a store that fails while a directory is hashed', () => {
  it('stops the hashing, throws the store error, and writes no manifest', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, '.trove'));
    /** Takes run records, refuses every object: a store that goes down. */
    class ObjectsDown extends MemoryBackend {
      override async write(key: string, body: WriteBody, options?: WriteOptions) {
        if (key.startsWith('files/'))
          throw new TroveError('UNAVAILABLE', `the store is down (${key})`, { retryable: true });
        return super.write(key, body, options);
      }
    }
    const backend = new ObjectsDown();
    const run = await startRun({ cwd, store: new Store({ name: 'down', meta: backend }) });
    writeTree(join(cwd, 'data'), 3000, 10);
    await expect(run.logArtifact('data')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    const keys: string[] = [];
    for await (const e of backend.list('files/')) keys.push(e.key);
    expect(keys).toEqual([]);
  });
});

describe('bad input leaves the store and workspace unchanged', () => {
  async function expectRejected(
    act: (ctx: Awaited<ReturnType<typeof project>>) => Promise<unknown>,
    code: string,
    setup?: (cwd: string) => void,
  ) {
    const ctx = await project();
    setup?.(ctx.cwd);
    const before = snapshotTree(ctx.cwd);
    const keysBefore = await storeKeys(ctx.store);
    const err = await act(ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isTroveError(err), String(err)).toBe(true);
    expect((err as { code: string }).code).toBe(code);
    expect(snapshotTree(ctx.cwd)).toEqual(before);
    expect(await storeKeys(ctx.store)).toEqual(keysBefore);
  }
  const file = (cwd: string) => writeFileSync(join(cwd, 'model.pt'), 'w');

  it('missing path', () => expectRejected(({ run }) => run.logArtifact('nope.pt'), 'NOT_FOUND'));
  it('a FIFO', () =>
    expectRejected(
      ({ run }) => run.logArtifact('fifo'),
      'INVALID_ARTIFACT',
      (cwd) => execFileSync('mkfifo', [join(cwd, 'fifo')]),
    ));
  it('a FIFO inside a directory', () =>
    expectRejected(
      ({ run }) => run.logArtifact('d'),
      'INVALID_ARTIFACT',
      (cwd) => {
        mkdirSync(join(cwd, 'd'));
        writeFileSync(join(cwd, 'd', 'a'), 'a');
        execFileSync('mkfifo', [join(cwd, 'd', 'fifo')]);
      },
    ));
  for (const name of ['my.model', '-x', '', 'x-', 'a b']) {
    it(`invalid name ${JSON.stringify(name)}`, () =>
      expectRejected(({ run }) => run.logArtifact('model.pt', { name }), 'INVALID_NAME', file));
  }
  for (const relPath of ['../x', '/abs', 'a/../../x', 'C:\\x']) {
    it(`relPath ${relPath}`, () =>
      expectRejected(({ run }) => run.logArtifact('model.pt', { relPath }), 'INVALID_PATH', file));
  }
  for (const step of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    it(`step ${step}`, () =>
      expectRejected(({ run }) => run.logArtifact('model.pt', { step }), 'INVALID_STEP', file));
  }
  it('a symlink loop inside a directory', () =>
    expectRejected(
      ({ run }) => run.logArtifact('d'),
      'INVALID_ARTIFACT',
      (cwd) => {
        mkdirSync(join(cwd, 'd'));
        writeFileSync(join(cwd, 'd', 'a'), 'a');
        symlinkSync('loop2', join(cwd, 'd', 'loop1'));
        symlinkSync('loop1', join(cwd, 'd', 'loop2'));
      },
    ));
  // Issue 18: the folder is there, so NOT_FOUND misled; a link pointing nowhere is bad input.
  it('a dangling symlink inside a directory', () =>
    expectRejected(
      ({ run }) => run.logArtifact('d'),
      'INVALID_ARTIFACT',
      (cwd) => {
        mkdirSync(join(cwd, 'd'));
        symlinkSync('missing', join(cwd, 'd', 'broken'));
      },
    ));
  it('logging after end()', async () => {
    const ctx = await project();
    await ctx.run.end();
    file(ctx.cwd);
    await expect(ctx.run.logArtifact('model.pt')).rejects.toMatchObject({ code: 'RUN_ENDED' });
  });
});
