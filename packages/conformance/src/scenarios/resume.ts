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
  /** md5 (hex) of the object stored at `key`, `undefined` when there is none (see `storedMd5`). */
  stored(key: string): Promise<string | undefined>;
  /** Ids of the pieces the service holds for the unfinished upload of `key`, where it can tell. */
  held?(key: string): Promise<Set<number>>;
  /**
   * What the service still holds of unfinished uploads of `key` (open uploads, uncommitted
   * blocks, open sessions); `resumeDir` holds their journals.
   */
  leftovers(key: string, resumeDir: string): Promise<unknown[]>;
  /** A backend on the same store with this `resumeDir`, for `cleanup`. */
  create(resumeDir: string): StorageBackend;
  /**
   * A backend on a server of its own that stops itself after a few pieces of an upload (its
   * `resumeDir` given): for the lost-connection case.
   */
  dropping?(resumeDir: string): Promise<DroppingBackend>;
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
  /**
   * Where the emulator ignores what cleanup asks of the service (a cancelled GCS session stays
   * open on both GCS emulators), why: the cleanup case says so in its name and checks the rest.
   */
  emulatorKeepsDiscarded?: string;
}

const journals = (dir: string): string[] =>
  readdirSync(dir).filter((f) => f.endsWith('.json') || f.endsWith('.lock'));
const tempDir = (): string => mkdtempSync(join(tmpdir(), 'trove-resume-'));
const idsOf = (pieces: UploadPiece[], reused: boolean): number[] =>
  pieces.filter((p) => p.reused === reused).map((p) => p.id);
const bytesOf = (pieces: UploadPiece[], reused: boolean): number =>
  pieces.filter((p) => p.reused === reused).reduce((n, p) => n + p.size, 0);

/** md5 (hex) of what `backend` stores at `key`, `undefined` when nothing: a `stored` for targets. */
export async function storedMd5(backend: StorageBackend, key: string): Promise<string | undefined> {
  if (!(await backend.exists(key))) return undefined;
  return md5OfStream((await backend.read(key)).body);
}

/** A `dropping` backend and its `stop`, as the lost-connection case takes them. */
export interface DroppingBackend {
  backend: StorageBackend;
  stop(): Promise<void>;
}

/**
 * A `dropping` for targets: a server of its own (`start`), and a backend on it that `make`
 * builds to call `drop` once a few pieces went over the wire, which stops the server.
 */
export async function droppingServer<S extends { stop(): Promise<void> }>(
  start: () => Promise<S>,
  make: (server: S, drop: () => void) => Promise<StorageBackend> | StorageBackend,
): Promise<DroppingBackend> {
  const server = await start();
  let stopping: Promise<void> | undefined;
  const backend = await make(server, () => {
    stopping ??= server.stop();
  });
  return {
    backend,
    stop: async () => {
      await stopping;
      await server.stop();
    },
  };
}

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
      expect(await t.stored(key)).toBeUndefined();
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

      expect(await t.leftovers(key, resumeDir)).toEqual([]);
      expect(journals(resumeDir)).toEqual([]);
      expect(await t.stored(key)).toBe(md5);
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
      expect(await t.leftovers(key, resumeDir)).toEqual([]);
      expect(journals(resumeDir)).toEqual([]);
      expect(await t.stored(key)).toBe(md5);
    });

    const kept = scenario.emulatorKeepsDiscarded;
    const what = kept ? `its journal (${kept})` : 'its journal and what the service holds';
    it(`trove gc (cleanup) removes what a killed upload left past the grace period: ${what}`, async () => {
      const dir = tempDir();
      const path = join(dir, 'abandoned.bin');
      await writeTestFile(path, 8 * pieceSize, 4);
      const resumeDir = join(dir, 'journals');
      const key = `resume/abandoned-${Date.now()}.bin`;
      const first = runUpload({ ...job(key, path, resumeDir), killAfterSent: 3 }, t.env);
      expect((await first.result).signal).toBe('SIGKILL');
      expect(await t.leftovers(key, resumeDir)).not.toEqual([]);
      const backend = t.create(resumeDir);
      expect(backend.cleanup).toBeDefined();
      const cleanup = backend.cleanup?.bind(backend) as NonNullable<StorageBackend['cleanup']>;
      // Within the grace period nothing goes.
      const hourAgo = new Date(Date.now() - 3600_000);
      expect(await cleanup({ olderThan: hourAgo, dryRun: false, prefix: 'resume' })).toMatchObject({
        items: 0,
      });
      expect(journals(resumeDir).filter((f) => f.endsWith('.json'))).toHaveLength(1);
      // A dry run says what would go and removes nothing.
      const later = new Date(Date.now() + 1000);
      const dry = await cleanup({ olderThan: later, dryRun: true, prefix: 'resume' });
      expect(dry.items).toBeGreaterThanOrEqual(2);
      expect(dry.details.join('\n')).toContain(key);
      expect(journals(resumeDir).filter((f) => f.endsWith('.json'))).toHaveLength(1);
      const done = await cleanup({ olderThan: later, dryRun: false, prefix: 'resume' });
      expect(done.items).toBe(dry.items);
      expect(journals(resumeDir)).toEqual([]);
      if (!kept) expect(await t.leftovers(key, resumeDir)).toEqual([]);
      expect(await t.stored(key)).toBeUndefined();
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
