import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Store } from '../src/record/store.js';
import { openRegistry } from '../src/refs/open-registry.js';
import { resolveArtifactRef } from '../src/refs/resolve-ref.js';
import { startRun } from '../src/run/start-run.js';
import { memoryStore, storeKeys, tempDir } from './helpers.js';

/** A project with one run that logged `model.bin`; returns its `runs:/` URI. */
async function projectWithModel(store?: Store) {
  const cwd = tempDir();
  mkdirSync(join(cwd, '.trove'));
  const s = store ?? memoryStore();
  writeFileSync(join(cwd, 'model.bin'), 'weights v1');
  const run = await startRun({ cwd, store: s, dvcyaml: false });
  const record = await run.logArtifact('model.bin', { type: 'model' });
  await run.end();
  return { cwd, store: s, run, record, uri: `runs:/${run.id}/${record.path}` };
}

async function registryKeys(store: Store): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const key of await storeKeys(store)) {
    if (key.startsWith('registry/')) out[key] = await store.readText(key);
  }
  return out;
}

describe('the model registry on the store', () => {
  it('numbers versions 1…N, moves aliases, and resolves every models:/ form', async () => {
    const { store, uri, run, record } = await projectWithModel();
    const registry = openRegistry(store);
    const v1 = await registry.registerModel(uri, 'iris-classifier', { tags: { stage: 'dev' } });
    const v2 = await registry.registerModel(uri, 'iris-classifier');
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(v1).toMatchObject({
      name: 'iris-classifier',
      source: uri,
      runId: run.id,
      md5: record.md5,
      isdir: false,
      status: 'READY',
      tags: { stage: 'dev' },
      aliases: [],
    });
    await registry.setAlias('iris-classifier', 'champion', 1);
    expect((await registry.getVersionByAlias('iris-classifier', 'champion')).version).toBe(1);
    await registry.setAlias('iris-classifier', 'champion', '2');
    expect((await registry.getVersion('iris-classifier', 2)).aliases).toEqual(['champion']);
    await registry.setVersionTag('iris-classifier', 1, 'validated', true);
    expect((await registry.getVersion('iris-classifier', 1)).tags).toEqual({
      stage: 'dev',
      validated: 'true',
    });

    for (const ref of [
      'models:/iris-classifier/1',
      'models:/iris-classifier/2',
      'models:/iris-classifier@champion',
      'models:/iris-classifier/latest',
    ]) {
      const found = await resolveArtifactRef(store, ref);
      expect(found).toMatchObject({ md5: record.md5, name: 'iris-classifier', runId: run.id });
      expect(found.record?.path).toBe(record.path);
    }
    // useArtifact takes models:/ URIs too, and records the input.
    const consumer = await startRun({ cwd: tempDir(), store, dvcyaml: false });
    const used = await consumer.useArtifact('models:/iris-classifier@champion', { to: 'in.bin' });
    expect(used).toMatchObject({ md5: record.md5, name: 'iris-classifier', runId: run.id });
    expect(consumer.lineage.at(-1)).toMatchObject({ isInput: true, kind: 'model' });
    await consumer.end();
    const models = await registry.listModels();
    expect(models).toEqual([
      expect.objectContaining({
        name: 'iris-classifier',
        latestVersion: 2,
        versionCount: 2,
        aliases: { champion: 2 },
      }),
    ]);
    expect((await registry.searchVersions({ runId: run.id })).map((v) => v.version)).toEqual([
      2, 1,
    ]);

    // Deleting a version drops its aliases; its number is never given again.
    await registry.deleteVersion('iris-classifier', 2);
    expect((await registry.getModel('iris-classifier')).aliases).toEqual({});
    expect((await registry.latestVersion('iris-classifier')).version).toBe(1);
    expect((await registry.registerModel(uri, 'iris-classifier')).version).toBe(3);
    await registry.deleteAlias('iris-classifier', 'champion').catch((e) => e.code);
    expect(await storeKeys(store)).toContain('registry/iris-classifier.json');
  });

  it('refuses bad input with one TroveError each and leaves the registry unchanged', async () => {
    const { store, uri, run } = await projectWithModel();
    const registry = openRegistry(store);
    await registry.registerModel(uri, 'clf');
    await registry.setAlias('clf', 'prod', 1);
    const before = await registryKeys(store);
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'resolved',
        (e) => e.code,
      );

    expect(await code(registry.registerModel(uri, 'bad/name'))).toBe('INVALID_NAME');
    expect(await code(registry.registerModel(uri, ''))).toBe('INVALID_NAME');
    expect(await code(registry.registerModel(uri, '../escape'))).toBe('INVALID_NAME');
    expect(await code(registry.registerModel(`runs:/${run.id}/nothing/here`, 'clf'))).toBe(
      'NOT_FOUND',
    );
    expect(await code(registry.registerModel('models:/clf/9', 'other'))).toBe('NOT_FOUND');
    expect(await code(registry.setAlias('clf', 'prod', 7))).toBe('NOT_FOUND');
    expect(await code(registry.setAlias('missing', 'prod', 1))).toBe('NOT_FOUND');
    expect(await code(registry.setAlias('clf', 'latest', 1))).toBe('INVALID_NAME');
    expect(await code(registry.setAlias('clf', 'v3', 1))).toBe('INVALID_NAME');
    expect(await code(registry.setAlias('clf', 'prod', 0))).toBe('INVALID_ARGUMENT');
    expect(await code(registry.deleteAlias('clf', 'nope'))).toBe('NOT_FOUND');
    expect(await code(registry.deleteVersion('clf', 5))).toBe('NOT_FOUND');
    expect(await code(registry.setVersionTag('clf', 1, '', 'x'))).toBe('INVALID_ARGUMENT');
    expect(await registryKeys(store)).toEqual(before);

    for (const ref of [
      'models:/clf/2',
      'models:/clf@staging',
      'models:/nope/latest',
      'models:/clf/Production',
      'models:/clf',
      'models:/m-0123456789abcdef0123456789abcdef',
    ]) {
      expect(await code(resolveArtifactRef(store, ref))).toBe('NOT_FOUND');
    }
  });
});
