// Exact properties of the two 1-D limits of LFP (theory/lfp-splines.ts): the piecewise-linear interpolant and the
// natural cubic spline, against independent oracles (hand-derived values, the defining smoothness and end
// conditions checked by finite differences, the LFP kernel solve of theory/lfp.ts, permutation invariance).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lfpSolve } from '../../theory/lfp.ts';
import { linearInterpolant, naturalCubicSpline } from '../../theory/lfp-splines.ts';
import { mat } from '../../theory/mlp.ts';
import { FC } from '../helpers.ts';

const FCS = { ...FC, numRuns: 60 };

/** n distinct nodes (≥ 0.05 apart) in [−2, 2] with values in [−2, 2], in random order. */
const nodes = (minN: number) =>
  fc
    .integer({ min: minN, max: 8 })
    .chain((n) =>
      fc.record({
        x: fc.uniqueArray(fc.integer({ min: -200, max: 200 }), { minLength: n, maxLength: n }).map((a) => a.map((v) => v / 100)),
        y: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: n, maxLength: n }),
      }),
    )
    .filter(({ x }) => x.every((a, i) => x.every((b, j) => i === j || Math.abs(a - b) >= 0.05)));

const sorted = (x: number[], y: number[]) => {
  const idx = x.map((_, i) => i).sort((i, j) => x[i]! - x[j]!);
  return { xs: idx.map((i) => x[i]!), ys: idx.map((i) => y[i]!) };
};
const scale = (y: number[]) => 1 + Math.max(...y.map(Math.abs));

describe('piecewise-linear interpolant', () => {
  it('passes through every node, whatever the input order', () => {
    fc.assert(
      fc.property(nodes(2), ({ x, y }) => {
        const f = linearInterpolant(x, y);
        x.forEach((xi, i) => expect(Math.abs(f(xi) - y[i]!)).toBeLessThan(1e-12 * scale(y)));
      }),
      FCS,
    );
  });

  it('is the chord between neighbouring nodes and continues the end chords outside', () => {
    fc.assert(
      fc.property(nodes(2), fc.double({ min: 0, max: 1, noNaN: true }), ({ x, y }, s) => {
        const f = linearInterpolant(x, y);
        const { xs, ys } = sorted(x, y);
        const n = xs.length;
        for (let k = 0; k + 1 < n; k++) {
          const t = xs[k]! + s * (xs[k + 1]! - xs[k]!);
          expect(Math.abs(f(t) - ((1 - s) * ys[k]! + s * ys[k + 1]!))).toBeLessThan(1e-12 * scale(y));
        }
        // Outside: the line through the two end nodes on each side, at distance 1 + s beyond.
        const left = xs[0]! - (1 + s);
        const right = xs[n - 1]! + (1 + s);
        const slopeL = (ys[1]! - ys[0]!) / (xs[1]! - xs[0]!);
        const slopeR = (ys[n - 1]! - ys[n - 2]!) / (xs[n - 1]! - xs[n - 2]!);
        expect(Math.abs(f(left) - (ys[0]! - (1 + s) * slopeL))).toBeLessThan(1e-11 * scale(y) * (1 + Math.abs(slopeL)));
        expect(Math.abs(f(right) - (ys[n - 1]! + (1 + s) * slopeR))).toBeLessThan(1e-11 * scale(y) * (1 + Math.abs(slopeR)));
      }),
      FCS,
    );
  });
});

describe('natural cubic spline', () => {
  it('known value: nodes 0, 1, 2 with values 0, 1, 0 give h(0.5) = 11/16, h(1.5) = 11/16, h(−1) = −3/2', () => {
    // By hand: one interior unknown, 2(1 + 1)M₁ = 6(−1 − 1), so M₁ = −3; on [0, 1] with A = B = ½,
    // h = ½ + (B³ − B)M₁/6 = ½ + (−3/8)(−3)/6 = 11/16. The end slope is Δ₀ − h₀(2M₀ + M₁)/6 = 1 + 3/6 = 3/2, so the
    // linear continuation gives h(−1) = −3/2, and by symmetry h(3) = −3/2.
    const f = naturalCubicSpline([2, 0, 1], [0, 0, 1]);
    expect(f(0.5)).toBeCloseTo(11 / 16, 14);
    expect(f(1.5)).toBeCloseTo(11 / 16, 14);
    expect(f(-1)).toBeCloseTo(-3 / 2, 14);
    expect(f(3)).toBeCloseTo(-3 / 2, 14);
  });

  it('known value with four unequal nodes (two interior unknowns, one elimination step)', () => {
    // Nodes 0, 1, 3, 4 with values 0, 2, 1, 3; steps h = 1, 2, 1, chord slopes 2, −½, 2. The system
    // [[2(1+2), 2], [2, 2(2+1)]]·[M₁, M₂] = 6·[−½ − 2, 2 + ½] = [−15, 15] gives M₁ = −15/4, M₂ = 15/4 (by hand;
    // numpy.linalg.solve agrees). On [1, 3] at t = 2 (A = B = ½) the M terms cancel: h = (2 + 1)/2 = 3/2.
    // On [0, 1] at t = ½: h = 1 + (−3/8)·M₁/6 = 1 + 15/64 = 79/64; the data are point-symmetric about (2, 3/2), so
    // h(3.5) = 3 − 79/64. End slopes 2 − M₁/6 = 21/8 and 2 + M₂/6 = 21/8: h(−1) = −21/8, h(5) = 3 + 21/8.
    const f = naturalCubicSpline([0, 1, 3, 4], [0, 2, 1, 3]);
    expect(f(2)).toBeCloseTo(3 / 2, 13);
    expect(f(0.5)).toBeCloseTo(79 / 64, 13);
    expect(f(3.5)).toBeCloseTo(3 - 79 / 64, 13);
    expect(f(-1)).toBeCloseTo(-21 / 8, 13);
    expect(f(5)).toBeCloseTo(3 + 21 / 8, 13);
  });

  it('passes through every node and is C² at the nodes, with h\'\' = 0 at both ends (finite differences)', () => {
    fc.assert(
      fc.property(nodes(2), ({ x, y }) => {
        const f = naturalCubicSpline(x, y);
        const e = 1e-4;
        x.forEach((xi, i) => expect(Math.abs(f(xi) - y[i]!)).toBeLessThan(1e-12 * scale(y)));
        const { xs } = sorted(x, y);
        const n = xs.length;
        const d2l = (t: number) => (f(t) - 2 * f(t - e) + f(t - 2 * e)) / (e * e);
        const d2r = (t: number) => (f(t + 2 * e) - 2 * f(t + e) + f(t)) / (e * e);
        // One-sided estimates err by about e·|h'''| ≤ e·max|h''|/(node gap ≥ 0.05) = 2e-3·max|h''|; a kink in h or a
        // jump in h'' would be of the order of |h''| itself.
        const k = 1 + Math.max(...xs.map((t) => Math.max(Math.abs(d2l(t)), Math.abs(d2r(t)))));
        for (const xi of xs) {
          const d1l = (f(xi) - f(xi - e)) / e;
          const d1r = (f(xi + e) - f(xi)) / e;
          expect(Math.abs(d1l - d1r)).toBeLessThan(1e-3 * k); // C¹ (the gap is e·h'' ≤ 1e-4·k)
          expect(Math.abs(d2l(xi) - d2r(xi))).toBeLessThan(1e-2 * k); // C²
        }
        // Natural end conditions: h'' → 0 at the end nodes from inside, and h is linear outside.
        expect(Math.abs(d2r(xs[0]!))).toBeLessThan(1e-2 * k);
        expect(Math.abs(d2l(xs[n - 1]!))).toBeLessThan(1e-2 * k);
        expect(Math.abs(f(xs[0]! - 2) - 2 * f(xs[0]! - 1) + f(xs[0]!))).toBeLessThan(1e-10 * k);
        expect(Math.abs(f(xs[n - 1]! + 2) - 2 * f(xs[n - 1]! + 1) + f(xs[n - 1]!))).toBeLessThan(1e-10 * k);
      }),
      FCS,
    );
  });

  it('equals the LFP solution with a = 0 everywhere, outside the data included (two different computations)', () => {
    fc.assert(
      fc.property(nodes(3), ({ x, y }) => {
        const f = naturalCubicSpline(x, y);
        const lo = Math.min(...x);
        const hi = Math.max(...x);
        const t = Array.from({ length: 41 }, (_, i) => lo - 1 + ((hi - lo + 2) * i) / 40);
        const h = lfpSolve(mat(x.length, 1, Float64Array.from(x)), y, mat(t.length, 1, Float64Array.from(t)), 0, 1);
        t.forEach((ti, i) => expect(Math.abs(f(ti) - h[i]!)).toBeLessThan(1e-9 * scale(y)));
      }),
      FCS,
    );
  });

  it('with two nodes is the straight line through them', () => {
    const f = naturalCubicSpline([1, -1], [3, 1]);
    for (const t of [-2, -1, 0, 0.5, 1, 2]) expect(f(t)).toBeCloseTo(2 + t, 14);
  });
});
