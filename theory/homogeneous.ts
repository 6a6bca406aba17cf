// A bias-free two-layer ReLU network, the smallest 2-homogeneous model of Lyu & Li, "Gradient descent maximizes
// the margin of homogeneous neural networks" (ICLR 2020, arXiv:1906.05890), BRIEF §5.3:
//   f(x; θ) = Σ_j a_j · relu(w_j·x),   θ = (W, a),   f(x; cθ) = c² f(x; θ)   (homogeneity order L = 2).
// Trained by full-batch GD on the logistic (or, as a control, squared) loss summed over label-absorbed margins
// q_n = y_n f(x_n). Plain float64 loops: late-phase losses are far below float32's resolution (ANCHORS C5).
import type { Rng } from '../core/rng.ts';
import { dot, marginLoss, norm, type MarginLoss } from './maxmargin.ts';
import type { Mat } from './mlp.ts';
import { Arena } from '../core/wasm/runtime.ts';

export interface TwoLayer {
  /** Hidden weights, m×d row-major. */
  W: Float64Array;
  /** Output weights, m. */
  a: Float64Array;
  m: number;
  d: number;
}

/** Initialization N(0, scale²) for every weight. */
export function initTwoLayer(m: number, d: number, scale: number, rng: Rng): TwoLayer {
  return { W: rng.normals(m * d, scale), a: rng.normals(m, scale), m, d };
}

export function forwardOne(net: TwoLayer, x: ArrayLike<number>, xo = 0): number {
  let f = 0;
  for (let j = 0; j < net.m; j++) {
    let h = 0;
    for (let k = 0; k < net.d; k++) h += net.W[j * net.d + k]! * x[xo + k]!;
    if (h > 0) f += net.a[j]! * h;
  }
  return f;
}

/** ‖θ‖² = ‖W‖²_F + ‖a‖². */
export function paramNormSq(net: TwoLayer): number {
  let s = 0;
  for (const v of net.W) s += v * v;
  for (const v of net.a) s += v * v;
  return s;
}

/** Margins q_n = y_n f(x_n) (x and y kept apart: a ReLU net is not odd, so labels cannot be absorbed into x). */
export function margins(net: TwoLayer, X: Mat, y: ArrayLike<number>): Float64Array {
  const q = new Float64Array(X.rows);
  for (let n = 0; n < X.rows; n++) q[n] = y[n]! * forwardOne(net, X.data, n * X.cols);
  return q;
}

/** Normalized margin γ(θ) = min_n y_n f(x_n; θ) / ‖θ‖^L with L = 2 (Lyu & Li, §3). */
export function normalizedMargin(net: TwoLayer, X: Mat, y: ArrayLike<number>): number {
  return Math.min(...margins(net, X, y)) / paramNormSq(net);
}

/**
 * Smoothed normalized margin for the logistic loss, γ̃(θ) = −log(exp(L) − 1) / ‖θ‖^L (Lyu & Li, Thm 4.1 and
 * the logistic case of Assumption (B)): a lower bound on γ(θ) that gradient flow never decreases once
 * L < log 2 (all points classified correctly).
 */
export function smoothedMargin(loss: number, normSq: number): number | null {
  if (!(loss > 0) || loss >= Math.LN2) return null;
  return -Math.log(Math.expm1(loss)) / normSq;
}

export interface HomogeneousSnapshot {
  t: number;
  loss: number;
  normSq: number;
  minMargin: number;
}

/**
 * Full-batch GD on Σ_n ℓ(y_n f(x_n)) with a fixed step η, recording loss, ‖θ‖² and min_n y_n f(x_n) at `record`.
 * Mutates `net`.
 */
export function trainTwoLayer(
  net: TwoLayer,
  X: Mat,
  y: ArrayLike<number>,
  opts: { loss: MarginLoss; eta: number; steps: number; record: readonly number[] },
): { snapshots: HomogeneousSnapshot[]; divergedAt: number | null } {
  const { m, d } = net;
  const N = X.rows;
  const times = [...new Set(opts.record)].filter((t) => Number.isInteger(t) && t >= 0 && t <= opts.steps).sort((p, q) => p - q);
  const snapshots: HomogeneousSnapshot[] = [];
  let next = 0;
  // The loop runs in WebAssembly (core/wasm/loops.wat, loops_homog_gd) on copies of W and a in its arena, every sum
  // in the order of the plain loop (properties/theory/loops-wasm.test.ts); `net` is brought up to date at each
  // recorded step and at the end.
  const arena = Arena.forSizes([m * d, m, N * d, N * d, N, m * N, N, N, N, m * d, m]);
  const W = arena.copyOf(net.W);
  const a = arena.copyOf(net.a);
  const xt = arena.f64(N * d);
  const x = arena.copyOf(X.data.subarray(0, N * d));
  const yv = arena.copyOf(Float64Array.from({ length: N }, (_, n) => y[n]!));
  const [pre, f, c, cj, gW, ga] = [m * N, N, N, N, m * d, m].map((len) => arena.f64(len)) as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  for (let n = 0; n < N; n++) for (let k = 0; k < d; k++) xt[k * N + n] = X.data[n * d + k]!;
  const code = opts.loss === 'logistic' ? 0 : opts.loss === 'exp' ? 1 : 2;
  const kernel = (arena.k as unknown as { loops_homog_gd(...args: number[]): number }).loops_homog_gd;
  const p = (v: Float64Array) => v.byteOffset;
  const sync = () => {
    net.W.set(W);
    net.a.set(a);
  };
  const snap = (t: number) => {
    if (next < times.length && times[next] === t) sync();
    while (next < times.length && times[next] === t) {
      const q = margins(net, X, y);
      let L = 0;
      for (const v of q) L += marginLoss(opts.loss, v);
      snapshots.push({ t, loss: L, normSq: paramNormSq(net), minMargin: Math.min(...q) });
      next++;
    }
  };
  snap(0);
  // One kernel call per stretch between recorded steps.
  let t = 0;
  while (t < opts.steps) {
    const until = next < times.length ? times[next]! : opts.steps;
    t += kernel(p(W), p(a), p(xt), p(x), p(yv), p(pre), p(f), p(c), p(cj), p(gW), p(ga), m, d, N, opts.eta, code, until - t);
    if (!Number.isFinite(a[0]!)) {
      sync();
      return { snapshots, divergedAt: t };
    }
    snap(t);
  }
  sync();
  return { snapshots, divergedAt: null };
}

/**
 * ∇_θ q_n for every point, q_n = y_n f(x_n; θ): ∂q/∂a_j = y·relu(w_j·x), ∂q/∂w_j = y·a_j·1[w_j·x > 0]·x.
 * Row n is the gradient of q_n, laid out as θ = (W row-major, a): an N × (m·d + m) row-major array.
 */
export function marginGradients(net: TwoLayer, X: Mat, y: ArrayLike<number>): Float64Array {
  const { m, d } = net;
  const P = m * d + m;
  const G = new Float64Array(X.rows * P);
  for (let n = 0; n < X.rows; n++) {
    const o = n * d;
    for (let j = 0; j < m; j++) {
      let h = 0;
      for (let k = 0; k < d; k++) h += net.W[j * d + k]! * X.data[o + k]!;
      if (!(h > 0)) continue;
      G[n * P + m * d + j] = y[n]! * h;
      for (let k = 0; k < d; k++) G[n * P + j * d + k] = y[n]! * net.a[j]! * X.data[o + k]!;
    }
  }
  return G;
}

export interface KktResidual {
  /** min over λ ≥ 0 of ‖θ̄ − Σ_n λ_n ∇q_n(θ̄)‖ / ‖θ̄‖ at the rescaled θ̄ = θ/√(min q) (min margin exactly 1). */
  stationarity: number;
  /** Σ λ_n·(q_n(θ̄) − 1) / Σ λ_n for those multipliers: their weighted slack (0 when they sit on the margin). */
  complementarity: number;
  /** The multipliers λ_n ≥ 0, one per point. */
  multipliers: number[];
  /**
   * Lyu & Li's own certificate (proof of Thm 4.4): multipliers proportional to the logistic loss's weights
   * −ℓ'(q_n(θ)) = 1/(1 + e^{q_n}) at the unnormalized θ, so points off the margin weigh e^{−(q_n − q_min)} less.
   * `stationarity`: ‖θ̄ − c·Σ w_n∇q_n(θ̄)‖/‖θ̄‖ with the best scale c ≥ 0 (the sine of the angle between θ and
   * −∇L); `complementarity`: Σ w_n (q_n(θ̄) − 1)/Σ w_n (their δ, → 0 like 1/q_min ~ 1/log t).
   */
  lossCertificate: { stationarity: number; complementarity: number };
}

/** log(1 + e^q) without overflow. */
function softplus(q: number): number {
  return q > 0 ? q + Math.log1p(Math.exp(-q)) : Math.log1p(Math.exp(q));
}

/**
 * How far θ's direction is from a KKT point of the margin problem min ½‖θ‖² s.t. q_n(θ) ≥ 1 (Lyu & Li 2020,
 * Thm 4.4; their (ε, δ)-KKT point, Def. 4.3: λ ≥ 0 with ‖θ̄ − Σ λ_n ∇q_n(θ̄)‖ ≤ ε and Σ λ_n (q_n(θ̄) − 1) ≤ δ).
 * θ̄ = θ/√(min_n q_n) (q is 2-homogeneous, so min q(θ̄) = 1: primal feasibility is exact). The multipliers are the
 * best certificate: nonnegative least squares of θ̄ on the gradients ∇q_n(θ̄) (Lyu & Li's proof weighs the points
 * by −ℓ'(q_n), but at finite t those weights exaggerate the margins' spread exponentially and underflow).
 * Both numbers are scale-free (relative to ‖θ̄‖ and to Σλ). Null if some q ≤ 0 (no feasible rescaling).
 */
export function kktResidual(net: TwoLayer, X: Mat, y: ArrayLike<number>, sweeps = 3000): KktResidual | null {
  const q = margins(net, X, y);
  const qMin = Math.min(...q);
  if (!(qMin > 0)) return null;
  const s = 1 / Math.sqrt(qMin);
  const N = X.rows;
  const P = net.m * net.d + net.m;
  const theta = new Float64Array(P);
  theta.set(net.W);
  theta.set(net.a, net.m * net.d);
  for (let i = 0; i < P; i++) theta[i]! *= s;
  // ∇q is 1-homogeneous for L = 2: ∇q_n(sθ) = s·∇q_n(θ); and q_n(θ̄) = s²·q_n(θ).
  const G = marginGradients(net, X, y).map((g) => g * s);
  const colSq = Array.from({ length: N }, (_, n) => {
    let c = 0;
    for (let i = 0; i < P; i++) c += G[n * P + i]! ** 2;
    return c;
  });
  // NNLS by cyclic coordinate descent on ½‖θ̄ − Gᵀλ‖², λ ≥ 0 (convex; each step is the exact 1-D minimizer).
  const lambda = new Float64Array(N);
  const r = Float64Array.from(theta);
  for (let sweep = 0; sweep < sweeps; sweep++) {
    for (let n = 0; n < N; n++) {
      if (!(colSq[n]! > 0)) continue;
      let g = 0;
      for (let i = 0; i < P; i++) g += G[n * P + i]! * r[i]!;
      const next = Math.max(0, lambda[n]! + g / colSq[n]!);
      const delta = next - lambda[n]!;
      if (delta === 0) continue;
      lambda[n] = next;
      for (let i = 0; i < P; i++) r[i]! -= delta * G[n * P + i]!;
    }
  }
  const total = lambda.reduce((a, l) => a + l, 0);
  // Lyu & Li's weights, relative to the min-margin point's (exp of a difference: no underflow of 1/(1 + e^{q}) itself).
  const w = Array.from(q, (qn) => Math.exp(softplus(qMin) - softplus(qn)));
  const v = new Float64Array(P);
  for (let n = 0; n < N; n++) for (let i = 0; i < P; i++) v[i]! += w[n]! * G[n * P + i]!;
  const cosine = dot(theta, v) / (norm(theta) * norm(v));
  const wTotal = w.reduce((a, b) => a + b, 0);
  return {
    stationarity: norm(r) / norm(theta),
    complementarity: total > 0 ? lambda.reduce((a, l, n) => a + l * (s * s * q[n]! - 1), 0) / total : 0,
    multipliers: Array.from(lambda),
    lossCertificate: {
      stationarity: cosine > 0 ? Math.sqrt(Math.max(0, 1 - cosine * cosine)) : 1,
      complementarity: w.reduce((a, wn, n) => a + wn * (s * s * q[n]! - 1), 0) / wTotal,
    },
  };
}
