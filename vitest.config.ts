import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts', '*.test.ts'],
    exclude: ['e2e/**', 'node_modules/**'],
    // tfjs backends are process-global: one process per file keeps tests independent.
    pool: 'forks',
    isolate: true,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
