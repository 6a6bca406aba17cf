// `forward --net N --x P` → {"y": [[...]]} for an mlp-v1 or cnn-v1 net (DESIGN.md "Tool contracts").
import { assertFiniteOutput, parseNet, parsePoints, readJson } from '../../core/formats.ts';
import { cnnInputDim, forwardCnn } from '../../theory/cnn.ts';
import { forward, inputDim, matToRows } from '../../theory/mlp.ts';
import { parseArgs } from '../args.ts';
import { capPoints, capWork, macsPerPoint, TOOL_LIMITS, noPositionals } from './limits.ts';
import type { Tool } from './types.ts';

export const tool: Tool = {
  usage: 'forward --net NET.json --x POINTS.json',
  run(argv) {
    const args = parseArgs(argv, { valued: ['net', 'x'] });
    noPositionals(args);
    const n = parseNet(readJson(args.need('net'), '--net'), 'net');
    const x = parsePoints(readJson(args.need('x'), '--x'), 'x', n.format === 'mlp-v1' ? inputDim(n.net) : cnnInputDim(n.net));
    capPoints(x.rows, TOOL_LIMITS.points, 'x.x', 'points per call');
    capWork(x.rows * macsPerPoint(n), 'x.x', n.format === 'mlp-v1' ? 'points × parameters' : 'points × multiply-adds per point');
    const y = n.format === 'mlp-v1' ? forward(n.net, x) : forwardCnn(n.net, x);
    return assertFiniteOutput({ y: matToRows(y) }, 'net', 'the network overflows float64 on these points');
  },
};
