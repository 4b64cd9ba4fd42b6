import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '@trove/core';
import { tempDir } from '@trove/test-utils';
import { beforeAll, inject, test } from 'vitest';
import { expectTablesMatchRecords } from './trove-scenario.js';

beforeAll(() => {
  process.env.TROVE_CACHE_DIR = tempDir('trove-tables-cache-');
});

test("deltalake, polars and duckdb read trove's five tables as its records and registry say, before and after index --rebuild (local store)", async () => {
  const cwd = tempDir('trove-tables-local-');
  mkdirSync(join(cwd, '.trove'));
  const store = await openStore({ cwd });
  try {
    await expectTablesMatchRecords(store, cwd, inject('deltaPython'), {
      uri: (table) => join(cwd, '.trove', 'tables', table),
    });
  } finally {
    await store.close();
  }
});
