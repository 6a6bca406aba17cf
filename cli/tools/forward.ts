// `forward --net N --x P` → {"y": [[...]]} for an mlp-v1 or cnn-v1 net (DESIGN.md "Tool contracts").
import { assertFiniteOutput, parseNet, parsePoints, readJson } from '../../core/formats.ts';
import { cnnInputDim, cnnOutputDim, forwardCnn, type Cnn } from '../../theory/cnn.ts';
import type { Mat } from '../../theory/mlp.ts';
import { forward, inputDim, matToRows } from '../../theory/mlp.ts';
import { parseArgs } from '../args.ts';
import { capPoints, capWork, cnnChunk, macsPerPoint, TOOL_LIMITS, noPositionals } from './limits.ts';
import type { Tool } from './types.ts';

/** forwardCnn over chunks of points, so the recorded activations stay bounded (limits.ts cnnChunk). */
export function forwardChunked(net: Cnn, x: Mat, chunk = cnnChunk(net)): Mat {
  const k = cnnOutputDim(net);
  const out = new Float64Array(x.rows * k);
  for (let i = 0; i < x.rows; i += chunk) {
    const m = Math.min(chunk, x.rows - i);
    out.set(forwardCnn(net, { rows: m, cols: x.cols, data: x.data.subarray(i * x.cols, (i + m) * x.cols) }).data, i * k);
  }
  return { rows: x.rows, cols: k, data: out };
}

export const tool: Tool = {
  usage: 'forward --net NET.json --x POINTS.json',
  run(argv) {
    const args = parseArgs(argv, { valued: ['net', 'x'] });
    noPositionals(args);
    const n = parseNet(readJson(args.need('net'), '--net'), 'net');
    const chunk = n.format === 'cnn-v1' ? cnnChunk(n.net) : 0; // refuses a net whose one point does not fit
    const x = parsePoints(readJson(args.need('x'), '--x'), 'x', n.format === 'mlp-v1' ? inputDim(n.net) : cnnInputDim(n.net));
    capPoints(x.rows, TOOL_LIMITS.points, 'x.x', 'points per call');
    capWork(x.rows * macsPerPoint(n), 'x.x', n.format === 'mlp-v1' ? 'points × parameters' : 'points × multiply-adds per point');
    const y = n.format === 'mlp-v1' ? forward(n.net, x) : forwardChunked(n.net, x, chunk);
    return assertFiniteOutput({ y: matToRows(y) }, 'net', 'the network overflows float64 on these points');
  },
};
