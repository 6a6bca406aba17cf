// Exact properties of the non-gradient optimizers of the F-Principle family (theory/optimizers.ts): BFGS, Powell's
// direction-set method and particle swarm, on problems whose minimizer is known in closed form.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { rngFromKey } from '../../core/rng.ts';
import { bfgs, particleSwarm, powell } from '../../theory/optimizers.ts';
import { FC } from '../helpers.ts';

const norm2 = (xs: ArrayLike<number>) => Array.from(xs).reduce((s, x) => s + x * x, 0);

describe('optimizers (theory/optimizers.ts)', () => {
  // A convex quadratic f(x) = ½ xᵀAx − bᵀx with A = MᵀM + I: minimum at A⁻¹b.
  const quad = (seed: number, n: number) => {
    const rng = rngFromKey(`quad/${seed}`);
    const M = rng.normals(n * n);
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let s = i === j ? 1 : 0;
      for (let q = 0; q < n; q++) s += M[q * n + i]! * M[q * n + j]!;
      A[i * n + j] = s;
    }
    const b = rng.normals(n);
    const f = (x: Float64Array) => {
      let s = 0;
      for (let i = 0; i < n; i++) {
        let ax = 0;
        for (let j = 0; j < n; j++) ax += A[i * n + j]! * x[j]!;
        s += 0.5 * x[i]! * ax - b[i]! * x[i]!;
      }
      return s;
    };
    const g = (x: Float64Array) => b.map((bi, i) => {
      let ax = 0;
      for (let j = 0; j < n; j++) ax += A[i * n + j]! * x[j]!;
      return ax - bi;
    });
    return { f, g };
  };

  it('BFGS drives the gradient of a convex quadratic to zero', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 8 }), (seed, n) => {
        const { f, g } = quad(seed, n);
        const r = bfgs((x) => ({ f: f(x), g: g(x) }), new Float64Array(n), { iters: 20 * n + 20 });
        return Math.sqrt(norm2(g(r.x))) < 1e-6;
      }),
      { ...FC, numRuns: 40 },
    );
  });

  it('Powell (no gradients) reaches the minimum of a convex quadratic', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 5 }), (seed, n) => {
        const { f, g } = quad(seed, n);
        const r = powell(f, new Float64Array(n), { iters: 200, step: 0.5 });
        return Math.sqrt(norm2(g(r.x))) < 1e-4;
      }),
      { ...FC, numRuns: 30 },
    );
  });

  it('particle swarm finds the minimum of a shifted sphere in 4-D, and never worsens its best', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), (seed) => {
        const rng = rngFromKey(`pso/${seed}`);
        const c = rng.uniforms(4, -2, 2);
        const f = (x: Float64Array) => x.reduce((s, v, i) => s + (v - c[i]!) ** 2, 0);
        const best: number[] = [];
        const r = particleSwarm(f, () => rng.uniforms(4, -5, 5), rng, { particles: 20, iters: 200, onIter: (_, __, fv) => best.push(fv) });
        return r.f < 1e-6 && best.every((v, i) => i === 0 || v <= best[i - 1]!);
      }),
      { ...FC, numRuns: 20 },
    );
  });
});

