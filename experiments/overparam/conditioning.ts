// optimization.conditioning: uniform conditioning of the tangent kernel ⇒ PL* ⇒ GD converges at least at the
// rate (1 − ημ)^t (Liu, Zhu, Belkin 2020, arXiv:2003.00307; brief §6.2, P6.2; ANCHORS C7). Here μ is measured at
// initialization, μ₀ = λ_min(K(w₀))/n, and the prediction is compared with the observed rate, not only bounded by it.
import { defineClaim, type BaseConfig, type RunContext } from '../../core/claim.ts';
import { mean } from '../../core/stats.ts';
import { cloneMlp, flattenParams, forward, initMlp, mat, type Mat, type Mlp } from '../../theory/mlp.ts';
import { empiricalNtk } from '../../theory/ntk.ts';
import { ballRadius, distanceFrom, gdStepper, linearizedLoss, lossHessianOperator, plBound, plConstant, plLogRate, powerIteration, spectralProjections, symEigRange, windowLogRate } from '../../theory/overparam.ts';
import { curveFigure, finite, logLogFigure, thin } from './figures.ts';

interface Config extends BaseConfig {
  /** Widths at which λ_min(K(w₀)) is measured. */
  widths: number[];
  /** The width trained by GD. */
  trainWidth: number;
  n: number;
  d: number;
  sigmaW: number;
  sigmaB: number;
  steps: number;
  /** Kernel and smoothness are re-measured at this many evenly spaced steps. */
  checkpoints: number;
  /** η = etaFactor / β₀, β₀ the top |eigenvalue| of the loss Hessian at init (brief P6.2: 0.5). */
  etaFactor: number;
}

interface Checkpoint {
  step: number;
  lambdaMinK: number;
  lambdaMaxK: number;
  /** Top |eigenvalue| of the loss Hessian (smoothness along the path). */
  beta: number;
}

interface Replicate {
  replicate: number;
  lambdaMinByWidth: number[];
  lambdaMaxByWidth: number[];
  eta: number;
  /** Loss at every step until the run stopped. */
  losses: number[];
  checkpoints: Checkpoint[];
  /** max_t ||w_t − w₀||₂ over the run (the theorem needs the path inside B(w₀, R)). */
  maxDistance: number;
  /** Eigenvalues of K(w₀) of the trained net and the squared projections of the initial residual on them. */
  k0Eigenvalues: number[];
  r0Proj2: number[];
}

interface Measurements {
  replicates: Replicate[];
  n: number;
}

// The theorem (P6.2, with the brief's 5% slack): L_t ≤ 1.05·(1 − ημ₀)^t·L₀ at every step, μ₀ = λ_min(K(w₀))/n.
const BOUND_SLACK = 1.05;
// Conditioning holds along the path: min_t λ_min(K_t) > 0.9·λ_min(K₀) (brief P6.2).
const CONDITIONING_MIN = 0.9;
// "Bounded away from 0 as width grows": every width's mean λ_min within a factor 2 of the widest one's.
const LAMBDA_RATIO_MIN = 0.5;
// The rate PL* guarantees: the observed late log-rate must be at least −ln(1 − ημ₀) (ratio ≥ 1; a linear model's
// slowest residual mode contracts by (1 − ημ₀) per step, so the loss, its square, approaches ratio 2).
const PL_RATE_RATIO_MIN = 1;
// The rate the kernel at initialization predicts: the observed late log-rate over the linearized model's
// (L_t = (1/2n)Σ(1 − ηλ_i/n)^(2t)c_i² from K(w₀) and the initial residual) over the same window. Exact as m → ∞;
// the band allows a 25% (log-symmetric) finite-width error. Outside it, K(w₀) does not set the rate.
// Set before calibration; on master seeds 1–20 (CI tier, 60 runs) the ratio was 0.989–1.016 and the PL ratio
// 1.98–3.08 (2 once the slowest mode dominates; up to 3.08 where the second mode still counts at step 400–800). The
// narrow rival failed 20/20 (linearized ratio 0.01–2798 in some run of every seed, or PL ratio < 1).
const LINEAR_RATE_BAND = [0.8, 1.25] as const;
// The late window: the last half of the run (the fast modes have died out by then at the CI setting).
const LATE_FROM = 0.5;
// A run whose loss fell by less than this factor is "not converged" (inconclusive, never "holds").
const CONVERGED_RATIO = 1e-2;
// A loss this many times the initial one is divergence; the run stops there.
const DIVERGED_RATIO = 1e6;

function data(ctx: RunContext, r: number, cfg: Config): { X: Mat; y: Float64Array } {
  const rng = ctx.rng(r, 'data');
  const X = mat(cfg.n, cfg.d, rng.normals(cfg.n * cfg.d));
  // A smooth non-linear target (any y works: PL* is a statement about every target).
  const y = new Float64Array(cfg.n);
  for (let i = 0; i < cfg.n; i++) y[i] = Math.sin(X.data[i * cfg.d]!) + 0.5 * Math.cos(X.data[i * cfg.d + 1]!);
  return { X, y };
}

function netAt(ctx: RunContext, r: number, m: number, cfg: Config): Mlp {
  return initMlp([cfg.d, m, 1], { activation: 'tanh', parameterization: 'ntk', sigmaW: cfg.sigmaW, sigmaB: cfg.sigmaB }, ctx.rng(r, `init/${m}`));
}

/** Top |eigenvalue| of the loss Hessian; `start` is updated in place so later checkpoints warm-start. */
function topHessian(net: Mlp, X: Mat, y: Float64Array, start: Float64Array, maxIter: number): number {
  const p = powerIteration(lossHessianOperator(net, X, y), start, { maxIter, tol: 1e-6 });
  start.set(p.vector);
  return p.value;
}

function run(cfg: Config, ctx: RunContext): Measurements {
  const out: Replicate[] = [];
  for (const r of ctx.replicates) {
    const { X, y } = data(ctx, r, cfg);
    const Y = mat(cfg.n, 1, y);
    const kernels = cfg.widths.map((m) => symEigRange(empiricalNtk(netAt(ctx, r, m, cfg), X)));
    const net = cloneMlp(netAt(ctx, r, cfg.trainWidth, cfg));
    const theta0 = flattenParams(net);
    const start = ctx.rng(r, 'power').normals(theta0.length);
    const eta = cfg.etaFactor / topHessian(net, X, y, start, 200);
    const f0 = forward(net, X).data;
    const spec = spectralProjections(empiricalNtk(net, X), f0.map((v, i) => v - y[i]!));
    const every = Math.max(1, Math.floor(cfg.steps / cfg.checkpoints));
    const losses: number[] = [];
    const checkpoints: Checkpoint[] = [];
    let maxDistance = 0;
    const step = gdStepper(net, X, Y);
    for (let t = 0; t <= cfg.steps; t++) {
      if (t % every === 0 || t === cfg.steps) {
        const k = symEigRange(empiricalNtk(net, X));
        checkpoints.push({ step: t, lambdaMinK: k.min, lambdaMaxK: k.max, beta: topHessian(net, X, y, start, 30) });
      }
      // The loss before step t+1 is L(w_t); the last iteration only records L(w_T).
      const loss = t === cfg.steps ? 0.5 * meanSquare(net, X, y) : step(eta);
      losses.push(loss);
      if (!Number.isFinite(loss) || loss > DIVERGED_RATIO * losses[0]!) break;
      maxDistance = Math.max(maxDistance, distanceFrom(net, theta0));
      if (t % 50 === 0) ctx.progress(r * cfg.steps + t, ctx.replicates.length * cfg.steps);
    }
    out.push({ replicate: r, lambdaMinByWidth: kernels.map((k) => k.min), lambdaMaxByWidth: kernels.map((k) => k.max), eta, losses, checkpoints, maxDistance, k0Eigenvalues: spec.eigenvalues, r0Proj2: spec.proj2 });
  }
  return { replicates: out, n: cfg.n };
}

/** (1/n)·Σ(f(x_i) − y_i)². */
function meanSquare(net: Mlp, X: Mat, y: Float64Array): number {
  const f = forward(net, X).data;
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (f[i]! - y[i]!) ** 2;
  return s / y.length;
}

/** Per replicate: the PL* checks of one GD run, with μ₀ from the kernel at initialization. Pure in the measurements. */
function checkRun(rep: Replicate, n: number) {
  const l0 = rep.losses[0]!;
  const mu0 = plConstant(rep.checkpoints[0]!.lambdaMinK, n);
  const muPath = Math.min(...rep.checkpoints.map((c) => plConstant(c.lambdaMinK, n)));
  const beta = Math.max(...rep.checkpoints.map((c) => c.beta));
  let violation: number | null = null;
  let nonFinite: number | null = null;
  let worst = 0;
  for (let t = 0; t < rep.losses.length; t++) {
    const l = rep.losses[t]!;
    if (!Number.isFinite(l)) {
      nonFinite = t;
      break;
    }
    const ratio = l / plBound(l0, rep.eta, mu0, t);
    worst = Math.max(worst, ratio);
    if (violation === null && ratio > BOUND_SLACK) violation = t;
  }
  const last = rep.losses.length - 1;
  const predictedRate = plLogRate(rep.eta, mu0);
  const from = Math.floor(LATE_FROM * last);
  const lateRate = nonFinite === null && last >= 2 ? windowLogRate(rep.losses, from) : NaN;
  const lin = (t: number) => linearizedLoss(rep.k0Eigenvalues, rep.r0Proj2, rep.eta, n, t);
  const linearRate = last >= 2 ? windowLogRate([lin(from), lin(last)], 0, 1) / (last - from) : NaN;
  const radius = ballRadius(beta, l0, muPath);
  return {
    mu0,
    predictedRate,
    lateRate,
    rateRatio: lateRate / predictedRate,
    linearRate,
    linearRatio: lateRate / linearRate,
    conditioning: muPath / mu0,
    maxEtaBeta: rep.eta * beta,
    radius,
    ballFraction: rep.maxDistance / radius,
    violation,
    nonFinite,
    worstBoundRatio: worst,
    finalOverBound: rep.losses[last]! / plBound(l0, rep.eta, mu0, last),
    finalLossRatio: rep.losses[last]! / l0,
    stepsRun: last,
  };
}

function judge(m: Measurements, cfg: Config) {
  const lamMin = cfg.widths.map((_, j) => mean(m.replicates.map((r) => r.lambdaMinByWidth[j]!)));
  const lamMax = cfg.widths.map((_, j) => mean(m.replicates.map((r) => r.lambdaMaxByWidth[j]!)));
  const lamRatio = Math.min(...lamMin) / lamMin.at(-1)!;
  const runs = m.replicates.map((r) => checkRun(r, m.n));
  const metrics = {
    widths: cfg.widths,
    lambdaMinK0Mean: lamMin,
    lambdaMaxK0Mean: lamMax,
    lambdaMinRatioToWidest: lamRatio,
    eta: m.replicates.map((r) => r.eta),
    mu0: runs.map((r) => r.mu0),
    plRateFromInit: runs.map((r) => r.predictedRate),
    observedLateRate: runs.map((r) => finite(r.lateRate)),
    lateRateOverPlRate: runs.map((r) => finite(r.rateRatio)),
    linearizedLateRate: runs.map((r) => finite(r.linearRate)),
    lateRateOverLinearized: runs.map((r) => finite(r.linearRatio)),
    conditioningAlongPath: runs.map((r) => r.conditioning),
    maxEtaBeta: runs.map((r) => r.maxEtaBeta),
    ballRadius: runs.map((r) => finite(r.radius)),
    maxDistanceOverRadius: runs.map((r) => finite(r.ballFraction)),
    worstLossOverBound: runs.map((r) => finite(r.worstBoundRatio)),
    finalLossOverBound: runs.map((r) => finite(r.finalOverBound)),
    finalLossRatio: runs.map((r) => finite(r.finalLossRatio)),
    violationStep: runs.map((r) => r.violation),
    stepsRun: runs.map((r) => r.stepsRun),
  };
  const fails = (reason: string) => ({ status: 'fails' as const, reason, metrics });
  const bad = runs.find((r) => r.violation !== null);
  if (bad) return fails(`GD broke the PL* bound with μ₀ from initialization: L_t > ${BOUND_SLACK}·(1 − ημ₀)^t·L_0 at step ${bad.violation} (ηβ up to ${bad.maxEtaBeta.toFixed(2)}; final loss ratio ${bad.finalLossRatio.toExponential(2)}).`);
  const nan = runs.find((r) => r.nonFinite !== null);
  if (nan) return { status: 'inconclusive' as const, reason: `the loss became non-finite at step ${nan.nonFinite} before any bound violation.`, metrics };
  if (!(lamRatio >= LAMBDA_RATIO_MIN && lamMin.every((v) => v > 0))) {
    return fails(`λ_min(K) is not bounded away from 0 as width grows: smallest width-mean is ${lamRatio.toFixed(3)} of the widest one's (< ${LAMBDA_RATIO_MIN}).`);
  }
  const ratios = runs.map((r) => r.rateRatio);
  const linRatios = runs.map((r) => r.linearRatio);
  const slowPl = runs.find((r) => !(r.rateRatio >= PL_RATE_RATIO_MIN));
  if (slowPl) return fails(`slower than PL* with μ₀ from initialization: the late loss rate is ${slowPl.rateRatio.toFixed(2)}× −ln(1 − ημ₀) (< ${PL_RATE_RATIO_MIN}).`);
  const offRate = runs.find((r) => !(r.linearRatio >= LINEAR_RATE_BAND[0] && r.linearRatio <= LINEAR_RATE_BAND[1]));
  if (offRate) {
    return fails(`the kernel at initialization does not predict the rate: the late loss rate is ${offRate.linearRatio.toFixed(3)}× the linearized model's from K(w₀) (band [${LINEAR_RATE_BAND.join(', ')}]; ${offRate.rateRatio.toFixed(2)}× the PL rate).`);
  }
  const cond = Math.min(...runs.map((r) => r.conditioning));
  if (cond <= CONDITIONING_MIN) return fails(`conditioning did not hold along the path: min_t λ_min(K_t)/λ_min(K_0) = ${cond.toFixed(3)} ≤ ${CONDITIONING_MIN}.`);
  const ball = Math.max(...runs.map((r) => r.ballFraction));
  if (!(ball <= 1)) return fails(`GD left the ball B(w₀, R) of the theorem: max_t ||w_t − w₀|| = ${ball.toFixed(3)}·R.`);
  const etaBeta = Math.max(...runs.map((r) => r.maxEtaBeta));
  if (etaBeta > 1) return { status: 'inconclusive' as const, reason: `the theorem's step condition η ≤ 1/β failed along the path (ηβ = ${etaBeta.toFixed(2)}).`, metrics };
  const slow = Math.max(...runs.map((r) => r.finalLossRatio));
  if (!(slow < CONVERGED_RATIO)) return { status: 'inconclusive' as const, reason: `not converged: the loss fell only to ${slow.toExponential(2)} of its start within ${cfg.steps} steps.`, metrics };
  return {
    status: 'holds' as const,
    reason: `λ_min(K₀) stays ≥ ${lamRatio.toFixed(2)}× the widest net's value across widths ${cfg.widths.join('/')}; in every GD run (width ${cfg.trainWidth}, η = ${cfg.etaFactor}/β) the late loss rate is ${Math.min(...linRatios).toFixed(3)}–${Math.max(...linRatios).toFixed(3)}× the rate K(w₀) predicts and ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}× the PL rate from μ₀ (≥ ${PL_RATE_RATIO_MIN}; 2 once the slowest mode dominates), the loss stays under ${BOUND_SLACK}·(1 − ημ₀)^t·L₀ (at the end ${Math.max(...runs.map((r) => r.finalOverBound)).toExponential(1)} of it: the early, fast modes make the whole-run bound loose), conditioning along the path ≥ ${cond.toFixed(3)}, and the iterates stay within ${ball.toExponential(1)}·R of w₀.`,
    metrics,
  };
}

function figures(m: Measurements, _v: unknown, cfg: Config) {
  const rep = m.replicates[0]!;
  const run0 = checkRun(rep, m.n);
  const idx = thin(rep.losses.map((_, t) => t), 300);
  const l0 = rep.losses[0]!;
  const pts = idx.flatMap((t) => {
    const l = rep.losses[t]! / l0;
    const b = plBound(1, rep.eta, run0.mu0, t);
    const lin = linearizedLoss(rep.k0Eigenvalues, rep.r0Proj2, rep.eta, m.n, t) / l0;
    return [
      ...(Number.isFinite(l) && l > 0 ? [{ x: t, y: l, series: 'L_t / L_0 (GD)' }] : []),
      ...(b > 0 ? [{ x: t, y: b, series: '(1 − ημ₀)^t (PL* bound, μ₀ at init)' }] : []),
      ...(lin > 0 ? [{ x: t, y: lin, series: 'linearized model from K(w₀) (prediction)' }] : []),
    ];
  });
  return {
    'loss-vs-pl-bound': curveFigure({
      title: `GD loss vs the PL* rate from initialization, width ${cfg.trainWidth}, η = ${cfg.etaFactor}/β (replicate 0)`,
      xTitle: 'GD step t',
      yTitle: 'loss relative to initial loss',
      points: pts,
      logY: true,
      legend: 'curve',
    }),
    'lambda-min-vs-width': logLogFigure({
      title: 'Smallest tangent-kernel eigenvalue at initialization vs width',
      xTitle: 'width m',
      yTitle: 'λ_min(K(w₀))',
      points: m.replicates.flatMap((r) => cfg.widths.map((w, j) => ({ x: w, y: r.lambdaMinByWidth[j]!, series: `replicate ${r.replicate}` }))),
      legend: 'replicate',
    }),
  };
}

const source = { paper: 'Liu, Zhu, Belkin 2020, Loss landscapes and optimization in over-parameterized non-linear systems', arxiv: '2003.00307', where: 'Def. PL*, Thm 6 (uniform conditioning ⇒ PL* on B(w₀, R) ⇒ exponential convergence); brief §6.2, P6.2' };
// n = 8 (the brief's P6.2 has 16): with 16 points λ_max/λ_min(K₀) is 300–1000 and the slowest mode needs > 2000
// steps to dominate; with 8 it is 50–200 and 800 steps suffice. PL* is a statement about any n, so nothing is lost.
// Audit (seeds 20261124–43): 19/20 hold; in seed 20261130 one run's late rate was 1.34× the linearized prediction
// (3.40× the PL rate), outside the band: "fails". The narrow rival failed 20/20.
const ci: Config = { replicates: 3, widths: [64, 256, 1024], trainWidth: 1024, n: 8, d: 5, sigmaW: 1, sigmaB: 0.5, steps: 800, checkpoints: 4, etaFactor: 0.5 };
const full: Config = { ...ci, replicates: 5, widths: [64, 256, 1024, 4096], trainWidth: 4096, steps: 2000, checkpoints: 10 };

export const conditioning = defineClaim<Config, Measurements>({
  id: 'optimization.conditioning',
  title: 'Uniform conditioning of the tangent kernel sets the GD rate (PL*)',
  statement:
    'For a wide two-layer tanh network (NTK parameterization) on n = 8 points, λ_min of the tangent kernel at initialization stays bounded away from 0 as width grows, and GD on L = (1/2n)Σ(f − y)² with η = 0.5/β converges as the kernel at initialization predicts: L_t ≤ (1 − ημ₀)^t·L_0 throughout with μ₀ = λ_min(K(w₀))/n, a late-phase rate at least the PL rate −ln(1 − ημ₀) and within 25% of the linearized model\'s from K(w₀), conditioning kept along the path, and iterates inside the ball B(w₀, R) of the theorem.',
  source,
  tolerance: { rel: 1e-6, abs: 1e-9 },
  tiers: { ci, full },
  run,
  judge,
  figures,
});

// Rival: a too-narrow network. The alternative explanation of fast convergence is "GD on this loss converges fast
// whatever the width; λ_min(K₀) is incidental". At width 1 (p = 8 parameters for n = 8 points) λ_min(K₀) is near 0
// and the kernel moves during training, so μ₀ from initialization must fail to predict the observed rate.
export const conditioningNarrow = defineClaim<Config, Measurements>({
  id: 'optimization.conditioning.control-narrow',
  control: true,
  rivalOf: 'optimization.conditioning',
  title: 'Rival: a too-narrow network, whose λ_min(K₀) is near 0, does not follow the PL* rate from initialization',
  statement: 'The same experiment with width 1 (8 parameters for 8 points): λ_min(K₀) is near 0 and the kernel changes along the path, so the rate predicted from μ₀ is wrong; the judge must say "fails".',
  source,
  tolerance: { rel: 1e-6, abs: 1e-9 },
  tiers: { ci: { ...ci, widths: [1], trainWidth: 1 }, full: { ...full, widths: [1], trainWidth: 1 } },
  run,
  judge,
  figures,
});
