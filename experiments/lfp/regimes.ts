// lfp.1d and its two negative controls: the paper's 1-D example in both regimes, the network against the other
// regime's prediction, and a narrow network. One module: they share the config shape, run and judge.
import { defineClaim, type BaseConfig, type FigureSpec, type RunContext } from '../../core/claim.ts';
import {
  agreementVerdict,
  asPrediction,
  closerVerdict,
  CUBIC,
  data1d,
  distanceInterval,
  grid1d,
  INTERMEDIATE,
  LINEAR,
  MOMENTUM,
  PLAIN_GD,
  overlayFigure,
  predictionName,
  runSeed,
  seedMetrics,
  worse,
  type CloserRule,
  type Experiment,
  type Prediction,
  type SeedRun,
  type TrainConfig,
} from './common.ts';

export interface Regime {
  name: string;
  experiment: Experiment;
  train: TrainConfig;
  /** Pass threshold on the relative L2 distance network ↔ LFP, with the brief's calibration beside it. */
  threshold: number;
  /** Which spline the prediction should resemble more than the other (the paper's two regimes). */
  shape?: 'cubic' | 'linear';
  /** Where A and B both matter: the network must also be closer to the prediction than to both alternatives. */
  closer?: CloserRule;
  /** Run only the first this many of the claim's replicates (default all): the CPU goes where the evidence is. */
  replicates?: number;
}

export interface RegimesConfig extends BaseConfig {
  regimes: Regime[];
  /** What the network is compared with: LFP (the claim) or one of its limits (the rival controls). Default 'lfp'. */
  prediction?: Prediction;
  /**
   * A rival's claim: train on that claim's seeded streams (common.ts, seedStream), so the rival judges the same networks
   * as the claim (a paired design; the runs are shared within a process). Absent: the claim's own streams.
   */
  pairedWith?: string;
}

export type RegimesMeasurements = { name: string; runs: SeedRun[] }[];

async function run(config: RegimesConfig, ctx: RunContext): Promise<RegimesMeasurements> {
  const data = data1d();
  const grid = grid1d();
  const out: RegimesMeasurements = [];
  let done = 0;
  const total = config.regimes.reduce((s, r) => s + Math.min(r.replicates ?? Infinity, ctx.replicates.length), 0);
  for (const r of config.regimes) {
    const runs: SeedRun[] = [];
    for (const seed of ctx.replicates.slice(0, r.replicates ?? ctx.replicates.length)) {
      runs.push(runSeed(r.experiment, r.train, data, grid, ctx, seed, config.pairedWith));
      ctx.progress(++done, total);
    }
    out.push({ name: r.name, runs });
  }
  return out;
}

/**
 * Per regime: the agreement rule (every seed's distance to the prediction under the threshold, and the shape where
 * set) and, where set, the closer rule (closerVerdict); the regime's verdict is their conjunction (worse, common.ts).
 * Holds iff every regime holds; fails if any regime fails; otherwise inconclusive.
 */
function judge(m: RegimesMeasurements, config: RegimesConfig) {
  const prediction = config.prediction ?? 'lfp';
  const name = predictionName(prediction);
  const parts = config.regimes.map((r, i) => {
    const runs = m[i]!.runs;
    const agree = agreementVerdict(runs.map((s) => asPrediction(s, prediction)), r.threshold, r.shape, undefined, name);
    const closer = r.closer ? closerVerdict(runs, prediction, r.closer) : null;
    const status = closer ? worse(agree.status, closer.status) : agree.status;
    return { r, runs, agree, closer, status, why: closer ? `${agree.why}; ${closer.why}` : agree.why };
  });
  const status = parts.reduce((acc, p) => worse(acc, p.status), 'holds' as 'holds' | 'fails' | 'inconclusive');
  const metrics: Record<string, unknown> = { prediction };
  for (const p of parts) {
    metrics[p.r.name] = {
      status: p.status,
      threshold: p.r.threshold,
      width: p.r.experiment.width,
      distLfp: distanceInterval(p.runs.map((s) => s.distLfp)),
      distCubicSpline: distanceInterval(p.runs.map((s) => s.distCubic)),
      distLinearSpline: distanceInterval(p.runs.map((s) => s.distLinear)),
      ...(p.closer ? { margin: p.r.closer!.margin, closerRatio: p.closer.ratio, closerRatios: p.closer.ratios } : {}),
      seeds: p.runs.map(seedMetrics),
    };
  }
  return {
    status,
    reason: parts.map((p) => `${p.r.name}: ${p.why}.`).join(' '),
    metrics: metrics as never,
  };
}

function figures(m: RegimesMeasurements, _v: unknown, config: RegimesConfig): Record<string, FigureSpec> {
  const out: Record<string, FigureSpec> = {};
  config.regimes.forEach((r, i) => {
    const first = m[i]!.runs[0];
    if (first) out[r.name] = overlayFigure(first, `${r.name}: network, LFP prediction and both splines (seed ${first.seed}, width ${first.width})`);
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

/**
 * The regime where A and B both matter (INTERMEDIATE in common.ts: LFP 0.18 from both splines). The paper has no such
 * figure; it is where the network's agreement with LFP says more than agreement with a spline.
 * Threshold 0.12: the paper predicts agreement "almost exactly" at large width; calibrated at width 4000 over 30 seeds
 * (labels x/0..29, explore script), the distance to LFP was 0.035–0.080, so 0.12 is 1.5× the largest.
 * Margin 0.75 (the network at least 25% closer to LFP than to the nearer spline, upper end of the interval): the
 * per-seed ratio was 0.19–0.62 (geometric mean ≈ 0.37, log-sd ≈ 0.3) over the same 30 seeds; each spline as the
 * prediction gives ratios ≈ 2–5.
 */
const intermediate = (width: number, train = MOMENTUM): Regime => ({
  name: 'intermediate',
  experiment: { width, init: INTERMEDIATE },
  train,
  threshold: 0.12,
  closer: { margin: 0.75 },
});

/*
 * CI: the paper's two regimes on 3 seeds (they cannot separate LFP from the splines; they show the paper's Fig. 1 and
 * its thresholds), the intermediate one, which carries the evidence, on 8: with 5 seeds the 95% interval of the
 * closer-ratio's geometric mean reached the 0.75 margin on 2 of 20 audit seeds (0.762 at 20261132), an interval too
 * wide for a per-seed log-sd of 0.3 (t(4)·0.3/√5 = ×1.45 against t(7)·0.3/√8 = ×1.28 with 8 seeds).
 */
const LFP_1D_TIERS = {
  ci: { replicates: 8, regimes: [{ ...cubic(4000), replicates: 3 }, { ...linear(10000), replicates: 3 }, intermediate(4000)] },
  full: { replicates: 5, regimes: [cubic(16000), linear(16000, PLAIN_GD), intermediate(16000)] },
};

export const lfp1d = defineClaim<RegimesConfig, RegimesMeasurements>({
  id: 'lfp.1d',
  title: 'LFP predicts the trained two-layer ReLU network in 1-D, in both regimes and between them',
  statement:
    'A wide two-layer ReLU network h(x) = Σ a_j ReLU(w_j x + b_j) with antisymmetric initialisation, trained by gradient descent to ' +
    'interpolate five points, equals the LFP long-time solution (minimum ∫γ⁻²|ĥ|² interpolant, γ² from the initial parameters) up to ' +
    'a small relative L2 distance: near the natural cubic spline when E|w|³ dominates, near piecewise linear when E[a²|w|] dominates ' +
    '(the paper\'s Fig. 1), and, where the two terms of γ² are equal and LFP is 0.18 from both splines, closer to LFP than to either ' +
    'spline. Only this third regime separates LFP from its limits: in the paper\'s two, LFP is 0.012 from the cubic spline and 0.0007 ' +
    'from the linear interpolant.',
  source: SOURCE,
  tiers: LFP_1D_TIERS,
  run,
  judge,
  figures,
});

/** A rival control of lfp.1d: the same experiment and judge, the prediction replaced by one of LFP's two limits. */
const splineRival = (prediction: 'cubic' | 'linear') =>
  defineClaim<RegimesConfig, RegimesMeasurements>({
    id: `lfp.1d.rival-${prediction}-spline`,
    title: `Rival of lfp.1d: ${predictionName(prediction)} instead of LFP`,
    statement:
      `Rival control: lfp.1d's experiment and judge with the prediction replaced by ${predictionName(prediction)} (LFP's ` +
      `${prediction === 'cubic' ? 'a → 0' : 'b → 0'} limit). If the network were that spline, this would hold; LFP's claim ` +
      'carries evidence only if it fails, which the intermediate regime decides.',
    source: SOURCE,
    control: true,
    rivalOf: 'lfp.1d',
    tiers: {
      ci: { ...LFP_1D_TIERS.ci, prediction, pairedWith: 'lfp.1d' },
      full: { ...LFP_1D_TIERS.full, prediction, pairedWith: 'lfp.1d' },
    },
    run,
    judge,
    figures,
  });

export const lfp1dRivalCubic = splineRival('cubic');
export const lfp1dRivalLinear = splineRival('linear');

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
