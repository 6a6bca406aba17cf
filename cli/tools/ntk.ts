// `ntk --net N --x P` → {"ntk": [[...]]}: the empirical NTK Θ(x_i, x_j) = Σ_θ ∂f(x_i)/∂θ·∂f(x_j)/∂θ (scalar output;
// mlp-v1 or cnn-v1, a net with more than one output is refused).
// `ntk --analytic --activation relu|erf --depth L --sigma-w s --sigma-b t --x P` → {"nngp": [[...]], "ntk": [[...]]}:
// the infinite-width kernels of L hidden Dense+activation blocks and a final Dense, NTK parameterization,
// neural-tangents stax conventions (theory/ntk-analytic.ts).
import { asEnum, assertFiniteOutput, fail, parseNet, parsePoints, readJson } from '../../core/formats.ts';
import { cnnInputDim, cnnMacs, cnnNtk, cnnOutputDim, cnnParamCount } from '../../theory/cnn.ts';
import { inputDim, matToRows, outputDim } from '../../theory/mlp.ts';
import { ANALYTIC_ACTIVATIONS, analyticKernels, type AnalyticActivation } from '../../theory/ntk-analytic.ts';
import { empiricalNtk } from '../../theory/ntk.ts';
import { LIMITS, parseArgs } from '../args.ts';
import { capPoints, capWork, TOOL_LIMITS, noPositionals } from './limits.ts';
import type { Tool } from './types.ts';

export const tool: Tool = {
  usage:
    'ntk --net NET.json --x POINTS.json\n' +
    '  ntk --analytic --activation relu|erf --depth L --sigma-w S --sigma-b T --x POINTS.json',
  run(argv) {
    const args = parseArgs(argv, { valued: ['net', 'x', 'activation', 'depth', 'sigma-w', 'sigma-b'], booleans: ['analytic'] });
    noPositionals(args);
    if (args.flag('analytic')) {
      if (args.get('net') !== undefined) fail('--net', 'not used with --analytic (the analytic kernel needs no weights)');
      const activation = asEnum<AnalyticActivation>(args.need('activation'), '--activation', ANALYTIC_ACTIVATIONS);
      const depth = args.intIn('depth', 0, LIMITS.depth, undefined, 'hidden layers');
      if (depth === undefined) fail('--depth', 'required');
      const sigmaW = args.num('sigma-w');
      const sigmaB = args.num('sigma-b');
      if (sigmaW === undefined) fail('--sigma-w', 'required');
      if (sigmaB === undefined) fail('--sigma-b', 'required');
      const x = parsePoints(readJson(args.need('x'), '--x'), 'x');
      capPoints(x.rows, TOOL_LIMITS.ntkPoints, 'x.x', 'the kernels are n×n');
      capWork(x.rows * x.rows * (x.cols + depth + 1), 'x.x', 'n² × (input dimension + depth)');
      const k = analyticKernels({ activation, depth, sigmaW, sigmaB }, x);
      // σ_w^(2L) and large inputs can leave float64; the kernels then have no printable scale: refuse.
      return assertFiniteOutput({ nngp: matToRows(k.nngp), ntk: matToRows(k.ntk) }, '--sigma-w/--sigma-b/x', 'the kernels overflow float64');
    }
    for (const f of ['activation', 'depth', 'sigma-w', 'sigma-b']) {
      if (args.get(f) !== undefined) fail(`--${f}`, 'only used with --analytic');
    }
    const parsed = parseNet(readJson(args.need('net'), '--net'), 'net');
    if (parsed.format === 'cnn-v1') {
      const cnn = parsed.net;
      const L = cnn.layers.length;
      if (cnnOutputDim(cnn) !== 1) fail(`net.layers[${L - 1}].W`, `the NTK needs a scalar output, the network has ${cnnOutputDim(cnn)} outputs`);
      const x = parsePoints(readJson(args.need('x'), '--x'), 'x', cnnInputDim(cnn));
      capPoints(x.rows, TOOL_LIMITS.ntkPoints, 'x.x', 'the kernel is n×n');
      // One forward and backward pass per point (about 3 forward passes of multiply-adds), then J·Jᵀ.
      capWork(x.rows * x.rows * cnnParamCount(cnn) + 3 * x.rows * cnnMacs(cnn), 'x.x', 'n² × parameters + 3n × multiply-adds per point');
      return assertFiniteOutput({ ntk: matToRows(cnnNtk(cnn, x)) }, 'net', 'the kernel overflows float64');
    }
    const net = parsed.net;
    if (outputDim(net) !== 1) fail(`net.layers[${net.layers.length - 1}].W`, `the NTK needs a scalar output, the network has ${outputDim(net)} outputs`);
    const x = parsePoints(readJson(args.need('x'), '--x'), 'x', inputDim(net));
    capPoints(x.rows, TOOL_LIMITS.ntkPoints, 'x.x', 'the kernel is n×n');
    const widths = net.layers.reduce((s, l) => s + l.nIn + l.nOut, 0);
    const params = net.layers.reduce((s, l) => s + l.nIn * l.nOut + l.nOut, 0);
    capWork(x.rows * x.rows * widths + x.rows * params, 'x.x', 'n² × layer widths + n × parameters');
    return assertFiniteOutput({ ntk: matToRows(empiricalNtk(net, x)) }, 'net', 'the kernel overflows float64');
  },
};
