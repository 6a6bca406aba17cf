// Exact properties of theory/maxmargin.ts: the hard-margin SVM (known solutions, KKT, maximality, brute force,
// invariances, refusal of non-separable data), GD's gradient and descent, the asymptotic offset, angleBetween.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rngFromKey } from '../../core/rng.ts';
import {
  absorbLabels,
  angleBetween,
  IllConditionedError,
  MARGIN_LOSSES,
  asymptoticOffset,
  defaultStepSize,
  dot,
  gaussSolve,
  gradientDescent,
  hardMarginSvm,
  kktHolds,
  kktReport,
  kktViolation,
  KKT_ROUNDING,
  KKT_TOL,
  MIN_RELATIVE_MARGIN,
  svmKktTolerance,
  logSpacedTimes,
  marginLoss,
  marginLossDeriv,
  minNormPoint,
  norm,
  NotSeparableError,
  sigmaMaxSq,
  totalLoss,
  type MarginLoss,
} from '../../theory/maxmargin.ts';
import { matFromRows, matToRows, type Mat } from '../../theory/mlp.ts';
import { randomSeparable } from '../../experiments/maxmargin/data.ts';
import { FC } from '../helpers.ts';

/** BRIEF §5.4: six label-absorbed points z_n = y_n·x_n; ŵ = (10/13)(1, 1), support {0, 1} (as experiments/maxmargin/data.ts). */
const CALIBRATED_Z: Mat = matFromRows([
  [1, 0.3],
  [0.2, 1.1],
  [2, 1.5],
  [1.5, 2.5],
  [3, 0.8],
  [0.9, 2.8],
]);

/** The same set plus (−0.5, −0.5): 0 is then inside the convex hull. */
const NONSEPARABLE_Z: Mat = matFromRows([...matToRows(CALIBRATED_Z), [-0.5, -0.5]]);

const row = (Z: Mat, n: number) => Array.from(Z.data.subarray(n * Z.cols, (n + 1) * Z.cols));

/** Random separable data sets: sizes, dimension, teacher gap and a seed for the points. */
const separable = fc
  .record({ n: fc.integer({ min: 1, max: 14 }), d: fc.integer({ min: 1, max: 5 }), gap: fc.double({ min: 0.02, max: 1, noNaN: true }), seed: fc.integer({ min: 0, max: 1e9 }) })
  .map((p) => ({ ...p, Z: randomSeparable(rngFromKey(`maxmargin-test/${p.seed}`), p.n, p.d, p.gap) }));

/** Brute force for small problems: every support set S of ≤ d points, ŵ_S = Z_Sᵀ(Z_S Z_Sᵀ)⁻¹1; keep the shortest feasible. */
function bruteForceSvm(Z: Mat): number[] {
  const N = Z.rows;
  let best: number[] | null = null;
  const subsets: number[][] = [];
  const rec = (start: number, cur: number[]) => {
    if (cur.length > 0) subsets.push(cur.slice());
    if (cur.length === Z.cols) return;
    for (let i = start; i < N; i++) rec(i + 1, [...cur, i]);
  };
  rec(0, []);
  for (const S of subsets) {
    const m = S.length;
    const G = Array.from({ length: m }, (_, i) => Array.from({ length: m }, (_, j) => dot(row(Z, S[i]!), row(Z, S[j]!))));
    // Solve G α = 1 by Gauss–Jordan (independent of theory/maxmargin.ts's solver).
    const A = G.map((r) => [...r, 1]);
    let ok = true;
    for (let c = 0; c < m && ok; c++) {
      let p = c;
      for (let r = c + 1; r < m; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[p]![c]!)) p = r;
      if (Math.abs(A[p]![c]!) < 1e-12) ok = false;
      else {
        [A[c], A[p]] = [A[p]!, A[c]!];
        for (let r = 0; r < m; r++) {
          if (r === c) continue;
          const f = A[r]![c]! / A[c]![c]!;
          for (let k = c; k <= m; k++) A[r]![k]! -= f * A[c]![k]!;
        }
      }
    }
    if (!ok) continue;
    const alpha = A.map((r, i) => r[m]! / r[i]!);
    const w = new Array<number>(Z.cols).fill(0);
    S.forEach((s, i) => row(Z, s).forEach((v, k) => (w[k]! += alpha[i]! * v)));
    let feasible = true;
    for (let n = 0; n < N; n++) if (dot(row(Z, n), w) < 1 - 1e-9) feasible = false;
    if (feasible && (best === null || norm(w) < norm(best))) best = w;
  }
  return best!;
}

describe('hard-margin SVM (exact, KKT-checked)', () => {
  it('the brief\'s calibrated set: ŵ = (10/13)(1, 1), α = (10/13 − 0.2·α₂, 7/(13·1.04)), σ_max² = 29.894', () => {
    const s = hardMarginSvm(CALIBRATED_Z);
    expect(s.w[0]).toBeCloseTo(10 / 13, 14);
    expect(s.w[1]).toBeCloseTo(10 / 13, 14);
    expect(s.support).toEqual([0, 1]);
    const a2 = 7 / (13 * 1.04);
    expect(s.alpha[1]).toBeCloseTo(a2, 13);
    expect(s.alpha[0]).toBeCloseTo(10 / 13 - 0.2 * a2, 13);
    expect(norm(s.w)).toBeCloseTo(1.08786, 5);
    expect(sigmaMaxSq(CALIBRATED_Z)).toBeCloseTo(29.894, 3);
    // BRIEF §5.4: w̃ = (−2.3730, −2.0589) for the logistic loss with η = 1/σ².
    const wt = asymptoticOffset(CALIBRATED_Z, s, 1 / sigmaMaxSq(CALIBRATED_Z))!;
    expect(wt[0]).toBeCloseTo(-2.373, 3);
    expect(wt[1]).toBeCloseTo(-2.0589, 4);
  });

  it('the four-point fixture of ANCHORS C5 (bias as a third feature): ŵ = (½, ½, 0), margin √2', () => {
    const x = matFromRows([[0.5, 1.5, 1], [1.5, 0.5, 1], [-0.5, -1.5, 1], [-1.5, -0.5, 1]]);
    const s = hardMarginSvm(absorbLabels(x, [1, 1, -1, -1]));
    expect(Array.from(s.w).map((v) => +v.toFixed(12) + 0)).toEqual([0.5, 0.5, 0]);
    expect(s.margin).toBeCloseTo(Math.SQRT2, 12);
  });

  it('KKT holds on every solve (feasibility, α ≥ 0, complementary slackness, stationarity), recomputed here', () => {
    fc.assert(
      fc.property(separable, ({ Z }) => {
        const s = hardMarginSvm(Z);
        const w = Array.from(s.w);
        const scale = Math.max(1, norm(w));
        const resid = w.slice();
        for (let n = 0; n < Z.rows; n++) {
          const m = dot(row(Z, n), w) - 1;
          expect(m).toBeGreaterThanOrEqual(-1e-9);
          expect(s.alpha[n]).toBeGreaterThanOrEqual(0);
          expect(Math.abs(s.alpha[n]! * m)).toBeLessThanOrEqual(1e-9 * scale);
          row(Z, n).forEach((v, k) => (resid[k]! -= s.alpha[n]! * v));
        }
        expect(norm(resid)).toBeLessThanOrEqual(1e-9 * scale);
        expect(kktHolds(s.kkt, s.w)).toBe(true);
        // margin = 1/‖ŵ‖ = min_n z_n·ŵ/‖ŵ‖ (some constraint is active).
        const minDot = Math.min(...Array.from({ length: Z.rows }, (_, n) => dot(row(Z, n), w)));
        expect(minDot).toBeCloseTo(1, 9);
        expect(s.margin).toBeCloseTo(1 / norm(w), 12);
      }),
      { ...FC, numRuns: 30 },
    );
  });

  it('the margin is maximal: no random unit direction separates with a larger margin', () => {
    fc.assert(
      fc.property(separable, fc.integer({ min: 0, max: 1e9 }), ({ Z }, seed) => {
        const s = hardMarginSvm(Z);
        const rng = rngFromKey(`maxmargin-dirs/${seed}`);
        for (let k = 0; k < 100; k++) {
          // Random directions, half of them small perturbations of ŵ (the hard case for a maximality check).
          const u = k % 2 === 0 ? Array.from(rng.normals(Z.cols)) : Array.from(s.w, (v) => v + 1e-3 * rng.normal() * norm(s.w));
          const un = norm(u);
          const m = Math.min(...Array.from({ length: Z.rows }, (_, n) => dot(row(Z, n), u) / un));
          expect(m).toBeLessThanOrEqual(s.margin * (1 + 1e-12));
        }
      }),
      { ...FC, numRuns: 25 },
    );
  });

  it('agrees with a brute-force search over support sets (d ≤ 3)', () => {
    fc.assert(
      fc.property(separable.filter((p) => p.d <= 3 && p.n <= 9), ({ Z }) => {
        const s = hardMarginSvm(Z);
        const b = bruteForceSvm(Z);
        for (let k = 0; k < Z.cols; k++) expect(Math.abs(s.w[k]! - b[k]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, norm(b)));
      }),
      { ...FC, numRuns: 30 },
    );
  });

  it('is invariant to permuting the points and covariant to rescaling them (ŵ(cZ) = ŵ(Z)/c, margin × c)', () => {
    fc.assert(
      fc.property(separable, fc.double({ min: 1e-2, max: 1e2, noNaN: true }), fc.integer({ min: 0, max: 1e9 }), ({ Z }, c, seed) => {
        const s = hardMarginSvm(Z);
        const perm = rngFromKey(`perm/${seed}`).shuffle(Array.from({ length: Z.rows }, (_, i) => i));
        const P = matFromRows(perm.map((i) => row(Z, i)));
        const sp = hardMarginSvm(P);
        const sc = hardMarginSvm({ rows: Z.rows, cols: Z.cols, data: Z.data.map((v) => c * v) });
        const tol = 1e-9 * Math.max(1, norm(s.w));
        for (let k = 0; k < Z.cols; k++) {
          expect(Math.abs(sp.w[k]! - s.w[k]!)).toBeLessThanOrEqual(tol);
          expect(Math.abs(c * sc.w[k]! - s.w[k]!)).toBeLessThanOrEqual(tol);
        }
        perm.forEach((i, j) => expect(Math.abs(sp.alpha[j]! - s.alpha[i]!)).toBeLessThanOrEqual(tol));
        expect(sc.margin / (c * s.margin)).toBeCloseTo(1, 10);
      }),
      { ...FC, numRuns: 30 },
    );
  });

  it('refuses data whose convex hull contains 0 (a point on the wrong side of every hyperplane)', () => {
    fc.assert(
      fc.property(separable.filter((p) => p.n >= 2), fc.integer({ min: 0, max: 1e9 }), ({ Z }, seed) => {
        // Add −(a convex combination of two points): 0 is then on the segment to that combination.
        const rng = rngFromKey(`bad/${seed}`);
        const i = rng.int(Z.rows);
        const j = rng.int(Z.rows);
        const t = rng.uniform();
        const scale = rng.range(0.1, 3);
        const bad = row(Z, i).map((v, k) => -(t * v + (1 - t) * row(Z, j)[k]!) * scale);
        const W = matFromRows([...Array.from({ length: Z.rows }, (_, n) => row(Z, n)), bad]);
        expect(() => hardMarginSvm(W)).toThrow(NotSeparableError);
      }),
      { ...FC, numRuns: 30 },
    );
    expect(() => hardMarginSvm(NONSEPARABLE_Z)).toThrow(/not linearly separable/);
  });
});

describe('gradient descent on separable data', () => {
  it('one step is w − η∇L with ∇L equal to central finite differences of L (logistic, exp, squared)', () => {
    fc.assert(
      fc.property(separable, fc.constantFrom<MarginLoss>('logistic', 'exp', 'squared'), fc.integer({ min: 0, max: 1e9 }), ({ Z }, loss, seed) => {
        const w0 = Array.from(rngFromKey(`w0/${seed}`).normals(Z.cols, 0.5));
        const eta = 0.01;
        const w1 = gradientDescent(Z, { loss, eta, steps: 1, w0 }).w;
        for (let k = 0; k < Z.cols; k++) {
          const h = 1e-6;
          const p = w0.slice();
          const m = w0.slice();
          p[k]! += h;
          m[k]! -= h;
          const fd = (totalLoss(Z, p, loss) - totalLoss(Z, m, loss)) / (2 * h);
          expect(Math.abs((w0[k]! - w1[k]!) / eta - fd)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(fd)));
        }
      }),
      { ...FC, numRuns: 30 },
    );
  });

  it('the step-size rule descends: L(w(t)) never increases (logistic and exp, 300 steps)', () => {
    fc.assert(
      fc.property(separable, fc.constantFrom<MarginLoss>('logistic', 'exp'), ({ Z }, loss) => {
        const record = Array.from({ length: 301 }, (_, i) => i);
        const g = gradientDescent(Z, { loss, eta: defaultStepSize(Z, loss), steps: 300, record });
        for (let i = 1; i < g.snapshots.length; i++) expect(g.snapshots[i]!.loss).toBeLessThanOrEqual(g.snapshots[i - 1]!.loss * (1 + 1e-12));
      }),
      { ...FC, numRuns: 12 },
    );
  });

  it('reproduces the brief\'s calibrated residuals ‖w − ŵ log t − w̃‖ (BRIEF §5.5 P5.1)', () => {
    const svm = hardMarginSvm(CALIBRATED_Z);
    const eta = 1 / sigmaMaxSq(CALIBRATED_Z);
    const g = gradientDescent(CALIBRATED_Z, { loss: 'logistic', eta, steps: 1e5, record: [1e4, 1e5] });
    const wTilde = asymptoticOffset(CALIBRATED_Z, svm, eta)!;
    const at = (t: number) => {
      const w = g.snapshots.find((s) => s.t === t)!.w;
      return Math.hypot(...Array.from(w, (v, k) => v - svm.w[k]! * Math.log(t) - wTilde[k]!));
    };
    expect(at(1e4)).toBeCloseTo(3.06e-2, 3);
    expect(at(1e5)).toBeCloseTo(1.29e-2, 3);
  });

  it('angleBetween is exact for known angles and symmetric', () => {
    expect(angleBetween([1, 0], [0, 2])).toBeCloseTo(Math.PI / 2, 15);
    expect(angleBetween([1, 0], [-3, 0])).toBeCloseTo(Math.PI, 15);
    const e = 1e-9;
    expect(angleBetween([1, 0], [Math.cos(e), Math.sin(e)]) / e).toBeCloseTo(1, 6);
    expect(angleBetween([1, 2, 3], [3, -1, 2])).toBe(angleBetween([3, -1, 2], [1, 2, 3]));
    expect(angleBetween([3, 0], [1, 1])).toBeCloseTo(Math.PI / 4, 15);
    // Away from 0 and π, acos of the cosine is accurate: the two must agree, for vectors of any lengths.
    fc.assert(
      fc.property(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 3, maxLength: 3 }), fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 3, maxLength: 3 }), (a, b) => {
        const c = dot(a, b) / (norm(a) * norm(b));
        fc.pre(norm(a) > 1e-3 && norm(b) > 1e-3 && Math.abs(c) < 0.99);
        expect(Math.abs(angleBetween(a, b) - Math.acos(c))).toBeLessThanOrEqual(1e-12);
      }),
      { ...FC, numRuns: 30 },
    );
  });
});

describe('building blocks: linear solve, nearest point, KKT report', () => {
  it('gaussSolve solves random well-posed systems (A x = b to 1e-10), needs pivoting, and returns null on singular ones', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 1e9 }), (n, seed) => {
        const rng = rngFromKey(`gauss/${seed}`);
        // Diagonally dominant after a random row permutation: solvable, and the pivot order matters.
        const A = rng.normals(n * n);
        for (let i = 0; i < n; i++) A[i * n + i]! += (Math.sign(A[i * n + i]!) || 1) * 2 * n;
        const perm = rng.shuffle(Array.from({ length: n }, (_, i) => i));
        const P = new Float64Array(n * n);
        perm.forEach((pi, i) => P.set(A.subarray(pi * n, (pi + 1) * n), i * n));
        const b = rng.normals(n);
        const Ain = P.slice();
        const bin = b.slice();
        const x = gaussSolve(P, b, n)!;
        for (let i = 0; i < n; i++) {
          let r = -b[i]!;
          for (let k = 0; k < n; k++) r += P[i * n + k]! * x[k]!;
          expect(Math.abs(r)).toBeLessThanOrEqual(1e-10 * (1 + norm(b)));
        }
        // The inputs are not modified.
        expect(Array.from(P)).toEqual(Array.from(Ain));
        expect(Array.from(b)).toEqual(Array.from(bin));
      }),
      { ...FC, numRuns: 30 },
    );
    // A zero leading entry: only row exchanges make elimination possible. x = (3, 2) by hand.
    expect(Array.from(gaussSolve(Float64Array.of(0, 1, 1, 1), Float64Array.of(2, 5), 2)!)).toEqual([3, 2]);
    // Pivoting on the largest entry: [[1e-20, 1], [1, 1]] x = (1, 2) has x ≈ (1, 1); without it x₀ comes out 0.
    const xp = gaussSolve(Float64Array.of(1e-20, 1, 1, 1), Float64Array.of(1, 2), 2)!;
    expect(xp[0]).toBeCloseTo(1, 12);
    expect(xp[1]).toBeCloseTo(1, 12);
    // Rank-deficient: the second row is twice the first (exactly zero pivot), and a pivot at 1e-16 of the scale.
    expect(gaussSolve(Float64Array.of(1, 2, 2, 4), Float64Array.of(1, 2), 2)).toBeNull();
    expect(gaussSolve(Float64Array.of(1, 1, 1, 1 + 1e-16 * 8), Float64Array.of(1, 2), 2)).toBeNull();
    expect(gaussSolve(Float64Array.of(0, 0, 0, 0), Float64Array.of(0, 0), 2)).toBeNull();
    // A small but well-conditioned pivot (1e-13 of the largest entry) is accepted: x = (1, 1e13) by hand.
    const xs = gaussSolve(Float64Array.of(1e-13, 0, 0, 1), Float64Array.of(1e-13, 1e13), 2)!;
    expect(xs[0]).toBeCloseTo(1, 12);
    expect(xs[1]).toBe(1e13);
  });

  it('minNormPoint returns the nearest point of the hull: p = Σλ_s z_s, λ on the simplex, p·z_n ≥ ‖p‖² for all n', () => {
    fc.assert(
      fc.property(separable, ({ Z }) => {
        const { p, S, lambda } = minNormPoint(Z);
        expect(S.length).toBe(lambda.length);
        expect(new Set(S).size).toBe(S.length);
        expect(lambda.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        for (const l of lambda) expect(l).toBeGreaterThan(0);
        const q = new Array<number>(Z.cols).fill(0);
        S.forEach((s, i) => row(Z, s).forEach((v, k) => (q[k]! += lambda[i]! * v)));
        for (let k = 0; k < Z.cols; k++) expect(Math.abs(q[k]! - p[k]!)).toBeLessThanOrEqual(1e-12 * (1 + norm(p)));
        const pp = dot(p, p);
        for (let n = 0; n < Z.rows; n++) expect(dot(p, row(Z, n))).toBeGreaterThanOrEqual(pp * (1 - 1e-9));
      }),
      { ...FC, numRuns: 30 },
    );
    // By hand: the segment from (2, 0) to (0, 2) is nearest to 0 at (1, 1); the shortest point (1, 3)/… is not.
    const { p, S } = minNormPoint(matFromRows([[3, 3], [2, 0], [0, 2]]));
    expect(p[0]).toBeCloseTo(1, 14);
    expect(p[1]).toBeCloseTo(1, 14);
    expect([...S].sort()).toEqual([1, 2]);
    // A single point is its own nearest point; a point already optimal starts and ends the search.
    expect(Array.from(minNormPoint(matFromRows([[0, 2], [1, 5], [-1, 4]])).p)).toEqual([0, 2]);
    // 0 in the hull (two opposite points): the nearest point is 0.
    expect(norm(minNormPoint(matFromRows([[1, 1], [-1, -1]])).p)).toBeLessThanOrEqual(1e-15);
    // The start is the shortest point, even when it is last: a triangle whose nearest point is a vertex.
    expect(Array.from(minNormPoint(matFromRows([[5, 1], [4, -3], [1, 0.5]])).p)).toEqual([1, 0.5]);
  });

  it('kktReport measures each condition by hand, and kktHolds rejects a violation of any one of them', () => {
    // Z = {(1, 0), (0, 2), (2, 2)}; ŵ = (1, ½), α = (1, ¼, 0) (by hand: z₁·ŵ = 1, z₂·ŵ = 1, z₃·ŵ = 3).
    const Z = matFromRows([[1, 0], [0, 2], [2, 2]]);
    const w = Float64Array.of(1, 0.5);
    const alpha = Float64Array.of(1, 0.25, 0);
    expect(kktReport(Z, w, alpha)).toEqual({ feasibility: 0, minAlpha: 0, complementarity: 0, stationarity: 0 });
    expect(kktHolds(kktReport(Z, w, alpha), w)).toBe(true);
    const s = hardMarginSvm(Z);
    expect(Array.from(s.w)).toEqual([1, 0.5]);
    expect(Array.from(s.alpha)).toEqual([1, 0.25, 0]);
    expect(s.support).toEqual([0, 1]);
    // Shrunk ŵ: infeasible by 0.1 (z₁·0.9ŵ − 1), stationarity residual ‖(−0.1, −0.05)‖, complementarity 0.1.
    const k1 = kktReport(Z, Float64Array.of(0.9, 0.45), alpha);
    expect(k1.feasibility).toBeCloseTo(-0.1, 14);
    expect(k1.stationarity).toBeCloseTo(Math.hypot(0.1, 0.05), 14);
    expect(k1.complementarity).toBeCloseTo(0.1, 14);
    expect(k1.minAlpha).toBe(0);
    // α with a negative entry on the inactive point: minAlpha, complementarity |−0.5·2|, stationarity ‖0.5·z₃‖.
    const k2 = kktReport(Z, w, Float64Array.of(1, 0.25, -0.5));
    expect(k2).toEqual({ feasibility: 0, minAlpha: -0.5, complementarity: 1, stationarity: Math.hypot(1, 1) });
    // One violated condition at a time, against the tolerance scaled by ‖w‖ (here ‖w‖² = 1.25).
    const ok = { feasibility: 0, minAlpha: 0, complementarity: 0, stationarity: 0 };
    const tol = 1e-6;
    const n2 = 1.25;
    expect(kktHolds({ ...ok, feasibility: -2 * tol }, w, tol)).toBe(false);
    expect(kktHolds({ ...ok, feasibility: -0.5 * tol }, w, tol)).toBe(true);
    expect(kktHolds({ ...ok, feasibility: -tol }, w, tol)).toBe(true);
    expect(kktHolds({ ...ok, minAlpha: -1.1 * tol * n2 }, w, tol)).toBe(false);
    expect(kktHolds({ ...ok, minAlpha: -0.9 * tol * n2 }, w, tol)).toBe(true);
    expect(kktHolds({ ...ok, complementarity: 1.1 * tol * n2 }, w, tol)).toBe(false);
    expect(kktHolds({ ...ok, complementarity: 0.9 * tol * n2 }, w, tol)).toBe(true);
    expect(kktHolds({ ...ok, stationarity: 1.1 * tol * Math.sqrt(n2) }, w, tol)).toBe(false);
    expect(kktHolds({ ...ok, stationarity: 0.9 * tol * Math.sqrt(n2) }, w, tol)).toBe(true);
    // The default tolerance is 1e-9.
    expect(kktHolds({ ...ok, feasibility: -2e-9 }, w)).toBe(false);
    expect(kktHolds({ ...ok, feasibility: -0.5e-9 }, w)).toBe(true);
  });

  it('refuses an empty data set as not separable', () => {
    expect(() => hardMarginSvm({ rows: 0, cols: 2, data: new Float64Array(0) })).toThrow(NotSeparableError);
    expect(() => hardMarginSvm({ rows: 0, cols: 2, data: new Float64Array(0) })).toThrow(/no points/);
    // Barely separable (margin 1e-2 of the scale; by hand ŵ = (0, 100)) is accepted; the error names the margin otherwise.
    expect(hardMarginSvm(matFromRows([[1, 1e-2], [-1, 1e-2]])).margin).toBeCloseTo(1e-2, 12);
    expect(() => hardMarginSvm(matFromRows([[1, 0], [-1, 0]]))).toThrow(/best margin 0\.00e\+0/);
  });
});

describe('losses, step size and the GD loop', () => {
  it('the losses take their closed-form values and ℓ\' is the derivative of ℓ (central differences)', () => {
    expect(marginLoss('logistic', 0)).toBeCloseTo(Math.LN2, 15);
    expect(marginLoss('logistic', 2)).toBeCloseTo(Math.log(1 + Math.exp(-2)), 15);
    expect(marginLoss('logistic', -2)).toBeCloseTo(Math.log(1 + Math.exp(2)), 14);
    // The stable branch: log(1 + e^800) = 800 + log(1 + e^−800) = 800 (e^800 overflows).
    expect(marginLoss('logistic', -800)).toBe(800);
    expect(marginLoss('logistic', 800)).toBe(0);
    expect(marginLoss('exp', 0.5)).toBeCloseTo(Math.exp(-0.5), 15);
    expect(marginLoss('squared', 3)).toBe(2);
    expect(marginLossDeriv('logistic', 0)).toBe(-0.5);
    expect(marginLossDeriv('exp', 0)).toBe(-1);
    expect(marginLossDeriv('squared', 0)).toBe(-1);
    for (const loss of ['logistic', 'exp', 'squared'] as const) {
      for (const u of [-3, -0.7, 0, 0.4, 2.5]) {
        const h = 1e-6;
        const fd = (marginLoss(loss, u + h) - marginLoss(loss, u - h)) / (2 * h);
        expect(marginLossDeriv(loss, u)).toBeCloseTo(fd, 7);
      }
    }
    // The sum over points: L(w) = Σ ℓ(z_n·w), here z·w = (1, −1, 2).
    const Z = matFromRows([[1, 0], [0, -1], [1, 1]]);
    expect(totalLoss(Z, [1, 1], 'squared')).toBe(0 + 2 + 0.5);
  });

  it('σ_max² equals the largest eigenvalue of ZᵀZ by power iteration, scales as c², and is 0 for Z = 0', () => {
    fc.assert(
      fc.property(separable, fc.double({ min: 1e-3, max: 1e3, noNaN: true }), ({ Z }, c) => {
        // Power iteration on ZᵀZ (an independent algorithm); 300 iterations from a fixed generic start.
        let v = Array.from({ length: Z.cols }, (_, k) => 1 + 0.1 * k);
        let lam = 0;
        for (let it = 0; it < 300; it++) {
          const Zv = Array.from({ length: Z.rows }, (_, n) => dot(row(Z, n), v));
          const u = new Array<number>(Z.cols).fill(0);
          Zv.forEach((a, n) => row(Z, n).forEach((x, k) => (u[k]! += a * x)));
          lam = norm(u) / norm(v);
          v = u.map((x) => x / norm(u));
        }
        const s2 = sigmaMaxSq(Z);
        expect(Math.abs(s2 - lam)).toBeLessThanOrEqual(1e-6 * s2);
        const sc = sigmaMaxSq({ ...Z, data: Z.data.map((x) => c * x) });
        expect(sc / (c * c * s2)).toBeCloseTo(1, 10);
      }),
      { ...FC, numRuns: 15 },
    );
    expect(sigmaMaxSq({ rows: 2, cols: 2, data: new Float64Array(4) })).toBe(0);
    // diag(3, −4): σ_max² = 16 whatever the sign; a subnormal companion entry does not disturb it.
    expect(sigmaMaxSq(matFromRows([[3, 0], [0, -4]]))).toBeCloseTo(16, 12);
    expect(sigmaMaxSq(matFromRows([[-4, 5e-324], [0, 3]]))).toBeCloseTo(16, 12);
    // Tiny data: Z = 1e-160·[[1, 1]] has σ² = 2e-320 (subnormal), so the scaling by max|z| must be undone.
    expect(sigmaMaxSq(matFromRows([[1e-150, 1e-150]])) / 2e-300).toBeCloseTo(1, 10);
  });

  it('the step-size rule: η = 1/σ² (logistic, squared) and 1/(Nσ²) (exp)', () => {
    const s2 = sigmaMaxSq(CALIBRATED_Z);
    expect(defaultStepSize(CALIBRATED_Z, 'logistic')).toBe(1 / s2);
    expect(defaultStepSize(CALIBRATED_Z, 'squared')).toBe(1 / s2);
    expect(defaultStepSize(CALIBRATED_Z, 'exp')).toBe(1 / (6 * s2));
  });

  it('GD records w and L only at the requested (integer) times in [0, T], once each and in order; starts at w0 (default 0)', () => {
    const Z = CALIBRATED_Z;
    const eta = 0.01;
    const g = gradientDescent(Z, { loss: 'exp', eta, steps: 5, record: [5, 2, -1, 2, 0, 9, 3.5] });
    expect(g.snapshots.map((s) => s.t)).toEqual([0, 2, 5]);
    expect(g.steps).toBe(5);
    expect(g.divergedAt).toBeNull();
    expect(Array.from(g.snapshots[0]!.w)).toEqual([0, 0]);
    expect(g.snapshots[0]!.loss).toBe(6);
    // A non-integer time is never reached and must not block the later ones.
    expect(gradientDescent(Z, { loss: 'exp', eta, steps: 5, record: [3.5, 4] }).snapshots.map((s) => s.t)).toEqual([4]);
    // Each snapshot is a copy: L at the snapshot is L(w_t), and the last snapshot equals the returned w.
    for (const s of g.snapshots) expect(s.loss).toBe(totalLoss(Z, s.w, 'exp'));
    expect(Array.from(g.snapshots[2]!.w)).toEqual(Array.from(g.w));
    expect(Array.from(g.snapshots[1]!.w)).not.toEqual(Array.from(g.w));
    // The same run in steps: 2 steps, then 3 from there, gives the same w (the loop is plain w ← w − η∇L).
    const a = gradientDescent(Z, { loss: 'exp', eta, steps: 2 });
    expect(a.snapshots).toEqual([]);
    const b = gradientDescent(Z, { loss: 'exp', eta, steps: 3, w0: a.w });
    expect(Array.from(b.w)).toEqual(Array.from(g.w));
    expect(Array.from(a.w)).toEqual(Array.from(g.snapshots[1]!.w));
    // w0 is copied, not modified.
    const w0 = Float64Array.of(0.1, 0.2);
    gradientDescent(Z, { loss: 'logistic', eta, steps: 3, w0 });
    expect(Array.from(w0)).toEqual([0.1, 0.2]);
    // By hand, one logistic step from 0: ∇L(0) = −½ Σ z_n = −½ (8.6, 9), so w(1) = η (4.3, 4.5).
    const one = gradientDescent(Z, { loss: 'logistic', eta: 0.1, steps: 1 });
    expect(one.w[0]).toBeCloseTo(0.43, 14);
    expect(one.w[1]).toBeCloseTo(0.45, 14);
  });

  it('GD reports the first step at which w becomes non-finite (squared loss, step far above 2/σ²)', () => {
    const Z = CALIBRATED_Z;
    const eta = 1e3 / sigmaMaxSq(Z);
    const g = gradientDescent(Z, { loss: 'squared', eta, steps: 500, record: [0, 1, 499, 500] });
    expect(g.divergedAt).not.toBeNull();
    // |w| grows by about ηλ ≈ 10³ a step from ~1: overflow (1.8e308) after roughly 100 steps.
    expect(g.divergedAt!).toBeGreaterThan(50);
    expect(g.divergedAt!).toBeLessThan(200);
    expect(g.snapshots.map((s) => s.t)).toEqual([0, 1]);
    const short = gradientDescent(Z, { loss: 'squared', eta, steps: g.divergedAt! - 1 });
    expect(short.divergedAt).toBeNull();
    expect(Array.from(short.w).every(Number.isFinite)).toBe(true);
  });

  it('logSpacedTimes: integers from `from` to `to`, evenly spaced in log t, sorted and without repeats', () => {
    expect(logSpacedTimes(10, 1e5, 5)).toEqual([10, 100, 1000, 1e4, 1e5]);
    expect(logSpacedTimes(1, 8, 4)).toEqual([1, 2, 4, 8]);
    // Rounding merges the first times: 1, 1.4, 2, 2.8, 4 → 1, 2 (twice → once), 3, 4; √2 rounds to 1 (merged).
    expect(logSpacedTimes(1, 4, 5)).toEqual([1, 2, 3, 4]);
    const t = logSpacedTimes(10, 1e6, 30);
    expect(t[0]).toBe(10);
    expect(t.at(-1)).toBe(1e6);
    expect(t).toHaveLength(30);
    // Each is the rounding of 10·10^(5i/29).
    t.forEach((ti, i) => expect(Math.abs(ti - 10 * 10 ** ((5 * i) / 29))).toBeLessThanOrEqual(0.5));
  });

  it('the asymptotic offset solves η·exp(−z_s·w̃) = α_s on the support vectors and lies in their span', () => {
    fc.assert(
      fc.property(separable, fc.double({ min: 1e-3, max: 1, noNaN: true }), ({ Z }, eta) => {
        const s = hardMarginSvm(Z);
        const wt = asymptoticOffset(Z, s, eta);
        fc.pre(wt !== null);
        for (const i of s.support) expect(eta * Math.exp(-dot(row(Z, i), wt!))).toBeCloseTo(s.alpha[i]!, 8);
        // In span{z_s}: orthogonal to every direction orthogonal to the support vectors (Gram–Schmidt complement).
        const basis: number[][] = [];
        for (const i of s.support) {
          const v = row(Z, i);
          for (const b of basis) {
            const c = dot(v, b);
            v.forEach((_, k) => (v[k]! -= c * b[k]!));
          }
          if (norm(v) > 1e-9) basis.push(v.map((x) => x / norm(v)));
        }
        const proj = new Array<number>(Z.cols).fill(0);
        for (const b of basis) b.forEach((x, k) => (proj[k]! += dot(wt!, b) * x));
        for (let k = 0; k < Z.cols; k++) expect(Math.abs(proj[k]! - wt![k]!)).toBeLessThanOrEqual(1e-8 * (1 + norm(wt!)));
      }),
      { ...FC, numRuns: 30 },
    );
    // Rank-deficient support (two parallel support vectors) has no unique w̃: null.
    const Z = matFromRows([[1, 0], [2, 0], [1, 0]]);
    const fake = { ...hardMarginSvm(matFromRows([[1, 0], [2, 0]])), support: [0, 2], alpha: Float64Array.of(0.5, 0, 0.5) };
    expect(asymptoticOffset(Z, fake, 0.1)).toBeNull();
  });
});

describe('exported constants and boundaries', () => {
  it('names the three losses and the two errors', () => {
    expect(MARGIN_LOSSES).toEqual(['logistic', 'exp', 'squared']);
    expect(new NotSeparableError('x').name).toBe('NotSeparableError');
    expect(new IllConditionedError('x').name).toBe('IllConditionedError');
  });

  it('kktHolds accepts each condition exactly at its tolerance (‖w‖ = 1, so every bound is tol itself)', () => {
    const w = [1, 0];
    const tol = 1e-6;
    const ok = { feasibility: 0, minAlpha: 0, complementarity: 0, stationarity: 0 };
    expect(kktHolds({ ...ok, minAlpha: -tol }, w, tol)).toBe(true);
    expect(kktHolds({ ...ok, complementarity: tol }, w, tol)).toBe(true);
    expect(kktHolds({ ...ok, stationarity: tol }, w, tol)).toBe(true);
  });

  it('gaussSolve rejects a pivot below 1e-14 of the largest entry, at any scale', () => {
    expect(gaussSolve(Float64Array.of(0), Float64Array.of(1), 1)).toBeNull();
    // [[100, 100], [100, 100 + 1e-13]]: the second pivot is ≈ 1e-13 < 1e-14·100 = 1e-12 (by hand).
    expect(gaussSolve(Float64Array.of(100, 100, 100, 100 + 1e-13), Float64Array.of(1, 2), 2)).toBeNull();
  });
});

describe('scale invariance, the separability threshold and the solver\'s rare branches', () => {
  it('hardMarginSvm is covariant to rescaling over 20 orders of magnitude (cZ → ŵ/c), and refuses non-separable data at every scale', () => {
    // Every tolerance of the solver is relative to the data's scale, so c = 10^k changes nothing but the units.
    // (Regression: with a border of 1s in Wolfe's bordered system, the brief's set ×10⁴ was refused as ill-conditioned.)
    const scaled = (Z: Mat, c: number): Mat => ({ rows: Z.rows, cols: Z.cols, data: Z.data.map((v) => c * v) });
    for (const c of [1e-10, 1e-8, 1e-4, 1e4, 1e8, 1e10]) {
      const s = hardMarginSvm(scaled(CALIBRATED_Z, c));
      expect(c * s.w[0]!).toBeCloseTo(10 / 13, 12);
      expect(c * s.w[1]!).toBeCloseTo(10 / 13, 12);
      expect(s.support).toEqual([0, 1]);
      expect(s.margin / c).toBeCloseTo(Math.SQRT2 * 13 / 20, 12);
      expect(() => hardMarginSvm(scaled(NONSEPARABLE_Z, c))).toThrow(NotSeparableError);
    }
    fc.assert(
      fc.property(separable, fc.integer({ min: -10, max: 10 }), ({ Z }, k) => {
        const c = 10 ** k;
        const s = hardMarginSvm(Z);
        const sc = hardMarginSvm(scaled(Z, c));
        const tol = 1e-9 * norm(s.w);
        for (let i = 0; i < Z.cols; i++) expect(Math.abs(c * sc.w[i]! - s.w[i]!)).toBeLessThanOrEqual(tol);
        expect(sc.margin / (c * s.margin)).toBeCloseTo(1, 9);
        expect(sc.support).toEqual(s.support);
      }),
      { ...FC, numRuns: 30 },
    );
  });

  it('larger problems (40 points, d = 6..10, where Wolfe drops several points in one minor cycle): KKT and the nearest-point conditions hold', () => {
    for (let i = 0; i < 24; i++) {
      const Z = randomSeparable(rngFromKey(`maxmargin-large/${i}`), 40, 6 + (i % 5), 0.05);
      const { p, S, lambda } = minNormPoint(Z);
      expect(lambda.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      for (const l of lambda) expect(l).toBeGreaterThan(0);
      const pp = dot(p, p);
      for (let n = 0; n < Z.rows; n++) expect(dot(p, row(Z, n))).toBeGreaterThanOrEqual(pp * (1 - 1e-9));
      const q = new Array<number>(Z.cols).fill(0);
      S.forEach((s, j) => row(Z, s).forEach((v, k) => (q[k]! += lambda[j]! * v)));
      for (let k = 0; k < Z.cols; k++) expect(Math.abs(q[k]! - p[k]!)).toBeLessThanOrEqual(1e-12 * (1 + norm(p)));
      // The SVM from it: ŵ = p/‖p‖², recomputed KKT.
      const s = hardMarginSvm(Z);
      const w = Array.from(s.w);
      const resid = w.slice();
      for (let n = 0; n < Z.rows; n++) {
        const m = dot(row(Z, n), w) - 1;
        expect(m).toBeGreaterThanOrEqual(-1e-9);
        expect(s.alpha[n]).toBeGreaterThanOrEqual(0);
        expect(Math.abs(s.alpha[n]! * m)).toBeLessThanOrEqual(1e-9 * pp ** -1);
        row(Z, n).forEach((v, k) => (resid[k]! -= s.alpha[n]! * v));
      }
      expect(norm(resid)).toBeLessThanOrEqual(1e-9 * norm(w));
      for (let k = 0; k < Z.cols; k++) expect(Math.abs(s.w[k]! - p[k]! / pp)).toBeLessThanOrEqual(1e-9 * norm(w));
    }
  });

  it('support lists the indices with α_n > 0 in increasing order, whatever order Wolfe found them in', () => {
    // z = (0,0,3), (0,2,0), (1,0,0): all three active, ŵ = (1, ½, ⅓), α = (1/9, 1/4, 1), margin 6/7 (by hand).
    // Wolfe starts at the shortest point, index 2, so its corral is not in index order.
    const Z = matFromRows([[0, 0, 3], [0, 2, 0], [1, 0, 0]]);
    const s = hardMarginSvm(Z);
    expect(s.support).toEqual([0, 1, 2]);
    [1, 1 / 2, 1 / 3].forEach((v, k) => expect(s.w[k]).toBeCloseTo(v, 15));
    [1 / 9, 1 / 4, 1].forEach((v, k) => expect(s.alpha[k]).toBeCloseTo(v, 15));
    expect(s.margin).toBeCloseTo(6 / 7, 15);
    // z = (0, 2), (1, 0): ŵ = (1, ½), α = (¼, 1); the start is index 1.
    const t = hardMarginSvm(matFromRows([[0, 2], [1, 0]]));
    expect(t.support).toEqual([0, 1]);
    expect(Array.from(t.alpha).map((a) => +a.toFixed(14))).toEqual([0.25, 1]);
  });

  it('thin margins: solved exactly when the answer is representable, refused as not separable only at relative margin ≤ 1e-11', () => {
    // z = (g, ±1), g = 3e-8: ŵ = (1/g, 0), α = (1/(2g²), 1/(2g²)), margin g (by hand).
    const g = 3e-8;
    const s = hardMarginSvm(matFromRows([[g, 1], [g, -1]]));
    expect(s.w[0]! * g).toBeCloseTo(1, 12);
    expect(Math.abs(s.w[1]!)).toBeLessThanOrEqual(1e-9 * s.w[0]!);
    for (const a of s.alpha) expect(a * 2 * g * g).toBeCloseTo(1, 12);
    expect(s.support).toEqual([0, 1]);
    expect(s.margin / g).toBeCloseTo(1, 12);
    // Four points on the line x = h = 2e-10: the nearest point of the hull is (h, 0) = 0.8·z₂ + 0.2·z₃ (by hand), so
    // ŵ = (1/h, 0) and every point is on the margin. Relative margin h/1.2 = 1.7e-10 > 1e-11: solved, not refused.
    const h = 2e-10;
    const line = matFromRows([[h, 0.6], [h, -0.35], [h, 0.3], [h, -1.2]]);
    const mp = minNormPoint(line);
    expect(mp.p[0]! / h).toBeCloseTo(1, 12);
    expect(Math.abs(mp.p[1]!)).toBeLessThanOrEqual(1e-15);
    expect(mp.S.map((i, j) => [i, +mp.lambda[j]!.toFixed(12)]).sort((a, b) => a[0]! - b[0]!)).toEqual([[2, 0.8], [3, 0.2]]);
    const sl = hardMarginSvm(line);
    expect(sl.w[0]! * h).toBeCloseTo(1, 12);
    expect(sl.margin / h).toBeCloseTo(1, 12);
    // The same line at h = 1e-12 (relative margin 8.3e-13 ≤ 1e-11): refused as not separable, naming both margins.
    const flat = matFromRows([[1e-12, 0.6], [1e-12, -0.35], [1e-12, 0.3], [1e-12, -1.2]]);
    expect(() => hardMarginSvm(flat)).toThrow(NotSeparableError);
    expect(() => hardMarginSvm(flat)).toThrow(/best margin 1\.00e-12, relative margin 8\.33e-13 ≤ 1e-11/);
    // z = (ε, 1), (3ε, −2), ε = 1e-8: margin 5ε/3 (nearest point of the segment, by hand), relative 8.33e-9: solved,
    // and both points on the margin to the tolerance that relative margin allows.
    const e = 1e-8;
    const Z = matFromRows([[e, 1], [3 * e, -2]]);
    const r = hardMarginSvm(Z);
    const kappa = Math.hypot(3 * e, 2) / ((5 * e) / 3);
    for (let n = 0; n < 2; n++) expect(Math.abs(dot(row(Z, n), Array.from(r.w)) - 1)).toBeLessThanOrEqual(svmKktTolerance(kappa));
    expect(r.margin / ((5 * e) / 3)).toBeCloseTo(1, 6);
  });

  it('the reliability issue: (±1, ε) is solved exactly at ε = 1e-4 … 1e-10 (ŵ = (0, 1/ε)) and refused as not separable at 1e-12', () => {
    for (const eps of [1e-4, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10]) {
      for (const Z of [matFromRows([[1, eps], [-1, eps]]), matFromRows([[1, eps], [-0.5, eps], [0.7, 3 * eps]])]) {
        const s = hardMarginSvm(Z);
        expect(Math.abs(s.w[0]!) * eps).toBeLessThanOrEqual(1e-15 / eps); // ŵ₁ = 0 up to u·κ²·‖ŵ‖ (its own rounding)
        expect(s.w[1]! * eps).toBeCloseTo(1, 12);
        expect(s.margin / eps).toBeCloseTo(1, 12);
        expect(s.support).toEqual([0, 1]);
      }
    }
    expect(() => hardMarginSvm(matFromRows([[1, 1e-12], [-1, 1e-12]]))).toThrow(NotSeparableError);
  });

  it('the tolerance is scale-free: max(1e-9, 1e-13·κ) with κ = max‖z‖/γ; the separability floor is a relative margin of 1e-11', () => {
    expect(KKT_TOL).toBe(1e-9);
    expect(KKT_ROUNDING).toBe(1e-13);
    expect(MIN_RELATIVE_MARGIN).toBe(1e-11);
    expect(svmKktTolerance(1)).toBe(1e-9);
    expect(svmKktTolerance(1e4)).toBe(1e-9); // the floor up to κ = 1e4
    expect(svmKktTolerance(1e6)).toBeCloseTo(1e-7, 20);
    expect(svmKktTolerance(1e11)).toBeCloseTo(1e-2, 15); // at the separability floor: 1e-2
    // kktViolation: the largest condition in the scale-free terms of kktHolds (‖w‖ = 2: α/4, stationarity/2).
    const w = [2, 0];
    const ok = { feasibility: 0, minAlpha: 0, complementarity: 0, stationarity: 0 };
    expect(kktViolation(ok, w)).toBe(0);
    expect(kktViolation({ ...ok, feasibility: -3e-3 }, w)).toBe(3e-3);
    expect(kktViolation({ ...ok, feasibility: 5 }, w)).toBe(0);
    expect(kktViolation({ ...ok, minAlpha: -4e-3 }, w)).toBe(1e-3);
    expect(kktViolation({ ...ok, complementarity: 8e-3 }, w)).toBe(2e-3);
    expect(kktViolation({ ...ok, stationarity: 6e-3 }, w)).toBe(3e-3);
    for (const tol of [1e-9, 1e-4]) {
      for (const k of [{ ...ok, feasibility: -tol }, { ...ok, minAlpha: -4 * tol }, { ...ok, complementarity: 4 * tol }, { ...ok, stationarity: 2 * tol }]) {
        expect(kktHolds(k, w, tol)).toBe(kktViolation(k, w) <= tol);
      }
    }
  });

  it('thin random sets (relative margin 1e-1 … 1e-6, squashed along ŵ) are certified with KKT violations ≤ 1e-15·κ, recomputed by hand', () => {
    // The oracle: KKT is sufficient for the convex QP, and the test recomputes every condition from the returned
    // (ŵ, α) without the library's kktReport. Measured worst violation/κ on 400 such sets: 1.8e-16.
    fc.assert(
      fc.property(separable, fc.integer({ min: 1, max: 6 }), fc.integer({ min: -8, max: 8 }), ({ Z }, k, c10) => {
        fc.pre(Z.rows >= 2);
        const u = hardMarginSvm(Z).w;
        const un = norm(u);
        const eps = 10 ** -k; // shrinks every point's component along ŵ (and so the margin) by ε
        const T: Mat = { rows: Z.rows, cols: Z.cols, data: Z.data.map((v) => v * 10 ** c10) };
        for (let n = 0; n < T.rows; n++) {
          const z = T.data.subarray(n * T.cols, (n + 1) * T.cols);
          const c = dot(z, u) / un;
          for (let i = 0; i < T.cols; i++) z[i]! -= (1 - eps) * (c * u[i]!) / un;
        }
        const s = hardMarginSvm(T);
        const w = Array.from(s.w);
        const wn = norm(w);
        let maxNorm = 0;
        let viol = 0;
        const resid = w.slice();
        for (let n = 0; n < T.rows; n++) {
          const z = row(T, n);
          maxNorm = Math.max(maxNorm, norm(z));
          const m = dot(z, w) - 1;
          viol = Math.max(viol, -m, -s.alpha[n]! / wn ** 2, Math.abs(s.alpha[n]! * m) / wn ** 2);
          z.forEach((v, i) => (resid[i]! -= s.alpha[n]! * v));
        }
        viol = Math.max(viol, norm(resid) / wn);
        const kappa = maxNorm * wn;
        expect(viol).toBeLessThanOrEqual(1e-15 * kappa);
      }),
      { ...FC, numRuns: 60 },
    );
  });

  it('below relative margin 1e-6 the answer is never silently wrong: certified to svmKktTolerance(κ), or IllConditionedError', () => {
    fc.assert(
      fc.property(separable, fc.integer({ min: 7, max: 10 }), ({ Z }, k) => {
        fc.pre(Z.rows >= 2);
        const u = hardMarginSvm(Z).w;
        const un = norm(u);
        const T: Mat = { rows: Z.rows, cols: Z.cols, data: Z.data.slice() };
        for (let n = 0; n < T.rows; n++) {
          const z = T.data.subarray(n * T.cols, (n + 1) * T.cols);
          const c = dot(z, u) / un;
          for (let i = 0; i < T.cols; i++) z[i]! -= (1 - 10 ** -k) * (c * u[i]!) / un;
        }
        try {
          const s = hardMarginSvm(T);
          let maxNorm = 0;
          for (let n = 0; n < T.rows; n++) maxNorm = Math.max(maxNorm, norm(row(T, n)));
          const w = Array.from(s.w);
          for (let n = 0; n < T.rows; n++) expect(dot(row(T, n), w) - 1).toBeGreaterThanOrEqual(-svmKktTolerance(maxNorm * norm(w)));
        } catch (e) {
          expect(e).toBeInstanceOf(IllConditionedError);
        }
      }),
      { ...FC, numRuns: 40 },
    );
  });

  it('logSpacedTimes is sorted increasing even when `from` > `to`', () => {
    expect(logSpacedTimes(1000, 10, 3)).toEqual([10, 100, 1000]);
    expect(logSpacedTimes(1e4, 1, 9)).toEqual(logSpacedTimes(1, 1e4, 9));
  });
});

describe('gradientDescent against its oracle', () => {
  it('equals a plain row-by-row loop bit for bit (logistic, exp; squared where d ≥ 2N), and to round-off in the squared loss Gram form', () => {
    // The oracle: the previous implementation's loop (per point: margin, ℓ'(u), then its share of the gradient).
    const byRows = (Z: { rows: number; cols: number; data: Float64Array }, loss: MarginLoss, eta: number, steps: number) => {
      const w = new Float64Array(Z.cols);
      for (let t = 0; t < steps; t++) {
        const g = new Float64Array(Z.cols);
        for (let n = 0; n < Z.rows; n++) {
          let u = 0;
          for (let k = 0; k < Z.cols; k++) u += Z.data[n * Z.cols + k]! * w[k]!;
          const c = loss === 'logistic' ? -1 / (1 + Math.exp(u)) : loss === 'exp' ? -Math.exp(-u) : u - 1;
          for (let k = 0; k < Z.cols; k++) g[k]! += c * Z.data[n * Z.cols + k]!;
        }
        for (let k = 0; k < Z.cols; k++) w[k]! -= eta * g[k]!;
      }
      return w;
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 1, max: 11 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom<MarginLoss>('logistic', 'exp', 'squared'),
        fc.integer({ min: 1, max: 30 }),
        (seed, N, d, loss, steps) => {
          const rng = rngFromKey(`maxmargin-rows/${seed}`);
          const Z = { rows: N, cols: d, data: rng.normals(N * d) };
          const eta = 0.1 / (N * d);
          const fast = Array.from(gradientDescent(Z, { loss, eta, steps }).w);
          const rows = Array.from(byRows(Z, loss, eta, steps));
          if (loss !== 'squared' || d >= 2 * N) expect(fast).toEqual(rows);
          else {
            // The Gram form A·w − c of the same gradient: each step rounds differently, by a few ulps of the sums.
            const scale = Math.max(...rows.map(Math.abs), 1e-300);
            for (let k = 0; k < d; k++) expect(Math.abs(fast[k]! - rows[k]!)).toBeLessThanOrEqual(1e-12 * scale);
          }
        },
      ),
      FC,
    );
  });
});
