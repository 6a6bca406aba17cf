// lfp.width-trend: the network ↔ LFP distance shrinks as the width N grows (seed text 000: "at 500 neurons it
// roughly matches; at 16000 it almost coincides"), judged by a log-log slope with its t-interval.
import { defineClaim, estimate, type BaseConfig, type FigureSpec, type RunContext, type Verdict } from '../../core/claim.ts';
import { logLogFit } from '../../core/stats.ts';
import { CUBIC, data1d, fmt, grid1d, MOMENTUM, runSeed, type SeedRun, type TrainConfig } from './common.ts';

export interface WidthTrendConfig extends BaseConfig {
  widths: number[];
  train: TrainConfig;
}

export type WidthTrendMeasurements = SeedRun[];

async function run(config: WidthTrendConfig, ctx: RunContext): Promise<WidthTrendMeasurements> {
  const data = data1d();
  const grid = grid1d();
  const out: SeedRun[] = [];
  for (const width of config.widths) {
    for (const seed of ctx.replicates) {
      const r = runSeed({ width, init: CUBIC }, config.train, data, grid, ctx, seed);
      out.push({ ...r, net: [], lfp: [], trace: [] }); // only the distances are needed
      ctx.progress(out.length, config.widths.length * ctx.replicates.length);
    }
  }
  return out;
}

/**
 * Holds if the slope of log(distance) on log(N) is negative with its 95% interval below 0. Random-feature
 * fluctuations alone would give −1/2; the dropped non-stationary w-gradient term leaves a floor, so only the sign is
 * the claim. Fails if the slope is ≥ 0; inconclusive if negative but not significantly so, or if a run did not converge.
 */
function judge(runs: WidthTrendMeasurements, config: WidthTrendConfig): Verdict {
  const bad = runs.find((r) => !r.converged || r.distLfp === null || !(r.distLfp > 0));
  const perWidth = config.widths.map((w) => {
    const d = runs.filter((r) => r.width === w).map((r) => r.distLfp ?? null);
    const ok = d.filter((x): x is number => x !== null);
    return { width: w, meanDistLfp: ok.length ? ok.reduce((s, x) => s + x, 0) / ok.length : null, dists: d };
  });
  if (bad) {
    return {
      status: 'inconclusive' as const,
      reason: bad.divergedAt !== null ? `width ${bad.width} seed ${bad.seed} diverged at step ${bad.divergedAt}` : `width ${bad.width} seed ${bad.seed} did not converge (residual ${fmt(bad.residual)} after ${bad.steps} steps)`,
      metrics: { slope: null, perWidth },
    };
  }
  const fit = logLogFit(runs.map((r) => r.width), runs.map((r) => r.distLfp!));
  const slope = estimate(fit.slope, fit.ci.lo, fit.ci.hi);
  const status = fit.ci.hi < 0 ? 'holds' : fit.slope >= 0 ? 'fails' : 'inconclusive';
  return {
    status: status as 'holds' | 'fails' | 'inconclusive',
    reason: `log-log slope of the network↔LFP distance on width ${fmt(fit.slope)} [${fmt(fit.ci.lo)}, ${fmt(fit.ci.hi)}] over ${runs.length} runs (widths ${config.widths.join(', ')}); ${status === 'holds' ? 'below 0' : status === 'fails' ? 'not negative' : 'interval reaches 0'}.`,
    metrics: { slope, intercept: fit.intercept, r2: fit.r2, perWidth },
  };
}

function figures(runs: WidthTrendMeasurements, verdict: { metrics: Record<string, unknown> }): Record<string, FigureSpec> {
  const pts = runs.filter((r) => r.distLfp !== null && r.distLfp > 0).map((r) => ({ width: r.width, dist: r.distLfp!, seed: r.seed }));
  const layers: unknown[] = [
    {
      data: { values: pts },
      mark: { type: 'point', filled: true },
      encoding: {
        x: { field: 'width', type: 'quantitative', scale: { type: 'log' }, title: 'width N (neurons)' },
        y: { field: 'dist', type: 'quantitative', scale: { type: 'log' }, title: 'relative L2, network vs LFP' },
      },
    },
  ];
  const slope = verdict.metrics.slope as { value: number } | null;
  const intercept = verdict.metrics.intercept as number | undefined;
  if (slope && intercept !== undefined && pts.length) {
    const ws = pts.map((p) => p.width);
    const line = [Math.min(...ws), Math.max(...ws)].map((w) => ({ width: w, dist: Math.exp(intercept + slope.value * Math.log(w)) }));
    layers.push({
      data: { values: line },
      mark: { type: 'line', color: 'firebrick' },
      encoding: { x: { field: 'width', type: 'quantitative' }, y: { field: 'dist', type: 'quantitative' } },
    });
  }
  return {
    'width-trend': {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      title: `Distance to the LFP prediction vs width (cubic regime), fitted slope ${slope ? slope.value.toFixed(2) : 'n/a'}`,
      width: 420,
      height: 300,
      layer: layers,
    },
  };
}


export const lfpWidthTrend = defineClaim<WidthTrendConfig, WidthTrendMeasurements>({
  id: 'lfp.width-trend',
  title: 'The network approaches the LFP prediction as the width grows',
  statement:
    'In the cubic regime of the 1-D example, the relative L2 distance between the trained network and the LFP solution decreases ' +
    'with the number of neurons N (roughly matching at N = 500, nearly coinciding at N = 16000).',
  source: {
    paper: 'Zhang, Xu, Luo, Ma 2019, "Explicitizing an Implicit Bias of the Frequency Principle in Two-layer Neural Networks"',
    arxiv: '1905.10264',
    where: 'seed text 000 (N = 500 vs N = 16000); BRIEF.md §2.5 calibration table',
  },
  tiers: {
    ci: { replicates: 4, widths: [128, 512, 2048], train: MOMENTUM },
    full: { replicates: 4, widths: [500, 1000, 2000, 4000, 8000, 16000], train: MOMENTUM },
  },
  run,
  judge,
  figures: (m, v) => figures(m, v),
});
