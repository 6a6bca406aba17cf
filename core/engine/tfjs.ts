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
import type { Engine, TrainRecord, TrainResult, TrainSpec } from './types.ts';
import { isCnn } from './cnn.ts';
import { trainTfjsCnn } from './tfjs-cnn.ts';

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

let ready: Promise<string> | undefined;

/** Selects and initializes the backend once; returns its name. */
export function initTfjs(): Promise<string> {
  if (!ready) {
    ready = (async () => {
      registerGradients();
      const want = process.env.DLCLAIMS_BACKEND;
      if (want !== undefined) {
        if (!(BACKENDS as readonly string[]).includes(want)) throw new Error(`DLCLAIMS_BACKEND: unknown backend "${want}" (known: ${BACKENDS.join(', ')})`);
        if (!(await tryBackend(want))) throw new Error(`DLCLAIMS_BACKEND: backend "${want}" did not load`);
        return want;
      }
      for (const b of BACKENDS) if (await tryBackend(b)) return b;
      throw new Error('tfjs: no backend loaded');
    })();
  }
  return ready;
}

function scales(net: Mlp, nIn: number): { w: number; b: number } {
  return net.parameterization === 'ntk' ? { w: net.sigmaW / Math.sqrt(nIn), b: net.sigmaB } : { w: 1, b: 1 };
}

function act(net: Mlp, z: tf.Tensor): tf.Tensor {
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

const toT = (m: Mat): tf.Tensor2D => tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols]);

/** The targets as the loss takes them: y for mse, one-hot rows for xent (from class indices or one-hot rows). */
function targetT(spec: TrainSpec, nOut: number): tf.Tensor2D {
  if ((spec.loss ?? 'mse') === 'mse') return toT(spec.y);
  const c = classesOf(spec.y, nOut);
  if (!(c instanceof Int32Array)) throw new Error(`y row ${c.row}: ${c.problem}`);
  const hot = new Float32Array(c.length * nOut);
  c.forEach((ci, i) => (hot[i * nOut + ci] = 1));
  return tf.tensor2d(hot, [c.length, nOut]);
}

/**
 * The training loss on float32 tensors, averaged over the m rows of f: mse (1/2m)·Σ(f − y)², or TensorFlow.js's own
 * softmax cross-entropy (tf.losses.softmaxCrossEntropy, whose custom gradient is (softmax(f) − y)) summed and
 * divided by m: Reduction.SUM keeps the graph to Sum and Multiply, whose gradients tfjs-gradients.ts registers.
 */
function lossT(kind: 'mse' | 'xent', f: tf.Tensor2D, y: tf.Tensor2D, m: number): tf.Scalar {
  if (kind === 'xent') return tf.mul(tf.losses.softmaxCrossEntropy(y, f, undefined, 0, tf.Reduction.SUM), 1 / m) as tf.Scalar;
  return tf.mul(tf.sum(tf.square(tf.sub(f, y))), 1 / (2 * m)) as tf.Scalar;
}

export async function trainTfjs(spec: TrainSpec): Promise<TrainResult> {
  await initTfjs();
  const net = spec.net;
  const x = toT(spec.x);
  const nOut = net.layers.at(-1)!.nOut;
  const y = targetT(spec, nOut);
  const evalX = spec.evalX ? toT(spec.evalX) : undefined;
  const n = spec.x.rows;
  let params: tf.Tensor[] = net.layers.flatMap((l) => [tf.tensor2d(Float32Array.from(l.W), [l.nIn, l.nOut]), tf.tensor1d(Float32Array.from(l.b))]);
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
  const lossAndGrads = tf.valueAndGrads((...ps: tf.Tensor[]) => lossT(kind, forwardT(net, cur.x, ps), cur.y, cur.m));
  const records: TrainRecord[] = [];
  let divergedAt: number | undefined;
  try {
    for (let t = 0; t <= spec.steps; t++) {
      const last = t === spec.steps;
      const record = t % spec.recordEvery === 0 || last;
      // The recorded loss is computed in float64 from the float32 outputs, as the other engines do.
      const f = record ? tf.tidy(() => forwardT(net, x, params)) : undefined;
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
      const data = record || rows ? (fData ?? Float64Array.from(await tf.tidy(() => forwardT(net, x, params)).data())) : undefined;
      const fullLoss = data ? trainLoss(spec, { rows: n, cols: nOut, data }, spec.y).loss : NaN;
      const loss32 = rows ? fullLoss : (await value.data())[0]!;
      value.dispose();
      if (record || !Number.isFinite(loss32)) {
        const d = data ?? Float64Array.from(await tf.tidy(() => forwardT(net, x, params)).data());
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
    const layers = net.layers.map((l, i) => ({ nIn: l.nIn, nOut: l.nOut, W: Float64Array.from(finalData[2 * i]!), b: Float64Array.from(finalData[2 * i + 1]!) }));
    const res: TrainResult = { records, final: { ...net, layers } };
    if (divergedAt !== undefined) res.divergedAt = divergedAt;
    return res;
  } finally {
    tf.dispose([x, y, ...params, ...m, ...v]);
    momOpt?.dispose();
    evalX?.dispose();
  }

  async function outputsOn(ex: tf.Tensor2D | undefined, fx: Float64Array): Promise<Float64Array> {
    if (!ex) return fx;
    const o = tf.tidy(() => forwardT(net, ex, params));
    const d = Float64Array.from(await o.data());
    o.dispose();
    return d;
  }
}

export async function makeTfjsEngine(): Promise<Engine> {
  const backend = await initTfjs();
  return {
    name: 'tfjs',
    backend,
    precision: 'float32',
    train: async (spec) => (isCnn(spec.net) ? trainTfjsCnn(spec as TrainSpec<typeof spec.net>) : trainTfjs(spec as TrainSpec)) as Promise<TrainResult<typeof spec.net>>,
  };
}
