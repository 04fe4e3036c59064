import { defineConfig } from 'vitest/config';
import { LIB_ALIASES } from './scripts/build/entries.ts';

export default defineConfig({
  // Tests import LocalRec through its public entries like the app (`localrec` -> src/lib/index.ts).
  resolve: { alias: LIB_ALIASES },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts', 'trainers/**/*.test.ts', 'bench/**/*.test.ts', '*.test.ts'],
    exclude: ['e2e/**', 'node_modules/**'],
    // tfjs backends are process-global: one process per file keeps tests independent.
    pool: 'forks',
    isolate: true,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
