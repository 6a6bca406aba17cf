// Linearized wide networks and the NTK: the empirical NTK, the width-ladder helpers and the `ntk` tool, then the
// family's claims at the CI tier (brief §3, P3.1–P3.3). The exact properties of theory/linearized.ts and
// theory/ntk-analytic.ts live in properties/theory/, those of the claims' judges and the exponent/band statistics in
// properties/judges/linearization.test.ts (all run by the mutation tests).
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, mlpToJson } from '../core/formats.ts';
import { rngFromKey } from '../core/rng.ts';
import { tool as ntkTool } from '../cli/tools/ntk.ts';
import { claims } from '../experiments/linearization/index.ts';
import { prefixMlp } from '../experiments/linearization/prefix.ts';
import { twoLayerStepper } from '../experiments/linearization/wide-run.ts';
import { forward, initMlp, mat, mseLossGrad, type Activation, type Mat, type Mlp, type Parameterization } from '../theory/mlp.ts';
import { analyticKernels } from '../theory/ntk-analytic.ts';
import { empiricalNtk, gramAB } from '../theory/ntk.ts';
import { FC, expectVerdicts } from './helpers.ts';

const FEW = { ...FC, numRuns: 30 } as const;


function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const maxAbs = (a: ArrayLike<number>) => Math.max(...Array.from(a, Math.abs));

describe('empirical NTK', () => {
  // Smooth activations only: central differences straddle ReLU's kink (ReLU is covered by the backprop-based
  // Jacobian check in properties/mlp.test.ts).
  const arch = fc.record({
    widths: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }),
    activation: fc.constantFrom<Activation>('tanh', 'erf', 'linear'),
    parameterization: fc.constantFrom<Parameterization>('standard', 'ntk'),
    seed: fc.integer({ min: 0, max: 1e6 }),
    n1: fc.integer({ min: 1, max: 3 }),
    n2: fc.integer({ min: 1, max: 3 }),
  });

  it('Θ(X1, X2) equals the product of brute-force finite-difference Jacobians of forward(), both parameterizations', () => {
    fc.assert(
      fc.property(arch, (a) => {
        const rng = rngFromKey(`fd/${a.seed}`);
        const widths = [...a.widths, 1];
        const net = initMlp(widths, { activation: a.activation, parameterization: a.parameterization, sigmaW: 1.3, sigmaB: 0.4 }, rng);
        const d = widths[0]!;
        const X1 = mat(a.n1, d, rng.normals(a.n1 * d));
        const X2 = mat(a.n2, d, rng.normals(a.n2 * d));
        const jac = (X: Mat) => {
          const J: number[][] = Array.from({ length: X.rows }, () => []);
          const h = 1e-5;
          for (const layer of net.layers)
            for (const arr of [layer.W, layer.b])
              for (let q = 0; q < arr.length; q++) {
                const keep = arr[q]!;
                arr[q] = keep + h;
                const up = forward(net, X).data;
                arr[q] = keep - h;
                const dn = forward(net, X).data;
                arr[q] = keep;
                for (let i = 0; i < X.rows; i++) J[i]!.push((up[i]! - dn[i]!) / (2 * h));
              }
          return mat(X.rows, J[0]!.length, Float64Array.from(J.flat()));
        };
        const brute = gramAB(jac(X1), jac(X2));
        const K = empiricalNtk(net, X1, X2);
        const scale = 1 + maxAbs(brute.data);
        expect(maxAbsDiff(K.data, brute.data)).toBeLessThanOrEqual(1e-6 * scale);
      }),
      FEW,
    );
  });
});

describe('width-ladder helpers', () => {
  it('one step of the specialised 1-hidden-layer GD equals θ − η·∇L from theory/mlp.ts mseLossGrad', () => {
    fc.assert(
      fc.property(
        fc.record({
          d: fc.integer({ min: 1, max: 4 }),
          w: fc.integer({ min: 1, max: 9 }),
          n: fc.integer({ min: 1, max: 5 }),
          activation: fc.constantFrom<Activation>('tanh', 'relu', 'erf', 'linear'),
          parameterization: fc.constantFrom<Parameterization>('standard', 'ntk'),
          seed: fc.integer({ min: 0, max: 1e6 }),
        }),
        (c) => {
          const rng = rngFromKey(`step/${c.seed}`);
          const net = initMlp([c.d, c.w, 1], { activation: c.activation, parameterization: c.parameterization, sigmaW: 1.5, sigmaB: 0.3 }, rng);
          const X = mat(c.n, c.d, rng.normals(c.n * c.d));
          const y = rng.normals(c.n);
          const { grads } = mseLossGrad(net, X, mat(c.n, 1, y));
          const want = net.layers.map((l, i) => ({ W: l.W.map((v, q) => v - 0.3 * grads[i]!.W[q]!), b: l.b.map((v, q) => v - 0.3 * grads[i]!.b[q]!) }));
          const stepper = twoLayerStepper(net, X);
          expect(maxAbsDiff(stepper.outputs(), forward(net, X).data)).toBeLessThanOrEqual(1e-12);
          stepper.gdStep(y, 0.3);
          net.layers.forEach((l, i) => {
            expect(maxAbsDiff(l.W, want[i]!.W)).toBeLessThanOrEqual(1e-12 * (1 + maxAbs(want[i]!.W)));
            expect(maxAbsDiff(l.b, want[i]!.b)).toBeLessThanOrEqual(1e-12 * (1 + maxAbs(want[i]!.b)));
          });
        },
      ),
      FC,
    );
  });

  it('a prefix network at full width is the network itself, and narrower prefixes keep the leading units', () => {
    const rng = rngFromKey('prefix');
    const big: Mlp = initMlp([3, 6, 5, 1], { activation: 'tanh', parameterization: 'ntk', sigmaW: 1.2, sigmaB: 0.2 }, rng);
    const X = mat(4, 3, rng.normals(12));
    expect(maxAbsDiff(forward(prefixMlp(big, [6, 5]), X).data, forward(big, X).data)).toBe(0);
    const small = prefixMlp(big, [2, 3]);
    expect(small.layers.map((l) => [l.nIn, l.nOut])).toEqual([[3, 2], [2, 3], [3, 1]]);
    expect(small.layers[1]!.W[1 * 3 + 2]).toBe(big.layers[1]!.W[1 * 5 + 2]);
  });
});

describe('ntk tool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dlclaims-ntk-'));
  const write = (name: string, v: unknown) => {
    const p = join(dir, name);
    writeFileSync(p, JSON.stringify(v));
    return p;
  };
  const rng = rngFromKey('ntk-tool');
  const X = mat(4, 3, rng.normals(12));
  const pts = write('x.json', { x: Array.from({ length: 4 }, (_, i) => Array.from(X.data.subarray(i * 3, i * 3 + 3))) });

  it('--analytic returns the NNGP and NTK of theory/ntk-analytic.ts; the empirical form returns empiricalNtk', async () => {
    const out = (await ntkTool.run(['--analytic', '--activation', 'erf', '--depth', '2', '--sigma-w', '1.5', '--sigma-b', '0.05', '--x', pts])) as { nngp: number[][]; ntk: number[][] };
    const k = analyticKernels({ activation: 'erf', depth: 2, sigmaW: 1.5, sigmaB: 0.05 }, X);
    expect(out.ntk.flat()).toEqual(Array.from(k.ntk.data));
    expect(out.nngp.flat()).toEqual(Array.from(k.nngp.data));
    const net = initMlp([3, 7, 1], { activation: 'relu', parameterization: 'ntk', sigmaW: 1.4, sigmaB: 0.1 }, rng);
    const e = (await ntkTool.run(['--net', write('net.json', mlpToJson(net)), '--x', pts])) as { ntk: number[][] };
    expect(e.ntk.flat()).toEqual(Array.from(empiricalNtk(net, X).data));
  });

  it('refuses bad input with an InputError naming the field', async () => {
    const vec = initMlp([3, 2, 2], { activation: 'tanh', parameterization: 'ntk', sigmaW: 1, sigmaB: 0 }, rng);
    const cases: [string[], RegExp][] = [
      [['--analytic', '--activation', 'tanh', '--depth', '1', '--sigma-w', '1', '--sigma-b', '0', '--x', pts], /--activation/],
      [['--analytic', '--activation', 'relu', '--sigma-w', '1', '--sigma-b', '0', '--x', pts], /--depth/],
      [['--analytic', '--activation', 'relu', '--depth', '-1', '--sigma-w', '1', '--sigma-b', '0', '--x', pts], /--depth/],
      [['--analytic', '--activation', 'relu', '--depth', '1', '--sigma-b', '0', '--x', pts], /--sigma-w/],
      [['--net', write('vec.json', mlpToJson(vec)), '--x', pts], /net\.layers\[1\]\.W/],
      [['--net', write('bad.json', { format: 'mlp-v1' }), '--x', pts], /net\.activation/],
    ];
    for (const [argv, re] of cases) {
      let err: unknown;
      try {
        await ntkTool.run(argv);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect(String((err as Error).message)).toMatch(re);
    }
  });
});

expectVerdicts(claims.filter((c) => !c.id.startsWith('linearization.cnn-')), 'linearization'); // CNN claims: properties/cnn-claims.test.ts
