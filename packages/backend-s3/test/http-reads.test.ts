import { NodeHttpHandler } from '@smithy/node-http-handler';
import { collect, readBytes } from '@trove/conformance';
import { startFaultProxy } from '@trove/test-utils/fault-proxy';
import { createBucket } from '@trove/test-utils/moto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { newBackend } from './helpers.js';

/**
 * Reads go out through Node's `http`, signed by the SDK's signer (http.ts), not through
 * `client.send`. The SDK marks its GetObject requests with `?x-id=GetObject`; the direct reads
 * send the bare object path, which is how these tests tell them apart on the fault proxy.
 */
const endpoint = inject('s3Endpoint');

describe('direct reads (moto behind a loopback proxy)', () => {
  let bucket: string;
  let proxy: Awaited<ReturnType<typeof startFaultProxy>>;
  const seen: string[] = [];

  beforeAll(async () => {
    bucket = await createBucket(endpoint, 'direct-reads');
    proxy = await startFaultProxy({
      upstream: endpoint,
      seed: 5,
      match: (request) => {
        if (request.method === 'GET' && !request.url.includes('list-type')) seen.push(request.url);
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

  it('a client with its own requestHandler reads through the SDK', async () => {
    const backend = newBackend(proxy.url, bucket, {
      clientConfig: { requestHandler: new NodeHttpHandler() },
    });
    await backend.write('sdk.txt', 'through the sdk');
    seen.length = 0;
    expect((await readBytes(backend, 'sdk.txt')).toString()).toBe('through the sdk');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toContain('x-id=GetObject');
    await backend.close();
  });
});
