// fprinciple.1d (BRIEF §1.5 P1.1; Xu et al. 2019 / A2-2 Fig. 1.6): a tanh MLP fitted to sin x + sin 3x + sin 5x
// (equal amplitudes, so amplitude cannot explain the order) converges at k=1 before k=3 before k=5.
// Its rivals: a lookup-table model with no frequency bias (rivals.ts), and a kernel model whose kernel weights high
// frequencies more (k²-scaled Fourier features, a real training run where the order reverses). The former control
// "judge on reversed bands" only broke the data on purpose: it is now a judge test (properties/judges/fprinciple.test.ts).
import { defineClaim, type RunContext } from '../../core/claim.ts';
import { getEngine } from '../../core/engine/index.ts';
import { dft, dftAt, magnitudes, selectPeaks } from '../../theory/fourier.ts';
import { forward, initMlp, mat, type Mat } from '../../theory/mlp.ts';
import { errorCurves, errorHeatmap, fittedOutputs } from './figures.ts';
import { judgeOrder, type OrderMeasurements, type OrderRun, type OrderRule } from './order.ts';
import { lookupTableRun, recordedSteps } from './rivals.ts';

const SOURCE = {
  paper: 'Xu, Zhang, Luo, Xiao, Ma (2019), Frequency Principle: Fourier analysis sheds light on deep neural networks',
  arxiv: '1901.06523',
  where: 'lecture notes A2-2 §1.3 Fig. 1.6; BRIEF §1.5 P1.1',
};

/** Periodic grid x_j = −π + 2πj/N (endpoint excluded, so the target's DFT has exact peaks and no leakage; BRIEF §1.3). */
export function periodicGrid(n: number): number[] {
  return Array.from({ length: n }, (_, j) => -Math.PI + (2 * Math.PI * j) / n);
}

export const target1d = (x: number) => Math.sin(x) + Math.sin(3 * x) + Math.sin(5 * x);

/** The target's spectral peaks: strict local maxima of |f̂_k| for k = 0..N/2 (the authors' SelectPeakIndex). */
export function targetPeaks(y: readonly number[]): number[] {
  const amp = magnitudes(dft(y)).slice(0, y.length / 2 + 1);
  return selectPeaks(amp, { rel: 1e-6 });
}

/** ΔF(k) at each peak for one output vector on the grid (A2-2 §1.3). */
export function deltaF(h: ArrayLike<number>, fHat: [number, number][], peaks: number[]): number[] {
  return peaks.map((k, i) => {
    const [hr, hi] = dftAt(h, k);
    const [fr, fi] = fHat[i]!;
    return Math.hypot(hr - fr, hi - fi) / Math.hypot(fr, fi);
  });
}

export interface Config1d {
  replicates: number;
  n: number;
  hidden: number[];
  lr: number;
  steps: number;
  recordEvery: number;
}

export interface Meas1d extends OrderMeasurements {
  x: number[];
  y: number[];
  snaps: { step: number; y: number[] }[];
}

// P1.1: ΔF < 0.1 marks convergence of a peak; calibrated t1 < t3 < t5 with t5/t3 ≈ 4–6 for every seed (BRIEF [Cal]).
export const RULE_1D: OrderRule = { threshold: 0.1, minFraction: 1, minLastRatio: 2 };

export async function train1d(
  features: (x: number) => number[],
  cfg: { hidden: number[]; lr: number; steps: number; recordEvery: number; n: number; optimizer: 'adam' | 'sgd' },
  ctx: RunContext,
  seed: number,
  target: (x: number) => number = target1d,
) {
  const xs = periodicGrid(cfg.n);
  const ys = xs.map(target);
  const feats = xs.map(features);
  const X: Mat = mat(cfg.n, feats[0]!.length, Float64Array.from(feats.flat()));
  const Y: Mat = mat(cfg.n, 1, Float64Array.from(ys));
  // LeCun-normal weights (std 1/√fan-in), zero biases (BRIEF P1.1).
  const net = initMlp([X.cols, ...cfg.hidden, 1], { activation: 'tanh', parameterization: 'standard', sigmaW: 1, sigmaB: 0 }, ctx.rng(seed, 'init'));
  const engine = await getEngine();
  const res = await engine.train({ net, x: X, y: Y, optimizer: { kind: cfg.optimizer, lr: cfg.lr }, steps: cfg.steps, recordEvery: cfg.recordEvery });
  const peaks = targetPeaks(ys);
  const fHat = peaks.map((k) => dftAt(ys, k));
  const err = peaks.map(() => [] as (number | null)[]);
  for (const rec of res.records) deltaF(rec.outputs, fHat, peaks).forEach((e, b) => err[b]!.push(Number.isFinite(e) ? e : null));
  const run: OrderRun = { seed, steps: res.records.map((r) => r.step), err, loss: res.records.map((r) => r.loss), divergedAt: res.divergedAt ?? null };
  return { run, xs, ys, peaks, records: res.records };
}

export function snapshots(records: { step: number; outputs: Float64Array }[], at: number[]) {
  return at.map((s) => {
    const rec = records.reduce((best, r) => (Math.abs(r.step - s) < Math.abs(best.step - s) ? r : best));
    return { step: rec.step, y: Array.from(rec.outputs, (v) => Math.round(v * 1e4) / 1e4) };
  });
}

export const oned = defineClaim<Config1d, Meas1d>({
  id: 'fprinciple.1d',
  title: 'F-Principle in 1-D: equal-amplitude peaks converge low to high',
  statement:
    'A tanh MLP trained full-batch with Adam on f = sin x + sin 3x + sin 5x settles below ΔF(k) = 0.1 (staying below until every peak is) first at k=1, then k=3, then k=5, with median t5/t3 ≥ 2, although all three peaks have the same amplitude.',
  source: SOURCE,
  tiers: {
    // CI: a 1-32-32-1 net (a third of P1.1's cost per step) and 2 seeds (BRIEF: "for CI, use 2 seeds");
    // full: P1.1 as calibrated (1-64-64-1, 5 seeds, up to 6000 steps).
    // CI steps: the narrower net converges k=5 later and with a long tail. Over master seeds 1–20 (both CI replicates;
    // a float64 numpy replica of the reference engine that reproduces its crossing steps exactly at the default
    // seed) t1 = 10–630, t3 = 170–1020, t5 = 1230–4080 (median 2355), t5/t3 ≥ 3.3: at 3000 steps 6 of 20 seeds
    // left k=5 unreached (inconclusive; audit 2/20). 6000 steps (BRIEF P1.1: "allow up to 6000") is 1.47× the
    // slowest t5 seen; the order and the ratio rule (median t5/t3 ≥ 2) hold in all 40 runs. Those were first
    // crossings; settling steps at the default seed: (190, 280, 1500) and (170, 260, 1630). The settling t1 is later
    // than the first dip (ΔF(1) < 0.1 at steps 10–30, back above by step 100: BRIEF P1.1), and t5 is where the fit completes.
    ci: { replicates: 2, n: 128, hidden: [32, 32], lr: 1e-3, steps: 6000, recordEvery: 10 },
    // Full: the authors' network, 1-200-200-200-100-1 (Xu et al. 2019, A2-2 Fig. 1.6), with P1.1's Adam lr 1e-3 and
    // 6000 steps; 3 seeds (≈ 38M multiply-adds a step, ≈ 35 ms a step on one quiet core: ≈ 3.5 min a seed). Not
    // calibrated at this size: the CI calibration above is for 1-32-32-1. Measured once (master seed 20261123, onnx-f64,
    // 99 s of CPU; reference ≈ 26 ms a step here, ≈ 8 min): holds, settling steps (80, 90, 420), (60, 80, 370), (70, 90, 480).
    full: { replicates: 3, n: 128, hidden: [200, 200, 200, 100], lr: 1e-3, steps: 6000, recordEvery: 10 },
  },
  // Settling steps move by a record or two between engines (float32 vs float64); errors by a few percent.
  tolerance: { rel: 0.1, abs: 0.02, metrics: { settlingSteps: { rel: 0.25, abs: 20 }, fitCompleteStep: { rel: 0.25, abs: 20 } } },
  async run(cfg, ctx) {
    const runs: OrderRun[] = [];
    let first: Awaited<ReturnType<typeof train1d>> | undefined;
    for (const seed of ctx.replicates) {
      const r = await train1d((x) => [x], { ...cfg, optimizer: 'adam' }, ctx, seed);
      runs.push(r.run);
      first ??= r;
      ctx.progress(seed + 1, ctx.replicates.length);
    }
    const f = first!;
    return {
      bands: f.peaks.map((k) => `k=${k}`),
      runs,
      x: f.xs.map((v) => Math.round(v * 1e4) / 1e4),
      y: f.ys.map((v) => Math.round(v * 1e4) / 1e4),
      snaps: snapshots(f.records, [0, 100, 500, cfg.steps / 2, cfg.steps]),
    };
  },
  judge: (m) => judgeOrder(m, RULE_1D),
  figures: (m) => ({
    heatmap: errorHeatmap(m.runs[0]!, m.bands, `ΔF(k) at the target's peaks over training (seed ${m.runs[0]!.seed}; red = small)`),
    curves: errorCurves(m.runs, m.bands, 'ΔF(k) per peak and seed (dashed: convergence threshold 0.1)', RULE_1D.threshold, 'ΔF(k)'),
    fit: fittedOutputs(m.x, m.y, m.snaps, `Fitted output at a few steps (seed ${m.runs[0]!.seed})`),
  }),
});

/**
 * The lookup-table rival on a 1-D target (rivals.ts): per seed, the claim's network at initialization gives θ_0 on the
 * grid, and gradient descent on the table (closed form) is analysed by the same ΔF(k) at the same recorded steps.
 */
export function lookupTable1d(cfg: Config1d, ctx: RunContext, target: (x: number) => number, maxPeaks = Infinity): Meas1d {
  const xs = periodicGrid(cfg.n);
  const ys = xs.map(target);
  const peaks = targetPeaks(ys).slice(0, maxPeaks);
  const fHat = peaks.map((k) => dftAt(ys, k));
  const X = mat(cfg.n, 1, Float64Array.from(xs));
  const steps = recordedSteps(cfg.steps, cfg.recordEvery);
  const runs: OrderRun[] = [];
  let first: Float64Array[] = [];
  for (const seed of ctx.replicates) {
    const net = initMlp([1, ...cfg.hidden, 1], { activation: 'tanh', parameterization: 'standard', sigmaW: 1, sigmaB: 0 }, ctx.rng(seed, 'init'));
    const r = lookupTableRun(seed, steps, forward(net, X).data, ys, (h) => deltaF(h, fHat, peaks));
    runs.push(r.run);
    if (first.length === 0) first = r.outputs;
  }
  return {
    bands: peaks.map((k) => `k=${k}`),
    runs,
    x: xs.map((v) => Math.round(v * 1e4) / 1e4),
    y: ys.map((v) => Math.round(v * 1e4) / 1e4),
    snaps: snapshots(
      steps.map((step, r) => ({ step, outputs: first[r]! })),
      [0, 100, 500, cfg.steps / 2, cfg.steps],
    ),
  };
}

export const onedLookupRival = defineClaim<Config1d, Meas1d>({
  id: 'fprinciple.1d.rival-lookup-table',
  title: 'Rival: a lookup-table model (no frequency bias) on the 1-D target',
  statement:
    'A model with one free parameter per grid point, started at the network\'s initial output and trained by gradient descent, shrinks ΔF(1), ΔF(3), ΔF(5) at one common rate; the 1-D judge must not say "holds".',
  source: { ...SOURCE, where: 'rival of BRIEF P1.1 (research/claim-power-audit.md: a model with no frequency bias)' },
  control: true,
  rivalOf: 'fprinciple.1d',
  tiers: oned.tiers,
  tolerance: oned.tolerance,
  run: (cfg, ctx) => lookupTable1d(cfg, ctx, target1d),
  judge: (m) => judgeOrder(m, RULE_1D),
  figures: (m, v, c) => oned.figures!(m, v, c),
});

interface ConfigFeat {
  replicates: number;
  n: number;
  /** Feature scale s_k for frequency k: features s_k·cos(kx), s_k·sin(kx), k = 1..K. */
  scalePower: number;
  kMax: number;
  lr: number;
  steps: number;
  recordEvery: number;
}

/** Fourier features with scale k^p: gradient descent shrinks the error at frequency k at rate ∝ lr·k^(2p) (linear model). */
function fourierFeatures(kMax: number, p: number) {
  return (x: number) => Array.from({ length: kMax }, (_, i) => [(i + 1) ** p * Math.cos((i + 1) * x), (i + 1) ** p * Math.sin((i + 1) * x)]).flat();
}

async function runFeatures(cfg: ConfigFeat, ctx: RunContext): Promise<OrderMeasurements> {
  const runs: OrderRun[] = [];
  let bands: string[] = [];
  for (const seed of ctx.replicates) {
    // A linear model (no hidden layer) on the features, trained by plain SGD through the engine.
    const r = await train1d(fourierFeatures(cfg.kMax, cfg.scalePower), { ...cfg, hidden: [], optimizer: 'sgd' }, ctx, seed);
    runs.push(r.run);
    bands = r.peaks.map((k) => `k=${k}`);
  }
  return { bands, runs };
}

export const highFeatureControl = defineClaim<ConfigFeat, OrderMeasurements>({
  id: 'fprinciple.1d-high-features',
  title: 'Rival: a kernel that weights high frequencies more (k²-scaled Fourier features)',
  statement:
    'A linear model on Fourier features scaled by k² (so gradients at high frequencies are larger), trained by SGD on the same target, converges at k=5 first: the 1-D judge must say "fails".',
  source: { ...SOURCE, where: 'rival of BRIEF P1.1: a kernel model whose kernel weights high frequencies more (research/claim-power-audit.md)' },
  control: true,
  rivalOf: 'fprinciple.1d',
  tiers: {
    // Error at frequency k decays like exp(−lr·s_k²·t/2); s_k = k² gives rates 1 : 81 : 625 for k = 1, 3, 5.
    // lr·s_max²/2 < 2 keeps SGD stable (s_max = 6² = 36 → lr < 0.0031).
    ci: { replicates: 2, n: 128, scalePower: 2, kMax: 6, lr: 0.002, steps: 3000, recordEvery: 10 },
    full: { replicates: 5, n: 128, scalePower: 2, kMax: 6, lr: 0.002, steps: 6000, recordEvery: 10 },
  },
  run: runFeatures,
  judge: (m) => judgeOrder(m, RULE_1D),
  figures: (m) => ({ curves: errorCurves(m.runs, m.bands, 'ΔF(k) for a k²-weighted Fourier-feature model (control)', RULE_1D.threshold, 'ΔF(k)') }),
});
