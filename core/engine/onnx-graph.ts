// ONNX graphs for MLP training, built by hand (no exporter): the forward pass, the hand-derived backward pass and
// the optimizer update as one graph, so a training step is a single `session.run`.
//
// Every tensor carries a leading ensemble dimension K: X is K×n×d, W_l is K×n_{l-1}×n_l, b_l is K×1×n_l. K = 1 is a
// single network; K > 1 trains K independent networks of the same shape as one batched program (MatMul broadcasts
// over the leading dimension, nothing mixes members).
//
// The mathematics is theory/mlp.ts's (mlp-v1), written in graph form:
//   forward   z_l = s_w·(h_{l-1}·W_l) + s_b·b_l,  h_l = φ(z_l) for hidden layers, f = z_L
//   loss      mse  L = (1/2n)·Σ(f − y)²,  ∂L/∂f = (f − y)/n
//             xent L = (1/n)·Σ_i −log softmax(f_i)·y_i (y one-hot rows),  ∂L/∂f = (softmax(f) − y)/n  (theory/loss.ts)
//             (the loss value itself is computed by the caller from F, in float64)
//   backward  ∂L/∂W_l = s_w·h_{l-1}ᵀ·δ_l,  ∂L/∂b_l = s_b·Σ_i δ_l,  δ_{l-1} = s_w·(δ_l·W_lᵀ) ⊙ φ'(z_{l-1})
//   SGD       p ← p − η·g
//   Adam      m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,  p ← p − η(m/c₁)/(√(v/c₂) + ε)   (Kingma & Ba 2015, Alg. 1;
//             c₁ = 1 − β₁ᵗ and c₂ = 1 − β₂ᵗ are fed in per step so one graph serves every t)
//   momentum  a ← μa + g;  heavy ball p ← p − η·a;  Nesterov p ← p − η·(g + μa)  (PyTorch SGD with dampening 0 and
//             TensorFlow's MomentumOptimizer; the velocities a travel between steps as graph inputs/outputs A_*)
//   minibatch with `batchRows` = m, an int64 input IDX (m) selects the step's rows (Gather along the row axis; every
//             member of an ensemble uses the same rows); F stays the forward pass on all of X, the gradient is that
//             of the loss averaged over the m selected rows.
import onnxProto from 'onnx-proto';
import type { onnx as P } from 'onnx-proto';

const { onnx } = onnxProto;
import type { Activation, Parameterization } from '../../theory/mlp.ts';

export type Precision = 'float32' | 'float64';

export interface GraphShape {
  widths: number[];
  activation: Activation;
  parameterization: Parameterization;
  sigmaW: number;
  sigmaB: number;
  /** Ensemble size (leading dimension). */
  K: number;
  /** Batch rows. */
  n: number;
  precision: Precision;
}

export interface AdamConstants {
  beta1: number;
  beta2: number;
  epsilon: number;
}

export interface MomentumConstants {
  momentum: number;
  nesterov: boolean;
}

export type StepOptimizer = 'sgd' | { adam: AdamConstants } | { momentum: MomentumConstants };

export interface StepOptions {
  /** Training loss (default mse); for xent, Y holds one-hot rows. */
  loss?: 'mse' | 'xent';
  /** Minibatch rows per step: adds the int64 input IDX of this length. */
  batchRows?: number;
}

export const OPSET = 17;
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** Per-layer multipliers, as theory/mlp.ts layerScales. */
function scales(s: GraphShape, nIn: number): { w: number; b: number } {
  return s.parameterization === 'ntk' ? { w: s.sigmaW / Math.sqrt(nIn), b: s.sigmaB } : { w: 1, b: 1 };
}

/** Names of the parameter inputs/outputs, in flattenParams order (W then b per layer). */
export function paramNames(layers: number): string[] {
  const out: string[] = [];
  for (let l = 0; l < layers; l++) out.push(`W${l}`, `B${l}`);
  return out;
}

export function paramDims(s: GraphShape): number[][] {
  const out: number[][] = [];
  for (let l = 1; l < s.widths.length; l++) out.push([s.K, s.widths[l - 1]!, s.widths[l]!], [s.K, 1, s.widths[l]!]);
  return out;
}

/** A small builder that names intermediate values uniquely. */
export class Builder {
  nodes: P.INodeProto[] = [];
  inits: P.ITensorProto[] = [];
  inputs: P.IValueInfoProto[] = [];
  outputs: P.IValueInfoProto[] = [];
  private counter = 0;
  private consts = new Map<string, string>();
  readonly elem: number;

  constructor(readonly precision: Precision) {
    this.elem = precision === 'float64' ? onnx.TensorProto.DataType.DOUBLE : onnx.TensorProto.DataType.FLOAT;
  }

  fresh(hint: string): string {
    return `${hint}_${this.counter++}`;
  }

  op(type: string, inputs: string[], attrs: P.IAttributeProto[] = [], hint = type): string {
    const out = this.fresh(hint);
    this.nodes.push({ opType: type, input: inputs, output: [out], attribute: attrs, name: out });
    return out;
  }

  /** Renames a value to a graph output name via Identity. */
  emit(value: string, name: string, dims: number[]): void {
    this.nodes.push({ opType: 'Identity', input: [value], output: [name], name: `out_${name}` });
    this.outputs.push(this.info(name, dims));
  }

  input(name: string, dims: number[]): string {
    this.inputs.push(this.info(name, dims));
    return name;
  }

  info(name: string, dims: number[]): P.IValueInfoProto {
    return { name, type: { tensorType: { elemType: this.elem, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } };
  }

  /** A scalar constant of the graph's float type. */
  scalar(v: number): string {
    const key = `s${v}`;
    const hit = this.consts.get(key);
    if (hit) return hit;
    const name = this.fresh('c');
    const t: P.ITensorProto = { name, dataType: this.elem, dims: [] };
    if (this.precision === 'float64') t.doubleData = [v];
    else t.floatData = [v];
    this.inits.push(t);
    this.consts.set(key, name);
    return name;
  }

  int64s(v: number[]): string {
    const key = `i${v.join(',')}`;
    const hit = this.consts.get(key);
    if (hit) return hit;
    const name = this.fresh('axes');
    this.inits.push({ name, dataType: onnx.TensorProto.DataType.INT64, dims: [v.length], int64Data: v });
    this.consts.set(key, name);
    return name;
  }

  mul(a: string, s: number): string {
    return s === 1 ? a : this.op('Mul', [a, this.scalar(s)]);
  }

  transpose(a: string): string {
    return this.op('Transpose', [a], [{ name: 'perm', type: onnx.AttributeProto.AttributeType.INTS, ints: [0, 2, 1] }]);
  }

  model(name: string): Uint8Array {
    const model: P.IModelProto = {
      irVersion: 8,
      producerName: 'dlclaims',
      opsetImport: [{ domain: '', version: OPSET }],
      graph: { name, node: this.nodes, initializer: this.inits, input: this.inputs, output: this.outputs },
    };
    return onnx.ModelProto.encode(model).finish();
  }
}

export function activation(b: Builder, a: Activation, z: string): string {
  switch (a) {
    case 'relu':
      return b.op('Relu', [z]);
    case 'tanh':
      return b.op('Tanh', [z]);
    case 'erf':
      return b.op('Erf', [z]);
    case 'linear':
      return z;
  }
}

/** φ'(z) ⊙ g, using h = φ(z) where that is cheaper. */
export function timesDeriv(b: Builder, a: Activation, z: string, h: string, g: string): string {
  switch (a) {
    case 'relu': {
      // φ'(z) = 1 for z > 0, else 0 (theory/mlp.ts activateDeriv).
      const mask = b.op('Cast', [b.op('Greater', [z, b.scalar(0)])], [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: b.elem }]);
      return b.op('Mul', [g, mask]);
    }
    case 'tanh':
      return b.op('Mul', [g, b.op('Sub', [b.scalar(1), b.op('Mul', [h, h])])]);
    case 'erf': {
      // erf'(z) = (2/√π)·exp(−z²)
      const e = b.op('Exp', [b.op('Neg', [b.op('Mul', [z, z])])]);
      return b.op('Mul', [g, b.mul(e, TWO_OVER_SQRT_PI)]);
    }
    case 'linear':
      return g;
  }
}

/** Forward pass; returns the output value name and the trace (pre-activations z and post-activations h). */
function forwardPass(b: Builder, s: GraphShape, x: string, params: string[]): { f: string; pre: string[]; post: string[] } {
  const L = s.widths.length - 1;
  const pre: string[] = [];
  const post: string[] = [x];
  let h = x;
  for (let l = 0; l < L; l++) {
    const sc = scales(s, s.widths[l]!);
    const z = b.op('Add', [b.mul(b.op('MatMul', [h, params[2 * l]!]), sc.w), b.mul(params[2 * l + 1]!, sc.b)], [], `z${l}`);
    pre.push(z);
    if (l < L - 1) {
      h = activation(b, s.activation, z);
      post.push(h);
    }
  }
  return { f: pre[L - 1]!, pre, post };
}

/** Graph: X (K×n×d) and parameters → F (K×n×n_out). */
export function buildForwardModel(s: GraphShape): Uint8Array {
  const b = new Builder(s.precision);
  const x = b.input('X', [s.K, s.n, s.widths[0]!]);
  const names = paramNames(s.widths.length - 1);
  const dims = paramDims(s);
  names.forEach((nm, i) => b.input(nm, dims[i]!));
  const { f } = forwardPass(b, s, x, names);
  b.emit(f, 'F', [s.K, s.n, s.widths.at(-1)!]);
  return b.model('mlp_forward');
}

/**
 * The step graph's optimizer and minibatch inputs, declared in one fixed order after the parameters (Adam's M_/V_,
 * momentum's A_, lr, Adam's bias corrections c1/c2, the batch's int64 row indices IDX); shared by the MLP and CNN
 * step graphs so both feed the same way.
 */
export function declareStepInputs(b: Builder, optimizer: StepOptimizer, names: string[], dims: number[][], batchRows: number | undefined) {
  const adam = optimizer !== 'sgd' && 'adam' in optimizer ? optimizer.adam : undefined;
  const mom = optimizer !== 'sgd' && 'momentum' in optimizer ? optimizer.momentum : undefined;
  if (adam) {
    names.forEach((nm, i) => {
      b.input(`M_${nm}`, dims[i]!);
      b.input(`V_${nm}`, dims[i]!);
    });
  }
  if (mom) names.forEach((nm, i) => b.input(`A_${nm}`, dims[i]!));
  const lr = b.input('lr', []);
  const c1 = adam ? b.input('c1', []) : '';
  const c2 = adam ? b.input('c2', []) : '';
  const idx = batchRows !== undefined ? b.input('IDX', [batchRows]) : undefined;
  if (idx) b.inputs.at(-1)!.type!.tensorType!.elemType = onnx.TensorProto.DataType.INT64;
  return { adam, mom, lr, c1, c2, idx };
}

/**
 * Graph for one training step. Inputs: X, Y, parameters, optimizer state (Adam: M_*, V_* per parameter), scalars
 * lr (and c1, c2 for Adam). Outputs: F (the outputs before the update), the updated parameters (suffix `_new`) and
 * the updated state.
 */
export function buildTrainStepModel(s: GraphShape, optimizer: StepOptimizer, opts: StepOptions = {}): Uint8Array {
  const b = new Builder(s.precision);
  const L = s.widths.length - 1;
  const nOut = s.widths[L]!;
  const x = b.input('X', [s.K, s.n, s.widths[0]!]);
  const y = b.input('Y', [s.K, s.n, nOut]);
  const names = paramNames(L);
  const dims = paramDims(s);
  names.forEach((nm, i) => b.input(nm, dims[i]!));
  const { adam, mom, lr, c1, c2, idx } = declareStepInputs(b, optimizer, names, dims, opts.batchRows);

  const full = forwardPass(b, s, x, names);
  b.emit(full.f, 'F', [s.K, s.n, nOut]);
  // With minibatches the gradient comes from a second forward pass on the selected rows.
  const gather = (v: string) => b.op('Gather', [v, idx!], [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }]);
  const { f, pre, post } = idx ? forwardPass(b, s, gather(x), names) : full;
  const yb = idx ? gather(y) : y;
  const m = opts.batchRows ?? s.n;

  // ∂L/∂f = (f − y)/m (mse) or (softmax(f) − y)/m (xent, y one-hot)
  const pred = opts.loss === 'xent' ? b.op('Softmax', [f], [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: -1 }]) : f;
  let delta = b.op('Div', [b.op('Sub', [pred, yb]), b.scalar(m)], [], 'dOut');
  const grads: string[] = new Array(2 * L);
  for (let l = L - 1; l >= 0; l--) {
    const sc = scales(s, s.widths[l]!);
    grads[2 * l] = b.mul(b.op('MatMul', [b.transpose(post[l]!), delta], [], `gW${l}`), sc.w);
    const sum = b.op('ReduceSum', [delta, b.int64s([1])], [{ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 1 }], `gB${l}`);
    grads[2 * l + 1] = b.mul(sum, sc.b);
    if (l > 0) {
      const back = b.mul(b.op('MatMul', [delta, b.transpose(names[2 * l]!)]), sc.w);
      delta = timesDeriv(b, s.activation, pre[l - 1]!, post[l]!, back);
    }
  }

  optimizerUpdate(b, names, grads, dims, adam, mom, lr, c1, c2);
  return b.model('mlp_train_step');
}

/**
 * The optimizer update of every parameter p with gradient g (SGD, momentum or Adam, as the header says), emitting
 * `${p}_new` and the optimizer state outputs. Shared by the MLP and CNN step graphs.
 */
export function optimizerUpdate(
  b: Builder,
  names: string[],
  grads: string[],
  dims: number[][],
  adam: AdamConstants | undefined,
  mom: MomentumConstants | undefined,
  lr: string,
  c1: string,
  c2: string,
): void {
  names.forEach((p, i) => {
    const g = grads[i]!;
    if (mom) {
      const a = b.op('Add', [b.mul(`A_${p}`, mom.momentum), g]);
      const dir = mom.nesterov ? b.op('Add', [g, b.mul(a, mom.momentum)]) : a;
      b.emit(b.op('Sub', [p, b.op('Mul', [lr, dir])]), `${p}_new`, dims[i]!);
      b.emit(a, `A_${p}_new`, dims[i]!);
      return;
    }
    if (!adam) {
      b.emit(b.op('Sub', [p, b.op('Mul', [lr, g])]), `${p}_new`, dims[i]!);
      return;
    }
    const m = b.op('Add', [b.mul(`M_${p}`, adam.beta1), b.mul(g, 1 - adam.beta1)]);
    const v = b.op('Add', [b.mul(`V_${p}`, adam.beta2), b.op('Mul', [b.mul(g, 1 - adam.beta2), g])]);
    const num = b.op('Mul', [lr, b.op('Div', [m, c1])]);
    const den = b.op('Add', [b.op('Sqrt', [b.op('Div', [v, c2])]), b.scalar(adam.epsilon)]);
    b.emit(b.op('Sub', [p, b.op('Div', [num, den])]), `${p}_new`, dims[i]!);
    b.emit(m, `M_${p}_new`, dims[i]!);
    b.emit(v, `V_${p}_new`, dims[i]!);
  });
}
