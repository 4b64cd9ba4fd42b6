import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isTroveError, Store, startRun } from '@trove/core';
import { createMemoryBackend } from '@trove/core/backend';
import { tempDir } from '@trove/test-utils';
import { describe, expect, it } from 'vitest';
import { renderHtml, reportInputFromRun } from '../src/index.js';
import { EXAMPLE, exampleRun, localStore, png } from './example-run.js';

describe('reportInputFromRun', () => {
  it("reads a stored run's params, metrics, plots and newest images, on another machine", async () => {
    const cwd = tempDir();
    const storeDir = tempDir();
    const id = await exampleRun(cwd, localStore(storeDir));
    const lastImage = readFileSync(join(cwd, 'dvclive/plots/images/img.png'));
    // the project is gone: only the store is left, opened afresh
    rmSync(cwd, { recursive: true, force: true });
    const input = await reportInputFromRun(localStore(storeDir), id);

    expect(input.title).toBe(`how-it-works (${id})`);
    expect(input.params).toEqual({ epochs: 2 });
    expect(input.metrics).toMatchObject({
      metric: EXAMPLE.metric[1],
      'nested/metric': EXAMPLE.nested[1],
      additional_metric: 1,
    });
    expect(input.plots.map((p) => [p.id, p.template, p.x, p.y, p.title])).toEqual([
      ['static/metric', 'linear', 'step', 'metric', 'metric'],
      ['static/nested/metric', 'linear', 'step', 'metric', 'nested/metric'],
      ['sklearn/confusion_matrix', 'confusion', 'actual', 'predicted', 'Confusion Matrix'],
    ]);
    expect(input.plots[0]?.data).toEqual([
      { step: 0, metric: EXAMPLE.metric[0] },
      { step: 1, metric: EXAMPLE.metric[1] },
    ]);
    expect(input.plots[1]?.data).toEqual([
      { step: 0, metric: EXAMPLE.nested[0] },
      { step: 1, metric: EXAMPLE.nested[1] },
    ]);
    expect(input.plots[2]).toMatchObject({ xLabel: 'True Label', yLabel: 'Predicted Label' });
    expect(input.plots[2]?.data).toEqual([
      { actual: '0', predicted: '0' },
      { actual: '0', predicted: '1' },
      { actual: '1', predicted: '0' },
      { actual: '1', predicted: '1' },
    ]);
    // the image of the last step, not the first (both are in the store)
    expect(input.images).toHaveLength(1);
    expect(input.images[0]?.name).toBe('img.png');
    expect(input.images[0]?.mime).toBe('image/png');
    expect(Buffer.from(input.images[0]?.bytes ?? []).equals(lastImage)).toBe(true);

    const html = await renderHtml(input);
    expect(html.match(/<svg /g)).toHaveLength(3);
    expect(html).toContain('<th>additional_metric</th>');
  });

  it("reads DVCLive's sklearn JSON (wrapped rows, bare Infinity) and a TSV plot", async () => {
    const cwd = tempDir();
    const store = localStore(tempDir());
    const run = await startRun({ cwd, store, name: 'plots' });
    const roc = join(cwd, 'roc.json');
    // what dvclive writes for sklearn ≥ 1.3: thresholds[0] = inf as a bare token
    const rocText =
      '{\n    "roc": [\n        {\n            "fpr": 0.0,\n            "tpr": 0.0,\n            "threshold": Infinity\n        },\n        {\n            "fpr": 0.5,\n            "tpr": 1.0,\n            "threshold": 0.4\n        }\n    ]\n}';
    writeFileSync(roc, rocText);
    await run.logArtifact('roc.json', {
      type: 'plot',
      meta: { plot: { template: 'simple', x: 'fpr', y: 'tpr', title: 'ROC' } },
    });
    writeFileSync(join(cwd, 'bars.tsv'), 'name\tscore\na\t1.5\nb\tnan\n');
    await run.logArtifact('bars.tsv', {
      type: 'plot',
      meta: { plot: { template: 'bar_horizontal', x: 'score', y: 'name' } },
    });
    // the same file name in another folder: a plot of its own
    mkdirSync(join(cwd, 'other/plots'), { recursive: true });
    writeFileSync(join(cwd, 'other/plots/roc.json'), '[{"fpr": 0, "tpr": 1}]');
    await run.logArtifact('other/plots/roc.json', {
      type: 'plot',
      relPath: 'other',
      meta: { plot: { template: 'simple', x: 'fpr', y: 'tpr' } },
    });
    await run.end();

    const input = await reportInputFromRun(store, run.id);
    expect(input.plots.map((p) => p.id)).toEqual(['roc', 'bars', 'roc-2']);
    expect(input.plots[0]?.data).toEqual([
      { fpr: 0, tpr: 0, threshold: Number.POSITIVE_INFINITY },
      { fpr: 0.5, tpr: 1, threshold: 0.4 },
    ]);
    expect(input.plots[1]?.data).toEqual([
      { name: 'a', score: 1.5 },
      { name: 'b', score: Number.NaN },
    ]);
    expect(input.plots[1]?.title).toBe('bars');
    const html = await renderHtml(input);
    expect(html.match(/<svg /g)).toHaveLength(3);
  });

  it('reads from any backend: an in-memory store under a key prefix', async () => {
    const store = new Store({ name: 'mem', meta: createMemoryBackend(), metaPrefix: 'team/trove' });
    const id = await exampleRun(tempDir(), store);
    const input = await reportInputFromRun(store, id);
    expect(input.plots.map((p) => p.id)).toEqual([
      'static/metric',
      'static/nested/metric',
      'sklearn/confusion_matrix',
    ]);
    expect(input.images.map((i) => [i.name, i.bytes.length > 0])).toEqual([['img.png', true]]);
  });

  it('a run that is not in the store is NOT_FOUND', async () => {
    const store = localStore(tempDir());
    const err = await reportInputFromRun(store, '0190aaaaaaaaaaaaaaaaaaaaaaaaaaaa').catch((e) => e);
    expect(isTroveError(err, 'NOT_FOUND')).toBe(true);
  });

  it('keeps the newest step of each image (names with / and _), and refuses non-image bytes', async () => {
    const cwd = tempDir();
    const store = localStore(tempDir());
    const run = await startRun({ cwd, store });
    writeFileSync(join(cwd, 'fake.png'), 'text');
    await run.logArtifact('fake.png', { type: 'image', step: 0 });
    // step 10 is logged before step 9: the newest step wins, not the last call
    const newest = png(2, 1, () => [10, 10, 10]);
    const steps: Array<[number, Uint8Array]> = [
      [10, newest],
      [9, png(1, 2, () => [9, 9, 9])],
    ];
    for (const [step, bytes] of steps) {
      writeFileSync(join(cwd, 'real.png'), bytes);
      await run.logArtifact('real.png', {
        type: 'image',
        name: 'samples/my_img',
        step: Number(step),
      });
    }
    await run.end();
    const input = await reportInputFromRun(store, run.id);
    expect(input.images.map((i) => i.name)).toEqual(['fake.png', 'samples/my_img.png']);
    expect(Buffer.from(input.images[1]?.bytes ?? []).equals(newest)).toBe(true);
    const err = await renderHtml(input).catch((e) => e);
    expect(isTroveError(err, 'INVALID_ARGUMENT')).toBe(true);
  });

  it('reads a metric saved in many segments as one series, in order', async () => {
    const cwd = tempDir();
    const store = localStore(tempDir());
    const run = await startRun({ cwd, store });
    for (let step = 0; step < 25; step++) {
      run.logMetric('loss', 1 / (step + 1));
      if (step % 5 === 0) run.logMetric('a-b', step);
      run.logMetric('a', -step - 1);
      await run.nextStep(); // each save appends a segment
    }
    await run.end();
    const prefix = store.runKey(run.id, 'events/metric/');
    const keys: string[] = [];
    for await (const e of store.meta.list(prefix)) keys.push(e.key.slice(prefix.length));
    expect(keys.filter((k) => k.startsWith('loss.plx'))).toHaveLength(25);
    expect(keys).toContain('loss.plx.000024');
    expect(keys).toContain('a-b.plx.000004');

    const input = await reportInputFromRun(store, run.id);
    expect(input.plots.map((p) => p.id)).toEqual(['static/a', 'static/a-b', 'static/loss']);
    expect(input.plots[2]?.data).toEqual(
      Array.from({ length: 25 }, (_, step) => ({ step, loss: 1 / (step + 1) })),
    );
    expect(input.plots[1]?.data).toEqual([0, 5, 10, 15, 20].map((step) => ({ step, 'a-b': step })));
    expect(input.plots[0]?.data).toEqual(
      Array.from({ length: 25 }, (_, step) => ({ step, a: -step - 1 })),
    );
  });
});
