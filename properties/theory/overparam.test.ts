// Exact properties of theory/overparam.ts (brief §6, 2010.01092 / 2003.00307): the output Hessian against finite
// differences and a dense eigen-decomposition, power iteration, the loss Hessian, the PL* identity and bound.
import fc from 'fast-check';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { rngFromKey } from '../../core/rng.ts';
import { flattenGrads, flattenParams, forward, initMlp, mat, mseLossGrad, withParams, type Activation, type Parameterization } from '../../theory/mlp.ts';
import { empiricalNtk } from '../../theory/ntk.ts';
import { lossHessianOperator, outputGrad, outputHessianNormExact, outputHvp, powerIteration, symEigRange } from '../../theory/overparam.ts';
import { FC } from '../helpers.ts';

const smallNet = fc.record({
  d: fc.integer({ min: 1, max: 4 }),
  m: fc.integer({ min: 1, max: 6 }),
  activation: fc.constantFrom<Activation>('tanh', 'erf', 'linear'),
  parameterization: fc.constantFrom<Parameterization>('standard', 'ntk'),
  sigmaB: fc.constantFrom(0, 0.3, 1),
  seed: fc.integer({ min: 0, max: 1e6 }),
});

function build(a: { d: number; m: number; activation: Activation; parameterization: Parameterization; sigmaB: number; seed: number }) {
  const rng = rngFromKey(`overparam-test/${a.seed}`);
  const net = initMlp([a.d, a.m, 1], { activation: a.activation, parameterization: a.parameterization, sigmaW: 1.2, sigmaB: a.sigmaB }, rng);
  const x = rng.normals(a.d);
  const p = flattenParams(net).length;
  return { net, x, u: rng.normals(p), v: rng.normals(p), rng };
}

const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);
const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => Math.max(s, Math.abs(v)), 0);

describe('output Hessian (brief §6.2, 2010.01092)', () => {
  it('H_f·u equals central finite differences of ∇f along u', () => {
    fc.assert(
      fc.property(smallNet, (a) => {
        const { net, x, u } = build(a);
        const theta = flattenParams(net);
        const h = 1e-5;
        const plus = outputGrad(withParams(net, theta.map((t, i) => t + h * u[i]!)), x);
        const minus = outputGrad(withParams(net, theta.map((t, i) => t - h * u[i]!)), x);
        const hv = outputHvp(net, x, u);
        const fd = plus.map((g, i) => (g - minus[i]!) / (2 * h));
        expect(maxAbs(hv.map((v, i) => v - fd[i]!))).toBeLessThan(1e-6 * (1 + maxAbs(hv)));
      }),
      FC,
    );
  });

  it('H_f is symmetric: v·(H u) = u·(H v)', () => {
    fc.assert(
      fc.property(smallNet, (a) => {
        const { net, x, u, v } = build(a);
        const l = dot(v, outputHvp(net, x, u));
        const r = dot(u, outputHvp(net, x, v));
        expect(Math.abs(l - r)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(l)));
      }),
      FC,
    );
  });

  it('the closed-form per-neuron block norm equals the largest |eigenvalue| of the dense Hessian', () => {
    fc.assert(
      fc.property(smallNet, (a) => {
        const { net, x } = build(a);
        const p = flattenParams(net).length;
        const H = new Matrix(p, p);
        for (let j = 0; j < p; j++) {
          const e = new Float64Array(p);
          e[j] = 1;
          outputHvp(net, x, e).forEach((val, i) => H.set(i, j, val));
        }
        const ev = new EigenvalueDecomposition(H, { assumeSymmetric: true }).realEigenvalues;
        const top = Math.max(...ev.map(Math.abs));
        expect(Math.abs(outputHessianNormExact(net, x).norm - top)).toBeLessThanOrEqual(1e-10 * (1 + top));
      }),
      FC,
    );
  });

  it('power iteration on H_f converges to the exact norm (wide tanh net)', () => {
    const rng = rngFromKey('overparam-test/power');
    const net = initMlp([5, 512, 1], { activation: 'tanh', parameterization: 'ntk', sigmaW: 1, sigmaB: 0 }, rng);
    const x = rng.normals(5);
    const p = power(net, x, rng.normals(flattenParams(net).length));
    expect(Math.abs(p - outputHessianNormExact(net, x).norm) / p).toBeLessThan(1e-2);
  });

  it('H_L·u equals finite differences of the loss-grad gradient (L = (1/2n)Σ r²)', () => {
    fc.assert(
      fc.property(smallNet, fc.integer({ min: 1, max: 4 }), (a, n) => {
        const { net, u, rng } = build(a);
        const X = mat(n, a.d, rng.normals(n * a.d));
        const y = rng.normals(n);
        const Y = mat(n, 1, y);
        const theta = flattenParams(net);
        const h = 1e-5;
        const g = (s: number) => flattenGrads(mseLossGrad(withParams(net, theta.map((t, i) => t + s * h * u[i]!)), X, Y).grads);
        const gp = g(1);
        const gm = g(-1);
        const hv = lossHessianOperator(net, X, y)(u);
        expect(maxAbs(hv.map((v, i) => v - (gp[i]! - gm[i]!) / (2 * h)))).toBeLessThan(1e-6 * (1 + maxAbs(hv)));
      }),
      FC,
    );
  });

  it('PL* identity: ½||∇L||² = (1/2n²)·rᵀKr ≥ (λ_min(K)/n)·L', () => {
    fc.assert(
      fc.property(smallNet, fc.integer({ min: 1, max: 5 }), (a, n) => {
        const { net, rng } = build(a);
        const X = mat(n, a.d, rng.normals(n * a.d));
        const Y = mat(n, 1, rng.normals(n));
        const { loss, grads } = mseLossGrad(net, X, Y);
        const g = flattenGrads(grads);
        const K = empiricalNtk(net, X);
        const out = forward(net, X).data;
        const r = out.map((v, i) => v - Y.data[i]!);
        let rKr = 0;
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) rKr += r[i]! * K.data[i * n + j]! * r[j]!;
        const half = 0.5 * dot(g, g);
        expect(Math.abs(half - rKr / (2 * n * n))).toBeLessThanOrEqual(1e-10 * (1 + half));
        expect(half).toBeGreaterThanOrEqual((symEigRange(K).min / n) * loss - 1e-12 * (1 + half));
      }),
      FC,
    );
  });
});

function power(net: ReturnType<typeof initMlp>, x: Float64Array, start: Float64Array): number {
  return powerIteration((u) => outputHvp(net, x, u), start, { maxIter: 500, tol: 1e-10 }).value;
}
