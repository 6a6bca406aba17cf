// `loss-grad --net N --data D [--loss mse|xent]` → {"loss": L, "grad": {"layers": [{"W", "b"} | {}]}} for an mlp-v1 or
// cnn-v1 net (DESIGN.md "Tool contracts"; pooling layers appear as {}):
//   mse (default): L = (1/2n)·Σ_i ||f(x_i) − y_i||², y a flat array (one output) or rows;
//   xent: L = (1/n)·Σ_i −log softmax(f(x_i))_{y_i}, y class indices (a flat array of integers) or one-hot rows.
import { asArray, asEnum, asMatrix, asObject, assertFiniteOutput, cnnToJson, fail, mlpToJson, parseData, parseNet, readJson, type AnyNet } from '../../core/formats.ts';
import { backwardCnn, cnnInputDim, cnnOutputDim, cnnTrace, type Cnn, type CnnGrad } from '../../theory/cnn.ts';
import { LOSS_KINDS, mseLoss, softmaxXentLoss, type LossAndGrad, type LossKind } from '../../theory/loss.ts';
import { backward, forwardTrace, inputDim, outputDim, type Mat } from '../../theory/mlp.ts';
import { parseArgs } from '../args.ts';
import { capPoints, capWork, cnnChunk, macsPerPoint, TOOL_LIMITS, noPositionals } from './limits.ts';
import type { Tool } from './types.ts';

/**
 * xent targets as class indices, from a flat array of indices or from one-hot rows; the JSON shape decides, so a
 * one-output net's flat y = [0, 0] reads as class indices. Any other entry or row is refused naming data.y[i].
 */
export function parseXentTargets(v: unknown, field: string, n: number, k: number): Int32Array {
  const y = asArray(v, field);
  if (y.length !== n) fail(field, `expected ${n} entries (one per row of x), got ${y.length}`);
  if (n > 0 && Array.isArray(y[0])) {
    const m = asMatrix(y, field, { rows: n, cols: k });
    for (let i = 0; i < n; i++) {
      const row = m.data.subarray(i * k, (i + 1) * k);
      const ones = row.filter((e) => e === 1).length;
      if (ones !== 1 || row.some((e) => e !== 0 && e !== 1)) fail(`${field}[${i}]`, `expected a one-hot row of ${k} entries (one 1, the rest 0), got [${Array.from(row).join(', ')}]`);
    }
    return Int32Array.from({ length: n }, (_, i) => m.data.subarray(i * k, (i + 1) * k).indexOf(1));
  }
  const out = new Int32Array(n);
  y.forEach((c, i) => {
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c >= k) {
      fail(`${field}[${i}]`, `expected a class index (an integer in 0..${k - 1}) or a one-hot row, got ${Array.isArray(c) ? `an array of ${c.length}` : JSON.stringify(c) ?? String(c)}`);
    }
    out[i] = c;
  });
  return out;
}

export type Targets = { x: Mat; y: Mat; classes?: undefined } | { x: Mat; y?: undefined; classes: Int32Array };

function parseTargets(raw: unknown, n: AnyNet, kind: LossKind): Targets {
  const dim = n.format === 'mlp-v1' ? inputDim(n.net) : cnnInputDim(n.net);
  const k = n.format === 'mlp-v1' ? outputDim(n.net) : cnnOutputDim(n.net);
  if (kind === 'mse') return parseData(raw, 'data', { dim, outputs: k });
  const o = asObject(raw, 'data');
  const x = asMatrix(o.x, 'data.x', { cols: dim });
  return { x, classes: parseXentTargets(o.y, 'data.y', x.rows, k) };
}

function lossOf(f: Mat, t: Targets): LossAndGrad {
  return t.classes ? softmaxXentLoss(f, t.classes) : mseLoss(f, t.y);
}

/**
 * The CNN's loss and gradient over chunks of `chunk` points. Both losses are means over points: a chunk of m points
 * contributes (m/n)·(its own mean), so its loss and dOut are scaled by m/n and the chunks' gradients summed; the
 * recorded activations stay bounded (limits.ts cnnChunk).
 */
export function cnnLossGradChunked(net: Cnn, data: Targets, chunk: number): { loss: number; grads: (CnnGrad | null)[] } {
  const N = data.x.rows;
  const d = data.x.cols;
  const grads = net.layers.map((l) => (l.type === 'conv' || l.type === 'dense' ? { W: new Float64Array(l.W.length), b: new Float64Array(l.b.length) } : null));
  let loss = 0;
  for (let i = 0; i < N; i += chunk) {
    const m = Math.min(chunk, N - i);
    const x = { rows: m, cols: d, data: data.x.data.subarray(i * d, (i + m) * d) };
    const part: Targets = data.classes ? { x, classes: data.classes.subarray(i, i + m) } : { x, y: { rows: m, cols: data.y.cols, data: data.y.data.subarray(i * data.y.cols, (i + m) * data.y.cols) } };
    const trace = cnnTrace(net, x);
    const r = lossOf(trace.pre[trace.pre.length - 1]!, part);
    const w = m / N;
    loss += w * r.loss;
    const dOut = { ...r.dOut, data: r.dOut.data.map((v) => v * w) };
    backwardCnn(net, trace, dOut).grads.forEach((g, l) => {
      if (!g) return;
      for (let q = 0; q < g.W.length; q++) grads[l]!.W[q]! += g.W[q]!;
      for (let q = 0; q < g.b.length; q++) grads[l]!.b[q]! += g.b[q]!;
    });
  }
  return { loss, grads };
}

export const tool: Tool = {
  usage: 'loss-grad --net NET.json --data DATA.json [--loss mse|xent]',
  run(argv) {
    const args = parseArgs(argv, { valued: ['net', 'data', 'loss'] });
    noPositionals(args);
    const kind = asEnum<LossKind>(args.get('loss') ?? 'mse', '--loss', LOSS_KINDS);
    const n = parseNet(readJson(args.need('net'), '--net'), 'net');
    const chunk = n.format === 'cnn-v1' ? cnnChunk(n.net) : 0; // refuses a net whose one point does not fit
    const data = parseTargets(readJson(args.need('data'), '--data'), n, kind);
    capPoints(data.x.rows, TOOL_LIMITS.points, 'data.x', 'points per call');
    capWork(data.x.rows * macsPerPoint(n), 'data.x', n.format === 'mlp-v1' ? 'points × parameters' : 'points × multiply-adds per point');
    let loss: number;
    let layers: unknown[];
    if (n.format === 'mlp-v1') {
      const trace = forwardTrace(n.net, data.x);
      const r = lossOf(trace.pre[trace.pre.length - 1]!, data);
      const { grads } = backward(n.net, trace, r.dOut);
      loss = r.loss;
      layers = mlpToJson({ ...n.net, layers: n.net.layers.map((l, i) => ({ ...l, W: grads[i]!.W, b: grads[i]!.b })) }).layers as unknown[];
    } else {
      const r = cnnLossGradChunked(n.net, data, chunk);
      loss = r.loss;
      const grads = r.grads;
      const asNet = cnnToJson({ ...n.net, layers: n.net.layers.map((l, i) => (l.type === 'conv' || l.type === 'dense' ? { ...l, ...(grads[i] as CnnGrad) } : l)) });
      // Only W and b: pooling layers appear as {}.
      layers = (asNet.layers as Record<string, unknown>[]).map((l) => (l.type === 'conv' || l.type === 'dense' ? { W: l.W, b: l.b } : {}));
    }
    // A loss beyond float64 (e.g. y = 1e308) has no scale in which it prints: refused, never printed as null.
    return assertFiniteOutput({ loss, grad: { layers } }, 'data', 'the loss or its gradient overflows float64');
  },
};
