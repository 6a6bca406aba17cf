// Exact properties of theory/homogeneous.ts: the bias-free two-layer ReLU network of Lyu & Li (ICLR 2020).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rngFromKey } from '../../core/rng.ts';
import { forwardOne, initTwoLayer, kktResidual, marginGradients, margins, normalizedMargin, paramNormSq, smoothedMargin, trainTwoLayer, type TwoLayer } from '../../theory/homogeneous.ts';
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

describe('KKT certificate of the margin problem (Lyu & Li 2020, Thm 4.4)', () => {
  const one = (w: number, a: number): TwoLayer => ({ W: Float64Array.of(w), a: Float64Array.of(a), m: 1, d: 1 });
  const X1 = { rows: 1, cols: 1, data: Float64Array.of(1) };

  it('marginGradients matches central finite differences of q_n = y_n f(x_n; θ), laid out as (W, a)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), (seed) => {
        const rng = rngFromKey(`kktgrad/${seed}`);
        const net = initTwoLayer(4, 3, 1, rng);
        const X = { rows: 5, cols: 3, data: rng.normals(15) };
        const y = [1, -1, 1, 1, -1];
        const G = marginGradients(net, X, y);
        const P = 4 * 3 + 4;
        const h = 1e-6;
        for (let i = 0; i < P; i++) {
          const bump = (e: number) => {
            const W = net.W.slice();
            const a = net.a.slice();
            if (i < 12) W[i]! += e;
            else a[i - 12]! += e;
            return margins({ ...net, W, a }, X, y);
          };
          const up = bump(h);
          const down = bump(-h);
          for (let n = 0; n < 5; n++) {
            const fd = (up[n]! - down[n]!) / (2 * h);
            // ReLU kinks: skip a coordinate whose ±h straddles a kink (then the one-sided slopes differ).
            if (Math.abs(fd - G[n * P + i]!) > 1e-5 * (1 + Math.abs(fd))) {
              const left = (margins(net, X, y)[n]! - down[n]!) / h;
              const right = (up[n]! - margins(net, X, y)[n]!) / h;
              expect(Math.abs(left - right)).toBeGreaterThan(1e-6);
            }
          }
        }
        // Euler's identity for a 2-homogeneous q: ⟨θ, ∇q_n(θ)⟩ = 2·q_n(θ).
        const q = margins(net, X, y);
        for (let n = 0; n < 5; n++) {
          let s = 0;
          for (let i = 0; i < 12; i++) s += net.W[i]! * G[n * P + i]!;
          for (let j = 0; j < 4; j++) s += net.a[j]! * G[n * P + 12 + j]!;
          expect(s).toBeCloseTo(2 * q[n]!, 10);
        }
      }),
      { ...FC, numRuns: 20 },
    );
  });

  it('one unit, one point (by hand): (w, a) = (1, 1) is the KKT point; (0.5, 2) has residual sin∠(θ, ∇q) = 0.8824', () => {
    // min ½(w² + a²) s.t. a·w ≥ 1: the optimum is w = a = 1 with λ = 1 (θ = λ·∇q = λ·(a, w)).
    const k = kktResidual(one(1, 1), X1, [1])!;
    expect(k.stationarity).toBeLessThanOrEqual(1e-12);
    expect(k.complementarity).toBe(0);
    expect(k.multipliers[0]).toBeCloseTo(1, 12);
    // θ̄ = (0.5, 2) (q = 1 already), ∇q = (2, 0.5): best λ = ⟨θ̄, ∇q⟩/‖∇q‖² = 2/4.25; residual/‖θ̄‖ = √(1 − (2/4.25)²).
    const off = kktResidual(one(0.5, 2), X1, [1])!;
    expect(off.multipliers[0]).toBeCloseTo(2 / 4.25, 12);
    expect(off.stationarity).toBeCloseTo(Math.sqrt(1 - (2 / 4.25) ** 2), 12);
    // Rescaling θ (here by 3: q = 9, θ̄ unchanged) changes nothing; a misclassified point gives no certificate.
    const scaled = kktResidual(one(1.5, 6), X1, [1])!;
    expect(scaled.stationarity).toBeCloseTo(off.stationarity, 12);
    expect(kktResidual(one(1, 1), X1, [-1])).toBeNull();
  });

  it("Lyu & Li's certificate by hand: one point on the margin has slack 0 and the same residual as the best λ", () => {
    const k = kktResidual(one(1, 1), X1, [1])!;
    expect(k.lossCertificate.stationarity).toBeLessThanOrEqual(1e-7);
    expect(k.lossCertificate.complementarity).toBe(0);
    const off = kktResidual(one(0.5, 2), X1, [1])!;
    expect(off.lossCertificate.stationarity).toBeCloseTo(Math.sqrt(1 - (2 / 4.25) ** 2), 12);
    expect(off.lossCertificate.complementarity).toBe(0);
  });

  it("Lyu & Li's certificate against an oracle: weights 1/(1 + e^q) directly, and the angle between θ and a finite-difference −∇L", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), (seed) => {
        const rng = rngFromKey(`kktloss/${seed}`);
        const net = initTwoLayer(4, 3, 1, rng);
        const X = { rows: 5, cols: 3, data: rng.normals(15) };
        const y = Array.from(margins(net, X, [1, 1, 1, 1, 1]), (q) => (q >= 0 ? 1 : -1));
        const q = margins(net, X, y);
        fc.pre(Math.min(...q) > 1e-2);
        const k = kktResidual(net, X, y)!;
        const w = Array.from(q, (v) => 1 / (1 + Math.exp(v)));
        const qMin = Math.min(...q);
        const slack = w.reduce((a, wn, n) => a + wn * (q[n]! / qMin - 1), 0) / w.reduce((a, b) => a + b, 0);
        expect(k.lossCertificate.complementarity).toBeCloseTo(slack, 10);
        // L(θ) = Σ log(1 + e^{−q_n(θ)}); central differences, θ = (W, a).
        const theta = [...net.W, ...net.a];
        const lossAt = (t: number[]) => {
          const n2 = { ...net, W: Float64Array.from(t.slice(0, 12)), a: Float64Array.from(t.slice(12)) };
          return Array.from(margins(n2, X, y)).reduce((acc, v) => acc + Math.log1p(Math.exp(-v)), 0);
        };
        const h = 1e-6;
        const g = theta.map((_, i) => {
          const up = [...theta];
          const dn = [...theta];
          up[i]! += h;
          dn[i]! -= h;
          return -(lossAt(up) - lossAt(dn)) / (2 * h);
        });
        const cos = theta.reduce((a, v, i) => a + v * g[i]!, 0) / (Math.hypot(...theta) * Math.hypot(...g));
        expect(k.lossCertificate.stationarity).toBeCloseTo(cos > 0 ? Math.sqrt(1 - cos * cos) : 1, 5);
      }),
      { ...FC, numRuns: 25 },
    );
  });

  it('the multipliers are the nonnegative least squares solution: a brute force over active sets agrees (3 points)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), (seed) => {
        const rng = rngFromKey(`kktnnls/${seed}`);
        const net = initTwoLayer(3, 2, 1, rng);
        const X = { rows: 3, cols: 2, data: rng.normals(6) };
        const y = Array.from(margins(net, X, [1, 1, 1]), (q) => (q >= 0 ? 1 : -1));
        fc.pre(Math.min(...margins(net, X, y)) > 1e-3);
        const k = kktResidual(net, X, y, 20000)!;
        // Brute force: for every subset S, least squares on ∇q_S; keep the feasible (λ_S ≥ 0) one with the least residual.
        const q = margins(net, X, y);
        const s = 1 / Math.sqrt(Math.min(...q));
        const P = 3 * 2 + 3;
        const G = marginGradients(net, X, y).map((g) => g * s);
        const theta = [...net.W, ...net.a].map((v) => v * s);
        let best = Math.hypot(...theta);
        for (let mask = 1; mask < 8; mask++) {
          const S = [0, 1, 2].filter((n) => mask & (1 << n));
          const A = S.map((i) => S.map((j) => { let d = 0; for (let p = 0; p < P; p++) d += G[i * P + p]! * G[j * P + p]!; return d; }));
          const b = S.map((i) => { let d = 0; for (let p = 0; p < P; p++) d += G[i * P + p]! * theta[p]!; return d; });
          const lam = solveSmall(A, b);
          if (!lam || lam.some((l) => l < 0)) continue;
          const r = theta.map((v, p) => v - S.reduce((acc, n, j) => acc + lam[j]! * G[n * P + p]!, 0));
          best = Math.min(best, Math.hypot(...r));
        }
        expect(k.stationarity).toBeCloseTo(best / Math.hypot(...theta), 6);
        for (const l of k.multipliers) expect(l).toBeGreaterThanOrEqual(0);
      }),
      { ...FC, numRuns: 25 },
    );
  });
});

/** Gaussian elimination for tiny systems (the brute-force oracle's own solver); null if singular. */
function solveSmall(A: number[][], b: number[]): number[] | null {
  const n = b.length;
  const M = A.map((r, i) => [...r, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    if (Math.abs(M[p]![c]!) < 1e-12) return null;
    [M[c], M[p]] = [M[p]!, M[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r]![c]! / M[c]![c]!;
      for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  return M.map((r, i) => r[n]! / r[i]!);
}

describe('trainTwoLayer against its oracle', () => {
  it('equals a plain point-by-point GD loop bit for bit (every loss; widths, dimensions and point counts around its 4-point blocks)', () => {
    // The oracle: the previous implementation's loop order (per point: forward over units, then the gradient).
    const byPoints = (net: TwoLayer, X: { rows: number; data: Float64Array }, y: number[], loss: MarginLoss, eta: number, steps: number) => {
      const { m, d } = net;
      for (let t = 0; t < steps; t++) {
        const gW = new Float64Array(m * d);
        const ga = new Float64Array(m);
        for (let n = 0; n < X.rows; n++) {
          const pre = Array.from({ length: m }, (_, j) => {
            let h = 0;
            for (let k = 0; k < d; k++) h += net.W[j * d + k]! * X.data[n * d + k]!;
            return h;
          });
          let f = 0;
          for (let j = 0; j < m; j++) if (pre[j]! > 0) f += net.a[j]! * pre[j]!;
          const q = y[n]! * f;
          const c = y[n]! * (loss === 'logistic' ? -1 / (1 + Math.exp(q)) : loss === 'exp' ? -Math.exp(-q) : q - 1);
          for (let j = 0; j < m; j++) {
            if (pre[j]! <= 0) continue;
            ga[j]! += c * pre[j]!;
            for (let k = 0; k < d; k++) gW[j * d + k]! += c * net.a[j]! * X.data[n * d + k]!;
          }
        }
        for (let i = 0; i < m * d; i++) net.W[i]! -= eta * gW[i]!;
        for (let j = 0; j < m; j++) net.a[j]! -= eta * ga[j]!;
      }
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 9 }),
        fc.constantFrom<MarginLoss>('logistic', 'exp', 'squared'),
        fc.integer({ min: 1, max: 10 }),
        (seed, m, d, N, loss, steps) => {
          const rng = rngFromKey(`homogeneous-rows/${seed}`);
          const net = initTwoLayer(m, d, 0.7, rng);
          const X = { rows: N, cols: d, data: rng.normals(N * d) };
          const y = Array.from({ length: N }, () => (rng.uniform() < 0.5 ? -1 : 1));
          const fast = { ...net, W: net.W.slice(), a: net.a.slice() };
          trainTwoLayer(fast, X, y, { loss, eta: 0.05, steps, record: [] });
          byPoints(net, X, y, loss, 0.05, steps);
          expect([Array.from(fast.W), Array.from(fast.a)]).toEqual([Array.from(net.W), Array.from(net.a)]);
        },
      ),
      FC,
    );
  });
});
