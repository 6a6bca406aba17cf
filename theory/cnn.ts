// Float64 reference convolutional network in the `cnn-v1` format of DESIGN.md ("Tool contracts").
//
// A point is one flat row of H·W·C numbers, row-major in (H, W, C) order (channel fastest); a batch is a Mat n×(H·W·C).
// conv: cross-correlation z[i,j,o] = s_w·Σ_{a,b,c} h[i·s+a−p_top, j·s+b−p_left, c]·W[a][b][c][o] + s_b·b[o], with
//   (s_w, s_b) = (1, 1) standard or (sigmaW/√(kh·kw·cin), sigmaB) NTK; "same" pads with zeros as TensorFlow does
//   (out = ceil(in/s), total = max((out−1)·s + k − in, 0), before = floor(total/2)); "valid" does not pad
//   (out = floor((in − k)/s) + 1, refused below 1).
// avgpool / maxpool: k×k windows, stride k, no padding, out = floor(in/k); they act on activated values.
// dense: z = s_w·h·W + s_b·b (as mlp-v1); after a conv or pool it flattens its input in (H, W, C) order.
// The activation follows every conv and dense layer except the last layer, which must be dense and is linear.
import { Arena } from '../core/wasm/runtime.ts';
import { type LossKind, lossAndGrad } from './loss.ts';
import { activateInto, derivInto, flattenGrads, layerScales, type Activation, type Mat, type NormalSource, type Parameterization } from './mlp.ts';

export interface ConvLayer {
  type: 'conv';
  kh: number;
  kw: number;
  cin: number;
  cout: number;
  /** [kh][kw][cin][cout], row-major. */
  W: Float64Array;
  b: Float64Array;
  stride: number;
  padding: 'same' | 'valid';
}

export interface PoolLayer {
  type: 'avgpool' | 'maxpool';
  size: number;
}

export interface DenseLayer {
  type: 'dense';
  nIn: number;
  nOut: number;
  /** nIn×nOut, row-major (mlp-v1's convention). */
  W: Float64Array;
  b: Float64Array;
}

export type CnnLayer = ConvLayer | PoolLayer | DenseLayer;

export interface Cnn {
  activation: Activation;
  parameterization: Parameterization;
  sigmaW: number;
  sigmaB: number;
  /** [H, W, C] of one input point. */
  input: [number, number, number];
  layers: CnnLayer[];
}

/** The shape a layer sees or produces: a feature map [H, W, C], or a flat vector after a dense layer. */
export type Shape = { kind: 'map'; h: number; w: number; c: number } | { kind: 'flat'; n: number };

// ---------------------------------------------------------------------------------------------------------------------
// Shapes

/** TensorFlow's "same" padding: out = ceil(in/s), total = max((out−1)·s + k − in, 0), before = floor(total/2). */
export function samePadding(size: number, k: number, stride: number): { out: number; before: number; after: number } {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + k - size, 0);
  const before = Math.floor(total / 2);
  return { out, before, after: total - before };
}

/** Output length and leading pad of one spatial axis of a conv; out < 1 means the shape is impossible. */
export function convAxis(size: number, k: number, stride: number, padding: 'same' | 'valid'): { out: number; before: number } {
  if (padding === 'same') {
    const p = samePadding(size, k, stride);
    return { out: p.out, before: p.before };
  }
  return { out: Math.floor((size - k) / stride) + 1, before: 0 };
}

export function shapeSize(s: Shape): number {
  return s.kind === 'map' ? s.h * s.w * s.c : s.n;
}

/** The shape after one layer whose input has shape s; throws an Error naming layer i when that is impossible. */
export function layerShape(l: CnnLayer, s: Shape, i: number): Shape {
  const name = `layer ${i} (${l.type})`;
  if (l.type === 'dense') {
    const n = shapeSize(s);
    if (l.nIn !== n) throw new Error(`${name}: expects ${l.nIn} inputs, its input has ${n}${s.kind === 'map' ? ` (${s.h}×${s.w}×${s.c} flattened)` : ''}`);
    if (l.W.length !== l.nIn * l.nOut || l.b.length !== l.nOut) throw new Error(`${name}: W or b does not have the declared size`);
    return { kind: 'flat', n: l.nOut };
  }
  if (s.kind !== 'map') throw new Error(`${name}: needs a feature map, but follows a dense layer`);
  if (l.type === 'conv') {
    if (l.cin !== s.c) throw new Error(`${name}: expects ${l.cin} input channels, its input has ${s.c}`);
    if (l.W.length !== l.kh * l.kw * l.cin * l.cout || l.b.length !== l.cout) throw new Error(`${name}: W or b does not have the declared size`);
    if (!(Number.isInteger(l.stride) && l.stride >= 1)) throw new Error(`${name}: stride must be a positive integer`);
    const ah = convAxis(s.h, l.kh, l.stride, l.padding);
    const aw = convAxis(s.w, l.kw, l.stride, l.padding);
    if (ah.out < 1 || aw.out < 1) throw new Error(`${name}: a ${l.kh}×${l.kw} "valid" kernel does not fit its ${s.h}×${s.w} input`);
    return { kind: 'map', h: ah.out, w: aw.out, c: l.cout };
  }
  if (!(Number.isInteger(l.size) && l.size >= 1)) throw new Error(`${name}: size must be a positive integer`);
  if (l.size > s.h || l.size > s.w) throw new Error(`${name}: a ${l.size}×${l.size} window is larger than its ${s.h}×${s.w} input`);
  return { kind: 'map', h: Math.floor(s.h / l.size), w: Math.floor(s.w / l.size), c: s.c };
}

/**
 * The shape after each layer (the input [H, W, C] not included). Throws an Error naming the layer when the net is
 * impossible: a conv or pool after a dense layer, channels or rows that do not match, a "valid" conv or a pool larger
 * than its input, a last layer that is not dense.
 */
export function cnnShapes(net: Pick<Cnn, 'input' | 'layers'>): Shape[] {
  if (net.layers.length === 0) throw new Error('the network has no layers');
  let s: Shape = { kind: 'map', h: net.input[0], w: net.input[1], c: net.input[2] };
  const out = net.layers.map((l, i) => (s = layerShape(l, s, i)));
  const last = net.layers.length - 1;
  if (net.layers[last]!.type !== 'dense') throw new Error(`layer ${last} (${net.layers[last]!.type}): the last layer must be dense`);
  return out;
}

export function cnnInputDim(net: Pick<Cnn, 'input'>): number {
  return net.input[0] * net.input[1] * net.input[2];
}

export function cnnOutputDim(net: Cnn): number {
  const last = net.layers[net.layers.length - 1]!;
  if (last.type !== 'dense') throw new Error('the last layer must be dense');
  return last.nOut;
}

/** Fan-in of a parameter layer: kh·kw·cin for a conv, nIn for a dense layer. */
export function fanIn(l: ConvLayer | DenseLayer): number {
  return l.type === 'conv' ? l.kh * l.kw * l.cin : l.nIn;
}

/** (s_w, s_b): (1, 1) standard, (sigmaW/√fan_in, sigmaB) NTK (DESIGN.md "Tool contracts"). */
export function cnnScales(net: Pick<Cnn, 'parameterization' | 'sigmaW' | 'sigmaB'>, l: ConvLayer | DenseLayer): { w: number; b: number } {
  return layerScales(net, fanIn(l));
}

export function isParamLayer(l: CnnLayer): l is ConvLayer | DenseLayer {
  return l.type === 'conv' || l.type === 'dense';
}

export function cnnParamCount(net: Cnn): number {
  return net.layers.reduce((s, l) => s + (isParamLayer(l) ? l.W.length + l.b.length : 0), 0);
}

/** Numbers a trace holds for one point: the input, every layer's output, and conv/dense pre-activations (memory caps). */
export function cnnTraceSize(net: Cnn): number {
  const shapes = cnnShapes(net);
  return cnnInputDim(net) + net.layers.reduce((s, l, i) => s + shapeSize(shapes[i]!) * (isParamLayer(l) ? 2 : 1), 0);
}

/** Multiply-adds of one forward pass on one point (for work caps). */
export function cnnMacs(net: Cnn): number {
  const shapes = cnnShapes(net);
  let macs = 0;
  net.layers.forEach((l, i) => {
    const s = shapes[i]!;
    if (l.type === 'conv' && s.kind === 'map') macs += s.h * s.w * l.cout * l.kh * l.kw * l.cin;
    else if (l.type === 'dense') macs += l.nIn * l.nOut;
    else macs += shapeSize(i === 0 ? { kind: 'map', h: net.input[0], w: net.input[1], c: net.input[2] } : shapes[i - 1]!);
  });
  return macs;
}

// ---------------------------------------------------------------------------------------------------------------------
// Forward

/** What backward needs: the input of every layer (activated values), conv/dense pre-activations, maxpool argmaxes. */
export interface CnnTrace {
  /** inputs[l]: n × size(input of layer l); inputs[0] = X. */
  inputs: Mat[];
  /** pre[l]: the pre-activation z of a conv or dense layer (the output for the last layer); null for pools. */
  pre: (Mat | null)[];
  /** argmax[l]: for a maxpool, the flat input index (within a point) each output took its value from. */
  argmax: (Int32Array | null)[];
  shapes: Shape[];
}

function inShape(net: Cnn, shapes: Shape[], l: number): Shape {
  return l === 0 ? { kind: 'map', h: net.input[0], w: net.input[1], c: net.input[2] } : shapes[l - 1]!;
}

/** The WebAssembly kernels of core/wasm/cnn.wat (pointers are byte offsets into the workspace's arena). */
interface CnnKernels {
  tanh_into(src: number, dst: number, n: number): void;
  cnn_relu(z: number, a: number, n: number): void;
  cnn_delta(g: number, h: number, d: number, n: number, kind: number): void;
  cnn_pool_fwd(h: number, out: number, argmax: number, ...geometry: number[]): void;
  cnn_pool_bwd(g: number, argmax: number, dh: number, ...geometry: number[]): void;
  cnn_conv_fwd(...args: [x: number, W: number, b: number, out: number, tx: number, tw: number, ...geometry: number[]]): void;
  cnn_conv_bwd(...args: [x: number, delta: number, WT: number, gW: number, gb: number, dh: number, lst: number, ...geometry: number[]]): void;
}

/**
 * What a kernel call needs to know of a layer, in the kernels' argument order: rows, inH, inW, cin, outH, outW, cout,
 * kh, kw, stride, pt, pl. A dense layer is the 1×1 conv with cin = nIn, cout = nOut (the same layouts and sums).
 */
function geometry(l: ConvLayer | DenseLayer, sIn: Shape, sOut: Shape, rows: number): number[] {
  if (l.type === 'dense') return [rows, 1, 1, l.nIn, 1, 1, l.nOut, 1, 1, 1, 0, 0];
  const mi = sIn as Shape & { kind: 'map' };
  const mo = sOut as Shape & { kind: 'map' };
  const pt = convAxis(mi.h, l.kh, l.stride, l.padding).before;
  const pl = convAxis(mi.w, l.kw, l.stride, l.padding).before;
  return [rows, mi.h, mi.w, l.cin, mo.h, mo.w, l.cout, l.kh, l.kw, l.stride, pt, pl];
}

/** A pooling layer's kernel arguments after its pointers: rows, inH, inW, C, outH, outW, k, isMax. */
function poolGeometry(l: PoolLayer, sIn: Shape, sOut: Shape, rows: number): number[] {
  const mi = sIn as Shape & { kind: 'map' };
  const mo = sOut as Shape & { kind: 'map' };
  return [rows, mi.h, mi.w, mi.c, mo.h, mo.w, l.size, l.type === 'maxpool' ? 1 : 0];
}

/** The workspace a trace was recorded in (cnnTrace's traces each own one), for backwardCnn. */
const traceWorkspace = new WeakMap<CnnTrace, CnnWorkspace>();

/**
 * Every buffer of forward and backward passes of one architecture on batches of `rows` points, in one WebAssembly
 * arena (core/wasm/runtime.ts), so the conv and dense layers run as core/wasm/cnn.wat kernels: one per training loop
 * or per stream of same-sized batches, not per call. The traces and gradients it returns are views of its arena,
 * valid until its next forward (or backward) pass. Parameters are copied in at every pass (a memcpy, small next to
 * the layers' work), so the network's own arrays stay plain JavaScript arrays.
 */
export class CnnWorkspace {
  readonly rows: number;
  readonly shapes: Shape[];
  private readonly k: CnnKernels;
  private readonly geo: (number[] | null)[];
  private readonly inputs: Float64Array[];
  private readonly pre: (Float64Array | null)[];
  private readonly argmax: (Int32Array | null)[];
  /** argmax[l]'s memory (two i32 per f64 slot), for its pointer; an empty view for an average pool. */
  private readonly argmaxAt: (Float64Array | null)[] = [];
  private readonly W: (Float64Array | null)[];
  private readonly b: (Float64Array | null)[];
  private readonly WT: (Float64Array | null)[];
  private readonly gW: (Float64Array | null)[];
  private readonly gb: (Float64Array | null)[];
  private readonly delta: (Float64Array | null)[];
  private readonly dh: (Float64Array | null)[];
  private readonly tx: Float64Array;
  private readonly tw: Float64Array;
  private readonly lst: Float64Array;
  /** What forward returns: views of this arena, the same object every pass. */
  private readonly trace: CnnTrace;

  constructor(net: Cnn, rows: number, opts: { backward?: boolean } = {}) {
    const backward = opts.backward ?? true;
    const shapes = cnnShapes(net);
    const L = net.layers.length;
    const inSizes = net.layers.map((_, l) => shapeSize(inShape(net, shapes, l)));
    const outSizes = shapes.map(shapeSize);
    const terms = Math.max(1, ...net.layers.map((l) => (l.type === 'conv' ? l.kh * l.kw * l.cin : l.type === 'dense' ? l.nIn : 1)));
    // Sizes in allocation order (below): the arena is exactly as large as what is taken from it.
    // cnn_conv_bwd's tap lists: per output position, a count and (offset, tap) pairs (i32s).
    const lists = Math.max(1, ...net.layers.map((l, i) => (l.type === 'conv' ? (outSizes[i]! / l.cout) * (1 + 2 * l.kh * l.kw) : l.type === 'dense' ? 3 : 1)));
    const sizes: number[] = [rows * inSizes[0]!, terms, Math.ceil((3 * terms) / 2), backward ? Math.ceil(lists / 2) : 0];
    net.layers.forEach((l, i) => {
      if (i < L - 1) sizes.push(rows * outSizes[i]!); // the next layer's input
      if (isParamLayer(l)) {
        sizes.push(rows * outSizes[i]!, l.W.length, l.b.length);
        if (backward) sizes.push(i > 0 ? l.W.length : 0, l.W.length, l.b.length, rows * outSizes[i]!);
      } else sizes.push(l.type === 'maxpool' ? Math.ceil((rows * outSizes[i]!) / 2) : 0);
      if (backward && i > 0) sizes.push(rows * inSizes[i]!);
    });
    const arena = Arena.forSizes(sizes);
    this.k = arena.k as unknown as CnnKernels;
    this.rows = rows;
    this.shapes = shapes;
    this.inputs = [arena.f64(rows * inSizes[0]!)];
    this.tx = arena.f64(terms);
    this.tw = arena.f64(Math.ceil((3 * terms) / 2)); // three lists of i32 (W rows gathered, tap offsets, tap W rows), two per f64 slot
    this.lst = arena.f64(backward ? Math.ceil(lists / 2) : 0);
    this.pre = [];
    this.argmax = [];
    this.W = [];
    this.b = [];
    this.WT = [];
    this.gW = [];
    this.gb = [];
    this.delta = [];
    this.dh = [];
    this.geo = [];
    net.layers.forEach((l, i) => {
      const sIn = inShape(net, shapes, i);
      if (i < L - 1) this.inputs.push(arena.f64(rows * outSizes[i]!));
      if (isParamLayer(l)) {
        this.pre.push(arena.f64(rows * outSizes[i]!)); // z; a hidden layer's φ(z) is the next layer's input
        this.W.push(arena.f64(l.W.length));
        this.b.push(arena.f64(l.b.length));
        this.geo.push(geometry(l, sIn, shapes[i]!, rows));
        if (backward) {
          this.WT.push(arena.f64(i > 0 ? l.W.length : 0));
          this.gW.push(arena.f64(l.W.length));
          this.gb.push(arena.f64(l.b.length));
          this.delta.push(arena.f64(rows * outSizes[i]!));
        }
        this.argmax.push(null);
        this.argmaxAt.push(null);
      } else {
        this.pre.push(null);
        this.W.push(null);
        this.b.push(null);
        this.geo.push(poolGeometry(l, sIn, shapes[i]!, rows));
        if (backward) {
          this.WT.push(null);
          this.gW.push(null);
          this.gb.push(null);
          this.delta.push(null);
        }
        const v = arena.f64(l.type === 'maxpool' ? Math.ceil((rows * outSizes[i]!) / 2) : 0);
        this.argmaxAt.push(v);
        this.argmax.push(l.type === 'maxpool' ? new Int32Array(v.buffer, v.byteOffset, rows * outSizes[i]!) : null);
      }
      if (backward) this.dh.push(i > 0 ? arena.f64(rows * inSizes[i]!) : null);
    });
    this.trace = {
      inputs: this.inputs.map((data, i) => ({ rows, cols: inSizes[i]!, data })),
      pre: this.pre.map((z, i) => (z ? { rows, cols: outSizes[i]!, data: z } : null)),
      argmax: this.argmax,
      shapes,
    };
  }

  /** A forward pass over X (rows × H·W·C), recording what backward needs; views of this workspace's arena. */
  forward(net: Cnn, X: Mat): CnnTrace {
    if (X.rows !== this.rows) throw new Error(`the workspace holds ${this.rows} points, got ${X.rows}`);
    if (X.cols !== cnnInputDim(net)) throw new Error(`points have ${X.cols} entries, the network's input ${net.input.join('×')} has ${cnnInputDim(net)}`);
    const L = net.layers.length;
    const x0 = this.inputs[0]!;
    x0.set(X.data.subarray(0, x0.length));
    const k = this.k;
    // Views of this arena: their byteOffset is the kernels' pointer (Arena.ptr's check costs more than a small layer).
    for (let i = 0; i < L; i++) {
      const l = net.layers[i]!;
      const h = this.inputs[i]!;
      if (isParamLayer(l)) {
        const s = cnnScales(net, l);
        const W = this.W[i]!;
        const b = this.b[i]!;
        W.set(l.W);
        b.set(l.b);
        const z = this.pre[i]!;
        k.cnn_conv_fwd(h.byteOffset, W.byteOffset, b.byteOffset, z.byteOffset, this.tx.byteOffset, this.tw.byteOffset, ...this.geo[i]!, s.w, s.b);
        if (i < L - 1) {
          const next = this.inputs[i + 1]!;
          if (net.activation === 'relu') k.cnn_relu(z.byteOffset, next.byteOffset, z.length);
          else if (net.activation === 'tanh') k.tanh_into(z.byteOffset, next.byteOffset, z.length); // Math.tanh's bits (core/wasm/tanh.wat)
          else activateInto(net.activation, z, next, z.length);
        }
      } else k.cnn_pool_fwd(h.byteOffset, this.inputs[i + 1]!.byteOffset, this.argmaxAt[i]!.byteOffset, ...this.geo[i]!);
    }
    return this.trace;
  }

  /**
   * Back-propagates dOut = ∂L/∂f through a trace this workspace recorded; grads[l] has layer l's W and b shapes (null
   * for a pooling layer), views of this workspace's arena.
   */
  backward(net: Cnn, trace: CnnTrace, dOut: Mat): { grads: (CnnGrad | null)[] } {
    if (this.delta.length === 0) throw new Error('this workspace was made without backward buffers');
    if (trace !== this.trace) throw new Error('the trace was not recorded by this workspace');
    const L = net.layers.length;
    const grads: (CnnGrad | null)[] = new Array(L).fill(null);
    let g = dOut.data;
    for (let l = L - 1; l >= 0; l--) {
      const layer = net.layers[l]!;
      const h = trace.inputs[l]!.data;
      const dh = this.dh[l] ?? null;
      if (isParamLayer(layer)) {
        const delta = this.delta[l]!;
        if (l === L - 1) delta.set(g.subarray(0, delta.length));
        else {
          // δ = g ⊙ φ'(z), φ'(z) read from the layer's activated output (theory/mlp.ts derivInto).
          const act = trace.inputs[l + 1]!.data;
          if (net.activation === 'relu' || net.activation === 'tanh') {
            this.k.cnn_delta(g.byteOffset, act.byteOffset, delta.byteOffset, delta.length, net.activation === 'tanh' ? 1 : 0);
          } else {
            derivInto(net.activation, trace.pre[l]!.data, act, delta, delta.length);
            for (let q = 0; q < delta.length; q++) delta[q] = g[q]! * delta[q]!;
          }
        }
        const s = cnnScales(net, layer);
        const gW = this.gW[l]!;
        const gb = this.gb[l]!;
        gW.fill(0);
        gb.fill(0);
        const WT = this.WT[l]!;
        let mode = 0; // the first layer's ∂L/∂input is not needed
        if (dh) {
          transposeTaps(layer, WT);
          mode = layer.type === 'dense' ? 2 : 1;
          if (mode === 1) dh.fill(0);
        }
        this.k.cnn_conv_bwd(h.byteOffset, delta.byteOffset, WT.byteOffset, gW.byteOffset, gb.byteOffset, dh ? dh.byteOffset : 0, this.lst.byteOffset, ...this.geo[l]!, s.w, mode);
        for (let q = 0; q < gW.length; q++) gW[q]! *= s.w;
        for (let o = 0; o < gb.length; o++) gb[o]! *= s.b;
        grads[l] = { W: gW, b: gb };
      } else if (dh) {
        dh.fill(0);
        this.k.cnn_pool_bwd(g.byteOffset, this.argmaxAt[l]!.byteOffset, dh.byteOffset, ...this.geo[l]!);
      }
      if (dh) g = dh;
    }
    return { grads };
  }
}

/** W[a,b,c,o] into WT[a,b,o,c] (a dense layer: W[k,o] into WT[o,k]), so the kernel's ∂L/∂h lanes are adjacent c. */
function transposeTaps(l: ConvLayer | DenseLayer, WT: Float64Array): void {
  const taps = l.type === 'conv' ? l.kh * l.kw : 1;
  const cin = l.type === 'conv' ? l.cin : l.nIn;
  const cout = l.type === 'conv' ? l.cout : l.nOut;
  const W = l.W;
  for (let t = 0; t < taps; t++) {
    const base = t * cin * cout;
    for (let c = 0; c < cin; c++) for (let o = 0; o < cout; o++) WT[base + o * cin + c] = W[base + c * cout + o]!;
  }
}

/** A forward pass over a batch X (n × H·W·C), recording what backwardCnn needs (in a workspace of its own). */
export function cnnTrace(net: Cnn, X: Mat): CnnTrace {
  if (X.cols !== cnnInputDim(net)) throw new Error(`points have ${X.cols} entries, the network's input ${net.input.join('×')} has ${cnnInputDim(net)}`);
  const ws = new CnnWorkspace(net, X.rows);
  const t = ws.forward(net, X);
  traceWorkspace.set(t, ws);
  return t;
}

/** Whether two networks have the same layers' shapes (what a workspace's buffers depend on; not weights or activation). */
function sameShapes(a: Cnn, b: Cnn): boolean {
  if (a.input[0] !== b.input[0] || a.input[1] !== b.input[1] || a.input[2] !== b.input[2] || a.layers.length !== b.layers.length) return false;
  return a.layers.every((l, i) => {
    const m = b.layers[i]!;
    if (l.type !== m.type) return false;
    if (l.type === 'conv') {
      const n = m as ConvLayer;
      return l.kh === n.kh && l.kw === n.kw && l.cin === n.cin && l.cout === n.cout && l.stride === n.stride && l.padding === n.padding;
    }
    if (l.type === 'dense') return l.nIn === (m as DenseLayer).nIn && l.nOut === (m as DenseLayer).nOut;
    return l.size === (m as PoolLayer).size;
  });
}

// Workspaces of the functions that hand back copies (forwardCnn, cnnLossGrad), kept for reuse: experiments call them
// in loops with fresh copies of a network (withCnnParams), and a new WebAssembly memory per call costs more than the
// pass itself on small nets. A few recent ones, the most recently used last.
const shared: { net: Cnn; rows: number; backward: boolean; ws: CnnWorkspace }[] = [];
const SHARED_MAX = 4;

function sharedWorkspace(net: Cnn, rows: number, backward: boolean): CnnWorkspace {
  const i = shared.findIndex((e) => e.rows === rows && e.backward === backward && (e.net === net || sameShapes(e.net, net)));
  const hit = i >= 0 ? shared.splice(i, 1)[0]! : { net, rows, backward, ws: new CnnWorkspace(net, rows, { backward }) };
  if (shared.length >= SHARED_MAX) shared.shift();
  hit.net = net; // only its shapes are read, and they equal the workspace's
  shared.push(hit);
  return hit.ws;
}

/** f(X): n × n_out. */
export function forwardCnn(net: Cnn, X: Mat): Mat {
  if (X.cols !== cnnInputDim(net)) throw new Error(`points have ${X.cols} entries, the network's input ${net.input.join('×')} has ${cnnInputDim(net)}`);
  const f = sharedWorkspace(net, X.rows, false).forward(net, X).pre.at(-1)!;
  return { rows: f.rows, cols: f.cols, data: f.data.slice() }; // a copy: the workspace is reused
}

// ---------------------------------------------------------------------------------------------------------------------
// Backward

export interface CnnGrad {
  W: Float64Array;
  b: Float64Array;
}

/**
 * Back-propagates dOut = ∂L/∂f (n × n_out) through a trace recorded by cnnTrace. grads[l] has layer l's W and b shapes
 * (null for a pooling layer); they are the caller's own arrays.
 */
export function backwardCnn(net: Cnn, trace: CnnTrace, dOut: Mat): { grads: (CnnGrad | null)[] } {
  const ws = traceWorkspace.get(trace);
  if (!ws) throw new Error('backwardCnn needs a trace recorded by cnnTrace');
  return { grads: ws.backward(net, trace, dOut).grads.map((g) => g && { W: g.W.slice(), b: g.b.slice() }) };
}

/** The loss of `kind` (theory/loss.ts) and its parameter gradients. */
export function cnnLossGrad(net: Cnn, X: Mat, Y: Mat, kind: LossKind): { loss: number; grads: (CnnGrad | null)[] } {
  const ws = sharedWorkspace(net, X.rows, true);
  const trace = ws.forward(net, X);
  const f = trace.pre[trace.pre.length - 1]!;
  const { loss, dOut } = lossAndGrad(kind, f, Y);
  return { loss, grads: ws.backward(net, trace, dOut).grads.map((g) => g && { W: g.W.slice(), b: g.b.slice() }) };
}

/** The gradients as one flat vector, in flattenCnnParams's order (W then b per parameter layer; pools skipped). */
export function flattenCnnGrads(grads: readonly (CnnGrad | null)[]): Float64Array {
  return flattenGrads(grads.filter((g): g is CnnGrad => g !== null));
}

/** ∂f(x_p)/∂θ for every point (rows of J, n × P), scalar output. */
export function cnnJacobian(net: Cnn, X: Mat): Mat {
  if (cnnOutputDim(net) !== 1) throw new Error(`the Jacobian here needs a scalar output, the network has ${cnnOutputDim(net)} outputs`);
  const P = cnnParamCount(net);
  const J = new Float64Array(X.rows * P);
  const d = X.cols;
  const ws = new CnnWorkspace(net, 1);
  const one: Mat = { rows: 1, cols: 1, data: Float64Array.of(1) };
  for (let p = 0; p < X.rows; p++) {
    const t = ws.forward(net, { rows: 1, cols: d, data: X.data.subarray(p * d, (p + 1) * d) });
    J.set(flattenCnnGrads(ws.backward(net, t, one).grads), p * P);
  }
  return { rows: X.rows, cols: P, data: J };
}

/**
 * Empirical NTK Θ(x_i, x_j) = Σ_θ ∂f(x_i)/∂θ·∂f(x_j)/∂θ (Jacot et al. 2018, eq. 2), scalar output. J (n × P) is held
 * in column blocks of at most maxEntries numbers (each block recomputes the n gradients), so memory stays bounded for
 * nets with many parameters.
 */
export function cnnNtk(net: Cnn, X: Mat, maxEntries = 2 ** 24): Mat {
  if (cnnOutputDim(net) !== 1) throw new Error(`the NTK needs a scalar output, the network has ${cnnOutputDim(net)} outputs`);
  const n = X.rows;
  const d = X.cols;
  const P = cnnParamCount(net);
  const K = new Float64Array(n * n);
  const width = Math.max(1, Math.min(P, Math.floor(maxEntries / Math.max(n, 1))));
  const block = new Float64Array(n * width);
  const ws = new CnnWorkspace(net, 1);
  const one: Mat = { rows: 1, cols: 1, data: Float64Array.of(1) };
  for (let p0 = 0; p0 < P; p0 += width) {
    const w = Math.min(width, P - p0);
    for (let p = 0; p < n; p++) {
      const t = ws.forward(net, { rows: 1, cols: d, data: X.data.subarray(p * d, (p + 1) * d) });
      const g = flattenCnnGrads(ws.backward(net, t, one).grads);
      block.set(g.subarray(p0, p0 + w), p * w);
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let acc = 0;
        for (let q = 0; q < w; q++) acc += block[i * w + q]! * block[j * w + q]!;
        K[i * n + j]! += acc;
        if (j !== i) K[j * n + i]! += acc;
      }
    }
  }
  return { rows: n, cols: n, data: K };
}

// ---------------------------------------------------------------------------------------------------------------------
// Parameters

export function flattenCnnParams(net: Cnn): Float64Array {
  return flattenGrads(net.layers.filter(isParamLayer)); // the same W-then-b layout as mlp-v1's flat vectors
}

/** A copy of `net` whose parameters come from θ (flattenCnnParams's order). */
export function withCnnParams(net: Cnn, theta: Float64Array): Cnn {
  if (theta.length !== cnnParamCount(net)) throw new Error(`θ has ${theta.length} entries, the network ${cnnParamCount(net)}`);
  let o = 0;
  const layers = net.layers.map((l): CnnLayer => {
    if (!isParamLayer(l)) return { ...l };
    const W = theta.slice(o, o + l.W.length);
    o += l.W.length;
    const b = theta.slice(o, o + l.b.length);
    o += l.b.length;
    return { ...l, W, b };
  });
  return { ...net, input: [...net.input], layers };
}

export function cloneCnn(net: Cnn): Cnn {
  return {
    ...net,
    input: [...net.input],
    layers: net.layers.map((l): CnnLayer => (isParamLayer(l) ? { ...l, W: l.W.slice(), b: l.b.slice() } : { ...l })),
  };
}

/** A layer of an architecture, before weights: conv, pool, or dense. */
export type CnnLayerSpec =
  | { type: 'conv'; kh: number; kw: number; cout: number; stride: number; padding: 'same' | 'valid' }
  | PoolLayer
  | { type: 'dense'; nOut: number };

export interface CnnSpec {
  activation: Activation;
  parameterization: Parameterization;
  sigmaW: number;
  sigmaB: number;
  input: [number, number, number];
  layers: CnnLayerSpec[];
}

/**
 * A network with weights drawn from `rng`, layer by layer, W then b (as initMlp):
 * ntk: W, b ~ N(0, 1) (the scaling lives in the forward pass); standard: W ~ N(0, sigmaW²/fan_in) with
 * fan_in = kh·kw·cin for a conv, b ~ N(0, sigmaB²): the same function distribution.
 */
export function initCnn(spec: CnnSpec, rng: NormalSource): Cnn {
  const { layers: specs, ...rest } = spec;
  let s: Shape = { kind: 'map', h: spec.input[0], w: spec.input[1], c: spec.input[2] };
  const layers: CnnLayer[] = specs.map((ls, i) => {
    let layer: CnnLayer;
    if (ls.type === 'conv') {
      if (s.kind !== 'map') throw new Error(`layer ${i} (conv): needs a feature map, but follows a dense layer`);
      const cin = s.c;
      layer = { type: 'conv', kh: ls.kh, kw: ls.kw, cin, cout: ls.cout, stride: ls.stride, padding: ls.padding, W: new Float64Array(ls.kh * ls.kw * cin * ls.cout), b: new Float64Array(ls.cout) };
    } else if (ls.type === 'dense') {
      const nIn = shapeSize(s);
      layer = { type: 'dense', nIn, nOut: ls.nOut, W: new Float64Array(nIn * ls.nOut), b: new Float64Array(ls.nOut) };
    } else layer = { type: ls.type, size: ls.size };
    s = layerShape(layer, s, i);
    if (isParamLayer(layer)) {
      const sw = spec.parameterization === 'ntk' ? 1 : spec.sigmaW / Math.sqrt(fanIn(layer));
      const sb = spec.parameterization === 'ntk' ? 1 : spec.sigmaB;
      for (let q = 0; q < layer.W.length; q++) layer.W[q] = sw * rng.normal();
      for (let q = 0; q < layer.b.length; q++) layer.b[q] = sb * rng.normal();
    }
    return layer;
  });
  const net: Cnn = { ...rest, input: [...spec.input], layers };
  cnnShapes(net); // the last-layer rule
  return net;
}

