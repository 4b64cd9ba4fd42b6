import { createHash } from 'node:crypto';
import { readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@trove/test-utils';
import { type GcpEmulator, startGcpEmulator } from '@trove/test-utils/gcs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesSent, runUpload, writeTestFile } from './child.js';
import { MIB } from './helpers.js';

// Resume runs on gcp-storage-emulator: fake-gcs-server 1.56.1 finalises a session when asked
// where it stands (its issue #2354), which is exactly what resuming asks.
const BUCKET = 'resume';
const SIZE = 24 * MIB;
const CHUNK = MIB;

describe('a resumable upload killed halfway (gcp-storage-emulator)', () => {
  let emulator: GcpEmulator;
  beforeAll(async () => {
    emulator = await startGcpEmulator(BUCKET);
  });
  afterAll(() => emulator?.stop());

  // The test process reads with `Connection: close`: gcp-storage-emulator serves one
  // connection at a time, so an idle keep-alive connection here would stall the children.
  const media = (key: string) =>
    fetch(`${emulator.url}/storage/v1/b/${BUCKET}/o/${encodeURIComponent(key)}?alt=media`, {
      headers: { connection: 'close' },
    });

  it('is continued by a second process, which sends only the bytes the session lacks', async () => {
    const dir = tempDir('trove-gcs-kill-');
    const resumeDir = join(dir, 'journals');
    const path = join(dir, 'model.bin');
    const md5 = await writeTestFile(path, SIZE, 7);
    const job = { endpoint: emulator.url, bucket: BUCKET, key: 'ckpt/model.bin', path };
    const options = { chunkSize: CHUNK, resumeDir };

    const first = await runUpload({ ...job, options, killAfterSent: 6 });
    expect(first.signal, first.stderr).toBe('SIGKILL');
    const acknowledged = bytesSent(first.chunks);
    expect(acknowledged).toBe(6 * CHUNK);
    // Killed before the last chunk: nothing is visible, the journal is kept.
    expect((await media(job.key)).status).toBe(404);
    expect(readdirSync(resumeDir).filter((n) => n.endsWith('.json'))).toHaveLength(1);

    const second = await runUpload({ ...job, options, writeOptions: { md5 } });
    expect(second.last?.done, JSON.stringify(second.last) + second.stderr).toBe(true);
    const resumed = second.chunks.filter((c) => c.kind === 'resumed');
    const heldBefore = resumed.reduce((n, c) => n + c.size, 0);
    // The session held at least what the first process saw acknowledged, and nothing of that
    // was sent again: the second process sent exactly the rest.
    expect(heldBefore).toBeGreaterThanOrEqual(acknowledged);
    expect(bytesSent(second.chunks)).toBe(SIZE - heldBefore);
    expect(second.chunks.find((c) => c.kind === 'sent')?.offset).toBe(heldBefore);

    const stat = second.last?.stat as { size: number; md5: string };
    expect(stat.size).toBe(SIZE);
    expect(stat.md5).toBe(md5);
    const stored = Buffer.from(await (await media(job.key)).arrayBuffer());
    expect(createHash('md5').update(stored).digest('hex')).toBe(md5);
    // Done: the journal and its lock are gone.
    expect(readdirSync(resumeDir)).toEqual([]);
  });

  it('starts over when the file changed after the kill', async () => {
    const dir = tempDir('trove-gcs-kill-');
    const resumeDir = join(dir, 'journals');
    const path = join(dir, 'model.bin');
    await writeTestFile(path, 8 * MIB, 3);
    const job = { endpoint: emulator.url, bucket: BUCKET, key: 'ckpt/changed.bin', path };
    const options = { chunkSize: CHUNK, resumeDir };

    const first = await runUpload({ ...job, options, killAfterSent: 3 });
    expect(first.signal, first.stderr).toBe('SIGKILL');
    const md5 = await writeTestFile(path, 8 * MIB, 4);
    utimesSync(path, new Date(), new Date(Date.now() + 5000));

    const second = await runUpload({ ...job, options, writeOptions: { md5 } });
    expect(second.last?.done, JSON.stringify(second.last) + second.stderr).toBe(true);
    expect(second.chunks.filter((c) => c.kind === 'resumed')).toEqual([]);
    expect(bytesSent(second.chunks)).toBe(8 * MIB);
    expect((second.last?.stat as { md5?: string } | undefined)?.md5).toBe(md5);
    expect(readdirSync(resumeDir)).toEqual([]);
  });
});
