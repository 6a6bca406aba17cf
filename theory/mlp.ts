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
  if (h.cols !== layer.nIn) throw new Error(`layer expects ${layer.nIn} inputs, got ${h.cols}`);
  const out = new Float64Array(h.rows * layer.nOut);
  affineInto(h.data, h.rows, layer, sw, sb, out);
  return { rows: h.rows, cols: layer.nOut, data: out };
}

// The kernels below write into caller-owned buffers, so a training loop allocates nothing per step. Loop order is
// i-k-j (the inner loop runs along contiguous rows of W and of the output) and every sum is accumulated in the same
// order as the plain definitions, so results are bit-identical to a naive float64 evaluation in that order.

/** out (rows×nOut, overwritten) = s_w·h·W + s_b·b. */
function affineInto(h: Float64Array, rows: number, layer: Layer, sw: number, sb: number, out: Float64Array): void {
  const { nIn, nOut, W, b } = layer;
  if (nOut === 1) return affineInto1(h, rows, nIn, W, sw, sb * b[0]!, out);
  out.fill(0, 0, rows * nOut);
  let i = 0;
  // Two rows and four inputs per pass: each loaded W entry serves both rows. Every output still sums its terms in
  // input order (k, k+1, k+2, k+3), so the bits are those of the plain loop.
  for (; i + 1 < rows; i += 2) {
    const o = i * nOut;
    const p = o + nOut;
    const hi = i * nIn;
    const gi = hi + nIn;
    let k = 0;
    for (; k + 3 < nIn; k += 4) {
      const h0 = h[hi + k]!;
      const h1 = h[hi + k + 1]!;
      const h2 = h[hi + k + 2]!;
      const h3 = h[hi + k + 3]!;
      const g0 = h[gi + k]!;
      const g1 = h[gi + k + 1]!;
      const g2 = h[gi + k + 2]!;
      const g3 = h[gi + k + 3]!;
      if (h0 !== 0 && h1 !== 0 && h2 !== 0 && h3 !== 0 && g0 !== 0 && g1 !== 0 && g2 !== 0 && g3 !== 0) {
        const r0 = k * nOut;
        const r1 = r0 + nOut;
        const r2 = r1 + nOut;
        const r3 = r2 + nOut;
        for (let j = 0; j < nOut; j++) {
          const w0 = W[r0 + j]!;
          const w1 = W[r1 + j]!;
          const w2 = W[r2 + j]!;
          const w3 = W[r3 + j]!;
          out[o + j] = out[o + j]! + h0 * w0 + h1 * w1 + h2 * w2 + h3 * w3;
          out[p + j] = out[p + j]! + g0 * w0 + g1 * w1 + g2 * w2 + g3 * w3;
        }
      } else {
        rowBlock4(h, hi, k, W, nOut, out, o);
        rowBlock4(h, gi, k, W, nOut, out, p);
      }
    }
    for (; k < nIn; k++) {
      axpyRow(h[hi + k]!, W, k * nOut, out, o, nOut);
      axpyRow(h[gi + k]!, W, k * nOut, out, p, nOut);
    }
    for (let j = 0; j < nOut; j++) {
      out[o + j] = sw * out[o + j]! + sb * b[j]!;
      out[p + j] = sw * out[p + j]! + sb * b[j]!;
    }
  }
  for (; i < rows; i++) {
    const o = i * nOut;
    const hi = i * nIn;
    let k = 0;
    for (; k + 3 < nIn; k += 4) rowBlock4(h, hi, k, W, nOut, out, o);
    for (; k < nIn; k++) axpyRow(h[hi + k]!, W, k * nOut, out, o, nOut);
    for (let j = 0; j < nOut; j++) out[o + j] = sw * out[o + j]! + sb * b[j]!;
  }
}

/**
 * affineInto for one output unit: out_i = s_w·Σ_k h_ik·w_k + s_b·b, each sum over k in order with zero h skipped
 * (the general loop's order), kept in registers; four rows at a time so four independent add chains overlap.
 */
function affineInto1(h: Float64Array, rows: number, nIn: number, w: Float64Array, sw: number, bias: number, out: Float64Array): void {
  let i = 0;
  for (; i + 3 < rows; i += 4) {
    const h0 = i * nIn;
    const h1 = h0 + nIn;
    const h2 = h1 + nIn;
    const h3 = h2 + nIn;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let k = 0; k < nIn; k++) {
      const wk = w[k]!;
      const x0 = h[h0 + k]!;
      const x1 = h[h1 + k]!;
      const x2 = h[h2 + k]!;
      const x3 = h[h3 + k]!;
      // Adding +0 leaves a sum unchanged (it is never −0: it starts at +0), so a skipped zero term is a no-op; only
      // 0·∞ = NaN would differ, and that is why the term is skipped rather than added.
      if (x0 !== 0) a0 += x0 * wk;
      if (x1 !== 0) a1 += x1 * wk;
      if (x2 !== 0) a2 += x2 * wk;
      if (x3 !== 0) a3 += x3 * wk;
    }
    out[i] = sw * a0 + bias;
    out[i + 1] = sw * a1 + bias;
    out[i + 2] = sw * a2 + bias;
    out[i + 3] = sw * a3 + bias;
  }
  for (; i < rows; i++) {
    const hi = i * nIn;
    let a = 0;
    for (let k = 0; k < nIn; k++) {
      const x = h[hi + k]!;
      if (x !== 0) a += x * w[k]!;
    }
    out[i] = sw * a + bias;
  }
}

/** One output row += inputs k..k+3 of row `hi` times rows k..k+3 of W, in that order; zero inputs skipped. */
function rowBlock4(h: Float64Array, hi: number, k: number, W: Float64Array, nOut: number, out: Float64Array, o: number): void {
  const h0 = h[hi + k]!;
  const h1 = h[hi + k + 1]!;
  const h2 = h[hi + k + 2]!;
  const h3 = h[hi + k + 3]!;
  if (h0 !== 0 && h1 !== 0 && h2 !== 0 && h3 !== 0) {
    const r0 = k * nOut;
    const r1 = r0 + nOut;
    const r2 = r1 + nOut;
    const r3 = r2 + nOut;
    for (let j = 0; j < nOut; j++) out[o + j] = out[o + j]! + h0 * W[r0 + j]! + h1 * W[r1 + j]! + h2 * W[r2 + j]! + h3 * W[r3 + j]!;
  } else {
    for (let q = k; q < k + 4; q++) axpyRow(h[hi + q]!, W, q * nOut, out, o, nOut);
  }
}

/** y[yo..yo+len) += a·x[xo..xo+len), skipped when a = 0 (as the plain loops always did). */
function axpyRow(a: number, x: Float64Array, xo: number, y: Float64Array, yo: number, len: number): void {
  if (a === 0) return;
  for (let j = 0; j < len; j++) y[yo + j]! += a * x[xo + j]!;
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

/** Buffers for forward and backward passes of one network on batches of `rows` inputs. */
export interface Workspace {
  rows: number;
  /** pre[l] = z^{l+1}; post[l] = h^l (post[0] is the input, set by forwardInto). */
  pre: Mat[];
  post: Mat[];
  deltas: Mat[];
  grads: Grad[];
  /** φ'(z^l) for hidden layers, scratch for backwardInto. */
  deriv: Float64Array[];
}

/**
 * A workspace for `rows` inputs; `backward: false` allocates only the forward buffers (pre, post), `grads: false`
 * no parameter-gradient buffers (for backwardInto(..., { grads: false })).
 */
export function makeWorkspace(net: Mlp, rows: number, opts: { backward?: boolean; grads?: boolean } = {}): Workspace {
  const L = net.layers.length;
  const pre = net.layers.map((l) => mat(rows, l.nOut));
  // post[0] is a placeholder until forwardInto points it at the input.
  const post = [{ rows, cols: net.layers[0]!.nIn, data: new Float64Array(0) }, ...net.layers.slice(0, L - 1).map((l) => mat(rows, l.nOut))];
  if (opts.backward === false) return { rows, pre, post, deltas: [], grads: [], deriv: [] };
  const deltas = net.layers.map((l) => mat(rows, l.nOut));
  const grads = opts.grads === false ? [] : net.layers.map((l) => ({ W: new Float64Array(l.nIn * l.nOut), b: new Float64Array(l.nOut) }));
  const deriv = net.layers.slice(0, L - 1).map((l) => new Float64Array(rows * l.nOut));
  return { rows, pre, post, deltas, grads, deriv };
}

/** forwardTrace into a workspace: ws.post[0] becomes X itself (not copied). Returns the trace it filled. */
export function forwardInto(net: Mlp, X: Mat, ws: Workspace): Trace {
  if (X.rows !== ws.rows) throw new Error(`workspace holds ${ws.rows} rows, got ${X.rows}`);
  ws.post[0] = X;
  const L = net.layers.length;
  let h = X;
  for (let l = 0; l < L; l++) {
    const layer = net.layers[l]!;
    if (h.cols !== layer.nIn) throw new Error(`layer expects ${layer.nIn} inputs, got ${h.cols}`);
    const s = layerScales(net, layer.nIn);
    const z = ws.pre[l]!;
    affineInto(h.data, X.rows, layer, s.w, s.b, z.data);
    if (l < L - 1) {
      h = ws.post[l + 1]!;
      activateInto(net.activation, z.data, h.data, z.data.length);
    }
  }
  return { pre: ws.pre, post: ws.post };
}

/**
 * backward into a workspace (trace from forwardInto or forwardTrace on the same rows); returns ws.grads and ws.deltas.
 * With `grads: false` only the signals δ are computed (ws.grads untouched): what the empirical NTK needs.
 */
export function backwardInto(net: Mlp, trace: Trace, dOut: Mat, ws: Workspace, opts: { grads?: boolean } = {}): { grads: Grad[]; deltas: Mat[] } {
  const wantGrads = opts.grads !== false;
  const L = net.layers.length;
  const rows = dOut.rows;
  let delta = dOut.data;
  for (let l = L - 1; l >= 0; l--) {
    const layer = net.layers[l]!;
    const { nIn, nOut, W } = layer;
    const h = trace.post[l]!.data;
    const s = layerScales(net, nIn);
    if (l === L - 1) ws.deltas[l] = dOut;
    const sw = s.w;
    if (wantGrads) gradsInto(delta, h, rows, nIn, nOut, sw, s.b, ws.grads[l]!);
    if (l > 0) {
      // ∂L/∂h^{l} = s_w·delta·Wᵀ, then ⊙ φ'(z^{l}).
      const d = ws.deriv[l - 1]!;
      derivInto(net.activation, trace.pre[l - 1]!.data, h, d, rows * nIn);
      const next = ws.deltas[l - 1]!.data;
      deltaInto(delta, W, d, rows, nIn, nOut, sw, next);
      delta = next;
    }
  }
  return { grads: ws.grads, deltas: ws.deltas };
}

/**
 * next_ik = s_w·(Σ_j δ_ij·W_kj)·d_ik, each sum over j in order from +0. Two rows and four k per pass: eight
 * independent sums, and every loaded δ and W entry serves two of them.
 */
function deltaInto(delta: Float64Array, W: Float64Array, d: Float64Array, rows: number, nIn: number, nOut: number, sw: number, next: Float64Array): void {
  if (nOut === 1) {
    // One output: the sum has the single term 0 + δ_i·W_k (the 0 + keeps a −0 product +0, as the loop below does).
    for (let i = 0; i < rows; i++) {
      const di = delta[i]!;
      const ni = i * nIn;
      for (let k = 0; k < nIn; k++) next[ni + k] = sw * (0 + di * W[k]!) * d[ni + k]!;
    }
    return;
  }
  let i = 0;
  for (; i + 1 < rows; i += 2) {
    const drow = i * nOut;
    const erow = drow + nOut;
    const ni = i * nIn;
    const mi = ni + nIn;
    let k = 0;
    for (; k + 3 < nIn; k += 4) {
      const r0 = k * nOut;
      const r1 = r0 + nOut;
      const r2 = r1 + nOut;
      const r3 = r2 + nOut;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let c0 = 0;
      let c1 = 0;
      let c2 = 0;
      let c3 = 0;
      for (let j = 0; j < nOut; j++) {
        const dj = delta[drow + j]!;
        const ej = delta[erow + j]!;
        const w0 = W[r0 + j]!;
        const w1 = W[r1 + j]!;
        const w2 = W[r2 + j]!;
        const w3 = W[r3 + j]!;
        a0 += dj * w0;
        a1 += dj * w1;
        a2 += dj * w2;
        a3 += dj * w3;
        c0 += ej * w0;
        c1 += ej * w1;
        c2 += ej * w2;
        c3 += ej * w3;
      }
      next[ni + k] = sw * a0 * d[ni + k]!;
      next[ni + k + 1] = sw * a1 * d[ni + k + 1]!;
      next[ni + k + 2] = sw * a2 * d[ni + k + 2]!;
      next[ni + k + 3] = sw * a3 * d[ni + k + 3]!;
      next[mi + k] = sw * c0 * d[mi + k]!;
      next[mi + k + 1] = sw * c1 * d[mi + k + 1]!;
      next[mi + k + 2] = sw * c2 * d[mi + k + 2]!;
      next[mi + k + 3] = sw * c3 * d[mi + k + 3]!;
    }
    for (; k < nIn; k++) {
      const row = k * nOut;
      let a = 0;
      let c = 0;
      for (let j = 0; j < nOut; j++) {
        const w = W[row + j]!;
        a += delta[drow + j]! * w;
        c += delta[erow + j]! * w;
      }
      next[ni + k] = sw * a * d[ni + k]!;
      next[mi + k] = sw * c * d[mi + k]!;
    }
  }
  for (; i < rows; i++) {
    const drow = i * nOut;
    const ni = i * nIn;
    for (let k = 0; k < nIn; k++) {
      let acc = 0;
      const row = k * nOut;
      for (let j = 0; j < nOut; j++) acc += delta[drow + j]! * W[row + j]!;
      next[ni + k] = sw * acc * d[ni + k]!;
    }
  }
}

/** gW = s_w·hᵀδ, gb = s_b·Σ_i δ_i into g (overwritten); sums run over the samples in order. */
function gradsInto(delta: Float64Array, h: Float64Array, rows: number, nIn: number, nOut: number, sw: number, sb: number, g: Grad): void {
  const gW = g.W;
  const gb = g.b;
  gW.fill(0);
  gb.fill(0);
  if (nOut === 1) return gradsInto1(delta, h, rows, nIn, sw, sb, gW, gb);
  let i = 0;
  // Four samples per pass over gW (fewer loads and stores); each entry still sums its terms in sample order.
  for (; i + 3 < rows; i += 4) {
    const d0 = i * nOut;
    const d1 = d0 + nOut;
    const d2 = d1 + nOut;
    const d3 = d2 + nOut;
    for (let j = 0; j < nOut; j++) gb[j] = gb[j]! + delta[d0 + j]! + delta[d1 + j]! + delta[d2 + j]! + delta[d3 + j]!;
    const h0i = i * nIn;
    let k = 0;
    // Two inputs k, k+1 per pass: each loaded δ serves both rows of gW (each entry's sum order is unchanged).
    for (; k + 1 < nIn; k += 2) {
      const a0 = h[h0i + k]!;
      const a1 = h[h0i + nIn + k]!;
      const a2 = h[h0i + 2 * nIn + k]!;
      const a3 = h[h0i + 3 * nIn + k]!;
      const c0 = h[h0i + k + 1]!;
      const c1 = h[h0i + nIn + k + 1]!;
      const c2 = h[h0i + 2 * nIn + k + 1]!;
      const c3 = h[h0i + 3 * nIn + k + 1]!;
      const row = k * nOut;
      const row2 = row + nOut;
      if (a0 !== 0 && a1 !== 0 && a2 !== 0 && a3 !== 0 && c0 !== 0 && c1 !== 0 && c2 !== 0 && c3 !== 0) {
        for (let j = 0; j < nOut; j++) {
          const e0 = delta[d0 + j]!;
          const e1 = delta[d1 + j]!;
          const e2 = delta[d2 + j]!;
          const e3 = delta[d3 + j]!;
          gW[row + j] = gW[row + j]! + a0 * e0 + a1 * e1 + a2 * e2 + a3 * e3;
          gW[row2 + j] = gW[row2 + j]! + c0 * e0 + c1 * e1 + c2 * e2 + c3 * e3;
        }
      } else {
        axpyRow(a0, delta, d0, gW, row, nOut);
        axpyRow(a1, delta, d1, gW, row, nOut);
        axpyRow(a2, delta, d2, gW, row, nOut);
        axpyRow(a3, delta, d3, gW, row, nOut);
        axpyRow(c0, delta, d0, gW, row2, nOut);
        axpyRow(c1, delta, d1, gW, row2, nOut);
        axpyRow(c2, delta, d2, gW, row2, nOut);
        axpyRow(c3, delta, d3, gW, row2, nOut);
      }
    }
    for (; k < nIn; k++) {
      const a0 = h[h0i + k]!;
      const a1 = h[h0i + nIn + k]!;
      const a2 = h[h0i + 2 * nIn + k]!;
      const a3 = h[h0i + 3 * nIn + k]!;
      const row = k * nOut;
      if (a0 !== 0 && a1 !== 0 && a2 !== 0 && a3 !== 0) {
        for (let j = 0; j < nOut; j++) {
          gW[row + j] = gW[row + j]! + a0 * delta[d0 + j]! + a1 * delta[d1 + j]! + a2 * delta[d2 + j]! + a3 * delta[d3 + j]!;
        }
      } else {
        axpyRow(a0, delta, d0, gW, row, nOut);
        axpyRow(a1, delta, d1, gW, row, nOut);
        axpyRow(a2, delta, d2, gW, row, nOut);
        axpyRow(a3, delta, d3, gW, row, nOut);
      }
    }
  }
  for (; i < rows; i++) {
    const drow = i * nOut;
    for (let j = 0; j < nOut; j++) gb[j]! += delta[drow + j]!;
    const hi = i * nIn;
    for (let k = 0; k < nIn; k++) axpyRow(h[hi + k]!, delta, drow, gW, k * nOut, nOut);
  }
  if (sw !== 1) for (let q = 0; q < gW.length; q++) gW[q]! *= sw;
  if (sb !== 1) for (let j = 0; j < nOut; j++) gb[j]! *= sb;
}

/**
 * gradsInto for one output unit (gW, gb zeroed): gW_k = s_w·Σ_i h_ik·δ_i and gb = s_b·Σ_i δ_i, sums over i in order
 * with zero h skipped, four samples per pass over gW.
 */
function gradsInto1(delta: Float64Array, h: Float64Array, rows: number, nIn: number, sw: number, sb: number, gW: Float64Array, gb: Float64Array): void {
  let b = 0;
  let i = 0;
  for (; i + 3 < rows; i += 4) {
    const d0 = delta[i]!;
    const d1 = delta[i + 1]!;
    const d2 = delta[i + 2]!;
    const d3 = delta[i + 3]!;
    b = b + d0 + d1 + d2 + d3;
    const h0 = i * nIn;
    const h1 = h0 + nIn;
    const h2 = h1 + nIn;
    const h3 = h2 + nIn;
    for (let k = 0; k < nIn; k++) {
      let acc = gW[k]!;
      const a0 = h[h0 + k]!;
      const a1 = h[h1 + k]!;
      const a2 = h[h2 + k]!;
      const a3 = h[h3 + k]!;
      if (a0 !== 0) acc += a0 * d0;
      if (a1 !== 0) acc += a1 * d1;
      if (a2 !== 0) acc += a2 * d2;
      if (a3 !== 0) acc += a3 * d3;
      gW[k] = acc;
    }
  }
  for (; i < rows; i++) {
    const di = delta[i]!;
    b += di;
    const hi = i * nIn;
    for (let k = 0; k < nIn; k++) {
      const a = h[hi + k]!;
      if (a !== 0) gW[k]! += a * di;
    }
  }
  gb[0] = b;
  if (sw !== 1) for (let k = 0; k < nIn; k++) gW[k]! *= sw;
  if (sb !== 1) gb[0] = b * sb;
}

export function forwardTrace(net: Mlp, X: Mat): Trace {
  return forwardInto(net, X, makeWorkspace(net, X.rows, { backward: false }));
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
  return backwardInto(net, trace, dOut, makeWorkspace(net, dOut.rows));
}

/** The signals delta[l] = ∂L/∂z^{l+1} of `backward` without the parameter gradients (half the work, no n_in×n_out buffers). */
export function backwardDeltas(net: Mlp, trace: Trace, dOut: Mat): Mat[] {
  return backwardInto(net, trace, dOut, makeWorkspace(net, dOut.rows, { grads: false }), { grads: false }).deltas;
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
