// Statistics shared by the claims' judges: intervals, log-log slopes, rank correlation.
import jStat from 'jstat';
import { sampleCorrelation, median as ssMedian, quantileSorted } from 'simple-statistics';
import { rngFromKey } from './rng.ts';

export interface Interval {
  lo: number;
  hi: number;
}

export function mean(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

export function median(xs: readonly number[]): number {
  return ssMedian([...xs]);
}

export function quantile(xs: readonly number[], p: number): number {
  return quantileSorted([...xs].sort((a, b) => a - b), p);
}

/** Two-sided Student-t quantile t_{1-(1-level)/2, df}. */
export function tQuantile(level: number, df: number): number {
  return jStat.studentt.inv(1 - (1 - level) / 2, df);
}

export interface LinearFit {
  slope: number;
  intercept: number;
  /** Standard error of the slope. */
  se: number;
  /** t-interval for the slope at `level` (n−2 degrees of freedom). */
  ci: Interval;
  r2: number;
  n: number;
}

/** Ordinary least squares y ≈ intercept + slope·x with a t-interval on the slope. */
export function linearFit(x: readonly number[], y: readonly number[], level = 0.95): LinearFit {
  const n = x.length;
  if (n !== y.length) throw new Error('linearFit: x and y differ in length');
  if (n < 3) throw new Error('linearFit: need at least 3 points for an interval');
  const mx = mean(x);
  const my = mean(y);
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i]! - mx) ** 2;
    sxy += (x[i]! - mx) * (y[i]! - my);
    syy += (y[i]! - my) ** 2;
  }
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (y[i]! - intercept - slope * x[i]!) ** 2;
  const se = Math.sqrt(sse / (n - 2) / sxx);
  const t = tQuantile(level, n - 2);
  return { slope, intercept, se, ci: { lo: slope - t * se, hi: slope + t * se }, r2: syy === 0 ? 1 : 1 - sse / syy, n };
}

/** Fit log(y) = c + p·log(x): the power-law exponent p with its interval. Inputs must be positive. */
export function logLogFit(x: readonly number[], y: readonly number[], level = 0.95): LinearFit {
  for (const [name, v] of [['x', x], ['y', y]] as const) {
    if (v.some((t) => !(t > 0) || !Number.isFinite(t))) throw new Error(`logLogFit: ${name} must be positive and finite`);
  }
  return linearFit(x.map(Math.log), y.map(Math.log), level);
}

/**
 * Percentile bootstrap interval of `stat` over `samples` (resampled with replacement).
 * Seeded: the same inputs and key give the same interval.
 */
export function bootstrapInterval<T>(
  samples: readonly T[],
  stat: (s: readonly T[]) => number,
  opts: { resamples?: number; level?: number; key?: string } = {},
): Interval {
  const B = opts.resamples ?? 2000;
  const level = opts.level ?? 0.95;
  const rng = rngFromKey(`bootstrap/${opts.key ?? ''}`);
  const vals: number[] = [];
  const n = samples.length;
  for (let b = 0; b < B; b++) {
    const pick: T[] = new Array(n);
    for (let i = 0; i < n; i++) pick[i] = samples[rng.int(n)]!;
    const v = stat(pick);
    if (Number.isFinite(v)) vals.push(v);
  }
  vals.sort((a, b) => a - b);
  const a = (1 - level) / 2;
  return { lo: quantileSorted(vals, a), hi: quantileSorted(vals, 1 - a) };
}

/** Average ranks (ties share the mean rank). */
export function ranks(xs: readonly number[]): number[] {
  const idx = xs.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(xs.length);
  let i = 0;
  while (i < idx.length) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1]![0] === idx[i]![0]) j++;
    for (let k = i; k <= j; k++) r[idx[k]![1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

/** Spearman rank correlation. */
export function spearman(x: readonly number[], y: readonly number[]): number {
  return sampleCorrelation(ranks(x), ranks(y));
}

/** Fraction of entries satisfying a predicate. */
export function fraction<T>(xs: readonly T[], pred: (x: T) => boolean): number {
  return xs.filter(pred).length / xs.length;
}

/** Relative L2 distance ||a − b|| / ||b||. */
export function relL2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / den);
}
