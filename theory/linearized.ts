// Closed-form training of the linearized model f_lin(x) = f_0(x) + ∇θ f_0(x)·ω under MSE (scalar output), in float64.
//
// Loss L = (1/(2N_y))·‖f(X) − Y‖², N_y = number of output entries (neural-tangents `predict.gradient_descent_mse`
// normalizes by `y_train.size`; DESIGN.md `loss-grad` uses the same 1/(2n)). With Θ = Θ̂_0(X, X), Θ_x = Θ̂_0(x, X)
// and E_t the "remaining residual" operator (brief §3.3; Lee et al. 2019, eqs. 8–11):
//   gradient flow   E_t = exp(−ηΘt/N_y)                  (t continuous, θ̇ = −η∇L)
//   discrete GD     E_t = (I − ηΘ/N_y)^t                 (t steps, θ ← θ − η∇L; exact for the linear model)
//   train points    f_t(X) = Y + E_t (f_0(X) − Y)
//   test points     f_t(x) = f_0(x) − Θ_x Θ⁻¹ (I − E_t)(f_0(X) − Y)
//   weights         ω_t    = −Jᵀ Θ⁻¹ (I − E_t)(f_0(X) − Y),  J = ∇θ f_0(X)
// Everything is applied in Θ's eigenbasis, and Θ⁻¹(I − E_t) is evaluated per eigenvalue as (1 − e_t(λ))/λ with its
// λ → 0 limit ηt/N_y, so no inverse of an ill-conditioned Θ is ever formed. Negative eigenvalues (round-off of a PSD
// kernel) are clamped to 0, as neural-tangents' `_make_expm1_fn` does.
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { Mat } from './mlp.ts';

export type Dynamics = 'flow' | 'gd';

/** Symmetric eigendecomposition Θ = V diag(λ) Vᵀ (V column-major in a row-major Mat: V[i][k] = v_k[i]). */
export function symEig(theta: Mat): { values: Float64Array; vectors: Mat } {
  if (theta.rows !== theta.cols) throw new Error(`Θ must be square, got ${theta.rows}×${theta.cols}`);
  const n = theta.rows;
  const rows = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => 0.5 * (theta.data[i * n + j]! + theta.data[j * n + i]!)));
  const evd = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const V = evd.eigenvectorMatrix;
  const vectors = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) vectors[i * n + k] = V.get(i, k);
  return { values: Float64Array.from(evd.realEigenvalues), vectors: { rows: n, cols: n, data: vectors } };
}

/** e_t(λ): the residual factor for one eigenvalue after time/steps t. */
export function residualFactor(lambda: number, eta: number, t: number, nY: number, mode: Dynamics): number {
  const x = (eta * Math.max(lambda, 0)) / nY;
  return mode === 'flow' ? Math.exp(-x * t) : (1 - x) ** t;
}

/** (1 − e_t(λ))/λ, with the λ → 0 limit ηt/N_y; expm1/log1p keep it accurate for small ηλt/N_y. */
export function fittedFactor(lambda: number, eta: number, t: number, nY: number, mode: Dynamics): number {
  const l = Math.max(lambda, 0);
  const x = (eta * l) / nY;
  if (x * t < 1e-300 || l === 0) return (eta * t) / nY;
  let oneMinusE: number;
  if (mode === 'flow') oneMinusE = -Math.expm1(-x * t);
  else oneMinusE = x < 1 ? -Math.expm1(t * Math.log1p(-x)) : 1 - (1 - x) ** t;
  return oneMinusE / l;
}

/** y = A·v for a row-major matrix A. */
function matVec(A: Mat, v: ArrayLike<number>): Float64Array {
  const out = new Float64Array(A.rows);
  for (let i = 0; i < A.rows; i++) {
    let s = 0;
    for (let k = 0; k < A.cols; k++) s += A.data[i * A.cols + k]! * v[k]!;
    out[i] = s;
  }
  return out;
}

/** y = Aᵀ·v for a row-major matrix A. */
function matTVec(A: Mat, v: ArrayLike<number>): Float64Array {
  const out = new Float64Array(A.cols);
  for (let i = 0; i < A.rows; i++) {
    const vi = v[i]!;
    for (let k = 0; k < A.cols; k++) out[k]! += A.data[i * A.cols + k]! * vi;
  }
  return out;
}

/** The linearized dynamics from one kernel and one initial residual; evaluate at any t. */
export interface LinearizedDynamics {
  /** f_t(X) on the training points. */
  train(t: number): Float64Array;
  /** f_t(x) on test points, from Θ_x = Θ̂_0(x, X) (m×n) and f_0(x). */
  test(thetaTestTrain: Mat, f0Test: ArrayLike<number>, t: number): Float64Array;
  /** ω_t = θ_t − θ_0 from the Jacobian J = ∇θ f_0(X) (n×P). */
  weights(jacobian: Mat, t: number): Float64Array;
  /** The eigenvalues of Θ (ascending as ml-matrix returns them). */
  eigenvalues: Float64Array;
}

/**
 * Builds the closed form for kernel Θ (n×n), initial outputs f0 and targets y (n each), step/rate η.
 * nY defaults to n (scalar output).
 */
export function linearizedDynamics(
  theta: Mat,
  f0: ArrayLike<number>,
  y: ArrayLike<number>,
  opts: { eta: number; mode: Dynamics; nY?: number },
): LinearizedDynamics {
  const n = theta.rows;
  if (f0.length !== n || y.length !== n) throw new Error(`f0 and y need ${n} entries, got ${f0.length} and ${y.length}`);
  const nY = opts.nY ?? n;
  const { values, vectors: V } = symEig(theta);
  const r0 = new Float64Array(n);
  for (let i = 0; i < n; i++) r0[i] = f0[i]! - y[i]!;
  const r0Eig = matTVec(V, r0); // Vᵀ(f0 − Y)
  // g_t = Θ⁻¹(I − E_t)(f0 − Y) in the original basis.
  const fitted = (t: number) => {
    const c = r0Eig.map((v, k) => v * fittedFactor(values[k]!, opts.eta, t, nY, opts.mode));
    return matVec(V, c);
  };
  return {
    eigenvalues: values,
    train(t) {
      const c = r0Eig.map((v, k) => v * residualFactor(values[k]!, opts.eta, t, nY, opts.mode));
      const r = matVec(V, c);
      return r.map((ri, i) => y[i]! + ri);
    },
    test(thetaTestTrain, f0Test, t) {
      if (thetaTestTrain.cols !== n) throw new Error(`Θ_x needs ${n} columns, got ${thetaTestTrain.cols}`);
      const g = fitted(t);
      const corr = matVec(thetaTestTrain, g);
      return corr.map((c, i) => f0Test[i]! - c);
    },
    weights(jacobian, t) {
      if (jacobian.rows !== n) throw new Error(`J needs ${n} rows, got ${jacobian.rows}`);
      return matTVec(jacobian, fitted(t)).map((w) => -w);
    },
  };
}

/** The linear model stepped by GD: ω ← ω − (η/N_y)·Jᵀ(f0 + Jω − Y). Returns ω after each requested step count. */
export function stepLinearModel(
  jacobian: Mat,
  f0: ArrayLike<number>,
  y: ArrayLike<number>,
  opts: { eta: number; steps: number; nY?: number; record?: (t: number, omega: Float64Array) => void },
): Float64Array {
  const n = jacobian.rows;
  const nY = opts.nY ?? n;
  const omega = new Float64Array(jacobian.cols);
  opts.record?.(0, omega);
  for (let t = 1; t <= opts.steps; t++) {
    const f = matVec(jacobian, omega);
    for (let i = 0; i < n; i++) f[i] = f[i]! + f0[i]! - y[i]!;
    const g = matTVec(jacobian, f);
    for (let k = 0; k < omega.length; k++) omega[k] = omega[k]! - (opts.eta / nY) * g[k]!;
    opts.record?.(t, omega);
  }
  return omega;
}

/** f0 + J·ω (the linear model's outputs). */
export function linearOutputs(jacobian: Mat, f0: ArrayLike<number>, omega: ArrayLike<number>): Float64Array {
  return matVec(jacobian, omega).map((v, i) => v + f0[i]!);
}

/** The largest step for which discrete GD on the linear model is stable: η < 2N_y/λ_max (brief §3.3). */
export function maxStableStep(theta: Mat, nY = theta.rows): number {
  const { values } = symEig(theta);
  return (2 * nY) / Math.max(...values);
}
