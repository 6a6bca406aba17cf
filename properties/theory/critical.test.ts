// Exact properties of theory/critical.ts (BRIEF §4.4): the R-operator Hessian against finite differences of the
// exact gradient, the symmetric eigendecomposition and inertia, the Newton critical-point finder in its two
// modes, and the softmax cross-entropy loss against its closed form and finite differences.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rngFromKey } from '../../core/rng.ts';
import { findCriticalPoint, gradNorm, hessian, hessianVector, inertia, norm2, spectrum, xentLossGrad } from '../../theory/critical.ts';
import {
  ACTIVATIONS,
  flattenGrads,
  flattenParams,
  forward,
  initMlp,
  mat,
  mseLossGrad,
  paramCount,
  withParams,
  type Activation,
  type Mat,
  type Mlp,
  type Parameterization,
} from '../../theory/mlp.ts';
import { FC } from '../helpers.ts';

const arch = fc.record({
  hidden: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
  dIn: fc.integer({ min: 1, max: 3 }),
  dOut: fc.integer({ min: 1, max: 3 }),
  activation: fc.constantFrom<Activation>(...ACTIVATIONS),
  parameterization: fc.constantFrom<Parameterization>('standard', 'ntk'),
  sigmaW: fc.double({ min: 0.3, max: 2.5, noNaN: true }),
  sigmaB: fc.double({ min: 0, max: 1.5, noNaN: true }),
  n: fc.integer({ min: 1, max: 5 }),
  seed: fc.integer({ min: 0, max: 1e6 }),
});
type Arch = typeof arch extends fc.Arbitrary<infer T> ? T : never;

function build(a: Arch): { net: Mlp; X: Mat; Y: Mat; labels: number[] } {
  const rng = rngFromKey(`critical-test/${a.seed}`);
  const widths = [a.dIn, ...a.hidden, a.dOut];
  const net = initMlp(widths, { activation: a.activation, parameterization: a.parameterization, sigmaW: a.sigmaW, sigmaB: a.sigmaB }, rng);
  return {
    net,
    X: mat(a.n, a.dIn, rng.normals(a.n * a.dIn, 1.5)),
    Y: mat(a.n, a.dOut, rng.normals(a.n * a.dOut)),
    labels: Array.from({ length: a.n }, () => rng.int(a.dOut)),
  };
}

const smooth = fc.constantFrom<Activation>('tanh', 'erf', 'linear');
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

/** Central difference of a scalar function of θ along every coordinate. */
function fdGradient(f: (theta: Float64Array) => number, theta: Float64Array, h: number): Float64Array {
  return theta.map((_, p) => {
    const tp = theta.slice();
    const tm = theta.slice();
    tp[p]! += h;
    tm[p]! -= h;
    return (f(tp) - f(tm)) / (2 * h);
  });
}

describe('exact Hessian (R-operator)', () => {
  it('H·v equals the central difference of the exact gradient (smooth activations, both parameterizations, any depth)', () => {
    // ReLU is excluded: its Hessian is the a.e. one (φ'' = 0), and a difference across a kink is not.
    fc.assert(
      fc.property(arch, smooth, (a0, activation) => {
        const a = { ...a0, activation };
        const { net, X, Y } = build(a);
        const rng = rngFromKey(`hv/${a.seed}`);
        const P = paramCount(net);
        const v = rng.normals(P);
        const th = flattenParams(net);
        const h = 1e-5;
        const gp = flattenGrads(mseLossGrad(withParams(net, th.map((x, i) => x + h * v[i]!)), X, Y).grads);
        const gm = flattenGrads(mseLossGrad(withParams(net, th.map((x, i) => x - h * v[i]!)), X, Y).grads);
        const fd = gp.map((x, i) => (x - gm[i]!) / (2 * h));
        const hv = hessianVector(net, X, Y, v);
        // Central differences are accurate to O(h²·‖∂³L‖) plus round-off O(ε·‖∇L‖/h).
        expect(norm2(hv.map((x, i) => x - fd[i]!))).toBeLessThanOrEqual(1e-5 * Math.max(1, norm2(fd)));
      }),
      { ...FC, numRuns: 10 },
    );
  });

  it('the Hessian matrix is exactly symmetric, its columns are H·e_p, and H·v is linear in v', () => {
    fc.assert(
      fc.property(arch, (a) => {
        const { net, X, Y } = build(a);
        const P = paramCount(net);
        const H = hessian(net, X, Y);
        expect(H.length).toBe(P * P);
        const rng = rngFromKey(`sym/${a.seed}`);
        const u = rng.normals(P);
        const v = rng.normals(P);
        const Hv = hessianVector(net, X, Y, v);
        const Hu = hessianVector(net, X, Y, u);
        const scale = Math.max(1, norm2(Hv), norm2(Hu)) * Math.max(1, norm2(u), norm2(v));
        let asym = 0;
        let rowErr = 0;
        for (let p = 0; p < P; p++) {
          for (let q = 0; q < P; q++) asym = Math.max(asym, Math.abs(H[p * P + q]! - H[q * P + p]!));
          // Row p of the (symmetrized) matrix times v is (H·v)_p up to round-off.
          let row = 0;
          for (let q = 0; q < P; q++) row += H[p * P + q]! * v[q]!;
          rowErr = Math.max(rowErr, Math.abs(row - Hv[p]!));
        }
        expect(asym).toBe(0);
        expect(rowErr).toBeLessThanOrEqual(1e-10 * scale);
        // uᵀHv = vᵀHu (the R-operator's H is symmetric); H(u + 2v) = Hu + 2Hv.
        expect(Math.abs(dot(u, Hv) - dot(v, Hu))).toBeLessThanOrEqual(1e-10 * scale);
        const Hw = hessianVector(net, X, Y, u.map((x, i) => x + 2 * v[i]!));
        expect(norm2(Hw.map((x, i) => x - Hu[i]! - 2 * Hv[i]!))).toBeLessThanOrEqual(1e-10 * scale);
      }),
      { ...FC, numRuns: 5 },
    );
  });

  it('for a linear network with one hidden unit, H matches the hand-derived 4×4 matrix', () => {
    // f = w2(w1 x + b1) + b2, L = (1/2n)Σ(f − y)². Data x = (1, −1), y = (1, 3), θ = (w1, b1, w2, b2) = (2, 1, 3, 0.5):
    // f = (9.5, −2.5), r = (8.5, −5.5). J_i = ∂f/∂θ = (w2 x, w2, w1 x + b1, 1): J_1 = (3, 3, 3, 1), J_2 = (−3, 3, −1, 1).
    // The only second derivatives of f are ∂²f/∂w1∂w2 = x and ∂²f/∂b1∂w2 = 1, so H = (1/n)Σ[J_iᵀJ_i + r_i·∂²f_i]
    // adds mean(r·x) = 7 at (w1, w2) and mean(r) = 1.5 at (b1, w2) to the Gauss–Newton part (checked with numpy
    // by second differences of L).
    const net: Mlp = {
      activation: 'linear',
      parameterization: 'standard',
      sigmaW: 1,
      sigmaB: 1,
      layers: [
        { nIn: 1, nOut: 1, W: Float64Array.from([2]), b: Float64Array.from([1]) },
        { nIn: 1, nOut: 1, W: Float64Array.from([3]), b: Float64Array.from([0.5]) },
      ],
    };
    const X = mat(2, 1, Float64Array.from([1, -1]));
    const Y = mat(2, 1, Float64Array.from([1, 3]));
    const want = [
      [9, 0, 6 + 7, 0],
      [0, 9, 3 + 1.5, 3],
      [6 + 7, 3 + 1.5, 5, 1],
      [0, 3, 1, 1],
    ];
    const H = hessian(net, X, Y);
    want.forEach((r, p) => r.forEach((w, q) => expect(H[p * 4 + q]).toBeCloseTo(w, 13)));
  });
});

describe('spectrum and inertia', () => {
  it('spectrum of a known symmetric matrix: [[2,1,0],[1,2,0],[0,0,−1]] has eigenvalues −1, 1, 3', () => {
    const { values, vectors } = spectrum(Float64Array.from([2, 1, 0, 1, 2, 0, 0, 0, -1]), 3);
    [-1, 1, 3].forEach((l, i) => expect(values[i]).toBeCloseTo(l, 14));
    // Eigenvectors as columns: e_3, (1, −1, 0)/√2, (1, 1, 0)/√2 up to sign.
    const col = (i: number) => [0, 1, 2].map((q) => vectors[q * 3 + i]!);
    expect(col(0).map(Math.abs)).toEqual([0, 0, 1]);
    expect(Math.abs(col(1)[0]! + col(1)[1]!)).toBeLessThan(1e-15);
    expect(Math.abs(col(2)[0]! - col(2)[1]!)).toBeLessThan(1e-15);
    expect(Math.abs(col(2)[0]!)).toBeCloseTo(Math.SQRT1_2, 15);
  });

  it('for random symmetric matrices: ascending eigenvalues, orthonormal eigenvector columns, H·V = V·Λ', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 1e6 }), (P, seed) => {
        const rng = rngFromKey(`spec/${seed}`);
        const A = rng.normals(P * P);
        const H = new Float64Array(P * P);
        for (let p = 0; p < P; p++) for (let q = 0; q < P; q++) H[p * P + q] = A[p * P + q]! + A[q * P + p]!;
        const { values, vectors } = spectrum(H, P);
        expect(values.length).toBe(P);
        for (let i = 1; i < P; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]!);
        let trace = 0;
        for (let p = 0; p < P; p++) trace += H[p * P + p]!;
        expect(values.reduce((s, x) => s + x, 0)).toBeCloseTo(trace, 10);
        for (let i = 0; i < P; i++) {
          const vi = Array.from({ length: P }, (_, q) => vectors[q * P + i]!);
          for (let j = 0; j < P; j++) expect(dot(vi, Array.from({ length: P }, (_, q) => vectors[q * P + j]!))).toBeCloseTo(i === j ? 1 : 0, 12);
          for (let p = 0; p < P; p++) expect(dot(H.subarray(p * P, (p + 1) * P), vi)).toBeCloseTo(values[i]! * vi[p]!, 10);
        }
      }),
      { ...FC, numRuns: 8 },
    );
  });

  it('inertia counts |λ| ≤ tol as zero (inclusive), the rest by sign', () => {
    expect(inertia([-2, -1e-11, 0, 1e-11, 3, -1e-10, 2e-11], 1e-11)).toEqual({ neg: 2, zero: 3, pos: 2 });
    expect(inertia([], 1)).toEqual({ neg: 0, zero: 0, pos: 0 });
    expect(inertia([-1, 1], 1)).toEqual({ neg: 0, zero: 2, pos: 0 });
    expect(inertia([-1, 0, 1], 0)).toEqual({ neg: 1, zero: 1, pos: 1 });
    // Unequal negative and positive counts, so a mix-up of the two signs shows.
    expect(inertia([-3, -2, 1], 0.5)).toEqual({ neg: 2, zero: 0, pos: 1 });
  });

  it('norm2 is the Euclidean norm', () => {
    expect(norm2([3, 4])).toBe(5);
    expect(norm2([])).toBe(0);
    expect(norm2(Float64Array.from([-1, 2, -2]))).toBe(3);
  });

  it('gradNorm is the norm of the loss gradient, checked by central differences of the loss', () => {
    fc.assert(
      fc.property(arch, smooth, (a0, activation) => {
        const { net, X, Y } = build({ ...a0, activation });
        const loss = (t: Float64Array) => mseLossGrad(withParams(net, t), X, Y).loss;
        const fd = fdGradient(loss, flattenParams(net), 1e-5);
        expect(Math.abs(gradNorm(net, X, Y) - norm2(fd))).toBeLessThanOrEqual(1e-6 * Math.max(1, norm2(fd)));
      }),
      { ...FC, numRuns: 6 },
    );
  });
});

// BRIEF §4.2's calibration data: 20 points evenly spaced on [−1, 1], target sin 3x + 0.3x.
const gridX = Array.from({ length: 20 }, (_, i) => -1 + (2 * i) / 19);
const data = { x: mat(20, 1, Float64Array.from(gridX)), y: mat(20, 1, Float64Array.from(gridX.map((x) => Math.sin(3 * x) + 0.3 * x))) };
const ybar = gridX.reduce((s, x) => s + Math.sin(3 * x) + 0.3 * x, 0) / 20;
/** The constant fit's loss (1/2n)Σ(y − ȳ)²: the loss at the saddle line w1 = w2 = 0, b2 = ȳ (any b1). */
const saddleLoss = gridX.reduce((s, x) => s + (Math.sin(3 * x) + 0.3 * x - ybar) ** 2, 0) / 40;
const tanh111 = (w1: number, b1: number, w2: number, b2: number): Mlp => ({
  activation: 'tanh',
  parameterization: 'standard',
  sigmaW: 1,
  sigmaB: 1,
  layers: [
    { nIn: 1, nOut: 1, W: Float64Array.from([w1]), b: Float64Array.from([b1]) },
    { nIn: 1, nOut: 1, W: Float64Array.from([w2]), b: Float64Array.from([b2]) },
  ],
});

describe('Newton critical-point finder (BRIEF §4.4 P4.2)', () => {
  it('from a seeded init it reaches ‖∇L‖ < 1e-11 at a minimum, quadratically at the end, and reports its path', () => {
    // One hidden unit: the minimum is nondegenerate (wider nets have embedded, flat minima where Newton is linear).
    const start = initMlp([1, 1, 1], { activation: 'tanh', parameterization: 'standard', sigmaW: 1, sigmaB: 1 }, rngFromKey('critical-test/newton'));
    const r = findCriticalPoint(start, data.x, data.y);
    expect(r.gradNorm).toBeLessThan(1e-11);
    expect(r.gradNorm).toBe(gradNorm(r.net, data.x, data.y));
    expect(r.loss).toBe(mseLossGrad(r.net, data.x, data.y).loss);
    expect(r.loss).toBeLessThan(saddleLoss);
    expect(r.history[0]).toBe(gradNorm(start, data.x, data.y));
    expect(r.history.at(-1)).toBe(r.gradNorm);
    expect(r.iterations).toBe(r.history.length - 1);
    // A strict minimum: every Hessian eigenvalue positive.
    expect(spectrum(hessian(r.net, data.x, data.y), paramCount(r.net)).values[0]).toBeGreaterThan(1e-6);
    // Quadratic convergence: some step goes from ‖∇L‖ = g to below g²·K with a modest K, down from g < 1e-3.
    const quad = r.history.some((g, i) => i > 0 && r.history[i - 1]! < 1e-3 && g < 100 * r.history[i - 1]! ** 2 + 1e-14);
    expect(quad).toBe(true);
  });

  it('maxIter bounds the iterations; maxIter 0 returns the start unchanged', () => {
    const start = initMlp([1, 1, 1], { activation: 'erf', parameterization: 'ntk', sigmaW: 1, sigmaB: 1 }, rngFromKey('critical-test/newton'));
    const r0 = findCriticalPoint(start, data.x, data.y, { maxIter: 0 });
    expect(r0.iterations).toBe(0);
    expect(r0.net).toBe(start);
    expect(r0.history).toEqual([gradNorm(start, data.x, data.y)]);
    const r2 = findCriticalPoint(start, data.x, data.y, { maxIter: 2 });
    expect(r2.iterations).toBe(2);
    expect(r2.history.length).toBe(3);
    // The default bound (300) lets it finish.
    expect(findCriticalPoint(start, data.x, data.y).gradNorm).toBeLessThan(1e-11);
  });

  it("mode 'nearest' converges to the saddle next to its start; 'descend' leaves it for a lower loss", () => {
    // θ = (w1, b1, w2, b2) = (0, b1, 0, ȳ) is critical for every b1 (the output is constant ȳ, and ∂L/∂w2 =
    // mean((ȳ − y)·tanh(b1)) = 0), with loss (1/2n)Σ(y − ȳ)²; ∂²L/∂w1∂w2 = mean(r·x)·φ'(b1) ≠ 0 makes it a saddle
    // (and a degenerate one: Newton may drift along b1 to where φ'(b1) is tiny, so only w2, b2 and the loss are pinned).
    const start = tanh111(0.01, 0.3, -0.01, ybar + 0.005);
    const near = findCriticalPoint(start, data.x, data.y, { mode: 'nearest' });
    expect(near.gradNorm).toBeLessThan(1e-11);
    expect(near.loss).toBeCloseTo(saddleLoss, 12);
    const [, , w2, b2] = flattenParams(near.net);
    expect(Math.abs(w2!)).toBeLessThan(1e-9);
    expect(b2).toBeCloseTo(ybar, 12);
    const down = findCriticalPoint(start, data.x, data.y, { mode: 'descend' });
    expect(down.gradNorm).toBeLessThan(1e-11);
    expect(down.loss).toBeLessThan(saddleLoss - 0.1);
    expect(findCriticalPoint(start, data.x, data.y).loss).toBe(down.loss); // 'descend' is the default
  });

  it('near a nondegenerate minimum the pure Newton step converges quadratically: a few iterations, each accepted', () => {
    const min = findCriticalPoint(initMlp([1, 1, 1], { activation: 'tanh', parameterization: 'standard', sigmaW: 1, sigmaB: 1 }, rngFromKey('critical-test/newton')), data.x, data.y);
    const rng = rngFromKey('critical-test/perturb');
    const th = flattenParams(min.net);
    for (const mode of ['descend', 'nearest'] as const) {
      const start = withParams(min.net, th.map((x) => x + 1e-3 * rng.normal()));
      const r = findCriticalPoint(start, data.x, data.y, { mode });
      expect(r.gradNorm).toBeLessThan(1e-11);
      expect(r.loss).toBeCloseTo(min.loss, 14);
      // ‖∇L‖ ~ 1e-3 → 1e-6 → 1e-12 → round-off: quadratic convergence needs about 4 steps; allow 6.
      expect(r.iterations).toBeLessThanOrEqual(6);
      for (let i = 1; i < r.history.length; i++) expect(r.history[i]).toBeLessThan(r.history[i - 1]!);
    }
  });

  it('cut ≥ 1 keeps no eigendirection in the Newton step: mode nearest then returns the start', () => {
    // The pseudo-inverse keeps |λ_i| > cut·max|λ|: none for cut = 1, the top one for cut just below 1.
    const start = tanh111(0.01, 0.3, -0.01, ybar + 0.005);
    const none = findCriticalPoint(start, data.x, data.y, { mode: 'nearest', cut: 1 });
    expect(none.iterations).toBe(0);
    expect(none.net).toBe(start);
    const top = findCriticalPoint(start, data.x, data.y, { mode: 'nearest', cut: 0.999999, maxIter: 1 });
    expect(top.iterations).toBe(1);
  });

  it('a start already at a critical point with ‖∇L‖ = 0 exactly is returned unchanged', () => {
    // y = (1, 1) and θ = (0, 0, 0, 1): the network outputs 1 everywhere, every residual is 0, so is ∇L, exactly.
    const X = mat(2, 1, Float64Array.from([1, -1]));
    const Y = mat(2, 1, Float64Array.from([1, 1]));
    const start = tanh111(0, 0, 0, 1);
    expect(gradNorm(start, X, Y)).toBe(0);
    const r = findCriticalPoint(start, X, Y);
    expect(r.iterations).toBe(0);
    expect(r.net).toBe(start);
    expect(r.gradNorm).toBe(0);
  });
});

describe('softmax cross-entropy', () => {
  it('loss is −(1/n)Σ log softmax(f)[c] and the gradient matches central differences of the loss', () => {
    fc.assert(
      fc.property(arch, smooth, (a0, activation) => {
        const { net, X, labels } = build({ ...a0, activation });
        const f = forward(net, X);
        const k = f.cols;
        let want = 0;
        for (let i = 0; i < f.rows; i++) {
          const row = Array.from(f.data.subarray(i * k, (i + 1) * k));
          want -= Math.log(Math.exp(row[labels[i]!]!) / row.reduce((s, z) => s + Math.exp(z), 0));
        }
        const { loss, grads } = xentLossGrad(net, X, labels);
        expect(loss).toBeCloseTo(want / f.rows, 12);
        const fd = fdGradient((t) => xentLossGrad(withParams(net, t), X, labels).loss, flattenParams(net), 1e-5);
        expect(norm2(flattenGrads(grads).map((g, i) => g - fd[i]!))).toBeLessThanOrEqual(1e-6 * Math.max(1, norm2(fd)));
      }),
      { ...FC, numRuns: 6 },
    );
  });

  it('is stable for huge logits: f = (1000, 0) gives loss 0 for class 0 and 1000 for class 1', () => {
    const net: Mlp = {
      activation: 'linear',
      parameterization: 'standard',
      sigmaW: 1,
      sigmaB: 1,
      layers: [
        { nIn: 1, nOut: 1, W: Float64Array.from([1]), b: Float64Array.from([0]) },
        { nIn: 1, nOut: 2, W: Float64Array.from([1000, 0]), b: Float64Array.from([0, 0]) },
      ],
    };
    const X = mat(1, 1, Float64Array.from([1]));
    expect(xentLossGrad(net, X, [0]).loss).toBe(0);
    expect(xentLossGrad(net, X, [1]).loss).toBe(1000);
    // dL/df = softmax − onehot = (0, 1) − (0, 1)... for class 1: (1, 0) − (0, 1) = (1, −1), so dL/dW2 = x·(1, −1).
    expect(Array.from(xentLossGrad(net, X, [1]).grads[1]!.W)).toEqual([1, -1]);
    expect(Array.from(xentLossGrad(net, X, [1]).grads[1]!.b)).toEqual([1, -1]);
    expect(Array.from(xentLossGrad(net, X, [0]).grads[1]!.b)).toEqual([0, 0]);
  });
});
