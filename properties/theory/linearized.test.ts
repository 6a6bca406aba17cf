// Exact properties of theory/linearized.ts: the closed-form linearized dynamics under MSE (Lee et al. 2019, eqs. 8–11;
// brief §3.3). Oracles: stepping the linear model f0 + Jω by GD, a matrix-exponential oracle for gradient flow,
// closed forms of the per-eigenvalue factors, and the guards.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rngFromKey } from '../../core/rng.ts';
import { fittedFactor, linearOutputs, linearizedDynamics, maxStableStep, residualFactor, stepLinearModel, symEig } from '../../theory/linearized.ts';
import { mat, type Mat } from '../../theory/mlp.ts';
import { gramAB } from '../../theory/ntk.ts';
import { FC } from '../helpers.ts';

const FEW = { ...FC, numRuns: 30 } as const;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
const maxAbs = (a: ArrayLike<number>) => Math.max(...Array.from(a, Math.abs));

describe('closed-form linearized dynamics', () => {
  const problem = fc.record({
    n: fc.integer({ min: 1, max: 8 }),
    m: fc.integer({ min: 1, max: 4 }),
    p: fc.integer({ min: 1, max: 30 }),
    frac: fc.double({ min: 0.05, max: 0.95, noNaN: true }),
    steps: fc.integer({ min: 0, max: 60 }),
    seed: fc.integer({ min: 0, max: 1e6 }),
  });
  const build = (c: { n: number; m: number; p: number; seed: number }) => {
    const rng = rngFromKey(`lin/${c.seed}`);
    const J = mat(c.n, c.p, rng.normals(c.n * c.p, 1 / Math.sqrt(c.p)));
    const Jx = mat(c.m, c.p, rng.normals(c.m * c.p, 1 / Math.sqrt(c.p)));
    return { J, Jx, f0: rng.normals(c.n), f0x: rng.normals(c.m), y: rng.normals(c.n) };
  };

  it('discrete GD: Y + (I − ηΘ/N_y)^t (f0 − Y) and the test/weight forms equal stepping f0 + Jω (P3.2, 1e-10 relative)', () => {
    fc.assert(
      fc.property(problem, (c) => {
        const { J, Jx, f0, f0x, y } = build(c);
        const theta = gramAB(J, J);
        const eta = c.frac * maxStableStep(theta);
        const dyn = linearizedDynamics(theta, f0, y, { eta, mode: 'gd' });
        const omega = stepLinearModel(J, f0, y, { eta, steps: c.steps });
        const check = (got: Float64Array, want: Float64Array) => expect(maxAbsDiff(got, want)).toBeLessThanOrEqual(1e-10 * (1 + maxAbs(want)));
        check(dyn.train(c.steps), linearOutputs(J, f0, omega));
        check(dyn.test(gramAB(Jx, J), f0x, c.steps), linearOutputs(Jx, f0x, omega));
        check(dyn.weights(J, c.steps), omega);
      }),
      FC,
    );
  });

  it('gradient flow: Y + exp(−ηΘt/N_y)(f0 − Y) equals a scaling-and-squaring matrix-exponential oracle', () => {
    const expm = (A: Mat): Mat => {
      // exp(A) = (exp(A/2^s))^(2^s), with an 18-term Taylor series for the scaled matrix.
      const n = A.rows;
      const norm = maxAbs(A.data) * n;
      const s = Math.max(0, Math.ceil(Math.log2(norm + 1e-300)) + 1);
      const B = mat(n, n, A.data.map((v) => v / 2 ** s));
      let term = mat(n, n, new Float64Array(n * n));
      for (let i = 0; i < n; i++) term.data[i * n + i] = 1;
      const sum = mat(n, n, term.data.slice());
      for (let k = 1; k <= 18; k++) {
        const next = new Float64Array(n * n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let q = 0; q < n; q++) next[i * n + j]! += term.data[i * n + q]! * B.data[q * n + j]! / k;
        term = mat(n, n, next);
        for (let q = 0; q < n * n; q++) sum.data[q]! += next[q]!;
      }
      let R = sum;
      for (let k = 0; k < s; k++) {
        const next = new Float64Array(n * n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let q = 0; q < n; q++) next[i * n + j]! += R.data[i * n + q]! * R.data[q * n + j]!;
        R = mat(n, n, next);
      }
      return R;
    };
    fc.assert(
      fc.property(problem, fc.double({ min: 0, max: 30, noNaN: true }), (c, t) => {
        const { J, f0, y } = build(c);
        const theta = gramAB(J, J);
        const eta = 0.7;
        const E = expm(mat(c.n, c.n, theta.data.map((v) => (-eta * t * v) / c.n)));
        const want = Float64Array.from(y, (yi, i) => {
          let s = 0;
          for (let j = 0; j < c.n; j++) s += E.data[i * c.n + j]! * (f0[j]! - y[j]!);
          return yi + s;
        });
        const got = linearizedDynamics(theta, f0, y, { eta, mode: 'flow' }).train(t);
        expect(maxAbsDiff(got, want)).toBeLessThanOrEqual(1e-9 * (1 + maxAbs(want)));
      }),
      FEW,
    );
  });
});


describe('eigendecomposition and per-eigenvalue factors', () => {
  it('symEig: V is orthonormal and V·diag(λ)·Vᵀ rebuilds the symmetric part (Θ + Θᵀ)/2, eigenvalues ascending', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 1e6 }), (n, seed) => {
        const A = mat(n, n, rngFromKey(`eig/${seed}`).normals(n * n)); // not symmetric on purpose
        const { values, vectors: V } = symEig(A);
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) {
            let rebuilt = 0;
            let gram = 0;
            for (let k = 0; k < n; k++) {
              rebuilt += V.data[i * n + k]! * values[k]! * V.data[j * n + k]!;
              gram += V.data[k * n + i]! * V.data[k * n + j]!;
            }
            expect(Math.abs(rebuilt - 0.5 * (A.data[i * n + j]! + A.data[j * n + i]!))).toBeLessThan(1e-10);
            expect(Math.abs(gram - (i === j ? 1 : 0))).toBeLessThan(1e-10);
          }
        for (let k = 1; k < n; k++) expect(values[k]!).toBeGreaterThanOrEqual(values[k - 1]!);
      }),
      FEW,
    );
  });

  it('symEig refuses a non-square Θ and names it', () => {
    expect(() => symEig(mat(2, 3))).toThrow(/Θ must be square, got 2×3/);
  });

  it('residualFactor: exp(−ηλt/N_y) for flow, (1 − ηλ/N_y)^t for GD, negative λ clamped to 0 (hand values)', () => {
    // η = 0.5, λ = 2, N_y = 4 → ηλ/N_y = 0.25.
    expect(residualFactor(2, 0.5, 3, 4, 'flow')).toBeCloseTo(Math.exp(-0.75), 15);
    expect(residualFactor(2, 0.5, 3, 4, 'gd')).toBeCloseTo(0.421875, 15); // 0.75³
    expect(residualFactor(-1, 0.5, 3, 4, 'flow')).toBe(1);
    expect(residualFactor(-1, 0.5, 3, 4, 'gd')).toBe(1);
  });

  it('fittedFactor = (1 − e_t(λ))/λ for λ > 0 (stable and unstable GD, flow), ηt/N_y at λ ≤ 0 and as λ → 0', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-3, max: 50, noNaN: true }),
        fc.double({ min: 0.01, max: 2, noNaN: true }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 10 }),
        fc.constantFrom<'flow' | 'gd'>('flow', 'gd'),
        (lambda, eta, t, nY, mode) => {
          const want = (1 - residualFactor(lambda, eta, t, nY, mode)) / lambda;
          expect(Math.abs(fittedFactor(lambda, eta, t, nY, mode) - want)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(want)));
        },
      ),
      FC,
    );
    // Unstable GD by hand: η = 1, λ = 10, N_y = 4 → x = 2.5, (1 − (−1.5)³)/10 = 4.375/10.
    expect(fittedFactor(10, 1, 3, 4, 'gd')).toBeCloseTo(0.4375, 14);
    for (const mode of ['flow', 'gd'] as const) {
      expect(fittedFactor(0, 0.3, 7, 3, mode)).toBeCloseTo(0.7, 15);
      expect(fittedFactor(-2, 0.3, 7, 3, mode)).toBeCloseTo(0.7, 15);
      // λ = 1e-12: (1 − e)/λ = ηt/N_y·(1 − O(ηλt/N_y)); a naive 1 − e would lose ~4 digits here.
      expect(Math.abs(fittedFactor(1e-12, 0.3, 7, 3, mode) - 0.7)).toBeLessThan(1e-12);
    }
    // Long-time limit: (1 − e_t(λ))/λ → 1/λ (Θ⁻¹ at convergence), also when ηλ/N_y is tiny and t astronomically large.
    expect(fittedFactor(2, 0.5, 1e6, 4, 'flow')).toBe(0.5);
    expect(fittedFactor(2, 0.5, 1e6, 4, 'gd')).toBe(0.5);
    expect(fittedFactor(1e-160, 1, 1e200, 1, 'flow')).toBeCloseTo(1e160, -146);
    // A subnormal λ whose ηλ/N_y underflows to 0: the limit ηt/N_y, not (1 − 1)/λ = 0.
    for (const mode of ['flow', 'gd'] as const) expect(fittedFactor(1e-320, 3e-10, 7, 3, mode)).toBeCloseTo(7e-10, 20);
  });
});

describe('linearizedDynamics and the linear model: initial values, N_y, guards', () => {
  const rng = rngFromKey('lin-guards');
  const n = 4;
  const p = 6;
  const J = mat(n, p, rng.normals(n * p, 1 / Math.sqrt(p)));
  const theta = gramAB(J, J);
  const f0 = rng.normals(n);
  const y = rng.normals(n);

  it('at t = 0 the train outputs are f0, the test outputs f0(x), the weights zero; eigenvalues are those of Θ', () => {
    const dyn = linearizedDynamics(theta, f0, y, { eta: 0.5, mode: 'gd' });
    expect(maxAbsDiff(dyn.train(0), f0)).toBeLessThan(1e-12);
    const Jx = mat(2, p, rng.normals(2 * p));
    const f0x = rng.normals(2);
    expect(maxAbsDiff(dyn.test(gramAB(Jx, J), f0x, 0), f0x)).toBe(0);
    expect(maxAbs(dyn.weights(J, 0))).toBe(0);
    expect(Array.from(dyn.eigenvalues)).toEqual(Array.from(symEig(theta).values));
  });

  it('an explicit N_y rescales time like the GD oracle with the same N_y; the default N_y is n', () => {
    const eta = 0.3;
    for (const nY of [1, 3, 7]) {
      const omega = stepLinearModel(J, f0, y, { eta, steps: 9, nY });
      const dyn = linearizedDynamics(theta, f0, y, { eta, mode: 'gd', nY });
      expect(maxAbsDiff(dyn.train(9), linearOutputs(J, f0, omega))).toBeLessThan(1e-10);
      expect(maxAbsDiff(dyn.weights(J, 9), omega)).toBeLessThan(1e-10);
    }
    const byDefault = linearizedDynamics(theta, f0, y, { eta, mode: 'flow' });
    const explicit = linearizedDynamics(theta, f0, y, { eta, mode: 'flow', nY: n });
    expect(Array.from(byDefault.train(5))).toEqual(Array.from(explicit.train(5)));
    expect(Array.from(stepLinearModel(J, f0, y, { eta, steps: 4 }))).toEqual(Array.from(stepLinearModel(J, f0, y, { eta, steps: 4, nY: n })));
  });

  it('stepLinearModel records ω after every step 0..steps, each equal to the closed-form weights', () => {
    const seen: number[] = [];
    const dyn = linearizedDynamics(theta, f0, y, { eta: 0.4, mode: 'gd' });
    stepLinearModel(J, f0, y, {
      eta: 0.4,
      steps: 5,
      record: (t, omega) => {
        seen.push(t);
        expect(maxAbsDiff(omega, dyn.weights(J, t))).toBeLessThan(1e-12);
      },
    });
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('refuses mismatched f0, y, Θ_x and J and names them', () => {
    expect(() => linearizedDynamics(theta, f0.subarray(1), y, { eta: 1, mode: 'gd' })).toThrow(/f0 and y need 4 entries, got 3 and 4/);
    expect(() => linearizedDynamics(theta, f0, y.subarray(1), { eta: 1, mode: 'gd' })).toThrow(/f0 and y need 4 entries, got 4 and 3/);
    const dyn = linearizedDynamics(theta, f0, y, { eta: 1, mode: 'gd' });
    expect(() => dyn.test(mat(2, 3), [0, 0], 1)).toThrow(/Θ_x needs 4 columns, got 3/);
    expect(() => dyn.weights(mat(3, p), 1)).toThrow(/J needs 4 rows, got 3/);
  });

  it('maxStableStep is 2N_y/λ_max (diagonal Θ by hand), and GD on the linear model diverges just above it', () => {
    const diag = mat(2, 2, Float64Array.from([1, 0, 0, 4]));
    expect(maxStableStep(diag)).toBe(1); // 2·2/4
    expect(maxStableStep(diag, 5)).toBe(2.5);
    // The stiffest mode's factor |1 − ηλ/N_y| crosses 1 exactly at η = 2N_y/λ_max.
    const eta = maxStableStep(theta);
    const grow = (scale: number) => Math.abs(residualFactor(Math.max(...symEig(theta).values), scale * eta, 200, n, 'gd'));
    expect(grow(0.99)).toBeLessThan(1);
    expect(grow(1.01)).toBeGreaterThan(1);
  });

  // Formerly the registry claim `linearization.closed-form`: an exact identity of linear algebra, so a property here.
  it('GD with step η/k for k·T steps approaches the gradient-flow closed form exp(−ηΘT/N_y) at first order (Euler: error ∝ 1/k)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 20 }), fc.double({ min: 0.05, max: 0.9, noNaN: true }), fc.nat(1e6), (nn, pp, frac, seed) => {
        const r = rngFromKey(`flow-order/${seed}`);
        const Jr = mat(nn, pp, r.normals(nn * pp, 1 / Math.sqrt(pp)));
        const f0r = r.normals(nn);
        const yr = r.normals(nn);
        const th = gramAB(Jr, Jr);
        const eta = frac * maxStableStep(th);
        const T = 20;
        const flow = linearizedDynamics(th, f0r, yr, { eta, mode: 'flow' }).train(T);
        const err = (k: number) => maxAbsDiff(linearOutputs(Jr, f0r, stepLinearModel(Jr, f0r, yr, { eta: eta / k, steps: k * T })), flow);
        const [e1, e2] = [err(16), err(32)];
        if (e1 < 1e-11) return; // flow already converged (or a trivial problem): nothing left to resolve
        // Halving the step halves the error, up to the second-order remainder.
        expect(e2 / e1).toBeGreaterThan(0.4);
        expect(e2 / e1).toBeLessThan(0.6);
      }),
      FEW,
    );
  });

  // Formerly the control `linearization.closed-form-unnormalized`: the closed form as Lee et al. print it (1/N_y
  // absorbed into η) does NOT describe a model trained on the 1/(2N_y)-normalized loss once N_y > 1.
  it('dropping the 1/N_y of the loss from the closed form (N_y = 1) disagrees with GD on the normalized loss at O(1)', () => {
    const eta = 0.2 * maxStableStep(theta); // stable for both (N_y = 1 only shrinks the unnormalized step's range)
    const omega = stepLinearModel(J, f0, y, { eta: eta / n, steps: 5 });
    const normalized = linearizedDynamics(theta, f0, y, { eta: eta / n, mode: 'gd' }).train(5);
    const unnormalized = linearizedDynamics(theta, f0, y, { eta: eta / n, mode: 'gd', nY: 1 }).train(5);
    const stepped = linearOutputs(J, f0, omega);
    expect(maxAbsDiff(normalized, stepped)).toBeLessThan(1e-12 * (1 + maxAbs(stepped)));
    expect(maxAbsDiff(unnormalized, stepped)).toBeGreaterThan(1e-2 * maxAbs(stepped));
  });
});
