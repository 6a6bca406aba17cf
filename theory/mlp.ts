// Float64 reference multilayer perceptron in the `mlp-v1` format of DESIGN.md.
//
// Row-vector convention: a batch X is n×d (row-major), layer l maps h (n×n_{l-1}) to
//   standard:  z = h·W + b
//   ntk:       z = (sigmaW/sqrt(n_{l-1}))·h·W + sigmaB·b      (neural-tangents `parameterization='ntk'`)
// Hidden layers apply the activation; the last layer is linear.
// Everything here is float64, each sum in the plain definition's order: it is the ground truth that training engines
// are checked against.
import erf from '@stdlib/math-base-special-erf';
import { Arena } from '../core/wasm/runtime.ts';

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

// The dense-layer kernels run in WebAssembly (core/wasm/mlp.wat) on buffers in one arena per workspace. Each output is
// summed in the order of the plain definitions (properties/theory/kernels.test.ts holds the plain loops):
//   z_ij = s_w·Σ_k h_ik·W_kj + s_b·b_j           k in order, terms with h_ik = 0 skipped
//   gW_kj = s_w·Σ_i h_ik·δ_ij,  gb_j = s_b·Σ_i δ_ij   i in order, terms with h_ik = 0 skipped
//   δ^{l}_ik = (s_w·Σ_j δ_ij·W_kj)·φ'(z_ik)          j in order
// so the results are bit-identical to a naive float64 evaluation in that order (and to the JavaScript loops that
// came before). tanh and ReLU and their derivatives run in wasm too (tanh_into has Math.tanh's bits); erf stays in JS.

/** The kernels of core/wasm/mlp.wat (pointers are byte offsets into the arena, counts are f64s). */
interface MlpKernels {
  mlp_gemm(a: number, sr: number, st: number, R: number, T: number, b: number, C: number, out: number, skip: number): void;
  mlp_affine_out(out: number, R: number, C: number, sw: number, sb: number, bias: number): void;
  mlp_scale_mul(x: number, d: number, n: number, s: number): void;
  mlp_scale(x: number, n: number, s: number): void;
  mlp_colsum(a: number, R: number, C: number, out: number): void;
  mlp_transpose(src: number, R: number, C: number, dst: number): void;
  mlp_relu(z: number, h: number, n: number): void;
  mlp_tanh_deriv(h: number, d: number, n: number): void;
  mlp_relu_deriv(h: number, d: number, n: number): void;
  tanh_into(src: number, dst: number, n: number): void;
}

function kernelsOf(arena: Arena): MlpKernels {
  return arena.k as unknown as MlpKernels;
}

/** The pointer of `a` in the arena, copying it into `room` (an arena view of the same length) when it lives elsewhere. */
function inArena(arena: Arena, a: Float64Array, room: Float64Array): number {
  if (arena.owns(a)) return arena.ptr(a);
  room.set(a);
  return arena.ptr(room);
}

/** out (rows×nOut, an arena view) = s_w·h·W + s_b·b, with h at pointer hp. */
function affineLayer(ws: Workspace, l: number, layer: Layer, hp: number, rows: number, sw: number, sb: number, out: Float64Array): void {
  const k = kernelsOf(ws.arena);
  const Wp = inArena(ws.arena, layer.W, ws.W[l]!);
  const bp = inArena(ws.arena, layer.b, ws.b[l]!);
  const op = ws.arena.ptr(out);
  k.mlp_gemm(hp, layer.nIn, 1, rows, layer.nIn, Wp, layer.nOut, op, 1);
  k.mlp_affine_out(op, rows, layer.nOut, sw, sb, bp);
}

/** h = φ(z) for arena views: the wasm tanh (bit-identical to Math.tanh, core/wasm/tanh.wat) and ReLU; erf in JS. */
function activateArena(arena: Arena, act: Activation, z: Float64Array, h: Float64Array): void {
  const k = kernelsOf(arena);
  if (act === 'tanh') k.tanh_into(arena.ptr(z), arena.ptr(h), z.length);
  else if (act === 'relu') k.mlp_relu(arena.ptr(z), arena.ptr(h), z.length);
  else activateInto(act, z, h, z.length);
}

/** d = φ'(z) (an arena view) from h = φ(z) at pointer hp, as derivInto: tanh' = 1 − h², relu' = [h > 0] in wasm. */
function derivArena(arena: Arena, act: Activation, z: Float64Array, hp: number, d: Float64Array): void {
  const k = kernelsOf(arena);
  if (act === 'tanh') k.mlp_tanh_deriv(hp, arena.ptr(d), d.length);
  else if (act === 'relu') k.mlp_relu_deriv(hp, arena.ptr(d), d.length);
  else derivInto(act, z, new Float64Array(arena.memory.buffer, hp, d.length), d, d.length);
}

/** a = φ(z) elementwise, one loop per activation (no per-element dispatch). */
export function activateInto(act: Activation, z: Float64Array, a: Float64Array, len: number): void {
  switch (act) {
    case 'relu':
      for (let i = 0; i < len; i++) a[i] = z[i]! > 0 ? z[i]! : 0;
      return;
    case 'tanh':
      for (let i = 0; i < len; i++) a[i] = Math.tanh(z[i]!);
      return;
    case 'erf':
      for (let i = 0; i < len; i++) a[i] = erf(z[i]!);
      return;
    case 'linear':
      for (let i = 0; i < len; i++) a[i] = z[i]!;
      return;
  }
}

/**
 * φ'(z) into d, read from h = φ(z) where that is exact: tanh' = 1 − tanh², relu' = [h > 0] (h > 0 ⇔ z > 0), so the
 * backward pass never re-evaluates tanh. Same values as activateDeriv(z).
 */
export function derivInto(act: Activation, z: Float64Array, h: Float64Array, d: Float64Array, len: number): void {
  switch (act) {
    case 'relu':
      for (let i = 0; i < len; i++) d[i] = h[i]! > 0 ? 1 : 0;
      return;
    case 'tanh':
      for (let i = 0; i < len; i++) {
        const t = h[i]!;
        d[i] = 1 - t * t;
      }
      return;
    case 'erf':
      for (let i = 0; i < len; i++) d[i] = TWO_OVER_SQRT_PI * Math.exp(-z[i]! * z[i]!);
      return;
    case 'linear':
      d.fill(1, 0, len);
      return;
  }
}

/** Buffers for forward and backward passes of one network on batches of `rows` inputs, all in one wasm arena. */
export interface Workspace {
  rows: number;
  /** pre[l] = z^{l+1}; post[l] = h^l (post[0] is the input, set by forwardInto). */
  pre: Mat[];
  post: Mat[];
  deltas: Mat[];
  grads: Grad[];
  /** φ'(z^l) for hidden layers, scratch for backwardInto. */
  deriv: Float64Array[];
  /** The arena that holds every buffer here; `extra` views are taken from it by the caller (makeWorkspace opts). */
  arena: Arena;
  /** Room for arena copies of what lives elsewhere: the input, each layer's W and b, dOut; Wᵀ scratch. */
  x: Float64Array;
  W: Float64Array[];
  b: Float64Array[];
  dOut: Float64Array;
  wt: Float64Array;
}

/**
 * A workspace for `rows` inputs; `backward: false` allocates only the forward buffers (pre, post), `grads: false`
 * no parameter-gradient buffers (for backwardInto(..., { grads: false })). `extra`: lengths of further f64 arrays the
 * caller will take from ws.arena (a training loop's optimizer state), so they share the one arena.
 */
export function makeWorkspace(net: Mlp, rows: number, opts: WorkspaceOpts & { extra?: readonly number[] } = {}): Workspace {
  const arena = Arena.forSizes([...workspaceSizes(net, rows, opts), ...(opts.extra ?? [])]);
  return buildWorkspace(net, rows, opts, arena, (n) => arena.f64(n));
}

interface WorkspaceOpts {
  backward?: boolean;
  grads?: boolean;
}

/** The lengths of the arrays buildWorkspace takes, in its order. */
function workspaceSizes(net: Mlp, rows: number, opts: WorkspaceOpts): number[] {
  const L = net.layers.length;
  const back = opts.backward !== false;
  const outs = net.layers.map((l) => rows * l.nOut);
  return [
    ...outs, // pre
    ...outs.slice(0, L - 1), // post[1..]
    rows * net.layers[0]!.nIn, // x
    ...net.layers.flatMap((l) => [l.nIn * l.nOut, l.nOut]), // W, b
    ...(back ? [...outs.slice(0, L - 1), ...outs.slice(0, L - 1), outs[L - 1]!, wtSize(net)] : []), // deltas, deriv, dOut, wt
    ...(back && opts.grads !== false ? net.layers.flatMap((l) => [l.nIn * l.nOut, l.nOut]) : []), // grads
  ];
}

const wtSize = (net: Mlp) => Math.max(0, ...net.layers.slice(1).map((l) => l.nIn * l.nOut));

/** A workspace whose arrays come from take(n) (views of `arena`), in workspaceSizes' order. */
function buildWorkspace(net: Mlp, rows: number, opts: WorkspaceOpts, arena: Arena, take: (n: number) => Float64Array): Workspace {
  const L = net.layers.length;
  const pre = net.layers.map((l) => mat(rows, l.nOut, take(rows * l.nOut)));
  // post[0] is a placeholder until forwardInto points it at the input.
  const post = [{ rows, cols: net.layers[0]!.nIn, data: new Float64Array(0) }, ...net.layers.slice(0, L - 1).map((l) => mat(rows, l.nOut, take(rows * l.nOut)))];
  const x = take(rows * net.layers[0]!.nIn);
  const W: Float64Array[] = [];
  const b: Float64Array[] = [];
  for (const l of net.layers) {
    W.push(take(l.nIn * l.nOut));
    b.push(take(l.nOut));
  }
  const ws: Workspace = { rows, pre, post, arena, x, W, b, deltas: [], grads: [], deriv: [], dOut: new Float64Array(0), wt: new Float64Array(0) };
  if (opts.backward === false) return ws;
  ws.deltas = net.layers.slice(0, L - 1).map((l) => mat(rows, l.nOut, take(rows * l.nOut)));
  ws.deriv = net.layers.slice(0, L - 1).map((l) => take(rows * l.nOut));
  ws.dOut = take(rows * net.layers[L - 1]!.nOut);
  ws.wt = take(wtSize(net));
  ws.deltas.push(mat(rows, net.layers[L - 1]!.nOut, ws.dOut));
  if (opts.grads !== false) ws.grads = net.layers.map((l) => ({ W: take(l.nIn * l.nOut), b: take(l.nOut) }));
  return ws;
}

/**
 * forwardTrace into a workspace: ws.post[0] becomes X itself (copied into the arena only when X lives elsewhere).
 * Returns the trace it filled.
 */
export function forwardInto(net: Mlp, X: Mat, ws: Workspace): Trace {
  if (X.rows !== ws.rows) throw new Error(`workspace holds ${ws.rows} rows, got ${X.rows}`);
  ws.post[0] = X;
  const L = net.layers.length;
  let h = X;
  let hp = 0;
  for (let l = 0; l < L; l++) {
    const layer = net.layers[l]!;
    if (h.cols !== layer.nIn) throw new Error(`layer expects ${layer.nIn} inputs, got ${h.cols}`);
    if (l === 0) hp = inArena(ws.arena, X.data, ws.x);
    const s = layerScales(net, layer.nIn);
    const z = ws.pre[l]!;
    affineLayer(ws, l, layer, hp, X.rows, s.w, s.b, z.data);
    if (l < L - 1) {
      h = ws.post[l + 1]!;
      hp = ws.arena.ptr(h.data);
      activateArena(ws.arena, net.activation, z.data, h.data);
    }
  }
  return { pre: ws.pre, post: ws.post };
}

/**
 * backward into a workspace (trace from forwardInto or forwardTrace on the same rows); returns ws.grads and ws.deltas
 * (ws.deltas' last entry is dOut itself). With `grads: false` only the signals δ are computed (ws.grads untouched):
 * what the empirical NTK needs.
 */
export function backwardInto(net: Mlp, trace: Trace, dOut: Mat, ws: Workspace, opts: { grads?: boolean } = {}): { grads: Grad[]; deltas: Mat[] } {
  const wantGrads = opts.grads !== false;
  if (wantGrads && ws.grads.length === 0) throw new Error('the workspace has no gradient buffers (made with grads: false)');
  const k = kernelsOf(ws.arena);
  const { arena } = ws;
  const L = net.layers.length;
  const rows = dOut.rows;
  if (rows !== ws.rows) throw new Error(`workspace holds ${ws.rows} rows, got ${rows}`);
  let dp = inArena(arena, dOut.data, ws.dOut);
  ws.deltas[L - 1] = dOut;
  for (let l = L - 1; l >= 0; l--) {
    const layer = net.layers[l]!;
    const { nIn, nOut } = layer;
    const h = trace.post[l]!.data;
    const hp = inArena(arena, h, l === 0 ? ws.x : ws.post[l]!.data);
    const s = layerScales(net, nIn);
    if (wantGrads) {
      // gW = s_w·hᵀδ, gb = s_b·Σ_i δ_i (x·1 = x, so the scaling is skipped at 1 as the plain loops' values allow)
      const g = ws.grads[l]!;
      const gw = arena.ptr(g.W);
      const gb = arena.ptr(g.b);
      k.mlp_gemm(hp, 1, nIn, nIn, rows, dp, nOut, gw, 1);
      if (s.w !== 1) k.mlp_scale(gw, nIn * nOut, s.w);
      k.mlp_colsum(dp, rows, nOut, gb);
      if (s.b !== 1) k.mlp_scale(gb, nOut, s.b);
    }
    if (l > 0) {
      // ∂L/∂h^{l} = s_w·δ·Wᵀ, then ⊙ φ'(z^{l}).
      const d = ws.deriv[l - 1]!;
      derivArena(arena, net.activation, trace.pre[l - 1]!.data, hp, d);
      const wt = arena.ptr(ws.wt);
      k.mlp_transpose(inArena(arena, layer.W, ws.W[l]!), nIn, nOut, wt);
      const next = arena.ptr(ws.deltas[l - 1]!.data);
      k.mlp_gemm(dp, nOut, 1, rows, nOut, wt, nIn, next, 0);
      k.mlp_scale_mul(next, arena.ptr(d), rows * nIn, s.w);
      dp = next;
    }
  }
  return { grads: ws.grads, deltas: ws.deltas };
}

// One-off passes (forwardTrace, forward, backward, backwardDeltas, affine) carve a workspace out of one shared
// scratch arena (replaced by a twice larger one when a pass needs more) and copy their results out, so they allocate
// plain arrays as before but create no wasm memory per call (one costs ≈ 0.15 ms, and many strain the address space).
// Nothing keeps a view of it between calls. Its buffers are not zeroed: every kernel overwrites what it writes.
let scratch: { arena: Arena; all: Float64Array } | undefined;

function scratchWorkspace(net: Mlp, rows: number, kind: 'forward' | 'backward' | 'deltas'): Workspace {
  const opts = kind === 'forward' ? { backward: false } : { grads: kind === 'backward' };
  const sizes = workspaceSizes(net, rows, opts);
  const need = sizes.reduce((s, n) => s + n + (n & 1), 0); // each view 16-byte aligned, as Arena.f64
  if (!scratch || scratch.all.length < need) {
    const n = Math.max(need, 2 * (scratch?.all.length ?? 0), 8192);
    const arena = Arena.forSizes([n]);
    scratch = { arena, all: arena.f64(n) };
  }
  const { all } = scratch;
  let top = 0;
  return buildWorkspace(net, rows, opts, scratch.arena, (n) => {
    const v = all.subarray(top, top + n);
    top += n + (n & 1);
    return v;
  });
}

const copyMat = (m: Mat): Mat => ({ rows: m.rows, cols: m.cols, data: m.data.slice() });

/** z = s_w·h·W + s_b·b for a batch. */
export function affine(h: Mat, layer: Layer, sw: number, sb: number): Mat {
  if (h.cols !== layer.nIn) throw new Error(`layer expects ${layer.nIn} inputs, got ${h.cols}`);
  const one: Mlp = { activation: 'linear', parameterization: 'standard', sigmaW: 1, sigmaB: 1, layers: [layer] };
  const ws = scratchWorkspace(one, h.rows, 'forward');
  affineLayer(ws, 0, layer, inArena(ws.arena, h.data, ws.x), h.rows, sw, sb, ws.pre[0]!.data);
  return copyMat(ws.pre[0]!);
}

export function forwardTrace(net: Mlp, X: Mat): Trace {
  const t = forwardInto(net, X, scratchWorkspace(net, X.rows, 'forward'));
  return { pre: t.pre.map(copyMat), post: [X, ...t.post.slice(1).map(copyMat)] };
}

/** f(X): n×n_out. */
export function forward(net: Mlp, X: Mat): Mat {
  return copyMat(forwardInto(net, X, scratchWorkspace(net, X.rows, 'forward')).pre.at(-1)!);
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
  const r = backwardInto(net, trace, dOut, scratchWorkspace(net, dOut.rows, 'backward'));
  return { grads: r.grads.map((g) => ({ W: g.W.slice(), b: g.b.slice() })), deltas: r.deltas.map((d) => (d === dOut ? d : copyMat(d))) };
}

/** The signals delta[l] = ∂L/∂z^{l+1} of `backward` without the parameter gradients (half the work, no n_in×n_out buffers). */
export function backwardDeltas(net: Mlp, trace: Trace, dOut: Mat): Mat[] {
  return backwardInto(net, trace, dOut, scratchWorkspace(net, dOut.rows, 'deltas'), { grads: false }).deltas.map((d) => (d === dOut ? d : copyMat(d)));
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
