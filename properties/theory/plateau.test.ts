// Exact properties of theory/plateau.ts (arXiv:2105.14573 Fig. 1; research/embedding-plateaus.md): the two-layer
// tanh loss and gradient against the reference MLP (a second implementation) and finite differences, the GD loop
// against step-by-step updates, the plateau rule on curves with hand-derived plateaus, D, unit activity, and the
// least-squares output layer against its normal equations.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rngFromKey } from '../../core/rng.ts';
import { flattenGrads, forward, mat, mseLossGrad } from '../../theory/mlp.ts';
import {
  findPlateaus,
  functionDistance,
  gdTwoLayer,
  logGrid,
  mlpToTwoLayer,
  solveLinear,
  twoLayerForward,
  twoLayerLossGrad,
  twoLayerToMlp,
  twoLayerWidth,
  unitActivity,
  withBestOutputLayer,
} from '../../theory/plateau.ts';
import { FC } from '../helpers.ts';

const setup = fc.record({ m: fc.integer({ min: 1, max: 5 }), n: fc.integer({ min: 1, max: 8 }), seed: fc.integer({ min: 0, max: 1e6 }) });
function build({ m, n, seed }: { m: number; n: number; seed: number }) {
  const rng = rngFromKey(`plateau-test/${seed}`);
  return { theta: rng.normals(3 * m + 1, 0.8), xs: rng.normals(n, 3), ys: rng.normals(n, 1) };
}

describe('two-layer tanh network', () => {
  it('forward, loss and gradient equal the reference MLP (loss and gradient ×2: mean against (1/2n) convention)', () => {
    fc.assert(
      fc.property(setup, (s) => {
        const { theta, xs, ys } = build(s);
        const net = twoLayerToMlp(theta);
        const X = mat(s.n, 1, Float64Array.from(xs));
        const Y = mat(s.n, 1, Float64Array.from(ys));
        const f = twoLayerForward(theta, xs);
        const ref = forward(net, X).data;
        f.forEach((v, i) => expect(v).toBeCloseTo(ref[i]!, 12));
        const mine = twoLayerLossGrad(theta, xs, ys);
        const r = mseLossGrad(net, X, Y);
        expect(mine.loss).toBeCloseTo(2 * r.loss, 12);
        const g = flattenGrads(r.grads); // W1 (w), b1 (b), W2 (a), b2 (c): the same order as θ
        mine.grad.forEach((v, i) => expect(Math.abs(v - 2 * g[i]!)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(v))));
        expect(Array.from(mlpToTwoLayer(net))).toEqual(Array.from(theta));
      }),
      FC,
    );
  });

  it('the gradient matches central finite differences of the loss', () => {
    fc.assert(
      fc.property(setup, (s) => {
        const { theta, xs, ys } = build(s);
        const { grad } = twoLayerLossGrad(theta, xs, ys);
        const h = 1e-6;
        for (let p = 0; p < theta.length; p++) {
          const up = theta.slice();
          const dn = theta.slice();
          up[p]! += h;
          dn[p]! -= h;
          const fd = (twoLayerLossGrad(up, xs, ys).loss - twoLayerLossGrad(dn, xs, ys).loss) / (2 * h);
          expect(Math.abs(fd - grad[p]!)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(fd)));
        }
      }),
      { ...FC, numRuns: 40 },
    );
  });

  it('rejects a parameter vector whose length is not 3m+1', () => {
    expect(twoLayerWidth(new Float64Array(7))).toBe(2);
    expect(() => twoLayerWidth(new Float64Array(6))).toThrow(/3m\+1/);
    expect(() => twoLayerWidth(new Float64Array(1))).toThrow(/3m\+1/);
  });
});

describe('gdTwoLayer', () => {
  it('equals repeated θ ← θ − lr·∇L, recording loss and θ exactly at the requested steps', () => {
    fc.assert(
      fc.property(setup, fc.double({ min: 1e-3, max: 0.05, noNaN: true }), fc.integer({ min: 1, max: 12 }), (s, lr, T) => {
        const { theta, xs, ys } = build(s);
        const at = [...new Set([0, Math.floor(T / 2), T])].sort((a, b) => a - b);
        const { records, divergedAt, stoppedAt } = gdTwoLayer(theta, xs, ys, lr, at);
        expect(divergedAt).toBeNull();
        expect(stoppedAt).toBeNull();
        expect(records.map((r) => r.step)).toEqual(at);
        let th = theta.slice();
        for (let t = 0; t <= T; t++) {
          const { loss, grad } = twoLayerLossGrad(th, xs, ys);
          const rec = records.find((r) => r.step === t);
          if (rec) {
            expect(rec.loss).toBeCloseTo(loss, 12);
            rec.theta.forEach((v, i) => expect(Math.abs(v - th[i]!)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(v))));
          }
          th = th.map((v, i) => v - lr * grad[i]!);
        }
        expect(Array.from(theta)).toEqual(Array.from(build(s).theta)); // the start is not modified
      }),
      { ...FC, numRuns: 50 },
    );
  });

  it('stops at the first recorded step where stopWhen is true, and reports a non-finite loss as divergence', () => {
    const { theta, xs, ys } = build({ m: 2, n: 4, seed: 1 });
    const r = gdTwoLayer(theta, xs, ys, 0.01, [0, 1, 2, 3, 4], (recs) => recs.length === 3);
    expect(r.stoppedAt).toBe(2);
    expect(r.records.map((q) => q.step)).toEqual([0, 1, 2]);
    // stopWhen is not consulted at the last step (the run ends there anyway).
    expect(gdTwoLayer(theta, xs, ys, 0.01, [0, 1], () => true).stoppedAt).toBe(0);
    expect(gdTwoLayer(theta, xs, ys, 0.01, [0], () => true).stoppedAt).toBeNull();
    const d = gdTwoLayer(theta, xs, ys, 1e200, [0, 5, 10]);
    expect(d.divergedAt).not.toBeNull();
    expect(d.divergedAt!).toBeLessThanOrEqual(10);
  });
});

describe('logGrid and the plateau rule', () => {
  it('logGrid: 0, then round(10^(j/k)) up to the last step, deduplicated and sorted', () => {
    expect(logGrid(100, 2)).toEqual([0, 1, 3, 10, 32, 100]);
    expect(logGrid(50, 1)).toEqual([0, 1, 10, 50]);
    expect(logGrid(1, 5)).toEqual([0, 1]);
  });

  // L(t) = 1 falling as t^(−1) (slope −1) outside [a, b] and exactly constant inside: the rule's slope compares t with
  // t/√10, so the flat stretch is detected from a·√10 (the first step whose look-back lands inside) to b.
  const curveWithFlat = (a: number, b: number, last: number) =>
    logGrid(last, 20).map((t) => ({ step: t, loss: t === 0 ? 10 : 1 / Math.min(Math.max(t, 1), a) / (t > b ? t / b : 1) }));

  it('a flat stretch [a, b] is found from its first step ≥ a·√10 to b, with mid the grid step nearest √(start·end)', () => {
    const p = findPlateaus(curveWithFlat(10, 10000, 100000), { maxSlope: 0.05, minDecades: 0.5, startFraction: 0.9 });
    expect(p.length).toBe(1);
    const grid = logGrid(100000, 20);
    const first = grid.find((t) => t >= 10 * Math.sqrt(10))!;
    expect(p[0]!.start).toBe(first);
    expect(p[0]!.end).toBe(10000);
    const target = Math.sqrt(first * 10000);
    const best = grid.reduce((q, t) => (Math.abs(Math.log(t / target)) < Math.abs(Math.log(q / target)) ? t : q));
    expect(p[0]!.mid).toBe(best);
    // Shorter than half a decade after the look-back: no plateau.
    expect(findPlateaus(curveWithFlat(10, 80, 100000), { maxSlope: 0.05, minDecades: 0.5, startFraction: 0.9 })).toEqual([]);
  });

  it('a power law L = t^(−s) is flat iff s < maxSlope; the starting plateau (L > 0.9·L(0)) never counts', () => {
    const power = (s: number) => logGrid(10000, 20).map((t) => ({ step: t, loss: t === 0 ? 100 : t ** -s }));
    expect(findPlateaus(power(0.049), { maxSlope: 0.05, minDecades: 0.5, startFraction: 0.9 }).length).toBe(1);
    expect(findPlateaus(power(0.051), { maxSlope: 0.05, minDecades: 0.5, startFraction: 0.9 })).toEqual([]);
    const constant = logGrid(10000, 20).map((t) => ({ step: t, loss: 1 }));
    expect(findPlateaus(constant, { maxSlope: 0.05, minDecades: 0.5, startFraction: 0.9 })).toEqual([]);
    expect(findPlateaus(constant, { maxSlope: 0.05, minDecades: 0.5, startFraction: 1 }).length).toBe(1);
    expect(findPlateaus([], { maxSlope: 0.05, minDecades: 0.5, startFraction: 0.9 })).toEqual([]);
  });
});

describe('D, unit activity and the least-squares output layer', () => {
  it('D(θ, θ) = 0; D to the zero network is RMS(f)/RMS(target); D is symmetric', () => {
    fc.assert(
      fc.property(setup, (s) => {
        const { theta, xs, ys } = build(s);
        expect(functionDistance(theta, theta, xs, ys)).toBe(0);
        const zero = new Float64Array(4);
        const f = twoLayerForward(theta, xs);
        const rms = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((q, x) => q + x * x, 0) / v.length);
        expect(functionDistance(theta, zero, xs, ys)).toBeCloseTo(rms(f) / rms(ys), 12);
        const other = build({ ...s, seed: s.seed + 1 }).theta;
        expect(functionDistance(theta, other, xs, ys)).toBeCloseTo(functionDistance(other, theta, xs, ys), 14);
      }),
      FC,
    );
  });

  it('unitActivity: max over points of 1 − tanh²(w x + b), hand values', () => {
    // Unit 0: w = 0, b = 0 → 1. Unit 1: w = 1, b = 30 on x ∈ {−1, 1}: 1 − tanh²(29) ≈ 4e-25 (saturated).
    const theta = Float64Array.from([0, 1, 0, 30, 1, 1, 0]);
    const act = unitActivity(theta, [-1, 1]);
    expect(act[0]).toBe(1);
    expect(act[1]).toBeLessThan(1e-20);
    expect(unitActivity(Float64Array.from([1, 0, 1, 0]), [0.5, 2])[0]).toBeCloseTo(1 - Math.tanh(0.5) ** 2, 15);
  });

  it('withBestOutputLayer zeroes the loss gradient in (a, c) (the normal equations) and keeps (w, b)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 1e6 }), (m, seed) => {
        const rng = rngFromKey(`bestout/${seed}`);
        const xs = rng.normals(12, 3);
        const ys = rng.normals(12, 1);
        const wb = rng.normals(2 * m, 1);
        const theta = withBestOutputLayer(wb, xs, ys);
        expect(Array.from(theta.subarray(0, 2 * m))).toEqual(Array.from(wb));
        const { grad } = twoLayerLossGrad(theta, xs, ys);
        for (let p = 2 * m; p <= 3 * m; p++) expect(Math.abs(grad[p]!)).toBeLessThan(1e-8);
      }),
      FC,
    );
  });

  it('solveLinear solves A x = r with pivoting (a zero leading entry) and leaves its inputs alone', () => {
    const A = Float64Array.from([0, 2, 1, 1, 1, 0, 3, 0, 1]);
    const x = Float64Array.from([1, -2, 0.5]);
    const r = Float64Array.from([0 * 1 + 2 * -2 + 1 * 0.5, 1 - 2 + 0, 3 + 0 + 0.5]);
    const sol = solveLinear(A, r, 3);
    sol.forEach((v, i) => expect(v).toBeCloseTo(x[i]!, 14));
    expect(Array.from(A)).toEqual([0, 2, 1, 1, 1, 0, 3, 0, 1]);
  });
});
