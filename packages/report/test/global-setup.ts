/**
 * Real tools the tests need, installed here when missing: Debian's `chromium` (apt-get) for the
 * browser check, and Python's `dvc-render` (pip; it comes with DVC) to compare templates with.
 * When one cannot be had, the tests that need it fail and say why: never a silent skip.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

function findChromium(): string | undefined {
  if (process.env.TROVE_CHROMIUM) return process.env.TROVE_CHROMIUM;
  return CANDIDATES.find((path) => existsSync(path));
}

function install(): void {
  const run = (args: string[]) =>
    execFileSync('apt-get', args, {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 280_000,
    });
  run(['update']);
  run(['install', '-y', '--no-install-recommends', 'chromium']);
}

const DVC_RENDER = 'dvc-render==1.0.2';

function findDvcRender(): string | undefined {
  const ok = (python: string) =>
    spawnSync(python, ['-c', 'import dvc_render.vega'], { stdio: 'ignore' }).status === 0;
  return ['python3', 'python'].find(ok);
}

function setupPython(project: TestProject): void {
  let python = findDvcRender();
  let problem = '';
  if (!python) {
    const pip = spawnSync('python3', ['-m', 'pip', 'install', '--quiet', DVC_RENDER], {
      encoding: 'utf8',
      timeout: 280_000,
    });
    if (pip.status !== 0) problem = `pip install ${DVC_RENDER} failed: ${pip.stderr ?? pip.error}`;
    python = findDvcRender();
  }
  project.provide('python', python ?? '');
  project.provide('pythonProblem', python ? '' : problem || 'python3 with dvc_render not found');
}

export default function setup(project: TestProject): void {
  setupPython(project);
  let chromium = findChromium();
  let problem = '';
  if (!chromium) {
    try {
      install();
    } catch (err) {
      problem = `apt-get install chromium failed: ${err instanceof Error ? err.message : String(err)}`;
    }
    chromium = findChromium();
  }
  project.provide('chromium', chromium ?? '');
  project.provide('chromiumProblem', chromium ? '' : problem || 'chromium not found');
}

declare module 'vitest' {
  export interface ProvidedContext {
    chromium: string;
    chromiumProblem: string;
    python: string;
    pythonProblem: string;
  }
}
