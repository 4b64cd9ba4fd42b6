import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'polyaxon',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 600_000,
  },
});
