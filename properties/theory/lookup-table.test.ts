// Exact properties of the lookup-table model (theory/lookup-table.ts), the F-Principle's no-frequency-bias rival:
// its closed form against gradient descent iterated step by step, and the equal shrinking of every DFT coefficient
// of the residual against the DFT itself.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dft } from '../../theory/fourier.ts';
import { factorForShrink, lookupTableFactor, lookupTableOutputs } from '../../theory/lookup-table.ts';
import { FC } from '../helpers.ts';

const vec = (n: number) => fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: n, maxLength: n });

describe('lookup-table model (theory/lookup-table.ts)', () => {
  it('the closed form θ_t = y + ρ^t(θ_0 − y) equals t steps of θ ← θ − η·∂L/∂θ with L = (1/2n)Σ(θ − y)²', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }).chain((n) => fc.tuple(vec(n), vec(n))), fc.double({ min: 0.01, max: 1.5, noNaN: true }), fc.integer({ min: 0, max: 60 }), ([theta0, y], lrPerN, t) => {
        const n = y.length;
        const lr = lrPerN * n;
        let th = [...theta0];
        for (let s = 0; s < t; s++) th = th.map((v, i) => v - lr * ((v - y[i]!) / n)); // ∂L/∂θ_i = (θ_i − y_i)/n
        const closed = lookupTableOutputs(theta0, y, lookupTableFactor(lr, n), t);
        th.forEach((v, i) => expect(closed[i]).toBeCloseTo(v, 9));
      }),
      FC,
    );
  });

  it('every DFT coefficient of the residual shrinks by the same factor ρ^t (no frequency bias)', () => {
    fc.assert(
      fc.property(vec(16), vec(16), fc.double({ min: 0.5, max: 0.999, noNaN: true }), fc.integer({ min: 1, max: 40 }), (theta0, y, rho, t) => {
        const r0 = dft(theta0.map((v, i) => v - y[i]!));
        const h = lookupTableOutputs(theta0, y, rho, t);
        const rt = dft(Array.from(h, (v, i) => v - y[i]!));
        for (let k = 0; k < 16; k++) {
          expect(rt.re[k]).toBeCloseTo(rho ** t * r0.re[k]!, 9);
          expect(rt.im[k]).toBeCloseTo(rho ** t * r0.im[k]!, 9);
        }
      }),
      FC,
    );
  });

  it('factorForShrink: ρ^steps = 1/fold, and t = 0 returns the start', () => {
    fc.assert(
      fc.property(fc.double({ min: 1.5, max: 1e6, noNaN: true }), fc.integer({ min: 1, max: 5000 }), (fold, steps) => {
        expect(factorForShrink(fold, steps) ** steps * fold).toBeCloseTo(1, 9);
      }),
      FC,
    );
    expect(Array.from(lookupTableOutputs([1, 2], [5, 5], 0.3, 0))).toEqual([1, 2]);
    expect(lookupTableFactor(0.5, 10)).toBe(0.95);
  });
});
