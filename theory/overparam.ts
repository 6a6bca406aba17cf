// Over-parameterized optimization (Liu, Zhu, Belkin: arXiv:2003.00307 "Loss landscapes and optimization in
// over-parameterized non-linear systems"; arXiv:2010.01092 "On the linearity of large non-linear models").
// Brief §6. Everything is float64 on one-hidden-layer `mlp-v1` networks with a scalar output:
//   f(x) = s2·Σ_i V_i·σ(z_i) + sb2·c,   z_i = s1·x·W[:,i] + sb1·b_i
// with (s, sb) from theory/mlp.ts layerScales (NTK: s = sigmaW/sqrt(n_in), sb = sigmaB; standard: 1, 1).
// Flat parameter order is flattenParams': W₁ (d×m row-major), b₁ (m), W₂ (m×1), b₂ (1).
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import {
  activateDeriv,
  activateDeriv2,
  backward,
  backwardInto,
  flattenGrads,
  forwardInto,
  forwardTrace,
  layerScales,
  makeWorkspace,
  mat,
  mseLossGrad,
  outputDim,
  type Mat,
  type Mlp,
} from './mlp.ts';

function assertTwoLayer(net: Mlp): void {
  if (net.layers.length !== 2 || outputDim(net) !== 1) {
    throw new Error(`needs a one-hidden-layer network with a scalar output, got ${net.layers.length} layers`);
  }
}

/** ∂f(x)/∂θ for one input row x (flat, flattenParams order), by back-propagation of dOut = 1. */
export function outputGrad(net: Mlp, x: Float64Array): Float64Array {
  const X = mat(1, x.length, x);
  const trace = forwardTrace(net, X);
  const { grads } = backward(net, trace, mat(1, 1, new Float64Array([1])));
  return flattenGrads(grads);
}

/**
 * H_f(x)·u, the Hessian of the scalar output w.r.t. the parameters times u (exact, float64).
 * Differentiating ∂f/∂V_i = s2·σ(z_i), ∂f/∂W_ki = s2·V_i·σ'(z_i)·s1·x_k, ∂f/∂b_i = s2·V_i·σ'(z_i)·sb1 once more
 * along u = (dW, db, dV, dc), with dz_i = s1·x·dW[:,i] + sb1·db_i (2010.01092 §3, the per-neuron block form):
 *   (Hu)_V_i = s2·σ'(z_i)·dz_i,   (Hu)_{W_ki, b_i} = s2·(s1·x_k, sb1)·(σ'(z_i)·dV_i + V_i·σ''(z_i)·dz_i),   (Hu)_c = 0.
 */
export function outputHvp(net: Mlp, x: Float64Array, u: Float64Array): Float64Array {
  return outputHvpOperator(net, x)(u);
}

/** u ↦ H_f(x)·u with the per-neuron quantities z_i, σ'(z_i), σ''(z_i) computed once (for power iteration). */
export function outputHvpOperator(net: Mlp, x: Float64Array): (u: Float64Array) => Float64Array {
  const apply = outputHvpKernel(net, x);
  const m = net.layers[0]!.nOut;
  return (u) => {
    const out = new Float64Array(u.length);
    apply(u, out, new Float64Array(m));
    return out;
  };
}

/** outputHvpOperator writing H_f(x)·u into `out` (every entry), with `dz` (m entries) as scratch: no allocation. */
function outputHvpKernel(net: Mlp, x: Float64Array): (u: Float64Array, out: Float64Array, dz: Float64Array) => void {
  assertTwoLayer(net);
  const [l1, l2] = net.layers as [Mlp['layers'][0], Mlp['layers'][0]];
  const d = l1.nIn;
  const m = l1.nOut;
  if (x.length !== d) throw new Error(`x has ${x.length} entries, the network ${d} inputs`);
  const s1 = layerScales(net, d);
  const s2 = layerScales(net, m);
  const oB1 = d * m;
  const oV = oB1 + m;
  const oC = oV + m;
  const d1 = new Float64Array(m);
  const vd2 = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let z = 0;
    for (let k = 0; k < d; k++) z += x[k]! * l1.W[k * m + i]!;
    z = s1.w * z + s1.b * l1.b[i]!;
    d1[i] = activateDeriv(net.activation, z);
    vd2[i] = l2.W[i]! * activateDeriv2(net.activation, z);
  }
  return (u, out, dz) => {
    if (u.length !== oC + 1) throw new Error(`u has ${u.length} entries, the network ${oC + 1} parameters`);
    out[oC] = 0;
    dz.fill(0);
    for (let k = 0; k < d; k++) {
      const xk = x[k]!;
      for (let i = 0; i < m; i++) dz[i]! += xk * u[k * m + i]!;
    }
    for (let i = 0; i < m; i++) {
      const dzi = s1.w * dz[i]! + s1.b * u[oB1 + i]!;
      out[oV + i] = s2.w * d1[i]! * dzi;
      dz[i] = s2.w * (d1[i]! * u[oV + i]! + vd2[i]! * dzi);
      out[oB1 + i] = dz[i]! * s1.b;
    }
    for (let k = 0; k < d; k++) {
      const c = s1.w * x[k]!;
      for (let i = 0; i < m; i++) out[k * m + i] = dz[i]! * c;
    }
  };
}

/**
 * ||H_f(x)||₂ exactly: H is block-diagonal over neurons (2010.01092 eq. for two-layer nets, brief §6.2), and each
 * block s2·[[0, σ'·aᵀ], [σ'·a, V·σ''·a·aᵀ]] with a = (s1·x, sb1) acts on span(e_V, a) as the 2×2 matrix
 * s2·[[0, σ'|a|], [σ'|a|, V·σ''|a|²]], whose largest |eigenvalue| is |p| + sqrt(p² + q²), p = s2·V·σ''·|a|²/2, q = s2·σ'·|a|.
 */
export function outputHessianNormExact(net: Mlp, x: Float64Array): { norm: number; maxAbsV: number } {
  assertTwoLayer(net);
  const [l1, l2] = net.layers as [Mlp['layers'][0], Mlp['layers'][0]];
  const d = l1.nIn;
  const m = l1.nOut;
  const s1 = layerScales(net, d);
  const s2 = layerScales(net, m);
  let xx = 0;
  for (let k = 0; k < d; k++) xx += x[k]! * x[k]!;
  const a2 = s1.w * s1.w * xx + s1.b * s1.b;
  const a = Math.sqrt(a2);
  let norm = 0;
  let maxAbsV = 0;
  for (let i = 0; i < m; i++) {
    let z = 0;
    for (let k = 0; k < d; k++) z += x[k]! * l1.W[k * m + i]!;
    z = s1.w * z + s1.b * l1.b[i]!;
    const vi = l2.W[i]!;
    const p = (s2.w * vi * activateDeriv2(net.activation, z) * a2) / 2;
    const q = s2.w * activateDeriv(net.activation, z) * a;
    norm = Math.max(norm, Math.abs(p) + Math.sqrt(p * p + q * q));
    maxAbsV = Math.max(maxAbsV, Math.abs(vi));
  }
  return { norm, maxAbsV };
}

function norm2(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

/**
 * Largest |eigenvalue| of a symmetric operator by power iteration: v ← Av/||Av||, estimate ||Av|| for unit v.
 * Stops when the estimate moves less than `tol` (relative) or after `maxIter`; deterministic given `start`.
 */
export function powerIteration(
  apply: (v: Float64Array) => Float64Array,
  start: Float64Array,
  opts: { maxIter?: number; tol?: number } = {},
): { value: number; iterations: number; vector: Float64Array } {
  const maxIter = opts.maxIter ?? 300;
  const tol = opts.tol ?? 1e-10;
  let v: Float64Array = start.slice();
  const n0 = norm2(v);
  for (let i = 0; i < v.length; i++) v[i]! /= n0;
  let est = 0;
  for (let it = 1; it <= maxIter; it++) {
    const w = apply(v);
    const nw = norm2(w);
    if (nw === 0) return { value: 0, iterations: it, vector: v };
    // For an indefinite A with ±λ on top, v oscillates between them but ||Av|| still converges to max|λ|.
    const done = Math.abs(nw - est) <= tol * nw;
    est = nw;
    for (let i = 0; i < w.length; i++) w[i]! /= nw;
    v = w;
    if (done) return { value: est, iterations: it, vector: v };
  }
  return { value: est, iterations: maxIter, vector: v };
}

/**
 * The operator u ↦ H_L·u for the suite's loss L = (1/2n)·Σ_i (f(x_i) − y_i)² (DESIGN loss-grad contract):
 * H_L = (1/n)·Σ_i [∇f_i ∇f_iᵀ + r_i·H_f(x_i)], r_i = f(x_i) − y_i (Gauss–Newton part plus residual part).
 * Gradients and residuals are computed once, so repeated products (power iteration) stay cheap.
 */
export function lossHessianOperator(net: Mlp, X: Mat, y: Float64Array): (u: Float64Array) => Float64Array {
  const n = X.rows;
  const xs = Array.from({ length: n }, (_, i) => X.data.subarray(i * X.cols, (i + 1) * X.cols));
  const grads = xs.map((x) => outputGrad(net, x));
  const f = forwardTrace(net, X).pre[1]!.data;
  const res = xs.map((_, i) => f[i]! - y[i]!);
  const hvps = xs.map((x) => outputHvpKernel(net, x));
  // Scratch for the per-point products, reused across calls (power iteration calls this hundreds of times).
  const h = new Float64Array(grads[0]?.length ?? 0);
  const dz = new Float64Array(net.layers[0]!.nOut);
  return (u) => {
    const out = new Float64Array(u.length);
    for (let i = 0; i < n; i++) {
      const g = grads[i]!;
      let gu = 0;
      for (let q = 0; q < u.length; q++) gu += g[q]! * u[q]!;
      hvps[i]!(u, h, dz);
      const r = res[i]!;
      for (let q = 0; q < u.length; q++) out[q]! += (g[q]! * gu + r * h[q]!) / n;
    }
    return out;
  };
}

/** Extreme eigenvalues of a symmetric matrix (ml-matrix, float64). */
export function symEigRange(K: Mat): { min: number; max: number } {
  const M = new Matrix(K.rows, K.cols);
  for (let i = 0; i < K.rows; i++) for (let j = 0; j < K.cols; j++) M.set(i, j, (K.data[i * K.cols + j]! + K.data[j * K.cols + i]!) / 2);
  const ev = new EigenvalueDecomposition(M, { assumeSymmetric: true }).realEigenvalues;
  return { min: Math.min(...ev), max: Math.max(...ev) };
}

/**
 * PL* constant of L = (1/2n)||r||² implied by the tangent kernel K = J·Jᵀ: ½||∇L||² = (1/2n²)·rᵀKr ≥ (λ_min(K)/n)·L,
 * so μ = λ_min(K)/n in the suite's normalization (2003.00307 §4 "uniform conditioning ⇒ PL*", rescaled by 1/n).
 */
export function plConstant(lambdaMinK: number, n: number): number {
  return lambdaMinK / n;
}

/** The PL* guarantee (2003.00307 Thm 6): L_t ≤ (1 − η·μ)^t · L_0 for η ≤ 1/β. */
export function plBound(loss0: number, eta: number, mu: number, t: number): number {
  return loss0 * Math.pow(1 - eta * mu, t);
}

/**
 * The per-step log-rate the PL* bound guarantees: −ln(1 − η·μ), so that (1 − ημ)^t = e^(−t·rate) (2003.00307 Thm 6).
 * For a linear model the slowest eigen-mode of the residual contracts by (1 − ηλ_min/n) per step, so the loss
 * (a square of the residual) decays at twice this rate once that mode dominates.
 */
export function plLogRate(eta: number, mu: number): number {
  return -Math.log1p(-eta * mu);
}

/** Observed log-rate of a loss curve over steps [from, end]: −(ln L_end − ln L_from)/(end − from). */
export function windowLogRate(losses: readonly number[], from: number, end = losses.length - 1): number {
  if (!(from >= 0 && end > from && end < losses.length)) throw new Error(`bad window [${from}, ${end}] for ${losses.length} losses`);
  return -(Math.log(losses[end]!) - Math.log(losses[from]!)) / (end - from);
}

/**
 * Radius of the ball on which 2003.00307 Thm 6 needs μ-PL* and β-smoothness: R = 2·√(2β·L(w₀))/μ. GD with η ≤ 1/β
 * then stays in B(w₀, R) and converges there.
 */
export function ballRadius(beta: number, loss0: number, mu: number): number {
  return (2 * Math.sqrt(2 * beta * loss0)) / mu;
}

/**
 * gdStepInPlace for repeated steps on the same net and data: the forward and backward buffers (theory/mlp.ts
 * Workspace) are allocated once. The same arithmetic as mseLossGrad, so the same bits as gdStepInPlace.
 */
export function gdStepper(net: Mlp, X: Mat, Y: Mat): (eta: number) => number {
  const ws = makeWorkspace(net, X.rows);
  const n = X.rows;
  const nOut = outputDim(net);
  if (Y.rows !== n || Y.cols !== nOut) throw new Error(`y has shape ${Y.rows}×${Y.cols}, the network outputs ${n}×${nOut}`);
  const dOut = mat(n, nOut);
  return (eta) => {
    const trace = forwardInto(net, X, ws);
    const f = trace.pre[trace.pre.length - 1]!.data;
    let loss = 0;
    for (let q = 0; q < f.length; q++) {
      const r = f[q]! - Y.data[q]!;
      loss += r * r;
      dOut.data[q] = r / n;
    }
    loss /= 2 * n;
    const { grads } = backwardInto(net, trace, dOut, ws);
    net.layers.forEach((l, i) => {
      const g = grads[i]!;
      for (let q = 0; q < l.W.length; q++) l.W[q]! -= eta * g.W[q]!;
      for (let q = 0; q < l.b.length; q++) l.b[q]! -= eta * g.b[q]!;
    });
    return loss;
  };
}

/** One GD step on L = (1/2n)·Σ(f − y)², updating `net`'s arrays in place; returns L before the step. */
export function gdStepInPlace(net: Mlp, X: Mat, Y: Mat, eta: number): number {
  const { loss, grads } = mseLossGrad(net, X, Y);
  net.layers.forEach((l, i) => {
    const g = grads[i]!;
    for (let q = 0; q < l.W.length; q++) l.W[q]! -= eta * g.W[q]!;
    for (let q = 0; q < l.b.length; q++) l.b[q]! -= eta * g.b[q]!;
  });
  return loss;
}

/** ||θ(net) − θ₀||₂ with θ in flattenParams order, without allocating. */
export function distanceFrom(net: Mlp, theta0: Float64Array): number {
  let s = 0;
  let o = 0;
  for (const l of net.layers) {
    for (let q = 0; q < l.W.length; q++) s += (l.W[q]! - theta0[o++]!) ** 2;
    for (let q = 0; q < l.b.length; q++) s += (l.b[q]! - theta0[o++]!) ** 2;
  }
  return Math.sqrt(s);
}

/**
 * Loss of the linearized model along GD from the kernel at initialization: with f_{t+1} − y = (I − (η/n)K)(f_t − y)
 * for L = (1/2n)||f − y||², L_t = (1/2n)·Σ_i (1 − ηλ_i/n)^(2t)·c_i², where K = Σ λ_i u_i u_iᵀ and c_i = u_iᵀ(f₀ − y)
 * (2003.00307 §3, the linear case that PL* generalizes). `proj2` holds the c_i².
 */
export function linearizedLoss(eigenvalues: readonly number[], proj2: readonly number[], eta: number, n: number, t: number): number {
  let s = 0;
  for (let i = 0; i < eigenvalues.length; i++) s += Math.pow(1 - (eta * eigenvalues[i]!) / n, 2 * t) * proj2[i]!;
  return s / (2 * n);
}

/** Eigenvalues λ_i of a symmetric K and the squared projections (u_iᵀr)² of r on its eigenvectors. */
export function spectralProjections(K: Mat, r: Float64Array): { eigenvalues: number[]; proj2: number[] } {
  const M = new Matrix(K.rows, K.cols);
  for (let i = 0; i < K.rows; i++) for (let j = 0; j < K.cols; j++) M.set(i, j, (K.data[i * K.cols + j]! + K.data[j * K.cols + i]!) / 2);
  const e = new EigenvalueDecomposition(M, { assumeSymmetric: true });
  const U = e.eigenvectorMatrix;
  const proj2 = e.realEigenvalues.map((_, j) => {
    let c = 0;
    for (let i = 0; i < K.rows; i++) c += U.get(i, j) * r[i]!;
    return c * c;
  });
  return { eigenvalues: [...e.realEigenvalues], proj2 };
}
