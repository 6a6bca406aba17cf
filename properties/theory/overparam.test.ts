// Exact properties of theory/overparam.ts (brief §6, 2010.01092 / 2003.00307): the output Hessian against finite
// differences and a dense eigen-decomposition, power iteration, the loss Hessian, the PL* identity and bound.
import fc from 'fast-check';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { rngFromKey } from '../../core/rng.ts';
import { flattenGrads, flattenParams, forward, initMlp, mat, mseLossGrad, withParams, type Activation, type Parameterization } from '../../theory/mlp.ts';
import { empiricalNtk } from '../../theory/ntk.ts';
import { lossHessianOperator, outputGrad, outputHessianNormExact, outputHvp, plBound, plConstant, powerIteration, symEigRange } from '../../theory/overparam.ts';
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

describe('guards of the two-layer Hessian code', () => {
  it('a network that is not one-hidden-layer with a scalar output is rejected, naming the layer count', () => {
    const rng = rngFromKey('overparam-test/guards');
    const deep = initMlp([2, 3, 3, 1], { activation: 'tanh', parameterization: 'ntk', sigmaW: 1, sigmaB: 0 }, rng);
    const vectorOut = initMlp([2, 3, 2], { activation: 'tanh', parameterization: 'ntk', sigmaW: 1, sigmaB: 0 }, rng);
    const x = new Float64Array([0.3, -0.4]);
    expect(() => outputHvp(deep, x, new Float64Array(flattenParams(deep).length))).toThrow(/one-hidden-layer.*3 layers/);
    expect(() => outputHessianNormExact(deep, x)).toThrow(/one-hidden-layer.*3 layers/);
    expect(() => outputHvp(vectorOut, x, new Float64Array(flattenParams(vectorOut).length))).toThrow(/scalar output.*2 layers/);
    expect(() => outputHessianNormExact(vectorOut, x)).toThrow(/scalar output/);
  });

  it('an input or a direction of the wrong length is rejected, naming both lengths', () => {
    const rng = rngFromKey('overparam-test/guards2');
    const net = initMlp([2, 3, 1], { activation: 'tanh', parameterization: 'ntk', sigmaW: 1, sigmaB: 0 }, rng);
    const p = flattenParams(net).length; // 2·3 + 3 + 3 + 1 = 13
    expect(() => outputHvp(net, new Float64Array(3), new Float64Array(p))).toThrow('x has 3 entries, the network 2 inputs');
    expect(() => outputHvp(net, new Float64Array(2), new Float64Array(p - 1))).toThrow(`u has ${p - 1} entries, the network ${p} parameters`);
    expect(() => outputHvp(net, new Float64Array(2), new Float64Array(p + 1))).toThrow(`u has ${p + 1} entries`);
  });

  it('maxAbsV is the largest |output weight| of the network', () => {
    fc.assert(
      fc.property(smallNet, (a) => {
        const { net, x } = build(a);
        expect(outputHessianNormExact(net, x).maxAbsV).toBe(maxAbs(net.layers[1]!.W));
      }),
      FC,
    );
  });
});

describe('power iteration (brief §6.2)', () => {
  const diag = (ds: number[]) => (v: Float64Array) => v.map((x, i) => ds[i]! * x);

  it('returns the largest |eigenvalue| of a diagonal operator, with a unit eigenvector', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 1, maxLength: 6 }), (ds) => {
        const top = maxAbs(ds);
        fc.pre(top > 1e-3);
        // A strict gap to the second |eigenvalue| so that 2000 iterations converge to 1e-8.
        const sorted = ds.map(Math.abs).sort((p, q) => q - p);
        fc.pre(sorted.length === 1 || sorted[1]! < 0.95 * top);
        const r = powerIteration(diag(ds), new Float64Array(ds.length).fill(1), { maxIter: 2000, tol: 1e-14 });
        expect(Math.abs(r.value - top)).toBeLessThan(1e-8 * top);
        expect(Math.abs(Math.hypot(...r.vector) - 1)).toBeLessThan(1e-12);
      }),
      FC,
    );
  });

  it('the start vector is normalized first: one iteration from 100·e₁ reads ||A e₁||', () => {
    const r = powerIteration(diag([2, 1]), new Float64Array([100, 0]), { maxIter: 1 });
    expect(r.value).toBeCloseTo(2, 14);
    expect(r.iterations).toBe(1);
    expect(Array.from(r.vector)).toEqual([1, 0]);
  });

  it('the zero operator gives 0 after one iteration (no division by zero)', () => {
    const r = powerIteration((v) => new Float64Array(v.length), new Float64Array([1, 2, 3]));
    expect(r.value).toBe(0);
    expect(r.iterations).toBe(1);
  });

  it('stops on the second iteration when the estimate repeats exactly, even at tol = 0', () => {
    const r = powerIteration(diag([3, 3]), new Float64Array([1, 0]), { tol: 0 });
    expect(r.value).toBeCloseTo(3, 14);
    expect(r.iterations).toBe(2);
  });

  it('defaults: 300 iterations at most, relative tolerance 1e-10', () => {
    // An operator whose scale changes every call: by a relative 1e-9 (never within 1e-10: runs to the cap) or by
    // 1e-11 (within 1e-10 from the second call on).
    const drifting = (step: number) => {
      let calls = 0;
      return (v: Float64Array) => {
        const scale = 1 + step * ++calls;
        return v.map((x) => x * scale);
      };
    };
    expect(powerIteration(drifting(1e-9), new Float64Array([1, 0])).iterations).toBe(300);
    expect(powerIteration(drifting(1e-11), new Float64Array([1, 0])).iterations).toBe(2);
    const capped = powerIteration(drifting(1e-9), new Float64Array([1, 0]), { maxIter: 7 });
    expect(capped.iterations).toBe(7);
    expect(capped.value).toBeCloseTo(1 + 7e-9, 14);
  });
});

describe('symmetric eigenvalue range, PL* constant and bound (2003.00307 §4, Thm 6)', () => {
  it('symEigRange of [[2,1],[1,2]] is [1, 3], and a non-symmetric K is read through (K + Kᵀ)/2', () => {
    expect(symEigRange(mat(2, 2, new Float64Array([2, 1, 1, 2])))).toEqual({ min: expect.closeTo(1, 12), max: expect.closeTo(3, 12) });
    // (K + Kᵀ)/2 of [[2, 2], [0, 2]] is [[2, 1], [1, 2]].
    expect(symEigRange(mat(2, 2, new Float64Array([2, 2, 0, 2])))).toEqual({ min: expect.closeTo(1, 12), max: expect.closeTo(3, 12) });
    // diag(−4, 0.5, 7): the extremes are the smallest and largest diagonal entries.
    expect(symEigRange(mat(3, 3, new Float64Array([-4, 0, 0, 0, 0.5, 0, 0, 0, 7])))).toEqual({ min: expect.closeTo(-4, 12), max: expect.closeTo(7, 12) });
  });

  it('μ = λ_min(K)/n makes the PL* inequality ½||∇L||² ≥ μ·L tight along the bottom eigenvector of K', () => {
    // For a linear model f = Jθ with K = JJᵀ, r = K's bottom eigenvector gives ½||∇L||² = (1/2n²)·λ_min = μ·L, L = 1/2n.
    const n = 3;
    const lambdaMin = 0.7;
    const mu = plConstant(lambdaMin, n);
    const L = 1 / (2 * n);
    expect(mu * L).toBeCloseTo(lambdaMin / (2 * n * n), 15);
    expect(plConstant(6, 3)).toBe(2);
  });

  it('plBound is L₀ at t = 0 and contracts by (1 − ημ) per step', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-3, max: 10, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 200 }), (l0, c, t) => {
        const eta = 0.5;
        const mu = c / eta; // ημ = c ∈ [0, 1]
        expect(plBound(l0, eta, mu, 0)).toBe(l0);
        expect(plBound(l0, eta, mu, t + 1)).toBeCloseTo(plBound(l0, eta, mu, t) * (1 - c), 12);
      }),
      FC,
    );
    expect(plBound(8, 0.25, 2, 3)).toBe(1); // 8·(1 − 0.5)³
  });
});
