import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'mlflow',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 600_000,
  },
});
