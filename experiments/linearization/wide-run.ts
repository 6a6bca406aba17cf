// One width of the "network vs its linearization" experiment (brief §3.4, P3.3): a 1-hidden-layer network in the
// NTK parameterization, trained by full-batch GD in float64 (theory/mlp.ts), side by side with the exact closed
// form of its linearization under the same discrete GD (theory/linearized.ts).
//
// Output scale α (Chizat & Bach 2019, "lazy training"): the trained model is g = α·f. GD on g with loss
// (1/2n)‖αf − y‖² and step η/α² moves θ exactly as GD on f with step η and targets y/α, so we train f on y/α and
// report g-space discrepancies α·(f − f_lin). α = 1 is the NTK regime; α = (n_ref/n)^{1/2} is the mean-field
// output scaling (g = (1/n)Σ v_k φ(·) up to constants) where every neuron moves O(1) at any width and the
// linearization should not improve with width: the negative control.
import { activate, activateDeriv, forward, forwardInto, layerScales, makeWorkspace, type Mat, type Mlp } from '../../theory/mlp.ts';
import { linearizedDynamics } from '../../theory/linearized.ts';
import { empiricalNtk } from '../../theory/ntk.ts';
import type { Rng } from '../../core/rng.ts';

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
  const theta0 = empiricalNtk(net, data.X);
  const theta0Test = empiricalNtk(net, data.Xtest, data.X);
  const f0 = forward(net, data.X).data.slice();
  const f0Test = forward(net, data.Xtest).data.slice();
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
  const step = twoLayerStepper(net, data.X);
  const testWs = makeWorkspace(net, data.Xtest.rows, { backward: false }); // forward(net, Xtest) without allocating
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
      const ft = forwardInto(net, data.Xtest, testWs).pre.at(-1)!.data;
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

/**
 * Full-batch GD for a 1-hidden-layer `mlp-v1` network, in place and in float64: the same mathematics as
 * theory/mlp.ts forward/backward with L = (1/2n)‖f − y‖² (a property checks one step against mseLossGrad),
 * specialised so that φ(z) is evaluated once per step and nothing is allocated in the loop.
 */
export function twoLayerStepper(net: Mlp, X: Mat): { outputs(): Float64Array; gdStep(y: ArrayLike<number>, eta: number): void } {
  if (net.layers.length !== 2 || net.layers[1]!.nOut !== 1) throw new Error('twoLayerStepper needs a d-n-1 network');
  const [L1, L2] = net.layers as [Mlp['layers'][0], Mlp['layers'][0]];
  const d = L1.nIn;
  const w = L1.nOut;
  const n = X.rows;
  const s1 = layerScales(net, d);
  const s2 = layerScales(net, w);
  const H = new Float64Array(n * w); // φ(z)
  const D = new Float64Array(n * w); // φ'(z)
  const f = new Float64Array(n);
  const gW = new Float64Array(d * w);
  const gb = new Float64Array(w);
  const isTanh = net.activation === 'tanh';
  const act = net.activation;
  // Local aliases so the hot loops touch only typed arrays and numbers.
  const x = X.data;
  const W1 = L1.W;
  const b1 = L1.b;
  const v = L2.W;
  const c = L2.b;
  const s1w = s1.w;
  const s1b = s1.b;
  const s2w = s2.w;
  const s2b = s2.b;
  const r = new Float64Array(n);
  let fresh = false;
  // z-row accumulation for rows i and i+1 (two rows per pass share each loaded W1 entry); each sum runs over the
  // inputs j in order, four per pass, exactly as one row at a time did (bit-identical).
  const accumulate2 = (i: number) => {
    const o = i * w;
    const p = o + w;
    const xi = i * d;
    const xk = xi + d;
    H.fill(0, o, p + w);
    let j = 0;
    for (; j + 3 < d; j += 4) {
      const x0 = x[xi + j]!;
      const x1 = x[xi + j + 1]!;
      const x2 = x[xi + j + 2]!;
      const x3 = x[xi + j + 3]!;
      const y0 = x[xk + j]!;
      const y1 = x[xk + j + 1]!;
      const y2 = x[xk + j + 2]!;
      const y3 = x[xk + j + 3]!;
      const r0 = j * w;
      const r1 = r0 + w;
      const r2 = r1 + w;
      const r3 = r2 + w;
      for (let k = 0; k < w; k++) {
        const w0 = W1[r0 + k]!;
        const w1 = W1[r1 + k]!;
        const w2 = W1[r2 + k]!;
        const w3 = W1[r3 + k]!;
        H[o + k] = H[o + k]! + x0 * w0 + x1 * w1 + x2 * w2 + x3 * w3;
        H[p + k] = H[p + k]! + y0 * w0 + y1 * w1 + y2 * w2 + y3 * w3;
      }
    }
    for (; j < d; j++) {
      const xij = x[xi + j]!;
      const yij = x[xk + j]!;
      const row = j * w;
      for (let k = 0; k < w; k++) {
        const wk = W1[row + k]!;
        H[o + k] += xij * wk;
        H[p + k] += yij * wk;
      }
    }
  };
  const accumulate1 = (i: number) => {
    const o = i * w;
    const xi = i * d;
    H.fill(0, o, o + w);
    let j = 0;
    // Four inputs per pass over the hidden row; each sum still runs over j in order (bit-identical to one at a time).
    for (; j + 3 < d; j += 4) {
      const x0 = x[xi + j]!;
      const x1 = x[xi + j + 1]!;
      const x2 = x[xi + j + 2]!;
      const x3 = x[xi + j + 3]!;
      const r0 = j * w;
      const r1 = r0 + w;
      const r2 = r1 + w;
      const r3 = r2 + w;
      for (let k = 0; k < w; k++) H[o + k] = H[o + k]! + x0 * W1[r0 + k]! + x1 * W1[r1 + k]! + x2 * W1[r2 + k]! + x3 * W1[r3 + k]!;
    }
    for (; j < d; j++) {
      const xij = x[xi + j]!;
      const row = j * w;
      for (let k = 0; k < w; k++) H[o + k] += xij * W1[row + k]!;
    }
  };
  // φ and φ' of row i's pre-activations, and the output f_i.
  const activateRow = (i: number) => {
    const o = i * w;
    let acc = 0;
    for (let k = 0; k < w; k++) {
      const z = s1w * H[o + k]! + s1b * b1[k]!;
      let h: number;
      if (isTanh) {
        h = Math.tanh(z);
        D[o + k] = 1 - h * h;
      } else {
        h = activate(act, z);
        D[o + k] = activateDeriv(act, z);
      }
      H[o + k] = h;
      acc += h * v[k]!;
    }
    f[i] = s2w * acc + s2b * c[0]!;
  };
  const forwardPass = () => {
    let i = 0;
    for (; i + 1 < n; i += 2) {
      accumulate2(i);
      activateRow(i);
      activateRow(i + 1);
    }
    if (i < n) {
      accumulate1(i);
      activateRow(i);
    }
    fresh = true;
  };
  return {
    outputs() {
      if (!fresh) forwardPass();
      return f;
    },
    gdStep(y, eta) {
      if (!fresh) forwardPass();
      gW.fill(0);
      gb.fill(0);
      let gc = 0;
      for (let i = 0; i < n; i++) {
        r[i] = (f[i]! - y[i]!) / n;
        gc += r[i]!;
      }
      // δ_ik = r_i·s2·v_k·φ'(z_ik) (uses the pre-update v); ∂L/∂W_jk = s1·Σ_i x_ij δ_ik, ∂L/∂b_k = s1b·Σ_i δ_ik.
      for (let i = 0; i < n; i++) {
        const o = i * w;
        const ri = r[i]! * s2w;
        for (let k = 0; k < w; k++) D[o + k] = ri * v[k]! * D[o + k]!;
        for (let k = 0; k < w; k++) gb[k] += D[o + k]!;
      }
      let i = 0;
      // Four samples per pass over gW, two rows j, j+1 of gW per pass (each loaded δ serves both); each entry still
      // sums over i in order (bit-identical to one sample at a time).
      for (; i + 3 < n; i += 4) {
        const o0 = i * w;
        const o1 = o0 + w;
        const o2 = o1 + w;
        const o3 = o2 + w;
        const x0 = i * d;
        const x1 = x0 + d;
        const x2 = x1 + d;
        const x3 = x2 + d;
        let j = 0;
        for (; j + 1 < d; j += 2) {
          const a0 = x[x0 + j]!;
          const a1 = x[x1 + j]!;
          const a2 = x[x2 + j]!;
          const a3 = x[x3 + j]!;
          const e0 = x[x0 + j + 1]!;
          const e1 = x[x1 + j + 1]!;
          const e2 = x[x2 + j + 1]!;
          const e3 = x[x3 + j + 1]!;
          const row = j * w;
          const row2 = row + w;
          for (let k = 0; k < w; k++) {
            const q0 = D[o0 + k]!;
            const q1 = D[o1 + k]!;
            const q2 = D[o2 + k]!;
            const q3 = D[o3 + k]!;
            gW[row + k] = gW[row + k]! + a0 * q0 + a1 * q1 + a2 * q2 + a3 * q3;
            gW[row2 + k] = gW[row2 + k]! + e0 * q0 + e1 * q1 + e2 * q2 + e3 * q3;
          }
        }
        for (; j < d; j++) {
          const a0 = x[x0 + j]!;
          const a1 = x[x1 + j]!;
          const a2 = x[x2 + j]!;
          const a3 = x[x3 + j]!;
          const row = j * w;
          for (let k = 0; k < w; k++) gW[row + k] = gW[row + k]! + a0 * D[o0 + k]! + a1 * D[o1 + k]! + a2 * D[o2 + k]! + a3 * D[o3 + k]!;
        }
      }
      for (; i < n; i++) {
        const o = i * w;
        for (let j = 0; j < d; j++) {
          const xij = x[i * d + j]!;
          const row = j * w;
          for (let k = 0; k < w; k++) gW[row + k] += xij * D[o + k]!;
        }
      }
      // readout: ∂L/∂v_k = s2·Σ_i r_i h_ik.
      for (let i = 0; i < n; i++) {
        const o = i * w;
        const step = eta * s2w * r[i]!;
        for (let k = 0; k < w; k++) v[k] -= step * H[o + k]!;
      }
      c[0] -= eta * s2b * gc;
      const sw = eta * s1w;
      for (let q = 0; q < gW.length; q++) W1[q] -= sw * gW[q]!;
      const sb = eta * s1b;
      for (let k = 0; k < w; k++) b1[k] -= sb * gb[k]!;
      fresh = false;
    },
  };
}
