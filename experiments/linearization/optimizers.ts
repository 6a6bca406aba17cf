// linearization.momentum and linearization.xent (and their mean-field rivals): a wide network trained with SGD with
// momentum, or with softmax cross-entropy, tracks its linearization trained the same way, and the gap shrinks with
// width (Lee et al. 2019, §2.2 and Figs 4–6: "the same holds for momentum and for cross-entropy loss"; brief §4).
// The experiment and judge are linearization.width-scaling's (width-scaling.ts) with the loss or the optimizer
// changed; the linearized side is the function-space recurrence of theory/linearized.ts (integrated for xent).
import { defineClaim, type AnyClaim, type FigureSpec, type Verdict } from '../../core/claim.ts';
import type { LossKind } from '../../theory/loss.ts';
import type { LinearOptimizer } from '../../theory/linearized.ts';
import { initMlp } from '../../theory/mlp.ts';
import { makeOptimData, runOptimWide, type OptimRun } from './optim-run.ts';
import { prefixMlp } from './prefix.ts';
import type { WidthScalingConfig } from './width-scaling.ts';
import { bandStatus, divergedVerdict, fmt, fmtEst, logLogFigure, mediansByWidth, outputTraceFigure, replicateExponent } from './scaling.ts';

/** linearization.width-scaling's setting and ladder, with the loss and the optimizer (and optionally minibatches) chosen. */
export interface OptimScalingConfig
  extends Pick<WidthScalingConfig, 'replicates' | 'widths' | 'steps' | 'eta' | 'recordEvery' | 'd' | 'nTrain' | 'nTest' | 'activation' | 'sigmaW' | 'sigmaB' | 'meanFieldRef'> {
  loss: LossKind;
  optimizer: LinearOptimizer;
  /** Minibatch SGD with this many rows per step (seeded order, core/engine/batches.ts); absent: full batch. */
  batchSize?: number;
}

export interface OptimScalingMeasurements {
  /** runs[r][w]: replicate r, width index w. */
  runs: OptimRun[][];
}

// The prediction and the band are linearization.width-scaling's: the gap is driven by the O(1/n) kernel change
// (research/width-scaling.md), whatever the loss or optimizer, so the exponent should sit around −1.
const PREDICTED = -1;
// ±0.4 around −1 (width-scaling.ts): excludes no decay (0); the 95% interval must also exclude 0 ("shrinks").
const BAND: [number, number] = [-1.4, -0.6];
// The interval asked to contain −1 is a 99% one, as in width-scaling.ts (a 95% one misses a true value 1 time in 20).
const CONTAINMENT_LEVEL = 0.99;
// MSE: "trained" = final loss below 1% of the initial one (width-scaling.ts). Cross-entropy never reaches 0 loss, so
// there "trained" = every training point classified correctly (the fit criterion for classification).
const TRAINED_RATIO = 1e-2;

// research/width-scaling.md's setting (d = 32, 16 training and 64 test points, tanh, σw = 1.5, σb = 0.1), 50 steps
// instead of 100 to keep the four checks within 10 s of CPU: the gap plateaus (momentum) or grows slowly (xent) well
// before, and the exponents at 50 and 100 steps agreed to 0.003 on 8 exploratory seeds (CI tier).
export const WIDTH_SCALING_SETTING = {
  steps: 50,
  recordEvery: 10,
  d: 32,
  nTrain: 16,
  nTest: 64,
  activation: 'tanh' as const,
  sigmaW: 1.5,
  sigmaB: 0.1,
};
// Heavy ball, μ = 0.9 (Lee et al.'s momentum runs use 0.9); η = 0.1 makes the effective step η/(1 − μ) = 1, the
// width-scaling claim's GD step.
const momentum = { ...WIDTH_SCALING_SETTING, loss: 'mse' as const, optimizer: { kind: 'momentum', momentum: 0.9, nesterov: false } as LinearOptimizer, eta: 0.1 };
// Full-batch GD on softmax cross-entropy, 2 classes (the sign of the width-scaling target), η = 1 as there.
const xent = { ...WIDTH_SCALING_SETTING, loss: 'xent' as const, optimizer: { kind: 'sgd' } as LinearOptimizer, eta: 1 };

export function runOptimScaling(cfg: OptimScalingConfig, ctx: Parameters<AnyClaim['run']>[1]): OptimScalingMeasurements {
  const runs: OptimRun[][] = [];
  const total = ctx.replicates.length * cfg.widths.length;
  let done = 0;
  for (const r of ctx.replicates) {
    const data = makeOptimData(ctx.rng(r, 'data'), cfg.d, cfg.nTrain, cfg.nTest, cfg.loss);
    const big = initMlp([cfg.d, Math.max(...cfg.widths), data.k], { activation: cfg.activation, parameterization: 'ntk', sigmaW: cfg.sigmaW, sigmaB: cfg.sigmaB }, ctx.rng(r, 'init'));
    // One batch order per replicate, shared by every width and by each network and its linearization.
    const batch = cfg.batchSize === undefined ? undefined : { size: cfg.batchSize, seed: `batches/${ctx.rng(r, 'batches').int(2 ** 31)}` };
    const perWidth: OptimRun[] = [];
    for (const width of cfg.widths) {
      const alpha = cfg.meanFieldRef === null ? 1 : Math.sqrt(cfg.meanFieldRef / width);
      const runCfg = { loss: cfg.loss, optimizer: cfg.optimizer, eta: cfg.eta, steps: cfg.steps, recordEvery: cfg.recordEvery, alpha };
      perWidth.push(runOptimWide(batch ? { ...runCfg, batch } : runCfg, data, prefixMlp(big, [width])));
      ctx.progress(++done, total);
    }
    runs.push(perWidth);
  }
  return { runs };
}

/** Why a run does not count as trained, or null: MSE by the loss ratio, cross-entropy by training accuracy. */
function untrained(all: OptimRun[], loss: LossKind): string | null {
  if (loss === 'mse') {
    const worst = Math.max(...all.map((x) => x.lossEnd / x.loss0));
    return worst > TRAINED_RATIO ? `not every network fit its training set (worst final/initial loss ${worst.toExponential(2)} > ${TRAINED_RATIO})` : null;
  }
  const worst = Math.min(...all.map((x) => x.trainAccuracy));
  return worst < 1 ? `not every network classified its whole training set (worst training accuracy ${fmt(worst)})` : null;
}

export function judgeOptimScaling(m: OptimScalingMeasurements, cfg: Pick<OptimScalingConfig, 'loss'>): Verdict {
  const all = m.runs.flat();
  const diverged = divergedVerdict(all);
  if (diverged) return diverged;
  const ladders = m.runs.map((rs) => ({ widths: rs.map((x) => x.width), values: rs.map((x) => x.supRmse) }));
  const gap = replicateExponent(ladders);
  const widths = all.map((x) => x.width);
  const metricsBase = {
    worstFinalToInitialLoss: Math.max(...all.map((x) => x.lossEnd / x.loss0)),
    worstTrainAccuracy: Math.min(...all.map((x) => x.trainAccuracy)),
    medianSupRmseByWidth: mediansByWidth(widths, all.map((x) => x.supRmse)).map((p) => ({ width: p.width, value: p.median })),
  };
  if (!gap) return { status: 'inconclusive', reason: 'a network–linearization gap was exactly zero; no power law to fit', metrics: metricsBase };
  const end = replicateExponent(m.runs.map((rs) => ({ widths: rs.map((x) => x.width), values: rs.map((x) => x.rmseEnd) })));
  const metrics = {
    ...metricsBase,
    gapExponent: { value: gap.value, lo: gap.lo, hi: gap.hi },
    gapExponentPerReplicate: gap.perReplicate,
    gapExponentMeanR2: gap.r2,
    gapEndExponent: end ? { value: end.value, lo: end.lo, hi: end.hi } : null,
    // Lee et al.'s n^(−1/2) bound (Thm 2.1) is reported, not required: this claim is "tracks, and the gap shrinks".
    excludesMinusHalf: gap.hi < -0.5 || gap.lo > -0.5,
  };
  const why = untrained(all, cfg.loss);
  if (why) return { status: 'inconclusive', reason: why, metrics };
  const gap99 = replicateExponent(ladders, CONTAINMENT_LEVEL)!; // non-null whenever `gap` is
  const status = bandStatus(gap, BAND, PREDICTED, gap99);
  return {
    status,
    reason:
      `the sup-over-time RMSE between network and linearization scales with width exponent ${fmtEst(gap)} (95% interval over seeds; ` +
      `99%: ${fmtEst(gap99)}); "holds" needs the estimate in [${BAND[0]}, ${BAND[1]}], the 95% interval to exclude 0 and the 99% one to ` +
      `contain ${PREDICTED}; median gap at the widest width ${metricsBase.medianSupRmseByWidth.at(-1)!.value.toExponential(2)}.`,
    metrics,
  };
}

export function optimScalingFigures(m: OptimScalingMeasurements, _v: Verdict, cfg: OptimScalingConfig): Record<string, FigureSpec> {
  const all = m.runs.flat();
  const sgd = cfg.batchSize === undefined ? 'GD' : `minibatch SGD, batch ${cfg.batchSize}`;
  const what = cfg.loss === 'xent' ? `cross-entropy, ${sgd}` : `MSE, ${cfg.optimizer.kind === 'momentum' ? `momentum ${cfg.optimizer.momentum}` : sgd}`;
  const regime = cfg.meanFieldRef === null ? 'NTK parameterization' : `mean-field output scaling (n_ref = ${cfg.meanFieldRef})`;
  const fit = replicateExponent(m.runs.map((rs) => ({ widths: rs.map((x) => x.width), values: rs.map((x) => x.supRmse) })));
  const scaling = logLogFigure(`Network vs linearization against width (${what}; ${regime}; fit with 95% slope band)`, 'RMSE gap, sup over t (log scale)', [
    { name: 'RMSE gap, sup over t', widths: all.map((x) => x.width), values: all.map((x) => x.supRmse), fit },
  ]);
  const first = m.runs[0] ?? [];
  const picks = [first[0], first[first.length - 1]].filter((x): x is OptimRun => x !== undefined);
  const values: Record<string, number | string>[] = [];
  for (const r of picks) {
    r.trace.t.forEach((t, k) => {
      values.push({ step: t, output: r.trace.testNet[k]!, model: 'network', width: `n = ${r.width}` });
      values.push({ step: t, output: r.trace.testLin[k]!, model: 'linearization', width: `n = ${r.width}` });
    });
  }
  return { scaling, outputs: outputTraceFigure(`First output at a held-out point: network vs linearization (${what}; ${regime})`, values) };
}

const source = {
  paper: 'Lee, Xiao, Schoenholz, Bahri, Novak, Sohl-Dickstein, Pennington 2019, Wide neural networks of any depth evolve as linear models under gradient descent',
  arxiv: '1902.06720',
  where: '§2.2 (momentum and cross-entropy), Figs 4–6; brief §4',
};

const tolerance = { rel: 1e-6, abs: 1e-9 };

export const optimSource = source;

export const linearizationMomentum: AnyClaim = defineClaim<OptimScalingConfig, OptimScalingMeasurements>({
  id: 'linearization.momentum',
  title: 'A wide network trained with momentum tracks its linearization trained with momentum, closer with width',
  statement:
    'A 1-hidden-layer tanh network in the NTK parameterization (σw = 1.5, σb = 0.1, inputs N(0, I_32), 16 training points, ' +
    'MSE) trained by full-batch SGD with heavy-ball momentum 0.9 (step 0.1), and its linearization around initialization ' +
    'trained the same way (the function-space recurrence with the empirical NTK): the worst-over-time RMSE between them ' +
    '(train and test points) shrinks with width, with an exponent around −1. Lee et al. train CNNs/WRNs on CIFAR-10 with ' +
    'minibatches; this check uses a small full-batch setting of our choosing (research/width-scaling.md).',
  source,
  tiers: {
    ci: { ...momentum, replicates: 8, widths: [128, 256, 512], meanFieldRef: null },
    full: { ...momentum, steps: 100, replicates: 8, widths: [256, 512, 1024, 2048], meanFieldRef: null },
  },
  tolerance,
  run: runOptimScaling,
  judge: judgeOptimScaling,
  figures: optimScalingFigures,
});

export const linearizationMomentumMeanField: AnyClaim = defineClaim<OptimScalingConfig, OptimScalingMeasurements>({
  id: 'linearization.momentum-mean-field',
  title: 'Rival: with mean-field output scaling, momentum training does not approach the linearization with width',
  statement:
    'The same experiment with the output multiplied by α = n^{−1/2} and the step by 1/α² (mean-field scaling, n_ref = 1; ' +
    'every neuron moves O(1) at any width): the network–linearization gap must not shrink like 1/width.',
  source: { ...source, where: 'rival control; Chizat, Oyallon & Bach 2019 (arXiv:1812.07956) on lazy vs mean-field scaling' },
  control: true,
  rivalOf: 'linearization.momentum',
  tiers: {
    ci: { ...momentum, replicates: 4, widths: [128, 256, 512], meanFieldRef: 1 },
    full: { ...momentum, steps: 100, replicates: 4, widths: [256, 512, 1024, 2048], meanFieldRef: 1 },
  },
  tolerance,
  run: runOptimScaling,
  judge: judgeOptimScaling,
  figures: optimScalingFigures,
});

export const linearizationXent: AnyClaim = defineClaim<OptimScalingConfig, OptimScalingMeasurements>({
  id: 'linearization.xent',
  title: 'A wide network trained on cross-entropy tracks its linearization trained on cross-entropy, closer with width',
  statement:
    'The same network with 2 outputs, trained by full-batch GD (step 1) on softmax cross-entropy to classify the sign of ' +
    'the width-scaling target, and its linearization trained the same way (no closed form: the function-space dynamics ' +
    'f ← f − η·Θ·∂L/∂f integrated on train and test points with the full 2n×2n empirical NTK): the worst-over-time RMSE ' +
    'between their logits shrinks with width, with an exponent around −1. Lee et al. use CIFAR-10 (10 classes) and ' +
    'minibatches; this is a small 2-class full-batch setting of our choosing.',
  source,
  tiers: {
    ci: { ...xent, replicates: 8, widths: [128, 256, 512], meanFieldRef: null },
    full: { ...xent, steps: 100, replicates: 8, widths: [256, 512, 1024, 2048], meanFieldRef: null },
  },
  tolerance,
  run: runOptimScaling,
  judge: judgeOptimScaling,
  figures: optimScalingFigures,
});

export const linearizationXentMeanField: AnyClaim = defineClaim<OptimScalingConfig, OptimScalingMeasurements>({
  id: 'linearization.xent-mean-field',
  title: 'Rival: with mean-field output scaling, cross-entropy training does not approach the linearization with width',
  statement:
    'The cross-entropy experiment with the logits multiplied by α = n^{−1/2} and the step by 1/α² (mean-field scaling, ' +
    'n_ref = 1): the network–linearization gap must not shrink like 1/width.',
  source: { ...source, where: 'rival control; Chizat, Oyallon & Bach 2019 (arXiv:1812.07956) on lazy vs mean-field scaling' },
  control: true,
  rivalOf: 'linearization.xent',
  tiers: {
    ci: { ...xent, replicates: 4, widths: [128, 256, 512], meanFieldRef: 1 },
    full: { ...xent, steps: 100, replicates: 4, widths: [256, 512, 1024, 2048], meanFieldRef: 1 },
  },
  tolerance,
  run: runOptimScaling,
  judge: judgeOptimScaling,
  figures: optimScalingFigures,
});

// Measured in this setting (float64 reference arithmetic; shared 2-core machine at load 6–17). CI tier, master seed
// 20261123: momentum −0.800 [−1.162, −0.437] (99%: [−1.336, −0.263]) → holds; its mean-field rival −0.090
// [−0.114, −0.066] → fails; xent −0.920 [−1.022, −0.818] (99%: [−1.071, −0.770]) → holds; its rival −0.029 → fails.
// Full tier (widths 256–2048, 100 steps): momentum −1.210 [−1.489, −0.931] → holds (16 s CPU); xent −0.997
// [−1.070, −0.925] → holds (18 s CPU); rivals −0.035 and 0.003 → fail (7 s CPU each).
// Calibration, master seeds 1–20: 20/20 as expected for all four. Audit seeds 20261124–43: momentum holds 19/20
// (20261125: −0.712 [−0.902, −0.523], 99% [−0.993, −0.432] misses −1: inconclusive), xent holds 19/20 (20261126:
// −0.860 [−0.930, −0.790], 99% [−0.964, −0.757] misses −1: inconclusive), both rivals fail 20/20; nothing was moved.
// The momentum interval is wide (heavy-ball oscillation makes the per-seed gap noisier): at the CI tier it does not
// separate 1/n from Lee et al.'s n^(−1/2) bound (metric excludesMinusHalf), which is why that is reported, not required.
