import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLocalBackend } from '@trove/backend-local';
import { Store, startRun } from '@trove/core';
import { tempDir } from '@trove/test-utils';
import { beforeEach, describe, expect, it } from 'vitest';
import { trove, troveJson } from './helpers.js';

/** A valid 1×1 PNG. */
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

let cwd: string;
let runId: string;

/** A run made by the library into the project's store, as a training script would. */
async function trainRun(name: string, lr: number, losses: number[], imageStep: number) {
  const store = new Store({
    name: 'default',
    meta: createLocalBackend({ root: join(cwd, '.trove') }),
  });
  const run = await startRun({ cwd, store, name, params: { lr } });
  for (const loss of losses) {
    run.logMetric('loss', loss);
    await run.nextStep();
  }
  writeFileSync(join(cwd, 'sample.png'), PIXEL);
  await run.logArtifact('sample.png', { type: 'image', step: imageStep });
  await run.end();
  return run.id;
}

beforeEach(async () => {
  cwd = tempDir();
  expect(trove(['init'], { cwd }).code).toBe(0);
  runId = await trainRun('train', 0.01, [0.9, 0.5, 0.25], 2);
});

describe('trove report', () => {
  it('writes a self-contained report.html of a stored run', () => {
    const out = troveJson<Record<string, unknown>>(
      ['report', runId.slice(0, 16), '-o', 'out/r.html'],
      {
        cwd,
      },
    );
    expect(out).toEqual({ run: runId, path: join(cwd, 'out/r.html'), plots: 1, images: 1 });
    const html = readFileSync(join(cwd, 'out/r.html'), 'utf8');
    expect(html.match(/<svg /g)).toHaveLength(1);
    expect(html).toContain(`src="data:image/png;base64,${PIXEL.toString('base64')}"`);
    expect(html).toContain('<th>lr</th>');
    expect(html).not.toMatch(/<script|<link/i);
  });

  it('--md writes report.md with the plots as PNG files next to it', () => {
    const r = trove(['report', runId, '--md', '-o', 'md/report.md'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${join(cwd, 'md/report.md')}\n`);
    const md = readFileSync(join(cwd, 'md/report.md'), 'utf8');
    expect(md).toMatch(/^# train \(/);
    expect(md).toContain('\n![static/loss](static/loss.png)\n');
    expect(readFileSync(join(cwd, 'md/static/loss.png')).subarray(1, 4).toString()).toBe('PNG');
  });

  it('an unknown run is NOT_FOUND (exit 3) and writes nothing', () => {
    const r = trove(['report', 'ffffffffffff', '--json'], { cwd });
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).error.code).toBe('NOT_FOUND');
    expect(existsSync(join(cwd, 'report.html'))).toBe(false);
  });
});

describe('trove report --compare', () => {
  let second: string;
  beforeEach(async () => {
    second = await trainRun('train-2', 0.1, [0.8, 0.3], 1);
  });

  /** The data the report embeds for the compare view. */
  const embedded = (html: string) => {
    const m = /<script type="application\/json" id="trove-data">(.*?)<\/script>/s.exec(html);
    if (!m) throw new Error('no embedded data');
    return JSON.parse(m[1] as string);
  };

  it('writes the compare view of two runs with their data embedded', () => {
    const out = troveJson<{ path: string; bytes: number }>(
      ['report', '--compare', runId.slice(0, 16), second, '-o', 'out/compare.html'],
      { cwd },
    );
    expect(out.path).toBe(join(cwd, 'out/compare.html'));
    const html = readFileSync(out.path, 'utf8');
    expect(out.bytes).toBe(Buffer.byteLength(html));
    // nothing to fetch: no external script, stylesheet or image
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|<img/i);
    const data = embedded(html);
    expect(data.compare.runs.map((r: { id: string }) => r.id)).toEqual([runId, second]);
    expect(data.compare.params).toEqual([{ key: 'lr', values: [0.01, 0.1], differs: true }]);
    expect(data.compare.metricKeys).toEqual(['loss']);
    const loss = data.metrics.step.map((s: { run: string; y: number[] }) => [s.run, s.y]);
    expect(loss).toEqual([
      [runId, [0.9, 0.5, 0.25]],
      [second, [0.8, 0.3]],
    ]);
    const images = data.images.sample.map((i: { run: string; step: number; src: string }) => [
      i.run,
      i.step,
      i.src,
    ]);
    const src = `data:image/png;base64,${PIXEL.toString('base64')}`;
    expect(images).toEqual([
      [runId, 2, src],
      [second, 1, src],
    ]);
  });

  it('takes one filter instead of runs, and refuses a filter that matches one run', () => {
    const r = trove(['report', '--compare', 'params.lr >= 0.01', '--json'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const data = embedded(readFileSync(join(cwd, 'compare.html'), 'utf8'));
    expect(data.compare.runs.map((x: { id: string }) => x.id).sort()).toEqual(
      [runId, second].sort(),
    );

    const one = trove(['report', '--compare', 'params.lr > 0.05', '-o', 'one.html', '--json'], {
      cwd,
    });
    expect(one.code).toBe(4);
    expect(JSON.parse(one.stdout).error.code).toBe('INVALID_ARGUMENT');
    expect(existsSync(join(cwd, 'one.html'))).toBe(false);
  });
});
