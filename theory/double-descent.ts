// Double descent with random features (Belkin, Hsu, Ma, Mandal, PNAS 2019, arXiv:1812.11118; brief §7).
// h(x) = Σ_k a_k·φ(x; v_k) with fixed random v_k; a = Φ⁺y (Moore–Penrose, minimum norm) or ridge.
// Float64 throughout; the pseudo-inverse goes through ml-matrix's SVD so the square, ill-conditioned N = n
// case is handled with an explicit singular-value cutoff (brief P7.1: rcond 1e-12).
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import type { Mat } from './mlp.ts';
import type { Rng } from '../core/rng.ts';

/** ReLU random features Φ[i,k] = max(0, v_k·x_i) for the first N columns of V (nested features, brief §7.3). */
export function reluFeatures(X: Mat, V: Mat, N: number): Mat {
  if (V.rows !== X.cols) throw new Error(`V has ${V.rows} rows, x has ${X.cols} entries`);
  if (N > V.cols) throw new Error(`asked for ${N} features, only ${V.cols} drawn`);
  const out = new Float64Array(X.rows * N);
  for (let i = 0; i < X.rows; i++) {
    for (let k = 0; k < N; k++) {
      let s = 0;
      for (let j = 0; j < X.cols; j++) s += X.data[i * X.cols + j]! * V.data[j * V.cols + k]!;
      out[i * N + k] = s > 0 ? s : 0;
    }
  }
  return { rows: X.rows, cols: N, data: out };
}

function toMatrix(A: Mat): Matrix {
  const M = new Matrix(A.rows, A.cols);
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.cols; j++) M.set(i, j, A.data[i * A.cols + j]!);
  return M;
}

/**
 * a = V·diag(g(s))·Uᵀ·y from the thin SVD Φ = U·diag(s)·Vᵀ, with
 *   ridge = 0: g(s) = 1/s for s > rcond·s_max, else 0 (the Moore–Penrose pseudo-inverse Φ⁺y: least squares for
 *              N < n, the minimum-norm interpolant for N ≥ n);
 *   ridge λ > 0: g(s) = s/(s² + n·λ), the minimizer of (1/n)||Φa − y||² + λ||a||².
 */
export function featureSolve(Phi: Mat, y: Float64Array, opts: { ridge?: number; rcond?: number } = {}): Float64Array {
  return featureSolvePath(Phi, y, [opts.ridge ?? 0], opts.rcond)[0]!;
}

/** featureSolve for every ridge λ in `ridges` from one SVD (for tuning λ on held-out data). */
export function featureSolvePath(Phi: Mat, y: Float64Array, ridges: readonly number[], rcond = 1e-12): Float64Array[] {
  if (y.length !== Phi.rows) throw new Error(`y has ${y.length} entries, Φ has ${Phi.rows} rows`);
  const svd = new SingularValueDecomposition(toMatrix(Phi), { autoTranspose: true });
  const U = svd.leftSingularVectors;
  const Vr = svd.rightSingularVectors;
  const s = svd.diagonal;
  const smax = Math.max(...s);
  const uty = s.map((_, j) => {
    let acc = 0;
    for (let i = 0; i < Phi.rows; i++) acc += U.get(i, j) * y[i]!;
    return acc;
  });
  return ridges.map((ridge) => {
    const a = new Float64Array(Phi.cols);
    for (let j = 0; j < s.length; j++) {
      const sj = s[j]!;
      const g = ridge > 0 ? sj / (sj * sj + Phi.rows * ridge) : sj > rcond * smax ? 1 / sj : 0;
      if (g === 0) continue;
      const c = g * uty[j]!;
      for (let k = 0; k < Phi.cols; k++) a[k]! += c * Vr.get(k, j);
    }
    return a;
  });
}

export function matVec(A: Mat, a: Float64Array): Float64Array {
  const out = new Float64Array(A.rows);
  for (let i = 0; i < A.rows; i++) {
    let s = 0;
    for (let k = 0; k < A.cols; k++) s += A.data[i * A.cols + k]! * a[k]!;
    out[i] = s;
  }
  return out;
}

export function mse(pred: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (pred[i]! - y[i]!) ** 2;
  return s / y.length;
}

/** Brief §7.3 teacher: f(x) = x·β + 0.5·tanh(x₁x₂), β ~ N(0, I/d). */
export interface Teacher {
  beta: Float64Array;
}

export function teacherValue(t: Teacher, x: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < t.beta.length; j++) s += x[j]! * t.beta[j]!;
  return s + 0.5 * Math.tanh(x[0]! * x[1]!);
}

/** One replicate's data: n noisy training points, nTest noise-free test points, x ~ N(0, I_d). */
export function makeRegression(
  rng: Rng,
  opts: { n: number; nTest: number; d: number; noise: number },
): { teacher: Teacher; X: Mat; y: Float64Array; Xt: Mat; yt: Float64Array } {
  const { n, nTest, d, noise } = opts;
  const teacher = { beta: rng.normals(d, 1 / Math.sqrt(d)) };
  const X = { rows: n, cols: d, data: rng.normals(n * d) };
  const Xt = { rows: nTest, cols: d, data: rng.normals(nTest * d) };
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = teacherValue(teacher, X.data.subarray(i * d, (i + 1) * d)) + noise * rng.normal();
  const yt = new Float64Array(nTest);
  for (let i = 0; i < nTest; i++) yt[i] = teacherValue(teacher, Xt.data.subarray(i * d, (i + 1) * d));
  return { teacher, X, y, Xt, yt };
}

// ---------------------------------------------------------------------------------------------------------------
// Two-layer ReLU networks trained by full-batch gradient descent, every width of a ladder in one program
// (Belkin et al. 2019 §"Neural networks", Fig. 3; Nakkiran et al. 2019, arXiv:1912.02292, model-wise double
// descent). Width j's net: f_j(x) = (1/√m_j)·Σ_{k∈j} a_k·relu(w_k·x + b_k) (NTK output scaling, no output bias).
// The units of all widths sit in one array; `segment[k]` says which width unit k belongs to.

/** All widths' nets side by side: unit k has input weights W[k·d .. k·d+d), bias b[k], output weight a[k]. */
export interface WidthLadder {
  widths: number[];
  d: number;
  /** Width index of each unit (length M = Σ widths). */
  segment: Int32Array;
  W: Float64Array;
  b: Float64Array;
  a: Float64Array;
}

/** Number of trained parameters of one width-m net of this family: m·(d + 2) (w_k, b_k, a_k). */
export function ladderParams(m: number, d: number): number {
  return m * (d + 2);
}

/** Independent draws per unit: w ~ N(0, I/d), b ~ N(0, biasScale²), a ~ N(0, outScale²). */
export function initLadder(widths: readonly number[], d: number, rng: Rng, opts: { biasScale: number; outScale: number }): WidthLadder {
  const M = widths.reduce((s, m) => s + m, 0);
  const segment = new Int32Array(M);
  let k = 0;
  widths.forEach((m, j) => {
    for (let u = 0; u < m; u++) segment[k++] = j;
  });
  return {
    widths: [...widths],
    d,
    segment,
    W: rng.normals(M * d, 1 / Math.sqrt(d)),
    b: rng.normals(M, opts.biasScale),
    a: rng.normals(M, opts.outScale),
  };
}

export function cloneLadder(L: WidthLadder): WidthLadder {
  return { ...L, widths: [...L.widths], W: Float64Array.from(L.W), b: Float64Array.from(L.b), a: Float64Array.from(L.a) };
}

/** Outputs of every width at every point: row i, column j = f_j(x_i) (an n × widths array, row-major). */
export function ladderForward(L: WidthLadder, X: Mat): Float64Array {
  const { d, W, b, a, segment } = L;
  const J = L.widths.length;
  const scale = L.widths.map((m) => 1 / Math.sqrt(m));
  const out = new Float64Array(X.rows * J);
  for (let i = 0; i < X.rows; i++) {
    const xo = i * X.cols;
    for (let k = 0; k < segment.length; k++) {
      let h = b[k]!;
      for (let c = 0; c < d; c++) h += X.data[xo + c]! * W[k * d + c]!;
      if (h > 0) out[i * J + segment[k]!]! += scale[segment[k]!]! * a[k]! * h;
    }
  }
  return out;
}

/** Per width, the mean squared error (1/n)Σ(f_j(x_i) − y_i)² of `ladderForward` outputs. */
export function ladderMse(F: Float64Array, y: Float64Array, J: number): number[] {
  const out = new Array<number>(J).fill(0);
  for (let i = 0; i < y.length; i++) for (let j = 0; j < J; j++) out[j]! += (F[i * J + j]! - y[i]!) ** 2 / y.length;
  return out;
}

/**
 * Gradient of each width's objective R_j = (1/2n)Σ_i (f_j(x_i) − y_i)² + (λ/2)‖θ_j‖² with respect to its own
 * parameters (the widths are independent), and R_j's data term (1/2n)Σ r² per width. Widths with `active[j]` false
 * are skipped (their entries are left 0). Backpropagation:
 * ∂R/∂a_k = s·Σ_i r_i·relu(h_ik)/n + λa_k, ∂R/∂w_k = Σ_i r_i·s·a_k·1[h_ik > 0]·x_i/n + λw_k (b_k likewise with 1).
 */
export function ladderGradient(L: WidthLadder, X: Mat, y: Float64Array, lambda: number, active?: readonly boolean[]): { gW: Float64Array; gb: Float64Array; ga: Float64Array; loss: number[]; gradSq: number[] } {
  const { d, W, b, a, segment } = L;
  const n = X.rows;
  const J = L.widths.length;
  const M = segment.length;
  const scale = L.widths.map((m) => 1 / Math.sqrt(m));
  // Pre-activations once (n·M), then outputs, residuals and the backward pass from them.
  const H = new Float64Array(M * n);
  const F = new Float64Array(n * J);
  for (let k = 0; k < M; k++) {
    const j = segment[k]!;
    if (active && !active[j]) continue;
    const sa = scale[j]! * a[k]!;
    for (let i = 0; i < n; i++) {
      const xo = i * X.cols;
      let h = b[k]!;
      for (let c = 0; c < d; c++) h += X.data[xo + c]! * W[k * d + c]!;
      H[k * n + i] = h;
      if (h > 0) F[i * J + j]! += sa * h;
    }
  }
  const R = new Float64Array(n * J);
  const loss = new Array<number>(J).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < J; j++) {
      const r = F[i * J + j]! - y[i]!;
      R[i * J + j] = r / n;
      loss[j]! += (r * r) / (2 * n);
    }
  }
  const gW = new Float64Array(M * d);
  const gb = new Float64Array(M);
  const ga = new Float64Array(M);
  const gradSq = new Array<number>(J).fill(0);
  for (let k = 0; k < M; k++) {
    const j = segment[k]!;
    if (active && !active[j]) continue;
    const sa = scale[j]! * a[k]!;
    let gak = 0;
    let gbk = 0;
    for (let i = 0; i < n; i++) {
      const h = H[k * n + i]!;
      if (!(h > 0)) continue;
      const r = R[i * J + j]!;
      gak += r * h;
      const g = r * sa;
      gbk += g;
      const xo = i * X.cols;
      for (let c = 0; c < d; c++) gW[k * d + c]! += g * X.data[xo + c]!;
    }
    ga[k] = scale[j]! * gak + lambda * a[k]!;
    gb[k] = gbk + lambda * b[k]!;
    for (let c = 0; c < d; c++) gW[k * d + c]! += lambda * W[k * d + c]!;
    let sq = ga[k]! ** 2 + gb[k]! ** 2;
    for (let c = 0; c < d; c++) sq += gW[k * d + c]! ** 2;
    gradSq[j]! += sq;
  }
  return { gW, gb, ga, loss, gradSq };
}

export interface LadderTraining {
  /** Per width: the training MSE (1/n)Σ r² at the end (at the step where it was frozen, if it was). */
  trainMse: number[];
  /** Per width: the number of GD steps taken since its last restart. */
  steps: number[];
  /** Per width: the step it ended with (η halved at each restart). */
  eta: number[];
  /** Per width: restarts from the initialization (the loss blew up). */
  restarts: number[];
  /** Per width: still non-finite or blown up after `maxRestarts` restarts. */
  diverged: boolean[];
}

/** A width whose loss exceeds this multiple of its initial loss (or is non-finite) is restarted with η/2. */
export const BLOWUP_FACTOR = 1e3;

/**
 * Full-batch GD θ ← θ − η_j∇R_j on every width at once, in place. A width stops ("frozen") once its training MSE is
 * below `tol` (it interpolates), or once it is stationary, ‖∇R_j‖ < `gtol` (a step moves it by less than η·gtol),
 * or after `steps` steps. A width whose loss blows up is restarted from its initialization with half the step (as the phase-diagram
 * authors' code halves the rate and restarts), at most `maxRestarts` times.
 */
export function trainLadder(L: WidthLadder, X: Mat, y: Float64Array, opts: { steps: number; eta: number; lambda: number; tol: number; gtol?: number; maxRestarts?: number }): LadderTraining {
  const J = L.widths.length;
  const { d, segment } = L;
  const maxRestarts = opts.maxRestarts ?? 4;
  const init = cloneLadder(L);
  const active = new Array<boolean>(J).fill(true);
  const trainMse = new Array<number>(J).fill(Infinity);
  const loss0 = new Array<number>(J).fill(NaN);
  const steps = new Array<number>(J).fill(0);
  const eta = new Array<number>(J).fill(opts.eta);
  const restarts = new Array<number>(J).fill(0);
  const diverged = new Array<boolean>(J).fill(false);
  const restart = new Array<boolean>(J).fill(false);
  while (active.some(Boolean)) {
    const g = ladderGradient(L, X, y, opts.lambda, active);
    for (let j = 0; j < J; j++) {
      restart[j] = false;
      if (!active[j]) continue;
      const mse = 2 * g.loss[j]!;
      if (steps[j] === 0) loss0[j] = mse;
      if (!Number.isFinite(mse) || mse > BLOWUP_FACTOR * loss0[j]!) {
        if (restarts[j]! >= maxRestarts) {
          diverged[j] = true;
          active[j] = false;
        } else {
          restarts[j]!++;
          eta[j]! /= 2;
          steps[j] = 0;
          restart[j] = true;
        }
        continue;
      }
      trainMse[j] = mse;
      if (mse < opts.tol || g.gradSq[j]! < (opts.gtol ?? 0) ** 2 || steps[j] === opts.steps) active[j] = false;
      else steps[j]!++;
    }
    for (let k = 0; k < segment.length; k++) {
      const j = segment[k]!;
      if (restart[j]) {
        L.a[k] = init.a[k]!;
        L.b[k] = init.b[k]!;
        for (let c = 0; c < d; c++) L.W[k * d + c] = init.W[k * d + c]!;
        continue;
      }
      if (!active[j]) continue;
      const e = eta[j]!;
      L.a[k]! -= e * g.ga[k]!;
      L.b[k]! -= e * g.gb[k]!;
      for (let c = 0; c < d; c++) L.W[k * d + c]! -= e * g.gW[k * d + c]!;
    }
  }
  return { trainMse, steps, eta, restarts, diverged };
}
