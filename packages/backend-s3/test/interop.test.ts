import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { md5Hex } from '@trove/conformance';
import { Store, startRun } from '@trove/core';
import { tempDir } from '@trove/test-utils';
import { createBucket, motoChildEnv } from '@trove/test-utils/moto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { md5OfFile, writeTestFile } from './child.js';
import { MIB, newBackend } from './helpers.js';

const endpoint = inject('s3Endpoint');

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = motoChildEnv()) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env });
  return { code: r.status ?? -1, stdout: String(r.stdout), stderr: String(r.stderr ?? r.error) };
}

/** Installs a Python tool with pip when its command is missing; fails (never skips) if that fails. */
function ensureTool(check: string[], pipPackage: string): void {
  const ok = () => spawnSync(check[0] as string, check.slice(1), { encoding: 'utf8' }).status === 0;
  if (ok()) return;
  const pip = spawnSync('python3', ['-m', 'pip', 'install', '--quiet', pipPackage], {
    stdio: 'inherit',
  });
  if (pip.status !== 0 || !ok())
    throw new Error(`${pipPackage} is needed for this test and could not be installed with pip.`);
}

describe('other S3 clients read what trove wrote', () => {
  let bucket: string;
  beforeAll(async () => {
    bucket = await createBucket(endpoint, 'interop');
  });

  it('aws s3 cp downloads single-PUT and multipart objects byte for byte', async () => {
    ensureTool(['aws', '--version'], 'awscli');
    const dir = tempDir();
    const big = join(dir, 'big.bin');
    const bigMd5 = await writeTestFile(big, 23 * MIB, 3);
    const backend = newBackend(endpoint, bucket, { partSize: 5 * MIB });
    const multipart = await backend.write('cli/big.bin', { path: big });
    expect(multipart.etag).toMatch(/-5"$/);
    await backend.write('cli/small.txt', 'small and plain\n');
    await backend.close();

    for (const [key, md5] of [
      ['cli/big.bin', bigMd5],
      ['cli/small.txt', md5Hex('small and plain\n')],
    ] as const) {
      const out = join(dir, 'out', key);
      const r = run(
        'aws',
        [
          's3',
          'cp',
          `s3://${bucket}/${key}`,
          out,
          '--endpoint-url',
          endpoint,
          '--only-show-errors',
        ],
        dir,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(await md5OfFile(out)).toBe(md5);
    }
  });

  it('dvc pull with a remote at the store prefix restores what trove logged', async () => {
    ensureTool(['dvc', '--version'], 'dvc');
    // dvc-s3 is a plugin: `dvc version` lists it when it is importable.
    const hasS3 = () => /\bs3\b/.test(run('dvc', ['version'], tempDir()).stdout);
    if (!hasS3()) ensureTool(['python3', '-c', 'import dvc_s3'], 'dvc-s3');
    const cwd = tempDir('trove-s3-dvc-');
    const env = motoChildEnv({ DVC_NO_ANALYTICS: '1', DVC_IGNORE_UPDATES: '1' });
    expect(run('dvc', ['init', '--no-scm', '-q'], cwd, env).code).toBe(0);
    const modelMd5 = await writeTestFile(join(cwd, 'model.bin'), 12 * MIB, 5);
    mkdirSync(join(cwd, 'data/sub'), { recursive: true });
    const files: Record<string, string> = {
      'data/a.csv': 'x,y\n1,2\n',
      'data/sub/b.txt': 'bee\n',
      'data/sub/café.txt': 'unicode\n',
    };
    for (const [path, text] of Object.entries(files)) writeFileSync(join(cwd, path), text);

    const backend = newBackend(endpoint, bucket);
    const store = new Store({ name: 's3', meta: backend, metaPrefix: 'trove' });
    const runHandle = await startRun({ store, cwd, name: 'dvc-interop' });
    await runHandle.logArtifact('model.bin', { type: 'model' });
    await runHandle.logArtifact('data', { type: 'dataset' });
    await runHandle.end();
    await store.close();
    expect(readFileSync(join(cwd, 'model.bin.dvc'), 'utf8')).toContain(modelMd5);

    rmSync(join(cwd, 'model.bin'));
    rmSync(join(cwd, 'data'), { recursive: true });
    rmSync(join(cwd, '.dvc/cache'), { recursive: true, force: true });
    for (const args of [
      ['remote', 'add', '-d', 'trove', `s3://${bucket}/trove`],
      ['remote', 'modify', 'trove', 'endpointurl', endpoint],
    ]) {
      const r = run('dvc', args, cwd, env);
      expect(r.code, r.stderr).toBe(0);
    }
    const pulled = run('dvc', ['pull'], cwd, env);
    expect(pulled.code, `${pulled.stdout}\n${pulled.stderr}`).toBe(0);
    expect(await md5OfFile(join(cwd, 'model.bin'))).toBe(modelMd5);
    for (const [path, text] of Object.entries(files))
      expect(readFileSync(join(cwd, path), 'utf8')).toBe(text);
  });
});
