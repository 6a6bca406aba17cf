// Exact properties of theory/homogeneous.ts: the bias-free two-layer ReLU network of Lyu & Li (ICLR 2020).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rngFromKey } from '../../core/rng.ts';
import { forwardOne, initTwoLayer, margins, normalizedMargin, paramNormSq, smoothedMargin, trainTwoLayer, type TwoLayer } from '../../theory/homogeneous.ts';
import { marginLoss, type MarginLoss } from '../../theory/maxmargin.ts';
import { matFromRows } from '../../theory/mlp.ts';
import { FC } from '../helpers.ts';

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

/** A hand-made net: units w₁ = (1, 0), a₁ = 2; w₂ = (0, 1), a₂ = −1; w₃ = (−1, −1), a₃ = 3. */
const handNet = (): TwoLayer => ({ W: Float64Array.of(1, 0, 0, 1, -1, -1), a: Float64Array.of(2, -1, 3), m: 3, d: 2 });

describe('two-layer ReLU network: values by hand', () => {
  it('forwardOne sums a_j·relu(w_j·x) over the active units, reading x at an offset', () => {
    const net = handNet();
    // x = (1, 2): pre-activations (1, 2, −3) → 2·1 − 1·2 + 0 = 0.
    expect(forwardOne(net, [1, 2])).toBe(0);
    // x = (3, −1): (3, −1, −2) → 6.
    expect(forwardOne(net, [3, -1])).toBe(6);
    // x = (−1, −1): (−1, −1, 2) → 6; a unit exactly at 0 contributes nothing: x = (0, 0) → 0.
    expect(forwardOne(net, [-1, -1])).toBe(6);
    expect(forwardOne(net, [9, 9, 3, -1], 2)).toBe(6);
    expect(paramNormSq(net)).toBe(1 + 1 + 2 + 4 + 1 + 9);
    const X = matFromRows([[1, 2], [3, -1], [-1, -1]]);
    expect(Array.from(margins(net, X, [1, -1, 1]))).toEqual([0, -6, 6]);
    // γ = min_n y_n f(x_n)/‖θ‖² = −6/18.
    expect(normalizedMargin(net, X, [1, -1, 1])).toBe(-6 / 18);
    expect(normalizedMargin(net, matFromRows([[3, -1], [-1, -1]]), [1, 1])).toBe(6 / 18);
  });

  it('initTwoLayer draws m×d and m weights with standard deviation `scale`', () => {
    const net = initTwoLayer(50, 40, 0.3, rngFromKey('init'));
    expect([net.m, net.d, net.W.length, net.a.length]).toEqual([50, 40, 2000, 50]);
    const sd = Math.sqrt(Array.from(net.W).reduce((s, v) => s + v * v, 0) / 2000);
    expect(sd).toBeGreaterThan(0.27);
    expect(sd).toBeLessThan(0.33);
    const sa = Math.sqrt(Array.from(net.a).reduce((s, v) => s + v * v, 0) / 50);
    expect(sa).toBeGreaterThan(0.2);
    expect(sa).toBeLessThan(0.4);
  });

  it('the smoothed margin −log(e^L − 1)/‖θ‖² is a lower bound on γ, and undefined outside 0 < L < log 2', () => {
    expect(smoothedMargin(0, 1)).toBeNull();
    expect(smoothedMargin(-1, 1)).toBeNull();
    expect(smoothedMargin(Math.LN2, 1)).toBeNull();
    expect(smoothedMargin(Number.NaN, 1)).toBeNull();
    // L = log(1 + e^−2) gives e^L − 1 = e^−2, so the value is 2/‖θ‖².
    expect(smoothedMargin(Math.log1p(Math.exp(-2)), 4)).toBeCloseTo(0.5, 14);
    expect(smoothedMargin(Math.LN2 * 0.999, 1)).toBeGreaterThan(0);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.double({ min: 1, max: 20, noNaN: true }), (seed, c) => {
        const rng = rngFromKey(`smooth/${seed}`);
        const X = { rows: 6, cols: 3, data: rng.normals(18) };
        const net = initTwoLayer(5, 3, 1, rng);
        const scaled = { ...net, W: net.W.map((v) => c * v), a: net.a.map((v) => c * v) };
        const y = Array.from(margins(scaled, X, [1, 1, 1, 1, 1, 1]), (q) => (q >= 0 ? 1 : -1));
        const L = Array.from(margins(scaled, X, y)).reduce((s, q) => s + marginLoss('logistic', q), 0);
        const sm = smoothedMargin(L, paramNormSq(scaled));
        fc.pre(sm !== null);
        expect(sm!).toBeLessThanOrEqual(normalizedMargin(scaled, X, y) + 1e-12);
      }),
      { ...FC, numRuns: 30 },
    );
  });
});

describe('two-layer ReLU network: the GD loop', () => {
  it('one step follows the finite-difference gradient for the exp and squared losses too', () => {
    for (const loss of ['exp', 'squared'] as MarginLoss[]) {
      const rng = rngFromKey(`homgrad-${loss}`);
      const X = { rows: 4, cols: 2, data: rng.normals(8) };
      const y = [1, -1, -1, 1];
      const net = initTwoLayer(3, 2, 1, rng);
      const L = (W: Float64Array, a: Float64Array) => Array.from(margins({ ...net, W, a }, X, y)).reduce((s, q) => s + marginLoss(loss, q), 0);
      const before = { W: net.W.slice(), a: net.a.slice() };
      const eta = 1e-3;
      trainTwoLayer(net, X, y, { loss, eta, steps: 1, record: [] });
      const h = 1e-6;
      for (let i = 0; i < before.a.length; i++) {
        const p = before.a.slice();
        const m = before.a.slice();
        p[i]! += h;
        m[i]! -= h;
        expect((before.a[i]! - net.a[i]!) / eta).toBeCloseTo((L(before.W, p) - L(before.W, m)) / (2 * h), 4);
      }
      for (let i = 0; i < before.W.length; i++) {
        const p = before.W.slice();
        const m = before.W.slice();
        p[i]! += h;
        m[i]! -= h;
        expect((before.W[i]! - net.W[i]!) / eta).toBeCloseTo((L(p, before.a) - L(m, before.a)) / (2 * h), 4);
      }
    }
  });

  it('a unit with pre-activation exactly 0 gets no gradient (relu\'(0) = 0); one logistic step by hand', () => {
    // One point x = (1, 0), y = 1; unit 1 w = (0, 1) has w·x = 0, unit 2 w = (1, 0), a = 1 → f = 1.
    const net: TwoLayer = { W: Float64Array.of(0, 1, 1, 0), a: Float64Array.of(5, 1), m: 2, d: 2 };
    trainTwoLayer(net, matFromRows([[1, 0]]), [1], { loss: 'logistic', eta: 1, steps: 1, record: [] });
    // dL/df = −1/(1 + e) at q = 1; unit 2: a ← 1 + 1/(1+e)·1, w ← (1, 0) + 1/(1+e)·1·(1, 0). Unit 1 unchanged.
    const g = 1 / (1 + Math.E);
    expect(Array.from(net.W.subarray(0, 2))).toEqual([0, 1]);
    expect(net.a[0]).toBe(5);
    expect(net.a[1]).toBeCloseTo(1 + g, 15);
    expect(net.W[2]).toBeCloseTo(1 + g, 15);
    expect(net.W[3]).toBe(0);
  });

  it('records loss, ‖θ‖² and the minimum margin at the requested integer times only, and stops at divergence', () => {
    const rng = rngFromKey('homtrain');
    const X = { rows: 5, cols: 2, data: rng.normals(10) };
    const y = [1, -1, 1, -1, 1];
    const net = initTwoLayer(4, 2, 0.5, rng);
    const start = { W: net.W.slice(), a: net.a.slice() };
    const r = trainTwoLayer(net, X, y, { loss: 'logistic', eta: 0.05, steps: 6, record: [6, 2, 2, -1, 0, 2.5, 9, 4] });
    expect(r.divergedAt).toBeNull();
    expect(r.snapshots.map((s) => s.t)).toEqual([0, 2, 4, 6]);
    const q0 = Array.from(margins({ ...net, ...start }, X, y));
    expect(r.snapshots[0]!.loss).toBeCloseTo(q0.reduce((s, q) => s + marginLoss('logistic', q), 0), 14);
    expect(r.snapshots[0]!.normSq).toBe(paramNormSq({ ...net, ...start }));
    expect(r.snapshots[0]!.minMargin).toBe(Math.min(...q0));
    const q6 = Array.from(margins(net, X, y));
    expect(r.snapshots[3]!.minMargin).toBe(Math.min(...q6));
    expect(r.snapshots[3]!.normSq).toBe(paramNormSq(net));
    // The loss decreases over these small steps.
    expect(r.snapshots[3]!.loss).toBeLessThan(r.snapshots[0]!.loss);
    // Squared loss with a huge step: the weights overflow; the step is reported and recording stops there.
    const big = initTwoLayer(4, 2, 1, rngFromKey('homdiv'));
    const d = trainTwoLayer(big, X, y, { loss: 'squared', eta: 50, steps: 200, record: [0, 1, 199, 200] });
    expect(d.divergedAt).not.toBeNull();
    expect(d.divergedAt!).toBeGreaterThan(1);
    expect(d.divergedAt!).toBeLessThan(200);
    expect(d.snapshots.map((s) => s.t)).toEqual([0, 1]);
    expect(Number.isFinite(big.a[0]!)).toBe(false);
  });
});
