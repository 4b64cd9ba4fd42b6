/**
 * Real tools the tests need, installed here when missing: Debian's `chromium` (apt-get, through
 * @trove/test-utils/chromium) for the browser check, and Python's `dvc-render` (pip; it comes
 * with DVC) to compare templates with.
 * When one cannot be had, the tests that need it fail and say why: never a silent skip.
 */
import { spawnSync } from 'node:child_process';
import { provideChromium } from '@trove/test-utils/chromium';
import type { TestProject } from 'vitest/node';

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
  provideChromium(project);
}

declare module 'vitest' {
  export interface ProvidedContext {
    python: string;
    pythonProblem: string;
  }
}
