// Exact properties of theory/phase-diagram.ts (brief §8, Luo et al. 2021): GD vs the rescaled dynamics, the fused
// trainer vs plain steps, the (γ, γ') coordinates of Table 1.1, and the small helpers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rngFromKey } from '../../core/rng.ts';
import {
  gdStep,
  gradient,
  initState,
  inputWeightNorms,
  orientationConcentration,
  kappas,
  loss,
  orientations,
  phaseCoordinates,
  predict,
  relativeDistance,
  rescaledField,
  trainGd,
  withBias,
  type TwoLayerState,
} from '../../theory/phase-diagram.ts';
import { FC } from '../helpers.ts';

const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => Math.max(s, Math.abs(v)), 0);
const relErr = (a: Float64Array, b: Float64Array) => maxAbs(a.map((v, i) => v - b[i]!)) / (1e-300 + maxAbs(b));

describe('phase-diagram dynamics (brief §8.2, P8.3)', () => {
  const setup = fc.record({
    m: fc.integer({ min: 1, max: 20 }),
    logAlpha: fc.double({ min: -3, max: 3, noNaN: true }),
    logB1: fc.double({ min: -2, max: 2, noNaN: true }),
    logB2: fc.double({ min: -2, max: 2, noNaN: true }),
    seed: fc.integer({ min: 0, max: 1e6 }),
  });
  const data = withBias([[-0.5], [-0.2], [0.1], [0.5]], [0.1, 0.3, -0.1, 0.2]);

  it('one Euler step of the rescaled dynamics (κ, κ′, t̄ = t/(β1β2)) equals the original GD step', () => {
    fc.assert(
      fc.property(setup, (p) => {
        const [alpha, b1, b2] = [Math.exp(p.logAlpha), Math.exp(p.logB1), Math.exp(p.logB2)];
        const s0 = initState(p.m, 2, b1, b2, rngFromKey(`overparam-test/pd/${p.seed}`));
        // A step small enough to be an honest Euler step at these scales (the identity holds for any η).
        const eta = 0.1 * alpha * alpha;
        const s1 = gdStep(s0, data, alpha, eta);
        const bar: TwoLayerState = { ...s0, a: s0.a.map((v) => v / b1), w: s0.w.map((v) => v / b2) };
        const { kappa, kappaPrime } = kappas(alpha, b1, b2);
        const { da, dw } = rescaledField(bar, data, kappa, kappaPrime);
        const etaBar = eta / (b1 * b2);
        const a1 = bar.a.map((v, k) => b1 * (v + etaBar * da[k]!));
        const w1 = bar.w.map((v, q) => b2 * (v + etaBar * dw[q]!));
        expect(relErr(a1, s1.a)).toBeLessThan(1e-12);
        expect(relErr(w1, s1.w)).toBeLessThan(1e-12);
      }),
      FC,
    );
  });

  it('the fused in-place trainer follows plain GD steps exactly', () => {
    fc.assert(
      fc.property(setup, fc.integer({ min: 1, max: 20 }), (p, steps) => {
        const alpha = Math.exp(p.logAlpha);
        const s0 = initState(p.m, 2, 1, 1, rngFromKey(`overparam-test/pd2/${p.seed}`));
        const eta = (0.2 * alpha * alpha) / p.m;
        let s = s0;
        for (let t = 0; t < steps; t++) s = gdStep(s, data, alpha, eta);
        const fused = trainGd(s0, data, alpha, eta, { steps, tol: 0 });
        if (fused.restarts > 0) return; // the safeguard changed η; plain steps are not comparable then
        expect(relErr(fused.state.a, s.a)).toBeLessThan(1e-11);
        expect(relErr(fused.state.w, s.w)).toBeLessThan(1e-11);
        expect(Math.abs(fused.finalLoss - gradient(s, data, alpha).loss)).toBeLessThanOrEqual(1e-11 * (1 + fused.finalLoss));
      }),
      FC,
    );
  });

  it('the fused trainer follows plain GD for 1 to 6 points and 1-D or 2-D inputs (the unrolled ≤ 4-point 1-D kernel and the general loop)', () => {
    fc.assert(
      fc.property(setup, fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 12 }), (p, n, dIn, steps) => {
        const rng = rngFromKey(`overparam-test/pd3/${p.seed}`);
        const pts = withBias(Array.from({ length: n }, () => Array.from(rng.normals(dIn))), Array.from(rng.normals(n)));
        const alpha = Math.exp(p.logAlpha);
        const s0 = initState(p.m, dIn + 1, 1, 1, rng);
        const eta = (0.2 * alpha * alpha) / p.m;
        let s = s0;
        for (let t = 0; t < steps; t++) s = gdStep(s, pts, alpha, eta);
        const fused = trainGd(s0, pts, alpha, eta, { steps, tol: 0 });
        if (fused.restarts > 0) return; // the safeguard changed η; plain steps are not comparable then
        expect(relErr(fused.state.a, s.a)).toBeLessThan(1e-11);
        expect(relErr(fused.state.w, s.w)).toBeLessThan(1e-11);
        expect(Math.abs(fused.finalLoss - gradient(s, pts, alpha).loss)).toBeLessThanOrEqual(1e-11 * (1 + fused.finalLoss));
      }),
      FC,
    );
  });

  it('Table 1.1 coordinates (γ, γ′) are reproduced by the limit formula', () => {
    const d = 5;
    const table: [string, (m: number) => { alpha: number; beta1: number; beta2: number }, number, number][] = [
      ['LeCun', (m) => ({ alpha: 1, beta1: Math.sqrt(1 / m), beta2: Math.sqrt(1 / d) }), 0.5, 0.5],
      ['He', (m) => ({ alpha: 1, beta1: Math.sqrt(2 / m), beta2: Math.sqrt(2 / d) }), 0.5, 0.5],
      ['Xavier', (m) => ({ alpha: 1, beta1: Math.sqrt(2 / (m + 1)), beta2: Math.sqrt(2 / (m + d)) }), 1, 0],
      ['NTK', (m) => ({ alpha: Math.sqrt(m), beta1: 1, beta2: 1 }), 0.5, 0],
      ['mean-field', (m) => ({ alpha: m, beta1: 1, beta2: 1 }), 1, 0],
      ['E et al. (β = m^-0.3)', (m) => ({ alpha: 1, beta1: Math.pow(m, -0.3), beta2: 1 }), 0.3, 0.3],
    ];
    for (const [name, scales, g, gp] of table) {
      const c = phaseCoordinates(scales);
      expect(Math.abs(c.gamma - g), name).toBeLessThan(1e-2);
      expect(Math.abs(c.gammaPrime - gp), name).toBeLessThan(1e-2);
    }
  });
});

describe('phase-diagram helpers (brief §8)', () => {
  const data = withBias([[-0.5], [-0.2], [0.1], [0.5]], [0.1, 0.3, -0.1, 0.2]);

  it('withBias appends a 1 to every input row and keeps y', () => {
    const d = withBias([[1, 2], [3, 4], [5, 6]], [7, 8, 9]);
    expect([d.n, d.D]).toEqual([3, 3]);
    expect(Array.from(d.xt)).toEqual([1, 2, 1, 3, 4, 1, 5, 6, 1]);
    expect(Array.from(d.y)).toEqual([7, 8, 9]);
  });

  it('initState draws a ~ N(0, β1²) (m entries) and w ~ N(0, β2²) (m·D entries)', () => {
    const s = initState(20000, 2, 0.3, 2, rngFromKey('overparam-test/init'));
    expect([s.m, s.D, s.a.length, s.w.length]).toEqual([20000, 2, 20000, 40000]);
    const sd = (v: Float64Array) => Math.sqrt(v.reduce((t, x) => t + x * x, 0) / v.length);
    // 20000 draws: relative s.e. of the s.d. ≈ 0.5%, so 3% is six standard errors.
    expect(Math.abs(sd(s.a) / 0.3 - 1)).toBeLessThan(0.03);
    expect(Math.abs(sd(s.w) / 2 - 1)).toBeLessThan(0.03);
  });

  it('predict and loss by hand: f(x) = (1/α)Σ a_k·ReLU(w_k·x̃), R = (1/2n)Σ(f − y)²', () => {
    // Neurons (w, b) = (1, 0) and (−2, 1) with a = (2, −1), α = 2; x = −0.5: ReLU(−0.5) = 0, ReLU(2) = 2 → f = −1;
    // x = 0.5: ReLU(0.5) = 0.5, ReLU(0) = 0 → f = 0.5.
    const s: TwoLayerState = { m: 2, D: 2, a: new Float64Array([2, -1]), w: new Float64Array([1, 0, -2, 1]) };
    const d = withBias([[-0.5], [0.5]], [0, 1]);
    expect(Array.from(predict(s, d, 2))).toEqual([-1, 0.5]);
    expect(loss(s, d, 2)).toBe((1 + 0.25) / 4);
    expect(gradient(s, d, 2).loss).toBe((1 + 0.25) / 4);
  });

  it('∇R_S equals central finite differences of R_S (away from ReLU kinks)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.double({ min: 0.3, max: 3, noNaN: true }), fc.integer({ min: 0, max: 1e6 }), (m, alpha, seed) => {
        const s = initState(m, 2, 1, 1, rngFromKey(`overparam-test/fd/${seed}`));
        const { ga, gw } = gradient(s, data, alpha);
        const h = 1e-6;
        const fd = (key: 'a' | 'w', q: number) => {
          const bump = (e: number) => ({ ...s, [key]: s[key].map((v, i) => (i === q ? v + e : v)) });
          return (loss(bump(h), data, alpha) - loss(bump(-h), data, alpha)) / (2 * h);
        };
        for (let k = 0; k < m; k++) expect(ga[k]).toBeCloseTo(fd('a', k), 6);
        for (let q = 0; q < 2 * m; q++) expect(gw[q]).toBeCloseTo(fd('w', q), 6);
      }),
      { ...FC, numRuns: 50 },
    );
  });

  it('σ′(0) = 0: a neuron with w_k = 0 (every pre-activation exactly 0) gets no gradient and GD leaves it at 0', () => {
    const s: TwoLayerState = { m: 2, D: 2, a: new Float64Array([0.7, 1.3]), w: new Float64Array([0.8, 0.1, 0, 0]) };
    const g = gradient(s, data, 1);
    expect([g.ga[1], g.gw[2], g.gw[3]]).toEqual([0, 0, 0]);
    expect(g.gw[0]).not.toBe(0);
    const stepped = gdStep(s, data, 1, 0.1);
    expect([stepped.a[1], stepped.w[2], stepped.w[3]]).toEqual([1.3, 0, 0]);
    const trained = trainGd(s, data, 1, 0.1, { steps: 5, tol: 0 });
    expect([trained.state.a[1], trained.state.w[2], trained.state.w[3]]).toEqual([1.3, 0, 0]);
  });

  it('relativeDistance is ||w − w0|| / ||w0||', () => {
    expect(relativeDistance(new Float64Array([3, 4, 1]), new Float64Array([0, 0, 2]))).toBe(Math.sqrt(9 + 16 + 1) / 2);
  });

  it('kappas: κ = β1β2/α, κ′ = β1/β2', () => {
    expect(kappas(4, 2, 6)).toEqual({ kappa: 3, kappaPrime: 1 / 3 });
  });

  it('trainGd stops at tol (0 steps when L₀ ≤ tol) and otherwise after exactly `steps` steps', () => {
    const s0 = initState(5, 2, 1, 1, rngFromKey('overparam-test/stop'));
    const l0 = loss(s0, data, 1);
    const idle = trainGd(s0, data, 1, 0.1, { steps: 50, tol: l0 });
    expect([idle.steps, idle.restarts, idle.diverged, idle.finalLoss, idle.loss0]).toEqual([0, 0, false, l0, l0]);
    expect(Array.from(idle.state.w)).toEqual(Array.from(s0.w));
    const ran = trainGd(s0, data, 1, 0.1, { steps: 50, tol: 0 });
    expect(ran.steps).toBe(50);
    // With tol between the losses at steps 9 and 10 of plain GD, the trainer stops at step 10.
    let s = s0;
    const losses = [l0];
    for (let t = 0; t < 10; t++) losses.push(loss((s = gdStep(s, data, 1, 0.1)), data, 1));
    expect(losses[10]!).toBeLessThan(losses[9]!);
    const early = trainGd(s0, data, 1, 0.1, { steps: 50, tol: (losses[9]! + losses[10]!) / 2 });
    expect(early.steps).toBe(10);
    expect(early.finalLoss).toBeCloseTo(losses[10]!, 14);
  });

  it('the blow-up safeguard restarts with η halved exactly when plain GD exceeds 10·L₀ (or goes non-finite)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.double({ min: -2, max: 3, noNaN: true }), fc.integer({ min: 0, max: 1e6 }), (m, logEta, seed) => {
        const s0 = initState(m, 2, 1, 1, rngFromKey(`overparam-test/blow/${seed}`));
        const eta = 10 ** logEta;
        const steps = 15;
        const l0 = loss(s0, data, 1);
        // Oracle: plain GD steps; the first rate whose trajectory stays ≤ 10·L₀ is the one the trainer keeps.
        const blowsUp = (e: number) => {
          let s = s0;
          for (let t = 0; t <= steps; t++) {
            const l = loss(s, data, 1);
            if (!(l <= 10 * l0)) return true;
            if (t < steps) s = gdStep(s, data, 1, e);
          }
          return false;
        };
        let k = 0;
        while (k <= 30 && blowsUp(eta / 2 ** k)) k++;
        const r = trainGd(s0, data, 1, eta, { steps, tol: 0 });
        expect(r.restarts).toBe(k);
        expect(r.diverged).toBe(false);
        let s = s0;
        for (let t = 0; t < steps; t++) s = gdStep(s, data, 1, eta / 2 ** k);
        expect(relErr(r.state.w, s.w)).toBeLessThan(1e-10);
      }),
      { ...FC, numRuns: 40 },
    );
  });

  it('after 31 failed attempts (η₀, η₀/2, …, η₀/2³⁰) the trainer reports divergence and returns the start', () => {
    const s0 = initState(3, 2, 1, 1, rngFromKey('overparam-test/diverge'));
    const r = trainGd(s0, data, 1, Infinity, { steps: 5, tol: 0 });
    expect([r.diverged, r.restarts, r.steps]).toEqual([true, 31, 0]);
    expect(r.finalLoss).toBeNaN();
    expect(r.state).toBe(s0);
    expect(r.loss0).toBe(loss(s0, data, 1));
    // A rate that needs exactly 30 halvings is still accepted (the 31st attempt is η₀/2³⁰).
    const ok = trainGd(s0, data, 1, 1e3, { steps: 5, tol: 0 });
    const etaKept = 1e3 / 2 ** ok.restarts;
    const last = trainGd(s0, data, 1, etaKept * 2 ** 30, { steps: 5, tol: 0 });
    expect(ok.restarts).toBeGreaterThan(0);
    expect([last.restarts, last.diverged]).toEqual([30, false]);
  });

  it('orientations: θ = sign(b)·arccos(w/|(w, b)|), A = |a|·|(w, b)|; rejected for D ≠ 2', () => {
    const s: TwoLayerState = { m: 5, D: 2, a: new Float64Array([1, -2, 3, 0.5, -1]), w: new Float64Array([1, 0, 0, 1, -1, 0, 0, -3, 3, -4]) };
    const o = orientations(s);
    const want = [0, Math.PI / 2, Math.PI, -Math.PI / 2, -Math.acos(3 / 5)];
    want.forEach((t, k) => expect(o.theta[k]).toBeCloseTo(t, 14));
    expect(Array.from(o.amp)).toEqual([1, 2, 3, 1.5, 5]);
    expect(() => orientations({ m: 1, D: 3, a: new Float64Array(1), w: new Float64Array(3) })).toThrow('got D = 3');
  });

  it('phaseCoordinates reads exact power laws at any pair of widths', () => {
    const c = phaseCoordinates((m) => ({ alpha: m ** 1.5, beta1: m ** -0.25, beta2: m ** 0.5 }), 10, 1000);
    // κ = m^(−0.25 + 0.5 − 1.5) = m^(−1.25), κ′ = m^(−0.75).
    expect(c.gamma).toBeCloseTo(1.25, 12);
    expect(c.gammaPrime).toBeCloseTo(0.75, 12);
  });
});

describe('orientation concentration (condensation, brief P8.2)', () => {
  const arc = (b: number, bins = 64) => -Math.PI + ((b + 0.5) * 2 * Math.PI) / bins;

  it('hand-derived values: all bins equally → 1; one bin → 1/bins; K equal bins → K/bins; shares (3/4, 1/4) → (1/(9/16 + 1/16))/bins', () => {
    const all = Array.from({ length: 64 }, (_, b) => arc(b));
    expect(orientationConcentration(all, all.map(() => 2))).toBeCloseTo(1, 12);
    expect(orientationConcentration([0.1, 0.11, 0.12], [1, 5, 2])).toBeCloseTo(1 / 64, 12);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 63 }), { minLength: 1, maxLength: 64 }), fc.double({ min: 0.1, max: 10, noNaN: true }), (bs, w) => {
        expect(orientationConcentration(bs.map((b) => arc(b)), bs.map(() => w))).toBeCloseTo(bs.length / 64, 10);
      }),
      FC,
    );
    expect(orientationConcentration([arc(3), arc(40)], [3, 1])).toBeCloseTo(1 / (9 / 16 + 1 / 16) / 64, 12);
  });

  it('is invariant to a common scale of the weights and to the order of neurons; θ = ±π land in the end bins', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }), fc.double({ min: 0.01, max: 5, noNaN: true })), { minLength: 1, maxLength: 40 }), fc.double({ min: 0.1, max: 10, noNaN: true }), (pts, c) => {
        const th = pts.map((p) => p[0]);
        const w = pts.map((p) => p[1]);
        const base = orientationConcentration(th, w);
        expect(orientationConcentration(th, w.map((v) => c * v))).toBeCloseTo(base, 10);
        expect(orientationConcentration([...th].reverse(), [...w].reverse())).toBeCloseTo(base, 10);
        expect(base).toBeGreaterThanOrEqual(1 / 64 - 1e-12);
        expect(base).toBeLessThanOrEqual(1 + 1e-12);
      }),
      FC,
    );
    expect(orientationConcentration([-Math.PI, Math.PI], [1, 1])).toBeCloseTo(2 / 64, 12);
    expect(() => orientationConcentration([0], [1, 2])).toThrow(/1 orientations, 2 weights/);
  });

  it('inputWeightNorms is ||(w_k, b_k)|| per neuron', () => {
    const s = { m: 2, D: 2, a: new Float64Array([1, 1]), w: new Float64Array([3, 4, -5, 12]) };
    expect(Array.from(inputWeightNorms(s))).toEqual([5, 13]);
  });
});
