import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'backend-gcs',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
