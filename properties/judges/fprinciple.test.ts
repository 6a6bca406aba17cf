// Exact properties of the F-Principle judges (experiments/fprinciple/order.ts, the filtering claim's combination of
// per-δ verdicts, and the per-optimizer non-gradient claims), fed synthetic trajectories just inside and just outside
// every threshold. Light: nothing here trains or loads an engine, so it runs under mutation testing
// (vitest.mutation.config.ts). The claims' CI-tier verdicts stay in properties/fprinciple.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { claims } from '../../experiments/fprinciple/index.ts';
import { filtering } from '../../experiments/fprinciple/highdim.ts';
import { RULE_NG, RULE_PSO } from '../../experiments/fprinciple/nongradient.ts';
import { periodicGrid } from '../../experiments/fprinciple/oned.ts';
import { stepBandErrors, stepTarget } from '../../experiments/fprinciple/step.ts';
import { dftAt } from '../../theory/fourier.ts';
import { fitComplete, isOrdered, judgeOrder, pairRatios, reverseBands, settlingStep, type OrderMeasurements, type OrderRule } from '../../experiments/fprinciple/order.ts';
import { median } from '../../core/stats.ts';
import { FC } from '../helpers.ts';

const RULE: OrderRule = { threshold: 0.1, minFraction: 1 };

// Band b decays like exp(−rate_b·t): a trajectory in which the bands converge in the order of their rates.
const synthetic = (rates: number[][], steps = 200): OrderMeasurements => ({
  bands: rates[0]!.map((_, b) => `b${b}`),
  runs: rates.map((rs, seed) => {
    const ts = Array.from({ length: steps + 1 }, (_, t) => t);
    return { seed, steps: ts, err: rs.map((r) => ts.map((t) => Math.exp(-r * t))), loss: ts.map(() => 0), divergedAt: null };
  }),
});

/**
 * A trajectory with prescribed settling steps: band b's error is 2·threshold before step times[b] and threshold/2
 * from it on (null: never below). Steps are 0..T, so a band's settling step is exactly times[b] when every band settles.
 */
const fromTimes = (times: (number | null)[][], threshold = RULE.threshold, T = 100): OrderMeasurements => {
  const steps = Array.from({ length: T + 1 }, (_, t) => t);
  return {
    bands: times[0]!.map((_, b) => `k=${2 * b + 1}`),
    runs: times.map((tb, i) => ({
      seed: 10 + i,
      steps,
      err: tb.map((c) => steps.map((s) => (c !== null && s >= c ? threshold / 2 : 2 * threshold))),
      loss: steps.map(() => 1),
      divergedAt: null,
    })),
  };
};

/** Strictly increasing settling times (ties are not ordered). */
const ordered = (t: readonly number[]) => t.every((x, b) => b === 0 || x > t[b - 1]!);
const med = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
};

describe('settling step and fit-complete record (experiments/fprinciple/order.ts)', () => {
  it('settlingStep is the first step from which err < threshold at every record up to upTo (by brute force)', () => {
    const errs = fc.array(fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(errs, fc.double({ min: 0.01, max: 1, noNaN: true }), fc.nat(20), (err, thr, u) => {
        const upTo = u % err.length;
        const steps = err.map((_, r) => 5 * r + 3);
        const below = (r: number) => err[r] !== null && err[r]! < thr;
        let want: number | null = null;
        for (let r = 0; r <= upTo; r++) {
          let all = true;
          for (let q = r; q <= upTo; q++) all &&= below(q);
          if (all) {
            want = steps[r]!;
            break;
          }
        }
        expect(settlingStep(steps, err, thr, upTo)).toBe(want);
      }),
      FC,
    );
  });

  it('a first dip that rises again before the fit is complete is not convergence; records after upTo are ignored', () => {
    // ΔF(1) dips to 0.05 at step 1, is back at 0.17 at step 2 (BRIEF P1.1), settles from step 3; a spike at step 5 is after upTo = 4.
    const err = [0.5, 0.05, 0.17, 0.09, 0.02, 0.3];
    expect(settlingStep([0, 1, 2, 3, 4, 5], err, 0.1, 4)).toBe(3);
    expect(settlingStep([0, 1, 2, 3, 4, 5], err, 0.1, 5)).toBeNull();
    // The threshold is strict: an error equal to it has not converged.
    expect(settlingStep([0, 1, 2], [0.5, 0.1, 0.0999], 0.1, 2)).toBe(2);
    expect(settlingStep([0, 1], [0.1, 0.1], 0.1, 1)).toBeNull();
    expect(settlingStep([4, 9], [null, 0], 0.1, 1)).toBe(9);
  });

  it('fitComplete is the first record at which every band is strictly below the threshold (null entries never are)', () => {
    const band = fc.array(fc.option(fc.double({ min: 0, max: 0.3, noNaN: true }), { nil: null }), { minLength: 6, maxLength: 6 });
    fc.assert(
      fc.property(fc.array(band, { minLength: 1, maxLength: 4 }), (err) => {
        const r = err[0]!.findIndex((_, q) => err.every((e) => e[q] !== null && e[q]! < 0.1));
        expect(fitComplete(err, 0.1)).toBe(r < 0 ? null : r);
      }),
      FC,
    );
    expect(fitComplete([[0.2, 0.1, 0.0999]], 0.1)).toBe(2);
    expect(fitComplete([], 0.1)).toBeNull();
  });

  it('isOrdered: strictly increasing, ties are not ordered', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 6 }), (t) => {
        expect(isOrdered(t)).toBe(ordered(t));
      }),
      FC,
    );
    expect(isOrdered([1, 1, 2])).toBe(false);
    expect(isOrdered([2, 1])).toBe(false);
    expect(isOrdered([5])).toBe(true);
    expect(isOrdered([])).toBe(true);
  });

  it('pairRatios: median and range over seeds of t[b+1]/t[b], seeds with t[b] = 0 left out', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 40 })), { minLength: 1, maxLength: 6 }), (ts) => {
        const rs = ts.filter(([a]) => a > 0).map(([a, b]) => b / a);
        const p = pairRatios(ts, 0);
        if (rs.length === 0) expect(p).toBeNull();
        else {
          expect(p!.median).toBeCloseTo(med(rs), 12);
          expect([p!.min, p!.max]).toEqual([Math.min(...rs), Math.max(...rs)]);
        }
      }),
      FC,
    );
  });
});

describe('ordering judge (experiments/fprinciple/order.ts)', () => {
  const decreasing = fc.array(fc.tuple(fc.double({ min: 0.5, max: 1, noNaN: true }), fc.double({ min: 0.2, max: 0.4, noNaN: true }), fc.double({ min: 0.03, max: 0.1, noNaN: true })), { minLength: 1, maxLength: 5 });

  it('holds when low bands converge first, and fails on the same trajectory with its bands reversed (the former 1d-reversed control)', () => {
    fc.assert(
      fc.property(decreasing, (rates) => {
        const m = synthetic(rates.map((r) => [...r]));
        return judgeOrder(m, RULE).status === 'holds' && judgeOrder(reverseBands(m), RULE).status === 'fails';
      }),
      FC,
    );
  });

  it('equal rates (the lookup-table rival from a common start) tie at every band: fails under any ratio rule', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.03, max: 1, noNaN: true }), { minLength: 1, maxLength: 4 }), (rates) => {
        const m = synthetic(rates.map((r) => [r, r, r]));
        expect(judgeOrder(m, RULE).status).toBe('fails');
        expect(judgeOrder(m, { ...RULE, minPairRatio: 1.5 }).status).toBe('fails');
      }),
      FC,
    );
  });

  it('is inconclusive when training diverged, naming the seed and the step', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }), fc.nat(5), fc.integer({ min: 1, max: 1000 }), (isGood, pick, at) => {
        const m = fromTimes(isGood.map((g) => (g ? [1, 2, 3] : [3, 2, 1])));
        const j = pick % m.runs.length;
        m.runs[j] = { ...m.runs[j]!, divergedAt: at };
        const v = judgeOrder(m, RULE);
        expect(v.status).toBe('inconclusive');
        expect(v.reason).toContain(`seed ${m.runs[j]!.seed} at step ${at}`);
      }),
      FC,
    );
  });

  it('every band must converge: a never-reached band is not counted as last (inconclusive, naming the seeds)', () => {
    const v = judgeOrder(fromTimes([[1, 2, 3], [1, 2, null]]), RULE, 'radial frequency');
    expect(v.status).toBe('inconclusive');
    expect(v.reason).toContain('(seeds 11)');
    expect(v.reason).toContain(`radial frequency bands were never all below ${RULE.threshold}`);
    expect(judgeOrder(fromTimes([[null, 2, 3]]), RULE).status).toBe('inconclusive');
    expect(judgeOrder(synthetic([[0.5, 0.2, 0.001]]), RULE).status).toBe('inconclusive');
  });

  it('a band below the threshold from the first record (e.g. a swarm\'s best random start) makes the seed inconclusive', () => {
    const v = judgeOrder(fromTimes([[1, 2, 3], [0, 2, 3]]), RULE);
    expect(v.status).toBe('inconclusive');
    expect(v.reason).toContain('from the first record on, before any fitting (seeds 11)');
    expect(judgeOrder(fromTimes([[1, 2, 3], [1, 2, 3]]), RULE).status).toBe('holds');
  });

  it('the verdict is "holds" iff the fraction of ordered seeds reaches minFraction (boundary included)', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 8 }), fc.boolean(), (isGood, k, exact) => {
        const n = isGood.length;
        const good = isGood.filter(Boolean).length;
        const minFraction = exact ? good / n : Math.min(1, k / 8);
        const m = fromTimes(isGood.map((g) => (g ? [2, 5, 9] : [9, 5, 2])));
        const v = judgeOrder(m, { threshold: RULE.threshold, minFraction });
        expect(v.status).toBe(good / n >= minFraction ? 'holds' : 'fails');
        expect(v.metrics.orderedFraction).toBe(good / n);
        expect(v.metrics.reversedSeeds).toBe(n - good);
        if (good < n) {
          const above = judgeOrder(m, { threshold: RULE.threshold, minFraction: good / n + 1e-9 });
          expect(above.status).toBe('fails');
          expect(above.reason).toContain(`only ${Math.round((good / n) * 100)}% of seeds`);
          expect(above.reason).toContain(`${n - good} seed(s) fully reversed`);
        }
      }),
      FC,
    );
  });

  it('a partly reversed seed is not counted as fully reversed', () => {
    const v = judgeOrder(fromTimes([[5, 2, 9], [9, 5, 2]]), RULE);
    expect(v.status).toBe('fails');
    expect(v.metrics.reversedSeeds).toBe(1);
    expect(v.metrics.orderedFraction).toBe(0);
  });

  it('minLastRatio: the median of t_last/t_prev must reach it (equal passes, just below fails); its range over seeds is reported as a range', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 2, max: 20 }), { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 40 }), (prev, extra) => {
        const times = prev.map((p, i) => [1, p, p + extra + (i % 2)]);
        const ratios = times.map((t) => t[2]! / t[1]!);
        expect(median(ratios)).toBeCloseTo(med(ratios), 12);
        const m = fromTimes(times);
        const at = judgeOrder(m, { ...RULE, minLastRatio: med(ratios) });
        expect(at.status).toBe('holds');
        expect(at.metrics.lastRatio).toBe(med(ratios));
        expect(at.metrics.lastRatioRangeOverSeeds).toEqual({ min: Math.min(...ratios), max: Math.max(...ratios) });
        expect(at.reason).toContain(`settling ratio ${med(ratios).toFixed(2)} ≥ ${med(ratios)}`);
        const above = judgeOrder(m, { ...RULE, minLastRatio: med(ratios) * (1 + 1e-9) });
        expect(above.status).toBe('fails');
        expect(above.reason).toContain(`order holds but the median t_last/t_prev = ${med(ratios).toFixed(2)} is below`);
      }),
      FC,
    );
  });

  it('minPairRatio: every neighbouring pair\'s median ratio must reach it (equal passes, just below fails), naming the weak pair', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 2, max: 10 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 20 })), { minLength: 1, maxLength: 5 }), ([first, ...rest]) => {
        const times = [first!, ...rest].map(([a, d1, d2]) => [a, a + d1, a + d1 + d2]);
        // core/stats' median gives the exact boundary; the hand-written one checks it to rounding.
        const r = [0, 1].map((b) => median(times.map((t) => t[b + 1]! / t[b]!)));
        r.forEach((x, b) => expect(x).toBeCloseTo(med(times.map((t) => t[b + 1]! / t[b]!)), 12));
        const weakest = Math.min(...r);
        const m = fromTimes(times);
        const at = judgeOrder(m, { ...RULE, minPairRatio: weakest });
        expect(at.status).toBe('holds');
        expect(at.metrics.pairRatioMedians).toEqual(r);
        const above = judgeOrder(m, { ...RULE, minPairRatio: weakest * (1 + 1e-9) });
        expect(above.status).toBe('fails');
        const b = r.findIndex((x) => x < weakest * (1 + 1e-9));
        expect(above.reason).toContain(`median settling ratio ${m.bands[b + 1]}/${m.bands[b]} = ${r[b]!.toFixed(2)} is below`);
      }),
      FC,
    );
  });

  it('the reason lists every seed\'s settling steps and the metrics hold them and the fit-complete step', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 60 })), { minLength: 1, maxLength: 4 }), (ts) => {
        const times = ts.map(([a, b]) => [a, b]);
        const v = judgeOrder(fromTimes(times), RULE);
        times.forEach((t, i) => expect(v.reason).toContain(`seed ${10 + i}: (${t.join(', ')})`));
        expect(v.metrics.settlingSteps).toEqual(Object.fromEntries(times.map((t, i) => [`seed${10 + i}`, t])));
        expect(v.metrics.fitCompleteStep).toEqual(Object.fromEntries(times.map((t, i) => [`seed${10 + i}`, Math.max(...t)])));
        expect(v.metrics.threshold).toBe(RULE.threshold);
        expect(v.metrics.bands).toEqual(['k=1', 'k=3']);
        const frac = times.filter(ordered).length / times.length;
        expect(v.status).toBe(frac >= 1 ? 'holds' : 'fails');
        if (v.status === 'holds') expect(v.reason).toContain('increase with frequency in 100% of seeds (need 100%)');
      }),
      FC,
    );
  });

  it('monotone: making the lowest band converge later can never turn "fails" into "holds"', () => {
    const t = fc.integer({ min: 1, max: 30 });
    fc.assert(
      fc.property(fc.array(fc.tuple(t, t, t), { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 1, noNaN: true }), (ts, delay, minFraction) => {
        const rule = { ...RULE, minFraction };
        const before = judgeOrder(fromTimes(ts.map((x) => [...x])), rule).status;
        const after = judgeOrder(fromTimes(ts.map(([a, b, c]) => [a + delay, b, c])), rule).status;
        if (before === 'fails') expect(after).toBe('fails');
        if (after === 'holds') expect(before).toBe('holds');
      }),
      FC,
    );
  });

  it('reverseBands reverses the bands of every run and nothing else; applied twice it is the identity', () => {
    const m = fromTimes([[1, 4, null], [2, 3, 9]]);
    const r = reverseBands(m);
    expect(r.bands).toEqual(m.bands);
    r.runs.forEach((run, i) => {
      expect(run.err).toEqual([...m.runs[i]!.err].reverse());
      expect({ ...run, err: null }).toEqual({ ...m.runs[i]!, err: null });
    });
    expect(reverseBands(r)).toEqual(m);
  });
});

describe('the claims\' judges and their rivals', () => {
  const byId = (id: string) => claims.find((c) => c.id === id)!;

  it('every claim has a rival control that uses the same judge and the same tiers', () => {
    const rivals = claims.filter((c) => c.control && c.rivalOf !== undefined);
    for (const c of claims.filter((x) => !x.control)) {
      const mine = rivals.filter((r) => r.rivalOf === c.id);
      expect(mine.length, c.id).toBeGreaterThan(0);
      for (const r of mine.filter((x) => x.id.endsWith('rival-lookup-table'))) expect(r.tiers).toEqual(c.tiers);
    }
    expect(claims.filter((c) => c.control && c.rivalOf === undefined).map((c) => c.id)).toEqual([]);
  });

  it('each non-gradient claim and its rival judge t1 < t5 with ΔF < 0.1, every seed, on its own', () => {
    const ng = claims.filter((c) => c.id.startsWith('fprinciple.non-gradient.'));
    expect(ng.map((c) => c.id).filter((id) => !id.endsWith('rival-lookup-table'))).toEqual(['cg', 'bfgs', 'powell', 'pso'].map((k) => `fprinciple.non-gradient.${k}`));
    expect(RULE_NG).toEqual({ threshold: 0.1, minFraction: 1 });
    expect(RULE_PSO).toEqual({ threshold: 0.1, minFraction: 1, minLastRatio: 2 });
    for (const c of ng) {
      const cfg = c.tiers.ci;
      expect(c.judge(fromTimes([[3, 9], [2, 5]], 0.1), cfg).status).toBe('holds');
      expect(c.judge(fromTimes([[3, 9], [5, 5]], 0.1), cfg).status).toBe('fails');
      // The swarm's ratio rule: median t5/t1 = 2 exactly holds; 1.9 fails although t1 < t5 in every seed. The others judge order only.
      expect(c.judge(fromTimes([[3, 6], [5, 10]], 0.1), cfg).status).toBe('holds');
      expect(c.judge(fromTimes([[10, 19], [10, 19]], 0.1), cfg).status).toBe(c.id.includes('.pso') ? 'fails' : 'holds');
      expect(c.judge(fromTimes([[3, 9], [2, null]], 0.1), cfg).status).toBe('inconclusive');
      // Just inside and just outside the threshold: 0.1·(1 − 1e-12) settles, 0.1 itself does not.
      const edge = (e: number): OrderMeasurements => ({ bands: ['k=1', 'k=5'], runs: [{ seed: 1, steps: [0, 1, 2], err: [[0.5, 0.05, 0.05], [0.5, 0.5, e]], loss: [1, 1, 1], divergedAt: null }] }); // t5/t1 = 2
      expect(c.judge(edge(0.1 * (1 - 1e-12)), cfg).status).toBe('holds');
      expect(c.judge(edge(0.1), cfg).status).toBe('inconclusive');
    }
  });

  it('1-D claim and its rivals: ΔF < 0.1 and median t5/t3 ≥ 2, just inside and just outside', () => {
    for (const id of ['fprinciple.1d', 'fprinciple.1d.rival-lookup-table', 'fprinciple.1d-high-features']) {
      const c = byId(id);
      const cfg = c.tiers.ci;
      const m = (t5: number) => ({ ...fromTimes([[1, 10, t5]]), x: [], y: [], snaps: [] });
      expect(c.judge(m(20), cfg).status, id).toBe('holds');
      expect(c.judge(m(19), cfg).status, id).toBe('fails');
    }
  });

  it('filtering: per-δ verdicts combine as "fails" beats "inconclusive" beats "holds"', () => {
    const s = fc.constantFrom<[number | null, number | null]>([1, 5], [5, 1], [1, null]);
    fc.assert(
      fc.property(fc.array(fc.array(s, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }), (perDelta) => {
        const m = { deltas: perDelta.map((t, j) => ({ fraction: 0.1 * (j + 1), delta: j, lowShare: 0.5, m: fromTimes(t.map((x) => [...x])) })) };
        const each = perDelta.map((t) => (t.some((x) => x[1] === null) ? 'inconclusive' : t.every((x) => x[0]! < x[1]!) ? 'holds' : 'fails'));
        const want = each.includes('fails') ? 'fails' : each.includes('inconclusive') ? 'inconclusive' : 'holds';
        const v = filtering.judge(m, filtering.tiers.ci);
        expect(v.status).toBe(want);
        m.deltas.forEach((d, j) => expect(v.reason).toContain(`δ=${d.fraction}·median: ${each[j]} — `));
        expect(byId('fprinciple.filtering.rival-lookup-table').judge(m, filtering.tiers.ci).status).toBe(want);
      }),
      FC,
    );
  });

  it('step target: its peaks are 1, 4, 7; band errors are 1 for a zero output, 0 for the target, and split contour from steps', () => {
    const x = periodicGrid(64);
    const y = x.map(stepTarget);
    expect(new Set(y)).toEqual(new Set([-1, 0, 1]));
    const fHat = [1, 4, 7].map((k) => dftAt(y, k));
    expect(stepBandErrors(new Float64Array(64), fHat)).toEqual([1, 1]);
    stepBandErrors(y, fHat).forEach((e) => expect(e).toBeCloseTo(0, 12));
    // Adding a quarter of the k=1 component leaves the steps exact and gives ΔF(contour) = ¼; a quarter of k=4
    // gives ΔF(steps) = ¼·|f̂_4|/√(|f̂_4|² + |f̂_7|²).
    const comp = (k: number, c: number) => y.map((_, j) => (c * 2 * (fHat[[1, 4, 7].indexOf(k)]![0] * Math.cos((2 * Math.PI * k * j) / 64) - fHat[[1, 4, 7].indexOf(k)]![1] * Math.sin((2 * Math.PI * k * j) / 64))) / 64);
    const e1 = stepBandErrors(y.map((v, j) => v + comp(1, 0.25)[j]!), fHat);
    expect(e1[0]).toBeCloseTo(0.25, 10);
    expect(e1[1]).toBeCloseTo(0, 10);
    const a4 = Math.hypot(...fHat[1]!);
    const a7 = Math.hypot(...fHat[2]!);
    const e4 = stepBandErrors(y.map((v, j) => v + comp(4, 0.25)[j]!), fHat);
    expect(e4[0]).toBeCloseTo(0, 10);
    expect(e4[1]).toBeCloseTo((0.25 * a4) / Math.hypot(a4, a7), 10);
  });
});
