// Gradient functions for the kernels the tfjs engine differentiates. tfjs-core's Node bundle (dist/tf-core.node.js)
// ships the autodiff tape but no gradient configs: those live in its ES-module files (register_all_gradients),
// which Node cannot load from this package (extensionless and directory imports). The union package
// @tensorflow/tfjs would register them; it is not a dependency here, so the few we need are registered here,
// written after tfjs-core's own gradients/*_grad.ts (same formulas). Registration is idempotent.
import * as tf from '@tensorflow/tfjs-core';

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

let done = false;

export function registerGradients(): void {
  if (done) return;
  for (const c of CONFIGS) if (tf.getGradient(c.kernelName) === undefined) tf.registerGradient(c);
  done = true;
}
