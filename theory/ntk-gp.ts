// The infinite-width prediction for networks trained by gradient descent on MSE (Lee et al. 2019, §2.3–2.4 and
// eqs. 13–16; brief §3.3 "Infinite-width GP over initialisations"; neural-tangents `predict.gradient_descent_mse_ensemble`).
//
// With analytic NTK Θ and NNGP kernel K, training points X (n) and evaluation points x, an infinitely wide network's
// outputs evolve linearly in its initial outputs f_0 ~ GP(0, K):
//   f_t(x) = f_0(x) − M_t (f_0(X) − Y),   M_t = Θ_xX Θ⁻¹ (I − E_t),
// with E_t = exp(−ηΘt/N_y) (flow) or (I − ηΘ/N_y)^t (GD) as in theory/linearized.ts. Hence over initializations
//   mean        μ_t(x)     = M_t Y
//   covariance  Σ_t(x, x′) = K(x, x′) + M_t K_XX M′_tᵀ − M_t K_Xx′ − K_xX M′_tᵀ,
// and jointly over several times t, s: Cov(f_t(x), f_s(x′)) = [I, −M_t] K([x; X], [x′; X]) [I, −M_s]ᵀ.
// Replacing Θ by K in M_t gives the NNGP-kernel prediction (training the readout only), a rival in the claims.
import type { Rng } from '../core/rng.ts';
import { Arena } from '../core/wasm/runtime.ts';
import { fittedFactor, symEig, type Dynamics } from './linearized.ts';
import type { Mat } from './mlp.ts';
import { relL2 } from '../core/stats.ts';

/** The m × n block of a row-major matrix starting at (r0, c0). */
export function block(A: Mat, r0: number, c0: number, rows: number, cols: number): Mat {
  if (r0 < 0 || c0 < 0 || r0 + rows > A.rows || c0 + cols > A.cols) throw new Error(`block ${rows}×${cols} at (${r0}, ${c0}) does not fit in ${A.rows}×${A.cols}`);
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) data.set(A.data.subarray((r0 + i) * A.cols + c0, (r0 + i) * A.cols + c0 + cols), i * cols);
  return { rows, cols, data };
}

/** A·B for row-major matrices. */
export function matMul(A: Mat, B: Mat): Mat {
  if (A.cols !== B.rows) throw new Error(`matMul: ${A.rows}×${A.cols} by ${B.rows}×${B.cols}`);
  const out = new Float64Array(A.rows * B.cols);
  for (let i = 0; i < A.rows; i++)
    for (let k = 0; k < A.cols; k++) {
      const a = A.data[i * A.cols + k]!;
      if (a === 0) continue;
      for (let j = 0; j < B.cols; j++) out[i * B.cols + j]! += a * B.data[k * B.cols + j]!;
    }
  return { rows: A.rows, cols: B.cols, data: out };
}

/** M_t = Θ_xX Θ⁻¹ (I − E_t) (m × n), applied per eigenvalue of Θ (no inverse of an ill-conditioned Θ is formed). */
export function transferMatrix(theta: Mat, thetaEvalTrain: Mat, opts: { eta: number; t: number; mode: Dynamics; nY?: number }): Mat {
  const n = theta.rows;
  if (thetaEvalTrain.cols !== n) throw new Error(`Θ_xX needs ${n} columns, got ${thetaEvalTrain.cols}`);
  const nY = opts.nY ?? n;
  const { values, vectors: V } = symEig(theta);
  // G = V diag(g) Vᵀ with g = (1 − e_t(λ))/λ, the symmetric Θ⁻¹(I − E_t).
  const g = Array.from(values, (l) => fittedFactor(l, opts.eta, opts.t, nY, opts.mode));
  const G = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += V.data[i * n + k]! * g[k]! * V.data[j * n + k]!;
      G[i * n + j] = s;
    }
  return matMul(thetaEvalTrain, { rows: n, cols: n, data: G });
}

export interface GpMoments {
  /** Evaluation-major within each time: entry (τ, i) at τ·m + i, for times[τ] and evaluation point i. */
  mean: Float64Array;
  /** Joint covariance over (time, point), same ordering, (m·T) × (m·T). */
  cov: Mat;
}

/**
 * Mean and joint covariance over initializations of f_t at the m evaluation points, for every t in `times`.
 * `kernel` is the kernel that drives training (the NTK Θ for the claim, K for the NNGP rival) and `prior` the NNGP K
 * of f_0; both are over [evaluation points; training points] ((m + n) × (m + n)), evaluation points first.
 */
export function gpMoments(
  kernel: Mat,
  prior: Mat,
  nEval: number,
  y: ArrayLike<number>,
  opts: { eta: number; times: readonly number[]; mode: Dynamics; nY?: number },
): GpMoments {
  const p = kernel.rows;
  if (kernel.cols !== p || prior.rows !== p || prior.cols !== p) throw new Error(`kernel and prior must both be ${p}×${p}`);
  const m = nEval;
  const n = p - m;
  if (y.length !== n) throw new Error(`y needs ${n} entries (one per training point), got ${y.length}`);
  const theta = block(kernel, m, m, n, n);
  const thetaXt = block(kernel, 0, m, m, n);
  const T = opts.times.length;
  // A stacks [I, −M_t] over times: f_t(x) − μ_t(x) = A_t·f_0([x; X]).
  const A = new Float64Array(m * T * p);
  const mean = new Float64Array(m * T);
  opts.times.forEach((t, tau) => {
    const M = transferMatrix(theta, thetaXt, { eta: opts.eta, t, mode: opts.mode, nY: opts.nY });
    for (let i = 0; i < m; i++) {
      const row = (tau * m + i) * p;
      A[row + i] = 1;
      let mu = 0;
      for (let j = 0; j < n; j++) {
        A[row + m + j] = -M.data[i * n + j]!;
        mu += M.data[i * n + j]! * y[j]!;
      }
      mean[tau * m + i] = mu;
    }
  });
  const Am: Mat = { rows: m * T, cols: p, data: A };
  const AK = matMul(Am, prior);
  const At: Mat = { rows: p, cols: m * T, data: new Float64Array(p * m * T) };
  for (let i = 0; i < m * T; i++) for (let j = 0; j < p; j++) At.data[j * m * T + i] = A[i * p + j]!;
  const cov = matMul(AK, At);
  // Symmetrize away round-off.
  const q = m * T;
  for (let i = 0; i < q; i++)
    for (let j = 0; j < i; j++) {
      const s = 0.5 * (cov.data[i * q + j]! + cov.data[j * q + i]!);
      cov.data[i * q + j] = s;
      cov.data[j * q + i] = s;
    }
  return { mean, cov };
}

/** Sample mean (length p) and unbiased sample covariance (p × p) of M rows of a row-major M × p sample matrix. */
export function sampleMoments(samples: Mat): { mean: Float64Array; cov: Mat } {
  const { rows: M, cols: p } = samples;
  if (M < 2) throw new Error(`a sample covariance needs at least 2 samples, got ${M}`);
  const mean = new Float64Array(p);
  for (let s = 0; s < M; s++) for (let i = 0; i < p; i++) mean[i]! += samples.data[s * p + i]! / M;
  const cov = new Float64Array(p * p);
  for (let s = 0; s < M; s++)
    for (let i = 0; i < p; i++) {
      const di = samples.data[s * p + i]! - mean[i]!;
      for (let j = 0; j < p; j++) cov[i * p + j]! += (di * (samples.data[s * p + j]! - mean[j]!)) / (M - 1);
    }
  return { mean, cov: { rows: p, cols: p, data: cov } };
}

/** ‖a − b‖_F / ‖b‖_F (b the prediction). */
export function relFrobenius(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`relFrobenius: ${a.length} ≠ ${b.length} entries`);
  return relL2(a, b);
}

/**
 * A sampler of N(mean, cov) through the symmetric square root of cov (PSD; negative round-off clamped to 0): each call
 * returns M draws as the rows of an M × p matrix. The square root is computed once.
 */
export function gaussianSampler(mean: ArrayLike<number>, cov: Mat): (M: number, rng: Pick<Rng, 'normals'>) => Mat {
  const p = mean.length;
  if (cov.rows !== p || cov.cols !== p) throw new Error(`cov must be ${p}×${p}`);
  const { values, vectors: V } = symEig(cov);
  const root = new Float64Array(p * p); // R = V diag(√λ) Vᵀ, so R Rᵀ = cov
  for (let i = 0; i < p; i++)
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let k = 0; k < p; k++) s += V.data[i * p + k]! * Math.sqrt(Math.max(values[k]!, 0)) * V.data[j * p + k]!;
      root[i * p + j] = s;
    }
  // Draws in WebAssembly (core/wasm/wide.wat wide_xw_add): out[s, i] = mean_i + Σ_k R_ik·z_sk, the sum from mean_i over k
  // in order (bit-identical to the plain loop), two draws and two outputs i per pass; Rᵀ is stored so that the f64x2
  // lanes run along i.
  let arena: Arena | null = null;
  let cap = -1;
  let views: { rootT: Float64Array; z: Float64Array; out: Float64Array; rows: Int32Array } | null = null;
  return (M, rng) => {
    if (!arena || M > cap) {
      cap = M;
      arena = Arena.forSizes([p * p, M * p, M * p, Math.ceil(M / 2)]);
      const rootT = arena.f64(p * p);
      for (let i = 0; i < p; i++) for (let k = 0; k < p; k++) rootT[k * p + i] = root[i * p + k]!;
      const z = arena.f64(M * p);
      const out = arena.f64(M * p);
      const rows = new Int32Array(arena.memory.buffer, arena.f64(Math.ceil(M / 2)).byteOffset, M);
      for (let s = 0; s < M; s++) rows[s] = s;
      views = { rootT, z, out, rows };
    }
    const { rootT, z, out, rows } = views!;
    for (let s = 0; s < M; s++) {
      z.set(rng.normals(p), s * p);
      out.set(mean, s * p);
    }
    (arena.k as unknown as { wide_xw_add(...a: number[]): void }).wide_xw_add(arena.ptr(z), arena.ptr(rootT), arena.ptr(out), rows.byteOffset, M, p, p, 0);
    return { rows: M, cols: p, data: out.slice(0, M * p) };
  };
}
