// Exact properties of the F-Principle judges (experiments/fprinciple/order.ts and the non-gradient claim's
// combination of per-method verdicts), fed synthetic trajectories. Light: nothing here trains or loads an engine,
// so it runs under mutation testing (vitest.mutation.config.ts). The claims' CI-tier verdicts stay in
// properties/fprinciple.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nonGradient } from '../../experiments/fprinciple/nongradient.ts';
import { firstCrossing, isOrdered, judgeOrder, reverseBands, type OrderMeasurements, type OrderRule } from '../../experiments/fprinciple/order.ts';
import { FC } from '../helpers.ts';

const RULE: OrderRule = { threshold: 0.1, minFraction: 1, allowUnreached: false };

// Band b decays like exp(−rate_b·t): a trajectory in which the bands converge in the order of their rates.
const synthetic = (rates: number[][], steps = 200): OrderMeasurements => ({
  bands: rates[0]!.map((_, b) => `b${b}`),
  runs: rates.map((rs, seed) => {
    const ts = Array.from({ length: steps + 1 }, (_, t) => t);
    return { seed, steps: ts, err: rs.map((r) => ts.map((t) => Math.exp(-r * t))), loss: ts.map(() => 0), divergedAt: null };
  }),
});

/**
 * A trajectory with prescribed crossing steps: band b's error is 2·threshold before step times[b] and threshold/2
 * from it on (null: never below). Steps are 0..T, so the first crossing is exactly times[b].
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

/** Strictly increasing crossing times with the same rule as the claim's text: an unreached band is +∞. */
const ordered = (t: readonly (number | null)[]) => t.every((x, b) => b === 0 || (x ?? Infinity) > (t[b - 1] ?? Infinity));

describe('ordering judge (experiments/fprinciple/order.ts)', () => {
  const decreasing = fc.array(fc.tuple(fc.double({ min: 0.5, max: 1, noNaN: true }), fc.double({ min: 0.2, max: 0.4, noNaN: true }), fc.double({ min: 0.03, max: 0.1, noNaN: true })), { minLength: 1, maxLength: 5 });

  it('holds when low bands converge first, and fails on the same trajectory with its bands reversed', () => {
    fc.assert(
      fc.property(decreasing, (rates) => {
        const m = synthetic(rates.map((r) => [...r]));
        return judgeOrder(m, RULE).status === 'holds' && judgeOrder(reverseBands(m), RULE).status === 'fails';
      }),
      FC,
    );
  });

  it('is inconclusive when training diverged or the lowest band never converged', () => {
    const m = synthetic([[0.5, 0.2, 0.05]]);
    expect(judgeOrder({ ...m, runs: m.runs.map((r) => ({ ...r, divergedAt: 7 })) }, RULE).status).toBe('inconclusive');
    expect(judgeOrder(synthetic([[0.001, 0.2, 0.05]]), RULE).status).toBe('inconclusive');
  });

  it('a band that never converges counts as last only when the rule allows it; two unreached bands are not ordered', () => {
    const m = synthetic([[0.5, 0.2, 0.001]]);
    expect(judgeOrder(m, RULE).status).toBe('inconclusive');
    expect(judgeOrder(m, { ...RULE, allowUnreached: true }).status).toBe('holds');
    expect(judgeOrder(synthetic([[0.5, 0.001, 0.001]]), { ...RULE, allowUnreached: true }).status).toBe('fails');
  });

  it('a required ratio t_last/t_prev is enforced', () => {
    const m = synthetic([[0.5, 0.2, 0.15]]);
    expect(judgeOrder(m, RULE).status).toBe('holds');
    expect(judgeOrder(m, { ...RULE, minLastRatio: 2 }).status).toBe('fails');
  });

  it('firstCrossing is the first recorded step with err strictly below the threshold (null entries skipped)', () => {
    const errs = fc.array(fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }), { minLength: 0, maxLength: 12 });
    fc.assert(
      fc.property(errs, fc.double({ min: 0.01, max: 1, noNaN: true }), (err, thr) => {
        const steps = err.map((_, r) => 5 * r + 3);
        const r = err.findIndex((e) => e !== null && e < thr);
        expect(firstCrossing(steps, err, thr)).toBe(r < 0 ? null : steps[r]);
      }),
      FC,
    );
    // The boundary: an error equal to the threshold has not crossed it.
    expect(firstCrossing([1, 2, 3], [0.5, 0.1, 0.0999], 0.1)).toBe(3);
    expect(firstCrossing([1, 2], [0.1, 0.1], 0.1)).toBeNull();
    expect(firstCrossing([4, 9], [null, 0], 0.1)).toBe(9);
  });

  it('isOrdered: strictly increasing, an unreached band (null) is +∞, ties are not ordered', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.integer({ min: 0, max: 6 }), { nil: null }), { maxLength: 6 }), (t) => {
        expect(isOrdered(t)).toBe(ordered(t));
      }),
      FC,
    );
    expect(isOrdered([1, 2, null])).toBe(true);
    expect(isOrdered([1, 1, 2])).toBe(false);
    expect(isOrdered([1, null, null])).toBe(false);
    expect(isOrdered([2, 1])).toBe(false);
    expect(isOrdered([5])).toBe(true);
    expect(isOrdered([])).toBe(true);
  });

  it('the threshold is strict: a band sitting exactly at it has not converged, just below it has', () => {
    const thr = 0.1;
    // Band 2 reaches exactly the threshold at step 2 and just below it at step 3; the others cross at 0 and 1.
    const m = (last: number): OrderMeasurements => ({
      bands: ['k=1', 'k=3', 'k=5'],
      runs: [{ seed: 4, steps: [0, 1, 2, 3], err: [[0.05, 0.05, 0.05, 0.05], [0.5, 0.05, 0.05, 0.05], [0.5, 0.5, thr, last]], loss: [1, 1, 1, 1], divergedAt: null }],
    });
    expect(judgeOrder(m(0.5), { threshold: thr, minFraction: 1, allowUnreached: false }).status).toBe('inconclusive');
    const v = judgeOrder(m(thr * (1 - 1e-12)), { threshold: thr, minFraction: 1, allowUnreached: false });
    expect(v.status).toBe('holds');
    expect(v.metrics.crossingSteps).toEqual({ seed4: [0, 1, 3] });
  });

  it('the verdict is "holds" iff the fraction of ordered seeds reaches minFraction (boundary included)', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 8 }), fc.boolean(), (isGood, k, exact) => {
        const n = isGood.length;
        const good = isGood.filter(Boolean).length;
        // minFraction exactly at the observed fraction (holds) or a hair above it (fails), or some k/n.
        const minFraction = exact ? good / n : Math.min(1, k / 8);
        const m = fromTimes(isGood.map((g) => (g ? [2, 5, 9] : [9, 5, 2])));
        const v = judgeOrder(m, { threshold: RULE.threshold, minFraction, allowUnreached: false });
        expect(v.status).toBe(good / n >= minFraction ? 'holds' : 'fails');
        expect(v.metrics.orderedFraction).toBe(good / n);
        expect(v.metrics.reversedSeeds).toBe(n - good);
        if (good < n) {
          const above = judgeOrder(m, { threshold: RULE.threshold, minFraction: good / n + 1e-9, allowUnreached: false });
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

  it('minLastRatio: the median of t_last/t_prev must reach it (equal passes, just below fails); its range is the interval', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 2, max: 20 }), { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 40 }), (prev, extra) => {
        // Every seed ordered: t = (1, prev, prev + extra); ratio (prev + extra)/prev.
        const times = prev.map((p, i) => [1, p, p + extra + (i % 2)]);
        const ratios = times.map((t) => t[2]! / t[1]!);
        const sorted = [...ratios].sort((a, b) => a - b);
        const h = sorted.length >> 1;
        const med = sorted.length % 2 ? sorted[h]! : (sorted[h - 1]! + sorted[h]!) / 2;
        const m = fromTimes(times);
        const at = judgeOrder(m, { ...RULE, minLastRatio: med });
        expect(at.status).toBe('holds');
        expect(at.metrics.lastRatio).toEqual({ value: med, lo: Math.min(...ratios), hi: Math.max(...ratios) });
        expect(at.reason).toContain(`crossing ratio ${med.toFixed(2)} ≥ ${med}`);
        const above = judgeOrder(m, { ...RULE, minLastRatio: med * (1 + 1e-9) });
        expect(above.status).toBe('fails');
        expect(above.reason).toContain(`order holds but the median t_last/t_prev = ${med.toFixed(2)} is below`);
      }),
      FC,
    );
  });

  it('a crossing at step 0 of the previous band gives no ratio: the ratio rule then fails', () => {
    const v = judgeOrder(fromTimes([[0, 0, 4]]), { ...RULE, minFraction: 0, minLastRatio: 1 });
    expect(v.metrics.lastRatio).toBeNull();
    expect(v.status).toBe('fails');
    const w = judgeOrder(fromTimes([[0, 1, 4]]), { ...RULE, minLastRatio: 4 });
    expect(w.status).toBe('holds');
  });

  it('any diverged seed makes the verdict inconclusive, naming the seed and the step', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }), fc.nat(5), fc.integer({ min: 1, max: 1000 }), (isGood, pick, at) => {
        const m = fromTimes(isGood.map((g) => (g ? [1, 2, 3] : [3, 2, 1])));
        const j = pick % m.runs.length;
        m.runs[j] = { ...m.runs[j]!, divergedAt: at };
        const v = judgeOrder(m, { ...RULE, allowUnreached: true });
        expect(v.status).toBe('inconclusive');
        expect(v.reason).toContain(`seed ${m.runs[j]!.seed} at step ${at}`);
      }),
      FC,
    );
  });

  it('the lowest band never converging is inconclusive even when unreached bands are allowed; the reason names the seeds', () => {
    const m = fromTimes([[1, 2, 3], [null, 2, 3], [null, 1, 2]]);
    const v = judgeOrder(m, { ...RULE, allowUnreached: true }, 'radial frequency');
    expect(v.status).toBe('inconclusive');
    expect(v.reason).toContain('lowest radial frequency band (k=1)');
    expect(v.reason).toContain('seed(s) 11, 12');
    expect(v.reason).toContain(`below ${RULE.threshold}`);
    const u = judgeOrder(fromTimes([[1, 2, 3], [1, 2, null]]), RULE);
    expect(u.status).toBe('inconclusive');
    expect(u.reason).toContain('(seeds 11)');
  });

  it('the reason lists every seed\'s crossing steps (∞ for never) and the metrics hold them', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.option(fc.integer({ min: 0, max: 60 }), { nil: null })), { minLength: 1, maxLength: 4 }), (ts) => {
        const times = ts.map(([a, b]) => [a, b]);
        const m = fromTimes(times);
        const v = judgeOrder(m, { ...RULE, allowUnreached: true });
        times.forEach((t, i) => expect(v.reason).toContain(`seed ${10 + i}: (${t.map((x) => x ?? '∞').join(', ')})`));
        expect(v.metrics.crossingSteps).toEqual(Object.fromEntries(times.map((t, i) => [`seed${10 + i}`, t])));
        expect(v.metrics.finalErrors).toEqual(Object.fromEntries(times.map((t, i) => [`seed${10 + i}`, t.map((x) => (x === null ? 2 * RULE.threshold : RULE.threshold / 2))])));
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
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 })), { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 1, noNaN: true }), (ts, delay, minFraction) => {
        const rule = { ...RULE, minFraction };
        const before = judgeOrder(fromTimes(ts.map((t) => [...t])), rule).status;
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
    expect(m.runs[0]!.err[0]![1]).toBe(RULE.threshold / 2); // the input is not modified
  });
});

describe('non-gradient claim: per-method verdicts on the lowest and highest peak', () => {
  type Meas = Parameters<typeof nonGradient.judge>[0];
  const cfg = nonGradient.tiers.ci;
  // RULE_NG (nongradient.ts): ΔF < 0.1, every seed, an unreached highest peak counts as last.
  const methods = (per: Record<string, (number | null)[][]>): Meas => ({ methods: Object.fromEntries(Object.entries(per).map(([k, t]) => [k, fromTimes(t, 0.1)])) } as Meas);
  const expected = (times: (number | null)[][]) => {
    if (times.some((t) => t[0] === null)) return 'inconclusive';
    return times.every((t) => ordered([t[0]!, t.at(-1)!])) ? 'holds' : 'fails';
  };

  it('judges t1 < t_last only (middle peaks ignored); "fails" beats "inconclusive" beats "holds" across methods', () => {
    const t = fc.option(fc.integer({ min: 0, max: 50 }), { nil: null, freq: 5 });
    const seeds = fc.array(fc.tuple(t, t, t), { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(seeds, seeds, seeds, (a, b, c) => {
        const per = { bfgs: a.map((x) => [...x]), powell: b.map((x) => [...x]), pso: c.map((x) => [...x]) };
        const v = nonGradient.judge(methods(per), cfg);
        const each = Object.values(per).map(expected);
        const status = each.includes('fails') ? 'fails' : each.includes('inconclusive') ? 'inconclusive' : 'holds';
        expect(v.status).toBe(status);
        Object.keys(per).forEach((k, i) => {
          expect(v.reason).toContain(`${k}: ${each[i]} — `);
          expect((v.metrics[k] as { status: string }).status).toBe(each[i]);
        });
      }),
      FC,
    );
  });

  it('a disordered middle peak does not matter; a reversed end pair fails', () => {
    expect(nonGradient.judge(methods({ bfgs: [[1, 50, 9]], powell: [[2, 0, 3]], pso: [[1, null, null]] }), cfg).status).toBe('holds');
    expect(nonGradient.judge(methods({ bfgs: [[1, 5, 9]], powell: [[4, 5, 3]], pso: [[1, 2, 3]] }), cfg).status).toBe('fails');
    expect(nonGradient.judge(methods({ bfgs: [[1, 5, 9]], powell: [[null, 5, 3]], pso: [[1, 2, 3]] }), cfg).status).toBe('inconclusive');
  });
});
