import { LocalBackend } from '@trove/backend-local';
import { defineSchema, openTable } from '@trove/delta';
import { tempDir } from '@trove/test-utils';
import { expect, inject, test } from 'vitest';
import { SCHEMA } from './reader-scenario.js';
import { readWithPython } from './readers.js';

test('per-file statistics: delta-rs parses the bounds and null counts written, none where they could mislead', async () => {
  const root = tempDir('trove-delta-stats-');
  const table = openTable(new LocalBackend({ root }), '', { schema: SCHEMA });
  await table.append([
    { id: 'b', n: -5, x: 1.5, ok: true, ts: '2026-01-02T03:04:05.678901Z' },
    { id: 'a', n: 7, x: null, ok: false, ts: new Date('2025-12-31T00:00:00.001Z') },
    { id: 'c', n: null, x: -2.25, ok: null, ts: null, params: { k: 'v' } },
  ]);
  // A second file: a max string longer than the 32 characters kept, and a NaN.
  await table.append([
    { id: 'a'.repeat(40), x: Number.NaN },
    { id: 'b', x: 1 },
  ]);
  const [first, second] = (await table.snapshot()).files;
  expect(JSON.parse(first?.stats ?? '')).toEqual({
    numRecords: 3,
    minValues: { id: 'a', n: -5, x: -2.25, ts: '2025-12-31T00:00:00.001Z' },
    maxValues: { id: 'c', n: 7, x: 1.5, ts: '2026-01-02T03:04:05.678Z' },
    nullCount: { id: 0, n: 1, i: 3, x: 1, ok: 1, ts: 1 },
  });
  expect(JSON.parse(second?.stats ?? '')).toEqual({
    numRecords: 2,
    minValues: { id: 'a'.repeat(32) },
    maxValues: { id: 'b' },
    nullCount: { id: 0, n: 2, i: 2, x: 0, ok: 2, ts: 2 },
  });
  const out = await readWithPython(inject('deltaPython'), { uri: root });
  const parsed = out.add_actions.find((a) => a.num_records === 3);
  expect(parsed).toMatchObject({
    'min.id': 'a',
    'max.id': 'c',
    'min.n': -5,
    'max.n': 7,
    'min.x': -2.25,
    'max.x': 1.5,
    'min.ts': Date.parse('2025-12-31T00:00:00.001Z') * 1000,
    'max.ts': Date.parse('2026-01-02T03:04:05.678Z') * 1000,
    'null_count.n': 1,
    'null_count.ts': 1,
  });
  // The microseconds of an ISO string survive in the data file; readRows gives a Date (ms).
  const rowB = out.deltalake.rows.find((r) => r.id === 'b' && r.n === -5);
  expect(rowB?.ts).toBe(Date.parse('2026-01-02T03:04:05.678Z') * 1000 + 901);
});

test('a table that does not exist has version -1 and no files', async () => {
  const table = openTable(new LocalBackend({ root: tempDir('trove-delta-none-') }), 'tables/x/', {
    schema: defineSchema([{ name: 'id', type: 'string' }]),
  });
  const snap = await table.snapshot();
  expect(snap).toMatchObject({ version: -1, files: [], metadata: undefined });
  expect(await table.readAll()).toEqual([]);
});
