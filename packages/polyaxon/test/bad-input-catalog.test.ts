/**
 * Issue 18's catalog, the Polyaxon dialect's part (item 5): the project root and trove's own
 * store are refused as core refuses them (INVALID_PATH), before anything is copied or stored:
 * the project, the run's folder, the store and TMPDIR (a fresh folder per case) are unchanged.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isTroveError } from '@trove/core';
import { describe, expect, it } from 'vitest';
import * as tracking from '../src/index.js';
import { memoryStore, snapshotTree, storeKeys, tempDir } from './helpers.js';

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
      const before = {
        project: snapshotTree(cwd),
        folder: snapshotTree(artifactsPath),
        keys: await storeKeys(store),
      };
      const tmp = tempDir('trove-catalog-tmp-');
      const saved = process.env.TMPDIR;
      process.env.TMPDIR = tmp;
      let error: unknown;
      try {
        await run.logArtifact({ path, ...options });
      } catch (err) {
        error = err;
      } finally {
        if (saved === undefined) delete process.env.TMPDIR;
        else process.env.TMPDIR = saved;
      }
      expect(isTroveError(error, 'INVALID_PATH'), String(error)).toBe(true);
      expect(snapshotTree(cwd)).toEqual(before.project);
      expect(snapshotTree(artifactsPath)).toEqual(before.folder);
      expect(await storeKeys(store)).toEqual(before.keys);
      expect(readdirSync(tmp)).toEqual([]);
      await run.end();
      expect((await store.readRun(run.id)).status).toBe('completed');
    });
  }
});
