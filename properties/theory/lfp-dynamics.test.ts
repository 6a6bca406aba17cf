// Exact properties of the finite-time LFP flow (theory/lfp-dynamics.ts), each against an independent oracle: the
// long-time limit against the saddle-point solve of theory/lfp.ts, the ODE against central finite differences in t,
// t = 0⁺ against a least-squares affine fit by normal equations, and a hand-derived one-mode case.
import fc from 'fast-check';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { dynamicsCoefficients, dynamicsEval, lfpDynamics, orthogonalComplement } from '../../theory/lfp-dynamics.ts';
import { lfpSolve, radialPowerFt } from '../../theory/lfp.ts';
import { mat } from '../../theory/mlp.ts';
import { FC } from '../helpers.ts';

const FCX = { ...FC, numRuns: 40 };

/** 4–7 distinct 1-D nodes at least 0.05 apart in [−2, 2], values y, coefficients a ≥ 0, b > 0, a scale. */
const case1d = fc
  .integer({ min: 4, max: 7 })
  .chain((n) =>
    fc.record({
      x: fc.uniqueArray(fc.integer({ min: -200, max: 200 }), { minLength: n, maxLength: n }).map((v) => v.map((u) => u / 100)),
      y: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: n, maxLength: n }),
      a: fc.double({ min: 0, max: 3, noNaN: true }),
      b: fc.double({ min: 0.01, max: 3, noNaN: true }),
      scale: fc.double({ min: 0.1, max: 100, noNaN: true }),
    }),
  )
  .filter(({ x }) => x.every((p, i) => x.every((q, j) => i === j || Math.abs(p - q) >= 0.05)));

const X1 = (x: number[]) => mat(x.length, 1, Float64Array.from(x));
const residual = (h: Float64Array, y: number[]) => y.map((v, i) => h[i]! - v);

describe('lfpDynamics: the LFP flow with the affine part fitted instantly', () => {
  it('as t → ∞ it is the LFP interpolant of theory/lfp.ts (a second algorithm), to 1e-9 relative', () => {
    fc.assert(
      fc.property(case1d, ({ x, y, a, b, scale }) => {
        const X = X1(x);
        const grid = X1([-2.5, -1, -0.3, 0, 0.7, 1.9, 3]);
        const dyn = lfpDynamics(X, y, a, b, scale);
        const hInf = dynamicsEval(dyn, Infinity, grid);
        const ref = lfpSolve(X, y, grid, a, b);
        const s = Math.max(1, ...Array.from(ref, Math.abs));
        ref.forEach((v, i) => expect(Math.abs(hInf[i]! - v)).toBeLessThan(1e-8 * s));
      }),
      FCX,
    );
  });

  it('satisfies the ODE dc/dt = −QQᵀu and keeps the residual orthogonal to affine functions (central differences)', () => {
    fc.assert(
      fc.property(case1d, fc.double({ min: 0.05, max: 3, noNaN: true }), ({ x, y, a, b, scale }, tau) => {
        const X = X1(x);
        const dyn = lfpDynamics(X, y, a, b, scale);
        const t = tau / dyn.rates.at(-1)!; // a time on the fastest slow mode's scale
        const dt = 1e-4 * t;
        const cPlus = dynamicsCoefficients(dyn, t + dt);
        const cMinus = dynamicsCoefficients(dyn, t - dt);
        const u = residual(dynamicsEval(dyn, t, X), y);
        const Q = dyn.Q;
        const proj = Q.mmul(Q.transpose()).mmul(Matrix.columnVector(u)).getColumn(0);
        const scaleC = Math.max(1e-12, ...proj.map(Math.abs));
        cPlus.forEach((v, i) => expect(Math.abs((v - cMinus[i]!) / (2 * dt) + proj[i]!)).toBeLessThan(1e-4 * scaleC + 1e-9));
        // Pᵀu = 0: the residual sums to 0 and has no linear trend.
        const s0 = u.reduce((s, v) => s + v, 0);
        const s1 = u.reduce((s, v, i) => s + v * x[i]!, 0);
        const uScale = Math.max(1e-12, ...u.map(Math.abs)) * x.length * 3;
        expect(Math.abs(s0)).toBeLessThan(1e-9 * uScale);
        expect(Math.abs(s1)).toBeLessThan(1e-9 * uScale);
      }),
      FCX,
    );
  });

  it('at t = 0 it is the least-squares affine fit of the data (normal equations), and the residual norm never grows', () => {
    fc.assert(
      fc.property(case1d, ({ x, y, a, b, scale }) => {
        const X = X1(x);
        const dyn = lfpDynamics(X, y, a, b, scale);
        const n = x.length;
        const sx = x.reduce((s, v) => s + v, 0);
        const sxx = x.reduce((s, v) => s + v * v, 0);
        const sy = y.reduce((s, v) => s + v, 0);
        const sxy = y.reduce((s, v, i) => s + v * x[i]!, 0);
        const slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
        const icpt = (sy - slope * sx) / n;
        const h0 = dynamicsEval(dyn, 0, X);
        x.forEach((v, i) => expect(h0[i]!).toBeCloseTo(icpt + slope * v, 9));
        let last = Infinity;
        for (const f of [0, 0.1, 1, 10, 100]) {
          const r = Math.hypot(...residual(dynamicsEval(dyn, f / dyn.rates[0]!, X), y));
          expect(r).toBeLessThanOrEqual(last * (1 + 1e-12) + 1e-14);
          last = r;
        }
      }),
      FCX,
    );
  });

  it('one slow mode by hand: nodes 0, 1, 2, y = (0, 1, 0), pure cubic: qᵀu(t) = −e^(−μt) qᵀy with μ = (4/3)·c3·scale', () => {
    // q = (1, −2, 1)/√6 spans the vectors orthogonal to 1 and x; G_XX = c3·[[0,1,8],[1,0,1],[8,1,0]], so
    // qᵀGq = c3·(2·(−2) + 2·8 + 2·(−2))/6 = (4/3)c3; qᵀy = −2/√6.
    const b = 0.7;
    const scale = 3;
    const c3 = b / radialPowerFt(3, 1);
    const mu = (4 / 3) * c3 * scale;
    const dyn = lfpDynamics(X1([0, 1, 2]), [0, 1, 0], 0, b, scale);
    expect(dyn.rates).toHaveLength(1);
    expect(dyn.rates[0]!).toBeCloseTo(mu, 9);
    for (const t of [0, 0.3 / mu, 1 / mu, 4 / mu]) {
      const u = residual(dynamicsEval(dyn, t, X1([0, 1, 2])), [0, 1, 0]);
      const qu = (u[0]! - 2 * u[1]! + u[2]!) / Math.sqrt(6);
      expect(qu).toBeCloseTo(-Math.exp(-mu * t) * (-2 / Math.sqrt(6)), 10);
    }
  });

  it('refuses b = 0, a non-positive scale, too few or collinear-degenerate nodes, and a negative time', () => {
    expect(() => lfpDynamics(X1([0, 1, 2]), [0, 1, 0], 1, 0)).toThrow(/b > 0/);
    expect(() => lfpDynamics(X1([0, 1, 2]), [0, 1, 0], 1, 1, 0)).toThrow(/scale/);
    expect(() => lfpDynamics(X1([0, 1]), [0, 1], 1, 1)).toThrow(/more than 2 points/);
    expect(() => lfpDynamics(X1([0, 0, 1]), [0, 1, 0], 1, 1)).toThrow(/coincide/);
    expect(() => dynamicsCoefficients(lfpDynamics(X1([0, 1, 2]), [0, 1, 0], 1, 1), -1)).toThrow(/t must be/);
  });
});

describe('orthogonalComplement', () => {
  it('gives orthonormal columns orthogonal to P, as many as n − rank', () => {
    fc.assert(
      fc.property(case1d, ({ x }) => {
        const P = new Matrix(x.map((v) => [1, v]));
        const Q = orthogonalComplement(P);
        expect(Q.columns).toBe(x.length - 2);
        const QtQ = Q.transpose().mmul(Q);
        const PtQ = P.transpose().mmul(Q);
        for (let i = 0; i < Q.columns; i++) for (let j = 0; j < Q.columns; j++) expect(QtQ.get(i, j)).toBeCloseTo(i === j ? 1 : 0, 12);
        for (let i = 0; i < 2; i++) for (let j = 0; j < Q.columns; j++) expect(Math.abs(PtQ.get(i, j))).toBeLessThan(1e-10 * (1 + Math.abs(x.reduce((s, v) => s + Math.abs(v), 0))));
      }),
      FCX,
    );
    expect(() => orthogonalComplement(new Matrix([[1, 2], [2, 4], [3, 6]]))).toThrow(/rank-deficient/);
  });
});
