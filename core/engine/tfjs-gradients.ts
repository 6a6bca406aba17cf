// TensorFlow.js's own gradients for the kernels the tfjs engine differentiates, and one wasm kernel it lacks.
//
// Gradients. tfjs-core 4.22's Node bundle (dist/tf-core.node.js, the package's "main") has the autodiff tape but no
// gradient configs: those ship as per-kernel ES modules (dist/gradients/<Kernel>_grad.js) that Node cannot load as
// published (extensionless relative imports). The union package @tensorflow/tfjs bundles all of them and registers
// them on load (its dist/tf.node.js; tfjs-node depends on it), into the registry tfjs keeps on globalThis, so they act
// on tfjs-core's tensors. The engine imports it (an optional peer, like tfjs-core): no gradient formula is written
// here. About 0.5 CPU s to load, once per process.
//
// Kernel. tfjs-core's Conv2D gradient (Conv2D_grad.js) computes the filter gradient with the Conv2DBackpropFilter
// kernel, which tfjs-backend-wasm 4.22 does not have. It is registered here for wasm (only where wasm lacks it),
// built from wasm's own pad, transpose, dilated conv2d and slice kernels, so tfjs's Conv2D gradient runs unchanged.
import * as tf from '@tensorflow/tfjs-core';
import { samePadding } from '../../theory/cnn.ts';
import { importOptional } from '../optional.ts';

/**
 * The kernels on the path from the parameters to the loss in tfjs.ts: the dense and conv layers (BatchMatMul, Conv2D,
 * Multiply and Add for the scales and bias), the activations, the explicit "same" padding (PadV2), the pools (avgPool
 * casts its result: Cast), the flatten (Reshape) and the losses' reduction (Sum; tf.losses.meanSquaredError's
 * SquaredDifference; tf.losses.softmaxCrossEntropy carries its own custom gradient). A kernel missing here fails
 * loudly at load.
 */
export const GRADIENT_KERNELS = ['Add', 'Multiply', 'SquaredDifference', 'Sum', 'BatchMatMul', 'Relu', 'Tanh', 'Erf', 'Conv2D', 'AvgPool', 'MaxPool', 'PadV2', 'Reshape', 'Cast'] as const;

type Conv2DBackpropFilterAttrs = { strides: number | [number, number]; pad: unknown; dataFormat?: string; filterShape: [number, number, number, number] };

/**
 * Conv2DBackpropFilter for the wasm backend: ∂L/∂W of y = conv2d(x, W, stride s) (NHWC, filter [kh, kw, cin, cout]),
 * ∂L/∂W[a,b,c,o] = Σ_{n,i,j} x_pad[n, i·s+a, j·s+b, c]·dy[n,i,j,o], computed with wasm's own kernels as a stride-1
 * "valid" conv2d of x_pad with batch and channels swapped ([cin, H, W, n]) by dy as an [oh, ow, n, cout] filter
 * dilated by s, cropped to kh×kw. wasm's Conv3DBackpropFilterV2 (a 2-D conv is a depth-1 3-D one) is not usable:
 * it matched tfjs-backend-cpu for stride 1 only, and gave wrong values (often zeros) for every stride > 1 tried
 * (61 of 99 shapes, h ≤ 6, k ≤ 3, s ≤ 3: all the strided ones). A kernel may return a Tensor made with ops: the
 * engine takes it as the output (engine.js runKernelFunc), and ops inside a kernel are not taped.
 */
function conv2DBackpropFilterWasm(args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): tf.Tensor {
  const { x: xInfo, dy: dyInfo } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, filterShape } = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  if (dataFormat !== undefined && dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter (wasm): dataFormat ${dataFormat} is not supported (NHWC only)`);
  if (pad !== 'same' && pad !== 'valid') throw new Error(`Conv2DBackpropFilter (wasm): pad ${JSON.stringify(pad)} is not supported ("same" or "valid")`);
  const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
  const [kh, kw] = filterShape;
  return tf.tidy(() => {
    const x = tf.engine().makeTensorFromTensorInfo(xInfo) as tf.Tensor4D;
    const dy = tf.engine().makeTensorFromTensorInfo(dyInfo) as tf.Tensor4D;
    let xp = x;
    if (pad === 'same') {
      const ph = samePadding(x.shape[1], kh, sh);
      const pw = samePadding(x.shape[2], kw, sw);
      xp = tf.pad(x, [[0, 0], [ph.before, ph.after], [pw.before, pw.after], [0, 0]]);
    }
    const out = tf.conv2d(tf.transpose(xp, [3, 1, 2, 0]) as tf.Tensor4D, tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D, 1, 'valid', 'NHWC', [sh, sw]);
    return tf.transpose(tf.slice(out, [0, 0, 0, 0], [-1, kh, kw, -1]), [1, 2, 0, 3]);
  });
}

let registered: Promise<void> | undefined;

/** Registers TensorFlow.js's gradients (through @tensorflow/tfjs) and wasm's Conv2DBackpropFilter, once per process. */
export function registerGradients(): Promise<void> {
  registered ??= (async () => {
    await importOptional('@tensorflow/tfjs', "the tfjs engine's gradients", () => import('@tensorflow/tfjs'));
    const missing = GRADIENT_KERNELS.filter((k) => tf.getGradient(k) === undefined);
    if (missing.length > 0) throw new Error(`@tensorflow/tfjs registered no gradient for ${missing.join(', ')}`);
    if (tf.getKernel(tf.Conv2DBackpropFilter, 'wasm') === undefined) {
      tf.registerKernel({ kernelName: tf.Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: conv2DBackpropFilterWasm as unknown as tf.KernelFunc });
    }
  })();
  return registered;
}
