// Exact properties of theory/double-descent.ts (brief §7, Belkin et al. 2019): the SVD pseudo-inverse and ridge
// solutions against normal equations, and the random-feature / teacher / data helpers.
import fc from 'fast-check';
import { Matrix, solve as mlSolve } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { rngFromKey, type Rng } from '../../core/rng.ts';
import { featureSolve, featureSolvePath, makeRegression, matVec, mse, reluFeatures, teacherValue } from '../../theory/double-descent.ts';
import { mat } from '../../theory/mlp.ts';
import { FC } from '../helpers.ts';

const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);
const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => Math.max(s, Math.abs(v)), 0);

describe('minimum-norm and ridge solutions (brief §7.2, P7.1)', () => {
  const shape = fc.record({ n: fc.integer({ min: 1, max: 8 }), N: fc.integer({ min: 1, max: 12 }), seed: fc.integer({ min: 0, max: 1e6 }) });
  const draw = (a: { n: number; N: number; seed: number }) => {
    const rng = rngFromKey(`overparam-test/svd/${a.seed}`);
    return { Phi: mat(a.n, a.N, rng.normals(a.n * a.N)), y: rng.normals(a.n), z: rng.normals(a.N) };
  };
  /** Solves the k×k system A·x = b (A well conditioned here: Gaussian Gram matrices). */
  const solve = (A: Matrix, b: number[]): number[] => mlSolve(A, Matrix.columnVector(b)).getColumn(0) as number[];

  it('Φ⁺y is Φᵀ(ΦΦᵀ)⁻¹y for wide Φ and (ΦᵀΦ)⁻¹Φᵀy for tall Φ (Penrose: least squares, then minimum norm)', () => {
    fc.assert(
      fc.property(shape, (a) => {
        const { Phi, y } = draw(a);
        const P = new Matrix(a.n, a.N);
        for (let i = 0; i < a.n; i++) for (let k = 0; k < a.N; k++) P.set(i, k, Phi.data[i * a.N + k]!);
        const got = featureSolve(Phi, y);
        let want: number[];
        if (a.N >= a.n) {
          const c = solve(P.mmul(P.transpose()), Array.from(y));
          want = P.transpose().mmul(Matrix.columnVector(c)).getColumn(0) as number[];
          // Interpolates, and adding any null-space direction can only lengthen it.
          expect(maxAbs(matVec(Phi, got).map((v, i) => v - y[i]!))).toBeLessThan(1e-8 * (1 + maxAbs(y)));
        } else {
          want = solve(P.transpose().mmul(P), P.transpose().mmul(Matrix.columnVector(Array.from(y))).getColumn(0) as number[]);
        }
        expect(maxAbs(got.map((v, i) => v - want[i]!))).toBeLessThan(1e-6 * (1 + maxAbs(want)));
      }),
      { ...FC, numRuns: 60 },
    );
  });

  it('the min-norm interpolant is orthogonal to the null space: ||a + z_null|| ≥ ||a||', () => {
    fc.assert(
      fc.property(shape, (a) => {
        const { Phi, y, z } = draw(a);
        const sol = featureSolve(Phi, y);
        // Project z onto null(Φ): z − Φ⁺(Φz).
        const zRow = featureSolve(Phi, matVec(Phi, z));
        const zn = z.map((v, i) => v - zRow[i]!);
        expect(Math.abs(dot(sol, zn))).toBeLessThan(1e-8 * (1 + Math.hypot(...sol) * Math.hypot(...zn)));
      }),
      { ...FC, numRuns: 60 },
    );
  });

  it('ridge solves (ΦᵀΦ + nλI)·a = Φᵀy', () => {
    fc.assert(
      fc.property(shape, fc.constantFrom(1e-3, 0.01, 1), (a, lambda) => {
        const { Phi, y } = draw(a);
        const sol = featureSolve(Phi, y, { ridge: lambda });
        const Phit = (v: Float64Array) => Float64Array.from({ length: a.N }, (_, k) => Array.from({ length: a.n }, (_, i) => Phi.data[i * a.N + k]! * v[i]!).reduce((s, t) => s + t, 0));
        const lhs = Phit(matVec(Phi, sol)).map((v, k) => v + a.n * lambda * sol[k]!);
        const rhs = Phit(y);
        expect(maxAbs(lhs.map((v, k) => v - rhs[k]!))).toBeLessThan(1e-9 * (1 + maxAbs(rhs)));
      }),
      { ...FC, numRuns: 60 },
    );
  });
});

describe('random features, solver edge cases, teacher and data (brief §7.3)', () => {
  it('reluFeatures(X, V, N)[i,k] = max(0, x_i·v_k) over the first N columns of V (nested features)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 1e6 }), (n, d, cols, seed) => {
        const rng = rngFromKey(`overparam-test/rf/${seed}`);
        const X = mat(n, d, rng.normals(n * d));
        const V = mat(d, cols, rng.normals(d * cols));
        const N = 1 + (seed % cols);
        const Phi = reluFeatures(X, V, N);
        expect([Phi.rows, Phi.cols]).toEqual([n, N]);
        for (let i = 0; i < n; i++)
          for (let k = 0; k < N; k++) {
            let s = 0;
            for (let j = 0; j < d; j++) s += X.data[i * d + j]! * V.data[j * cols + k]!;
            expect(Phi.data[i * N + k]).toBeCloseTo(Math.max(0, s), 12);
          }
      }),
      { ...FC, numRuns: 40 },
    );
    // By hand: x = (1, −2), v₁ = (1, 1) → max(0, −1) = 0, v₂ = (3, 1) → 1, v₃ = (0, −1) → 2.
    const Phi = reluFeatures(mat(1, 2, new Float64Array([1, -2])), mat(2, 3, new Float64Array([1, 3, 0, 1, 1, -1])), 3);
    expect(Array.from(Phi.data)).toEqual([0, 1, 2]);
  });

  it('reluFeatures rejects a V of the wrong height and more features than drawn, naming the sizes', () => {
    const X = mat(2, 3);
    expect(() => reluFeatures(X, mat(2, 4), 1)).toThrow('V has 2 rows, x has 3 entries');
    expect(() => reluFeatures(X, mat(3, 4), 5)).toThrow('asked for 5 features, only 4 drawn');
    expect(reluFeatures(X, mat(3, 4), 4).cols).toBe(4);
  });

  it('featureSolve rejects a y whose length is not the number of rows of Φ', () => {
    expect(() => featureSolve(mat(3, 2, new Float64Array(6).fill(1)), new Float64Array(2))).toThrow('y has 2 entries, Φ has 3 rows');
  });

  it('a duplicated feature column: the pseudo-inverse splits the weight equally (minimum norm), ridge 0 is not NaN', () => {
    // Φ = [φ, φ] has rank 1, second singular value 0 (or ~1e-17): a₁ = a₂ = (φ·y)/(2|φ|²) is the min-norm solution.
    const phi = [1, 2, -1];
    const Phi = mat(3, 2, new Float64Array(phi.flatMap((v) => [v, v])));
    const y = new Float64Array([0.5, 1, 2]);
    const want = (0.5 + 2 - 2) / (2 * 6);
    for (const a of [featureSolve(Phi, y), featureSolve(Phi, y, { ridge: 0 })]) {
      expect(a[0]).toBeCloseTo(want, 12);
      expect(a[1]).toBeCloseTo(want, 12);
    }
  });

  it('an all-zero Φ (every singular value 0, s_max = 0) gives a = 0 for least squares and ridge, never NaN', () => {
    const Phi = mat(3, 2);
    const y = new Float64Array([1, -2, 3]);
    expect(Array.from(featureSolve(Phi, y))).toEqual([0, 0]);
    expect(Array.from(featureSolve(Phi, y, { ridge: 0 }))).toEqual([0, 0]);
    expect(Array.from(featureSolve(Phi, y, { ridge: 0.1 }))).toEqual([0, 0]);
  });

  it('rcond truncates: Φ = diag(3, 1e-3) with rcond 1e-2 keeps only the first direction', () => {
    const Phi = mat(2, 2, new Float64Array([3, 0, 0, 1e-3]));
    const y = new Float64Array([6, 1]);
    const full = featureSolve(Phi, y);
    expect(full[0]).toBeCloseTo(2, 12);
    expect(full[1]).toBeCloseTo(1000, 8);
    const cut = featureSolve(Phi, y, { rcond: 1e-2 });
    expect(cut[0]).toBeCloseTo(2, 12);
    expect(cut[1]).toBe(0);
    // The cutoff is relative to s_max: 1e-3/3 < 4e-4 cuts, > 3e-4 keeps.
    expect(featureSolve(Phi, y, { rcond: 4e-4 })[1]).toBe(0);
    expect(featureSolve(Phi, y, { rcond: 3e-4 })[1]).toBeCloseTo(1000, 8);
  });

  it('ridge on Φ = diag(s) gives a_j = s_j·y_j/(s_j² + nλ) (closed form, n = 2)', () => {
    const Phi = mat(2, 2, new Float64Array([3, 0, 0, 0.5]));
    const a = featureSolve(Phi, new Float64Array([6, 1]), { ridge: 0.25 });
    expect(a[0]).toBeCloseTo((3 * 6) / (9 + 0.5), 12);
    expect(a[1]).toBeCloseTo(0.5 / (0.25 + 0.5), 12);
  });

  it('matVec and mse by hand', () => {
    expect(Array.from(matVec(mat(2, 3, new Float64Array([1, 2, 3, -1, 0, 2])), new Float64Array([1, 1, 2])))).toEqual([9, 3]);
    expect(mse(new Float64Array([1, 2, 4]), new Float64Array([1, 0, 1]))).toBe((0 + 4 + 9) / 3);
  });

  it('teacherValue is x·β + 0.5·tanh(x₁x₂)', () => {
    expect(teacherValue({ beta: new Float64Array([2, -1, 0.5]) }, [1, 3, 4])).toBeCloseTo(2 - 3 + 2 + 0.5 * Math.tanh(3), 14);
    expect(teacherValue({ beta: new Float64Array([1, 1]) }, [0, 5])).toBe(5);
  });

  it('makeRegression: β ~ N(0, I/d), x ~ N(0, I), y = teacher + noise·ε on train, noise-free on test (stub stream)', () => {
    // A stub stream whose every normal is 1: β = 1/√d each, every x = (1, …, 1), every ε = 1.
    const ones: Rng = {
      uniform: () => 0.5,
      range: (lo) => lo,
      normal: () => 1,
      int: () => 0,
      normals: (n, scale = 1) => new Float64Array(n).fill(scale),
      uniforms: (n, lo) => new Float64Array(n).fill(lo),
      shuffle: (a) => a,
    };
    const d = 4;
    const r = makeRegression(ones, { n: 3, nTest: 5, d, noise: 0.3 });
    expect(Array.from(r.teacher.beta)).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect([r.X.rows, r.X.cols, r.X.data.length, r.Xt.rows, r.Xt.cols, r.Xt.data.length]).toEqual([3, d, 3 * d, 5, d, 5 * d]);
    const clean = d * 0.5 + 0.5 * Math.tanh(1);
    expect(Array.from(r.y)).toEqual([1, 2, 3].map(() => expect.closeTo(clean + 0.3, 14)));
    expect(Array.from(r.yt)).toEqual([1, 2, 3, 4, 5].map(() => expect.closeTo(clean, 14)));
  });

  it('makeRegression with a real stream: y − teacher(x) has the noise scale, yt is the teacher exactly', () => {
    const r = makeRegression(rngFromKey('overparam-test/regression'), { n: 4000, nTest: 50, d: 3, noise: 0.2 });
    const resid = Array.from(r.y, (v, i) => v - teacherValue(r.teacher, r.X.data.subarray(i * 3, i * 3 + 3)));
    const sd = Math.sqrt(resid.reduce((s, v) => s + v * v, 0) / resid.length);
    expect(Math.abs(sd - 0.2)).toBeLessThan(0.01); // 4000 draws: relative s.e. of the s.d. ≈ 1.1%
    r.yt.forEach((v, i) => expect(v).toBe(teacherValue(r.teacher, r.Xt.data.subarray(i * 3, i * 3 + 3))));
  });
});

describe('featureSolvePath (one SVD, many ridges; for tuning λ on held-out data)', () => {
  it('each λ on the path equals featureSolve with that λ (the independent single-λ solve)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 1e6 }), (n, N, seed) => {
        const rng = rngFromKey(`path/${seed}`);
        const Phi = mat(n, N, rng.normals(n * N));
        const y = rng.normals(n);
        const ridges = [0, 1e-3, 0.1, 2];
        const path = featureSolvePath(Phi, y, ridges);
        ridges.forEach((ridge, k) => {
          const one = featureSolve(Phi, y, { ridge });
          path[k]!.forEach((v, i) => expect(v).toBeCloseTo(one[i]!, 10));
        });
        // Ridge solves (ΦᵀΦ + nλI)a = Φᵀy: check the normal equations at λ = 0.1.
        const a = path[2]!;
        for (let k = 0; k < N; k++) {
          let lhs = n * 0.1 * a[k]!;
          let rhs = 0;
          for (let i = 0; i < n; i++) {
            let fi = 0;
            for (let j = 0; j < N; j++) fi += Phi.data[i * N + j]! * a[j]!;
            lhs += Phi.data[i * N + k]! * fi;
            rhs += Phi.data[i * N + k]! * y[i]!;
          }
          expect(lhs).toBeCloseTo(rhs, 8);
        }
      }),
      FC,
    );
  });
});
