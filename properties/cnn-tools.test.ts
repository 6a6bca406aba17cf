// The JSON tools on `cnn-v1` nets and the `--loss mse|xent` option, through the command line as users and outside
// checkers call them (DESIGN.md "Tool contracts"): hand-computed conventions (cross-correlation, TF "same" padding
// split, [kh][kw][cin][cout] nesting, (H, W, C) flattening, pools as {} in gradients, the embed layout), agreement
// with the float64 reference on a random net, and bad input answered by exit 2 and one line naming the field.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cnnToJson, parseCnn } from '../core/formats.ts';
import { rngFromKey } from '../core/rng.ts';
import { forwardChunked } from '../cli/tools/forward.ts';
import { cnnLossGradChunked } from '../cli/tools/loss-grad.ts';
import { cnnLossGrad, cnnNtk, flattenCnnGrads, forwardCnn, initCnn, type Cnn } from '../theory/cnn.ts';

const dir = mkdtempSync(join(tmpdir(), 'dlclaims-cnn-'));
let count = 0;
function file(content: unknown): string {
  const p = join(dir, `f${count++}.json`);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}
function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/dlclaims.mjs', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
function ok(...args: string[]) {
  const r = cli(...args);
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out);
}

// A 1×2×2 input and a 1×2 "valid" kernel: z = Σ_{b,c} x[0,b,c]·W[0][b][c][0] + bias.
const nesting = {
  format: 'cnn-v1',
  activation: 'linear',
  parameterization: 'standard',
  input: [1, 2, 2],
  layers: [
    { type: 'conv', W: [[[[1], [10]], [[100], [1000]]]], b: [0.5], stride: 1, padding: 'valid' },
    { type: 'dense', W: [[2]], b: [0] },
  ],
};

// 4×1×1 input, 3×1 kernel, stride 2, "same": total pad (2−1)·2 + 3 − 4 = 1, so 0 above and 1 below.
const samePad = {
  format: 'cnn-v1',
  activation: 'relu',
  parameterization: 'standard',
  sigmaW: 1,
  sigmaB: 1,
  input: [4, 1, 1],
  layers: [
    { type: 'conv', W: [[[[1]]], [[[10]]], [[[100]]]], b: [0.5], stride: 2, padding: 'same' },
    { type: 'dense', W: [[1, 0], [0, 1]], b: [0, 0] },
  ],
};

function randomNet(seed: string, nOut: number, parameterization: 'standard' | 'ntk' = 'ntk'): Cnn {
  return initCnn(
    {
      activation: 'tanh',
      parameterization,
      sigmaW: 1.4,
      sigmaB: 0.3,
      input: [5, 4, 2],
      layers: [
        { type: 'conv', kh: 3, kw: 2, cout: 3, stride: 2, padding: 'same' },
        { type: 'maxpool', size: 2 },
        { type: 'conv', kh: 1, kw: 1, cout: 2, stride: 1, padding: 'valid' },
        { type: 'dense', nOut: 3 },
        { type: 'dense', nOut },
      ],
    },
    rngFromKey(seed),
  );
}

describe('cnn-v1 conventions through the CLI', () => {
  it('W nests as [kh][kw][cin][cout] and a point is flat in (H, W, C) order, channel fastest; sigmaW/sigmaB optional for standard', () => {
    // x = [x(0,0,0), x(0,0,1), x(0,1,0), x(0,1,1)] = [1, 2, 3, 4]: 1·1 + 2·10 + 3·100 + 4·1000 + 0.5, then ×2.
    expect(ok('forward', '--net', file(nesting), '--x', file({ x: [[1, 2, 3, 4]] }))).toEqual({ y: [[8643]] });
  });

  it('"same" pads as TensorFlow: in 4, k 3, s 2 → 0 before, 1 after', () => {
    // out 0: rows 0,1,2 → 1 + 20 + 300 + 0.5; out 1: rows 2, 3, pad → 3 + 40 + 0.5.
    expect(ok('forward', '--net', file(samePad), '--x', file({ x: [[1, 2, 3, 4]] }))).toEqual({ y: [[321.5, 43.5]] });
  });

  it('forward, loss-grad (mse and xent) and ntk equal the float64 reference on a random conv/maxpool/conv/dense/dense net', () => {
    const net3 = randomNet('cnn-tools/3', 3);
    const net1 = randomNet('cnn-tools/1', 1);
    const rng = rngFromKey('cnn-tools/x');
    const X = Array.from({ length: 4 }, () => Array.from(rng.normals(40)));
    const Xm = { rows: 4, cols: 40, data: Float64Array.from(X.flat()) };
    const f = ok('forward', '--net', file(cnnToJson(net3)), '--x', file({ x: X }));
    expect(f.y.flat()).toEqual(Array.from(forwardCnn(net3, Xm).data));

    const y = [[0.1, -1, 2], [0, 0, 1], [1, 1, 1], [-2, 0.5, 0]];
    const mse = ok('loss-grad', '--net', file(cnnToJson(net3)), '--data', file({ x: X, y }));
    const ref = cnnLossGrad(net3, Xm, { rows: 4, cols: 3, data: Float64Array.from(y.flat()) }, 'mse');
    expect(mse.loss).toBe(ref.loss);
    expect(mse.grad.layers).toHaveLength(5);
    expect(mse.grad.layers[1]).toEqual({}); // the maxpool
    // The gradient in the net's own layout: parse it back as a net and compare the flat arrays.
    const gradNet = parseCnn({ ...cnnToJson(net3), layers: net3.layers.map((l, i) => ({ ...(cnnToJson(net3).layers as object[])[i], ...mse.grad.layers[i] })) });
    gradNet.layers.forEach((l, i) => {
      if (l.type === 'conv' || l.type === 'dense') {
        expect(Array.from(l.W)).toEqual(Array.from(ref.grads[i]!.W));
        expect(Array.from(l.b)).toEqual(Array.from(ref.grads[i]!.b));
      }
    });

    const classes = [2, 0, 1, 1];
    const xentIdx = ok('loss-grad', '--loss', 'xent', '--net', file(cnnToJson(net3)), '--data', file({ x: X, y: classes }));
    const oneHot = classes.map((c) => [0, 1, 2].map((j) => (j === c ? 1 : 0)));
    const xentHot = ok('loss-grad', '--net', file(cnnToJson(net3)), '--data', file({ x: X, y: oneHot }), '--loss', 'xent');
    expect(xentHot).toEqual(xentIdx);
    const refX = cnnLossGrad(net3, Xm, { rows: 4, cols: 1, data: Float64Array.from(classes) }, 'xent');
    expect(xentIdx.loss).toBe(refX.loss);
    expect(xentIdx.grad.layers[0].b).toEqual(Array.from(refX.grads[0]!.b));

    const k = ok('ntk', '--net', file(cnnToJson(net1)), '--x', file({ x: X }));
    const refK = cnnNtk(net1, Xm);
    k.ntk.flat().forEach((v: number, q: number) => expect(Math.abs(v - refK.data[q]!)).toBeLessThanOrEqual(1e-12 * Math.abs(refK.data[q]!)));
  });

  it('xent on mlp-v1: L = (1/n)·Σ −log softmax(f)_y, here log 2 for equal logits and log(1 + e²) otherwise', () => {
    // f(x) = x·[1, −1]: x = 0 gives equal logits, x = 1 gives (1, −1).
    const mlp = { format: 'mlp-v1', activation: 'linear', parameterization: 'standard', layers: [{ W: [[1, -1]], b: [0, 0] }] };
    const r = ok('loss-grad', '--loss', 'xent', '--net', file(mlp), '--data', file({ x: [[0], [1]], y: [0, 1] }));
    expect(r.loss).toBeCloseTo((Math.log(2) + Math.log(1 + Math.exp(2))) / 2, 14);
  });

  it('embed splits a channel: the copy is the last channel, and the dense layer after flatten gains its row at the end of each spatial group', () => {
    // 2×1×1 input, conv 1×1 with 2 channels (weights 1 and 2), a dense head over the 2·2 flattened values.
    const net = {
      format: 'cnn-v1',
      activation: 'tanh',
      parameterization: 'standard',
      input: [2, 1, 1],
      layers: [
        { type: 'conv', W: [[[[1, 2]]]], b: [0.1, 0.2], stride: 1, padding: 'same' },
        { type: 'dense', W: [[1], [2], [3], [4]], b: [0.5] },
      ],
    };
    const wide = ok('embed', '--net', file(net), '--layer', '1', '--neuron', '0', '--alpha', '0.25');
    expect(wide.layers[0].W).toEqual([[[[1, 2, 1]]]]);
    expect(wide.layers[0].b).toEqual([0.1, 0.2, 0.1]);
    // Groups (position 0: rows 1, 2; position 1: rows 3, 4) → [0.25·1, 2, 0.75·1, 0.25·3, 4, 0.75·3].
    expect(wide.layers[1].W).toEqual([[0.25], [2], [0.75], [0.75], [4], [2.25]]);
    const x = file({ x: [[0.3, -0.7]] });
    const a = ok('forward', '--net', file(net), '--x', x).y[0][0];
    const b = ok('forward', '--net', file(wide), '--x', x).y[0][0];
    expect(Math.abs(a - b)).toBeLessThan(1e-15);
  });

  it('embed under NTK preserves the output of a random net at every parameter layer', () => {
    const net = randomNet('cnn-tools/embed', 2);
    const x = file({ x: [Array.from(rngFromKey('cnn-tools/ex').normals(40))] });
    const before = ok('forward', '--net', file(cnnToJson(net)), '--x', x).y[0];
    for (const layer of ['1', '2', '3']) {
      const wide = ok('embed', '--net', file(cnnToJson(net)), '--layer', layer, '--neuron', '1', '--alpha', '-0.4');
      const after = ok('forward', '--net', file(wide), '--x', x).y[0];
      after.forEach((v: number, i: number) => expect(Math.abs(v - before[i])).toBeLessThan(1e-13));
    }
  });
});

describe('chunked passes (the tools bound the recorded activations by processing points in chunks)', () => {
  it('forward and loss-grad over chunks of 1, 2, 3 points equal the one-chunk pass (mse and xent)', () => {
    const net = randomNet('cnn-tools/chunk', 3);
    const rng = rngFromKey('cnn-tools/chunk-x');
    const n = 7;
    const x = { rows: n, cols: 40, data: rng.normals(n * 40) };
    const y = { rows: n, cols: 3, data: rng.normals(n * 3) };
    const classes = Int32Array.from({ length: n }, () => rng.int(3));
    const one = forwardCnn(net, x).data;
    const refMse = cnnLossGrad(net, x, y, 'mse');
    const refXent = cnnLossGrad(net, x, { rows: n, cols: 1, data: Float64Array.from(classes) }, 'xent');
    for (const chunk of [1, 2, 3, 7, 100]) {
      const f = forwardChunked(net, x, chunk).data;
      f.forEach((v, q) => expect(v).toBe(one[q]));
      for (const [got, ref] of [[cnnLossGradChunked(net, { x, y }, chunk), refMse], [cnnLossGradChunked(net, { x, classes }, chunk), refXent]] as const) {
        expect(Math.abs(got.loss - ref.loss)).toBeLessThan(1e-14 * Math.max(1, ref.loss));
        const a = flattenCnnGrads(got.grads);
        const b = flattenCnnGrads(ref.grads);
        a.forEach((v, q) => expect(Math.abs(v - b[q]!)).toBeLessThan(1e-14 * Math.max(1, Math.abs(b[q]!))));
      }
    }
  });
});

describe('bad cnn-v1 input and --loss: exit 2, one line naming the field', () => {
  const conv = (W: unknown, extra: object = {}) => ({ type: 'conv', W, b: [0], stride: 1, padding: 'same', ...extra });
  const base = (layers: unknown[], extra: object = {}) => ({ format: 'cnn-v1', activation: 'relu', parameterization: 'standard', input: [3, 3, 2], layers, ...extra });
  const head9 = { type: 'dense', W: Array.from({ length: 9 }, () => [1]), b: [0] };
  const x18 = () => file({ x: [Array.from({ length: 18 }, () => 0.5)] });
  const k2 = [[[[1], [1]]]]; // 1×1 kernel, 2 input channels, 1 output
  const cases: [string, () => string[], RegExp][] = [
    ['conv cin not matching the input channels', () => ['forward', '--net', file(base([conv([[[[1]]]]), head9])), '--x', x18()], /net\.layers\[0\]\.W\[0\]\[0\]: expected 2 entries/],
    ['dense rows not matching the flattened size', () => ['forward', '--net', file(base([conv(k2), { type: 'dense', W: [[1]], b: [0] }])), '--x', x18()], /net\.layers\[1\]\.W: expected 9 entries \(one row per entry of the flattened 3×3×1 input\)/],
    ['bad padding', () => ['forward', '--net', file(base([conv(k2, { padding: 'SAME' }), head9])), '--x', x18()], /net\.layers\[0\]\.padding: expected one of "same", "valid"/],
    ['missing stride', () => ['forward', '--net', file(base([conv(k2, { stride: undefined }), head9])), '--x', x18()], /net\.layers\[0\]\.stride: expected a positive integer/],
    ['fractional stride', () => ['forward', '--net', file(base([conv(k2, { stride: 1.5 }), head9])), '--x', x18()], /net\.layers\[0\]\.stride: expected a positive integer, got 1\.5/],
    ['a "valid" kernel larger than its input', () => ['forward', '--net', file(base([conv([[[[1], [1]]], [[[1], [1]]], [[[1], [1]]], [[[1], [1]]]], { padding: 'valid' }), head9])), '--x', x18()], /net\.layers\[0\]\.W: a 4×1 kernel does not fit the 3×3 input/],
    ['a pool larger than its input', () => ['forward', '--net', file(base([{ type: 'maxpool', size: 4 }, head9])), '--x', x18()], /net\.layers\[0\]\.size: a 4×4 window is larger than the 3×3 input/],
    ['a last layer that is not dense', () => ['forward', '--net', file(base([conv(k2)])), '--x', x18()], /net\.layers\[0\]\.type: the last layer must be "dense", got "conv"/],
    ['a conv after a dense layer', () => ['forward', '--net', file(base([{ type: 'dense', W: Array.from({ length: 18 }, () => [1]), b: [0] }, conv([[[[1]]]]), { type: 'dense', W: [[1]], b: [0] }])), '--x', x18()], /net\.layers\[1\]\.type: a conv layer needs a feature map/],
    ['an unknown layer type', () => ['forward', '--net', file(base([{ type: 'flatten' }, head9])), '--x', x18()], /net\.layers\[0\]\.type: expected one of "conv", "avgpool", "maxpool", "dense"/],
    ['a bad input shape', () => ['forward', '--net', file(base([head9], { input: [3, 3] })), '--x', x18()], /net\.input: expected \[H, W, C\]/],
    ['a NaN weight smuggled as null', () => ['forward', '--net', file(base([conv([[[[1], [null]]]]), head9])), '--x', x18()], /net\.layers\[0\]\.W\[0\]\[0\]\[1\]\[0\]: expected a finite number, got null/],
    ['an NTK net without sigmaW', () => ['forward', '--net', file(base([conv(k2), head9], { parameterization: 'ntk', sigmaB: 1 })), '--x', x18()], /net\.sigmaW: expected a finite number/],
    ['points of the wrong size', () => ['forward', '--net', file(base([conv(k2), head9])), '--x', file({ x: [[1, 2, 3]] })], /x\.x\[0\]: expected 18 entries, got 3/],
    ['an unknown loss', () => ['loss-grad', '--loss', 'hinge', '--net', file(base([conv(k2), head9])), '--data', file({ x: [Array(18).fill(0)], y: [0] })], /--loss: expected one of "mse", "xent", got "hinge"/],
    ['an xent class out of range', () => ['loss-grad', '--loss', 'xent', '--net', file(base([conv(k2), { ...head9, W: head9.W.map(() => [1, 0]), b: [0, 0] }])), '--data', file({ x: [Array(18).fill(0), Array(18).fill(1)], y: [1, 2] })], /data\.y\[1\]: expected a class index \(an integer in 0\.\.1\)/],
    ['an xent row that is not one-hot', () => ['loss-grad', '--loss', 'xent', '--net', file(base([conv(k2), { ...head9, W: head9.W.map(() => [1, 0]), b: [0, 0] }])), '--data', file({ x: [Array(18).fill(0), Array(18).fill(1)], y: [[0, 1], [0.5, 0.5]] })], /data\.y\[1\]: expected a one-hot row of 2 entries/],
    ['ntk of a net with two outputs', () => ['ntk', '--net', file(base([conv(k2), { ...head9, W: head9.W.map(() => [1, 0]), b: [0, 0] }])), '--x', x18()], /net\.layers\[1\]\.W: the NTK needs a scalar output, the network has 2 outputs/],
    ['embed at the output layer', () => ['embed', '--net', file(base([conv(k2), head9])), '--layer', '2', '--neuron', '0', '--alpha', '0.5'], /--layer: expected a parameter layer \(conv or dense, not the last\) in 1\.\.1/],
    ['embed of a channel that does not exist', () => ['embed', '--net', file(base([conv(k2), head9])), '--layer', '1', '--neuron', '1', '--alpha', '0.5'], /--neuron: parameter layer 1 \(conv\) has channels 0\.\.0/],
    ['a net whose one point has too many activations', () => ['forward', '--net', file({ ...base([conv([[[[1]]]]), { type: 'avgpool', size: 8000 }, { type: 'dense', W: [[1]], b: [0] }]), input: [8000, 8000, 1] }), '--x', x18()], /net: one point's activations are 1\.92e\+8 numbers, over the limit of 5e\+7/],
    ['an unknown format', () => ['forward', '--net', file(base([head9], { format: 'cnn-v2' })), '--x', x18()], /net\.format: expected "mlp-v1" or "cnn-v1", got "cnn-v2"/],
  ];
  for (const [name, args, message] of cases) {
    it(name, () => {
      const r = cli(...args());
      expect(r.code, r.out).toBe(2);
      expect(r.out).toBe('');
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(message);
    });
  }
});
