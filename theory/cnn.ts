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
import { type LossKind, lossAndGrad } from './loss.ts';
import { activateInto, affine, derivInto, flattenGrads, layerScales, type Activation, type Mat, type NormalSource, type Parameterization } from './mlp.ts';

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

/** Conv of a batch: z[p, i, j, o] = s_w·Σ h[p, i·s+a−pt, j·s+b−pl, c]·W[a,b,c,o] + s_b·b[o]. */
function convForward(h: Mat, sIn: Shape & { kind: 'map' }, l: ConvLayer, sOut: Shape & { kind: 'map' }, sw: number, sb: number): Mat {
  const { kh, kw, cin, cout, stride, W, b } = l;
  const pt = convAxis(sIn.h, kh, stride, l.padding).before;
  const pl = convAxis(sIn.w, kw, stride, l.padding).before;
  const inSize = sIn.h * sIn.w * sIn.c;
  const outSize = sOut.h * sOut.w * cout;
  const out = new Float64Array(h.rows * outSize);
  const acc = new Float64Array(cout);
  // One output position's nonzero terms in (a, b, c) order: input value and W row offset. Four terms per pass over
  // acc; each acc[o] still adds its terms one by one in that order, so the bits are those of the plain loop.
  const tx = new Float64Array(kh * kw * cin);
  const tw = new Int32Array(kh * kw * cin);
  const x = h.data;
  for (let p = 0; p < h.rows; p++) {
    const hb = p * inSize;
    for (let i = 0; i < sOut.h; i++) {
      for (let j = 0; j < sOut.w; j++) {
        let nt = 0;
        for (let a = 0; a < kh; a++) {
          const ii = i * stride + a - pt;
          if (ii < 0 || ii >= sIn.h) continue;
          for (let bb = 0; bb < kw; bb++) {
            const jj = j * stride + bb - pl;
            if (jj < 0 || jj >= sIn.w) continue;
            const xo = hb + (ii * sIn.w + jj) * cin;
            const wo = (a * kw + bb) * cin * cout;
            for (let c = 0; c < cin; c++) {
              const v = x[xo + c]!;
              if (v === 0) continue;
              tx[nt] = v;
              tw[nt] = wo + c * cout;
              nt++;
            }
          }
        }
        const zo = p * outSize + (i * sOut.w + j) * cout;
        if (cout <= 4) {
          // Few channels (the F-Principle CNNs have 2–4): every output's sum in a register, terms in order.
          let a0 = 0;
          let a1 = 0;
          let a2 = 0;
          let a3 = 0;
          for (let t = 0; t < nt; t++) {
            const v = tx[t]!;
            const r = tw[t]!;
            a0 += v * W[r]!;
            if (cout > 1) a1 += v * W[r + 1]!;
            if (cout > 2) a2 += v * W[r + 2]!;
            if (cout > 3) a3 += v * W[r + 3]!;
          }
          out[zo] = sw * a0 + sb * b[0]!;
          if (cout > 1) out[zo + 1] = sw * a1 + sb * b[1]!;
          if (cout > 2) out[zo + 2] = sw * a2 + sb * b[2]!;
          if (cout > 3) out[zo + 3] = sw * a3 + sb * b[3]!;
          continue;
        }
        acc.fill(0);
        let t = 0;
        for (; t + 3 < nt; t += 4) {
          const x0 = tx[t]!;
          const x1 = tx[t + 1]!;
          const x2 = tx[t + 2]!;
          const x3 = tx[t + 3]!;
          const r0 = tw[t]!;
          const r1 = tw[t + 1]!;
          const r2 = tw[t + 2]!;
          const r3 = tw[t + 3]!;
          for (let o = 0; o < cout; o++) acc[o] = acc[o]! + x0 * W[r0 + o]! + x1 * W[r1 + o]! + x2 * W[r2 + o]! + x3 * W[r3 + o]!;
        }
        for (; t < nt; t++) {
          const v = tx[t]!;
          const r = tw[t]!;
          for (let o = 0; o < cout; o++) acc[o]! += v * W[r + o]!;
        }
        for (let o = 0; o < cout; o++) out[zo + o] = sw * acc[o]! + sb * b[o]!;
      }
    }
  }
  return { rows: h.rows, cols: outSize, data: out };
}

/** k×k pooling with stride k, no padding; a remainder row or column is dropped. Max also records argmaxes. */
function poolForward(h: Mat, sIn: Shape & { kind: 'map' }, l: PoolLayer, sOut: Shape & { kind: 'map' }): { out: Mat; argmax: Int32Array | null } {
  const k = l.size;
  const C = sIn.c;
  const inSize = sIn.h * sIn.w * C;
  const outSize = sOut.h * sOut.w * C;
  const out = new Float64Array(h.rows * outSize);
  const isMax = l.type === 'maxpool';
  const argmax = isMax ? new Int32Array(h.rows * outSize) : null;
  for (let p = 0; p < h.rows; p++) {
    for (let i = 0; i < sOut.h; i++) {
      for (let j = 0; j < sOut.w; j++) {
        for (let c = 0; c < C; c++) {
          let best = -Infinity;
          let where = -1;
          let sum = 0;
          for (let a = 0; a < k; a++) {
            for (let bb = 0; bb < k; bb++) {
              const q = ((i * k + a) * sIn.w + (j * k + bb)) * C + c;
              const v = h.data[p * inSize + q]!;
              sum += v;
              if (v > best) {
                best = v;
                where = q;
              }
            }
          }
          const o = p * outSize + (i * sOut.w + j) * C + c;
          if (isMax) {
            out[o] = best;
            argmax![o] = where;
          } else out[o] = sum / (k * k);
        }
      }
    }
  }
  return { out: { rows: h.rows, cols: outSize, data: out }, argmax };
}

function activated(net: Cnn, z: Mat): Mat {
  const a = new Float64Array(z.data.length);
  activateInto(net.activation, z.data, a, a.length);
  return { rows: z.rows, cols: z.cols, data: a };
}

/** A forward pass over a batch X (n × H·W·C), recording what backwardCnn needs. */
export function cnnTrace(net: Cnn, X: Mat): CnnTrace {
  const shapes = cnnShapes(net);
  if (X.cols !== cnnInputDim(net)) throw new Error(`points have ${X.cols} entries, the network's input ${net.input.join('×')} has ${cnnInputDim(net)}`);
  const inputs: Mat[] = [];
  const pre: (Mat | null)[] = [];
  const argmax: (Int32Array | null)[] = [];
  let h = X;
  const last = net.layers.length - 1;
  net.layers.forEach((l, i) => {
    inputs.push(h);
    const sIn = inShape(net, shapes, i);
    const sOut = shapes[i]!;
    if (l.type === 'conv' || l.type === 'dense') {
      const s = cnnScales(net, l);
      const z =
        l.type === 'dense'
          ? affine(h, l, s.w, s.b)
          : convForward(h, sIn as Shape & { kind: 'map' }, l, sOut as Shape & { kind: 'map' }, s.w, s.b);
      pre.push(z);
      argmax.push(null);
      h = i === last ? z : activated(net, z);
    } else {
      const r = poolForward(h, sIn as Shape & { kind: 'map' }, l, sOut as Shape & { kind: 'map' });
      pre.push(null);
      argmax.push(r.argmax);
      h = r.out;
    }
  });
  return { inputs, pre, argmax, shapes };
}

/** f(X): n × n_out. */
export function forwardCnn(net: Cnn, X: Mat): Mat {
  const t = cnnTrace(net, X);
  return t.pre[t.pre.length - 1]!;
}

// ---------------------------------------------------------------------------------------------------------------------
// Backward

export interface CnnGrad {
  W: Float64Array;
  b: Float64Array;
}

/**
 * Back-propagates dOut = ∂L/∂f (n × n_out) through a recorded trace. grads[l] has layer l's W and b shapes
 * (null for a pooling layer).
 */
export function backwardCnn(net: Cnn, trace: CnnTrace, dOut: Mat): { grads: (CnnGrad | null)[] } {
  const L = net.layers.length;
  const grads: (CnnGrad | null)[] = new Array(L).fill(null);
  const n = trace.inputs[0]!.rows;
  // g = ∂L/∂(output of layer l); the last layer is linear, so g = ∂L/∂z there.
  let g = dOut.data;
  for (let l = L - 1; l >= 0; l--) {
    const layer = net.layers[l]!;
    const sIn = inShape(net, trace.shapes, l);
    const sOut = trace.shapes[l]!;
    const h = trace.inputs[l]!;
    const inSize = shapeSize(sIn);
    const outSize = shapeSize(sOut);
    const dh = new Float64Array(n * inSize);
    if (layer.type === 'conv' || layer.type === 'dense') {
      // delta = ∂L/∂z = g ⊙ φ'(z) for hidden layers.
      const z = trace.pre[l]!;
      const delta = new Float64Array(n * outSize);
      if (l === L - 1) delta.set(g.subarray(0, delta.length));
      else {
        // φ'(z) from the layer's activated output (trace.inputs[l + 1] = φ(z)): tanh' = 1 − tanh² without a second
        // tanh, the same values as activateDeriv(z) (theory/mlp.ts derivInto).
        derivInto(net.activation, z.data, trace.inputs[l + 1]!.data, delta, delta.length);
        for (let q = 0; q < delta.length; q++) delta[q] = g[q]! * delta[q]!;
      }
      const s = cnnScales(net, layer);
      const gW = new Float64Array(layer.W.length);
      const gb = new Float64Array(layer.b.length);
      if (layer.type === 'dense') {
        const { nIn, nOut, W } = layer;
        for (let p = 0; p < n; p++) {
          const po = p * nOut;
          for (let o = 0; o < nOut; o++) gb[o]! += delta[po + o]!;
          let k = 0;
          // Two inputs k, k+1 per pass: two independent sums over o (each in order) share every loaded δ.
          for (; k + 1 < nIn; k += 2) {
            const x0 = h.data[p * nIn + k]!;
            const x1 = h.data[p * nIn + k + 1]!;
            const r0 = k * nOut;
            const r1 = r0 + nOut;
            let a0 = 0;
            let a1 = 0;
            for (let o = 0; o < nOut; o++) {
              const d = delta[po + o]!;
              gW[r0 + o]! += x0 * d;
              gW[r1 + o]! += x1 * d;
              a0 += d * W[r0 + o]!;
              a1 += d * W[r1 + o]!;
            }
            dh[p * nIn + k] = s.w * a0;
            dh[p * nIn + k + 1] = s.w * a1;
          }
          for (; k < nIn; k++) {
            const x = h.data[p * nIn + k]!;
            let acc = 0;
            for (let o = 0; o < nOut; o++) {
              const d = delta[po + o]!;
              gW[k * nOut + o]! += x * d;
              acc += d * W[k * nOut + o]!;
            }
            dh[p * nIn + k] = s.w * acc;
          }
        }
      } else {
        const mIn = sIn as Shape & { kind: 'map' };
        const mOut = sOut as Shape & { kind: 'map' };
        const { kh, kw, cin, cout, stride, W } = layer;
        const pt = convAxis(mIn.h, kh, stride, layer.padding).before;
        const pl = convAxis(mIn.w, kw, stride, layer.padding).before;
        // Per output position and kernel tap, the input channels c in order; each gW entry, dh entry and sum over o
        // is accumulated in the plain loop's order (bit-identical). Few output channels (≤ 4): δ in registers and
        // the loop over o unrolled; more: two channels c, c+1 per pass, two independent sums sharing each δ.
        const sw = s.w;
        const x = h.data;
        for (let p = 0; p < n; p++) {
          for (let i = 0; i < mOut.h; i++) {
            for (let j = 0; j < mOut.w; j++) {
              const dO = p * outSize + (i * mOut.w + j) * cout;
              for (let o = 0; o < cout; o++) gb[o]! += delta[dO + o]!;
              const e0 = delta[dO]!;
              const e1 = cout > 1 ? delta[dO + 1]! : 0;
              const e2 = cout > 2 ? delta[dO + 2]! : 0;
              const e3 = cout > 3 ? delta[dO + 3]! : 0;
              for (let a = 0; a < kh; a++) {
                const ii = i * stride + a - pt;
                if (ii < 0 || ii >= mIn.h) continue;
                for (let bb = 0; bb < kw; bb++) {
                  const jj = j * stride + bb - pl;
                  if (jj < 0 || jj >= mIn.w) continue;
                  const xo = p * inSize + (ii * mIn.w + jj) * cin;
                  const wo = (a * kw + bb) * cin * cout;
                  if (cout <= 4) {
                    for (let c = 0; c < cin; c++) {
                      const v = x[xo + c]!;
                      const r = wo + c * cout;
                      gW[r]! += v * e0;
                      let acc = 0;
                      acc += e0 * W[r]!;
                      if (cout > 1) {
                        gW[r + 1]! += v * e1;
                        acc += e1 * W[r + 1]!;
                      }
                      if (cout > 2) {
                        gW[r + 2]! += v * e2;
                        acc += e2 * W[r + 2]!;
                      }
                      if (cout > 3) {
                        gW[r + 3]! += v * e3;
                        acc += e3 * W[r + 3]!;
                      }
                      dh[xo + c]! += sw * acc;
                    }
                    continue;
                  }
                  let c = 0;
                  for (; c + 1 < cin; c += 2) {
                    const x0 = x[xo + c]!;
                    const x1 = x[xo + c + 1]!;
                    const r0 = wo + c * cout;
                    const r1 = r0 + cout;
                    let a0 = 0;
                    let a1 = 0;
                    for (let o = 0; o < cout; o++) {
                      const d = delta[dO + o]!;
                      gW[r0 + o]! += x0 * d;
                      gW[r1 + o]! += x1 * d;
                      a0 += d * W[r0 + o]!;
                      a1 += d * W[r1 + o]!;
                    }
                    dh[xo + c]! += sw * a0;
                    dh[xo + c + 1]! += sw * a1;
                  }
                  for (; c < cin; c++) {
                    const v = x[xo + c]!;
                    const r = wo + c * cout;
                    let acc = 0;
                    for (let o = 0; o < cout; o++) {
                      const d = delta[dO + o]!;
                      gW[r + o]! += v * d;
                      acc += d * W[r + o]!;
                    }
                    dh[xo + c]! += sw * acc;
                  }
                }
              }
            }
          }
        }
      }
      for (let q = 0; q < gW.length; q++) gW[q]! *= s.w;
      for (let o = 0; o < gb.length; o++) gb[o]! *= s.b;
      grads[l] = { W: gW, b: gb };
    } else {
      const mIn = sIn as Shape & { kind: 'map' };
      const mOut = sOut as Shape & { kind: 'map' };
      const k = layer.size;
      const C = mIn.c;
      const am = trace.argmax[l];
      for (let p = 0; p < n; p++) {
        for (let i = 0; i < mOut.h; i++) {
          for (let j = 0; j < mOut.w; j++) {
            for (let c = 0; c < C; c++) {
              const o = p * outSize + (i * mOut.w + j) * C + c;
              if (am) dh[p * inSize + am[o]!]! += g[o]!;
              else {
                const share = g[o]! / (k * k);
                for (let a = 0; a < k; a++) for (let bb = 0; bb < k; bb++) dh[p * inSize + ((i * k + a) * mIn.w + (j * k + bb)) * C + c]! += share;
              }
            }
          }
        }
      }
    }
    g = dh;
  }
  return { grads };
}

/** The loss of `kind` (theory/loss.ts) and its parameter gradients. */
export function cnnLossGrad(net: Cnn, X: Mat, Y: Mat, kind: LossKind): { loss: number; grads: (CnnGrad | null)[] } {
  const trace = cnnTrace(net, X);
  const f = trace.pre[trace.pre.length - 1]!;
  const { loss, dOut } = lossAndGrad(kind, f, Y);
  return { loss, grads: backwardCnn(net, trace, dOut).grads };
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
  for (let p = 0; p < X.rows; p++) {
    const x: Mat = { rows: 1, cols: d, data: X.data.subarray(p * d, (p + 1) * d) };
    const t = cnnTrace(net, x);
    J.set(flattenCnnGrads(backwardCnn(net, t, { rows: 1, cols: 1, data: Float64Array.of(1) }).grads), p * P);
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
  for (let p0 = 0; p0 < P; p0 += width) {
    const w = Math.min(width, P - p0);
    for (let p = 0; p < n; p++) {
      const t = cnnTrace(net, { rows: 1, cols: d, data: X.data.subarray(p * d, (p + 1) * d) });
      const g = flattenCnnGrads(backwardCnn(net, t, { rows: 1, cols: 1, data: Float64Array.of(1) }).grads);
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

