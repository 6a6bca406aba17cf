// One width of "network vs its linearization, trained the same way" beyond GD on MSE (Lee et al. 2019, Figs 4–6;
// brief §4): a 1-hidden-layer network in the NTK parameterization with k outputs, trained in float64 with SGD with
// momentum (heavy ball or Nesterov) or plain GD, on MSE or softmax cross-entropy, full batch; beside it the linearized
// network trained with the same loss, step and optimizer, as a recurrence in function space with the empirical NTK
// (theory/linearized.ts trainLinearizedFunctionSpace; for cross-entropy there is no closed form, so it is integrated).
//
// The network side uses the training engines' own pieces (theory/loss.ts lossAndGrad, theory/mlp.ts forwardTrace and
// backward, core/engine/reference.ts makeOptimizer), so it is the float64 reference engine's arithmetic with one change:
// the output scale α of wide-run.ts, g = α·f, trained on L(g) with step η/α² (α = 1: the NTK regime; α = (n_ref/n)^½:
// mean-field output scaling, the rival). ∂L/∂f = α·∂L/∂g, so every update is that of GD/momentum on g.
import { batchSchedule } from '../../core/engine/batches.ts';
import { makeOptimizer } from '../../core/engine/reference.ts';
import type { BatchSpec } from '../../core/engine/types.ts';
import type { Rng } from '../../core/rng.ts';
import { lossAndGrad, type LossKind } from '../../theory/loss.ts';
import { empiricalNtkMultiPair, trainLinearizedFunctionSpace, type LinearOptimizer } from '../../theory/linearized.ts';
import { forward, layerScales, type Mat, type Mlp } from '../../theory/mlp.ts';
import { Arena } from '../../core/wasm/runtime.ts';
import { rowList, wideEvaluator, type WideKernels } from './wide-run.ts';

export interface OptimData {
  X: Mat;
  /** Targets as theory/loss.ts takes them: n×1 values (mse) or n×1 class indices (xent). */
  Y: Mat;
  Xtest: Mat;
  /** Network outputs: 1 for mse, the number of classes for xent. */
  k: number;
}

/**
 * Gaussian inputs in d dimensions and the smooth target s = sin(2·u·x) along a random unit direction u (wide-run.ts
 * makeData): mse regresses s; xent classifies its sign (2 classes), so both losses see the same geometry.
 */
export function makeOptimData(rng: Rng, d: number, nTrain: number, nTest: number, loss: LossKind): OptimData {
  const u = rng.normals(d);
  const norm = Math.hypot(...u);
  const X: Mat = { rows: nTrain, cols: d, data: rng.normals(nTrain * d) };
  const Xtest: Mat = { rows: nTest, cols: d, data: rng.normals(nTest * d) };
  const Y = new Float64Array(nTrain);
  for (let i = 0; i < nTrain; i++) {
    let s = 0;
    for (let q = 0; q < d; q++) s += (u[q]! / norm) * X.data[i * d + q]!;
    Y[i] = loss === 'mse' ? Math.sin(2 * s) : Math.sin(2 * s) > 0 ? 1 : 0;
  }
  return { X, Y: { rows: nTrain, cols: 1, data: Y }, Xtest, k: loss === 'mse' ? 1 : 2 };
}

export interface OptimRunConfig {
  loss: LossKind;
  optimizer: LinearOptimizer;
  eta: number;
  steps: number;
  recordEvery: number;
  /** Output scale α of g = α·f. */
  alpha: number;
  /**
   * Minibatch SGD (linearization.minibatch): rows per step and the seed of their order (core/engine/batches.ts, the
   * engines' schedule); each step's gradient is that of the loss on its rows. Absent: full batch.
   */
  batch?: BatchSpec;
}

export interface OptimRun {
  width: number;
  alpha: number;
  divergedAt: number | null;
  /** g-space training loss at step 0 and at the end. */
  loss0: number;
  lossEnd: number;
  /** Fraction of training points whose largest logit is their class at the end (xent; 1 for mse). */
  trainAccuracy: number;
  /** g-space RMSE between network and linearization over all outputs on train ∪ test points: sup over checkpoints, end. */
  supRmse: number;
  rmseEnd: number;
  /** Checkpoint steps and the first output at the first test point, network and linearization (for the figure). */
  trace: { t: number[]; testNet: number[]; testLin: number[] };
}

/** Trains `net` (d-n-k, NTK parameterization; modified in place) and its linearization; compares them in g-space. */
export function runOptimWide(cfg: OptimRunConfig, data: OptimData, net: Mlp): OptimRun {
  const a = cfg.alpha;
  const n = data.X.rows;
  const k = data.k;
  if (net.layers.at(-1)!.nOut !== k) throw new Error(`the network has ${net.layers.at(-1)!.nOut} outputs, the data ${k}`);
  const lr = cfg.eta / (a * a);
  // ∂L/∂f at outputs f: α·∂L/∂g at g = α·f.
  const lossAt = (f: Float64Array) => {
    const { loss, dOut } = lossAndGrad(cfg.loss, { rows: n, cols: k, data: f.map((v) => a * v) }, data.Y);
    return { loss, dLdf: dOut.data.map((v) => a * v) };
  };
  const rowsAt = batchRowsAt(n, cfg);
  const checkpoint = (t: number) => t % cfg.recordEvery === 0 || t === cfg.steps;

  // The linearization, trained first; its outputs are kept at the checkpoints.
  const f0 = forward(net, data.X).data.slice();
  const linAt = trainLinearization(cfg, data, net, checkpoint);

  // The stepper moves W1, b1 and W2 into its arena: the optimizer's parameter list is taken after.
  const stepper = oneHiddenLayerStepper(net, data.X, data.Xtest);
  const params = net.layers.flatMap((l) => [l.W, l.b]);
  const spec = cfg.optimizer.kind === 'sgd' ? { kind: 'sgd' as const, lr } : { kind: 'momentum' as const, lr, momentum: cfg.optimizer.momentum, nesterov: cfg.optimizer.nesterov ?? false };
  const step = makeOptimizer(spec, params);
  const trace: OptimRun['trace'] = { t: [], testNet: [], testLin: [] };
  let sup = 0;
  let rmseEnd = NaN;
  let loss0 = NaN;
  let lossEnd = NaN;
  let divergedAt: number | null = null;
  let lastF: Float64Array = f0;
  for (let t = 0; t <= cfg.steps; t++) {
    // With minibatches the step follows the loss on the step's rows, and only those rows are evaluated between
    // checkpoints; at checkpoints every row is (the recorded losses are the full set's, as in the engines).
    const rows = rowsAt && t < cfg.steps ? rowsAt(t) : undefined;
    const full = !rows || checkpoint(t);
    const f = stepper.outputs(full ? undefined : rows);
    const batch = rows ? batchLossGrad(cfg.loss, f, data.Y, k, a, rows) : undefined;
    const whole = full ? lossAt(f) : undefined;
    const loss = whole ? whole.loss : batch!.loss;
    const dLdf = batch ? batch.dLdf : whole!.dLdf;
    if (!Number.isFinite(loss)) {
      divergedAt = t;
      break;
    }
    if (!whole) {
      step(stepper.grads(dLdf, rows));
      continue;
    }
    if (t === 0) loss0 = loss;
    lossEnd = loss;
    lastF = f.slice();
    if (checkpoint(t)) {
      const lin = linAt.get(t)!;
      const ft = stepper.evalOutputs(); // forward(net, Xtest)
      let s = 0;
      for (let q = 0; q < f.length; q++) s += (a * (f[q]! - lin.f[q]!)) ** 2;
      for (let q = 0; q < ft.length; q++) s += (a * (ft[q]! - lin.fTest[q]!)) ** 2;
      rmseEnd = Math.sqrt(s / (f.length + ft.length));
      sup = Math.max(sup, rmseEnd);
      trace.t.push(t);
      trace.testNet.push(a * ft[0]!);
      trace.testLin.push(a * lin.fTest[0]!);
    }
    if (t === cfg.steps) break;
    step(stepper.grads(dLdf, rows));
  }
  return { width: net.layers[0]!.nOut, alpha: a, divergedAt, loss0, lossEnd, trainAccuracy: accuracy(lastF, data, cfg.loss), supRmse: sup, rmseEnd, trace };
}

/** The minibatch rows of each step (core/engine/batches.ts batchSchedule), or null for full batch. */
function batchRowsAt(n: number, cfg: Pick<OptimRunConfig, 'batch'>): ((t: number) => number[]) | null {
  return cfg.batch ? batchSchedule(n, cfg.batch) : null;
}

/**
 * The g-space loss L_B on the minibatch rows B and ∂L_B/∂f (theory/loss.ts on those rows, in visiting order: the mean over B), zero
 * off B; in g-space as lossAt: α·∂L/∂g at g = α·f.
 */
export function batchLossGrad(loss: LossKind, f: Float64Array, Y: Mat, k: number, a: number, rows: readonly number[]): { loss: number; dLdf: Float64Array } {
  const m = rows.length;
  const fb = new Float64Array(m * k);
  const yb = new Float64Array(m * Y.cols);
  rows.forEach((r, i) => {
    for (let c = 0; c < k; c++) fb[i * k + c] = a * f[r * k + c]!;
    for (let c = 0; c < Y.cols; c++) yb[i * Y.cols + c] = Y.data[r * Y.cols + c]!;
  });
  const lg = lossAndGrad(loss, { rows: m, cols: k, data: fb }, { rows: m, cols: Y.cols, data: yb });
  const e = new Float64Array(f.length);
  rows.forEach((r, i) => {
    for (let c = 0; c < k; c++) e[r * k + c] = a * lg.dOut.data[i * k + c]!;
  });
  return { loss: lg.loss, dLdf: e };
}

/**
 * The linearization of `net` around its current parameters trained as runOptimWide trains the network (same loss,
 * step, optimizer and minibatches), in function space with the empirical NTK (theory/linearized.ts); its f-space
 * outputs on the training and test points at the steps where `keep` is true.
 */
export function trainLinearization(cfg: OptimRunConfig, data: OptimData, net: Mlp, keep: (t: number) => boolean): Map<number, { f: Float64Array; fTest: Float64Array }> {
  const a = cfg.alpha;
  const n = data.X.rows;
  const k = data.k;
  const rowsAt = batchRowsAt(n, cfg);
  const linAt = new Map<number, { f: Float64Array; fTest: Float64Array }>();
  // trainLinearizedFunctionSpace asks for ∂L/∂f once per step, steps 0, 1, … in order: the counter names the step.
  let t = 0;
  // Θ_0 on train and test points, and f_0 there (forward()'s values, from the same passes).
  const { theta, thetaTest, f: f0, fTest: f0Test } = empiricalNtkMultiPair(net, data.X, data.Xtest);
  trainLinearizedFunctionSpace({
    theta,
    thetaTest,
    f0,
    f0Test,
    lossGrad: (f) => {
      const e = rowsAt ? batchLossGrad(cfg.loss, f, data.Y, k, a, rowsAt(t)).dLdf : lossAndGrad(cfg.loss, { rows: n, cols: k, data: f.map((v) => a * v) }, data.Y).dOut.data.map((v) => a * v);
      t++;
      return e;
    },
    eta: cfg.eta / (a * a),
    optimizer: cfg.optimizer,
    steps: cfg.steps,
    record: (step, f, fTest) => {
      if (keep(step)) linAt.set(step, { f: f.slice(), fTest: fTest.slice() });
    },
  });
  return linAt;
}

function accuracy(f: Float64Array, data: OptimData, loss: LossKind): number {
  if (loss === 'mse') return 1;
  const k = data.k;
  let right = 0;
  for (let i = 0; i < data.X.rows; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (f[i * k + j]! > f[i * k + best]!) best = j;
    if (best === data.Y.data[i]) right++;
  }
  return right / data.X.rows;
}

/**
 * Forward pass and parameter gradients of a d-n-k tanh `mlp-v1` network on fixed inputs, in float64: theory/mlp.ts
 * forwardTrace/backward specialised to one hidden tanh layer so that nothing is allocated per step (a property checks
 * it against them). grads(∂L/∂f) returns [∂W1, ∂b1, ∂W2, ∂b2] in the layers' layout, for makeOptimizer.
 * With `rows` (a minibatch, in visiting order) outputs() computes only those rows' outputs and grads() sums only over
 * them, in that order; without, every row, in order.
 * The input layer's X·W1 and Xᵀ·Δ run in WebAssembly (core/wasm/wide.wat), bit-identical to the plain loops
 * (properties/linearization-wasm.test.ts); W1, b1 and W2 move into the stepper's arena (the net's layers then hold arena
 * views with the same values, which the optimizer updates in place). `evalX`: extra inputs whose outputs evalOutputs()
 * returns, bit-identical to forward(net, evalX).
 */
export function oneHiddenLayerStepper(
  net: Mlp,
  X: Mat,
  evalX?: Mat,
): { outputs(rows?: readonly number[]): Float64Array; grads(dLdf: ArrayLike<number>, rows?: readonly number[]): Float64Array[]; evalOutputs(): Float64Array } {
  if (net.layers.length !== 2 || net.activation !== 'tanh') throw new Error('oneHiddenLayerStepper needs a d-n-k tanh network');
  const [L1, L2] = net.layers as [Mlp['layers'][0], Mlp['layers'][0]];
  const d = L1.nIn;
  const w = L1.nOut;
  const k = L2.nOut;
  const n = X.rows;
  const m = evalX?.rows ?? 0;
  const s1 = layerScales(net, d);
  const s2 = layerScales(net, w);
  const arena = Arena.forSizes([n * d, d * w, w, w * k, n * w, n * w, d * w, Math.ceil(n / 2), Math.ceil(n / 2), n * k, k, m * d, m * w, Math.ceil(m / 2), m * k, k]);
  const kern = arena.k as unknown as WideKernels;
  const x = arena.copyOf(X.data);
  L1.W = arena.copyOf(L1.W);
  L1.b = arena.copyOf(L1.b);
  L2.W = arena.copyOf(L2.W);
  // Local aliases so the hot loops touch only typed arrays and numbers (the arrays are updated in place by the optimizer).
  const W1 = L1.W;
  const b1 = L1.b;
  const V = L2.W;
  const c2 = L2.b;
  const s1w = s1.w;
  const s1b = s1.b;
  const s2w = s2.w;
  const s2b = s2.b;
  const H = arena.f64(n * w); // z, then tanh(z)
  const D = arena.f64(n * w); // δ of the hidden layer
  const gW1 = arena.f64(d * w);
  const everyRowList = rowList(arena, n);
  const batchList = rowList(arena, n);
  const f = arena.f64(n * k);
  const cb = arena.f64(k); // s2b·b2
  const g = [gW1, new Float64Array(w), new Float64Array(w * k), new Float64Array(k)];
  const everyRow = Array.from({ length: n }, (_, i) => i);
  const P = { x: arena.ptr(x), W1: arena.ptr(W1), b1: arena.ptr(b1), V: arena.ptr(V), H: arena.ptr(H), D: arena.ptr(D), gW1: arena.ptr(gW1), f: arena.ptr(f), cb: arena.ptr(cb) };
  // The arena's row list for `rows` (the full list needs no copy).
  const listOf = (rows: readonly number[]) => {
    if (rows === everyRow) return everyRowList;
    for (let p = 0; p < rows.length; p++) batchList[p] = rows[p]!;
    return batchList;
  };
  const evaluate = evalX ? wideEvaluator(arena, kern, evalX, { W1, b1, V, c: c2, s1w, s1b, s2w, s2b, act: 'tanh' }) : () => new Float64Array(0);
  return {
    evalOutputs: evaluate,
    outputs(rows = everyRow) {
      // z-rows: each sum runs over the inputs j in order, every term added (no zero skipping, as the JS loop did).
      // Then h = tanh(s1·z + s1b·b1) and f_ic = s2·Σ_q h_iq V_qc + s2b·b2_c (q in order), in wasm.
      const list = listOf(rows).byteOffset;
      kern.wide_xw(P.x, P.W1, P.H, list, rows.length, d, w, 0);
      kern.wide_tanh_rows(P.H, P.b1, 0, list, rows.length, w, s1w, s1b, 0);
      for (let c = 0; c < k; c++) cb[c] = s2b * c2[c]!;
      kern.wide_readout_rows(P.H, P.V, P.f, P.cb, list, rows.length, w, k, s2w, 0);
      return f;
    },
    // Uses H from the last outputs() call, which must have covered `rows` (the parameters must not have changed since).
    grads(e, rows = everyRow) {
      const [, gb1, gV, gc] = g as [Float64Array, Float64Array, Float64Array, Float64Array];
      gb1.fill(0);
      gV.fill(0);
      gc.fill(0);
      for (const i of rows) {
        const o = i * w;
        for (let c = 0; c < k; c++) {
          const ec = e[i * k + c]!;
          gc[c] += s2b * ec;
          const se = s2w * ec;
          for (let q = 0; q < w; q++) gV[q * k + c] += se * H[o + q]!;
        }
        // δ_iq = s2·Σ_c e_ic V_qc · (1 − h²)
        for (let q = 0; q < w; q++) {
          let acc = 0;
          for (let c = 0; c < k; c++) acc += e[i * k + c]! * V[q * k + c]!;
          const h = H[o + q]!;
          D[o + q] = s2w * acc * (1 - h * h);
          gb1[q] += s1b * D[o + q]!;
        }
      }
      // ∂W1 = Σ_i (s1·x_i)ᵀ δ_i, each entry adding the rows' terms in visiting order.
      kern.wide_xtd(P.x, P.D, P.gW1, listOf(rows).byteOffset, rows.length, d, w, s1w);
      return g;
    },
  };
}
