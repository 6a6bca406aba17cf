// TensorFlow.js's own gradients for the kernels the tfjs engine differentiates, and one wasm kernel it lacks.
//
// Gradients. tfjs-core 4.22's Node bundle (dist/tf-core.node.js, the package's "main") has the autodiff tape but no
// gradient configs: those ship only as per-kernel ES modules (dist/gradients/<Kernel>_grad.js, all imported by
// dist/register_all_gradients.js), which the union package @tensorflow/tfjs bundles and registers (not a dependency
// here; tfjs-node depends on it). Node cannot load those files as published: their relative imports have no file
// extension ('../ops/mul'), which Node's ES-module resolver refuses. A resolve hook (node:module register, scoped to
// tfjs-core's dist/ folder) adds the ".js", and the engine imports tfjs-core's own configs for the kernels it uses:
// no gradient formula is written here. The configs run tfjs-core's ops through the one global engine, so they act on
// the Node bundle's tensors (tfjs keeps its engine, kernel and gradient registries on globalThis for this).
// Only the configs the forward passes need are imported (about 0.3 CPU s to load here, against 1.5 s for all 100).
//
// Kernel. tfjs-core's Conv2D gradient (Conv2D_grad.js) computes the filter gradient with the Conv2DBackpropFilter
// kernel, which tfjs-backend-wasm 4.22 does not have. It is registered here for wasm (only where wasm lacks it),
// built from wasm's own pad, transpose, dilated conv2d and slice kernels, so tfjs's Conv2D gradient runs unchanged.
import { createRequire, register } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { samePadding } from '../../theory/cnn.ts';

// The hook's module, as a data: URL so that it needs no file beside the compiled engine. It also marks those files
// as ES modules (the package has no "type": "module"; Node ≥ 20.19 detects their syntax, older Node 20 does not),
// all but the bundles dist/tf-core*.js (the Node bundle is CommonJS).
const RESOLVE_HOOK = `
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const ESM = /\\/@tensorflow\\/tfjs-core\\/dist\\/(?!tf-core[^/]*$).*\\.js$/;
export async function resolve(specifier, context, next) {
  const parent = context.parentURL;
  let target = specifier;
  if (parent && ESM.test(parent) && /^\\.\\.?\\//.test(specifier) && !specifier.endsWith('.js')) {
    const url = new URL(specifier + '.js', parent);
    if (existsSync(fileURLToPath(url))) target = url.href;
  }
  const resolved = await next(target, context);
  return ESM.test(resolved.url) ? { ...resolved, format: 'module' } : resolved;
}`;

/**
 * The kernels on the path from the parameters to the loss in tfjs.ts: the dense and conv layers (BatchMatMul, Conv2D,
 * Multiply and Add for the scales and bias), the activations, the explicit "same" padding (PadV2), the pools (avgPool
 * casts its result: Cast), the flatten (Reshape) and the losses' reduction (Sum; tf.losses.meanSquaredError's
 * SquaredDifference; tf.losses.softmaxCrossEntropy carries its own custom gradient). A kernel missing here fails
 * loudly: "gradient function not found for ...".
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

/**
 * The file URL of tfjs-core's gradient config for `kernel`. An absolute URL rather than a package specifier: a test
 * runner's own resolver (vite, in vitest) then leaves the import to Node, where the resolve hook applies.
 */
export function gradientModuleUrl(kernel: string): string {
  const dir = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-core/package.json'));
  return pathToFileURL(path.join(dir, 'dist', 'gradients', `${kernel}_grad.js`)).href;
}

let registered: Promise<void> | undefined;

/** Registers tfjs-core's gradients for GRADIENT_KERNELS and wasm's Conv2DBackpropFilter, once per process. */
export function registerGradients(): Promise<void> {
  registered ??= (async () => {
    register(`data:text/javascript,${encodeURIComponent(RESOLVE_HOOK)}`);
    for (const k of GRADIENT_KERNELS) {
      if (tf.getGradient(k) !== undefined) continue;
      const url = gradientModuleUrl(k);
      const mod = (await import(url)) as Record<string, tf.GradConfig>;
      const config = Object.values(mod).find((c) => c.kernelName === k);
      if (!config) throw new Error(`${url}: no gradient config for ${k}`);
      tf.registerGradient(config);
    }
    if (tf.getKernel(tf.Conv2DBackpropFilter, 'wasm') === undefined) {
      tf.registerKernel({ kernelName: tf.Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: conv2DBackpropFilterWasm as unknown as tf.KernelFunc });
    }
  })();
  return registered;
}
