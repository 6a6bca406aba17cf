// ONNX graphs for CNN (cnn-v1) training, built by hand as onnx-graph.ts builds the MLP ones: forward pass, hand-derived
// backward pass and optimizer update as one graph, so a training step is one `session.run`.
//
// Layout: every value stays a flat row per point in theory/cnn.ts's (H, W, C) order, with a leading ensemble
// dimension K (K×n×size; the engine uses K = 1). No NCHW Conv: each conv and pool is written as a Gather of
// constant indices (im2col), so its conventions are exactly theory/cnn.ts's by construction, including TensorFlow's
// "same" padding (before = floor(total/2)) and the dropped remainder of a pool:
//   conv      P = Gather(pad(h), idx) (K×n×(outH·outW)×(kh·kw·cin)); an index outside the input points at one appended
//             zero column (the padding); z = s_w·(P·W) + s_b·b with W as [kh·kw·cin]×cout (its row-major layout), so z
//             is already in (H, W, C) order
//   pools     G = Gather(h, idx) (K×n×outSize×k²), avg = ReduceSum(G)/k², max = ReduceMax(G)
//   dense     as mlp-v1 (the flat input is already in (H, W, C) order)
// Backward (theory/cnn.ts backwardCnn):
//   conv      ∂L/∂W = s_w·Pᵀ·δ, ∂L/∂b = s_b·Σδ, ∂L/∂h = scatter-add of s_w·δ·Wᵀ through idx (ScatterElements with
//             reduction 'add'; the padding column's sum is sliced off)
//   avgpool   scatter-add of g/k² to every window entry
//   maxpool   g goes to the window's first maximum in (a, b) scan order (ArgMax with select_last_index = 0), as
//             theory/cnn.ts's strict `v > best` picks the first of tied values
//   loss, activation derivatives, minibatch Gather and optimizers: as onnx-graph.ts.
import onnxProto from 'onnx-proto';
import type { onnx as P } from 'onnx-proto';
import { cnnScales, cnnShapes, convAxis, shapeSize, type Cnn, type ConvLayer, type PoolLayer, type Shape } from '../../theory/cnn.ts';
import { Builder, activation, declareStepInputs, optimizerUpdate, timesDeriv, type Precision, type StepOptimizer, type StepOptions } from './onnx-graph.ts';

const { onnx } = onnxProto;
const T = onnx.AttributeProto.AttributeType;

type MapShape = Shape & { kind: 'map' };

export interface CnnGraphShape {
  /** The architecture (weights are not read). */
  net: Cnn;
  K: number;
  n: number;
  precision: Precision;
}

/** Parameter names W0, B0, W1, B1, … over the conv and dense layers, in flattenCnnParams order. */
export function cnnParamNames(net: Cnn): string[] {
  const out: string[] = [];
  let j = 0;
  for (const l of net.layers) if (l.type === 'conv' || l.type === 'dense') out.push(`W${j}`, `B${j++}`);
  return out;
}

export function cnnParamDims(net: Cnn, K: number): number[][] {
  const out: number[][] = [];
  for (const l of net.layers) {
    if (l.type === 'conv') out.push([K, l.kh * l.kw * l.cin, l.cout], [K, 1, l.cout]);
    else if (l.type === 'dense') out.push([K, l.nIn, l.nOut], [K, 1, l.nOut]);
  }
  return out;
}

/** The architecture without weights: the session cache key. */
export function cnnArchKey(net: Cnn): string {
  return JSON.stringify({ ...net, layers: net.layers.map((l) => ('W' in l ? { ...l, W: l.W.length, b: l.b.length } : l)) });
}

/**
 * im2col indices of a conv: for output position (i, j) (row i·outW + j) and kernel entry (a, b, c) (column
 * (a·kw + b)·cin + c), the flat input index of h[i·s + a − p_top, j·s + b − p_left, c], or `size` (the appended zero)
 * where that falls in the padding.
 */
export function convIndices(sIn: MapShape, l: ConvLayer, sOut: MapShape): number[] {
  const pt = convAxis(sIn.h, l.kh, l.stride, l.padding).before;
  const pl = convAxis(sIn.w, l.kw, l.stride, l.padding).before;
  const zero = sIn.h * sIn.w * sIn.c;
  const out: number[] = [];
  for (let i = 0; i < sOut.h; i++)
    for (let j = 0; j < sOut.w; j++)
      for (let a = 0; a < l.kh; a++)
        for (let bb = 0; bb < l.kw; bb++)
          for (let c = 0; c < l.cin; c++) {
            const ii = i * l.stride + a - pt;
            const jj = j * l.stride + bb - pl;
            out.push(ii < 0 || ii >= sIn.h || jj < 0 || jj >= sIn.w ? zero : (ii * sIn.w + jj) * sIn.c + c);
          }
  return out;
}

/** Pool windows: for output (i, j, c) (row (i·outW + j)·C + c), the k² flat input indices in (a, b) scan order. */
export function poolIndices(sIn: MapShape, l: PoolLayer, sOut: MapShape): number[] {
  const k = l.size;
  const out: number[] = [];
  for (let i = 0; i < sOut.h; i++)
    for (let j = 0; j < sOut.w; j++)
      for (let c = 0; c < sIn.c; c++)
        for (let a = 0; a < k; a++) for (let bb = 0; bb < k; bb++) out.push(((i * k + a) * sIn.w + (j * k + bb)) * sIn.c + c);
  return out;
}

function int64Const(b: Builder, v: number[], dims: number[]): string {
  const name = b.fresh('idx');
  b.inits.push({ name, dataType: onnx.TensorProto.DataType.INT64, dims, int64Data: v });
  return name;
}

const int = (name: string, i: number): P.IAttributeProto => ({ name, type: T.INT, i });

function zeros(b: Builder, dims: number[]): string {
  const t: P.ITensorProto = { dataType: b.elem, dims: [1] };
  if (b.precision === 'float64') t.doubleData = [0];
  else t.floatData = [0];
  return b.op('ConstantOfShape', [b.int64s(dims)], [{ name: 'value', type: T.TENSOR, t }]);
}

/** Adds `upd` (K×rows×q) into a zero K×rows×size at the flat indices `idx` (q per point, shared by every point). */
function scatterAdd(b: Builder, idx: number[], upd: string, K: number, rows: number, size: number): string {
  const base = int64Const(b, idx, [1, 1, idx.length]);
  const full = b.op('Expand', [base, b.int64s([K, rows, idx.length])]);
  return b.op('ScatterElements', [zeros(b, [K, rows, size]), full, upd], [int('axis', 2), { name: 'reduction', type: T.STRING, s: new TextEncoder().encode('add') }]);
}

interface LayerTrace {
  /** The layer's input (K×rows×size). */
  input: string;
  /** conv: im2col patches K×(rows·outHW)×(kh·kw·cin); pool: windows K×rows×outSize×k². */
  gathered?: string;
  /** conv/dense pre-activation and activated output (flat K×rows×size). */
  z?: string;
  h?: string;
}

function forwardPass(b: Builder, net: Cnn, K: number, x: string, params: string[]): { f: string; trace: LayerTrace[] } {
  const shapes = cnnShapes(net);
  const last = net.layers.length - 1;
  const trace: LayerTrace[] = [];
  let h = x;
  let j = 0;
  net.layers.forEach((l, i) => {
    const sIn = (i === 0 ? { kind: 'map', h: net.input[0], w: net.input[1], c: net.input[2] } : shapes[i - 1]!) as MapShape;
    const sOut = shapes[i]!;
    const t: LayerTrace = { input: h };
    trace.push(t);
    if (l.type === 'conv' || l.type === 'dense') {
      const s = cnnScales(net, l);
      const W = params[2 * j]!;
      const B = params[2 * j + 1]!;
      j++;
      let z: string;
      if (l.type === 'dense') z = b.op('Add', [b.mul(b.op('MatMul', [h, W]), s.w), b.mul(B, s.b)]);
      else {
        const mo = sOut as MapShape;
        const idx = convIndices(sIn, l, mo);
        const kkc = l.kh * l.kw * l.cin;
        const padded = b.op('Pad', [h, b.int64s([0, 0, 0, 0, 0, 1])]); // the zero column the padding indices point at
        const patches = b.op('Gather', [padded, int64Const(b, idx, [mo.h * mo.w, kkc])], [int('axis', 2)]);
        t.gathered = b.op('Reshape', [patches, b.int64s([K, -1, kkc])]);
        const zr = b.op('Add', [b.mul(b.op('MatMul', [t.gathered, W]), s.w), b.mul(B, s.b)]);
        z = b.op('Reshape', [zr, b.int64s([K, -1, mo.h * mo.w * l.cout])]);
      }
      t.z = z;
      h = i === last ? z : activation(b, net.activation, z);
      t.h = h;
    } else {
      const mo = sOut as MapShape;
      const idx = poolIndices(sIn, l, mo);
      const k2 = l.size * l.size;
      t.gathered = b.op('Gather', [h, int64Const(b, idx, [mo.h * mo.w * mo.c, k2])], [int('axis', 2)]);
      h =
        l.type === 'avgpool'
          ? b.op('Div', [b.op('ReduceSum', [t.gathered, b.int64s([3])], [int('keepdims', 0)]), b.scalar(k2)])
          : b.op('ReduceMax', [t.gathered], [{ name: 'axes', type: T.INTS, ints: [3] }, int('keepdims', 0)]);
    }
  });
  return { f: h, trace };
}

function declareInputs(b: Builder, s: CnnGraphShape, rows: number): { x: string; names: string[]; dims: number[][] } {
  const d = s.net.input[0] * s.net.input[1] * s.net.input[2];
  const x = b.input('X', [s.K, rows, d]);
  const names = cnnParamNames(s.net);
  const dims = cnnParamDims(s.net, s.K);
  names.forEach((nm, i) => b.input(nm, dims[i]!));
  return { x, names, dims };
}

function outDim(net: Cnn): number {
  const l = net.layers.at(-1)!;
  if (l.type !== 'dense') throw new Error('the last layer must be dense');
  return l.nOut;
}

/** Graph: X (K×n×H·W·C) and parameters → F (K×n×n_out). */
export function buildCnnForwardModel(s: CnnGraphShape): Uint8Array {
  const b = new Builder(s.precision);
  const { x, names } = declareInputs(b, s, s.n);
  b.emit(forwardPass(b, s.net, s.K, x, names).f, 'F', [s.K, s.n, outDim(s.net)]);
  return b.model('cnn_forward');
}

/** One training step, with the inputs and outputs of onnx-graph.ts buildTrainStepModel. */
export function buildCnnTrainStepModel(s: CnnGraphShape, optimizer: StepOptimizer, opts: StepOptions = {}): Uint8Array {
  const { net, K } = s;
  const b = new Builder(s.precision);
  const nOut = outDim(net);
  const { x, names, dims } = declareInputs(b, s, s.n);
  const y = b.input('Y', [K, s.n, nOut]);
  const { adam, mom, lr, c1, c2, idx } = declareStepInputs(b, optimizer, names, dims, opts.batchRows);

  const full = forwardPass(b, net, K, x, names);
  b.emit(full.f, 'F', [K, s.n, nOut]);
  const gather = (v: string) => b.op('Gather', [v, idx!], [int('axis', 1)]);
  const { f, trace } = idx ? forwardPass(b, net, K, gather(x), names) : full;
  const yb = idx ? gather(y) : y;
  const m = opts.batchRows ?? s.n;

  const pred = opts.loss === 'xent' ? b.op('Softmax', [f], [int('axis', -1)]) : f;
  // g = ∂L/∂(output of layer l), starting from ∂L/∂f
  let g = b.op('Div', [b.op('Sub', [pred, yb]), b.scalar(m)], [], 'dOut');
  const shapes = cnnShapes(net);
  const L = net.layers.length;
  const grads: string[] = new Array(names.length);
  let j = names.length / 2;
  for (let l = L - 1; l >= 0; l--) {
    const layer = net.layers[l]!;
    const t = trace[l]!;
    const sIn = (l === 0 ? { kind: 'map', h: net.input[0], w: net.input[1], c: net.input[2] } : shapes[l - 1]!) as MapShape;
    const inSize = shapeSize(sIn);
    if (layer.type === 'conv' || layer.type === 'dense') {
      j--;
      const sc = cnnScales(net, layer);
      const W = names[2 * j]!;
      const delta = l === L - 1 ? g : timesDeriv(b, net.activation, t.z!, t.h!, g);
      if (layer.type === 'dense') {
        grads[2 * j] = b.mul(b.op('MatMul', [b.transpose(t.input), delta]), sc.w);
        grads[2 * j + 1] = b.mul(b.op('ReduceSum', [delta, b.int64s([1])], [int('keepdims', 1)]), sc.b);
        if (l > 0) g = b.mul(b.op('MatMul', [delta, b.transpose(W)]), sc.w);
      } else {
        const mo = shapes[l] as MapShape;
        const dr = b.op('Reshape', [delta, b.int64s([K, -1, layer.cout])]);
        grads[2 * j] = b.mul(b.op('MatMul', [b.transpose(t.gathered!), dr]), sc.w);
        grads[2 * j + 1] = b.mul(b.op('ReduceSum', [dr, b.int64s([1])], [int('keepdims', 1)]), sc.b);
        if (l > 0) {
          const idxs = convIndices(sIn, layer, mo);
          const dP = b.op('Reshape', [b.mul(b.op('MatMul', [dr, b.transpose(W)]), sc.w), b.int64s([K, m, idxs.length])]);
          const withPad = scatterAdd(b, idxs, dP, K, m, inSize + 1);
          g = b.op('Slice', [withPad, b.int64s([0]), b.int64s([inSize]), b.int64s([2])]);
        }
      }
    } else {
      const mo = shapes[l] as MapShape;
      const idxs = poolIndices(sIn, layer, mo);
      const k2 = layer.size * layer.size;
      const outSize = mo.h * mo.w * mo.c;
      if (layer.type === 'avgpool') {
        const share = b.op('Unsqueeze', [b.op('Div', [g, b.scalar(k2)]), b.int64s([3])]);
        const spread = b.op('Reshape', [b.op('Expand', [share, b.int64s([K, m, outSize, k2])]), b.int64s([K, m, outSize * k2])]);
        g = scatterAdd(b, idxs, spread, K, m, inSize);
      } else {
        const am = b.op('ArgMax', [t.gathered!], [int('axis', 3), int('keepdims', 1), int('select_last_index', 0)]);
        const win = b.op('Expand', [int64Const(b, idxs, [1, 1, outSize, k2]), b.int64s([K, m, outSize, k2])]);
        const pos = b.op('Reshape', [b.op('GatherElements', [win, am], [int('axis', 3)]), b.int64s([K, m, outSize])]);
        g = b.op('ScatterElements', [zeros(b, [K, m, inSize]), pos, g], [int('axis', 2), { name: 'reduction', type: T.STRING, s: new TextEncoder().encode('add') }]);
      }
    }
  }
  optimizerUpdate(b, names, grads, dims, adam, mom, lr, c1, c2);
  return b.model('cnn_train_step');
}
