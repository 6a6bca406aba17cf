// Exact properties of the statistics the judges use (core/stats.ts). Golden numbers are worked by hand or taken
// from scipy 1.17 (scipy.stats.t.ppf, scipy.stats.spearmanr, numpy.linalg.lstsq), as each comment says.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bootstrapInterval,
  fraction,
  linearFit,
  logLogFit,
  mean,
  median,
  quantile,
  ranks,
  relL2,
  spearman,
  tQuantile,
} from '../../core/stats.ts';
import { FC } from '../helpers.ts';

const near = (got: number, want: number, tol = 1e-12) =>
  expect(Math.abs(got - want), `${got} vs ${want}`).toBeLessThanOrEqual(tol * (1 + Math.abs(want)));

describe('location and spread', () => {
  it('mean, median (odd and even count) and quantile by hand; the inputs are not reordered', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    const odd = [3, 1, 2];
    expect(median(odd)).toBe(2);
    expect(odd).toEqual([3, 1, 2]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    const xs = [5, 1, 4, 2, 3];
    expect(quantile(xs, 0)).toBe(1);
    expect(quantile(xs, 0.5)).toBe(3);
    expect(quantile(xs, 1)).toBe(5);
    // Numeric, not lexicographic, order: 10 > 9.
    expect(quantile([10, 9, 1], 1)).toBe(10);
    expect(xs).toEqual([5, 1, 4, 2, 3]);
  });

  it('fraction counts the entries that satisfy the predicate', () => {
    expect(fraction([1, 2, 3, 4], (x) => x > 2)).toBe(0.5);
    expect(fraction([1, 2, 3, 4], (x) => x > 3)).toBe(0.25);
  });

  it('relL2 = ‖a − b‖/‖b‖: ([1, 2], [1, 1]) → √(1/2); zero for a = b; over every entry', () => {
    near(relL2([1, 2], [1, 1]), Math.SQRT1_2);
    expect(relL2([3, -4, 5], [3, -4, 5])).toBe(0);
    // ‖(0, 0, 3)‖/‖(1, 2, 2)‖ = 3/3: the last entry counts in both sums.
    near(relL2([1, 2, 5], [1, 2, 2]), 1);
    near(relL2(new Float64Array([2, 0]), new Float64Array([1, 1])), 1);
  });
});

describe('t quantile and least squares', () => {
  it('tQuantile matches scipy.stats.t.ppf(1 − (1 − level)/2, df)', () => {
    // jStat's inverse is accurate to ~1e-8 relative.
    near(tQuantile(0.95, 1), 12.706204736174694, 1e-7);
    near(tQuantile(0.95, 2), 4.302652729749462, 1e-7);
    near(tQuantile(0.95, 8), 2.306004135204166, 1e-7);
    near(tQuantile(0.9, 3), 2.3533634348018233, 1e-7);
  });

  it('linearFit on (0,1) (1,3) (2,2) (3,5): slope 1.1, intercept 1.1, se √0.27, r² 0.6914…, t-interval with df = 2', () => {
    // By hand: x̄ = 1.5, ȳ = 2.75, Sxx = 5, Sxy = 5.5, residuals (−0.1, 0.8, −1.3, 0.6), SSE = 2.7, Syy = 8.75;
    // numpy.linalg.lstsq agrees. se = √(SSE/(n−2)/Sxx), r² = 1 − SSE/Syy.
    const f = linearFit([0, 1, 2, 3], [1, 3, 2, 5]);
    near(f.slope, 1.1);
    near(f.intercept, 1.1);
    near(f.se, Math.sqrt(0.27));
    near(f.r2, 1 - 2.7 / 8.75);
    expect(f.n).toBe(4);
    near(f.ci.lo, 1.1 - 4.302652729749462 * Math.sqrt(0.27), 1e-7);
    near(f.ci.hi, 1.1 + 4.302652729749462 * Math.sqrt(0.27), 1e-7);
    // A different level uses its own quantile (scipy t.ppf(0.95, 2) = 2.9199855803537242).
    const f90 = linearFit([0, 1, 2, 3], [1, 3, 2, 5], 0.9);
    near(f90.ci.hi, 1.1 + 2.9199855803537242 * Math.sqrt(0.27), 1e-7);
  });

  it('linearFit recovers an exact line with a zero-width interval, and r² = 1 for a constant y', () => {
    const exact = linearFit([1, 2, 4, 7], [2 + 3 * 1, 2 + 3 * 2, 2 + 3 * 4, 2 + 3 * 7]);
    near(exact.slope, 3);
    near(exact.intercept, 2);
    near(exact.r2, 1);
    expect(exact.se).toBeLessThan(1e-12);
    const flat = linearFit([1, 2, 3], [4, 4, 4]);
    expect(flat.slope).toBe(0);
    expect(flat.intercept).toBe(4);
    expect(flat.r2).toBe(1);
    expect(flat.se).toBe(0);
  });

  it('linearFit slope, intercept and r² agree with the normal-equation sums and r² = corr² (random data)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: -10, max: 10, noNaN: true })), { minLength: 3, maxLength: 12 }),
        (pts) => {
          const x = pts.map((p) => p[0]);
          const y = pts.map((p) => p[1]);
          const n = x.length;
          const sx = x.reduce((s, v) => s + v, 0);
          const sy = y.reduce((s, v) => s + v, 0);
          const sxy = x.reduce((s, v, i) => s + v * y[i]!, 0);
          const sxx = x.reduce((s, v) => s + v * v, 0);
          const syy = y.reduce((s, v) => s + v * v, 0);
          const dx = n * sxx - sx * sx;
          const dy = n * syy - sy * sy;
          fc.pre(dx > 1e-3 * n * n && dy > 1e-3 * n * n);
          const f = linearFit(x, y);
          const slope = (n * sxy - sx * sy) / dx;
          near(f.slope, slope, 1e-8);
          near(f.intercept, (sy - slope * sx) / n, 1e-8);
          near(f.r2, (n * sxy - sx * sy) ** 2 / (dx * dy), 1e-8);
          // The interval is symmetric about the slope with half-width t·se.
          near(f.ci.hi - f.slope, tQuantile(0.95, n - 2) * f.se, 1e-8);
          near(f.slope - f.ci.lo, tQuantile(0.95, n - 2) * f.se, 1e-8);
        },
      ),
      { ...FC, numRuns: 60 },
    );
  });

  it('linearFit slope is translation invariant in x and in y, also for offsets of 1e9 (centred sums)', () => {
    // Values chosen exactly representable after the shift, so any change comes from the fit, not the data.
    const x = [0.1, 0.7, 0.3, 0.9, 0.45];
    const y = [0, 1, 3, 2, 4].map((k) => k * 0.25);
    const base = linearFit(x, y);
    const yShifted = linearFit(
      x,
      y.map((v) => v + 1e9),
    );
    near(yShifted.slope, base.slope, 1e-9);
    near(yShifted.intercept, base.intercept + 1e9, 1e-12);
    const xs = [0, 1, 2, 3, 4];
    const ys = [0.1, 0.7, 0.3, 0.9, 0.45];
    // numpy.polyfit(arange(5), ys, 1) slope = 0.09.
    near(linearFit(xs, ys).slope, 0.09, 1e-12);
    near(
      linearFit(
        xs.map((v) => v + 1e9),
        ys,
      ).slope,
      0.09,
      1e-9,
    );
  });

  it('linearFit refuses x and y of different length and fewer than 3 points', () => {
    expect(() => linearFit([1, 2, 3], [1, 2])).toThrow('x and y differ in length');
    expect(() => linearFit([1, 2], [1, 2])).toThrow('need at least 3 points');
    expect(linearFit([1, 2, 3], [1, 2, 4]).n).toBe(3);
  });

  it('logLogFit recovers the exponent and prefactor of y = 5·x^(−1.5), and names the bad input', () => {
    const x = [1, 2, 4, 8, 16];
    const f = logLogFit(
      x,
      x.map((v) => 5 * v ** -1.5),
    );
    near(f.slope, -1.5, 1e-12);
    near(f.intercept, Math.log(5), 1e-12);
    near(logLogFit(x, x.map((v) => v ** 2), 0.9).ci.lo, 2, 1e-9);
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => logLogFit([1, 2, bad], [1, 2, 3])).toThrow('logLogFit: x must be positive and finite');
      expect(() => logLogFit([1, 2, 3], [1, bad, 3])).toThrow('logLogFit: y must be positive and finite');
    }
  });
});

describe('ranks and Spearman', () => {
  it('ranks are 1-based, ties share the mean rank (also a tie at the end)', () => {
    expect(ranks([10, 30, 20])).toEqual([1, 3, 2]);
    // The three 5s take ranks 2, 3, 4 → 3 each.
    expect(ranks([5, 1, 5, 5])).toEqual([3, 1, 3, 3]);
    expect(ranks([2, 2, 1])).toEqual([2.5, 2.5, 1]);
    expect(ranks([7, 7])).toEqual([1.5, 1.5]);
    expect(ranks([])).toEqual([]);
  });

  it('Spearman: ±1 under monotone maps, and scipy.stats.spearmanr values with and without ties', () => {
    const x = [0.3, 1.7, -2, 5, 4];
    near(spearman(x, x.map((v) => Math.exp(3 * v))), 1);
    near(spearman(x, x.map((v) => -(v ** 3))), -1);
    near(spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]), 0.8);
    near(spearman([1, 2, 2, 3], [1, 3, 2, 4]), 0.9486832980505139);
  });
});

describe('bootstrap', () => {
  it('is deterministic per key, with the empty key as default, and calls stat once per resample on n draws', () => {
    const s = [1.5, -0.3, 2.2, 0.8, 3.1, -1.4];
    const stat = (v: readonly number[]) => mean(v);
    const a = bootstrapInterval(s, stat, { key: 'k', resamples: 300 });
    expect(bootstrapInterval(s, stat, { key: 'k', resamples: 300 })).toEqual(a);
    expect(bootstrapInterval(s, stat)).toEqual(bootstrapInterval(s, stat, { key: '', resamples: 2000, level: 0.95 }));
    const sizes: number[] = [];
    bootstrapInterval(s, (v) => (sizes.push(v.length), 0), { resamples: 37 });
    expect(sizes.length).toBe(37);
    expect(new Set(sizes)).toEqual(new Set([6]));
    // Resamples are drawn from the samples themselves.
    const seen = new Set<number>();
    bootstrapInterval(s, (v) => (v.forEach((t) => seen.add(t)), 0), { resamples: 50 });
    expect([...seen].every((t) => s.includes(t))).toBe(true);
    expect(seen.size).toBe(s.length);
  });

  it('percentile interval of one uniform pick from 0..99 sits at the (1 ± level)/2 quantiles', () => {
    // stat = the first draw, uniform on {0, …, 99}: its percentile interval at level L is ≈ [100·(1−L)/2 − ½,
    // 100·(1+L)/2 − ½]. With 4000 resamples the 25% quantile has sampling sd ≈ 100·√(0.25·0.75/4000) ≈ 0.7, so the
    // ±2.5 tolerance is ~3.6 sd (the 5% quantile: sd ≈ 0.35).
    const s = Array.from({ length: 100 }, (_, i) => i);
    const first = (v: readonly number[]) => v[0]!;
    const i90 = bootstrapInterval(s, first, { level: 0.9, resamples: 4000, key: 'u' });
    expect(Math.abs(i90.lo - 4.5)).toBeLessThan(2.5);
    expect(Math.abs(i90.hi - 94.5)).toBeLessThan(2.5);
    const i50 = bootstrapInterval(s, first, { level: 0.5, resamples: 4000, key: 'u' });
    expect(Math.abs(i50.lo - 24.5)).toBeLessThan(2.5);
    expect(Math.abs(i50.hi - 74.5)).toBeLessThan(2.5);
  });

  it('drops non-finite statistics, and a constant sample gives a point interval', () => {
    // stat is NaN whenever the resample contains the 0: only the all-ones resamples count.
    const i = bootstrapInterval([0, 1, 1, 1], (v) => (v.includes(0) ? Number.NaN : mean(v)), { resamples: 200 });
    expect(i).toEqual({ lo: 1, hi: 1 });
    expect(bootstrapInterval([2, 2, 2], median, { resamples: 100 })).toEqual({ lo: 2, hi: 2 });
    // One resample: the interval is that resample's statistic and nothing else.
    expect(bootstrapInterval([3, 3], mean, { resamples: 1 })).toEqual({ lo: 3, hi: 3 });
  });
});
