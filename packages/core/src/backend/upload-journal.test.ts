import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  abandonedJournals,
  ownedTemp,
  tempOwnerGone,
  type UploadIdentity,
  UploadJournal,
} from './upload-journal.js';

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

  // A process killed by kill -9 stays a zombie until its parent reaps it: seconds under this
  // machine's PID 1, for ever in a container without an init. Its lock looked live, so the
  // re-run right after the kill uploaded without resume and left the journal, and `trove gc
  // --grace 0` run at once kept it.
  it.runIf(process.platform === 'linux')(
    'break a lock whose process was killed but not reaped yet (a zombie)',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'trove-journal-'));
      const first = await UploadJournal.acquire<{ uploadId: string }>(dir, identity);
      await first?.save(version, { uploadId: 'u1' });
      // `sh` execs into `sleep`, which becomes the parent of the node child and never reaps it.
      const node = JSON.stringify(process.execPath);
      const parent = spawn(
        'sh',
        [
          '-c',
          `${node} -e 'process.stdout.write(String(process.pid));setInterval(()=>{},1e3)' & exec sleep 60`,
        ],
        { stdio: ['ignore', 'pipe', 'ignore'] },
      );
      try {
        const [chunk] = (await once(parent.stdout, 'data')) as [Buffer];
        const pid = Number(chunk.toString());
        const start = statFields(pid)[19];
        process.kill(pid, 'SIGKILL');
        while (statFields(pid)[0] !== 'Z') await sleep(20);
        const lock = readdirSync(dir).find((n) => n.endsWith('.lock')) as string;
        writeFileSync(join(dir, lock), JSON.stringify({ pid, host: hostname(), start }));
        expect((await abandonedJournals(dir)).map((j) => j.entry?.state)).toEqual([
          { uploadId: 'u1' },
        ]);
        const next = await UploadJournal.acquire<{ uploadId: string }>(dir, identity);
        expect(next?.resumable(version)).toEqual({ uploadId: 'u1' });
        await next?.finish();
        expect(readdirSync(dir)).toEqual([]);
      } finally {
        parent.kill('SIGKILL');
      }
    },
  );
});

describe('temporary files of journals and locks', () => {
  // A lock was taken by opening it create-only and then writing its owner: a process killed in
  // between left an empty lock, taken for live for an hour, and `trove gc --grace 0` right after
  // the kill kept it (seen once in the S3 crash trials). Locks are now written whole beside and
  // linked into place; what a killed writer can leave is a temp file that names its process.
  it('name their process, so one left by a process that is gone is known at once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trove-journal-'));
    const mine = ownedTemp(join(dir, 'abc.json.lock'));
    expect(tempOwnerGone(mine)).toBe(false);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    const theirs = mine.replace(`-${process.pid}-`, `-${Number(dead.stdout)}-`);
    expect(theirs).not.toBe(mine);
    expect(tempOwnerGone(theirs)).toBe(true);
    // Another host's, or a name of no owner: not judged here (the sweep waits a minute).
    expect(tempOwnerGone(theirs.replace(/\.[0-9a-f]{8}-/, '.00000000-'))).toBe(false);
    expect(tempOwnerGone(join(dir, 'abc.json.0123abcd.tmp'))).toBe(false);
  });

  it('are gone once a lock is taken, saved and released', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trove-journal-'));
    const journal = await UploadJournal.acquire<{ uploadId: string }>(dir, identity);
    const lock = readdirSync(dir).find((n) => n.endsWith('.lock')) as string;
    expect(JSON.parse(readFileSync(join(dir, lock), 'utf8'))).toMatchObject({
      pid: process.pid,
      host: hostname(),
    });
    await journal?.save(version, { uploadId: 'u1' });
    expect(readdirSync(dir).sort()).toEqual([lock.slice(0, -5), lock]);
    await journal?.release();
    expect(readdirSync(dir)).toEqual([lock.slice(0, -5)]);
  });
});

/** The fields of /proc/<pid>/stat after the command name: state first, start time 20th. */
function statFields(pid: number): string[] {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}
