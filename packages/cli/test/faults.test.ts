import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tempDir } from '@trove/test-utils';
import { type FaultProxy, startFaultProxy } from '@trove/test-utils/fault-proxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudEmulators, proxiedClouds, useCloudEmulators } from './cloud-emulators.js';
import { troveAsync } from './helpers.js';

/**
 * `trove add` and `trove get` on each cloud store through a fault proxy on loopback that resets
 * 10% of the requests, half while they are sent and half after the emulator answered: the
 * commands succeed and move the exact bytes. With every request reset they fail with one
 * `UNAVAILABLE` (exit 7) and no trace. The commands run as child processes (`troveAsync`): the
 * proxy lives in this process and must keep serving while they run.
 *
 * The large file is 64 MiB here to keep the test line short; bench/faults-large-file.mjs runs
 * the same cases with 200 MiB (`TROVE_BENCH_LARGE_MIB`).
 */
const FILES = 2_000;
const LARGE_MIB = Number(process.env.TROVE_BENCH_LARGE_MIB ?? 64);
const LARGE = LARGE_MIB * 1024 * 1024;
const RESETS = { resetMidRequest: 0.05, resetMidAnswer: 0.05 };

let emulators: CloudEmulators;

useCloudEmulators((started) => {
  emulators = started;
});

const clouds = proxiedClouds(() => emulators);

for (const [index, cloud] of clouds.entries()) {
  describe(`trove add and get on ${cloud.name} through a fault proxy`, () => {
    let proxy: FaultProxy;
    let cwd: string;
    let env: NodeJS.ProcessEnv;
    let dataRun = '';
    let largeRun = '';
    beforeAll(async () => {
      proxy = await startFaultProxy({
        upstream: cloud.upstream(),
        seed: 1800 + index,
        ...(cloud.faultable ? { match: cloud.faultable } : {}),
      });
      cwd = tempDir('trove-cli-faults-');
      env = cloud.env(proxy.url);
      writeFileSync(
        join(cwd, 'trove.yaml'),
        `store: team\nstores:\n  team: ${await cloud.store(proxy.url)}\n`,
      );
      makeData(join(cwd, 'data'));
      writeLarge(join(cwd, 'large.bin'));
    });
    afterAll(async () => {
      await proxy?.stop();
    });

    it(`add of a ${FILES}-file folder and a ${LARGE_MIB} MiB file with 10% of requests reset succeeds`, async () => {
      proxy.setFaults(RESETS);
      try {
        const data = await troveAsync(['add', 'data', '--json'], cwd, env);
        expect(data.code, data.stdout + data.stderr).toBe(0);
        expect(data.stderr).toBe('');
        dataRun = JSON.parse(data.stdout).run;
        const large = await troveAsync(['add', 'large.bin', '--json'], cwd, env);
        expect(large.code, large.stdout + large.stderr).toBe(0);
        expect(large.stderr).toBe('');
        largeRun = JSON.parse(large.stdout).run;
      } finally {
        proxy.setFaults({});
      }
      const counts = proxy.counts();
      expect(counts.resetMidRequest).toBeGreaterThan(0);
      expect(counts.resetMidAnswer).toBeGreaterThan(0);
      const verified = await troveAsync(['verify', '--json'], cwd, env);
      expect(verified.code, verified.stdout + verified.stderr).toBe(0);
      expect(JSON.parse(verified.stdout).problems).toEqual([]);
    });

    it(`get of the ${FILES}-file folder and the ${LARGE_MIB} MiB file with 10% of requests reset gives equal bytes`, async () => {
      expect(dataRun).not.toBe('');
      const before = proxy.counts();
      proxy.setFaults(RESETS);
      try {
        const data = await troveAsync(
          ['get', `runs:/${dataRun}/outputs/data`, '-o', join(cwd, 'got/data')],
          cwd,
          env,
        );
        expect(data.code, data.stdout + data.stderr).toBe(0);
        expect(data.stderr).toBe('');
        const large = await troveAsync(
          ['get', `runs:/${largeRun}/outputs/large.bin`, '-o', join(cwd, 'got/large.bin')],
          cwd,
          env,
        );
        expect(large.code, large.stdout + large.stderr).toBe(0);
        expect(large.stderr).toBe('');
      } finally {
        proxy.setFaults({});
      }
      expect(await treeMd5s(join(cwd, 'got/data'))).toEqual(await treeMd5s(join(cwd, 'data')));
      expect(await md5(join(cwd, 'got/large.bin'))).toBe(await md5(join(cwd, 'large.bin')));
      const after = proxy.counts();
      expect(after.resetMidRequest).toBeGreaterThan(before.resetMidRequest);
      expect(after.resetMidBody).toBeGreaterThan(before.resetMidBody);
    });

    it('with every read of an object cut after the store answered, get fails with one UNAVAILABLE (exit 7) and no trace', async () => {
      expect(largeRun).not.toBe('');
      // Cut before the answer or in the middle of its body, every time: the SDK's retries and
      // the resumed body both run out.
      proxy.setFaults({
        resetMidAnswer: 1,
        match: ({ method, url }) =>
          method === 'GET' && decodeURIComponent(url).includes('files/md5/'),
      });
      let r: Awaited<ReturnType<typeof troveAsync>>;
      try {
        r = await troveAsync(
          ['get', `runs:/${largeRun}/outputs/large.bin`, '-o', join(cwd, 'never.bin'), '--json'],
          cwd,
          env,
        );
      } finally {
        proxy.setFaults({});
      }
      expect(r.code, r.stdout + r.stderr).toBe(7);
      expect(JSON.parse(r.stdout || r.stderr).error).toMatchObject({ code: 'UNAVAILABLE' });
      expect(r.stderr).not.toMatch(/unexpected error|\n\s+at /);
      expect(existsSync(join(cwd, 'never.bin'))).toBe(false);
    });
  });
}

/** `FILES` small files of random bytes in a few sub-folders. */
function makeData(root: string): void {
  for (let i = 0; i < FILES; i++) {
    const dir = join(root, `part-${i % 20}`);
    if (i < 20) mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `f${i}.bin`), randomBytes(512 + (i % 7) * 300));
  }
}

/** A file of `LARGE` random bytes, written in 1 MiB pieces. */
function writeLarge(path: string): void {
  writeFileSync(path, '');
  const piece = randomBytes(1024 * 1024);
  for (let i = 0; i < LARGE / piece.length; i++) {
    piece[0] = i & 0xff;
    writeFileSync(path, piece, { flag: 'a' });
  }
}

function md5(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('md5');
    createReadStream(path)
      .on('data', (c) => hash.update(c))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** Relative path → md5 of every file under `root`. */
async function treeMd5s(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[relative(root, path)] = await md5(path);
  }
  return out;
}
