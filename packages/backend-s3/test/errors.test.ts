import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { CreateBucketCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { expectMissingContainer, expectTroveError, readBytes } from '@trove/conformance';
import { startFaultProxy } from '@trove/test-utils/fault-proxy';
import { createBucket, type MotoServer, motoChildEnv, startMoto } from '@trove/test-utils/moto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { S3Backend } from '../src/index.js';
import { newBackend } from './helpers.js';

const endpoint = inject('s3Endpoint');

describe('a missing bucket', () => {
  it('is NOT_FOUND naming the bucket, for lookups, reads, writes and listings', async () => {
    const backend = newBackend(endpoint, 'no-such-bucket-here');
    await expectMissingContainer(backend, 'no-such-bucket-here');
    await backend.close();
  });
});

describe('credentials (moto with IAM auth on)', () => {
  let moto: MotoServer;
  let key: { id: string; secret: string };
  let bucket: string;

  beforeAll(async () => {
    // moto checks signatures only after this many unauthenticated actions: the 3 IAM calls that
    // create a user and its key, and the CreateBucket below.
    moto = await startMoto({ env: { INITIAL_NO_AUTH_ACTION_COUNT: '4' } });
    const script = fileURLToPath(new URL('./fixtures/iam-user.py', import.meta.url));
    const made = spawnSync('python3', [script, moto.url], {
      encoding: 'utf8',
      env: motoChildEnv(),
    });
    expect(made.status, made.stderr).toBe(0);
    key = JSON.parse(made.stdout) as { id: string; secret: string };
    bucket = 'auth-test';
    const setup = new S3Client({
      endpoint: moto.url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: key.id, secretAccessKey: key.secret },
    });
    await setup.send(new CreateBucketCommand({ Bucket: bucket }));
    setup.destroy();
  });

  afterAll(() => moto?.stop());

  const backendWith = (accessKeyId: string, secretAccessKey: string) =>
    new S3Backend({
      bucket,
      endpoint: moto.url,
      maxAttempts: 1,
      clientConfig: { credentials: { accessKeyId, secretAccessKey } },
    });

  it('good credentials work', async () => {
    const backend = backendWith(key.id, key.secret);
    await backend.write('ok.txt', 'allowed');
    expect((await backend.stat('ok.txt')).size).toBe(7);
    // Reads are signed outside the SDK's stack (http.ts): moto checks that signature too.
    expect((await readBytes(backend, 'ok.txt')).toString()).toBe('allowed');
    await backend.close();
  });

  it('an unknown access key and a wrong secret are PERMISSION_DENIED, with a hint and no secret in sight', async () => {
    const secret = 'wrong-secret-that-must-not-leak';
    for (const backend of [
      backendWith('AKIAUNKNOWNUNKNOWN00', secret),
      backendWith(key.id, secret),
    ]) {
      for (const call of [
        () => backend.write('x.txt', 'x'),
        () => backend.stat('ok.txt'),
        () => backend.exists('ok.txt'),
        () => backend.read('ok.txt'),
      ]) {
        const err = await expectTroveError(call, 'PERMISSION_DENIED');
        expect(err.hint).toMatch(/credentials/);
        expect(err.retryable).toBe(false);
        const shown = `${err.message} ${err.hint} ${JSON.stringify(err.cause)}`;
        expect(shown).not.toContain(secret);
        expect(shown).not.toContain(key.secret);
      }
      await backend.close();
    }
  });
});

describe('checksums option', () => {
  let bucket: string;
  beforeAll(async () => {
    bucket = await createBucket(endpoint, 'checksums');
  });

  /** The x-amz-checksum-* and content-encoding headers of every PutObject/UploadPart sent. */
  function spy(backend: S3Backend): string[] {
    const seen: string[] = [];
    backend.client.middlewareStack.add(
      (next, context) => async (args) => {
        const { headers } = args.request as { headers: Record<string, string> };
        if (
          context.commandName === 'PutObjectCommand' ||
          context.commandName === 'UploadPartCommand'
        ) {
          seen.push(
            Object.keys(headers)
              .filter((h) => h.startsWith('x-amz-checksum-') || h === 'content-encoding')
              .sort()
              .join(',') || 'none',
          );
        }
        return next(args);
      },
      { step: 'finalizeRequest', name: 'troveChecksumSpy' },
    );
    return seen;
  }

  it('with an endpoint the default is when_required: no CRC headers, no aws-chunked body', async () => {
    const backend = newBackend(endpoint, bucket);
    expect(backend.options.checksums).toBe('when_required');
    const seen = spy(backend);
    await backend.write('a.txt', 'plain');
    await backend.write('b.bin', Buffer.alloc(9 * 1024 * 1024, 1));
    expect(seen.length).toBeGreaterThan(1);
    expect(new Set(seen)).toEqual(new Set(['none']));
    await backend.close();
  });

  it("when_supported adds the SDK's CRC32 headers, and moto stores the checksum", async () => {
    // A PutObject goes out through Node's http (http.ts), past the SDK's middleware: its headers
    // are seen on a proxy.
    const puts: Array<Record<string, unknown>> = [];
    const proxy = await startFaultProxy({
      upstream: endpoint,
      seed: 3,
      match: ({ method, url, headers }) => {
        if (method === 'PUT') puts.push({ url, ...headers });
        return false;
      },
    });
    try {
      const backend = newBackend(proxy.url, bucket, { checksums: 'when_supported' });
      const seen = spy(backend);
      await backend.write('c.txt', 'checked');
      expect(seen).toEqual([]);
      expect(puts).toHaveLength(1);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(Buffer.from('checked')));
      expect(puts[0]).toMatchObject({
        'x-amz-sdk-checksum-algorithm': 'CRC32',
        'x-amz-checksum-crc32': crc.toString('base64'),
        'content-type': 'application/octet-stream',
      });
      expect(puts[0]?.url).not.toContain('x-id=PutObject');
      const head = await backend.client.send(
        new HeadObjectCommand({ Bucket: bucket, Key: 'c.txt', ChecksumMode: 'ENABLED' }),
      );
      expect(head.ChecksumCRC32).toBe(crc.toString('base64'));
      expect(head.ContentLength).toBe(7);
      await backend.close();
    } finally {
      await proxy.stop();
    }
  });

  it('when_supported multipart uploads declare CRC32 and complete with every part checksum', async () => {
    const backend = newBackend(endpoint, bucket, {
      checksums: 'when_supported',
      partSize: 5 * 1024 * 1024,
    });
    const seen = spy(backend);
    const stat = await backend.write('d.bin', Buffer.alloc(12 * 1024 * 1024, 3));
    expect(stat.etag).toMatch(/-3"$/);
    expect(seen).toHaveLength(3);
    for (const headers of seen) expect(headers).toContain('x-amz-checksum-crc32');
    const head = await backend.client.send(
      new HeadObjectCommand({ Bucket: bucket, Key: 'd.bin', ChecksumMode: 'ENABLED' }),
    );
    // Composite: the CRC32 of the parts' CRC32s (S3 appends "-3"; moto does not).
    const partCrcs = [5, 5, 2].map((mib) => {
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(Buffer.alloc(mib * 1024 * 1024, 3)));
      return crc;
    });
    const composite = Buffer.alloc(4);
    composite.writeUInt32BE(crc32(Buffer.concat(partCrcs)));
    expect(head.ChecksumCRC32?.replace(/-3$/, '')).toBe(composite.toString('base64'));
    await backend.close();
  });

  it('an invalid option value is INVALID_CONFIG', async () => {
    await expectTroveError(
      () => new S3Backend({ bucket, checksums: 'never' as 'when_required' }),
      'INVALID_CONFIG',
    );
    await expectTroveError(() => new S3Backend({ bucket, partSize: 1024 }), 'INVALID_CONFIG');
  });

  // Issue 18: these reached the SDK, whose first request failed as INTERNAL (ERR_INVALID_URL,
  // EndpointError `localhost://9000`).
  it('an endpoint that is not an http(s) URL is INVALID_CONFIG before any request', async () => {
    for (const endpoint of ['not a url', 'localhost:9000', 'ftp://127.0.0.1:9000', 'http://']) {
      const err = await expectTroveError(
        () => new S3Backend({ bucket, endpoint }),
        'INVALID_CONFIG',
      );
      expect(err.message, endpoint).toContain('"endpoint"');
    }
  });
});
