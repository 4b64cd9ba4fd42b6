import { spawnSync } from 'node:child_process';
import { provideChromium } from '@trove/test-utils/chromium';
import type { TestProject } from 'vitest/node';

/**
 * The CLI tests drive real DVC. Installs it with pip when it is missing; if it still cannot run,
 * the run fails under CI (and locally too: these tests never skip silently). Debian's chromium
 * (found or installed with apt-get) draws `trove lineage --format mermaid` in a browser.
 */
export default function setup(project: TestProject): void {
  const version = () => spawnSync('dvc', ['--version'], { encoding: 'utf8' });
  let v = version();
  if (v.status !== 0) {
    process.stderr.write('[cli tests] dvc not found: pip install dvc\n');
    const pip = spawnSync('python3', ['-m', 'pip', 'install', '--quiet', 'dvc'], {
      stdio: 'inherit',
    });
    if (pip.status !== 0)
      throw new Error('Could not install dvc with pip; the DVC interop tests need it.');
    v = version();
  }
  if (v.status !== 0) throw new Error(`dvc is not runnable after install: ${v.stderr}`);
  project.provide('dvcVersion', v.stdout.trim());
  provideChromium(project);
}

declare module 'vitest' {
  export interface ProvidedContext {
    dvcVersion: string;
  }
}
