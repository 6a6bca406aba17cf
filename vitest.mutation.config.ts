// Vitest settings for mutation testing (npm run mutation). Only the exact properties of theory/ run: they live in
// properties/theory/, one file per module, and import nothing heavier than theory/ and core/stats.ts, so a mutant
// costs ~0.1 s instead of ~0.5 s (the family files load the engines). Claim verdict runs are experiments, not exact
// checks, and would make every mutant cost minutes.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['properties/theory/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
  },
});
