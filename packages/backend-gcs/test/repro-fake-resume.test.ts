import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runUpload, storedMd5, writeTestFile } from '@trove/conformance';
import { createGcsBucket } from '@trove/test-utils/gcs';
import { expect, inject, it } from 'vitest';
import { childEnv, MIB, newBackend, uploadJob } from './helpers.js';

const endpoint = inject('gcsEndpoint');

it('repro: re-run after kill on fake-gcs-server', async () => {
  const bucket = await createGcsBucket(endpoint, 'repro');
  const results = [];
  for (let trial = 0; trial < 4; trial++) {
    const dir = mkdtempSync(join(tmpdir(), 'trove-repro-'));
    const path = join(dir, 'model.bin');
    const md5 = await writeTestFile(path, 8 * MIB, trial + 1);
    const resumeDir = join(dir, 'journals');
    const key = `repro/k-${trial}.bin`;
    const base = uploadJob(endpoint, { bucket, key, path, options: { chunkSize: MIB, resumeDir } });
    const first = runUpload({ ...base, killAfterSent: 3 }, childEnv());
    const killed = await first.result;
    const second = runUpload({ ...base, writeOptions: { md5, ifNoneMatch: '*' } }, childEnv());
    const done = await second.result;
    const backend = newBackend(endpoint, bucket);
    const { createHash } = await import("node:crypto"); const { readFileSync } = await import("node:fs"); const buf = readFileSync(path); const prefixes = [2,3,4,5].map((n) => [n, createHash("md5").update(buf.subarray(0, n * MIB)).digest("hex")]);
    results.push({ prefixes, sent: first.pieces.length, killed: killed.signal, code: done.code, last: done.last, stderr: done.stderr.slice(0, 600), pieces: second.pieces.length, stored: await storedMd5(backend, key), md5 });
  }
  console.log(JSON.stringify(results, null, 1));
  expect(results.length).toBe(4);
});
