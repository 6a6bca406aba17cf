// Exact properties of theory/phase-diagram.ts (brief §8, Luo et al. 2021): GD vs the rescaled dynamics, the fused
// trainer vs plain steps, the (γ, γ') coordinates of Table 1.1, and the small helpers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rngFromKey } from '../../core/rng.ts';
import { gdStep, gradient, initState, kappas, phaseCoordinates, rescaledField, trainGd, withBias, type TwoLayerState } from '../../theory/phase-diagram.ts';
import { FC } from '../helpers.ts';

const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => Math.max(s, Math.abs(v)), 0);

describe('phase-diagram dynamics (brief §8.2, P8.3)', () => {
  const setup = fc.record({
    m: fc.integer({ min: 1, max: 20 }),
    logAlpha: fc.double({ min: -3, max: 3, noNaN: true }),
    logB1: fc.double({ min: -2, max: 2, noNaN: true }),
    logB2: fc.double({ min: -2, max: 2, noNaN: true }),
    seed: fc.integer({ min: 0, max: 1e6 }),
  });
  const data = withBias([[-0.5], [-0.2], [0.1], [0.5]], [0.1, 0.3, -0.1, 0.2]);
  const relErr = (a: Float64Array, b: Float64Array) => maxAbs(a.map((v, i) => v - b[i]!)) / (1e-300 + maxAbs(b));

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
