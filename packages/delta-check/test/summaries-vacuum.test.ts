/**
 * The metrics table's summaries (`tables/metrics/_summaries/`, beside the Delta table) are
 * invisible to other engines: delta-rs lists only the log's data files, and its VACUUM (as the
 * Delta protocol's reference implementations do, here in its `full` mode that deletes every
 * file no commit names) skips folders whose name begins with `_`, so a user running another
 * engine's vacuum on the bucket never deletes them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore, startRun } from '@trove/core';
import { tempDir } from '@trove/test-utils';
import { beforeAll, expect, inject, test } from 'vitest';

beforeAll(() => {
  process.env.TROVE_CACHE_DIR = tempDir('trove-summaries-cache-');
});

const VACUUM = `
import json, sys
from deltalake import DeltaTable
t = DeltaTable(sys.argv[1])
print(json.dumps({
  "files": sorted(t.file_uris()),
  "vacuum": sorted(t.vacuum(retention_hours=0, enforce_retention_duration=False, dry_run=False, full=True)),
}))
`;

test("delta-rs's vacuum leaves the metrics summaries alone, and removes an unreferenced data file", async () => {
  const cwd = tempDir('trove-summaries-vacuum-');
  mkdirSync(join(cwd, '.trove'));
  const store = await openStore({ cwd });
  try {
    const run = await startRun({ store, cwd, name: 'r' });
    for (let s = 0; s < 100; s++) run.logMetric('loss', 1 / (s + 1), { step: s });
    await run.end();
  } finally {
    await store.close();
  }
  const root = join(cwd, '.trove', 'tables', 'metrics');
  const summaries = readdirSync(join(root, '_summaries'));
  expect(summaries).toHaveLength(1);
  // a data file no commit names: delta-rs's vacuum must see and delete it (it really ran)
  writeFileSync(join(root, 'part-00000-stray-c000.snappy.parquet'), 'stray');
  const out = spawnSync(inject('deltaPython'), ['-c', VACUUM, root], { encoding: 'utf8' });
  expect(out.status, out.stderr).toBe(0);
  const result = JSON.parse(out.stdout) as { files: string[]; vacuum: string[] };
  expect(result.files).toHaveLength(1);
  expect(result.files[0]).not.toContain('_summaries');
  expect(result.vacuum).toEqual(['part-00000-stray-c000.snappy.parquet']);
  expect(existsSync(join(root, 'part-00000-stray-c000.snappy.parquet'))).toBe(false);
  expect(readdirSync(join(root, '_summaries'))).toEqual(summaries);
});
