import { type ContainerClient, ContainerSASPermissions } from '@azure/storage-blob';
import { expectMissingContainer, expectTroveError } from '@trove/conformance';
import { freePort } from '@trove/test-utils';
import { azuriteConnectionString, createContainer } from '@trove/test-utils/azurite';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { AzureBackend } from '../src/index.js';
import { MIB, newBackend, testContainer } from './helpers.js';

const connectionString = inject('azureConnectionString');
const endpoint = inject('azureBlobEndpoint');
let container: string;
let client: ContainerClient;

beforeAll(async () => {
  container = await createContainer(connectionString, 'errors');
  client = testContainer(connectionString, container);
});

async function blobNames(c: ContainerClient): Promise<string[]> {
  const names: string[] = [];
  for await (const blob of c.listBlobsFlat({ includeUncommitedBlobs: true })) names.push(blob.name);
  return names;
}

const drain = async (iterable: AsyncIterable<unknown>): Promise<void> => {
  for await (const _ of iterable) {
    // the first page fails
  }
};

describe('a missing container', () => {
  it('is NOT_FOUND naming the container, for lookups, reads, writes, copies and listings', async () => {
    const backend = newBackend(connectionString, 'no-such-container-here', { maxAttempts: 1 });
    await expectMissingContainer(backend, 'no-such-container-here', [
      ['write (blocks)', () => backend.write('a/b', Buffer.alloc(9 * MIB))],
      ['copy', () => backend.copy('a/b', 'a/c')],
    ]);
    expect(await testContainer(connectionString, 'no-such-container-here').exists()).toBe(false);
  });
});

describe('credentials', () => {
  const wrongKey = Buffer.from(
    'a wrong key that must never be printed, 64 bytes long!!!!!!!!!!!',
  ).toString('base64');

  it('a wrong account key is PERMISSION_DENIED with a hint, no secret in sight, nothing written', async () => {
    const backend = new AzureBackend({
      container,
      connectionString: azuriteConnectionString(endpoint, wrongKey),
      maxAttempts: 1,
    });
    const calls = [
      () => backend.write('denied/x.txt', 'x'),
      () => backend.write('denied/big.bin', Buffer.alloc(3 * MIB), { ifNoneMatch: '*' }),
      () => backend.stat('denied/x.txt'),
      () => drain(backend.list('denied/')),
    ];
    for (const call of calls) {
      const err = await expectTroveError(call, 'PERMISSION_DENIED');
      expect(err.retryable).toBe(false);
      expect(err.hint).toMatch(/AZURE_STORAGE_CONNECTION_STRING/);
      const shown = `${err.message} ${err.hint} ${JSON.stringify(err.cause)} ${String(err.cause)}`;
      expect(shown).not.toContain(wrongKey);
      expect(shown).not.toMatch(/AccountKey=|SharedKey /);
    }
    expect(await blobNames(client)).toEqual([]);
  });

  it('a refused endpoint is UNAVAILABLE and retryable', async () => {
    const port = await freePort();
    const backend = new AzureBackend({
      container,
      connectionString: azuriteConnectionString(`http://127.0.0.1:${port}/devstoreaccount1`),
      maxAttempts: 1,
    });
    for (const call of [() => backend.write('x.txt', 'x'), () => backend.stat('x.txt')]) {
      const err = await expectTroveError(call, 'UNAVAILABLE');
      expect(err.retryable).toBe(true);
    }
  });

  it('no credentials and no @azure/identity is BACKEND_NOT_INSTALLED naming the package', async () => {
    const saved = { ...process.env };
    for (const name of [
      'AZURE_STORAGE_CONNECTION_STRING',
      'AZURE_STORAGE_SAS_TOKEN',
      'AZURE_STORAGE_KEY',
    ])
      delete process.env[name];
    try {
      const backend = new AzureBackend({ container, account: 'someaccount' });
      const err = await expectTroveError(() => backend.stat('x'), 'BACKEND_NOT_INSTALLED');
      expect(err.message).toContain('@azure/identity');
      expect(err.hint).toContain('npm i @azure/identity');
    } finally {
      Object.assign(process.env, saved);
    }
  });

  it('bad options are INVALID_CONFIG before any request', async () => {
    for (const options of [
      { container: '' },
      { container: 'Upper_Case' },
      { container: 'ab' },
      { container: 'ok-name', blockSize: 1024 },
      { container: 'ok-name', concurrency: 0 },
      { container: 'ok-name', endpoint: 'ftp://x' },
    ]) {
      await expectTroveError(() => new AzureBackend(options), 'INVALID_CONFIG');
    }
    const unparsable = new AzureBackend({ container, connectionString: 'not a connection string' });
    const err = await expectTroveError(() => unparsable.stat('x'), 'INVALID_CONFIG');
    expect(err.message).not.toContain('not a connection string');
  });
});

describe('SAS signed URLs', () => {
  it('GET and PUT URLs work without credentials (PUT with x-ms-blob-type)', async () => {
    const backend = newBackend(connectionString, container);
    await backend.write('sas/get.txt', 'read me');
    const get = await backend.signedUrl('sas/get.txt', { method: 'GET', expiresIn: 60 });
    expect(get.searchParams.get('sp')).toBe('r');
    const got = await fetch(get);
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('read me');

    const put = await backend.signedUrl('sas/put.txt', { method: 'PUT', expiresIn: 60 });
    const response = await fetch(put, {
      method: 'PUT',
      body: 'uploaded by URL',
      headers: { 'x-ms-blob-type': 'BlockBlob' },
    });
    expect(response.status).toBe(201);
    const { body } = await backend.read('sas/put.txt');
    expect(Buffer.concat(await body.toArray()).toString()).toBe('uploaded by URL');
  });

  it('a tampered signature, an expired URL and a GET URL used to PUT are refused (403)', async () => {
    const backend = newBackend(connectionString, container);
    await backend.write('sas/guarded.txt', 'guarded');
    const url = await backend.signedUrl('sas/guarded.txt', { method: 'GET', expiresIn: 60 });
    const tampered = new URL(url);
    const sig = tampered.searchParams.get('sig') as string;
    tampered.searchParams.set('sig', `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`);
    expect((await fetch(tampered)).status).toBe(403);

    const upload = await fetch(url, {
      method: 'PUT',
      body: 'overwritten',
      headers: { 'x-ms-blob-type': 'BlockBlob' },
    });
    expect(upload.status).toBe(403);

    await expectTroveError(
      () => backend.signedUrl('sas/guarded.txt', { method: 'GET', expiresIn: 0 }),
      'INVALID_ARGUMENT',
    );
    const shortLived = await backend.signedUrl('sas/guarded.txt', { method: 'GET', expiresIn: 1 });
    await new Promise((r) => setTimeout(r, 2_100));
    expect((await fetch(shortLived)).status).toBe(403);

    const { body } = await backend.read('sas/guarded.txt');
    expect(Buffer.concat(await body.toArray()).toString()).toBe('guarded');
  });
});

describe('a SAS token instead of a key', () => {
  it('writes, reads, lists, copies and deletes with a container SAS from sasToken + endpoint', async () => {
    const sasUrl = await client.generateSasUrl({
      permissions: ContainerSASPermissions.parse('racwdl'),
      expiresOn: new Date(Date.now() + 10 * 60_000),
    });
    const sasToken = new URL(sasUrl).search.slice(1);
    const backend = new AzureBackend({ container, endpoint, sasToken, maxAttempts: 1 });
    await backend.write('sas-token/a.txt', 'via sas');
    await backend.write('sas-token/big.bin', Buffer.alloc(9 * MIB, 1));
    expect((await backend.stat('sas-token/a.txt')).size).toBe(7);
    const copied = await backend.copy('sas-token/a.txt', 'sas-token/b.txt');
    expect(copied.size).toBe(7);
    const keys: string[] = [];
    for await (const entry of backend.list('sas-token/')) keys.push(entry.key);
    expect(keys).toEqual(['sas-token/a.txt', 'sas-token/b.txt', 'sas-token/big.bin']);
    await backend.deleteMany(keys);
    const left: string[] = [];
    for await (const entry of backend.list('sas-token/')) left.push(entry.key);
    expect(left).toEqual([]);
    // Without the account key it cannot sign URLs, and never hands out its own SAS.
    const err = await expectTroveError(
      () => backend.signedUrl('sas-token/none', { method: 'GET', expiresIn: 60 }),
      'INVALID_CONFIG',
    );
    expect(err.hint).toMatch(/account key/);
  });
});
