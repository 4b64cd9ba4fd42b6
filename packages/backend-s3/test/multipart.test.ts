import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import { expectTroveError, md5OfStream, runUpload, writeTestFile } from '@trove/conformance';
import { tempDir } from '@trove/test-utils';
import { createBucket, motoChildEnv } from '@trove/test-utils/moto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MIB, newBackend, openUploads, testClient } from './helpers.js';

/** The bound the issue sets for a large upload, whatever its size. */
const RSS_BOUND_MIB = 200;
const BIG = 200 * MIB;

const endpoint = inject('s3Endpoint');
let bucket: string;
let client: S3Client;
let dir: string;
let bigFile: string;
let bigMd5: string;

beforeAll(async () => {
  bucket = await createBucket(endpoint, 'multipart');
  client = testClient(endpoint);
  dir = tempDir();
  bigFile = join(dir, 'big.bin');
  bigMd5 = await writeTestFile(bigFile, BIG);
});

afterAll(() => client.destroy());

describe('large uploads stream with bounded memory', () => {
  for (const mode of ['file', 'stream'] as const) {
    it(`a 200 MiB ${mode === 'file' ? '{ path }' : 'stream'} body goes multipart with peak RSS under ${RSS_BOUND_MIB} MiB`, async () => {
      const key = `big/${mode}.bin`;
      const run = runUpload(
        {
          module: fileURLToPath(new URL('../dist/index.js', import.meta.url)),
          className: 'S3Backend',
          event: 'onPart',
          options: { bucket, endpoint, resumeDir: tempDir() },
          key,
          path: bigFile,
          mode,
        },
        motoChildEnv(),
      );
      const { code, last, stderr } = await run.result;
      expect(code, stderr).toBe(0);
      const stat = last?.stat as { size: number; md5: string; etag: string };
      expect(stat.size).toBe(BIG);
      expect(stat.md5).toBe(bigMd5);
      expect(stat.etag).toMatch(/-25"$/); // 25 parts of 8 MiB
      expect(run.pieces.map((p) => p.id).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 25 }, (_, i) => i + 1),
      );
      expect(last?.maxRssMiB as number).toBeLessThan(RSS_BOUND_MIB);
      const backend = newBackend(endpoint, bucket);
      const { body } = await backend.read(key);
      expect(await md5OfStream(body)).toBe(bigMd5);
      await backend.close();
    });
  }
});

describe('a failed multipart upload leaves nothing behind', () => {
  it('a wrong md5 on a { path } body is CORRUPT: upload aborted, no object, no resume state', async () => {
    const resumeDir = tempDir();
    const backend = newBackend(endpoint, bucket, { resumeDir, partSize: 5 * MIB });
    const key = 'abort/bad-md5.bin';
    await expectTroveError(
      () => backend.write(key, { path: bigFile }, { md5: '0'.repeat(32) }),
      'CORRUPT',
    );
    expect(await openUploads(client, bucket)).toEqual([]);
    expect(await backend.exists(key)).toBe(false);
    expect(readdirSync(resumeDir).filter((f) => f.endsWith('.json'))).toEqual([]);
    await backend.close();
  });

  it('a stream that throws after 12 MiB aborts the upload', async () => {
    const backend = newBackend(endpoint, bucket, { partSize: 5 * MIB });
    async function* failing(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 12; i++) yield Buffer.alloc(MIB, i);
      throw new Error('source broke');
    }
    await expect(backend.write('abort/stream.bin', failing())).rejects.toThrow();
    expect(await openUploads(client, bucket)).toEqual([]);
    expect(await backend.exists('abort/stream.bin')).toBe(false);
    await backend.close();
  });

  it('ifNoneMatch on an existing key fails before any part is sent', async () => {
    const backend = newBackend(endpoint, bucket);
    const key = 'abort/exists.bin';
    await backend.write(key, 'already here');
    const sent: number[] = [];
    const watching = newBackend(endpoint, bucket, { onPart: (p) => sent.push(p.partNumber) });
    await expectTroveError(
      () => watching.write(key, { path: bigFile }, { ifNoneMatch: '*' }),
      'PRECONDITION_FAILED',
    );
    expect(sent).toEqual([]);
    expect(await openUploads(client, bucket)).toEqual([]);
    const { body } = await backend.read(key);
    expect(Buffer.concat(await body.toArray()).toString()).toBe('already here');
    await Promise.all([backend.close(), watching.close()]);
  });

  it('ifNoneMatch is checked again by CompleteMultipartUpload: a writer that lost the race is aborted', async () => {
    const backend = newBackend(endpoint, bucket, { partSize: 5 * MIB, resume: false });
    const key = 'race/multipart.bin';
    let otherDone: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      otherDone = resolve;
    });
    // The slow writer passes the up-front HeadObject check, sends a part, then waits.
    async function* slow(): AsyncGenerator<Uint8Array> {
      yield Buffer.alloc(6 * MIB, 1);
      await gate;
      yield Buffer.alloc(6 * MIB, 1);
    }
    const slowWrite = backend.write(key, slow(), { ifNoneMatch: '*' });
    await new Promise((r) => setTimeout(r, 300));
    expect(await openUploads(client, bucket)).toHaveLength(1); // the slow writer is under way
    const fast = await backend.write(key, Buffer.alloc(12 * MIB, 2), { ifNoneMatch: '*' });
    otherDone();
    await expectTroveError(() => slowWrite, 'PRECONDITION_FAILED');
    expect((await backend.stat(key)).etag).toBe(fast.etag);
    expect(await openUploads(client, bucket)).toEqual([]);
    await backend.close();
  });
});

describe('multipart details', () => {
  it('ifMatch goes through a multipart upload and replaces the object', async () => {
    const backend = newBackend(endpoint, bucket, { partSize: 5 * MIB });
    const key = 'cond/multipart-match.bin';
    const first = await backend.write(key, 'v1');
    const second = await backend.write(key, Buffer.alloc(12 * MIB, 7), { ifMatch: first.etag });
    expect(second.size).toBe(12 * MIB);
    expect(second.etag).toMatch(/-3"$/);
    expect((await backend.stat(key)).etag).toBe(second.etag);
    await expectTroveError(
      () => backend.write(key, Buffer.alloc(12 * MIB, 8), { ifMatch: first.etag }),
      'PRECONDITION_FAILED',
    );
    await backend.close();
  });

  it('a copy larger than one part and a copy with ifNoneMatch stay server-side and exact', async () => {
    const backend = newBackend(endpoint, bucket);
    const key = 'copy/source.bin';
    await backend.write(key, { path: bigFile });
    const plain = await backend.copy(key, 'copy/plain.bin');
    const guarded = await backend.copy(key, 'copy/guarded.bin', { ifNoneMatch: '*' });
    for (const [stat, k] of [
      [plain, 'copy/plain.bin'],
      [guarded, 'copy/guarded.bin'],
    ] as const) {
      expect(stat.size).toBe(BIG);
      expect((await backend.stat(k)).etag).toBe(stat.etag);
      expect(await md5OfStream((await backend.read(k)).body)).toBe(bigMd5);
    }
    await expectTroveError(
      () => backend.copy(key, 'copy/guarded.bin', { ifNoneMatch: '*' }),
      'PRECONDITION_FAILED',
    );
    expect(await openUploads(client, bucket)).toEqual([]);
    await backend.close();
  });

  for (const checksums of ['when_required', 'when_supported'] as const) {
    it(`a signed PUT URL uploads without credentials (checksums: ${checksums})`, async () => {
      const backend = newBackend(endpoint, bucket, { checksums });
      const key = `signed/put-${checksums}.txt`;
      const url = await backend.signedUrl(key, { method: 'PUT', expiresIn: 60 });
      // A checksum in the URL would be the CRC32 of an empty body: S3 would refuse any upload.
      expect([...url.searchParams.keys()].filter((k) => /checksum/i.test(k))).toEqual([]);
      const response = await fetch(url, { method: 'PUT', body: 'uploaded by URL' });
      expect(response.status).toBe(200);
      const { body } = await backend.read(key);
      expect(Buffer.concat(await body.toArray()).toString()).toBe('uploaded by URL');
      await backend.close();
    });
  }
});
