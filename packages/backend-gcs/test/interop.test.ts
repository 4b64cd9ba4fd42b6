import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store, startRun } from '@trove/core';
import { tempDir } from '@trove/test-utils';
import { createGcsBucket, venvBin } from '@trove/test-utils/gcs';
import { describe, expect, inject, it } from 'vitest';
import { writeTestFile } from './child.js';
import { MIB, newBackend } from './helpers.js';

const endpoint = inject('gcsEndpoint');

/**
 * dvc (with dvc-gs, from this package's venv) in a child process. gcsfs probes a gRPC API per
 * bucket unless GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT=false (60 s stalls against an emulator), and
 * STORAGE_EMULATOR_HOST is left out: the remote's endpointurl says where the server is.
 */
function dvc(args: string[], cwd: string) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DVC_NO_ANALYTICS: '1',
    DVC_IGNORE_UPDATES: '1',
    GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT: 'false',
  };
  delete env.STORAGE_EMULATOR_HOST;
  const r = spawnSync(venvBin('dvc'), args, { cwd, encoding: 'utf8', env });
  return { code: r.status ?? -1, out: `${r.stdout}\n${r.stderr ?? r.error}` };
}

const md5File = (path: string) => createHash('md5').update(readFileSync(path)).digest('hex');

describe('DVC reads what trove stored on GCS (dvc-gs 3.1.0 on fake-gcs-server)', () => {
  it('dvc pull with a gs:// remote at the store prefix restores the logged artifacts', async () => {
    const bucket = await createGcsBucket(endpoint, 'interop');
    const cwd = tempDir('trove-gcs-dvc-');
    expect(dvc(['init', '--no-scm', '-q'], cwd).code).toBe(0);
    // Larger than one chunk: stored through a resumable session.
    const modelMd5 = await writeTestFile(join(cwd, 'model.bin'), 3 * MIB, 5);
    mkdirSync(join(cwd, 'data/sub'), { recursive: true });
    const files: Record<string, string> = {
      'data/a.csv': 'x,y\n1,2\n',
      'data/sub/b.txt': 'bee\n',
      'data/sub/café.txt': 'unicode\n',
    };
    for (const [path, text] of Object.entries(files)) writeFileSync(join(cwd, path), text);

    const backend = newBackend(endpoint, bucket, { chunkSize: MIB });
    const store = new Store({ name: 'gcs', meta: backend, metaPrefix: 'trove' });
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
      ['remote', 'add', '-d', 'trove', `gs://${bucket}/trove`],
      ['remote', 'modify', 'trove', 'endpointurl', endpoint],
      ['remote', 'modify', 'trove', 'allow_anonymous_login', 'true'],
    ]) {
      const r = dvc(args, cwd);
      expect(r.code, r.out).toBe(0);
    }
    const pulled = dvc(['pull'], cwd);
    expect(pulled.code, pulled.out).toBe(0);
    expect(md5File(join(cwd, 'model.bin'))).toBe(modelMd5);
    for (const [path, text] of Object.entries(files))
      expect(readFileSync(join(cwd, path), 'utf8')).toBe(text);
  });
});
