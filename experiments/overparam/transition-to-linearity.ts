// optimization.transition-to-linearity: the Hessian of a wide network's output w.r.t. its parameters has spectral
// norm ~ m^(−1/2) while the tangent kernel stays O(1) (Liu, Zhu, Belkin 2020, arXiv:2010.01092; brief §6.2, P6.1).
import { defineClaim, estimate, type BaseConfig, type RunContext } from '../../core/claim.ts';
import { logLogFit, mean, median } from '../../core/stats.ts';
import { activateDeriv, flattenParams, forward, initMlp, mat, type Activation, type Mat, type Mlp, type Parameterization } from '../../theory/mlp.ts';
import { fdOutputHvpOperator, nonlinearOutputHvpOperator, nonlinearOutputLossGrad } from '../../theory/linearity.ts';
import { empiricalNtk } from '../../theory/ntk.ts';
import { distanceFrom, gdStepper, outputHessianNormExact, outputHvpOperator, powerIteration, symEigRange } from '../../theory/overparam.ts';
import { logLogFigure } from './figures.ts';

/** The model: the paper's wide two-layer net, or one of its two counterexamples (2010.01092 §4). */
type Variant = 'two-layer' | 'output-tanh' | 'bottleneck';

interface Config extends BaseConfig {
  widths: number[];
  d: number;
  activation: Activation;
  parameterization: Parameterization;
  sigmaW: number;
  sigmaB: number;
  powerIterations: number;
  variant: Variant;
  /** Width of the middle layer of the bottleneck net d → m → b → m → 1. */
  bottleneck: number;
  /** Training points (the Hessian is probed at the first one). */
  n: number;
  /** GD steps with η = etaFactor·n/λ_max(K₀); the Hessian is measured at `checkpoints` evenly spaced steps. */
  steps: number;
  checkpoints: number;
  etaFactor: number;
}

interface Row {
  replicate: number;
  m: number;
  /** ||H_f(x)||₂ at initialization (power iteration on Hessian-vector products). */
  hessInit: number;
  /** max over the checkpoints of ||H_f(x)||₂ along the GD path (the quantity the theory bounds on the ball). */
  hessPower: number;
  /** The same maximum from the closed-form per-neuron blocks (two-layer net only; null otherwise). */
  hessExact: number | null;
  maxAbsV: number;
  /** Θ(x, x), the tangent kernel at the input, at initialization. */
  ntk: number;
  /** max_t ||w_t − w₀||₂ along the path. */
  maxDistance: number;
  /** ||K_T − K_0||_F/||K_0||_F on the training set. */
  kernelChange: number;
  finalLossRatio: number;
}

// Paper: ||H|| = Õ(1/√m) (the √log m growth of max|v_i| pulls the fitted exponent up); brief [Cal] −0.42 at
// m = 64…16384 at initialization. Band [−0.55, −0.30] around it (brief P6.1), now for the maximum along the GD path;
// the interval must exclude 0 (a real decay).
const SLOPE_BAND = [-0.55, -0.3] as const;
// "Tangent kernel O(1)": per-width means of Θ(x,x) within a factor 2 of each other.
const NTK_RATIO_MAX = 2;
// Power iteration must agree with the closed-form block norm; otherwise the measurement is not trusted.
const POWER_EXACT_TOL = 0.02;
// "Along training" needs training: the median final loss must be below half the initial one.
const TRAINED_RATIO = 0.5;

/** One replicate's inputs (|x| = √d, brief §6.3) and smooth targets in (−1, 1) (reachable by a tanh output). */
function data(ctx: RunContext, r: number, cfg: Config): { X: Mat; y: Float64Array } {
  const rng = ctx.rng(r, 'x');
  const X = mat(cfg.n, cfg.d);
  const y = new Float64Array(cfg.n);
  for (let i = 0; i < cfg.n; i++) {
    const xr = rng.normals(cfg.d);
    const nx = Math.hypot(...xr);
    for (let k = 0; k < cfg.d; k++) X.data[i * cfg.d + k] = (xr[k]! * Math.sqrt(cfg.d)) / nx;
    y[i] = 0.8 * Math.tanh(X.data[i * cfg.d]! + 0.5 * X.data[i * cfg.d + 1]!);
  }
  return { X, y };
}

const OUT_TANH = { phi: 'tanh' as const };

/** The model's tangent kernel on X: K_g, or diag(φ'(g))·K_g·diag(φ'(g)) with a tanh output. */
function kernel(net: Mlp, X: Mat, variant: Variant): Mat {
  const K = empiricalNtk(net, X);
  if (variant !== 'output-tanh') return K;
  const g = forward(net, X).data;
  const s = Array.from(g, (v) => activateDeriv('tanh', v));
  return { ...K, data: K.data.map((v, q) => v * s[Math.floor(q / X.rows)]! * s[q % X.rows]!) };
}

/** One GD step on the variant's loss, returning the loss before it; `step` is the net's plain-MSE gdStepper. */
function lossAndStep(net: Mlp, X: Mat, y: Float64Array, eta: number, variant: Variant, step: (eta: number) => number): number {
  if (variant !== 'output-tanh') return step(eta);
  const { loss, grad } = nonlinearOutputLossGrad(net, X, y, OUT_TANH);
  let o = 0;
  for (const l of net.layers) {
    for (let q = 0; q < l.W.length; q++) l.W[q]! -= eta * grad[o++]!;
    for (let q = 0; q < l.b.length; q++) l.b[q]! -= eta * grad[o++]!;
  }
  return loss;
}

function hessianNorm(net: Mlp, x: Float64Array, cfg: Config, start: Float64Array): { power: number; exact: number | null; maxAbsV: number } {
  const op =
    cfg.variant === 'two-layer' ? outputHvpOperator(net, x) : cfg.variant === 'output-tanh' ? nonlinearOutputHvpOperator(net, x, OUT_TANH) : fdOutputHvpOperator(net, x, flattenParams(net));
  const power = powerIteration(op, start, { maxIter: cfg.powerIterations, tol: 1e-7 }).value;
  if (cfg.variant !== 'two-layer') return { power, exact: null, maxAbsV: Math.max(...net.layers.at(-1)!.W.map(Math.abs)) };
  const ex = outputHessianNormExact(net, x);
  return { power, exact: ex.norm, maxAbsV: ex.maxAbsV };
}

function frobenius(a: Mat): number {
  return Math.hypot(...a.data);
}

function run(cfg: Config, ctx: RunContext): Row[] {
  const rows: Row[] = [];
  let done = 0;
  for (const r of ctx.replicates) {
    const { X, y } = data(ctx, r, cfg);
    const x = X.data.slice(0, cfg.d);
    for (const m of cfg.widths) {
      const sizes = cfg.variant === 'bottleneck' ? [cfg.d, m, cfg.bottleneck, m, 1] : [cfg.d, m, 1];
      const net = initMlp(sizes, { activation: cfg.activation, parameterization: cfg.parameterization, sigmaW: cfg.sigmaW, sigmaB: cfg.sigmaB }, ctx.rng(r, `init/${m}`));
      const theta0 = flattenParams(net);
      const start = ctx.rng(r, `start/${m}`).normals(theta0.length);
      const K0 = kernel(net, X, cfg.variant);
      const eta = (cfg.etaFactor * cfg.n) / symEigRange(K0).max;
      const every = Math.max(1, Math.floor(cfg.steps / (cfg.checkpoints - 1)));
      const step = gdStepper(net, X, mat(X.rows, 1, y));
      let hessInit = 0;
      let hessPower = 0;
      let hessExact: number | null = null;
      let maxAbsV = 0;
      let maxDistance = 0;
      let loss0 = NaN;
      let loss = NaN;
      for (let t = 0; t <= cfg.steps; t++) {
        if (t % every === 0 || t === cfg.steps) {
          const h = hessianNorm(net, x, cfg, start);
          if (t === 0) hessInit = h.power;
          hessPower = Math.max(hessPower, h.power);
          hessExact = h.exact === null ? null : Math.max(hessExact ?? 0, h.exact);
          maxAbsV = Math.max(maxAbsV, h.maxAbsV);
        }
        if (t === cfg.steps) break;
        loss = lossAndStep(net, X, y, eta, cfg.variant, step);
        if (t === 0) loss0 = loss;
        maxDistance = Math.max(maxDistance, distanceFrom(net, theta0));
      }
      const KT = kernel(net, X, cfg.variant);
      const dK = { ...KT, data: KT.data.map((v, q) => v - K0.data[q]!) };
      rows.push({ replicate: r, m, hessInit, hessPower, hessExact, maxAbsV, ntk: K0.data[0]!, maxDistance, kernelChange: frobenius(dK) / frobenius(K0), finalLossRatio: loss / loss0 });
      ctx.progress(++done, ctx.replicates.length * cfg.widths.length);
    }
  }
  return rows;
}

function perWidth(rows: Row[], widths: number[], f: (r: Row) => number): number[] {
  return widths.map((m) => mean(rows.filter((r) => r.m === m).map(f)));
}

function judge(rows: Row[], cfg: Config) {
  const checked = rows.filter((r) => r.hessExact !== null);
  const gap = checked.length === 0 ? null : Math.max(...checked.map((r) => Math.abs(r.hessPower - r.hessExact!) / r.hessExact!));
  const fit = logLogFit(rows.map((r) => r.m), rows.map((r) => r.hessPower));
  const ntk = perWidth(rows, cfg.widths, (r) => r.ntk);
  const ntkRatio = Math.max(...ntk) / Math.min(...ntk);
  const scaled = perWidth(rows, cfg.widths, (r) => (Math.sqrt(r.m) * r.hessPower) / r.maxAbsV);
  const trained = median(rows.map((r) => r.finalLossRatio));
  const metrics = {
    widths: cfg.widths,
    hessianSlope: { ...estimate(fit.slope, fit.ci.lo, fit.ci.hi) },
    hessianNormMedian: cfg.widths.map((m) => median(rows.filter((r) => r.m === m).map((r) => r.hessPower))),
    hessianInitMedian: cfg.widths.map((m) => median(rows.filter((r) => r.m === m).map((r) => r.hessInit))),
    sqrtMHessOverMaxV: scaled,
    ntkDiagMean: ntk,
    ntkRatio,
    powerVsExactMaxRelGap: gap,
    kernelChangeMedian: cfg.widths.map((m) => median(rows.filter((r) => r.m === m).map((r) => r.kernelChange))),
    maxDistanceMedian: cfg.widths.map((m) => median(rows.filter((r) => r.m === m).map((r) => r.maxDistance))),
    finalLossRatioMedian: trained,
  };
  const s = `fitted exponent ${fit.slope.toFixed(3)} [${fit.ci.lo.toFixed(3)}, ${fit.ci.hi.toFixed(3)}]`;
  if (gap !== null && !(gap <= POWER_EXACT_TOL)) {
    return { status: 'inconclusive' as const, reason: `power iteration disagrees with the closed-form block norm by ${gap.toExponential(2)} (> ${POWER_EXACT_TOL})`, metrics };
  }
  if (!(trained < TRAINED_RATIO)) {
    return { status: 'inconclusive' as const, reason: `the path is too short to test "along training": the median loss only fell to ${trained.toFixed(3)} of its start (needs < ${TRAINED_RATIO}).`, metrics };
  }
  const inBand = fit.slope >= SLOPE_BAND[0] && fit.slope <= SLOPE_BAND[1] && fit.ci.hi < 0;
  const ntkOk = ntkRatio <= NTK_RATIO_MAX;
  if (inBand && ntkOk) {
    return { status: 'holds' as const, reason: `max_t ||H_f(w_t)|| along ${cfg.steps} GD steps ~ m^p with ${s}, inside [${SLOPE_BAND.join(', ')}]; Θ(x,x) stays O(1) across widths (max/min ${ntkRatio.toFixed(2)} ≤ ${NTK_RATIO_MAX}).`, metrics };
  }
  const why = [
    inBand ? null : `${s} is outside [${SLOPE_BAND.join(', ')}] or its interval reaches 0`,
    ntkOk ? null : `Θ(x,x) changes by a factor ${ntkRatio.toFixed(2)} across widths (> ${NTK_RATIO_MAX})`,
  ].filter(Boolean);
  return { status: 'fails' as const, reason: `No transition to linearity: ${why.join('; ')}.`, metrics };
}

function figures(rows: Row[], _v: unknown, cfg: Config) {
  const fit = logLogFit(rows.map((r) => r.m), rows.map((r) => r.hessPower));
  const med = (f: (r: Row) => number) => cfg.widths.map((m) => median(rows.filter((r) => r.m === m).map(f)));
  const along = med((r) => r.hessPower);
  const init = med((r) => r.hessInit);
  return {
    'hessian-vs-width': logLogFigure({
      title: `Spectral norm of the output Hessian vs width (${cfg.variant}, ${cfg.parameterization} parameterization, ${cfg.activation})`,
      xTitle: 'width m',
      yTitle: '||∂²f(x)/∂θ²||₂ (power iteration)',
      points: [
        ...rows.map((r) => ({ x: r.m, y: r.hessPower, series: 'max along GD path (each replicate)' })),
        ...cfg.widths.map((m, j) => ({ x: m, y: init[j]!, series: 'at initialization (median)' })),
        ...cfg.widths.map((m, j) => ({ x: m, y: along[j]!, series: 'max along GD path (median)' })),
      ],
      fit: [{ slope: fit.slope, intercept: fit.intercept, xs: [cfg.widths[0]!, cfg.widths.at(-1)!], series: `fit along the path, slope ${fit.slope.toFixed(3)}` }],
      legend: 'measurement',
    }),
  };
}

const base = {
  source: { paper: 'Liu, Zhu, Belkin 2020, On the linearity of large non-linear models', arxiv: '2010.01092', where: 'Thm 3.2 (Hessian norm Õ(1/√m) in a ball), §4 (non-linear output and bottleneck counterexamples); brief §6.2, P6.1' },
  tolerance: { rel: 1e-6, abs: 1e-9 },
  run,
  judge,
  figures,
};

// CI stops at 1024 (cost is linear in Σm, and three models run); the full tier adds 4096 and 16384 (brief §6.3
// calibrated 64…16384: −0.42; at initialization 64…1024 gives −0.41 here).
// GD: n = 8 points, 100 steps at η = 0.5·n/λ_max(K₀), the Hessian measured at steps 0, 50, 100.
const ci: Config = { replicates: 3, widths: [64, 256, 1024], d: 5, activation: 'tanh', parameterization: 'ntk', sigmaW: 1, sigmaB: 0, powerIterations: 100, variant: 'two-layer', bottleneck: 1, n: 8, steps: 100, checkpoints: 3, etaFactor: 0.5 };
const full: Config = { ...ci, replicates: 6, widths: [...ci.widths, 4096, 16384], powerIterations: 1000, steps: 400, checkpoints: 5 };

export const transitionToLinearity = defineClaim<Config, Row[]>({
  ...base,
  id: 'optimization.transition-to-linearity',
  title: 'Transition to linearity: the output Hessian shrinks like m^(−1/2) along training',
  statement:
    'For a two-layer tanh network in NTK parameterization f(x) = (1/√m)·Σ v_i σ(w_iᵀx/√d), the spectral norm of ∂²f/∂θ², measured at initialization and along GD training (its maximum over the path), decays like m^(−1/2) (up to √log m) while the tangent kernel Θ(x,x) stays O(1).',
  tiers: { ci, full },
});

// Rivals: the paper's own counterexamples (2010.01092 §4). Same widths, data, GD and judge; only the architecture
// changes. The alternative explanation they stand for: "wide networks are nearly linear whatever the architecture".
export const transitionToLinearityOutputTanh = defineClaim<Config, Row[]>({
  ...base,
  id: 'optimization.transition-to-linearity.control-nonlinear-output',
  control: true,
  rivalOf: 'optimization.transition-to-linearity',
  title: 'Rival: a non-linear output layer f = tanh(g) keeps an O(1) Hessian at any width',
  statement:
    'With a tanh on the output of the same wide net, ∂²f/∂θ² = φ\'(g)·∂²g/∂θ² + φ\'\'(g)·∇g∇gᵀ and ||∇g||² = Θ(x,x) = O(1), so the Hessian does not decay with width; the judge must say "fails".',
  tiers: { ci: { ...ci, variant: 'output-tanh' }, full: { ...full, variant: 'output-tanh' } },
});

export const transitionToLinearityBottleneck = defineClaim<Config, Row[]>({
  ...base,
  id: 'optimization.transition-to-linearity.control-bottleneck',
  control: true,
  rivalOf: 'optimization.transition-to-linearity',
  title: 'Rival: a bottleneck layer of width 1 keeps an O(1) Hessian at any width',
  statement:
    'The net d → m → 1 → m → 1 (NTK parameterization, tanh) is as wide as the claim\'s, but the output\'s Hessian w.r.t. the single bottleneck activation is O(1), so ||∂²f/∂θ²|| does not decay with m; the judge must say "fails".',
  tiers: { ci: { ...ci, variant: 'bottleneck' }, full: { ...full, variant: 'bottleneck' } },
});
