// Exact properties of theory/ntk-analytic.ts: the infinite-width NNGP/NTK recursions of a fully connected network
// (neural-tangents stax conventions; brief §3.5). Oracles: golden values from neural-tangents (ANCHORS C2), symmetry
// and PSD-ness, block consistency, Monte-Carlo expectations, and the closed forms of each layer map.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rngFromKey } from '../../core/rng.ts';
import { symEig } from '../../theory/linearized.ts';
import { activate, activateDeriv, mat, matFromRows, type Mat } from '../../theory/mlp.ts';
import { analyticKernels, type AnalyticActivation } from '../../theory/ntk-analytic.ts';
import { FC } from '../helpers.ts';

const FEW = { ...FC, numRuns: 30 } as const;
const maxAbs = (a: ArrayLike<number>) => Math.max(...Array.from(a, Math.abs));

describe('analytic NNGP/NTK (neural-tangents stax conventions)', () => {
  it('reproduces the golden values of ANCHORS C2 (fixtures/linearization/analytic-kernels.json)', () => {
    const fx = JSON.parse(readFileSync(new URL('../../fixtures/linearization/analytic-kernels.json', import.meta.url), 'utf8'));
    for (const c of fx.cases as { activation: AnalyticActivation; sigmaW: number; u: number[]; nngp: number[]; ntk: number[] }[]) {
      const X1 = matFromRows([[1, 0]]);
      const X2 = matFromRows(c.u.map((u) => [u, Math.sqrt(Math.max(0, 1 - u * u))]));
      const k = analyticKernels({ activation: c.activation, depth: 1, sigmaW: c.sigmaW, sigmaB: 0 }, X1, X2);
      c.u.forEach((_, i) => {
        expect(Math.abs(k.nngp.data[i]! - c.nngp[i]!)).toBeLessThan(6e-7);
        expect(Math.abs(k.ntk.data[i]! - c.ntk[i]!)).toBeLessThan(6e-7);
      });
    }
  });

  const kernelCase = fc.record({
    activation: fc.constantFrom<AnalyticActivation>('relu', 'erf'),
    depth: fc.integer({ min: 0, max: 4 }),
    sigmaW: fc.double({ min: 0.3, max: 2.5, noNaN: true }),
    sigmaB: fc.double({ min: 0, max: 1, noNaN: true }),
    n: fc.integer({ min: 1, max: 6 }),
    d: fc.integer({ min: 1, max: 5 }),
    seed: fc.integer({ min: 0, max: 1e6 }),
  });

  it('NNGP and NTK matrices are symmetric and positive semi-definite', () => {
    fc.assert(
      fc.property(kernelCase, (c) => {
        const X = mat(c.n, c.d, rngFromKey(`psd/${c.seed}`).normals(c.n * c.d));
        const k = analyticKernels(c, X);
        for (const K of [k.nngp, k.ntk]) {
          const scale = maxAbs(K.data) || 1;
          for (let i = 0; i < c.n; i++) for (let j = 0; j < c.n; j++) expect(Math.abs(K.data[i * c.n + j]! - K.data[j * c.n + i]!)).toBeLessThanOrEqual(1e-12 * scale);
          expect(Math.min(...symEig(K).values)).toBeGreaterThanOrEqual(-1e-10 * scale);
        }
      }),
      FC,
    );
  });

  it('the cross kernel K(X1, X2) is the off-diagonal block of K([X1; X2])', () => {
    fc.assert(
      fc.property(kernelCase, fc.integer({ min: 1, max: 4 }), (c, m) => {
        const rng = rngFromKey(`block/${c.seed}`);
        const X1 = mat(c.n, c.d, rng.normals(c.n * c.d));
        const X2 = mat(m, c.d, rng.normals(m * c.d));
        const both = mat(c.n + m, c.d, Float64Array.from([...X1.data, ...X2.data]));
        const cross = analyticKernels(c, X1, X2);
        const full = analyticKernels(c, both);
        for (let i = 0; i < c.n; i++)
          for (let j = 0; j < m; j++) {
            const f = (K: Mat) => K.data[i * (c.n + m) + c.n + j]!;
            expect(Math.abs(cross.nngp.data[i * m + j]! - f(full.nngp))).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(f(full.nngp))));
            expect(Math.abs(cross.ntk.data[i * m + j]! - f(full.ntk))).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(f(full.ntk))));
          }
      }),
      FEW,
    );
  });

  it('one hidden layer equals a Monte-Carlo estimate of σw²E[φ(u)φ(v)] + σb² (and of the NTK) within 4 standard errors', () => {
    fc.assert(
      fc.property(kernelCase, (c) => {
        const rng = rngFromKey(`mc/${c.seed}`);
        const X = mat(2, c.d, rng.normals(2 * c.d));
        const k = analyticKernels({ ...c, depth: 1 }, X);
        // First Dense: (u, v) ~ N(0, Σ) with Σ = σw²·x·x'/d + σb².
        const dot = (i: number, j: number) => {
          let s = 0;
          for (let q = 0; q < c.d; q++) s += X.data[i * c.d + q]! * X.data[j * c.d + q]!;
          return (c.sigmaW ** 2 * s) / c.d + c.sigmaB ** 2;
        };
        const [q1, q2, c12] = [dot(0, 0), dot(1, 1), dot(0, 1)];
        const a = Math.sqrt(q1);
        const b = a > 0 ? c12 / a : 0;
        const e = Math.sqrt(Math.max(q2 - b * b, 0));
        const S = 20000;
        const phiPhi = new Float64Array(S);
        const dphiDphi = new Float64Array(S);
        for (let s = 0; s < S; s++) {
          const g1 = rng.normal();
          const g2 = rng.normal();
          const u = a * g1;
          const v = b * g1 + e * g2;
          phiPhi[s] = activate(c.activation, u) * activate(c.activation, v);
          dphiDphi[s] = activateDeriv(c.activation, u) * activateDeriv(c.activation, v);
        }
        const stats = (xs: Float64Array) => {
          const m = xs.reduce((p, x) => p + x, 0) / S;
          const v = xs.reduce((p, x) => p + (x - m) ** 2, 0) / (S - 1);
          return { m, se: Math.sqrt(v / S) };
        };
        const pp = stats(phiPhi);
        const dd = stats(dphiDphi);
        const w2 = c.sigmaW ** 2;
        const nngpMc = w2 * pp.m + c.sigmaB ** 2;
        // Θ = K_out + σw²·Θ_1·E[φ'φ'], Θ_1 = Σ (first layer's NTK equals its NNGP).
        const ntkMc = nngpMc + w2 * c12 * dd.m;
        const ntkSe = Math.sqrt((w2 * pp.se) ** 2 + (w2 * c12 * dd.se) ** 2);
        expect(Math.abs(k.nngp.data[1]! - nngpMc)).toBeLessThanOrEqual(4 * w2 * pp.se + 1e-12);
        expect(Math.abs(k.ntk.data[1]! - ntkMc)).toBeLessThanOrEqual(4 * ntkSe + 1e-12);
      }),
      { ...FC, numRuns: 20 },
    );
  });
});

