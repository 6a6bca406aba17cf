// The WebAssembly kernels of core/wasm/cnn.wat against plain-loop oracles of theory/cnn.ts's definitions, bit for bit
// (issue 19: a faster kernel must not move report.json). Each kernel is called directly on an Arena, over random
// geometries (channels 1–9 hit the kernels' 4-, 2- and 1-channel blocks and the input-channel pairs; odd sizes,
// strides, both paddings) and values that include +0, −0, ±∞, NaN, huge and subnormal numbers: they decide the
// zero-skipping, signed zeros and 0·∞ cases. Values are compared with Object.is (−0 ≠ +0; NaN = NaN, any payload).
// properties/theory/kernels.test.ts checks whole networks (cnnTrace, backwardCnn) against plain loops.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rngFromKey } from '../../core/rng.ts';
import { Arena } from '../../core/wasm/runtime.ts';
import { backwardCnn, cnnLossGrad, cnnTrace, convAxis, CnnWorkspace, flattenCnnGrads, forwardCnn, initCnn, type Cnn } from '../../theory/cnn.ts';
import { mat } from '../../theory/mlp.ts';
import { FC } from '../helpers.ts';
import { archArb, build } from './cnn-arbitrary.ts';

type K = Record<string, (...args: number[]) => void>;

const SPECIAL = [0, -0, 0, -0, Infinity, -Infinity, NaN, 1e300, -1e300, 5e-324, -2.5e-310];

/** n values from a seeded stream: normals, with a fraction `special` of entries from SPECIAL and `zeros` of +0. */
function values(key: string, n: number, special: number, zeros: number): Float64Array {
  const rng = rngFromKey(`cnn-kernels/${key}`);
  const out = rng.normals(n);
  for (let i = 0; i < n; i++) {
    const u = rng.uniform();
    if (u < special) out[i] = SPECIAL[rng.int(SPECIAL.length)]!;
    else if (u < special + zeros) out[i] = 0;
  }
  return out;
}

const tag = (v: number) => (Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : String(v));
const bits = (a: ArrayLike<number>) => Array.from(a, tag);

/** A view of `arena` holding a copy of a. */
function put(arena: Arena, a: Float64Array): Float64Array {
  return arena.copyOf(a);
}

const geometryArb = fc.record({
  rows: fc.integer({ min: 1, max: 3 }),
  inH: fc.integer({ min: 1, max: 6 }),
  inW: fc.integer({ min: 1, max: 6 }),
  cin: fc.integer({ min: 1, max: 9 }),
  cout: fc.integer({ min: 1, max: 9 }),
  kh: fc.integer({ min: 1, max: 3 }),
  kw: fc.integer({ min: 1, max: 3 }),
  stride: fc.integer({ min: 1, max: 3 }),
  padding: fc.constantFrom<'same' | 'valid'>('same', 'valid'),
  dense: fc.boolean(),
  special: fc.constantFrom(0, 0.05, 0.3),
  zeros: fc.constantFrom(0, 0.3, 0.7),
  seed: fc.integer({ min: 0, max: 1e6 }),
});
type Geo = typeof geometryArb extends fc.Arbitrary<infer T> ? T : never;

/** The geometry as the kernels take it; a dense layer is the 1×1 conv on the flattened input. */
function layout(g: Geo) {
  if (g.dense) {
    const nIn = g.inH * g.inW * g.cin;
    return { rows: g.rows, inH: 1, inW: 1, cin: nIn, outH: 1, outW: 1, cout: g.cout, kh: 1, kw: 1, stride: 1, pt: 0, pl: 0 };
  }
  const ah = convAxis(g.inH, g.kh, g.stride, g.padding);
  const aw = convAxis(g.inW, g.kw, g.stride, g.padding);
  if (ah.out < 1 || aw.out < 1) return null;
  return { rows: g.rows, inH: g.inH, inW: g.inW, cin: g.cin, outH: ah.out, outW: aw.out, cout: g.cout, kh: g.kh, kw: g.kw, stride: g.stride, pt: ah.before, pl: aw.before };
}
type Layout = NonNullable<ReturnType<typeof layout>>;
const args = (L: Layout) => [L.rows, L.inH, L.inW, L.cin, L.outH, L.outW, L.cout, L.kh, L.kw, L.stride, L.pt, L.pl];

/** Plain conv forward (theory/cnn.ts header): terms in (a, b, c) order, zero inputs skipped, then sw·acc + sb·b. */
function plainConv(L: Layout, x: Float64Array, W: Float64Array, b: Float64Array, sw: number, sb: number): Float64Array {
  const out = new Float64Array(L.rows * L.outH * L.outW * L.cout);
  for (let p = 0; p < L.rows; p++)
    for (let i = 0; i < L.outH; i++)
      for (let j = 0; j < L.outW; j++)
        for (let o = 0; o < L.cout; o++) {
          let acc = 0;
          for (let a = 0; a < L.kh; a++)
            for (let bb = 0; bb < L.kw; bb++) {
              const ii = i * L.stride + a - L.pt;
              const jj = j * L.stride + bb - L.pl;
              if (ii < 0 || ii >= L.inH || jj < 0 || jj >= L.inW) continue;
              for (let c = 0; c < L.cin; c++) {
                const v = x[((p * L.inH + ii) * L.inW + jj) * L.cin + c]!;
                if (v !== 0) acc += v * W[((a * L.kw + bb) * L.cin + c) * L.cout + o]!;
              }
            }
          out[((p * L.outH + i) * L.outW + j) * L.cout + o] = sw * acc + sb * b[o]!;
        }
  return out;
}

/** Plain conv backward: gb, gW (no zero skipping) and dh (+= for a conv, = for a dense layer), unscaled gW and gb. */
function plainConvBack(L: Layout, x: Float64Array, d: Float64Array, W: Float64Array, sw: number, mode: number) {
  const gW = new Float64Array(W.length);
  const gb = new Float64Array(L.cout);
  const dh = new Float64Array(x.length);
  for (let p = 0; p < L.rows; p++)
    for (let i = 0; i < L.outH; i++)
      for (let j = 0; j < L.outW; j++) {
        const dO = ((p * L.outH + i) * L.outW + j) * L.cout;
        for (let o = 0; o < L.cout; o++) gb[o]! += d[dO + o]!;
        for (let a = 0; a < L.kh; a++)
          for (let bb = 0; bb < L.kw; bb++) {
            const ii = i * L.stride + a - L.pt;
            const jj = j * L.stride + bb - L.pl;
            if (ii < 0 || ii >= L.inH || jj < 0 || jj >= L.inW) continue;
            for (let c = 0; c < L.cin; c++) {
              const xo = ((p * L.inH + ii) * L.inW + jj) * L.cin + c;
              const r = ((a * L.kw + bb) * L.cin + c) * L.cout;
              let acc = 0;
              for (let o = 0; o < L.cout; o++) {
                gW[r + o]! += x[xo]! * d[dO + o]!;
                acc += d[dO + o]! * W[r + o]!;
              }
              if (mode === 1) dh[xo]! += sw * acc;
              else if (mode === 2) dh[xo] = sw * acc;
            }
          }
      }
  return { gW, gb, dh };
}

describe('core/wasm/cnn.wat kernels equal the plain loops bit for bit', () => {
  it('cnn_conv_fwd: conv and dense layers, channels 1–9, zeros, −0, ±∞, NaN, huge and subnormal values', () => {
    fc.assert(
      fc.property(geometryArb, fc.constantFrom(1, 0.37, -2), fc.constantFrom(1, 0.5, 0), (g, sw, sb) => {
        const L = layout(g);
        if (!L) return;
        const x = values(`x/${g.seed}`, L.rows * L.inH * L.inW * L.cin, g.special, g.zeros);
        const W = values(`W/${g.seed}`, L.kh * L.kw * L.cin * L.cout, g.special / 2, 0);
        const b = values(`b/${g.seed}`, L.cout, g.special / 2, 0);
        const want = plainConv(L, x, W, b, sw, sb);
        const terms = L.kh * L.kw * L.cin;
        const arena = Arena.forSizes([x.length, W.length, b.length, want.length, terms, Math.ceil((3 * terms) / 2)]);
        const [xv, Wv, bv] = [put(arena, x), put(arena, W), put(arena, b)];
        const out = arena.f64(want.length).fill(7); // overwritten, never read
        const tx = arena.f64(terms);
        const tw = arena.f64(Math.ceil((3 * terms) / 2));
        (arena.k as K).cnn_conv_fwd!(arena.ptr(xv), arena.ptr(Wv), arena.ptr(bv), arena.ptr(out), arena.ptr(tx), arena.ptr(tw), ...args(L), sw, sb);
        expect(bits(out)).toEqual(bits(want));
      }),
      { ...FC, numRuns: 300 },
    );
  });

  it('cnn_conv_bwd: gW, gb and ∂L/∂h (added, stored, or skipped) for conv and dense layers', () => {
    fc.assert(
      fc.property(geometryArb, fc.constantFrom(1, 0.37), fc.constantFrom(0, 1, 2), (g, sw, mode0) => {
        const L = layout(g);
        if (!L) return;
        const mode = g.dense ? (mode0 === 1 ? 2 : mode0) : mode0 === 2 ? 1 : mode0;
        const x = values(`x/${g.seed}`, L.rows * L.inH * L.inW * L.cin, g.special, g.zeros);
        const d = values(`d/${g.seed}`, L.rows * L.outH * L.outW * L.cout, g.special, g.zeros);
        const W = values(`W/${g.seed}`, L.kh * L.kw * L.cin * L.cout, g.special / 2, 0);
        const want = plainConvBack(L, x, d, W, sw, mode);
        // W transposed per tap to [o][c], as CnnWorkspace.backward hands it to the kernel
        const WT = new Float64Array(W.length);
        const taps = L.kh * L.kw;
        for (let t = 0; t < taps; t++) for (let c = 0; c < L.cin; c++) for (let o = 0; o < L.cout; o++) WT[(t * L.cout + o) * L.cin + c] = W[(t * L.cin + c) * L.cout + o]!;
        const lists = L.outH * L.outW * (1 + 2 * L.kh * L.kw);
        const arena = Arena.forSizes([x.length, d.length, W.length, W.length, L.cout, x.length, Math.ceil(lists / 2)]);
        const [xv, dv, WTv] = [put(arena, x), put(arena, d), put(arena, WT)];
        const gW = arena.f64(W.length);
        const gb = arena.f64(L.cout);
        const dh = arena.f64(x.length);
        const lst = arena.f64(Math.ceil(lists / 2));
        if (mode === 2) dh.fill(7); // stored over, never read
        (arena.k as K).cnn_conv_bwd!(arena.ptr(xv), arena.ptr(dv), arena.ptr(WTv), arena.ptr(gW), arena.ptr(gb), arena.ptr(dh), arena.ptr(lst), ...args(L), sw, mode);
        expect(bits(gW)).toEqual(bits(want.gW));
        expect(bits(gb)).toEqual(bits(want.gb));
        expect(bits(dh)).toEqual(bits(want.dh));
      }),
      { ...FC, numRuns: 300 },
    );
  });

  it('cnn_pool_fwd and cnn_pool_bwd: max (first largest, argmax −1 when nothing beats −∞) and average pools', () => {
    const poolArb = fc.record({
      rows: fc.integer({ min: 1, max: 3 }),
      h: fc.integer({ min: 1, max: 7 }),
      w: fc.integer({ min: 1, max: 7 }),
      C: fc.integer({ min: 1, max: 5 }),
      k: fc.integer({ min: 1, max: 3 }),
      isMax: fc.boolean(),
      special: fc.constantFrom(0, 0.2, 0.9),
      seed: fc.integer({ min: 0, max: 1e6 }),
    });
    fc.assert(
      fc.property(poolArb, ({ rows, h, w, C, k, isMax, special, seed }) => {
        if (k > h || k > w) return;
        const oh = Math.floor(h / k);
        const ow = Math.floor(w / k);
        const inSize = h * w * C;
        const outSize = oh * ow * C;
        const x = values(`px/${seed}`, rows * inSize, special, 0.2);
        const g = values(`pg/${seed}`, rows * outSize, special / 2, 0.2);
        // the plain loops (theory/cnn.ts before the kernels), JavaScript's typed-array semantics included
        const want = new Float64Array(rows * outSize);
        const am = new Int32Array(rows * outSize);
        const wantDh = new Float64Array(rows * inSize);
        for (let p = 0; p < rows; p++)
          for (let i = 0; i < oh; i++)
            for (let j = 0; j < ow; j++)
              for (let c = 0; c < C; c++) {
                let best = -Infinity;
                let where = -1;
                let sum = 0;
                for (let a = 0; a < k; a++)
                  for (let b = 0; b < k; b++) {
                    const q = ((i * k + a) * w + (j * k + b)) * C + c;
                    const v = x[p * inSize + q]!;
                    sum += v;
                    if (v > best) {
                      best = v;
                      where = q;
                    }
                  }
                const o = p * outSize + (i * ow + j) * C + c;
                want[o] = isMax ? best : sum / (k * k);
                am[o] = where;
                if (isMax) wantDh[p * inSize + where]! += g[o]!;
                else for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) wantDh[p * inSize + ((i * k + a) * w + (j * k + b)) * C + c]! += g[o]! / (k * k);
              }
        const arena = Arena.forSizes([x.length, g.length, want.length, Math.ceil(want.length / 2), wantDh.length]);
        const [xv, gv] = [put(arena, x), put(arena, g)];
        const out = arena.f64(want.length);
        const amAt = arena.f64(Math.ceil(want.length / 2));
        const dh = arena.f64(wantDh.length);
        const geo = [rows, h, w, C, oh, ow, k, isMax ? 1 : 0];
        const kk = arena.k as K;
        kk.cnn_pool_fwd!(arena.ptr(xv), arena.ptr(out), arena.ptr(amAt), ...geo);
        kk.cnn_pool_bwd!(arena.ptr(gv), arena.ptr(amAt), arena.ptr(dh), ...geo);
        expect(bits(out)).toEqual(bits(want));
        if (isMax) expect(Array.from(new Int32Array(amAt.buffer, amAt.byteOffset, am.length))).toEqual(Array.from(am));
        expect(bits(dh)).toEqual(bits(wantDh));
      }),
      { ...FC, numRuns: 200 },
    );
  });

  it('cnn_relu and cnn_delta: max(z, 0) (NaN and −0 give +0), δ = g·[h > 0] and δ = g·(1 − h²), odd and even lengths', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 17 }), fc.constantFrom(0, 0.3), fc.integer({ min: 0, max: 1e6 }), (n, special, seed) => {
        const z = values(`z/${seed}`, n, special, 0.2);
        const g = values(`g/${seed}`, n, special, 0.2);
        const arena = Arena.forSizes([n, n, n, n]);
        const [zv, gv] = [put(arena, z), put(arena, g)];
        const a = arena.f64(n);
        const d = arena.f64(n);
        const kk = arena.k as K;
        kk.cnn_relu!(arena.ptr(zv), arena.ptr(a), n);
        expect(bits(a)).toEqual(bits(z.map((v) => (v > 0 ? v : 0))));
        kk.cnn_delta!(arena.ptr(gv), arena.ptr(zv), arena.ptr(d), n, 0);
        expect(bits(d)).toEqual(bits(g.map((v, q) => v * (z[q]! > 0 ? 1 : 0))));
        kk.cnn_delta!(arena.ptr(gv), arena.ptr(zv), arena.ptr(d), n, 1);
        expect(bits(d)).toEqual(bits(g.map((v, q) => v * (1 - z[q]! * z[q]!))));
      }),
      FC,
    );
  });
});

describe('CnnWorkspace', () => {
  it('reused over several batches and networks of one architecture, gives what fresh traces give', () => {
    fc.assert(
      fc.property(archArb, (a) => {
        const { net, X, rng } = build(a);
        const other: Cnn = initCnn(specLike(net), rng);
        const X2 = mat(X.rows, X.cols, rng.normals(X.data.length));
        const ws = new CnnWorkspace(net, X.rows);
        for (const [n, x] of [[net, X], [other, X2], [net, X2]] as const) {
          const t = ws.forward(n, x);
          const f = t.pre.at(-1)!;
          const dOut = mat(f.rows, f.cols, rng.normals(f.data.length));
          const fresh = cnnTrace(n, x);
          expect(bits(f.data)).toEqual(bits(fresh.pre.at(-1)!.data));
          expect(bits(flattenCnnGrads(ws.backward(n, t, dOut).grads))).toEqual(bits(flattenCnnGrads(backwardCnn(n, fresh, dOut).grads)));
          // the shared workspaces of forwardCnn and cnnLossGrad hand back copies
          const y = forwardCnn(n, x);
          expect(bits(y.data)).toEqual(bits(f.data));
          const lg = cnnLossGrad(n, x, mat(f.rows, f.cols, f.data.slice()), 'mse');
          forwardCnn(n, X2);
          expect(bits(y.data)).toEqual(bits(f.data));
          expect(lg.loss).toBe(0);
        }
      }),
      { ...FC, numRuns: 60 },
    );
  });

  it('refuses a batch of another size, and a backward pass without backward buffers', () => {
    const { net, X } = build({ h: 4, w: 4, c: 1, body: [{ type: 'conv', kh: 2, kw: 2, cout: 2, stride: 1, padding: 'same' }], hidden: undefined, nOut: 1, activation: 'relu', parameterization: 'ntk', seed: 1, n: 2 });
    expect(() => new CnnWorkspace(net, 3).forward(net, X)).toThrow(/holds 3 points, got 2/);
    const fw = new CnnWorkspace(net, 2, { backward: false });
    const t = fw.forward(net, X);
    expect(() => fw.backward(net, t, mat(2, 1))).toThrow(/without backward buffers/);
  });
});

/** The spec of a network (its architecture), to draw another network of the same shape. */
function specLike(net: Cnn) {
  return {
    activation: net.activation,
    parameterization: net.parameterization,
    sigmaW: net.sigmaW,
    sigmaB: net.sigmaB,
    input: net.input,
    layers: net.layers.map((l) =>
      l.type === 'conv' ? { type: 'conv' as const, kh: l.kh, kw: l.kw, cout: l.cout, stride: l.stride, padding: l.padding } : l.type === 'dense' ? { type: 'dense' as const, nOut: l.nOut } : l,
    ),
  };
}
