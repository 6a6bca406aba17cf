// Double descent with random features (Belkin, Hsu, Ma, Mandal, PNAS 2019, arXiv:1812.11118; brief §7).
// h(x) = Σ_k a_k·φ(x; v_k) with fixed random v_k; a = Φ⁺y (Moore–Penrose, minimum norm) or ridge.
// Float64 throughout; the pseudo-inverse goes through ml-matrix's SVD so the square, ill-conditioned N = n
// case is handled with an explicit singular-value cutoff (brief P7.1: rcond 1e-12).
import { EigenvalueDecomposition, Matrix, SingularValueDecomposition } from 'ml-matrix';
import type { Mat } from './mlp.ts';
import type { Rng } from '../core/rng.ts';
import { Arena } from '../core/wasm/runtime.ts';

/** ReLU random features Φ[i,k] = max(0, v_k·x_i) for the first N columns of V (nested features, brief §7.3). */
export function reluFeatures(X: Mat, V: Mat, N: number): Mat {
  if (V.rows !== X.cols) throw new Error(`V has ${V.rows} rows, x has ${X.cols} entries`);
  if (N > V.cols) throw new Error(`asked for ${N} features, only ${V.cols} drawn`);
  const out = new Float64Array(X.rows * N);
  // Row i of X·V accumulated one input coordinate at a time over contiguous rows of V (each entry's sum still runs
  // over j in order from 0), then the ReLU.
  for (let i = 0; i < X.rows; i++) {
    const o = i * N;
    for (let j = 0; j < X.cols; j++) {
      const x = X.data[i * X.cols + j]!;
      const vo = j * V.cols;
      for (let k = 0; k < N; k++) out[o + k]! += x * V.data[vo + k]!;
    }
    for (let k = 0; k < N; k++) if (!(out[o + k]! > 0)) out[o + k] = 0;
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

/**
 * featureSolve for every ridge λ in `ridges` from one factorization (for tuning λ on held-out data). A wide Φ
 * (N > n) whose Gram matrix K = ΦΦᵀ is well conditioned goes through K's eigendecomposition K = U·diag(s²)·Uᵀ
 * (n×n: n²N/2 operations for K plus O(n³), instead of the SVD of the n×N matrix with both sets of singular vectors,
 * several times that; about 3× faster here at N = 10n): with Φᵀu_j = s_j·v_j,
 * V·diag(g(s))·Uᵀy = Φᵀ·U·diag(g(s)/s)·Uᵀy, i.e. a = Φᵀ(K + nλI)⁻¹y (the kernel form of ridge and, at λ = 0, of
 * the minimum-norm interpolant Φᵀ(ΦΦᵀ)⁻¹y). Its error is about ε·cond(K), so it is used only when
 * λ_min(K) ≥ GRAM_RCOND·λ_max(K) (every s_j then passes the rcond cut); otherwise, and for N ≤ n, the SVD.
 */
export function featureSolvePath(Phi: Mat, y: Float64Array, ridges: readonly number[], rcond = 1e-12): Float64Array[] {
  if (y.length !== Phi.rows) throw new Error(`y has ${y.length} entries, Φ has ${Phi.rows} rows`);
  if (Phi.cols > Phi.rows && rcond < Math.sqrt(GRAM_RCOND)) {
    const viaGram = featureSolvePathGram(Phi, y, ridges);
    if (viaGram) return viaGram;
  }
  return featureSolvePathSvd(Phi, y, ridges, rcond);
}

/** Relative floor of λ_min(ΦΦᵀ) for the Gram route: its solutions then agree with the SVD's to about 1e-10. */
export const GRAM_RCOND = 1e-6;

/** The Gram route of featureSolvePath, or null when K = ΦΦᵀ is too ill-conditioned for it. */
export function featureSolvePathGram(Phi: Mat, y: Float64Array, ridges: readonly number[]): Float64Array[] | null {
  const n = Phi.rows;
  const N = Phi.cols;
  const P = Phi.data;
  const K = new Matrix(n, n);
  for (let i = 0; i < n; i++) {
    for (let l = 0; l <= i; l++) {
      let acc = 0;
      for (let k = 0; k < N; k++) acc += P[i * N + k]! * P[l * N + k]!;
      K.set(i, l, acc);
      K.set(l, i, acc);
    }
  }
  const eig = new EigenvalueDecomposition(K, { assumeSymmetric: true });
  const lam = eig.realEigenvalues;
  const lmax = Math.max(...lam);
  if (!(lmax > 0) || !(Math.min(...lam) >= GRAM_RCOND * lmax)) return null;
  const U = eig.eigenvectorMatrix;
  const uty = lam.map((_, j) => {
    let acc = 0;
    for (let i = 0; i < n; i++) acc += U.get(i, j) * y[i]!;
    return acc;
  });
  return ridges.map((ridge) => {
    // c = U·diag(1/(s_j² + nλ))·Uᵀy, then a = Φᵀc.
    const c = new Float64Array(n);
    for (let j = 0; j < lam.length; j++) {
      const w = uty[j]! / (lam[j]! + (ridge > 0 ? n * ridge : 0));
      for (let i = 0; i < n; i++) c[i]! += w * U.get(i, j);
    }
    const a = new Float64Array(N);
    for (let i = 0; i < n; i++) {
      const ci = c[i]!;
      for (let k = 0; k < N; k++) a[k]! += ci * P[i * N + k]!;
    }
    return a;
  });
}

/** featureSolvePath by the thin SVD of Φ (any shape, any conditioning). */
export function featureSolvePathSvd(Phi: Mat, y: Float64Array, ridges: readonly number[], rcond = 1e-12): Float64Array[] {
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

/** The first N columns of A as an A.rows × N matrix (nested features: Φ for N features is a prefix of Φ for more). */
export function firstColumns(A: Mat, N: number): Mat {
  if (N > A.cols) throw new Error(`asked for ${N} columns, the matrix has ${A.cols}`);
  const out = new Float64Array(A.rows * N);
  for (let i = 0; i < A.rows; i++) out.set(A.data.subarray(i * A.cols, i * A.cols + N), i * N);
  return { rows: A.rows, cols: N, data: out };
}

/** A·a over the first a.length columns of A: matVec(firstColumns(A, a.length), a) without the copy, same sums. */
export function prefixMatVec(A: Mat, a: Float64Array): Float64Array {
  if (a.length > A.cols) throw new Error(`a has ${a.length} entries, the matrix has ${A.cols} columns`);
  const out = new Float64Array(A.rows);
  for (let i = 0; i < A.rows; i++) {
    let s = 0;
    for (let k = 0; k < a.length; k++) s += A.data[i * A.cols + k]! * a[k]!;
    out[i] = s;
  }
  return out;
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
 * Buffers of one ladder's gradient, allocated once per training run (no allocation in the step loop), all in one
 * WebAssembly arena: the kernels of core/wasm/loops.wat read and write them in place.
 */
export interface LadderWorkspace {
  arena: Arena;
  /** Pre-activations, unit-major: H[k·n + i] = w_k·x_i + b_k (up to the sign of a zero). */
  H: Float64Array;
  /** Outputs and scaled residuals (f_j(x_i) − y_i)/n, point-major n × J. */
  F: Float64Array;
  R: Float64Array;
  gW: Float64Array;
  gb: Float64Array;
  ga: Float64Array;
  /** Per width: the data term (1/2n)Σ r² and ‖∇R_j‖². */
  loss: Float64Array;
  gradSq: Float64Array;
  /** Per width: the output scale 1/√m_j. */
  scale: Float64Array;
  /** Scratch: one unit's backpropagated signal at the points where it is on, and those points' indices. */
  G: Float64Array;
  on: Int32Array;
  /** The inputs, coordinate-major (XT[c·n + i]) and point-major (Xr[i·d + c]), and the targets. */
  XT: Float64Array;
  Xr: Float64Array;
  y: Float64Array;
  /** The parameters the kernels read (copied in from the ladder unless they are these arrays), and trainLadder's
   * copy of the initialization. */
  W: Float64Array;
  b: Float64Array;
  a: Float64Array;
  W0: Float64Array;
  b0: Float64Array;
  a0: Float64Array;
  /** Width of each unit; per width: computed (act ≠ 0), trainLadder's update (state: 0 none, 1 step, 2 restart), η. */
  seg: Int32Array;
  act: Int32Array;
  state: Int32Array;
  eta: Float64Array;
  /** Scratch: F transposed (J × n). */
  FT: Float64Array;
}

/** The kernels of core/wasm/loops.wat used here (pointers are byte offsets into the workspace's arena). */
interface LadderKernels {
  loops_ladder_grad(...args: number[]): void;
  loops_ladder_update(...args: number[]): void;
}

export function ladderWorkspace(L: WidthLadder, n: number): LadderWorkspace {
  const M = L.segment.length;
  const J = L.widths.length;
  const d = L.d;
  const ints = (len: number) => Math.ceil(len / 2);
  const arena = Arena.forSizes([M * n, n * J, n * J, M * d, M, M, J, J, J, n, ints(n), d * n, n * d, n, M * d, M, M, M * d, M, M, ints(M), ints(J), ints(J), J, J * n]);
  const i32 = (len: number) => {
    const v = arena.f64(ints(len));
    return new Int32Array(v.buffer, v.byteOffset, len);
  };
  const ws: LadderWorkspace = {
    arena,
    H: arena.f64(M * n),
    F: arena.f64(n * J),
    R: arena.f64(n * J),
    gW: arena.f64(M * d),
    gb: arena.f64(M),
    ga: arena.f64(M),
    loss: arena.f64(J),
    gradSq: arena.f64(J),
    scale: arena.f64(J),
    G: arena.f64(n),
    on: i32(n),
    XT: arena.f64(d * n),
    Xr: arena.f64(n * d),
    y: arena.f64(n),
    W: arena.f64(M * d),
    b: arena.f64(M),
    a: arena.f64(M),
    W0: arena.f64(M * d),
    b0: arena.f64(M),
    a0: arena.f64(M),
    seg: i32(M),
    act: i32(J),
    state: i32(J),
    eta: arena.f64(J),
    FT: arena.f64(J * n),
  };
  ws.scale.set(L.widths.map((m) => 1 / Math.sqrt(m)));
  ws.seg.set(L.segment);
  return ws;
}

/**
 * Gradient of each width's objective R_j = (1/2n)Σ_i (f_j(x_i) − y_i)² + (λ/2)‖θ_j‖² with respect to its own
 * parameters (the widths are independent), and R_j's data term (1/2n)Σ r² per width, into `ws`. Widths with
 * `active[j]` false are skipped (their gradient entries are left as they were; their loss and gradSq are 0).
 * Backpropagation: ∂R/∂a_k = s·Σ_i r_i·relu(h_ik)/n + λa_k, ∂R/∂w_k = Σ_i r_i·s·a_k·1[h_ik > 0]·x_i/n + λw_k
 * (b_k likewise with 1). Runs in WebAssembly (loops_ladder_grad), every sum in the order of the plain loop of
 * properties/theory/loops-wasm.test.ts, so the bits do not depend on the workspace or on the other widths.
 */
export function ladderGradientInto(L: WidthLadder, X: Mat, y: Float64Array, lambda: number, active: Uint8Array | null, ws: LadderWorkspace): void {
  const d = L.d;
  const n = X.rows;
  const M = L.segment.length;
  const J = L.widths.length;
  if (X.cols !== d || ws.y.length !== n || ws.seg.length !== M || ws.act.length !== J) throw new Error('ladderGradientInto: the workspace was made for another ladder or data size');
  if (ws.W !== L.W) ws.W.set(L.W);
  if (ws.b !== L.b) ws.b.set(L.b);
  if (ws.a !== L.a) ws.a.set(L.a);
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) ws.XT[c * n + i] = X.data[i * d + c]!;
  ws.Xr.set(X.data.subarray(0, n * d));
  ws.y.set(y.subarray(0, n));
  for (let j = 0; j < J; j++) ws.act[j] = active === null || active[j] !== 0 ? 1 : 0;
  const p = (v: Float64Array | Int32Array) => v.byteOffset;
  (ws.arena.k as unknown as LadderKernels).loops_ladder_grad(
    p(ws.XT), p(ws.Xr), p(ws.y), p(ws.W), p(ws.b), p(ws.a), p(ws.seg), p(ws.act), p(ws.scale), lambda, n, d, M, J,
    p(ws.H), p(ws.F), p(ws.R), p(ws.gW), p(ws.gb), p(ws.ga), p(ws.loss), p(ws.gradSq), p(ws.G), p(ws.on), p(ws.FT),
  );
}

/** ladderGradient with fresh buffers (every width active unless `active` says otherwise). */
export function ladderGradient(L: WidthLadder, X: Mat, y: Float64Array, lambda: number, active?: readonly boolean[]): { gW: Float64Array; gb: Float64Array; ga: Float64Array; loss: number[]; gradSq: number[] } {
  const ws = ladderWorkspace(L, X.rows);
  ladderGradientInto(L, X, y, lambda, active ? Uint8Array.from(active, (v) => (v ? 1 : 0)) : null, ws);
  return { gW: ws.gW, gb: ws.gb, ga: ws.ga, loss: Array.from(ws.loss), gradSq: Array.from(ws.gradSq) };
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
  const active = new Array<boolean>(J).fill(true);
  const trainMse = new Array<number>(J).fill(Infinity);
  const loss0 = new Array<number>(J).fill(NaN);
  const steps = new Array<number>(J).fill(0);
  const eta = new Array<number>(J).fill(opts.eta);
  const restarts = new Array<number>(J).fill(0);
  const diverged = new Array<boolean>(J).fill(false);
  const restart = new Array<boolean>(J).fill(false);
  // The parameters live in the workspace's arena while training (the kernels step them in place), then are copied back.
  const ws = ladderWorkspace(L, X.rows);
  ws.W.set(L.W);
  ws.b.set(L.b);
  ws.a.set(L.a);
  ws.W0.set(L.W);
  ws.b0.set(L.b);
  ws.a0.set(L.a);
  const Lw: WidthLadder = { ...L, W: ws.W, b: ws.b, a: ws.a };
  const on = new Uint8Array(J);
  const g = ws;
  const p = (v: Float64Array | Int32Array) => v.byteOffset;
  const update = (ws.arena.k as unknown as LadderKernels).loops_ladder_update;
  while (active.some(Boolean)) {
    for (let j = 0; j < J; j++) on[j] = active[j] ? 1 : 0;
    ladderGradientInto(Lw, X, y, opts.lambda, on, ws);
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
    // Per unit: a restarted width goes back to its initialization, an active one takes its step (a, b, then W).
    for (let j = 0; j < J; j++) {
      ws.state[j] = restart[j] ? 2 : active[j] ? 1 : 0;
      ws.eta[j] = eta[j]!;
    }
    update(p(ws.W), p(ws.b), p(ws.a), p(ws.gW), p(ws.gb), p(ws.ga), p(ws.W0), p(ws.b0), p(ws.a0), p(ws.seg), p(ws.state), p(ws.eta), segment.length, d);
  }
  L.W.set(ws.W);
  L.b.set(ws.b);
  L.a.set(ws.a);
  return { trainMse, steps, eta, restarts, diverged };
}
