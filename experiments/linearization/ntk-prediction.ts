// linearization.ntk-prediction (and its NNGP rival): a wide network trained by GD follows the closed-form dynamics
// of the analytic infinite-width NTK, on training and test points, within a gap that shrinks like width^(−1/2)
// (Lee et al. 2019, §2.3–2.4, eqs. 9–12 and Fig. 1; neural-tangents tests/predict_test.py::testNTKGDPrediction).
//
// Each network is compared with the closed form driven by the deterministic kernel Θ (theory/linearized.ts with the
// analytic Θ of theory/ntk-analytic.ts), started from the network's own initial outputs f_0:
//   f_t(X) = Y + (I − ηΘ/n)^t (f_0(X) − Y),   f_t(x) = f_0(x) − Θ_xX Θ⁻¹ (I − (I − ηΘ/n)^t)(f_0(X) − Y).
// The gap is the empirical kernel's O(n^(−1/2)) fluctuation at initialization (ntk.analytic-limit) carried through
// training, plus the O(1/n) linearization error (linearization.width-scaling), so the prediction is width^(−1/2).
import { defineClaim, type AnyClaim, type FigureSpec, type RunContext, type Verdict } from '../../core/claim.ts';
import { linearizedDynamics } from '../../theory/linearized.ts';
import { forward, initMlp } from '../../theory/mlp.ts';
import { block } from '../../theory/ntk-gp.ts';
import { kernelsTestFirst, trainAndRecord } from './kernel-run.ts';
import { prefixMlp } from './prefix.ts';
import { bandStatus, divergedVerdict, fmtEst, logLogFigure, mediansByWidth, outputTraceFigure, replicateExponent } from './scaling.ts';
import { makeData } from './wide-run.ts';

export interface NtkPredictionConfig {
  replicates: number;
  widths: number[];
  steps: number;
  recordEvery: number;
  eta: number;
  d: number;
  nTrain: number;
  nTest: number;
  activation: 'erf';
  sigmaW: number;
  sigmaB: number;
  /** The analytic kernel that drives the prediction: the NTK (the claim) or the NNGP kernel (the rival). */
  kernel: 'ntk' | 'nngp';
}

export interface NtkPredictionRun {
  width: number;
  divergedAt: number | null;
  loss0: number;
  lossEnd: number;
  /** Sup over checkpoints of the RMSE between network and prediction on train ∪ test points; and per set. */
  supRmse: number;
  supRmseTrain: number;
  supRmseTest: number;
  /** Outputs at the first test point over time (network, prediction), for the figure. */
  trace: { t: number[]; net: number[]; pred: number[] };
}

export interface NtkPredictionMeasurements {
  /** runs[r][w]: replicate r, width index w. */
  runs: NtkPredictionRun[][];
}

const PREDICTED = -0.5; // the empirical NTK's O(n^(−1/2)) fluctuation at initialization (CLT; ntk.analytic-limit)
const BAND: [number, number] = [-0.75, -0.35]; // brief P3.1's range for the kernel's own n^(−1/2) law
// Same rule as ntk.analytic-limit: the 99% interval must contain −½, the 95% one exclude 0 (see scaling.ts bandStatus).
const CONTAINMENT_LEVEL = 0.99;
// "Trained": final loss below 1% of the initial one, so the comparison covers the fit and not only its start.
const TRAINED_RATIO = 1e-2;

function rmsGap(a: ArrayLike<number>, b: ArrayLike<number>): { sum: number; n: number } {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return { sum: s, n: a.length };
}

function run(cfg: NtkPredictionConfig, ctx: RunContext): NtkPredictionMeasurements {
  const runs: NtkPredictionRun[][] = [];
  const checkpoints = Array.from({ length: Math.floor(cfg.steps / cfg.recordEvery) + 1 }, (_, k) => k * cfg.recordEvery);
  const spec = { activation: cfg.activation, sigmaW: cfg.sigmaW, sigmaB: cfg.sigmaB };
  let done = 0;
  for (const r of ctx.replicates) {
    const data = makeData(ctx.rng(r, 'data'), cfg.d, cfg.nTrain, cfg.nTest);
    const k = kernelsTestFirst(data, spec)[cfg.kernel];
    const m = cfg.nTest;
    const kTrain = block(k, m, m, cfg.nTrain, cfg.nTrain);
    const kTestTrain = block(k, 0, m, m, cfg.nTrain);
    const big = initMlp([cfg.d, Math.max(...cfg.widths), 1], { ...spec, parameterization: 'ntk' }, ctx.rng(r, 'init'));
    const perWidth: NtkPredictionRun[] = [];
    for (const width of cfg.widths) {
      const net = prefixMlp(big, [width]);
      const f0 = forward(net, data.X).data.slice();
      const f0Test = forward(net, data.Xtest).data.slice();
      const pred = linearizedDynamics(kTrain, f0, data.Y, { eta: cfg.eta, mode: 'gd' });
      const tr = trainAndRecord(net, data, cfg.eta, checkpoints);
      let sup = 0;
      let supTrain = 0;
      let supTest = 0;
      const trace: NtkPredictionRun['trace'] = { t: [], net: [], pred: [] };
      tr.t.forEach((t, tau) => {
        const pTrain = pred.train(t);
        const pTest = pred.test(kTestTrain, f0Test, t);
        const a = rmsGap(tr.train[tau]!, pTrain);
        const b = rmsGap(tr.test[tau]!, pTest);
        supTrain = Math.max(supTrain, Math.sqrt(a.sum / a.n));
        supTest = Math.max(supTest, Math.sqrt(b.sum / b.n));
        sup = Math.max(sup, Math.sqrt((a.sum + b.sum) / (a.n + b.n)));
        trace.t.push(t);
        trace.net.push(tr.test[tau]![0]!);
        trace.pred.push(pTest[0]!);
      });
      perWidth.push({ width, divergedAt: tr.divergedAt, loss0: tr.loss0, lossEnd: tr.lossEnd, supRmse: sup, supRmseTrain: supTrain, supRmseTest: supTest, trace });
      ctx.progress(++done, ctx.replicates.length * cfg.widths.length);
    }
    runs.push(perWidth);
  }
  return { runs };
}

function judge(m: NtkPredictionMeasurements, cfg: NtkPredictionConfig): Verdict {
  const all = m.runs.flat();
  const diverged = divergedVerdict(all);
  if (diverged) return diverged;
  const worstRatio = Math.max(...all.map((x) => x.lossEnd / x.loss0));
  const ladders = (pick: (x: NtkPredictionRun) => number) => m.runs.map((rs) => ({ widths: rs.map((x) => x.width), values: rs.map(pick) }));
  const fit = replicateExponent(ladders((x) => x.supRmse));
  const kernelName = cfg.kernel === 'nngp' ? 'analytic NNGP kernel' : 'analytic NTK';
  const metricsBase = {
    worstFinalToInitialLoss: worstRatio,
    medianSupRmseByWidth: mediansByWidth(all.map((x) => x.width), all.map((x) => x.supRmse)).map((p) => ({ width: p.width, value: p.median })),
  };
  if (!fit) return { status: 'inconclusive', reason: `a gap to the ${kernelName} prediction was zero or not finite; no power law to fit`, metrics: metricsBase };
  const exp = (pick: (x: NtkPredictionRun) => number) => {
    const f = replicateExponent(ladders(pick));
    return f ? { value: f.value, lo: f.lo, hi: f.hi } : null;
  };
  const fit99 = replicateExponent(ladders((x) => x.supRmse), CONTAINMENT_LEVEL)!; // non-null whenever `fit` is
  const metrics = {
    ...metricsBase,
    gapExponent: { value: fit.value, lo: fit.lo, hi: fit.hi },
    gapExponent99: { lo: fit99.lo, hi: fit99.hi },
    gapExponentPerReplicate: fit.perReplicate,
    gapTrainExponent: exp((x) => x.supRmseTrain),
    gapTestExponent: exp((x) => x.supRmseTest),
  };
  if (worstRatio > TRAINED_RATIO) {
    return { status: 'inconclusive', reason: `not every network fit its training set (worst final/initial loss ${worstRatio.toExponential(2)} > ${TRAINED_RATIO})`, metrics };
  }
  return {
    status: bandStatus(fit, BAND, PREDICTED, fit99),
    reason:
      `sup-over-time RMSE between the trained network and the closed-form ${kernelName} prediction (train and test points) scales ` +
      `with exponent ${fmtEst(fit)} (95% interval over seeds; 99%: ${fmtEst(fit99)}); "holds" needs the estimate in ` +
      `[${BAND[0]}, ${BAND[1]}], the 95% interval to exclude 0 and the 99% one to contain ${PREDICTED}.`,
    metrics,
  };
}

function figures(m: NtkPredictionMeasurements, _v: Verdict, cfg: NtkPredictionConfig): Record<string, FigureSpec> {
  const all = m.runs.flat();
  const kernelName = cfg.kernel === 'nngp' ? 'analytic NNGP kernel' : 'analytic NTK';
  const ladders = (pick: (x: NtkPredictionRun) => number) => m.runs.map((rs) => ({ widths: rs.map((x) => x.width), values: rs.map(pick) }));
  const scaling = logLogFigure(
    `Trained network vs closed-form ${kernelName} prediction against width (fits with 95% slope bands)`,
    'sup-over-time RMSE gap (log scale)',
    [
      { name: 'train ∪ test', widths: all.map((x) => x.width), values: all.map((x) => x.supRmse), fit: replicateExponent(ladders((x) => x.supRmse)) },
      { name: 'test points only', widths: all.map((x) => x.width), values: all.map((x) => x.supRmseTest), fit: replicateExponent(ladders((x) => x.supRmseTest)) },
    ],
  );
  const first = m.runs[0] ?? [];
  const picks = [first[0], first[first.length - 1]].filter((x): x is NtkPredictionRun => x !== undefined);
  const values: Record<string, number | string>[] = [];
  for (const r of picks) {
    r.trace.t.forEach((t, k) => {
      values.push({ step: t, output: r.trace.net[k]!, model: 'network', width: `n = ${r.width}` });
      values.push({ step: t, output: r.trace.pred[k]!, model: `${kernelName} closed form`, width: `n = ${r.width}` });
    });
  }
  const outputs = outputTraceFigure(`Output at a held-out point during GD: network vs ${kernelName} prediction`, values);
  return { scaling, outputs };
}

// Erf so that the analytic kernel exists (theory/ntk-analytic.ts), with neural-tangents' testNTKGDPrediction weights
// (W_std 1.2, b_std 0.05); one hidden layer as there. Inputs N(0, I_16), target sin(2u·x) as in width-scaling.
const base = {
  steps: 60,
  recordEvery: 6,
  eta: 2, // about a third of the critical step 2n/λ_max(Θ) ≈ 6 for these kernels (λ_max/n ≈ 0.3; a divergence is reported)
  d: 16,
  nTrain: 16,
  nTest: 32,
  activation: 'erf' as const,
  sigmaW: 1.2,
  sigmaB: 0.05,
};

const source = {
  paper: 'Lee, Xiao, Schoenholz, Bahri, Novak, Sohl-Dickstein, Pennington 2019, Wide neural networks of any depth evolve as linear models under gradient descent',
  arxiv: '1902.06720',
  where: '§2.3–2.4, eqs. 9–12, Fig. 1 (network outputs follow the analytic-kernel dynamics); neural-tangents testNTKGDPrediction; brief §3.3',
};

export const ntkPrediction: AnyClaim = defineClaim<NtkPredictionConfig, NtkPredictionMeasurements>({
  id: 'linearization.ntk-prediction',
  title: 'A wide network trained by GD follows the closed-form analytic-NTK dynamics, within ~width^(−1/2)',
  statement:
    'For a 1-hidden-layer erf network in the NTK parameterization trained by full-batch GD on MSE, the outputs on training ' +
    'and test points over time follow the closed form driven by the infinite-width NTK (from the network\'s own f_0), and ' +
    'the worst-over-time RMSE between the two decays as width^(−1/2).',
  source,
  tiers: {
    ci: { ...base, replicates: 6, widths: [128, 256, 512, 1024], kernel: 'ntk' },
    full: { ...base, replicates: 8, widths: [256, 512, 1024, 2048, 4096], kernel: 'ntk' },
  },
  tolerance: { rel: 1e-6, abs: 1e-9 },
  run,
  judge,
  figures,
});

export const ntkPredictionNngp: AnyClaim = defineClaim<NtkPredictionConfig, NtkPredictionMeasurements>({
  id: 'linearization.ntk-prediction-nngp',
  title: 'Rival: the NNGP-kernel (readout-only) dynamics do not predict the trained network',
  statement:
    'The same networks compared with the closed form driven by the analytic NNGP kernel (what training the readout alone ' +
    'would give): the hidden layer\'s contribution to the tangent kernel does not vanish with width, so the gap must NOT ' +
    'shrink as width^(−1/2).',
  source: { ...source, where: 'rival control; Lee et al. 2019 §2.3–2.4 (NTK vs NNGP dynamics); brief §3.3, §3.5' },
  control: true,
  rivalOf: 'linearization.ntk-prediction',
  tiers: {
    ci: { ...base, replicates: 4, widths: [128, 256, 512], kernel: 'nngp' },
    full: { ...base, replicates: 4, widths: [256, 512, 1024, 2048, 4096], kernel: 'nngp' },
  },
  tolerance: { rel: 1e-6, abs: 1e-9 },
  run,
  judge,
  figures,
});

// Measured (CI tier). Master seed 20261123: exponent −0.500 [−0.618, −0.382] (holds); rival −0.052 [−0.133, 0.029]
// (fails). Calibration master seeds 1–20 (no threshold was moved: the band and the 99% rule are ntk.analytic-limit's):
// the claim held 20/20 (estimates −0.600…−0.442); the NNGP rival failed 19/20 and was inconclusive once (seed 13:
// −0.139 [−0.599, 0.322], four replicates give a wide t-interval), never "holds".
