import { join } from 'node:path';
import {
  chunked,
  expectTroveError,
  md5Hex,
  readBytes,
  runUpload,
  writeTestFile,
} from '@trove/conformance';
import { isTroveError, type WriteBody } from '@trove/core/backend';
import { tempDir } from '@trove/test-utils';
import { createGcsBucket, type FakeGcs, startFakeGcs } from '@trove/test-utils/gcs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { childEnv, MIB, newBackend, uploadJob } from './helpers.js';

const endpoint = inject('gcsEndpoint');
const bucket = await createGcsBucket(endpoint, 'gcs');

/** Eight writers race to create one key; returns the indexes of those that won. */
async function race(key: string, body: (i: number) => WriteBody, chunkSize?: number) {
  const writers = Array.from({ length: 8 }, (_, i) => {
    const backend = newBackend(endpoint, bucket, chunkSize ? { chunkSize } : {});
    return backend.write(key, body(i), { ifNoneMatch: '*' }).then(
      () => i,
      (err: unknown) => {
        if (isTroveError(err, 'PRECONDITION_FAILED')) return -1;
        throw err;
      },
    );
  });
  return (await Promise.all(writers)).filter((i) => i >= 0);
}

describe('create-only writes (ifGenerationMatch: 0)', () => {
  it('8 concurrent writers of one key, one request each: exactly one wins, 10 rounds', async () => {
    const backend = newBackend(endpoint, bucket);
    for (let round = 0; round < 10; round++) {
      const key = `race/simple-${round}`;
      const winners = await race(key, (i) => Buffer.from(`writer ${i}`));
      expect(winners).toHaveLength(1);
      expect((await readBytes(backend, key)).toString()).toBe(`writer ${winners[0]}`);
    }
  });

  it('8 concurrent writers of one key through resumable sessions: exactly one wins', async () => {
    const backend = newBackend(endpoint, bucket);
    const bodies = Array.from({ length: 8 }, (_, i) => Buffer.alloc(MIB, i + 1));
    for (let round = 0; round < 3; round++) {
      const key = `race/resumable-${round}`;
      // 1 MiB streams in 256 KiB chunks (a Uint8Array would go in one request).
      const winners = await race(key, (i) => chunked(bodies[i] as Buffer, 64 * 1024), MIB / 4);
      expect(winners).toHaveLength(1);
      expect(md5Hex(await readBytes(backend, key))).toBe(
        md5Hex(bodies[winners[0] as number] as Buffer),
      );
    }
  });
});

describe('md5-checked writes', () => {
  it('a large file whose md5 differs is CORRUPT and never visible under its key', async () => {
    const backend = newBackend(endpoint, bucket, { chunkSize: MIB / 4 });
    const path = join(tempDir(), 'weights.bin');
    const md5 = await writeTestFile(path, 3 * MIB, 5);
    const wrong = `${md5.slice(0, 31)}${md5.at(-1) === '0' ? '1' : '0'}`;
    const key = `files/md5/${wrong.slice(0, 2)}/${wrong.slice(2)}`;
    await expectTroveError(() => backend.write(key, { path }, { md5: wrong }), 'CORRUPT');
    expect(await backend.exists(key)).toBe(false);
    // The same file with its true md5 goes through.
    const stat = await backend.write(key, { path }, { md5 });
    expect(stat.md5).toBe(md5);
  });

  it('a small body whose md5 differs is CORRUPT before any request, and nothing is written', async () => {
    const backend = newBackend(endpoint, bucket);
    const key = 'files/md5/00/small';
    await expectTroveError(() => backend.write(key, 'hello', { md5: '0'.repeat(32) }), 'CORRUPT');
    expect(await backend.exists(key)).toBe(false);
  });

  it('every stored object reports the md5 of its bytes, small and resumable alike', async () => {
    const backend = newBackend(endpoint, bucket, { chunkSize: MIB / 4 });
    const path = join(tempDir(), 'x.bin');
    const md5 = await writeTestFile(path, 2 * MIB + 17, 9);
    expect((await backend.write('md5/large', { path })).md5).toBe(md5);
    expect((await backend.stat('md5/large')).md5).toBe(md5);
    expect((await backend.write('md5/small', 'abc')).md5).toBe(md5Hex(Buffer.from('abc')));
  });
});

describe('signed URLs (V4; fake-gcs-server does not verify signatures, GCS does)', () => {
  it('GET serves the object and PUT stores a body, without credentials', async () => {
    const backend = newBackend(endpoint, bucket);
    await backend.write('signed/get.txt', 'signed content');
    const get = await backend.signedUrl('signed/get.txt', { method: 'GET', expiresIn: 300 });
    expect(get.searchParams.get('X-Goog-Algorithm')).toBe('GOOG4-RSA-SHA256');
    expect(get.searchParams.get('X-Goog-Expires')).toBe('300');
    const response = await fetch(get);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('signed content');

    const put = await backend.signedUrl('signed/put.txt', { method: 'PUT', expiresIn: 60 });
    const stored = await fetch(put, { method: 'PUT', body: 'put through a signed URL' });
    expect(stored.ok).toBe(true);
    expect((await readBytes(backend, 'signed/put.txt')).toString()).toBe(
      'put through a signed URL',
    );
  });

  it('refuses lifetimes GCS does not allow (over 7 days) with INVALID_ARGUMENT', async () => {
    const backend = newBackend(endpoint, bucket);
    await expectTroveError(
      () => backend.signedUrl('signed/x', { method: 'GET', expiresIn: 8 * 24 * 3600 }),
      'INVALID_ARGUMENT',
    );
  });
});

describe('a 200 MiB resumable upload in its own process (fake-gcs-server on disk)', () => {
  let fake: FakeGcs;
  beforeAll(async () => {
    fake = await startFakeGcs({ root: tempDir('trove-fake-gcs-', { until: 'file' }) });
  });
  afterAll(() => fake?.stop());

  it('stores every byte with bounded memory (peak RSS under 200 MiB)', async () => {
    const big = await createGcsBucket(fake.url, 'big');
    const dir = tempDir();
    const path = join(dir, 'checkpoint.bin');
    const size = 200 * MIB;
    const md5 = await writeTestFile(path, size, 11);
    const run = runUpload(
      uploadJob(fake.url, {
        bucket: big,
        key: 'ckpt/checkpoint.bin',
        path,
        options: { resumeDir: join(dir, 'journals') },
        writeOptions: { md5 },
      }),
      childEnv(),
    );
    const result = await run.result;
    expect(result.last?.done, JSON.stringify(result.last) + result.stderr).toBe(true);
    const stat = result.last?.stat as { size?: number; md5?: string } | undefined;
    expect(stat?.size).toBe(size);
    expect(stat?.md5).toBe(md5);
    // Sent in 16 MiB chunks, each once.
    expect(run.pieces.filter((c) => !c.reused)).toHaveLength(Math.ceil(size / (16 * MIB)));
    expect(result.last?.maxRssMiB as number).toBeLessThan(200);
    const backend = newBackend(fake.url, big);
    expect((await backend.stat('ckpt/checkpoint.bin')).md5).toBe(md5);
  });
});
