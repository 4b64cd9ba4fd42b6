/**
 * Real DVC reads what trove's Live writes: `dvc metrics show`, `dvc params diff`, `dvc plots
 * show` (every plot, with its data) and, after `end()` with `saveDvcExp`, `dvc exp show` lists
 * the experiment with its params and metrics. DVC runs from the test venv.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { float, Live } from '../src/index.js';
import { initDvcRepo, python } from './harness.js';
import { tempDir } from './helpers.js';
import { pixels } from './sessions.js';
import { ensureVenv, VENV } from './venv.js';

let cwd: string;
const warnings: string[] = [];

beforeAll(async () => {
  await ensureVenv();
  cwd = tempDir('trove-live-dvc-');
  initDvcRepo(cwd);
  writeFileSync(join(cwd, 'model.pt'), 'weights');
  const live = await Live.create({
    cwd,
    expName: 'trove-exp',
    onWarning: (m) => warnings.push(m),
  });
  live.logParams({ lr: 0.001, optimizer: { name: 'adam' } });
  for (let i = 0; i < 3; i++) {
    live.logMetric('train/loss', float(1 / (i + 1)));
    live.logMetric('acc', 0.5 + i / 10);
    await live.logImage(`samples/${i}.png`, pixels(4, 4, i * 40));
    await live.nextStep();
  }
  live.logPlot(
    'pr',
    [
      { r: 1, p: 0.5 },
      { r: 0.5, p: 0.75 },
    ],
    { x: 'r', y: 'p', title: 'PR' },
  );
  live.logSklearnPlot('roc', [0, 1, 1, 0, 1], [0.1, 0.8, 0.6, 0.4, 0.9]);
  await live.logArtifact('model.pt', { type: 'model', desc: 'best' });
  await live.end();
}, 900_000);

// DVC prints Python's JSON: thresholds of a ROC curve start at a bare `Infinity`.
const dvc = (...args: string[]) =>
  JSON.parse(python(['-m', 'dvc', ...args], cwd).replace(/(?<=[:\s])-?Infinity\b/g, '1e999'));

describe('real DVC reads a Live', () => {
  it('dvc metrics show', () => {
    // DVC 3.64 names the workspace "" in this listing.
    expect(dvc('metrics', 'show', '--json')).toEqual({
      '': {
        data: {
          'dvclive/metrics.json': { data: { train: { loss: 1 / 3 }, acc: 0.7, step: 2 } },
        },
      },
    });
  });

  it('dvc params diff', () => {
    expect(dvc('params', 'diff', '--json')).toEqual({
      'dvclive/params.yaml': {
        lr: { old: null, new: 0.001 },
        'optimizer.name': { old: null, new: 'adam' },
      },
    });
  });

  it('dvc plots show lists every plot with its data', () => {
    const shown = dvc('plots', 'show', '--json');
    const data = shown.data as Record<
      string,
      Array<{ content?: { data?: { values?: unknown[] } } }>
    >;
    expect(Object.keys(data).sort()).toEqual(
      [
        'dvclive/plots/custom/pr.json',
        'dvclive/plots/images/samples/0.png',
        'dvclive/plots/images/samples/1.png',
        'dvclive/plots/images/samples/2.png',
        'dvclive/plots/metrics/acc.tsv',
        'dvclive/plots/metrics/train/loss.tsv',
        'dvclive/plots/sklearn/roc.json',
      ].sort(),
    );
    const values = (id: string) => data[id]?.[0]?.content?.data?.values ?? [];
    expect(values('dvclive/plots/metrics/acc.tsv')).toHaveLength(3);
    expect(values('dvclive/plots/metrics/train/loss.tsv')).toMatchObject([
      { step: '0', loss: '1.0' },
      { step: '1', loss: '0.5' },
      { step: '2', loss: '0.3333333333333333' },
    ]);
    expect(values('dvclive/plots/custom/pr.json')).toHaveLength(2);
    expect(values('dvclive/plots/sklearn/roc.json').length).toBeGreaterThan(2);
  });

  it('dvc exp show lists the experiment saved at end()', () => {
    expect(warnings).toEqual([]);
    const exps = dvc('exp', 'show', '--json') as Array<{
      experiments?: Array<{ name?: string; revs: Array<{ data: Record<string, unknown> }> }>;
    }>;
    const saved = exps.flatMap((e) => e.experiments ?? []).find((e) => e.name === 'trove-exp');
    const data = saved?.revs[0]?.data as {
      params: Record<string, { data: unknown }>;
      metrics: Record<string, { data: unknown }>;
    };
    expect(data.params['dvclive/params.yaml']?.data).toEqual({
      lr: 0.001,
      optimizer: { name: 'adam' },
    });
    expect(data.metrics['dvclive/metrics.json']?.data).toMatchObject({ acc: 0.7, step: 2 });
  });
});

process.env.TROVE_DVC = join(VENV, 'bin', 'dvc');
