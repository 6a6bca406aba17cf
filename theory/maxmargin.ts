// Implicit bias of gradient descent on separable data (Soudry, Hoffer, Nacson, Gunasekar, Srebro, JMLR 2018,
// arXiv:1710.10345), for homogeneous linear predictors w·x (no bias), labels ±1. BRIEF.md §5.
//
// Everything works on the label-absorbed points z_n = y_n·x_n (an N×d row-major matrix), as the paper does.
//   Hard-margin SVM:  ŵ = argmin ‖w‖²  s.t.  z_n·w ≥ 1 for all n;   dual ŵ = Σ_n α_n z_n, α ≥ 0.
//   GD:               w(t+1) = w(t) − η ∇L(w(t)),  L(w) = Σ_n ℓ(z_n·w)  (a sum, as in the paper),  w(0) = 0.
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { Mat } from './mlp.ts';
import { Arena } from '../core/wasm/runtime.ts';

export type MarginLoss = 'logistic' | 'exp' | 'squared';
export const MARGIN_LOSSES: readonly MarginLoss[] = ['logistic', 'exp', 'squared'];

/** z_n = y_n·x_n. Labels must be ±1. */
export function absorbLabels(x: Mat, y: ArrayLike<number>): Mat {
  const out = new Float64Array(x.data.length);
  for (let n = 0; n < x.rows; n++) for (let k = 0; k < x.cols; k++) out[n * x.cols + k] = y[n]! * x.data[n * x.cols + k]!;
  return { rows: x.rows, cols: x.cols, data: out };
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

function row(Z: Mat, n: number): Float64Array {
  return Z.data.subarray(n * Z.cols, (n + 1) * Z.cols);
}

/**
 * Angle (radians) between two non-zero vectors, computed as 2·atan2(‖â − b̂‖, ‖â + b̂‖), which stays accurate
 * for tiny angles where acos(â·b̂) loses half the digits.
 */
export function angleBetween(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const na = norm(a);
  const nb = norm(b);
  let dm = 0;
  let dp = 0;
  for (let i = 0; i < a.length; i++) {
    const u = a[i]! / na;
    const v = b[i]! / nb;
    dm += (u - v) ** 2;
    dp += (u + v) ** 2;
  }
  return 2 * Math.atan2(Math.sqrt(dm), Math.sqrt(dp));
}

// ---------------------------------------------------------------------------------------------------------
// Hard-margin SVM through the minimum-norm point of the convex hull of the z_n.
//
// Minimax duality: the best geometric margin γ = max_{‖u‖=1} min_n z_n·u equals min_{p∈conv(z)} ‖p‖, attained at
// u* = p*/‖p*‖; so ŵ = u*/γ = p*/‖p*‖² and the data are (strictly) separable iff p* ≠ 0.
// p* is found by Wolfe's exact active-set algorithm (P. Wolfe, "Finding the nearest point in a polytope",
// Math. Programming 11, 1976): a finite method whose final "corral" S is the support set. The answer is then
// re-solved exactly on S (G_SS α_S = 1, ŵ = Σ α_s z_s), and the KKT conditions are checked on every solve.
// ---------------------------------------------------------------------------------------------------------

export interface KktReport {
  /** min_n z_n·ŵ − 1 (≥ −tol: primal feasibility). */
  feasibility: number;
  /** min_n α_n (≥ −tol: dual feasibility). */
  minAlpha: number;
  /** max_n |α_n (z_n·ŵ − 1)| (complementary slackness). */
  complementarity: number;
  /** ‖ŵ − Σ α_n z_n‖ (stationarity). */
  stationarity: number;
}

export interface SvmSolution {
  /** The margin-one solution ŵ (min ‖w‖ s.t. z_n·w ≥ 1). */
  w: Float64Array;
  /** Geometric margin γ = 1/‖ŵ‖ = min_n z_n·ŵ/‖ŵ‖. */
  margin: number;
  /** Dual coefficients, one per point (zero off the support set). */
  alpha: Float64Array;
  /** Indices of the support vectors (α_n > 0). */
  support: number[];
  kkt: KktReport;
}

/** Thrown when a solve fails its KKT check: data too ill-conditioned for float64 (never a silent wrong answer). */
export class IllConditionedError extends Error {
  override name = 'IllConditionedError';
}

/** Thrown for data with no strictly separating homogeneous hyperplane (0 lies in the convex hull of the z_n). */
export class NotSeparableError extends Error {
  override name = 'NotSeparableError';
}

/**
 * The affine minimum-norm combination of the rows S: weights μ (Σμ = 1) minimizing ‖Σ μ_i z_{S_i}‖, or null when
 * the rows are affinely dependent. Solved as least squares min_c ‖z₀ + D c‖ with D = [z_{S_i} − z₀] by
 * Householder QR, whose error grows like the condition number of D; the normal equations (a bordered Gram
 * system) square it, which on thin margins (relative margin ε, condition ≈ 1/ε) left KKT violations ≈ u/ε².
 */
function affineMinNorm(Z: Mat, S: number[]): Float64Array | null {
  const m = S.length;
  const d = Z.cols;
  const z0 = row(Z, S[0]!);
  if (m === 1) return Float64Array.of(1);
  const k = m - 1;
  if (k > d) return null;
  // D (d × k, column-major) and the right-hand side −z₀.
  const D = new Float64Array(d * k);
  for (let j = 0; j < k; j++) {
    const zj = row(Z, S[j + 1]!);
    for (let i = 0; i < d; i++) D[j * d + i] = zj[i]! - z0[i]!;
  }
  const rhs = Float64Array.from(z0, (v) => -v);
  let scale = 0;
  for (const v of D) scale = Math.max(scale, Math.abs(v));
  const R = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    // Householder reflection zeroing D[j+1.., j].
    let nrm = 0;
    for (let i = j; i < d; i++) nrm += D[j * d + i]! ** 2;
    nrm = Math.sqrt(nrm);
    if (!(nrm > 1e-14 * scale)) return null; // affinely dependent (to rounding)
    const alpha = D[j * d + j]! > 0 ? -nrm : nrm;
    const v = new Float64Array(d);
    for (let i = j; i < d; i++) v[i] = D[j * d + i]!;
    v[j]! -= alpha;
    let vv = 0;
    for (let i = j; i < d; i++) vv += v[i]! ** 2;
    const apply = (x: Float64Array, off: number) => {
      let s = 0;
      for (let i = j; i < d; i++) s += v[i]! * x[off + i]!;
      const f = (2 * s) / vv;
      for (let i = j; i < d; i++) x[off + i]! -= f * v[i]!;
    };
    for (let c = j; c < k; c++) apply(D, c * d);
    apply(rhs, 0);
    R[j] = D[j * d + j]!;
  }
  // Back substitution R c = (Qᵀ(−z₀))[0..k).
  const c = new Float64Array(k);
  for (let j = k - 1; j >= 0; j--) {
    let s = rhs[j]!;
    for (let l = j + 1; l < k; l++) s -= D[l * d + j]! * c[l]!;
    c[j] = s / R[j]!;
  }
  const mu = new Float64Array(m);
  let sum = 0;
  for (let j = 0; j < k; j++) {
    mu[j + 1] = c[j]!;
    sum += c[j]!;
  }
  mu[0] = 1 - sum;
  return mu;
}

/** Gaussian elimination with partial pivoting on a small dense system; null if (numerically) singular. */
export function gaussSolve(Ain: Float64Array, bin: Float64Array, n: number): Float64Array | null {
  const A = Ain.slice();
  const b = bin.slice();
  let scale = 0;
  for (const v of A) scale = Math.max(scale, Math.abs(v));
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r * n + c]!) > Math.abs(A[p * n + c]!)) p = r;
    if (!(Math.abs(A[p * n + c]!) > 1e-14 * scale)) return null;
    if (p !== c) {
      for (let k = 0; k < n; k++) [A[c * n + k], A[p * n + k]] = [A[p * n + k]!, A[c * n + k]!];
      [b[c], b[p]] = [b[p]!, b[c]!];
    }
    for (let r = c + 1; r < n; r++) {
      const f = A[r * n + c]! / A[c * n + c]!;
      if (f === 0) continue;
      for (let k = c; k < n; k++) A[r * n + k]! -= f * A[c * n + k]!;
      b[r]! -= f * b[c]!;
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let k = r + 1; k < n; k++) s -= A[r * n + k]! * x[k]!;
    x[r] = s / A[r * n + r]!;
  }
  return x;
}

/** Wolfe's algorithm: the minimum-norm point of conv{z_n}, as barycentric weights on the corral S. */
export function minNormPoint(Z: Mat): { p: Float64Array; S: number[]; lambda: number[] } {
  const N = Z.rows;
  const d = Z.cols;
  let maxSq = 0;
  for (let n = 0; n < N; n++) maxSq = Math.max(maxSq, dot(row(Z, n), row(Z, n)));
  const maxNorm = Math.sqrt(maxSq);
  // Start at the shortest point.
  let j0 = 0;
  for (let n = 1; n < N; n++) if (dot(row(Z, n), row(Z, n)) < dot(row(Z, j0), row(Z, j0))) j0 = n;
  let S = [j0];
  let lam = [1];
  const point = (S: number[], w: number[]) => {
    const p = new Float64Array(d);
    S.forEach((s, i) => {
      const z = row(Z, s);
      for (let k = 0; k < d; k++) p[k]! += w[i]! * z[k]!;
    });
    return p;
  };
  let p = point(S, lam);
  for (let major = 0; major < 50 * (N + d) + 100; major++) {
    // Optimality: p·z_j ≥ ‖p‖² for all j (p is then the nearest point).
    let j = 0;
    let best = Infinity;
    for (let n = 0; n < N; n++) {
      const v = dot(p, row(Z, n));
      if (v < best) [best, j] = [v, n];
    }
    const pp = dot(p, p);
    // Stop when optimal up to rounding (relative to ‖p‖², floored by the dot products' own error), or when
    // ‖p‖ is far below the separability threshold of hardMarginSvm (then 0 is in the hull).
    if (pp - best <= Math.max(1e-12 * pp, 1e-14 * Math.sqrt(pp) * maxNorm) || S.includes(j) || pp <= 1e-24 * maxSq) break;
    S.push(j);
    lam.push(0);
    for (let minor = 0; minor <= S.length + 1; minor++) {
      const mu = affineMinNorm(Z, S);
      if (mu === null) {
        // Affinely dependent corral (only in floating-point ties): drop the newest point and stop (another major
        // iteration would pick the same j from the same p and fail the same way, up to the iteration cap).
        S.pop();
        lam.pop();
        return { p: point(S, lam), S, lambda: lam };
      }
      if (mu.every((m) => m > 1e-15)) {
        lam = Array.from(mu);
        break;
      }
      // Move from λ towards μ until the first weight hits zero; drop the zero weights.
      let theta = 1;
      for (let i = 0; i < S.length; i++) if (mu[i]! <= 1e-15) theta = Math.min(theta, lam[i]! / (lam[i]! - mu[i]!));
      lam = lam.map((l, i) => (1 - theta) * l + theta * mu[i]!);
      const keep = lam.map((l) => l > 1e-15);
      S = S.filter((_, i) => keep[i]);
      lam = lam.filter((_, i) => keep[i]);
      const sum = lam.reduce((a, b) => a + b, 0);
      lam = lam.map((l) => l / sum);
    }
    p = point(S, lam);
  }
  return { p, S, lambda: lam };
}

/**
 * The KKT tolerance for well-conditioned data: every condition, made scale-free as in `kktHolds`, within 1e-9.
 */
export const KKT_TOL = 1e-9;

/**
 * Rounding of the solve, per unit of the condition number κ = max‖z_n‖/γ (γ the geometric margin, so 1/κ is the
 * relative margin). Why κ: ŵ = p/‖p‖² with p the nearest point of the hull, computed with an absolute error of
 * a few ulps of max‖z‖; so z·ŵ − 1 = (z·p − ‖p‖²)/‖p‖² carries an error ≈ u·κ (u = 2⁻⁵³ ≈ 1.1e-16), and so do
 * the scaled stationarity and complementarity. 1e-13 ≈ 900·u leaves room for sums over the points.
 * Measured on two-point and near-degenerate sets (properties/theory/maxmargin.test.ts): violations ≤ 1e-15·κ.
 */
export const KKT_ROUNDING = 1e-13;

/**
 * Relative margins γ/max‖z‖ at or below this are refused as not separable: there the tolerance of
 * `svmKktTolerance` reaches 1e-2, so a "solution" could not be told from a non-solution in float64.
 * Above it (e.g. 1e-10) the data are solved and certified to KKT within `svmKktTolerance(κ)`.
 */
export const MIN_RELATIVE_MARGIN = 1e-11;

/** The scale-free KKT tolerance the SVM is certified to: max(KKT_TOL, KKT_ROUNDING·κ), κ = max‖z‖/γ. */
export function svmKktTolerance(kappa: number): number {
  return Math.max(KKT_TOL, KKT_ROUNDING * kappa);
}

export function kktReport(Z: Mat, w: Float64Array, alpha: Float64Array): KktReport {
  let feasibility = Infinity;
  let minAlpha = Infinity;
  let complementarity = 0;
  const r = Float64Array.from(w);
  for (let n = 0; n < Z.rows; n++) {
    const z = row(Z, n);
    const m = dot(z, w) - 1;
    feasibility = Math.min(feasibility, m);
    minAlpha = Math.min(minAlpha, alpha[n]!);
    complementarity = Math.max(complementarity, Math.abs(alpha[n]! * m));
    for (let k = 0; k < Z.cols; k++) r[k]! -= alpha[n]! * z[k]!;
  }
  return { feasibility, minAlpha, complementarity, stationarity: norm(r) };
}

/**
 * The largest KKT violation in scale-free terms: z·ŵ − 1 is dimensionless, α scales like ‖ŵ‖² (at the optimum
 * Σ α_n = ŵ·ŵ), and the stationarity residual like ‖ŵ‖. Rescaling the data by any c > 0 leaves it unchanged.
 */
export function kktViolation(k: KktReport, w: ArrayLike<number>): number {
  const n = norm(w);
  return Math.max(-k.feasibility, -k.minAlpha / (n * n), k.complementarity / (n * n), k.stationarity / n, 0);
}

/** True if the report satisfies KKT to `tol` in the scale-free terms of `kktViolation`. */
export function kktHolds(k: KktReport, w: ArrayLike<number>, tol = KKT_TOL): boolean {
  const n = norm(w);
  return k.feasibility >= -tol && k.minAlpha >= -tol * n * n && k.complementarity <= tol * n * n && k.stationarity <= tol * n;
}

/**
 * The margin-one solution on a support set S: z_s·w = 1 for s ∈ S with w = Σ_s α_s z_s, through the thin QR
 * factorization Z_Sᵀ = QR (modified Gram–Schmidt, run twice: "twice is enough" for orthogonality to rounding):
 * Rᵀy = 1, w = Q y, α_S = R⁻¹ y. Null when the z_s are linearly dependent (to 1e-14 of their length).
 */
export function supportSolve(Z: Mat, S: number[]): { w: Float64Array; alphaS: Float64Array } | null {
  const d = Z.cols;
  const m = S.length;
  if (m > d) return null;
  const Q = S.map((s) => Float64Array.from(row(Z, s)));
  const R = new Float64Array(m * m);
  for (let j = 0; j < m; j++) {
    const q = Q[j]!;
    const len = norm(q);
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < j; i++) {
        const c = dot(Q[i]!, q);
        R[i * m + j]! += c;
        for (let k = 0; k < d; k++) q[k]! -= c * Q[i]![k]!;
      }
    }
    const r = norm(q);
    if (!(r > 1e-14 * len)) return null;
    R[j * m + j] = r;
    for (let k = 0; k < d; k++) q[k]! /= r;
  }
  // Rᵀ y = 1 (forward), then R α = y (backward).
  const y = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    let s = 1;
    for (let i = 0; i < j; i++) s -= R[i * m + j]! * y[i]!;
    y[j] = s / R[j * m + j]!;
  }
  const alphaS = new Float64Array(m);
  for (let j = m - 1; j >= 0; j--) {
    let s = y[j]!;
    for (let i = j + 1; i < m; i++) s -= R[j * m + i]! * alphaS[i]!;
    alphaS[j] = s / R[j * m + j]!;
  }
  const w = new Float64Array(d);
  for (let j = 0; j < m; j++) for (let k = 0; k < d; k++) w[k]! += y[j]! * Q[j]![k]!;
  return { w, alphaS };
}

/**
 * The hard-margin SVM for homogeneous linear predictors on the label-absorbed points Z.
 * Throws NotSeparableError when the relative margin γ/max‖z‖ is at most MIN_RELATIVE_MARGIN (0 in the hull, to
 * float64's resolution). Otherwise returns the solution certified to KKT within svmKktTolerance(max‖z‖/γ), and
 * throws IllConditionedError if it is not (never silently a wrong answer).
 */
export function hardMarginSvm(Z: Mat): SvmSolution {
  if (Z.rows === 0) throw new NotSeparableError('no points');
  const { p, S, lambda } = minNormPoint(Z);
  let maxNorm = 0;
  for (let n = 0; n < Z.rows; n++) maxNorm = Math.max(maxNorm, norm(row(Z, n)));
  const gamma = norm(p);
  if (!(gamma > MIN_RELATIVE_MARGIN * maxNorm)) {
    throw new NotSeparableError(
      `data are not linearly separable by a homogeneous linear predictor (no bias): 0 lies in the convex hull of y_i·x_i (best margin ${gamma.toExponential(2)}, relative margin ${(gamma / maxNorm).toExponential(2)} ≤ ${MIN_RELATIVE_MARGIN})`,
    );
  }
  const candidates: { w: Float64Array; alpha: Float64Array }[] = [];
  const fromAlpha = (alpha: Float64Array) => {
    const w = new Float64Array(Z.cols);
    for (let n = 0; n < Z.rows; n++) if (alpha[n]! !== 0) for (let k = 0; k < Z.cols; k++) w[k]! += alpha[n]! * Z.data[n * Z.cols + k]!;
    return { w, alpha };
  };
  // (a) The support-set equations z_s·ŵ = 1, ŵ = Σ α_s z_s, solved through a QR factorization Z_Sᵀ = QR:
  // ŵ = Q R⁻ᵀ1 and α_S = R⁻¹R⁻ᵀ1. Backward stable, so the KKT residuals stay ≈ u·κ (the Gram system G_SS α = 1
  // would square the condition number: residuals ≈ u·κ², KKT failures from relative margin ≈ 1e-6).
  const qr = supportSolve(Z, S);
  if (qr && qr.alphaS.every((a) => a > 0)) {
    const alpha = new Float64Array(Z.rows);
    S.forEach((s, i) => (alpha[s] = qr.alphaS[i]!));
    candidates.push({ w: qr.w, alpha });
  }
  // (b) Wolfe's weights: α = λ/‖p‖², ŵ = Σ α z (exact on well-conditioned data; a fallback when S is degenerate).
  const alphaB = new Float64Array(Z.rows);
  S.forEach((s, i) => (alphaB[s] = lambda[i]! / (gamma * gamma)));
  candidates.push(fromAlpha(alphaB));
  let best = candidates[0]!;
  let bestKkt = kktReport(Z, best.w, best.alpha);
  for (const c of candidates.slice(1)) {
    const k = kktReport(Z, c.w, c.alpha);
    if (kktViolation(k, c.w) < kktViolation(bestKkt, best.w)) [best, bestKkt] = [c, k];
  }
  const kappa = maxNorm / gamma;
  if (!kktHolds(bestKkt, best.w, svmKktTolerance(kappa))) {
    throw new IllConditionedError(`the hard-margin SVM failed its KKT check (margin/max‖x‖ = ${(gamma / maxNorm).toExponential(2)}, violation ${kktViolation(bestKkt, best.w).toExponential(2)} > ${svmKktTolerance(kappa).toExponential(2)}): too ill-conditioned for float64`);
  }
  return { w: best.w, margin: 1 / norm(best.w), alpha: best.alpha, support: S.slice().sort((a, b) => a - b), kkt: bestKkt };
}

// ---------------------------------------------------------------------------------------------------------
// Gradient descent on L(w) = Σ_n ℓ(z_n·w).
// ---------------------------------------------------------------------------------------------------------

/** ℓ(u): logistic log(1+e^(−u)), exponential e^(−u), squared ½(1−u)² (the control: regression on the labels). */
export function marginLoss(loss: MarginLoss, u: number): number {
  switch (loss) {
    case 'logistic':
      return u > 0 ? Math.log1p(Math.exp(-u)) : -u + Math.log1p(Math.exp(u));
    case 'exp':
      return Math.exp(-u);
    case 'squared':
      return 0.5 * (1 - u) ** 2;
  }
}

/** ℓ'(u). */
export function marginLossDeriv(loss: MarginLoss, u: number): number {
  switch (loss) {
    case 'logistic':
      return -1 / (1 + Math.exp(u));
    case 'exp':
      return -Math.exp(-u);
    case 'squared':
      return u - 1;
  }
}

export function totalLoss(Z: Mat, w: ArrayLike<number>, loss: MarginLoss): number {
  let s = 0;
  for (let n = 0; n < Z.rows; n++) s += marginLoss(loss, dot(row(Z, n), w));
  return s;
}

/**
 * σ_max(Z)², the largest eigenvalue of ZᵀZ. Computed on Z/max|z| with entries below 1e-200 of the largest set
 * to 0 (their share of σ² is below float64's resolution; subnormal inputs otherwise break ml-matrix's EVD).
 */
export function sigmaMaxSq(Z: Mat): number {
  let c = 0;
  for (const v of Z.data) c = Math.max(c, Math.abs(v));
  if (c === 0) return 0;
  const M = new Matrix(Z.rows, Z.cols);
  for (let n = 0; n < Z.rows; n++) {
    for (let k = 0; k < Z.cols; k++) {
      const v = Z.data[n * Z.cols + k]! / c;
      M.set(n, k, Math.abs(v) < 1e-200 ? 0 : v);
    }
  }
  const e = new EigenvalueDecomposition(M.transpose().mmul(M), { assumeSymmetric: true });
  return Math.max(...e.realEigenvalues) * c * c;
}

/**
 * The step-size rule (the `maxmargin` tool's default), inside the descent bound of each loss:
 * - logistic: ℓ is β = 1/4 smooth, so L is σ²/4 smooth and the bound is η < 2β⁻¹σ⁻² = 8/σ²
 *   (Soudry et al. Thm 3); we take η = 1/σ², the brief's calibrated choice (§5.4).
 * - exp: not globally smooth, but from w(0) = 0 descent keeps L(w) ≤ L(0) = N, and there
 *   ∇²L = Zᵀdiag(e^(−u))Z ⪯ N·σ², so η < 2/(Nσ²) descends; we take η = 1/(Nσ²).
 * - squared: L is σ²-smooth, η < 2/σ²; we take η = 1/σ².
 * Here σ = σ_max(Z) and N the number of points.
 */
export function defaultStepSize(Z: Mat, loss: MarginLoss): number {
  const s2 = sigmaMaxSq(Z);
  return loss === 'exp' ? 1 / (Z.rows * s2) : 1 / s2;
}

export interface GdSnapshot {
  t: number;
  w: Float64Array;
  loss: number;
}

export interface GdResult {
  w: Float64Array;
  steps: number;
  /** Snapshots at the requested times (those ≤ steps), in increasing order. */
  snapshots: GdSnapshot[];
  /** First step at which the loss became non-finite, or null. */
  divergedAt: number | null;
}

/**
 * Full-batch GD from w(0) = 0 for `steps` steps, recording w and L at the times in `record` (e.g. log-spaced).
 * About 4·N·d flops a step (d² for the squared loss when d < 2N, in its Gram form), no allocation in the loop: 10^6
 * steps on the brief's 6 points take tens of ms.
 */
export function gradientDescent(
  Z: Mat,
  opts: { loss: MarginLoss; eta: number; steps: number; record?: readonly number[]; w0?: ArrayLike<number> },
): GdResult {
  const { loss, eta, steps } = opts;
  const N = Z.rows;
  const d = Z.cols;
  // Only integer times are steps: a fractional one would never match and would block every later time.
  const times = [...new Set(opts.record ?? [])].filter((t) => Number.isInteger(t) && t >= 0 && t <= steps).sort((a, b) => a - b);
  // The squared loss's gradient is linear in w: Zᵀ(Zw − 1) = A·w − c with A = ZᵀZ and c = Zᵀ1, d² flops a step
  // instead of 2Nd. The same iteration, rounded differently (not bit-identical to the row form), when that is cheaper.
  const gram = loss === 'squared' && d < 2 * N;
  // The loop runs in WebAssembly (core/wasm/loops.wat), bit-identical to the plain row-by-row loop: every margin
  // u_n = Σ_k z_nk w_k and every g_k = Σ_n ℓ'(u_n) z_nk summed in ascending k (resp. n) from 0.
  const arena = Arena.forSizes(gram ? [d * d, d, d, d] : [N * d, N * d, d, d, N]);
  const k = arena.k as unknown as LoopKernels;
  let run: (count: number) => number;
  let w: Float64Array;
  if (gram) {
    const A = arena.f64(d * d);
    const c = arena.f64(d);
    w = arena.f64(d);
    const g = arena.f64(d);
    for (let i = 0; i < d; i++) {
      for (let n = 0; n < N; n++) c[i]! += Z.data[n * d + i]!;
      for (let l = 0; l < d; l++) {
        let s = 0;
        for (let n = 0; n < N; n++) s += Z.data[n * d + i]! * Z.data[n * d + l]!;
        A[i * d + l] = s;
      }
    }
    run = (count) => k.loops_gram_gd(arena.ptr(A), arena.ptr(c), arena.ptr(w), arena.ptr(g), d, eta, count);
  } else {
    // Z transposed (column k holds z_nk for every n) for the margins, Z itself for the gradient.
    const zt = arena.f64(N * d);
    const z = arena.copyOf(Z.data);
    w = arena.f64(d);
    const g = arena.f64(d);
    const u = arena.f64(N);
    for (let n = 0; n < N; n++) for (let i = 0; i < d; i++) zt[i * N + n] = Z.data[n * d + i]!;
    const code = loss === 'logistic' ? 0 : loss === 'exp' ? 1 : 2;
    run = (count) => k.loops_margin_gd(arena.ptr(zt), arena.ptr(z), arena.ptr(w), arena.ptr(g), arena.ptr(u), N, d, eta, code, count);
  }
  if (opts.w0) w.set(Float64Array.from(opts.w0));
  const snapshots: GdSnapshot[] = [];
  let next = 0;
  let divergedAt: number | null = null;
  const snap = (t: number) => {
    while (next < times.length && times[next] === t) {
      snapshots.push({ t, w: Float64Array.from(w), loss: totalLoss(Z, w, loss) });
      next++;
    }
  };
  snap(0);
  // One kernel call per stretch between recorded times (a call costs tens of ns; a step, N exponentials).
  let t = 0;
  while (t < steps) {
    const until = next < times.length ? times[next]! : steps;
    const taken = run(until - t);
    t += taken;
    if (!Number.isFinite(w[0]!)) {
      divergedAt = t;
      break;
    }
    snap(t);
  }
  return { w: Float64Array.from(w), steps, snapshots, divergedAt };
}

/** The kernels of core/wasm/loops.wat used here. */
interface LoopKernels {
  loops_margin_gd(zt: number, z: number, w: number, g: number, u: number, N: number, d: number, eta: number, loss: number, steps: number): number;
  loops_gram_gd(A: number, c: number, w: number, g: number, d: number, eta: number, steps: number): number;
}

/** Integer times spread evenly in log t between `from` and `to` (inclusive, deduplicated). */
export function logSpacedTimes(from: number, to: number, count: number): number[] {
  const out = new Set<number>();
  for (let i = 0; i < count; i++) out.add(Math.round(Math.exp(Math.log(from) + ((Math.log(to) - Math.log(from)) * i) / (count - 1))));
  return [...out].sort((a, b) => a - b);
}

/**
 * The asymptotic offset w̃ of Soudry et al. (Thm 3 and §3): w(t) = ŵ·log t + w̃ + o(1), where w̃ solves
 * η·exp(−z_s·w̃) = α_s on the support vectors s ∈ S (both losses have the tail ℓ'(u) ≈ −e^(−u)).
 * Only the component of w̃ in span{z_s} is determined this way; we return the minimum-norm solution, which
 * is the whole of w̃ when the support vectors span R^d (BRIEF §5.4 caveat). Null when S is rank-deficient.
 */
export function asymptoticOffset(Z: Mat, svm: SvmSolution, eta: number): Float64Array | null {
  const S = svm.support;
  const m = S.length;
  // Minimum-norm solution of Z_S w̃ = c with c_s = −log(α_s/η):  w̃ = Z_Sᵀ (Z_S Z_Sᵀ)⁻¹ c.
  const G = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) G[i * m + j] = dot(row(Z, S[i]!), row(Z, S[j]!));
  const c = Float64Array.from(S, (s) => -Math.log(svm.alpha[s]! / eta));
  const beta = gaussSolve(G, c, m);
  if (!beta) return null;
  const out = new Float64Array(Z.cols);
  S.forEach((s, i) => {
    for (let k = 0; k < Z.cols; k++) out[k]! += beta[i]! * Z.data[s * Z.cols + k]!;
  });
  return out;
}
