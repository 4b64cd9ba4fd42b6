/**
 * Issue 18's catalog, the Polyaxon dialect's part (item 5): the project root and trove's own
 * store are refused as core refuses them (INVALID_PATH), before anything is copied or stored:
 * the project, the run's folder, the store and TMPDIR (a fresh folder per case) are unchanged.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectRefusedCleanly } from '@trove/test-utils';
import { describe, expect, it } from 'vitest';
import * as tracking from '../src/index.js';
import { memoryStore, tempDir } from './helpers.js';

const REFUSED: Array<[string, string, Record<string, unknown>]> = [
  ['the project root', '.', {}],
  ['the project root, at a step', '.', { step: 1 }],
  ['the store', '.trove', {}],
  ['the store, under a name', '.trove', { name: 'store' }],
  ['a folder inside the store', '.trove/runs', { name: 'runs' }],
];

describe('logArtifact refuses the project and the store (was: stored them)', () => {
  for (const [what, path, options] of REFUSED) {
    it(`${what} (${JSON.stringify({ path, ...options })}): INVALID_PATH, nothing written`, async () => {
      const cwd = tempDir();
      mkdirSync(join(cwd, '.trove', 'runs'), { recursive: true });
      writeFileSync(join(cwd, 'data.csv'), 'a,b\n');
      const artifactsPath = tempDir();
      const store = memoryStore();
      const run = await tracking.init({ cwd, store, artifactsPath, trackCode: false });
      await run.flush();
      await expectRefusedCleanly('INVALID_PATH', () => run.logArtifact({ path, ...options }), {
        dirs: [cwd, artifactsPath],
        store,
      });
      await run.end();
      expect((await store.readRun(run.id)).status).toBe('completed');
    });
  }
});
