import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectMissingContainer, expectTroveError } from '@trove/conformance';
import { freePort, tempDir } from '@trove/test-utils';
import { createGcsBucket } from '@trove/test-utils/gcs';
import { describe, expect, inject, it } from 'vitest';
import { GcsBackend } from '../src/index.js';
import { FAKE_SERVICE_ACCOUNT, newBackend } from './helpers.js';

const endpoint = inject('gcsEndpoint');
const bucket = await createGcsBucket(endpoint, 'errors');

const listAll = async (backend: GcsBackend) => {
  for await (const _ of backend.list('a/')) {
    // the first page fails
  }
};

describe('a missing bucket', () => {
  it('is NOT_FOUND naming the bucket, for lookups, reads, writes and listings', async () => {
    const backend = newBackend(endpoint, 'no-such-bucket-here');
    await expectMissingContainer(backend, 'no-such-bucket-here');
  });
});

describe('a refused endpoint', () => {
  it('is UNAVAILABLE and retryable, for every kind of request', async () => {
    const port = await freePort();
    const backend = newBackend(`http://127.0.0.1:${port}`, bucket, { maxAttempts: 1 });
    const calls: [string, () => Promise<unknown>][] = [
      ['stat', () => backend.stat('a/b')],
      ['read', () => backend.read('a/b')],
      ['write', () => backend.write('a/b', 'x')],
      ['list', () => listAll(backend)],
      ['delete', () => backend.delete('a/b')],
    ];
    for (const [name, call] of calls) {
      const err = await expectTroveError(call, 'UNAVAILABLE');
      expect(err.retryable, name).toBe(true);
      expect(err.hint, name).toContain('apiEndpoint');
    }
  });
});

describe('credentials', () => {
  /** A backend that authenticates with `keyFilename`, even against the emulator. */
  const withKeyFile = (keyFilename: string) =>
    new GcsBackend({
      bucket,
      apiEndpoint: endpoint,
      projectId: 'test',
      keyFilename,
      maxAttempts: 1,
    });

  it('a key file that cannot sign is PERMISSION_DENIED naming the file, and nothing is written', async () => {
    const dir = tempDir();
    const keyFilename = join(dir, 'key.json');
    const port = await freePort();
    writeFileSync(
      keyFilename,
      JSON.stringify({
        type: 'service_account',
        project_id: 'test',
        client_email: FAKE_SERVICE_ACCOUNT.client_email,
        private_key: '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n',
        // Never reached (signing fails first); loopback all the same.
        token_uri: `http://127.0.0.1:${port}/token`,
      }),
    );
    const backend = withKeyFile(keyFilename);
    for (const call of [() => backend.write('cred/a', 'x'), () => backend.stat('cred/a')]) {
      const err = await expectTroveError(call, 'PERMISSION_DENIED');
      expect(err.hint).toContain(keyFilename);
      expect(JSON.stringify(err)).not.toContain('bm90IGEga2V5');
    }
    expect(await newBackend(endpoint, bucket).exists('cred/a')).toBe(false);
  });

  it('a missing key file is INVALID_CONFIG naming it', async () => {
    const keyFilename = join(tempDir(), 'absent.json');
    const backend = withKeyFile(keyFilename);
    const err = await expectTroveError(() => backend.write('cred/b', 'x'), 'INVALID_CONFIG');
    expect(err.message).toContain(keyFilename);
  });
});

describe('options', () => {
  it('are checked before any request: bucket, numbers, apiEndpoint', () => {
    expect(() => new GcsBackend({ bucket: '' })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
    expect(() => new GcsBackend({ bucket: 'b', chunkSize: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
    expect(() => new GcsBackend({ bucket: 'b', apiEndpoint: 'localhost:4443' })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
  });

  it('a chunk size is rounded up to a multiple of 256 KiB', () => {
    const backend = new GcsBackend({ bucket: 'b', apiEndpoint: endpoint, chunkSize: 1_000_000 });
    expect(backend.options.chunkSize).toBe(4 * 256 * 1024);
  });
});
