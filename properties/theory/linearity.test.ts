// Exact properties of theory/linearity.ts (2010.01092 §4 counterexamples) and of the PL*/linearized-rate helpers
// added to theory/overparam.ts (2003.00307): each checked against an independent oracle (finite differences of
// exact gradients or of the loss, a dense eigen-decomposition, a GD run of the linear model, hand-derived values).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rngFromKey } from '../../core/rng.ts';
import { activate, cloneMlp, flattenParams, initMlp, mat, mseLossGrad, flattenGrads, withParams } from '../../theory/mlp.ts';
import { empiricalNtk } from '../../theory/ntk.ts';
import { fdOutputHvpOperator, nonlinearOutputGrad, nonlinearOutputHvpOperator, nonlinearOutputLossGrad, scalarOutput } from '../../theory/linearity.ts';
import { ballRadius, distanceFrom, gdStepInPlace, gdStepper, linearizedLoss, outputHvp, plLogRate, spectralProjections, windowLogRate } from '../../theory/overparam.ts';
import { FC } from '../helpers.ts';

const TANH = { phi: 'tanh' as const };
const arb = fc.record({ d: fc.integer({ min: 1, max: 4 }), m: fc.integer({ min: 1, max: 6 }), seed: fc.integer({ min: 0, max: 1e6 }) });
const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => Math.max(s, Math.abs(v)), 0);

function twoLayer(a: { d: number; m: number; seed: number }, sizes?: number[]) {
  const rng = rngFromKey(`linearity-test/${a.seed}`);
  const net = initMlp(sizes ?? [a.d, a.m, 1], { activation: 'tanh', parameterization: 'ntk', sigmaW: 1.2, sigmaB: 0.4 }, rng);
  const x = rng.normals(a.d);
  return { net, x, u: rng.normals(flattenParams(net).length), rng };
}

describe('non-linear output f = φ(g) (2010.01092 §4)', () => {
  it('∇f = φ\'(g)·∇g matches central differences of φ(g(θ))', () => {
    fc.assert(
      fc.property(arb, (a) => {
        const { net, x, u } = twoLayer(a);
        const th = flattenParams(net);
        const h = 1e-6;
        const f = (s: number) => activate('tanh', scalarOutput(withParams(net, th.map((t, i) => t + s * h * u[i]!)), x));
        const fd = (f(1) - f(-1)) / (2 * h);
        const g = nonlinearOutputGrad(net, x, TANH);
        const dir = g.reduce((s, v, i) => s + v * u[i]!, 0);
        expect(Math.abs(dir - fd)).toBeLessThan(1e-6 * (1 + Math.abs(fd)));
      }),
      FC,
    );
  });

  it('the Hessian-vector product matches central differences of the exact gradient', () => {
    fc.assert(
      fc.property(arb, (a) => {
        const { net, x, u } = twoLayer(a);
        const th = flattenParams(net);
        const h = 1e-5;
        const gp = nonlinearOutputGrad(withParams(net, th.map((t, i) => t + h * u[i]!)), x, TANH);
        const gm = nonlinearOutputGrad(withParams(net, th.map((t, i) => t - h * u[i]!)), x, TANH);
        const fd = gp.map((v, i) => (v - gm[i]!) / (2 * h));
        const hv = nonlinearOutputHvpOperator(net, x, TANH)(u);
        expect(maxAbs(hv.map((v, i) => v - fd[i]!))).toBeLessThan(1e-6 * (1 + maxAbs(fd)));
      }),
      FC,
    );
  });

  it('the loss gradient matches central differences of L = (1/2n)Σ(φ(g) − y)²', () => {
    fc.assert(
      fc.property(arb, fc.integer({ min: 1, max: 5 }), (a, n) => {
        const { net, u, rng } = twoLayer(a);
        const X = mat(n, a.d, rng.normals(n * a.d));
        const y = rng.normals(n, 0.5);
        const th = flattenParams(net);
        const h = 1e-6;
        const L = (s: number) => nonlinearOutputLossGrad(withParams(net, th.map((t, i) => t + s * h * u[i]!)), X, y, TANH).loss;
        const fd = (L(1) - L(-1)) / (2 * h);
        const { grad } = nonlinearOutputLossGrad(net, X, y, TANH);
        const dir = grad.reduce((s, v, i) => s + v * u[i]!, 0);
        expect(Math.abs(dir - fd)).toBeLessThan(1e-6 * (1 + Math.abs(fd)));
      }),
      FC,
    );
  });
});

describe('finite-difference Hessian-vector product (bottleneck nets)', () => {
  it('equals the exact two-layer product to 1e-6 relative', () => {
    fc.assert(
      fc.property(arb, (a) => {
        const { net, x, u } = twoLayer(a);
        const fd = fdOutputHvpOperator(net, x, flattenParams(net))(u);
        const ex = outputHvp(net, x, u);
        expect(maxAbs(fd.map((v, i) => v - ex[i]!))).toBeLessThan(1e-6 * (1 + maxAbs(ex)));
      }),
      FC,
    );
  });

  it('is symmetric on a deep bottleneck net: vᵀ(Hu) = uᵀ(Hv)', () => {
    fc.assert(
      fc.property(arb, (a) => {
        const { net, x, u, rng } = twoLayer(a, [a.d, a.m, 1, a.m, 1]);
        const v = rng.normals(u.length);
        const op = fdOutputHvpOperator(net, x, flattenParams(net));
        const vHu = op(u).reduce((s, w, i) => s + w * v[i]!, 0);
        const uHv = op(v).reduce((s, w, i) => s + w * u[i]!, 0);
        expect(Math.abs(vHu - uHv)).toBeLessThan(1e-4 * (1 + Math.abs(vHu))); // O(ε²) truncation on both sides
      }),
      FC,
    );
  });
});

describe('PL* rate, ball and linearized loss (2003.00307)', () => {
  it('plLogRate is −ln(1 − ημ) and windowLogRate recovers the rate of an exact exponential', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-4, max: 0.9, noNaN: true }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 21, max: 60 }), (c, from, end) => {
        expect(plLogRate(1, c)).toBeCloseTo(-Math.log(1 - c), 12);
        const losses = Array.from({ length: 61 }, (_, t) => 3 * (1 - c) ** t);
        expect(windowLogRate(losses, from, end)).toBeCloseTo(plLogRate(0.5, 2 * c), 9);
      }),
      FC,
    );
    expect(() => windowLogRate([1, 2], 1, 1)).toThrow(/bad window/);
  });

  it('ballRadius = 2√(2βL₀)/μ by hand', () => {
    expect(ballRadius(0.5, 1 / 16, 1 / 8)).toBe(4);
    expect(ballRadius(2, 1, 1)).toBe(4);
  });

  it('linearizedLoss equals GD on the linear model f_{t+1} = f_t − (η/n)K(f_t − y), from the eigen-decomposition', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 0, max: 30 }), (n, seed, T) => {
        const rng = rngFromKey(`lin/${seed}`);
        const A = rng.normals(n * n);
        const K = mat(n, n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) K.data[i * n + j]! += A[i * n + k]! * A[j * n + k]!;
        const r0 = rng.normals(n);
        const lmax = Math.max(...spectralProjections(K, r0).eigenvalues);
        const eta = (0.9 * n) / lmax;
        let r = r0.slice();
        for (let t = 0; t < T; t++) {
          const Kr = new Float64Array(n);
          for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Kr[i]! += K.data[i * n + j]! * r[j]!;
          r = r.map((v, i) => v - (eta / n) * Kr[i]!);
        }
        const direct = r.reduce((s, v) => s + v * v, 0) / (2 * n);
        const sp = spectralProjections(K, r0);
        expect(sp.proj2.reduce((s, v) => s + v, 0)).toBeCloseTo(r0.reduce((s, v) => s + v * v, 0), 9);
        expect(linearizedLoss(sp.eigenvalues, sp.proj2, eta, n, T)).toBeCloseTo(direct, 9);
      }),
      FC,
    );
  });

  it('gdStepInPlace returns L(w_t) and moves by −η∇L; distanceFrom is ||θ − θ₀||', () => {
    fc.assert(
      fc.property(arb, fc.integer({ min: 1, max: 5 }), fc.double({ min: 0.01, max: 1, noNaN: true }), (a, n, eta) => {
        const { net, rng } = twoLayer(a);
        const X = mat(n, a.d, rng.normals(n * a.d));
        const Y = mat(n, 1, rng.normals(n));
        const th0 = flattenParams(net);
        const { loss, grads } = mseLossGrad(net, X, Y);
        const g = flattenGrads(grads);
        const moved = cloneMlp(net);
        expect(gdStepInPlace(moved, X, Y, eta)).toBe(loss);
        const th1 = flattenParams(moved);
        expect(maxAbs(th1.map((v, i) => v - (th0[i]! - eta * g[i]!)))).toBeLessThan(1e-14 * (1 + maxAbs(th0)));
        expect(distanceFrom(moved, th0)).toBeCloseTo(eta * Math.hypot(...g), 12);
        expect(distanceFrom(net, th0)).toBe(0);
      }),
      FC,
    );
  });

  it('gdStepper (buffers reused across steps) takes the same steps as gdStepInPlace, bit for bit', () => {
    fc.assert(
      fc.property(arb, fc.integer({ min: 1, max: 5 }), fc.double({ min: 0.01, max: 1, noNaN: true }), (a, n, eta) => {
        const { net, rng } = twoLayer(a);
        const X = mat(n, a.d, rng.normals(n * a.d));
        const Y = mat(n, 1, rng.normals(n));
        const plain = cloneMlp(net);
        const reused = cloneMlp(net);
        const step = gdStepper(reused, X, Y);
        for (let t = 0; t < 4; t++) expect(step(eta)).toBe(gdStepInPlace(plain, X, Y, eta));
        expect(Array.from(flattenParams(reused))).toEqual(Array.from(flattenParams(plain)));
      }),
      FC,
    );
  });

  it('the tangent kernel of tanh(g) used by the rival is diag(φ\'(g))·K_g·diag(φ\'(g)) = J_f J_fᵀ', () => {
    const { net, rng } = twoLayer({ d: 3, m: 5, seed: 7 });
    const X = mat(4, 3, rng.normals(12));
    const grads = [0, 1, 2, 3].map((i) => nonlinearOutputGrad(net, X.data.slice(3 * i, 3 * i + 3), TANH));
    const K = empiricalNtk(net, X);
    const s = [0, 1, 2, 3].map((i) => 1 - Math.tanh(scalarOutput(net, X.data.slice(3 * i, 3 * i + 3))) ** 2);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) {
      const jj = grads[i]!.reduce((acc, v, q) => acc + v * grads[j]![q]!, 0);
      expect(K.data[i * 4 + j]! * s[i]! * s[j]!).toBeCloseTo(jj, 10);
    }
  });
});
