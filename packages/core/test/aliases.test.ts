import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listAliases, removeAlias, setAlias } from '../src/refs/artifact-alias.js';
import { resolveArtifactRef } from '../src/refs/resolve-ref.js';
import { startRun } from '../src/run/start-run.js';
import { memoryStore, rejectionCode, storeKeys, tempDir } from './helpers.js';

/** Three runs, each logging `weights.bin` with other bytes as the artifact `model`. */
async function threeVersions() {
  const cwd = tempDir();
  mkdirSync(join(cwd, '.trove'));
  const store = memoryStore();
  const runs: Array<{ id: string; md5: string; path: string }> = [];
  for (const [i, aliases] of [['best'], [], []].entries()) {
    writeFileSync(join(cwd, 'weights.bin'), `weights ${i}`);
    const run = await startRun({ cwd, store, dvcyaml: false });
    const record = await run.logArtifact('weights.bin', { name: 'model', aliases });
    await run.end();
    runs.push({ id: run.id, md5: record.md5, path: record.path });
  }
  return { cwd, store, runs };
}

describe('aliases on any artifact', () => {
  it('logArtifact moves an alias; name@alias, name:vN and name resolve to the right version', async () => {
    const { store, runs } = await threeVersions();
    const [v1, v2, v3] = runs;
    expect((await resolveArtifactRef(store, 'model@best')).md5).toBe(v1?.md5);
    expect((await resolveArtifactRef(store, 'model:v1')).md5).toBe(v1?.md5);
    expect((await resolveArtifactRef(store, 'model:v2')).md5).toBe(v2?.md5);
    expect((await resolveArtifactRef(store, 'model:v3')).md5).toBe(v3?.md5);
    expect((await resolveArtifactRef(store, 'model')).md5).toBe(v3?.md5);
    expect(await store.readArtifacts(v1?.id ?? '')).toMatchObject({
      [v1?.path ?? '']: { aliases: ['best'] },
    });
  });

  it('alias set (a version or the newest), ls and rm', async () => {
    const { store, runs } = await threeVersions();
    const [, v2, v3] = runs;
    expect(await setAlias(store, 'model', 'prod', 'v2')).toMatchObject({
      name: 'model',
      alias: 'prod',
      runId: v2?.id,
      md5: v2?.md5,
      version: 2,
    });
    expect(await setAlias(store, 'model', 'head')).toMatchObject({ md5: v3?.md5, version: 3 });
    expect((await listAliases(store, 'model')).map((a) => [a.alias, a.version])).toEqual([
      ['best', 1],
      ['head', 3],
      ['prod', 2],
    ]);
    // Moving prod to v3: the same document, the alias now names v3's bytes.
    await setAlias(store, 'model', 'prod', 3);
    expect((await resolveArtifactRef(store, 'model@prod')).md5).toBe(v3?.md5);
    await removeAlias(store, 'model', 'prod');
    expect((await listAliases(store)).map((a) => a.alias)).toEqual(['best', 'head']);
    expect(await rejectionCode(resolveArtifactRef(store, 'model@prod'))).toBe('NOT_FOUND');
    expect(await rejectionCode(removeAlias(store, 'model', 'prod'))).toBe('NOT_FOUND');
  });

  it('refuses bad input before anything is written', async () => {
    const { store } = await threeVersions();
    const before = await storeKeys(store);
    expect(await rejectionCode(setAlias(store, 'model', 'latest'))).toBe('INVALID_NAME');
    expect(await rejectionCode(setAlias(store, 'model', 'v2'))).toBe('INVALID_NAME');
    expect(await rejectionCode(setAlias(store, 'no such', 'x'))).toBe('INVALID_NAME');
    expect(await rejectionCode(setAlias(store, 'model', 'x', 'v0'))).toBe('INVALID_ARGUMENT');
    expect(await rejectionCode(setAlias(store, 'model', 'x', 'v4'))).toBe('NOT_FOUND');
    expect(await rejectionCode(setAlias(store, 'other', 'x'))).toBe('NOT_FOUND');
    expect(await rejectionCode(resolveArtifactRef(store, 'model:v4'))).toBe('NOT_FOUND');
    expect(await storeKeys(store)).toEqual(before);
  });

  it('logArtifact refuses aliases on content it does not store, and bad aliases', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, '.trove'));
    const store = memoryStore();
    writeFileSync(join(cwd, 'w.bin'), 'w');
    const run = await startRun({ cwd, store, dvcyaml: false });
    expect(await rejectionCode(run.logArtifact('w.bin', { aliases: ['a'], cache: false }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(await rejectionCode(run.logArtifact('w.bin', { aliases: ['latest'] }))).toBe(
      'INVALID_NAME',
    );
    expect(
      await rejectionCode(run.logArtifact('w.bin', { aliases: 'best' as unknown as string[] })),
    ).toBe('INVALID_ARGUMENT');
    await run.end();
    expect((await storeKeys(store)).filter((k) => k.startsWith('aliases/'))).toEqual([]);
  });
});
