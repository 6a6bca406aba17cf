// The paper's two-layer ReLU network h(x) = Σ_j a_j ReLU(w_j·x + b_j) (no width normalisation; LFP repo fig1a.py,
// fig2.py; lecture A4 eq. 1.25), its antisymmetric initialisation (h ≡ 0 at t = 0), the LFP coefficients read off
// its initial parameters, and plain full-batch gradient descent on the sum of squares. Float64 loops: with a
// handful of data points one step costs O(m·n·d).
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { Rng } from '../core/rng.ts';
import type { Mat } from './mlp.ts';
import { Arena } from '../core/wasm/runtime.ts';

export interface TwoLayerRelu {
  m: number;
  d: number;
  /** Input weights, m×d row-major. */
  w: Float64Array;
  b: Float64Array;
  a: Float64Array;
}

/** Initial scales as in the authors' code: w, a uniform on [−v, v] in 1-D, v·N(0, 1) in 2-D; b ~ U[−vl, vl]. */
export interface InitScales {
  vw: number;
  vl: number;
  va: number;
  law: 'uniform' | 'gaussian';
}

/** m/2 neurons drawn once, then duplicated with a → −a and the same (w, b), so h_ini ≡ 0 (fig1a.py `merge_a`). */
export function initAntisymmetric(m: number, d: number, s: InitScales, rng: Rng): TwoLayerRelu {
  if (m % 2 !== 0 || m < 2) throw new Error(`initAntisymmetric: width must be even, got ${m}`);
  const half = m / 2;
  const net: TwoLayerRelu = { m, d, w: new Float64Array(m * d), b: new Float64Array(m), a: new Float64Array(m) };
  const draw = (v: number) => (s.law === 'uniform' ? rng.range(-v, v) : v * rng.normal());
  for (let j = 0; j < half; j++) {
    for (let k = 0; k < d; k++) net.w[j * d + k] = net.w[(j + half) * d + k] = draw(s.vw);
    net.b[j] = net.b[j + half] = rng.range(-s.vl, s.vl);
    const a = draw(s.va);
    net.a[j] = a;
    net.a[j + half] = -a;
  }
  return net;
}

export function cloneNet(net: TwoLayerRelu): TwoLayerRelu {
  return { ...net, w: net.w.slice(), b: net.b.slice(), a: net.a.slice() };
}

export function netForward(net: TwoLayerRelu, X: Mat): Float64Array {
  const { m, d, w, b, a } = net;
  const n = X.rows;
  const x = X.data;
  const out = new Float64Array(n);
  // Neuron by neuron, each point's sum taken over j in ascending order (as a point-by-point loop would): the inner
  // loop over the points is then a contiguous sweep, specialised for d = 1 and 2.
  for (let j = 0; j < m; j++) {
    const bj = b[j]!;
    const aj = a[j]!;
    if (d === 1) {
      const wj = w[j]!;
      for (let i = 0; i < n; i++) {
        const zz = bj + wj * x[i]!;
        if (zz > 0) out[i]! += aj * zz;
      }
    } else if (d === 2) {
      const w0 = w[2 * j]!;
      const w1 = w[2 * j + 1]!;
      for (let i = 0; i < n; i++) {
        const zz = bj + w0 * x[2 * i]! + w1 * x[2 * i + 1]!;
        if (zz > 0) out[i]! += aj * zz;
      }
    } else {
      for (let i = 0; i < n; i++) {
        let zz = bj;
        for (let k = 0; k < d; k++) zz += w[j * d + k]! * x[i * d + k]!;
        if (zz > 0) out[i]! += aj * zz;
      }
    }
  }
  return out;
}

/**
 * LFP coefficients in the `lfp` tool's convention (γ² = a|ξ|^-(d+1) + b|ξ|^-(d+3), cycles) from the initial
 * parameters, by BRIEF §2.3(a) (lecture A4 §1.3.1): γ² ∝ E[r³]/(16π⁴|ξ|^(d+3)) + E[a² r]/(4π²|ξ|^(d+1)), r = |w|.
 * The |ξ|^-(d+3) term comes from training a, the |ξ|^-(d+1) term from training b. The authors' code uses
 * E[a²]·E|w| for the second average; it equals E[a² r] in expectation for independent a and w.
 */
export function lfpCoefficients(net: TwoLayerRelu): { a: number; b: number } {
  let r3 = 0;
  let a2r = 0;
  for (let j = 0; j < net.m; j++) {
    let r2 = 0;
    for (let k = 0; k < net.d; k++) r2 += net.w[j * net.d + k]! ** 2;
    const r = Math.sqrt(r2);
    r3 += r * r2;
    a2r += net.a[j]! ** 2 * r;
  }
  return { a: a2r / net.m / (4 * Math.PI ** 2), b: r3 / net.m / (16 * Math.PI ** 4) };
}

/** The empirical NTK Gram matrix over all parameters: Σ_j [σ_iσ_i' + a_j² H_iH_i' (1 + x·x')]. */
export function ntkGram(net: TwoLayerRelu, X: Mat): Matrix {
  const { m, d } = net;
  const n = X.rows;
  const K = new Matrix(n, n);
  const z = new Float64Array(n);
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < n; i++) {
      let s = net.b[j]!;
      for (let k = 0; k < d; k++) s += net.w[j * d + k]! * X.data[i * d + k]!;
      z[i] = s;
    }
    const a2 = net.a[j]! ** 2;
    for (let i = 0; i < n; i++) {
      if (!(z[i]! > 0)) continue;
      for (let l = 0; l <= i; l++) {
        if (!(z[l]! > 0)) continue;
        let xx = 1;
        for (let k = 0; k < d; k++) xx += X.data[i * d + k]! * X.data[l * d + k]!;
        const v = z[i]! * z[l]! + a2 * xx;
        K.set(i, l, K.get(i, l) + v);
        if (l !== i) K.set(l, i, K.get(l, i) + v);
      }
    }
  }
  return K;
}

export function extremeEigenvalues(K: Matrix): { min: number; max: number } {
  const ev = new EigenvalueDecomposition(K, { assumeSymmetric: true }).realEigenvalues;
  return { min: Math.min(...ev), max: Math.max(...ev) };
}

export interface GdOptions {
  lr: number;
  /** Heavy-ball momentum β (Polyak 1964): v ← βv − lr·∇L, θ ← θ + v. 0 is plain gradient descent. */
  momentum: number;
  maxSteps: number;
  /** Stop when ||h(X) − y|| ≤ tol·||y||. */
  tol: number;
  /** Record the residual every `every` steps (for the figures). */
  every?: number;
}

export interface GdResult {
  steps: number;
  /** Final relative residual ||h(X) − y|| / ||y||, or null if it is not finite. */
  residual: number | null;
  converged: boolean;
  /** The step at which the residual became NaN or grew 1e6-fold, or null. */
  divergedAt: number | null;
  trace: { step: number; residual: number }[];
}

/**
 * Full-batch (heavy-ball) gradient descent on L = ½ Σ_i (h(x_i) − y_i)² (the authors' code sums the squares),
 * updating (a, w, b) in place. Updates stay in the span of past gradients, so in the linear regime the limit is
 * the same minimum-norm interpolant as plain gradient flow's; momentum only shortens the slow high-frequency tail.
 */
export function trainGd(net: TwoLayerRelu, X: Mat, y: ArrayLike<number>, o: GdOptions): GdResult {
  const { m, d } = net;
  const n = X.rows;
  const x = X.data;
  const { w, b, a } = net;
  const { lr, momentum } = o;
  let yNorm = 0;
  for (let i = 0; i < n; i++) yNorm += y[i]! ** 2;
  yNorm = Math.sqrt(yNorm);
  // Pre-activations neuron-major, z[j·n + i], so that the fused pass below reads and writes one neuron's n values
  // contiguously; out[i] = h(x_i) is accumulated over j in ascending order, as a row-by-row forward pass would.
  const z = new Float64Array(d === 1 ? 0 : m * n);
  // 1-D inputs run in WebAssembly (core/wasm/loops.wat, loops_lfp_pre1 and loops_lfp_pass1: two neurons per lane
  // pair, every sum in the order of the plain loop of properties/theory/loops-wasm.test.ts) on copies of the
  // parameters in its arena, copied back to `net` on return.
  const wasm = d === 1 ? lfpArena(net, X) : null;
  const out = wasm ? wasm.out : new Float64Array(n);
  const r = wasm ? wasm.r : new Float64Array(n);
  const va = new Float64Array(m);
  const vb = new Float64Array(m);
  const vw = new Float64Array(m * d);
  const gw = new Float64Array(d);
  const trace: { step: number; residual: number }[] = [];
  const every = o.every ?? Math.max(1, Math.floor(o.maxSteps / 200));
  // Forward at step 0; each later forward is fused into the previous step's update pass.
  if (wasm) wasm.pre();
  else for (let j = 0; j < m; j++) preactivate(j);
  let first = NaN;
  for (let step = 0; ; step++) {
    let rr = 0;
    for (let i = 0; i < n; i++) {
      r[i] = out[i]! - y[i]!;
      rr += r[i]! ** 2;
    }
    const residual = Math.sqrt(rr) / yNorm;
    if (step === 0) first = residual;
    if (!Number.isFinite(residual) || residual > 1e6 * first) {
      wasm?.copyBack();
      return { steps: step, residual: Number.isFinite(residual) ? residual : null, converged: false, divergedAt: step, trace };
    }
    if (step % every === 0) trace.push({ step, residual });
    if (residual <= o.tol || step >= o.maxSteps) {
      if (step % every !== 0) trace.push({ step, residual });
      wasm?.copyBack();
      return { steps: step, residual, converged: residual <= o.tol, divergedAt: null, trace };
    }
    // One pass over the neurons: the gradient of ½‖r‖² for neuron j (from the stored pre-activations), its
    // heavy-ball update, then its new pre-activations and its share of the next forward pass.
    out.fill(0);
    if (wasm) wasm.pass(lr, momentum);
    else if (d === 2) pass2();
    else for (let j = 0; j < m; j++) passNeuron(j);
  }

  /** The pass for neuron j in any dimension. */
  function passNeuron(j: number): void {
    const zj = j * n;
    const wj = j * d;
    let ga = 0;
    let gb = 0;
    gw.fill(0);
    for (let i = 0; i < n; i++) {
      const zz = z[zj + i]!;
      if (zz > 0) {
        const ri = r[i]!;
        ga += ri * zz;
        gb += ri;
        for (let k = 0; k < d; k++) gw[k]! += ri * x[i * d + k]!;
      }
    }
    const aj = a[j]!;
    for (let k = 0; k < d; k++) {
      const v = (vw[wj + k] = momentum * vw[wj + k]! - lr * aj * gw[k]!);
      w[wj + k]! += v;
    }
    b[j]! += vb[j] = momentum * vb[j]! - lr * aj * gb;
    a[j]! += va[j] = momentum * va[j]! - lr * ga;
    preactivate(j);
  }

  /** The same pass for d = 2 (XOR), with scalar accumulators. */
  function pass2(): void {
    for (let j = 0; j < m; j++) {
      const zj = j * n;
      let ga = 0;
      let gb = 0;
      let g0 = 0;
      let g1 = 0;
      for (let i = 0; i < n; i++) {
        const zz = z[zj + i]!;
        if (zz > 0) {
          const ri = r[i]!;
          ga += ri * zz;
          gb += ri;
          g0 += ri * x[2 * i]!;
          g1 += ri * x[2 * i + 1]!;
        }
      }
      const aj = a[j]!;
      const w0 = (w[2 * j]! += vw[2 * j] = momentum * vw[2 * j]! - lr * aj * g0);
      const w1 = (w[2 * j + 1]! += vw[2 * j + 1] = momentum * vw[2 * j + 1]! - lr * aj * g1);
      const bj = (b[j]! += vb[j] = momentum * vb[j]! - lr * aj * gb);
      const an = (a[j]! += va[j] = momentum * va[j]! - lr * ga);
      for (let i = 0; i < n; i++) {
        const zz = bj + w0 * x[2 * i]! + w1 * x[2 * i + 1]!;
        z[zj + i] = zz;
        if (zz > 0) out[i]! += an * zz;
      }
    }
  }

  /** z[j·n + i] = w_j·x_i + b_j for every i, and out[i] += a_j·ReLU(z) (the caller zeroes out before neuron 0). */
  function preactivate(j: number): void {
    const zj = j * n;
    const wj = j * d;
    const bj = b[j]!;
    const aj = a[j]!;
    for (let i = 0; i < n; i++) {
      let zz = bj;
      for (let k = 0; k < d; k++) zz += w[wj + k]! * x[i * d + k]!;
      z[zj + i] = zz;
      if (zz > 0) out[i]! += aj * zz;
    }
  }
}

/** trainGd's WebAssembly state for 1-D inputs: the parameters, velocities, data, residuals and outputs in one arena. */
function lfpArena(net: TwoLayerRelu, X: Mat) {
  const { m } = net;
  const n = X.rows;
  const pairs = 2 * Math.ceil(m / 2);
  // An odd width is padded with a zero neuron (the kernels' lanes take neurons in pairs; see loops.wat).
  const arena = Arena.forSizes([pairs * n, n, n, n, pairs, pairs, pairs, pairs, pairs, pairs]);
  const z2 = arena.f64(pairs * n);
  const x = arena.copyOf(X.data.subarray(0, n));
  const r = arena.f64(n);
  const out = arena.f64(n);
  const [w, b, a, vw, vb, va] = [0, 0, 0, 0, 0, 0].map(() => arena.f64(pairs)) as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  w.set(net.w);
  b.set(net.b);
  a.set(net.a);
  const k = arena.k as unknown as { loops_lfp_pre1(...args: number[]): void; loops_lfp_pass1(...args: number[]): void };
  const p = (v: Float64Array) => v.byteOffset;
  return {
    r,
    out,
    pre: () => k.loops_lfp_pre1(p(z2), p(x), p(out), p(w), p(b), p(a), m, n),
    pass: (lr: number, momentum: number) => k.loops_lfp_pass1(p(z2), p(x), p(r), p(out), p(w), p(b), p(a), p(vw), p(vb), p(va), m, n, lr, momentum),
    copyBack: () => {
      net.w.set(w.subarray(0, m));
      net.b.set(b.subarray(0, m));
      net.a.set(a.subarray(0, m));
    },
  };
}

/**
 * Step size and momentum from the NTK Gram K₀ at initialisation: lr = 1/λ_max, and β = (1 − κ^(−1/2))² with
 * κ = λ_max/λ_min, the critically damped heavy-ball choice (every linear mode then contracts by about 1 − κ^(−1/2)
 * per step instead of plain GD's 1 − 1/κ). `momentum: false` gives plain GD with the same lr.
 */
export function stepSizes(net: TwoLayerRelu, X: Mat, momentum: boolean): { lr: number; momentum: number; kappa: number } {
  const e = extremeEigenvalues(ntkGram(net, X));
  const kappa = e.max / Math.max(e.min, e.max * 1e-14);
  return { lr: 1 / e.max, momentum: momentum ? (1 - 1 / Math.sqrt(kappa)) ** 2 : 0, kappa };
}
