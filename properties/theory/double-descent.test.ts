// Exact properties of theory/double-descent.ts (brief §7, Belkin et al. 2019): the SVD pseudo-inverse and ridge
// solutions against normal equations, and the random-feature / teacher / data helpers.
import fc from 'fast-check';
import { Matrix, solve as mlSolve } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { rngFromKey, type Rng } from '../../core/rng.ts';
import {
  BLOWUP_FACTOR,
  cloneLadder,
  featureSolve,
  featureSolvePath,
  featureSolvePathGram,
  featureSolvePathSvd,
  initLadder,
  ladderForward,
  ladderGradient,
  ladderGradientInto,
  ladderWorkspace,
  ladderMse,
  ladderParams,
  makeRegression,
  matVec,
  mse,
  reluFeatures,
  teacherValue,
  trainLadder,
  type WidthLadder,
} from '../../theory/double-descent.ts';
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
        const zRow = featureSolve(Phi, matVec(Phi, z));
        const zn = z.map((v, i) => v - zRow[i]!);
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

describe('random features, solver edge cases, teacher and data (brief §7.3)', () => {
  it('reluFeatures(X, V, N)[i,k] = max(0, x_i·v_k) over the first N columns of V (nested features)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 1e6 }), (n, d, cols, seed) => {
        const rng = rngFromKey(`overparam-test/rf/${seed}`);
        const X = mat(n, d, rng.normals(n * d));
        const V = mat(d, cols, rng.normals(d * cols));
        const N = 1 + (seed % cols);
        const Phi = reluFeatures(X, V, N);
        expect([Phi.rows, Phi.cols]).toEqual([n, N]);
        for (let i = 0; i < n; i++)
          for (let k = 0; k < N; k++) {
            let s = 0;
            for (let j = 0; j < d; j++) s += X.data[i * d + j]! * V.data[j * cols + k]!;
            expect(Phi.data[i * N + k]).toBeCloseTo(Math.max(0, s), 12);
          }
      }),
      { ...FC, numRuns: 40 },
    );
    // By hand: x = (1, −2), v₁ = (1, 1) → max(0, −1) = 0, v₂ = (3, 1) → 1, v₃ = (0, −1) → 2.
    const Phi = reluFeatures(mat(1, 2, new Float64Array([1, -2])), mat(2, 3, new Float64Array([1, 3, 0, 1, 1, -1])), 3);
    expect(Array.from(Phi.data)).toEqual([0, 1, 2]);
  });

  it('reluFeatures rejects a V of the wrong height and more features than drawn, naming the sizes', () => {
    const X = mat(2, 3);
    expect(() => reluFeatures(X, mat(2, 4), 1)).toThrow('V has 2 rows, x has 3 entries');
    expect(() => reluFeatures(X, mat(3, 4), 5)).toThrow('asked for 5 features, only 4 drawn');
    expect(reluFeatures(X, mat(3, 4), 4).cols).toBe(4);
  });

  it('featureSolve rejects a y whose length is not the number of rows of Φ', () => {
    expect(() => featureSolve(mat(3, 2, new Float64Array(6).fill(1)), new Float64Array(2))).toThrow('y has 2 entries, Φ has 3 rows');
  });

  it('the Gram route Φᵀ(ΦΦᵀ + nλI)⁻¹y agrees with the SVD route on wide Φ (Gaussian and ReLU features), min-norm and ridge', () => {
    let used = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 2, max: 6 }), fc.boolean(), fc.integer({ min: 0, max: 1e6 }), (n, ratio, relu, seed) => {
        const rng = rngFromKey(`overparam-test/gram/${seed}`);
        const N = n * ratio;
        const raw = rng.normals(n * N);
        const Phi = mat(n, N, relu ? raw.map((v) => Math.max(v, 0) + 0.1 * v) : raw);
        const y = rng.normals(n);
        const ridges = [0, 1e-4, 0.3];
        const gram = featureSolvePathGram(Phi, y, ridges);
        if (gram === null) return;
        used++;
        const svd = featureSolvePathSvd(Phi, y, ridges);
        ridges.forEach((_, q) => expect(maxAbs(gram[q]!.map((v, k) => v - svd[q]![k]!))).toBeLessThan(1e-9 * (1 + maxAbs(svd[q]!))));
        // featureSolvePath takes the Gram route here.
        expect(Array.from(featureSolvePath(Phi, y, ridges)[1]!)).toEqual(Array.from(gram[1]!));
      }),
      { ...FC, numRuns: 60 },
    );
    expect(used).toBeGreaterThan(30);
  });

  it('a wide Φ with two equal rows (ΦΦᵀ singular) is refused by the Gram route and solved by the SVD: a = φ·mean(y)/|φ|²', () => {
    const Phi = mat(2, 3, new Float64Array([1, 2, 3, 1, 2, 3]));
    const y = new Float64Array([1, 3]);
    expect(featureSolvePathGram(Phi, y, [0])).toBeNull();
    const a = featureSolve(Phi, y);
    [1, 2, 3].forEach((v, k) => expect(a[k]).toBeCloseTo((v * 2) / 14, 12));
  });

  it('a duplicated feature column: the pseudo-inverse splits the weight equally (minimum norm), ridge 0 is not NaN', () => {
    // Φ = [φ, φ] has rank 1, second singular value 0 (or ~1e-17): a₁ = a₂ = (φ·y)/(2|φ|²) is the min-norm solution.
    const phi = [1, 2, -1];
    const Phi = mat(3, 2, new Float64Array(phi.flatMap((v) => [v, v])));
    const y = new Float64Array([0.5, 1, 2]);
    const want = (0.5 + 2 - 2) / (2 * 6);
    for (const a of [featureSolve(Phi, y), featureSolve(Phi, y, { ridge: 0 })]) {
      expect(a[0]).toBeCloseTo(want, 12);
      expect(a[1]).toBeCloseTo(want, 12);
    }
  });

  it('an all-zero Φ (every singular value 0, s_max = 0) gives a = 0 for least squares and ridge, never NaN', () => {
    const Phi = mat(3, 2);
    const y = new Float64Array([1, -2, 3]);
    expect(Array.from(featureSolve(Phi, y))).toEqual([0, 0]);
    expect(Array.from(featureSolve(Phi, y, { ridge: 0 }))).toEqual([0, 0]);
    expect(Array.from(featureSolve(Phi, y, { ridge: 0.1 }))).toEqual([0, 0]);
  });

  it('rcond truncates: Φ = diag(3, 1e-3) with rcond 1e-2 keeps only the first direction', () => {
    const Phi = mat(2, 2, new Float64Array([3, 0, 0, 1e-3]));
    const y = new Float64Array([6, 1]);
    const full = featureSolve(Phi, y);
    expect(full[0]).toBeCloseTo(2, 12);
    expect(full[1]).toBeCloseTo(1000, 8);
    const cut = featureSolve(Phi, y, { rcond: 1e-2 });
    expect(cut[0]).toBeCloseTo(2, 12);
    expect(cut[1]).toBe(0);
    // The cutoff is relative to s_max: 1e-3/3 < 4e-4 cuts, > 3e-4 keeps.
    expect(featureSolve(Phi, y, { rcond: 4e-4 })[1]).toBe(0);
    expect(featureSolve(Phi, y, { rcond: 3e-4 })[1]).toBeCloseTo(1000, 8);
  });

  it('ridge on Φ = diag(s) gives a_j = s_j·y_j/(s_j² + nλ) (closed form, n = 2)', () => {
    const Phi = mat(2, 2, new Float64Array([3, 0, 0, 0.5]));
    const a = featureSolve(Phi, new Float64Array([6, 1]), { ridge: 0.25 });
    expect(a[0]).toBeCloseTo((3 * 6) / (9 + 0.5), 12);
    expect(a[1]).toBeCloseTo(0.5 / (0.25 + 0.5), 12);
  });

  it('matVec and mse by hand', () => {
    expect(Array.from(matVec(mat(2, 3, new Float64Array([1, 2, 3, -1, 0, 2])), new Float64Array([1, 1, 2])))).toEqual([9, 3]);
    expect(mse(new Float64Array([1, 2, 4]), new Float64Array([1, 0, 1]))).toBe((0 + 4 + 9) / 3);
  });

  it('teacherValue is x·β + 0.5·tanh(x₁x₂)', () => {
    expect(teacherValue({ beta: new Float64Array([2, -1, 0.5]) }, [1, 3, 4])).toBeCloseTo(2 - 3 + 2 + 0.5 * Math.tanh(3), 14);
    expect(teacherValue({ beta: new Float64Array([1, 1]) }, [0, 5])).toBe(5);
  });

  it('makeRegression: β ~ N(0, I/d), x ~ N(0, I), y = teacher + noise·ε on train, noise-free on test (stub stream)', () => {
    // A stub stream whose every normal is 1: β = 1/√d each, every x = (1, …, 1), every ε = 1.
    const ones: Rng = {
      uniform: () => 0.5,
      range: (lo) => lo,
      normal: () => 1,
      int: () => 0,
      normals: (n, scale = 1) => new Float64Array(n).fill(scale),
      uniforms: (n, lo) => new Float64Array(n).fill(lo),
      shuffle: (a) => a,
    };
    const d = 4;
    const r = makeRegression(ones, { n: 3, nTest: 5, d, noise: 0.3 });
    expect(Array.from(r.teacher.beta)).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect([r.X.rows, r.X.cols, r.X.data.length, r.Xt.rows, r.Xt.cols, r.Xt.data.length]).toEqual([3, d, 3 * d, 5, d, 5 * d]);
    const clean = d * 0.5 + 0.5 * Math.tanh(1);
    expect(Array.from(r.y)).toEqual([1, 2, 3].map(() => expect.closeTo(clean + 0.3, 14)));
    expect(Array.from(r.yt)).toEqual([1, 2, 3, 4, 5].map(() => expect.closeTo(clean, 14)));
  });

  it('makeRegression with a real stream: y − teacher(x) has the noise scale, yt is the teacher exactly', () => {
    const r = makeRegression(rngFromKey('overparam-test/regression'), { n: 4000, nTest: 50, d: 3, noise: 0.2 });
    const resid = Array.from(r.y, (v, i) => v - teacherValue(r.teacher, r.X.data.subarray(i * 3, i * 3 + 3)));
    const sd = Math.sqrt(resid.reduce((s, v) => s + v * v, 0) / resid.length);
    expect(Math.abs(sd - 0.2)).toBeLessThan(0.01); // 4000 draws: relative s.e. of the s.d. ≈ 1.1%
    r.yt.forEach((v, i) => expect(v).toBe(teacherValue(r.teacher, r.Xt.data.subarray(i * 3, i * 3 + 3))));
  });
});

describe('featureSolvePath (one SVD, many ridges; for tuning λ on held-out data)', () => {
  it('each λ on the path equals featureSolve with that λ (the independent single-λ solve)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 1e6 }), (n, N, seed) => {
        const rng = rngFromKey(`path/${seed}`);
        const Phi = mat(n, N, rng.normals(n * N));
        const y = rng.normals(n);
        const ridges = [0, 1e-3, 0.1, 2];
        const path = featureSolvePath(Phi, y, ridges);
        ridges.forEach((ridge, k) => {
          const one = featureSolve(Phi, y, { ridge });
          path[k]!.forEach((v, i) => expect(v).toBeCloseTo(one[i]!, 10));
        });
        // Ridge solves (ΦᵀΦ + nλI)a = Φᵀy: check the normal equations at λ = 0.1.
        const a = path[2]!;
        for (let k = 0; k < N; k++) {
          let lhs = n * 0.1 * a[k]!;
          let rhs = 0;
          for (let i = 0; i < n; i++) {
            let fi = 0;
            for (let j = 0; j < N; j++) fi += Phi.data[i * N + j]! * a[j]!;
            lhs += Phi.data[i * N + k]! * fi;
            rhs += Phi.data[i * N + k]! * y[i]!;
          }
          expect(lhs).toBeCloseTo(rhs, 8);
        }
      }),
      FC,
    );
  });
});

describe('two-layer nets of several widths trained side by side (Belkin et al. Fig. 3; theory/double-descent.ts ladder)', () => {
  const arb = fc.record({
    widths: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }),
    // d up to 11: inputs of d ≤ 8 go through ladderGradientInto's unrolled kernel, wider ones through its loop.
    d: fc.integer({ min: 1, max: 11 }),
    n: fc.integer({ min: 1, max: 6 }),
    lambda: fc.constantFrom(0, 0.1),
    seed: fc.integer({ min: 0, max: 1e6 }),
  });
  const draw = (a: { widths: number[]; d: number; n: number; seed: number }) => {
    const rng = rngFromKey(`overparam-test/ladder/${a.seed}`);
    const L = initLadder(a.widths, a.d, rng, { biasScale: 1, outScale: 1 });
    return { L, X: mat(a.n, a.d, rng.normals(a.n * a.d)), y: rng.normals(a.n) };
  };
  /** Oracle: width j's output by the formula, unit by unit, with its own 1/√m_j. */
  const naive = (L: WidthLadder, x: Float64Array, j: number) => {
    let f = 0;
    let start = 0;
    for (let i = 0; i < j; i++) start += L.widths[i]!;
    for (let k = start; k < start + L.widths[j]!; k++) {
      let h = L.b[k]!;
      for (let c = 0; c < L.d; c++) h += L.W[k * L.d + c]! * x[c]!;
      f += L.a[k]! * Math.max(0, h);
    }
    return f / Math.sqrt(L.widths[j]!);
  };
  const objective = (L: WidthLadder, X: ReturnType<typeof mat>, y: Float64Array, lambda: number, j: number) => {
    let s = 0;
    for (let i = 0; i < X.rows; i++) s += (naive(L, X.data.subarray(i * X.cols, (i + 1) * X.cols), j) - y[i]!) ** 2 / (2 * X.rows);
    let sq = 0;
    L.segment.forEach((seg, k) => {
      if (seg !== j) return;
      sq += L.a[k]! ** 2 + L.b[k]! ** 2;
      for (let c = 0; c < L.d; c++) sq += L.W[k * L.d + c]! ** 2;
    });
    return s + (lambda / 2) * sq;
  };

  it('ladderForward gives each width its own net (1/√m)·Σ a_k relu(w_k·x + b_k); ladderMse is the mean squared residual', () => {
    fc.assert(
      fc.property(arb, (a) => {
        const { L, X, y } = draw(a);
        const F = ladderForward(L, X);
        const J = a.widths.length;
        for (let i = 0; i < a.n; i++) for (let j = 0; j < J; j++) expect(F[i * J + j]).toBeCloseTo(naive(L, X.data.subarray(i * a.d, (i + 1) * a.d), j), 12);
        const e = ladderMse(F, y, J);
        for (let j = 0; j < J; j++) expect(e[j]).toBeCloseTo(Array.from(y, (v, i) => (F[i * J + j]! - v) ** 2).reduce((p, q) => p + q, 0) / a.n, 12);
        expect(ladderParams(a.widths[0]!, a.d)).toBe(a.widths[0]! * (a.d + 2));
      }),
      FC,
    );
  });

  it('ladderGradient is the central finite difference of each width\'s objective (1/2n)Σr² + (λ/2)‖θ‖²', () => {
    fc.assert(
      fc.property(arb, (a) => {
        const { L, X, y } = draw(a);
        const g = ladderGradient(L, X, y, a.lambda);
        const h = 1e-6;
        const fd = (arr: Float64Array, idx: number, j: number) => {
          const keep = arr[idx]!;
          arr[idx] = keep + h;
          const up = objective(L, X, y, a.lambda, j);
          arr[idx] = keep - h;
          const dn = objective(L, X, y, a.lambda, j);
          arr[idx] = keep;
          return (up - dn) / (2 * h);
        };
        L.segment.forEach((j, k) => {
          // Skip units with a pre-activation within 1e-4 of the ReLU kink (finite differences straddle it).
          const kink = Array.from({ length: a.n }, (_, i) => L.b[k]! + L.W.subarray(k * a.d, (k + 1) * a.d).reduce((s, w, c) => s + w * X.data[i * a.d + c]!, 0)).some((hh) => Math.abs(hh) < 1e-4);
          if (kink) return;
          expect(g.ga[k]).toBeCloseTo(fd(L.a, k, j), 6);
          expect(g.gb[k]).toBeCloseTo(fd(L.b, k, j), 6);
          for (let c = 0; c < a.d; c++) expect(g.gW[k * a.d + c]).toBeCloseTo(fd(L.W, k * a.d + c, j), 6);
        });
        for (let j = 0; j < a.widths.length; j++) expect(g.loss[j]).toBeCloseTo(objective(L, X, y, 0, j), 12);
      }),
      { ...FC, numRuns: 40 },
    );
  });

  it('ladderGradientInto on a reused workspace gives the fresh ladderGradient bit for bit, whatever the previous call left', () => {
    fc.assert(
      fc.property(arb, fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), (a, mask) => {
        const { L, X, y } = draw(a);
        const active = a.widths.map((_, j) => mask[j]!);
        const ws = ladderWorkspace(L, X.rows);
        // Dirty the buffers with a call at other weights and every width on, then the call under test.
        const shifted = cloneLadder(L);
        shifted.W.forEach((v, q) => (shifted.W[q] = v + 0.5));
        ladderGradientInto(shifted, X, y, a.lambda, null, ws);
        ladderGradientInto(L, X, y, a.lambda, Uint8Array.from(active, (v) => (v ? 1 : 0)), ws);
        const fresh = ladderGradient(L, X, y, a.lambda, active);
        L.segment.forEach((j, k) => {
          if (!active[j]) return;
          expect([ws.ga[k], ws.gb[k], ...ws.gW.subarray(k * a.d, (k + 1) * a.d)]).toEqual([fresh.ga[k], fresh.gb[k], ...fresh.gW.subarray(k * a.d, (k + 1) * a.d)]);
        });
        a.widths.forEach((_, j) => {
          if (active[j]) expect([ws.loss[j], ws.gradSq[j]]).toEqual([fresh.loss[j], fresh.gradSq[j]]);
        });
      }),
      FC,
    );
  });

  it('training the ladder equals training each width alone (the widths do not interact), bit for bit', () => {
    fc.assert(
      fc.property(arb, fc.constantFrom(0, 1e-3), (a, tol) => {
        const { L, X, y } = draw(a);
        const opts = { steps: 30, eta: 0.05, lambda: a.lambda, tol, gtol: 1e-3 };
        const together = cloneLadder(L);
        const res = trainLadder(together, X, y, opts);
        let start = 0;
        a.widths.forEach((m, j) => {
          const alone: WidthLadder = { widths: [m], d: a.d, segment: new Int32Array(m), W: L.W.slice(start * a.d, (start + m) * a.d), b: L.b.slice(start, start + m), a: L.a.slice(start, start + m) };
          const r1 = trainLadder(alone, X, y, opts);
          expect(Array.from(together.a.subarray(start, start + m))).toEqual(Array.from(alone.a));
          expect(Array.from(together.W.subarray(start * a.d, (start + m) * a.d))).toEqual(Array.from(alone.W));
          expect([res.trainMse[j], res.steps[j], res.restarts[j]]).toEqual([r1.trainMse[0], r1.steps[0], r1.restarts[0]]);
          start += m;
        });
      }),
      { ...FC, numRuns: 30 },
    );
  });

  it('stops a width at the step budget, at the loss tolerance, or when stationary; the step count is the number of updates', () => {
    const { L, X, y } = draw({ widths: [3], d: 2, n: 4, seed: 7 });
    const budget = trainLadder(cloneLadder(L), X, y, { steps: 25, eta: 0.01, lambda: 0, tol: 0 });
    expect(budget.steps).toEqual([25]);
    // The reported MSE is the one at the state returned (no update after the last evaluation).
    const end = cloneLadder(L);
    const r = trainLadder(end, X, y, { steps: 25, eta: 0.01, lambda: 0, tol: 0 });
    expect(r.trainMse[0]).toBeCloseTo(ladderMse(ladderForward(end, X), y, 1)[0]!, 14);
    // tol above the initial MSE: stops before any update; gtol above the initial gradient: the same.
    const e0 = ladderMse(ladderForward(L, X), y, 1)[0]!;
    expect(trainLadder(cloneLadder(L), X, y, { steps: 25, eta: 0.01, lambda: 0, tol: 2 * e0 }).steps).toEqual([0]);
    expect(trainLadder(cloneLadder(L), X, y, { steps: 25, eta: 0.01, lambda: 0, tol: 0, gtol: 1e9 }).steps).toEqual([0]);
  });

  it('a blown-up width restarts from its initialization with η halved; after maxRestarts it is marked diverged', () => {
    const { L, X, y } = draw({ widths: [2, 3], d: 2, n: 5, seed: 11 });
    // η = 1e6 blows up at once (unless a first step kills every ReLU: a dead net's loss stays bounded); 1e6/2^k stays
    // far too large for 3 restarts, so a width that blows up ends diverged with η/8.
    const r = trainLadder(cloneLadder(L), X, y, { steps: 50, eta: 1e6, lambda: 0, tol: 0, maxRestarts: 3 });
    expect(r.diverged).toContain(true);
    const e0 = ladderMse(ladderForward(L, X), y, 2);
    for (let j = 0; j < 2; j++) {
      if (r.diverged[j]) expect([r.restarts[j], r.eta[j]]).toEqual([3, 1e6 / 8]);
      else expect(r.trainMse[j]).toBeLessThanOrEqual(BLOWUP_FACTOR * e0[j]!);
    }
    // A step that blows up once or twice and then trains: η halved until stable, weights restarted from L.
    const ok = trainLadder(cloneLadder(L), X, y, { steps: 200, eta: 8, lambda: 0, tol: 0, maxRestarts: 20 });
    expect(ok.diverged).toEqual([false, false]);
    for (let j = 0; j < 2; j++) {
      expect(ok.eta[j]).toBe(8 / 2 ** ok.restarts[j]!);
      expect(ok.trainMse[j]).toBeLessThan(BLOWUP_FACTOR * ladderMse(ladderForward(L, X), y, 2)[j]!);
    }
  });
});
