// Exact properties of the LFP long-time solution (theory/lfp.ts): interpolation, its two 1-D limits against the
// independent spline code, the null space outside the data, invariances, the kernel constants by Parseval, the XOR
// closed form and the golden values of ANCHORS C4.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  kernelValue,
  lfpEval,
  lfpFit,
  lfpKernel,
  lfpSolve,
  nodeProblem,
  nullSpaceDegree,
  radialPowerFt,
  xorClosedForm,
  XOR_POINTS,
} from '../../theory/lfp.ts';
import { linearInterpolant, naturalCubicSpline } from '../../theory/lfp-splines.ts';
import { mat, type Mat } from '../../theory/mlp.ts';
import { FC } from '../helpers.ts';

const FCX = { ...FC, numRuns: 60 };

/** n distinct 1-D nodes at least `gap` apart in [−2, 2], with values y. */
const nodes1d = fc
  .integer({ min: 3, max: 8 })
  .chain((n) =>
    fc.record({
      x: fc.uniqueArray(fc.integer({ min: -200, max: 200 }), { minLength: n, maxLength: n }).map((a) => a.map((v) => v / 100)),
      y: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: n, maxLength: n }),
    }),
  )
  .filter(({ x }) => x.every((a, i) => x.every((b, j) => i === j || Math.abs(a - b) >= 0.05)));

/** n points in [−1, 1]², pairwise ≥ 0.1 apart, not collinear. */
const nodes2d = fc
  .integer({ min: 3, max: 8 })
  .chain((n) =>
    fc.record({
      x: fc.array(fc.tuple(fc.integer({ min: -100, max: 100 }), fc.integer({ min: -100, max: 100 })), { minLength: n, maxLength: n }),
      y: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: n, maxLength: n }),
    }),
  )
  .map(({ x, y }) => ({ x: x.map(([u, v]) => [u / 100, v / 100] as [number, number]), y }))
  .filter(({ x }) => {
    const far = x.every((p, i) => x.every((q, j) => i === j || Math.hypot(p[0] - q[0], p[1] - q[1]) >= 0.1));
    const [p0, p1] = x;
    const area = x.some((p) => Math.abs((p1![0] - p0![0]) * (p[1] - p0![1]) - (p1![1] - p0![1]) * (p[0] - p0![0])) > 0.05);
    return far && area;
  });

/** (a, b) ≥ 0, not both zero, over several decades. */
const coef = fc
  .record({ la: fc.double({ min: -4, max: 2, noNaN: true }), lb: fc.double({ min: -4, max: 2, noNaN: true }), zero: fc.constantFrom('none', 'a', 'b') })
  .map(({ la, lb, zero }) => ({ a: zero === 'a' ? 0 : 10 ** la, b: zero === 'b' ? 0 : 10 ** lb }));

const col = (x: number[]): Mat => mat(x.length, 1, Float64Array.from(x));
const rows2 = (x: [number, number][]): Mat => mat(x.length, 2, Float64Array.from(x.flat()));
const maxAbs = (a: ArrayLike<number>) => Math.max(...Array.from(a, Math.abs), 1e-300);
const sup = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));

/** Points strictly inside the 1-D data range. */
function inside(x: number[], k = 37): number[] {
  const lo = Math.min(...x);
  const hi = Math.max(...x);
  return Array.from({ length: k }, (_, i) => lo + ((hi - lo) * (i + 0.5)) / k);
}

describe('LFP long-time solution (exact)', () => {
  it('interpolates the data, d = 1 and 2', () => {
    fc.assert(
      fc.property(fc.oneof(nodes1d.map((d) => ({ X: col(d.x), y: d.y }))), coef, ({ X, y }, { a, b }) => {
        expect(sup(lfpSolve(X, y, X, a, b), y)).toBeLessThan(1e-10 * (1 + maxAbs(y)));
      }),
      FCX,
    );
    fc.assert(
      fc.property(nodes2d, coef, ({ x, y }, { a, b }) => {
        const X = rows2(x);
        expect(sup(lfpSolve(X, y, X, a, b), y)).toBeLessThan(1e-9 * (1 + maxAbs(y)));
      }),
      FCX,
    );
  });

  it('b = 0 gives piecewise-linear interpolation inside the data range', () => {
    fc.assert(
      fc.property(nodes1d, fc.double({ min: 1e-3, max: 1e3, noNaN: true }), ({ x, y }, a) => {
        const t = inside(x);
        const li = linearInterpolant(x, y);
        expect(sup(lfpSolve(col(x), y, col(t), a, 0), t.map(li))).toBeLessThan(1e-10 * (1 + maxAbs(y)));
      }),
      FCX,
    );
  });

  it('outside the data range: constant when b = 0 (finite ∫h\'²), linear when b > 0 (affine null space)', () => {
    fc.assert(
      fc.property(nodes1d, coef, ({ x, y }, { a, b }) => {
        const lo = Math.min(...x);
        const hi = Math.max(...x);
        const t = [lo - 3, lo - 1, lo, hi, hi + 1, hi + 3];
        const h = lfpSolve(col(x), y, col(t), a, b);
        const tol = 1e-9 * (1 + maxAbs(y));
        // Second differences vanish outside on both sides (linear continuation) in every case.
        expect(Math.abs(h[0]! - 3 * h[1]! + 2 * h[2]!)).toBeLessThan(3 * tol);
        expect(Math.abs(2 * h[3]! - 3 * h[4]! + h[5]!)).toBeLessThan(3 * tol);
        if (b === 0) {
          expect(Math.abs(h[0]! - h[2]!)).toBeLessThan(tol);
          expect(Math.abs(h[5]! - h[3]!)).toBeLessThan(tol);
        }
      }),
      FCX,
    );
  });

  it('a = 0 gives the natural cubic spline inside the data range', () => {
    fc.assert(
      fc.property(nodes1d, fc.double({ min: 1e-3, max: 1e3, noNaN: true }), ({ x, y }, b) => {
        const t = inside(x);
        const cs = naturalCubicSpline(x, y);
        expect(sup(lfpSolve(col(x), y, col(t), 0, b), t.map(cs))).toBeLessThan(1e-9 * (1 + maxAbs(y)));
      }),
      FCX,
    );
  });

  it('is invariant to scaling (a, b) together', () => {
    fc.assert(
      fc.property(nodes2d, coef, fc.double({ min: -6, max: 6, noNaN: true }), ({ x, y }, { a, b }, ls) => {
        const X = rows2(x);
        const T = rows2([[0.3, -0.2], [-0.9, 0.7], [1.5, 0.1]]);
        const s = 10 ** ls;
        expect(sup(lfpSolve(X, y, T, s * a, s * b), lfpSolve(X, y, T, a, b))).toBeLessThan(1e-9 * (1 + maxAbs(y)));
      }),
      FCX,
    );
  });

  it('is linear in y and reproduces affine data exactly (c = 0)', () => {
    fc.assert(
      fc.property(nodes2d, coef, fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true }), ({ x, y }, { a, b }, al, be) => {
        const X = rows2(x);
        const T = rows2([[0.3, -0.2], [-0.9, 0.7], [1.5, 0.1]]);
        const y2 = x.map(([u, v]) => Math.sin(3 * u) + v * v);
        const mix = y.map((v, i) => al * v + be * y2[i]!);
        const lhs = lfpSolve(X, mix, T, a, b);
        const h1 = lfpSolve(X, y, T, a, b);
        const h2 = lfpSolve(X, y2, T, a, b);
        expect(sup(lhs, Array.from(h1, (v, i) => al * v + be * h2[i]!))).toBeLessThan(1e-9 * (1 + Math.abs(al) + Math.abs(be)) * (1 + maxAbs(y) + maxAbs(y2)));
        const aff = x.map(([u, v]) => 0.7 - 1.3 * u + 0.4 * v);
        const fit = lfpFit(X, aff, a, b + 1e-3); // affine functions are in the null space only when b > 0
        expect(maxAbs(fit.c)).toBeLessThan(1e-10);
        expect(sup(fit.p, [0.7, -1.3, 0.4])).toBeLessThan(1e-10);
      }),
      FCX,
    );
  });

  it('the kernel constants are those of the cycles convention (Parseval against quadrature in ξ)', () => {
    // For φ with vanishing low moments, ∫ G φ dx = ∫ Ĝ(ξ) φ̂(ξ) dξ. φ = g'''' (d = 1) or Δ²g (d = 2) for g = e^(−π|x|²),
    // ĝ = e^(−π|ξ|²), so φ̂ = (2π|ξ|)⁴ ĝ. Both sides by quadrature: this pins the 2π factors of G against γ²
    // (a wrong convention is off by a factor, not 1e-5; the trapezoid rule at the kinks of |x| leaves ~1e-6).
    const trap = (f: (t: number) => number, lo: number, hi: number, n = 20000) => {
      const h = (hi - lo) / n;
      let s = 0.5 * (f(lo) + f(hi));
      for (let i = 1; i < n; i++) s += f(lo + i * h);
      return s * h;
    };
    const P = Math.PI;
    for (const [a, b] of [[1, 0], [0, 1], [0.3, 2.5]] as const) {
      const k1 = lfpKernel(1, a, b);
      const lhs1 = trap((x) => kernelValue(k1, Math.abs(x)) * (16 * P ** 4 * x ** 4 - 48 * P ** 3 * x ** 2 + 12 * P ** 2) * Math.exp(-P * x * x), -8, 8);
      const rhs1 = trap((xi) => (a * xi * xi + b) * 16 * P ** 4 * Math.exp(-P * xi * xi), -8, 8);
      expect(Math.abs(lhs1 - rhs1)).toBeLessThan(1e-5 * Math.abs(rhs1));
      const k2 = lfpKernel(2, a, b);
      const lhs2 = trap((r) => kernelValue(k2, r) * (16 * P ** 4 * r ** 4 - 64 * P ** 3 * r ** 2 + 32 * P ** 2) * Math.exp(-P * r * r) * 2 * P * r, 0, 8);
      const rhs2 = trap((rho) => 32 * P ** 5 * (a * rho * rho + b) * Math.exp(-P * rho * rho), 0, 8);
      expect(Math.abs(lhs2 - rhs2)).toBeLessThan(1e-5 * Math.abs(rhs2));
    }
  });

  it('XOR: the solver equals the closed form of BRIEF §2.4 and its two limits', () => {
    const X = rows2(XOR_POINTS.map(([u, v]) => [u, v] as [number, number]));
    const y = XOR_POINTS.map(([u, v]) => u * v);
    fc.assert(
      fc.property(coef, fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), ({ a, b }, u, v) => {
        const h = lfpSolve(X, y, rows2([[u, v]]), a, b)[0]!;
        expect(Math.abs(h - xorClosedForm(a, b, u, v))).toBeLessThan(1e-12);
        const d = XOR_POINTS.map(([p, q]) => Math.hypot(u - p, v - q));
        const lin = -y.reduce((s, yj, j) => s + yj * d[j]!, 0) / (2 * (2 - Math.SQRT2));
        const cub = y.reduce((s, yj, j) => s + yj * d[j]! ** 3, 0) / (16 * (Math.SQRT2 - 1));
        expect(Math.abs(lfpSolve(X, y, rows2([[u, v]]), 1 + a, 0)[0]! - lin)).toBeLessThan(1e-12);
        expect(Math.abs(lfpSolve(X, y, rows2([[u, v]]), 0, 1 + b)[0]! - cub)).toBeLessThan(1e-12);
      }),
      FCX,
    );
  });

  it('matches the golden 1-D values of ANCHORS C4 (natural spline and linear limits)', () => {
    const f = JSON.parse(readFileSync(new URL('../../fixtures/lfp/c4-1d.json', import.meta.url), 'utf8'));
    const X = mat(5, 1, Float64Array.from(f.data.x.flat()));
    const T = mat(4, 1, Float64Array.from(f.points.x.flat()));
    expect(sup(lfpSolve(X, f.data.y, T, 0, 1), f.naturalCubicSpline)).toBeLessThan(f.tolerance);
    expect(sup(lfpSolve(X, f.data.y, T, 1, 0), f.linear)).toBeLessThan(f.tolerance);
  });
});


describe('LFP kernel constants and input checks', () => {
  it('radialPowerFt: FT|x| and FT|x|³ in d = 1, 2, 3 (hand-evaluated Gel\'fand–Shilov constants)', () => {
    // π^(−β−d/2) Γ((β+d)/2)/Γ(−β/2) with Γ(−1/2) = −2√π, Γ(−3/2) = 4√π/3, Γ(1) = Γ(2) = 1, Γ(3) = 2,
    // Γ(3/2) = √π/2, Γ(5/2) = 3√π/4 (by hand; python math.gamma agrees to 1e-16):
    const P = Math.PI;
    const cases: [1 | 3, number, number][] = [
      [1, 1, -1 / (2 * P ** 2)],
      [3, 1, 3 / (4 * P ** 4)],
      [1, 2, -1 / (4 * P ** 2)],
      [3, 2, 9 / (16 * P ** 4)],
      [1, 3, -1 / (2 * P ** 3)],
      [3, 3, 3 / (2 * P ** 5)],
      [1, 4, -3 / (8 * P ** 3)], // π^(−3)·Γ(5/2)/Γ(−1/2) = π^(−3)·(3√π/4)/(−2√π)
    ];
    for (const [beta, d, want] of cases) expect(radialPowerFt(beta, d) / want).toBeCloseTo(1, 13);
    expect(() => radialPowerFt(1, 0.5)).toThrow(/half-integers/);
    expect(() => radialPowerFt(1, -3)).toThrow(/half-integers/);
    expect(() => radialPowerFt(1, -1)).toThrow(/half-integers/); // Γ(0) is a pole, not 1
  });

  it('lfpKernel: c1 = a/FT|x|, c3 = b/FT|x|³; refuses a bad dimension or coefficients, naming them', () => {
    const k = lfpKernel(2, 0.5, 2);
    expect(k.d).toBe(2);
    expect(k.c1).toBeCloseTo(0.5 * -4 * Math.PI ** 2, 12);
    expect(k.c3).toBeCloseTo((2 * 16 * Math.PI ** 4) / 9, 10);
    expect(kernelValue(k, 2)).toBeCloseTo(k.c1 * 2 + k.c3 * 8, 12);
    expect(lfpKernel(1, 0, 1).c1).toBe(-0);
    expect(lfpKernel(1, 1, 0).c3).toBe(0);
    expect(() => lfpKernel(0, 1, 1)).toThrow(/d must be a positive integer, got 0/);
    expect(() => lfpKernel(1.5, 1, 1)).toThrow(/d must be a positive integer/);
    expect(() => lfpKernel(1, -1, 1)).toThrow(/a, b ≥ 0/);
    expect(() => lfpKernel(1, -1, 2)).toThrow(/got -1, 2/); // a < 0 even when a + b > 0
    expect(() => lfpKernel(1, 2, -1)).toThrow(/got 2, -1/);
    expect(() => lfpKernel(1, 1, -1e-9)).toThrow(/a, b ≥ 0/);
    expect(() => lfpKernel(1, 0, 0)).toThrow(/not both zero/);
    expect(() => lfpKernel(1, NaN, 1)).toThrow(/a, b ≥ 0/);
  });

  it('null space: degree 1 (affine) when b > 0, else 0 (constants)', () => {
    expect(nullSpaceDegree(1e-300)).toBe(1);
    expect(nullSpaceDegree(0)).toBe(0);
  });

  it('nodeProblem: coincident points, too few points, collinear points; unit-free (scaled or shifted nodes)', () => {
    expect(nodeProblem(mat(3, 1, Float64Array.from([0, 1, 0])))).toMatch(/points 0 and 2 coincide/);
    expect(nodeProblem(mat(3, 1, Float64Array.from([0, 1, 0])), 0)).toMatch(/coincide/);
    expect(nodeProblem(mat(0, 1), 0)).toMatch(/at least one point/);
    expect(nodeProblem(mat(1, 1, Float64Array.from([3])), 0)).toBeNull();
    expect(nodeProblem(mat(1, 1, Float64Array.from([3])))).toMatch(/need at least 2 points in 1 dimension when b > 0, got 1/);
    expect(nodeProblem(mat(2, 2, Float64Array.from([0, 0, 1, 1])))).toMatch(/need at least 3 points in 2 dimensions when b > 0, got 2/);
    expect(nodeProblem(mat(2, 1, Float64Array.from([0, 1])))).toBeNull();
    // Collinear in 2-D ("line"), coplanar in 3-D ("hyperplane"), at any scale and offset.
    // 1e-12: the rank test must divide by the coordinates' scale, or a tiny triangle looks degenerate next to the
    // constant column.
    for (const s of [1e-12, 1e-6, 1, 1e6]) {
      for (const o of s === 1e-12 ? [0] : [0, 5]) { // (1e-12 at offset 5 is at 1e-13 relative precision: degenerate)
        const line = mat(4, 2, Float64Array.from([0, 0, 1, 2, 2, 4, -1, -2].map((v) => s * v + o)));
        expect(nodeProblem(line)).toMatch(/common line/);
        expect(nodeProblem(line, 0)).toBeNull();
        const tri = mat(3, 2, Float64Array.from([0, 0, 1, 0, 0, 1].map((v) => s * v + o)));
        expect(nodeProblem(tri)).toBeNull();
        const plane = mat(4, 3, Float64Array.from([0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0].map((v) => s * v + o)));
        expect(nodeProblem(plane)).toMatch(/common hyperplane/);
        const tet = mat(4, 3, Float64Array.from([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1].map((v) => s * v + o)));
        expect(nodeProblem(tet)).toBeNull();
      }
    }
    // Nearly collinear but resolvable (relative offset 1e-6 ≫ the 1e-10 rank tolerance) is accepted.
    expect(nodeProblem(mat(3, 2, Float64Array.from([0, 0, 1, 0, 2, 1e-6])))).toBeNull();
    // All nodes at the origin axis with zero spread still reports coincidence first.
    expect(nodeProblem(mat(2, 2, Float64Array.from([0, 0, 0, 0])))).toMatch(/coincide/);
  });

  it('lfpFit and lfpEval refuse bad nodes or points, naming the problem', () => {
    expect(() => lfpFit(mat(3, 2, Float64Array.from([0, 0, 1, 1, 2, 2])), [1, 2, 3], 1, 1)).toThrow(/lfpFit: the points lie on a common line/);
    // With b = 0 only constants are in the null space, so collinear nodes are fine.
    expect(() => lfpFit(mat(3, 2, Float64Array.from([0, 0, 1, 1, 2, 2])), [1, 2, 3], 1, 0)).not.toThrow();
    const fit = lfpFit(mat(3, 1, Float64Array.from([0, 1, 2])), [1, 2, 0], 1, 1);
    expect(() => lfpEval(fit, mat(1, 2, Float64Array.from([0, 0])))).toThrow(/lfpEval: points have 2 coordinates, the fit 1/);
    expect(fit.p.length).toBe(2);
    expect(fit.c.length).toBe(3);
  });

  it('b = 0: constants are reproduced with c = 0 and p₀ = the constant, the linear coefficients 0', () => {
    const X = mat(4, 2, Float64Array.from([0, 0, 1, 0.3, -0.4, 1, 0.2, -0.9]));
    const fit = lfpFit(X, [2.5, 2.5, 2.5, 2.5], 1.7, 0);
    expect(maxAbs(fit.c)).toBeLessThan(1e-12);
    expect(Array.from(fit.p)).toEqual([expect.closeTo(2.5, 12), 0, 0]);
  });

  it('d = 3: interpolates, and an affine function is reproduced with c = 0', () => {
    const rng = [0.1, -0.7, 0.4, 0.9, 0.2, -0.3, -0.5, 0.6, 0.8, 0.3, -0.9, -0.2, 0.7, 0.5, 0.1, -0.4, -0.1, 0.9];
    const X = mat(6, 3, Float64Array.from(rng));
    const y = [0.3, -1, 0.2, 0.8, -0.5, 0.1];
    expect(sup(lfpSolve(X, y, X, 0.4, 1.3), y)).toBeLessThan(1e-10);
    const aff = Array.from({ length: 6 }, (_, i) => 1 - 2 * rng[3 * i]! + 0.5 * rng[3 * i + 1]! + 3 * rng[3 * i + 2]!);
    const fit = lfpFit(X, aff, 0.4, 1.3);
    expect(maxAbs(fit.c)).toBeLessThan(1e-10);
    expect(sup(fit.p, [1, -2, 0.5, 3])).toBeLessThan(1e-10);
  });
});
