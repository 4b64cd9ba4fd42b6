import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@trove/test-utils';
import { startFaultProxy } from '@trove/test-utils/fault-proxy';
import { createBucket, MOTO_ENV, type MotoServer, startMoto } from '@trove/test-utils/moto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trove, troveAsync } from './helpers.js';

let moto: MotoServer;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto?.stop();
});

/** Every file under `dir`, relative, with its bytes. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of readdirSync(dir, { recursive: true, withFileTypes: false }) as string[]) {
    try {
      out[rel] = readFileSync(join(dir, rel), 'base64');
    } catch {
      // a folder
    }
  }
  return out;
}

describe('the read-through cache of a remote store', () => {
  it('S3 (moto, requests counted by a proxy): a second get makes no request; bad settings are one error', async () => {
    const bucket = await createBucket(moto.url, 'cache');
    const proxy = await startFaultProxy({ upstream: moto.url, seed: 21 });
    const cacheDir = tempDir('trove-cache-dir-');
    const cwd = tempDir('trove-cache-');
    expect(trove(['init'], { cwd }).code).toBe(0);
    const store = (cache: string) =>
      `store: team\nstores:\n  team: { type: s3, bucket: ${bucket}, endpoint: "${proxy.url}", forcePathStyle: true, prefix: trove${cache} }\n`;
    writeFileSync(join(cwd, 'trove.yaml'), store(`, cache: { path: "${cacheDir}", size: 1GB }`));
    const env = MOTO_ENV;
    try {
      writeFileSync(join(cwd, 'model.bin'), randomBytes(3 * 1024 * 1024));
      mkdirSync(join(cwd, 'data'));
      for (let i = 0; i < 200; i++) writeFileSync(join(cwd, 'data', `f${i}`), randomBytes(64));
      // The proxy runs in this process: the CLI runs beside it (a sync spawn would block it).
      const run = (args: string[]) => troveAsync(args, cwd, env);
      const added = async (path: string) => {
        const r = await run(['add', path, '--json']);
        expect(r.code, r.stderr).toBe(0);
        return JSON.parse(r.stdout) as { artifact: { md5: string } };
      };
      const file = await added('model.bin');
      const dir = await added('data');

      for (const [md5, out] of [
        [file.artifact.md5, 'got.bin'],
        [dir.artifact.md5, 'got-data'],
      ] as const) {
        const first = await run(['get', md5, '-o', `first-${out}`]);
        expect(first.code, first.stderr).toBe(0);
        const before = proxy.counts().requests;
        const second = await run(['get', md5, '-o', `second-${out}`]);
        expect(second.code, second.stderr).toBe(0);
        expect(proxy.counts().requests - before).toBe(0);
      }
      expect(readFileSync(join(cwd, 'second-got.bin'))).toEqual(
        readFileSync(join(cwd, 'model.bin')),
      );
      expect(tree(join(cwd, 'second-got-data'))).toEqual(tree(join(cwd, 'data')));
      // The cache holds the file, the manifest and the folder's 200 files.
      const cached = readdirSync(join(cacheDir, 'files/md5'), { recursive: true }) as string[];
      expect(cached.filter((p) => p.includes('/')).length).toBe(202);

      for (const bad of ['cache: 5', 'cache: { size: lots }', 'cache: { where: x }']) {
        writeFileSync(join(cwd, 'trove.yaml'), store(`, ${bad}`));
        const r = await run(['ls', '--json']);
        expect(r.code, bad).toBe(5);
        expect(JSON.parse(r.stdout).error.code).toBe('INVALID_CONFIG');
      }
    } finally {
      await proxy.stop();
    }
  });
});
