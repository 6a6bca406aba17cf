// Test helpers for claim authors (`import { expectVerdicts } from 'dlclaims/testing'`; needs vitest).
// With DLCLAIMS_CACHE set, each claim's outcome goes through the result cache (core/report/cache.ts), so a later
// `dlclaims report --check` reuses it instead of running the claim again (CI runs each claim once).
import { describe, expect, it } from 'vitest';
import { expectedStatus, type AnyClaim, type Tier } from './claim.ts';
import { DEFAULT_MASTER_SEED } from './rng.ts';
import { runClaim } from './runner.ts';
import { cacheDir } from './report/cache.ts';

/** The verdict of one claim at a tier (default CI) and the default master seed, through the cache when it is on. */
export async function verdictOf(claim: AnyClaim, tier: Tier = 'ci'): Promise<{ status: string; reason: string }> {
  if (cacheDir()) {
    const { runCached } = await import('./report/generate.ts');
    const o = await runCached(claim, tier, DEFAULT_MASTER_SEED);
    return o.verdict;
  }
  return (await runClaim(claim, { tier })).verdict;
}

/** One vitest case per claim: the verdict must be the claim's expected status (controls: "fails"). */
export function expectVerdicts(claims: AnyClaim[], family: string): void {
  if (process.env.DLCLAIMS_SKIP_CLAIMS) return; // mutation runs check the exact properties only
  describe(`${family} claims (CI tier)`, () => {
    for (const claim of claims) {
      it(`${claim.id} ${claim.control ? '(control) ' : ''}→ ${expectedStatus(claim)}`, async () => {
        const v = await verdictOf(claim);
        const got = `${v.status}: ${v.reason}`;
        expect(got.startsWith(expectedStatus(claim) + ':'), got).toBe(true);
      });
    }
  });
}
