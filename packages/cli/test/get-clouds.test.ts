import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@trove/test-utils';
import { startFaultProxy } from '@trove/test-utils/fault-proxy';
import { describe, expect, it } from 'vitest';
import { type CloudEmulators, proxiedClouds, useCloudEmulators } from './cloud-emulators.js';
import { troveAsync } from './helpers.js';

let emulators: CloudEmulators;
useCloudEmulators((e) => {
  emulators = e;
});

const MIB = 1024 * 1024;

/** Every file under `dir`, relative, with its bytes. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of readdirSync(dir, { recursive: true }) as string[]) {
    try {
      out[rel] = readFileSync(join(dir, rel), 'base64');
    } catch {
      // a folder
    }
  }
  return out;
}

describe('trove get from each cloud, through a counting proxy, with a read-through cache', () => {
  for (const cloud of proxiedClouds(() => emulators)) {
    it(`${cloud.name}: a 20 MiB file in 8 MiB ranges and a folder, bytes right; the second get makes 0 requests`, async () => {
      const proxy = await startFaultProxy({ upstream: cloud.upstream(), seed: 21 });
      const seen: Array<{ method: string; url: string }> = [];
      proxy.setFaults({
        match: (r) => {
          seen.push(r);
          return false; // counted, never faulted
        },
      });
      try {
        const cwd = tempDir('trove-get-clouds-');
        const cacheDir = tempDir('trove-get-clouds-cache-');
        const env = cloud.env(proxy.url);
        const run = (args: string[]) => troveAsync(args, cwd, env);
        expect((await run(['init'])).code).toBe(0);
        writeFileSync(
          join(cwd, 'trove.yaml'),
          `store: team\nstores:\n  team: ${(await cloud.store(proxy.url)).replace(/ }$/, `, cache: { path: "${cacheDir}", size: 1GB } }`)}\n`,
        );
        writeFileSync(join(cwd, 'model.bin'), randomBytes(20 * MIB + 123));
        mkdirSync(join(cwd, 'data/sub'), { recursive: true });
        for (let i = 0; i < 40; i++)
          writeFileSync(join(cwd, 'data', i % 2 ? 'sub' : '', `f${i}`), randomBytes(100 + i));
        const md5Of = async (path: string) => {
          const r = await run(['add', path, '--json']);
          expect(r.code, r.stderr).toBe(0);
          return (JSON.parse(r.stdout) as { artifact: { md5: string } }).artifact.md5;
        };
        const file = await md5Of('model.bin');
        const dir = await md5Of('data');

        // The first get of the file reads it in three ranges (8 + 8 + 4 MiB) of its object.
        seen.length = 0;
        const first = await run(['get', file, '-o', 'first.bin']);
        expect(first.code, first.stderr).toBe(0);
        // A read of the object's bytes: a GET of its key (on GCS's JSON API, with alt=media; a
        // GET without it reads the metadata).
        const objectReads = seen.filter(
          (r) =>
            r.method === 'GET' &&
            r.url.includes(file.slice(2)) &&
            (!r.url.includes('/storage/v1/') || r.url.includes('alt=media')),
        );
        expect(objectReads).toHaveLength(3);
        // Buffers compared with equals(): toEqual walks 20 MiB byte by byte (and ran out of heap).
        const model = readFileSync(join(cwd, 'model.bin'));
        expect(readFileSync(join(cwd, 'first.bin')).equals(model)).toBe(true);
        const firstDir = await run(['get', dir, '-o', 'first-data']);
        expect(firstDir.code, firstDir.stderr).toBe(0);
        expect(tree(join(cwd, 'first-data'))).toEqual(tree(join(cwd, 'data')));

        // Again, from the cache: not one request, the same bytes.
        const before = proxy.counts().requests;
        const second = await run(['get', file, '-o', 'second.bin']);
        expect(second.code, second.stderr).toBe(0);
        const secondDir = await run(['get', dir, '-o', 'second-data']);
        expect(secondDir.code, secondDir.stderr).toBe(0);
        expect(proxy.counts().requests - before).toBe(0);
        expect(readFileSync(join(cwd, 'second.bin')).equals(model)).toBe(true);
        expect(tree(join(cwd, 'second-data'))).toEqual(tree(join(cwd, 'data')));
        // The cache holds the file, the manifest and the folder's 40 files, and no temp file.
        const cached = readdirSync(join(cacheDir, 'files/md5'), { recursive: true }) as string[];
        expect(cached.filter((p) => p.includes('/')).length).toBe(42);
        expect(readdirSync(join(cacheDir, 'tmp'))).toEqual([]);
      } finally {
        await proxy.stop();
      }
    });
  }
});
