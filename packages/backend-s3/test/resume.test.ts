import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ListMultipartUploadsCommand, ListPartsCommand, type S3Client } from '@aws-sdk/client-s3';
import { expectTroveError } from '@trove/conformance';
import { tempDir } from '@trove/test-utils';
import { createBucket, startMoto } from '@trove/test-utils/moto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { md5OfStream, runUpload, writeTestFile } from './child.js';
import { MIB, newBackend, openUploads, testClient } from './helpers.js';

const SIZE = 200 * MIB;
const PART = 5 * MIB;
const PARTS = SIZE / PART;

const endpoint = inject('s3Endpoint');
let bucket: string;
let client: S3Client;
let file: string;
let fileMd5: string;

beforeAll(async () => {
  bucket = await createBucket(endpoint, 'resume');
  client = testClient(endpoint);
  file = join(tempDir(), 'big.bin');
  fileMd5 = await writeTestFile(file, SIZE, 7);
});

afterAll(() => client.destroy());

/** Parts on the server for the (single) open upload of `key`, polled until there are `atLeast`. */
async function waitForParts(
  key: string,
  atLeast: number,
): Promise<{ uploadId: string; parts: Map<number, string> }> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const uploads = await client.send(
      new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }),
    );
    const uploadId = uploads.Uploads?.[0]?.UploadId;
    if (uploadId) {
      const out = await client.send(
        new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId }),
      );
      const parts = new Map(
        (out.Parts ?? []).map((p) => [p.PartNumber as number, p.ETag as string]),
      );
      if (parts.size >= atLeast) return { uploadId, parts };
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no upload of ${key} reached ${atLeast} parts`);
}

describe('resumable uploads', () => {
  it('an upload killed halfway continues from the parts on the server when started again', async () => {
    const key = 'resume/killed.bin';
    const resumeDir = tempDir();
    // One part at a time, so the kill lands with the upload clearly unfinished.
    const job = {
      endpoint,
      bucket,
      key,
      path: file,
      options: { partSize: PART, concurrency: 1, resumeDir },
    };
    const first = runUpload(job);
    const before = await waitForParts(key, 6);
    first.child.kill('SIGKILL');
    await first.result;
    const { parts: onServer } = await waitForParts(key, before.parts.size);
    expect(onServer.size).toBeLessThan(PARTS);
    expect(readdirSync(resumeDir).filter((f) => f.endsWith('.json'))).toHaveLength(1);

    const second = runUpload({ ...job, options: { ...job.options, concurrency: 4 } });
    const { code, last, stderr } = await second.result;
    expect(code, stderr).toBe(0);
    expect(last?.stat).toMatchObject({ md5: fileMd5 });
    // Every part the server had was reused, none of them sent again; the rest were sent once.
    const reused = second.parts.filter((p) => p.reused).map((p) => p.partNumber);
    const sent = second.parts.filter((p) => !p.reused).map((p) => p.partNumber);
    expect(second.parts.every((p) => p.uploadId === before.uploadId)).toBe(true);
    expect(new Set(reused)).toEqual(new Set(onServer.keys()));
    expect(sent.filter((n) => onServer.has(n))).toEqual([]);
    expect([...reused, ...sent].sort((a, b) => a - b)).toEqual(
      Array.from({ length: PARTS }, (_, i) => i + 1),
    );

    expect(await openUploads(client, bucket)).toEqual([]);
    expect(readdirSync(resumeDir).filter((f) => f.endsWith('.json'))).toEqual([]);
    const backend = newBackend(endpoint, bucket);
    expect(await md5OfStream((await backend.read(key)).body)).toBe(fileMd5);
    await backend.close();
  });

  it('a lost connection keeps the upload and its state for the next attempt', async () => {
    const moto = await startMoto();
    try {
      const ownBucket = await createBucket(moto.url, 'dropped');
      const resumeDir = tempDir();
      let stopping: Promise<void> | undefined;
      const backendWithKill = newBackend(moto.url, ownBucket, {
        partSize: PART,
        concurrency: 1,
        maxAttempts: 2,
        resumeDir,
        onPart: (p) => {
          if (p.partNumber === 3) stopping ??= moto.stop();
        },
      });
      const err = await expectTroveError(
        () => backendWithKill.write('k.bin', { path: file }),
        'UNAVAILABLE',
      );
      expect(err.retryable).toBe(true);
      await stopping;
      expect(readdirSync(resumeDir).filter((f) => f.endsWith('.json'))).toHaveLength(1);
      await backendWithKill.close();
    } finally {
      await moto.stop();
    }
  });

  it('a file changed since the interrupted upload starts over and aborts the old upload', async () => {
    const key = 'resume/changed.bin';
    const resumeDir = tempDir();
    const path = join(tempDir(), 'changing.bin');
    await writeTestFile(path, 30 * MIB, 1);
    const job = {
      endpoint,
      bucket,
      key,
      path,
      options: { partSize: PART, concurrency: 1, resumeDir },
    };
    const first = runUpload(job);
    const before = await waitForParts(key, 2);
    first.child.kill('SIGKILL');
    await first.result;
    const newMd5 = await writeTestFile(path, 30 * MIB, 2);
    const events: { uploadId: string; reused: boolean }[] = [];
    const backend = newBackend(endpoint, bucket, {
      partSize: PART,
      resumeDir,
      onPart: (p) => events.push(p),
    });
    const stat = await backend.write(key, { path });
    expect(stat.md5).toBe(newMd5);
    expect(events.some((e) => e.reused || e.uploadId === before.uploadId)).toBe(false);
    expect(await openUploads(client, bucket)).toEqual([]);
    await backend.close();
  });
});
