import {
  CHECKPOINT_INTERVAL,
  type DeltaStorage,
  defineSchema,
  openTable,
  type Row,
} from '@trove/delta';
import { tempDir } from '@trove/test-utils';
import { expect } from 'vitest';
import { asReaderRows, copySnapshotFiles, readWithPython } from './readers.js';

export const SCHEMA = defineSchema([
  { name: 'id', type: 'string', nullable: false },
  { name: 'n', type: 'long' },
  { name: 'i', type: 'integer' },
  { name: 'x', type: 'double' },
  { name: 'ok', type: 'boolean' },
  { name: 'ts', type: 'timestamp' },
  { name: 'params', type: 'map<string,string>' },
  { name: 'metrics', type: 'map<string,double>' },
  { name: 'tags', type: 'array<string>' },
]);

/** Row `k` of batch `b`: every type, some nulls, empty maps and lists, a NaN. */
function sampleRow(b: number, k: number): Row {
  return {
    id: `r${String(b).padStart(2, '0')}-${k}`,
    n: b * 1_000_000_000_000 + k,
    i: k % 2 === 0 ? b : null,
    x: b === 3 && k === 1 ? Number.NaN : b + k / 4,
    ok: k % 2 === 0,
    ts: new Date(Date.UTC(2026, 0, 1 + b, 12, 0, k, 123)),
    params: k === 0 ? {} : { lr: `0.0${b}`, opt: k % 2 ? 'adam' : null },
    metrics: { acc: b / 100, loss: k === 1 ? null : 1 / (b + 1) },
    tags: k === 1 ? [] : [`b${b}`, 'x'],
  };
}

/**
 * Fourteen commits on one table (appends, a replace that removes a file, a checkpoint at 10, an
 * optimize), then deltalake, polars and DuckDB must each return exactly the rows the model holds.
 */
export async function expectReadersAgree(
  storage: DeltaStorage,
  python: string,
  uri: string,
  storageOptions?: Record<string, string>,
): Promise<void> {
  const table = openTable(storage, '', { schema: SCHEMA });
  const model = new Map<string, Row>();
  for (let b = 0; b < 12; b++) {
    const rows = [sampleRow(b, 0), sampleRow(b, 1)];
    await table.commit(async (snap) => {
      // Batch 6 replaces batch 2's file: its rows go, three others come.
      // Three applications take turns, so the checkpoint holds txn rows too.
      const appTxn = { appId: `app-${b % 3}`, version: b };
      if (b !== 6) return { add: [rows], appTxn };
      const victim = snap.files.find((f) => f.stats?.includes('"r02-0"'));
      return { add: [[...rows, sampleRow(b, 2)]], remove: victim ? [victim.path] : [], appTxn };
    });
    for (const r of b === 6 ? [...rows, sampleRow(b, 2)] : rows) model.set(r.id as string, r);
    if (b === 6) for (const k of [0, 1]) model.delete(`r02-${k}`);
  }
  const before = await table.snapshot();
  expect(before.version).toBe(11);
  expect(before.files).toHaveLength(11);
  const optimized = await table.optimize({ targetFileRows: 100 });
  expect(optimized.version).toBe(12);
  const after = await table.snapshot();
  expect(after.files).toHaveLength(1);
  const checkpoints = [];
  for await (const e of storage.list('_delta_log/'))
    if (e.key.includes('.checkpoint.')) checkpoints.push(e.key);
  expect(checkpoints).toEqual([
    `_delta_log/000000000000000000${CHECKPOINT_INTERVAL}.checkpoint.parquet`,
  ]);

  const expected = asReaderRows([...model.values()], 'id');
  expect(asReaderRows(await table.readAll(), 'id')).toEqual(expected);
  // A fresh reader starts from the checkpoint and gets the same.
  const fresh = openTable(storage, '', { schema: SCHEMA });
  expect(asReaderRows(await fresh.readAll(await fresh.snapshot({ fresh: true })), 'id')).toEqual(
    expected,
  );

  const dir = tempDir('trove-delta-duck-');
  const out = await readWithPython(python, {
    uri,
    ...(storageOptions ? { storage_options: storageOptions } : {}),
    duckdb_files: await copySnapshotFiles(table, after, dir),
    app_ids: ['app-0', 'app-1', 'app-2', 'app-3'],
  });
  const txns = { 'app-0': 9, 'app-1': 10, 'app-2': 11 };
  expect(out.app_txns).toEqual({ ...txns, 'app-3': null });
  expect(Object.fromEntries((await fresh.snapshot({ fresh: true })).appTxns)).toEqual(txns);
  expect(out.version).toBe(12);
  expect(out.files).toHaveLength(1);
  for (const reader of ['deltalake', 'polars', 'duckdb'] as const) {
    expect(asReaderRows(out[reader]?.rows ?? [], 'id'), reader).toEqual(expected);
  }
  expect(out.deltalake.types).toMatchObject({
    ts: 'timestamp[us, tz=UTC]',
    params: 'map<string, string>',
    metrics: 'map<string, double>',
    n: 'int64',
    i: 'int32',
  });
}
