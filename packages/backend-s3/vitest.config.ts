import { defineProject } from 'vitest/config';
import { TEST_ENV } from './test/helpers.js';

export default defineProject({
  test: {
    name: 'backend-s3',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    env: TEST_ENV,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
