// linearization.width-scaling (and its mean-field control): the gap between a trained wide network and its
// linearization shrinks like 1/width (Lee et al. 2019, §2.3–2.4 and Fig. 8; brief §3.4 and P3.3).
import { defineClaim, type AnyClaim, type FigureSpec, type Verdict } from '../../core/claim.ts';
import { median } from '../../core/stats.ts';
import { initMlp } from '../../theory/mlp.ts';
import { prefixMlp } from './prefix.ts';
import { makeData, runWide, type WideRun } from './wide-run.ts';
import { bandStatus, fmt, fmtEst, logLogFigure, mediansByWidth, replicateExponent } from './scaling.ts';

export interface WidthScalingConfig {
  replicates: number;
  widths: number[];
  steps: number;
  eta: number;
  recordEvery: number;
  d: number;
  nTrain: number;
  nTest: number;
  activation: 'tanh';
  sigmaW: number;
  sigmaB: number;
  /** null: NTK regime (α = 1). A number n_ref: mean-field output scaling α = (n_ref/n)^{1/2}. */
  meanFieldRef: number | null;
}

export interface WidthScalingMeasurements {
  /** runs[r][w]: replicate r, width index w. */
  runs: WideRun[][];
}

/** The paper's prediction for the output gap, and the band the estimate must sit in to call it "around −1". */
const PREDICTED = -1;
// ±0.4 around −1: the brief's float64 calibration gives −0.9 to −1.1; the band still excludes the n^(−1/2)
// worst-case bound of Lee et al. Thm 2.1 (−0.5) and no decay at all (0).
const BAND: [number, number] = [-1.4, -0.6];
// "Trained" means the network fit its training set: final loss below 1% of the initial one. Otherwise the
// comparison would only cover the start of training, where any two smooth models agree.
const TRAINED_RATIO = 1e-2;
// The interval asked to contain −1 is a 99% one (exclusion of 0 and "fails" keep the 95% one, so the mean-field
// control is judged as before): a 95% interval misses a true prediction in 1 seed of 20 even without bias.
const CONTAINMENT_LEVEL = 0.99;

const base = {
  steps: 0,
  eta: 1, // brief §3.4 setup; below the linear model's stability limit 2n/λ_max for these kernels
  recordEvery: 10,
  d: 4,
  nTrain: 16,
  nTest: 64, // many held-out points: the gap's RMSE then varies less from draw to draw
  activation: 'tanh' as const,
  sigmaW: 1.5,
  sigmaB: 0.1,
};

function run(cfg: WidthScalingConfig, ctx: Parameters<AnyClaim['run']>[1]): WidthScalingMeasurements {
  const runs: WideRun[][] = [];
  const total = ctx.replicates.length * cfg.widths.length;
  let done = 0;
  for (const r of ctx.replicates) {
    const data = makeData(ctx.rng(r, 'data'), cfg.d, cfg.nTrain, cfg.nTest);
    const big = initMlp([cfg.d, Math.max(...cfg.widths), 1], { activation: cfg.activation, parameterization: 'ntk', sigmaW: cfg.sigmaW, sigmaB: cfg.sigmaB }, ctx.rng(r, 'init'));
    const perWidth: WideRun[] = [];
    for (const width of cfg.widths) {
      const alpha = cfg.meanFieldRef === null ? 1 : Math.sqrt(cfg.meanFieldRef / width);
      perWidth.push(runWide({ ...cfg, alpha }, data, prefixMlp(big, [width])));
      ctx.progress(++done, total);
    }
    runs.push(perWidth);
  }
  return { runs };
}

function judge(m: WidthScalingMeasurements): Verdict {
  const all = m.runs.flat();
  const diverged = all.find((x) => x.divergedAt !== null);
  if (diverged) {
    return {
      status: 'inconclusive',
      reason: `training diverged (non-finite loss) at step ${diverged.divergedAt} for width ${diverged.width}`,
      metrics: { divergedAtStep: diverged.divergedAt, divergedWidth: diverged.width },
    };
  }
  const widths = all.map((x) => x.width);
  const series = (pick: (x: WideRun) => number) => all.map(pick);
  const ratios = series((x) => x.lossEnd / x.loss0);
  const worstRatio = Math.max(...ratios);
  const ladder = (pick: (x: WideRun) => number) => replicateExponent(m.runs.map((rs) => ({ widths: rs.map((x) => x.width), values: rs.map(pick) })));
  const gap = ladder((x) => x.supRmse);
  const ladder99 = (pick: (x: WideRun) => number) => replicateExponent(m.runs.map((rs) => ({ widths: rs.map((x) => x.width), values: rs.map(pick) })), CONTAINMENT_LEVEL);
  const metricsBase = {
    worstFinalToInitialLoss: worstRatio,
    medianSupRmseByWidth: mediansByWidth(widths, series((x) => x.supRmse)).map((p) => ({ width: p.width, value: p.median })),
  };
  if (!gap) {
    return { status: 'inconclusive', reason: 'a network–linearization gap was exactly zero; no power law to fit', metrics: metricsBase };
  }
  const exp = (pick: (x: WideRun) => number) => {
    const f = ladder(pick);
    return f ? { value: f.value, lo: f.lo, hi: f.hi } : null;
  };
  const metrics = {
    ...metricsBase,
    gapExponent: { value: gap.value, lo: gap.lo, hi: gap.hi },
    gapExponentPerReplicate: gap.perReplicate,
    gapExponentMeanR2: gap.r2,
    gapEndExponent: exp((x) => x.rmseEnd),
    gapTrainExponent: exp((x) => x.supRmseTrain),
    gapTestExponent: exp((x) => x.supRmseTest),
    weightChangeExponentW1: exp((x) => x.relDeltaW1),
    weightChangeExponentReadout: exp((x) => x.relDeltaV),
    ntkChangeExponent: exp((x) => x.relDeltaNtk),
    medianRelDeltaW1: median(series((x) => x.relDeltaW1)),
    medianRelDeltaNtk: median(series((x) => x.relDeltaNtk)),
  };
  if (worstRatio > TRAINED_RATIO) {
    return {
      status: 'inconclusive',
      reason: `not every network fit its training set (worst final/initial loss ${worstRatio.toExponential(2)} > ${TRAINED_RATIO})`,
      metrics,
    };
  }
  const gap99 = ladder99((x) => x.supRmse)!; // non-null whenever `gap` is (same ladders)
  const status = bandStatus(gap, BAND, PREDICTED, gap99);
  return {
    status,
    reason:
      `sup-over-time RMSE between network and linearization scales with exponent ${fmtEst(gap)} (95% interval over seeds; 99%: ${fmtEst(gap99)}); ` +
      `"holds" needs the estimate in [${BAND[0]}, ${BAND[1]}], the 95% interval to exclude 0 and the 99% one to contain ${PREDICTED}; relative weight change exponent ` +
      `${metrics.weightChangeExponentW1 ? fmt(metrics.weightChangeExponentW1.value) : 'n/a'}, NTK change ` +
      `${metrics.ntkChangeExponent ? fmt(metrics.ntkChangeExponent.value) : 'n/a'}.`,
    metrics,
  };
}

function figures(m: WidthScalingMeasurements, _v: Verdict, cfg: WidthScalingConfig): Record<string, FigureSpec> {
  const all = m.runs.flat();
  const widths = all.map((x) => x.width);
  const mk = (name: string, pick: (x: WideRun) => number) => {
    const values = all.map(pick);
    const fit = replicateExponent(m.runs.map((rs) => ({ widths: rs.map((x) => x.width), values: rs.map(pick) })));
    return { name, widths, values, fit };
  };
  const regime = cfg.meanFieldRef === null ? 'NTK parameterization' : `mean-field output scaling (n_ref = ${cfg.meanFieldRef})`;
  const scaling = logLogFigure(
    `Network vs linearization against width, ${regime} (fits with 95% slope bands)`,
    'relative change or RMSE gap (log scale)',
    [
      mk('RMSE gap, sup over t', (x) => x.supRmse),
      mk('ΔW1 / W1 (Frobenius)', (x) => x.relDeltaW1),
      mk('ΔΘ / Θ (Frobenius)', (x) => x.relDeltaNtk),
    ],
  );
  // True vs linearized outputs over time at the narrowest and widest width, first replicate.
  const first = m.runs[0] ?? [];
  const picks = [first[0], first[first.length - 1]].filter((x): x is WideRun => x !== undefined);
  const values: Record<string, number | string>[] = [];
  for (const run of picks) {
    run.trace.t.forEach((t, k) => {
      values.push({ step: t, output: run.trace.testNet[k]!, model: 'network', width: `n = ${run.width}` });
      values.push({ step: t, output: run.trace.testLin[k]!, model: 'linearization', width: `n = ${run.width}` });
    });
  }
  const outputs: FigureSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `Output at a held-out point during GD: network vs linearization (${regime})`,
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
  return { scaling, outputs };
}

const source = {
  paper: 'Lee, Xiao, Schoenholz, Bahri, Novak, Sohl-Dickstein, Pennington 2019, Wide neural networks of any depth evolve as linear models under gradient descent',
  arxiv: '1902.06720',
  where: '§2.3–2.4, Thm 2.1, Fig. 8 (plateau RMSE ~ 1/N for fully connected nets); brief §3.4, P3.3',
};

// Measured (master seed 20261123), before round 2: CI tier (widths 256–2048, 6 seeds) exponent −0.83 [−1.06, −0.60] →
// holds. Full tier (widths 64–4096, 8 seeds, 1000 steps) exponent −0.81 [−0.89, −0.73] → inconclusive.
// Diagnosis (calibration master seeds 1–9, 8 replicates each, 72 ladders): the smallest widths are pre-asymptotic.
// Mean local slopes between successive widths were −0.82 ± 0.06 (256→512), −0.90 ± 0.05 (512→1024) and −0.98 ± 0.05
// (1024→2048) (± standard error), so a ladder starting at 256 (or 64) measures ≈ −0.90, not −1, and its 95% interval
// contained −1 only when it was wide (the old rule held in 6/9 of these seeds; audit 15/20). The CI ladder now starts
// at 512 with 8 replicates (CI time ≈ 1.25×): over calibration seeds 1–20 the exponent ranged −1.07…−0.71 (mean
// −0.90; per-replicate sd 0.26) and the rule (estimate in [−1.4, −0.6], 95% interval excluding 0, 99% interval
// containing −1) held in 19/20 (seed 11: −0.71, 99% interval [−0.97, −0.45]); audit seeds: 18/20. The worst
// final/initial loss was 0.0100 (seeds 1–9), at the 1e-2 "trained" gate: a second, unaddressed source of flakes.
// Tried and not adopted (session 3): the ladder 1024–4096 (300 steps, CI time ≈ 1.8×) removes the pre-asymptotic
// bias (exponent mean −0.93 over calibration seeds 1–20, the exponent rule held in 20/20), but then the 1e-2
// "trained" gate fails in 2/20 (worst final/initial loss 0.0118 and 0.0234: one slow kernel mode in one replicate);
// 400 steps clears one of the two (0.0061) but not the other (0.0138) at ≈ 2.5× the CI time. The gate is the
// claim's precondition and was not loosened; the audit's 18/20 stands.

export const widthScaling: AnyClaim = defineClaim<WidthScalingConfig, WidthScalingMeasurements>({
  id: 'linearization.width-scaling',
  title: 'A wide network trained by GD stays within ~1/width of its linearization',
  statement:
    'For a 1-hidden-layer tanh network in the NTK parameterization trained by full-batch GD on MSE, the worst-over-time ' +
    'RMSE between the network and its linearization around initialization (train and test points) decays as width^−1.',
  source,
  tiers: {
    ci: { ...base, replicates: 8, widths: [512, 1024, 2048], steps: 300, meanFieldRef: null },
    full: { ...base, replicates: 8, widths: [512, 1024, 2048, 4096], steps: 1000, meanFieldRef: null },
  },
  tolerance: { rel: 1e-6, abs: 1e-9 },
  run,
  judge,
  figures,
});

export const widthScalingMeanField: AnyClaim = defineClaim<WidthScalingConfig, WidthScalingMeasurements>({
  id: 'linearization.width-scaling-mean-field',
  title: 'Control: under mean-field output scaling the linearization does not improve like 1/width',
  statement:
    'The same experiment with the output multiplied by α = (16/n)^{1/2} and the step by 1/α² (mean-field scaling: every ' +
    'neuron moves as much as in a width-16 NTK network): the network–linearization gap must NOT decay as width^−1.',
  source: { ...source, where: 'negative control; Chizat, Oyallon & Bach 2019 (arXiv:1812.07956) on lazy vs mean-field scaling' },
  control: true,
  tiers: {
    ci: { ...base, replicates: 4, widths: [128, 256, 512, 1024], steps: 300, meanFieldRef: 16 },
    full: { ...base, replicates: 4, widths: [64, 128, 256, 512, 1024, 2048, 4096], steps: 1000, meanFieldRef: 16 },
  },
  tolerance: { rel: 1e-6, abs: 1e-9 },
  run,
  judge,
  figures,
});
