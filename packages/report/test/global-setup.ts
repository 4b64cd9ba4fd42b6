/**
 * The browser check needs Debian's `chromium`. Installed here when missing (apt-get); when it
 * cannot be, the browser test fails under `CI` and says why elsewhere: never a silent skip.
 */
import { execFileSync } from 'node:child_process';
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

export default function setup(project: TestProject): void {
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
  }
}
