import { join } from 'node:path';
import {
  ContainerClient,
  newPipeline,
  type RequestPolicy,
  type RequestPolicyFactory,
  StorageSharedKeyCredential,
  type WebResource,
} from '@azure/storage-blob';
import {
  expectTroveError,
  md5Hex,
  md5OfStream,
  runUpload,
  writeTestFile,
} from '@trove/conformance';
import { isTroveError } from '@trove/core/backend';
import { tempDir } from '@trove/test-utils';
import { AZURITE_ACCOUNT, AZURITE_KEY, createContainer } from '@trove/test-utils/azurite';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { AzureBackend } from '../src/index.js';
import { MIB, newBackend, testContainer, uncommitted, uploadJob } from './helpers.js';

/** The bound the issue sets for a large upload, whatever its size. */
const RSS_BOUND_MIB = 200;
const BIG = 200 * MIB;

const connectionString = inject('azureConnectionString');
const endpoint = inject('azureBlobEndpoint');
let container: string;
let client: ContainerClient;
let bigFile: string;
let bigMd5: string;

beforeAll(async () => {
  container = await createContainer(connectionString, 'blocks');
  client = testContainer(connectionString, container);
  bigFile = join(tempDir(), 'big.bin');
  bigMd5 = await writeTestFile(bigFile, BIG);
});

describe('large uploads go as blocks with bounded memory', () => {
  for (const mode of ['file', 'stream'] as const) {
    it(`a 200 MiB ${mode === 'file' ? '{ path }' : 'stream'} body is 25 blocks with peak RSS under ${RSS_BOUND_MIB} MiB and the whole md5 stored`, async () => {
      const key = `big/${mode}.bin`;
      const run = runUpload({
        ...uploadJob(connectionString, container, { resumeDir: tempDir() }),
        key,
        path: bigFile,
        mode,
      });
      const { code, last, stderr } = await run.result;
      expect(code, `${stderr}${JSON.stringify(last)}`).toBe(0);
      const stat = last?.stat as { size: number; md5: string; etag: string };
      expect(stat.size).toBe(BIG);
      expect(stat.md5).toBe(bigMd5);
      expect(run.pieces.map((b) => b.id).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 25 }, (_, i) => i),
      );
      expect(run.pieces.every((b) => !b.reused && b.size === 8 * MIB)).toBe(true);
      expect(last?.maxRssMiB as number).toBeLessThan(RSS_BOUND_MIB);
      const props = await client.getBlobClient(key).getProperties();
      expect(Buffer.from(props.contentMD5 ?? []).toString('hex')).toBe(bigMd5);
      expect(props.etag).toBe(stat.etag);
      const committed = await client.getBlockBlobClient(key).getBlockList('committed');
      expect(committed.committedBlocks?.length).toBe(25);
      expect(await uncommitted(client, key)).toEqual([]);
      const backend = newBackend(connectionString, container);
      expect(await md5OfStream((await backend.read(key)).body)).toBe(bigMd5);
    });
  }
});

/**
 * A pipeline policy that replaces the Content-MD5 of the second Put Block with a wrong one,
 * before the request is signed: the real service must refuse that block.
 */
function wrongBlockMd5(): RequestPolicyFactory {
  let blocks = 0;
  return {
    create(next: RequestPolicy): RequestPolicy {
      return {
        sendRequest(request: WebResource) {
          if (request.method === 'PUT' && /[?&]comp=block(&|$)/.test(request.url)) {
            blocks++;
            if (blocks === 2) request.headers.set('Content-MD5', md5B64('not these bytes'));
          }
          return next.sendRequest(request);
        },
      };
    },
  };
}

function md5B64(text: string): string {
  return Buffer.from(md5Hex(text), 'hex').toString('base64');
}

describe('integrity and conditions of block uploads', () => {
  it('a block whose Content-MD5 does not match is refused by the service: CORRUPT, nothing visible', async () => {
    const pipeline = newPipeline(new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY), {
      retryOptions: { maxTries: 1 },
    });
    pipeline.factories.unshift(wrongBlockMd5());
    const tampered = new AzureBackend({
      container,
      containerClient: new ContainerClient(`${endpoint}/${container}`, pipeline),
      blockSize: MIB,
      concurrency: 1,
      resume: false,
    });
    const key = 'md5/tampered.bin';
    const err = await expectTroveError(
      () => tampered.write(key, Buffer.alloc(3 * MIB, 5)),
      'CORRUPT',
    );
    expect(err.key).toBe(key);
    expect(await client.getBlobClient(key).exists()).toBe(false);
    const backend = newBackend(connectionString, container);
    expect(await backend.exists(key)).toBe(false);
  });

  it('a wrong md5 option on a { path } block upload is CORRUPT before the commit: nothing visible', async () => {
    const resumeDir = tempDir();
    const backend = newBackend(connectionString, container, { blockSize: MIB, resumeDir });
    const path = join(tempDir(), 'five.bin');
    await writeTestFile(path, 5 * MIB, 3);
    const key = 'md5/option.bin';
    await expectTroveError(() => backend.write(key, { path }, { md5: md5Hex('other') }), 'CORRUPT');
    expect(await backend.exists(key)).toBe(false);
  });

  it('8 concurrent create-only block uploads of one blob name: exactly one wins, its bytes stored', async () => {
    const key = 'race/blocks.bin';
    const bodies = Array.from({ length: 8 }, (_, i) => Buffer.alloc(3 * MIB + i, i + 1));
    const writers = bodies.map(() =>
      newBackend(connectionString, container, { blockSize: MIB, resume: false }),
    );
    const results = await Promise.allSettled(
      writers.map((w, i) => w.write(key, bodies[i] as Buffer, { ifNoneMatch: '*' })),
    );
    const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    expect(winners).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(isTroveError(r.reason, 'PRECONDITION_FAILED')).toBe(true);
    }
    const winner = winners[0] as number;
    const stored = await client.getBlobClient(key).downloadToBuffer();
    expect(md5Hex(stored)).toBe(md5Hex(bodies[winner] as Buffer));
  });

  it('ifMatch goes through a block upload; a stale etag is refused, a missing blob NOT_FOUND', async () => {
    const backend = newBackend(connectionString, container, { blockSize: MIB });
    const key = 'cond/blocks.bin';
    const first = await backend.write(key, 'v1');
    const second = await backend.write(key, Buffer.alloc(3 * MIB, 7), { ifMatch: first.etag });
    expect(second.size).toBe(3 * MIB);
    expect((await backend.stat(key)).etag).toBe(second.etag);
    await expectTroveError(
      () => backend.write(key, Buffer.alloc(3 * MIB, 8), { ifMatch: first.etag }),
      'PRECONDITION_FAILED',
    );
    await expectTroveError(
      () => backend.write('cond/absent.bin', Buffer.alloc(3 * MIB, 8), { ifMatch: first.etag }),
      'NOT_FOUND',
    );
    expect(await backend.exists('cond/absent.bin')).toBe(false);
  });

  it('a copy of a block blob is server-side and exact, and create-only on request', async () => {
    const backend = newBackend(connectionString, container, { blockSize: MIB });
    const key = 'copy/source.bin';
    const bytes = Buffer.alloc(5 * MIB + 3, 9);
    await backend.write(key, bytes);
    const copied = await backend.copy(key, 'copy/guarded.bin', { ifNoneMatch: '*' });
    expect(copied.size).toBe(bytes.length);
    expect((await backend.stat('copy/guarded.bin')).etag).toBe(copied.etag);
    expect(md5Hex(await client.getBlobClient('copy/guarded.bin').downloadToBuffer())).toBe(
      md5Hex(bytes),
    );
    await expectTroveError(
      () => backend.copy(key, 'copy/guarded.bin', { ifNoneMatch: '*' }),
      'PRECONDITION_FAILED',
    );
  });

  it('a copy above the synchronous limit goes through an asynchronous Copy Blob, also create-only', async () => {
    // Records the copy requests the backend sends: a synchronous one carries x-ms-requires-sync.
    const copies: string[] = [];
    const pipeline = newPipeline(new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
    pipeline.factories.unshift({
      create: (next: RequestPolicy): RequestPolicy => ({
        sendRequest(request: WebResource) {
          if (request.headers.get('x-ms-copy-source'))
            copies.push(request.headers.get('x-ms-requires-sync') ? 'sync' : 'async');
          return next.sendRequest(request);
        },
      }),
    });
    const backend = new AzureBackend({
      container,
      containerClient: new ContainerClient(`${endpoint}/${container}`, pipeline),
      syncCopyLimit: MIB,
    });
    const bytes = Buffer.alloc(2 * MIB + 5, 4);
    await backend.write('copy/async-source.bin', bytes);
    await backend.write('copy/small-source.bin', 'small');
    const copied = await backend.copy('copy/async-source.bin', 'copy/async.bin', {
      ifNoneMatch: '*',
    });
    await backend.copy('copy/small-source.bin', 'copy/small.bin');
    expect(copies).toEqual(['async', 'sync']);
    expect(copied.size).toBe(bytes.length);
    expect((await client.getBlobClient('copy/async.bin').getProperties()).etag).toBe(copied.etag);
    expect(md5Hex(await client.getBlobClient('copy/async.bin').downloadToBuffer())).toBe(
      md5Hex(bytes),
    );
    await expectTroveError(
      () => backend.copy('copy/async-source.bin', 'copy/async.bin', { ifNoneMatch: '*' }),
      'PRECONDITION_FAILED',
    );
  });
});
