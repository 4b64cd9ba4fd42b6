import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { abandonedJournals, type UploadIdentity, UploadJournal } from './upload-journal.js';

const identity: UploadIdentity = {
  backend: 'test',
  endpoint: 'http://127.0.0.1:1',
  container: 'bucket',
  key: 'files/md5/ab/cdef',
  path: '/data/model.bin',
};
const version = { size: 10, mtimeMs: 1, ino: 2 };

describe('upload journals', () => {
  it('are owned: a second acquirer gets nothing while the first holds the journal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trove-journal-'));
    const first = await UploadJournal.acquire<{ uploadId: string }>(dir, identity);
    expect(first).toBeDefined();
    expect(first?.previous).toBeUndefined();
    await first?.save(version, { uploadId: 'u1' });
    expect(await UploadJournal.acquire(dir, identity)).toBeUndefined();
    await first?.release();
    const second = await UploadJournal.acquire<{ uploadId: string }>(dir, identity);
    expect(second?.resumable(version)).toEqual({ uploadId: 'u1' });
    expect(second?.resumable({ ...version, mtimeMs: 5 })).toBeUndefined();
    await second?.finish();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("break a dead process's lock and resume its state", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trove-journal-'));
    const first = await UploadJournal.acquire<{ uploadId: string }>(dir, identity);
    await first?.save(version, { uploadId: 'u1' });
    // Rewrite the lock as if a process that has exited held it.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    const lock = readdirSync(dir).find((n) => n.endsWith('.lock')) as string;
    writeFileSync(join(dir, lock), JSON.stringify({ pid: Number(dead.stdout), host: hostname() }));
    expect((await abandonedJournals(dir)).map((j) => j.entry?.state)).toEqual([{ uploadId: 'u1' }]);
    const next = await UploadJournal.acquire<{ uploadId: string }>(dir, identity);
    expect(next?.resumable(version)).toEqual({ uploadId: 'u1' });
    expect(await abandonedJournals(dir)).toEqual([]);
    await next?.finish();
  });
});
