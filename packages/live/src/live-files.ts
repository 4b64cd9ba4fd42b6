/**
 * What a Live does to its folder when it starts: DVCLive's `_init_cleanup` (a fresh session
 * removes the plots, `metrics.json`, `params.yaml`, reports and `<dir>/*dvc.yaml`; artifacts
 * and the user's files stay) and `_init_resume` (params and summary read back; the step goes on
 * from `step + 1`, except that a run that ended at step 0 resumes at 0).
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadJsonPy, loadYamlPy } from './py-load.js';

const PLOT_FOLDERS = ['sklearn', 'metrics', 'images', 'custom'];

export function cleanLiveDir(dir: string): void {
  for (const folder of PLOT_FOLDERS) {
    rmSync(join(dir, 'plots', folder), { recursive: true, force: true });
  }
  for (const f of ['metrics.json', 'params.yaml', 'report.html', 'report.md']) {
    rmSync(join(dir, f), { force: true });
  }
  for (const f of readdirSync(dir)) if (f.endsWith('dvc.yaml')) rmSync(join(dir, f));
}

export function readResumed(dir: string): {
  params: Record<string, unknown>;
  summary: Record<string, unknown>;
  step: number;
} {
  const out = { params: {}, summary: {} as Record<string, unknown>, step: 0 };
  const params = join(dir, 'params.yaml');
  if (existsSync(params)) {
    const loaded = loadYamlPy(readFileSync(params, 'utf8'), params);
    if (isRecord(loaded)) out.params = loaded;
  }
  const metrics = join(dir, 'metrics.json');
  if (existsSync(metrics)) {
    const loaded = loadJsonPy(readFileSync(metrics, 'utf8'), metrics);
    if (isRecord(loaded)) out.summary = loaded;
  }
  const step = typeof out.summary.step === 'number' ? out.summary.step : 0;
  out.step = step !== 0 ? step + 1 : step;
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
