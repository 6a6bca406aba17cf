// lfp.width-trend: the network ↔ LFP distance shrinks as the width N grows (seed text 000: "at 500 neurons it
// roughly matches; at 16000 it almost coincides"), judged by a log-log slope with its t-interval.
import { defineClaim, estimate, type BaseConfig, type FigureSpec, type RunContext, type Verdict } from '../../core/claim.ts';
import { logLogFit } from '../../core/stats.ts';
import { asPrediction, CUBIC, data1d, fmt, grid1d, MOMENTUM, predictionName, runSeed, type Prediction, type SeedRun, type TrainConfig } from './common.ts';

export interface WidthTrendConfig extends BaseConfig {
  widths: number[];
  train: TrainConfig;
  /**
   * The rate the slope must be consistent with: −1/2, the random-feature rate (the empirical NTK's fluctuation about
   * its infinite-width mean shrinks like N^(−1/2), and so does the trained network's distance from its limit).
   */
  rate: number;
  /** LFP (the claim) or the natural cubic spline (the rival control). Default 'lfp'. */
  prediction?: Prediction;
  /**
   * A rival's claim: train on that claim's seeded streams (common.ts, seedStream), so the rival judges the same networks
   * as the claim (a paired design; the runs are shared within a process). Absent: the claim's own streams.
   */
  pairedWith?: string;
}

export type WidthTrendMeasurements = SeedRun[];

async function run(config: WidthTrendConfig, ctx: RunContext): Promise<WidthTrendMeasurements> {
  const data = data1d();
  const grid = grid1d();
  const out: SeedRun[] = [];
  for (const width of config.widths) {
    for (const seed of ctx.replicates) {
      const r = runSeed({ width, init: CUBIC }, config.train, data, grid, ctx, seed, config.pairedWith);
      out.push({ ...r, net: [], lfp: [], trace: [] }); // only the distances are needed
      ctx.progress(out.length, config.widths.length * ctx.replicates.length);
    }
  }
  return out;
}

/**
 * The log-log slope of the distance to the prediction on the width N, with its 95% t-interval. Holds if the interval
 * lies below 0 and contains the random-feature rate (config.rate, −1/2): the distance shrinks, at the rate a network
 * converging to its infinite-width limit would. Fails if the slope is ≥ 0, or if the interval lies below 0 but
 * excludes the rate (a distance that shrinks at another rate is not explained by finite-width fluctuation alone:
 * slower means a floor, a prediction that is not the network's limit). Inconclusive if the interval reaches 0 with a
 * negative slope, or if a run did not converge.
 */
function judge(measured: WidthTrendMeasurements, config: WidthTrendConfig): Verdict {
  const runs = measured.map((r) => asPrediction(r, config.prediction ?? 'lfp'));
  const bad = runs.find((r) => !r.converged || r.distLfp === null || !(r.distLfp > 0));
  const perWidth = config.widths.map((w) => {
    const d = runs.filter((r) => r.width === w).map((r) => r.distLfp ?? null);
    const ok = d.filter((x): x is number => x !== null);
    return { width: w, meanDistLfp: ok.length ? ok.reduce((s, x) => s + x, 0) / ok.length : null, dists: d };
  });
  const name = predictionName(config.prediction ?? 'lfp');
  if (bad) {
    return {
      status: 'inconclusive' as const,
      reason: bad.divergedAt !== null ? `width ${bad.width} seed ${bad.seed} diverged at step ${bad.divergedAt}` : `width ${bad.width} seed ${bad.seed} did not converge (residual ${fmt(bad.residual)} after ${bad.steps} steps)`,
      metrics: { slope: null, rate: config.rate, perWidth },
    };
  }
  const fit = logLogFit(runs.map((r) => r.width), runs.map((r) => r.distLfp!));
  const slope = estimate(fit.slope, fit.ci.lo, fit.ci.hi);
  const contains = fit.ci.lo <= config.rate && config.rate <= fit.ci.hi;
  const status = fit.slope >= 0 ? 'fails' : fit.ci.hi < 0 ? (contains ? 'holds' : 'fails') : 'inconclusive';
  const why =
    status === 'holds'
      ? `below 0 and contains ${config.rate}`
      : fit.slope >= 0
        ? 'not negative'
        : status === 'fails'
          ? `below 0 but excludes ${config.rate}`
          : 'interval reaches 0';
  return {
    status: status as 'holds' | 'fails' | 'inconclusive',
    reason: `log-log slope of the network↔${name} distance on width ${fmt(fit.slope)} [${fmt(fit.ci.lo)}, ${fmt(fit.ci.hi)}] over ${runs.length} runs (widths ${config.widths.join(', ')}); ${why}.`,
    metrics: { slope, rate: config.rate, intercept: fit.intercept, r2: fit.r2, perWidth },
  };
}

/** Every run's distance to LFP and to both splines against the width (log-log), with the fit to the judged one. */
function figures(runs: WidthTrendMeasurements, verdict: { metrics: Record<string, unknown> }, config: WidthTrendConfig): Record<string, FigureSpec> {
  const judged = `${predictionName(config.prediction ?? 'lfp')}`;
  const pts: { width: number; dist: number; to: string }[] = [];
  for (const r of runs) {
    for (const [to, d] of [['LFP', r.distLfp], ['the natural cubic spline', r.distCubic], ['the linear interpolant', r.distLinear]] as const) {
      if (d !== null && d > 0) pts.push({ width: r.width, dist: d, to });
    }
  }
  const layers: unknown[] = [
    {
      data: { values: pts },
      mark: { type: 'point', filled: true },
      encoding: {
        x: { field: 'width', type: 'quantitative', scale: { type: 'log' }, title: 'width N (neurons)' },
        y: { field: 'dist', type: 'quantitative', scale: { type: 'log' }, title: 'relative L2 distance of the network' },
        color: { field: 'to', type: 'nominal', title: 'distance to' },
        shape: { field: 'to', type: 'nominal', title: 'distance to' },
      },
    },
  ];
  const slope = verdict.metrics.slope as { value: number } | null;
  const intercept = verdict.metrics.intercept as number | undefined;
  if (slope && intercept !== undefined && runs.length) {
    const ws = runs.map((r) => r.width);
    const line = [Math.min(...ws), Math.max(...ws)].map((w) => ({ width: w, dist: Math.exp(intercept + slope.value * Math.log(w)), fit: `fit to ${judged}, slope ${slope.value.toFixed(2)}` }));
    layers.push({
      data: { values: line },
      mark: { type: 'line', color: 'firebrick' },
      encoding: {
        x: { field: 'width', type: 'quantitative' },
        y: { field: 'dist', type: 'quantitative' },
        strokeDash: { field: 'fit', type: 'nominal', title: 'log-log fit' },
      },
    });
  }
  return {
    'width-trend': {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      title: `Distance of the network to LFP and to both splines vs width (cubic regime); judged: ${judged}`,
      width: 420,
      height: 300,
      layer: layers,
    },
  };
}

const TREND_SOURCE = {
  paper: 'Zhang, Xu, Luo, Ma 2019, "Explicitizing an Implicit Bias of the Frequency Principle in Two-layer Neural Networks"',
  arxiv: '1905.10264',
  where: 'seed text 000 (N = 500 vs N = 16000, cubic regime); BRIEF.md §2.5 calibration table',
};

/*
 * The paper's ladder 500 → 16000 runs in the full tier (≈ 40 s here); the CI tier stops at 2048 (4 seeds per width).
 * Rate −1/2: see WidthTrendConfig.rate. The network's infinite-width limit is not exactly LFP: the exact infinite-width
 * NTK of this network (uniform b, every kink range covering the data) adds the non-stationary w-gradient term
 * −E[a²]E|w|/(4v_l)·xx'|x − x'| that LFP drops. Kernel regression with that exact kernel is 0.007 from LFP in the cubic
 * regime and 0.036 in the intermediate one (computed while writing this), so the slope is judged in the cubic regime,
 * where the floor lies below the CI ladder's distances (≥ 0.02).
 */
const TREND_TIERS = {
  ci: { replicates: 6, widths: [128, 512, 2048], train: MOMENTUM, rate: -0.5 },
  full: { replicates: 4, widths: [500, 1000, 2000, 4000, 8000, 16000], train: MOMENTUM, rate: -0.5 },
};

export const lfpWidthTrend = defineClaim<WidthTrendConfig, WidthTrendMeasurements>({
  id: 'lfp.width-trend',
  title: 'The network approaches the LFP prediction as the width grows',
  statement:
    'In the cubic regime of the 1-D example, the relative L2 distance between the trained network and the LFP solution decreases ' +
    'with the number of neurons N (roughly matching at N = 500, nearly coinciding at N = 16000), at the random-feature rate N^(−1/2).',
  source: TREND_SOURCE,
  tiers: TREND_TIERS,
  run,
  judge,
  figures,
});

export const lfpWidthTrendRivalCubic = defineClaim<WidthTrendConfig, WidthTrendMeasurements>({
  id: 'lfp.width-trend.rival-cubic-spline',
  title: 'Rival of lfp.width-trend: the network approaches the natural cubic spline',
  statement:
    'Rival control: lfp.width-trend\'s experiment and judge with LFP replaced by the natural cubic spline, its a → 0 limit (the ' +
    'paper\'s cubic regime puts LFP 0.012 from it).',
  source: TREND_SOURCE,
  control: true,
  rivalOf: 'lfp.width-trend',
  // Measured in CI: holds (a false pass; 20 of 20 audit seeds since it is judged on the claim's own networks, 17 of 20
  // when it trained its own). In the paper's cubic regime LFP is 0.012 from the
  // spline, below every CI distance (≥ 0.02), so the distance to either shrinks alike (on the same networks, slopes
  // −0.47 to LFP and −0.41 to the spline at master seed 20261123): at CI widths the trend has no power against this rival. The full tier's ladder 500 → 16000 has it:
  // there the distance to LFP falls to 0.0105 (slope −0.61 [−0.74, −0.48], holds) while the distance to the spline
  // levels off at 0.026 (slope −0.29 [−0.42, −0.16], excludes −1/2: fails). lfp.1d's intermediate regime separates
  // them in CI. No cheap CI setting with power was found: a ladder 512, 2048, 8192 with 3 seeds (≈9 s a check under
  // load, vs ≈1 s) still said "holds" for both in 3 of 3 calibration seeds (slopes −0.57/−0.46, −0.36/−0.30,
  // −0.51/−0.40 to LFP/spline, intervals ±0.15–0.37), since the two distances part only above N ≈ 4000; the
  // intermediate regime, where LFP is ≥ 0.1 from the spline, has the exact-NTK floor 0.036 (above), which would
  // flatten the claim's own slope at CI widths.
  expected: 'holds',
  tiers: {
    ci: { ...TREND_TIERS.ci, prediction: 'cubic' as const, pairedWith: 'lfp.width-trend' },
    full: { ...TREND_TIERS.full, prediction: 'cubic' as const, pairedWith: 'lfp.width-trend' },
  },
  run,
  judge,
  figures,
});
