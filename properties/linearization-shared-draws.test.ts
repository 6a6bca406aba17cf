// core/paired.ts (as the linearization rivals use it): a rival that names its claim in `drawsOf` runs on the claim's seeded
// streams (so on its very networks), and the in-process memo returns what a fresh computation would.
import { describe, expect, it } from 'vitest';
import { claimRng } from '../core/rng.ts';
import { runClaim } from '../core/runner.ts';
import { memoized, pairedRng as drawsRng } from '../core/paired.ts';
import { prefixMlp } from '../experiments/linearization/prefix.ts';
import { fitExponent } from '../experiments/linearization/scaling.ts';
import { makeData, runWide } from '../experiments/linearization/wide-run.ts';
import { widthScaling, widthScalingWeightChange } from '../experiments/linearization/width-scaling.ts';
import { initMlp } from '../theory/mlp.ts';
import type { AnyClaim, RunContext } from '../core/claim.ts';

const ctx = (claimId: string, masterSeed: number) => ({ claimId, masterSeed, rng: (r: number, l = '') => claimRng(masterSeed, claimId, r, l) }) as unknown as RunContext;

describe('shared draws', () => {
  it('drawsRng is ctx.rng without drawsOf, and the named claim\'s stream with it', () => {
    const a = drawsRng(ctx('x.rival', 7), undefined)(2, 'init').normals(5);
    expect(Array.from(a)).toEqual(Array.from(claimRng(7, 'x.rival', 2, 'init').normals(5)));
    const b = drawsRng(ctx('x.rival', 7), 'x.claim')(2, 'init').normals(5);
    expect(Array.from(b)).toEqual(Array.from(claimRng(7, 'x.claim', 2, 'init').normals(5)));
    expect(Array.from(b)).not.toEqual(Array.from(a));
  });

  it('memoized computes once per key', () => {
    let calls = 0;
    const f = () => ++calls;
    expect(memoized('shared-draws-test/a', f)).toBe(1);
    expect(memoized('shared-draws-test/a', f)).toBe(1);
    expect(memoized('shared-draws-test/b', f)).toBe(2);
  });

  it('the width-scaling weight-change rival trains exactly the claim\'s networks (its first replicates), fresh or memoized', async () => {
    const small = { steps: 6, recordEvery: 3, d: 4, nTrain: 4, nTest: 3, widths: [8, 16, 32] };
    const shrink = (c: AnyClaim, replicates: number) => ({ ...c, tiers: { ...c.tiers, ci: { ...c.tiers.ci, ...small, replicates } } }) as AnyClaim;
    const seed = 424242;
    // Fresh (nothing memoized for this setting yet): the rival alone; then its ladders by hand from the claim's streams.
    const rival = await runClaim(shrink(widthScalingWeightChange, 2), { masterSeed: seed });
    const perRep = (rival.verdict.metrics as { judgedExponentPerReplicate: number[] }).judgedExponentPerReplicate;
    const cfg = { ...widthScaling.tiers.ci, ...small };
    for (const r of [0, 1]) {
      const data = makeData(claimRng(seed, widthScaling.id, r, 'data'), cfg.d, cfg.nTrain, cfg.nTest);
      const big = initMlp([cfg.d, 32, 1], { activation: cfg.activation, parameterization: 'ntk', sigmaW: cfg.sigmaW, sigmaB: cfg.sigmaB }, claimRng(seed, widthScaling.id, r, 'init'));
      const ladder = small.widths.map((w: number) => runWide({ ...cfg, alpha: 1 }, data, prefixMlp(big, [w])).relDeltaW1);
      expect(perRep[r]).toBeCloseTo(fitExponent(small.widths, ladder)!.value, 12);
    }
    // The claim, run after it (its ladders now come from the memo), reports the same weight-change exponent.
    const claim = await runClaim(shrink(widthScaling, 2), { masterSeed: seed });
    expect(claim.verdict.metrics.weightChangeExponentW1).toEqual(rival.verdict.metrics.judgedExponent);
  });
});
