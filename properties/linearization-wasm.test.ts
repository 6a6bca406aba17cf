// The linearization family's wide-network steppers run their loops in WebAssembly (core/wasm/wide.wat, issue 19); they
// must give the bits of the plain loops of their definitions (the JS loops they replaced), so report.json does not move:
// every sum in input / sample order from +0, separate multiply and add, zero inputs skipped only where theory/mlp.ts
// forward skips them. Shapes include odd sizes (every block remainder), and inputs include 0, −0 and, for the
// zero-skipping evaluation, ±∞ weights (0·∞ is where skipping a term and adding it differ).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rngFromKey } from '../core/rng.ts';
import { Arena } from '../core/wasm/runtime.ts';
import { oneHiddenLayerStepper } from '../experiments/linearization/optim-run.ts';
import { rowList, twoLayerStepper, type WideKernels } from '../experiments/linearization/wide-run.ts';
import { cloneMlp, forward, initMlp, layerScales, mat, type Activation, type Mat, type Mlp } from '../theory/mlp.ts';
import { gaussianSampler } from '../theory/ntk-gp.ts';
import { symEig } from '../theory/linearized.ts';
import erf from '@stdlib/math-base-special-erf';
import { FC } from './helpers.ts';
import { plainGdStep } from './support/plain-loops.ts';

/** The first index where a and b differ as Object.is does (so +0 ≠ −0, NaN = NaN), or −1. */
function firstDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

function expectSameBits(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  const i = firstDiff(got, want);
  expect(i, `${what}: index ${i}: ${got[i]} vs ${want[i]}`).toBe(-1);
}

/** Replaces about a third of the entries by 0 or −0 (the sparse inputs the zero-skipping paths must see). */
function sprinkleZeros(a: Float64Array, rng: ReturnType<typeof rngFromKey>, p = 0.3): Float64Array {
  for (let i = 0; i < a.length; i++) if (rng.uniform() < p) a[i] = rng.uniform() < 0.5 ? 0 : -0;
  return a;
}

/** z = X·W over the listed rows: z[i, k] = Σ_j x_ij W_jk in j order from +0, zero x_ij skipped when `skip`. */
function plainXw(X: Mat, W: Float64Array, w: number, rows: readonly number[], skip: boolean): Float64Array {
  const d = X.cols;
  const z = new Float64Array(X.rows * w);
  for (const i of rows)
    for (let k = 0; k < w; k++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const x = X.data[i * d + j]!;
        if (skip && x === 0) continue;
        s += x * W[j * w + k]!;
      }
      z[i * w + k] = s;
    }
  return z;
}


/** oneHiddenLayerStepper's outputs and gradients on the listed rows by the plain loops (tanh, k outputs). */
function plainOneHidden(net: Mlp, X: Mat, e: Float64Array, rows: readonly number[]): { f: Float64Array; grads: Float64Array[] } {
  const [L1, L2] = net.layers as [Mlp['layers'][0], Mlp['layers'][0]];
  const d = L1.nIn;
  const w = L1.nOut;
  const k = L2.nOut;
  const s1 = layerScales(net, d);
  const s2 = layerScales(net, w);
  const Z = plainXw(X, L1.W, w, rows, false);
  const H = new Float64Array(X.rows * w);
  const f = new Float64Array(X.rows * k);
  for (const i of rows) {
    for (let q = 0; q < w; q++) H[i * w + q] = Math.tanh(s1.w * Z[i * w + q]! + s1.b * L1.b[q]!);
    for (let c = 0; c < k; c++) {
      let acc = 0;
      for (let q = 0; q < w; q++) acc += H[i * w + q]! * L2.W[q * k + c]!;
      f[i * k + c] = s2.w * acc + s2.b * L2.b[c]!;
    }
  }
  const gW1 = new Float64Array(d * w);
  const gb1 = new Float64Array(w);
  const gV = new Float64Array(w * k);
  const gc = new Float64Array(k);
  for (const i of rows) {
    for (let c = 0; c < k; c++) {
      gc[c]! += s2.b * e[i * k + c]!;
      for (let q = 0; q < w; q++) gV[q * k + c]! += s2.w * e[i * k + c]! * H[i * w + q]!;
    }
    for (let q = 0; q < w; q++) {
      let acc = 0;
      for (let c = 0; c < k; c++) acc += e[i * k + c]! * L2.W[q * k + c]!;
      const h = H[i * w + q]!;
      const delta = s2.w * acc * (1 - h * h);
      gb1[q]! += s1.b * delta;
      for (let j = 0; j < d; j++) gW1[j * w + q]! += s1.w * X.data[i * d + j]! * delta;
    }
  }
  return { f, grads: [gW1, gb1, gV, gc] };
}

const shape = fc.record({ d: fc.integer({ min: 1, max: 11 }), w: fc.integer({ min: 1, max: 11 }), n: fc.integer({ min: 1, max: 9 }), seed: fc.nat(1e6) });

describe('core/wasm/wide.wat kernels against plain loops', () => {
  it('wide_xw: rows listed in any order (repeats included), with and without zero skipping, 0 / −0 / ±∞ entries', () => {
    fc.assert(
      fc.property(shape, fc.boolean(), ({ d, w, n, seed }, skip) => {
        const rng = rngFromKey(`wide-xw/${seed}`);
        const X = mat(n, d, sprinkleZeros(rng.normals(n * d), rng));
        const W = sprinkleZeros(rng.normals(d * w), rng, 0.1);
        if (rng.uniform() < 0.5) W[rng.int(W.length)] = rng.uniform() < 0.5 ? Infinity : -Infinity;
        const rows = Array.from({ length: 1 + rng.int(2 * n) }, () => rng.int(n));
        const arena = Arena.forSizes([n * d, d * w, n * w, 2 * n + 2]);
        const k = arena.k as unknown as WideKernels;
        const x = arena.copyOf(X.data);
        const Wa = arena.copyOf(W);
        const H = arena.f64(n * w);
        const list = rowList(arena, rows.length);
        list.set(rows);
        k.wide_xw(arena.ptr(x), arena.ptr(Wa), arena.ptr(H), list.byteOffset, rows.length, d, w, skip ? 1 : 0);
        expectSameBits(H, plainXw(X, W, w, rows, skip), 'H');
      }),
      FC,
    );
  });

  it('wide_xtd: G = Σ_i (s·x_i)ᵀ δ_i over the listed rows in list order', () => {
    fc.assert(
      fc.property(shape, fc.constantFrom(1, 0.37, -2), ({ d, w, n, seed }, scale) => {
        const rng = rngFromKey(`wide-xtd/${seed}`);
        const X = sprinkleZeros(rng.normals(n * d), rng);
        const D = sprinkleZeros(rng.normals(n * w), rng);
        const rows = Array.from({ length: 1 + rng.int(2 * n) }, () => rng.int(n));
        const want = new Float64Array(d * w);
        for (let j = 0; j < d; j++) for (let q = 0; q < w; q++) for (const i of rows) want[j * w + q]! += scale * X[i * d + j]! * D[i * w + q]!;
        const arena = Arena.forSizes([n * d, n * w, d * w, 2 * n + 2]);
        const k = arena.k as unknown as WideKernels;
        const x = arena.copyOf(X);
        const Da = arena.copyOf(D);
        const G = arena.f64(d * w);
        G.fill(7); // overwritten, not accumulated into
        const list = rowList(arena, rows.length);
        list.set(rows);
        k.wide_xtd(arena.ptr(x), arena.ptr(Da), arena.ptr(G), list.byteOffset, rows.length, d, w, scale);
        expectSameBits(G, want, 'G');
      }),
      FC,
    );
  });
});

describe('the wide steppers in wasm are bit-identical to the plain loops', () => {
  it('twoLayerStepper: outputs and three GD steps (tanh, relu, erf; sparse inputs)', () => {
    fc.assert(
      fc.property(shape, fc.constantFrom<Activation>('tanh', 'relu', 'erf'), ({ d, w, n, seed }, activation) => {
        const rng = rngFromKey(`wide-stepper/${seed}`);
        const net = initMlp([d, w, 1], { activation, parameterization: 'ntk', sigmaW: 1.5, sigmaB: 0.1 }, rng);
        const X = mat(n, d, sprinkleZeros(rng.normals(n * d), rng));
        const y = rng.normals(n);
        const plain = cloneMlp(net);
        const stepper = twoLayerStepper(net, X);
        for (let t = 0; t < 3; t++) {
          const f = Array.from(stepper.outputs());
          stepper.gdStep(y, 0.3);
          expectSameBits(f, plainGdStep(plain, X, y, 0.3), `f at step ${t}`);
          net.layers.forEach((l, i) => {
            expectSameBits(l.W, plain.layers[i]!.W, `W${i + 1} after step ${t}`);
            expectSameBits(l.b, plain.layers[i]!.b, `b${i + 1} after step ${t}`);
          });
        }
      }),
      FC,
    );
  });

  it('oneHiddenLayerStepper: outputs and gradients on all rows and on row lists (k = 1–3)', () => {
    fc.assert(
      fc.property(shape, fc.integer({ min: 1, max: 3 }), fc.boolean(), ({ d, w, n, seed }, k, subset) => {
        const rng = rngFromKey(`wide-one-hidden/${seed}`);
        const net = initMlp([d, w, k], { activation: 'tanh', parameterization: 'ntk', sigmaW: 1.5, sigmaB: 0.3 }, rng);
        const X = mat(n, d, sprinkleZeros(rng.normals(n * d), rng));
        const plain = cloneMlp(net);
        const s = oneHiddenLayerStepper(net, X);
        for (let t = 0; t < 2; t++) {
          const rows = subset ? rng.shuffle(Array.from({ length: n }, (_, i) => i)).slice(0, 1 + rng.int(n)) : undefined;
          const all = rows ?? Array.from({ length: n }, (_, i) => i);
          const e = sprinkleZeros(rng.normals(n * k), rng);
          const want = plainOneHidden(plain, X, e, all);
          const f = s.outputs(rows);
          for (const i of all) expectSameBits(f.subarray(i * k, (i + 1) * k), want.f.subarray(i * k, (i + 1) * k), `f row ${i}`);
          const g = s.grads(e, rows);
          g.forEach((gi, q) => expectSameBits(gi, want.grads[q]!, `gradient ${q}`));
          // an SGD step on both, so the next round starts from moved parameters
          const params = [...net.layers.flatMap((l) => [l.W, l.b])];
          const plainParams = plain.layers.flatMap((l) => [l.W, l.b]);
          params.forEach((p, q) => {
            for (let u = 0; u < p.length; u++) {
              p[u]! -= 0.2 * g[q]![u]!;
              plainParams[q]![u]! -= 0.2 * want.grads[q]![u]!;
            }
          });
        }
      }),
      FC,
    );
  });

  it('evalOutputs is forward(net, X) bit for bit: zero inputs and zero hidden values skipped, ±∞ weights', () => {
    fc.assert(
      fc.property(shape, fc.integer({ min: 1, max: 3 }), fc.constantFrom<Activation>('tanh', 'relu', 'erf'), ({ d, w, n, seed }, k, activation) => {
        const rng = rngFromKey(`wide-eval/${seed}`);
        const net = initMlp([d, w, k], { activation, parameterization: 'ntk', sigmaW: 1.5, sigmaB: 0.3 }, rng);
        // an infinite first-layer weight: forward skips it against a zero input (0·∞ would be NaN)
        if (rng.uniform() < 0.5) net.layers[0]!.W[rng.int(d * w)] = rng.uniform() < 0.5 ? Infinity : -Infinity;
        sprinkleZeros(net.layers[0]!.b, rng, 0.5);
        const X = mat(3, d, rng.normals(3 * d));
        const Xe = mat(n, d, sprinkleZeros(rng.normals(n * d), rng, 0.4));
        const want = forward(net, Xe).data;
        const clone = cloneMlp(net);
        const evaluate = k === 1 ? twoLayerStepper(clone, X, Xe).evalOutputs : activation === 'tanh' ? oneHiddenLayerStepper(clone, X, Xe).evalOutputs : null;
        if (evaluate) expectSameBits(evaluate(), want, 'outputs');
      }),
      FC,
    );
  });
});

describe('theory/ntk-gp.ts gaussianSampler in wasm', () => {
  it('draws are mean_i + Σ_k R_ik z_k (k in order from mean_i) with R the symmetric root, bit for bit, for any M', () => {
    fc.assert(
      fc.property(fc.nat(1e6), (seed) => {
        const rng = rngFromKey(`sampler/${seed}`);
        const p = 1 + rng.int(9);
        const A = rng.normals(p * p);
        const cov = new Float64Array(p * p); // A·Aᵀ (PSD), sometimes rank-deficient
        const rank = 1 + rng.int(p);
        for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) for (let q = 0; q < rank; q++) cov[i * p + j]! += A[i * p + q]! * A[j * p + q]!;
        const mean = sprinkleZeros(rng.normals(p), rng);
        const { values, vectors: V } = symEig({ rows: p, cols: p, data: cov });
        const root = new Float64Array(p * p);
        for (let i = 0; i < p; i++)
          for (let j = 0; j < p; j++) {
            let s = 0;
            for (let k = 0; k < p; k++) s += V.data[i * p + k]! * Math.sqrt(Math.max(values[k]!, 0)) * V.data[j * p + k]!;
            root[i * p + j] = s;
          }
        const draw = gaussianSampler(mean, { rows: p, cols: p, data: cov });
        for (const M of [1 + rng.int(7), 1 + rng.int(3), 8]) {
          const a = rngFromKey(`sampler-draws/${seed}/${M}`);
          const b = rngFromKey(`sampler-draws/${seed}/${M}`);
          const got = draw(M, a);
          const want = new Float64Array(M * p);
          for (let s = 0; s < M; s++) {
            const z = b.normals(p);
            for (let i = 0; i < p; i++) {
              let v = mean[i]!;
              for (let k = 0; k < p; k++) v += root[i * p + k]! * z[k]!;
              want[s * p + i] = v;
            }
          }
          expect([got.rows, got.cols]).toEqual([M, p]);
          expectSameBits(got.data, want, `draws (M = ${M})`);
        }
      }),
      FC,
    );
  });
});

describe('wide.wat erf and exp', () => {
  it('wide_erf equals @stdlib erf (theory/mlp.ts\'s erf) with Object.is: seeded values over every branch (its exp on all the arguments erf gives it), thresholds ± 4 ulps, specials', () => {
    const arena = new Arena(64);
    const k = arena.k as unknown as { wide_erf(x: number): number };
    const rng = rngFromKey('wide-erf');
    const xs: number[] = [];
    for (let i = 0; i < 50000; i++) xs.push(rng.normal() * 3, (rng.uniform() - 0.5) * 16, Math.exp((rng.uniform() - 0.5) * 1400) * (rng.uniform() < 0.5 ? -1 : 1), (rng.uniform() - 0.5) * 1500);
    const edges = [0, 0.84375, 1.25, 6, 2.857142857142857, 3.725290298461914e-9, 2.848094538889218e-306, 5e-324, 2.2250738585072014e-308, 1, 709.782712893384, 745.1332191019411, 0.34657359027997264, 1.0397207708399179, 708.4, 740];
    const bits = new Float64Array(1);
    const word = new BigInt64Array(bits.buffer);
    for (const e of edges)
      for (const sign of [1, -1])
        for (let u = -4; u <= 4; u++) {
          bits[0] = sign * e;
          word[0]! += BigInt(u);
          xs.push(bits[0]!);
        }
    xs.push(-0, Infinity, -Infinity, NaN);
    const wrong = xs.filter((x) => !Object.is(k.wide_erf(x), erf(x)));
    expect(wrong.slice(0, 5)).toEqual([]);
  });
});
