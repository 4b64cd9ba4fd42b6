/**
 * Resume after `kill -9`, on any backend whose large uploads of local files are journaled: a
 * child process (upload-child.ts) is SIGKILLed after N pieces (parts, chunks, blocks) went over
 * the wire; a second process uploading the same file to the same key must find the journal,
 * reuse what the service holds and send only the missing bytes, counted from the pieces each
 * process reports. A file changed after the kill starts over, and (where the backend has one) a
 * lost connection keeps the upload and its journal for the next attempt.
 */
import { mkdtempSync, readdirSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StorageBackend } from '@trove/core/backend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectTroveError } from '../helpers.js';
import {
  bytesSent,
  md5OfStream,
  runUpload,
  type UploadJob,
  type UploadPiece,
  writeTestFile,
} from './upload-process.js';

/** The store the cases upload to, made by `setup`. */
export interface ResumeTarget {
  /** The child's backend: module, class, per-piece event, and options (piece size, concurrency 1). */
  job: Pick<UploadJob, 'module' | 'className' | 'event' | 'options'>;
  /** The child's environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** A backend on the same store, to check what was written. */
  create(): StorageBackend;
  /** Ids of the pieces the service holds for the unfinished upload of `key`, where it can tell. */
  held?(key: string): Promise<Set<number>>;
  /** What the service still holds of uploads of `key` (open uploads, uncommitted blocks). */
  leftovers?(key: string): Promise<unknown[]>;
  /**
   * A backend on a server of its own that stops itself after a few pieces of an upload (its
   * `resumeDir` given): for the lost-connection case.
   */
  dropping?(resumeDir: string): Promise<{ backend: StorageBackend; stop(): Promise<void> }>;
  /** Called after the cases. */
  teardown?(): Promise<void>;
}

export interface ResumeScenarioOptions {
  /** Starts what the cases need (a server, a bucket); called once before them. */
  setup(): Promise<ResumeTarget>;
  /** Bytes of the file uploaded (a whole number of pieces). */
  size: number;
  /** Bytes of one part, chunk or block (what `job.options` sets). */
  pieceSize: number;
  /** Runs the lost-connection case (the target gives `dropping`). */
  lostConnection?: boolean;
}

const journals = (dir: string): string[] =>
  readdirSync(dir).filter((f) => f.endsWith('.json') || f.endsWith('.lock'));
const tempDir = (): string => mkdtempSync(join(tmpdir(), 'trove-resume-'));
const idsOf = (pieces: UploadPiece[], reused: boolean): number[] =>
  pieces.filter((p) => p.reused === reused).map((p) => p.id);
const bytesOf = (pieces: UploadPiece[], reused: boolean): number =>
  pieces.filter((p) => p.reused === reused).reduce((n, p) => n + p.size, 0);

/** Runs the resume scenario against the store `setup` makes. */
export function describeResumeAfterKill(name: string, scenario: ResumeScenarioOptions): void {
  const { size, pieceSize } = scenario;
  describe(`${name}: resume after kill -9`, () => {
    let t: ResumeTarget;
    beforeAll(async () => {
      t = await scenario.setup();
    });
    afterAll(async () => {
      await t?.teardown?.();
    });
    const job = (key: string, path: string, resumeDir: string): UploadJob => ({
      ...t.job,
      options: { ...t.job.options, resumeDir },
      key,
      path,
    });

    it('an upload SIGKILLed halfway is finished by a second process that sends only the missing bytes', async () => {
      const dir = tempDir();
      const path = join(dir, 'model.bin');
      const md5 = await writeTestFile(path, size, 7);
      const resumeDir = join(dir, 'journals');
      const key = `resume/killed-${Date.now()}.bin`;
      const first = runUpload({ ...job(key, path, resumeDir), killAfterSent: 6 }, t.env);
      const killed = await first.result;
      expect(killed.signal, killed.stderr).toBe('SIGKILL');
      const acknowledged = bytesSent(first.pieces);
      expect(acknowledged).toBe(6 * pieceSize);
      // Killed before the end: nothing is visible, the journal is kept.
      const backend = t.create();
      expect(await backend.exists(key)).toBe(false);
      expect(journals(resumeDir).filter((f) => f.endsWith('.json'))).toHaveLength(1);
      const held = await t.held?.(key);
      if (held) {
        for (const id of idsOf(first.pieces, false)) expect(held.has(id)).toBe(true);
        expect(held.size).toBeLessThan(size / pieceSize);
      }

      const second = runUpload(
        { ...job(key, path, resumeDir), writeOptions: { md5, ifNoneMatch: '*' } },
        t.env,
      );
      const done = await second.result;
      expect(done.code, `${done.stderr}${JSON.stringify(done.last)}`).toBe(0);
      expect(done.last?.stat).toMatchObject({ size, md5 });
      // What the service held was reused, never sent again; the rest was sent exactly once.
      const reusedBytes = bytesOf(second.pieces, true);
      expect(reusedBytes).toBeGreaterThanOrEqual(acknowledged);
      expect(bytesSent(second.pieces)).toBe(size - reusedBytes);
      const sentIds = new Set(idsOf(second.pieces, false));
      expect(idsOf(second.pieces, true).filter((id) => sentIds.has(id))).toEqual([]);
      if (held) expect(new Set(idsOf(second.pieces, true))).toEqual(held);
      const upload = first.pieces[0]?.upload;
      if (upload !== undefined) expect(second.pieces.every((p) => p.upload === upload)).toBe(true);

      expect((await t.leftovers?.(key)) ?? []).toEqual([]);
      expect(journals(resumeDir)).toEqual([]);
      expect(await md5OfStream((await backend.read(key)).body)).toBe(md5);
      await backend.close?.();
    });

    it('a file changed after the kill starts over: nothing reused, the old upload dropped', async () => {
      const dir = tempDir();
      const path = join(dir, 'changing.bin');
      const small = 8 * pieceSize;
      await writeTestFile(path, small, 1);
      const resumeDir = join(dir, 'journals');
      const key = `resume/changed-${Date.now()}.bin`;
      const first = runUpload({ ...job(key, path, resumeDir), killAfterSent: 3 }, t.env);
      expect((await first.result).signal).toBe('SIGKILL');
      const md5 = await writeTestFile(path, small, 2);
      utimesSync(path, new Date(), new Date(Date.now() + 5000));

      const second = runUpload({ ...job(key, path, resumeDir), writeOptions: { md5 } }, t.env);
      const done = await second.result;
      expect(done.code, `${done.stderr}${JSON.stringify(done.last)}`).toBe(0);
      expect(second.pieces.filter((p) => p.reused)).toEqual([]);
      expect(bytesSent(second.pieces)).toBe(small);
      const old = first.pieces[0]?.upload;
      if (old !== undefined) expect(second.pieces.some((p) => p.upload === old)).toBe(false);
      expect((done.last?.stat as { md5?: string } | undefined)?.md5).toBe(md5);
      expect((await t.leftovers?.(key)) ?? []).toEqual([]);
      expect(journals(resumeDir)).toEqual([]);
      const backend = t.create();
      expect(await md5OfStream((await backend.read(key)).body)).toBe(md5);
      await backend.close?.();
    });

    if (!scenario.lostConnection) return;
    it('a lost connection keeps the upload and its journal (unlocked) for the next attempt', async () => {
      if (!t.dropping) throw new Error('lostConnection needs the target to give dropping()');
      const dir = tempDir();
      const path = join(dir, 'big.bin');
      await writeTestFile(path, size, 3);
      const resumeDir = join(dir, 'journals');
      const { backend, stop } = await t.dropping(resumeDir);
      try {
        const err = await expectTroveError(() => backend.write('k.bin', { path }), 'UNAVAILABLE');
        expect(err.retryable).toBe(true);
        await stop();
        expect(journals(resumeDir)).toEqual([expect.stringMatching(/\.json$/)]);
      } finally {
        await stop();
        await backend.close?.();
      }
    });
  });
}
