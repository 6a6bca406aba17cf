// Exact properties of the CNN claims' judges and helpers (experiments/linearization/cnn-width.ts and
// experiments/fprinciple/cnn.ts), fed synthetic measurements just inside and outside each threshold. Light: nothing
// here trains a network. The claims' CI-tier verdicts are in properties/cnn-claims.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rngFromKey } from '../../core/rng.ts';
import { archLayers, filteringCnn, filteringCnnLookupRival, filteringVgg, filteringVggLookupRival, lookupTableXent, normalizeBands, projectionCnn, projectionCnnLookupRival, rivalRate, softmaxRows } from '../../experiments/fprinciple/cnn.ts';
import type { MeasFilt } from '../../experiments/fprinciple/highdim.ts';
import type { OrderRun } from '../../experiments/fprinciple/order.ts';
import { cnnWidth, cnnWidthMeanField, cnnWidthStatus, MIN_DECREASE, prefixChannels, type CnnRun, type CnnWidthMeasurements } from '../../experiments/linearization/cnn-width.ts';
import { forwardCnn, initCnn, type Cnn } from '../../theory/cnn.ts';
import { mat } from '../../theory/mlp.ts';
import { FC } from '../helpers.ts';

const FEW = { ...FC, numRuns: 40 } as const;

describe('linearization.cnn-width judge', () => {
  it('cnnWidthStatus: holds iff the interval lies below −½, fails iff above it', () => {
    expect(MIN_DECREASE).toBe(-0.5);
    fc.assert(
      fc.property(fc.double({ min: -3, max: 1, noNaN: true }), fc.double({ min: 0, max: 2, noNaN: true }), (lo, width) => {
        const e = { lo, hi: lo + width };
        const want = e.hi < -0.5 ? 'holds' : e.lo > -0.5 ? 'fails' : 'inconclusive';
        expect(cnnWidthStatus(e)).toBe(want);
      }),
      FC,
    );
    expect(cnnWidthStatus({ lo: -0.9, hi: -0.501 })).toBe('holds');
    expect(cnnWidthStatus({ lo: -0.9, hi: -0.499 })).toBe('inconclusive');
    expect(cnnWidthStatus({ lo: -0.499, hi: 0.2 })).toBe('fails');
  });

  /** Synthetic runs: gap = c·C^p·(1 + noise) per replicate, trained (loss ratio `ratio`). */
  function synthetic(p: number, noise: number, ratio = 1e-4, reps = 8): CnnWidthMeasurements {
    const rng = rngFromKey(`cnn-width-judge/${p}/${noise}`);
    const runs: CnnRun[][] = [];
    for (let r = 0; r < reps; r++) {
      const tilt = noise * rng.normal();
      runs.push(
        [16, 32, 64].map((C) => {
          const g = 0.1 * (C / 16) ** (p + tilt);
          return { width: C, alpha: 1, divergedAt: null, loss0: 1, lossEnd: ratio, supRmse: g, rmseEnd: g, supRmseTrain: g, supRmseTest: g, relDeltaNtk: 0.05 * (C / 16) ** -1, etaOverLimit: 0.3, trace: { t: [0], testNet: [0], testLin: [0] } };
        }),
      );
    }
    return { runs };
  }
  const cfg = cnnWidth.tiers.ci;

  it('an exact C^−1 law holds, C^0 and C^−0.3 fail, for the claim and its rival alike (same judge)', () => {
    for (const claim of [cnnWidth, cnnWidthMeanField]) {
      expect(claim.judge(synthetic(-1, 0), cfg).status).toBe('holds');
      expect(claim.judge(synthetic(-0.8, 0.05), cfg).status).toBe('holds');
      expect(claim.judge(synthetic(0, 0.05), cfg).status).toBe('fails');
      expect(claim.judge(synthetic(-0.3, 0.05), cfg).status).toBe('fails');
      // An estimate at −½ with a wide interval cannot be called either way.
      expect(claim.judge(synthetic(-0.5, 0.3), cfg).status).toBe('inconclusive');
    }
  });

  it('an untrained ladder (final/initial loss above 1e-2) or a diverged run is inconclusive', () => {
    expect(cnnWidth.judge(synthetic(-1, 0, 0.011), cfg).status).toBe('inconclusive');
    expect(cnnWidth.judge(synthetic(-1, 0, 0.009), cfg).status).toBe('holds');
    const m = synthetic(-1, 0);
    m.runs[1]![2] = { ...m.runs[1]![2]!, divergedAt: 40 };
    const v = cnnWidth.judge(m, cfg);
    expect(v.status).toBe('inconclusive');
    expect(v.reason).toMatch(/diverged/);
  });
});

describe('prefixChannels', () => {
  it('the first C channels of a wider NTK net equal the wide net with the other channels\' readout zeroed, rescaled by √(Cmax/C)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 1e6 }), (C, extra, seed) => {
        const Cmax = C + extra;
        const rng = rngFromKey(`prefix/${seed}`);
        const big = initCnn(
          { activation: 'tanh', parameterization: 'ntk', sigmaW: 1.5, sigmaB: 0.1, input: [3, 3, 1], layers: [{ type: 'conv', kh: 2, kw: 2, cout: Cmax, stride: 1, padding: 'same' }, { type: 'dense', nOut: 1 }] },
          rng,
        );
        const x = mat(3, 9, rng.normals(27));
        const small = prefixChannels(big, C);
        const zeroed: Cnn = { ...big, layers: [big.layers[0]!, { ...(big.layers[1] as Extract<Cnn['layers'][number], { type: 'dense' }>) }] };
        const dense = zeroed.layers[1] as Extract<Cnn['layers'][number], { type: 'dense' }>;
        dense.W = dense.W.map((v, q) => (q % Cmax < C ? v : 0));
        const bias = 0.1 * dense.b[0]!;
        const fs = forwardCnn(small, x).data;
        const fz = forwardCnn(zeroed, x).data;
        fs.forEach((v, i) => expect(Math.abs((v - bias) * Math.sqrt(C) - (fz[i]! - bias) * Math.sqrt(Cmax))).toBeLessThan(1e-12));
      }),
      FEW,
    );
  });
});

describe('fprinciple.filtering.cnn helpers', () => {
  it('softmaxRows: rows are probabilities, invariant to a shift of the logits', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -30, max: 30, noNaN: true }), { minLength: 3, maxLength: 3 }), fc.double({ min: -100, max: 100, noNaN: true }), (l, s) => {
        const p = softmaxRows(l, 3);
        const q = softmaxRows(l.map((v) => v + s), 3);
        expect(Math.abs(p[0]! + p[1]! + p[2]! - 1)).toBeLessThan(1e-12);
        p.forEach((v, j) => expect(Math.abs(v - q[j]!)).toBeLessThan(1e-9));
      }),
      FC,
    );
  });

  it('lookupTableXent from uniform logits: every row\'s residual is g(t)·(u − y_i) with one common g (so normalized bands tie)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), fc.double({ min: 0.01, max: 2, noNaN: true }), (k, cs, nu) => {
        const n = cs.length;
        const Y = mat(n, k);
        cs.forEach((c, i) => (Y.data[i * k + (c % k)] = 1));
        const [p5, p9] = lookupTableXent(new Float64Array(n * k), Y, nu, [5, 9]);
        for (const p of [p5!, p9!]) {
          const g = (p[0 * k + (cs[0]! % k)]! - 1) / (1 / k - 1);
          for (let q = 0; q < n * k; q++) expect(Math.abs(p[q]! - Y.data[q]! - g * (1 / k - Y.data[q]!))).toBeLessThan(1e-12);
        }
        // The residual shrinks: the correct class's probability grows with t.
        expect(p9![cs[0]! % k]!).toBeGreaterThan(p5![cs[0]! % k]!);
      }),
      FEW,
    );
  });

  it('rivalRate: a uniform start keeps 5% of its residual after the given steps', () => {
    const nu = rivalRate(10, 100);
    const Y = mat(1, 10);
    Y.data[3] = 1;
    const p = lookupTableXent(new Float64Array(10), Y, nu, [100])[0]!;
    const r = Math.hypot(...p.map((v, j) => v - Y.data[j]!)) / Math.hypot(...Y.data.map((v) => v - 0.1));
    expect(r).toBeCloseTo(0.05, 6);
  });

  it('normalizeBands divides each band by its first record and leaves undefined bands null', () => {
    expect(normalizeBands([[2, 1, 0.5], [4, 4, 1], [null, 1, 1], [0, 1, 1]])).toEqual([[1, 0.5, 0.25], [1, 1, 0.25], [null, null, null], [null, null, null]]);
  });

  it('archLayers: the CNN and VGG-style stacks build on 14×14×1 inputs with a 10-way head', () => {
    for (const arch of ['cnn', 'vgg'] as const) {
      const net = initCnn({ activation: 'relu', parameterization: 'standard', sigmaW: Math.SQRT2, sigmaB: 0, input: [14, 14, 1], layers: archLayers(arch, [2, 3]) }, rngFromKey('arch'));
      expect(forwardCnn(net, mat(1, 196)).cols).toBe(10);
    }
  });

  /** Two bands settling at steps tLow, tHigh (errors 1 → 0 linearly, crossing 0.1 at those steps), per seed and δ. */
  function bands(tLow: number[], tHigh: number[]): MeasFilt {
    const steps = Array.from({ length: 51 }, (_, r) => 4 * r);
    const curve = (t: number) => steps.map((s) => Math.max(0.01, 1 - (0.9 * s) / t));
    const runs: OrderRun[] = tLow.map((tl, i) => ({ seed: i, steps, err: [curve(tl), curve(tHigh[i]!)], loss: steps.map(() => 1), divergedAt: null }));
    const slot = (fraction: number) => ({ fraction, delta: 1, lowShare: 0.5, m: { bands: ['e_low', 'e_high'], runs } });
    return { deltas: [slot(0.1), slot(0.2)] };
  }

  it('the judge: low first with a median settling ratio ≥ 1.25 holds; ratio below, ties or high first fail (claim and rival alike)', () => {
    const cfg = filteringCnn.tiers.ci;
    for (const claim of [filteringCnn, filteringCnnLookupRival, filteringVgg, filteringVggLookupRival]) {
      expect(claim.judge(bands([60, 64], [100, 96]), cfg).status).toBe('holds');
      expect(claim.judge(bands([80, 80], [100, 104]), cfg).status).toBe('holds'); // ratios 1.25, 1.3
      expect(claim.judge(bands([84, 84], [100, 100]), cfg).status).toBe('fails'); // ratio 1.19: equal-rate-like
      expect(claim.judge(bands([56, 56], [56, 56]), cfg).status).toBe('fails'); // ties
      expect(claim.judge(bands([100, 100], [60, 60]), cfg).status).toBe('fails'); // high first
      expect(claim.judge(bands([60, 100], [100, 60]), cfg).status).toBe('fails'); // one seed reversed
    }
  });

  /** Three projected bands settling at the given steps (errors 1 → 0 linearly, crossing 0.1 there), per seed. */
  function proj(times: [number, number, number][]) {
    const steps = Array.from({ length: 51 }, (_, r) => 4 * r);
    const curve = (t: number) => steps.map((s) => Math.max(0.01, 1 - (0.9 * s) / t));
    const runs: OrderRun[] = times.map((ts, i) => ({ seed: i, steps, err: ts.map(curve), loss: steps.map(() => 1), divergedAt: null }));
    return { bands: ['0<k≤0.2', '0.2<k≤0.4', '0.4<k≤0.8'], runs, spectrum: [] };
  }

  it('the projection judge: bands in order with neighbouring median ratios ≥ 1.25 hold; a weak pair, ties or a reversal fail (claim and rival alike)', () => {
    const cfg = projectionCnn.tiers.ci;
    for (const claim of [projectionCnn, projectionCnnLookupRival]) {
      expect(claim.judge(proj([[52, 76, 100], [40, 52, 76]]), cfg).status).toBe('holds'); // ratios 1.38, 1.38
      expect(claim.judge(proj([[40, 52, 68], [40, 48, 60]]), cfg).status).toBe('holds'); // medians 1.25 (1.3, 1.2) and 1.28
      expect(claim.judge(proj([[40, 48, 64], [40, 48, 64]]), cfg).status).toBe('fails'); // low/mid ratio 1.2
      expect(claim.judge(proj([[40, 52, 60], [40, 52, 60]]), cfg).status).toBe('fails'); // mid/high ratio 1.15
      expect(claim.judge(proj([[52, 56, 56], [52, 56, 56]]), cfg).status).toBe('fails'); // the rival's ties
      expect(claim.judge(proj([[52, 76, 100], [100, 76, 52]]), cfg).status).toBe('fails'); // one seed reversed
    }
  });
});
