import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
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

/** A bucket on moto behind a counting proxy, a cache folder and a new project. */
async function cacheProject(bucketName: string, seed: number) {
  const bucket = await createBucket(moto.url, bucketName);
  const proxy = await startFaultProxy({ upstream: moto.url, seed });
  const cacheDir = tempDir('trove-cache-dir-');
  const cwd = tempDir('trove-cache-');
  expect(trove(['init'], { cwd }).code).toBe(0);
  return { bucket, proxy, cacheDir, cwd };
}

describe('the read-through cache of a remote store', () => {
  it('S3 (moto, requests counted by a proxy): a second get makes no request; bad settings are one error', async () => {
    const { bucket, proxy, cacheDir, cwd } = await cacheProject('cache', 21);
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

      // The last: a cache in the embedded store's folder, whose files eviction would remove.
      for (const bad of [
        'cache: 5',
        'cache: { size: lots }',
        'cache: { where: x }',
        'cache: { path: .trove/objects }',
      ]) {
        writeFileSync(join(cwd, 'trove.yaml'), store(`, ${bad}`));
        const r = await run(['ls', '--json']);
        expect(r.code, bad).toBe(5);
        expect(JSON.parse(r.stdout).error.code).toBe('INVALID_CONFIG');
      }
    } finally {
      await proxy.stop();
    }
  });

  it('trove cache shows, prunes (least recently used first) and clears the cache on this machine, with no request', async () => {
    const { bucket, proxy, cacheDir: shared, cwd } = await cacheProject('cache-prune', 22);
    const s3 = `type: s3, bucket: ${bucket}, endpoint: "${proxy.url}", forcePathStyle: true`;
    writeFileSync(
      join(cwd, 'trove.yaml'),
      `store: team\nstores:\n  team: { ${s3}, prefix: a, cache: { path: "${shared}", size: 1GB } }\n  mirror: { ${s3}, prefix: b, cache: { path: "${shared}", size: 50MB } }\n  plain: { ${s3}, prefix: c }\n`,
    );
    const run = (args: string[]) => troveAsync(args, cwd, MOTO_ENV);
    const json = async (args: string[]) => {
      const r = await run([...args, '--json']);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout);
    };
    try {
      writeFileSync(join(cwd, 'old.bin'), randomBytes(1024 * 1024));
      writeFileSync(join(cwd, 'new.bin'), randomBytes(2 * 1024 * 1024));
      const oldMd5 = (await json(['add', 'old.bin'])).artifact.md5 as string;
      const newMd5 = (await json(['add', 'new.bin'])).artifact.md5 as string;
      // Filled in this order: old.bin is the least recently used.
      for (const md5 of [oldMd5, newMd5]) {
        expect((await run(['get', md5, '-o', `got-${md5}`])).code).toBe(0);
      }
      // A temp file of a process that died two hours ago, and one of a fill in flight.
      mkdirSync(join(shared, 'tmp'), { recursive: true });
      writeFileSync(join(shared, 'tmp', 'dead.0.1'), 'x');
      const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
      utimesSync(join(shared, 'tmp', 'dead.0.1'), twoHoursAgo, twoHoursAgo);
      writeFileSync(join(shared, 'tmp', 'live.0.2'), 'y');
      const cachedPath = (md5: string) => join(shared, 'files/md5', md5.slice(0, 2), md5.slice(2));

      const before = proxy.counts().requests;
      // One folder for both stores (the least limit); the store without a cache is not listed.
      const folder = { dir: shared, size: 50_000_000, stores: ['team', 'mirror'] };
      expect(await json(['cache'])).toEqual([
        {
          ...folder,
          objects: 2,
          bytes: 3 * 1024 * 1024,
          temps: 2,
        },
      ]);
      const table = await run(['cache', 'status']);
      expect(table.stdout).toMatch(/^FOLDER\s+STORES\s+OBJECTS\s+SIZE\s+LIMIT\s+TEMP FILES\n/);
      expect(table.stdout).toContain(`${shared}  team mirror  2        3.0 MiB  48 MiB  2`);

      // A dry run says what would go and removes nothing.
      const dry = await json(['cache', 'prune', '--to', '2.5MiB', '--dry-run']);
      expect(dry).toEqual([
        {
          ...folder,
          objects: 1,
          bytes: 2 * 1024 * 1024,
          removed: 1,
          freed: 1024 * 1024,
          staleTemps: 1,
          dryRun: true,
        },
      ]);
      expect(existsSync(cachedPath(oldMd5))).toBe(true);
      expect(existsSync(join(shared, 'tmp', 'dead.0.1'))).toBe(true);

      const bad = await run(['cache', 'prune', '--to', 'lots']);
      expect(bad.code).toBe(4);
      expect(bad.stderr).toBe(
        'trove: error [INVALID_ARGUMENT]: "lots" is not a size.\n  hint: Give bytes or a number with a unit: 0, 500MB, 10GB, 2GiB.\n',
      );
      const unknown = await run(['cache', 'clear', '--store', 'nope', '--json']);
      expect(unknown.code).toBe(5);
      expect(JSON.parse(unknown.stdout).error.code).toBe('UNKNOWN_STORE');
      expect(existsSync(cachedPath(oldMd5))).toBe(true);

      const pruned = await run(['cache', 'prune', '--to', '2.5MiB']);
      expect(pruned.code, pruned.stderr).toBe(0);
      expect(pruned.stdout).toBe(
        `${shared}: removed 1 object(s), 1.0 MiB and 1 temp file(s) left by a process that died; kept 1, 2.0 MiB (limit 48 MiB)\n`,
      );
      expect(existsSync(cachedPath(oldMd5))).toBe(false);
      expect(existsSync(cachedPath(newMd5))).toBe(true);
      expect(readdirSync(join(shared, 'tmp'))).toEqual(['live.0.2']);
      expect(proxy.counts().requests - before).toBe(0);

      // The pruned object comes from the store again (and is cached again); the kept one does not.
      let at = proxy.counts().requests;
      expect((await run(['get', newMd5, '-o', 'again-new.bin'])).code).toBe(0);
      expect(proxy.counts().requests - at).toBe(0);
      at = proxy.counts().requests;
      const again = await run(['get', oldMd5, '-o', 'again-old.bin']);
      expect(again.code, again.stderr).toBe(0);
      expect(proxy.counts().requests - at).toBeGreaterThan(0);
      expect(readFileSync(join(cwd, 'again-old.bin'))).toEqual(readFileSync(join(cwd, 'old.bin')));
      expect(existsSync(cachedPath(oldMd5))).toBe(true);

      at = proxy.counts().requests;
      const cleared = await json(['cache', 'clear', '--store', 'mirror']);
      expect(cleared).toMatchObject([
        { stores: ['mirror'], objects: 0, bytes: 0, removed: 2, freed: 3 * 1024 * 1024 },
      ]);
      expect((await json(['cache']))[0]).toMatchObject({ objects: 0, bytes: 0, temps: 1 });
      expect(proxy.counts().requests - at).toBe(0);
      // The user's own files are not the cache's.
      expect(readFileSync(join(cwd, `got-${oldMd5}`))).toEqual(readFileSync(join(cwd, 'old.bin')));
    } finally {
      await proxy.stop();
    }
  });
});
