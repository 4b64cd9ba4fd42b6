/**
 * Debian's `chromium` for browser tests, found (or `TROVE_CHROMIUM`) or installed with apt-get
 * in a vitest globalSetup; the tests take its path with `chromiumPath()` and launch it through
 * playwright-core. When it cannot be had, `chromiumPath` fails and says why: never a silent skip.
 * Scripts (bench/ui.mjs, scripts/ui-screenshots.mjs) find it with `findChromium()`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** `TROVE_CHROMIUM`, else the first of Debian's paths that exists. */
export function findChromium(): string | undefined {
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

/** For a globalSetup: finds or installs chromium and provides `chromium` / `chromiumProblem`. */
export function provideChromium(project: TestProject): void {
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

/** The chromium path a globalSetup provided, or an error that says why there is none. */
export function chromiumPath(provided: { chromium: string; chromiumProblem: string }): string {
  if (!provided.chromium) {
    throw new Error(`chromium is required for the browser tests: ${provided.chromiumProblem}`);
  }
  return provided.chromium;
}

declare module 'vitest' {
  export interface ProvidedContext {
    chromium: string;
    chromiumProblem: string;
  }
}
