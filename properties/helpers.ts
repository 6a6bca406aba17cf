// Shared test helpers: run a family's claims at the CI tier and assert each verdict is the expected one.
// The helpers are the package's own (`dlclaims/testing`, core/testing.ts), so the tests use what users get.
export { expectVerdicts, verdictOf } from '../core/testing.ts';

/** fast-check settings: a fixed seed per file (printed by fast-check on failure), shrinking on. */
export const FC = { seed: 20261123, numRuns: 100 } as const;
