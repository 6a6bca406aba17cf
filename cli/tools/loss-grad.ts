// `loss-grad --net N --data D` → {"loss": L, "grad": {"layers": [{"W", "b"}]}}, L = (1/2n)·Σ||f(x_i) − y_i||².
import { mlpToJson, parseData, parseMlp, readJson } from '../../core/formats.ts';
import { inputDim, mseLossGrad, outputDim } from '../../theory/mlp.ts';
import { parseArgs } from '../args.ts';
import type { Tool } from './types.ts';

export const tool: Tool = {
  usage: 'loss-grad --net NET.json --data DATA.json',
  run(argv) {
    const args = parseArgs(argv, { valued: ['net', 'data'] });
    const net = parseMlp(readJson(args.need('net'), '--net'), 'net');
    const data = parseData(readJson(args.need('data'), '--data'), 'data', { dim: inputDim(net), outputs: outputDim(net) });
    const { loss, grads } = mseLossGrad(net, data.x, data.y);
    const asNet = mlpToJson({ ...net, layers: net.layers.map((l, i) => ({ ...l, W: grads[i]!.W, b: grads[i]!.b })) });
    return { loss, grad: { layers: asNet.layers } };
  },
};
