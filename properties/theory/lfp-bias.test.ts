// Exact properties of theory/lfp-bias.ts: one neuron's NTK averaged over a uniform bias, by exact piecewise Simpson
// integration (the integrand is a quadratic in the bias between its kinks), minus the stated kernel, is a cubic
// polynomial in x (its 4th finite difference vanishes), while the average alone is not; and the kernels match the LFP
// kernels of theory/lfp.ts for lfpCoefficients (standard bias) and lfpCoefficientsModifiedBias, times 1/(2 v_l).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lfpCoefficientsModifiedBias, modifiedBiasKernel, neuronKernelValue, standardBiasKernel, type NeuronKernel } from '../../theory/lfp-bias.ts';
import { lfpKernel } from '../../theory/lfp.ts';
import { lfpCoefficients } from '../../theory/lfp-net.ts';
import { FC } from '../helpers.ts';

const relu = (z: number) => (z > 0 ? z : 0);
const step = (z: number) => (z > 0 ? 1 : 0);

/** (1/(2v)) ∫_{−v}^{v} f(t) dt for f quadratic between the breakpoints: Simpson on each piece is exact. */
function meanOverUniform(f: (t: number) => number, v: number, breaks: number[]): number {
  const pts = [-v, ...breaks.filter((b) => b > -v && b < v).sort((p, q) => p - q), v];
  let s = 0;
  for (let i = 0; i + 1 < pts.length; i++) {
    const [lo, hi] = [pts[i]!, pts[i + 1]!];
    if (hi <= lo) continue;
    // Evaluate strictly inside the piece (a kink's own value is a measure-zero choice).
    const e = (hi - lo) * 1e-12;
    s += ((hi - lo) / 6) * (f(lo + e) + 4 * f((lo + hi) / 2) + f(hi - e));
  }
  return s / (2 * v);
}

/** Standard bias: the NTK of a·ReLU(w x + b) over (a, w, b), averaged over b ~ U[−v, v]. */
const meanStandard = (x: number, y: number, w: number, a: number, v: number) =>
  meanOverUniform((b) => relu(w * x + b) * relu(w * y + b) + a * a * step(w * x + b) * step(w * y + b) * (1 + x * y), v, [-w * x, -w * y]);

/** Modified bias: the NTK of w·ReLU(r (x − l)) over (w, r, l), averaged over l ~ U[−v, v]. */
const meanModified = (x: number, y: number, r: number, w: number, v: number) =>
  meanOverUniform(
    (l) => {
      const hx = step(r * (x - l));
      const hy = step(r * (y - l));
      return relu(r * (x - l)) * relu(r * (y - l)) + w * w * (x - l) * (y - l) * hx * hy + w * w * r * r * hx * hy;
    },
    v,
    [x, y],
  );

/** 4th forward difference of g at x0 with step s (zero for cubics). */
const diff4 = (g: (x: number) => number, x0: number, s: number) => g(x0) - 4 * g(x0 + s) + 6 * g(x0 + 2 * s) - 4 * g(x0 + 3 * s) + g(x0 + 4 * s);

const arbNeuron = fc.record({
  p: fc.double({ min: 0.2, max: 3, noNaN: true }).chain((m) => fc.constantFrom(m, -m)),
  q: fc.double({ min: -2, max: 2, noNaN: true }),
  v: fc.double({ min: 0.5, max: 4, noNaN: true }),
  xp: fc.double({ min: -0.5, max: 0.5, noNaN: true }),
  s: fc.double({ min: 0.02, max: 0.1, noNaN: true }),
});

function checkCubicRemainder(mean: (x: number) => number, k: NeuronKernel, xp: number, s: number, scale: number) {
  const x0 = xp - 2 * s + s / 3; // the five points straddle x', none on it
  const rest = diff4((x) => mean(x) - neuronKernelValue(k, x, xp), x0, s);
  const whole = diff4(mean, x0, s);
  expect(Math.abs(rest)).toBeLessThan(1e-9 * scale);
  // Not trivially: the average itself has the |x − x'|³ and |x − x'| kinks, so its 4th difference is not zero.
  expect(Math.abs(whole)).toBeGreaterThan(1e3 * Math.abs(rest));
}

describe('one neuron\'s NTK averaged over a uniform bias (theory/lfp-bias.ts)', () => {
  it('standard bias: average = |w|³/(24v)|δ|³ − a²|w|/(4v)|δ| − a²|w|/(4v)xx\'|δ| + a cubic in x, inside the kink range', () => {
    fc.assert(
      fc.property(arbNeuron, ({ p: w, q: a, v, xp, s }) => {
        // Both points within the kink range |x| ≤ v/|w|: scale v up if needed.
        const vl = Math.max(v, 1.2 * Math.abs(w));
        checkCubicRemainder((x) => meanStandard(x, xp, w, a, vl), standardBiasKernel(w, a, vl), xp, s, 1 + w ** 2 + a ** 2 + vl ** 2);
      }),
      FC,
    );
  });

  it('modified bias: average = (r² + w²)/(24v)|δ|³ − r²w²/(4v)|δ| + a cubic in x (no dropped term)', () => {
    fc.assert(
      fc.property(arbNeuron, ({ p: r, q: w, v, xp, s }) => {
        const vl = Math.max(v, 1.2);
        checkCubicRemainder((x) => meanModified(x, xp, r, w, vl), modifiedBiasKernel(r, w, vl), xp, s, 1 + r ** 2 + w ** 2 + vl ** 2);
      }),
      FC,
    );
  });

  it('leaving out any term breaks it: the stated coefficients are the only ones that leave a cubic', () => {
    const [w, a, vl, xp, s] = [1.3, 0.7, 2, 0.1, 0.05];
    const k = standardBiasKernel(w, a, vl);
    for (const bad of [{ ...k, c3: 0 }, { ...k, c1: 0 }, { ...k, cross: 0 }, { ...k, c3: k.c3 * 1.01 }]) {
      const rest = diff4((x) => meanStandard(x, xp, w, a, vl) - neuronKernelValue(bad, x, xp), xp - 2 * s + s / 3, s);
      expect(Math.abs(rest)).toBeGreaterThan(1e-8);
    }
    const km = modifiedBiasKernel(0.9, 1.4, vl);
    const rest = diff4((x) => meanModified(x, xp, 0.9, 1.4, vl) - neuronKernelValue({ ...km, c1: 0 }, x, xp), xp - 2 * s + s / 3, s);
    expect(Math.abs(rest)).toBeGreaterThan(1e-8);
  });

  it('the stationary parts are the LFP kernels of lfpCoefficients and lfpCoefficientsModifiedBias, times 1/(2 v_l)', () => {
    fc.assert(
      fc.property(arbNeuron, ({ p, q, v }) => {
        // Standard: a one-pair antisymmetric net (a, −a) with the same (w, b): the per-neuron averages are a²|w|, |w|³.
        const net = { m: 2, d: 1, w: Float64Array.of(p, p), b: Float64Array.of(0, 0), a: Float64Array.of(q, -q) };
        const c = lfpCoefficients(net);
        const g = lfpKernel(1, c.a, c.b);
        const ks = standardBiasKernel(p, q, v);
        expect(g.c3 / (2 * v)).toBeCloseTo(ks.c3, 10);
        expect(g.c1 / (2 * v)).toBeCloseTo(ks.c1, 10);
        const cm = lfpCoefficientsModifiedBias([p, -p], [q, q]);
        const gm = lfpKernel(1, cm.a, cm.b);
        const km = modifiedBiasKernel(p, q, v);
        expect(gm.c3 / (2 * v)).toBeCloseTo(km.c3, 10);
        expect(gm.c1 / (2 * v)).toBeCloseTo(km.c1, 10);
      }),
      FC,
    );
    // By hand: r = 1, w = 2 → b = (1 + 4)/(16π⁴), a = 4/(4π²).
    const h = lfpCoefficientsModifiedBias([1], [2]);
    expect(h.b).toBeCloseTo(5 / (16 * Math.PI ** 4), 15);
    expect(h.a).toBeCloseTo(1 / Math.PI ** 2, 15);
    expect(() => lfpCoefficientsModifiedBias([1], [])).toThrow(/same/);
    expect(() => lfpCoefficientsModifiedBias([], [])).toThrow(/non-zero/);
  });
});
