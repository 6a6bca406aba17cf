// The TensorFlow.js engine: general autodiff (tf.valueAndGrads) in float32. Backend: DLCLAIMS_BACKEND if set
// ('tensorflow' | 'wasm' | 'cpu'), else @tensorflow/tfjs-node if it loads (an optional dependency that cannot
// install on machines without network), else wasm, else cpu. No tfjs random ops: the initial parameters are the
// float64 Mlp of the TrainSpec, cast to float32.
// Speed caveats measured here (DESIGN.md, ANCHORS A9): wasm takes its XNNPACK path only for untransposed batch-1
// products, so the backward products run a naive loop; this engine is the portable one, ONNX is the fast one.
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { trainLoss } from './reference.ts';
import { batchSchedule } from './batches.ts';
import { registerGradients } from './tfjs-gradients.ts';
import { classesOf } from '../../theory/loss.ts';
import type { Mat, Mlp } from '../../theory/mlp.ts';
import { isCnn, type Engine, type Net, type TrainRecord, type TrainResult, type TrainSpec } from './types.ts';
import { cnnOutputDim, cnnScales, isParamLayer, samePadding, type Cnn } from '../../theory/cnn.ts';

const BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;

async function tryBackend(name: string): Promise<boolean> {
  try {
    if (name === 'tensorflow') {
      // Optional dependency: the specifier is a variable so the type checker does not require it to be installed.
      const mod = '@tensorflow/tfjs-node';
      await import(mod);
    } else if (name === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // In Node the .wasm files are read from the package folder.
      const dir = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json'));
      wasm.setWasmPaths(`${path.join(dir, 'dist')}${path.sep}`);
    } else {
      await import('@tensorflow/tfjs-backend-cpu');
    }
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

async function selectBackend(): Promise<string> {
  const want = process.env.DLCLAIMS_BACKEND;
  if (want !== undefined) {
    if (!(BACKENDS as readonly string[]).includes(want)) throw new Error(`DLCLAIMS_BACKEND: unknown backend "${want}" (known: ${BACKENDS.join(', ')})`);
    if (!(await tryBackend(want))) throw new Error(`DLCLAIMS_BACKEND: backend "${want}" did not load`);
    return want;
  }
  for (const b of BACKENDS) if (await tryBackend(b)) return b;
  throw new Error('tfjs: no backend loaded');
}

let ready: Promise<string> | undefined;

/** Selects and initializes the backend once; returns its name. */
export function initTfjs(): Promise<string> {
  if (!ready) {
    ready = (async () => {
      const backend = await selectBackend();
      // After the backend's own kernels, so that a wasm that has Conv2DBackpropFilter keeps its own.
      await registerGradients();
      return backend;
    })();
  }
  return ready;
}

function scales(net: Pick<Mlp, 'parameterization' | 'sigmaW' | 'sigmaB'>, nIn: number): { w: number; b: number } {
  return net.parameterization === 'ntk' ? { w: net.sigmaW / Math.sqrt(nIn), b: net.sigmaB } : { w: 1, b: 1 };
}

function act(net: Pick<Mlp, 'activation'>, z: tf.Tensor): tf.Tensor {
  switch (net.activation) {
    case 'relu':
      return tf.relu(z);
    case 'tanh':
      return tf.tanh(z);
    case 'erf':
      return tf.erf(z);
    case 'linear':
      return z;
  }
}

/** mlp-v1 forward pass on float32 tensors: params = [W0, b0, W1, b1, ...]. */
function forwardT(net: Mlp, x: tf.Tensor2D, params: tf.Tensor[]): tf.Tensor2D {
  let h: tf.Tensor2D = x;
  const L = net.layers.length;
  for (let l = 0; l < L; l++) {
    const s = scales(net, net.layers[l]!.nIn);
    let z: tf.Tensor2D = tf.matMul(h, params[2 * l] as tf.Tensor2D);
    if (s.w !== 1) z = tf.mul(z, s.w);
    z = tf.add(z, s.b === 1 ? params[2 * l + 1]! : tf.mul(params[2 * l + 1]!, s.b));
    h = l < L - 1 ? (act(net, z) as tf.Tensor2D) : z;
  }
  return h;
}

/**
 * cnn-v1 forward pass (theory/cnn.ts) with TensorFlow.js's own layers: tf.conv2d (TensorFlow's "same"/"valid"
 * padding, the filter [kh, kw, cin, cout] as cnn-v1 stores it), tf.avgPool / tf.maxPool (k×k windows, stride k,
 * "valid"), and a reshape to [n, H·W·C] before the first dense layer (cnn-v1 flattens in (H, W, C) order, as NHWC
 * does). params = [W, b] of the conv and dense layers in order; the activation follows every conv and dense layer
 * except the last.
 */
function forwardCnnT(net: Cnn, x: tf.Tensor2D, params: tf.Tensor[]): tf.Tensor2D {
  const n = x.shape[0];
  let h: tf.Tensor = tf.reshape(x, [n, ...net.input]);
  let p = 0;
  net.layers.forEach((l, i) => {
    const last = i === net.layers.length - 1;
    if (l.type === 'avgpool') h = tf.avgPool(h as tf.Tensor4D, l.size, l.size, 'valid');
    else if (l.type === 'maxpool') h = tf.maxPool(h as tf.Tensor4D, l.size, l.size, 'valid');
    else if (isParamLayer(l)) {
      const s = cnnScales(net, l);
      let z = l.type === 'conv' ? convT(h as tf.Tensor4D, params[p] as tf.Tensor4D, l) : tf.matMul(h.rank === 2 ? (h as tf.Tensor2D) : tf.reshape(h, [n, -1]), params[p] as tf.Tensor2D);
      if (s.w !== 1) z = tf.mul(z, s.w);
      z = tf.add(z, s.b === 1 ? params[p + 1]! : tf.mul(params[p + 1]!, s.b));
      p += 2;
      h = last ? z : act(net, z);
    }
  });
  return h as tf.Tensor2D;
}

/**
 * tf.conv2d with cnn-v1's padding. "same" is applied as an explicit tf.pad (TensorFlow's split, theory/cnn.ts
 * samePadding) followed by a "valid" convolution: the wasm backend's own "same" convolution is wrong for strides > 1
 * in some shapes (56 of 486 small shapes with kernel ≤ 3 and stride ≤ 3 differed from a direct loop by up to 1.8 in
 * tfjs-backend-wasm 4.22; the cpu backend matched in all 486). This is a choice of ops, not a gradient override:
 * tfjs-core's own PadV2 and Conv2D gradients differentiate it. (Replacing wasm's registered Conv2D kernel instead
 * would re-register an existing kernel, which tfjs warns about, to change what every caller of tf.conv2d gets.)
 */
function convT(h: tf.Tensor4D, W: tf.Tensor4D, l: { kh: number; kw: number; stride: number; padding: 'same' | 'valid' }): tf.Tensor4D {
  if (l.padding === 'valid') return tf.conv2d(h, W, l.stride, 'valid');
  const ph = samePadding(h.shape[1], l.kh, l.stride);
  const pw = samePadding(h.shape[2], l.kw, l.stride);
  const padded = ph.before + ph.after + pw.before + pw.after === 0 ? h : tf.pad(h, [[0, 0], [ph.before, ph.after], [pw.before, pw.after], [0, 0]]);
  return tf.conv2d(padded, W, l.stride, 'valid');
}

/** The forward pass of either format. */
function forwardNetT(net: Net, x: tf.Tensor2D, params: tf.Tensor[]): tf.Tensor2D {
  return isCnn(net) ? forwardCnnT(net, x, params) : forwardT(net, x, params);
}

/** The float32 parameter tensors [W, b, ...] of the (conv and) dense layers, in layer order. */
function paramTensors(net: Net): tf.Tensor[] {
  if (!isCnn(net)) return net.layers.flatMap((l) => [tf.tensor2d(Float32Array.from(l.W), [l.nIn, l.nOut]), tf.tensor1d(Float32Array.from(l.b))]);
  return net.layers.filter(isParamLayer).flatMap((l) => [
    l.type === 'conv' ? tf.tensor4d(Float32Array.from(l.W), [l.kh, l.kw, l.cin, l.cout]) : tf.tensor2d(Float32Array.from(l.W), [l.nIn, l.nOut]),
    tf.tensor1d(Float32Array.from(l.b)),
  ]);
}

/** `net` with its parameters replaced by `data` (paramTensors's order), as float64. */
function withParamData(net: Net, data: ArrayLike<number>[]): Net {
  let p = 0;
  const next = () => Float64Array.from(data[p++]!);
  if (!isCnn(net)) return { ...net, layers: net.layers.map((l) => ({ nIn: l.nIn, nOut: l.nOut, W: next(), b: next() })) };
  return { ...net, input: [...net.input], layers: net.layers.map((l) => (isParamLayer(l) ? { ...l, W: next(), b: next() } : { ...l })) };
}

const toT = (m: Mat): tf.Tensor2D => tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols]);

/** The targets as the loss takes them: y for mse, one-hot rows for xent (from class indices or one-hot rows). */
function targetT(spec: TrainSpec<Net>, nOut: number): tf.Tensor2D {
  if ((spec.loss ?? 'mse') === 'mse') return toT(spec.y);
  const c = classesOf(spec.y, nOut);
  if (!(c instanceof Int32Array)) throw new Error(`y row ${c.row}: ${c.problem}`);
  const hot = new Float32Array(c.length * nOut);
  c.forEach((ci, i) => (hot[i * nOut + ci] = 1));
  return tf.tensor2d(hot, [c.length, nOut]);
}

/**
 * The training loss on float32 tensors, averaged over the m rows of f, with TensorFlow.js's own losses summed
 * (Reduction.SUM) and scaled: mse (1/2m)·Σ(f − y)² = tf.losses.meanSquaredError·(1/2m) (its mean would divide by
 * m·k and drop the ½ of theory/loss.ts), xent = tf.losses.softmaxCrossEntropy·(1/m) (its custom gradient is
 * softmax(f) − y). The SUM reduction keeps the graph to SquaredDifference, Sum and Multiply (GRADIENT_KERNELS of
 * tfjs-gradients.ts); the default reduction would divide by a count of nonzero weights, the same m, through more kernels.
 */
function lossT(kind: 'mse' | 'xent', f: tf.Tensor2D, y: tf.Tensor2D, m: number): tf.Scalar {
  if (kind === 'xent') return tf.mul(tf.losses.softmaxCrossEntropy(y, f, undefined, 0, tf.Reduction.SUM), 1 / m) as tf.Scalar;
  return tf.mul(tf.losses.meanSquaredError(y, f, undefined, tf.Reduction.SUM), 1 / (2 * m)) as tf.Scalar;
}

export async function trainTfjs<N extends Net = Mlp>(spec: TrainSpec<N>): Promise<TrainResult<N>> {
  await initTfjs();
  const net: Net = spec.net;
  const x = toT(spec.x);
  const nOut = isCnn(net) ? cnnOutputDim(net) : net.layers.at(-1)!.nOut;
  const y = targetT(spec, nOut);
  const evalX = spec.evalX ? toT(spec.evalX) : undefined;
  const n = spec.x.rows;
  let params: tf.Tensor[] = paramTensors(net);
  const opt = spec.optimizer;
  // Momentum is TensorFlow.js's own tf.train.momentum (a ← μa + g; θ ← θ − η·a, Nesterov θ ← θ − η·(g + μa):
  // momentum_optimizer.ts, the convention of types.ts); it updates tf.Variables in place.
  const momOpt = opt.kind === 'momentum' ? tf.train.momentum(opt.lr, opt.momentum, opt.nesterov ?? false) : undefined;
  if (momOpt) {
    params = params.map((p) => {
      const v = tf.variable(p, true);
      p.dispose();
      return v;
    });
  }
  const b1 = opt.kind === 'adam' ? (opt.beta1 ?? 0.9) : 0;
  const b2 = opt.kind === 'adam' ? (opt.beta2 ?? 0.999) : 0;
  const eps = opt.kind === 'adam' ? (opt.epsilon ?? 1e-7) : 0;
  let m = opt.kind === 'adam' ? params.map((p) => tf.zerosLike(p)) : [];
  let v = opt.kind === 'adam' ? params.map((p) => tf.zerosLike(p)) : [];
  // The loss on the step's rows (all of x, or a minibatch), differentiated by tfjs's autodiff.
  const kind = spec.loss ?? 'mse';
  const rowsAt = spec.batch ? batchSchedule(n, spec.batch) : undefined;
  let cur = { x, y, m: n };
  const lossAndGrads = tf.valueAndGrads((...ps: tf.Tensor[]) => lossT(kind, forwardNetT(net, cur.x, ps), cur.y, cur.m));
  const records: TrainRecord[] = [];
  let divergedAt: number | undefined;
  try {
    for (let t = 0; t <= spec.steps; t++) {
      const last = t === spec.steps;
      const record = t % spec.recordEvery === 0 || last;
      // The recorded loss is computed in float64 from the float32 outputs, as the other engines do.
      const f = record ? tf.tidy(() => forwardNetT(net, x, params)) : undefined;
      const fData = f ? Float64Array.from(await f.data()) : undefined;
      f?.dispose();
      if (last) {
        const { loss } = trainLoss(spec, { rows: n, cols: nOut, data: fData! }, spec.y);
        records.push({ step: t, loss, outputs: await outputsOn(evalX, fData!) });
        if (!Number.isFinite(loss)) divergedAt = t;
        break;
      }
      const rows = rowsAt?.(t);
      if (rows) {
        const idx = tf.tensor1d(Int32Array.from(rows), 'int32');
        cur = { x: tf.gather(x, idx), y: tf.gather(y, idx), m: rows.length };
        idx.dispose();
      }
      const { value, grads } = lossAndGrads(params);
      if (rows) tf.dispose([cur.x, cur.y]);
      // With minibatches, divergence is judged on the full-set loss (as the other engines do), computed below.
      const data = record || rows ? (fData ?? Float64Array.from(await tf.tidy(() => forwardNetT(net, x, params)).data())) : undefined;
      const fullLoss = data ? trainLoss(spec, { rows: n, cols: nOut, data }, spec.y).loss : NaN;
      const loss32 = rows ? fullLoss : (await value.data())[0]!;
      value.dispose();
      if (record || !Number.isFinite(loss32)) {
        const d = data ?? Float64Array.from(await tf.tidy(() => forwardNetT(net, x, params)).data());
        const { loss } = trainLoss(spec, { rows: n, cols: nOut, data: d }, spec.y);
        records.push({ step: t, loss, outputs: await outputsOn(evalX, d) });
      }
      if (!Number.isFinite(loss32)) {
        grads.forEach((g) => g.dispose());
        divergedAt = t;
        break;
      }
      if (momOpt) {
        momOpt.applyGradients(params.map((p, i) => ({ name: (p as tf.Variable).name, tensor: grads[i]! })));
        grads.forEach((g) => g.dispose());
        continue;
      }
      const c1 = 1 - b1 ** (t + 1);
      const c2 = 1 - b2 ** (t + 1);
      const next = tf.tidy(() => {
        if (opt.kind === 'sgd') return { p: params.map((p, i) => tf.sub(p, tf.mul(opt.lr, grads[i]!))), m: [], v: [] };
        const m2 = m.map((mi, i) => tf.add(tf.mul(mi, b1), tf.mul(grads[i]!, 1 - b1)));
        const v2 = v.map((vi, i) => tf.add(tf.mul(vi, b2), tf.mul(tf.mul(grads[i]!, 1 - b2), grads[i]!)));
        const p2 = params.map((p, i) => tf.sub(p, tf.div(tf.mul(opt.lr, tf.div(m2[i]!, c1)), tf.add(tf.sqrt(tf.div(v2[i]!, c2)), eps))));
        return { p: p2, m: m2, v: v2 };
      });
      grads.forEach((g) => g.dispose());
      tf.dispose([...params, ...m, ...v]);
      params = next.p;
      m = next.m;
      v = next.v;
    }
    const finalData = await Promise.all(params.map((p) => p.data()));
    const res: TrainResult<N> = { records, final: withParamData(net, finalData) as N };
    if (divergedAt !== undefined) res.divergedAt = divergedAt;
    return res;
  } finally {
    tf.dispose([x, y, ...params, ...m, ...v]);
    momOpt?.dispose();
    evalX?.dispose();
  }

  async function outputsOn(ex: tf.Tensor2D | undefined, fx: Float64Array): Promise<Float64Array> {
    if (!ex) return fx;
    const o = tf.tidy(() => forwardNetT(net, ex, params));
    const d = Float64Array.from(await o.data());
    o.dispose();
    return d;
  }
}

export async function makeTfjsEngine(): Promise<Engine> {
  const backend = await initTfjs();
  return { name: 'tfjs', backend, precision: 'float32', train: trainTfjs };
}
