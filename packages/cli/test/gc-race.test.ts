import { randomBytes, randomInt } from 'node:crypto';
import {
  appendFileSync,
  mkdirSync,
  readdirSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addArtifact, openStore, type Store } from '@trove/core';
import { tempDir } from '@trove/test-utils';
import { MOTO_ENV, type MotoServer, startMoto } from '@trove/test-utils/moto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localView, type StoreView, spawnTrove } from './audit.js';
import { trove } from './helpers.js';
import { s3Project } from './s3-project.js';

/**
 * `trove gc` racing writers that store or reuse objects: new folders added, folders whose
 * objects are old orphans (a deleted run's) added again, and registrations of an orphan's md5.
 * Each writer races gc in its own trial (ten trials a round, one gc loop a round, writers
 * started at random moments of it); afterwards no writer may have exited 0 over a missing object
 * and `trove verify` must be clean. `scripts/gc-race-trials.mjs` runs this file with a report
 * (`TROVE_GC_RACE_REPORT`: one JSON line a case, written before its assertions) and, if asked,
 * another number of trials (`TROVE_GC_RACE_TRIALS`), and puts the table in bench/RESULTS.md.
 */
const TRIALS = Number(process.env.TROVE_GC_RACE_TRIALS ?? 20);
const PER_ROUND = 10;
const REPORT = process.env.TROVE_GC_RACE_REPORT;
const FILES = 16;
/** Writers start within this many ms of the round's first gc (a gc process takes ~0.5 s). */
const SPREAD_MS = 900;
const DAY = 24 * 60 * 60 * 1000;
const CLI_DIR = fileURLToPath(new URL('..', import.meta.url));

type Writer = 'add' | 'readd' | 'register';

interface RaceStore {
  cwd: string;
  env: NodeJS.ProcessEnv;
  view: StoreView;
  /** Makes every object in the store older than the grace period `gc` is run with. */
  age: () => Promise<void>;
  close: () => Promise<void>;
}

interface Trial {
  writer: Writer;
  name: string;
  md5?: string;
  code: number | null;
  stderr: string;
}

let moto: MotoServer;
beforeAll(async () => {
  moto = await startMoto();
  // The in-process setup opens the S3 store through the SDK's own credential chain.
  Object.assign(process.env, MOTO_ENV);
});
afterAll(async () => {
  await moto?.stop();
});

function localStore(): RaceStore {
  const cwd = tempDir('trove-gc-race-');
  expect(trove(['init'], { cwd }).code).toBe(0);
  return {
    cwd,
    env: {},
    view: localView(join(cwd, '.trove')),
    age: async () => ageTree(join(cwd, '.trove', 'files'), 2 * DAY),
    close: async () => undefined,
  };
}

async function motoStore(): Promise<RaceStore> {
  const { cwd, view, backend } = await s3Project(moto.url, 'gc-race');
  return {
    cwd,
    env: MOTO_ENV,
    view,
    // moto cannot backdate an object: these trials run gc with a 1 s grace and wait it out.
    age: () => new Promise((r) => setTimeout(r, 1100)),
    close: async () => {
      view.close();
      await backend.close();
    },
  };
}

/** Sets the mtime of every file under `dir` to `ms` ago (what time does to a local store). */
function ageTree(dir: string, ms: number): void {
  const when = new Date(Date.now() - ms);
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) ageTree(path, ms);
    else utimesSync(path, when, when);
  }
}

/** A folder of `FILES` small files no other trial has. */
function freshFolder(cwd: string, name: string): string {
  mkdirSync(join(cwd, name));
  for (let i = 0; i < FILES; i++)
    writeFileSync(join(cwd, name, `f${i}.txt`), `${name}/${i}/${randomBytes(8).toString('hex')}`);
  return name;
}

/**
 * Adds each folder and deletes the runs that refer to them: their objects stay in the store, an
 * orphan manifest and its files (what a deleted run or a failed add leaves). The stat cache
 * keeps their hashes, so adding them again finds the manifest in the store.
 */
async function orphans(s: RaceStore, folders: string[]): Promise<string[]> {
  const store = await openStore({ cwd: s.cwd, resolveFrom: [CLI_DIR] });
  try {
    const md5s: string[] = [];
    for (const f of folders) {
      const { artifact } = await addArtifact(f, { cwd: s.cwd, store, dvc: false });
      md5s.push(artifact.md5);
    }
    await deleteRuns(store);
    return md5s;
  } finally {
    await store.close();
  }
}

async function deleteRuns(store: Store): Promise<void> {
  const prefix = store.metaPrefix === '' ? 'runs/' : `${store.metaPrefix}/runs/`;
  const keys: string[] = [];
  for await (const e of store.meta.list(prefix)) keys.push(e.key);
  await store.meta.deleteMany(keys);
}

/**
 * `TRIALS` writers of one kind, ten a round, each started at a random moment of the round's
 * gc; gc runs again and again until the round's writers are done. Returns every writer's exit.
 */
async function race(
  s: RaceStore,
  writer: Writer,
  gcArgs: string[],
  gcs: Array<{ code: number | null; stderr: string }>,
): Promise<Trial[]> {
  const trials: Trial[] = [];
  for (let round = 0; round * PER_ROUND < TRIALS; round++) {
    const size = Math.min(PER_ROUND, TRIALS - round * PER_ROUND);
    const folders = Array.from({ length: size }, (_, k) =>
      freshFolder(s.cwd, `${writer}-${round}-${k}-${randomBytes(3).toString('hex')}`),
    );
    const md5s = writer === 'add' ? [] : await orphans(s, folders);
    if (writer !== 'add') await s.age();
    let running = folders.length;
    const gcExits: Array<{ code: number | null; stderr: string }> = [];
    const gcLoop = (async () => {
      do gcExits.push(await spawnTrove(['gc', ...gcArgs], { cwd: s.cwd, env: s.env }).done);
      while (running > 0);
    })();
    const writers = folders.map(async (folder, k) => {
      await new Promise((r) => setTimeout(r, randomInt(SPREAD_MS)));
      const name = `m-${round}-${k}`;
      const args =
        writer === 'register'
          ? ['models', 'register', md5s[k] as string, name]
          : ['add', folder, '--no-dvc'];
      const r = await spawnTrove(args, { cwd: s.cwd, env: s.env }).done;
      running--;
      const md5 = md5s[k];
      trials.push({ writer, name, code: r.code, stderr: r.stderr, ...(md5 ? { md5 } : {}) });
    });
    await Promise.all([...writers, gcLoop]);
    gcs.push(...gcExits);
  }
  return trials;
}

/** Registrations that exited 0 although their object (or a file of their manifest) is gone. */
async function danglingRegistrations(s: RaceStore, trials: Trial[]): Promise<string[]> {
  const keys = await s.view.keys();
  const key = (md5: string) => `files/md5/${md5.slice(0, 2)}/${md5.slice(2)}`;
  const out: string[] = [];
  for (const t of trials) {
    if (t.writer !== 'register' || t.code !== 0 || !t.md5) continue;
    if (!keys.has(key(t.md5))) {
      out.push(`${t.name}: ${t.md5}`);
      continue;
    }
    const entries = JSON.parse((await s.view.read(key(t.md5))).toString('utf8')) as Array<{
      md5: string;
    }>;
    const gone = entries.filter((e) => !keys.has(key(e.md5))).length;
    if (gone > 0) out.push(`${t.name}: ${gone} files of ${t.md5}`);
  }
  return out;
}

/**
 * Races `writer` against gc (`gcArgs`) in `s`, then checks that no writer exited 0 over a missing
 * object, adds all succeeded, every gc exited 0, and verify is clean. With `REPORT` set, first
 * appends what was seen there (the script's table).
 */
async function raceSafely(
  s: RaceStore,
  store: string,
  writer: Writer,
  grace: string,
  gcArgs: string[],
): Promise<void> {
  const load = loadavg()[0] as number;
  const started = Date.now();
  const gcs: Array<{ code: number | null; stderr: string }> = [];
  const trials = await race(s, writer, gcArgs, gcs);
  const dangling = await danglingRegistrations(s, trials);
  const verify = trove(['verify', '--json'], { cwd: s.cwd, env: s.env });
  if (REPORT) {
    const problems = (JSON.parse(verify.stdout) as { problems?: unknown[] }).problems;
    const line = {
      store,
      writer,
      grace,
      trials: trials.length,
      exit0: trials.filter((t) => t.code === 0).length,
      refused: trials.filter((t) => t.code !== 0 && /^trove: error \[/.test(t.stderr)).length,
      unclear: trials.filter((t) => t.code !== 0 && !/^trove: error \[/.test(t.stderr)).length,
      dangling: dangling.length,
      gcRuns: gcs.length,
      gcFailed: gcs.filter((g) => g.code !== 0).length,
      verifyCode: verify.code,
      verifyProblems: problems?.length ?? -1,
      seconds: (Date.now() - started) / 1000,
      loadBefore: load,
      loadAfter: loadavg()[0],
    };
    appendFileSync(REPORT, `${JSON.stringify(line)}\n`);
  }
  for (const g of gcs) expect(g.code, g.stderr).toBe(0);
  expect(trials).toHaveLength(TRIALS);
  for (const t of trials.filter((x) => x.writer !== 'register')) expect(t.code, t.stderr).toBe(0);
  for (const t of trials.filter((x) => x.code !== 0))
    expect(t.stderr, `${t.name} failed without a clear error`).toMatch(/^trove: error \[/);
  expect(dangling).toEqual([]);
  expect(JSON.parse(verify.stdout)).toMatchObject({ problems: [] });
  expect(verify.code).toBe(0);
}

const GRACE_0 = ['--grace', '0', '--force'];

describe('gc racing writers on the local store (objects made old with utimes)', () => {
  for (const [writer, what] of [
    ['add', 'adds of new folders'],
    ['readd', 're-adds of folders whose objects are old orphans'],
    ['register', "registrations of an old orphan's md5"],
  ] as const) {
    for (const [grace, args] of [
      ['the default grace', []],
      ['--grace 0 --force', GRACE_0],
    ] as const) {
      it(`${TRIALS} ${what}, gc with ${grace}: no writer exits 0 over a missing object; verify clean`, async () => {
        await raceSafely(localStore(), 'local', writer, grace, [...args]);
      });
    }
  }
});

describe('gc racing writers on S3 (moto cannot backdate objects: "old" is older than a 1 s grace)', () => {
  for (const [writer, what] of [
    ['readd', 're-adds of folders whose objects are old orphans'],
    ['register', "registrations of an old orphan's md5"],
  ] as const) {
    it(`${TRIALS} ${what}, gc with --grace 1s: no writer exits 0 over a missing object; verify clean`, async () => {
      const s = await motoStore();
      try {
        await raceSafely(s, 's3 (moto)', writer, '--grace 1s', ['--grace', '1s']);
      } finally {
        await s.close();
      }
    });
  }
  it(`${TRIALS} adds of new folders, gc with --grace 0 --force: no writer exits 0 over a missing object; verify clean`, async () => {
    const s = await motoStore();
    try {
      await raceSafely(s, 's3 (moto)', 'add', '--grace 0 --force', GRACE_0);
    } finally {
      await s.close();
    }
  });
});
