// Phase diagram of two-layer ReLU networks (Luo, Xu, Ma, Zhang, JMLR 2021, arXiv:2007.07497; brief §8).
//   f(x) = (1/α)·Σ_k a_k·σ(w_kᵀx̃),  x̃ = (x, 1) (bias absorbed),  a_k ~ N(0, β1²),  w_k ~ N(0, β2²·I)
//   R_S = (1/2n)·Σ_i (f(x_i) − y_i)²,  GD on all of (a, w).
// Regimes are read from RD = ||w(t) − w(0)|| / ||w(0)|| as the width m grows (lecture A6-1 eqs. 1.1–1.10).
import type { Rng } from '../core/rng.ts';
import { relL2 } from '../core/stats.ts';
import { Arena } from '../core/wasm/runtime.ts';

export interface TwoLayerState {
  m: number;
  /** Input dimension including the absorbed bias. */
  D: number;
  a: Float64Array;
  /** m×D row-major: row k is w_k (last entry the bias). */
  w: Float64Array;
}

/** Data with the bias coordinate appended: xt is n×D row-major. */
export interface PdData {
  n: number;
  D: number;
  xt: Float64Array;
  y: Float64Array;
}

export function withBias(x: readonly (readonly number[])[], y: readonly number[]): PdData {
  const n = x.length;
  const D = x[0]!.length + 1;
  const xt = new Float64Array(n * D);
  x.forEach((row, i) => {
    xt.set(row, i * D);
    xt[i * D + D - 1] = 1;
  });
  return { n, D, xt, y: Float64Array.from(y) };
}

export function initState(m: number, D: number, beta1: number, beta2: number, rng: Rng): TwoLayerState {
  return { m, D, a: rng.normals(m, beta1), w: rng.normals(m * D, beta2) };
}

const relu = (z: number) => (z > 0 ? z : 0);

/** f(x_i) for every data point. */
export function predict(s: TwoLayerState, data: PdData, alpha: number): Float64Array {
  const out = new Float64Array(data.n);
  for (let i = 0; i < data.n; i++) {
    let acc = 0;
    for (let k = 0; k < s.m; k++) {
      let z = 0;
      for (let j = 0; j < s.D; j++) z += s.w[k * s.D + j]! * data.xt[i * s.D + j]!;
      acc += s.a[k]! * relu(z);
    }
    out[i] = acc / alpha;
  }
  return out;
}

export function loss(s: TwoLayerState, data: PdData, alpha: number): number {
  const f = predict(s, data, alpha);
  let l = 0;
  for (let i = 0; i < data.n; i++) l += (f[i]! - data.y[i]!) ** 2;
  return l / (2 * data.n);
}

/**
 * ∇R_S: ∂R/∂a_k = (1/n)Σ_i r_i·σ(w_k·x̃_i)/α,  ∂R/∂w_k = (1/n)Σ_i r_i·a_k·σ'(w_k·x̃_i)·x̃_i/α  (σ = ReLU, σ'(0) = 0).
 */
export function gradient(s: TwoLayerState, data: PdData, alpha: number): { loss: number; ga: Float64Array; gw: Float64Array } {
  const { m, D } = s;
  const f = predict(s, data, alpha);
  const r = new Float64Array(data.n);
  let l = 0;
  for (let i = 0; i < data.n; i++) {
    r[i] = f[i]! - data.y[i]!;
    l += r[i]! * r[i]!;
  }
  const ga = new Float64Array(m);
  const gw = new Float64Array(m * D);
  const c = 1 / (data.n * alpha);
  for (let k = 0; k < m; k++) {
    for (let i = 0; i < data.n; i++) {
      let z = 0;
      for (let j = 0; j < D; j++) z += s.w[k * D + j]! * data.xt[i * D + j]!;
      if (z <= 0) continue;
      ga[k]! += c * r[i]! * z;
      const g = c * r[i]! * s.a[k]!;
      for (let j = 0; j < D; j++) gw[k * D + j]! += g * data.xt[i * D + j]!;
    }
  }
  return { loss: l / (2 * data.n), ga, gw };
}

/** One explicit Euler (= GD) step θ ← θ − η·∇R_S in the original variables. */
export function gdStep(s: TwoLayerState, data: PdData, alpha: number, eta: number): TwoLayerState {
  const { ga, gw } = gradient(s, data, alpha);
  const a = s.a.map((v, k) => v - eta * ga[k]!);
  const w = s.w.map((v, q) => v - eta * gw[q]!);
  return { ...s, a, w };
}

/** κ = β1β2/α and κ' = β1/β2: the only two numbers the rescaled dynamics depend on (2007.07497 §3). */
export function kappas(alpha: number, beta1: number, beta2: number): { kappa: number; kappaPrime: number } {
  return { kappa: (beta1 * beta2) / alpha, kappaPrime: beta1 / beta2 };
}

/**
 * The rescaled vector field (brief §8.2, lecture A6-1): with ā = a/β1, w̄ = w/β2 and r̄_i = κ·Σ_k ā_k σ(w̄_k·x̃_i) − y_i,
 *   dā_k/dt̄ = −(κ/κ')·(1/n)Σ_i σ(w̄_k·x̃_i)·r̄_i,    dw̄_k/dt̄ = −κκ'·(1/n)Σ_i ā_k σ'(w̄_k·x̃_i)·x̃_i·r̄_i,
 * with t̄ = t/(β1β2) (σ positively homogeneous, so σ(β2·u) = β2·σ(u)).
 */
export function rescaledField(bar: TwoLayerState, data: PdData, kappa: number, kappaPrime: number): { da: Float64Array; dw: Float64Array } {
  // The same gradient code with α = 1/κ gives (1/n)Σ r̄·σ·κ and (1/n)Σ r̄·ā·σ'·x̃·κ.
  const { ga, gw } = gradient(bar, data, 1 / kappa);
  return { da: ga.map((g) => -g / kappaPrime), dw: gw.map((g) => -g * kappaPrime) };
}

/** Relative distance of the input weights (incl. bias) from their initial value: ||w − w0|| / ||w0||. */
export function relativeDistance(w: Float64Array, w0: Float64Array): number {
  return relL2(w, w0);
}

export interface TrainResult {
  state: TwoLayerState;
  loss0: number;
  finalLoss: number;
  steps: number;
  /** Restarts from the initial point with a halved rate (the authors' safeguard against a blow-up). */
  restarts: number;
  diverged: boolean;
}

/**
 * In-place GD on (a, w) for `steps` steps or until R_S ≤ tol; returns the final loss, or NaN on a blow-up
 * (loss above `blowUp`). Fused form of `gradient`: one sweep for f, one for the per-neuron update, no allocation
 * per step (each neuron's gradient depends only on its own parameters and the residuals).
 */
function gdInPlace(a: Float64Array, w: Float64Array, data: PdData, alpha: number, eta: number, steps: number, tol: number, blowUp: number): { loss: number; steps: number } {
  if (data.D === 2 && data.n <= 4) return gdInPlace1d4(a, w, data, alpha, eta, steps, tol, blowUp);
  const m = a.length;
  const { n, D, xt, y } = data;
  const z = new Float64Array(m * n);
  const r = new Float64Array(n);
  const c = 1 / (n * alpha);
  let loss = Infinity;
  for (let t = 0; ; t++) {
    r.fill(0);
    for (let k = 0; k < m; k++) {
      for (let i = 0; i < n; i++) {
        let zz = 0;
        for (let j = 0; j < D; j++) zz += w[k * D + j]! * xt[i * D + j]!;
        z[k * n + i] = zz;
        if (zz > 0) r[i]! += a[k]! * zz;
      }
    }
    loss = 0;
    for (let i = 0; i < n; i++) {
      r[i] = r[i]! / alpha - y[i]!;
      loss += r[i]! * r[i]!;
    }
    loss /= 2 * n;
    if (!(loss <= blowUp)) return { loss: NaN, steps: t };
    if (t === steps || loss <= tol) return { loss, steps: t };
    for (let k = 0; k < m; k++) {
      let ga = 0;
      const ak = a[k]!;
      for (let i = 0; i < n; i++) {
        const zz = z[k * n + i]!;
        if (zz <= 0) continue;
        ga += r[i]! * zz;
      }
      for (let i = 0; i < n; i++) {
        if (z[k * n + i]! <= 0) continue;
        const g = eta * c * r[i]! * ak;
        for (let j = 0; j < D; j++) w[k * D + j]! -= g * xt[i * D + j]!;
      }
      a[k] = ak - eta * c * ga;
    }
  }
}

/**
 * gdInPlace for 1-D inputs with the bias (D = 2) and at most four points, the claim's case (§8.4 data), in
 * WebAssembly (core/wasm/loops.wat, loops_pd_gd): the whole loop in one call, two neurons per lane pair, the points
 * padded with x = 0 (which only ever add ±0), the ReLU masks without branches (max and sign), and each neuron's
 * pre-activations and its share of the next outputs formed right after its update. Every nonzero number is formed
 * by the same operations in the same order as in the general form, so both give the same trajectory bit for bit
 * (properties/theory/loops-wasm.test.ts checks it against gdInPlace's general loop).
 */
function gdInPlace1d4(a: Float64Array, w: Float64Array, data: PdData, alpha: number, eta: number, steps: number, tol: number, blowUp: number): { loss: number; steps: number } {
  const m = a.length;
  const m2 = 2 * Math.ceil(m / 2); // an odd width gets a zero neuron (see loops.wat)
  const { n, xt, y } = data;
  const arena = Arena.forSizes([m2, m2, m2, 4 * m2, 12, 1]);
  const [av, w0, w1, z, d, out] = [m2, m2, m2, 4 * m2, 12, 1].map((len) => arena.f64(len)) as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  av.set(a);
  for (let k = 0; k < m; k++) {
    w0[k] = w[2 * k]!;
    w1[k] = w[2 * k + 1]!;
  }
  d.set(xt.subarray(0, 2 * n));
  d.set(y.subarray(0, n), 8);
  const ec = eta * (1 / (n * alpha));
  const kernel = (arena.k as unknown as { loops_pd_gd(...args: number[]): number }).loops_pd_gd;
  const p = (v: Float64Array) => v.byteOffset;
  const t = kernel(p(av), p(w0), p(w1), p(z), p(d), m2, n, alpha, ec, Math.min(steps, 2 ** 31 - 1), tol, blowUp, p(out));
  a.set(av.subarray(0, m));
  for (let k = 0; k < m; k++) {
    w[2 * k] = w0[k]!;
    w[2 * k + 1] = w1[k]!;
  }
  return { loss: out[0]!, steps: t };
}

/**
 * Full-batch GD from s0. The authors' safeguard (scalestudy1d_191224.py): if the loss blows up (above 10·L_0 or
 * non-finite), training restarts from s0 with the rate halved. Stops at `tol` or after `steps`.
 */
export function trainGd(s0: TwoLayerState, data: PdData, alpha: number, eta0: number, opts: { steps: number; tol: number }): TrainResult {
  const loss0 = loss(s0, data, alpha);
  let eta = eta0;
  for (let restarts = 0; restarts <= 30; restarts++, eta /= 2) {
    const a = s0.a.slice();
    const w = s0.w.slice();
    const res = gdInPlace(a, w, data, alpha, eta, opts.steps, opts.tol, 10 * loss0);
    if (Number.isFinite(res.loss)) return { state: { ...s0, a, w }, loss0, finalLoss: res.loss, steps: res.steps, restarts, diverged: false };
  }
  return { state: s0, loss0, finalLoss: NaN, steps: 0, restarts: 31, diverged: true };
}

/**
 * 1-D condensation features (dlphenomena condense.mdx; lecture A7-0): orientation θ_k = sign(b_k)·arccos(w_k/||(w_k,b_k)||)
 * and amplitude A_k = |a_k|·||(w_k, b_k)||.
 */
export function orientations(s: TwoLayerState): { theta: Float64Array; amp: Float64Array } {
  if (s.D !== 2) throw new Error(`orientations are defined for 1-D inputs (D = 2 with bias), got D = ${s.D}`);
  const theta = new Float64Array(s.m);
  const amp = new Float64Array(s.m);
  for (let k = 0; k < s.m; k++) {
    const w = s.w[2 * k]!;
    const b = s.w[2 * k + 1]!;
    const r = Math.hypot(w, b);
    theta[k] = (b >= 0 ? 1 : -1) * Math.acos(Math.max(-1, Math.min(1, w / r)));
    amp[k] = Math.abs(s.a[k]!) * r;
  }
  return { theta, amp };
}

/**
 * The coordinates γ = lim −log κ / log m, γ' = lim −log κ' / log m (brief §8.2), estimated as the slope between two
 * large widths so that m-independent constants (d, factors of 2) cancel.
 */
export function phaseCoordinates(
  scales: (m: number) => { alpha: number; beta1: number; beta2: number },
  m1 = 1e8,
  m2 = 1e12,
): { gamma: number; gammaPrime: number } {
  const at = (m: number) => {
    const s = scales(m);
    return kappas(s.alpha, s.beta1, s.beta2);
  };
  const k1 = at(m1);
  const k2 = at(m2);
  const dl = Math.log(m2) - Math.log(m1);
  return {
    gamma: -(Math.log(k2.kappa) - Math.log(k1.kappa)) / dl,
    gammaPrime: -(Math.log(k2.kappaPrime) - Math.log(k1.kappaPrime)) / dl,
  };
}

/**
 * How concentrated a set of orientations is: the weighted histogram over `bins` equal arcs of (−π, π], p_b = share of
 * the weight in arc b, and the participation fraction (1/Σ_b p_b²)/bins ∈ [1/bins, 1]. Weight spread evenly over
 * all arcs gives 1; weight on K arcs in equal shares gives K/bins. Condensation (2007.07497 §5; brief P8.2: input
 * weights gather on a few orientations) drives it towards a few bins' worth.
 */
export function orientationConcentration(theta: ArrayLike<number>, weight: ArrayLike<number>, bins = 64): number {
  if (theta.length !== weight.length) throw new Error(`${theta.length} orientations, ${weight.length} weights`);
  const h = new Float64Array(bins);
  let total = 0;
  for (let k = 0; k < theta.length; k++) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(((theta[k]! + Math.PI) / (2 * Math.PI)) * bins)));
    h[b]! += weight[k]!;
    total += weight[k]!;
  }
  let s2 = 0;
  for (const v of h) s2 += (v / total) ** 2;
  return 1 / s2 / bins;
}

/** ||(w_k, b_k)|| per neuron: the input-weight norms that weight each orientation. */
export function inputWeightNorms(s: TwoLayerState): Float64Array {
  const out = new Float64Array(s.m);
  for (let k = 0; k < s.m; k++) {
    let q = 0;
    for (let j = 0; j < s.D; j++) q += s.w[k * s.D + j]! ** 2;
    out[k] = Math.sqrt(q);
  }
  return out;
}
