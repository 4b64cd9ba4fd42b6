/**
 * Issue 18's catalog, Live's part (items 2, 7, 9): a refused call is one TroveError at the call,
 * writes nothing (in the project or the store, nor in TMPDIR), and leaves the Live able to end;
 * a value YAML and the record can both hold (a BigInt) is kept.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectRefusedCleanly } from '@trove/test-utils';
import { describe, expect, it } from 'vitest';
import { Live } from '../src/index.js';
import { memoryStore, tempDir } from './helpers.js';

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
    await expectRefusedCleanly('INVALID_NAME', () => live.logParam('', 1), { dirs: [cwd], store });
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
    await expectRefusedCleanly('INVALID_NAME', () => live.logMetric('.', 1), {
      dirs: [cwd],
      store,
    });
    await live.end();
  });

  it('a refused logArtifact the caller caught does not make end() throw it again', async () => {
    const { cwd, store, live } = await started();
    await expectRefusedCleanly('INVALID_PATH', () => live.logArtifact('.'), { dirs: [cwd], store });
    await live.end();
    expect((await store.readRun(await live.runId())).status).toBe('completed');
  });

  it('Live.create({ dir: <a file> }): INVALID_PATH, nothing created (was EEXIST)', async () => {
    const cwd = tempDir();
    const store = memoryStore();
    writeFileSync(join(cwd, 'afile'), 'mine');
    await expectRefusedCleanly(
      'INVALID_PATH',
      () => Live.create({ cwd, store, dir: join(cwd, 'afile'), saveDvcExp: false }),
      { dirs: [cwd], store },
    );
    await expectRefusedCleanly(
      'INVALID_PATH',
      () => Live.create({ cwd, store, dir: join(cwd, 'afile', 'below'), saveDvcExp: false }),
      { dirs: [cwd], store },
    );
  });
});
