// Exact properties of the two-layer ReLU network code (theory/lfp-net.ts): the antisymmetric initialisation, the
// gradient step against central differences, the LFP coefficients, the NTK Gram and the step sizes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rngFromKey } from '../../core/rng.ts';
import {
  cloneNet,
  extremeEigenvalues,
  initAntisymmetric,
  lfpCoefficients,
  netForward,
  ntkGram,
  stepSizes,
  trainGd,
  type TwoLayerRelu,
} from '../../theory/lfp-net.ts';
import { Matrix } from 'ml-matrix';
import { mat, type Mat } from '../../theory/mlp.ts';
import { FC } from '../helpers.ts';

const maxAbs = (a: ArrayLike<number>) => Math.max(...Array.from(a, Math.abs), 1e-300);

describe('the two-layer ReLU network', () => {
  const loss = (net: TwoLayerRelu, X: Mat, y: number[]) => 0.5 * Array.from(netForward(net, X)).reduce((s, h, i) => s + (h - y[i]!) ** 2, 0);

  it('antisymmetric initialisation gives h ≡ 0; one GD step moves θ by −lr·∇L (central differences)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.constantFrom(1, 2), (seed, d) => {
        const rng = rngFromKey(`lfp-net/${seed}`);
        const net = initAntisymmetric(6, d, { vw: 1, vl: 1, va: 0.5, law: d === 1 ? 'uniform' : 'gaussian' }, rng);
        const X = mat(3, d, rng.normals(3 * d));
        const y = [0.5, -0.3, 0.2];
        expect(maxAbs(netForward(net, X))).toBeLessThan(1e-15 * 10);
        // Break the symmetry so every parameter has a nonzero gradient, then take one plain GD step.
        for (let j = 0; j < net.m; j++) net.a[j]! += 0.1 * (j + 1);
        const before = { w: net.w.slice(), b: net.b.slice(), a: net.a.slice() };
        const lr = 1e-3;
        const after = { ...net, w: net.w.slice(), b: net.b.slice(), a: net.a.slice() };
        trainGd(after, X, y, { lr, momentum: 0, maxSteps: 1, tol: 0 });
        const h = 1e-6;
        for (const key of ['w', 'b', 'a'] as const) {
          for (let i = 0; i < before[key].length; i++) {
            const plus = { ...net, w: before.w.slice(), b: before.b.slice(), a: before.a.slice() };
            const minus = { ...net, w: before.w.slice(), b: before.b.slice(), a: before.a.slice() };
            plus[key][i]! += h;
            minus[key][i]! -= h;
            const g = (loss(plus, X, y) - loss(minus, X, y)) / (2 * h);
            expect(Math.abs((before[key][i]! - after[key][i]!) / lr - g)).toBeLessThan(1e-5 * (1 + Math.abs(g)));
          }
        }
      }),
      { ...FC, numRuns: 30 },
    );
  });

  it('LFP coefficients: a = E[a²|w|]/(4π²), b = E|w|³/(16π⁴) (BRIEF §2.3a)', () => {
    const net: TwoLayerRelu = { m: 2, d: 2, w: Float64Array.from([3, 4, 0, 1]), b: Float64Array.from([0, 0]), a: Float64Array.from([2, -1]) };
    const c = lfpCoefficients(net);
    expect(c.a).toBeCloseTo((4 * 5 + 1 * 1) / 2 / (4 * Math.PI ** 2), 14);
    expect(c.b).toBeCloseTo((125 + 1) / 2 / (16 * Math.PI ** 4), 14);
  });
});


/** A small generic network: random w, b, a (no antisymmetry), so every parameter matters. */
function randomNet(m: number, d: number, seed: number): TwoLayerRelu {
  const rng = rngFromKey(`lfp-net-generic/${seed}`);
  return { m, d, w: rng.normals(m * d), b: rng.normals(m), a: rng.normals(m) };
}
const loss = (net: TwoLayerRelu, X: Mat, y: ArrayLike<number>) => 0.5 * Array.from(netForward(net, X)).reduce((s, h, i) => s + (h - y[i]!) ** 2, 0);
const copy = (net: TwoLayerRelu): TwoLayerRelu => ({ ...net, w: net.w.slice(), b: net.b.slice(), a: net.a.slice() });

/** ∇_θ h(x_i) for every parameter θ = (w, b, a), by central differences: an n × P Jacobian. */
function jacobianFd(net: TwoLayerRelu, X: Mat): number[][] {
  const e = 1e-6;
  const rows: number[][] = Array.from({ length: X.rows }, () => []);
  for (const key of ['w', 'b', 'a'] as const) {
    for (let p = 0; p < net[key].length; p++) {
      const plus = copy(net);
      const minus = copy(net);
      plus[key][p]! += e;
      minus[key][p]! -= e;
      const hp = netForward(plus, X);
      const hm = netForward(minus, X);
      for (let i = 0; i < X.rows; i++) rows[i]!.push((hp[i]! - hm[i]!) / (2 * e));
    }
  }
  return rows;
}

describe('network forward pass, initialisation and copies', () => {
  it('netForward is Σ_j a_j ReLU(w_j·x + b_j) (hand-computed, d = 2)', () => {
    // Neurons: (w = (1, 2), b = −1, a = 3) and (w = (−1, 0), b = 0.5, a = −2).
    // x = (1, 1): z = (2, −0.5) → h = 3·2 = 6.  x = (−1, 0.5): z = (−1, 1.5) → h = −2·1.5 = −3.
    // x = (0.2, 0.1): z = (−0.6, 0.3) → h = −0.6.  x = (1, 0): z = (0, −0.5) → both off at the kink: h = 0.
    const net: TwoLayerRelu = { m: 2, d: 2, w: Float64Array.from([1, 2, -1, 0]), b: Float64Array.from([-1, 0.5]), a: Float64Array.from([3, -2]) };
    const h = netForward(net, mat(4, 2, Float64Array.from([1, 1, -1, 0.5, 0.2, 0.1, 1, 0])));
    expect(h[0]).toBeCloseTo(6, 14);
    expect(h[1]).toBeCloseTo(-3, 14);
    expect(h[2]).toBeCloseTo(-0.6, 14);
    expect(h[3]).toBe(0);
  });

  it('initAntisymmetric: pairs j, j + m/2 share (w, b) and have opposite a; draws stay in their ranges', () => {
    for (const law of ['uniform', 'gaussian'] as const) {
      const s = { vw: 0.7, vl: 0.4, va: 0.3, law };
      const m = 400;
      const d = 2;
      const net = initAntisymmetric(m, d, s, rngFromKey(`init/${law}`));
      expect([net.m, net.d, net.w.length, net.b.length, net.a.length]).toEqual([m, d, m * d, m, m]);
      const half = m / 2;
      for (let j = 0; j < half; j++) {
        for (let k = 0; k < d; k++) expect(net.w[(j + half) * d + k]).toBe(net.w[j * d + k]);
        expect(net.b[j + half]).toBe(net.b[j]);
        expect(net.a[j + half]).toBe(-net.a[j]!);
      }
      // Biases are always U[−vl, vl]; w and a are U[−v, v] (uniform) or v·N(0, 1) (gaussian).
      expect(Math.max(...Array.from(net.b, Math.abs))).toBeLessThanOrEqual(s.vl);
      expect(Math.max(...Array.from(net.b, Math.abs))).toBeGreaterThan(0.9 * s.vl);
      expect(Math.min(...net.b)).toBeLessThan(-0.9 * s.vl); // both signs: U[−vl, vl], not [vl, vl]
      expect(Math.max(...net.b)).toBeGreaterThan(0.9 * s.vl);
      const wMax = Math.max(...Array.from(net.w, Math.abs));
      const aMax = Math.max(...Array.from(net.a, Math.abs));
      const wRms = Math.sqrt(Array.from(net.w).reduce((t, v) => t + v * v, 0) / net.w.length);
      const aRms = Math.sqrt(Array.from(net.a).reduce((t, v) => t + v * v, 0) / net.a.length);
      if (law === 'uniform') {
        expect(wMax).toBeLessThanOrEqual(s.vw);
        expect(aMax).toBeLessThanOrEqual(s.va);
        // RMS of U[−v, v] is v/√3; 400 (w) and 200 (a) draws put it within 10%.
        expect(Math.abs(wRms / (s.vw / Math.sqrt(3)) - 1)).toBeLessThan(0.1);
        expect(Math.abs(aRms / (s.va / Math.sqrt(3)) - 1)).toBeLessThan(0.12);
      } else {
        // RMS of v·N(0, 1) is v; the max of 400 normals exceeds the uniform bound v with near certainty.
        expect(Math.abs(wRms / s.vw - 1)).toBeLessThan(0.1);
        expect(Math.abs(aRms / s.va - 1)).toBeLessThan(0.12);
        expect(wMax).toBeGreaterThan(s.vw);
      }
    }
  });

  it('initAntisymmetric refuses an odd or too small width, naming it', () => {
    const s = { vw: 1, vl: 1, va: 1, law: 'uniform' } as const;
    expect(() => initAntisymmetric(5, 1, s, rngFromKey('odd'))).toThrow(/width must be even, got 5/);
    expect(() => initAntisymmetric(0, 1, s, rngFromKey('zero'))).toThrow(/width/);
    expect(initAntisymmetric(2, 1, s, rngFromKey('two')).m).toBe(2);
  });

  it('cloneNet copies the values and shares no array with the original', () => {
    const net = randomNet(4, 2, 1);
    const c = cloneNet(net);
    expect([c.m, c.d]).toEqual([4, 2]);
    expect(Array.from(c.w)).toEqual(Array.from(net.w));
    expect(Array.from(c.b)).toEqual(Array.from(net.b));
    expect(Array.from(c.a)).toEqual(Array.from(net.a));
    c.w[0] = 99;
    c.b[0] = 99;
    c.a[0] = 99;
    expect([net.w[0], net.b[0], net.a[0]]).not.toContain(99);
  });

  it('LFP coefficients in 1-D: a = mean(a²|w|)/(4π²), b = mean(|w|³)/(16π⁴)', () => {
    // w = (−2, 1, 0.5), a = (1, −3, 2): a²|w| = 2, 9, 2 (mean 13/3); |w|³ = 8, 1, 1/8 (mean 73/24).
    const net: TwoLayerRelu = { m: 3, d: 1, w: Float64Array.from([-2, 1, 0.5]), b: Float64Array.from([0, 1, 2]), a: Float64Array.from([1, -3, 2]) };
    const c = lfpCoefficients(net);
    expect(c.a).toBeCloseTo(13 / 3 / (4 * Math.PI ** 2), 14);
    expect(c.b).toBeCloseTo(73 / 24 / (16 * Math.PI ** 4), 14);
  });
});

describe('empirical NTK and step sizes', () => {
  it('ntkGram equals J Jᵀ with J the finite-difference Jacobian of h over (w, b, a)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.constantFrom(1, 2, 3), (seed, d) => {
        const net = randomNet(5, d, seed);
        const X = mat(4, d, rngFromKey(`ntk-x/${seed}`).normals(4 * d));
        const J = jacobianFd(net, X);
        const K = ntkGram(net, X);
        for (let i = 0; i < 4; i++) {
          for (let l = 0; l < 4; l++) {
            const jj = J[i]!.reduce((s, v, p) => s + v * J[l]![p]!, 0);
            expect(Math.abs(K.get(i, l) - jj)).toBeLessThan(1e-6 * (1 + Math.abs(jj)));
          }
        }
      }),
      { ...FC, numRuns: 30 },
    );
  });

  it('extremeEigenvalues: the two eigenvalues of [[2, 1], [1, 2]] are 1 and 3; of diag(−1, 5, 2) are −1 and 5', () => {
    expect(extremeEigenvalues(new Matrix([[2, 1], [1, 2]]))).toEqual({ min: expect.closeTo(1, 12), max: expect.closeTo(3, 12) });
    expect(extremeEigenvalues(new Matrix([[-1, 0, 0], [0, 5, 0], [0, 0, 2]]))).toEqual({ min: expect.closeTo(-1, 12), max: expect.closeTo(5, 12) });
  });

  it('stepSizes: lr = 1/λ_max, κ = λ_max/λ_min, β = (1 − κ^(−1/2))² with momentum and 0 without', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), (seed) => {
        const net = randomNet(40, 1, seed);
        const X = mat(3, 1, Float64Array.from([-0.5, 0.1, 0.7]));
        const ev = new Matrix(ntkGram(net, X)).clone();
        // Independent eigenvalues: the characteristic polynomial's roots are bracketed by Gershgorin; use trace and
        // determinant identities instead: λ_max·λ_mid·λ_min = det, Σλ = trace, checked on the returned extremes.
        const e = extremeEigenvalues(ev);
        const withMomentum = stepSizes(net, X, true);
        const plain = stepSizes(net, X, false);
        expect(withMomentum.lr).toBeCloseTo(1 / e.max, 12);
        expect(plain.lr).toBeCloseTo(1 / e.max, 12);
        expect(withMomentum.kappa / (e.max / e.min) - 1).toBeCloseTo(0, 9);
        expect(withMomentum.momentum).toBeCloseTo((1 - 1 / Math.sqrt(e.max / e.min)) ** 2, 12);
        expect(plain.momentum).toBe(0);
      }),
      { ...FC, numRuns: 20 },
    );
  });

  it('stepSizes caps κ at 1e14 when the NTK is singular (momentum then just under 1)', () => {
    // Two neurons with w = 0 see the same pre-activation b at every x: with b > 0 and a = 0 the Gram matrix is
    // (b₁² + b₂²)·11ᵀ, rank one, so λ_min = 0 (up to rounding) and κ is the cap.
    const net: TwoLayerRelu = { m: 2, d: 1, w: Float64Array.from([0, 0]), b: Float64Array.from([1, 2]), a: Float64Array.from([0, 0]) };
    const X = mat(3, 1, Float64Array.from([-1, 0, 1]));
    const st = stepSizes(net, X, true);
    expect(st.lr).toBeCloseTo(1 / 15, 12); // λ_max = 3·(1 + 4)
    expect(st.kappa).toBeGreaterThan(1e13);
    expect(st.kappa).toBeLessThanOrEqual(1e14 * (1 + 1e-12));
    expect(st.momentum).toBeCloseTo((1 - 1e-7) ** 2, 9);
  });
});

describe('gradient descent (trainGd)', () => {
  const X = mat(3, 1, Float64Array.from([-0.5, 0.2, 0.6]));
  const X1 = X;
  const X2 = mat(3, 2, Float64Array.from([-0.5, 0.3, 0.2, -0.8, 0.6, 0.1]));
  const y = [0.3, -0.4, 0.25];

  it('heavy ball: the second step is θ₂ = θ₁ + β(θ₁ − θ₀) − lr·∇L(θ₁) (central differences)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.double({ min: 0.1, max: 0.9, noNaN: true }), fc.constantFrom(1, 2), (seed, beta, d) => {
        const X = d === 1 ? X1 : X2;
        const net0 = randomNet(4, d, seed);
        const lr = 1e-3;
        const net1 = copy(net0);
        trainGd(net1, X, y, { lr, momentum: beta, maxSteps: 1, tol: 0 });
        const net2 = copy(net0);
        trainGd(net2, X, y, { lr, momentum: beta, maxSteps: 2, tol: 0 });
        const e = 1e-6;
        for (const key of ['w', 'b', 'a'] as const) {
          for (let p = 0; p < net0[key].length; p++) {
            const plus = copy(net1);
            const minus = copy(net1);
            plus[key][p]! += e;
            minus[key][p]! -= e;
            const g = (loss(plus, X, y) - loss(minus, X, y)) / (2 * e);
            const expected = net1[key][p]! + beta * (net1[key][p]! - net0[key][p]!) - lr * g;
            expect(Math.abs(net2[key][p]! - expected)).toBeLessThan(1e-9 * (1 + Math.abs(expected)));
          }
        }
      }),
      { ...FC, numRuns: 25 },
    );
  });

  it('residual is ||h(X) − y||/||y||; it stops at tol (converged) or at maxSteps (not converged)', () => {
    const net = randomNet(6, 1, 7);
    const r0 = Math.hypot(...Array.from(netForward(net, X), (h, i) => h - y[i]!)) / Math.hypot(...y);
    // Zero steps allowed: the residual of the initial network, not converged unless already under tol.
    const none = trainGd(copy(net), X, y, { lr: 1e-3, momentum: 0, maxSteps: 0, tol: 0 });
    expect(none.steps).toBe(0);
    expect(none.residual).toBeCloseTo(r0, 14);
    expect(none.converged).toBe(false);
    expect(none.divergedAt).toBeNull();
    // A tolerance just above the initial residual stops at step 0 and counts as converged; just below it does not.
    expect(trainGd(copy(net), X, y, { lr: 1e-3, momentum: 0, maxSteps: 5, tol: r0 * (1 + 1e-9) })).toMatchObject({ steps: 0, converged: true });
    // tol equal to the residual counts as converged (≤, not <).
    expect(trainGd(copy(net), X, y, { lr: 1e-3, momentum: 0, maxSteps: 5, tol: none.residual! })).toMatchObject({ steps: 0, converged: true });
    const capped = trainGd(copy(net), X, y, { lr: 1e-3, momentum: 0, maxSteps: 5, tol: r0 * 1e-6 });
    expect(capped).toMatchObject({ steps: 5, converged: false, divergedAt: null });
    // The reported residual is the one of the returned parameters.
    const trained = copy(net);
    const res = trainGd(trained, X, y, { lr: 0.05, momentum: 0.5, maxSteps: 3000, tol: 1e-6 });
    expect(res.converged).toBe(true);
    expect(res.residual!).toBeLessThanOrEqual(1e-6);
    const rEnd = Math.hypot(...Array.from(netForward(trained, X), (h, i) => h - y[i]!)) / Math.hypot(...y);
    expect(res.residual).toBeCloseTo(rEnd, 14);
    expect(res.steps).toBeLessThan(3000);
  });

  it('trace: every `every` steps from 0, the last step appended; default every = max(1, ⌊maxSteps/200⌋)', () => {
    const net = randomNet(6, 1, 3);
    const t = trainGd(copy(net), X, y, { lr: 1e-3, momentum: 0, maxSteps: 23, tol: 0, every: 5 });
    expect(t.trace.map((p) => p.step)).toEqual([0, 5, 10, 15, 20, 23]);
    const t2 = trainGd(copy(net), X, y, { lr: 1e-3, momentum: 0, maxSteps: 20, tol: 0, every: 5 });
    expect(t2.trace.map((p) => p.step)).toEqual([0, 5, 10, 15, 20]);
    expect(t2.trace.at(-1)!.residual).toBe(t2.residual);
    expect(trainGd(copy(net), X, y, { lr: 1e-3, momentum: 0, maxSteps: 7, tol: 0 }).trace.map((p) => p.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(trainGd(copy(net), X, y, { lr: 1e-3, momentum: 0, maxSteps: 1000, tol: 0 }).trace.map((p) => p.step)).toEqual(
      Array.from({ length: 201 }, (_, i) => 5 * i),
    );
  });

  it('a non-finite residual stops the run at once: divergedAt = that step, residual null, not converged', () => {
    // (The 1e6-fold growth branch is not reached by a small ReLU net: over-shooting steps kill every unit first.)
    const net = randomNet(6, 1, 5);
    const nan = { ...copy(net), a: Float64Array.from(net.a, () => NaN) };
    const r = trainGd(nan, X, y, { lr: 1e-3, momentum: 0, maxSteps: 10, tol: 1e-3 });
    expect(r).toMatchObject({ steps: 0, residual: null, converged: false, divergedAt: 0 });
  });

  // The kernels in theory/lfp-net.ts are fused and neuron-major for speed; these plain row-by-row loops (the previous
  // implementation) are the oracle. Same operations in the same order, so the results must agree bit for bit.
  const forwardByRows = (net: TwoLayerRelu, X: Mat): Float64Array =>
    Float64Array.from({ length: X.rows }, (_, i) => {
      let s = 0;
      for (let j = 0; j < net.m; j++) {
        let z = net.b[j]!;
        for (let k = 0; k < net.d; k++) z += net.w[j * net.d + k]! * X.data[i * net.d + k]!;
        if (z > 0) s += net.a[j]! * z;
      }
      return s;
    });
  const gdByRows = (net: TwoLayerRelu, X: Mat, y: number[], lr: number, beta: number, steps: number) => {
    const { m, d } = net;
    const vw = new Float64Array(m * d);
    const vb = new Float64Array(m);
    const va = new Float64Array(m);
    for (let t = 0; t < steps; t++) {
      const z = Array.from({ length: X.rows }, (_, i) =>
        Array.from({ length: m }, (_, j) => {
          let s = net.b[j]!;
          for (let k = 0; k < d; k++) s += net.w[j * d + k]! * X.data[i * d + k]!;
          return s;
        }),
      );
      const r = forwardByRows(net, X).map((h, i) => h - y[i]!);
      for (let j = 0; j < m; j++) {
        let ga = 0;
        let gb = 0;
        for (let i = 0; i < X.rows; i++) if (z[i]![j]! > 0) (ga += r[i]! * z[i]![j]!), (gb += r[i]!);
        const aj = net.a[j]!;
        for (let k = 0; k < d; k++) {
          let gw = 0;
          for (let i = 0; i < X.rows; i++) if (z[i]![j]! > 0) gw += r[i]! * X.data[i * d + k]!;
          net.w[j * d + k]! += vw[j * d + k] = beta * vw[j * d + k]! - lr * aj * gw;
        }
        net.b[j]! += vb[j] = beta * vb[j]! - lr * aj * gb;
        net.a[j]! += va[j] = beta * va[j]! - lr * ga;
      }
    }
  };

  it('netForward and trainGd equal plain row-by-row loops bit for bit (d = 1, 2, 3; with and without momentum)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.constantFrom(1, 2, 3), fc.boolean(), fc.integer({ min: 1, max: 12 }), (seed, d, heavy, steps) => {
        const rng = rngFromKey(`lfp-net-rows/${seed}`);
        const net = initAntisymmetric(8, d, { vw: 1, vl: 1, va: 0.5, law: 'gaussian' }, rng);
        for (let j = 0; j < net.m; j++) net.a[j]! += 0.1 * rng.normal(); // h ≢ 0, so every path is exercised
        const X = mat(5, d, rng.normals(5 * d));
        const y = Array.from({ length: 5 }, () => rng.normal());
        expect(Array.from(netForward(net, X))).toEqual(Array.from(forwardByRows(net, X)));
        const fused = cloneNet(net);
        const res = trainGd(fused, X, y, { lr: 0.02, momentum: heavy ? 0.5 : 0, maxSteps: steps, tol: 0 });
        expect(res.steps).toBe(steps);
        gdByRows(net, X, y, 0.02, heavy ? 0.5 : 0, steps);
        expect([Array.from(fused.w), Array.from(fused.b), Array.from(fused.a)]).toEqual([Array.from(net.w), Array.from(net.b), Array.from(net.a)]);
      }),
      FC,
    );
  });
});
