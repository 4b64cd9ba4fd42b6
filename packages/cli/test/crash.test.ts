import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@trove/test-utils';
import { MOTO_ENV, type MotoServer, startMoto } from '@trove/test-utils/moto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit, localView, type StoreView, spawnTrove } from './audit.js';
import { trove, troveJson } from './helpers.js';
import { s3Project } from './s3-project.js';

/**
 * kill -9 at random moments of `trove add`, then `trove gc --grace 0 --force`: nothing corrupt, no torn
 * record, no dangling pointer, no byte left over. Small inputs and short delays keep it quick;
 * `scripts/crash-trials.mjs` runs the same with hundreds of trials.
 */
const MIB = 1024 * 1024;
const FILE_SIZE = 12 * MIB;
const DIR_FILES = 150;

let moto: MotoServer;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto?.stop();
});

/** New content for every trial, so each add really writes (nothing is found in the store). */
function freshInputs(cwd: string, trial: number): { file: string; dir: string } {
  const file = `model-${trial}.bin`;
  const bytes = Buffer.alloc(FILE_SIZE, trial);
  randomBytes(64).copy(bytes);
  writeFileSync(join(cwd, file), bytes);
  const dir = `data-${trial}`;
  mkdirSync(join(cwd, dir));
  for (let i = 0; i < DIR_FILES; i++)
    writeFileSync(join(cwd, dir, `f${i}.txt`), `${trial}/${i}/${randomBytes(8).toString('hex')}`);
  return { file, dir };
}

/**
 * Runs `trials` adds, alternately of a file and a directory. The first two run to the end and
 * time an add of each kind on this machine; every later one is killed at a random moment between
 * 10% and 110% of that time (so some finish). Returns how many were killed.
 */
async function crashTrials(
  cwd: string,
  env: NodeJS.ProcessEnv,
  trials: number,
): Promise<{ killed: number; finished: number }> {
  let killed = 0;
  let finished = 0;
  const took: number[] = [];
  for (let t = 0; t < trials; t++) {
    const { file, dir } = freshInputs(cwd, t);
    const started = Date.now();
    const { child, done } = spawnTrove(['add', t % 2 === 0 ? file : dir], { cwd, env });
    const full = took[t % 2];
    const timer =
      full === undefined
        ? undefined
        : setTimeout(
            () => child.kill('SIGKILL'),
            randomInt(Math.floor(full / 10), Math.ceil((full * 11) / 10)),
          );
    const r = await done;
    clearTimeout(timer);
    if (full === undefined) took[t % 2] = Math.max(20, Date.now() - started);
    if (r.signal === 'SIGKILL') killed++;
    else {
      expect(r.code, r.stderr).toBe(0);
      finished++;
    }
  }
  return { killed, finished };
}

async function expectClean(cwd: string, env: NodeJS.ProcessEnv, view: StoreView) {
  // A killed add can leave its run `running`: --force tells gc those runs are dead.
  const gc = trove(['gc', '--grace', '0', '--force', '--json'], { cwd, env });
  expect(gc.code, gc.stderr).toBe(0);
  // The tables survive the kills: a search reads them (plus the backlog) and an index commits.
  const listed = trove(['runs', 'ls', '--json'], { cwd, env });
  expect(listed.code, listed.stderr).toBe(0);
  expect(trove(['index'], { cwd, env }).code).toBe(0);
  const result = await audit(cwd, env, view);
  expect(result).toEqual({
    corrupt: 0,
    tornRecords: 0,
    danglingPointers: 0,
    leftovers: [],
    leftoverBytes: 0,
  });
}

describe('kill -9 during trove add, then trove gc --grace 0', () => {
  it('local store: 12 trials (file and directory)', async () => {
    const cwd = tempDir('trove-crash-local-');
    expect(trove(['init'], { cwd }).code).toBe(0);
    const { killed } = await crashTrials(cwd, {}, 12);
    expect(killed).toBeGreaterThan(0);
    await expectClean(cwd, {}, localView(join(cwd, '.trove')));
  });

  it('S3 store on moto: 10 trials (multipart file and directory)', async () => {
    const { cwd, resumeDir, view, backend } = await s3Project(
      moto.url,
      'crash',
      ', concurrency: 1',
    );
    const env = MOTO_ENV;
    const { killed } = await crashTrials(cwd, env, 10);
    expect(killed).toBeGreaterThan(0);
    try {
      await expectClean(cwd, env, view);
      expect(readdirSync(resumeDir)).toEqual([]);
    } finally {
      view.close();
      await backend.close();
    }
  });
});

describe('gc while another process logs a large directory', () => {
  it('with the default grace period, deletes nothing that process refers to; verify is clean after', async () => {
    const cwd = tempDir('trove-gc-race-');
    expect(trove(['init'], { cwd }).code).toBe(0);
    mkdirSync(join(cwd, 'big'));
    for (let i = 0; i < 3000; i++)
      writeFileSync(join(cwd, 'big', `f${i}.txt`), `${i} ${randomBytes(16).toString('hex')}`);
    const adding = spawnTrove(['add', 'big'], { cwd });
    let finished = false;
    void adding.done.then(() => {
      finished = true;
    });
    // Stop the add as soon as its first object is in the store (thousands more to go, no record
    // yet): a gc now sees objects nothing refers to, every time, not only when timing allows.
    const objects = join(cwd, '.trove', 'files', 'md5');
    while (!finished && !hasObject(objects)) await new Promise((r) => setTimeout(r, 2));
    expect(finished, 'the add finished before a gc could run beside it').toBe(false);
    adding.child.kill('SIGSTOP');
    const paused = troveJson<{ removed: Array<{ key: string }>; young: number }>(['gc'], { cwd });
    adding.child.kill('SIGCONT');
    // gc did see the add's objects before they were referenced, and kept them for their age.
    expect(paused.young).toBeGreaterThan(0);
    const removed = paused.removed.map((x) => x.key);
    let rounds = 0;
    while (!finished || rounds === 0) {
      const r = troveJson<{ removed: Array<{ key: string }>; young: number }>(['gc'], { cwd });
      removed.push(...r.removed.map((x) => x.key));
      rounds++;
      await new Promise((resolve) => setTimeout(resolve, 50)); // lets the add's exit be seen
    }
    const added = await adding.done;
    expect(added.code, added.stderr).toBe(0);
    expect(removed).toEqual([]);
    const result = await audit(cwd, {}, localView(join(cwd, '.trove')));
    expect(result).toMatchObject({ corrupt: 0, tornRecords: 0, danglingPointers: 0 });
    expect(result.leftovers).toEqual([]);
    const ls = troveJson<Array<{ path: string; nfiles: number }>>(['ls'], { cwd });
    expect(ls).toEqual([expect.objectContaining({ path: 'outputs/big', nfiles: 3000 })]);
  });
});

/** An object is in the store: a file of its final name (not a `.trove-tmp-…` file beside it). */
function hasObject(objects: string): boolean {
  try {
    return readdirSync(objects).some((dir) =>
      readdirSync(join(objects, dir)).some((name) => !name.startsWith('.trove-tmp-')),
    );
  } catch {
    return false;
  }
}
