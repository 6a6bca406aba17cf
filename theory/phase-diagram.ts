// Phase diagram of two-layer ReLU networks (Luo, Xu, Ma, Zhang, JMLR 2021, arXiv:2007.07497; brief §8).
//   f(x) = (1/α)·Σ_k a_k·σ(w_kᵀx̃),  x̃ = (x, 1) (bias absorbed),  a_k ~ N(0, β1²),  w_k ~ N(0, β2²·I)
//   R_S = (1/2n)·Σ_i (f(x_i) − y_i)²,  GD on all of (a, w).
// Regimes are read from RD = ||w(t) − w(0)|| / ||w(0)|| as the width m grows (lecture A6-1 eqs. 1.1–1.10).
import type { Rng } from '../core/rng.ts';
import { relL2 } from '../core/stats.ts';

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
 * gdInPlace for 1-D inputs with the bias (D = 2) and at most four points, the claim's case (§8.4 data): the points
 * (padded with x = 0, which only ever add ±0), the residuals and each neuron's weights sit in locals, the ReLU masks
 * are computed without branches (max and sign), and each neuron's pre-activations and its share of the next
 * residuals are formed right after its update (one sweep per step, not two). Every nonzero number is formed by
 * the same operations in the same order as in the general form, so both give the same trajectory bit for bit
 * (the padding and masked-out terms add ±0); about 3× faster in V8.
 */
function gdInPlace1d4(a: Float64Array, w: Float64Array, data: PdData, alpha: number, eta: number, steps: number, tol: number, blowUp: number): { loss: number; steps: number } {
  const m = a.length;
  const { n, xt, y } = data;
  const xp = new Float64Array(8);
  const yp = new Float64Array(4);
  xp.set(xt.subarray(0, 2 * n));
  yp.set(y.subarray(0, n));
  const [x0, e0, x1, e1, x2, e2, x3, e3] = xp as unknown as number[];
  const [y0, y1, y2, y3] = yp as unknown as number[];
  const z = new Float64Array(m * 4);
  let n0 = 0;
  let n1 = 0;
  let n2 = 0;
  let n3 = 0;
  for (let k = 0; k < m; k++) {
    const w0 = w[2 * k]!;
    const w1 = w[2 * k + 1]!;
    const ak = a[k]!;
    const q0 = 0 + w0 * x0! + w1 * e0!;
    const q1 = 0 + w0 * x1! + w1 * e1!;
    const q2 = 0 + w0 * x2! + w1 * e2!;
    const q3 = 0 + w0 * x3! + w1 * e3!;
    z[4 * k] = q0;
    z[4 * k + 1] = q1;
    z[4 * k + 2] = q2;
    z[4 * k + 3] = q3;
    n0 += ak * Math.max(q0, 0);
    n1 += ak * Math.max(q1, 0);
    n2 += ak * Math.max(q2, 0);
    n3 += ak * Math.max(q3, 0);
  }
  const c = 1 / (n * alpha);
  const ec = eta * c;
  for (let t = 0; ; t++) {
    const r0 = n0 / alpha - y0!;
    const r1 = n > 1 ? n1 / alpha - y1! : 0;
    const r2 = n > 2 ? n2 / alpha - y2! : 0;
    const r3 = n > 3 ? n3 / alpha - y3! : 0;
    let loss = 0 + r0 * r0;
    if (n > 1) loss += r1 * r1;
    if (n > 2) loss += r2 * r2;
    if (n > 3) loss += r3 * r3;
    loss /= 2 * n;
    if (!(loss <= blowUp)) return { loss: NaN, steps: t };
    if (t === steps || loss <= tol) return { loss, steps: t };
    n0 = n1 = n2 = n3 = 0;
    for (let k = 0; k < m; k++) {
      const ak = a[k]!;
      const p0 = Math.max(z[4 * k]!, 0);
      const p1 = Math.max(z[4 * k + 1]!, 0);
      const p2 = Math.max(z[4 * k + 2]!, 0);
      const p3 = Math.max(z[4 * k + 3]!, 0);
      const ga = 0 + r0 * p0 + r1 * p1 + r2 * p2 + r3 * p3;
      // σ'(z) = sign(relu(z)) ∈ {0, 1}; g_i = η·c·r_i·a_k on the points where neuron k is on.
      const g0 = ec * r0 * ak * Math.sign(p0);
      const g1 = ec * r1 * ak * Math.sign(p1);
      const g2 = ec * r2 * ak * Math.sign(p2);
      const g3 = ec * r3 * ak * Math.sign(p3);
      const w0 = w[2 * k]! - g0 * x0! - g1 * x1! - g2 * x2! - g3 * x3!;
      const w1 = w[2 * k + 1]! - g0 * e0! - g1 * e1! - g2 * e2! - g3 * e3!;
      const a1 = ak - ec * ga;
      a[k] = a1;
      w[2 * k] = w0;
      w[2 * k + 1] = w1;
      const q0 = 0 + w0 * x0! + w1 * e0!;
      const q1 = 0 + w0 * x1! + w1 * e1!;
      const q2 = 0 + w0 * x2! + w1 * e2!;
      const q3 = 0 + w0 * x3! + w1 * e3!;
      z[4 * k] = q0;
      z[4 * k + 1] = q1;
      z[4 * k + 2] = q2;
      z[4 * k + 3] = q3;
      n0 += a1 * Math.max(q0, 0);
      n1 += a1 * Math.max(q1, 0);
      n2 += a1 * Math.max(q2, 0);
      n3 += a1 * Math.max(q3, 0);
    }
  }
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
