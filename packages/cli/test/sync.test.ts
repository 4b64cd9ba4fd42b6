import { createHash, randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore, type SyncSummary } from '@trove/core';
import { tempDir } from '@trove/test-utils';
import { createContainer } from '@trove/test-utils/azurite';
import { createGcsBucket } from '@trove/test-utils/gcs';
import { createBucket, MOTO_ENV } from '@trove/test-utils/moto';
import { describe, expect, it } from 'vitest';
import { spawnTrove } from './audit.js';
import { type CloudEmulators, useCloudEmulators } from './cloud-emulators.js';
import { trove, troveJson } from './helpers.js';

let emulators: CloudEmulators;
useCloudEmulators((started) => {
  emulators = started;
});

type Summary = SyncSummary;

/** A project that logs to its embedded store and names `team` (given as flow YAML) its remote. */
function project(team: string, label: string): string {
  const cwd = tempDir(`trove-sync-${label}-`);
  expect(trove(['init'], { cwd }).code).toBe(0);
  writeFileSync(join(cwd, 'trove.yaml'), `remote: team\nstores:\n  team: ${team}\n`);
  return cwd;
}

/** Logs a file and a folder of fresh content and registers the file as a version of `clf`. */
function logSome(cwd: string, tag: string, env: NodeJS.ProcessEnv = {}, size = 200_000) {
  writeFileSync(join(cwd, `model-${tag}.bin`), randomBytes(size));
  mkdirSync(join(cwd, `data-${tag}`));
  for (let i = 0; i < 40; i++)
    writeFileSync(
      join(cwd, `data-${tag}`, `f${i}`),
      `${tag} ${i} ${randomBytes(8).toString('hex')}`,
    );
  const added = troveJson<{ run: string; artifact: { path: string } }>(
    ['add', `model-${tag}.bin`],
    {
      cwd,
      env,
    },
  );
  const file = { run: added.run, path: added.artifact.path };
  troveJson(['add', `data-${tag}`], { cwd, env });
  const reg = trove(['models', 'register', `runs:/${file.run}/${file.path}`, 'clf'], { cwd, env });
  expect(reg.code, reg.stderr).toBe(0);
  return file;
}

function runIds(cwd: string, env: NodeJS.ProcessEnv, store?: string): string[] {
  const args = [...(store ? ['--store', store] : []), 'runs', 'ls'];
  return troveJson<Array<{ id?: string; run_id?: string }>>(args, { cwd, env })
    .map((r) => (r.run_id ?? r.id) as string)
    .sort();
}

function versions(cwd: string, env: NodeJS.ProcessEnv, store?: string): string[] {
  const args = [...(store ? ['--store', store] : []), 'models', 'show', 'clf'];
  const shown = troveJson<{ versions: Array<{ md5: string }> }>(args, { cwd, env });
  return shown.versions.map((v) => v.md5).sort();
}

/** Every object under `files/md5/` of the store holds bytes with its md5: none half-written. */
async function objectsWhole(cwd: string, store: string, env: NodeJS.ProcessEnv): Promise<number> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const s = await openStore({ cwd, store });
  try {
    let count = 0;
    const prefix = `${s.objects.prefix ? `${s.objects.prefix}/` : ''}files/md5/`;
    for await (const e of s.objects.backend.list(prefix)) {
      const md5 = e.key
        .slice(prefix.length)
        .replace('/', '')
        .replace(/\.dir$/, '');
      const hash = createHash('md5');
      for await (const chunk of (await s.objects.backend.read(e.key)).body) hash.update(chunk);
      expect(hash.digest('hex'), e.key).toBe(md5);
      count++;
    }
    return count;
  } finally {
    await s.close();
    process.env = saved;
  }
}

describe('trove push, pull and sync', () => {
  it('an offline project pushes with a bare `trove push`; another machine pulls and gets the same bytes', async () => {
    const bucket = tempDir('trove-sync-bucket-');
    const team = `{ type: local, path: "${bucket}" }`;
    const a = project(team, 'a');
    const file = logSome(a, 'one');

    const plan = troveJson<Summary>(['push', '--dry-run'], { cwd: a });
    // The file, 40 files and their manifest.
    expect(plan).toMatchObject({ dryRun: true, objects: 42, runs: 2, models: 1, skipped: 0 });
    expect(readdirSync(bucket)).toEqual([]);
    const pushed = troveJson<Summary>(['push'], { cwd: a });
    expect(pushed).toMatchObject({ dryRun: false, objects: 42, bytes: plan.bytes, runs: 2 });
    expect(troveJson<Summary>(['push'], { cwd: a })).toMatchObject({
      objects: 0,
      bytes: 0,
      skipped: 42,
      runs: 0,
      models: 0,
    });
    // An object removed by hand is not seen by a push that trusts its marks; `--full` sends it.
    const objects = join(bucket, 'files/md5');
    const [xx] = readdirSync(objects).sort();
    const [rest] = readdirSync(join(objects, xx as string)).sort();
    rmSync(join(objects, xx as string, rest as string));
    expect(troveJson<Summary>(['push'], { cwd: a })).toMatchObject({ objects: 0, skipped: 42 });
    expect(troveJson<Summary>(['push', '--full'], { cwd: a })).toMatchObject({
      objects: 1,
      skipped: 41,
    });
    expect(existsSync(join(objects, xx as string, rest as string))).toBe(true);

    const b = project(team, 'b');
    expect(troveJson<Summary>(['pull'], { cwd: b })).toMatchObject({ objects: 42, runs: 2 });
    expect(trove(['get', `runs:/${file.run}/${file.path}`, '-o', 'got.bin'], { cwd: b }).code).toBe(
      0,
    );
    expect(readFileSync(join(b, 'got.bin'))).toEqual(readFileSync(join(a, 'model-one.bin')));
    expect(runIds(b, {})).toEqual(runIds(a, {}));
    expect(versions(b, {})).toEqual(versions(a, {}));
    const verify = troveJson<{ problems: unknown[] }>(['--store', 'team', 'verify'], { cwd: a });
    expect(verify.problems).toEqual([]);
    // `trove sync A B` names both stores; selective: one run by id.
    const c = tempDir('trove-sync-c-');
    writeFileSync(
      join(a, 'trove.yaml'),
      `remote: team\nstores:\n  team: ${team}\n  other: { type: local, path: "${c}" }\n`,
    );
    const one = troveJson<Summary>(['sync', 'team', 'other', file.run], { cwd: a });
    expect(one).toMatchObject({ objects: 1, runs: 1, models: 0 });
    expect(runIds(a, {}, 'other')).toEqual([file.run]);
  });

  it('bad input is one error before the first write', () => {
    const bucket = tempDir('trove-sync-bad-');
    const a = project(`{ type: local, path: "${bucket}" }`, 'bad');
    logSome(a, 'x');
    const cases: Array<[string[], number]> = [
      [['push', 'ffffffffffff'], 3],
      [['push', 'runs:/0123456789abcdef/outputs/none'], 3],
      [['push', 'params.lr >'], 4],
      [['push', '--to', 'nope'], 5],
      [['sync', 'default', 'default'], 4],
    ];
    for (const [args, code] of cases) {
      const r = trove([...args, '--json'], { cwd: a });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(code);
      expect(JSON.parse(r.stdout).error.code).toMatch(/^[A-Z_]+$/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(readdirSync(bucket)).toEqual([]);
    writeFileSync(join(a, 'trove.yaml'), 'stores: {}\n');
    expect(trove(['pull'], { cwd: a }).code).toBe(4);
    writeFileSync(join(a, 'trove.yaml'), 'remote: nope\nstores: {}\n');
    const r = trove(['push', '--json'], { cwd: a });
    expect(r.code).toBe(5);
    expect(JSON.parse(r.stdout).error.code).toBe('INVALID_CONFIG');
    // A remote nothing answers at: one error, and the project's store gets no sync id either.
    writeFileSync(
      join(a, 'trove.yaml'),
      'remote: gone\nstores:\n  gone: { type: s3, bucket: gone, endpoint: "http://127.0.0.1:9" }\n',
    );
    const env = { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' };
    const unreachable = trove(['push', '--json'], { cwd: a, env });
    expect(JSON.parse(unreachable.stdout).error.code).toBe('UNAVAILABLE');
    expect(unreachable.stderr).not.toMatch(/\n\s+at /);
    const written = readdirSync(join(a, '.trove'), { recursive: true }) as string[];
    expect(written.filter((rel) => rel.split('/').includes('sync'))).toEqual([]);
  });
});

/**
 * `trials` pushes killed at random moments (after one that runs whole and times a push here),
 * each with new content logged first; then one push to the end.
 */
/**
 * Pushes, killed at a random moment, until `trials` pushes were killed (at most three times as
 * many attempts). A push that ends first teaches the next draw: the moment is drawn below the
 * shortest whole push seen, so a first push slowed by a cold emulator cannot make every later
 * draw land after the push is over.
 */
async function killTrials(cwd: string, env: NodeJS.ProcessEnv, trials: number, size: number) {
  let took: number | undefined;
  let killed = 0;
  let t = 0;
  for (; killed < trials && t < trials * 3; t++) {
    logSome(cwd, `t${t}`, env, size);
    const started = Date.now();
    const { child, done } = spawnTrove(['push'], { cwd, env });
    const timer =
      took === undefined
        ? undefined
        : setTimeout(
            () => child.kill('SIGKILL'),
            randomInt(Math.floor(took / 10), Math.ceil((took * 9) / 10)),
          );
    const r = await done;
    clearTimeout(timer);
    if (r.signal === 'SIGKILL') killed++;
    else {
      expect(r.code, r.stderr).toBe(0);
      took = Math.min(took ?? Number.POSITIVE_INFINITY, Math.max(50, Date.now() - started));
    }
  }
  console.log(`[sync kill] ${t} pushes, ${killed} killed; shortest whole push ${took} ms`);
  return killed;
}

async function expectComplete(cwd: string, env: NodeJS.ProcessEnv, source?: string) {
  const plan = troveJson<Summary>(['push', '--dry-run'], { cwd, env });
  const last = troveJson<Summary>(['push'], { cwd, env });
  // The re-run sends only what is missing, then nothing is.
  expect(last.objects).toBe(plan.objects);
  expect(troveJson<Summary>(['push'], { cwd, env })).toMatchObject({
    objects: 0,
    runs: 0,
    models: 0,
  });
  const verify = troveJson<{ problems: unknown[]; runs: number }>(['--store', 'team', 'verify'], {
    cwd,
    env,
  });
  expect(verify.problems).toEqual([]);
  expect(runIds(cwd, env, 'team')).toEqual(runIds(cwd, env, source));
  expect(versions(cwd, env, 'team')).toEqual(versions(cwd, env, source));
  expect(await objectsWhole(cwd, 'team', env)).toBeGreaterThan(0);
}

describe('kill -9 during trove push, then the same push again', () => {
  it('local → S3 (moto): 4 trials; verify clean, every run and version there, no object half-written', async () => {
    const bucket = await createBucket(emulators.moto.url, 'sync-kill');
    const cwd = project(
      `{ type: s3, bucket: ${bucket}, endpoint: "${emulators.moto.url}", forcePathStyle: true, prefix: trove, partSize: 5242880 }`,
      'kill-s3',
    );
    expect(await killTrials(cwd, MOTO_ENV, 4, 12 * 1024 * 1024)).toBeGreaterThanOrEqual(2);
    await expectComplete(cwd, MOTO_ENV);
  });

  it('GCS (fake-gcs-server) → Azure (Azurite): 4 trials', async () => {
    const gcs = await createGcsBucket(emulators.fake.url, 'sync-kill');
    const container = await createContainer(emulators.azurite.connectionString, 'sync-kill');
    const env = { AZURE_STORAGE_CONNECTION_STRING: emulators.azurite.connectionString };
    const cwd = tempDir('trove-sync-kill-gcs-');
    expect(trove(['init'], { cwd }).code).toBe(0);
    writeFileSync(
      join(cwd, 'trove.yaml'),
      `store: gcs\nremote: team\nstores:\n  gcs: { type: gcs, bucket: ${gcs}, apiEndpoint: "${emulators.fake.url}", projectId: test, prefix: trove }\n  team: { type: azure, container: ${container}, prefix: trove }\n`,
    );
    expect(await killTrials(cwd, env, 4, 3 * 1024 * 1024)).toBeGreaterThanOrEqual(2);
    await expectComplete(cwd, env, 'gcs');
    expect(existsSync(cwd)).toBe(true);
  });
});
