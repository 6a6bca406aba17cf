// The LFP dynamics at finite time (not only t → ∞), in x-space, exactly, in float64.
//
// LFP (Zhang, Xu, Luo, Ma 2019, arXiv:1905.10264; lecture A4 eq. 1.26; BRIEF.md §2.2): ∂_t û(ξ, t) = −γ(ξ)² (u ρ)^(ξ, t)
// with u = h − f and ρ the empirical measure of the data. With ρ = Σ_i δ(x − x_i) (the sum-of-squares loss of the
// authors' code; a 1/n goes into the time scale) and G the kernel whose generalised Fourier transform is γ²
// (theory/lfp.ts), this reads ∂_t h(x, t) = −Σ_i G(x − x_i) u(x_i, t) for the frequencies ξ ≠ 0.
//
// At ξ = 0 the equation does not say what happens: γ² ~ |ξ|^-(d+3) is not integrable there, so G is fixed only up to
// affine functions (for b > 0), and G is only conditionally positive definite (G(0) = 0: its Gram matrix has a
// negative eigenvalue, and −G_XX as a flow diverges). The convention used here, stated because BRIEF §2 gives none:
// the affine part of the residual is removed instantly (an affine null space with an infinitely fast rate, the limit
// of adding λ·(1 + x·x') to G as λ → ∞). Then, with P = [1, x] on the data and Q an orthonormal basis of {v : Pᵀv = 0},
//   h(x, t) = Σ_j c_j(t) G(x − x_j) + p(t)·[1, x],  c(t) = Q γ(t),  Pᵀ u(t) = 0,
//   dγ/dt = −Qᵀ u = Qᵀ y − M γ,  M = Qᵀ G_XX Q (positive definite: G is CPD of order 2, Wendland Thm 8.16),
//   γ(t) = M⁻¹ (I − e^(−M t)) Qᵀ y,  and p(t) from Pᵀ(G_XX c + P p − y) = 0.
// As t → ∞ this is the minimum-∫γ⁻²|ĥ|² interpolant of theory/lfp.ts; at t = 0⁺ it is the least-squares affine fit.
//
// The time scale. For the network h(x) = Σ_j a_j ReLU(w_j x + b_j) with b ~ U[−v_l, v_l] and every kink range
// covering the data, the translation-invariant part of its mean NTK per neuron is exactly G/(2 v_l), G from
// theory/lfp-net.ts's lfpCoefficients (theory/lfp-bias.ts, checked there by exact integration over the bias; the
// non-stationary w-gradient term it also finds is what LFP drops). Gradient descent with step η on ½Σ(h − y)² for k steps is then the flow above with the kernel scaled
// by m/(2 v_l), at t = kη.
import { EigenvalueDecomposition, Matrix, QrDecomposition } from 'ml-matrix';
import { kernelValue, lfpKernel, nodeProblem, type LfpKernel } from './lfp.ts';
import type { Mat } from './mlp.ts';

export interface LfpDynamics {
  kernel: LfpKernel;
  /** Multiplies G (the network's m/(2 v_l)). */
  scale: number;
  nodes: Mat;
  y: Float64Array;
  /** Orthonormal basis of the vectors orthogonal to the affine functions on the nodes, n × (n − d − 1). */
  Q: Matrix;
  /** Eigen-decomposition of M = scale·Qᵀ G_XX Q: rates μ (ascending) and eigenvectors V (columns). */
  rates: number[];
  V: Matrix;
  /** Vᵀ Qᵀ y. */
  qy: number[];
}

function dist(X: Mat, i: number, Y: Mat, j: number): number {
  let s = 0;
  for (let k = 0; k < X.cols; k++) s += (X.data[i * X.cols + k]! - Y.data[j * Y.cols + k]!) ** 2;
  return Math.sqrt(s);
}

/** P = [1, x] on the nodes. */
function affineBasis(X: Mat): Matrix {
  const P = new Matrix(X.rows, X.cols + 1);
  for (let i = 0; i < X.rows; i++) {
    P.set(i, 0, 1);
    for (let k = 0; k < X.cols; k++) P.set(i, k + 1, X.data[i * X.cols + k]!);
  }
  return P;
}

/**
 * The LFP flow from h = 0 for data (X, y) and γ² = a|ξ|^-(d+1) + b|ξ|^-(d+3) (b > 0: the affine null space), with the
 * kernel scaled by `scale`.
 */
export function lfpDynamics(X: Mat, y: ArrayLike<number>, a: number, b: number, scale = 1): LfpDynamics {
  if (!(b > 0)) throw new Error('lfpDynamics: needs b > 0 (the affine null space)');
  if (!(scale > 0)) throw new Error(`lfpDynamics: scale must be > 0, got ${scale}`);
  const problem = nodeProblem(X, 1);
  if (problem) throw new Error(`lfpDynamics: ${problem}`);
  const n = X.rows;
  const q = X.cols + 1;
  if (n <= q) throw new Error(`lfpDynamics: need more than ${q} points for a non-affine part, got ${n}`);
  const kernel = lfpKernel(X.cols, a, b);
  const Q = orthogonalComplement(affineBasis(X));
  const G = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) G.set(i, j, scale * kernelValue(kernel, dist(X, i, X, j)));
  const M = Q.transpose().mmul(G).mmul(Q);
  const sym = M.add(M.transpose()).mul(0.5);
  const eig = new EigenvalueDecomposition(sym, { assumeSymmetric: true });
  const order = eig.realEigenvalues.map((_, i) => i).sort((i, j) => eig.realEigenvalues[i]! - eig.realEigenvalues[j]!);
  const rates = order.map((i) => eig.realEigenvalues[i]!);
  if (!(rates[0]! > 0)) throw new Error(`lfpDynamics: QᵀGQ is not positive definite (smallest eigenvalue ${rates[0]})`);
  const V = new Matrix(n - q, n - q);
  order.forEach((src, dst) => {
    for (let r = 0; r < n - q; r++) V.set(r, dst, eig.eigenvectorMatrix.get(r, src));
  });
  const yv = Float64Array.from(y as ArrayLike<number>);
  const qy = V.transpose().mmul(Q.transpose()).mmul(Matrix.columnVector(Array.from(yv))).getColumn(0);
  return { kernel, scale, nodes: X, y: yv, Q, rates, V, qy };
}

/** Orthonormal basis (columns) of the orthogonal complement of the column space of P (n × k, full column rank). */
export function orthogonalComplement(P: Matrix): Matrix {
  const n = P.rows;
  const k = P.columns;
  // Gram–Schmidt (twice, for stability) of P's columns followed by the unit vectors; keep what the unit vectors add.
  const basis: Float64Array[] = [];
  const out: Float64Array[] = [];
  const orth = (v: Float64Array) => {
    for (let pass = 0; pass < 2; pass++) {
      for (const u of basis) {
        let d = 0;
        for (let i = 0; i < n; i++) d += u[i]! * v[i]!;
        for (let i = 0; i < n; i++) v[i]! -= d * u[i]!;
      }
    }
    let s = 0;
    for (let i = 0; i < n; i++) s += v[i]! ** 2;
    return Math.sqrt(s);
  };
  for (let c = 0; c < k; c++) {
    const v = Float64Array.from(P.getColumn(c));
    const norm = orth(v);
    if (!(norm > 1e-12)) throw new Error('orthogonalComplement: P is rank-deficient');
    basis.push(v.map((x) => x / norm));
  }
  for (let e = 0; e < n && out.length < n - k; e++) {
    const v = new Float64Array(n);
    v[e] = 1;
    const norm = orth(v);
    if (norm > 1e-8) {
      const u = v.map((x) => x / norm);
      basis.push(u);
      out.push(u);
    }
  }
  const Q = new Matrix(n, n - k);
  out.forEach((u, c) => u.forEach((x, r) => Q.set(r, c, x)));
  return Q;
}

/** Kernel coefficients c(t) = Q V diag((1 − e^(−μt))/μ) Vᵀ Qᵀ y (t = Infinity: the long-time limit). */
export function dynamicsCoefficients(dyn: LfpDynamics, t: number): Float64Array {
  if (!(t >= 0)) throw new Error(`dynamicsCoefficients: t must be ≥ 0, got ${t}`);
  const g = dyn.rates.map((mu, i) => (t === Infinity ? 1 / mu : -Math.expm1(-mu * t) / mu) * dyn.qy[i]!);
  const c = dyn.Q.mmul(dyn.V).mmul(Matrix.columnVector(g)).getColumn(0);
  return Float64Array.from(c);
}

/** The affine part p(t) that keeps the residual orthogonal to the affine functions: (PᵀP) p = Pᵀ(y − G c). */
function affinePart(dyn: LfpDynamics, c: Float64Array): number[] {
  const X = dyn.nodes;
  const n = X.rows;
  const P = affineBasis(X);
  const r = new Matrix(n, 1);
  for (let i = 0; i < n; i++) {
    let s = dyn.y[i]!;
    for (let j = 0; j < n; j++) s -= c[j]! * dyn.scale * kernelValue(dyn.kernel, dist(X, i, X, j));
    r.set(i, 0, s);
  }
  const PtP = P.transpose().mmul(P);
  return new QrDecomposition(PtP).solve(P.transpose().mmul(r)).getColumn(0);
}

/** h(x, t) at the points Xt. */
export function dynamicsEval(dyn: LfpDynamics, t: number, Xt: Mat): Float64Array {
  const c = dynamicsCoefficients(dyn, t);
  const p = affinePart(dyn, c);
  const d = dyn.nodes.cols;
  const out = new Float64Array(Xt.rows);
  for (let i = 0; i < Xt.rows; i++) {
    let s = p[0]!;
    for (let k = 0; k < d; k++) s += p[k + 1]! * Xt.data[i * d + k]!;
    for (let j = 0; j < dyn.nodes.rows; j++) s += c[j]! * dyn.scale * kernelValue(dyn.kernel, dist(Xt, i, dyn.nodes, j));
    out[i] = s;
  }
  return out;
}
