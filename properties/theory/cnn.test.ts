// Exact properties of the float64 reference CNN (theory/cnn.ts) over random small CNNs (both parameterizations, both
// paddings, strides 1–3, odd and even sizes, both pools): the forward pass against TensorFlow.js (tf.conv2d,
// tf.avgPool, tf.maxPool on the cpu backend; float32 tolerance) and against a second float64 implementation written
// differently (im2col + matmul; 1e-12); backward against central finite differences for mse and xent; the empirical
// NTK against J·Jᵀ with J from finite differences; the "same" padding split and a forward pass worked out by hand.
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { rngFromKey } from '../../core/rng.ts';
import {
  backwardCnn,
  cloneCnn,
  cnnLossGrad,
  cnnNtk,
  cnnOutputDim,
  cnnParamCount,
  cnnShapes,
  cnnTrace,
  fanIn,
  flattenCnnGrads,
  flattenCnnParams,
  forwardCnn,
  initCnn,
  samePadding,
  withCnnParams,
  type Cnn,
  type CnnSpec,
  type ConvLayer,
  type DenseLayer,
} from '../../theory/cnn.ts';
import type { LossKind } from '../../theory/loss.ts';
import { activate, type Activation, type Mat, type Parameterization } from '../../theory/mlp.ts';
import { FC } from '../helpers.ts';
import { archArb, build } from './cnn-arbitrary.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// ---- oracle 1: TensorFlow.js (float32) ---------------------------------------------------------------------------

function tfAct(a: Activation, z: tf.Tensor): tf.Tensor {
  switch (a) {
    case 'relu':
      return tf.relu(z);
    case 'tanh':
      return tf.tanh(z);
    case 'erf':
      return tf.erf(z);
    case 'linear':
      return z;
  }
}

function tfForward(net: Cnn, X: Mat): Float32Array {
  return tf.tidy(() => {
    const [H, W, C] = net.input;
    let h: tf.Tensor = tf.tensor4d(Array.from(X.data), [X.rows, H, W, C]);
    net.layers.forEach((l, i) => {
      const last = i === net.layers.length - 1;
      if (l.type === 'conv' || l.type === 'dense') {
        const sw = net.parameterization === 'ntk' ? net.sigmaW / Math.sqrt(fanIn(l)) : 1;
        const sb = net.parameterization === 'ntk' ? net.sigmaB : 1;
        const b = tf.tensor1d(Array.from(l.b, (v) => v * sb));
        let z: tf.Tensor;
        if (l.type === 'conv') {
          const k = tf.tensor4d(Array.from(l.W, (v) => v * sw), [l.kh, l.kw, l.cin, l.cout]);
          z = tf.add(tf.conv2d(h as tf.Tensor4D, k, l.stride, l.padding), b);
        } else {
          const Wt = tf.tensor2d(Array.from(l.W, (v) => v * sw), [l.nIn, l.nOut]);
          z = tf.add(tf.matMul(tf.reshape(h, [X.rows, l.nIn]), Wt), b);
        }
        h = last ? z : tfAct(net.activation, z);
      } else {
        const pool = l.type === 'avgpool' ? tf.avgPool : tf.maxPool;
        h = pool(h as tf.Tensor4D, l.size, l.size, 'valid');
      }
    });
    return h.dataSync() as Float32Array;
  });
}

// ---- oracle 2: float64 im2col + matmul, nested arrays -----------------------------------------------------------

type Map3 = number[][][]; // [h][w][c]

function toMaps(net: Cnn, X: Mat): Map3[] {
  const [H, W, C] = net.input;
  return Array.from({ length: X.rows }, (_, p) =>
    Array.from({ length: H }, (_, i) => Array.from({ length: W }, (_, j) => Array.from({ length: C }, (_, c) => X.data[p * H * W * C + (i * W + j) * C + c]!))),
  );
}

/** Pads explicitly, gathers each output position's patch as a row (a, b, c order), and multiplies by W as a matrix. */
function im2colConv(x: Map3, l: ConvLayer, sw: number, sb: number): Map3 {
  const H = x.length;
  const Wd = x[0]!.length;
  let outH: number, outW: number, top: number, left: number;
  if (l.padding === 'same') {
    outH = Math.ceil(H / l.stride);
    outW = Math.ceil(Wd / l.stride);
    top = Math.floor(Math.max((outH - 1) * l.stride + l.kh - H, 0) / 2);
    left = Math.floor(Math.max((outW - 1) * l.stride + l.kw - Wd, 0) / 2);
  } else {
    outH = Math.floor((H - l.kh) / l.stride) + 1;
    outW = Math.floor((Wd - l.kw) / l.stride) + 1;
    top = 0;
    left = 0;
  }
  const at = (i: number, j: number, c: number) => (i >= 0 && i < H && j >= 0 && j < Wd ? x[i]![j]![c]! : 0);
  const rows: number[][] = [];
  for (let i = 0; i < outH; i++)
    for (let j = 0; j < outW; j++) {
      const row: number[] = [];
      for (let a = 0; a < l.kh; a++) for (let b = 0; b < l.kw; b++) for (let c = 0; c < l.cin; c++) row.push(at(i * l.stride + a - top, j * l.stride + b - left, c));
      rows.push(row);
    }
  const K = l.kh * l.kw * l.cin;
  const prod = rows.map((r) => Array.from({ length: l.cout }, (_, o) => {
    let s = 0;
    for (let q = 0; q < K; q++) s += r[q]! * l.W[q * l.cout + o]!;
    return sw * s + sb * l.b[o]!;
  }));
  return Array.from({ length: outH }, (_, i) => Array.from({ length: outW }, (_, j) => prod[i * outW + j]!));
}

function im2colForward(net: Cnn, X: Mat): number[][] {
  return toMaps(net, X).map((x0) => {
    let x: Map3 | number[] = x0;
    net.layers.forEach((l, i) => {
      const last = i === net.layers.length - 1;
      const act = (v: number) => (last ? v : activate(net.activation, v));
      if (l.type === 'conv') {
        const s = net.parameterization === 'ntk' ? { w: net.sigmaW / Math.sqrt(l.kh * l.kw * l.cin), b: net.sigmaB } : { w: 1, b: 1 };
        x = im2colConv(x as Map3, l, s.w, s.b).map((r) => r.map((v) => v.map(act)));
      } else if (l.type === 'dense') {
        const v = Array.isArray((x as unknown[])[0]) ? (x as Map3).flat(2) : (x as number[]);
        const s = net.parameterization === 'ntk' ? { w: net.sigmaW / Math.sqrt(l.nIn), b: net.sigmaB } : { w: 1, b: 1 };
        x = Array.from({ length: l.nOut }, (_, o) => act(s.w * v.reduce((acc, vk, k) => acc + vk * l.W[k * l.nOut + o]!, 0) + s.b * l.b[o]!));
      } else {
        const m = x as Map3;
        const k = l.size;
        const oh = Math.floor(m.length / k);
        const ow = Math.floor(m[0]!.length / k);
        x = Array.from({ length: oh }, (_, i2) =>
          Array.from({ length: ow }, (_, j2) =>
            m[0]![0]!.map((_, c) => {
              const win = Array.from({ length: k * k }, (_, q) => m[i2 * k + Math.floor(q / k)]![j2 * k + (q % k)]![c]!);
              return l.type === 'maxpool' ? Math.max(...win) : win.reduce((s, v) => s + v, 0) / (k * k);
            }),
          ),
        );
      }
    });
    return x as unknown as number[];
  });
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

// ---- finite differences ---------------------------------------------------------------------------------------

/** True when a relu pre-activation or a maxpool window's top two values lie within eps: central differences break. */
function nearKink(net: Cnn, X: Mat, eps: number): boolean {
  const t = cnnTrace(net, X);
  for (let l = 0; l < net.layers.length; l++) {
    const layer = net.layers[l]!;
    const z = t.pre[l];
    if (z && net.activation === 'relu' && l < net.layers.length - 1) for (const v of z.data) if (Math.abs(v) < eps) return true;
    if (layer.type === 'maxpool') {
      const out = l + 1 < net.layers.length ? t.inputs[l + 1]! : null;
      const inp = t.inputs[l]!;
      const s = l === 0 ? { h: net.input[0], w: net.input[1], c: net.input[2] } : (t.shapes[l - 1] as { h: number; w: number; c: number });
      if (!out) continue;
      // For every output, the second-largest value of its window must sit eps below the max.
      const k = layer.size;
      const oh = Math.floor(s.h / k);
      const ow = Math.floor(s.w / k);
      for (let p = 0; p < inp.rows; p++)
        for (let i = 0; i < oh; i++)
          for (let j = 0; j < ow; j++)
            for (let c = 0; c < s.c; c++) {
              const vals: number[] = [];
              for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) vals.push(inp.data[p * inp.cols + ((i * k + a) * s.w + j * k + b) * s.c + c]!);
              vals.sort((u, v) => v - u);
              // Ties at an exact 0 from relu are flat (all zero pre-images have relu' = 0), so they are harmless.
              if (vals.length > 1 && vals[0]! - vals[1]! < eps && vals[0]! !== 0) return true;
            }
    }
  }
  return false;
}

function labelsFor(kind: LossKind, rng: ReturnType<typeof rngFromKey>, n: number, k: number): Mat {
  if (kind === 'mse') return { rows: n, cols: k, data: rng.normals(n * k) };
  // Either xent form, at random: class indices (n×1) or one-hot rows (n×k).
  const classes = Array.from({ length: n }, () => rng.int(k));
  if (rng.uniform() < 0.5) return { rows: n, cols: 1, data: Float64Array.from(classes) };
  const Y: Mat = { rows: n, cols: k, data: new Float64Array(n * k) };
  classes.forEach((c, i) => (Y.data[i * k + c] = 1));
  return Y;
}

// ---- the properties -------------------------------------------------------------------------------------------

describe('the "same" padding rule (TensorFlow: out = ceil(in/s), total = max((out−1)s + k − in, 0), before = floor(total/2))', () => {
  it('hand cases, computed from the rule', () => {
    // in 4, k 3, s 2: out 2, total (1·2 + 3 − 4) = 1 → 0 before, 1 after (the asymmetric case).
    expect(samePadding(4, 3, 2)).toEqual({ out: 2, before: 0, after: 1 });
    // in 5, k 3, s 2: out 3, total 2·2 + 3 − 5 = 2 → 1, 1.
    expect(samePadding(5, 3, 2)).toEqual({ out: 3, before: 1, after: 1 });
    // in 4, k 4, s 1: out 4, total 3 → 1 before, 2 after.
    expect(samePadding(4, 4, 1)).toEqual({ out: 4, before: 1, after: 2 });
    // in 6, k 1, s 3: out 2, total max(3 + 1 − 6, 0) = 0.
    expect(samePadding(6, 1, 3)).toEqual({ out: 2, before: 0, after: 0 });
    // in 7, k 2, s 3: out 3, total 2·3 + 2 − 7 = 1 → 0, 1.
    expect(samePadding(7, 2, 3)).toEqual({ out: 3, before: 0, after: 1 });
  });

  it('a conv worked out by hand: 4×1 input, 3×1 kernel, stride 2, "same" pads 0 above and 1 below', () => {
    const net: Cnn = {
      activation: 'linear',
      parameterization: 'standard',
      sigmaW: 1,
      sigmaB: 1,
      input: [4, 1, 1],
      layers: [
        { type: 'conv', kh: 3, kw: 1, cin: 1, cout: 1, W: Float64Array.of(1, 10, 100), b: Float64Array.of(0.5), stride: 2, padding: 'same' },
        { type: 'dense', nIn: 2, nOut: 2, W: Float64Array.of(1, 0, 0, 1), b: Float64Array.of(0, 0) },
      ],
    };
    // out 0: rows 0,1,2 → 1 + 20 + 300; out 1: rows 2,3,(pad) → 3 + 40 + 0; + 0.5 each.
    expect(Array.from(forwardCnn(net, { rows: 1, cols: 4, data: Float64Array.of(1, 2, 3, 4) }).data)).toEqual([321.5, 43.5]);
    // "valid" drops the padded window: one output, rows 0,1,2.
    const valid = cloneCnn(net);
    (valid.layers[0] as ConvLayer).padding = 'valid';
    valid.layers[1] = { type: 'dense', nIn: 1, nOut: 1, W: Float64Array.of(1), b: Float64Array.of(0) };
    expect(Array.from(forwardCnn(valid, { rows: 1, cols: 4, data: Float64Array.of(1, 2, 3, 4) }).data)).toEqual([321.5]);
  });

  it('pools drop a remainder row and column (floor), flatten is (H, W, C) with channel fastest', () => {
    // 3×3×2 input, values v[i][j][c] = 10·(3i + j) + c; 2×2 max then avg pools take the top-left window only.
    const x = new Float64Array(18);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let c = 0; c < 2; c++) x[(i * 3 + j) * 2 + c] = 10 * (3 * i + j) + c;
    const dense: DenseLayer = { type: 'dense', nIn: 2, nOut: 2, W: Float64Array.of(1, 0, 0, 1), b: Float64Array.of(0, 0) };
    const mk = (type: 'maxpool' | 'avgpool'): Cnn => ({ activation: 'relu', parameterization: 'standard', sigmaW: 1, sigmaB: 0, input: [3, 3, 2], layers: [{ type, size: 2 }, dense] });
    expect(Array.from(forwardCnn(mk('maxpool'), { rows: 1, cols: 18, data: x }).data)).toEqual([40, 41]);
    // window {0, 10, 30, 40} (+c): mean 20 (+c)
    expect(Array.from(forwardCnn(mk('avgpool'), { rows: 1, cols: 18, data: x }).data)).toEqual([20, 21]);
  });
});

describe('shapes', () => {
  it('impossible nets are refused naming the layer', () => {
    const base = (layers: Cnn['layers']): Cnn => ({ activation: 'relu', parameterization: 'standard', sigmaW: 1, sigmaB: 0, input: [3, 3, 1], layers });
    const conv = (k: number, cin: number, padding: 'same' | 'valid'): ConvLayer => ({ type: 'conv', kh: k, kw: k, cin, cout: 1, W: new Float64Array(k * k * cin), b: new Float64Array(1), stride: 1, padding });
    const dense = (nIn: number): DenseLayer => ({ type: 'dense', nIn, nOut: 1, W: new Float64Array(nIn), b: new Float64Array(1) });
    expect(() => cnnShapes(base([conv(4, 1, 'valid'), dense(1)]))).toThrow(/layer 0 \(conv\)/);
    expect(() => cnnShapes(base([conv(3, 2, 'same'), dense(9)]))).toThrow(/layer 0 \(conv\): expects 2 input channels/);
    expect(() => cnnShapes(base([{ type: 'maxpool', size: 4 }, dense(1)]))).toThrow(/layer 0 \(maxpool\): a 4×4 window is larger/);
    expect(() => cnnShapes(base([conv(3, 1, 'same'), dense(8)]))).toThrow(/layer 1 \(dense\): expects 8 inputs, its input has 9/);
    expect(() => cnnShapes(base([dense(9), conv(1, 1, 'same')]))).toThrow(/layer 1 \(conv\): needs a feature map/);
    expect(() => cnnShapes(base([conv(3, 1, 'same')]))).toThrow(/layer 0 \(conv\): the last layer must be dense/);
    expect(cnnShapes(base([conv(3, 1, 'same'), { type: 'avgpool', size: 2 }, dense(1)]))).toEqual([
      { kind: 'map', h: 3, w: 3, c: 1 },
      { kind: 'map', h: 1, w: 1, c: 1 },
      { kind: 'flat', n: 1 },
    ]);
  });
});

describe('forward against two independent oracles', () => {
  it('TensorFlow.js conv2d / avgPool / maxPool (NHWC, cpu backend) to float32 tolerance', () => {
    fc.assert(
      fc.property(archArb, (a) => {
        const { net, X } = build(a);
        const ours = forwardCnn(net, X).data;
        const theirs = tfForward(net, X);
        const scale = Math.max(1, maxAbs(ours));
        expect(theirs.length).toBe(ours.length);
        for (let q = 0; q < ours.length; q++) expect(Math.abs(ours[q]! - theirs[q]!)).toBeLessThan(1e-4 * scale);
      }),
      { ...FC, numRuns: 60 },
    );
  });

  it('float64 im2col + matmul to 1e-12', () => {
    fc.assert(
      fc.property(archArb, (a) => {
        const { net, X } = build(a);
        const ours = forwardCnn(net, X);
        const theirs = im2colForward(net, X);
        const scale = Math.max(1, maxAbs(ours.data));
        expect(ours.cols).toBe(cnnOutputDim(net));
        theirs.forEach((row, p) => row.forEach((v, o) => expect(Math.abs(ours.data[p * ours.cols + o]! - v)).toBeLessThan(1e-12 * scale)));
      }),
      FC,
    );
  });
});

describe('backward against central finite differences', () => {
  for (const kind of ['mse', 'xent'] as const) {
    it(`${kind}: ∂L/∂θ equals the central difference of the loss`, () => {
      fc.assert(
        fc.property(archArb, (a) => {
          const { net, X, rng } = build(a, kind === 'xent' ? { nOut: Math.max(2, a.nOut) } : {});
          fc.pre(!nearKink(net, X, 1e-4));
          const Y = labelsFor(kind, rng, X.rows, cnnOutputDim(net));
          const g = flattenCnnGrads(cnnLossGrad(net, X, Y, kind).grads);
          const th = flattenCnnParams(net);
          const h = 1e-6;
          for (let i = 0; i < th.length; i++) {
            const tp = th.slice();
            tp[i]! += h;
            const tm = th.slice();
            tm[i]! -= h;
            const fd = (cnnLossGrad(withCnnParams(net, tp), X, Y, kind).loss - cnnLossGrad(withCnnParams(net, tm), X, Y, kind).loss) / (2 * h);
            expect(Math.abs(g[i]! - fd)).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
          }
        }),
        { ...FC, numRuns: 60 },
      );
    });
  }

  it('pooling layers get null gradients; the others have their layer\'s shapes', () => {
    fc.assert(
      fc.property(archArb, (a) => {
        const { net, X } = build(a);
        const f = forwardCnn(net, X);
        const { grads } = backwardCnn(net, cnnTrace(net, X), { rows: f.rows, cols: f.cols, data: new Float64Array(f.data.length).fill(1) });
        net.layers.forEach((l, i) => {
          if (l.type === 'conv' || l.type === 'dense') {
            expect(grads[i]!.W.length).toBe(l.W.length);
            expect(grads[i]!.b.length).toBe(l.b.length);
          } else expect(grads[i]).toBeNull();
        });
      }),
      { ...FC, numRuns: 30 },
    );
  });
});

describe('empirical NTK', () => {
  it('equals J·Jᵀ with J from central differences of the scalar output', () => {
    fc.assert(
      fc.property(archArb, (a) => {
        const { net, X } = build({ ...a, n: Math.max(2, a.n) }, { nOut: 1 });
        fc.pre(!nearKink(net, X, 1e-4));
        const K = cnnNtk(net, X);
        const th = flattenCnnParams(net);
        const n = X.rows;
        const J: number[][] = Array.from({ length: n }, () => []);
        const h = 1e-6;
        for (let q = 0; q < th.length; q++) {
          const tp = th.slice();
          tp[q]! += h;
          const tm = th.slice();
          tm[q]! -= h;
          const fp = forwardCnn(withCnnParams(net, tp), X).data;
          const fm = forwardCnn(withCnnParams(net, tm), X).data;
          for (let i = 0; i < n; i++) J[i]!.push((fp[i]! - fm[i]!) / (2 * h));
        }
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) {
            const want = J[i]!.reduce((s, v, q) => s + v * J[j]![q]!, 0);
            expect(Math.abs(K.data[i * n + j]! - want)).toBeLessThan(1e-5 * Math.max(1, Math.abs(want)));
          }
      }),
      { ...FC, numRuns: 40 },
    );
  });

  it('held in column blocks (any block width) it equals the one-block kernel, and is symmetric', () => {
    fc.assert(
      fc.property(archArb, fc.integer({ min: 1, max: 40 }), (a, maxEntries) => {
        const { net, X } = build({ ...a, n: Math.max(2, a.n) }, { nOut: 1 });
        const K = cnnNtk(net, X);
        const Kb = cnnNtk(net, X, maxEntries);
        const n = X.rows;
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) {
            expect(K.data[i * n + j]).toBe(K.data[j * n + i]);
            expect(Math.abs(Kb.data[i * n + j]! - K.data[i * n + j]!)).toBeLessThan(1e-12 * Math.max(1, Math.abs(K.data[i * n + j]!)));
          }
      }),
      { ...FC, numRuns: 30 },
    );
  });

  it('refuses a net with more than one output', () => {
    const { net, X } = build({ h: 3, w: 3, c: 1, body: [{ type: 'avgpool', size: 1 }], hidden: undefined, nOut: 2, activation: 'tanh', parameterization: 'ntk', seed: 1, n: 2 });
    expect(() => cnnNtk(net, X)).toThrow(/scalar output/);
  });
});

describe('parameters and init', () => {
  it('flatten/withParams round-trip, W then b per parameter layer, pools skipped; clone is deep', () => {
    fc.assert(
      fc.property(archArb, (a) => {
        const { net } = build(a);
        const th = flattenCnnParams(net);
        expect(th.length).toBe(cnnParamCount(net));
        let o = 0;
        for (const l of net.layers) {
          if (l.type === 'conv' || l.type === 'dense') {
            expect(Array.from(th.subarray(o, o + l.W.length))).toEqual(Array.from(l.W));
            o += l.W.length;
            expect(Array.from(th.subarray(o, o + l.b.length))).toEqual(Array.from(l.b));
            o += l.b.length;
          }
        }
        const back = withCnnParams(net, th);
        expect(flattenCnnParams(back)).toEqual(th);
        const c = cloneCnn(net);
        const first = c.layers.find((l) => l.type !== 'avgpool' && l.type !== 'maxpool') as ConvLayer | DenseLayer;
        first.W[0] = 12345;
        expect(flattenCnnParams(net)).toEqual(th);
      }),
      { ...FC, numRuns: 50 },
    );
  });

  it('init: ntk draws N(0, 1); standard N(0, sigmaW²/fan_in) with fan_in = kh·kw·cin, b ~ N(0, sigmaB²)', () => {
    const spec = (parameterization: Parameterization): CnnSpec => ({
      activation: 'relu',
      parameterization,
      sigmaW: 2,
      sigmaB: 0.5,
      input: [8, 8, 4],
      layers: [{ type: 'conv', kh: 3, kw: 2, cout: 400, stride: 1, padding: 'same' }, { type: 'dense', nOut: 1 }],
    });
    const ntk = initCnn(spec('ntk'), rngFromKey('cnn-init'));
    const std = initCnn(spec('standard'), rngFromKey('cnn-init'));
    const conv = std.layers[0] as ConvLayer;
    const varOf = (a: Float64Array) => a.reduce((s, v) => s + v * v, 0) / a.length;
    // 9600 draws: the sample variance is within 5% of the truth far beyond 4σ (σ ≈ √(2/9600) ≈ 1.4%).
    expect(varOf((ntk.layers[0] as ConvLayer).W)).toBeCloseTo(1, 1);
    expect(varOf(conv.W) / (4 / (3 * 2 * 4))).toBeGreaterThan(0.95);
    expect(varOf(conv.W) / (4 / (3 * 2 * 4))).toBeLessThan(1.05);
    expect(varOf(conv.b) / 0.25).toBeGreaterThan(0.8);
    expect(varOf(conv.b) / 0.25).toBeLessThan(1.2);
    // The same draws, scaled: both parameterizations compute the same function at init.
    const X: Mat = { rows: 2, cols: 256, data: rngFromKey('cnn-init-x').normals(512) };
    const fN = forwardCnn(ntk, X).data;
    const fS = forwardCnn(std, X).data;
    for (let i = 0; i < 2; i++) expect(fS[i]!).toBeCloseTo(fN[i]!, 10);
  });
});
