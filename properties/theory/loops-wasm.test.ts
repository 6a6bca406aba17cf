// The training loops of core/wasm/loops.wat give the plain JavaScript loops' bits: each kernel against a plain-loop
// oracle written here (the loop it replaced, row by row), over shapes with odd sizes, zeros and −0.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Arena } from '../../core/wasm/runtime.ts';
import { gradientDescent, marginLossDeriv, type MarginLoss } from '../../theory/maxmargin.ts';
import { FC } from '../helpers.ts';

const bits = (a: ArrayLike<number>) => Array.from(a, (v) => (Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : String(v)));

describe('loops_exp', () => {
  const exp = new Arena(64).k.loops_exp!;
  const same = (x: number) => Object.is(exp(x), Math.exp(x)) || (Number.isNaN(exp(x)) && Number.isNaN(Math.exp(x)));

  it('equals Math.exp at the edges of every branch', () => {
    const edges = [0, -0, 1, -1, Infinity, -Infinity, NaN, 2 ** -28, -(2 ** -28), 2 ** -29, 0.5 * Math.LN2, 1.5 * Math.LN2, -0.5 * Math.LN2, -1.5 * Math.LN2,
      709.782712893384, 709.7827128933841, -745.1332191019411, -745.1332191019412, -708.3964185322641, -708.4, 1e-310, -1e-310, 5e-324, Number.MAX_VALUE, -Number.MAX_VALUE];
    for (const x of edges) expect(same(x), `exp(${x})`).toBe(true);
  });

  it('equals Math.exp bit for bit on any double, and densely over the range that does not overflow', () => {
    fc.assert(fc.property(fc.double(), (x) => same(x)), { ...FC, numRuns: 20000 });
    fc.assert(fc.property(fc.double({ min: -746, max: 710, noNaN: true }), (x) => same(x)), { ...FC, numRuns: 20000 });
    fc.assert(fc.property(fc.double({ min: -2, max: 2, noNaN: true }), (x) => same(x)), { ...FC, numRuns: 20000 });
  });
});

/** The loop gradientDescent ran before core/wasm: margins and gradient row by row, summed from 0 in index order. */
function plainMarginGd(Z: { rows: number; cols: number; data: Float64Array }, loss: MarginLoss, eta: number, steps: number, w0: Float64Array) {
  const { rows: N, cols: d, data: z } = Z;
  const w = w0.slice();
  const u = new Float64Array(N);
  const g = new Float64Array(d);
  let t = 0;
  while (t < steps) {
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += z[n * d + k]! * w[k]!;
      u[n] = loss === 'logistic' ? -1 / (1 + Math.exp(s)) : marginLossDeriv(loss, s);
    }
    for (let k = 0; k < d; k++) {
      let s = 0;
      for (let n = 0; n < N; n++) s += u[n]! * z[n * d + k]!;
      g[k] = s;
    }
    for (let k = 0; k < d; k++) w[k]! -= eta * g[k]!;
    t++;
    if (!Number.isFinite(w[0]!)) break;
  }
  return { w, t };
}

/** The squared loss's Gram-form loop: g_k = −c_k + Σ_l A_kl w_l. */
function plainGramGd(Z: { rows: number; cols: number; data: Float64Array }, eta: number, steps: number, w0: Float64Array) {
  const { rows: N, cols: d, data: z } = Z;
  const A = new Float64Array(d * d);
  const c = new Float64Array(d);
  for (let k = 0; k < d; k++) {
    for (let n = 0; n < N; n++) c[k]! += z[n * d + k]!;
    for (let l = 0; l < d; l++) {
      let s = 0;
      for (let n = 0; n < N; n++) s += z[n * d + k]! * z[n * d + l]!;
      A[k * d + l] = s;
    }
  }
  const w = w0.slice();
  const g = new Float64Array(d);
  let t = 0;
  while (t < steps) {
    for (let k = 0; k < d; k++) {
      let s = -c[k]!;
      for (let l = 0; l < d; l++) s += A[k * d + l]! * w[l]!;
      g[k] = s;
    }
    for (let k = 0; k < d; k++) w[k]! -= eta * g[k]!;
    t++;
    if (!Number.isFinite(w[0]!)) break;
  }
  return { w, t };
}

// Entries with zeros and −0 among them, on a scale where a few steps move w visibly.
const entry = fc.oneof(fc.double({ min: -3, max: 3, noNaN: true }), fc.constantFrom(0, -0, 1, -1));
const problem = fc
  .record({ N: fc.integer({ min: 1, max: 9 }), d: fc.integer({ min: 1, max: 7 }) })
  .chain(({ N, d }) =>
    fc.record({
      Z: fc.array(entry, { minLength: N * d, maxLength: N * d }).map((a) => ({ rows: N, cols: d, data: Float64Array.from(a) })),
      w0: fc.array(entry, { minLength: d, maxLength: d }).map((a) => Float64Array.from(a)),
      eta: fc.oneof(fc.double({ min: 1e-3, max: 2, noNaN: true }), fc.constant(50)),
      steps: fc.integer({ min: 0, max: 25 }),
      record: fc.array(fc.integer({ min: 0, max: 25 }), { maxLength: 4 }),
    }),
  );

describe('gradientDescent runs loops_margin_gd and loops_gram_gd with the plain loops’ bits', () => {
  for (const loss of ['logistic', 'exp', 'squared'] as const) {
    it(`${loss} loss: every iterate, the step count and the divergence step (odd N and d, zeros, −0, divergent steps)`, () => {
      fc.assert(
        fc.property(problem, ({ Z, w0, eta, steps, record }) => {
          const got = gradientDescent(Z, { loss, eta, steps, w0, record });
          const gram = loss === 'squared' && Z.cols < 2 * Z.rows;
          const want = gram ? plainGramGd(Z, eta, steps, w0) : plainMarginGd(Z, loss, eta, steps, w0);
          expect(bits(got.w)).toEqual(bits(want.w));
          expect(got.divergedAt).toBe(Number.isFinite(want.w[0]!) ? null : want.t);
          for (const s of got.snapshots) {
            const at = gram ? plainGramGd(Z, eta, s.t, w0) : plainMarginGd(Z, loss, eta, s.t, w0);
            expect(bits(s.w)).toEqual(bits(at.w));
          }
        }),
        FC,
      );
    });
  }
});
