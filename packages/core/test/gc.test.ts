import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTroveError } from '../src/errors.js';
import { buildDirManifest } from '../src/hash/dir-manifest.js';
import { gc } from '../src/record/gc.js';
import { GcFence, pruneGcLog, readGcLog } from '../src/record/gc-log.js';
import { openStore } from '../src/record/open-store.js';
import type { Store } from '../src/record/store.js';
import { addArtifact } from '../src/run/add-artifact.js';
import { startRun } from '../src/run/start-run.js';
import { ensureStored } from '../src/store/ensure-stored.js';
import { memoryStore, tempDir } from './helpers.js';

const DAY = 24 * 60 * 60 * 1000;

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

/** Sets the mtime of every file under `dir` to `ms` ago (what time does to a store). */
function age(dir: string, ms: number): void {
  if (!existsSync(dir)) return;
  const when = new Date(Date.now() - ms);
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) age(path, ms);
    else utimesSync(path, when, when);
  }
}

/** A project with a local store holding a logged file, a logged directory and orphans. */
async function project() {
  const cwd = tempDir();
  mkdirSync(join(cwd, '.trove'));
  writeFileSync(join(cwd, 'model.pt'), 'weights');
  mkdirSync(join(cwd, 'data'));
  writeFileSync(join(cwd, 'data/a.txt'), 'a');
  writeFileSync(join(cwd, 'data/b.txt'), 'bb');
  const store = await openStore({ cwd });
  const model = (await addArtifact('model.pt', { cwd, store, dvcyaml: false })).artifact;
  const data = (await addArtifact('data', { cwd, store, dvcyaml: false })).artifact;
  // Orphans: a crashed directory add (files and its manifest), a stray file, a staging leftover.
  const orphanFiles = ['orphan one', 'orphan two'];
  for (const text of orphanFiles) await store.objects.addBytes(md5(text), Buffer.from(text));
  const manifest = buildDirManifest(
    orphanFiles.map((t, i) => ({ md5: md5(t), relpath: `f${i}` })),
    20,
  );
  await store.objects.addManifest(manifest);
  await store.objects.addBytes(md5('stray'), Buffer.from('stray'));
  await store.objects.backend.write('files/staging/0b6c6d1e-crashed', 'half a copy');
  return { cwd, store, model, data, orphanManifest: manifest.md5 };
}

async function objectKeys(store: Store): Promise<string[]> {
  const keys: string[] = [];
  for await (const e of store.objects.backend.list('files/')) keys.push(e.key);
  return keys.sort();
}

describe('gc', () => {
  it('removes unreferenced objects, manifests first, and staging leftovers; keeps what runs refer to', async () => {
    const { cwd, store, model, data, orphanManifest } = await project();
    try {
      const before = await objectKeys(store);
      // Within the default grace period (a day) nothing goes.
      const fresh = await gc(store, { cwd });
      expect(fresh.removed).toEqual([]);
      expect(fresh.young).toBe(4);

      age(join(cwd, '.trove', 'files'), 2 * DAY);
      const dry = await gc(store, { cwd, dryRun: true });
      expect(await objectKeys(store)).toEqual(before);
      expect(dry.dryRun).toBe(true);
      expect(dry.removed.map((r) => r.kind)).toEqual([
        'manifest',
        'object',
        'object',
        'object',
        'staging',
      ]);
      expect(dry.removed[0]?.key).toBe(store.objects.key(orphanManifest));
      expect(dry.removed.filter((r) => r.kind === 'object').map((r) => r.key)).toEqual(
        ['orphan one', 'orphan two', 'stray'].map((t) => store.objects.key(md5(t))).sort(),
      );
      expect(dry.bytes).toBe(dry.removed.reduce((n, r) => n + r.size, 0));
      expect(dry.bytes).toBeGreaterThan(10 + 5 + 11);

      const done = await gc(store, { cwd });
      expect(done.removed).toEqual(dry.removed);
      expect(await objectKeys(store)).toEqual(
        [model.md5, data.md5, md5('a'), md5('bb')].map((m) => store.objects.key(m)).sort(),
      );
      expect(done.kept).toBe(4);
      // Nothing left to do.
      expect((await gc(store, { cwd, grace: 0 })).removed).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('a young manifest protects its old files; grace 0 removes both', async () => {
    const { cwd, store, orphanManifest } = await project();
    try {
      age(join(cwd, '.trove', 'files'), 2 * DAY);
      const manifestFile = join(cwd, '.trove', store.objects.key(orphanManifest));
      utimesSync(manifestFile, new Date(), new Date());
      const r = await gc(store, { cwd, dryRun: true });
      expect(r.removed.map((x) => x.key)).toEqual([
        store.objects.key(md5('stray')),
        'files/staging/0b6c6d1e-crashed',
      ]);
      const all = await gc(store, { cwd, grace: 0 });
      expect(all.removed.map((x) => x.kind)).toEqual([
        'manifest',
        'object',
        'object',
        'object',
        'staging',
      ]);
    } finally {
      await store.close();
    }
  });

  it('grace 0 is refused while a run is running (CONFLICT, nothing deleted) unless forced', async () => {
    const { cwd, store } = await project();
    const run = await startRun({ cwd, store, name: 'still going' });
    try {
      const before = await objectKeys(store);
      const refused = await gc(store, { cwd, grace: 0 }).catch((e: unknown) => e);
      expect(isTroveError(refused, 'CONFLICT')).toBe(true);
      expect(await objectKeys(store)).toEqual(before);
      expect((await gc(store, { cwd, grace: 0, dryRun: true })).removed).toHaveLength(5);
      const forced = await gc(store, { cwd, grace: 0, force: true });
      expect(forced.removed).toHaveLength(5);
      expect(forced.restored).toBe(0);
      // Nothing is left in gc's quarantine; the log has the one gc that deleted, finished.
      expect((await objectKeys(store)).filter((k) => k.startsWith('files/gc/'))).toEqual([]);
      const log = await readGcLog(store);
      expect(log.entries.map((e) => e.done !== undefined)).toEqual([true]);
    } finally {
      await run.end();
      await store.close();
    }
  });

  it('the gc log keeps its last finished gc however old: an unchanged log means no gc since', async () => {
    const { cwd, store } = await project();
    try {
      await gc(store, { cwd, grace: 0 });
      await new Promise((r) => setTimeout(r, 20));
      await gc(store, { cwd, grace: 0 });
      const log = await readGcLog(store);
      const [first, second] = [...log.entries].sort(
        (x, y) => x.started.getTime() - y.started.getTime(),
      );
      expect(log.entries.every((e) => e.done)).toBe(true);
      expect(log.keys).toHaveLength(4);
      // A month later both are past the week entries are kept: only the last to finish stays.
      await pruneGcLog(store, log, Date.now() + 30 * 24 * 60 * 60 * 1000);
      const after = await readGcLog(store);
      expect(after.entries.map((e) => e.id)).toEqual([second?.id]);
      expect(after.keys).toEqual([second?.id, `${second?.id}.done`]);
      expect(first?.id).not.toBe(second?.id);
    } finally {
      await store.close();
    }
  });

  it('a writer that recorded while a gc ran finds it in the gc log and stores what gc removed again', async () => {
    const { cwd, store, orphanManifest } = await project();
    try {
      const fence = await GcFence.open(store);
      expect(await fence.crossed()).toBe(false);
      const entries = await store.objects.readManifest(orphanManifest);
      await gc(store, { cwd, grace: 0 });
      expect(await store.objects.has(orphanManifest)).toBe(false);
      expect(await fence.crossed()).toBe(true);
      // The writer's local copies of the orphan's files, as an add of that folder would have.
      const dir = tempDir();
      const files = ['orphan one', 'orphan two'].map((text, i) => {
        writeFileSync(join(dir, `f${i}`), text);
        return { path: join(dir, `f${i}`), md5: md5(text), size: text.length };
      });
      const manifest = buildDirManifest(entries, 20);
      expect(manifest.md5).toBe(orphanManifest);
      expect(await ensureStored(store.objects, orphanManifest, { files, manifest })).toBe(3);
      for (const m of [orphanManifest, ...files.map((f) => f.md5)])
        expect(await store.objects.has(m)).toBe(true);
      // Without local copies and with gc's quarantine gone, the writer fails: NOT_FOUND.
      await gc(store, { cwd, grace: 0 });
      const err = await ensureStored(store.objects, orphanManifest).catch((e: unknown) => e);
      expect(isTroveError(err, 'NOT_FOUND')).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('keeps what .dvc pointers, dvc.lock and registry documents refer to', async () => {
    const { cwd, store } = await project();
    try {
      mkdirSync(join(cwd, 'sub'));
      writeFileSync(
        join(cwd, 'sub', 'x.dvc'),
        `outs:\n- md5: ${md5('orphan one')}\n  size: 10\n  hash: md5\n  path: x\n`,
      );
      writeFileSync(
        join(cwd, 'dvc.lock'),
        `schema: '2.0'\nstages:\n  s:\n    outs:\n    - path: y\n      md5: ${md5('stray')}\n`,
      );
      // Pointers in skipped folders count for nothing.
      mkdirSync(join(cwd, 'node_modules'));
      writeFileSync(join(cwd, 'node_modules', 'z.dvc'), `outs:\n- md5: ${md5('orphan two')}\n`);
      const r = await gc(store, { cwd, grace: 0, dryRun: true });
      expect(r.removed.map((x) => x.key)).toEqual([
        expect.stringMatching(/\.dir$/),
        store.objects.key(md5('orphan two')),
        'files/staging/0b6c6d1e-crashed',
      ]);
      await store.meta.write(
        'registry/mymodel.json',
        JSON.stringify({ versions: [{ version: 1, md5: md5('orphan two') }] }),
      );
      const withRegistry = await gc(store, { cwd, grace: 0 });
      expect(withRegistry.removed.map((x) => x.kind)).toEqual(['manifest', 'staging']);
      expect(await store.objects.has(md5('orphan two'))).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('stops before deleting anything when a run record cannot be read', async () => {
    const { cwd, store } = await project();
    try {
      const [id] = await store.listRunIds();
      await store.meta.write(store.runKey(id as string, 'artifacts.json'), '{"broken":');
      const before = await objectKeys(store);
      const err = await gc(store, { cwd, grace: 0 }).catch((e: unknown) => e);
      expect(isTroveError(err, 'CORRUPT')).toBe(true);
      expect(await objectKeys(store)).toEqual(before);
    } finally {
      await store.close();
    }
  });

  it('refuses a bad grace period before touching the store', async () => {
    const store = memoryStore();
    for (const grace of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const err = await gc(store, { grace, cwd: false }).catch((e: unknown) => e);
      expect(isTroveError(err, 'INVALID_ARGUMENT')).toBe(true);
    }
  });

  it('inside a DVC repository, keeps what DVC files refer to in its cache', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, '.dvc'));
    writeFileSync(join(cwd, 'model.pt'), 'weights');
    const store = await openStore({ cwd });
    try {
      expect(store.objects.backend).not.toBe(store.meta);
      const { artifact } = await addArtifact('model.pt', { cwd, store, dvcyaml: false });
      // `dvc add` of a file trove never logged, and an object no DVC file mentions.
      await store.objects.addBytes(md5('dvc data'), Buffer.from('dvc data'));
      writeFileSync(join(cwd, 'other.dvc'), `outs:\n- md5: ${md5('dvc data')}\n  path: other\n`);
      await store.objects.addBytes(md5('nobody'), Buffer.from('nobody'));
      const r = await gc(store, { cwd, grace: 0 });
      expect(r.removed.map((x) => x.key)).toEqual([store.objects.key(md5('nobody'))]);
      expect(existsSync(join(cwd, '.dvc', 'cache', store.objects.key(artifact.md5)))).toBe(true);
      expect(existsSync(join(cwd, '.dvc', 'cache', store.objects.key(md5('dvc data'))))).toBe(true);
    } finally {
      await store.close();
    }
  });
});

describe('staging leftovers', () => {
  it('the next add of a file removes staging objects an hour old, not younger ones', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, '.trove'));
    const store = await openStore({ cwd });
    try {
      await store.objects.backend.write('files/staging/old', 'crashed long ago');
      await store.objects.backend.write('files/staging/new', 'another add in flight');
      age(join(cwd, '.trove', 'files', 'staging'), 2 * 60 * 60 * 1000);
      await store.objects.backend.write('files/staging/new', 'another add in flight');
      writeFileSync(join(cwd, 'model.pt'), 'weights');
      await addArtifact('model.pt', { cwd, store, dvcyaml: false });
      const left: string[] = [];
      for await (const e of store.objects.backend.list('files/staging/')) left.push(e.key);
      expect(left).toEqual(['files/staging/new']);
    } finally {
      await store.close();
    }
  });
});
