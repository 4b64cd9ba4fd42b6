import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalBackend } from '@trove/backend-local';
import { type DeltaStorage, defineSchema, openTable } from '@trove/delta';
import { tempDir } from '@trove/test-utils';
import { describe, expect, inject, test } from 'vitest';
import { asReaderRows, readWithPython } from './readers.js';

const SCHEMA = defineSchema([
  { name: 'id', type: 'string', nullable: false },
  { name: 'part', type: 'string' },
  { name: 'v', type: 'double' },
]);

async function keys(storage: DeltaStorage): Promise<string[]> {
  const out: string[] = [];
  for await (const e of storage.list('')) out.push(e.key);
  return out;
}

async function elevenCommits(storage: DeltaStorage) {
  const table = openTable(storage, '', { schema: SCHEMA });
  for (let b = 0; b < 11; b++) await table.append([{ id: `r${b}`, part: 'a', v: b }]);
  return table;
}

describe('replay', () => {
  test('a torn _last_checkpoint, or one naming a missing checkpoint, falls back to listing', async () => {
    const root = tempDir('trove-delta-torn-');
    const storage = new LocalBackend({ root });
    const table = await elevenCommits(storage);
    const expected = (await table.readAll()).map((r) => r.id).sort();
    expect(expected).toHaveLength(11);
    await storage.write('_delta_log/_last_checkpoint', '{"version":1');
    const torn = openTable(storage, '', { schema: SCHEMA });
    expect(
      (await torn.readAll(await torn.snapshot({ fresh: true }))).map((r) => r.id).sort(),
    ).toEqual(expected);
    await storage.write('_delta_log/_last_checkpoint', '{"version":10,"size":13}');
    await storage.delete('_delta_log/00000000000000000010.checkpoint.parquet');
    const missing = openTable(storage, '', { schema: SCHEMA });
    const snap = await missing.snapshot({ fresh: true });
    expect(snap.version).toBe(10);
    expect((await missing.readAll(snap)).map((r) => r.id).sort()).toEqual(expected);
  });

  test('an unreadable checkpoint is skipped for the commits', async () => {
    const storage = new LocalBackend({ root: tempDir('trove-delta-badcp-') });
    const table = await elevenCommits(storage);
    await storage.delete('_delta_log/00000000000000000010.checkpoint.parquet');
    await storage.write('_delta_log/00000000000000000010.checkpoint.parquet', 'not parquet');
    const snap = await openTable(storage, '', { schema: SCHEMA }).snapshot({ fresh: true });
    expect(snap.files.map((f) => f.path).sort()).toEqual(
      (await table.snapshot()).files.map((f) => f.path).sort(),
    );
  });
});

describe('optimize and vacuum', () => {
  test('vacuum deletes only unreferenced files older than the grace; readers still agree', async () => {
    const root = tempDir('trove-delta-vacuum-');
    const storage = new LocalBackend({ root });
    const table = await elevenCommits(storage);
    const result = await table.optimize({ targetFileRows: 5 });
    expect(result).toMatchObject({ committed: true, version: 11 });
    const snap = await table.snapshot();
    expect(snap.files).toHaveLength(3); // 11 rows into files of ≤ 5
    expect(snap.tombstones).toHaveLength(11);
    // A file a writer has just written but not committed yet, and nothing older than the grace.
    await storage.write('part-00000-inflight.snappy.parquet', new Uint8Array([1]));
    expect((await table.vacuum({ olderThanMs: 60_000 })).deleted).toEqual([]);
    // Age the removed files past the grace (the tombstones are as old as the optimize commit).
    const old = new Date(Date.now() - 3_600_000);
    for (const t of snap.tombstones) await utimes(join(root, t.path), old, old);
    const dry = await table.vacuum({ olderThanMs: 0, dryRun: true });
    const vacuumed = await table.vacuum({ olderThanMs: 0 });
    expect(vacuumed.deleted).toEqual(dry.deleted);
    const removedKeys = snap.tombstones.map((t) => t.path);
    expect(vacuumed.deleted.sort()).toEqual(expect.arrayContaining(removedKeys.sort()));
    const left = (await keys(storage)).filter(
      (k) => k.endsWith('.parquet') && !k.startsWith('_delta_log/'),
    );
    expect(left.sort()).toEqual(snap.files.map((f) => f.path).sort());
    const out = await readWithPython(inject('deltaPython'), { uri: root });
    expect(asReaderRows(out.deltalake.rows, 'id')).toEqual(
      asReaderRows(await table.readAll(), 'id'),
    );
  });

  test('optimize re-plans when a file it compacts was removed meanwhile', async () => {
    const storage = new LocalBackend({ root: tempDir('trove-delta-optrace-') });
    const table = await elevenCommits(storage);
    const other = openTable(storage, '', { schema: SCHEMA });
    const victim = (await other.snapshot()).files[0]?.path as string;
    let calls = 0;
    const sneaky: DeltaStorage = {
      ...storage,
      capabilities: storage.capabilities,
      read: storage.read.bind(storage),
      list: storage.list.bind(storage),
      delete: storage.delete.bind(storage),
      deleteMany: storage.deleteMany.bind(storage),
      // Just before optimize's first commit write, another writer removes one of its files.
      write: async (key, body, options) => {
        if (key.endsWith('00000000000000000011.json') && calls++ === 0) {
          await other.commit(() => ({ remove: [victim] }));
        }
        return storage.write(key, body, options);
      },
    };
    const result = await openTable(sneaky, '', { schema: SCHEMA }).optimize({
      targetFileRows: 100,
    });
    expect(result).toMatchObject({ committed: true, version: 12, attempts: 2 });
    const rows = await table.readAll();
    expect(rows).toHaveLength(10); // the removed file's row did not come back
    expect((await table.snapshot()).files).toHaveLength(1);
  });
});

test('a partitioned table: partition values in the log, read back by deltalake and polars', async () => {
  const root = tempDir('trove-delta-part-');
  const table = openTable(new LocalBackend({ root }), '', {
    schema: SCHEMA,
    partitionColumns: ['part'],
  });
  const rows = [
    { id: 'a1', part: 'a', v: 1 },
    { id: 'b1', part: 'b', v: 2 },
    { id: 'a2', part: 'a', v: 3 },
    { id: 'c1', part: 'c d/100%', v: 4 },
    { id: 'n1', part: null, v: 5 },
  ];
  await table.append(rows);
  const snap = await table.snapshot();
  expect(
    snap.files
      .map((f) => f.partitionValues)
      .sort((x, y) => String(x.part).localeCompare(String(y.part))),
  ).toEqual([{ part: 'a' }, { part: 'b' }, { part: 'c d/100%' }, { part: null }]);
  expect(asReaderRows(await table.readAll(), 'id')).toEqual(asReaderRows(rows, 'id'));
  const out = await readWithPython(inject('deltaPython'), { uri: root });
  expect(asReaderRows(out.deltalake.rows, 'id')).toEqual(asReaderRows(rows, 'id'));
  expect(asReaderRows(out.polars.rows, 'id')).toEqual(asReaderRows(rows, 'id'));
});
