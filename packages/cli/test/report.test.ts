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

beforeEach(async () => {
  cwd = tempDir();
  expect(trove(['init'], { cwd }).code).toBe(0);
  // a run made by the library into the project's store, as a training script would
  const store = new Store({
    name: 'default',
    meta: createLocalBackend({ root: join(cwd, '.trove') }),
  });
  const run = await startRun({ cwd, store, name: 'train', params: { lr: 0.01 } });
  for (const loss of [0.9, 0.5, 0.25]) {
    run.logMetric('loss', loss);
    await run.nextStep();
  }
  writeFileSync(join(cwd, 'sample.png'), PIXEL);
  await run.logArtifact('sample.png', { type: 'image', step: 2 });
  await run.end();
  runId = run.id;
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
