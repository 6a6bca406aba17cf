// The training loops of core/wasm/loops.wat give the plain JavaScript loops' bits: each kernel against a plain-loop
// oracle written here (the loop it replaced, row by row), over shapes with odd sizes, zeros and −0.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Arena } from '../../core/wasm/runtime.ts';
import { gradientDescent, marginLossDeriv, type MarginLoss } from '../../theory/maxmargin.ts';
import { ladderGradientInto, ladderWorkspace, trainLadder, type WidthLadder } from '../../theory/double-descent.ts';
import { margins, paramNormSq, trainTwoLayer } from '../../theory/homogeneous.ts';
import { trainGd as lfpTrainGd } from '../../theory/lfp-net.ts';
import type { Mat } from '../../theory/mlp.ts';
import { loss as pdLoss, trainGd as pdTrainGd, withBias, type PdData } from '../../theory/phase-diagram.ts';
import { gdTwoLayer } from '../../theory/plateau.ts';
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

describe('loops_dloss_into (ℓ\' over an array: two lanes of exp where both take its main branch, else one by one)', () => {
  it('equals −1/(1 + Math.exp(u)), −Math.exp(−u) and u − 1 bit for bit, lanes mixed across exp\'s branches', () => {
    const arena = Arena.forSizes([40]);
    const u = arena.f64(40);
    const wide = fc.oneof(fc.double({ min: -800, max: 800, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true }), fc.double(), fc.constantFrom(1, -1, 0.5 * Math.LN2, 0.34657359027997264, 0.3465735902799727, 708, -708, 707.9999999999999, 0, -0));
    fc.assert(
      fc.property(fc.array(wide, { minLength: 1, maxLength: 40 }), fc.constantFrom(0, 1, 2), (vals, loss) => {
        const v = u.subarray(0, vals.length);
        v.set(vals);
        arena.k.loops_dloss_into!(arena.ptr(u), vals.length, loss);
        const want = vals.map((x) => (loss === 0 ? -1 / (1 + Math.exp(x)) : loss === 1 ? -Math.exp(-x) : x - 1));
        expect(bits(v)).toEqual(bits(want));
      }),
      { ...FC, numRuns: 3000 },
    );
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

/** ladderGradientInto's plain loop (before core/wasm): unit by unit, every sum in point (resp. coordinate) order. */
function plainLadderGradient(L: WidthLadder, X: Mat, y: Float64Array, lambda: number, active: Uint8Array | null) {
  const { d, W, b, a, segment } = L;
  const n = X.rows;
  const J = L.widths.length;
  const M = segment.length;
  const scale = L.widths.map((m) => 1 / Math.sqrt(m));
  const H = new Float64Array(M * n);
  const F = new Float64Array(n * J);
  const R = new Float64Array(n * J);
  const gW = new Float64Array(M * d);
  const gb = new Float64Array(M);
  const ga = new Float64Array(M);
  const loss = new Float64Array(J);
  const gradSq = new Float64Array(J);
  const on = (j: number) => active === null || active[j] !== 0;
  for (let k = 0; k < M; k++) {
    const j = segment[k]!;
    if (!on(j)) continue;
    for (let i = 0; i < n; i++) {
      let h = b[k]!;
      for (let c = 0; c < d; c++) h += X.data[i * d + c]! * W[k * d + c]!;
      H[k * n + i] = h;
      if (h > 0) F[i * J + j]! += scale[j]! * a[k]! * h;
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < J; j++) {
      if (!on(j)) continue;
      const r = F[i * J + j]! - y[i]!;
      R[i * J + j] = r / n;
      loss[j]! += (r * r) / (2 * n);
    }
  }
  for (let k = 0; k < M; k++) {
    const j = segment[k]!;
    if (!on(j)) continue;
    const sa = scale[j]! * a[k]!;
    let gak = 0;
    let gbk = 0;
    for (let i = 0; i < n; i++) {
      const h = H[k * n + i]!;
      if (!(h > 0)) continue;
      gak += R[i * J + j]! * h;
      gbk += R[i * J + j]! * sa;
    }
    ga[k] = scale[j]! * gak + lambda * a[k]!;
    gb[k] = gbk + lambda * b[k]!;
    let sq = ga[k]! ** 2 + gb[k]! ** 2;
    for (let c = 0; c < d; c++) {
      let s = 0;
      for (let i = 0; i < n; i++) if (H[k * n + i]! > 0) s += R[i * J + j]! * sa * X.data[i * d + c]!;
      gW[k * d + c] = s + lambda * W[k * d + c]!;
      sq += gW[k * d + c]! ** 2;
    }
    gradSq[j]! += sq;
  }
  return { F, R, gW, gb, ga, loss, gradSq };
}

/** Entries with zeros and −0 among them (inputs, weights), so units sit exactly at the kink too. */
const ladderCase = fc
  .record({
    widths: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }),
    d: fc.integer({ min: 1, max: 11 }),
    n: fc.integer({ min: 1, max: 7 }),
    lambda: fc.constantFrom(0, 0.1),
  })
  .chain((s) => {
    const M = s.widths.reduce((p, q) => p + q, 0);
    const arr = (len: number) => fc.array(entry, { minLength: len, maxLength: len }).map((v) => Float64Array.from(v));
    return fc.record({
      s: fc.constant(s),
      W: arr(M * s.d),
      b: arr(M),
      a: arr(M),
      X: arr(s.n * s.d),
      y: arr(s.n),
      active: fc.array(fc.boolean(), { minLength: s.widths.length, maxLength: s.widths.length }),
    });
  });

function ladderOf(c: { s: { widths: number[]; d: number }; W: Float64Array; b: Float64Array; a: Float64Array }): WidthLadder {
  const segment = Int32Array.from(c.s.widths.flatMap((m, j) => Array<number>(m).fill(j)));
  return { widths: c.s.widths, d: c.s.d, segment, W: c.W.slice(), b: c.b.slice(), a: c.a.slice() };
}

describe('loops_ladder_grad and loops_ladder_update (theory/double-descent.ts) give the plain loops’ bits', () => {
  it('ladderGradientInto: outputs, residuals, gradients, losses and ‖∇‖² (odd n and d, zeros, −0, inactive widths)', () => {
    fc.assert(
      fc.property(ladderCase, (c) => {
        const L = ladderOf(c);
        const X = { rows: c.s.n, cols: c.s.d, data: c.X };
        const act = Uint8Array.from(c.active, (v) => (v ? 1 : 0));
        const ws = ladderWorkspace(L, c.s.n);
        ladderGradientInto(L, X, c.y, c.s.lambda, act, ws);
        const want = plainLadderGradient(L, X, c.y, c.s.lambda, act);
        const J = c.s.widths.length;
        const onUnit = (k: number) => c.active[L.segment[k]!];
        expect(bits(ws.loss)).toEqual(bits(want.loss));
        expect(bits(ws.gradSq)).toEqual(bits(want.gradSq));
        for (let i = 0; i < c.s.n; i++) for (let j = 0; j < J; j++) if (c.active[j]) expect(bits([ws.F[i * J + j]!, ws.R[i * J + j]!])).toEqual(bits([want.F[i * J + j]!, want.R[i * J + j]!]));
        for (let k = 0; k < L.segment.length; k++) {
          if (!onUnit(k)) continue;
          expect(bits([ws.ga[k]!, ws.gb[k]!])).toEqual(bits([want.ga[k]!, want.gb[k]!]));
          expect(bits(ws.gW.subarray(k * c.s.d, (k + 1) * c.s.d))).toEqual(bits(want.gW.subarray(k * c.s.d, (k + 1) * c.s.d)));
        }
      }),
      FC,
    );
  });

  it('trainLadder: the trained parameters, steps and losses equal a plain loop of gradient, freeze/restart rule and update', () => {
    fc.assert(
      fc.property(ladderCase, fc.constantFrom(0.05, 0.5, 40), fc.integer({ min: 0, max: 12 }), (c, eta, steps) => {
        const L = ladderOf(c);
        const X = { rows: c.s.n, cols: c.s.d, data: c.X };
        const got = trainLadder(L, X, c.y, { steps, eta, lambda: c.s.lambda, tol: 1e-3, maxRestarts: 2 });
        // The plain loop: the rule of trainLadder, with the gradient above and the update written out.
        const P = ladderOf(c);
        const J = c.s.widths.length;
        const d = c.s.d;
        const active = Array<boolean>(J).fill(true);
        const st = Array<number>(J).fill(0);
        const et = Array<number>(J).fill(eta);
        const rs = Array<number>(J).fill(0);
        const l0 = Array<number>(J).fill(NaN);
        const mseOut = Array<number>(J).fill(Infinity);
        while (active.some(Boolean)) {
          const g = plainLadderGradient(P, X, c.y, c.s.lambda, Uint8Array.from(active, (v) => (v ? 1 : 0)));
          const restart = Array<boolean>(J).fill(false);
          for (let j = 0; j < J; j++) {
            if (!active[j]) continue;
            const mse = 2 * g.loss[j]!;
            if (st[j] === 0) l0[j] = mse;
            if (!Number.isFinite(mse) || mse > 1e3 * l0[j]!) {
              if (rs[j]! >= 2) active[j] = false;
              else [rs[j], et[j], st[j], restart[j]] = [rs[j]! + 1, et[j]! / 2, 0, true];
              continue;
            }
            mseOut[j] = mse;
            if (mse < 1e-3 || steps === st[j]) active[j] = false;
            else st[j]!++;
          }
          for (let k = 0; k < P.segment.length; k++) {
            const j = P.segment[k]!;
            if (restart[j]) {
              P.a[k] = c.a[k]!;
              P.b[k] = c.b[k]!;
              for (let q = 0; q < d; q++) P.W[k * d + q] = c.W[k * d + q]!;
            } else if (active[j]) {
              P.a[k]! -= et[j]! * g.ga[k]!;
              P.b[k]! -= et[j]! * g.gb[k]!;
              for (let q = 0; q < d; q++) P.W[k * d + q]! -= et[j]! * g.gW[k * d + q]!;
            }
          }
        }
        expect(bits(L.W)).toEqual(bits(P.W));
        expect(bits(L.b)).toEqual(bits(P.b));
        expect(bits(L.a)).toEqual(bits(P.a));
        expect(got.steps).toEqual(st);
        expect(got.restarts).toEqual(rs);
        expect(bits(got.trainMse)).toEqual(bits(mseOut));
      }),
      { ...FC, numRuns: 50 },
    );
  });
});

/** trainTwoLayer's plain loop (before core/wasm), row by row: W, a after `steps` steps and the step it diverged at. */
function plainHomogeneous(W0: Float64Array, a0: Float64Array, m: number, d: number, X: Float64Array, y: Float64Array, loss: MarginLoss, eta: number, steps: number) {
  const N = y.length;
  const W = W0.slice();
  const a = a0.slice();
  const pre = new Float64Array(m * N);
  const f = new Float64Array(N);
  const c = new Float64Array(N);
  for (let t = 1; t <= steps; t++) {
    f.fill(0);
    for (let j = 0; j < m; j++) {
      for (let n = 0; n < N; n++) {
        let h = 0;
        for (let k = 0; k < d; k++) h += W[j * d + k]! * X[n * d + k]!;
        pre[j * N + n] = h;
        if (h > 0) f[n]! += a[j]! * h;
      }
    }
    for (let n = 0; n < N; n++) {
      const q = y[n]! * f[n]!;
      c[n] = y[n]! * (loss === 'logistic' ? -1 / (1 + Math.exp(q)) : marginLossDeriv(loss, q));
    }
    const gW = new Float64Array(m * d);
    const ga = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      for (let n = 0; n < N; n++) if (!(pre[j * N + n]! <= 0)) ga[j]! += c[n]! * pre[j * N + n]!;
      for (let k = 0; k < d; k++) {
        let g = 0;
        for (let n = 0; n < N; n++) g += (pre[j * N + n]! <= 0 ? 0 : c[n]! * a[j]!) * X[n * d + k]!;
        gW[j * d + k] = g;
      }
    }
    for (let i = 0; i < m * d; i++) W[i]! -= eta * gW[i]!;
    for (let j = 0; j < m; j++) a[j]! -= eta * ga[j]!;
    if (!Number.isFinite(a[0]!)) return { W, a, divergedAt: t };
  }
  return { W, a, divergedAt: null };
}

describe('loops_homog_gd (theory/homogeneous.ts trainTwoLayer) gives the plain loop’s bits', () => {
  const homCase = fc
    .record({ m: fc.integer({ min: 1, max: 6 }), d: fc.integer({ min: 1, max: 5 }), N: fc.integer({ min: 1, max: 7 }) })
    .chain((s) => {
      const arr = (len: number) => fc.array(entry, { minLength: len, maxLength: len }).map((v) => Float64Array.from(v));
      return fc.record({
        s: fc.constant(s),
        W: arr(s.m * s.d),
        a: arr(s.m),
        X: arr(s.N * s.d),
        y: fc.array(fc.constantFrom(1, -1), { minLength: s.N, maxLength: s.N }).map((v) => Float64Array.from(v)),
        eta: fc.constantFrom(0.01, 0.3, 30),
        steps: fc.integer({ min: 0, max: 15 }),
        record: fc.array(fc.integer({ min: 0, max: 15 }), { maxLength: 3 }),
      });
    });
  for (const loss of ['logistic', 'exp', 'squared'] as const) {
    it(`${loss} loss: the parameters after training, every recorded snapshot and the divergence step`, () => {
      fc.assert(
        fc.property(homCase, (h) => {
          const { m, d, N } = h.s;
          const net = { W: h.W.slice(), a: h.a.slice(), m, d };
          const X = { rows: N, cols: d, data: h.X };
          const got = trainTwoLayer(net, X, h.y, { loss, eta: h.eta, steps: h.steps, record: h.record });
          const want = plainHomogeneous(h.W, h.a, m, d, h.X, h.y, loss, h.eta, h.steps);
          expect(bits(net.W)).toEqual(bits(want.W));
          expect(bits(net.a)).toEqual(bits(want.a));
          expect(got.divergedAt).toBe(want.divergedAt);
          for (const s of got.snapshots) {
            const at = plainHomogeneous(h.W, h.a, m, d, h.X, h.y, loss, h.eta, s.t);
            expect(bits([s.normSq])).toEqual(bits([paramNormSq({ W: at.W, a: at.a, m, d })]));
            expect(bits([s.minMargin])).toEqual(bits([Math.min(...margins({ W: at.W, a: at.a, m, d }, X, h.y))]));
          }
        }),
        FC,
      );
    });
  }
});

/** gdTwoLayer's plain loop (before core/wasm): θ after `steps` steps of GD on (1/n)Σ(f − y)², or null if it diverged. */
function plainPlateauGd(theta0: Float64Array, xs: Float64Array, ys: Float64Array, lr: number, steps: number) {
  const m = (theta0.length - 1) / 3;
  const n = xs.length;
  const th = theta0.slice();
  const losses: number[] = [];
  for (let step = 0; ; step++) {
    const h = new Float64Array(n * m);
    const g = new Float64Array(n);
    let loss = 0;
    let gc = 0;
    for (let i = 0; i < n; i++) {
      let f = th[3 * m]!;
      for (let k = 0; k < m; k++) {
        h[i * m + k] = Math.tanh(th[k]! * xs[i]! + th[m + k]!);
        f += th[2 * m + k]! * h[i * m + k]!;
      }
      const r = f - ys[i]!;
      loss += r * r;
      g[i] = (2 * r) / n;
      gc += g[i]!;
    }
    losses.push(loss / n);
    if (!Number.isFinite(loss / n) || step === steps) return { theta: th, losses };
    const gr = new Float64Array(3 * m);
    for (let k = 0; k < m; k++) {
      for (let i = 0; i < n; i++) {
        const t = h[i * m + k]!;
        const back = g[i]! * th[2 * m + k]! * (1 - t * t);
        gr[k]! += back * xs[i]!;
        gr[m + k]! += back;
        gr[2 * m + k]! += g[i]! * t;
      }
    }
    for (let q = 0; q < 3 * m; q++) th[q]! -= lr * gr[q]!;
    th[3 * m]! -= lr * gc;
  }
}

describe('loops_plateau_gd (theory/plateau.ts gdTwoLayer) gives the plain loop’s bits', () => {
  it('every recorded θ and loss, the divergence and the stopping step (odd widths, zeros, −0, huge steps)', () => {
    const plateauCase = fc
      .record({ m: fc.integer({ min: 1, max: 7 }), n: fc.integer({ min: 1, max: 6 }) })
      .chain((s) => {
        const arr = (len: number) => fc.array(entry, { minLength: len, maxLength: len }).map((v) => Float64Array.from(v));
        return fc.record({
          theta: arr(3 * s.m + 1),
          xs: arr(s.n),
          ys: arr(s.n),
          lr: fc.constantFrom(0.01, 0.2, 1e3, 1e200),
          recordAt: fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 5 }).map((a) => [...new Set(a)].sort((p, q) => p - q)),
          stopAfter: fc.integer({ min: 1, max: 6 }),
        });
      });
    fc.assert(
      fc.property(plateauCase, (c) => {
        const got = gdTwoLayer(c.theta, c.xs, c.ys, c.lr, c.recordAt, (r) => r.length >= c.stopAfter);
        const last = c.recordAt.at(-1) ?? 0;
        const want = plainPlateauGd(c.theta, c.xs, c.ys, c.lr, last);
        const diverged = want.losses.findIndex((l) => !Number.isFinite(l));
        expect(got.divergedAt).toBe(diverged >= 0 && (got.stoppedAt === null || diverged <= got.stoppedAt) ? diverged : null);
        for (const r of got.records) {
          const at = plainPlateauGd(c.theta, c.xs, c.ys, c.lr, r.step);
          expect(bits(r.theta)).toEqual(bits(at.theta));
          expect(bits([r.loss])).toEqual(bits([at.losses.at(-1)!]));
        }
        const expectRecords = c.recordAt.filter((t) => (diverged < 0 || t < diverged)).slice(0, got.stoppedAt === null ? undefined : c.stopAfter);
        expect(got.records.map((r) => r.step)).toEqual(expectRecords);
      }),
      FC,
    );
  });
});

/** lfp-net trainGd's plain loop for 1-D inputs (before core/wasm): heavy-ball GD, neuron by neuron. */
function plainLfp1(w0: Float64Array, b0: Float64Array, a0: Float64Array, x: Float64Array, y: Float64Array, lr: number, mom: number, maxSteps: number, tol: number) {
  const m = w0.length;
  const n = x.length;
  const [w, b, a] = [w0.slice(), b0.slice(), a0.slice()];
  const [vw, vb, va] = [new Float64Array(m), new Float64Array(m), new Float64Array(m)];
  const forward = () => {
    const out = new Float64Array(n);
    for (let j = 0; j < m; j++) {
      for (let i = 0; i < n; i++) {
        const zz = b[j]! + w[j]! * x[i]!;
        if (zz > 0) out[i]! += a[j]! * zz;
      }
    }
    return out;
  };
  let yNorm = 0;
  for (let i = 0; i < n; i++) yNorm += y[i]! ** 2;
  yNorm = Math.sqrt(yNorm);
  let first = NaN;
  for (let step = 0; ; step++) {
    const out = forward();
    const r = new Float64Array(n);
    let rr = 0;
    for (let i = 0; i < n; i++) {
      r[i] = out[i]! - y[i]!;
      rr += r[i]! ** 2;
    }
    const residual = Math.sqrt(rr) / yNorm;
    if (step === 0) first = residual;
    if (!Number.isFinite(residual) || residual > 1e6 * first || residual <= tol || step >= maxSteps) return { w, b, a, steps: step };
    for (let j = 0; j < m; j++) {
      let ga = 0;
      let gb = 0;
      let g = 0;
      for (let i = 0; i < n; i++) {
        const zz = b[j]! + w[j]! * x[i]!;
        if (!(zz > 0)) continue;
        ga += r[i]! * zz;
        gb += r[i]!;
        g += r[i]! * x[i]!;
      }
      const aj = a[j]!;
      w[j]! += vw[j] = mom * vw[j]! - lr * aj * g;
      b[j]! += vb[j] = mom * vb[j]! - lr * aj * gb;
      a[j]! += va[j] = mom * va[j]! - lr * ga;
    }
  }
}

describe('loops_lfp_pre1 and loops_lfp_pass1 (theory/lfp-net.ts trainGd, 1-D inputs) give the plain loop’s bits', () => {
  it('the trained parameters and the step count (odd widths, zeros, −0, momentum or none, divergent steps)', () => {
    const lfpCase = fc
      .record({ m: fc.integer({ min: 1, max: 7 }), n: fc.integer({ min: 1, max: 6 }) })
      .chain((s) => {
        const arr = (len: number) => fc.array(entry, { minLength: len, maxLength: len }).map((v) => Float64Array.from(v));
        return fc.record({ w: arr(s.m), b: arr(s.m), a: arr(s.m), x: arr(s.n), y: arr(s.n), lr: fc.constantFrom(0.01, 0.3, 1e4), mom: fc.constantFrom(0, 0.5), steps: fc.integer({ min: 0, max: 15 }), tol: fc.constantFrom(0, 0.3) });
      });
    fc.assert(
      fc.property(lfpCase, (c) => {
        const m = c.w.length;
        const net = { m, d: 1, w: c.w.slice(), b: c.b.slice(), a: c.a.slice() };
        const got = lfpTrainGd(net, { rows: c.x.length, cols: 1, data: c.x }, c.y, { lr: c.lr, momentum: c.mom, maxSteps: c.steps, tol: c.tol });
        const want = plainLfp1(c.w, c.b, c.a, c.x, c.y, c.lr, c.mom, c.steps, c.tol);
        expect(got.steps).toBe(want.steps);
        expect(bits(net.w)).toEqual(bits(want.w));
        expect(bits(net.b)).toEqual(bits(want.b));
        expect(bits(net.a)).toEqual(bits(want.a));
      }),
      FC,
    );
  });
});

/** The register-unrolled JavaScript loop that theory/phase-diagram.ts ran for D = 2, n ≤ 4 before core/wasm, verbatim. */
function oldGdInPlace1d4(a: Float64Array, w: Float64Array, data: PdData, alpha: number, eta: number, steps: number, tol: number, blowUp: number): { loss: number; steps: number } {
  const m = a.length;
  const { n, xt, y } = data;
  const xp = new Float64Array(8);
  const yp = new Float64Array(4);
  xp.set(xt.subarray(0, 2 * n));
  yp.set(y.subarray(0, n));
  const [x0, e0, x1, e1, x2, e2, x3, e3] = xp as unknown as number[];
  const [y0, y1, y2, y3] = yp as unknown as number[];
  const z = new Float64Array(m * 4);
  let n0 = 0;
  let n1 = 0;
  let n2 = 0;
  let n3 = 0;
  for (let k = 0; k < m; k++) {
    const w0 = w[2 * k]!;
    const w1 = w[2 * k + 1]!;
    const ak = a[k]!;
    const q0 = 0 + w0 * x0! + w1 * e0!;
    const q1 = 0 + w0 * x1! + w1 * e1!;
    const q2 = 0 + w0 * x2! + w1 * e2!;
    const q3 = 0 + w0 * x3! + w1 * e3!;
    z[4 * k] = q0;
    z[4 * k + 1] = q1;
    z[4 * k + 2] = q2;
    z[4 * k + 3] = q3;
    n0 += ak * Math.max(q0, 0);
    n1 += ak * Math.max(q1, 0);
    n2 += ak * Math.max(q2, 0);
    n3 += ak * Math.max(q3, 0);
  }
  const c = 1 / (n * alpha);
  const ec = eta * c;
  for (let t = 0; ; t++) {
    const r0 = n0 / alpha - y0!;
    const r1 = n > 1 ? n1 / alpha - y1! : 0;
    const r2 = n > 2 ? n2 / alpha - y2! : 0;
    const r3 = n > 3 ? n3 / alpha - y3! : 0;
    let loss = 0 + r0 * r0;
    if (n > 1) loss += r1 * r1;
    if (n > 2) loss += r2 * r2;
    if (n > 3) loss += r3 * r3;
    loss /= 2 * n;
    if (!(loss <= blowUp)) return { loss: NaN, steps: t };
    if (t === steps || loss <= tol) return { loss, steps: t };
    n0 = n1 = n2 = n3 = 0;
    for (let k = 0; k < m; k++) {
      const ak = a[k]!;
      const p0 = Math.max(z[4 * k]!, 0);
      const p1 = Math.max(z[4 * k + 1]!, 0);
      const p2 = Math.max(z[4 * k + 2]!, 0);
      const p3 = Math.max(z[4 * k + 3]!, 0);
      const ga = 0 + r0 * p0 + r1 * p1 + r2 * p2 + r3 * p3;
      // σ'(z) = sign(relu(z)) ∈ {0, 1}; g_i = η·c·r_i·a_k on the points where neuron k is on.
      const g0 = ec * r0 * ak * Math.sign(p0);
      const g1 = ec * r1 * ak * Math.sign(p1);
      const g2 = ec * r2 * ak * Math.sign(p2);
      const g3 = ec * r3 * ak * Math.sign(p3);
      const w0 = w[2 * k]! - g0 * x0! - g1 * x1! - g2 * x2! - g3 * x3!;
      const w1 = w[2 * k + 1]! - g0 * e0! - g1 * e1! - g2 * e2! - g3 * e3!;
      const a1 = ak - ec * ga;
      a[k] = a1;
      w[2 * k] = w0;
      w[2 * k + 1] = w1;
      const q0 = 0 + w0 * x0! + w1 * e0!;
      const q1 = 0 + w0 * x1! + w1 * e1!;
      const q2 = 0 + w0 * x2! + w1 * e2!;
      const q3 = 0 + w0 * x3! + w1 * e3!;
      z[4 * k] = q0;
      z[4 * k + 1] = q1;
      z[4 * k + 2] = q2;
      z[4 * k + 3] = q3;
      n0 += a1 * Math.max(q0, 0);
      n1 += a1 * Math.max(q1, 0);
      n2 += a1 * Math.max(q2, 0);
      n3 += a1 * Math.max(q3, 0);
    }
  }
}

describe('loops_pd_gd (theory/phase-diagram.ts trainGd, 1-D inputs with bias, n ≤ 4) gives the JavaScript loop’s bits', () => {
  it('the trained a and w, the step count and the loss, for odd widths, zeros, −0, blow-ups and early stops', () => {
    const pdCase = fc
      .record({ m: fc.integer({ min: 1, max: 7 }), n: fc.integer({ min: 1, max: 4 }) })
      .chain((s) => {
        const arr = (len: number) => fc.array(entry, { minLength: len, maxLength: len }).map((v) => Float64Array.from(v));
        return fc.record({ a: arr(s.m), w: arr(2 * s.m), x: arr(s.n), y: arr(s.n), alpha: fc.constantFrom(0.5, 1, 3), eta: fc.constantFrom(0.01, 0.5, 1e3), steps: fc.integer({ min: 0, max: 15 }), tol: fc.constantFrom(0, 0.05) });
      });
    fc.assert(
      fc.property(pdCase, (c) => {
        const data = withBias(Array.from(c.x, (v) => [v]), Array.from(c.y));
        const s0 = { m: c.a.length, D: 2, a: c.a, w: c.w };
        const got = pdTrainGd(s0, data, c.alpha, c.eta, { steps: c.steps, tol: c.tol });
        // trainGd's restarts with η/2 from s0 and its blow-up bound 10·L0, around the old loop
        const loss0 = pdLoss(s0, data, c.alpha);
        let eta = c.eta;
        for (let restarts = 0; restarts <= 30; restarts++, eta /= 2) {
          const a = c.a.slice();
          const w = c.w.slice();
          const res = oldGdInPlace1d4(a, w, data, c.alpha, eta, c.steps, c.tol, 10 * loss0);
          if (Number.isFinite(res.loss)) {
            expect(got.restarts).toBe(restarts);
            expect(got.steps).toBe(res.steps);
            expect(bits([got.finalLoss])).toEqual(bits([res.loss]));
            expect(bits(got.state.a)).toEqual(bits(a));
            expect(bits(got.state.w)).toEqual(bits(w));
            return;
          }
        }
        expect(got.diverged).toBe(true);
      }),
      FC,
    );
  });
});
