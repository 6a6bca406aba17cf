// `forward --net N --x P` → {"y": [[...]]}
import { parseMlp, parsePoints, readJson } from '../../core/formats.ts';
import { forward, inputDim, matToRows } from '../../theory/mlp.ts';
import { parseArgs } from '../args.ts';
import type { Tool } from './types.ts';

export const tool: Tool = {
  usage: 'forward --net NET.json --x POINTS.json',
  run(argv) {
    const args = parseArgs(argv, { valued: ['net', 'x'] });
    const net = parseMlp(readJson(args.need('net'), '--net'), 'net');
    const x = parsePoints(readJson(args.need('x'), '--x'), 'x', inputDim(net));
    return { y: matToRows(forward(net, x)) };
  },
};
