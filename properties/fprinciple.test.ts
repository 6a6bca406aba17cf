// Frequency Principle family: every claim's CI-tier verdict. The ordering judge's exact properties on synthetic
// trajectories are in properties/judges/fprinciple.test.ts; those of the Fourier tools and optimizers are in
// properties/theory/{fourier,optimizers}.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cnnFilteringClaims } from '../experiments/fprinciple/cnn.ts';
import { claims } from '../experiments/fprinciple/index.ts';
import { whiteLike } from '../experiments/fprinciple/nongradient.ts';
import { expectVerdicts, FC } from './helpers.ts';

expectVerdicts(claims.filter((c) => !cnnFilteringClaims.includes(c)), 'fprinciple'); // CNN claims: properties/cnn-claims.test.ts

describe("whiteLike: the swarm rival's white-noise particle", () => {
  it('h = (1, 3), ξ = (0.5, −2): mean 2, spread 1, so (2.5, 0) (by hand)', () => {
    const xi = [0.5, -2];
    let k = 0;
    expect([...whiteLike([1, 3], () => xi[k++]!)]).toEqual([2.5, 0]);
  });

  it('is m + s·ξ_i with m the mean of h and s² = mean(h²) − m² (a second formula for the spread)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 2, maxLength: 12 }), fc.array(fc.double({ min: -4, max: 4, noNaN: true }), { minLength: 12, maxLength: 12 }), (h, xi) => {
        let k = 0;
        const out = whiteLike(h, () => xi[k++]!);
        const m = h.reduce((a, v) => a + v, 0) / h.length;
        const s = Math.sqrt(Math.max(0, h.reduce((a, v) => a + v * v, 0) / h.length - m * m));
        expect(out.length).toBe(h.length);
        out.forEach((o, i) => expect(Math.abs(o - (m + s * xi[i]!))).toBeLessThan(1e-9));
      }),
      FC,
    );
  });
});
