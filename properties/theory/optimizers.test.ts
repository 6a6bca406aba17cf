// Exact properties of the non-gradient optimizers of the F-Principle family (theory/optimizers.ts): BFGS, Powell's
// direction-set method, nonlinear conjugate gradient and particle swarm, on problems whose minimizer is known in closed form.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rngFromKey, type Rng } from '../../core/rng.ts';
import { bfgs, conjugateGradient, particleSwarm, powell } from '../../theory/optimizers.ts';
import { FC } from '../helpers.ts';

const norm2 = (xs: ArrayLike<number>) => Array.from(xs).reduce((s, x) => s + x * x, 0);
const close = (a: number, b: number, tol: number, scale = 1) => Math.abs(a - b) <= tol * Math.max(1, scale);

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
      { ...FC, numRuns: 15 },
    );
  });

  it('conjugate gradient drives the gradient of a convex quadratic to zero (the minimizer A⁻¹b)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 8 }), (seed, n) => {
        const { f, g } = quad(seed, n);
        const r = conjugateGradient((x) => ({ f: f(x), g: g(x) }), new Float64Array(n), { iters: 400 * n });
        return Math.sqrt(norm2(g(r.x))) < 1e-5;
      }),
      { ...FC, numRuns: 15 },
    );
  });

  it('conjugate gradient by hand: first step along −g with Armijo backtracking, then the Polak–Ribière+ direction', () => {
    // f = ½(x² + 4y²) from (2, 1): g = (2, 4), f = 4. Step 1 along (−2, −4): α = 1 gives (0, −3), f = 18 > Armijo;
    // α = ½ gives (1, −1), f = 2.5 ≤ 4 − 1e-4·½·20. New g = (1, −4); β = max(0, g·(g − g_prev)/‖g_prev‖²)
    // = (1·(−1) + (−4)·(−8))/20 = 31/20; d = (−1, 4) + 1.55·(−2, −4) = (−4.1, −2.2).
    const fg = (x: Float64Array) => ({ f: 0.5 * (x[0]! ** 2 + 4 * x[1]! ** 2), g: Float64Array.from([x[0]!, 4 * x[1]!]) });
    const seen: number[][] = [];
    conjugateGradient(fg, Float64Array.from([2, 1]), { iters: 2, onIter: (_, x) => seen.push(Array.from(x)) });
    expect(seen[0]).toEqual([2, 1]);
    expect(seen[1]).toEqual([1, -1]);
    // d·g = −4.1·1 + (−2.2)·(−4) = 4.7 > 0: not a descent direction, so CG restarts at −g = (−1, 4). Step 2 tries
    // α = 2·½ = 1: (0, 3), f = 18 > 2.5; α = ½: (0.5, 1), f = 2.125 ≤ 2.5 − 1e-4·½·17: accepted.
    expect(seen[2]).toEqual([0.5, 1]);
  });

  it('conjugate gradient never increases f and stops at a stationary point', () => {
    const fs: number[] = [];
    conjugateGradient((x) => ({ f: (x[0]! - 1) ** 4 + x[1]! ** 2, g: Float64Array.from([4 * (x[0]! - 1) ** 3, 2 * x[1]!]) }), Float64Array.from([3, 2]), { iters: 50, onIter: (_, __, f) => fs.push(f) });
    fs.forEach((f, i) => i > 0 && expect(f).toBeLessThan(fs[i - 1]!));
    const at: number[] = [];
    conjugateGradient((x) => ({ f: x[0]! ** 2, g: Float64Array.from([2 * x[0]!]) }), Float64Array.from([0]), { iters: 5, onIter: (it) => at.push(it) });
    expect(at).toEqual([0]);
  });

  it('Powell (no gradients) reaches the minimum of a convex quadratic', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 5 }), (seed, n) => {
        const { f, g } = quad(seed, n);
        const r = powell(f, new Float64Array(n), { iters: 200, step: 0.5 });
        return Math.sqrt(norm2(g(r.x))) < 1e-4;
      }),
      { ...FC, numRuns: 15 },
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
      { ...FC, numRuns: 5 },
    );
  });

  // ---- BFGS (Nocedal & Wright Alg. 6.1, eq. 6.17) ----

  it('BFGS in 1-D: after one backtracked gradient step the update gives H = s/y = 1/a, so the second step is Newton’s and lands on the minimum', () => {
    // f = ½·3·(x − 1)², x0 = 0: g0 = −3, p = 3. Armijo (c = 1e-4) rejects α = 1 (f(3) = 6 > 1.5) and accepts α = ½:
    // x1 = 1.5. Then s = 1.5, y = g(1.5) − g(0) = 4.5, H = s/y = 1/3 and x2 = 1.5 − (1/3)·1.5 = 1.
    const xs: number[] = [];
    const r = bfgs((x) => ({ f: 1.5 * (x[0]! - 1) ** 2, g: Float64Array.of(3 * (x[0]! - 1)) }), Float64Array.of(0), { iters: 3, onIter: (_, x) => xs.push(x[0]!) });
    expect(xs[0]).toBe(0);
    expect(xs[1]).toBe(1.5);
    expect(xs[2]).toBeCloseTo(1, 14);
    expect(r.x[0]).toBeCloseTo(1, 14);
    expect(r.f).toBeLessThan(1e-28);
  });

  // An independent BFGS with dense matrices and the product form of the update, (I − ρsyᵀ)H(I − ρysᵀ) + ρssᵀ:
  // H₀ = I, α halved from 1 until Armijo with c₁ = 1e-4, the update skipped unless sᵀy > 1e-12 (Nocedal & Wright §6.1).
  const bfgsOracle = (f: (x: Float64Array) => number, g: (x: Float64Array) => Float64Array, x0: Float64Array, iters: number) => {
    const n = x0.length;
    let H: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
    let x = Array.from(x0);
    const xs = [x.slice()];
    let skipped = 0;
    const mul = (A: number[][], B: number[][]) => A.map((row) => B[0]!.map((_, j) => row.reduce((s, a, k) => s + a * B[k]![j]!, 0)));
    for (let it = 0; it < iters; it++) {
      const gx = Array.from(g(Float64Array.from(x)));
      const p = H.map((row) => -row.reduce((s, h, j) => s + h * gx[j]!, 0));
      const slope = p.reduce((s, v, i) => s + v * gx[i]!, 0);
      const fx = f(Float64Array.from(x));
      let a = 1;
      while (f(Float64Array.from(x.map((v, i) => v + a * p[i]!))) > fx + 1e-4 * a * slope) a /= 2;
      const xn = x.map((v, i) => v + a * p[i]!);
      const s = xn.map((v, i) => v - x[i]!);
      const y = Array.from(g(Float64Array.from(xn))).map((v, i) => v - gx[i]!);
      const sy = s.reduce((acc, v, i) => acc + v * y[i]!, 0);
      if (sy > 1e-12) {
        const rho = 1 / sy;
        const L = s.map((si, i) => y.map((yj, j) => (i === j ? 1 : 0) - rho * si * yj));
        const R = y.map((yi, i) => s.map((sj, j) => (i === j ? 1 : 0) - rho * yi * sj));
        H = mul(mul(L, H), R).map((row, i) => row.map((v, j) => v + rho * s[i]! * s[j]!));
      } else skipped++;
      x = xn;
      xs.push(x.slice());
    }
    return { xs, skipped };
  };
  const sameIterates = (got: Float64Array[], want: number[][]) =>
    got.length === want.length && got.every((xg, t) => xg.every((v, i) => close(v, want[t]![i]!, 1e-9, Math.abs(want[t]![i]!))));

  it('BFGS iterates match an independent implementation with the product form of the update, (I − ρsyᵀ)H(I − ρysᵀ) + ρssᵀ', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 2, max: 4 }), (seed, n) => {
        const { f, g } = quad(seed, n);
        const x0 = rngFromKey(`x0/${seed}`).normals(n);
        const got: Float64Array[] = [];
        bfgs((x) => ({ f: f(x), g: g(x) }), x0, { iters: 4, onIter: (_, x) => got.push(x.slice()) });
        return sameIterates(got, bfgsOracle(f, g, x0, 4).xs);
      }),
      { ...FC, numRuns: 20 },
    );
  });

  it('BFGS on a non-convex function skips the update when sᵀy ≤ 0 (negative curvature along the step), as the oracle does', () => {
    // f = ½xᵀAx − bᵀx + 2 Σ cos(3x_i): the cosines bend the quadratic enough that some steps see sᵀy < 0.
    let skips = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 2, max: 3 }), (seed, n) => {
        const q = quad(seed, n);
        const f = (x: Float64Array) => q.f(x) + 2 * x.reduce((s, v) => s + Math.cos(3 * v), 0);
        const g = (x: Float64Array) => q.g(x).map((v, i) => v - 6 * Math.sin(3 * x[i]!));
        const x0 = rngFromKey(`x0nc/${seed}`).normals(n);
        const got: Float64Array[] = [];
        bfgs((x) => ({ f: f(x), g: g(x) }), x0, { iters: 6, onIter: (_, x) => got.push(x.slice()) });
        const want = bfgsOracle(f, g, x0, 6);
        skips += want.skipped;
        return sameIterates(got, want.xs);
      }),
      { ...FC, numRuns: 20 },
    );
    expect(skips).toBeGreaterThan(0); // the branch under test was exercised
  });

  it('BFGS on x² from 1: the full step lands on −1 with the same value, fails Armijo and is halved to the minimum', () => {
    const xs: number[] = [];
    bfgs((x) => ({ f: x[0]! ** 2, g: Float64Array.of(2 * x[0]!) }), Float64Array.of(1), { iters: 1, onIter: (_, x) => xs.push(x[0]!) });
    expect(xs).toEqual([1, 0]);
  });

  it('BFGS backtracks through at most 40 step sizes α = 1, ½, …, 2⁻³⁹', () => {
    // f = c·x² from 1 with p = −2c: Armijo holds iff c·α ≤ 1 − 1e-4, so c = 2³⁸ needs α = 2⁻³⁹ (the 40th size, which
    // lands on 0) and c = 2³⁹ would need the 41st. Then no step passes, and the last trial (α = 2⁻³⁹, x = −1, the same
    // value) is kept because f did not increase.
    const firstStep = (c: number) => {
      const xs: number[] = [];
      bfgs((x) => ({ f: c * x[0]! ** 2, g: Float64Array.of(2 * c * x[0]!) }), Float64Array.of(1), { iters: 1, onIter: (_, x) => xs.push(x[0]!) });
      return xs[1];
    };
    expect(firstStep(2 ** 38)).toBe(0);
    expect(firstStep(2 ** 39)).toBe(-1);
  });

  it('BFGS and Powell return fresh arrays: the caller’s start vector is never aliased', () => {
    const x0 = Float64Array.of(2);
    // BFGS given an uphill gradient stops at its start (the case where it returns x without any step).
    const rb = bfgs((x) => ({ f: (x[0]! - 2) ** 2, g: Float64Array.of(-2 * (x[0]! - 1)) }), x0, { iters: 2 });
    const rp = powell((x) => (x[0]! - 2) ** 2, x0, { iters: 2 });
    expect(rb.x).not.toBe(x0);
    expect(rp.x).not.toBe(x0);
    expect(rb.x[0]).toBe(2);
    expect(rp.x[0]).toBe(2);
  });

  it('BFGS reaches an ill-conditioned quadratic’s minimum in a few iterations per dimension (steepest descent would need ~κ)', () => {
    // f = ½ Σ λ_i (u_i·x − 1)² with λ = 1, 10, 100, 1000, 10000 in a rotated basis (κ = 10⁴).
    const n = 5;
    const rng = rngFromKey('bfgs-kappa');
    const U = rng.normals(n * n);
    for (let i = 0; i < n; i++) {
      // Gram–Schmidt on the rows
      for (let j = 0; j < i; j++) {
        let d = 0;
        for (let q = 0; q < n; q++) d += U[i * n + q]! * U[j * n + q]!;
        for (let q = 0; q < n; q++) U[i * n + q]! -= d * U[j * n + q]!;
      }
      let len = 0;
      for (let q = 0; q < n; q++) len += U[i * n + q]! ** 2;
      for (let q = 0; q < n; q++) U[i * n + q]! /= Math.sqrt(len);
    }
    const lambda = [1, 10, 100, 1000, 10000];
    const fg = (x: Float64Array) => {
      const g = new Float64Array(n);
      let f = 0;
      for (let i = 0; i < n; i++) {
        let ux = 0;
        for (let q = 0; q < n; q++) ux += U[i * n + q]! * x[q]!;
        f += 0.5 * lambda[i]! * (ux - 1) ** 2;
        for (let q = 0; q < n; q++) g[q]! += lambda[i]! * (ux - 1) * U[i * n + q]!;
      }
      return { f, g };
    };
    const r = bfgs(fg, new Float64Array(n), { iters: 60 });
    expect(r.f).toBeLessThan(1e-16);
  });

  it('BFGS rejects non-finite trial values in its line search (a −∞ is not a decrease) and backtracks', () => {
    // f = x² for x ≥ −½, −∞ below. From x0 = 1 the full step lands at −1 (−∞): rejected; α = ½ gives x = 0.
    const f = (x: number) => (x >= -0.5 ? x * x : -Infinity);
    const xs: number[] = [];
    bfgs((x) => ({ f: f(x[0]!), g: Float64Array.of(2 * x[0]!) }), Float64Array.of(1), { iters: 1, onIter: (_, x) => xs.push(x[0]!) });
    expect(xs).toEqual([1, 0]);
  });

  it('BFGS with a gradient that points uphill finds no decrease and returns its start after iteration 0', () => {
    const iters: number[] = [];
    const r = bfgs((x) => ({ f: x[0]! ** 2 + x[1]! ** 2, g: Float64Array.of(-2 * x[0]!, -2 * x[1]!) }), Float64Array.of(1, -2), {
      iters: 5,
      onIter: (it) => iters.push(it),
    });
    expect(iters).toEqual([0]);
    expect(Array.from(r.x)).toEqual([1, -2]);
    expect(r.f).toBe(5);
  });

  it('BFGS at a stationary point stays there and reports every iteration', () => {
    const seen: [number, number][] = [];
    const r = bfgs((x) => ({ f: (x[0]! - 2) ** 2, g: Float64Array.of(2 * (x[0]! - 2)) }), Float64Array.of(2), { iters: 3, onIter: (it, x, f) => seen.push([it, x[0]! + f]) });
    expect(seen).toEqual([
      [0, 2],
      [1, 2],
      [2, 2],
      [3, 2],
    ]);
    expect(r.x[0]).toBe(2);
  });

  // ---- Powell ----

  it('Powell in 1-D on (x − 10)² from 0: the parabola vertex is clipped to 4h, the step grows, and the minimum is hit in two iterations', () => {
    // Default trial step h = 0.1. Iteration 1: the parabola through x = 0, ±0.1 is exact (vertex at 10) but clipped to
    // 4h = 0.4; the step becomes 0.4, and Powell's extra search along the sweep displacement (trial step = its length
    // 0.4) is clipped to 1.6: x = 2. Iteration 2: h = 1.6 → clipped move 6.4 to x = 8.4, then the displacement search
    // with h = 6.4 reaches the vertex 10 exactly.
    const xs: number[] = [];
    const r = powell((x) => (x[0]! - 10) ** 2, Float64Array.of(0), { iters: 3, onIter: (_, x) => xs.push(x[0]!) });
    expect(xs[0]).toBe(0);
    expect(xs[1]).toBeCloseTo(2, 12);
    expect(xs[2]).toBeCloseTo(10, 12);
    expect(xs[3]).toBeCloseTo(10, 12);
    expect(r.f).toBeCloseTo(0, 20);
  });

  it('Powell with a given step: a quadratic vertex within 4h is reached by the first line search, exactly', () => {
    const xs: number[] = [];
    powell((x) => 3 * (x[0]! + 0.7) ** 2 + 1, Float64Array.of(0.5), { iters: 1, step: 0.5, onIter: (_, x, f) => xs.push(x[0]!, f) });
    expect(xs[0]).toBe(0.5);
    expect(xs[1]).toBeCloseTo(3 * 1.2 ** 2 + 1, 14);
    expect(xs[2]).toBeCloseTo(-0.7, 13);
    expect(xs[3]).toBeCloseTo(1, 13);
  });

  it('Powell on a separable 2-D quadratic reaches the minimum in one sweep when each vertex is within 4h, and never increases f', () => {
    const fs: number[] = [];
    const r = powell((x) => (x[0]! - 0.3) ** 2 + 5 * (x[1]! + 0.2) ** 2, Float64Array.of(0, 0), { iters: 4, step: 0.2, onIter: (_, __, f) => fs.push(f) });
    expect(r.x[0]).toBeCloseTo(0.3, 12);
    expect(r.x[1]).toBeCloseTo(-0.2, 12);
    expect(fs[1]).toBeCloseTo(0, 20);
    expect(fs.every((v, i) => i === 0 || v <= fs[i - 1]!)).toBe(true);
  });

  it('Powell on a concave direction moves 4h toward the lower side (no parabola vertex to use)', () => {
    // f = −x² + x: at 0 the trial values are f(0.1) = 0.09 and f(−0.1) = −0.11, curvature < 0: step to −4h = −0.4.
    const xs: number[] = [];
    powell((x) => -(x[0]! ** 2) + x[0]!, Float64Array.of(0), { iters: 1, onIter: (_, x) => xs.push(x[0]!) });
    // the displacement search from −0.4 along −1 with h = 0.4 is again concave: another −4·0.4 = −1.6, at −2
    expect(xs[1]).toBeCloseTo(-2, 12);
  });

  // ---- particle swarm ----

  // A stream whose uniforms are all ½, so the swarm's update is deterministic and can be followed by hand.
  const halves = { uniform: () => 0.5 } as unknown as Rng;
  const startsAt = (...xs: number[]) => {
    let i = 0;
    return () => Float64Array.of(xs[i++]!);
  };

  it('particle swarm with r1 = r2 = ½ follows v ← w·v + c1·r1·(p − x) + c2·r2·(g − x) with Clerc’s w = 0.7298, c = 1.49618 (by hand)', () => {
    // f = x², particles at 1 and 3; g = 1. Iteration 1: particle 1 has v = c·½·(1 − 3) = −1.49618 → x = 1.50382 (not
    // better than g). Iteration 2: v = 0.7298·(−1.49618) + c·½·(1 − 1.50382) = −1.4688148678 → x = 0.0350051322 = g.
    const seen: number[] = [];
    const r = particleSwarm((x) => x[0]! ** 2, startsAt(1, 3), halves, { particles: 2, iters: 3, onIter: (_, g) => seen.push(g[0]!) });
    expect(seen[0]).toBe(1);
    expect(seen[1]).toBe(1);
    expect(seen[2]).toBeCloseTo(0.0350051322, 10);
    expect(seen[3]).toBeCloseTo(0.0350051322, 10);
    expect(r.f).toBeCloseTo(0.0350051322 ** 2, 12);
  });

  it('particle swarm takes its inertia and acceleration constants from the options', () => {
    // w = 0, c1 = c2 = 1, r = ½: particle at 3 moves halfway to g = 1 (x = 2), then to 1.5, never better than 1.
    const moves: number[] = [];
    const f = (x: Float64Array) => {
      moves.push(x[0]!);
      return x[0]! ** 2;
    };
    particleSwarm(f, startsAt(1, 3), halves, { particles: 2, iters: 2, inertia: 0, c1: 1, c2: 1 });
    expect(moves).toEqual([1, 3, 1, 2, 1, 1.5]);
  });

  it('particle swarm starts from the best initial particle', () => {
    const first: number[] = [];
    particleSwarm((x) => (x[0]! - 2) ** 2, startsAt(5, 1.5, 2.2, 0), halves, { particles: 4, iters: 0, onIter: (it, g, f) => first.push(it, g[0]!, f) });
    expect(first).toEqual([0, 2.2, (2.2 - 2) ** 2]);
  });

  it('particle swarm remembers each particle’s best position while the particle moves on (no aliasing of p and x)', () => {
    // Continuing the hand example: at iteration 3 particle 1 overshoots to −1.0369359583 (worse than its best
    // 0.0350051322), so at iteration 4 it is pulled back by p = g = 0.0350051322: v = 0.7298·(−1.0719410905)
    // + 1.49618·(0.0350051322 + 1.0369359583) = 0.8215141… → x = −0.2154217454.
    const xs: number[] = [];
    particleSwarm((x) => {
      xs.push(x[0]!);
      return x[0]! ** 2;
    }, startsAt(1, 3), halves, { particles: 2, iters: 4 });
    expect(xs[7]).toBeCloseTo(-1.0369359583, 9);
    expect(xs[9]).toBeCloseTo(-0.2154217454, 9);
  });

  it('Powell on a concave direction with a large trial step moves exactly 4h (not 4/h)', () => {
    // f = −x² + x from 0 with h = 2: f(2) = −2, f(−2) = −6, curvature < 0, the lower side is −: step −4h = −8.
    const xs: number[] = [];
    powell((x) => -(x[0]! ** 2) + x[0]!, Float64Array.of(0), { iters: 1, step: 2, onIter: (_, x) => xs.push(x[0]!) });
    // then the displacement search from −8 along −1 with h = 8 is concave again: −4·8 = −32 more, at −40
    expect(xs[1]).toBeCloseTo(-40, 10);
  });
  it('Powell’s line search evaluates f once per distinct trial point: 2 per search, plus the parabola vertex only when it is new', () => {
    // From 0 with h = 1, each parabola is exact: the vertex is 0 (x²), h ((x − 1)²) or −h ((x + 1)²), all already
    // evaluated. Calls: 1 at the start + 2 for the sweep + 2 for the search along the displacement (none for x²).
    const calls = (fn: (x: number) => number) => {
      let c = 0;
      powell((x) => (c++, fn(x[0]!)), Float64Array.of(0), { iters: 1, step: 1 });
      return c;
    };
    expect(calls((x) => x * x)).toBe(3);
    expect(calls((x) => (x - 1) ** 2)).toBe(5);
    expect(calls((x) => (x + 1) ** 2)).toBe(5);
  });

  it('Powell on a flat stretch (equal trial values, zero curvature) probes 4h on the minus side and takes a drop there', () => {
    const xs: number[] = [];
    powell((x) => (x[0]! < -3 ? -1 : 0), Float64Array.of(0), { iters: 1, step: 1, onIter: (_, x) => xs.push(x[0]!) });
    expect(xs).toEqual([0, -4]);
  });

  it('Powell never moves on a constant function (a tie is not an improvement)', () => {
    const xs: number[] = [];
    const r = powell(() => 7, Float64Array.of(0.5, -1), { iters: 3, step: 1, onIter: (_, x) => xs.push(...x) });
    expect(xs).toEqual([0.5, -1, 0.5, -1, 0.5, -1, 0.5, -1]);
    expect(r.f).toBe(7);
  });

  it('Powell keeps a trial point ±h when it beats the parabola’s step (non-quadratic f)', () => {
    // f = √|x + 1| from 0, h = 1: f(1) = √2, f(−1) = 0, curvature √2 − 2 < 0 so the parabola step is −4h with
    // f = √3. The best of the four is the trial point −1 (the minimum), where the displacement search stays.
    const xs: number[] = [];
    powell((x) => Math.sqrt(Math.abs(x[0]! + 1)), Float64Array.of(0), { iters: 1, step: 1, onIter: (_, x) => xs.push(x[0]!) });
    expect(xs).toEqual([0, -1]);
  });

  it('Powell halves its trial steps after a sweep without progress, and so finds a narrow well it first stepped over', () => {
    // f = −exp(−((x − 0.3)/0.01)²) from 0, h = 1: every trial value underflows to 0, so sweep 1 does not move; the
    // halved steps then reach the well's flank at 0.5 and 0.25, and the parabola steps home in on 0.3.
    const xs: number[] = [];
    const r = powell((x) => -Math.exp(-(((x[0]! - 0.3) / 0.01) ** 2)), Float64Array.of(0), { iters: 12, step: 1, onIter: (_, x) => xs.push(x[0]!) });
    expect(xs.slice(0, 4)).toEqual([0, 0, 0.5, 0.25]);
    expect(Math.abs(r.x[0]! - 0.3)).toBeLessThan(1e-4);
    expect(r.f).toBeLessThan(-0.9999);
  });

  it('Powell grows its trial step up to 4h per search: (x − 100)² from 0 is solved at iteration 3, not sooner', () => {
    // h: 0.1 → 0.4 (sweep) → 1.6 (displacement) | → 6.4 → 25.6 | the vertex 66 away is inside 4·25.6 at iteration 3.
    const xs: number[] = [];
    powell((x) => (x[0]! - 100) ** 2, Float64Array.of(0), { iters: 4, onIter: (_, x) => xs.push(x[0]!) });
    expect(xs[1]).toBeCloseTo(2, 12);
    expect(xs[2]).toBeCloseTo(34, 11);
    expect(xs[3]).toBeCloseTo(100, 10);
  });

  it('particle swarm: a particle that moves to a worse point keeps its best at the old position (p is not x)', () => {
    // w = 0, c1 = c2 = 1, r = ½ on a table f(1) = 0, f(2) = 5, f(3) = 1. Particle 2 moves 3 → 2 (worse, p stays 3);
    // next v = ½(3 − 2) + ½(1 − 2) = 0, so it stays at 2. Were p aliased to x, it would move to 1.5.
    const table: Record<number, number> = { 1: 0, 2: 5, 3: 1 };
    const moves: number[] = [];
    particleSwarm((x) => (moves.push(x[0]!), table[x[0]!] ?? 10), startsAt(1, 3), halves, { particles: 2, iters: 2, inertia: 0, c1: 1, c2: 1 });
    expect(moves).toEqual([1, 3, 1, 2, 1, 2]);
  });

  it('particle swarm updates a best only on a strict improvement (ties keep the earlier point)', () => {
    // f(1) = f(2) = 0, f(3) = 1: particle 2 improves 3 → 2 but only ties the global best 1, so g stays 1 and particle 1
    // stays put (v = 0). Constant f: nobody's best moves, so particle 2 at 2 is pulled by p = 3 and g = 1 to 2 again.
    const run = (table: Record<number, number>) => {
      const moves: number[] = [];
      particleSwarm((x) => (moves.push(x[0]!), table[x[0]!] ?? 10), startsAt(1, 3), halves, { particles: 2, iters: 2, inertia: 0, c1: 1, c2: 1 });
      return moves;
    };
    expect(run({ 1: 0, 2: 0, 3: 1 })).toEqual([1, 3, 1, 2, 1, 1.5]);
    expect(run({ 1: 0, 2: 0, 3: 0 })).toEqual([1, 3, 1, 2, 1, 2]);
    const first: number[] = [];
    particleSwarm((x) => x[0]! ** 2, startsAt(-2, 2), halves, { particles: 2, iters: 0, onIter: (_, g) => first.push(g[0]!) });
    expect(first).toEqual([-2]);
  });
});
