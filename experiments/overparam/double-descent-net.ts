// generalization.double-descent.trained-net: a two-layer ReLU network trained by gradient descent on noisy labels
// has its test error peak near the interpolation threshold (#parameters ≈ n) and fall again for wider nets
// (Belkin, Hsu, Ma, Mandal, PNAS 2019, arXiv:1812.11118, Fig. 3 (two-layer nets on MNIST); Nakkiran, Kaplun,
// Bansal, Yang, Barak, Sutskever 2019, arXiv:1912.02292, model-wise double descent, sharpened by label noise).
// Rival: the same nets with weight decay tuned per width on held-out data (Nakkiran, Venkat, Kakade, Ma 2020,
// arXiv:2003.01897: optimal ℓ2 regularization removes the peak).
import { defineClaim, type BaseConfig, type RunContext } from '../../core/claim.ts';
import { claimRng } from '../../core/rng.ts';
import { median } from '../../core/stats.ts';
import { cloneLadder, initLadder, ladderForward, ladderMse, ladderParams, makeRegression, teacherValue, trainLadder } from '../../theory/double-descent.ts';
import { geometricMeanInterval } from '../maxmargin/homogeneous-net.ts';
import { curveFigure } from './figures.ts';

interface Config extends BaseConfig {
  n: number;
  d: number;
  nTest: number;
  /** Label noise: y = f(x) + noise·ε. */
  noise: number;
  widths: number[];
  /** GD step, step budget, and the training MSE at which a width stops (it interpolates). */
  eta: number;
  steps: number;
  tol: number;
  gtol: number;
  /** Init scales: b ~ N(0, biasScale²), a ~ N(0, outScale²) (w ~ N(0, I/d)). */
  biasScale: number;
  outScale: number;
  /** Non-empty: weight decay λ tuned per width on `nVal` held-out noisy points over this grid; empty: λ = 0. */
  weightDecayGrid: number[];
  nVal: number;
  /** The claim whose data and initialization streams are used (the rival trains the same nets on the same data). */
  dataFrom: string;
}

interface Replicate {
  replicate: number;
  testMse: number[];
  trainMse: number[];
  steps: number[];
  lambda: number[];
  /** Restarts with a halved step after a blow-up (all widths and λ together). */
  restarts: number;
  diverged: boolean;
}

interface Measurements {
  replicates: Replicate[];
}

/**
 * Where the peak may sit: widths whose parameter count m(d + 2) is between n and 4n. Belkin et al. mark the
 * threshold at #parameters = n·K; GD with a finite budget interpolates only somewhat above it (Nakkiran et al.'s
 * effective model complexity ≤ #parameters), here from about 2.5n (median train MSE < 1% of σ²).
 */
export const WINDOW_FACTOR = 4;
/**
 * The second descent: per seed, the test MSE at the median curve's peak width over the test MSE of the widest net;
 * the 95% interval of its geometric mean over seeds must lie above 1 (the prediction: the error falls again).
 */
export const DESCENT_MIN = 1;
/** "Interpolates": training MSE below 1% of the label-noise variance (the net fits the noise). */
export const INTERP_FRACTION = 0.01;

function heldOut(ctx: RunContext, r: number, label: string, count: number, cfg: Config, beta: Float64Array, noisy: boolean) {
  const rng = claimRng(ctx.masterSeed, cfg.dataFrom, r, label);
  const X = { rows: count, cols: cfg.d, data: rng.normals(count * cfg.d) };
  const y = new Float64Array(count);
  for (let i = 0; i < count; i++) y[i] = teacherValue({ beta }, X.data.subarray(i * cfg.d, (i + 1) * cfg.d)) + (noisy ? cfg.noise * rng.normal() : 0);
  return { X, y };
}

function run(cfg: Config, ctx: RunContext): Measurements {
  const J = cfg.widths.length;
  const reps: Replicate[] = [];
  for (const r of ctx.replicates) {
    const { X, y, Xt, yt, teacher } = makeRegression(claimRng(ctx.masterSeed, cfg.dataFrom, r, 'data'), cfg);
    const L0 = initLadder(cfg.widths, cfg.d, claimRng(ctx.masterSeed, cfg.dataFrom, r, 'init'), { biasScale: cfg.biasScale, outScale: cfg.outScale });
    const grid = cfg.weightDecayGrid.length > 0 ? cfg.weightDecayGrid : [0];
    const val = cfg.weightDecayGrid.length > 0 ? heldOut(ctx, r, 'validation', cfg.nVal, cfg, teacher.beta, true) : null;
    let best: { val: number[]; test: number[]; train: number[]; steps: number[]; lambda: number[] } | null = null;
    let diverged = false;
    let restarts = 0;
    for (const lambda of grid) {
      const L = cloneLadder(L0);
      const res = trainLadder(L, X, y, { steps: cfg.steps, eta: cfg.eta, lambda, tol: cfg.tol, gtol: cfg.gtol });
      diverged ||= res.diverged.some(Boolean);
      restarts += res.restarts.reduce((a, b) => a + b, 0);
      const test = ladderMse(ladderForward(L, Xt), yt, J);
      const v = val ? ladderMse(ladderForward(L, val.X), val.y, J) : test.map(() => 0);
      if (!best) best = { val: v, test, train: res.trainMse, steps: res.steps, lambda: test.map(() => lambda) };
      else {
        for (let j = 0; j < J; j++) {
          if (!(v[j]! < best.val[j]!)) continue;
          best.val[j] = v[j]!;
          best.test[j] = test[j]!;
          best.train[j] = res.trainMse[j]!;
          best.steps[j] = res.steps[j]!;
          best.lambda[j] = lambda;
        }
      }
    }
    reps.push({ replicate: r, testMse: best!.test, trainMse: best!.train, steps: best!.steps, lambda: best!.lambda, restarts, diverged });
    ctx.progress(reps.length, ctx.replicates.length);
  }
  return { replicates: reps };
}

export function peakWindow(cfg: Pick<Config, 'n' | 'd' | 'widths'>): number[] {
  return cfg.widths.filter((m) => ladderParams(m, cfg.d) >= cfg.n && ladderParams(m, cfg.d) <= WINDOW_FACTOR * cfg.n);
}

function judge(m: Measurements, cfg: Config) {
  const window = peakWindow(cfg);
  if (window.length === 0) throw new Error(`no width with n ≤ m(d + 2) ≤ ${WINDOW_FACTOR}n in ${cfg.widths.join(', ')}`);
  const last = cfg.widths.length - 1;
  const reps = m.replicates;
  const med = cfg.widths.map((_, k) => median(reps.map((r) => r.testMse[k]!)));
  const trainMed = cfg.widths.map((_, k) => median(reps.map((r) => r.trainMse[k]!)));
  const kPeak = med.indexOf(Math.max(...med));
  const peakWidth = cfg.widths[kPeak]!;
  const interpLevel = INTERP_FRACTION * cfg.noise ** 2;
  const interpK = trainMed.findIndex((v) => v < interpLevel);
  const baseMetrics = {
    widths: cfg.widths,
    params: cfg.widths.map((w) => ladderParams(w, cfg.d)),
    window,
    testMseMedian: med,
    trainMseMedian: trainMed,
    stepsMedian: cfg.widths.map((_, k) => median(reps.map((r) => r.steps[k]!))),
    lambdaMedian: cfg.widths.map((_, k) => median(reps.map((r) => r.lambda[k]!))),
    restarts: reps.reduce((s, r) => s + r.restarts, 0),
    peakWidth,
    interpolationWidth: interpK < 0 ? null : cfg.widths[interpK]!,
  };
  if (reps.some((r) => r.diverged)) return { status: 'inconclusive' as const, reason: 'GD diverged in some net even after halving its step 4 times.', metrics: baseMetrics };
  const descent = geometricMeanInterval(reps.map((r) => r.testMse[kPeak]! / r.testMse[last]!));
  const rise = geometricMeanInterval(reps.map((r) => r.testMse[kPeak]! / r.testMse[0]!));
  const metrics = { ...baseMetrics, peakOverWidest: descent, peakOverNarrowest: rise };
  const f = (x: number) => x.toPrecision(3);
  const iv = (e: { value: number; lo: number; hi: number }) => `${f(e.value)} [${f(e.lo)}, ${f(e.hi)}]`;
  const checks = [
    window.includes(peakWidth) ? null : `the median test MSE peaks at width ${peakWidth} (${ladderParams(peakWidth, cfg.d)} parameters), outside the threshold window ${window.join('/')}`,
    descent.lo > DESCENT_MIN ? null : `no second descent: test MSE at width ${peakWidth} over the widest net's, geometric mean over ${reps.length} seeds, ${iv(descent)} is not above ${DESCENT_MIN}`,
    trainMed[last]! < interpLevel ? null : `the widest nets do not interpolate (median train MSE ${f(trainMed[last]!)} ≥ ${f(interpLevel)})`,
  ].filter((c): c is string => c !== null);
  const curve = `median test MSE ${med.map(f).join(' / ')} over widths ${cfg.widths.join('/')} (parameters ${metrics.params.join('/')}, n = ${cfg.n})`;
  if (checks.length === 0) {
    return {
      status: 'holds' as const,
      reason: `${curve}: peak at width ${peakWidth}, inside the threshold window ${window.join('/')}; peak over widest ${iv(descent)}, over narrowest ${iv(rise)}; the nets interpolate from width ${metrics.interpolationWidth}.`,
      metrics,
    };
  }
  return { status: 'fails' as const, reason: `No interpolation peak: ${checks.join('; ')}; ${curve}.`, metrics };
}

function figures(m: Measurements, _v: unknown, cfg: Config) {
  const pts = m.replicates.flatMap((r) => cfg.widths.map((w, k) => ({ x: ladderParams(w, cfg.d), y: r.testMse[k]!, series: `seed ${r.replicate}` })));
  const med = cfg.widths.map((w, k) => ({ x: ladderParams(w, cfg.d), y: median(m.replicates.map((r) => r.testMse[k]!)), series: 'median' }));
  const train = cfg.widths.map((w, k) => ({ x: ladderParams(w, cfg.d), y: Math.max(1e-12, median(m.replicates.map((r) => r.trainMse[k]!))), series: 'median train MSE' }));
  return {
    'test-mse-vs-params': curveFigure({
      title: `Two-layer ReLU nets trained by GD: test MSE vs parameters (n = ${cfg.n}, noise ${cfg.noise}, ${cfg.weightDecayGrid.length > 0 ? 'weight decay tuned per width' : 'no regularization'})`,
      xTitle: 'parameters m·(d + 2)',
      yTitle: 'test MSE (noise-free targets); train MSE',
      points: [...pts, ...med, ...train],
      logX: true,
      logY: true,
      legend: 'seed / summary',
    }),
  };
}

const source = {
  paper: 'Belkin, Hsu, Ma, Mandal 2019 (PNAS), two-layer networks; Nakkiran, Kaplun, Bansal, Yang, Barak, Sutskever 2019, Deep double descent',
  arxiv: '1812.11118',
  where: 'Belkin et al. Fig. 3 (fully connected nets, peak at #parameters ≈ n·K); Nakkiran et al. arXiv:1912.02292 Fig. 1–4 (label noise sharpens the model-wise peak); brief §7.1–7.2',
};
// Belkin et al.: MNIST n = 4000, 784-dim inputs, SGD for 6000 epochs; Nakkiran et al.: ResNets, Adam, 4000 epochs.
// Here (CPU scale): the brief's §7.3 teacher in d = 8 with n = 40 points and label noise 1.0 (signal variance ≈ 1),
// nine widths (parameters 20 … 640) trained together in float64 by full-batch GD, η = 1, at most 3000 steps, a width
// stopping once its training MSE is below 1e-6 (it interpolates; further steps barely move it: "training only what
// it needs"). Output weights start small (a ~ N(0, 0.01)) so the initial random function does not dominate the
// wide nets' test error. Rules set before the audit from trial runs at master seeds 1–4 (16 seeds each) and
// 20261123; audit seeds 20261124–43: 20/20 hold, the weight-decay rival fails 20/20 (0 false passes).
const ci: Config = { replicates: 8, n: 40, d: 8, nTest: 1000, noise: 1, widths: [2, 4, 6, 8, 10, 12, 16, 32, 64], eta: 1, steps: 3000, tol: 1e-6, gtol: 1e-5, biasScale: 1, outScale: 0.1, weightDecayGrid: [], nVal: 0, dataFrom: 'generalization.double-descent.trained-net' };
// Full: a finer ladder around the threshold and up to 128 units, 16 seeds, 10000 steps. Run once (round 4, master seed
// 20261123): holds, peak at width 6 (60 parameters), peak over widest 3.61 [2.69, 4.86], over narrowest 3.29 [1.90,
// 5.69]; 29 s of CPU.
const full: Config = { ...ci, replicates: 16, widths: [2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 24, 32, 64, 128], steps: 10000 };

export const doubleDescentNet = defineClaim<Config, Measurements>({
  id: 'generalization.double-descent.trained-net',
  title: 'Double descent: two-layer ReLU nets trained by GD on noisy labels peak near the interpolation threshold',
  statement:
    'Two-layer ReLU networks of increasing width trained by full-batch gradient descent (no regularization) on n = 40 noisy labels have a test error that rises to a peak where the parameter count m(d + 2) is between n and 4n (where GD first interpolates the noise) and falls again for wider networks. Belkin et al. and Nakkiran et al. used MNIST/CIFAR with SGD/Adam for thousands of epochs; here 8-dimensional Gaussian inputs, float64 GD for at most 3000 steps.',
  source,
  tolerance: { rel: 1e-6, abs: 1e-9 },
  tiers: { ci, full },
  run,
  judge,
  figures,
});

// Rival: "the peak comes from the model size, not from interpolating noisy labels without regularization": the same
// nets, data and GD with weight decay λ‖θ‖²/2 chosen per width from a grid on 200 held-out noisy points
// (Nakkiran et al. 2020, arXiv:2003.01897: optimally tuned ℓ2 regularization gives a monotone test risk).
// Its full tier, run once (round 4): fails, median test MSE highest at width 2 (0.70; 0.34–0.47 elsewhere), widest
// nets not interpolating (train MSE 0.39); 176 s of CPU. Its descent ratio from width 2 is itself > 1 (1.80 [1.31,
// 2.48]): the rival is told apart by where the maximum sits, not by the descent check.
const weightDecayGrid = [0.01, 0.03, 0.1];
export const doubleDescentNetWeightDecay = defineClaim<Config, Measurements>({
  id: 'generalization.double-descent.trained-net.control-tuned-weight-decay',
  control: true,
  rivalOf: 'generalization.double-descent.trained-net',
  title: 'Rival: the same trained nets with weight decay tuned per width have no interpolation peak',
  statement: 'The same networks trained by GD with weight decay chosen per width on held-out noisy data (optimal ℓ2 regularization) show no peak near the interpolation threshold; the judge must say "fails".',
  source,
  tolerance: { rel: 1e-6, abs: 1e-9 },
  tiers: { ci: { ...ci, replicates: 4, weightDecayGrid, nVal: 200 }, full: { ...full, replicates: 8, weightDecayGrid: [0.003, ...weightDecayGrid, 0.3], nVal: 200 } },
  run,
  judge,
  figures,
});
