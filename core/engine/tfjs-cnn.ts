// CNNs (cnn-v1) in the TensorFlow.js engine, float32: TensorFlow.js's own layers (tf.conv2d NHWC with its "same"
// padding, the cnn-v1 convention; tf.maxPool / tf.avgPool with k×k windows, stride k, "valid": out = floor(in/k);
// tf.reshape for flatten in H, W, C order) differentiated by its autodiff (tf.valueAndGrads), with the losses of
// tfjs.ts (tf.losses.softmaxCrossEntropy for xent) and the optimizers of types.ts: SGD, Adam (as tfjs.ts), and
// TensorFlow.js's own tf.train.momentum.
// Gradients: tfjs-core's Node bundle ships no gradient configs (see tfjs-gradients.ts), so the configs for Conv2D,
// MaxPool, AvgPool, Cast and Reshape are registered here, copied from tfjs-core's gradients/*_grad.ts and calling
// TensorFlow.js's own backprop kernels (Conv2DBackpropInput, Conv2DBackpropFilter, MaxPoolGrad, AvgPoolGrad). The union
// package @tensorflow/tfjs registers the same configs; depending on it would make this block unnecessary.
import * as tf from '@tensorflow/tfjs-core';
import { cnnScales, cnnShapes, isParamLayer, type Cnn, type CnnLayer } from '../../theory/cnn.ts';
import { classesOf } from '../../theory/loss.ts';
import type { Mat } from '../../theory/mlp.ts';
import { batchSchedule } from './batches.ts';
import { trainLoss } from './reference.ts';
import { initTfjs } from './tfjs.ts';
import type { TrainRecord, TrainResult, TrainSpec } from './types.ts';

type Attrs = Record<string, unknown>;

const CNN_GRADS: tf.GradConfig[] = [
  {
    kernelName: tf.Conv2D,
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, [x, filter], attrs) => {
      const { strides, pad, dataFormat, dimRoundingMode } = attrs as Attrs;
      return {
        x: () => tf.engine().runKernel(tf.Conv2DBackpropInput, { dy: dy as tf.Tensor, filter: filter! }, { strides, pad, dataFormat, dimRoundingMode, inputShape: x!.shape } as never) as tf.Tensor,
        filter: () =>
          tf.getKernel(tf.Conv2DBackpropFilter, tf.getBackend()) !== undefined
            ? (tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: x!, dy: dy as tf.Tensor }, { strides, pad, dataFormat, dimRoundingMode, filterShape: filter!.shape } as never) as tf.Tensor)
            : filterGradByConv(x as tf.Tensor4D, dy as tf.Tensor4D, filter!.shape as [number, number, number, number], strides as number | [number, number], pad as 'same' | 'valid'),
      };
    },
  },
  {
    kernelName: tf.MaxPool,
    inputsToSave: ['x'],
    outputsToSave: [true],
    gradFunc: (dy, [x, y], attrs) => {
      const { filterSize, strides, pad, dimRoundingMode } = attrs as Attrs;
      return { x: () => tf.engine().runKernel(tf.MaxPoolGrad, { dy: dy as tf.Tensor, input: x!, output: y! }, { filterSize, strides, pad, dimRoundingMode } as never) as tf.Tensor };
    },
  },
  {
    kernelName: tf.AvgPool,
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const { filterSize, strides, pad } = attrs as Attrs;
      return { x: () => tf.engine().runKernel(tf.AvgPoolGrad, { dy: dy as tf.Tensor, input: x! }, { filterSize, strides, pad } as never) as tf.Tensor };
    },
  },
  {
    // tf.avgPool casts its result to the input's dtype (float32 to float32 here): Cast_grad.ts passes dy through.
    kernelName: tf.Cast,
    gradFunc: (dy) => ({ x: () => (dy as tf.Tensor).clone() }),
  },
  {
    kernelName: tf.Reshape,
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.reshape(dy as tf.Tensor, x!.shape) }),
  },
];

/**
 * ∂L/∂W[a,b,c,o] = Σ_{p,i,j} x[p, i·s+a−p_top, j·s+b−p_left, c]·dy[p,i,j,o] as one forward tf.conv2d, for backends
 * without a Conv2DBackpropFilter kernel (wasm): channels become the batch, the batch becomes the channels, and dy is
 * the filter, dilated by the stride, over the input padded as the forward pass padded it (TF "same": before =
 * floor(total/2)). The output is kh×kw when "same"; a "valid" conv whose stride leaves rows unused is sliced to kh×kw.
 */
function filterGradByConv(x: tf.Tensor4D, dy: tf.Tensor4D, shape: [number, number, number, number], strides: number | [number, number], pad: 'same' | 'valid'): tf.Tensor4D {
  const [kh, kw] = shape;
  const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
  const [, H, W] = x.shape;
  const [, Ho, Wo] = dy.shape;
  const padAxis = (size: number, k: number, s: number, out: number) => {
    if (pad === 'valid') return [0, 0] as [number, number];
    const total = Math.max((out - 1) * s + k - size, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)] as [number, number];
  };
  const xt = tf.transpose(x, [3, 1, 2, 0]); // [C, H, W, N]
  const dyt = tf.transpose(dy, [1, 2, 0, 3]); // [Ho, Wo, N, O]
  const g = tf.conv2d(xt, dyt as tf.Tensor4D, 1, [[0, 0], padAxis(H, kh, sh, Ho), padAxis(W, kw, sw, Wo), [0, 0]], 'NHWC', [sh, sw]); // [C, ≥kh, ≥kw, O]
  const cut = g.shape[1] === kh && g.shape[2] === kw ? g : tf.slice(g, [0, 0, 0, 0], [-1, kh, kw, -1]);
  return tf.transpose(cut, [1, 2, 0, 3]);
}

function registerCnnGradients(): void {
  for (const c of CNN_GRADS) if (tf.getGradient(c.kernelName) === undefined) tf.registerGradient(c);
}

function act(net: Cnn, z: tf.Tensor): tf.Tensor {
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

/** cnn-v1 forward pass on float32 tensors; params = [W, b] per conv/dense layer in order (flattenCnnParams's). */
function forwardCnnT(net: Cnn, x: tf.Tensor2D, params: tf.Tensor[]): tf.Tensor2D {
  const [H, W, C] = net.input;
  let h: tf.Tensor = tf.reshape(x, [x.shape[0], H, W, C]);
  let p = 0;
  const last = net.layers.length - 1;
  net.layers.forEach((l: CnnLayer, i) => {
    if (!isParamLayer(l)) {
      h = (l.type === 'maxpool' ? tf.maxPool : tf.avgPool)(h as tf.Tensor4D, l.size, l.size, 'valid');
      return;
    }
    const s = cnnScales(net, l);
    const Wt = params[p++]!;
    const bt = params[p++]!;
    let z: tf.Tensor =
      l.type === 'conv' ? tf.conv2d(h as tf.Tensor4D, Wt as tf.Tensor4D, l.stride, l.padding) : tf.matMul(h.rank === 2 ? (h as tf.Tensor2D) : tf.reshape(h, [h.shape[0]!, -1]), Wt as tf.Tensor2D);
    if (s.w !== 1) z = tf.mul(z, s.w);
    z = tf.add(z, s.b === 1 ? bt : tf.mul(bt, s.b));
    h = i === last ? z : act(net, z);
  });
  return h as tf.Tensor2D;
}

const toT = (m: Mat): tf.Tensor2D => tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols]);

function lossT(kind: 'mse' | 'xent', f: tf.Tensor2D, y: tf.Tensor2D, m: number): tf.Scalar {
  if (kind === 'xent') return tf.mul(tf.losses.softmaxCrossEntropy(y, f, undefined, 0, tf.Reduction.SUM), 1 / m) as tf.Scalar;
  return tf.mul(tf.sum(tf.square(tf.sub(f, y))), 1 / (2 * m)) as tf.Scalar;
}

export async function trainTfjsCnn(spec: TrainSpec<Cnn>): Promise<TrainResult<Cnn>> {
  await initTfjs();
  registerCnnGradients();
  const net = spec.net;
  cnnShapes(net);
  const nOut = (net.layers.at(-1) as Extract<CnnLayer, { type: 'dense' }>).nOut;
  const kind = spec.loss ?? 'mse';
  const n = spec.x.rows;
  const x = toT(spec.x);
  let y: tf.Tensor2D;
  if (kind === 'mse') y = toT(spec.y);
  else {
    const c = classesOf(spec.y, nOut);
    if (!(c instanceof Int32Array)) throw new Error(`y row ${c.row}: ${c.problem}`);
    const hot = new Float32Array(n * nOut);
    c.forEach((ci, i) => (hot[i * nOut + ci] = 1));
    y = tf.tensor2d(hot, [n, nOut]);
  }
  const evalX = spec.evalX ? toT(spec.evalX) : undefined;
  const paramLayers = net.layers.filter(isParamLayer);
  let params: tf.Tensor[] = paramLayers.flatMap((l) => [
    l.type === 'conv' ? tf.tensor4d(Float32Array.from(l.W), [l.kh, l.kw, l.cin, l.cout]) : tf.tensor2d(Float32Array.from(l.W), [l.nIn, l.nOut]),
    tf.tensor1d(Float32Array.from(l.b)),
  ]);
  const opt = spec.optimizer;
  const momOpt = opt.kind === 'momentum' ? tf.train.momentum(opt.lr, opt.momentum, opt.nesterov ?? false) : undefined;
  if (momOpt) params = params.map((p) => tf.variable(p, true));
  const b1 = opt.kind === 'adam' ? (opt.beta1 ?? 0.9) : 0;
  const b2 = opt.kind === 'adam' ? (opt.beta2 ?? 0.999) : 0;
  const eps = opt.kind === 'adam' ? (opt.epsilon ?? 1e-7) : 0;
  let m = opt.kind === 'adam' ? params.map((p) => tf.zerosLike(p)) : [];
  let v = opt.kind === 'adam' ? params.map((p) => tf.zerosLike(p)) : [];
  const rowsAt = spec.batch ? batchSchedule(n, spec.batch) : undefined;
  let cur = { x, y, m: n };
  const lossAndGrads = tf.valueAndGrads((...ps: tf.Tensor[]) => lossT(kind, forwardCnnT(net, cur.x, ps), cur.y, cur.m));
  const records: TrainRecord[] = [];
  let divergedAt: number | undefined;
  const outputsOf = async (inp: tf.Tensor2D) => {
    const o = tf.tidy(() => forwardCnnT(net, inp, params));
    const d = Float64Array.from(await o.data());
    o.dispose();
    return d;
  };
  try {
    for (let t = 0; t <= spec.steps; t++) {
      // The recorded loss (and the divergence test) in float64 from the float32 outputs on the full set, as tfjs.ts.
      const f = await outputsOf(x);
      const { loss } = trainLoss(spec, { rows: n, cols: nOut, data: f }, spec.y);
      const last = t === spec.steps;
      if (t % spec.recordEvery === 0 || last || !Number.isFinite(loss)) records.push({ step: t, loss, outputs: evalX ? await outputsOf(evalX) : f });
      if (!Number.isFinite(loss)) {
        divergedAt = t;
        break;
      }
      if (last) break;
      const rows = rowsAt?.(t);
      if (rows) {
        const idx = tf.tensor1d(Int32Array.from(rows), 'int32');
        cur = { x: tf.gather(x, idx), y: tf.gather(y, idx), m: rows.length };
        idx.dispose();
      }
      const { value, grads } = lossAndGrads(params);
      value.dispose();
      if (rows) {
        tf.dispose([cur.x, cur.y]);
        cur = { x, y, m: n };
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
    const data = await Promise.all(params.map((p) => p.data()));
    let q = 0;
    const layers = net.layers.map((l): CnnLayer => {
      if (!isParamLayer(l)) return { ...l };
      const W = Float64Array.from(data[q++]!);
      const b = Float64Array.from(data[q++]!);
      return { ...l, W, b };
    });
    const res: TrainResult<Cnn> = { records, final: { ...net, input: [...net.input], layers } };
    if (divergedAt !== undefined) res.divergedAt = divergedAt;
    return res;
  } finally {
    tf.dispose([x, y, ...params, ...m, ...v]);
    momOpt?.dispose();
    evalX?.dispose();
  }
}
