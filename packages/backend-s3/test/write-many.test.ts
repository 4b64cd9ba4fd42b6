import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { BatchQueue, type WriteManyItem } from '@trove/core/backend';
import { tempDir } from '@trove/test-utils';
import { createBucket } from '@trove/test-utils/moto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { newBackend, testClient } from './helpers.js';

const endpoint = inject('s3Endpoint');
let bucket: string;

beforeAll(async () => {
  bucket = await createBucket(endpoint, 'write-many');
});

/** `count` small files under 4 key prefixes, as a directory's objects are in the store. */
function makeItems(label: string, count: number): WriteManyItem[] {
  const dir = tempDir();
  return Array.from({ length: count }, (_, i) => {
    const text = `${label} file ${i}\n`.repeat(1 + (i % 7));
    const path = join(dir, `f${i}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, text);
    const md5 = createHash('md5').update(text).digest('hex');
    return { key: `${label}/files/md5/p${i % 4}/${md5}`, path, md5, size: text.length };
  });
}

/** Counts the PutObject requests a client sends (an SDK middleware on the real client). */
function countPuts(client: S3Client): { puts: number } {
  const counter = { puts: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'PutObjectCommand') counter.puts++;
      return next(args);
    },
    { step: 'initialize', name: 'countPuts' },
  );
  return counter;
}

async function until(check: () => boolean, ms = 20_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

describe('writeMany from batches that arrive over time', () => {
  it('starts uploading with the first batch, before the source has ended', async () => {
    const items = makeItems('early', 30);
    const backend = newBackend(endpoint, bucket);
    const queue = new BatchQueue<WriteManyItem>();
    let done = 0;
    const pending = backend.writeMany(queue, { onProgress: (n) => (done = n) });
    queue.push(items.slice(0, 10));
    // The first ten are stored while the source is still open.
    expect(await until(() => done === 10)).toBe(true);
    for (const item of items.slice(0, 10)) expect(await backend.exists(item.key)).toBe(true);
    queue.push(items.slice(10));
    queue.end();
    const total = items.reduce((n, it) => n + (it.size ?? 0), 0);
    expect(await pending).toEqual({ written: 30, skipped: 0, bytes: total });
  });

  it('finds objects already in the bucket by listing, and sends no PUT for them', async () => {
    const items = makeItems('again', 48);
    const first = newBackend(endpoint, bucket);
    expect((await first.writeMany(items)).written).toBe(48);

    const client = testClient(endpoint);
    const counter = countPuts(client);
    const backend = newBackend(endpoint, bucket, { client });
    const queue = new BatchQueue<WriteManyItem>();
    const pending = backend.writeMany(queue);
    // Three batches; the prefixes listed for the first serve the later ones.
    queue.push(items.slice(0, 20));
    queue.push(items.slice(20, 40));
    const extra = makeItems('again-new', 4);
    queue.push([...items.slice(40), ...extra]);
    queue.end();
    const result = await pending;
    expect(result.written).toBe(4);
    expect(result.skipped).toBe(48);
    expect(counter.puts).toBe(4);
    client.destroy();
  });
});
