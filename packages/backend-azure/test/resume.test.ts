import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerClient } from '@azure/storage-blob';
import { expectTroveError } from '@trove/conformance';
import { tempDir } from '@trove/test-utils';
import { createContainer, startAzurite } from '@trove/test-utils/azurite';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { AzureBackend } from '../src/index.js';
import { blockId } from '../src/upload/requests.js';
import { md5OfStream, runUpload, writeTestFile } from './child.js';
import { MIB, newBackend, testContainer, uncommitted } from './helpers.js';

const SIZE = 64 * MIB;
const BLOCK = 2 * MIB;
const BLOCKS = SIZE / BLOCK;

const connectionString = inject('azureConnectionString');
let container: string;
let client: ContainerClient;
let file: string;
let fileMd5: string;

beforeAll(async () => {
  container = await createContainer(connectionString, 'resume');
  client = testContainer(connectionString, container);
  file = join(tempDir(), 'big.bin');
  fileMd5 = await writeTestFile(file, SIZE, 7);
});

/** The blob's uncommitted block ids, polled until there are `atLeast`. */
async function waitForBlocks(key: string, atLeast: number): Promise<Set<string>> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const ids = await uncommitted(client, key);
    if (ids.length >= atLeast) return new Set(ids);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no upload of ${key} reached ${atLeast} blocks`);
}

const journals = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('resumable block uploads', () => {
  it('an upload SIGKILLed halfway is finished by a second process that stages only the missing blocks', async () => {
    const key = 'resume/killed.bin';
    const resumeDir = tempDir();
    // One block at a time, so the kill lands with the upload clearly unfinished.
    const job = {
      connectionString,
      container,
      key,
      path: file,
      options: { blockSize: BLOCK, concurrency: 1, resumeDir },
      writeOptions: { ifNoneMatch: '*' },
    };
    const first = runUpload(job);
    await waitForBlocks(key, 6);
    first.child.kill('SIGKILL');
    await first.result;
    const onServer = await waitForBlocks(key, 6);
    expect(onServer.size).toBeLessThan(BLOCKS);
    expect(await client.getBlobClient(key).exists()).toBe(false); // nothing committed
    expect(journals(resumeDir)).toHaveLength(1);
    const uploadId = first.blocks[0]?.uploadId as string;
    for (const id of onServer)
      expect(Buffer.from(id, 'base64').toString()).toMatch(new RegExp(`^${uploadId}-\\d{6}$`));

    const second = runUpload({ ...job, options: { ...job.options, concurrency: 4 } });
    const { code, last, stderr } = await second.result;
    expect(code, `${stderr}${JSON.stringify(last)}`).toBe(0);
    expect(last?.stat).toMatchObject({ size: SIZE, md5: fileMd5 });
    // Every block the server held was reused, none staged again; the rest were staged once.
    expect(second.blocks.every((b) => b.uploadId === uploadId)).toBe(true);
    const reused = second.blocks.filter((b) => b.reused).map((b) => blockId(uploadId, b.index));
    const sent = second.blocks.filter((b) => !b.reused).map((b) => blockId(uploadId, b.index));
    expect(new Set(reused)).toEqual(onServer);
    expect(sent.filter((id) => onServer.has(id))).toEqual([]);
    expect(reused.length + sent.length).toBe(BLOCKS);
    expect(new Set([...reused, ...sent]).size).toBe(BLOCKS);

    expect(await uncommitted(client, key)).toEqual([]);
    expect(journals(resumeDir)).toEqual([]);
    const props = await client.getBlobClient(key).getProperties();
    expect(Buffer.from(props.contentMD5 ?? []).toString('hex')).toBe(fileMd5);
    const backend = newBackend(connectionString, container);
    expect(await md5OfStream((await backend.read(key)).body)).toBe(fileMd5);
  });

  it('a file changed since the interrupted upload starts over with a new block-id prefix', async () => {
    const key = 'resume/changed.bin';
    const resumeDir = tempDir();
    const path = join(tempDir(), 'changing.bin');
    await writeTestFile(path, 20 * MIB, 1);
    const job = {
      connectionString,
      container,
      key,
      path,
      options: { blockSize: BLOCK, concurrency: 1, resumeDir },
    };
    const first = runUpload(job);
    await waitForBlocks(key, 2);
    first.child.kill('SIGKILL');
    await first.result;
    const oldId = first.blocks[0]?.uploadId;
    const newMd5 = await writeTestFile(path, 20 * MIB, 2);
    const events: { uploadId: string; reused: boolean }[] = [];
    const backend = newBackend(connectionString, container, {
      blockSize: BLOCK,
      resumeDir,
      onBlock: (b) => events.push(b),
    });
    const stat = await backend.write(key, { path });
    expect(stat.md5).toBe(newMd5);
    expect(events.length).toBe(10);
    expect(events.some((e) => e.reused || e.uploadId === oldId)).toBe(false);
    expect(await md5OfStream((await backend.read(key)).body)).toBe(newMd5);
    expect(journals(resumeDir)).toEqual([]);
  });

  it('a lost connection keeps the journal for the next attempt', async () => {
    const azurite = await startAzurite();
    try {
      const own = await createContainer(azurite.connectionString, 'dropped');
      const resumeDir = tempDir();
      let stopping: Promise<void> | undefined;
      const backend = new AzureBackend({
        container: own,
        connectionString: azurite.connectionString,
        blockSize: BLOCK,
        concurrency: 1,
        maxAttempts: 1,
        resumeDir,
        onBlock: (b) => {
          if (b.index === 2) stopping ??= azurite.stop();
        },
      });
      const err = await expectTroveError(
        () => backend.write('k.bin', { path: file }),
        'UNAVAILABLE',
      );
      expect(err.retryable).toBe(true);
      await stopping;
      expect(journals(resumeDir)).toHaveLength(1);
      // The lock was let go: the journal is there for whoever tries next.
      expect(readdirSync(resumeDir).filter((f) => f.endsWith('.lock'))).toEqual([]);
    } finally {
      await azurite.stop();
    }
  });
});
