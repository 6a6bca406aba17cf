// `embed --net N --layer l --neuron j --alpha a` → the wider mlp-v1 net (DESIGN.md "Tool contracts"):
// one-step splitting of unit j (0-based) of hidden layer l (1-based); the copy is appended as the last unit of that
// layer, with the same incoming weights and bias; the outgoing weights become a·w_j and (1−a)·w_j. Under the NTK
// parameterization the next layer's stored W is multiplied by √((n_l+1)/n_l) so that its effective weights
// (σ_W/√n)·W, hence the output, are unchanged (theory/embedding.ts).
// For cnn-v1, l counts the parameter layers (conv and dense, 1-based, not the last) and j is a channel (conv) or a unit
// (dense); the copy is the last channel of that layer, and where a dense layer follows through flatten each spatial
// position's group of input rows gains the copy's row at its end (theory/embedding.ts splitChannel).
import { assertFiniteOutput, cnnToJson, fail, mlpToJson, parseNet, readJson } from '../../core/formats.ts';
import type { ConvLayer, DenseLayer } from '../../theory/cnn.ts';
import { cnnParamLayers, splitChannel, splitNeuron } from '../../theory/embedding.ts';
import { parseArgs } from '../args.ts';
import { noPositionals } from './limits.ts';
import type { Tool } from './types.ts';

/** Limit on |a| + |1 − a|: the output is preserved to about 2.2e-16 × this, relative (≤ 2.2e-10). */
export const MAX_SPLIT_GAIN = 1e6;

export const tool: Tool = {
  usage: 'embed --net NET.json --layer L --neuron J --alpha A',
  run(argv) {
    const args = parseArgs(argv, { valued: ['net', 'layer', 'neuron', 'alpha'] });
    noPositionals(args);
    const parsed = parseNet(readJson(args.need('net'), '--net'), 'net');
    args.need('layer');
    args.need('neuron');
    args.need('alpha');
    const layer = args.int('layer')!;
    const neuron = args.int('neuron')!;
    let width: number;
    if (parsed.format === 'cnn-v1') {
      const params = cnnParamLayers(parsed.net);
      const hidden = params.length - 1;
      if (hidden === 0) fail('--layer', 'the network has one parameter layer (the output): none to widen');
      if (layer < 1 || layer > hidden) fail('--layer', `expected a parameter layer (conv or dense, not the last) in 1..${hidden} (1-based), got ${layer}`);
      const inc = parsed.net.layers[params[layer - 1]!] as ConvLayer | DenseLayer;
      width = inc.type === 'conv' ? inc.cout : inc.nOut;
      if (neuron < 0 || neuron >= width) fail('--neuron', `parameter layer ${layer} (${inc.type}) has ${inc.type === 'conv' ? 'channels' : 'units'} 0..${width - 1} (0-based), got ${neuron}`);
    } else {
      const hidden = parsed.net.layers.length - 1;
      if (hidden === 0) fail('--layer', 'the network has no hidden layer to embed into');
      if (layer < 1 || layer > hidden) fail('--layer', `expected a hidden layer in 1..${hidden} (1-based), got ${layer}`);
      width = parsed.net.layers[layer - 1]!.nOut;
      if (neuron < 0 || neuron >= width) fail('--neuron', `hidden layer ${layer} has units 0..${width - 1} (0-based), got ${neuron}`);
    }
    const alpha = args.num('alpha')!;
    // The split outputs a·v + (1 − a)·v of one value v: float64 keeps that equal to v only to about
    // ε·(|a| + |1 − a|) relative, so a huge |a| silently breaks output preservation (a = 1e308 gave 0.2 for 0.2587).
    // |a| + |1 − a| ≤ G  ⇔  a ∈ [(1 − G)/2, (1 + G)/2].
    if (!(Math.abs(alpha) + Math.abs(1 - alpha) <= MAX_SPLIT_GAIN)) {
      fail('--alpha', `${args.get('alpha')} is outside [${(1 - MAX_SPLIT_GAIN) / 2}, ${(1 + MAX_SPLIT_GAIN) / 2}], the range where the split keeps the output to about 2e-10 relative in float64 (|a| + |1 − a| ≤ ${MAX_SPLIT_GAIN})`);
    }
    const wide = parsed.format === 'cnn-v1' ? cnnToJson(splitChannel(parsed.net, layer, neuron, alpha)) : mlpToJson(splitNeuron(parsed.net, layer, neuron, alpha));
    return assertFiniteOutput(wide, '--alpha', 'the split weights overflow float64');
  },
};
