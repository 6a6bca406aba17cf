// The long-time solution of the Linear Frequency Principle (LFP) dynamics, exactly, in float64.
//
// LFP (Zhang, Xu, Luo, Ma 2019, arXiv:1905.10264; lecture notes A4 eq. 1.26; BRIEF.md §2.4):
//   ∂_t û(ξ) = −γ(ξ)² (u ρ)^(ξ),   γ(ξ)² = a·|ξ|^-(d+1) + b·|ξ|^-(d+3),
// with ĝ(ξ) = ∫ g(x) e^(−2πiξ·x) dx (cycles; DESIGN.md's `lfp` contract: `a` multiplies the linear-spline term,
// `b` the cubic-spline term). From a zero initial function the limit t → ∞ is the interpolant of the data that
// minimises ∫ γ(ξ)^-2 |ĥ(ξ)|² dξ (A4 §1.3.1), i.e. the kernel interpolant with the generalised kernel G whose
// Fourier transform is γ², plus the null space of the semi-norm: affine functions when b > 0, since γ² ~ |ξ|^-(d+3)
// at 0 makes G conditionally positive definite of order 2 (Wendland, "Scattered Data Approximation", Thm 8.16);
// constants only when b = 0 (γ² ~ |ξ|^-(d+1): order 1; a linear function has infinite norm ∫|ξ|^(d+1)|ĥ|², so in 1-D
// the minimiser is piecewise linear inside the data and constant outside).
//
// Derivation of G (generalised Fourier transform of a radial power, Gel'fand–Shilov; Wendland Thm 8.16 in the
// cycles convention): for β > 0 odd,
//   ∫ |x|^β e^(−2πiξ·x) dx = π^(−β−d/2) Γ((β+d)/2) / Γ(−β/2) · |ξ|^(−β−d).
// β = 1 gives |ξ|^-(d+1) with Γ(−1/2) = −2√π (negative: −|x| is the CPD-1 kernel); β = 3 gives |ξ|^-(d+3) with
// Γ(−3/2) = 4√π/3. So G(x) = (a/k1)|x| + (b/k3)|x|³ with k_β = π^(−β−d/2) Γ((β+d)/2)/Γ(−β/2):
//   d = 1: G = −2π²·a|x| + (4π⁴/3)·b|x|³     (FT|x| = −1/(2π²ξ²), FT|x|³ = 3/(4π⁴ξ⁴))
//   d = 2: G = −4π²·a|x| + (16π⁴/9)·b|x|³    (FT|x| = −1/(4π²|ξ|³), FT|x|³ = 9/(16π⁴|ξ|⁵))
// In angular units ω = 2πξ this is BRIEF §2.4's G = A|x|³/12 − B|x|/2 (d=1) with A = 4π²b, B = a, up to the common
// factor (2π)^(d+1), which the interpolant does not see.
import { LuDecomposition, Matrix, SingularValueDecomposition } from 'ml-matrix';
import type { Mat } from './mlp.ts';

/** Γ(z) for positive half-integers z = (β+d)/2, by Γ(z+1) = zΓ(z) from Γ(1) = 1, Γ(1/2) = √π. */
function gamma(z: number): number {
  if (Number.isInteger(2 * z) && z > 0) {
    let g = Number.isInteger(z) ? 1 : Math.sqrt(Math.PI);
    for (let t = Number.isInteger(z) ? 1 : 0.5; t < z; t++) g *= t;
    return g;
  }
  throw new Error(`gamma: only positive half-integers are needed, got ${z}`);
}

/** The generalised Fourier transform constant of |x|^β in d dimensions, cycles convention (β = 1 or 3). */
export function radialPowerFt(beta: 1 | 3, d: number): number {
  const gammaMinusHalfBeta = beta === 1 ? -2 * Math.sqrt(Math.PI) : (4 * Math.sqrt(Math.PI)) / 3;
  return (Math.PI ** (-beta - d / 2) * gamma((beta + d) / 2)) / gammaMinusHalfBeta;
}

/** G(r) = c1·r + c3·r³, the kernel whose generalised FT is a|ξ|^-(d+1) + b|ξ|^-(d+3). */
export interface LfpKernel {
  d: number;
  c1: number;
  c3: number;
}

export function lfpKernel(d: number, a: number, b: number): LfpKernel {
  if (!(Number.isInteger(d) && d >= 1)) throw new Error(`lfpKernel: d must be a positive integer, got ${d}`);
  if (!(a >= 0 && b >= 0 && a + b > 0)) throw new Error(`lfpKernel: need a, b ≥ 0, not both zero (got ${a}, ${b})`);
  return { d, c1: a / radialPowerFt(1, d), c3: b / radialPowerFt(3, d) };
}

export function kernelValue(k: LfpKernel, r: number): number {
  return k.c1 * r + k.c3 * r * r * r;
}

function dist(X: Mat, i: number, Y: Mat, j: number): number {
  let s = 0;
  for (let k = 0; k < X.cols; k++) s += (X.data[i * X.cols + k]! - Y.data[j * Y.cols + k]!) ** 2;
  return Math.sqrt(s);
}

/** A solved interpolant h(x) = Σ_j c_j G(|x − x_j|) + p₀ + p·x, with Σ c_j q(x_j) = 0 for q in the null space. */
export interface LfpFit {
  kernel: LfpKernel;
  nodes: Mat;
  c: Float64Array;
  /** p[0] constant, p[1..d] linear coefficients (all 0 when the null space is the constants, b = 0). */
  p: Float64Array;
}

/** Degree of the null-space polynomials: 1 (affine) when the |ξ|^-(d+3) term is present, else 0 (constants). */
export function nullSpaceDegree(b: number): 0 | 1 {
  return b > 0 ? 1 : 0;
}

/** Why a node set cannot carry the null space of the given degree (too few, coincident or collinear points), or null. */
export function nodeProblem(X: Mat, degree: 0 | 1 = 1): string | null {
  const n = X.rows;
  const d = X.cols;
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) if (dist(X, i, X, j) === 0) return `points ${j} and ${i} coincide`;
  if (degree === 0) return n >= 1 ? null : 'need at least one point';
  if (n < d + 1) return `need at least ${d + 1} points in ${d} dimension${d > 1 ? 's' : ''} when b > 0, got ${n}`;
  // P = [1, x] must have full column rank (unisolvent for affine functions): smallest singular value check.
  const P = new Matrix(n, d + 1);
  let scale = 0;
  for (let i = 0; i < n; i++) {
    P.set(i, 0, 1);
    for (let k = 0; k < d; k++) {
      P.set(i, k + 1, X.data[i * d + k]!);
      scale = Math.max(scale, Math.abs(X.data[i * d + k]!));
    }
  }
  // Centre and scale the coordinates so the rank test does not depend on the units.
  for (let k = 1; k <= d; k++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += P.get(i, k) / n;
    for (let i = 0; i < n; i++) P.set(i, k, (P.get(i, k) - m) / (scale || 1));
  }
  const sv = new SingularValueDecomposition(P, { computeLeftSingularVectors: false, computeRightSingularVectors: false }).diagonal;
  if (!(Math.min(...sv) > 1e-10 * Math.max(...sv))) {
    return `the points lie on a common ${d === 2 ? 'line' : 'hyperplane'}, so the affine part (b > 0) is not determined`;
  }
  return null;
}

/**
 * Solves the saddle-point system [G P; Pᵀ 0][c; p] = [y; 0] (BRIEF §2.4) by LU with partial pivoting, P = [1, x]
 * (b > 0) or [1] (b = 0). Conditional positive definiteness makes it non-singular for admissible nodes.
 */
export function lfpFit(X: Mat, y: ArrayLike<number>, a: number, b: number): LfpFit {
  const n = X.rows;
  const d = X.cols;
  const degree = nullSpaceDegree(b);
  const problem = nodeProblem(X, degree);
  if (problem) throw new Error(`lfpFit: ${problem}`);
  const kernel = lfpKernel(d, a, b);
  const q = degree === 1 ? d + 1 : 1;
  const N = n + q;
  const M = new Matrix(N, N);
  const rhs = new Matrix(N, 1);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) M.set(i, j, kernelValue(kernel, dist(X, i, X, j)));
    M.set(i, n, 1);
    M.set(n, i, 1);
    for (let k = 0; k < q - 1; k++) {
      M.set(i, n + 1 + k, X.data[i * d + k]!);
      M.set(n + 1 + k, i, X.data[i * d + k]!);
    }
    rhs.set(i, 0, y[i]!);
  }
  const sol = new LuDecomposition(M).solve(rhs);
  const c = new Float64Array(n);
  const p = new Float64Array(d + 1);
  for (let i = 0; i < n; i++) c[i] = sol.get(i, 0);
  for (let k = 0; k < q; k++) p[k] = sol.get(n + k, 0);
  return { kernel, nodes: X, c, p };
}

export function lfpEval(fit: LfpFit, Xt: Mat): Float64Array {
  const d = fit.nodes.cols;
  if (Xt.cols !== d) throw new Error(`lfpEval: points have ${Xt.cols} coordinates, the fit ${d}`);
  const out = new Float64Array(Xt.rows);
  for (let t = 0; t < Xt.rows; t++) {
    let s = fit.p[0]!;
    for (let k = 0; k < d; k++) s += fit.p[k + 1]! * Xt.data[t * d + k]!;
    for (let j = 0; j < fit.nodes.rows; j++) s += fit.c[j]! * kernelValue(fit.kernel, dist(Xt, t, fit.nodes, j));
    out[t] = s;
  }
  return out;
}

/** The LFP long-time solution at the points Xt, from data (X, y), for γ² = a|ξ|^-(d+1) + b|ξ|^-(d+3). */
export function lfpSolve(X: Mat, y: ArrayLike<number>, Xt: Mat, a: number, b: number): Float64Array {
  return lfpEval(lfpFit(X, y, a, b), Xt);
}

/**
 * The XOR closed form (BRIEF §2.4, d = 2, data (±1, ±1) with y = x₁x₂): by symmetry p = 0 and c_j = c₀ y_j, with
 * c₀ = 1 / (G(2√2) − 2G(2)). Independent of the linear solve, so the two check each other.
 */
export function xorClosedForm(a: number, b: number, x1: number, x2: number): number {
  const k = lfpKernel(2, a, b);
  const c0 = 1 / (kernelValue(k, 2 * Math.SQRT2) - 2 * kernelValue(k, 2));
  let s = 0;
  for (const [u, v] of XOR_POINTS) s += u * v * kernelValue(k, Math.hypot(x1 - u, x2 - v));
  return c0 * s;
}

export const XOR_POINTS: readonly (readonly [number, number])[] = [
  [1, 1],
  [1, -1],
  [-1, 1],
  [-1, -1],
];
