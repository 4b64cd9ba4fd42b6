/**
 * trove's own tables read by the real readers: 20 runs logged through core (params of every
 * kind, metrics with steps, artifacts as files and a folder, lineage: another run's output used,
 * a reference), then deltalake, polars and DuckDB (over the snapshot's files) must return, row
 * for row, what the run folders say (record-rows.ts); and again after `index --rebuild`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { indexTables, openRegistry, type Store, startRun } from '@trove/core';
import { openTable, type Row } from '@trove/delta';
import { tempDir } from '@trove/test-utils';
import { expect } from 'vitest';
import { copySnapshotFiles, type ReaderJob, readTablesWithPython } from './readers.js';
import { rowsFromRecords, sorted, type TableRows } from './record-rows.js';

const TABLES = ['runs', 'metrics', 'artifacts', 'lineage', 'models'] as const;

/** Logs 8 producers, 8 consumers of their outputs and 4 plain runs; returns their ids. */
async function logScenarioRuns(store: Store, cwd: string): Promise<string[]> {
  const data = join(cwd, 'data');
  mkdirSync(join(data, 'folder', 'sub'), { recursive: true });
  writeFileSync(join(data, 'folder', 'a.txt'), 'a\n');
  writeFileSync(join(data, 'folder', 'sub', 'b.txt'), 'bb\n');
  const ids: string[] = [];
  const producers: string[] = [];
  for (let i = 0; i < 8; i++) {
    writeFileSync(join(data, `w${i}.bin`), `weights ${i}\n`);
    const run = await startRun({
      store,
      cwd,
      name: `producer-${i}`,
      params: {
        lr: 10 ** -(1 + (i % 3)),
        optimizer: i % 2 ? 'sgd' : 'adam',
        layers: i,
        nested: { d: i },
        'odd name': 'x y',
      },
      tags:
        i === 3
          ? { 'mlflow.experimentName': 'mlf' }
          : { team: i % 2 ? 'nlp' : 'cv', experiment: 'exp-a' },
    });
    for (let step = 0; step < 5; step++) run.logMetric('acc', 0.5 + i / 20 + step / 100, { step });
    run.logMetric('train/loss', 1 / (i + 1), { step: 10 });
    run.summary.note = 'a text, not a metric';
    const weights = await run.logArtifact(join(data, `w${i}.bin`), {
      type: 'model',
      name: `weights-${i % 3}`,
      labels: i % 2 ? ['best'] : [],
      ...(i % 2 ? { meta: { epochs: i, opt: { beta: 0.9 } } } : {}),
      ...(i > 4 ? { step: i } : {}),
    });
    if (i % 4 === 0) await run.logArtifact(join(data, 'folder'), { type: 'dataset' });
    await run.end(i === 7 ? 'failed' : 'completed');
    producers.push(`runs:/${run.id}/${weights.path}`);
    ids.push(run.id);
  }
  for (let i = 0; i < 8; i++) {
    const run = await startRun({ store, cwd, name: `consumer-${i}`, params: { source: i } });
    await run.useArtifact(producers[i] as string, {
      to: join(cwd, 'used', `${i}.bin`),
    });
    await run.logArtifactRef(`s3://external/data-${i}.csv`, { name: `data-${i}`, kind: 'data' });
    run.logMetric('loss', 0.25 * i);
    run.logMetric('loss', 0.125 * i);
    await run.end();
    ids.push(run.id);
  }
  // Two versions of one producer's output in the registry, one with an alias and a tag.
  const registry = openRegistry(store);
  const source = producers[0] as string;
  await registry.registerModel(source, 'scenario-model', { tags: { stage: 'dev' } });
  await registry.registerModel(source, 'scenario-model');
  await registry.updateDescription('scenario-model', 'the second', 2);
  await registry.setAlias('scenario-model', 'champion', 1);
  for (let i = 0; i < 4; i++) {
    const run = await startRun({ store, cwd, name: `plain-${i}` });
    await run.end(i === 0 ? 'failed' : 'completed');
    ids.push(run.id);
  }
  return ids;
}

/** Where the readers find a table: its URI, their storage options, DuckDB's local file copies. */
export interface TableLocation {
  uri(table: string): string;
  storageOptions?: Record<string, string>;
}

/** The readers' rows as the records' rows: maps to compare, `meta` parsed, no `updated_time`. */
function comparable(table: string, rows: readonly Row[]): Row[] {
  return sorted(
    rows.map((r) => {
      const row = { ...r };
      if (table === 'runs') {
        expect(typeof row.updated_time).toBe('number');
        delete row.updated_time;
      }
      if (table === 'artifacts' && typeof row.meta === 'string') row.meta = JSON.parse(row.meta);
      return row;
    }),
  );
}

/** Each reader returns, for each table, exactly the rows the records give. */
async function expectReadersMatchRecords(
  store: Store,
  python: string,
  where: TableLocation,
  expected: TableRows,
): Promise<void> {
  const dir = tempDir('trove-tables-duck-');
  const jobs: ReaderJob[] = [];
  for (const name of TABLES) {
    const table = openTable(
      store.meta,
      `${store.metaPrefix}${store.metaPrefix ? '/' : ''}tables/${name}/`,
      {},
    );
    const snapshot = await table.snapshot({ fresh: true });
    expect(snapshot.version, name).toBeGreaterThanOrEqual(0);
    mkdirSync(join(dir, name));
    jobs.push({
      uri: where.uri(name),
      ...(where.storageOptions ? { storage_options: where.storageOptions } : {}),
      duckdb_files: await copySnapshotFiles(table, snapshot, join(dir, name)),
    });
  }
  const out = await readTablesWithPython(python, jobs);
  TABLES.forEach((name, i) => {
    const want = sorted(expected[name]);
    const got = out[i];
    expect(got?.deltalake.types).toBeDefined();
    for (const reader of ['deltalake', 'polars', 'duckdb'] as const) {
      expect(comparable(name, got?.[reader]?.rows ?? []), `${reader} reading ${name}`).toEqual(
        want,
      );
    }
  });
  expect(out[0]?.deltalake.types).toMatchObject({
    start_time: 'timestamp[us, tz=UTC]',
    params: 'map<string, string>',
    metrics: 'map<string, double>',
    tags: 'map<string, string>',
  });
}

/**
 * The whole check on one store: log the runs, compare, rebuild with `index --rebuild`, compare
 * again (the rebuilt tables hold the same rows).
 */
export async function expectTablesMatchRecords(
  store: Store,
  cwd: string,
  python: string,
  where: TableLocation,
): Promise<void> {
  const ids = await logScenarioRuns(store, cwd);
  const prefix = store.metaPrefix ? `${store.metaPrefix}/` : '';
  const expected = await rowsFromRecords(store.meta, prefix);
  // The scenario's shape, so a silently empty store cannot pass.
  expect(expected.runs.map((r) => r.run_id).sort()).toEqual([...ids].sort());
  expect(expected.metrics).toHaveLength(8 * 6 + 8 * 2);
  expect(expected.artifacts).toHaveLength(8 + 2);
  expect(expected.lineage.map((r) => r.direction).sort()).toEqual([
    ...Array(8).fill('input'),
    ...Array(10).fill('output'),
    ...Array(8).fill('reference'),
  ]);
  expect(expected.models.map((r) => [r.version, r.aliases])).toEqual(
    expect.arrayContaining([
      [1, ['champion']],
      [2, []],
    ]),
  );
  // The models table is committed by an index (the registry documents are its source).
  await indexTables(store);
  await expectReadersMatchRecords(store, python, where, expected);
  const rebuilt = await indexTables(store, { rebuild: true });
  expect(rebuilt.runs).toBe(ids.length);
  await expectReadersMatchRecords(store, python, where, expected);
}
