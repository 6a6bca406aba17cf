// Exact properties of theory/homogeneous.ts: the bias-free two-layer ReLU network of Lyu & Li (ICLR 2020).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rngFromKey } from '../../core/rng.ts';
import { forwardOne, initTwoLayer, margins, trainTwoLayer } from '../../theory/homogeneous.ts';
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
