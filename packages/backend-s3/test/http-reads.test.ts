import { createHash } from 'node:crypto';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { collect, readBytes } from '@trove/conformance';
import { startFaultProxy } from '@trove/test-utils/fault-proxy';
import { createBucket } from '@trove/test-utils/moto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { newBackend } from './helpers.js';

/**
 * Reads and single-request writes go out through Node's `http`, signed by the SDK's signer
 * (http.ts), not through `client.send`. The SDK marks its requests with `?x-id=GetObject` and
 * `?x-id=PutObject`; the direct ones send the bare object path, which is how these tests tell
 * them apart on the fault proxy.
 */
const endpoint = inject('s3Endpoint');

describe('direct reads and writes (moto behind a loopback proxy)', () => {
  let bucket: string;
  let proxy: Awaited<ReturnType<typeof startFaultProxy>>;
  const seen: string[] = [];
  const puts: string[] = [];

  beforeAll(async () => {
    bucket = await createBucket(endpoint, 'direct-reads');
    proxy = await startFaultProxy({
      upstream: endpoint,
      seed: 5,
      match: (request) => {
        if (request.method === 'GET' && !request.url.includes('list-type')) seen.push(request.url);
        if (request.method === 'PUT') puts.push(request.url);
        return true;
      },
    });
  });
  afterAll(() => proxy.stop());

  const KEYS = ["a b/ü!(x)*'.bin", 'plain/key.txt', 'semi;colon/+plus=&amp%25.bin'];

  it('read every byte, a range and the stat of keys with reserved characters, without the SDK', async () => {
    const backend = newBackend(proxy.url, bucket);
    for (const [i, key] of KEYS.entries()) {
      const bytes = Buffer.from(`${i} ${key} `.repeat(100));
      await backend.write(key, bytes);
      seen.length = 0;
      expect(await readBytes(backend, key)).toEqual(bytes);
      const part = await backend.read(key, { range: { start: 10, end: 60 } });
      expect(await collect(part.body)).toEqual(bytes.subarray(10, 60));
      const stat = await backend.stat(key);
      expect(part.stat).toMatchObject({ key, size: bytes.length, etag: stat.etag });
      expect(part.stat.lastModified.getTime()).toBe(stat.lastModified.getTime());
      expect(seen).toHaveLength(2);
      expect(seen.every((url) => !url.includes('x-id=GetObject'))).toBe(true);
    }
    await backend.close();
  });

  it('a range past the end reads nothing and gives the whole stat; a missing key is NOT_FOUND', async () => {
    const backend = newBackend(proxy.url, bucket);
    await backend.write('short.txt', 'twelve bytes');
    const past = await backend.read('short.txt', { range: { start: 12 } });
    expect(past.stat.size).toBe(12);
    expect(await collect(past.body)).toEqual(Buffer.alloc(0));
    await expect(backend.read('no/such/key')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await backend.close();
  });

  it('retries a 503 and a reset answer, and returns the bytes', async () => {
    const backend = newBackend(proxy.url, bucket, { maxAttempts: 8 });
    const bytes = Buffer.from('retried '.repeat(500));
    await backend.write('retry.bin', bytes);
    const before = proxy.counts();
    proxy.setFaults({
      status503: 0.3,
      resetMidAnswer: 0.2,
      match: (request) => request.method === 'GET',
    });
    try {
      for (let i = 0; i < 10; i++) expect(await readBytes(backend, 'retry.bin')).toEqual(bytes);
    } finally {
      proxy.setFaults({});
    }
    const after = proxy.counts();
    expect(after.status503 - before.status503).toBeGreaterThan(0);
    expect(after.resetMidAnswer - before.resetMidAnswer).toBeGreaterThan(0);
    await backend.close();
  });

  it('a read whose credentials fail is that read only: the next one reads directly', async () => {
    let calls = 0;
    const backend = newBackend(proxy.url, bucket, {
      clientConfig: {
        credentials: async () => {
          calls++;
          if (calls === 1)
            throw Object.assign(new Error('not yet'), { name: 'CredentialsProviderError' });
          return { accessKeyId: 'test', secretAccessKey: 'test' };
        },
      },
    });
    await expect(readBytes(backend, 'plain/key.txt')).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
    });
    seen.length = 0;
    expect((await readBytes(backend, 'plain/key.txt')).toString()).toMatch(/^1 plain\/key\.txt /);
    expect(seen).toHaveLength(1);
    expect(seen[0]).not.toContain('x-id=GetObject');
    await backend.close();
  });

  it('writes keys with reserved characters without the SDK; create-only and if-match hold', async () => {
    const backend = newBackend(proxy.url, bucket);
    for (const [i, key] of KEYS.entries()) {
      const bytes = Buffer.from(`written ${i} ${key} `.repeat(50));
      puts.length = 0;
      const stat = await backend.write(`w/${key}`, bytes, { ifNoneMatch: '*' });
      expect(puts).toHaveLength(1);
      expect(puts[0]).not.toContain('x-id=PutObject');
      expect(stat.etag).toBe((await backend.stat(`w/${key}`)).etag);
      expect(stat.md5).toBe(createHash('md5').update(bytes).digest('hex'));
      expect(await readBytes(backend, `w/${key}`)).toEqual(bytes);
      await expect(
        backend.write(`w/${key}`, 'another body', { ifNoneMatch: '*' }),
      ).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
      await expect(
        backend.write(`w/${key}`, 'another body', { ifMatch: '"0123456789abcdef"' }),
      ).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
      expect(await readBytes(backend, `w/${key}`)).toEqual(bytes);
      const replaced = await backend.write(`w/${key}`, 'replaced', { ifMatch: stat.etag });
      expect((await readBytes(backend, `w/${key}`)).toString()).toBe('replaced');
      expect(replaced.etag).not.toBe(stat.etag);
    }
    await backend.close();
  });

  it('retries a write answered 503 or reset, and the object is written once, whole', async () => {
    const backend = newBackend(proxy.url, bucket, { maxAttempts: 8 });
    const before = proxy.counts();
    proxy.setFaults({ status503: 0.3, resetMidAnswer: 0.2, match: (r) => r.method === 'PUT' });
    const written: Buffer[] = [];
    try {
      for (let i = 0; i < 10; i++) {
        const bytes = Buffer.from(`retried write ${i} `.repeat(300));
        await backend.write(`retry-w/${i}`, bytes);
        written.push(bytes);
      }
    } finally {
      proxy.setFaults({});
    }
    const after = proxy.counts();
    expect(
      after.status503 - before.status503 + after.resetMidAnswer - before.resetMidAnswer,
    ).toBeGreaterThan(0);
    for (const [i, bytes] of written.entries())
      expect(await readBytes(backend, `retry-w/${i}`)).toEqual(bytes);
    await backend.close();
  });

  it('a client with its own requestHandler reads and writes through the SDK', async () => {
    const backend = newBackend(proxy.url, bucket, {
      clientConfig: { requestHandler: new NodeHttpHandler() },
    });
    puts.length = 0;
    await backend.write('sdk.txt', 'through the sdk');
    expect(puts).toHaveLength(1);
    expect(puts[0]).toContain('x-id=PutObject');
    seen.length = 0;
    expect((await readBytes(backend, 'sdk.txt')).toString()).toBe('through the sdk');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toContain('x-id=GetObject');
    await backend.close();
  });
});
