// Shared by the family's width-ladder claims: power-law exponents with intervals, the band verdict, and the
// log-log figure with fitted lines and the slope interval drawn as a band.
import { estimate, type Estimate, type FigureSpec, type Status, type Verdict } from '../../core/claim.ts';
import { linearFit, logLogFit, mean, median, tQuantile } from '../../core/stats.ts';

export interface ExponentFit extends Estimate {
  /** Fitted log-log intercept (for drawing the line) and R². */
  intercept: number;
  r2: number;
}

/** log y = c + p·log(width) over all (width, replicate) points; the t-interval (95%) of p. Null if any y ≤ 0. */
export function fitExponent(widths: readonly number[], values: readonly number[]): ExponentFit | null {
  if (values.some((v) => !(v > 0) || !Number.isFinite(v))) return null;
  const f = logLogFit(widths, values);
  return { ...estimate(f.slope, f.ci.lo, f.ci.hi), intercept: f.intercept, r2: f.r2 };
}

/**
 * One exponent per replicate (each replicate is a whole width ladder from one draw of the largest network, so the
 * widths within a replicate share random numbers), then a two-sided t-interval (`level`, default 95%) over the
 * independent replicates.
 * Null if any value is ≤ 0 or fewer than 2 replicates.
 */
export function replicateExponent(
  ladders: readonly { widths: readonly number[]; values: readonly number[] }[],
  level = 0.95,
): (ExponentFit & { perReplicate: number[] }) | null {
  if (ladders.length < 2) return null;
  if (ladders.some((l) => l.values.some((v) => !(v > 0) || !Number.isFinite(v)))) return null;
  const fits = ladders.map((l) => linearFit(l.widths.map(Math.log), l.values.map(Math.log)));
  const slopes = fits.map((f) => f.slope);
  const m = mean(slopes);
  const sd = Math.sqrt(slopes.reduce((s, x) => s + (x - m) ** 2, 0) / (slopes.length - 1));
  const half = (tQuantile(level, slopes.length - 1) * sd) / Math.sqrt(slopes.length);
  return { ...estimate(m, m - half, m + half), intercept: mean(fits.map((f) => f.intercept)), r2: mean(fits.map((f) => f.r2)), perReplicate: slopes };
}

/**
 * The brief's rule (P3.1, P3.3: the fitted exponent lies in a band around the prediction) made statistical:
 *   holds         the estimate is inside the band, its interval contains the prediction and excludes 0 (no decay)
 *                 and every rival exponent;
 *   fails         the estimate is outside the band and its interval excludes the prediction;
 *   inconclusive  anything else (too noisy to say either way).
 * `rivalExponents`: exponents of rival explanations that e's (95%) interval must also exclude for "holds" (e.g. −½ for
 * Lee et al.'s n^(−1/2) upper bound when the prediction is −1), so a "holds" separates the prediction from them.
 * `containment` (default: e itself) is the interval asked to contain the prediction for "holds", e.g. a 99% one: a
 * 95% interval misses an exactly true prediction in 1 seed of 20, which alone breaks a 19/20 reproducibility target.
 * Exclusion of 0 and "fails" keep e's (95%) interval, so a negative control is judged exactly as before.
 */
export function bandStatus(
  e: Estimate,
  band: readonly [number, number],
  predicted: number,
  containment: Estimate = e,
  rivalExponents: readonly number[] = [],
): Status {
  const inside = e.value >= band[0] && e.value <= band[1];
  const excludesZero = e.hi < 0 || e.lo > 0;
  const excludesRivals = rivalExponents.every((p) => p < e.lo || p > e.hi);
  if (inside && excludesZero && excludesRivals && containment.lo <= predicted && predicted <= containment.hi) return 'holds';
  if (!inside && !(e.lo <= predicted && predicted <= e.hi)) return 'fails';
  return 'inconclusive';
}

export const fmt = (x: number, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));
export const fmtEst = (e: Estimate) => `${fmt(e.value)} [${fmt(e.lo)}, ${fmt(e.hi)}]`;

/** Medians per width, in ladder order. */
export function mediansByWidth(widths: readonly number[], values: readonly number[]): { width: number; median: number }[] {
  const ladder = [...new Set(widths)].sort((a, b) => a - b);
  return ladder.map((w) => ({ width: w, median: median(values.filter((_, i) => widths[i] === w)) }));
}

export interface LogLogSeries {
  name: string;
  widths: number[];
  values: number[];
  fit: ExponentFit | null;
}

/** Points per replicate, the fitted line per series, and the slope interval as a band pivoting at the centroid. */
export function logLogFigure(title: string, yTitle: string, series: LogLogSeries[]): FigureSpec {
  const points: Record<string, number | string>[] = [];
  const lines: Record<string, number | string>[] = [];
  for (const s of series) {
    s.widths.forEach((w, i) => points.push({ series: s.name, width: w, value: s.values[i]! }));
    if (!s.fit) continue;
    const lx = s.widths.map(Math.log);
    const cx = lx.reduce((a, b) => a + b, 0) / lx.length;
    const cy = s.fit.intercept + s.fit.value * cx;
    const lo = Math.min(...s.widths);
    const hi = Math.max(...s.widths);
    for (let k = 0; k <= 20; k++) {
      const w = lo * (hi / lo) ** (k / 20);
      const dx = Math.log(w) - cx;
      const a = Math.exp(cy + s.fit.lo * dx);
      const b = Math.exp(cy + s.fit.hi * dx);
      lines.push({ series: s.name, width: w, fit: Math.exp(cy + s.fit.value * dx), bandLo: Math.min(a, b), bandHi: Math.max(a, b) });
    }
  }
  const x = { field: 'width', type: 'quantitative', scale: { type: 'log', base: 2 }, title: 'width n (log scale)' };
  const color = { field: 'series', type: 'nominal', title: 'quantity', legend: { labelLimit: 280 } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 420,
    height: 300,
    layer: [
      {
        data: { values: lines },
        mark: { type: 'area', opacity: 0.18 },
        encoding: { x, y: { field: 'bandLo', type: 'quantitative', scale: { type: 'log' } }, y2: { field: 'bandHi' }, color },
      },
      {
        data: { values: lines },
        mark: { type: 'line' },
        encoding: { x, y: { field: 'fit', type: 'quantitative', scale: { type: 'log' } }, color },
      },
      {
        data: { values: points },
        mark: { type: 'point', filled: true },
        encoding: { x, y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: yTitle }, color },
      },
    ],
  };
}

/** Outputs at one held-out point during GD, a line per (width, model): the network against its prediction. */
export function outputTraceFigure(title: string, values: Record<string, number | string>[]): FigureSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 420,
    height: 260,
    data: { values },
    mark: { type: 'line' },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'GD step' },
      y: { field: 'output', type: 'quantitative', title: 'output at the first test point', scale: { zero: false } },
      color: { field: 'width', type: 'nominal', title: 'width' },
      strokeDash: { field: 'model', type: 'nominal', title: 'model' },
    },
  };
}

/** "Inconclusive" naming the first run whose loss went non-finite, or null when every run trained. */
export function divergedVerdict(runs: { width: number; divergedAt: number | null }[]): Verdict | null {
  const diverged = runs.find((x) => x.divergedAt !== null);
  if (!diverged) return null;
  return {
    status: 'inconclusive',
    reason: `training diverged (non-finite loss) at step ${diverged.divergedAt} for width ${diverged.width}`,
    metrics: { divergedAtStep: diverged.divergedAt, divergedWidth: diverged.width },
  };
}
