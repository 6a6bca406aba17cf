// Exact properties of theory/ntk-analytic.ts: the infinite-width NNGP/NTK recursions of a fully connected network
// (neural-tangents stax conventions; brief §3.5). Oracles: golden values from neural-tangents (ANCHORS C2), symmetry
// and PSD-ness, block consistency, Monte-Carlo expectations, and the closed forms of each layer map.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rngFromKey } from '../../core/rng.ts';
import { symEig } from '../../theory/linearized.ts';
import { activate, activateDeriv, mat, matFromRows, type Mat } from '../../theory/mlp.ts';
import { ANALYTIC_ACTIVATIONS, analyticKernels, denseKernel, erfKernel, inputKernel, reluKernel, type AnalyticActivation, type KernelState } from '../../theory/ntk-analytic.ts';
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


describe('layer maps in closed form (one pair of points)', () => {
  /** A kernel state for one pair: diagonals q, q′, cross covariance c and cross NTK Θ. */
  const pair = (q: number, qq: number, c: number, theta: number): KernelState => ({
    nngp: mat(1, 1, Float64Array.of(c)),
    ntk: mat(1, 1, Float64Array.of(theta)),
    q1: Float64Array.of(q),
    q2: Float64Array.of(qq),
  });
  const cross = (k: KernelState) => [k.nngp.data[0]!, k.ntk.data[0]!, k.q1[0]!, k.q2[0]!];

  it('inputKernel: K = x·x′/d, diagonals |x|²/d, Θ = 0 (hand values); refuses batches of different feature counts', () => {
    const k = inputKernel(matFromRows([[1, 2]]), matFromRows([[3, -1], [0, 2]]));
    expect(Array.from(k.nngp.data)).toEqual([0.5, 2]); // (3 − 2)/2, (0 + 4)/2
    expect(Array.from(k.ntk.data)).toEqual([0, 0]);
    expect(Array.from(k.q1)).toEqual([2.5]);
    expect(Array.from(k.q2)).toEqual([5, 2]);
    expect([k.nngp.rows, k.nngp.cols, k.ntk.rows, k.ntk.cols]).toEqual([1, 2, 1, 2]);
    const self = inputKernel(matFromRows([[1, 2], [2, 0]]));
    expect(Array.from(self.nngp.data)).toEqual([2.5, 1, 1, 2]);
    expect(Array.from(self.q2)).toEqual([2.5, 2]);
    expect(() => inputKernel(mat(1, 2), mat(1, 3))).toThrow(/2 and 3 features/);
  });

  it('denseKernel: K ← σw²K + σb², Θ ← K_new + σw²Θ, q ← σw²q + σb² (hand values)', () => {
    // σw = 2, σb = 0.5: K = 4·0.3 + 0.25 = 1.45, Θ = 1.45 + 4·0.7 = 4.25, q = 4·1 + 0.25, q′ = 4·2 + 0.25.
    const out = cross(denseKernel(pair(1, 2, 0.3, 0.7), 2, 0.5));
    [1.45, 4.25, 4.25, 8.25].forEach((v, i) => expect(out[i]!).toBeCloseTo(v, 14));
  });

  it('reluKernel at the three special angles: equal (θ = 0), orthogonal (θ = π/2), antipodal (θ = π) inputs', () => {
    // Arc-cosine kernel (Cho & Saul 2009) with E[φ(u)φ(v)] = √(qq′)(sin θ + (π − θ)cos θ)/(2π), E[φ′φ′] = (π − θ)/(2π).
    const same = cross(reluKernel(pair(2, 2, 2, 3)));
    [1, 1.5, 1, 1].forEach((v, i) => expect(same[i]!).toBeCloseTo(v, 14));
    const orth = cross(reluKernel(pair(2, 8, 0, 3)));
    [4 / (2 * Math.PI), 0.75, 1, 4].forEach((v, i) => expect(orth[i]!).toBeCloseTo(v, 14));
    const anti = cross(reluKernel(pair(2, 2, -2, 3)));
    [0, 0, 1, 1].forEach((v, i) => expect(anti[i]!).toBeCloseTo(v, 14));
  });

  it('reluKernel at a zero-variance input takes θ = π/2 (neural-tangents _arctan2 fill_zero), so Θ ← Θ/4', () => {
    const z = cross(reluKernel(pair(0, 1, 0, 2)));
    [0, 0.5, 0, 0.5].forEach((v, i) => expect(z[i]!).toBeCloseTo(v, 15));
  });

  it('erfKernel (Williams 1997) at c = 0 and on the diagonal: (2/π)asin(2q/(1+2q)), Θ·(4/π)/√((1+2q)(1+2q′))', () => {
    const orth = cross(erfKernel(pair(1, 4, 0, 3)));
    const diagQ = (q: number) => (2 / Math.PI) * Math.asin((2 * q) / (1 + 2 * q));
    [0, (3 * 4) / Math.PI / Math.sqrt(3 * 9), diagQ(1), diagQ(4)].forEach((v, i) => expect(orth[i]!).toBeCloseTo(v, 14));
    const same = cross(erfKernel(pair(1.5, 1.5, 1.5, 2)));
    [diagQ(1.5), (2 * 4) / Math.PI / Math.sqrt(16 - 9), diagQ(1.5), diagQ(1.5)].forEach((v, i) => expect(same[i]!).toBeCloseTo(v, 14));
  });

  it('each map keeps the diagonal update consistent with its cross formula: q_new = K_new(x, x) for every layer', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), fc.double({ min: 0.3, max: 2.5, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 1e6 }), (n, d, sw, sb, seed) => {
        const X = mat(n, d, rngFromKey(`diag/${seed}`).normals(n * d));
        let k = inputKernel(X);
        for (const map of [(s: KernelState) => denseKernel(s, sw, sb), reluKernel, (s: KernelState) => denseKernel(s, sw, sb), erfKernel, (s: KernelState) => denseKernel(s, sw, sb)]) {
          k = map(k);
          for (let i = 0; i < n; i++) {
            const kii = k.nngp.data[i * n + i]!;
            expect(Math.abs(k.q1[i]! - kii)).toBeLessThanOrEqual(1e-12 * (1 + kii));
            expect(Math.abs(k.q2[i]! - kii)).toBeLessThanOrEqual(1e-12 * (1 + kii));
          }
        }
      }),
      FEW,
    );
  });
});

describe('analyticKernels: whole-network closed forms and guards', () => {
  it('depth 0 is the linear model: K = Θ = σw²x·x′/d + σb²', () => {
    const X = matFromRows([[1, 2, 2], [0, -1, 3]]);
    const k = analyticKernels({ activation: 'erf', depth: 0, sigmaW: 2, sigmaB: 0.5 }, X);
    const want = [4 * 3 + 0.25, 4 * (4 / 3) + 0.25, 4 * (4 / 3) + 0.25, 4 * (10 / 3) + 0.25];
    want.forEach((v, i) => {
      expect(k.nngp.data[i]!).toBeCloseTo(v, 13);
      expect(k.ntk.data[i]!).toBeCloseTo(v, 13);
    });
  });

  it('ReLU at σw = √2, σb = 0 keeps K(x, x) = 2|x|²/d at every depth and gives Θ(x, x) = (L + 1)·K(x, x)', () => {
    // Each ReLU halves q and σw² = 2 doubles it back; Θ ← K + 2·Θ/2 adds K once per hidden block (He init, critical line).
    const X = matFromRows([[1, -2, 0.5], [0.3, 0.1, -1]]);
    for (let L = 0; L <= 4; L++) {
      const k = analyticKernels({ activation: 'relu', depth: L, sigmaW: Math.SQRT2, sigmaB: 0 }, X);
      for (const i of [0, 1]) {
        let sq = 0;
        for (let q = 0; q < 3; q++) sq += X.data[i * 3 + q]! ** 2;
        expect(k.nngp.data[i * 3]!).toBeCloseTo((2 * sq) / 3, 12);
        expect(k.ntk.data[i * 3]!).toBeCloseTo(((L + 1) * 2 * sq) / 3, 12);
      }
    }
  });

  it('the activation picks the layer map: relu and erf differ, and ANALYTIC_ACTIVATIONS lists both', () => {
    expect([...ANALYTIC_ACTIVATIONS].sort()).toEqual(['erf', 'relu']);
    const X = matFromRows([[1, 0], [0.6, 0.8]]);
    const relu = analyticKernels({ activation: 'relu', depth: 1, sigmaW: 1, sigmaB: 0 }, X);
    // Off-diagonal by hand: q = q′ = 1/2, c = 0.3, θ = acos(0.6): K = (0.4 + (π − θ)·0.6)/(2π)·... scaled by σw² = 1.
    const theta = Math.acos(0.6);
    expect(relu.nngp.data[1]!).toBeCloseTo((0.5 * 0.8 + (Math.PI - theta) * 0.3) / (2 * Math.PI), 13);
    const erf = analyticKernels({ activation: 'erf', depth: 1, sigmaW: 1, sigmaB: 0 }, X);
    expect(erf.nngp.data[1]!).toBeCloseTo((2 / Math.PI) * Math.asin(0.6 / 2), 13); // 2c/√((1+2q)(1+2q′)) = 0.6/2
  });

  it('refuses a negative or fractional depth and names the field', () => {
    const X = matFromRows([[1, 0]]);
    expect(() => analyticKernels({ activation: 'relu', depth: -1, sigmaW: 1, sigmaB: 0 }, X)).toThrow(/depth must be a non-negative integer, got -1/);
    expect(() => analyticKernels({ activation: 'relu', depth: 1.5, sigmaW: 1, sigmaB: 0 }, X)).toThrow(/depth must be a non-negative integer, got 1.5/);
  });
});
