/**
 * Each Live is a trove run: params, metric history, every step's image, plots and artifacts go
 * to the store; a resumed Live continues the same run. And the report's input.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { readText } from '@trove/core/dialect';
import { describe, expect, it } from 'vitest';
import { float, Live } from '../src/index.js';
import { memoryStore, storeKeys, tempDir } from './helpers.js';
import { pixels } from './sessions.js';

async function session(cwd: string, store: ReturnType<typeof memoryStore>, resume = false) {
  const live = await Live.create({ cwd, store, resume, expName: 'exp-1' });
  if (!resume) live.logParams({ lr: float(0.01), layers: [64, 32] });
  for (let i = 0; i < 2; i++) {
    live.logMetric('train/loss', 1 / (i + 2));
    live.logMetric('note', 'text values stay out of the run');
    await live.logImage('img.png', pixels(3, 2, i));
    await live.nextStep();
  }
  return live;
}

describe('a Live is a trove run', () => {
  it('records params, metrics by step, every step image and plots in the store', async () => {
    const cwd = tempDir();
    const store = memoryStore();
    const live = await session(cwd, store);
    live.logPlot('pr', [{ x: 1, y: 2 }], { x: 'x', y: 'y' });
    live.logSklearnPlot('confusion_matrix', [0, 1], [1, 1]);
    writeFileSync(join(cwd, 'model.bin'), 'm');
    await live.logArtifact('model.bin', { type: 'model' });
    await live.end();
    const id = await live.runId();
    const record = await store.readRun(id);
    expect(record).toMatchObject({
      name: 'exp-1',
      status: 'completed',
      params: { lr: 0.01, layers: [64, 32] },
      summary: { 'train/loss': 1 / 3, step: 1 },
    });
    const artifacts = await store.readArtifacts(id);
    expect(Object.keys(artifacts).sort()).toEqual([
      'assets/image/img_0.png',
      'assets/image/img_1.png',
      'outputs/model.bin',
      'outputs/plots/custom/pr.json',
      'outputs/plots/sklearn/confusion_matrix.json',
    ]);
    expect(artifacts['outputs/plots/custom/pr.json']?.meta).toEqual({
      plot: { template: 'linear', x: 'x', y: 'y' },
    });
    expect(artifacts['assets/image/img_0.png']?.md5).not.toBe(
      artifacts['assets/image/img_1.png']?.md5,
    );
    const keys = await storeKeys(store);
    expect(keys).toContain(`runs/${id}/events/metric/train/loss.plx`);
    expect(keys.some((k) => k.includes('note'))).toBe(false);
    // Outside a DVC repository no pointer is written (DVCLive's rule), with its warning.
    expect(keys.length).toBeGreaterThan(5);
  });

  it('a resumed Live continues the same run', async () => {
    const cwd = tempDir();
    const store = memoryStore();
    const first = await session(cwd, store);
    await first.end();
    const second = await session(cwd, store, true);
    expect(second.step).toBe(4);
    await second.end();
    expect(await second.runId()).toBe(await first.runId());
    const record = await store.readRun(await first.runId());
    expect(record.summary.step).toBe(3);
    expect(record.params).toEqual({ lr: 0.01, layers: [64, 32] });
  });

  it('builds the report input from its files', async () => {
    const cwd = tempDir();
    const live = await session(cwd, memoryStore());
    live.logSklearnPlot('roc', [0, 1, 1], [0.2, 0.7, 0.9]);
    live.logPlot('bars', [{ k: 'a', v: 1 }], { x: 'k', y: 'v', template: 'bar_horizontal' });
    const input = live.buildReportInput();
    expect(input.params).toEqual({ lr: 0.01, layers: [64, 32] });
    expect(input.metrics).toEqual({
      train: { loss: 1 / 3 },
      note: 'text values stay out of the run',
      step: 1,
    });
    expect(input.plots.map((p) => [p.id, p.template, p.x, p.y])).toEqual([
      ['static/note', 'linear', 'step', 'note'],
      ['static/train/loss', 'linear', 'step', 'loss'],
      ['plots/sklearn/roc', 'simple', 'fpr', 'tpr'],
      ['plots/custom/bars', 'bar_horizontal', 'k', 'v'],
    ]);
    expect(input.plots[1]?.data).toEqual([
      { step: 0, loss: 0.5 },
      { step: 1, loss: 1 / 3 },
    ]);
    expect(input.plots[2]?.data[0]).toEqual({
      fpr: 0,
      tpr: 0,
      threshold: Number.POSITIVE_INFINITY,
    });
    expect(input.plots[2]?.xLabel).toBe('False Positive Rate');
    expect(input.images.map((i) => [i.name, i.mime, i.bytes.length > 8])).toEqual([
      ['img.png', 'image/png', true],
    ]);
    await live.end();
  });

  it('makeReport writes the report with @trove/report (its optional peer)', async () => {
    const cwd = tempDir();
    const live = await Live.create({ cwd, store: memoryStore(), report: 'html' });
    live.logMetric('m', 1);
    // A template DVC does not have is drawn as linear, as DVC draws it.
    live.logPlot('own', [{ x: 1, y: 2 }], { x: 'x', y: 'y', template: 'my_template' });
    expect(live.buildReportInput().plots.find((p) => p.id.endsWith('own'))?.template).toBe(
      'my_template',
    );
    await live.makeReport();
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(join(cwd, 'dvclive/report.html'), 'utf8')).toContain('<svg');
    const quiet = await Live.create({ cwd: tempDir(), store: memoryStore() });
    await quiet.makeReport();
    await quiet.end();
  });

  it("monitorSystem logs DVCLive's system/* metrics with timestamps", async () => {
    const cwd = tempDir();
    const live = await Live.create({ cwd, store: memoryStore() });
    live.monitorSystem({ intervalMs: 20 });
    await new Promise((r) => setTimeout(r, 200));
    await live.nextStep();
    await live.end();
    const usage = readFileSync(join(cwd, 'dvclive/plots/metrics/system/cpu/usage (%).tsv'), 'utf8');
    expect(usage.split('\n')[0]).toBe('timestamp\tstep\tusage (%)');
    expect(usage.split('\n').length).toBeGreaterThan(2);
    const system = live.summary.system as Record<string, Record<string, unknown>>;
    expect(system.cpu?.count).toBe(cpus().length);
    expect(Object.keys(system.ram ?? {}).sort()).toEqual(['total (GB)', 'usage (%)', 'usage (GB)']);
    expect(Object.keys(system.disk ?? {}).sort()).toEqual(['usage (%)', 'usage (GB)']);
  });

  it('saveDvcExp warns once without Git, or without dvc installed', async () => {
    const noGit = tempDir();
    mkdirSync(join(noGit, '.dvc'));
    const warnings: string[] = [];
    const a = await Live.create({
      cwd: noGit,
      store: memoryStore(),
      onWarning: (m) => warnings.push(m),
    });
    await a.end();
    expect(warnings).toEqual([
      "Can't save experiment without a Git Repo.\nCreate a Git repo (`git init`) and commit (`git commit`).",
    ]);
    const repo = tempDir();
    mkdirSync(join(repo, '.dvc'));
    writeFileSync(join(repo, 'README'), 'x');
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
        cwd: repo,
      });
    git('init', '-q');
    git('add', 'README');
    git('commit', '-q', '-m', 'init');
    const before = process.env.TROVE_DVC;
    process.env.TROVE_DVC = join(repo, 'no-such-dvc');
    try {
      const more: string[] = [];
      const b = await Live.create({
        cwd: repo,
        store: memoryStore(),
        onWarning: (m) => more.push(m),
      });
      b.logMetric('m', 1);
      await b.end();
      expect(more).toEqual([
        'Cannot save the DVC experiment: dvc is not installed (pip install dvc).',
      ]);
      expect(readFileSync(join(repo, 'dvclive/metrics.json'), 'utf8')).toBe('{\n    "m": 1\n}\n');
    } finally {
      if (before === undefined) delete process.env.TROVE_DVC;
      else process.env.TROVE_DVC = before;
    }
  });

  it("writes the run's metric events in Polyaxon's format, however many", async () => {
    const store = memoryStore();
    const live = await Live.create({ cwd: tempDir(), store });
    live.logMetric('loss', 0.5);
    await live.nextStep();
    for (let i = 0; i < 5000; i++) live.logMetric('loss', i);
    await live.end();
    const text = await readText(store.meta, `runs/${await live.runId()}/events/metric/loss.plx`);
    const lines = text.split('\n');
    expect(lines).toHaveLength(5002);
    expect(lines[0]).toBe('step|timestamp|metric');
    // The time as Polyaxon's client writes it: Python's str(datetime) of a UTC time.
    expect(lines[1]).toMatch(/^0\|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?\+00:00\|0\.5$/);
    expect(lines[5001]).toMatch(/^1\|.*\|4999$/);
    expect(text.endsWith('\n')).toBe(false);
  });
});
