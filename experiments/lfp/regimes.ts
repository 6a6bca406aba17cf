// lfp.1d and its two negative controls: the paper's 1-D example in both regimes, the network against the other
// regime's prediction, and a narrow network. One module: they share the config shape, run and judge.
import { defineClaim, type BaseConfig, type FigureSpec, type RunContext } from '../../core/claim.ts';
import {
  agreementVerdict,
  CUBIC,
  data1d,
  grid1d,
  LINEAR,
  meanInterval,
  MOMENTUM,
  PLAIN_GD,
  overlayFigure,
  runSeed,
  seedMetrics,
  type Experiment,
  type SeedRun,
  type TrainConfig,
} from './common.ts';

export interface Regime {
  name: string;
  experiment: Experiment;
  train: TrainConfig;
  /** Pass threshold on the relative L2 distance network ↔ LFP, with the brief's calibration beside it. */
  threshold: number;
  /** Which spline the prediction should resemble more than the other. */
  shape: 'cubic' | 'linear';
}

export interface RegimesConfig extends BaseConfig {
  regimes: Regime[];
}

export type RegimesMeasurements = { name: string; runs: SeedRun[] }[];

async function run(config: RegimesConfig, ctx: RunContext): Promise<RegimesMeasurements> {
  const data = data1d();
  const grid = grid1d();
  const out: RegimesMeasurements = [];
  let done = 0;
  for (const r of config.regimes) {
    const runs: SeedRun[] = [];
    for (const seed of ctx.replicates) {
      runs.push(runSeed(r.experiment, r.train, data, grid, ctx, seed));
      ctx.progress(++done, config.regimes.length * ctx.replicates.length);
    }
    out.push({ name: r.name, runs });
  }
  return out;
}

/** Holds iff every regime holds; fails if any regime fails; otherwise inconclusive. */
function judge(m: RegimesMeasurements, config: RegimesConfig) {
  const parts = config.regimes.map((r, i) => ({ r, v: agreementVerdict(m[i]!.runs, r.threshold, r.shape), runs: m[i]!.runs }));
  const status = parts.some((p) => p.v.status === 'inconclusive')
    ? 'inconclusive'
    : parts.some((p) => p.v.status === 'fails')
      ? 'fails'
      : 'holds';
  const metrics: Record<string, unknown> = {};
  for (const p of parts) {
    const conv = p.runs.every((s) => s.distLfp !== null && s.distCubic !== null && s.distLinear !== null);
    metrics[p.r.name] = {
      status: p.v.status,
      threshold: p.r.threshold,
      width: p.r.experiment.width,
      distLfp: conv ? meanInterval(p.runs.map((s) => s.distLfp!)) : null,
      distCubicSpline: conv ? meanInterval(p.runs.map((s) => s.distCubic!)) : null,
      distLinearSpline: conv ? meanInterval(p.runs.map((s) => s.distLinear!)) : null,
      seeds: p.runs.map(seedMetrics),
    };
  }
  return {
    status: status as 'holds' | 'fails' | 'inconclusive',
    reason: parts.map((p) => `${p.r.name}: ${p.v.why}.`).join(' '),
    metrics: metrics as never,
  };
}

function figures(m: RegimesMeasurements, _v: unknown, config: RegimesConfig): Record<string, FigureSpec> {
  const out: Record<string, FigureSpec> = {};
  config.regimes.forEach((r, i) => {
    const first = m[i]!.runs[0];
    if (first) out[r.name] = overlayFigure(first, `${r.name}: network vs LFP prediction (seed ${first.seed}, width ${first.width})`);
  });
  return out;
}

const SOURCE = {
  paper: 'Zhang, Xu, Luo, Ma 2019, "Explicitizing an Implicit Bias of the Frequency Principle in Two-layer Neural Networks"',
  arxiv: '1905.10264',
  where: 'Fig. 1 (1-D, LFP repo fig1a.py/fig1b.py); lecture A4 §1.3.1; BRIEF.md §2.5–2.6 P2.1, P2.2',
};

/*
 * Training (MOMENTUM and PLAIN_GD in common.ts): the cubic regime's NTK has κ ≈ 1.5e4 on these five points, so plain GD needs ≈ 1e5 steps (the paper runs
 * up to 3e6 epochs); heavy-ball momentum (same gradients, critically damped) reaches the same function in ≈ 900.
 * Checked while writing this (same init, same lr, stop at residual 1e-3): at width 4000 plain GD and heavy-ball ended
 * 0.0202 vs 0.0201 and 0.0187 vs 0.0188 from LFP; at width 2048 the two trained networks differ by 1e-3 relative L2
 * (plain GD: 39717 steps, 16 s; heavy-ball: 762), at width 256 by 2e-2 (narrow nets are less lazy, so the path matters).
 * The linear regime (κ ≈ 170) runs plain GD in the full tier.
 */

/** Thresholds of BRIEF P2.1/P2.2 [Cal: NTK regression vs LFP 0.021–0.041 (cubic, m=4000), 0.06–0.11 (linear, m=10000)]. */
const cubic = (width: number, train = MOMENTUM): Regime => ({
  name: 'cubic',
  experiment: { width, init: CUBIC },
  train,
  threshold: 0.08,
  shape: 'cubic',
});
const linear = (width: number, train = MOMENTUM): Regime => ({
  name: 'linear',
  experiment: { width, init: LINEAR },
  train,
  threshold: 0.2,
  shape: 'linear',
});

export const lfp1d = defineClaim<RegimesConfig, RegimesMeasurements>({
  id: 'lfp.1d',
  title: 'LFP predicts the trained two-layer ReLU network in 1-D, in both regimes',
  statement:
    'A wide two-layer ReLU network h(x) = Σ a_j ReLU(w_j x + b_j) with antisymmetric initialisation, trained by gradient descent to ' +
    'interpolate five points, equals the LFP long-time solution (minimum ∫γ⁻²|ĥ|² interpolant, γ² from the initial parameters) up to ' +
    'a small relative L2 distance: near the natural cubic spline when E|w|³ dominates, near piecewise linear when E[a²|w|] dominates.',
  source: SOURCE,
  tiers: {
    ci: { replicates: 3, regimes: [cubic(4000), linear(10000)] },
    full: { replicates: 4, regimes: [cubic(16000), linear(16000, PLAIN_GD)] },
  },
  run,
  judge,
  figures,
});

export const lfp1dOtherRegime = defineClaim<RegimesConfig, RegimesMeasurements>({
  id: 'lfp.1d.other-regime',
  title: 'Control: the cubic-regime network against the linear regime\'s prediction',
  statement:
    'Negative control: the network initialised in the cubic regime is compared with the LFP solution whose γ² comes from a ' +
    'linear-regime initialisation. The prediction is then the wrong one and the judge must say "fails".',
  source: SOURCE,
  control: true,
  tiers: {
    ci: { replicates: 3, regimes: [{ ...cubic(2000), name: 'cubic-net-vs-linear-prediction', experiment: { width: 2000, init: CUBIC, predictFrom: LINEAR }, shape: 'linear' }] },
    full: { replicates: 4, regimes: [{ ...cubic(16000), name: 'cubic-net-vs-linear-prediction', experiment: { width: 16000, init: CUBIC, predictFrom: LINEAR }, shape: 'linear' }] },
  },
  run,
  judge,
  figures,
});

export const lfp1dNarrow = defineClaim<RegimesConfig, RegimesMeasurements>({
  id: 'lfp.1d.narrow',
  title: 'Control: a narrow network is not described by LFP',
  statement:
    'Negative control: with 80 neurons (40 distinct) the random features are too few and the network moves far from its ' +
    'initialisation (outside the linear regime LFP linearises), so ' +
    'the LFP prediction, a large-width statement, must not pass the same threshold.',
  source: SOURCE,
  control: true,
  tiers: {
    // Width 80: narrower nets (20, 40) often cannot interpolate at all from their initial NTK (rank-deficient,
    // κ ≈ 1e14). Even at 80 about 2% of networks end stuck without interpolating: at a stationary point where no
    // ReLU kink reaches one gap between data points (residual plateau 0.0874133918833 from step 10000 to 20000, the
    // same least-squares value in every such seed), or dead (h ≡ 0, residual exactly 1) after a rank-deficient
    // initial NTK made the critically damped momentum β ≈ 1. Each of these used to make the whole control
    // "inconclusive" (the old rule: any non-converged seed), 2/20 on master seeds 1–20 and 6/20 in the audit. A stuck
    // run's long-time limit is known and misses the data LFP interpolates, so agreementVerdict now counts it as over
    // the threshold (common.ts, isStalled). A rank-deficient NTK can also leave β ≈ 1 − 2e-7 oscillating forever
    // (residual 0.77–0.82 at steps 2000–20000, audit master seed 20261131): its limit is unknown, so it stays
    // undecided, but it no longer blocks "fails" when the decided seeds already hold a majority over the threshold
    // (the verdict could not change whatever it would give). Converged narrow nets are far from LFP: per-seed
    // distance 0.057–0.58 over master seeds 1–20 (100 nets), 4 of 100 under 0.08.
    ci: { replicates: 5, regimes: [{ ...cubic(80), name: 'narrow-cubic' }] },
    full: { replicates: 8, regimes: [{ ...cubic(80), name: 'narrow-cubic' }] },
  },
  run,
  judge,
  figures,
});
