import { createHash } from 'node:crypto';
/**
 * The Polyaxon dialect on its own: the name and extension rules, the run folder's paths and what
 * is stored at `end()`, and bad input (one TroveError, nothing written).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkout, isTroveError, startRun } from '@trove/core';
import {
  defaultArtifactName,
  dvcliveArtifactName,
  pathExtension,
  toFqnName,
} from '@trove/core/dialect';
import { describe, expect, it, onTestFinished } from 'vitest';
import * as tracking from '../src/index.js';
import { memoryStore, snapshotTree, storeKeys, tempDir } from './helpers.js';

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    if (isTroveError(err)) return err.code;
    throw err;
  }
  return 'no error';
}

describe('names and extensions', () => {
  it('derives names up to the first dot (core, Polyaxon) and keeps DVCLive’s stem rule apart', async () => {
    expect(
      ['file.tar.gz', 'dir/my.model.pt', '.env', 'data/', 'model.pt', 'my model.pt'].map(
        defaultArtifactName,
      ),
    ).toEqual(['file', 'my', 'env', 'data', 'model', 'my-model']);
    expect(['a.tar.gz', 'model.pt', 'data/'].map(dvcliveArtifactName)).toEqual([
      'a.tar',
      'model',
      'data',
    ]);
    expect(['Model.TAR.GZ', 'x', '.env', 'a.b.c'].map(pathExtension)).toEqual([
      'tar.gz',
      '',
      'env',
      'b.c',
    ]);
    expect(['my.model name/x', 'café', 'a--b..c', 'x%y'].map(toFqnName)).toEqual([
      'my-model-name__x',
      'cafe',
      'a-b-c',
      'xy',
    ]);
    // The core API: a versioned file.tar.gz with no name is file_1.tar.gz.
    const cwd = tempDir();
    writeFileSync(join(cwd, 'file.tar.gz'), 'x');
    const run = await startRun({ cwd, store: memoryStore(), dvcyaml: false });
    const logged = await run.logArtifact('file.tar.gz', { step: 1 });
    expect([logged.name, logged.path]).toEqual(['file', 'assets/file/file_1.tar.gz']);
    await run.end();
  });
});

describe('the run folder', () => {
  it('gives outputs paths that exist, and stores what is saved there at end()', async () => {
    const cwd = tempDir();
    const store = memoryStore();
    const run = await tracking.init({ cwd, store, name: 'paths', tags: ['a', 'b'] });
    expect(run.artifactsPath).toBe(join(tmpdir(), 'trove-polyaxon', run.id));
    expect(tracking.getArtifactsPath()).toBe(run.artifactsPath);
    expect(tracking.getOutputsPath()).toBe(join(run.artifactsPath, 'outputs'));
    const h5 = tracking.getOutputsPath('model/model.h5');
    expect(h5).toBe(join(run.artifactsPath, 'outputs', 'model', 'model.h5'));
    expect(statSync(join(run.artifactsPath, 'outputs', 'model')).isDirectory()).toBe(true);
    const sub = tracking.getOutputsPath('sub-folder', { isDir: true });
    expect(statSync(sub).isDirectory()).toBe(true);
    const code = tracking.getArtifactsPath('code/file.py');
    expect(code).toBe(join(run.artifactsPath, 'code', 'file.py'));
    expect(existsSync(join(run.artifactsPath, 'code'))).toBe(false);
    writeFileSync(h5, 'weights');
    mkdirSync(join(sub, 'deep'));
    writeFileSync(join(sub, 'deep', 'a.txt'), 'a');
    writeFileSync(join(sub, 'b.txt'), 'bb');
    await tracking.end();
    onTestFinished(() => rmSync(run.artifactsPath, { recursive: true, force: true }));

    const artifacts = await store.readArtifacts(run.id);
    expect(Object.keys(artifacts).sort()).toEqual(['outputs/model', 'outputs/sub-folder']);
    expect(artifacts['outputs/sub-folder']).toMatchObject({ isdir: true, nfiles: 2, size: 3 });
    expect((await store.readRun(run.id)).tags).toEqual({ a: '', b: '' });
    const back = tempDir();
    for (const a of Object.values(artifacts))
      await checkout(store.objects, a.md5, join(back, a.path));
    expect(readFileSync(join(back, 'outputs/model/model.h5'), 'utf8')).toBe('weights');
    expect(readFileSync(join(back, 'outputs/sub-folder/deep/a.txt'), 'utf8')).toBe('a');
    expect(snapshotTree(join(run.artifactsPath, 'outputs'))).toEqual(
      snapshotTree(join(back, 'outputs')),
    );
    expect(await codeOf(() => tracking.getOutputsPath('x'))).toBe('NOT_FOUND');
  });
});

describe('bad input', () => {
  it('gets one TroveError each and leaves nothing written', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'file.csv'), 'a,b\n');
    const store = memoryStore();
    const run = await tracking.init({ cwd, store, artifactsPath: join(cwd, 'run') });
    await run.logArtifact({ path: 'file.csv', step: 1 });
    run.logMetric('loss', 0.5, { step: 1 });
    await run.flush();
    const folder = snapshotTree(join(cwd, 'run'));
    const keys = await storeKeys(store);
    const lineage = [...run.run.lineage];
    const cases: Array<[string, () => unknown]> = [
      ['INVALID_PATH', () => run.logArtifact({ path: 'file.csv', relPath: '../../escape' })],
      ['INVALID_PATH', () => run.logModel({ path: 'file.csv', relPath: '/abs' })],
      ['INVALID_PATH', () => run.getOutputsPath('../../escape', { isDir: true })],
      ['INVALID_PATH', () => run.getArtifactsPath('../x', { ensurePath: true })],
      ['INVALID_ARGUMENT', () => run.logArtifact({ path: 'file.csv', kind: 'nope', step: 2 })],
      ['INVALID_ARGUMENT', () => run.logArtifactRef({ path: 'file.csv', kind: 'Model' })],
      ['INVALID_ARGUMENT', () => run.logCurve('roc', [1, 2, 3], [1, 2], { step: 1 })],
      ['INVALID_ARGUMENT', () => run.logCurve('roc', [1, 'a' as never], [1, 2])],
      ['NOT_FOUND', () => run.logArtifact({ path: 'missing.csv', step: 2 })],
      ['NOT_FOUND', () => run.logModel({ path: 'missing.h5' })],
      ['INVALID_ARGUMENT', () => run.logArtifact({ path: '' })],
      ['INVALID_STEP', () => run.logModel({ path: 'file.csv', step: -1 })],
      ['INVALID_STEP', () => run.logMetric('loss', 1, { step: 1.5 })],
      ['INVALID_ARGUMENT', () => run.logMetric('loss', 1, { timestamp: 'yesterday' })],
      ['INVALID_ARGUMENT', () => run.logMetric('loss', '1' as never)],
      ['INVALID_NAME', () => run.logArtifact({ path: 'file.csv', name: '%%' })],
      ['INVALID_ARGUMENT', () => run.logDataRef({ name: 'ds' } as never)],
    ];
    const got: string[] = [];
    for (const [, call] of cases) got.push(await codeOf(call));
    expect(got).toEqual(cases.map(([code]) => code));
    await run.flush();
    expect(snapshotTree(join(cwd, 'run'))).toEqual(folder);
    expect(await storeKeys(store)).toEqual(keys);
    expect(run.run.lineage).toEqual(lineage);
    await run.end();
    expect(await codeOf(run.logArtifact({ path: 'file.csv' }))).toBe('RUN_ENDED');
  });
});

describe('lineage rows as the client makes them', () => {
  it('stores the caller’s summary, a model’s framework and the local path with the row, even as the last call', async () => {
    const cwd = tempDir();
    const store = memoryStore();
    writeFileSync(join(cwd, 'model.bin'), 'weights');
    const run = await tracking.init({ cwd, store, name: 'summary', trackCode: false });
    // The last log call before end(): nothing after it would save a row patched in memory.
    await tracking.logArtifact({ path: 'model.bin', kind: 'model', summary: { acc: 0.9 } });
    await tracking.end();
    const stored = await store.readLineage(run.id);
    const row = stored.find((r) => r.path === 'outputs/model.bin');
    const md5 = createHash('md5').update('weights').digest('hex');
    expect(row?.summary).toEqual({
      hash: `md5:${md5}`,
      md5,
      size: 7,
      acc: 0.9,
      path: join(run.artifactsPath, 'outputs', 'model.bin'),
    });
    // What is in memory is what was stored.
    expect(run.run.lineage.find((r) => r.path === 'outputs/model.bin')).toEqual(row);
  });
});

describe('logDataRef: a data input with its digest (issue 23)', () => {
  it('records the md5 of local data, and a reference that cannot be read as before', async () => {
    const cwd = tempDir();
    const store = memoryStore();
    writeFileSync(join(cwd, 'train.csv'), 'x,y\n1,2\n');
    await tracking.init({ cwd, store, name: 'data', trackCode: false });
    const row = await tracking.logDataRef({ name: 'train', path: 'train.csv' });
    expect(row).toMatchObject({
      name: 'train',
      kind: 'data',
      isInput: true,
      isRef: true,
      summary: {
        md5: createHash('md5').update('x,y\n1,2\n').digest('hex'),
        path: join(cwd, 'train.csv'),
      },
    });
    // Polyaxon records a data reference it cannot read: recorded, with no digest.
    const missing = await tracking.logDataRef({ name: 'gone', path: 'gone.csv' });
    expect(missing).toMatchObject({ name: 'gone', isInput: true, summary: { path: 'gone.csv' } });
    expect(missing.summary.md5).toBeUndefined();
    await tracking.end();
    const later = await startRun({ cwd, store, dvcyaml: false });
    writeFileSync(join(cwd, 'train.csv'), 'x,y\n1,2\n3,4\n');
    expect(await codeOf(later.useArtifact('train'))).toBe('CHANGED');
    await later.end();
  });
});
