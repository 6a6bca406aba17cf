// Embedding Principle (BRIEF §4): the `embed` tool and the family's claims at the CI tier. The exact properties of
// the operators, V, the Hessian and the critical-point finder are in properties/theory/embedding.test.ts and
// properties/theory/critical.test.ts; those of the judges and the plateau detector in properties/judges/embedding.test.ts.
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tool as embedTool } from '../cli/tools/embed.ts';
import { InputError, mlpToJson, parseMlp } from '../core/formats.ts';
import { rngFromKey } from '../core/rng.ts';
import { claims } from '../experiments/embedding/index.ts';
import { splitNeuron } from '../theory/embedding.ts';
import { ACTIVATIONS, flattenParams, forward, initMlp, mat, type Activation, type Mat, type Mlp, type Parameterization } from '../theory/mlp.ts';
import { expectVerdicts, FC } from './helpers.ts';

const arch = fc.record({
  hidden: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
  dIn: fc.integer({ min: 1, max: 3 }),
  dOut: fc.integer({ min: 1, max: 3 }),
  activation: fc.constantFrom<Activation>(...ACTIVATIONS),
  parameterization: fc.constantFrom<Parameterization>('standard', 'ntk'),
  sigmaW: fc.double({ min: 0.3, max: 2.5, noNaN: true }),
  sigmaB: fc.double({ min: 0, max: 1.5, noNaN: true }),
  n: fc.integer({ min: 1, max: 5 }),
  seed: fc.integer({ min: 0, max: 1e6 }),
});
type Arch = typeof arch extends fc.Arbitrary<infer T> ? T : never;

function build(a: Arch): { net: Mlp; X: Mat; Y: Mat; labels: number[] } {
  const rng = rngFromKey(`embedding-test/${a.seed}`);
  const widths = [a.dIn, ...a.hidden, a.dOut];
  const net = initMlp(widths, { activation: a.activation, parameterization: a.parameterization, sigmaW: a.sigmaW, sigmaB: a.sigmaB }, rng);
  return {
    net,
    X: mat(a.n, a.dIn, rng.normals(a.n * a.dIn, 1.5)),
    Y: mat(a.n, a.dOut, rng.normals(a.n * a.dOut)),
    labels: Array.from({ length: a.n }, () => rng.int(a.dOut)),
  };
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

describe('embed tool (DESIGN.md contract)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dlclaims-embed-'));
  const write = (name: string, v: unknown) => {
    const p = join(dir, name);
    writeFileSync(p, JSON.stringify(v));
    return p;
  };

  it('returns the split network, output preserved in both parameterizations', () => {
    fc.assert(
      fc.property(arch, fc.nat(), fc.nat(), fc.double({ min: -3, max: 3, noNaN: true }), (a, l0, j0, alpha) => {
        const { net, X } = build(a);
        const layer = 1 + (l0 % (net.layers.length - 1));
        const neuron = j0 % net.layers[layer - 1]!.nOut;
        const p = write('net.json', mlpToJson(net));
        const out = embedTool.run(['--net', p, '--layer', String(layer), '--neuron', String(neuron), '--alpha', String(alpha)]) as Record<string, unknown>;
        const wide = parseMlp(JSON.parse(JSON.stringify(out)));
        expect(out.format).toBe('mlp-v1');
        expect(wide.layers[layer - 1]!.nOut).toBe(net.layers[layer - 1]!.nOut + 1);
        const same = (v: Float64Array) => Array.from(v, (x) => x + 0); // JSON has no −0
        expect(same(flattenParams(wide))).toEqual(same(flattenParams(splitNeuron(net, layer, neuron, alpha))));
        const f0 = forward(net, X).data;
        const f1 = forward(wide, X).data;
        expect(maxAbs(f0.map((v, i) => v - f1[i]!))).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(f0)));
      }),
      { ...FC, numRuns: 30 },
    );
  });

  it('refuses bad input with an InputError naming the field', () => {
    const net = initMlp([2, 3, 1], { activation: 'relu', parameterization: 'ntk', sigmaW: 1, sigmaB: 0.1 }, rngFromKey('embed-tool'));
    const p = write('ok.json', mlpToJson(net));
    const cases: [string[], string][] = [
      [['--net', p, '--layer', '2', '--neuron', '0', '--alpha', '0.5'], '--layer'],
      [['--net', p, '--layer', '0', '--neuron', '0', '--alpha', '0.5'], '--layer'],
      [['--net', p, '--layer', '1', '--neuron', '3', '--alpha', '0.5'], '--neuron'],
      [['--net', p, '--layer', '1', '--neuron', '-1', '--alpha', '0.5'], '--neuron'],
      [['--net', p, '--layer', '1', '--neuron', '0', '--alpha', 'nan'], '--alpha'],
      [['--net', p, '--layer', '1.5', '--neuron', '0', '--alpha', '0.5'], '--layer'],
      [['--net', p, '--layer', '1', '--neuron', '0'], '--alpha'],
      [['--net', write('bad.json', { format: 'mlp-v1', activation: 'relu' }), '--layer', '1', '--neuron', '0', '--alpha', '1'], 'net.parameterization'],
      [['--net', write('flat.json', mlpToJson(initMlp([2, 1], { activation: 'relu', parameterization: 'standard', sigmaW: 1, sigmaB: 0 }, rngFromKey('flat')))), '--layer', '1', '--neuron', '0', '--alpha', '1'], '--layer'],
    ];
    for (const [argv, field] of cases) {
      let err: unknown;
      try {
        embedTool.run(argv);
      } catch (e) {
        err = e;
      }
      expect(err, argv.join(' ')).toBeInstanceOf(InputError);
      expect((err as Error).message.startsWith(field), (err as Error).message).toBe(true);
    }
  });
});

expectVerdicts(claims, 'embedding');
