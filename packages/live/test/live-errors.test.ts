/** Bad input to Live: one TroveError with a stable code, checked before anything is written. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { float, Live } from '../src/index.js';
import { memoryStore, snapshotTree, tempDir } from './helpers.js';

async function live(extra: Record<string, unknown> = {}) {
  const cwd = tempDir();
  const l = await Live.create({ cwd, store: memoryStore(), ...extra });
  return { cwd, live: l };
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

async function codeAsync(fn: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe('Live rejects bad input before writing', () => {
  it('bad options: unknown report mode, a dvcyaml not named dvc.yaml (nothing created)', () => {
    const cwd = tempDir();
    expect(code(() => new Live({ cwd, report: 'pdf' as 'md' }))).toBe('INVALID_ARGUMENT');
    expect(code(() => new Live({ cwd, dvcyaml: 'conf/pipeline.yaml' }))).toBe('INVALID_ARGUMENT');
    expect(snapshotTree(cwd)).toEqual({});
  });

  it('metric values DVCLive cannot log', async () => {
    const { cwd, live: l } = await live();
    l.logMetric('ok', 1);
    await l.nextStep();
    const before = snapshotTree(cwd);
    for (const bad of [null, undefined, {}, [1], () => 1, Symbol('x')]) {
      expect(code(() => l.logMetric('m', bad as never))).toBe('INVALID_ARGUMENT');
    }
    expect(code(() => l.logMetric('', 1))).toBe('INVALID_NAME');
    expect(code(() => l.logMetric('../escape', 1))).toBe('INVALID_NAME');
    expect(code(() => l.logMetric('ok/deeper', 1))).toBe('INVALID_NAME');
    expect(snapshotTree(cwd)).toEqual(before);
    l.makeSummary();
    expect(l.summary).toEqual({ ok: 1, step: 1 });
    expect(readFileSync(join(cwd, 'dvclive/plots/metrics/ok.tsv'), 'utf8')).toBe(
      'step\tok\n0\t1\n',
    );
  });

  it('images: bad names, bytes that are no image, a format the name does not say', async () => {
    const { cwd, live: l } = await live();
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
    writeFileSync(join(cwd, 'notes.txt'), 'not an image');
    expect(await codeAsync(() => l.logImage('img.bmp', png))).toBe('INVALID_NAME');
    expect(await codeAsync(() => l.logImage('img', png))).toBe('INVALID_NAME');
    expect(await codeAsync(() => l.logImage('img.PNG', png))).toBe('INVALID_NAME');
    expect(await codeAsync(() => l.logImage('img.png', new Uint8Array([1, 2, 3])))).toBe(
      'INVALID_ARTIFACT',
    );
    expect(await codeAsync(() => l.logImage('img.png', join(cwd, 'notes.txt')))).toBe(
      'INVALID_ARTIFACT',
    );
    expect(await codeAsync(() => l.logImage('img.jpg', png))).toBe('INVALID_ARGUMENT');
    expect(
      await codeAsync(() =>
        l.logImage('img.png', { width: 2, height: 2, data: new Uint8Array(3) }),
      ),
    ).toBe('INVALID_ARGUMENT');
    expect(await codeAsync(() => l.logImage('img.png', join(cwd, 'missing.png')))).toBe(
      'NOT_FOUND',
    );
    expect(existsSync(join(cwd, 'dvclive/plots/images'))).toBe(false);
  });

  it('plots: unknown kinds, lengths that differ, labels that are not binary, bad data', async () => {
    const { cwd, live: l } = await live();
    expect(code(() => l.logSklearnPlot('lift' as 'roc', [0, 1], [0.1, 0.9]))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(code(() => l.logSklearnPlot('roc', [0, 1, 1], [0.1, 0.9]))).toBe('INVALID_ARGUMENT');
    expect(code(() => l.logSklearnPlot('confusion_matrix', [0, 1], [1]))).toBe('INVALID_ARGUMENT');
    expect(code(() => l.logSklearnPlot('roc', [0, 1, 2], [0.1, 0.5, 0.9]))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(code(() => l.logSklearnPlot('precision_recall', ['a', 'b'], [0.1, 0.9]))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(code(() => l.logSklearnPlot('det', [0, 1], [0.1, Number.NaN]))).toBe('INVALID_ARGUMENT');
    expect(code(() => l.logSklearnPlot('calibration', [0, 1], [0.1, 1.5]))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(code(() => l.logSklearnPlot('det', [1, 1], [0.1, 0.5]))).toBe('INVALID_ARGUMENT');
    expect(code(() => l.logPlot('p', [1, 2] as never, { x: 'a', y: 'b' }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(code(() => l.logPlot('p', [{ a: () => 1 }], { x: 'a', y: 'b' }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(code(() => l.logPlot('p', [{ a: 1 }], { x: 'a' } as never))).toBe('INVALID_ARGUMENT');
    expect(existsSync(join(cwd, 'dvclive/plots'))).toBe(false);
  });

  it('params YAML cannot represent leave params.yaml as it was', async () => {
    const { cwd, live: l } = await live();
    l.logParams({ lr: float(0.1) });
    const before = readFileSync(join(cwd, 'dvclive/params.yaml'), 'utf8');
    expect(before).toBe('lr: 0.1\n');
    for (const bad of [() => 1, Symbol('s'), new Date(0), { nested: undefined }, new Set([1])]) {
      expect(code(() => l.logParams({ ok: 1, bad }))).toBe('INVALID_ARGUMENT');
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(code(() => l.logParam('c', cyclic))).toBe('INVALID_ARGUMENT');
    expect(readFileSync(join(cwd, 'dvclive/params.yaml'), 'utf8')).toBe(before);
    expect(l.params).toEqual({ lr: float(0.1) });
  });

  it('logs again after end(), as DVCLive does, into the same trove run', async () => {
    const store = memoryStore();
    const { cwd, live: l } = await live({ store });
    l.logMetric('m', 1);
    await l.nextStep();
    await l.end();
    l.logMetric('test/acc', float(0.5));
    await l.end();
    await l.end();
    expect(readFileSync(join(cwd, 'dvclive/metrics.json'), 'utf8')).toBe(
      '{\n    "m": 1,\n    "step": 0,\n    "test": {\n        "acc": 0.5\n    }\n}\n',
    );
    expect(readFileSync(join(cwd, 'dvclive/plots/metrics/test/acc.tsv'), 'utf8')).toBe(
      'step\tacc\n0\t0.5\n',
    );
    const record = await store.readRun(await l.runId());
    expect(record.status).toBe('completed');
    expect(record.summary).toMatchObject({ m: 1, 'test/acc': 0.5 });
  });
});
