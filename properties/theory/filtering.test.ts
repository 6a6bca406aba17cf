// Exact properties of the blocked filtering analysis (theory/fourier.ts: squaredDistancesBlock,
// medianPairwiseSquaredDistance, gaussianSmoothMany, filterErrorsSmoothed) that lets fprinciple.filtering run on
// 10 000 images without an n×n smoother. Oracle: the dense path (squaredDistances, gaussianSmoother, lowHighSplit,
// filterErrors) and core/stats.ts median over the stored list of pairs. The blocked path sums in the same order, so
// it must agree to the bit; the 1e-12 bound is the contract that would survive a reordering.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rngFromKey } from '../../core/rng.ts';
import { median } from '../../core/stats.ts';
import {
  filterErrors,
  filterErrorsSmoothed,
  gaussianSmoother,
  gaussianSmoothMany,
  lowHighSplit,
  medianPairwiseSquaredDistance,
  squaredDistances,
  squaredDistancesBlock,
} from '../../theory/fourier.ts';
import { mat, type Mat } from '../../theory/mlp.ts';
import { FC } from '../helpers.ts';

/** A seeded random data set: n points in d dimensions, c output columns, and `records` output sets. */
function data(seed: number, n: number, d: number, c: number, records = 1) {
  const rng = rngFromKey(`filtering-blocked/${seed}`);
  const X = mat(n, d, rng.normals(n * d));
  const V = Array.from({ length: records }, () => rng.normals(n * c));
  return { X, V };
}

/** The stored list of pairwise squared distances i < j, row-major (the dense analysis' median input). */
function pairList(X: Mat): number[] {
  const d2 = squaredDistances(X);
  const n = X.rows;
  const out: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out.push(d2[i * n + j]!);
  return out;
}

/** Side by side: V_0 | V_1 | ... as one n × (c·records) array. */
function stack(V: Float64Array[], n: number, c: number): Float64Array {
  const C = c * V.length;
  const out = new Float64Array(n * C);
  V.forEach((v, k) => {
    for (let i = 0; i < n; i++) for (let q = 0; q < c; q++) out[i * C + k * c + q] = v[i * c + q]!;
  });
  return out;
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let q = 0; q < a.length; q++) m = Math.max(m, Math.abs(a[q]! - b[q]!));
  return m;
};

describe('blocked filtering analysis (theory/fourier.ts)', () => {
  it('squaredDistancesBlock: rows i0..i1 of the dense squaredDistances, bit for bit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 7 }), (seed, n, d) => {
        const { X } = data(seed, n, d, 1);
        const dense = squaredDistances(X);
        const i0 = seed % n;
        const i1 = i0 + 1 + ((seed >> 4) % (n - i0));
        expect(Array.from(squaredDistancesBlock(X, i0, i1))).toEqual(Array.from(dense.subarray(i0 * n, i1 * n)));
      }),
      FC,
    );
  });

  it('gaussianSmoothMany equals lowHighSplit(gaussianSmoother(X, δ), V).low for every δ, stacked output set and block size (to 1e-12; in fact bit for bit)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 2, max: 24 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.double({ min: 0.01, max: 20, noNaN: true }), { minLength: 1, maxLength: 3 }),
        (seed, n, d, c, records, deltas) => {
          const { X, V } = data(seed, n, d, c, records);
          const C = c * records;
          const all = stack(V, n, C / records);
          const dense = deltas.map((delta) => {
            const K = gaussianSmoother(X, delta);
            return stack(V.map((v) => lowHighSplit(K, v, c).low), n, c);
          });
          for (const block of [1, 2, 3, 5, n, n + 4]) {
            const got = gaussianSmoothMany(X, deltas, all, C, { block });
            got.forEach((g, k) => {
              expect(maxAbsDiff(g, dense[k]!)).toBeLessThanOrEqual(1e-12);
              expect(Array.from(g)).toEqual(Array.from(dense[k]!));
            });
          }
        },
      ),
      { ...FC, numRuns: 60 },
    );
  });

  it('gaussianSmoothMany: a constant column stays constant (rows of K sum to 1) and K·V is linear in V', () => {
    const { X, V } = data(7, 11, 3, 2, 2);
    const ones = new Float64Array(11).fill(2.5);
    const [k1] = gaussianSmoothMany(X, [0.7], ones, 1, { block: 4 });
    for (const v of k1!) expect(Math.abs(v - 2.5)).toBeLessThan(1e-14);
    const sum = V[0]!.map((x, q) => 3 * x - V[1]![q]!);
    const [a] = gaussianSmoothMany(X, [0.7], V[0]!, 2);
    const [b] = gaussianSmoothMany(X, [0.7], V[1]!, 2);
    const [s] = gaussianSmoothMany(X, [0.7], sum, 2);
    expect(maxAbsDiff(s!, a!.map((x, q) => 3 * x - b![q]!))).toBeLessThan(1e-12);
  });

  it('filterErrorsSmoothed equals filterErrors on the dense smoother, bit for bit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 2, max: 16 }), fc.double({ min: 0.05, max: 5, noNaN: true }), (seed, n, delta) => {
        const c = 3;
        const { X, V } = data(seed, n, 2, c, 2);
        const [y, h] = V as [Float64Array, Float64Array];
        const K = gaussianSmoother(X, delta);
        const want = filterErrors(lowHighSplit(K, y, c), K, h, c);
        const [yLow, hLow] = [lowHighSplit(K, y, c).low, lowHighSplit(K, h, c).low];
        expect(filterErrorsSmoothed(y, yLow, h, hLow)).toEqual(want);
      }),
      FC,
    );
  });

  it('medianPairwiseSquaredDistance equals the median of the stored pair list, by sorting and by the two-pass histogram', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 2, max: 40 }), fc.integer({ min: 1, max: 4 }), fc.boolean(), (seed, n, d, grid) => {
        const { X } = data(seed, n, d, 1);
        // On a coarse integer grid many pairs tie and several share a histogram bin: the bin search must count right.
        if (grid) X.data.forEach((v, q) => (X.data[q] = Math.round(v * 2)));
        const want = median(pairList(X));
        expect(medianPairwiseSquaredDistance(X)).toBe(want);
        expect(medianPairwiseSquaredDistance(X, { storeMax: 0, block: 1 + (seed % 5) })).toBe(want);
      }),
      FC,
    );
  });

  it('medianPairwiseSquaredDistance by hand: points 0, 1, 3 on a line have squared distances 1, 4, 9 (median 4); adding 6 gives 1, 4, 9, 9, 25, 36 (median 9)', () => {
    expect(medianPairwiseSquaredDistance(mat(3, 1, Float64Array.from([0, 1, 3])), { storeMax: 0 })).toBe(4);
    expect(medianPairwiseSquaredDistance(mat(4, 1, Float64Array.from([0, 1, 3, 6])), { storeMax: 0 })).toBe(9);
    expect(medianPairwiseSquaredDistance(mat(4, 1, Float64Array.from([0, 1, 3, 5])), { storeMax: 0 })).toBe(6.5); // 1,4,4,5,9,25
  });
});
