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
