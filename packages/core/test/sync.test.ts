import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StorageBackend } from '../src/backend/contract.js';
import { MemoryBackend } from '../src/backend/memory-backend.js';
import { isTroveError } from '../src/errors.js';
import { gc } from '../src/record/gc.js';
import { Store } from '../src/record/store.js';
import { openRegistry } from '../src/refs/open-registry.js';
import { resumeRun, startRun } from '../src/run/start-run.js';
import { sync } from '../src/sync/sync.js';
import { searchRuns } from '../src/tables/search-runs.js';
import { localProject, memoryStore, storeKeys, tempDir } from './helpers.js';

/** A memory store whose backend counts its calls by method and keeps the prefixes it lists. */
function countedStore(name: string) {
  const calls: Record<string, number> = {};
  const lists: string[] = [];
  const backend = new MemoryBackend();
  const counted = new Proxy(backend, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls[String(prop)] = (calls[String(prop)] ?? 0) + 1;
        if (prop === 'list') lists.push(String(args[0]));
        return value.apply(target, args);
      };
    },
  }) as StorageBackend;
  return {
    store: new Store({ name, meta: counted }),
    calls,
    lists,
    /** Forgets the calls counted so far. */
    reset() {
      for (const k of Object.keys(calls)) delete calls[k];
      lists.length = 0;
    },
    /** Listings of the objects' folders since the last reset. */
    objectListings: () => lists.filter((p) => p.startsWith('files/md5/')),
  };
}

/** A project folder with a file, a folder and a run that logged both. */
async function loggedRun(store: Store, tag: string) {
  const cwd = tempDir();
  mkdirSync(join(cwd, '.trove'));
  mkdirSync(join(cwd, 'data'));
  writeFileSync(join(cwd, 'model.bin'), `weights ${tag}`);
  for (let i = 0; i < 5; i++) writeFileSync(join(cwd, 'data', `f${i}`), `${tag} row ${i}`);
  const run = await startRun({ cwd, store, dvcyaml: false, params: { lr: 0.1, tag } });
  const model = await run.logArtifact('model.bin', { type: 'model' });
  const data = await run.logArtifact('data', { type: 'dataset' });
  run.logMetric('loss', 0.5, { step: 1 });
  await run.end();
  return { cwd, run, model, data };
}

async function contents(store: Store): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const key of await storeKeys(store)) out[key] = await store.readText(key);
  return out;
}

describe('sync between two stores', () => {
  it('moves everything, then a second sync only lists', async () => {
    const a = countedStore('a');
    const b = countedStore('b');
    const { run, model, data } = await loggedRun(a.store, 'one');
    await openRegistry(a.store).registerModel(`runs:/${run.id}/${model.path}`, 'clf');

    const first = await sync(a.store, b.store);
    // model.bin, five files, the .dir manifest
    expect(first).toMatchObject({ objects: 7, skipped: 0, runs: 1, models: 1, dryRun: false });
    expect(first.bytes).toBeGreaterThan(0);
    expect(await b.store.objects.has(model.md5)).toBe(true);
    expect(await b.store.objects.has(data.md5)).toBe(true);
    expect(await b.store.readRun(run.id)).toEqual(await a.store.readRun(run.id));
    expect(await b.store.readArtifacts(run.id)).toEqual(await a.store.readArtifacts(run.id));
    const [events] = await b.store.listEventFiles(run.id, 'metric', 'loss');
    expect(events?.keys.length).toBe(1);
    expect((await openRegistry(b.store).getVersion('clf', 1)).md5).toBe(model.md5);
    // The target's tables hold the run that arrived.
    expect(
      (await searchRuns(b.store, { filter: 'params.tag = "one"' })).map((r) => r.run_id),
    ).toEqual([run.id]);

    a.reset();
    b.reset();
    const second = await sync(a.store, b.store);
    expect(second).toMatchObject({ objects: 0, bytes: 0, skipped: 7, runs: 0, models: 0 });
    expect(Object.keys(a.calls)).toEqual(['list']);
    expect(Object.keys(b.calls)).toEqual(['list']);
    // The source's objects are listed; the target's are vouched for by the first sync's marks.
    expect(a.objectListings()).toHaveLength(256);
    expect(b.objectListings()).toEqual([]);
  });

  it('lists the objects of the target again after a gc there, or when asked (`full`), and sends what is gone', async () => {
    const a = countedStore('a');
    const b = countedStore('b');
    const { model } = await loggedRun(a.store, 'gone');
    expect(await sync(a.store, b.store)).toMatchObject({ objects: 7, skipped: 0 });
    const modelKey = b.store.objects.key(model.md5);

    // Removed by hand, not by a gc: a sync trusting its marks does not look; `full` does.
    await b.store.objects.backend.delete(modelKey);
    b.reset();
    expect(await sync(a.store, b.store)).toMatchObject({ objects: 0, skipped: 7 });
    expect(b.objectListings()).toEqual([]);
    expect(await sync(a.store, b.store, [], { full: true })).toMatchObject({
      objects: 1,
      skipped: 6,
    });
    expect(b.objectListings()).toHaveLength(256);
    expect(await b.store.objects.has(model.md5)).toBe(true);

    // Gone, and a gc ran on the target (it logs itself): the marks no longer vouch for anything.
    await b.store.objects.backend.delete(modelKey);
    await gc(b.store, { cwd: false, grace: 0 });
    b.reset();
    expect(await sync(a.store, b.store)).toMatchObject({ objects: 1, skipped: 6 });
    expect(b.objectListings()).toHaveLength(256);
    expect(await b.store.objects.has(model.md5)).toBe(true);
    // That sync marked the objects anew, against the log as it is now.
    b.reset();
    expect(await sync(a.store, b.store)).toMatchObject({ objects: 0, skipped: 7 });
    expect(b.objectListings()).toEqual([]);
  });

  it('an object damaged in the source is refused on arrival (CORRUPT), as files or streamed', async () => {
    // local → local goes through the target's writeMany, local → memory streams each object.
    for (const kind of ['local', 'memory'] as const) {
      const a = await localProject();
      const { run, model } = await loggedRun(a.store, `bad ${kind}`);
      const path = a.store.objects.backend.pathOf?.(a.store.objects.key(model.md5)) as string;
      chmodSync(path, 0o644);
      writeFileSync(path, 'not the weights');
      const b = kind === 'local' ? (await localProject()).store : memoryStore();
      try {
        const err = await sync(a.store, b).catch((e: unknown) => e);
        expect(isTroveError(err, 'CORRUPT'), `${kind}: ${String(err)}`).toBe(true);
        expect(await b.objects.has(model.md5)).toBe(false);
        // Records only ever follow their objects: the run is not there.
        expect((await storeKeys(b)).filter((k) => k.includes(run.id))).toEqual([]);
      } finally {
        await a.store.close();
        await b.close();
      }
    }
  });

  it('a dry run says what and how many bytes, and writes nothing', async () => {
    const a = countedStore('a');
    const b = countedStore('b');
    const { model } = await loggedRun(a.store, 'dry');
    const before = await contents(b.store);
    const plan = await sync(a.store, b.store, [], { dryRun: true });
    expect(plan).toMatchObject({ dryRun: true, objects: 7, runs: 1 });
    expect(await b.store.objects.has(model.md5)).toBe(false);
    expect(await contents(b.store)).toEqual(before);
    expect(b.calls.write ?? 0).toBe(0);
    // The files' bytes and the manifest's: what the real sync then sends.
    expect(plan.bytes).toBeGreaterThan('weights dry'.length + 5 * 'dry row 0'.length);
    const real = await sync(a.store, b.store);
    expect(real).toMatchObject({ dryRun: false, objects: 7, bytes: plan.bytes });
  });

  it('moves only what a run id, a filter or a reference names', async () => {
    const a = countedStore('a');
    const b = countedStore('b');
    const one = await loggedRun(a.store, 'one');
    const two = await loggedRun(a.store, 'two');
    const byId = await sync(a.store, b.store, [one.run.id]);
    expect(byId.runs).toBe(1);
    expect(await b.store.listRunIds()).toEqual([one.run.id]);
    expect(await b.store.objects.has(two.model.md5)).toBe(false);

    const byFilter = await sync(a.store, b.store, ['params.tag = "two"']);
    expect(byFilter.runs).toBe(1);
    expect((await b.store.listRunIds()).sort()).toEqual([one.run.id, two.run.id].sort());

    const c = countedStore('c');
    await sync(a.store, c.store, [`runs:/${two.run.id}/${two.data.path}`]);
    expect(await c.store.listRunIds()).toEqual([two.run.id]);
    expect(await c.store.objects.has(two.data.md5)).toBe(true);
    expect(await c.store.objects.has(one.data.md5)).toBe(false);
  });

  it('refuses a word that names nothing before the first write', async () => {
    const a = countedStore('a');
    const b = countedStore('b');
    await loggedRun(a.store, 'x');
    const before = await contents(b.store);
    for (const what of [['ffffffff'], ['runs:/nope/x'], ['no-such-artifact'], ['params.lr >']]) {
      const err = await sync(a.store, b.store, what).catch((e: unknown) => e);
      expect(isTroveError(err)).toBe(true);
      expect(['NOT_FOUND', 'INVALID_FILTER', 'INVALID_ARGUMENT']).toContain(
        (err as { code: string }).code,
      );
    }
    expect(await contents(b.store)).toEqual(before);
    expect(b.calls.write ?? 0).toBe(0);
  });

  it('merges a run logged on both sides: every entry is kept', async () => {
    const a = countedStore('a');
    const b = countedStore('b');
    const { cwd, run } = await loggedRun(a.store, 'shared');
    await sync(a.store, b.store);
    // Each side adds to the same run on its own.
    const addOn = async (store: Store, side: 'a' | 'b', step: number) => {
      writeFileSync(join(cwd, `extra-${side}.txt`), `from ${side}`);
      const resumed = await resumeRun(run.id, { cwd, store, dvcyaml: false });
      resumed.logParams({ [`only${side.toUpperCase()}`]: step - 1 });
      await resumed.logArtifact(`extra-${side}.txt`);
      resumed.logMetric('loss', 0.6 - step / 10, { step });
      await resumed.end();
    };
    await addOn(a.store, 'a', 2);
    await addOn(b.store, 'b', 3);

    await sync(a.store, b.store);
    await sync(b.store, a.store);
    for (const s of [a.store, b.store]) {
      const record = await s.readRun(run.id);
      expect(record.params).toMatchObject({ lr: 0.1, tag: 'shared', onlyA: 1, onlyB: 2 });
      const paths = Object.keys(await s.readArtifacts(run.id)).sort();
      expect(paths).toEqual(
        ['outputs/data', 'outputs/extra-a.txt', 'outputs/extra-b.txt', 'outputs/model.bin'].sort(),
      );
      const [loss] = await s.listEventFiles(run.id, 'metric', 'loss');
      expect(loss?.keys.length).toBe(3);
    }
    // Synced both ways, the sides hold the same: nothing more is written.
    const before = await contents(b.store);
    expect(await sync(a.store, b.store)).toMatchObject({ objects: 0, runs: 0 });
    const after = await contents(b.store);
    const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
    expect(changed.filter((k) => !k.startsWith('sync/'))).toEqual([]);
  });
});

describe('the registry merge rule', () => {
  it('two stores with their own registrations of one model lose no version, both ways', async () => {
    const a = countedStore('a');
    const b = countedStore('b');
    const ra = await loggedRun(a.store, 'a');
    const rb = await loggedRun(b.store, 'b');
    const regA = openRegistry(a.store);
    const regB = openRegistry(b.store);
    await regA.registerModel(`runs:/${ra.run.id}/${ra.model.path}`, 'clf'); // a:1
    await regA.registerModel(`runs:/${ra.run.id}/${ra.data.path}`, 'clf'); // a:2
    await regA.setAlias('clf', 'champion', 2);
    await regB.registerModel(`runs:/${rb.run.id}/${rb.model.path}`, 'clf'); // b:1
    await regB.setAlias('clf', 'champion', 1);
    await regB.setAlias('clf', 'staging', 1);

    await sync(a.store, b.store);
    const onB = await regB.searchVersions({ name: 'clf' });
    // b:1 kept; a:1 collides and is appended as 3 (a:2 keeps its number 2, never used on b).
    expect(onB.map((v) => [v.version, v.md5, v.origin?.version]).sort()).toEqual(
      [
        [1, rb.model.md5, undefined],
        [2, ra.data.md5, undefined],
        [3, ra.model.md5, 1],
      ].sort(),
    );
    // b's champion is b's own: it stays.
    expect((await regB.getModel('clf')).aliases).toEqual({ champion: 1, staging: 1 });

    await sync(b.store, a.store);
    const onA = await regA.searchVersions({ name: 'clf' });
    expect(onA.map((v) => [v.version, v.md5]).sort()).toEqual(
      [
        [1, ra.model.md5],
        [2, ra.data.md5],
        [3, rb.model.md5],
      ].sort(),
    );
    // a's champion stays a's; staging, unknown on a, arrives on b's version (3 on a).
    expect((await regA.getModel('clf')).aliases).toEqual({ champion: 2, staging: 3 });

    // An alias received from a source follows it while the target does not move it.
    await regA.setAlias('clf', 'prod', 1);
    await sync(a.store, b.store);
    expect((await regB.getModel('clf')).aliases.prod).toBe(3);
    await regA.setAlias('clf', 'prod', 2);
    await sync(a.store, b.store);
    expect((await regB.getModel('clf')).aliases.prod).toBe(2);
    // One the target moved since stays where the target put it.
    await regB.setAlias('clf', 'prod', 1);
    await regA.setAlias('clf', 'prod', 1);
    await sync(a.store, b.store);
    expect((await regB.getModel('clf')).aliases.prod).toBe(1);
    // Synced again both ways, no version is added twice.
    await sync(b.store, a.store);
    await sync(a.store, b.store);
    expect((await regA.searchVersions({ name: 'clf' })).length).toBe(3);
    expect((await regB.searchVersions({ name: 'clf' })).length).toBe(3);
  });
});
