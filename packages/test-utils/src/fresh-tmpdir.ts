import { readdirSync } from 'node:fs';
import { expect } from 'vitest';
import { snapshotTree } from './snapshot-tree.js';
import { type StoreLike, storeKeys } from './store-files.js';
import { tempDir } from './temp-dir.js';

/**
 * Calls `fn` with TMPDIR pointed at a fresh, empty folder (Node's `os.tmpdir()` reads it on each
 * call), then restores it. Resolves to what `fn` threw (undefined if nothing) and what it left
 * in that folder, so a test asserts both the error and "nothing left in TMPDIR".
 */
export async function inFreshTmpdir(
  fn: () => unknown,
): Promise<{ error: unknown; tmpLeft: string[] }> {
  const tmp = tempDir('trove-fresh-tmpdir-');
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

/**
 * Asserts that `fn` fails with one trove error of `code` and changes nothing: not the folders in
 * `dirs`, not the keys of `store` (when given), and leaves nothing in a fresh TMPDIR.
 */
export async function expectRefusedCleanly(
  code: string,
  fn: () => unknown,
  where: { dirs: readonly string[]; store?: Pick<StoreLike, 'meta'> },
): Promise<void> {
  const trees = () => where.dirs.map((d) => snapshotTree(d));
  const keys = async () => (where.store ? await storeKeys(where.store) : []);
  const before = { trees: trees(), keys: await keys() };
  const { error, tmpLeft } = await inFreshTmpdir(fn);
  expect(isTroveErrorLike(error) ? error.code : String(error)).toBe(code);
  expect(trees()).toEqual(before.trees);
  expect(await keys()).toEqual(before.keys);
  expect(tmpLeft).toEqual([]);
}

/** A TroveError by its `Symbol.for('trove.error')` marker (test-utils does not depend on core). */
function isTroveErrorLike(value: unknown): value is { code: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[Symbol.for('trove.error')] === true
  );
}
