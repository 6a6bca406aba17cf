// The float64 reference MLP: gradients against central finite differences, the empirical NTK against an
// explicit Jacobian product, and the two parameterizations computing the same function family.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rngFromKey } from '../core/rng.ts';
import { empiricalNtk } from '../theory/ntk.ts';
import {
  ACTIVATIONS,
  flattenGrads,
  flattenParams,
  forward,
  initMlp,
  mat,
  mseLossGrad,
  withParams,
  type Activation,
  type Mlp,
  type Parameterization,
} from '../theory/mlp.ts';
import { FC } from './helpers.ts';

const arch = fc.record({
  widths: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 4 }),
  activation: fc.constantFrom<Activation>(...ACTIVATIONS),
  parameterization: fc.constantFrom<Parameterization>('standard', 'ntk'),
  seed: fc.integer({ min: 0, max: 1e6 }),
  n: fc.integer({ min: 1, max: 4 }),
});

function build(a: { widths: number[]; activation: Activation; parameterization: Parameterization; seed: number; n: number }) {
  const rng = rngFromKey(`mlp-test/${a.seed}`);
  const net = initMlp(a.widths, { activation: a.activation, parameterization: a.parameterization, sigmaW: 1.3, sigmaB: 0.4 }, rng);
  const X = mat(a.n, a.widths[0]!, rng.normals(a.n * a.widths[0]!));
  const Y = mat(a.n, a.widths.at(-1)!, rng.normals(a.n * a.widths.at(-1)!));
  return { net, X, Y };
}

function loss(net: Mlp, X: ReturnType<typeof mat>, Y: ReturnType<typeof mat>): number {
  return mseLossGrad(net, X, Y).loss;
}

describe('reference MLP', () => {
  it('gradient equals central finite differences', () => {
    fc.assert(
      fc.property(arch, (a) => {
        const { net, X, Y } = build(a);
        const g = flattenGrads(mseLossGrad(net, X, Y).grads);
        const th = flattenParams(net);
        const h = 1e-6;
        for (let i = 0; i < th.length; i++) {
          const p = th.slice();
          p[i]! += h;
          const m = th.slice();
          m[i]! -= h;
          const fd = (loss(withParams(net, p), X, Y) - loss(withParams(net, m), X, Y)) / (2 * h);
          // ReLU kinks can sit inside the difference interval; the tolerance allows the usual O(h²) error only.
          expect(Math.abs(fd - g[i]!)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(fd)) + (a.activation === 'relu' ? 1e-3 : 0));
        }
      }),
      FC,
    );
  });

  it('empirical NTK equals Σ_θ ∂f(x)/∂θ·∂f(x′)/∂θ from explicit per-sample gradients', () => {
    fc.assert(
      fc.property(arch, (a) => {
        const widths = [...a.widths.slice(0, -1), 1];
        const { net, X } = build({ ...a, widths });
        const K = empiricalNtk(net, X);
        // ∂f(x_i)/∂θ from loss-grad with y = f − 1 on one point: L = ½(f − y)² ⇒ ∇L = ∇f.
        const J = Array.from({ length: X.rows }, (_, i) => {
          const xi = mat(1, X.cols, X.data.slice(i * X.cols, (i + 1) * X.cols));
          const fi = forward(net, xi).data[0]!;
          return flattenGrads(mseLossGrad(net, xi, mat(1, 1, new Float64Array([fi - 1]))).grads);
        });
        for (let i = 0; i < X.rows; i++)
          for (let j = 0; j < X.rows; j++) {
            const dot = J[i]!.reduce((s, v, q) => s + v * J[j]![q]!, 0);
            expect(Math.abs(K.data[i * X.rows + j]! - dot)).toBeLessThanOrEqual(1e-10 * (1 + Math.abs(dot)));
          }
      }),
      FC,
    );
  });

  it('standard and NTK parameterizations give the same function when weights are rescaled', () => {
    fc.assert(
      fc.property(arch, (a) => {
        const { net, X } = build({ ...a, parameterization: 'ntk' });
        const std: Mlp = {
          ...net,
          parameterization: 'standard',
          layers: net.layers.map((l) => ({
            ...l,
            W: l.W.map((w) => (w * net.sigmaW) / Math.sqrt(l.nIn)),
            b: l.b.map((b) => b * net.sigmaB),
          })),
        };
        const f1 = forward(net, X).data;
        const f2 = forward(std, X).data;
        f1.forEach((v, i) => expect(Math.abs(v - f2[i]!)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(v))));
      }),
      FC,
    );
  });
});
