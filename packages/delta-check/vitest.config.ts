import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'delta-check',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup-env.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
  },
});
