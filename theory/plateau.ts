// The training figure of the Embedding Principle (Zhang, Zhang, Luo, Xu, NeurIPS 2021, arXiv:2105.14573, Fig. 1,
// §3.2 and App. B; BRIEF §4.3): a two-layer tanh network f(x) = Σ_k a_k·tanh(w_k·x + b_k) + c on 1-D data, trained by
// full-batch gradient descent on the paper's loss L = mean_i (f(x_i) − y_i)², passes a plateau at a critical point
// of a narrower network. This module holds the pieces in float64: a tight GD loop (typed arrays, no allocation per
// step), the plateau rule of /work/shared/research/embedding-plateaus.md, the function distance D, and the
// finiteness tests that tell a finite narrow critical point from one "at infinity".
//
// Parameters are one flat Float64Array [w_1..w_m, b_1..b_m, a_1..a_m, c] (m = width).
import { mat, type Mlp } from './mlp.ts';
import { Arena } from '../core/wasm/runtime.ts';

export function twoLayerWidth(theta: Float64Array): number {
  const m = (theta.length - 1) / 3;
  if (!Number.isInteger(m) || m < 1) throw new Error(`a two-layer parameter vector has 3m+1 entries, got ${theta.length}`);
  return m;
}

/** f(x) = Σ_k a_k tanh(w_k x + b_k) + c at every x. */
export function twoLayerForward(theta: Float64Array, xs: ArrayLike<number>): Float64Array {
  const m = twoLayerWidth(theta);
  const out = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) {
    let f = theta[3 * m]!;
    for (let k = 0; k < m; k++) f += theta[2 * m + k]! * Math.tanh(theta[k]! * xs[i]! + theta[m + k]!);
    out[i] = f;
  }
  return out;
}

/**
 * The paper's loss L = (1/n)·Σ_i (f(x_i) − y_i)² and its gradient (App. B: mean squared error; note the factor 2
 * against the suite's (1/2n) convention of mseLossGrad: ∇L here = 2·∇ there).
 */
export function twoLayerLossGrad(theta: Float64Array, xs: ArrayLike<number>, ys: ArrayLike<number>): { loss: number; grad: Float64Array } {
  const m = twoLayerWidth(theta);
  const n = xs.length;
  const grad = new Float64Array(theta.length);
  const h = new Float64Array(m);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    let f = theta[3 * m]!;
    for (let k = 0; k < m; k++) {
      h[k] = Math.tanh(theta[k]! * xs[i]! + theta[m + k]!);
      f += theta[2 * m + k]! * h[k]!;
    }
    const r = f - ys[i]!;
    loss += r * r;
    const g = (2 * r) / n;
    for (let k = 0; k < m; k++) {
      const back = g * theta[2 * m + k]! * (1 - h[k]! * h[k]!);
      grad[k]! += back * xs[i]!;
      grad[m + k]! += back;
      grad[2 * m + k]! += g * h[k]!;
    }
    grad[3 * m]! += g;
  }
  return { loss: loss / n, grad };
}

export interface GdRecord {
  step: number;
  loss: number;
  /** The parameters after `step` steps (a copy). */
  theta: Float64Array;
}

/**
 * Full-batch gradient descent θ ← θ − lr·∇L on the paper's loss, recording (loss, θ) after each step in
 * `recordAt` (ascending; 0 = the start). The loop reuses its buffers: per step it costs n·m tanh evaluations and
 * about 10·n·m flops. Stops early (returning what it has, with `divergedAt`) if the loss is not finite, and at a
 * recorded step where `stopWhen(records so far)` is true (`stoppedAt`).
 */
export function gdTwoLayer(
  theta0: Float64Array,
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  lr: number,
  recordAt: readonly number[],
  stopWhen?: (records: readonly GdRecord[]) => boolean,
): { records: GdRecord[]; divergedAt: number | null; stoppedAt: number | null } {
  const m = twoLayerWidth(theta0);
  const n = xs.length;
  // The loop runs in WebAssembly (core/wasm/loops.wat, loops_plateau_gd, with the wasm tanh that equals Math.tanh),
  // every sum in the order of the plain loop of properties/theory/loops-wasm.test.ts; θ lives in its arena.
  const arena = Arena.forSizes([3 * m + 1, 3 * m + 1, n, n, n * m, n + 1, 1]);
  const theta = arena.copyOf(theta0);
  const grad = arena.f64(3 * m + 1);
  const x = arena.copyOf(Float64Array.from(xs));
  const y = arena.copyOf(Float64Array.from(ys));
  const h = arena.f64(n * m);
  const g = arena.f64(n + 1);
  const out = arena.f64(1);
  const kernel = (arena.k as unknown as { loops_plateau_gd(...args: number[]): number }).loops_plateau_gd;
  const run = (count: number) => kernel(theta.byteOffset, grad.byteOffset, x.byteOffset, y.byteOffset, h.byteOffset, g.byteOffset, out.byteOffset, m, n, lr, count);
  const records: GdRecord[] = [];
  const last = recordAt.length ? recordAt[recordAt.length - 1]! : 0;
  let next = 0;
  let step = 0;
  run(0); // the forward pass at θ(0): its loss
  for (;;) {
    const loss = out[0]!;
    if (!Number.isFinite(loss)) return { records, divergedAt: step, stoppedAt: null };
    if (step === recordAt[next]) {
      records.push({ step, loss, theta: theta.slice() });
      next++;
      if (stopWhen && step < last && stopWhen(records)) return { records, divergedAt: null, stoppedAt: step };
    }
    if (step >= last) break;
    // To the next recorded step (a recorded step already passed, as after a repeated entry, records nothing more).
    const target = next < recordAt.length && recordAt[next]! > step ? Math.min(recordAt[next]!, last) : last;
    step += run(target - step);
  }
  return { records, divergedAt: null, stoppedAt: null };
}

/** Steps 0 and ⌈10^(j/perDecade)⌉ up to `steps` (deduplicated, ascending, `steps` included). */
export function logGrid(steps: number, perDecade: number): number[] {
  const out = new Set<number>([0]);
  const top = Math.log10(Math.max(1, steps));
  for (let j = 0; j <= Math.ceil(top * perDecade); j++) out.add(Math.min(steps, Math.round(10 ** (j / perDecade))));
  out.add(steps);
  return [...out].sort((p, q) => p - q);
}

export interface PlateauSpan {
  /** First and last recorded step of the flat stretch, and its log-midpoint √(start·end) as a recorded step. */
  start: number;
  end: number;
  mid: number;
}

/**
 * The plateau rule of research/embedding-plateaus.md, fixed before any measurement: the local log-log slope
 * s(t) = [log10 L(t) − log10 L(t′)] / log10(t/t′) with t′ the last recorded step ≤ t/√10 (the previous half decade);
 * a plateau is a maximal stretch of
 * recorded steps with |s| < maxSlope lasting at least `minDecades` (end/start ≥ 10^minDecades), not counting the
 * starting plateau (any step where L > startFraction·L(0) ends a stretch). Steps with t/√10 < 1 have no slope.
 * `mid` is the recorded step nearest (in log t) to √(start·end).
 */
export function findPlateaus(
  curve: readonly { step: number; loss: number }[],
  opts: { maxSlope: number; minDecades: number; startFraction: number },
): PlateauSpan[] {
  if (curve.length === 0) return [];
  const l0 = curve[0]!.loss;
  const steps = curve.map((c) => c.step);
  // The largest recorded step ≤ t (the curve is recorded on a log grid), with its loss.
  const atOrBefore = (t: number): { step: number; loss: number } | null => {
    let best: { step: number; loss: number } | null = null;
    for (const c of curve) if (c.step <= t) best = c;
    return best;
  };
  const flat = curve.map((c) => {
    const t0 = c.step / Math.sqrt(10);
    if (t0 < 1 || !(c.loss <= opts.startFraction * l0)) return false;
    const prev = atOrBefore(t0);
    if (prev === null || !(prev.step >= 1) || !(prev.loss > 0) || !(c.loss > 0)) return false;
    // The slope between the two recorded points (≈ half a decade apart on the grid).
    const s = (Math.log10(c.loss) - Math.log10(prev.loss)) / Math.log10(c.step / prev.step);
    return Math.abs(s) < opts.maxSlope;
  });
  const out: PlateauSpan[] = [];
  let i = 0;
  while (i < curve.length) {
    if (!flat[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < curve.length && flat[j + 1]) j++;
    const start = steps[i]!;
    const end = steps[j]!;
    if (Math.log10(end / start) >= opts.minDecades) {
      const target = Math.sqrt(start * end);
      let mid = start;
      for (let q = i; q <= j; q++) if (Math.abs(Math.log(steps[q]! / target)) < Math.abs(Math.log(mid / target))) mid = steps[q]!;
      out.push({ start, end, mid });
    }
    i = j + 1;
  }
  return out;
}

/** RMS(f_θ − f_φ) / RMS(target) on a grid: the research note's distance D between two networks' functions. */
export function functionDistance(theta: Float64Array, phi: Float64Array, grid: ArrayLike<number>, targetOnGrid: ArrayLike<number>): number {
  const f = twoLayerForward(theta, grid);
  const g = twoLayerForward(phi, grid);
  let d = 0;
  let s = 0;
  for (let i = 0; i < grid.length; i++) {
    d += (f[i]! - g[i]!) ** 2;
    s += targetOnGrid[i]! ** 2;
  }
  return Math.sqrt(d / s);
}

/** Largest tanh′(w_k x_i + b_k) = 1 − tanh² over the data points, for each unit (a saturated unit has it ≈ 0). */
export function unitActivity(theta: Float64Array, xs: ArrayLike<number>): number[] {
  const m = twoLayerWidth(theta);
  return Array.from({ length: m }, (_, k) => {
    let best = 0;
    for (let i = 0; i < xs.length; i++) best = Math.max(best, 1 - Math.tanh(theta[k]! * xs[i]! + theta[m + k]!) ** 2);
    return best;
  });
}

/** The same network as an mlp-v1 Mlp (standard parameterization), for the Hessian and Newton of theory/critical.ts. */
export function twoLayerToMlp(theta: Float64Array): Mlp {
  const m = twoLayerWidth(theta);
  return {
    activation: 'tanh',
    parameterization: 'standard',
    sigmaW: 1,
    sigmaB: 1,
    layers: [
      { nIn: 1, nOut: m, W: theta.slice(0, m), b: theta.slice(m, 2 * m) },
      { nIn: m, nOut: 1, W: theta.slice(2 * m, 3 * m), b: theta.slice(3 * m, 3 * m + 1) },
    ],
  };
}

/** Inverse of twoLayerToMlp (a 1-m-1 network). */
export function mlpToTwoLayer(net: Mlp): Float64Array {
  const [inc, out] = net.layers;
  if (net.layers.length !== 2 || !inc || !out || inc.nIn !== 1 || out.nOut !== 1 || net.parameterization !== 'standard') throw new Error('mlpToTwoLayer: expected a standard 1-m-1 network');
  const m = inc.nOut;
  const theta = new Float64Array(3 * m + 1);
  theta.set(inc.W, 0);
  theta.set(inc.b, m);
  theta.set(out.W, 2 * m);
  theta[3 * m] = out.b[0]!;
  return theta;
}

/** Data as the suite's n×1 matrices. */
export function columnData(xs: ArrayLike<number>, ys: ArrayLike<number>) {
  return { X: mat(xs.length, 1, Float64Array.from(xs)), Y: mat(ys.length, 1, Float64Array.from(ys)) };
}

/**
 * The output layer (a, c) that minimizes the loss for fixed hidden units (w, b): linear least squares on the
 * features [tanh(w_k x_i + b_k), 1], solved by the normal equations with Gaussian elimination (partial pivoting).
 * Returns the full parameter vector. A start for the narrow critical-point search ("variable projection").
 */
export function withBestOutputLayer(wb: Float64Array, xs: ArrayLike<number>, ys: ArrayLike<number>): Float64Array {
  const m = wb.length / 2;
  const q = m + 1;
  const A = new Float64Array(q * q);
  const r = new Float64Array(q);
  const phi = new Float64Array(q);
  for (let i = 0; i < xs.length; i++) {
    for (let k = 0; k < m; k++) phi[k] = Math.tanh(wb[k]! * xs[i]! + wb[m + k]!);
    phi[m] = 1;
    for (let p = 0; p < q; p++) {
      r[p]! += phi[p]! * ys[i]!;
      for (let s = 0; s < q; s++) A[p * q + s]! += phi[p]! * phi[s]!;
    }
  }
  // A tiny ridge keeps duplicated or dead features solvable; it moves a well-posed fit by ~1e-12 relative.
  let tr = 0;
  for (let p = 0; p < q; p++) tr += A[p * q + p]!;
  for (let p = 0; p < q; p++) A[p * q + p]! += 1e-12 * (tr / q);
  const sol = solveLinear(A, r, q);
  const theta = new Float64Array(3 * m + 1);
  theta.set(wb.subarray(0, 2 * m), 0);
  theta.set(sol.subarray(0, m), 2 * m);
  theta[3 * m] = sol[m]!;
  return theta;
}

/** Solve A x = r (q×q, row-major) by Gaussian elimination with partial pivoting (inputs are not modified). */
export function solveLinear(A0: Float64Array, r0: Float64Array, q: number): Float64Array {
  const A = A0.slice();
  const r = r0.slice();
  for (let c = 0; c < q; c++) {
    let piv = c;
    for (let i = c + 1; i < q; i++) if (Math.abs(A[i * q + c]!) > Math.abs(A[piv * q + c]!)) piv = i;
    if (piv !== c) {
      for (let j = 0; j < q; j++) [A[c * q + j], A[piv * q + j]] = [A[piv * q + j]!, A[c * q + j]!];
      [r[c], r[piv]] = [r[piv]!, r[c]!];
    }
    const d = A[c * q + c]!;
    for (let i = c + 1; i < q; i++) {
      const f = A[i * q + c]! / d;
      if (f === 0) continue;
      for (let j = c; j < q; j++) A[i * q + j]! -= f * A[c * q + j]!;
      r[i]! -= f * r[c]!;
    }
  }
  const x = new Float64Array(q);
  for (let i = q - 1; i >= 0; i--) {
    let s = r[i]!;
    for (let j = i + 1; j < q; j++) s -= A[i * q + j]! * x[j]!;
    x[i] = s / A[i * q + i]!;
  }
  return x;
}
