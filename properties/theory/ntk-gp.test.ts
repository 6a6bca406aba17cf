// Exact properties of theory/ntk-gp.ts: the infinite-width GP over initializations of GD-trained networks (Lee et al.
// 2019 eqs. 13–16; brief §3.3). Oracles: (I − ηΘ/n)^t by repeated multiplication and Θ⁻¹ by an LU solve (no
// eigendecomposition), the GP posterior for Θ = K at t → ∞ ("sample-then-optimize"), a Monte-Carlo ensemble pushed
// through theory/linearized.ts, and hand values.
import fc from 'fast-check';
import { Matrix, solve } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { rngFromKey } from '../../core/rng.ts';
import { linearizedDynamics } from '../../theory/linearized.ts';
import { mat, type Mat } from '../../theory/mlp.ts';
import { gramAB } from '../../theory/ntk.ts';
import { block, gaussianSampler, gpMoments, matMul, relFrobenius, sampleMoments, transferMatrix } from '../../theory/ntk-gp.ts';
import { FC } from '../helpers.ts';

const FEW = { ...FC, numRuns: 25 } as const;

const toMatrix = (A: Mat) => new Matrix(Array.from({ length: A.rows }, (_, i) => Array.from(A.data.subarray(i * A.cols, (i + 1) * A.cols))));
const fromMatrix = (M: Matrix): Mat => mat(M.rows, M.columns, Float64Array.from(M.to1DArray()));
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};
const maxAbs = (a: ArrayLike<number>) => Math.max(...Array.from(a, Math.abs));

/** Two PSD kernels over p = m + n points from random features (Θ from more features than K, as an NTK has). */
function kernels(seed: number, m: number, n: number) {
  const rng = rngFromKey(`ntk-gp/${seed}`);
  const p = m + n;
  const F = mat(p, 3 * p, rng.normals(3 * p * p, 1 / Math.sqrt(3 * p)));
  const G = mat(p, 2 * p, rng.normals(2 * p * p, 1 / Math.sqrt(2 * p)));
  const K = gramAB(G, G);
  const Th = gramAB(F, F);
  for (let i = 0; i < p; i++) {
    Th.data[i * p + i]! += 0.2; // keep Θ_XX well conditioned for the LU oracle
    K.data[i * p + i]! += 0.1;
  }
  return { K, Th, y: rng.normals(n) };
}

/** (I − ηΘ/N)^t by t multiplications, and M_t = Θ_xX Θ⁻¹ (I − (I − ηΘ/N)^t) by an LU solve. */
function oracleTransfer(theta: Mat, thetaXt: Mat, eta: number, t: number): { P: Mat; M: Mat } {
  const n = theta.rows;
  const step = mat(n, n, theta.data.map((v, q) => (q % (n + 1) === 0 ? 1 : 0) - (eta / n) * v));
  let P = mat(n, n, Float64Array.from({ length: n * n }, (_, q) => (q % (n + 1) === 0 ? 1 : 0)));
  for (let s = 0; s < t; s++) P = matMul(P, step);
  const IminusP = mat(n, n, P.data.map((v, q) => (q % (n + 1) === 0 ? 1 : 0) - v));
  const X = fromMatrix(solve(toMatrix(theta), toMatrix(IminusP)));
  return { P, M: matMul(thetaXt, X) };
}

describe('infinite-width GP of GD-trained networks (theory/ntk-gp.ts)', () => {
  const problem = fc.record({ seed: fc.nat(1e6), m: fc.integer({ min: 1, max: 4 }), n: fc.integer({ min: 1, max: 5 }), t: fc.integer({ min: 0, max: 40 }), frac: fc.double({ min: 0.05, max: 0.9, noNaN: true }) });
  const etaFor = (theta: Mat, frac: number) => {
    const n = theta.rows;
    let row = 0; // Gershgorin bound on λ_max, so η = frac·2n/bound is stable
    for (let i = 0; i < n; i++) row = Math.max(row, theta.data.subarray(i * n, (i + 1) * n).reduce((s, v) => s + Math.abs(v), 0));
    return (frac * 2 * n) / row;
  };

  it('transferMatrix equals Θ_xX Θ⁻¹(I − (I − ηΘ/n)^t) from repeated multiplication and an LU solve', () => {
    fc.assert(
      fc.property(problem, ({ seed, m, n, t, frac }) => {
        const { Th } = kernels(seed, m, n);
        const theta = block(Th, m, m, n, n);
        const thetaXt = block(Th, 0, m, m, n);
        const eta = etaFor(theta, frac);
        const got = transferMatrix(theta, thetaXt, { eta, t, mode: 'gd' });
        const want = oracleTransfer(theta, thetaXt, eta, t).M;
        expect(maxAbsDiff(got.data, want.data)).toBeLessThanOrEqual(1e-9 * (1 + maxAbs(want.data)));
      }),
      FEW,
    );
  });

  it('gpMoments: mean M_t·Y and joint covariance [I, −M_t] K [I, −M_s]ᵀ over times, against the oracle', () => {
    fc.assert(
      fc.property(problem, fc.integer({ min: 0, max: 40 }), ({ seed, m, n, t, frac }, s2) => {
        const { K, Th, y } = kernels(seed, m, n);
        const p = m + n;
        const theta = block(Th, m, m, n, n);
        const eta = etaFor(theta, frac);
        const times = [t, s2];
        const got = gpMoments(Th, K, m, y, { eta, times, mode: 'gd' });
        const Ms = times.map((tt) => oracleTransfer(theta, block(Th, 0, m, m, n), eta, tt).M);
        const A = times.map((_, k) => mat(m, p, Float64Array.from({ length: m * p }, (_, q) => {
          const i = Math.floor(q / p);
          const j = q % p;
          return j < m ? (i === j ? 1 : 0) : -Ms[k]!.data[i * n + (j - m)]!;
        })));
        for (let a = 0; a < 2; a++) {
          const mu = matMul(Ms[a]!, mat(n, 1, y)).data;
          expect(maxAbsDiff(got.mean.subarray(a * m, (a + 1) * m), mu)).toBeLessThanOrEqual(1e-9 * (1 + maxAbs(mu)));
          for (let b = 0; b < 2; b++) {
            const want = matMul(matMul(A[a]!, K), mat(p, m, Float64Array.from({ length: p * m }, (_, q) => A[b]!.data[(q % m) * p + Math.floor(q / m)]!)));
            const gotBlock = block(got.cov, a * m, b * m, m, m);
            expect(maxAbsDiff(gotBlock.data, want.data)).toBeLessThanOrEqual(1e-9 * (1 + maxAbs(want.data)));
          }
        }
      }),
      FEW,
    );
  });

  it('at training points the moments are (I − E_t)Y and E_t K E_t; at t = 0 they are 0 and the prior K', () => {
    fc.assert(
      fc.property(problem, ({ seed, n, t, frac }) => {
        const { K, Th, y } = kernels(seed, 0, n);
        // Evaluate at the training points themselves: kernels over [X; X].
        const dup = (A: Mat) => mat(2 * n, 2 * n, Float64Array.from({ length: 4 * n * n }, (_, q) => A.data[(Math.floor(q / (2 * n)) % n) * n + ((q % (2 * n)) % n)]!));
        const eta = etaFor(Th, frac);
        const got = gpMoments(dup(Th), dup(K), n, y, { eta, times: [t, 0], mode: 'gd' });
        const { P } = oracleTransfer(Th, Th, eta, t);
        const meanWant = y.map((v, i) => v - matMul(P, mat(n, 1, y)).data[i]!);
        const PT = mat(n, n, Float64Array.from({ length: n * n }, (_, q) => P.data[(q % n) * n + Math.floor(q / n)]!));
        const covWant = matMul(matMul(P, K), PT);
        expect(maxAbsDiff(got.mean.subarray(0, n), meanWant)).toBeLessThanOrEqual(1e-8 * (1 + maxAbs(y)));
        expect(maxAbsDiff(block(got.cov, 0, 0, n, n).data, covWant.data)).toBeLessThanOrEqual(1e-8 * (1 + maxAbs(K.data)));
        expect(maxAbs(got.mean.subarray(n))).toBe(0);
        expect(maxAbsDiff(block(got.cov, n, n, n, n).data, K.data)).toBeLessThanOrEqual(1e-12 * (1 + maxAbs(K.data)));
      }),
      FEW,
    );
  });

  it('with Θ = K and t → ∞ the moments are the GP posterior K_xX K⁻¹ Y and K_xx − K_xX K⁻¹ K_Xx (sample-then-optimize)', () => {
    for (const seed of [1, 2, 3]) {
      const m = 3;
      const n = 4;
      const { K, y } = kernels(seed, m, n);
      const KXX = block(K, m, m, n, n);
      const KxX = block(K, 0, m, m, n);
      const got = gpMoments(K, K, m, y, { eta: 1, times: [1e6], mode: 'flow' });
      const alpha = fromMatrix(solve(toMatrix(KXX), toMatrix(mat(n, 1, y))));
      const meanWant = matMul(KxX, alpha).data;
      const KXx = mat(n, m, Float64Array.from({ length: n * m }, (_, q) => KxX.data[(q % m) * n + Math.floor(q / m)]!));
      const post = matMul(KxX, fromMatrix(solve(toMatrix(KXX), toMatrix(KXx))));
      const covWant = block(K, 0, 0, m, m).data.map((v, q) => v - post.data[q]!);
      expect(maxAbsDiff(got.mean, meanWant)).toBeLessThanOrEqual(1e-8);
      expect(maxAbsDiff(got.cov.data, covWant)).toBeLessThanOrEqual(1e-8);
    }
  });

  it('a Monte-Carlo ensemble f_0 ~ N(0, K) pushed through the linearized closed form has the predicted moments', () => {
    const m = 2;
    const n = 3;
    const { K, Th, y } = kernels(7, m, n);
    const theta = block(Th, m, m, n, n);
    const thetaXt = block(Th, 0, m, m, n);
    const eta = etaFor(theta, 0.5);
    const t = 6;
    const want = gpMoments(Th, K, m, y, { eta, times: [t], mode: 'gd' });
    const draw = gaussianSampler(new Float64Array(m + n), K);
    const S = 20000;
    const f0 = draw(S, rngFromKey('ntk-gp/mc'));
    const out = mat(S, m, new Float64Array(S * m));
    for (let s = 0; s < S; s++) {
      const row = f0.data.subarray(s * (m + n), (s + 1) * (m + n));
      const dyn = linearizedDynamics(theta, row.subarray(m), y, { eta, mode: 'gd' });
      out.data.set(dyn.test(thetaXt, row.subarray(0, m), t), s * m);
    }
    const got = sampleMoments(out);
    for (let i = 0; i < m; i++) {
      const sd = Math.sqrt(want.cov.data[i * m + i]!);
      expect(Math.abs(got.mean[i]! - want.mean[i]!)).toBeLessThan((4 * sd) / Math.sqrt(S));
      // Var of a sample variance ≈ 2σ⁴/S.
      expect(Math.abs(got.cov.data[i * m + i]! - sd * sd)).toBeLessThan(4 * sd * sd * Math.sqrt(2 / S));
    }
  });

  it('gaussianSampler reproduces a singular covariance (a repeated point) and its mean; sampleMoments, relFrobenius by hand', () => {
    const cov = mat(3, 3, Float64Array.from([2, 2, 0.5, 2, 2, 0.5, 0.5, 0.5, 1]));
    const mean = [1, 1, -2];
    const S = 20000;
    const x = gaussianSampler(mean, cov)(S, rngFromKey('ntk-gp/sampler'));
    for (let s = 0; s < S; s++) expect(Math.abs(x.data[s * 3]! - x.data[s * 3 + 1]!)).toBeLessThan(1e-9);
    const got = sampleMoments(x);
    expect(maxAbsDiff(got.mean, mean)).toBeLessThan(0.05);
    expect(relFrobenius(got.cov.data, cov.data)).toBeLessThan(0.03);
    const hand = sampleMoments(mat(3, 2, Float64Array.from([1, 0, 2, 2, 3, 1])));
    expect(Array.from(hand.mean)).toEqual([2, 1]);
    expect(Array.from(hand.cov.data)).toEqual([1, 0.5, 0.5, 1]);
    expect(relFrobenius([3, 4], [0, 5])).toBeCloseTo(Math.sqrt(10) / 5, 14);
    expect(() => sampleMoments(mat(1, 2))).toThrow(/at least 2/);
    expect(() => relFrobenius([1], [1, 2])).toThrow(/1 ≠ 2/);
    expect(() => gaussianSampler([0, 0], mat(3, 3))).toThrow(/2×2/);
  });

  it('block and matMul: hand values and refusals', () => {
    const A = mat(2, 3, Float64Array.from([1, 2, 3, 4, 5, 6]));
    expect(Array.from(block(A, 0, 1, 2, 2).data)).toEqual([2, 3, 5, 6]);
    expect(() => block(A, 1, 1, 2, 2)).toThrow(/does not fit/);
    const B = mat(3, 1, Float64Array.from([1, 0, -1]));
    expect(Array.from(matMul(A, B).data)).toEqual([-2, -2]);
    expect(() => matMul(A, A)).toThrow(/matMul/);
    expect(() => transferMatrix(mat(2, 2, Float64Array.from([1, 0, 0, 1])), mat(1, 3), { eta: 1, t: 1, mode: 'gd' })).toThrow(/2 columns/);
    expect(() => gpMoments(mat(3, 3), mat(2, 2), 1, [0, 0], { eta: 1, times: [1], mode: 'gd' })).toThrow(/3×3/);
    expect(() => gpMoments(mat(3, 3), mat(3, 3), 1, [0], { eta: 1, times: [1], mode: 'gd' })).toThrow(/y needs 2/);
  });
});
