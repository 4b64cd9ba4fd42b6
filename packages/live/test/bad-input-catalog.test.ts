/**
 * Issue 18's catalog, Live's part (items 2, 7, 9): a refused call is one TroveError at the call,
 * writes nothing (in the project or the store, nor in TMPDIR), and leaves the Live able to end;
 * a value YAML and the record can both hold (a BigInt) is kept.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isTroveError, type Store } from '@trove/core';
import { describe, expect, it } from 'vitest';
import { Live } from '../src/index.js';
import { memoryStore, snapshotTree, storeKeys, tempDir } from './helpers.js';

/** Runs `fn` with TMPDIR at a fresh folder; what it threw, and what it left there. */
async function inFreshTmp(fn: () => unknown): Promise<{ error: unknown; tmpLeft: string[] }> {
  const tmp = tempDir('trove-catalog-tmp-');
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = tmp;
  let error: unknown;
  try {
    await fn();
  } catch (err) {
    error = err;
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  return { error, tmpLeft: readdirSync(tmp) };
}

async function expectRefused(
  cwd: string,
  store: Store,
  code: string,
  fn: () => unknown,
): Promise<void> {
  const before = { tree: snapshotTree(cwd), keys: await storeKeys(store) };
  const { error, tmpLeft } = await inFreshTmp(fn);
  expect(isTroveError(error, code as never), String(error)).toBe(true);
  expect(snapshotTree(cwd)).toEqual(before.tree);
  expect(await storeKeys(store)).toEqual(before.keys);
  expect(tmpLeft).toEqual([]);
}

async function started() {
  const cwd = tempDir();
  const store = memoryStore();
  const live = await Live.create({ cwd, store, saveDvcExp: false });
  live.logParam('kept', 1);
  return { cwd, store, live };
}

describe("Live's bad input: refused at the call, the run still ends", () => {
  it("logParam('', 1): INVALID_NAME before params.yaml (every later save failed)", async () => {
    const { cwd, store, live } = await started();
    await expectRefused(cwd, store, 'INVALID_NAME', () => live.logParam('', 1));
    await live.end();
    const run = await store.readRun(await live.runId());
    expect(run).toMatchObject({ status: 'completed', params: { kept: 1 } });
    expect(readFileSync(join(cwd, 'dvclive', 'params.yaml'), 'utf8')).toBe('kept: 1\n');
  });

  it("logParam('n', 10n): params.yaml says 10 and the run records 10 (end() failed CORRUPT)", async () => {
    const { cwd, store, live } = await started();
    live.logParam('n', 10n);
    await live.end();
    const run = await store.readRun(await live.runId());
    expect(run).toMatchObject({ status: 'completed', params: { kept: 1, n: 10 } });
    expect(readFileSync(join(cwd, 'dvclive', 'params.yaml'), 'utf8')).toBe('kept: 1\nn: 10\n');
  });

  it("logMetric('.', 1): INVALID_NAME (wrote plots/metrics.tsv)", async () => {
    const { cwd, store, live } = await started();
    await expectRefused(cwd, store, 'INVALID_NAME', () => live.logMetric('.', 1));
    await live.end();
  });

  it('a refused logArtifact the caller caught does not make end() throw it again', async () => {
    const { cwd, store, live } = await started();
    await expectRefused(cwd, store, 'INVALID_PATH', () => live.logArtifact('.'));
    await live.end();
    expect((await store.readRun(await live.runId())).status).toBe('completed');
  });

  it('Live.create({ dir: <a file> }): INVALID_PATH, nothing created (was EEXIST)', async () => {
    const cwd = tempDir();
    const store = memoryStore();
    writeFileSync(join(cwd, 'afile'), 'mine');
    await expectRefused(cwd, store, 'INVALID_PATH', () =>
      Live.create({ cwd, store, dir: join(cwd, 'afile'), saveDvcExp: false }),
    );
    await expectRefused(cwd, store, 'INVALID_PATH', () =>
      Live.create({ cwd, store, dir: join(cwd, 'afile', 'below'), saveDvcExp: false }),
    );
  });
});
