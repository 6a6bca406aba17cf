// Implicit bias / max margin: the exact SVM (KKT, maximality, invariances, brute force), GD's gradient and
// descent, the `maxmargin` tool contract, the judges on synthetic trajectories, and the claims' verdicts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../core/formats.ts';
import { rngFromKey } from '../core/rng.ts';
import { maxmarginTool } from '../cli/tools/maxmargin.ts';
import { claims } from '../experiments/maxmargin/index.ts';
import { CALIBRATED_Z, NONSEPARABLE_Z, randomSeparable } from '../experiments/maxmargin/data.ts';
import { judgeDirection, type DirectionMeasurements } from '../experiments/maxmargin/direction.ts';
import { judgeHomogeneous, type HomogeneousMeasurements } from '../experiments/maxmargin/homogeneous-net.ts';
import { judgeLogRate, runLogRate, type LogRateMeasurements } from '../experiments/maxmargin/log-rate.ts';
import { forwardOne, initTwoLayer, margins, trainTwoLayer } from '../theory/homogeneous.ts';
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
} from '../theory/maxmargin.ts';
import { matFromRows, type Mat } from '../theory/mlp.ts';
import { expectVerdicts, FC } from './helpers.ts';

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
        for (let k = 0; k < 200; k++) {
          // Random directions, half of them small perturbations of ŵ (the hard case for a maximality check).
          const u = k % 2 === 0 ? Array.from(rng.normals(Z.cols)) : Array.from(s.w, (v) => v + 1e-3 * rng.normal() * norm(s.w));
          const un = norm(u);
          const m = Math.min(...Array.from({ length: Z.rows }, (_, n) => dot(row(Z, n), u) / un));
          expect(m).toBeLessThanOrEqual(s.margin * (1 + 1e-12));
        }
      }),
      FC,
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
      { ...FC, numRuns: 40 },
    );
  });

  it('reproduces the brief\'s calibrated residuals ‖w − ŵ log t − w̃‖ (BRIEF §5.5 P5.1)', () => {
    const m = runLogRate({ replicates: 1, data: 'calibrated', runs: [{ loss: 'logistic', etaTimesSigmaSq: 1 }], steps: 1e5, points: 5 });
    const r = m.runs[0]!;
    const at = (t: number) => {
      const w = r.w[r.times.indexOf(t)]!;
      return Math.hypot(...w.map((v, k) => v - m.svm!.w[k]! * Math.log(t) - r.wTilde![k]!));
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

describe('bias-free two-layer ReLU network (Lyu & Li)', () => {
  it('is 2-homogeneous: f(x; cθ) = c² f(x; θ)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.double({ min: 0.1, max: 10, noNaN: true }), (seed, c) => {
        const rng = rngFromKey(`hom/${seed}`);
        const net = initTwoLayer(7, 3, 1, rng);
        const x = Array.from(rng.normals(3));
        const scaled = { ...net, W: net.W.map((v) => c * v), a: net.a.map((v) => c * v) };
        expect(forwardOne(scaled, x)).toBeCloseTo(c * c * forwardOne(net, x), 9);
      }),
      FC,
    );
  });

  it('one GD step follows the finite-difference gradient of Σ log(1 + e^(−y f))', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), (seed) => {
        const rng = rngFromKey(`homgrad/${seed}`);
        const X = { rows: 5, cols: 3, data: rng.normals(15) };
        const y = [1, -1, 1, 1, -1];
        const net = initTwoLayer(4, 3, 1, rng);
        const L = (W: Float64Array, a: Float64Array) => Array.from(margins({ ...net, W, a }, X, y)).reduce((s, q) => s + Math.log1p(Math.exp(-q)), 0);
        const before = { W: net.W.slice(), a: net.a.slice() };
        const eta = 1e-3;
        trainTwoLayer(net, X, y, { loss: 'logistic', eta, steps: 1, record: [] });
        const h = 1e-6;
        for (let i = 0; i < before.a.length; i++) {
          const p = before.a.slice();
          const m = before.a.slice();
          p[i]! += h;
          m[i]! -= h;
          const fd = (L(before.W, p) - L(before.W, m)) / (2 * h);
          expect((before.a[i]! - net.a[i]!) / eta).toBeCloseTo(fd, 4);
        }
        for (let i = 0; i < before.W.length; i++) {
          const p = before.W.slice();
          const m = before.W.slice();
          p[i]! += h;
          m[i]! -= h;
          const fd = (L(p, before.a) - L(m, before.a)) / (2 * h);
          // A ReLU kink inside the difference interval is possible but has probability ~0 at these sizes.
          expect((before.W[i]! - net.W[i]!) / eta).toBeCloseTo(fd, 4);
        }
      }),
      { ...FC, numRuns: 50 },
    );
  });
});

describe('maxmargin tool (DESIGN.md contract)', () => {
  const data = { x: [[1, 0.3], [0.2, 1.1], [-2, -1.5], [1.5, 2.5], [3, 0.8], [0.9, 2.8]], y: [1, 1, -1, 1, 1, 1] };

  it('returns the margin-one SVM, its geometric margin, and GD w(T) with its angle to ŵ', () => {
    const out = maxmarginTool(data, { steps: 1000 });
    expect(Object.keys(out).sort()).toEqual(['gd', 'svm']);
    expect(Object.keys(out.svm).sort()).toEqual(['margin', 'w']);
    expect(Object.keys(out.gd).sort()).toEqual(['angleToSvm', 'steps', 'w']);
    expect(out.svm.w[0]).toBeCloseTo(10 / 13, 14);
    expect(out.svm.margin).toBeCloseTo(13 / (10 * Math.SQRT2), 14);
    expect(out.gd.steps).toBe(1000);
    const Z = absorbLabels(matFromRows(data.x), data.y);
    const g = gradientDescent(Z, { loss: 'logistic', eta: 1 / sigmaMaxSq(Z), steps: 1000 });
    expect(out.gd.w).toEqual(Array.from(g.w));
    expect(out.gd.angleToSvm).toBe(angleBetween(g.w, out.svm.w));
    const e = maxmarginTool(data, { loss: 'exp', steps: 10 });
    const ge = gradientDescent(Z, { loss: 'exp', eta: 1 / (6 * sigmaMaxSq(Z)), steps: 10 });
    expect(e.gd.w).toEqual(Array.from(ge.w));
  });

  it('refuses bad input with an InputError that names the field', () => {
    expect(() => maxmarginTool({ x: [[1, 0.3], [0.2, 1.1], [0.5, 0.5]], y: [1, 1, -1] }, { steps: 10 })).toThrow(/not linearly separable/);
    expect(() => maxmarginTool({ x: [[1, 0]], y: [0] })).toThrow(/data\.y\[0\]/);
    expect(() => maxmarginTool(data, { steps: 0 })).toThrow(/--steps/);
    expect(() => maxmarginTool(data, { loss: 'hinge' })).toThrow(/--loss/);
    expect(() => maxmarginTool({ x: [[1, 0]], y: [1, 1] })).toThrow(InputError);
  });

  it('the CLI exits 2 with one line saying the data are not separable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'maxmargin-'));
    const file = join(dir, 'd.json');
    writeFileSync(file, JSON.stringify({ x: [[1, 0.3], [0.2, 1.1], [0.5, 0.5]], y: [1, 1, -1] }));
    const r = spawnSync(process.execPath, ['bin/dlclaims.mjs', 'maxmargin', '--data', file], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n').filter((l) => !l.includes('npm warn'))).toHaveLength(1);
    expect(r.stderr).toMatch(/not linearly separable/);
  });
});

describe('judges on synthetic trajectories', () => {
  const times = [10, 100, 1000, 1e4, 1e5];
  it('direction: 1/log t decay holds, the reversed trajectory fails, a divergence is inconclusive', () => {
    const rep = (angles: number[]) => ({ margin: 0.2, supportSize: 3, times, angles, divergedAt: null });
    const good: DirectionMeasurements = Array.from({ length: 5 }, (_, i) => rep(times.map((t) => (0.3 + 0.1 * i) / Math.log(t))));
    expect(judgeDirection(good).status).toBe('holds');
    expect(judgeDirection(good.map((r) => ({ ...r, angles: [...r.angles].reverse() }))).status).toBe('fails');
    expect(judgeDirection([{ ...good[0]!, divergedAt: 17 }, ...good.slice(1)]).status).toBe('inconclusive');
    // A direction that stops moving (the squared loss's fate) fails even when it sits close to ŵ.
    const flat = good.map((r) => ({ ...r, angles: times.map((t) => (t < 1000 ? 0.5 / Math.log(t) : 0.05)) }));
    expect(judgeDirection(flat).status).toBe('fails');
  });

  it('log-rate: the exact asymptotic form holds; a norm growing like √log t fails', () => {
    const svmW = [10 / 13, 10 / 13];
    const wTilde = [-2.373, -2.0589];
    const T = [1e3, 1e4, 1e5, 1e6];
    const traj = (f: (t: number) => number) => T.map((t) => svmW.map((v, k) => v * f(t) + wTilde[k]! + 1 / t));
    const m = (f: (t: number) => number): LogRateMeasurements => ({
      z: [],
      svm: { w: svmW, margin: 1 / norm(svmW), support: [0, 1] },
      runs: [{ loss: 'logistic', eta: 0.03, times: T, w: traj(f), lossValues: T.map((t) => 35 / t), divergedAt: null, wTilde }],
    });
    expect(judgeLogRate(m(Math.log)).status).toBe('holds');
    expect(judgeLogRate(m((t) => Math.sqrt(Math.log(t)))).status).toBe('fails');
    const reversed = m(Math.log);
    reversed.runs[0]!.w.reverse();
    expect(judgeLogRate(reversed).status).toBe('fails');
  });

  it('homogeneous-net: an increasing normalized margin holds, the reversed one fails', () => {
    const ts = [1, 10, 100, 1000, 1e4, 1e5];
    const up: HomogeneousMeasurements = Array.from({ length: 4 }, () => ({
      times: ts,
      loss: ts.map((t) => 5 / (t + 1)),
      normSq: ts.map((t) => 10 + 5 * Math.log(t)),
      minMargin: ts.map((t) => (10 + 5 * Math.log(t)) * (0.1 - 0.05 / Math.log(t + 2))),
      divergedAt: null,
    }));
    expect(judgeHomogeneous(up, { loss: 'logistic' }).status).toBe('holds');
    const down = up.map((r) => ({ ...r, minMargin: ts.map((t, i) => r.normSq[i]! * (0.05 + 0.05 / Math.log(t + 2))) }));
    expect(judgeHomogeneous(down, { loss: 'logistic' }).status).toBe('fails');
  });
});

expectVerdicts(claims, 'maxmargin');

describe('maxmargin tool: corrupted input is refused in one line or answered with finite JSON', () => {
  type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
  const finiteJson = (v: unknown): boolean =>
    typeof v === 'number' ? Number.isFinite(v) : Array.isArray(v) ? v.every(finiteJson) : v && typeof v === 'object' ? Object.values(v).every(finiteJson) : true;
  const validData = fc.record({ n: fc.integer({ min: 1, max: 6 }), d: fc.integer({ min: 1, max: 3 }) }).chain(({ n, d }) =>
    fc.record({
      x: fc.array(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: d, maxLength: d }), { minLength: n, maxLength: n }),
      y: fc.array(fc.constantFrom(1, -1), { minLength: n, maxLength: n }),
    }),
  );
  const mutate = (doc: Json, kind: number, pick: number): Json => {
    const copy = JSON.parse(JSON.stringify(doc)) as Json;
    const nodes: [any, string | number][] = [];
    const walk = (v: any) => {
      if (v && typeof v === 'object') for (const k of Object.keys(v)) (nodes.push([v, Array.isArray(v) ? Number(k) : k]), walk(v[k]));
    };
    walk(copy);
    const [parent, key] = nodes[pick % nodes.length]!;
    if (kind === 0) parent[key] = null;
    else if (kind === 1) parent[key] = 'NaN';
    else if (kind === 2) parent[key] = [parent[key]];
    else if (kind === 3) parent[key] = [];
    else if (kind === 4) parent[key] = 1e300;
    else if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
    return copy;
  };
  it('never crashes', () => {
    let refused = 0;
    fc.assert(
      fc.property(validData, fc.integer({ min: 0, max: 5 }), fc.nat(1000), (data, kind, pick) => {
        try {
          const out = maxmarginTool(mutate(data as Json, kind, pick), { steps: 50 });
          expect(finiteJson(out)).toBe(true);
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          expect(e.message).not.toContain('\n');
          refused++;
        }
        // Valid data too: separable ones are answered, the rest refused as not separable.
        try {
          expect(finiteJson(maxmarginTool(data, { steps: 50 }))).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(InputError);
          expect((e as Error).message).toMatch(/not linearly separable|magnitudes within/);
        }
      }),
      { ...FC, numRuns: 300 },
    );
    expect(refused).toBeGreaterThan(100);
  });
});
