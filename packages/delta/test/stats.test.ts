import { LocalBackend } from '@trove/backend-local';
import { tempDir } from '@trove/test-utils';
import { expect, inject, test } from 'vitest';
import { defineSchema, openTable } from '../src/index.js';
import { readWithPython } from './readers.js';

test('per-file statistics: delta-rs parses the bounds and null counts written, none where they could mislead', async () => {
  const root = tempDir('trove-delta-stats-');
  const schema = defineSchema([
    { name: 'id', type: 'string', nullable: false },
    { name: 'n', type: 'long' },
    { name: 'x', type: 'double' },
    { name: 'y', type: 'double' },
    { name: 'ok', type: 'boolean' },
    { name: 'ts', type: 'timestamp' },
    { name: 'long_text', type: 'string' },
    { name: 'm', type: 'map<string,string>' },
  ]);
  const table = openTable(new LocalBackend({ root }), '', { schema });
  await table.append([
    {
      id: 'b',
      n: -5,
      x: 1.5,
      y: Number.NaN,
      ok: true,
      ts: '2026-01-02T03:04:05.678901Z',
      long_text: 'x'.repeat(40),
    },
    {
      id: 'a',
      n: 7,
      x: null,
      y: 2,
      ok: false,
      ts: new Date('2025-12-31T00:00:00.001Z'),
      long_text: 'short',
    },
    { id: 'c', n: null, x: -2.25, y: 3, ok: null, ts: null, long_text: null, m: { k: 'v' } },
  ]);
  const [file] = (await table.snapshot()).files;
  expect(JSON.parse(file?.stats ?? '')).toEqual({
    numRecords: 3,
    minValues: { id: 'a', n: -5, x: -2.25, ts: '2025-12-31T00:00:00.001Z', long_text: 'short' },
    maxValues: { id: 'c', n: 7, x: 1.5, ts: '2026-01-02T03:04:05.678Z' },
    nullCount: { id: 0, n: 1, x: 1, y: 0, ok: 1, ts: 1, long_text: 1 },
  });
  const out = await readWithPython(inject('deltaPython'), { uri: root });
  expect(out.add_actions).toHaveLength(1);
  expect(out.add_actions[0]).toMatchObject({
    num_records: 3,
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
  const rowB = out.deltalake.rows.find((r) => r.id === 'b');
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
