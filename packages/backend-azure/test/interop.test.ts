import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store, startRun } from '@trove/core';
import { tempDir } from '@trove/test-utils';
import { createContainer } from '@trove/test-utils/azurite';
import { describe, expect, inject, it } from 'vitest';
import { md5OfFile, writeTestFile } from './child.js';
import { MIB, newBackend } from './helpers.js';

const connectionString = inject('azureConnectionString');
const dvc = inject('azureDvc');

/** dvc from this package's venv, with a clean environment: no credentials but the ones given. */
function runDvc(args: string[], cwd: string) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DVC_NO_ANALYTICS: '1',
    DVC_IGNORE_UPDATES: '1',
  };
  for (const name of Object.keys(env)) if (name.startsWith('AZURE_')) delete env[name];
  const r = spawnSync(dvc, args, { cwd, encoding: 'utf8', env });
  return { code: r.status ?? -1, out: `${r.stdout}\n${r.stderr ?? r.error}` };
}

describe('DVC reads what trove wrote to Azure', () => {
  it('dvc pull (dvc-azure, connection_string --local) with a remote at the store prefix restores what trove logged', async () => {
    const container = await createContainer(connectionString, 'dvc');
    const cwd = tempDir('trove-azure-dvc-');
    expect(runDvc(['init', '--no-scm', '-q'], cwd).code).toBe(0);
    // 12 MiB with 4 MiB blocks: a block upload, next to single-request small files.
    const modelMd5 = await writeTestFile(join(cwd, 'model.bin'), 12 * MIB, 5);
    mkdirSync(join(cwd, 'data/sub'), { recursive: true });
    const files: Record<string, string> = {
      'data/a.csv': 'x,y\n1,2\n',
      'data/sub/b.txt': 'bee\n',
      'data/sub/café.txt': 'unicode\n',
    };
    for (const [path, text] of Object.entries(files)) writeFileSync(join(cwd, path), text);

    const backend = newBackend(connectionString, container, { blockSize: 4 * MIB });
    const store = new Store({ name: 'azure', meta: backend, metaPrefix: 'trove' });
    const run = await startRun({ store, cwd, name: 'dvc-interop' });
    await run.logArtifact('model.bin', { type: 'model' });
    await run.logArtifact('data', { type: 'dataset' });
    await run.end();
    await store.close();
    expect(readFileSync(join(cwd, 'model.bin.dvc'), 'utf8')).toContain(modelMd5);

    rmSync(join(cwd, 'model.bin'));
    rmSync(join(cwd, 'data'), { recursive: true });
    rmSync(join(cwd, '.dvc/cache'), { recursive: true, force: true });
    for (const args of [
      ['remote', 'add', '-d', 'trove', `azure://${container}/trove`],
      ['remote', 'modify', '--local', 'trove', 'connection_string', connectionString],
    ]) {
      const r = runDvc(args, cwd);
      expect(r.code, r.out).toBe(0);
    }
    // The connection string stays in the untracked local config, not in .dvc/config.
    expect(readFileSync(join(cwd, '.dvc/config'), 'utf8')).not.toContain('AccountKey');
    const pulled = runDvc(['pull'], cwd);
    expect(pulled.code, pulled.out).toBe(0);
    expect(await md5OfFile(join(cwd, 'model.bin'))).toBe(modelMd5);
    for (const [path, text] of Object.entries(files))
      expect(readFileSync(join(cwd, path), 'utf8')).toBe(text);
  });
});
