import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { md5Hex, md5OfFile, writeTestFile } from '@trove/conformance';
import { tempDir } from '@trove/test-utils';
import { createBucket, motoChildEnv } from '@trove/test-utils/moto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
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
});
