import { provideChromium } from '@trove/test-utils/chromium';
import type { TestProject } from 'vitest/node';

/** The browser tests need Debian's chromium: found, or installed with apt-get, or the run fails. */
export default function setup(project: TestProject): void {
  provideChromium(project);
}
