// `loss-grad --net N --data D` → {"loss": L, "grad": {"layers": [{"W", "b"}]}}, L = (1/2n)·Σ||f(x_i) − y_i||².
import { assertFiniteOutput, mlpToJson, parseData, parseMlp, readJson } from '../../core/formats.ts';
import { inputDim, mseLossGrad, outputDim } from '../../theory/mlp.ts';
import { parseArgs } from '../args.ts';
import { capPoints, capWork, parameterCount, TOOL_LIMITS, noPositionals } from './limits.ts';
import type { Tool } from './types.ts';

export const tool: Tool = {
  usage: 'loss-grad --net NET.json --data DATA.json',
  run(argv) {
    const args = parseArgs(argv, { valued: ['net', 'data'] });
    noPositionals(args);
    const net = parseMlp(readJson(args.need('net'), '--net'), 'net');
    const data = parseData(readJson(args.need('data'), '--data'), 'data', { dim: inputDim(net), outputs: outputDim(net) });
    capPoints(data.x.rows, TOOL_LIMITS.points, 'data.x', 'points per call');
    capWork(data.x.rows * parameterCount(net), 'data.x', 'points × parameters');
    const { loss, grads } = mseLossGrad(net, data.x, data.y);
    const asNet = mlpToJson({ ...net, layers: net.layers.map((l, i) => ({ ...l, W: grads[i]!.W, b: grads[i]!.b })) });
    // A loss beyond float64 (e.g. y = 1e308) has no scale in which it prints: refused, never printed as null.
    return assertFiniteOutput({ loss, grad: { layers: asNet.layers } }, 'data', 'the loss or its gradient overflows float64');
  },
};
