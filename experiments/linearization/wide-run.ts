// One width of the "network vs its linearization" experiment (brief §3.4, P3.3): a 1-hidden-layer network in the
// NTK parameterization, trained by full-batch GD in float64 (theory/mlp.ts), side by side with the exact closed
// form of its linearization under the same discrete GD (theory/linearized.ts).
//
// Output scale α (Chizat & Bach 2019, "lazy training"): the trained model is g = α·f. GD on g with loss
// (1/2n)‖αf − y‖² and step η/α² moves θ exactly as GD on f with step η and targets y/α, so we train f on y/α and
// report g-space discrepancies α·(f − f_lin). α = 1 is the NTK regime; α = (n_ref/n)^{1/2} is the mean-field
// output scaling (g = (1/n)Σ v_k φ(·) up to constants) where every neuron moves O(1) at any width and the
// linearization should not improve with width: the negative control.
import { activate, activateDeriv, layerScales, type Mat, type Mlp } from '../../theory/mlp.ts';
import { linearizedDynamics } from '../../theory/linearized.ts';
import { empiricalNtk, empiricalNtkPair } from '../../theory/ntk.ts';
import type { Rng } from '../../core/rng.ts';
import { Arena } from '../../core/wasm/runtime.ts';

export interface WideData {
  X: Mat;
  Y: Float64Array;
  Xtest: Mat;
}

/** Gaussian inputs in d dimensions and a smooth O(1) target y = sin(2·u·x) along a random unit direction u. */
export function makeData(rng: Rng, d: number, nTrain: number, nTest: number): WideData {
  const u = rng.normals(d);
  const norm = Math.hypot(...u);
  const X: Mat = { rows: nTrain, cols: d, data: rng.normals(nTrain * d) };
  const Xtest: Mat = { rows: nTest, cols: d, data: rng.normals(nTest * d) };
  const Y = new Float64Array(nTrain);
  for (let i = 0; i < nTrain; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += (u[k]! / norm) * X.data[i * d + k]!;
    Y[i] = Math.sin(2 * s);
  }
  return { X, Y, Xtest };
}

export interface WideRunConfig {
  eta: number;
  steps: number;
  /** Record outputs every this many steps (the sup over time is taken on these checkpoints). */
  recordEvery: number;
  /** Output scale α of g = α·f. */
  alpha: number;
}

export interface WideRun {
  width: number;
  alpha: number;
  /** Step at which the loss became non-finite, or null. */
  divergedAt: number | null;
  /** g-space loss (1/2n)‖g − y‖² at step 0 and at the end. */
  loss0: number;
  lossEnd: number;
  /** g-space RMSE between network and linearization, over train ∪ test points. */
  rmseEnd: number;
  supRmse: number;
  supRmseTrain: number;
  supRmseTest: number;
  /** ‖ΔW‖_F/‖W_0‖_F for the input layer and the readout; ‖Θ_T − Θ_0‖_F/‖Θ_0‖_F on the training points. */
  relDeltaW1: number;
  relDeltaV: number;
  relDeltaNtk: number;
  /** Checkpoint steps and g-space outputs at the first training and first test point (for the figure). */
  trace: { t: number[]; trainNet: number[]; trainLin: number[]; testNet: number[]; testLin: number[] };
}

function frob(a: Float64Array): number {
  let s = 0;
  for (const v of a) s += v * v;
  return Math.sqrt(s);
}

function relChange(now: Float64Array, then: Float64Array): number {
  const d = now.map((v, i) => v - then[i]!);
  return frob(d) / frob(then);
}

function rms(a: ArrayLike<number>, b: ArrayLike<number>, scale: number): { sum: number; n: number } {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (scale * (a[i]! - b[i]!)) ** 2;
  return { sum: s, n: a.length };
}

/** Trains `net` (a d-n-1 NTK-parameterized network, modified in place) and compares it with its linearization. */
export function runWide(cfg: WideRunConfig, data: WideData, net: Mlp): WideRun {
  const n = data.X.rows;
  const W1 = net.layers[0]!.W.slice();
  const V = net.layers[1]!.W.slice();
  const target = data.Y.map((y) => y / cfg.alpha);
  // Θ_0 on train and test points, and f_0 there (forward()'s values, from the same passes).
  const { theta: theta0, thetaTest: theta0Test, f: f0, fTest: f0Test } = empiricalNtkPair(net, data.X, data.Xtest);
  const lin = linearizedDynamics(theta0, f0, target, { eta: cfg.eta, mode: 'gd' });

  const trace: WideRun['trace'] = { t: [], trainNet: [], trainLin: [], testNet: [], testLin: [] };
  let supTrain = 0;
  let supTest = 0;
  let sup = 0;
  let rmseEnd = NaN;
  let loss0 = NaN;
  let lossEnd = NaN;
  let divergedAt: number | null = null;
  const a = cfg.alpha;
  const step = twoLayerStepper(net, data.X, data.Xtest);
  for (let t = 0; t <= cfg.steps; t++) {
    const f = step.outputs();
    let loss = 0;
    for (let i = 0; i < n; i++) loss += (a * f[i]! - data.Y[i]!) ** 2;
    loss /= 2 * n;
    if (!Number.isFinite(loss)) {
      divergedAt = t;
      break;
    }
    if (t === 0) loss0 = loss;
    if (t % cfg.recordEvery === 0 || t === cfg.steps) {
      const fl = lin.train(t);
      const ft = step.evalOutputs(); // forward(net, Xtest)
      const ftl = lin.test(theta0Test, f0Test, t);
      const rTr = rms(f, fl, a);
      const rTe = rms(ft, ftl, a);
      supTrain = Math.max(supTrain, Math.sqrt(rTr.sum / rTr.n));
      supTest = Math.max(supTest, Math.sqrt(rTe.sum / rTe.n));
      const all = Math.sqrt((rTr.sum + rTe.sum) / (rTr.n + rTe.n));
      sup = Math.max(sup, all);
      rmseEnd = all;
      trace.t.push(t);
      trace.trainNet.push(a * f[0]!);
      trace.trainLin.push(a * fl[0]!);
      trace.testNet.push(a * ft[0]!);
      trace.testLin.push(a * ftl[0]!);
    }
    lossEnd = loss;
    if (t === cfg.steps) break;
    // GD on f with step η and targets y/α (see the header for why this is GD on g).
    step.gdStep(target, cfg.eta);
  }
  const thetaEnd = empiricalNtk(net, data.X);
  return {
    width: net.layers[0]!.nOut,
    alpha: cfg.alpha,
    divergedAt,
    loss0,
    lossEnd,
    rmseEnd,
    supRmse: sup,
    supRmseTrain: supTrain,
    supRmseTest: supTest,
    relDeltaW1: relChange(net.layers[0]!.W, W1),
    relDeltaV: relChange(net.layers[1]!.W, V),
    relDeltaNtk: relChange(thetaEnd.data, theta0.data),
    trace,
  };
}

/** The core/wasm/wide.wat kernels (pointers are byte offsets into the caller's arena). */
export interface WideKernels {
  wide_xw(x: number, W: number, H: number, rows: number, nrows: number, d: number, w: number, skip: number): void;
  wide_xtd(x: number, D: number, G: number, rows: number, nrows: number, d: number, w: number, scale: number): void;
  wide_delta(r: number, v: number, D: number, gb: number, n: number, w: number, s: number): void;
  wide_readout(H: number, r: number, v: number, n: number, w: number, c: number): void;
  sub_scaled(a: number, x: number, y: number, n: number): void;
  wide_tanh_rows(H: number, b1: number, D: number, rows: number, nrows: number, w: number, s1w: number, s1b: number, deriv: number): void;
  wide_readout_rows(H: number, V: number, f: number, cb: number, rows: number, nrows: number, w: number, k: number, s2w: number, skip: number): void;
  wide_erf_into(src: number, dst: number, n: number): void;
}

/** n i32 row indices in the arena (an f64 view reinterpreted), set to 0..n−1. */
export function rowList(arena: Arena, n: number): Int32Array {
  const v = arena.f64(Math.ceil(n / 2));
  const rows = new Int32Array(v.buffer, v.byteOffset, n);
  for (let i = 0; i < n; i++) rows[i] = i;
  return rows;
}

/**
 * The network's outputs on fixed extra inputs (test points), as theory/mlp.ts forward computes them (same bits: zero
 * inputs and zero hidden values are skipped as its affine loops skip them), from the stepper's arena-held parameters.
 */
export function wideEvaluator(
  arena: Arena,
  kern: WideKernels,
  X: Mat,
  p: { W1: Float64Array; b1: Float64Array; V: Float64Array; c: Float64Array; s1w: number; s1b: number; s2w: number; s2b: number; act: Mlp['activation'] },
): () => Float64Array {
  const m = X.rows;
  const d = X.cols;
  const w = p.b1.length;
  const k = p.c.length;
  const x = arena.copyOf(X.data);
  const H = arena.f64(m * w);
  const rows = rowList(arena, m);
  const f = arena.f64(m * k);
  const cb = arena.f64(k);
  return () => {
    kern.wide_xw(arena.ptr(x), arena.ptr(p.W1), arena.ptr(H), rows.byteOffset, m, d, w, 1);
    const { b1, V, c, s1w, s1b, s2w, s2b, act } = p;
    if (act === 'tanh' || act === 'erf') {
      if (act === 'tanh') kern.wide_tanh_rows(arena.ptr(H), arena.ptr(b1), 0, rows.byteOffset, m, w, s1w, s1b, 0);
      else {
        for (let i = 0; i < m; i++) for (let q = 0; q < w; q++) H[i * w + q] = s1w * H[i * w + q]! + s1b * b1[q]!;
        kern.wide_erf_into(arena.ptr(H), arena.ptr(H), m * w); // stdlib's erf, bit for bit
      }
      for (let j = 0; j < k; j++) cb[j] = s2b * c[j]!;
      kern.wide_readout_rows(arena.ptr(H), arena.ptr(V), arena.ptr(f), arena.ptr(cb), rows.byteOffset, m, w, k, s2w, 1);
      return f;
    }
    for (let i = 0; i < m; i++) {
      const o = i * w;
      for (let q = 0; q < w; q++) H[o + q] = activate(act, s1w * H[o + q]! + s1b * b1[q]!);
      for (let j = 0; j < k; j++) {
        let acc = 0;
        for (let q = 0; q < w; q++) {
          const h = H[o + q]!;
          if (h !== 0) acc += h * V[q * k + j]!;
        }
        f[i * k + j] = s2w * acc + s2b * c[j]!;
      }
    }
    return f;
  };
}

/**
 * Full-batch GD for a 1-hidden-layer `mlp-v1` network, in place and in float64: the same mathematics as
 * theory/mlp.ts forward/backward with L = (1/2n)‖f − y‖² (a property checks one step against mseLossGrad),
 * specialised so that φ(z) is evaluated once per step and nothing is allocated in the loop. The input layer's
 * products and the updates run in WebAssembly (core/wasm/wide.wat), bit-identical to the plain loops
 * (properties/theory/kernels.test.ts). The network's W1, b1 and readout weights move into the stepper's arena: the
 * net's layers then hold arena views with the same values, updated in place by every step.
 * `evalX` (optional): extra inputs whose outputs evalOutputs() returns, bit-identical to forward(net, evalX).
 */
export function twoLayerStepper(
  net: Mlp,
  X: Mat,
  evalX?: Mat,
): { outputs(): Float64Array; gdStep(y: ArrayLike<number>, eta: number): void; evalOutputs(): Float64Array } {
  if (net.layers.length !== 2 || net.layers[1]!.nOut !== 1) throw new Error('twoLayerStepper needs a d-n-1 network');
  const [L1, L2] = net.layers as [Mlp['layers'][0], Mlp['layers'][0]];
  const d = L1.nIn;
  const w = L1.nOut;
  const n = X.rows;
  const m = evalX?.rows ?? 0;
  const s1 = layerScales(net, d);
  const s2 = layerScales(net, w);
  const arena = Arena.forSizes([n * d, d * w, w, w, n * w, n * w, d * w, w, n, Math.ceil(n / 2), n, 1, m * d, m * w, Math.ceil(m / 2), m, 1]);
  const kern = arena.k as unknown as WideKernels;
  const x = arena.copyOf(X.data);
  L1.W = arena.copyOf(L1.W);
  L1.b = arena.copyOf(L1.b);
  L2.W = arena.copyOf(L2.W);
  const W1 = L1.W;
  const b1 = L1.b;
  const v = L2.W;
  const c = L2.b;
  const H = arena.f64(n * w); // z, then φ(z)
  const D = arena.f64(n * w); // φ'(z), then δ
  const gW = arena.f64(d * w);
  const gb = arena.f64(w);
  const r = arena.f64(n);
  const rows = rowList(arena, n);
  const f = arena.f64(n);
  const cb = arena.f64(1); // s2b·c
  const isTanh = net.activation === 'tanh';
  const isErf = net.activation === 'erf';
  const act = net.activation;
  const s1w = s1.w;
  const s1b = s1.b;
  const s2w = s2.w;
  const s2b = s2.b;
  const P = { x: arena.ptr(x), W1: arena.ptr(W1), b1: arena.ptr(b1), v: arena.ptr(v), H: arena.ptr(H), D: arena.ptr(D), gW: arena.ptr(gW), gb: arena.ptr(gb), r: arena.ptr(r), rows: rows.byteOffset, f: arena.ptr(f), cb: arena.ptr(cb) };
  const evaluate = evalX ? wideEvaluator(arena, kern, evalX, { W1, b1, V: v, c, s1w, s1b, s2w, s2b, act }) : () => new Float64Array(0);
  let fresh = false;
  // φ and φ' of row i's pre-activations, and the output f_i (activations other than tanh and erf).
  const activateRow = (i: number) => {
    const o = i * w;
    let acc = 0;
    for (let k = 0; k < w; k++) {
      const z = s1w * H[o + k]! + s1b * b1[k]!;
      const h = activate(act, z);
      D[o + k] = activateDeriv(act, z);
      H[o + k] = h;
      acc += h * v[k]!;
    }
    f[i] = s2w * acc + s2b * c[0]!;
  };
  const forwardPass = () => {
    // z-rows: each sum runs over the inputs j in order, every term added (no zero skipping, as the JS loop did).
    kern.wide_xw(P.x, P.W1, P.H, P.rows, n, d, w, 0);
    if (isTanh || isErf) {
      if (isTanh) {
        // φ = tanh and φ' = 1 − φ² in wasm (activateRow's operations in its order)
        kern.wide_tanh_rows(P.H, P.b1, P.D, P.rows, n, w, s1w, s1b, 1);
      } else {
        // z and φ'(z) = (2/√π)·exp(−z²) here (Math.exp), φ = erf in wasm (stdlib's erf, bit for bit)
        for (let o = 0; o < n * w; o += w)
          for (let q = 0; q < w; q++) {
            const z = s1w * H[o + q]! + s1b * b1[q]!;
            H[o + q] = z;
            D[o + q] = activateDeriv(act, z);
          }
        kern.wide_erf_into(P.H, P.H, n * w);
      }
      // f_i = s2·Σ_k h_ik v_k + s2b·c (k in order)
      cb[0] = s2b * c[0]!;
      kern.wide_readout_rows(P.H, P.v, P.f, P.cb, P.rows, n, w, 1, s2w, 0);
    } else for (let i = 0; i < n; i++) activateRow(i);
    fresh = true;
  };
  return {
    outputs() {
      if (!fresh) forwardPass();
      return f;
    },
    evalOutputs: evaluate,
    gdStep(y, eta) {
      if (!fresh) forwardPass();
      let gc = 0;
      for (let i = 0; i < n; i++) {
        r[i] = (f[i]! - y[i]!) / n;
        gc += r[i]!;
      }
      // δ_ik = r_i·s2·v_k·φ'(z_ik) (uses the pre-update v), ∂L/∂b_k = s1b·Σ_i δ_ik; ∂L/∂W_jk = s1·Σ_i x_ij δ_ik.
      kern.wide_delta(P.r, P.v, P.D, P.gb, n, w, s2w);
      kern.wide_xtd(P.x, P.D, P.gW, P.rows, n, d, w, 1);
      // readout: ∂L/∂v_k = s2·Σ_i r_i h_ik, applied one sample at a time.
      kern.wide_readout(P.H, P.r, P.v, n, w, eta * s2w);
      c[0] -= eta * s2b * gc;
      kern.sub_scaled(eta * s1w, P.gW, P.W1, d * w);
      kern.sub_scaled(eta * s1b, P.gb, P.b1, w);
      fresh = false;
    },
  };
}
