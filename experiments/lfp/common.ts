// Shared pieces of the lfp claims: the paper's data, the two initialisation regimes, one seeded
// train-and-compare run, the verdict rule over seeds, and the overlay figure.
import type { Estimate, FigureSpec, RunContext, Status } from '../../core/claim.ts';
import { estimate } from '../../core/claim.ts';
import { memoized, pairedRng } from '../../core/paired.ts';
import { mean, relL2, tQuantile } from '../../core/stats.ts';
import { lfpSolve, XOR_POINTS } from '../../theory/lfp.ts';
import { initAntisymmetric, lfpCoefficients, netForward, stepSizes, trainGd, type InitScales } from '../../theory/lfp-net.ts';
import { linearInterpolant, naturalCubicSpline } from '../../theory/lfp-splines.ts';
import { mat, type Mat } from '../../theory/mlp.ts';

/** 1-D data of the LFP repo's fig1a.py / fig1b.py (BRIEF §2.5, ANCHORS C4). */
export const DATA_1D = { x: [-0.8, -0.6, -0.3, -0.06, 0.1], y: [0.25, -0.25, -0.07, 0.15, -0.05] };

/**
 * The two regimes of BRIEF §2.6 (P2.1, P2.2). Cubic: large |w| makes E|w|³ (the |ξ|^-(d+3) term) dominate, so the
 * prediction is close to the natural cubic spline. Linear: large |a|, small |w| make E[a²|w|] (the |ξ|^-(d+1) term)
 * dominate: nearly piecewise linear. The linear regime uses v_l = 0.2 (kinks near the data; the code's v_l = 1
 * needs m ≈ 160000 for the same accuracy, BRIEF §2.5 calibration).
 */
export const CUBIC: InitScales = { vw: 3, vl: 3, va: 0.1, law: 'uniform' };
export const LINEAR: InitScales = { vw: 0.2, vl: 0.2, va: 1, law: 'uniform' };
/**
 * Between the two: A and B both matter. γ²'s two terms are equal in the tool's units (a/b = 4π²·E[a²|w|]/E|w|³ ≈ 1 for
 * v_w = 1, v_a = 0.2), where the LFP solution is 0.18 from both the natural cubic spline and the linear interpolant
 * (log₁₀ a/b = 0: 0.177 and 0.183; it is ≥ 0.1 from both for log₁₀ a/b in about [−0.4, 0.6]). v_l = 1 ≥ v_w·max|x| puts
 * every neuron's kink range over the data, as the uniform-bias derivation of γ² assumes (BRIEF §2.3(a)).
 */
export const INTERMEDIATE: InitScales = { vw: 1, vl: 1, va: 0.2, law: 'uniform' };
/** XOR as the authors ran it (fig2.py: v_w = 0.8 Gaussian, v_l = 1, v_a = 0.2 Gaussian; BRIEF §2.5). */
export const XOR_AUTHORS: InitScales = { vw: 0.8, vl: 1, va: 0.2, law: 'gaussian' };
/** XOR with v_l = 2 so the bias range covers the corners at |x| = √2 (BRIEF §2.5): a second, labelled configuration. */
export const XOR_WIDE_BIAS: InitScales = { vw: 0.8, vl: 2, va: 0.2, law: 'gaussian' };

/**
 * What the network is compared with. 'lfp': the LFP long-time solution with γ² from the initial parameters (the
 * claim). Its two limits are the rivals: 'cubic' (γ² = b|ξ|^-(d+3) alone: the natural cubic spline in 1-D, the
 * pure-cubic closed form in 2-D) and 'linear' (γ² = a|ξ|^-(d+1) alone: the linear interpolant in 1-D, the pure-linear
 * closed form in 2-D).
 */
export type Prediction = 'lfp' | 'cubic' | 'linear';
export const PREDICTIONS: readonly Prediction[] = ['lfp', 'cubic', 'linear'];

/** The name a reason uses for a prediction, in d dimensions. */
export function predictionName(p: Prediction, d = 1): string {
  if (p === 'lfp') return 'LFP';
  if (d === 1) return p === 'cubic' ? 'the natural cubic spline' : 'the linear interpolant';
  return p === 'cubic' ? 'the pure-cubic closed form' : 'the pure-linear closed form';
}

/** The network's relative L2 distance to one prediction. */
export function distanceTo(r: Pick<SeedRun, 'distLfp' | 'distCubic' | 'distLinear'>, p: Prediction): number | null {
  return p === 'lfp' ? r.distLfp : p === 'cubic' ? r.distCubic : r.distLinear;
}

/** The same run seen with `p` as the prediction: distLfp becomes the distance to p (for the rival controls). */
export function asPrediction(r: SeedRun, p: Prediction): SeedRun {
  return p === 'lfp' ? r : { ...r, distLfp: distanceTo(r, p) };
}

/** Training settings shared by the claims. */
export interface TrainConfig {
  /** Heavy-ball momentum (critically damped from the initial NTK) instead of plain GD: see theory/lfp-net.ts. */
  momentum: boolean;
  maxSteps: number;
  /** Converged when ||h(X) − y|| ≤ tol·||y||; the distances compared are ≥ 1e-2, so 1e-3 is negligible. */
  tol: number;
}

/** Heavy-ball momentum, for badly conditioned NTKs (the 1-D cubic regime, κ ≈ 1.5e4): see regimes.ts. */
export const MOMENTUM: TrainConfig = { momentum: true, maxSteps: 20000, tol: 1e-3 };
/** Plain gradient descent, the paper's method, where the NTK is well enough conditioned (XOR, κ ≈ 26). */
export const PLAIN_GD: TrainConfig = { momentum: false, maxSteps: 20000, tol: 1e-3 };

export interface Experiment {
  width: number;
  init: InitScales;
  /** Take the LFP coefficients from a network initialised like this instead (negative control: the other regime). */
  predictFrom?: InitScales;
}

/** One seed: the trained network on the grid, the LFP prediction and the distances. */
export interface SeedRun {
  seed: number;
  width: number;
  coef: { a: number; b: number };
  kappa: number;
  momentum: number;
  steps: number;
  residual: number | null;
  converged: boolean;
  divergedAt: number | null;
  /**
   * Not converged, but stuck: the residual moved by less than STALL_TOLERANCE (relative) over the second half of the
   * step budget, so the run sits at a stationary point of the loss that does not interpolate (more steps would not
   * change it). Narrow nets end there when no ReLU kink can reach some gap between data points, or when every unit
   * has died. Such a run's long-time limit is known and is not an interpolant.
   */
  stalled: boolean;
  distLfp: number | null;
  /**
   * Distances of the network to LFP's two limits: in 1-D the natural cubic spline and the linear interpolant, in 2-D
   * the pure-cubic (a = 0) and pure-linear (b = 0) LFP solutions.
   */
  distCubic: number | null;
  distLinear: number | null;
  net: number[];
  lfp: number[];
  trace: { step: number; residual: number }[];
}

/** 800 points on [min x, max x), as fig1a.py evaluates. */
export function grid1d(points = 800): Mat {
  const lo = Math.min(...DATA_1D.x);
  const hi = Math.max(...DATA_1D.x);
  return mat(points, 1, Float64Array.from({ length: points }, (_, i) => lo + ((hi - lo) * i) / points));
}

/** The 40×40 grid on [−1, 1]² (seed text: 1600 uniformly spaced points; BRIEF naming trap 2), x₁ fastest. */
export function gridXor(n = 40): Mat {
  const g: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) g.push(-1 + (2 * j) / (n - 1), -1 + (2 * i) / (n - 1));
  return mat(n * n, 2, Float64Array.from(g));
}

export function xorData(): { X: Mat; y: number[] } {
  return { X: mat(4, 2, Float64Array.from(XOR_POINTS.flat())), y: XOR_POINTS.map(([u, v]) => u * v) };
}

export function data1d(): { X: Mat; y: number[] } {
  return { X: mat(DATA_1D.x.length, 1, Float64Array.from(DATA_1D.x)), y: DATA_1D.y };
}

/**
 * The seeded stream of one replicate, keyed by `streamsOf` (a claim id) instead of the running claim's id when given.
 * A rival control passes its claim's id (`pairedWith` in its config), so it judges the very same trained networks as
 * the claim: a paired design, in which only the prediction compared differs.
 */
export function seedStream(ctx: RunContext, seed: number, label: string, streamsOf?: string) {
  return pairedRng(ctx, streamsOf)(seed, label);
}

/**
 * Trains one antisymmetrically initialised network and compares it with the LFP prediction on `grid`. `streamsOf`:
 * see seedStream; the run is memoized (core/paired.ts) under everything that determines it.
 */
export function runSeed(
  e: Experiment,
  train: TrainConfig,
  data: { X: Mat; y: number[] },
  grid: Mat,
  ctx: RunContext,
  seed: number,
  streamsOf?: string,
): SeedRun {
  const streams = streamsOf ?? ctx.claimId;
  const key = JSON.stringify([ctx.masterSeed, streams, e, train, Array.from(data.X.data), data.X.cols, data.y, grid.cols, Array.from(grid.data), seed]);
  // A claim and its paired rivals train each network once per process (core/paired.ts).
  return memoized(`lfp.runSeed/${key}`, () => trainAndCompare(e, train, data, grid, ctx, seed, streamsOf));
}

function trainAndCompare(
  e: Experiment,
  train: TrainConfig,
  data: { X: Mat; y: number[] },
  grid: Mat,
  ctx: RunContext,
  seed: number,
  streamsOf?: string,
): SeedRun {
  const net = initAntisymmetric(e.width, data.X.cols, e.init, seedStream(ctx, seed, `init/${e.width}`, streamsOf));
  const coef = lfpCoefficients(e.predictFrom ? initAntisymmetric(e.width, data.X.cols, e.predictFrom, seedStream(ctx, seed, `predict/${e.width}`, streamsOf)) : net);
  const lfp = lfpSolve(data.X, data.y, grid, coef.a, coef.b);
  const st = stepSizes(net, data.X, train.momentum);
  const res = trainGd(net, data.X, data.y, { lr: st.lr, momentum: st.momentum, maxSteps: train.maxSteps, tol: train.tol });
  const h = netForward(net, grid);
  const limits = lfpLimits(data, grid);
  const distCubic = finite(relL2(h, limits.cubic));
  const distLinear = finite(relL2(h, limits.linear));
  return {
    seed,
    width: e.width,
    coef,
    kappa: st.kappa,
    momentum: st.momentum,
    steps: res.steps,
    residual: res.residual,
    converged: res.converged,
    divergedAt: res.divergedAt,
    stalled: isStalled(res),
    distLfp: finite(relL2(h, lfp)),
    distCubic,
    distLinear,
    net: Array.from(h),
    lfp: Array.from(lfp),
    trace: res.trace,
  };
}

/**
 * LFP's two limits on the grid: in 1-D the natural cubic spline and the linear interpolant through the data (written
 * independently of the LFP solver, theory/lfp-splines.ts); in d ≥ 2 the LFP solution with γ² = |ξ|^-(d+3) alone
 * (pure cubic, a = 0) and with γ² = |ξ|^-(d+1) alone (pure linear, b = 0).
 */
export function lfpLimits(data: { X: Mat; y: number[] }, grid: Mat): { cubic: number[]; linear: number[] } {
  if (data.X.cols === 1) {
    const xs = Array.from(data.X.data);
    const t = Array.from(grid.data);
    return { cubic: t.map(naturalCubicSpline(xs, data.y)), linear: t.map(linearInterpolant(xs, data.y)) };
  }
  return { cubic: Array.from(lfpSolve(data.X, data.y, grid, 0, 1)), linear: Array.from(lfpSolve(data.X, data.y, grid, 1, 0)) };
}

/**
 * Relative change of the residual over the second half of the steps below which a non-converged run counts as
 * stalled. Measured on lfp.1d.narrow (width 80, master seeds 1–20 and the cases that had been inconclusive): stuck
 * runs changed by < 1e-12 (0.0874133918833 from step 10000 to 20000; exactly 1 for a dead net), while runs still
 * converging at the budget change by percents (plain GD at κ ≈ 3e5: 0.447 → 0.407 over 8000 steps).
 */
export const STALL_TOLERANCE = 1e-6;

/** Whether a non-converged, non-diverged run is stuck (see SeedRun.stalled), from its residual trace. */
export function isStalled(res: { converged: boolean; divergedAt: number | null; steps: number; residual: number | null; trace: { step: number; residual: number }[] }): boolean {
  if (res.converged || res.divergedAt !== null || res.residual === null) return false;
  const mid = res.trace.find((p) => p.step >= res.steps / 2);
  if (!mid || mid.step >= res.steps) return false;
  return Math.abs(mid.residual - res.residual) <= STALL_TOLERANCE * res.residual;
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/**
 * Geometric mean of positive distances with a two-sided 95% t-interval over seeds, taken on the log scale (a distance
 * is positive: a t-interval on the raw values over 3 seeds went below 0). Null if any value is missing or not > 0.
 */
export function distanceInterval(xs: (number | null)[]): Estimate | null {
  if (!xs.length || xs.some((x) => x === null || !(x > 0))) return null;
  return logMeanInterval(xs as number[]);
}

/**
 * exp of the mean of ln x with exp of its two-sided 95% t-interval (n − 1 d.f.): the geometric mean and an interval
 * for it that stays positive. One value is its own interval.
 */
export function logMeanInterval(xs: number[]): Estimate {
  const logs = xs.map(Math.log);
  const m = mean(logs);
  if (logs.length < 2) return estimate(Math.exp(m), Math.exp(m), Math.exp(m));
  const sd = Math.sqrt(logs.reduce((s, x) => s + (x - m) ** 2, 0) / (logs.length - 1));
  const h = (tQuantile(0.95, logs.length - 1) * sd) / Math.sqrt(logs.length);
  return estimate(Math.exp(m), Math.exp(m - h), Math.exp(m + h));
}

export interface SeedVerdict {
  status: Status;
  why: string;
}

/**
 * The median rule (lfp.xor): "holds" needs the median distance under the threshold (a majority of seeds) and every
 * seed under `outlierCap`, so one seed's random features cannot decide the verdict either way while a wild seed
 * still blocks "holds".
 */
export interface MedianRule {
  outlierCap: number;
}

/**
 * The verdict over seeds for "the network agrees with the LFP prediction". A seed that neither converged nor stalled
 * has an unknown long-time limit: the verdict is inconclusive unless the decided seeds already make it "fails"
 * whatever the undecided ones would give (a majority over the threshold). A stalled seed ended at a non-interpolating stationary
 * point while LFP's prediction interpolates, so it counts as over the threshold. Default rule: holds if every seed
 * is under the threshold (BRIEF P2.1 asks this of every seed) and, in 1-D, closer to the expected spline than to the
 * other one; with `median`, holds if most seeds are under it and none above the cap. Fails if most seeds break
 * either condition; inconclusive in between.
 */
export function agreementVerdict(runs: SeedRun[], threshold: number, shape?: 'cubic' | 'linear', median?: MedianRule, name = 'LFP'): SeedVerdict {
  // Seeds that neither converged nor stalled have an unknown long-time limit: they cannot help "holds", and they
  // block "fails" only if, counted as agreeing, they could overturn the majority.
  const decided = runs.filter((r) => r.converged || r.stalled);
  const undecided = runs.find((r) => !r.converged && !r.stalled);
  const undecidedWhy = undecided
    ? undecided.divergedAt !== null
      ? `seed ${undecided.seed} (width ${undecided.width}) diverged at step ${undecided.divergedAt}`
      : `seed ${undecided.seed} (width ${undecided.width}) did not converge: residual ${fmt(undecided.residual)} after ${undecided.steps} steps`
    : '';
  const nUndecided = runs.length - decided.length;
  const beyond = (cap: number) => decided.filter((r) => r.stalled || r.distLfp === null || !(r.distLfp < cap)).length;
  const over = beyond(threshold);
  const wrongShape = shape
    ? decided.filter((r) => {
        const own = shape === 'cubic' ? r.distCubic : r.distLinear;
        const other = shape === 'cubic' ? r.distLinear : r.distCubic;
        return !(own !== null && other !== null && own < other);
      }).length
    : 0;
  const dists = runs.map((r) => fmt(r.distLfp)).join(', ');
  const stalled = runs.filter((r) => r.stalled);
  const stalledNote = stalled.length
    ? `; ${stalled.length} stalled without interpolating (residual ${stalled.map((r) => fmt(r.residual)).join(', ')}), counted over`
    : '';
  const medianNote = median ? `median ${fmt(medianOf(runs.map((r) => (r.stalled || r.distLfp === null ? Infinity : r.distLfp))))}, ` : '';
  if (nUndecided > 0 && !(2 * over > runs.length || 2 * wrongShape > runs.length)) {
    return { status: 'inconclusive', why: undecidedWhy };
  }
  const undecidedNote = nUndecided ? `; ${nUndecided} undecided (${undecidedWhy}), which cannot change the majority` : '';
  const holds = median
    ? 2 * over < runs.length && beyond(median.outlierCap) === 0 && wrongShape === 0
    : over === 0 && wrongShape === 0;
  if (holds) {
    return {
      status: 'holds',
      why: median
        ? `relative L2 to ${name} ${dists}: ${medianNote}${over} of ${runs.length} seeds ≥ ${threshold}, all < ${median.outlierCap}`
        : `relative L2 to ${name} ${dists} < ${threshold} in all ${runs.length} seeds${shape ? `, each closer to the ${shape} spline` : ''}`,
    };
  }
  if (2 * over > runs.length || 2 * wrongShape > runs.length) {
    return {
      status: 'fails',
      why: `relative L2 to ${name} ${dists}: ${medianNote}${over} of ${runs.length} seeds ≥ ${threshold}${shape ? `; ${wrongShape} not closer to the ${shape} spline` : ''}${stalledNote}${undecidedNote}`,
    };
  }
  return {
    status: 'inconclusive',
    why: `mixed seeds: relative L2 ${dists} against ${threshold}${median ? ` (${medianNote}cap ${median.outlierCap})` : ''}; ${wrongShape} of the wrong shape${stalledNote}`,
  };
}

/**
 * "The network is closer to the prediction than to either alternative, by a margin": per seed the ratio of the
 * network's distance to the prediction over its distance to the nearer of the other two predictions (PREDICTIONS
 * less `prediction`), and the geometric mean of the ratios with its 95% t-interval on the log scale. Holds if the
 * interval's upper end is below `margin` (< 1: closer by a clear factor in the typical seed, not by luck); fails if
 * the geometric mean is ≥ 1 (the network is, typically, at least as close to an alternative); inconclusive between,
 * or when a seed did not converge or a distance is missing.
 */
export interface CloserRule {
  margin: number;
}

export interface CloserVerdict extends SeedVerdict {
  ratios: (number | null)[];
  ratio: Estimate | null;
}

export function closerRatio(r: SeedRun, prediction: Prediction): number | null {
  const own = distanceTo(r, prediction);
  const others = PREDICTIONS.filter((p) => p !== prediction).map((p) => distanceTo(r, p));
  if (own === null || others.some((o) => o === null)) return null;
  const nearest = Math.min(...(others as number[]));
  return own > 0 && nearest > 0 ? own / nearest : null;
}

export function closerVerdict(runs: SeedRun[], prediction: Prediction, rule: CloserRule, d = 1): CloserVerdict {
  const alternatives = PREDICTIONS.filter((p) => p !== prediction).map((p) => predictionName(p, d)).join(' and ');
  const ratios = runs.map((r) => closerRatio(r, prediction));
  const head = `distance to ${predictionName(prediction, d)} over the distance to the nearer of ${alternatives}`;
  const open = runs.find((r) => !r.converged);
  if (open) {
    return { status: 'inconclusive', why: `${head}: seed ${open.seed} did not converge`, ratios, ratio: null };
  }
  if (!ratios.length || ratios.some((x) => x === null)) {
    return { status: 'inconclusive', why: `${head}: a distance is missing`, ratios, ratio: null };
  }
  const e = logMeanInterval(ratios as number[]);
  const status: Status = e.hi < rule.margin ? 'holds' : e.value >= 1 ? 'fails' : 'inconclusive';
  const tail = status === 'holds' ? `upper end < ${rule.margin}` : status === 'fails' ? 'not below 1' : `interval reaches ${rule.margin}`;
  return {
    status,
    why: `${head} ${ratios.map((x) => fmt(x)).join(', ')}: geometric mean ${fmt(e.value)} [${fmt(e.lo)}, ${fmt(e.hi)}] (95%, log scale), ${tail}`,
    ratios,
    ratio: e,
  };
}

/**
 * The verdict of a conjunction of two parts (a claim holds only if every part holds): fails if either fails (one false
 * part makes the conjunction false, whatever the other would give), else inconclusive if either is, else holds.
 */
export function worse(a: Status, b: Status): Status {
  return a === 'fails' || b === 'fails' ? 'fails' : a === 'inconclusive' || b === 'inconclusive' ? 'inconclusive' : 'holds';
}

function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const k = s.length >> 1;
  return s.length % 2 ? s[k]! : (s[k - 1]! + s[k]!) / 2;
}

export function fmt(x: number | null): string {
  return x === null ? 'n/a' : Number(x.toPrecision(3)).toString();
}

/** The per-seed numbers a reviewer diffs (no curves). */
export function seedMetrics(r: SeedRun) {
  return {
    seed: r.seed,
    width: r.width,
    distLfp: r.distLfp,
    distCubic: r.distCubic,
    distLinear: r.distLinear,
    steps: r.steps,
    residual: r.residual,
    stalled: r.stalled,
    /** Heavy-ball β used (0: plain gradient descent). */
    momentum: r.momentum,
    a: r.coef.a,
    b: r.coef.b,
  };
}

/** 1-D overlay: the trained network, the LFP prediction, its two rivals (both splines) and the data (first seed). */
export function overlayFigure(r: SeedRun, title: string): FigureSpec {
  const g = grid1d();
  const cs = naturalCubicSpline(DATA_1D.x, DATA_1D.y);
  const li = linearInterpolant(DATA_1D.x, DATA_1D.y);
  const values: { x: number; y: number; curve: string }[] = [];
  const stride = 4; // 200 of the 800 grid points per curve
  for (let i = 0; i < g.rows; i += stride) {
    const x = g.data[i]!;
    values.push({ x, y: r.net[i]!, curve: `network (width ${r.width})` });
    values.push({ x, y: r.lfp[i]!, curve: 'LFP prediction' });
    values.push({ x, y: cs(x), curve: 'natural cubic spline' });
    values.push({ x, y: li(x), curve: 'piecewise linear' });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 480,
    height: 300,
    layer: [
      {
        data: { values },
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: {
          x: { field: 'x', type: 'quantitative', title: 'x' },
          y: { field: 'y', type: 'quantitative', title: 'output' },
          // One legend: color and dash share the field and the title, so vega-lite merges them.
          color: { field: 'curve', type: 'nominal', title: 'curve' },
          strokeDash: { field: 'curve', type: 'nominal', title: 'curve' },
        },
      },
      {
        data: { values: DATA_1D.x.map((x, i) => ({ x, y: DATA_1D.y[i]! })) },
        mark: { type: 'point', filled: true, color: 'black', size: 50 },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
      },
    ],
  };
}
