import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { LocalBackend } from '@trove/backend-local';
import { defineSchema, openTable } from '@trove/delta';
import { tempDir } from '@trove/test-utils';
import { expect, test } from 'vitest';

const WORKER = fileURLToPath(new URL('./commit-worker.mjs', import.meta.url));

test('8 processes × 25 commits on one local table: 200 rows, versions 0–199 each taken once', async () => {
  const root = tempDir('trove-delta-procs-');
  const outputs = await Promise.all(
    Array.from({ length: 8 }, (_, w) =>
      promisify(execFile)(process.execPath, [WORKER, root, String(w), '25']),
    ),
  );
  const versions = outputs.flatMap(
    ({ stdout }) => (JSON.parse(stdout) as { versions: number[] }).versions,
  );
  expect(versions.sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  const schema = defineSchema([
    { name: 'id', type: 'string', nullable: false },
    { name: 'writer', type: 'integer' },
    { name: 'seq', type: 'long' },
  ]);
  const table = openTable(new LocalBackend({ root }), '', { schema });
  const snap = await table.snapshot({ fresh: true });
  expect(snap.version).toBe(199);
  const rows = await table.readAll(snap);
  expect(rows).toHaveLength(200);
  expect(new Set(rows.map((r) => `${r.writer}/${r.seq}`)).size).toBe(200);
});
