// Exact properties of the implicit-bias / max-margin judges (experiments/maxmargin/{direction,homogeneous-net,
// log-rate}.ts), fed synthetic trajectories. Light: nothing here trains, so it runs under mutation testing
// (vitest.mutation.config.ts). The claims' CI-tier verdicts and the `maxmargin` tool stay in
// properties/maxmargin.test.ts; theory/maxmargin.ts has its own exact properties in properties/theory/.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rngFromKey } from '../../core/rng.ts';
import { linearFit, median, tQuantile } from '../../core/stats.ts';
import { directionStats, judgeDirection, RESIDUAL_GROWTH_MAX, type DirectionMeasurements, type DirectionReplicate } from '../../experiments/maxmargin/direction.ts';
import {
  fitThreshold,
  geometricMeanInterval,
  homogeneousStats,
  judgeHomogeneous,
  KKT_COMPLEMENTARITY_MAX,
  KKT_STATIONARITY_MAX,
  MIN_FRACTION as HOMOGENEOUS_MIN,
  MONOTONE_SLACK,
  type HomogeneousMeasurements,
  type HomogeneousReplicate,
} from '../../experiments/maxmargin/homogeneous-net.ts';
import { analyzeRun, judgeLogRate, judgeLogRateSet, type LogRateSet } from '../../experiments/maxmargin/log-rate.ts';
import { smoothedMargin } from '../../theory/homogeneous.ts';
import { norm } from '../../theory/maxmargin.ts';
import { FC } from '../helpers.ts';

const FEW = { ...FC, numRuns: 30 } as const;
/** A KKT residual well inside the bounds (Lyu & Li's nets measure stationarity 0.08–0.33, slack 0.04–0.1). */
const KKT_NEAR = { stationarity: 0.2, complementarity: 0.3, lossStationarity: 0.35, lossComplementarity: 0.07 };

describe('direction judge (the residual ‖w − ŵ log t‖ must stay bounded on every data set)', () => {
  const times = [10, 100, 1000, 1e4, 1e5]; // T/100 = 1000: the fit uses the last three
  /** A set whose residual/‖ŵ‖ is c + s·log t exactly (plus `wiggle` on the middle late point). */
  const rep = (s: number, o: { wiggle?: number; svmNorm?: number; divergedAt?: number | null } = {}): DirectionReplicate => {
    const svmNorm = o.svmNorm ?? 2;
    return {
      margin: 1 / svmNorm,
      supportSize: 3,
      svmNorm,
      times,
      angles: times.map((t) => 0.5 / Math.log(t)),
      residualNorms: times.map((t, i) => svmNorm * (4 + s * Math.log(t) + (i === 3 ? (o.wiggle ?? 0) : 0))),
      divergedAt: o.divergedAt ?? null,
    };
  };

  it('directionStats: slope of residual/‖ŵ‖ against log t over t ≥ T/100, with its t-interval; conforms iff the upper end < 0.5', () => {
    const st = directionStats(rep(0.2, { wiggle: 0.01 }));
    const f = linearFit([1000, 1e4, 1e5].map(Math.log), [1000, 1e4, 1e5].map((t, i) => 4 + 0.2 * Math.log(t) + (i === 1 ? 0.01 : 0)));
    expect(st.growth).toEqual({ value: f.slope, lo: f.ci.lo, hi: f.ci.hi });
    expect(st.growth.hi).toBeGreaterThan(st.growth.value); // a real interval
    expect(st.T).toBe(1e5);
    expect(st.finalAngle).toBe(0.5 / Math.log(1e5));
    expect(st.angleTimesLogT).toBeCloseTo(0.5, 14);
    expect(st.conforms).toBe(true);
    // An exact line has a zero-width interval: the threshold is strict.
    expect(directionStats(rep(RESIDUAL_GROWTH_MAX)).conforms).toBe(false);
    expect(directionStats(rep(RESIDUAL_GROWTH_MAX * (1 - 1e-9))).conforms).toBe(true);
    // The interval's upper end decides, not the slope: a slope of 0.4 with a wide interval does not conform.
    const wide = directionStats(rep(0.4, { wiggle: 0.3 }));
    expect(wide.growth.value).toBeLessThan(RESIDUAL_GROWTH_MAX);
    expect(wide.growth.hi).toBeGreaterThan(RESIDUAL_GROWTH_MAX);
    expect(wide.conforms).toBe(false);
    // Measured in units of ‖ŵ‖: the same shape at any ‖ŵ‖ gives the same slope.
    expect(directionStats(rep(0.3, { svmNorm: 7 })).growth.value).toBeCloseTo(0.3, 12);
    expect(RESIDUAL_GROWTH_MAX).toBe(0.5);
  });

  it('holds iff every data set conforms: one set growing like the finite-limit rival (slope 1) fails the claim', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }), (ok) => {
        const m: DirectionMeasurements = ok.map((good, i) => rep(good ? 0.01 * i : 1));
        const v = judgeDirection(m);
        const k = ok.filter(Boolean).length;
        expect(v.status).toBe(k === ok.length ? 'holds' : 'fails');
        expect(v.metrics.conforming).toBe(k);
        expect(v.metrics.dataSets).toBe(ok.length);
        expect(v.reason).toContain(`${k} of ${ok.length} data sets`);
      }),
      FEW,
    );
  });

  it('the worst set is the one whose interval reaches highest; the metrics are the declared medians and range', () => {
    const m = [rep(0.1), rep(0.3, { wiggle: 0.05 }), rep(0.35), rep(0.05)];
    const stats = m.map(directionStats);
    const v = judgeDirection(m);
    const worst = stats[1]!.growth.hi > stats[2]!.growth.hi ? 1 : 2;
    expect(v.metrics.worstDataSet).toBe(worst);
    expect(v.metrics.worstResidualGrowth).toEqual(stats[worst]!.growth);
    expect(v.metrics.medianResidualGrowth).toBe(median(stats.map((s) => s.growth.value)));
    expect(v.metrics.residualGrowthRange).toEqual([Math.min(...stats.map((s) => s.growth.value)), Math.max(...stats.map((s) => s.growth.value))]);
    expect(v.metrics.medianFinalAngle).toBe(0.5 / Math.log(1e5));
    expect(v.metrics.medianSvmMargin).toBe(0.5);
    expect(v.status).toBe('holds');
    expect(v.reason).toContain(`worst set ${worst}: ${stats[worst]!.growth.value.toPrecision(3)}`);
  });

  it('a diverged data set is inconclusive and names the step', () => {
    expect(judgeDirection([rep(0.1), rep(0.1, { divergedAt: 42 })])).toEqual({ status: 'inconclusive', reason: 'GD diverged at step 42', metrics: {} });
  });
});

describe('homogeneous-net judge (normalized margin of a 2-homogeneous ReLU net)', () => {
  const ts = [1, 10, 100, 1000, 1e4, 1e5];
  const rising = (scale = 1): HomogeneousReplicate => ({
    times: ts,
    loss: ts.map((t) => 5 / (t + 1)),
    normSq: ts.map((t) => 10 + 5 * Math.log(t)),
    minMargin: ts.map((t) => scale * (10 + 5 * Math.log(t)) * (0.1 - 0.05 / Math.log(t + 2))),
    kkt: KKT_NEAR,
    divergedAt: null,
  });

  it('homogeneous-net: an increasing normalized margin holds, the reversed one fails', () => {
    const up: HomogeneousMeasurements = Array.from({ length: 4 }, () => rising());
    expect(judgeHomogeneous(up, { loss: 'logistic' }).status).toBe('holds');
    const down = up.map((r) => ({ ...r, minMargin: ts.map((t, i) => r.normSq[i]! * (0.05 + 0.05 / Math.log(t + 2))) }));
    expect(judgeHomogeneous(down, { loss: 'logistic' }).status).toBe('fails');
  });

  it('fitThreshold is the loss at margin 0 (log 2, 1) and no bound for the squared-loss control', () => {
    expect(fitThreshold('logistic')).toBeCloseTo(Math.LN2, 15);
    expect(fitThreshold('exp')).toBe(1);
    expect(fitThreshold('squared')).toBe(Infinity);
  });

  it('homogeneousStats starts at the first checkpoint with loss below ℓ(0) after which every margin stays positive', () => {
    const r = rising();
    // Loss 5/(t+1): 2.5, 0.45, … so the logistic fit starts at t = 10 (0.45 < log 2), the exp one at t = 10 too.
    expect(homogeneousStats(r, 'logistic')!.fitAt).toBe(10);
    const late = { ...r, loss: [3, 0.7, 0.69, 0.5, 0.1, 0.01] };
    expect(homogeneousStats(late, 'logistic')!.fitAt).toBe(100); // 0.69 < log 2 ≈ 0.6931, 0.7 is not
    expect(homogeneousStats(late, 'exp')!.fitAt).toBe(10); // 0.7 < 1
    const neg = (i: number) => ({ ...r, minMargin: r.minMargin.map((q, j) => (j === i ? -q : q)) });
    expect(homogeneousStats(neg(1), 'logistic')!.fitAt).toBe(100);
    // At least 4 checkpoints from the fit on: the fit at t = 1000 leaves 3, nothing to judge.
    expect(homogeneousStats(neg(2), 'logistic')).toBeNull();
    expect(homogeneousStats({ ...r, loss: [3, 2, 0.9, 0.5, 0.1, 0.01] }, 'logistic')).toBeNull();
    expect(homogeneousStats({ ...r, loss: [3, 2, 0.5, 0.5, 0.1, 0.01] }, 'logistic')!.fitAt).toBe(100);
    expect(homogeneousStats({ ...r, loss: ts.map(() => 0.7) }, 'logistic')).toBeNull();
    expect(homogeneousStats({ ...r, loss: ts.map(() => 0.7) }, 'squared')!.fitAt).toBe(1);
  });

  it('"non-decreasing" allows a relative dip of MONOTONE_SLACK and no more; γ must end above its start', () => {
    const r = rising();
    const gamma = r.minMargin.map((q, i) => q / r.normSq[i]!);
    const dip = (rel: number) => ({ ...r, minMargin: r.minMargin.map((q, i) => (i === 4 ? gamma[3]! * (1 - rel) * r.normSq[4]! : q)) });
    expect(homogeneousStats(dip(0.5 * MONOTONE_SLACK), 'logistic')!.monotone).toBe(true);
    expect(homogeneousStats(dip(2 * MONOTONE_SLACK), 'logistic')!.monotone).toBe(false);
    expect(homogeneousStats(dip(2 * MONOTONE_SLACK), 'logistic')!.pass).toBe(false);
    const s = homogeneousStats(r, 'logistic')!;
    expect(s.gammaStart).toBe(gamma[1]);
    expect(s.gammaEnd).toBe(gamma.at(-1));
    expect(s.relIncrease).toBeCloseTo(gamma.at(-1)! / gamma[1]! - 1, 14);
    expect(s.pass).toBe(true);
    // A flat γ is monotone but has not increased: no pass.
    const flat = { ...r, minMargin: r.normSq.map((n) => n / 8) }; // γ = 1/8 exactly
    expect(homogeneousStats(flat, 'logistic')!.monotone).toBe(true);
    expect(homogeneousStats(flat, 'logistic')!.pass).toBe(false);
    // ‖θ‖² must grow with log t over the late half (t ≥ √T): a constant norm does not pass.
    const still = { ...r, normSq: ts.map(() => 20), minMargin: ts.map((t) => 20 * (0.1 - 0.05 / Math.log(t + 2))) };
    expect(homogeneousStats(still, 'logistic')!.pass).toBe(false);
  });

  it('holds iff ≥ 75% of nets pass; inconclusive when fewer than half fit the data or a run diverged', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('pass', 'fail', 'unfit'), { minLength: 3, maxLength: 8 }), (kinds) => {
        const r = rising();
        const m = kinds.map((k) =>
          k === 'pass' ? r : k === 'fail' ? { ...r, minMargin: r.normSq.map((n, i) => n * (0.2 - 0.01 * i)) } : { ...r, loss: ts.map(() => 1) },
        );
        const fitted = kinds.filter((k) => k !== 'unfit').length;
        const passing = kinds.filter((k) => k === 'pass').length;
        const v = judgeHomogeneous(m, { loss: 'logistic' });
        if (fitted < kinds.length / 2) {
          expect(v.status).toBe('inconclusive');
          expect(v.reason).toContain(`only ${fitted} of ${kinds.length} nets`);
        } else {
          expect(v.status).toBe(passing / kinds.length >= HOMOGENEOUS_MIN ? 'holds' : 'fails');
          expect(v.metrics.fractionPassing).toBe(passing / kinds.length);
          expect(v.metrics.fitted).toBe(fitted);
          expect(v.reason).toContain(`${((passing / kinds.length) * 100).toFixed(0)}% of ${kinds.length} nets pass`);
        }
      }),
      FEW,
    );
    expect(judgeHomogeneous([rising(), { ...rising(), divergedAt: 99 }], { loss: 'exp' })).toEqual({ status: 'inconclusive', reason: 'GD diverged (non-finite weights) at step 99', metrics: {} });
  });
});

describe('log-rate judge (w(t) ≈ ŵ log t + w̃ on every drawn set)', () => {
  const svmW = [10 / 13, 10 / 13];
  const wn = norm(svmW);
  const T6 = [10, 100, 1000, 1e4, 1e5, 2e5, 5e5, 1e6];
  /**
   * w(t) = ŵ·(k·log t + 2) + v⊥·r(t) with v⊥ ⊥ ŵ: ‖w‖'s slope against log t is k·‖ŵ‖ up to r²/‖w‖, and w̃ = 2ŵ, so
   * the residual ‖w − ŵ log t − w̃‖ = ‖ŵ‖·|k − 1|·log t + |r(t)|-ish; k = 1 leaves |r(t)|.
   */
  const set = (o: { k?: number; r?: (t: number) => number; lossAt?: (t: number) => number; diverged?: number | null } = {}): LogRateSet => {
    const k = o.k ?? 1;
    const r = o.r ?? ((t: number) => 1e-3 / t);
    return {
      z: [],
      svm: { w: svmW, margin: 1 / wn, support: [0, 1] },
      runs: [
        {
          loss: 'logistic',
          eta: 0.03,
          times: T6,
          w: T6.map((t) => svmW.map((v, i) => v * (k * Math.log(t) + 2) + (i === 0 ? 1 : -1) * r(t))),
          lossValues: T6.map(o.lossAt ?? ((t) => 35 / t)),
          divergedAt: o.diverged ?? null,
          wTilde: svmW.map((v) => 2 * v),
        },
      ],
    };
  };

  it('the exact asymptotic form holds on every set; one set with a norm growing like √log t fails the claim', () => {
    expect(judgeLogRateSet(set()).problems).toEqual([]);
    expect(judgeLogRate([set(), set(), set()]).status).toBe('holds');
    const slow: LogRateSet = { ...set(), runs: [{ ...set().runs[0]!, w: T6.map((t) => svmW.map((v) => v * (Math.sqrt(Math.log(t)) + 2))) }] };
    const v = judgeLogRate([set(), slow, set()]);
    expect(v.status).toBe('fails');
    expect(v.reason).toContain('1 of 3 data sets miss the predicted rates; set 1: logistic: ‖w‖ grows at');
    expect(v.metrics.conforming).toBe(2);
    expect(v.metrics.dataSets).toBe(3);
  });

  it('the ‖w‖ slope over the last decade must be within 10% of ‖ŵ‖ (both ends included, to rounding)', () => {
    const probs = (k: number) => judgeLogRateSet(set({ k, r: () => 0 })).problems.filter((p) => p.includes('‖w‖ grows'));
    expect(probs(1.1 * (1 - 1e-9))).toEqual([]);
    expect(probs(0.9 * (1 + 1e-9))).toEqual([]);
    expect(probs(1.1 * (1 + 1e-6))).toHaveLength(1);
    expect(probs(0.9 * (1 - 1e-6))).toHaveLength(1);
    expect(probs(0.9 * (1 - 1e-6))[0]).toContain(`not ‖ŵ‖ = ${wn.toPrecision(4)} (±10%)`);
    // The window is [T/10, T]: a kink before T/10 does not move the slope.
    const kinked: LogRateSet = { ...set(), runs: [{ ...set().runs[0]!, w: T6.map((t) => svmW.map((v) => v * ((t < 1e5 ? 3 : 1) * Math.log(t) + 2))) }] };
    const a = analyzeRun(kinked.runs[0]!, svmW);
    expect(a.normFit.slope).toBeCloseTo(wn, 10);
    expect(a.normFit.n).toBe(4);
  });

  it('the residual ‖w − ŵ log t − w̃‖ must decrease strictly at T/100 → T/10 → T', () => {
    const resid = (r: (t: number) => number) => judgeLogRateSet(set({ r })).problems.filter((p) => p.includes('does not decrease'));
    expect(resid((t) => 1 / t)).toEqual([]);
    expect(resid(() => 0.01)).toHaveLength(1); // constant: not strictly decreasing
    expect(resid((t) => (t === 1e6 ? 0.02 : 1 / t))).toHaveLength(1); // up at the last decade
    const a = analyzeRun(set({ r: (t) => 1 / t }).runs[0]!, svmW);
    expect(a.residuals![0]).toBeCloseTo(Math.SQRT2 / 1e4, 12);
    expect(a.residuals![2]).toBeCloseTo(Math.SQRT2 / 1e6, 14);
    // Without w̃ (unsolvable offset) the rule cannot be met: it is a problem, never a silent pass.
    const noTilde: LogRateSet = { ...set(), runs: [{ ...set().runs[0]!, wTilde: null }] };
    expect(judgeLogRateSet(noTilde).problems.some((p) => p.includes('does not decrease'))).toBe(true);
  });

  it('t·L(t) must change by a factor within [0.5, 2] over the last decade (both ends included)', () => {
    const tl = (f: number) => judgeLogRateSet(set({ lossAt: (t) => (t === 1e6 ? (f * 35 * 10) / t : 35 / t) })).problems.filter((p) => p.includes('t·L(t)'));
    // lossAt(T/10 = 1e5) = 35/1e5, so t·L = 35 there and 350·f at T: the ratio is f·10… set f so the ratio is exact.
    const ratio = (x: number) => tl(x / 10);
    expect(ratio(0.5)).toEqual([]);
    expect(ratio(2)).toEqual([]);
    expect(ratio(0.49)).toHaveLength(1);
    expect(ratio(2.01)).toHaveLength(1);
    expect(ratio(2.01)[0]).toContain('changes by a factor 2.01');
  });

  it('the metrics per set and loss are the declared arithmetic; the range of ‖w‖ slope/‖ŵ‖ is over all sets and losses', () => {
    const m = [set(), set({ k: 1.05, r: () => 0 })];
    const v = judgeLogRate(m);
    const sets = v.metrics.sets as Record<string, Record<string, unknown>>[];
    expect(sets).toHaveLength(2);
    const a = analyzeRun(m[1]!.runs[0]!, svmW);
    expect(sets[1]!.logistic!.normSlope).toEqual({ value: a.normFit.slope, lo: a.normFit.ci.lo, hi: a.normFit.ci.hi });
    expect(sets[1]!.logistic!.predictedNormSlope).toBe(wn);
    expect(sets[1]!.logistic!.tLossRatio).toBeCloseTo(1, 12);
    const r0 = analyzeRun(m[0]!.runs[0]!, svmW).normFit.slope / wn;
    expect(v.metrics.normSlopeOverSvmNormRange).toEqual([Math.min(r0, a.normFit.slope / wn), Math.max(r0, a.normFit.slope / wn)]);
    expect((v.metrics.normSlopeOverSvmNormRange as number[])[1]).toBeCloseTo(1.05, 8);
    expect(v.status).toBe('fails'); // set 1's residual grows (k ≠ 1 and r = 0: not decreasing)
  });

  it('a diverged run on any set is inconclusive and names the loss and step', () => {
    expect(judgeLogRate([set(), set({ diverged: 77 })])).toEqual({ status: 'inconclusive', reason: 'logistic: GD diverged (non-finite w) at step 77', metrics: {} });
  });
});

describe('homogeneous-net judge: exact boundaries, windows and reported metrics', () => {
  const ts = [1, 10, 100, 1000, 1e4, 1e5];
  const ts7 = [1, 10, 100, 1000, 1e4, 1e5, 1e6]; // √T = 1000 exactly
  /** A fitted net (loss 5/(t+1): below log 2 from the second checkpoint on) with ‖θ‖² = a + b·log t and γ(t) = g(t). */
  const net = (o: { times?: number[]; normSq?: (t: number, i: number) => number; gamma?: (t: number, i: number) => number; loss?: number[] } = {}): HomogeneousReplicate => {
    const times = o.times ?? ts;
    const normSq = times.map(o.normSq ?? ((t) => 10 + 5 * Math.log(t)));
    const gamma = o.gamma ?? ((t: number) => 0.1 - 0.05 / Math.log(t + 2));
    return { times, loss: o.loss ?? times.map((t) => 5 / (t + 1)), normSq, minMargin: times.map((t, i) => normSq[i]! * gamma(t, i)), kkt: KKT_NEAR, divergedAt: null };
  };
  /** The declared late window by hand: checkpoints i ≥ start with t ≥ √T, ‖θ‖² against log t. */
  const lateFit = (r: HomogeneousReplicate, start: number) => {
    const idx = r.times.map((_, i) => i).filter((i) => i >= start && r.times[i]! >= Math.sqrt(r.times.at(-1)!));
    return idx.length >= 3 ? linearFit(idx.map((i) => Math.log(r.times[i]!)), idx.map((i) => r.normSq[i]!)) : null;
  };

  it('the fit needs loss strictly below ℓ(0) and every later margin strictly positive (equality does not count)', () => {
    const r = net();
    expect(homogeneousStats({ ...r, loss: [3, fitThreshold('logistic'), 0.5, 0.4, 0.1, 0.01] }, 'logistic')!.fitAt).toBe(100);
    expect(homogeneousStats({ ...r, loss: [3, 1, 0.5, 0.4, 0.1, 0.01] }, 'exp')!.fitAt).toBe(100);
    expect(homogeneousStats({ ...r, minMargin: r.minMargin.map((q, i) => (i === 1 ? 0 : q)) }, 'logistic')!.fitAt).toBe(100);
  });

  it('a dip of exactly MONOTONE_SLACK is still non-decreasing; a larger dip at the very last checkpoint is not', () => {
    // ‖θ‖² = 1 at every checkpoint, so γ is the recorded margin itself, with no rounding in the division.
    const withGamma = (g: number[]): HomogeneousReplicate => ({ times: ts, loss: ts.map((t) => 5 / (t + 1)), normSq: ts.map(() => 1), minMargin: g, kkt: KKT_NEAR, divergedAt: null });
    const g = 0.1;
    expect(homogeneousStats(withGamma([0.05, g, g - MONOTONE_SLACK * Math.abs(g), 0.2, 0.3, 0.4]), 'logistic')!.monotone).toBe(true);
    expect(homogeneousStats(withGamma([0.05, g, g - 2 * MONOTONE_SLACK * Math.abs(g), 0.2, 0.3, 0.4]), 'logistic')!.monotone).toBe(false);
    expect(homogeneousStats(withGamma([0.05, 0.1, 0.2, 0.3, 0.4, 0.4 * (1 - 2 * MONOTONE_SLACK)]), 'logistic')!.monotone).toBe(false);
    expect(homogeneousStats(withGamma([0.05, 0.1, 0.2, 0.3, 0.4, 0.4 * (1 - 0.5 * MONOTONE_SLACK)]), 'logistic')!.monotone).toBe(true);
  });

  it('γ must have increased between the fit and the LAST checkpoint (not the second one)', () => {
    // γ = 1/8 exactly until the last checkpoint, then 1/4: monotone, increased, and ‖θ‖² = 10 + 5 log t grows.
    const late = net({ gamma: (_t, i) => (i === ts.length - 1 ? 1 / 4 : 1 / 8) });
    const s = homogeneousStats(late, 'logistic')!;
    expect([s.gammaStart, s.gammaEnd, s.relIncrease, s.monotone, s.pass]).toEqual([1 / 8, 1 / 4, 1, true, true]);
    // Up at the second checkpoint after the fit, back down (within the slack) at the last: not increased.
    const back = net({ gamma: (_t, i) => (i === 2 ? (1 / 8) * (1 + 1e-7) : 1 / 8) });
    expect(homogeneousStats(back, 'logistic')!.monotone).toBe(true);
    expect(homogeneousStats(back, 'logistic')!.pass).toBe(false);
  });

  it('‖θ‖² is fitted against log t over checkpoints at or after both the fit and √T (t = √T included)', () => {
    fc.assert(
      fc.property(fc.nat(1e6), (seed) => {
        const rng = rngFromKey(`homog-window/${seed}`);
        const r = net({ times: ts7, normSq: (t) => 10 + 5 * Math.log(t) + rng.normal() });
        const s = homogeneousStats(r, 'logistic')!;
        expect(s.fitAt).toBe(10);
        expect(s.normFit).toEqual(lateFit(r, 1));
        expect(s.normFit!.n).toBe(4); // t = 1000, 1e4, 1e5, 1e6
      }),
      { ...FC, numRuns: 20 },
    );
    // A fit after √T: the window starts at the fit, not at √T (√(10^4) = 100 < 400).
    const times = [1, 400, 500, 600, 700, 800, 900, 1e4];
    const rng = rngFromKey('homog-window/after');
    const r = net({ times, normSq: (t) => 10 + 5 * Math.log(t) + rng.normal(), loss: [3, 1, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05] });
    const s = homogeneousStats(r, 'logistic')!;
    expect(s.fitAt).toBe(500);
    expect(s.normFit).toEqual(lateFit(r, 2));
    expect(s.normFit!.n).toBe(6);
  });

  it('fewer than 3 late checkpoints: no norm fit and no pass (never a crash)', () => {
    const r = net({ times: [1, 2, 3, 4, 5, 100], loss: [3, 0.5, 0.4, 0.3, 0.2, 0.1] }); // √T = 10: only t = 100 is late
    const s = homogeneousStats(r, 'logistic')!;
    expect(s.normFit).toBeNull();
    expect(s.monotone).toBe(true);
    expect(s.gammaEnd).toBeGreaterThan(s.gammaStart);
    expect(s.pass).toBe(false);
  });

  it('the smoothed margin at the end is reported for the logistic loss only', () => {
    const r = net();
    expect(homogeneousStats(r, 'logistic')!.smoothedEnd).toBe(smoothedMargin(r.loss.at(-1)!, r.normSq.at(-1)!));
    expect(homogeneousStats(r, 'logistic')!.smoothedEnd).not.toBeNull();
    expect(homogeneousStats(r, 'exp')!.smoothedEnd).toBeNull();
    expect(homogeneousStats(r, 'squared')!.smoothedEnd).toBeNull();
  });

  it('the metrics are the declared fractions, medians, ranges and the KKT geometric mean; the evidence names them', () => {
    // Five fitted nets of different kinds plus one that never fits; the fit starts at index 1 (t = 10) for every fitted one.
    const good = (k: number) => net({ normSq: (t) => 10 + (2 + k) * Math.log(t), gamma: (t) => 0.1 + 0.01 * k - (0.05 + 0.01 * k) / Math.log(t + 2) });
    const dip = { ...good(3) };
    dip.minMargin = dip.minMargin.map((q, i) => (i === 4 ? 0.5 * q : q)); // not monotone
    const still = net({ normSq: () => 20 }); // constant ‖θ‖²: slope 0 with a zero-width interval (lo = 0 exactly)
    const short = net({ times: [1, 2, 3, 4, 5, 100], loss: [3, 0.5, 0.4, 0.3, 0.2, 0.1] }); // no norm fit
    const unfit = { ...good(0), loss: ts.map(() => 1) };
    const m = [good(0), good(1), good(2), dip, still, short, unfit].map((r, i) => ({ ...r, kkt: { stationarity: 0.1 * (i + 1), complementarity: i, lossStationarity: 0.05 * (i + 1), lossComplementarity: 0.01 * 2 ** i } }));
    const fitted = m.slice(0, 6);
    const passing = [true, true, true, false, false, false, false];
    const monotone = [true, true, true, false, true, true];
    const fits = fitted.map((r) => lateFit(r, 1));
    const growing = fits.map((f) => f !== null && f.ci.lo > 0);
    expect(growing).toEqual([true, true, true, true, false, false]);
    expect(fits[4]!.ci.lo).toBe(0);
    const gam = (r: HomogeneousReplicate, i: number) => r.minMargin[i]! / r.normSq[i]!;
    const inc = fitted.map((r) => gam(r, r.times.length - 1) / gam(r, 1) - 1);
    const slopes = fits.map((f) => (f === null ? 0 : f.slope));
    const v = judgeHomogeneous(m, { loss: 'logistic' });
    // The KKT residuals of all 7 nets (0.1 … 0.7): geometric mean with a t-interval on log x, by hand.
    const logs = m.map((_, i) => Math.log(0.1 * (i + 1)));
    const mu = logs.reduce((a, b) => a + b, 0) / 7;
    const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mu) ** 2, 0) / 6);
    const half = (tQuantile(0.95, 6) * sd) / Math.sqrt(7);
    expect(v.metrics).toEqual({
      nets: 7,
      fitted: 6,
      fractionPassing: 3 / 7,
      fractionMonotone: 5 / 6,
      fractionNormGrowing: 4 / 6,
      marginRelIncreaseMedian: median(inc),
      marginRelIncreaseRange: [Math.min(...inc), Math.max(...inc)],
      normSqPerLogTMedian: median(slopes),
      medianFinalNormalizedMargin: median(fitted.map((r) => gam(r, r.times.length - 1))),
      kktStationarity: { value: expect.closeTo(Math.exp(mu), 14), lo: expect.closeTo(Math.exp(mu - half), 12), hi: expect.closeTo(Math.exp(mu + half), 12) },
      kktComplementarityMedian: 3,
      kktLossCertificateStationarityMedian: 0.2,
      // Slacks 0.01·2^i, i = 0…6: logs in arithmetic progression, geometric mean 0.01·2³ = 0.08.
      kktComplementarity: { value: expect.closeTo(0.08, 14), lo: expect.closeTo(0.08 * Math.exp(-(tQuantile(0.95, 6) * Math.log(2) * Math.sqrt(28 / 6)) / Math.sqrt(7)), 12), hi: expect.closeTo(0.08 * Math.exp((tQuantile(0.95, 6) * Math.log(2) * Math.sqrt(28 / 6)) / Math.sqrt(7)), 12) },
    });
    expect(fitted.map((r) => homogeneousStats(r, 'logistic')!.pass)).toEqual(passing.slice(0, 6));
    expect(v.status).toBe('fails');
    expect(v.reason).toContain('need 75% of nets');
    expect(v.reason).toContain(`43% of 7 nets pass (γ = min y f/‖θ‖² non-decreasing within ${MONOTONE_SLACK} after the fit: 83% of 6 fitted; ‖θ‖² growing in log t: 67%`);
    expect(v.reason).toContain(`median relative increase of γ ${(median(inc) * 100).toPrecision(3)}%`);
    expect(v.reason).toContain(`KKT stationarity residual at T (geometric mean over 7 nets) ${Math.exp(mu).toPrecision(3)}`);
    expect(fitted.map((r) => homogeneousStats(r, 'logistic')!.monotone)).toEqual(monotone);
  });

  it('KKT: the upper end of the geometric-mean interval must be strictly below 0.5; without 3 residuals it is inconclusive', () => {
    const withKkt = (xs: number[]) => xs.map((x) => ({ ...net(), kkt: { ...KKT_NEAR, stationarity: x, complementarity: 0.1 } }));
    // Equal residuals: a zero-width interval, so the upper end is the value itself.
    expect(judgeHomogeneous(withKkt([0.5, 0.5, 0.5, 0.5]), { loss: 'logistic' }).status).toBe('fails');
    expect(judgeHomogeneous(withKkt([0.5, 0.5, 0.5, 0.5].map((x) => x * (1 - 1e-9))), { loss: 'logistic' }).status).toBe('holds');
    // Spread widens the interval: a mean of 0.2 with one outlier at 2 fails on the upper end.
    const spread = withKkt([0.1, 0.1, 0.1, 2]);
    const gm = geometricMeanInterval([0.1, 0.1, 0.1, 2]);
    expect(gm.hi).toBeGreaterThan(KKT_STATIONARITY_MAX);
    expect(gm.value).toBeLessThan(KKT_STATIONARITY_MAX);
    const v = judgeHomogeneous(spread, { loss: 'logistic' });
    expect(v.status).toBe('fails');
    expect(v.reason).toContain('The direction is not near a KKT point of the margin problem (stationarity).');
    expect(v.reason).not.toContain('does not keep increasing');
    // The squared-loss rival's typical residuals (≈ 0.97) fail; Lyu & Li's nets (≈ 0.1–0.3) hold.
    expect(judgeHomogeneous(withKkt([0.96, 0.97, 0.98, 0.99]), { loss: 'logistic' }).status).toBe('fails');
    expect(judgeHomogeneous(withKkt([0.1, 0.2, 0.3, 0.15]), { loss: 'logistic' }).status).toBe('holds');
    // Null residuals (a net with a negative margin at T) are left out; fewer than 3 left is inconclusive.
    const few = [...withKkt([0.1, 0.12]), { ...net(), kkt: null }, { ...net(), kkt: null }];
    expect(judgeHomogeneous(few, { loss: 'logistic' }).status).toBe('inconclusive');
    expect(judgeHomogeneous(few, { loss: 'logistic' }).reason).toContain('2 at T');
    expect(judgeHomogeneous([...few, ...withKkt([0.11])], { loss: 'logistic' }).status).toBe('holds');
    expect(KKT_STATIONARITY_MAX).toBe(0.5);
  });

  it('KKT complementary slackness (Lyu & Li multipliers): the upper end of its geometric-mean interval must be strictly below 0.2', () => {
    const withSlack = (xs: number[]) => xs.map((x) => ({ ...net(), kkt: { ...KKT_NEAR, lossComplementarity: x } }));
    expect(KKT_COMPLEMENTARITY_MAX).toBe(0.2);
    // Equal slacks: a zero-width interval at the value itself.
    expect(judgeHomogeneous(withSlack([0.2, 0.2, 0.2, 0.2]), { loss: 'logistic' }).status).toBe('fails');
    expect(judgeHomogeneous(withSlack([0.2, 0.2, 0.2, 0.2].map((x) => x * (1 - 1e-9))), { loss: 'logistic' }).status).toBe('holds');
    // Lyu & Li's nets (0.04–0.1) hold; the squared-loss rival's spread (0 … 5.8) fails on the upper end, naming slackness only.
    expect(judgeHomogeneous(withSlack([0.042, 0.06, 0.08, 0.096]), { loss: 'logistic' }).status).toBe('holds');
    const rival = judgeHomogeneous(withSlack([0, 0.05, 0.2, 0.5, 0.8, 1.3, 3.2, 5.8]), { loss: 'logistic' });
    expect(rival.status).toBe('fails');
    expect(rival.reason).toContain('The multipliers do not sit on the margin (complementary slackness).');
    expect(rival.reason).not.toContain('(stationarity)');
    expect(rival.reason).not.toContain('does not keep increasing');
    // A slack of exactly 0 is floored at 1e-12 (finite log): four zeros hold.
    expect(judgeHomogeneous(withSlack([0, 0, 0, 0]), { loss: 'logistic' }).metrics.kktComplementarity).toEqual({ value: expect.closeTo(1e-12, 20), lo: expect.closeTo(1e-12, 20), hi: expect.closeTo(1e-12, 20) });
  });

  it('geometricMeanInterval: exp of the mean log with its t-interval (2 values by hand)', () => {
    // logs 0 and log 4: mean log 2 ⇒ 2; sd = log 4/√2; t_{0.975,1} = 12.706…; half = t·sd/√2 = t·log 4/2.
    const e = geometricMeanInterval([1, 4]);
    expect(e.value).toBeCloseTo(2, 14);
    const half = (tQuantile(0.95, 1) * Math.log(4)) / 2;
    expect(e.lo).toBeCloseTo(2 * Math.exp(-half), 10);
    expect(e.hi / (2 * Math.exp(half))).toBeCloseTo(1, 10);
  });

  it('exactly 75% of nets passing holds; fewer than half fitted is inconclusive with the count as its only metric', () => {
    const fail = net({ gamma: (_t, i) => 0.2 - 0.01 * i });
    expect(judgeHomogeneous([net(), net(), net(), fail], { loss: 'logistic' }).status).toBe('holds');
    expect(judgeHomogeneous([net(), net(), fail, fail], { loss: 'logistic' }).status).toBe('fails');
    const unfit = { ...net(), loss: ts.map(() => 1) };
    const v = judgeHomogeneous([net(), unfit, unfit], { loss: 'logistic' });
    expect(v.status).toBe('inconclusive');
    expect(v.metrics).toEqual({ fitted: 1 });
    expect(v.reason).toContain(`only 1 of 3 nets classify the data (with loss below ${Math.LN2}`);
  });
});

