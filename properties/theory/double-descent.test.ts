// Exact properties of theory/double-descent.ts (brief §7, Belkin et al. 2019): the SVD pseudo-inverse and ridge
// solutions against normal equations, and the random-feature / teacher / data helpers.
import fc from 'fast-check';
import { Matrix, solve as mlSolve } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { rngFromKey } from '../../core/rng.ts';
import { featureSolve, matVec } from '../../theory/double-descent.ts';
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
        const zn = z.map((v, i) => v - featureSolve(Phi, matVec(Phi, z))[i]!);
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
