// `forward --net N --x P` → {"y": [[...]]}
import { assertFiniteOutput, parseMlp, parsePoints, readJson } from '../../core/formats.ts';
import { forward, inputDim, matToRows } from '../../theory/mlp.ts';
import { parseArgs } from '../args.ts';
import { capPoints, capWork, parameterCount, TOOL_LIMITS, noPositionals } from './limits.ts';
import type { Tool } from './types.ts';

export const tool: Tool = {
  usage: 'forward --net NET.json --x POINTS.json',
  run(argv) {
    const args = parseArgs(argv, { valued: ['net', 'x'] });
    noPositionals(args);
    const net = parseMlp(readJson(args.need('net'), '--net'), 'net');
    const x = parsePoints(readJson(args.need('x'), '--x'), 'x', inputDim(net));
    capPoints(x.rows, TOOL_LIMITS.points, 'x.x', 'points per call');
    capWork(x.rows * parameterCount(net), 'x.x', 'points × parameters');
    return assertFiniteOutput({ y: matToRows(forward(net, x)) }, 'net', 'the network overflows float64 on these points');
  },
};
