import { LocalBackend } from '@trove/backend-local';
import { tempDir } from '@trove/test-utils';
import { inject, test } from 'vitest';
import { expectReadersAgree } from './reader-scenario.js';

test('deltalake, polars and duckdb read the rows written, after removes, a checkpoint and an optimize (local store)', async () => {
  const root = tempDir('trove-delta-local-');
  await expectReadersAgree(new LocalBackend({ root }), inject('deltaPython'), root);
});
