// Frequency Principle family: every claim's CI-tier verdict. The ordering judge's exact properties on synthetic
// trajectories are in properties/judges/fprinciple.test.ts; those of the Fourier tools and optimizers are in
// properties/theory/{fourier,optimizers}.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cnnFilteringClaims } from '../experiments/fprinciple/cnn.ts';
import { filtering, filteringAnalysis, smoothAll } from '../experiments/fprinciple/highdim.ts';
import { claims } from '../experiments/fprinciple/index.ts';
import { whiteLike } from '../experiments/fprinciple/nongradient.ts';
import { rngFromKey } from '../core/rng.ts';
import { median } from '../core/stats.ts';
import { filterErrorsSmoothed, squaredDistances } from '../theory/fourier.ts';
import { lookupTableOutputs } from '../theory/lookup-table.ts';
import { mat } from '../theory/mlp.ts';
import { expectVerdicts, FC } from './helpers.ts';

expectVerdicts(claims.filter((c) => !cnnFilteringClaims.includes(c)), 'fprinciple'); // CNN claims: properties/cnn-claims.test.ts

describe("whiteLike: the swarm rival's white-noise particle", () => {
  it('h = (1, 3), ξ = (0.5, −2): mean 2, spread 1, so (2.5, 0) (by hand)', () => {
    const xi = [0.5, -2];
    let k = 0;
    expect([...whiteLike([1, 3], () => xi[k++]!)]).toEqual([2.5, 0]);
  });

  it('is m + s·ξ_i with m the mean of h and s² = mean(h²) − m² (a second formula for the spread)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 2, maxLength: 12 }), fc.array(fc.double({ min: -4, max: 4, noNaN: true }), { minLength: 12, maxLength: 12 }), (h, xi) => {
        let k = 0;
        const out = whiteLike(h, () => xi[k++]!);
        const m = h.reduce((a, v) => a + v, 0) / h.length;
        const s = Math.sqrt(Math.max(0, h.reduce((a, v) => a + v * v, 0) / h.length - m * m));
        expect(out.length).toBe(h.length);
        out.forEach((o, i) => expect(Math.abs(o - (m + s * xi[i]!))).toBeLessThan(1e-9));
      }),
      FC,
    );
  });
});

describe('fprinciple.filtering: the blocked analysis (smoothAll) against the dense one (filteringAnalysis)', () => {
  const setup = (seed: number, n: number) => {
    const rng = rngFromKey(`filtering-claim/${seed}`);
    const X = mat(n, 3, rng.normals(3 * n));
    const Y = mat(n, 2, rng.normals(2 * n));
    const outputs = [rng.normals(2 * n), rng.normals(2 * n), Y.data.map((y) => y + 0.01)];
    const d2 = squaredDistances(X);
    const pairs: number[] = [];
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) pairs.push(d2[i * n + j]!);
    return { X, Y, outputs, med: median(pairs) };
  };

  it('same δ, low share and (e_low, e_high) for every δ and output, bit for bit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 3, max: 20 }), (seed, n) => {
        const { X, Y, outputs, med } = setup(seed, n);
        const cfg = { deltaFractions: [0.05, 0.1, 0.2] };
        const dense = filteringAnalysis(X, Y, cfg);
        smoothAll(X, Y, outputs, med, cfg.deltaFractions).forEach((a, j) => {
          expect(a.delta).toBe(dense[j]!.delta);
          expect(a.lowShare).toBe(dense[j]!.lowShare);
          outputs.forEach((h, r) => {
            const e = filterErrorsSmoothed(Y.data, a.yLow, h, a.hLow[r]!);
            expect([e.eLow, e.eHigh]).toEqual(dense[j]!.errors(h));
          });
        });
      }),
      { ...FC, numRuns: 30 },
    );
  });

  it("the rival's shortcut K·θ_t = K·y + ρ^t (K·θ_0 − K·y) matches smoothing θ_t itself (to 1e-12)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 0, max: 400 }), (seed, t) => {
        const { X, Y, outputs, med } = setup(seed, 12);
        const rho = 0.99;
        const theta = lookupTableOutputs(outputs[0]!, Y.data, rho, t);
        const [a] = smoothAll(X, Y, [outputs[0]!, theta], med, [0.1]);
        const shortcut = lookupTableOutputs(a!.hLow[0]!, a!.yLow, rho, t);
        shortcut.forEach((v, q) => expect(Math.abs(v - a!.hLow[1]![q]!)).toBeLessThan(1e-12));
      }),
      { ...FC, numRuns: 30 },
    );
  });
});

describe('fprinciple.filtering judge: an undecided δ names how far the fit got', () => {
  it('e_high never below 0.1: inconclusive, and the reason gives each seed\'s lowest (e_low, e_high)', () => {
    const run = (seed: number, low: number[], high: number[]) => ({ seed, steps: low.map((_, r) => 32 * r), err: [low, high], loss: low.map(() => 0.1), divergedAt: null });
    const m = {
      deltas: [
        {
          fraction: 0.1,
          delta: 2,
          lowShare: 0.46,
          m: { bands: ['e_low', 'e_high'], runs: [run(0, [1.6, 0.2, 0.05, 0.07], [1.2, 0.8, 0.5, 0.4]), run(1, [1.5, 0.09, 0.03, 0.04], [1.2, 0.7, 0.45, 0.41])] },
        },
      ],
    };
    const v = filtering.judge(m, filtering.tiers.full);
    expect(v.status).toBe('inconclusive');
    expect(v.reason).toContain('Lowest (e_low, e_high) reached: seed 0 (0.050, 0.400), seed 1 (0.030, 0.410).');
  });
});
