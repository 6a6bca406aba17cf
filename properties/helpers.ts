// Shared test helpers: run a family's claims at the CI tier and assert each verdict is the expected one.
import { describe, expect, it } from 'vitest';
import { expectedStatus, type AnyClaim } from '../core/claim.ts';
import { runClaim } from '../core/runner.ts';

/** One vitest case per claim: the verdict must be the claim's expected status (controls: "fails"). */
export function expectVerdicts(claims: AnyClaim[], family: string): void {
  if (process.env.DLCLAIMS_SKIP_CLAIMS) return; // mutation runs check the exact properties only
  describe(`${family} claims (CI tier)`, () => {
    for (const claim of claims) {
      it(`${claim.id} ${claim.control ? '(control) ' : ''}→ ${expectedStatus(claim)}`, async () => {
        const r = await runClaim(claim, { tier: 'ci' });
        const got = `${r.verdict.status}: ${r.verdict.reason}`;
        expect(got.startsWith(expectedStatus(claim) + ':'), got).toBe(true);
      });
    }
  });
}

/** fast-check settings: a fixed seed per file (printed by fast-check on failure), shrinking on. */
export const FC = { seed: 20261123, numRuns: 100 } as const;
