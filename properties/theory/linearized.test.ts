// Exact properties of theory/linearized.ts: the closed-form linearized dynamics under MSE (Lee et al. 2019, eqs. 8–11;
// brief §3.3). Oracles: stepping the linear model f0 + Jω by GD, a matrix-exponential oracle for gradient flow,
// closed forms of the per-eigenvalue factors, and the guards.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rngFromKey } from '../../core/rng.ts';
import { linearOutputs, linearizedDynamics, maxStableStep, stepLinearModel } from '../../theory/linearized.ts';
import { mat, type Mat } from '../../theory/mlp.ts';
import { gramAB } from '../../theory/ntk.ts';
import { FC } from '../helpers.ts';

const FEW = { ...FC, numRuns: 30 } as const;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
const maxAbs = (a: ArrayLike<number>) => Math.max(...Array.from(a, Math.abs));

describe('closed-form linearized dynamics', () => {
  const problem = fc.record({
    n: fc.integer({ min: 1, max: 8 }),
    m: fc.integer({ min: 1, max: 4 }),
    p: fc.integer({ min: 1, max: 30 }),
    frac: fc.double({ min: 0.05, max: 0.95, noNaN: true }),
    steps: fc.integer({ min: 0, max: 60 }),
    seed: fc.integer({ min: 0, max: 1e6 }),
  });
  const build = (c: { n: number; m: number; p: number; seed: number }) => {
    const rng = rngFromKey(`lin/${c.seed}`);
    const J = mat(c.n, c.p, rng.normals(c.n * c.p, 1 / Math.sqrt(c.p)));
    const Jx = mat(c.m, c.p, rng.normals(c.m * c.p, 1 / Math.sqrt(c.p)));
    return { J, Jx, f0: rng.normals(c.n), f0x: rng.normals(c.m), y: rng.normals(c.n) };
  };

  it('discrete GD: Y + (I − ηΘ/N_y)^t (f0 − Y) and the test/weight forms equal stepping f0 + Jω (P3.2, 1e-10 relative)', () => {
    fc.assert(
      fc.property(problem, (c) => {
        const { J, Jx, f0, f0x, y } = build(c);
        const theta = gramAB(J, J);
        const eta = c.frac * maxStableStep(theta);
        const dyn = linearizedDynamics(theta, f0, y, { eta, mode: 'gd' });
        const omega = stepLinearModel(J, f0, y, { eta, steps: c.steps });
        const check = (got: Float64Array, want: Float64Array) => expect(maxAbsDiff(got, want)).toBeLessThanOrEqual(1e-10 * (1 + maxAbs(want)));
        check(dyn.train(c.steps), linearOutputs(J, f0, omega));
        check(dyn.test(gramAB(Jx, J), f0x, c.steps), linearOutputs(Jx, f0x, omega));
        check(dyn.weights(J, c.steps), omega);
      }),
      FC,
    );
  });

  it('gradient flow: Y + exp(−ηΘt/N_y)(f0 − Y) equals a scaling-and-squaring matrix-exponential oracle', () => {
    const expm = (A: Mat): Mat => {
      // exp(A) = (exp(A/2^s))^(2^s), with an 18-term Taylor series for the scaled matrix.
      const n = A.rows;
      const norm = maxAbs(A.data) * n;
      const s = Math.max(0, Math.ceil(Math.log2(norm + 1e-300)) + 1);
      const B = mat(n, n, A.data.map((v) => v / 2 ** s));
      let term = mat(n, n, new Float64Array(n * n));
      for (let i = 0; i < n; i++) term.data[i * n + i] = 1;
      const sum = mat(n, n, term.data.slice());
      for (let k = 1; k <= 18; k++) {
        const next = new Float64Array(n * n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let q = 0; q < n; q++) next[i * n + j]! += term.data[i * n + q]! * B.data[q * n + j]! / k;
        term = mat(n, n, next);
        for (let q = 0; q < n * n; q++) sum.data[q]! += next[q]!;
      }
      let R = sum;
      for (let k = 0; k < s; k++) {
        const next = new Float64Array(n * n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let q = 0; q < n; q++) next[i * n + j]! += R.data[i * n + q]! * R.data[q * n + j]!;
        R = mat(n, n, next);
      }
      return R;
    };
    fc.assert(
      fc.property(problem, fc.double({ min: 0, max: 30, noNaN: true }), (c, t) => {
        const { J, f0, y } = build(c);
        const theta = gramAB(J, J);
        const eta = 0.7;
        const E = expm(mat(c.n, c.n, theta.data.map((v) => (-eta * t * v) / c.n)));
        const want = Float64Array.from(y, (yi, i) => {
          let s = 0;
          for (let j = 0; j < c.n; j++) s += E.data[i * c.n + j]! * (f0[j]! - y[j]!);
          return yi + s;
        });
        const got = linearizedDynamics(theta, f0, y, { eta, mode: 'flow' }).train(t);
        expect(maxAbsDiff(got, want)).toBeLessThanOrEqual(1e-9 * (1 + maxAbs(want)));
      }),
      FEW,
    );
  });
});

