// Float64 reference multilayer perceptron in the `mlp-v1` format of DESIGN.md.
//
// Row-vector convention: a batch X is n×d (row-major), layer l maps h (n×n_{l-1}) to
//   standard:  z = h·W + b
//   ntk:       z = (sigmaW/sqrt(n_{l-1}))·h·W + sigmaB·b      (neural-tangents `parameterization='ntk'`)
// Hidden layers apply the activation; the last layer is linear.
// Everything here is plain float64 loops: it is the ground truth that training engines are checked against.
import erf from '@stdlib/math-base-special-erf';

export type Activation = 'relu' | 'tanh' | 'erf' | 'linear';
export type Parameterization = 'standard' | 'ntk';

/** A dense layer: W is n_in×n_out row-major, b has n_out entries. */
export interface Layer {
  nIn: number;
  nOut: number;
  W: Float64Array;
  b: Float64Array;
}

export interface Mlp {
  activation: Activation;
  parameterization: Parameterization;
  sigmaW: number;
  sigmaB: number;
  layers: Layer[];
}

/** A row-major matrix. */
export interface Mat {
  rows: number;
  cols: number;
  data: Float64Array;
}

export const ACTIVATIONS: readonly Activation[] = ['relu', 'tanh', 'erf', 'linear'];
export const PARAMETERIZATIONS: readonly Parameterization[] = ['standard', 'ntk'];

export function mat(rows: number, cols: number, data?: Float64Array): Mat {
  const d = data ?? new Float64Array(rows * cols);
  if (d.length !== rows * cols) throw new Error(`matrix data has ${d.length} entries, expected ${rows}×${cols}`);
  return { rows, cols, data: d };
}

export function matFromRows(rows: readonly (readonly number[])[]): Mat {
  const r = rows.length;
  const c = r === 0 ? 0 : rows[0]!.length;
  const out = new Float64Array(r * c);
  rows.forEach((row, i) => out.set(row, i * c));
  return { rows: r, cols: c, data: out };
}

export function matToRows(m: Mat): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++) out.push(Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  return out;
}

export function activate(a: Activation, z: number): number {
  switch (a) {
    case 'relu':
      return z > 0 ? z : 0;
    case 'tanh':
      return Math.tanh(z);
    case 'erf':
      return erf(z);
    case 'linear':
      return z;
  }
}

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** φ'(z); for ReLU the derivative at 0 is taken as 0 (the subgradient TensorFlow and PyTorch use). */
export function activateDeriv(a: Activation, z: number): number {
  switch (a) {
    case 'relu':
      return z > 0 ? 1 : 0;
    case 'tanh': {
      const t = Math.tanh(z);
      return 1 - t * t;
    }
    case 'erf':
      return TWO_OVER_SQRT_PI * Math.exp(-z * z);
    case 'linear':
      return 1;
  }
}

/** φ''(z) (0 for ReLU almost everywhere). */
export function activateDeriv2(a: Activation, z: number): number {
  switch (a) {
    case 'relu':
    case 'linear':
      return 0;
    case 'tanh': {
      const t = Math.tanh(z);
      return -2 * t * (1 - t * t);
    }
    case 'erf':
      return -2 * z * TWO_OVER_SQRT_PI * Math.exp(-z * z);
  }
}

/** Multipliers applied to W and b in layer l (input width nIn). */
export function layerScales(net: Pick<Mlp, 'parameterization' | 'sigmaW' | 'sigmaB'>, nIn: number): { w: number; b: number } {
  return net.parameterization === 'ntk' ? { w: net.sigmaW / Math.sqrt(nIn), b: net.sigmaB } : { w: 1, b: 1 };
}

export function inputDim(net: Mlp): number {
  return net.layers[0]!.nIn;
}

export function outputDim(net: Mlp): number {
  return net.layers[net.layers.length - 1]!.nOut;
}

export function paramCount(net: Mlp): number {
  return net.layers.reduce((s, l) => s + l.W.length + l.b.length, 0);
}

/** Values recorded by a forward pass: pre[l] = z^{l+1}, post[l] = h^l (post[0] = X). */
export interface Trace {
  pre: Mat[];
  post: Mat[];
}

/** z = s_w·h·W + s_b·b for a batch. */
export function affine(h: Mat, layer: Layer, sw: number, sb: number): Mat {
  const { nIn, nOut, W, b } = layer;
  if (h.cols !== nIn) throw new Error(`layer expects ${nIn} inputs, got ${h.cols}`);
  const out = new Float64Array(h.rows * nOut);
  for (let i = 0; i < h.rows; i++) {
    const o = i * nOut;
    for (let k = 0; k < nIn; k++) {
      const hik = h.data[i * nIn + k]!;
      if (hik === 0) continue;
      const row = k * nOut;
      for (let j = 0; j < nOut; j++) out[o + j]! += hik * W[row + j]!;
    }
    for (let j = 0; j < nOut; j++) out[o + j] = sw * out[o + j]! + sb * b[j]!;
  }
  return { rows: h.rows, cols: nOut, data: out };
}

export function forwardTrace(net: Mlp, X: Mat): Trace {
  const pre: Mat[] = [];
  const post: Mat[] = [X];
  let h = X;
  net.layers.forEach((layer, l) => {
    const s = layerScales(net, layer.nIn);
    const z = affine(h, layer, s.w, s.b);
    pre.push(z);
    if (l < net.layers.length - 1) {
      const a = new Float64Array(z.data.length);
      for (let i = 0; i < a.length; i++) a[i] = activate(net.activation, z.data[i]!);
      h = { rows: z.rows, cols: z.cols, data: a };
      post.push(h);
    }
  });
  return { pre, post };
}

/** f(X): n×n_out. */
export function forward(net: Mlp, X: Mat): Mat {
  const t = forwardTrace(net, X);
  return t.pre[t.pre.length - 1]!;
}

/** Gradients with the same shapes as the layers. */
export interface Grad {
  W: Float64Array;
  b: Float64Array;
}

/**
 * Back-propagates dOut = ∂L/∂f (n×n_out) through a recorded trace.
 * Returns the parameter gradients and the signals delta[l] = ∂L/∂z^{l+1} (n×n_{l+1}).
 */
export function backward(net: Mlp, trace: Trace, dOut: Mat): { grads: Grad[]; deltas: Mat[] } {
  const L = net.layers.length;
  const grads: Grad[] = new Array(L);
  const deltas: Mat[] = new Array(L);
  let delta = dOut;
  for (let l = L - 1; l >= 0; l--) {
    const layer = net.layers[l]!;
    const { nIn, nOut } = layer;
    const h = trace.post[l]!;
    const s = layerScales(net, nIn);
    deltas[l] = delta;
    const gW = new Float64Array(nIn * nOut);
    const gb = new Float64Array(nOut);
    for (let i = 0; i < h.rows; i++) {
      for (let j = 0; j < nOut; j++) gb[j]! += delta.data[i * nOut + j]!;
      for (let k = 0; k < nIn; k++) {
        const hik = h.data[i * nIn + k]!;
        if (hik === 0) continue;
        const row = k * nOut;
        const drow = i * nOut;
        for (let j = 0; j < nOut; j++) gW[row + j]! += hik * delta.data[drow + j]!;
      }
    }
    for (let q = 0; q < gW.length; q++) gW[q]! *= s.w;
    for (let j = 0; j < nOut; j++) gb[j]! *= s.b;
    grads[l] = { W: gW, b: gb };
    if (l > 0) {
      // ∂L/∂h^{l} = s_w·delta·Wᵀ, then ⊙ φ'(z^{l}).
      const z = trace.pre[l - 1]!;
      const next = new Float64Array(h.rows * nIn);
      for (let i = 0; i < h.rows; i++) {
        for (let k = 0; k < nIn; k++) {
          let acc = 0;
          const row = k * nOut;
          const drow = i * nOut;
          for (let j = 0; j < nOut; j++) acc += delta.data[drow + j]! * layer.W[row + j]!;
          next[i * nIn + k] = s.w * acc * activateDeriv(net.activation, z.data[i * nIn + k]!);
        }
      }
      delta = { rows: h.rows, cols: nIn, data: next };
    }
  }
  return { grads, deltas };
}

/** L = (1/2n)·Σ_i ||f(x_i) − y_i||² and its gradient (the `loss-grad` contract). */
export function mseLossGrad(net: Mlp, X: Mat, Y: Mat): { loss: number; grads: Grad[] } {
  const trace = forwardTrace(net, X);
  const f = trace.pre[trace.pre.length - 1]!;
  if (Y.rows !== f.rows || Y.cols !== f.cols) {
    throw new Error(`y has shape ${Y.rows}×${Y.cols}, the network outputs ${f.rows}×${f.cols}`);
  }
  const n = X.rows;
  const d = new Float64Array(f.data.length);
  let loss = 0;
  for (let q = 0; q < d.length; q++) {
    const r = f.data[q]! - Y.data[q]!;
    loss += r * r;
    d[q] = r / n;
  }
  loss /= 2 * n;
  const { grads } = backward(net, trace, { rows: f.rows, cols: f.cols, data: d });
  return { loss, grads };
}

/** Flattens all parameters (W then b, layer by layer) into one vector. */
export function flattenParams(net: Mlp): Float64Array {
  const out = new Float64Array(paramCount(net));
  let o = 0;
  for (const l of net.layers) {
    out.set(l.W, o);
    o += l.W.length;
    out.set(l.b, o);
    o += l.b.length;
  }
  return out;
}

export function flattenGrads(grads: Grad[]): Float64Array {
  const n = grads.reduce((s, g) => s + g.W.length + g.b.length, 0);
  const out = new Float64Array(n);
  let o = 0;
  for (const g of grads) {
    out.set(g.W, o);
    o += g.W.length;
    out.set(g.b, o);
    o += g.b.length;
  }
  return out;
}

/** A copy of `net` whose parameters are taken from the flat vector θ (same order as flattenParams). */
export function withParams(net: Mlp, theta: Float64Array): Mlp {
  if (theta.length !== paramCount(net)) throw new Error(`θ has ${theta.length} entries, the network ${paramCount(net)}`);
  let o = 0;
  const layers = net.layers.map((l) => {
    const W = theta.slice(o, o + l.W.length);
    o += l.W.length;
    const b = theta.slice(o, o + l.b.length);
    o += l.b.length;
    return { nIn: l.nIn, nOut: l.nOut, W, b };
  });
  return { ...net, layers };
}

export function cloneMlp(net: Mlp): Mlp {
  return { ...net, layers: net.layers.map((l) => ({ nIn: l.nIn, nOut: l.nOut, W: l.W.slice(), b: l.b.slice() })) };
}

/** Standard-normal sampler interface, so init code does not depend on where randomness comes from. */
export interface NormalSource {
  normal(): number;
}

/**
 * A network with weights drawn from the given source.
 * ntk: W, b ~ N(0,1) (the scaling lives in the forward pass);
 * standard: W ~ N(0, sigmaW²/n_in), b ~ N(0, sigmaB²) — the same function distribution.
 */
export function initMlp(
  widths: readonly number[],
  opts: { activation: Activation; parameterization: Parameterization; sigmaW: number; sigmaB: number },
  rng: NormalSource,
): Mlp {
  if (widths.length < 2) throw new Error('an MLP needs at least an input and an output width');
  const layers: Layer[] = [];
  for (let l = 1; l < widths.length; l++) {
    const nIn = widths[l - 1]!;
    const nOut = widths[l]!;
    const sw = opts.parameterization === 'ntk' ? 1 : opts.sigmaW / Math.sqrt(nIn);
    const sb = opts.parameterization === 'ntk' ? 1 : opts.sigmaB;
    const W = new Float64Array(nIn * nOut);
    const b = new Float64Array(nOut);
    for (let q = 0; q < W.length; q++) W[q] = sw * rng.normal();
    for (let q = 0; q < b.length; q++) b[q] = sb * rng.normal();
    layers.push({ nIn, nOut, W, b });
  }
  return { ...opts, layers };
}
