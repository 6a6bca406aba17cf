// Vitest settings for mutation testing (npm run mutation): the exact properties only. Claim verdict runs are
// experiments, not exact checks, and would make every mutant cost minutes; DLCLAIMS_SKIP_CLAIMS skips them.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['properties/**/*.test.ts'],
    exclude: ['properties/cli.test.ts'],
    env: { DLCLAIMS_SKIP_CLAIMS: '1' },
    pool: 'forks',
    testTimeout: 120_000,
  },
});
