import { copyFileSync, existsSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StorageBackend } from '../src/backend/contract.js';
import { MemoryBackend } from '../src/backend/memory-backend.js';
import { isTroveError } from '../src/errors.js';
import { openStore } from '../src/record/open-store.js';
import { Store } from '../src/record/store.js';
import { openRegistry } from '../src/refs/open-registry.js';
import { startRun } from '../src/run/start-run.js';
import { listBacklog, markBacklog } from '../src/tables/backlog.js';
import type { TableName } from '../src/tables/columns.js';
import { commitRuns } from '../src/tables/commit-runs.js';
import { gc } from '../src/tables/gc-tables.js';
import { indexStore } from '../src/tables/index-store.js';
import { searchRuns } from '../src/tables/search-runs.js';
import { sql } from '../src/tables/sql.js';
import { openTroveTable } from '../src/tables/tables.js';
import { localProject, memoryStore, tempDir } from './helpers.js';

beforeAll(() => {
  process.env.TROVE_CACHE_DIR = join(tempDir(), 'cache');
});

/** Logs a finished run with params and a metric series; returns its id. */
async function logRun(
  store: Store,
  cwd: string,
  name: string,
  lr: number,
  acc: readonly number[],
  tags: Record<string, string> = {},
): Promise<string> {
  const run = await startRun({ store, cwd, name, params: { lr, layers: 3 }, tags });
  for (const [step, value] of acc.entries()) run.logMetric('acc', value, { step });
  await run.end();
  return run.id;
}

async function committedRows(store: Store, table: TableName) {
  const t = openTroveTable(store, table);
  return t.delta.readAll(await t.delta.snapshot());
}

describe('tables kept by the writers', () => {
  it('a run that ends commits its row and metric values, and clears its backlog marker', async () => {
    const { cwd, store } = await localProject();
    const id = await logRun(store, cwd, 'first', 0.01, [0.5, 0.75, 0.9], { team: 'cv' });
    expect(await listBacklog(store)).toEqual([]);
    const runs = await committedRows(store, 'runs');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      run_id: id,
      name: 'first',
      status: 'completed',
      params: { lr: '0.01', layers: '3' },
      metrics: { acc: 0.9 },
      tags: { team: 'cv' },
    });
    const metrics = await committedRows(store, 'metrics');
    expect(metrics.map((m) => [m.run_id, m.name, Number(m.step), m.value])).toEqual([
      [id, 'acc', 0, 0.5],
      [id, 'acc', 1, 0.75],
      [id, 'acc', 2, 0.9],
    ]);
  });

  it('a running run commits its metric values in batches; its end leaves each value once', async () => {
    const { cwd, store } = await localProject();
    await logRun(store, cwd, 'seed', 0.1, [0.5]); // the tables exist
    const run = await startRun({ store, cwd, name: 'long' });
    for (let step = 0; step < 25_000; step++) run.logMetric('loss', 1 / (step + 1), { step });
    await run.flush();
    const mine = async () =>
      (await committedRows(store, 'metrics')).filter((r) => r.run_id === run.id).length;
    // Saved rows go out in the background as a batch once 10,000 or more wait: here all of them.
    for (let i = 0; i < 300 && (await mine()) < 25_000; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await mine()).toBe(25_000);
    expect((await committedRows(store, 'runs')).map((r) => r.name)).toEqual(['seed']);
    await run.end();
    const rows = (await committedRows(store, 'metrics')).filter((r) => r.run_id === run.id);
    expect(rows).toHaveLength(25_000);
    expect(new Set(rows.map((r) => Number(r.step))).size).toBe(25_000);
  });

  it('a run of 150,000 metric values commits them all (more than one call can spread)', async () => {
    const { cwd, store } = await localProject();
    await logRun(store, cwd, 'seed', 0.1, [0.5]);
    const run = await startRun({ store, cwd, name: 'longer' });
    for (let step = 0; step < 150_000; step++) run.logMetric('loss', step, { step });
    await run.end();
    await commitRuns(store, [run.id]);
    const rows = (await committedRows(store, 'metrics')).filter((r) => r.run_id === run.id);
    expect(rows).toHaveLength(150_000);
  });

  it('committing a run again leaves one set of rows for it (after a lost answer, by two writers)', async () => {
    const { cwd, store } = await localProject();
    const id = await logRun(store, cwd, 'again', 0.1, [0.1, 0.2]);
    await commitRuns(store, [id]);
    await Promise.all([commitRuns(store, [id]), commitRuns(store, [id])]);
    expect((await committedRows(store, 'runs')).map((r) => r.run_id)).toEqual([id]);
    expect(await committedRows(store, 'metrics')).toHaveLength(2);
  });

  it('an index that read a run before its writer ended never commits that older state over the final one', async () => {
    const cwd = tempDir();
    const backend = new MemoryBackend();
    const writer = new Store({ name: 'mem', meta: backend });
    await logRun(writer, cwd, 'seed', 0.5, [0.5]);
    const run = await startRun({ store: writer, cwd, name: 'racing', params: { lr: 0.1 } });
    run.logMetric('acc', 0.5, { step: 0 });
    await run.flush();
    // The indexer's store stops at its first commit of the runs table, after reading the run
    // (still running), until the writer has ended the run and committed its final rows.
    let reached = () => {};
    const atGate = new Promise<void>((r) => {
      reached = r;
    });
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let held = false;
    const paused = new Proxy(backend, {
      get(target, prop) {
        if (prop === 'write') {
          return async (...args: Parameters<StorageBackend['write']>) => {
            if (!held && /tables\/runs\/_delta_log\/\d+\.json$/.test(args[0])) {
              held = true;
              reached();
              await gate;
            }
            return target.write(...args);
          };
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const indexing = indexStore(new Store({ name: 'mem', meta: paused }));
    await atGate;
    run.logMetric('acc', 0.9, { step: 1 });
    await run.end();
    release();
    await indexing;
    const row = (await committedRows(writer, 'runs')).find((r) => r.run_id === run.id);
    expect(row).toMatchObject({ status: 'completed', metrics: { acc: 0.9 } });
    const values = (await committedRows(writer, 'metrics'))
      .filter((m) => m.run_id === run.id)
      .map((m) => m.value);
    expect(values).toEqual([0.5, 0.9]);
  });

  it('runs started at once in a new store: the first to end makes the tables, the rest commit into them', async () => {
    const { cwd, store } = await localProject();
    const runs = await Promise.all(['x', 'y', 'z'].map((name) => startRun({ store, cwd, name })));
    for (const run of runs) await run.end();
    expect((await committedRows(store, 'runs')).map((r) => r.name).sort()).toEqual(['x', 'y', 'z']);
    expect(await listBacklog(store)).toEqual([]);
  });

  it('the run that makes the tables commits the finished runs that could not (their .done markers)', async () => {
    const { cwd, store: first } = await localProject();
    const old = await logRun(first, cwd, 'old', 0.1, [0.5]);
    rmSync(join(cwd, '.trove', 'tables'), { recursive: true });
    const store = await openStore({ cwd });
    // `old` has no marker: a run from before the tables, so `a` may not make them.
    const a = await logRun(store, cwd, 'a', 0.2, [0.6]);
    expect((await listBacklog(store)).map((m) => [m.runId, m.done])).toEqual([[a, true]]);
    rmSync(join(cwd, '.trove', 'runs', old), { recursive: true });
    // Now every run is one the backlog names: `b` makes the tables and takes `a` along.
    const b = await logRun(store, cwd, 'b', 0.3, [0.7]);
    expect((await committedRows(store, 'runs')).map((r) => r.run_id).sort()).toEqual([a, b].sort());
    expect(await listBacklog(store)).toEqual([]);
  });

  it('runs ending at once each commit exactly one row', async () => {
    const { cwd, store } = await localProject();
    await logRun(store, cwd, 'seed', 0.5, [0.5]);
    const ids = await Promise.all(
      Array.from({ length: 12 }, (_, i) => logRun(store, cwd, `r${i}`, i / 100, [i / 12])),
    );
    const rows = await committedRows(store, 'runs');
    expect(rows).toHaveLength(13);
    expect(new Set(rows.map((r) => r.run_id))).toEqual(
      new Set([...ids, rows[0]?.run_id].filter(Boolean)),
    );
    expect(await listBacklog(store)).toEqual([]);
  });
});

describe('searchRuns', () => {
  it('filters and orders in MLflow grammar, with or and parentheses', async () => {
    const { cwd, store } = await localProject();
    const a = await logRun(store, cwd, 'a', 0.001, [0.95], { team: 'cv' });
    const b = await logRun(store, cwd, 'b', 0.01, [0.8], { team: 'nlp' });
    const c = await logRun(store, cwd, 'c', 0.1, [0.97], { team: 'nlp' });
    const ids = async (filter: string, orderBy: string[] = []) =>
      (await searchRuns(store, { filter, orderBy })).map((r) => r.run_id);
    expect(await ids('metrics.acc > 0.9', ['metrics.acc DESC'])).toEqual([c, a]);
    expect(await ids("params.lr = '0.01'")).toEqual([b]);
    expect(await ids('params.lr < 0.05', ['metrics.acc'])).toEqual([b, a]);
    expect(await ids("tags.team = 'cv' or (metrics.acc < 0.9 and tags.team = 'nlp')")).toEqual([
      b,
      a,
    ]);
    expect(await ids("attributes.status = 'FINISHED'")).toHaveLength(3);
    expect(await ids('')).toEqual([c, b, a]);
    expect((await searchRuns(store, { limit: 1 })).map((r) => r.run_id)).toEqual([c]);
  });

  it('offset skips runs in the order asked for (pages), and is checked like limit', async () => {
    const { cwd, store } = await localProject();
    const a = await logRun(store, cwd, 'a', 0.001, [0.95]);
    const b = await logRun(store, cwd, 'b', 0.01, [0.8]);
    const c = await logRun(store, cwd, 'c', 0.1, [0.97]);
    const page = async (offset: number, limit?: number) =>
      (await searchRuns(store, { orderBy: ['metrics.acc DESC'], offset, limit })).map(
        (r) => r.run_id,
      );
    expect(await page(0, 2)).toEqual([c, a]);
    expect(await page(2, 2)).toEqual([b]);
    expect(await page(1)).toEqual([a, b]);
    expect(await page(3, 2)).toEqual([]);
    const codes = await Promise.all(
      [-1, 1.5, Number.NaN].map((offset) =>
        searchRuns(store, { offset }).then(
          () => 'resolved',
          (e: unknown) => (isTroveError(e) ? e.code : e),
        ),
      ),
    );
    expect(codes).toEqual(['INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT']);
  });

  it('folds in runs still open and runs whose writer never committed', async () => {
    const { cwd, store } = await localProject();
    await logRun(store, cwd, 'done', 0.1, [0.5]);
    const open = await startRun({ store, cwd, name: 'open', params: { lr: 0.2 } });
    open.logMetric('acc', 0.99);
    await open.flush();
    const found = await searchRuns(store, { filter: 'metrics.acc > 0.9' });
    expect(found.map((r) => [r.name, r.status])).toEqual([['open', 'running']]);
    // A writer that died after saving and before committing: only its marker says so.
    const crashed = await startRun({ store, cwd, name: 'crashed' });
    await crashed.flush();
    await crashed.abandon();
    expect((await searchRuns(store)).map((r) => r.name)).toEqual(['crashed', 'open', 'done']);
    await open.end();
    expect((await committedRows(store, 'runs')).map((r) => r.name).sort()).toEqual([
      'done',
      'open',
    ]);
    const indexed = await indexStore(store, { graceMs: 0 });
    expect(indexed.runs).toBe(1);
    expect((await committedRows(store, 'runs')).map((r) => r.name).sort()).toEqual([
      'crashed',
      'done',
      'open',
    ]);
    // The crashed run is still `running`: its marker stays, a search still reads its folder.
    expect((await listBacklog(store)).map((m) => m.runId)).toEqual([crashed.id]);
  });

  it('a store from before the tables is searched from its run folders', async () => {
    const { cwd, store: first } = await localProject();
    const id = await logRun(first, cwd, 'old', 0.1, [0.5]);
    // What an older trove left: run folders, no tables, no marker (read by a new process).
    rmSync(join(cwd, '.trove', 'tables'), { recursive: true });
    const store = await openStore({ cwd });
    expect((await searchRuns(store)).map((r) => r.run_id)).toEqual([id]);
    // A new run does not make tables that would hide the older one.
    const next = await logRun(store, cwd, 'new', 0.2, [0.6]);
    expect(existsSync(join(cwd, '.trove', 'tables', 'runs'))).toBe(false);
    // It finished: its marker says so, and the next index clears it at once (no grace).
    expect((await listBacklog(store)).map((m) => [m.runId, m.done])).toEqual([[next, true]]);
    expect((await searchRuns(store)).map((r) => r.run_id)).toEqual([next, id]);
    const indexed = await indexStore(store);
    expect(indexed.runs).toBe(2);
    expect((await committedRows(store, 'runs')).map((r) => r.run_id).sort()).toEqual(
      [id, next].sort(),
    );
    expect(await listBacklog(store)).toEqual([]);
    const rebuilt = await indexStore(store, { rebuild: true });
    expect(rebuilt.runs).toBe(2);
    expect(await committedRows(store, 'runs')).toHaveLength(2);
  });

  it('a bad filter is one INVALID_ARGUMENT naming the column', async () => {
    const { store } = await localProject();
    const err = await searchRuns(store, { filter: 'metrics.acc >' }).catch((e: unknown) => e);
    expect(isTroveError(err, 'INVALID_ARGUMENT')).toBe(true);
    expect(String((err as Error).message)).toMatch(/column \d+/);
  });
});

describe('sql', () => {
  it('runs SQL over the tables and nothing else', async () => {
    const { cwd, store } = await localProject();
    await logRun(store, cwd, 'x', 0.1, [0.2, 0.4]);
    await logRun(store, cwd, 'y', 0.2, [0.6]);
    const result = await sql(
      store,
      "SELECT r.name, count(*) AS n, max(m.value) AS best FROM runs r JOIN metrics m USING (run_id) WHERE m.name = 'acc' GROUP BY r.name ORDER BY r.name",
    );
    expect(result.columns).toEqual(['name', 'n', 'best']);
    expect(result.rows).toEqual([
      { name: 'x', n: 2, best: 0.4 },
      { name: 'y', n: 1, best: 0.6 },
    ]);
    const target = join(cwd, 'leak.csv');
    const refused = await sql(store, `COPY (SELECT 1) TO '${target}'`).catch((e: unknown) => e);
    expect(isTroveError(refused, 'INVALID_ARGUMENT')).toBe(true);
    const read = await sql(store, "SELECT * FROM read_csv('/etc/passwd')").catch((e: unknown) => e);
    expect(isTroveError(read, 'INVALID_ARGUMENT')).toBe(true);
  });
});

describe('models', () => {
  it('sql reads registered versions from the registry; index commits them to tables/models', async () => {
    const { cwd, store } = await localProject();
    writeFileSync(join(cwd, 'model.pt'), 'weights');
    const run = await startRun({ store, cwd, name: 'train' });
    await run.logArtifact('model.pt', { name: 'clf', type: 'model' });
    await run.end();
    const registry = openRegistry(store);
    await registry.registerModel(`runs:/${run.id}/outputs/model.pt`, 'clf', {
      tags: { stage: 'dev' },
    });
    await registry.registerModel(`runs:/${run.id}/outputs/model.pt`, 'clf');
    await registry.setAlias('clf', 'champion', 1);
    const { rows } = await sql(
      store,
      'SELECT model, version, run_id, aliases, tags FROM models ORDER BY version',
    );
    expect(rows).toEqual([
      { model: 'clf', version: 1, run_id: run.id, aliases: ['champion'], tags: { stage: 'dev' } },
      { model: 'clf', version: 2, run_id: run.id, aliases: [], tags: {} },
    ]);
    expect((await indexStore(store)).models).toBe(2);
    const committed = await committedRows(store, 'models');
    const byVersion = committed.sort((a, b) => Number(a.version) - Number(b.version));
    expect(byVersion.map((r) => [r.model, Number(r.version), r.aliases])).toEqual([
      ['clf', 1, ['champion']],
      ['clf', 2, []],
    ]);
    await registry.deleteVersion('clf', 2);
    await indexStore(store);
    expect((await committedRows(store, 'models')).map((r) => Number(r.version))).toEqual([1]);
  });
});

describe('gc', () => {
  it('vacuums table files no snapshot uses once past the grace (at least an hour), never a live one', async () => {
    const { cwd, store } = await localProject();
    await logRun(store, cwd, 'kept', 0.1, [0.5]);
    const dir = join(cwd, '.trove', 'tables', 'runs');
    const live = readdirSync(dir).filter((f) => f.endsWith('.parquet'));
    expect(live).toHaveLength(1);
    // What a commit that never landed leaves: a data file no log entry names.
    const orphan = join(dir, 'part-00000-00000000-0000-0000-0000-000000000000-c000.snappy.parquet');
    copyFileSync(join(dir, live[0] as string), orphan);
    const young = await gc(store, { grace: 0, cwd: false });
    expect(young.removed.filter((r) => r.kind === 'table-file')).toEqual([]);
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    for (const f of readdirSync(dir)) utimesSync(join(dir, f), twoHoursAgo, twoHoursAgo);
    const dry = await gc(store, { grace: 0, cwd: false, dryRun: true });
    expect(dry.removed.filter((r) => r.kind === 'table-file').map((r) => r.key)).toEqual([
      `tables/runs/${orphan.slice(dir.length + 1)}`,
    ]);
    expect(existsSync(orphan)).toBe(true);
    const done = await gc(store, { grace: 0, cwd: false });
    expect(done.removed.filter((r) => r.kind === 'table-file')).toHaveLength(1);
    expect(existsSync(orphan)).toBe(false);
    expect((await searchRuns(store)).map((r) => r.name)).toEqual(['kept']);
  });
});

describe('backlog markers', () => {
  it('one a writer, cleared by the writer that made it', async () => {
    const store = memoryStore();
    await markBacklog(store, 'a'.repeat(32));
    await markBacklog(store, 'a'.repeat(32), 'b'.repeat(16));
    expect((await listBacklog(store)).map((m) => m.runId)).toEqual([
      'a'.repeat(32),
      'a'.repeat(32),
    ]);
  });
});
