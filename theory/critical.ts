// Critical points of small mlp-v1 networks under the MSE loss L = (1/2n)·Σ_i ||f(x_i) − y_i||²: the exact
// Hessian (Pearlmutter's R-operator, forward-over-reverse, in float64), its spectrum and inertia, and a Newton
// finder that drives the gradient norm down to float64 round-off (BRIEF §4.4 P4.2; lecture A8 §1.2 reports
// L1 gradient norms of 1e-15..1e-13 and counts zero eigenvalues below 1e-11).
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import {
  activateDeriv,
  backward,
  activateDeriv2,
  flattenGrads,
  flattenParams,
  forwardTrace,
  layerScales,
  mseLossGrad,
  paramCount,
  withParams,
  type Grad,
  type Mat,
  type Mlp,
} from './mlp.ts';

/** C = A·B (A n×p, B p×q as the layer's row-major W). */
function mm(A: Float64Array, n: number, p: number, B: Float64Array, q: number): Float64Array {
  const C = new Float64Array(n * q);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < p; k++) {
      const a = A[i * p + k]!;
      if (a === 0) continue;
      for (let j = 0; j < q; j++) C[i * q + j]! += a * B[k * q + j]!;
    }
  return C;
}

/** C = A·Bᵀ (A n×q, B p×q) → n×p. */
function mmT(A: Float64Array, n: number, q: number, B: Float64Array, p: number): Float64Array {
  const C = new Float64Array(n * p);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < p; k++) {
      let s = 0;
      for (let j = 0; j < q; j++) s += A[i * q + j]! * B[k * q + j]!;
      C[i * p + k] = s;
    }
  return C;
}

/** C += s·Aᵀ·B (A n×p, B n×q) → p×q. */
function addTmm(C: Float64Array, s: number, A: Float64Array, n: number, p: number, B: Float64Array, q: number): void {
  for (let i = 0; i < n; i++)
    for (let k = 0; k < p; k++) {
      const a = s * A[i * p + k]!;
      if (a === 0) continue;
      for (let j = 0; j < q; j++) C[k * q + j]! += a * B[i * q + j]!;
    }
}

/**
 * H·v for the MSE loss, exact: the R-operator R{·} = d/dε(·)(θ + εv)|₀ pushed through the forward pass
 * (R z = s_w(R h·W + h·V) + s_b·c, R h = φ'(z)⊙R z) and the backward pass
 * (R δ^{l−1} = s_w(R δ·Wᵀ + δ·Vᵀ)⊙φ'(z) + s_w(δ·Wᵀ)⊙φ''(z)⊙R z), Pearlmutter 1994.
 */
export function hessianVector(net: Mlp, X: Mat, Y: Mat, v: Float64Array): Float64Array {
  const L = net.layers.length;
  const n = X.rows;
  const tr = forwardTrace(net, X);
  // Split v into per-layer (V, c) with the flattenParams layout.
  const Vs: Float64Array[] = [];
  const cs: Float64Array[] = [];
  let o = 0;
  for (const l of net.layers) {
    Vs.push(v.subarray(o, o + l.W.length));
    o += l.W.length;
    cs.push(v.subarray(o, o + l.b.length));
    o += l.b.length;
  }
  const Rz: Float64Array[] = [];
  const Rh: Float64Array[] = [new Float64Array(n * net.layers[0]!.nIn)];
  net.layers.forEach((layer, l) => {
    const s = layerScales(net, layer.nIn);
    const a = mm(Rh[l]!, n, layer.nIn, layer.W, layer.nOut);
    const b = mm(tr.post[l]!.data, n, layer.nIn, Vs[l]!, layer.nOut);
    const rz = new Float64Array(n * layer.nOut);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < layer.nOut; j++) rz[i * layer.nOut + j] = s.w * (a[i * layer.nOut + j]! + b[i * layer.nOut + j]!) + s.b * cs[l]![j]!;
    Rz.push(rz);
    if (l < L - 1) {
      const z = tr.pre[l]!.data;
      Rh.push(rz.map((r, q) => activateDeriv(net.activation, z[q]!) * r));
    }
  });
  const f = tr.pre[L - 1]!.data;
  let delta = f.map((fv, q) => (fv - Y.data[q]!) / n);
  let Rdelta = Rz[L - 1]!.map((r) => r / n);
  const out: Float64Array[] = new Array(L);
  for (let l = L - 1; l >= 0; l--) {
    const layer = net.layers[l]!;
    const { nIn, nOut } = layer;
    const s = layerScales(net, nIn);
    const hW = new Float64Array(nIn * nOut);
    addTmm(hW, s.w, Rh[l]!, n, nIn, delta, nOut);
    addTmm(hW, s.w, tr.post[l]!.data, n, nIn, Rdelta, nOut);
    const hb = new Float64Array(nOut);
    for (let i = 0; i < n; i++) for (let j = 0; j < nOut; j++) hb[j]! += s.b * Rdelta[i * nOut + j]!;
    const blk = new Float64Array(hW.length + hb.length);
    blk.set(hW);
    blk.set(hb, hW.length);
    out[l] = blk;
    if (l > 0) {
      const gh = mmT(delta, n, nOut, layer.W, nIn);
      const Rgh1 = mmT(Rdelta, n, nOut, layer.W, nIn);
      const Rgh2 = mmT(delta, n, nOut, Vs[l]!, nIn);
      const z = tr.pre[l - 1]!.data;
      const rz = Rz[l - 1]!;
      const nd = new Float64Array(n * nIn);
      const nRd = new Float64Array(n * nIn);
      for (let q = 0; q < nd.length; q++) {
        const d1 = activateDeriv(net.activation, z[q]!);
        nd[q] = s.w * gh[q]! * d1;
        nRd[q] = s.w * (Rgh1[q]! + Rgh2[q]!) * d1 + s.w * gh[q]! * activateDeriv2(net.activation, z[q]!) * rz[q]!;
      }
      delta = nd;
      Rdelta = nRd;
    }
  }
  const res = new Float64Array(v.length);
  let p = 0;
  for (const b of out) {
    res.set(b, p);
    p += b.length;
  }
  return res;
}

/** The exact P×P Hessian (row-major, symmetrized), column by column from H·e_p. */
export function hessian(net: Mlp, X: Mat, Y: Mat): Float64Array {
  const P = paramCount(net);
  const H = new Float64Array(P * P);
  const e = new Float64Array(P);
  for (let p = 0; p < P; p++) {
    e[p] = 1;
    const col = hessianVector(net, X, Y, e);
    e[p] = 0;
    for (let q = 0; q < P; q++) H[q * P + p] = col[q]!;
  }
  for (let p = 0; p < P; p++)
    for (let q = p + 1; q < P; q++) {
      const m = 0.5 * (H[p * P + q]! + H[q * P + p]!);
      H[p * P + q] = m;
      H[q * P + p] = m;
    }
  return H;
}

export interface Spectrum {
  /** Eigenvalues, ascending. */
  values: number[];
  /** Eigenvectors as columns, matching `values` (P×P row-major). */
  vectors: Float64Array;
}

/** Symmetric eigendecomposition (ml-matrix EVD), eigenvalues ascending. */
export function spectrum(H: Float64Array, P: number): Spectrum {
  const rows: number[][] = [];
  for (let p = 0; p < P; p++) rows.push(Array.from(H.subarray(p * P, (p + 1) * P)));
  const evd = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const vals = evd.realEigenvalues;
  const V = evd.eigenvectorMatrix;
  const order = vals.map((_, i) => i).sort((a, b) => vals[a]! - vals[b]!);
  const vectors = new Float64Array(P * P);
  order.forEach((src, dst) => {
    for (let q = 0; q < P; q++) vectors[q * P + dst] = V.get(q, src);
  });
  return { values: order.map((i) => vals[i]!), vectors };
}

export interface Inertia {
  neg: number;
  zero: number;
  pos: number;
}

/** Counts of negative, zero (|λ| ≤ tol) and positive eigenvalues; A8 §1.2 uses tol = 1e-11. */
export function inertia(values: readonly number[], tol: number): Inertia {
  let neg = 0;
  let zero = 0;
  let pos = 0;
  for (const v of values) {
    if (Math.abs(v) <= tol) zero++;
    else if (v < 0) neg++;
    else pos++;
  }
  return { neg, zero, pos };
}

export function norm2(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

export function gradNorm(net: Mlp, X: Mat, Y: Mat): number {
  return norm2(flattenGrads(mseLossGrad(net, X, Y).grads));
}

export interface CriticalResult {
  net: Mlp;
  loss: number;
  gradNorm: number;
  iterations: number;
  /** ‖∇L‖ after each accepted Newton step (the first entry is the start). */
  history: number[];
}

/**
 * Newton's method on ∇L = 0 with the exact Hessian H = Σ λ_i q_i q_iᵀ. Each iteration first tries the pure
 * Newton step −Σ_{|λ_i| > cut·max|λ|} (q_i·∇L/λ_i) q_i (a pseudo-inverse, so exactly flat directions such as an
 * embedding's α are left alone), and keeps it if it at least halves ‖∇L‖. Otherwise (far from a critical point) it takes a saddle-free Levenberg–Marquardt step −Σ (q_i·∇L)/max(|λ_i|, μ) q_i,
 * a descent direction for L, with μ adapted.
 * It stops when neither step makes progress (round-off) or at maxIter. Started from a trained network it
 * converges, quadratically at the end, to the critical point that training was approaching.
 * mode 'nearest' never takes the descent step: it backtracks along the Newton step on ‖∇L‖ instead, so from a
 * point near a saddle (a plateau of training) it converges to that saddle rather than descending away from it.
 */
export function findCriticalPoint(
  start: Mlp,
  X: Mat,
  Y: Mat,
  opts: { maxIter?: number; cut?: number; mode?: 'descend' | 'nearest' } = {},
): CriticalResult {
  const maxIter = opts.maxIter ?? 300;
  const nearest = opts.mode === 'nearest';
  const cut = opts.cut ?? 1e-13;
  let net = start;
  let { loss, grads } = mseLossGrad(net, X, Y);
  let g = flattenGrads(grads);
  let gn = norm2(g);
  const history = [gn];
  const P = g.length;
  const direction = (values: number[], vectors: Float64Array, scale: (lam: number) => number | null): Float64Array => {
    const step = new Float64Array(P);
    values.forEach((lam, i) => {
      const d = scale(lam);
      if (d === null) return;
      let proj = 0;
      for (let q = 0; q < P; q++) proj += vectors[q * P + i]! * g[q]!;
      for (let q = 0; q < P; q++) step[q]! -= (proj / d) * vectors[q * P + i]!;
    });
    return step;
  };
  const at = (theta: Float64Array, step: Float64Array, t: number) => {
    const cand = withParams(net, theta.map((x, q) => x + t * step[q]!));
    const r = mseLossGrad(cand, X, Y);
    const cg = flattenGrads(r.grads);
    return { cand, loss: r.loss, g: cg, gn: norm2(cg) };
  };
  let it = 0;
  let damping = 1e-3; // μ / max|λ|, adapted as in Levenberg–Marquardt

  for (; it < maxIter && gn > 0; it++) {
    const { values, vectors } = spectrum(hessian(net, X, Y), P);
    const lmax = Math.max(...values.map(Math.abs));
    const theta = flattenParams(net);
    const nstep = direction(values, vectors, (lam) => (Math.abs(lam) > cut * lmax ? lam : null));
    const newton = at(theta, nstep, 1);
    let next: ReturnType<typeof at> | null = Number.isFinite(newton.gn) && newton.gn <= 0.5 * gn ? newton : null;
    // 'nearest': backtrack along the Newton step on ‖∇L‖ only, so saddles are reached as well as minima.
    for (let t = 0.5; nearest && !next && t >= 1 / 1024; t /= 2) {
      const c = at(theta, nstep, t);
      if (Number.isFinite(c.gn) && c.gn < (1 - 0.1 * t) * gn) next = c;
    }
    for (let tries = 0; tries < 30 && !next && !nearest; tries++) {
      const mu = damping * lmax;
      const c = at(theta, direction(values, vectors, (lam) => Math.max(Math.abs(lam), mu, 1e-300)), 1);
      if (Number.isFinite(c.loss) && c.loss < loss) {
        next = c;
        damping = Math.max(damping / 10, 1e-14);
      } else damping = Math.min(damping * 10, 1e6);
    }
    // Near round-off the loss no longer decreases measurably: accept any Newton step that still lowers ‖∇L‖.
    if (!next && Number.isFinite(newton.gn) && newton.gn < gn) next = newton;
    if (!next) break;
    net = next.cand;
    loss = next.loss;
    g = next.g;
    gn = next.gn;
    history.push(gn);
  }
  return { net, loss, gradNorm: gn, iterations: it, history };
}

/**
 * Softmax cross-entropy L = −(1/n)·Σ_i log softmax(f(x_i))[c_i] and its gradient, through the reference backward
 * pass (dL/df = (softmax − onehot)/n). Used to check that the gradient map of an embedding holds for any loss.
 */
export function xentLossGrad(net: Mlp, X: Mat, labels: readonly number[]): { loss: number; grads: Grad[] } {
  const tr = forwardTrace(net, X);
  const f = tr.pre[tr.pre.length - 1]!;
  const n = f.rows;
  const k = f.cols;
  const d = new Float64Array(n * k);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let j = 0; j < k; j++) m = Math.max(m, f.data[i * k + j]!);
    let s = 0;
    for (let j = 0; j < k; j++) s += Math.exp(f.data[i * k + j]! - m);
    const c = labels[i]!;
    loss -= f.data[i * k + c]! - m - Math.log(s);
    for (let j = 0; j < k; j++) d[i * k + j] = (Math.exp(f.data[i * k + j]! - m) / s - (j === c ? 1 : 0)) / n;
  }
  return { loss: loss / n, grads: backward(net, tr, { rows: n, cols: k, data: d }).grads };
}
