import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'object-store',
    include: ['src/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
