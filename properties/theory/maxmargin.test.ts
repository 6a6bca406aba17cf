// Exact properties of theory/maxmargin.ts: the hard-margin SVM (known solutions, KKT, maximality, brute force,
// invariances, refusal of non-separable data), GD's gradient and descent, the asymptotic offset, angleBetween.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rngFromKey, type Rng } from '../../core/rng.ts';
import {
  absorbLabels,
  angleBetween,
  asymptoticOffset,
  defaultStepSize,
  dot,
  gradientDescent,
  hardMarginSvm,
  kktHolds,
  norm,
  NotSeparableError,
  sigmaMaxSq,
  totalLoss,
  type MarginLoss,
} from '../../theory/maxmargin.ts';
import { matFromRows, matToRows, type Mat } from '../../theory/mlp.ts';
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

/** Random separable set (teacher u, points with |u·x| ≥ gap), label-absorbed; a test generator, kept local. */
function randomSeparable(rng: Rng, n: number, d: number, gap: number): Mat {
  const u = rng.normals(d);
  const un = Math.hypot(...u);
  for (let k = 0; k < d; k++) u[k]! /= un;
  const z = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (;;) {
      const x = rng.normals(d);
      let m = 0;
      for (let k = 0; k < d; k++) m += u[k]! * x[k]!;
      if (Math.abs(m) < gap) continue;
      const y = m > 0 ? 1 : -1;
      for (let k = 0; k < d; k++) z[i * d + k] = y * x[k]!;
      break;
    }
  }
  return { rows: n, cols: d, data: z };
}
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
      FC,
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
      { ...FC, numRuns: 40 },
    );
  });

  it('agrees with a brute-force search over support sets (d ≤ 3)', () => {
    fc.assert(
      fc.property(separable.filter((p) => p.d <= 3 && p.n <= 9), ({ Z }) => {
        const s = hardMarginSvm(Z);
        const b = bruteForceSvm(Z);
        for (let k = 0; k < Z.cols; k++) expect(Math.abs(s.w[k]! - b[k]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, norm(b)));
      }),
      FC,
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
      FC,
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
      FC,
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
      FC,
    );
  });

  it('the step-size rule descends: L(w(t)) never increases (logistic and exp, 300 steps)', () => {
    fc.assert(
      fc.property(separable, fc.constantFrom<MarginLoss>('logistic', 'exp'), ({ Z }, loss) => {
        const record = Array.from({ length: 301 }, (_, i) => i);
        const g = gradientDescent(Z, { loss, eta: defaultStepSize(Z, loss), steps: 300, record });
        for (let i = 1; i < g.snapshots.length; i++) expect(g.snapshots[i]!.loss).toBeLessThanOrEqual(g.snapshots[i - 1]!.loss * (1 + 1e-12));
      }),
      { ...FC, numRuns: 20 },
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
      FC,
    );
  });
});
