// Gradient functions for the kernels the tfjs engine differentiates. tfjs-core's Node bundle (dist/tf-core.node.js)
// ships the autodiff tape but no gradient configs: those live in its ES-module files (register_all_gradients),
// which Node cannot load from this package (extensionless and directory imports). The union package
// @tensorflow/tfjs would register them; it is not a dependency here, so the few we need are registered here,
// written after tfjs-core's own gradients/*_grad.ts (same formulas). Registration is idempotent.
import * as tf from '@tensorflow/tfjs-core';
import { samePadding } from '../../theory/cnn.ts';

/** Sums dy over the axes along which `shape` was broadcast, back to `shape`. */
function unbroadcast(dy: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(shape, dy.shape);
  return axes.length > 0 ? tf.reshape(tf.sum(dy, axes), shape) : dy;
}

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

const CONFIGS: tf.GradConfig[] = [
  {
    kernelName: tf.Add,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => ({ a: () => unbroadcast(dy as tf.Tensor, a!.shape), b: () => unbroadcast(dy as tf.Tensor, b!.shape) }),
  },
  {
    kernelName: tf.Sub,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => ({ a: () => unbroadcast(dy as tf.Tensor, a!.shape), b: () => tf.neg(unbroadcast(dy as tf.Tensor, b!.shape)) }),
  },
  {
    kernelName: tf.Multiply,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => ({
      a: () => unbroadcast(tf.mul(dy as tf.Tensor, b!), a!.shape),
      b: () => unbroadcast(tf.mul(dy as tf.Tensor, a!), b!.shape),
    }),
  },
  {
    kernelName: tf.Square,
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.mul(dy as tf.Tensor, tf.mul(x!, 2)) }),
  },
  {
    kernelName: tf.Sum,
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const axes = tf.util.parseAxisParam((attrs as unknown as { axis: number | number[] }).axis, x!.shape);
      const kept = tf.backend_util.expandShapeToKeepDim((dy as tf.Tensor).shape, axes);
      return { x: () => tf.mul(tf.reshape(dy as tf.Tensor, kept), tf.onesLike(x!)) };
    },
  },
  {
    kernelName: tf.BatchMatMul,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b], attrs) => {
      const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
      const g = dy as tf.Tensor2D;
      const A = a as tf.Tensor2D;
      const B = b as tf.Tensor2D;
      if (!transposeA && !transposeB) return { a: () => tf.matMul(g, B, false, true), b: () => tf.matMul(A, g, true, false) };
      if (!transposeA && transposeB) return { a: () => tf.matMul(g, B, false, false), b: () => tf.matMul(g, A, true, false) };
      if (transposeA && !transposeB) return { a: () => tf.matMul(B, g, false, true), b: () => tf.matMul(A, g, false, false) };
      return { a: () => tf.matMul(B, g, true, true), b: () => tf.matMul(g, A, true, true) };
    },
  },
  {
    // relu'(x) = 1 for x > 0, else 0 (theory/mlp.ts activateDeriv); tf.step(x) = x > 0 ? 1 : 0.
    kernelName: tf.Relu,
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.mul(dy as tf.Tensor, tf.step(x!)) }),
  },
  {
    kernelName: tf.Tanh,
    outputsToSave: [true],
    gradFunc: (dy, [y]) => ({ x: () => tf.mul(dy as tf.Tensor, tf.sub(1, tf.square(y!))) }),
  },
  {
    // erf'(x) = (2/√π)·exp(−x²)
    kernelName: tf.Erf,
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.mul(dy as tf.Tensor, tf.mul(tf.exp(tf.neg(tf.square(x!))), TWO_OVER_SQRT_PI)) }),
  },
];

// The CNN kernels (cnn-v1 in the tfjs engine): conv2d, the explicit zero padding of "same" convolutions, average and
// max pooling, and the reshape that flattens a feature map for the dense head. Input gradients use TensorFlow.js's own backward ops (conv2dTranspose, the
// AvgPoolGrad and MaxPoolGrad kernels, as tfjs-core's Conv2D_grad/AvgPool_grad/MaxPool_grad do). The filter gradient
// is written as a dilated convolution instead of the Conv2DBackpropFilter kernel, which the wasm backend does not
// have: ∂L/∂W[a,b,c,o] = Σ_{n,i,j} x_pad[n, i·s+a, j·s+b, c]·dy[n,i,j,o] is conv2d of x_pad with channels and batch
// swapped ([C, H, W, N]) by dy as a [oh, ow, N, O] filter with dilation s, cropped to kh×kw.
function conv2dFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[], sh: number, sw: number, pad: 'same' | 'valid'): tf.Tensor4D {
  const [kh, kw] = filterShape as [number, number];
  let xp = x;
  if (pad === 'same') {
    const ph = samePadding(x.shape[1], kh, sh);
    const pw = samePadding(x.shape[2], kw, sw);
    xp = tf.pad(x, [[0, 0], [ph.before, ph.after], [pw.before, pw.after], [0, 0]]);
  }
  const out = tf.conv2d(tf.transpose(xp, [3, 1, 2, 0]) as tf.Tensor4D, tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D, 1, 'valid', 'NHWC', [sh, sw]);
  return tf.transpose(tf.slice(out, [0, 0, 0, 0], [-1, kh, kw, -1]), [1, 2, 0, 3]);
}

const pair = (v: number | number[]): [number, number] => (typeof v === 'number' ? [v, v] : [v[0]!, v[1]!]);

CONFIGS.push(
  {
    kernelName: tf.Conv2D,
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, [x, filter], attrs) => {
      const { strides, pad } = attrs as unknown as { strides: number | number[]; pad: 'same' | 'valid' };
      const [sh, sw] = pair(strides);
      const X = x as tf.Tensor4D;
      const F = filter as tf.Tensor4D;
      return {
        x: () => tf.conv2dTranspose(dy as tf.Tensor4D, F, X.shape, [sh, sw], pad),
        filter: () => conv2dFilterGrad(X, dy as tf.Tensor4D, F.shape, sh, sw, pad),
      };
    },
  },
  {
    kernelName: tf.AvgPool,
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const { filterSize, strides, pad } = attrs as unknown as { filterSize: number | number[]; strides: number | number[]; pad: 'valid' };
      return { x: () => tf.engine().runKernel(tf.AvgPoolGrad, { dy: dy as tf.Tensor, input: x! }, { filterSize, strides, pad } as unknown as tf.NamedAttrMap) as tf.Tensor };
    },
  },
  {
    kernelName: tf.MaxPool,
    inputsToSave: ['x'],
    outputsToSave: [true],
    gradFunc: (dy, [x, y], attrs) => {
      const { filterSize, strides, pad } = attrs as unknown as { filterSize: number | number[]; strides: number | number[]; pad: 'valid' };
      return { x: () => tf.engine().runKernel(tf.MaxPoolGrad, { dy: dy as tf.Tensor, input: x!, output: y! }, { filterSize, strides, pad } as unknown as tf.NamedAttrMap) as tf.Tensor };
    },
  },
  {
    // tf.pad (the tfjs engine's "same" padding): the gradient is dy without the padded border.
    kernelName: tf.PadV2,
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const { paddings } = attrs as unknown as { paddings: [number, number][] };
      return { x: () => tf.slice(dy as tf.Tensor, paddings.map((p) => p[0]), x!.shape) };
    },
  },
  {
    kernelName: tf.Reshape,
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.reshape(dy as tf.Tensor, x!.shape) }),
  },
  {
    // tf.avgPool casts its result to the input's dtype (float32 → float32 here); Cast_grad.ts passes dy through.
    kernelName: tf.Cast,
    gradFunc: (dy) => ({ x: () => (dy as tf.Tensor).clone() }),
  },
);

let done = false;

export function registerGradients(): void {
  if (done) return;
  for (const c of CONFIGS) if (tf.getGradient(c.kernelName) === undefined) tf.registerGradient(c);
  done = true;
}
