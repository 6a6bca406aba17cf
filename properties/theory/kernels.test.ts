// Blocked float64 kernels against the plain loops of their definitions, bit for bit (issue 19: faster kernels must
// not move report.json). theory/mlp.ts's passes are also checked in properties/theory/mlp.test.ts; its WebAssembly
// kernels (core/wasm/mlp.wat) one by one at the end of this file.
//
// The blocked conv/dense kernels of theory/cnn.ts (cnnTrace, backwardCnn) must give the same bits as the plain loops
// of the definitions (theory/cnn.ts header): z[p,i,j,o] = s_w·Σ_{a,b,c} h·W (terms in (a, b, c) order, zero inputs
// skipped) + s_b·b[o]; gW and gb summed over points and positions in order, ∂L/∂h = s_w·Σ_o δ_o·W (o in order), and
// δ = g ⊙ φ'(z) with φ' = activateDeriv. Random small nets (theory/cnn-arbitrary.ts) cover every layer kind, padding,
// stride and activation; sparse inputs exercise the skipped zeros.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backwardCnn, cnnScales, cnnShapes, cnnTrace, convAxis, type Cnn, type Shape } from '../../theory/cnn.ts';
import { activate, activateDeriv, backwardInto, cloneMlp, forwardInto, initMlp, layerScales, makeWorkspace, mat, type Activation, type Mat } from '../../theory/mlp.ts';
import { Arena } from '../../core/wasm/runtime.ts';
import { twoLayerStepper } from '../../experiments/linearization/wide-run.ts';
import { gramAB } from '../../theory/ntk.ts';
import { rngFromKey } from '../../core/rng.ts';
import { FC } from '../helpers.ts';
import { plainGdStep } from '../support/plain-loops.ts';
import { archArb, build } from './cnn-arbitrary.ts';

type MapShape = Shape & { kind: 'map' };

function inShapeOf(net: Cnn, shapes: Shape[], l: number): Shape {
  return l === 0 ? { kind: 'map', h: net.input[0], w: net.input[1], c: net.input[2] } : shapes[l - 1]!;
}
const size = (s: Shape) => (s.kind === 'map' ? s.h * s.w * s.c : s.n);

/** Plain forward: every layer's input and the conv/dense pre-activations, in the definitions' loop order. */
function plainTrace(net: Cnn, X: Mat): { inputs: Float64Array[]; pre: (Float64Array | null)[] } {
  const shapes = cnnShapes(net);
  const n = X.rows;
  const inputs: Float64Array[] = [];
  const pre: (Float64Array | null)[] = [];
  let h = X.data;
  net.layers.forEach((l, li) => {
    inputs.push(h);
    const sIn = inShapeOf(net, shapes, li);
    const sOut = shapes[li]!;
    const inSize = size(sIn);
    const outSize = size(sOut);
    const z = new Float64Array(n * outSize);
    if (l.type === 'dense') {
      const s = cnnScales(net, l);
      for (let p = 0; p < n; p++) {
        for (let k = 0; k < l.nIn; k++) {
          const x = h[p * l.nIn + k]!;
          if (x === 0) continue;
          for (let o = 0; o < l.nOut; o++) z[p * l.nOut + o]! += x * l.W[k * l.nOut + o]!;
        }
        for (let o = 0; o < l.nOut; o++) z[p * l.nOut + o] = s.w * z[p * l.nOut + o]! + s.b * l.b[o]!;
      }
    } else if (l.type === 'conv') {
      const s = cnnScales(net, l);
      const mi = sIn as MapShape;
      const mo = sOut as MapShape;
      const pt = convAxis(mi.h, l.kh, l.stride, l.padding).before;
      const pl = convAxis(mi.w, l.kw, l.stride, l.padding).before;
      for (let p = 0; p < n; p++)
        for (let i = 0; i < mo.h; i++)
          for (let j = 0; j < mo.w; j++) {
            const acc = new Float64Array(l.cout);
            for (let a = 0; a < l.kh; a++)
              for (let b = 0; b < l.kw; b++) {
                const ii = i * l.stride + a - pt;
                const jj = j * l.stride + b - pl;
                if (ii < 0 || ii >= mi.h || jj < 0 || jj >= mi.w) continue;
                for (let c = 0; c < l.cin; c++) {
                  const x = h[p * inSize + (ii * mi.w + jj) * l.cin + c]!;
                  if (x === 0) continue;
                  for (let o = 0; o < l.cout; o++) acc[o]! += x * l.W[((a * l.kw + b) * l.cin + c) * l.cout + o]!;
                }
              }
            for (let o = 0; o < l.cout; o++) z[p * outSize + (i * mo.w + j) * l.cout + o] = s.w * acc[o]! + s.b * l.b[o]!;
          }
    } else {
      const mi = sIn as MapShape;
      const mo = sOut as MapShape;
      const k = l.size;
      for (let p = 0; p < n; p++)
        for (let i = 0; i < mo.h; i++)
          for (let j = 0; j < mo.w; j++)
            for (let c = 0; c < mi.c; c++) {
              let best = -Infinity;
              let sum = 0;
              for (let a = 0; a < k; a++)
                for (let b = 0; b < k; b++) {
                  const v = h[p * inSize + ((i * k + a) * mi.w + (j * k + b)) * mi.c + c]!;
                  sum += v;
                  if (v > best) best = v;
                }
              z[p * outSize + (i * mo.w + j) * mi.c + c] = l.type === 'maxpool' ? best : sum / (k * k);
            }
      pre.push(null);
      h = z;
      return;
    }
    pre.push(z);
    h = li === net.layers.length - 1 ? z : z.map((v) => activate(net.activation, v));
  });
  return { inputs, pre };
}

/** Plain backward of the conv and dense layers (pools as backwardCnn routes them), parameter gradients only. */
function plainGrads(net: Cnn, X: Mat, dOut: Float64Array): (Float64Array[] | null)[] {
  const shapes = cnnShapes(net);
  const tr = cnnTrace(net, X); // pools' argmaxes; the inputs and pre are checked against plainTrace separately
  const n = X.rows;
  const L = net.layers.length;
  const out: (Float64Array[] | null)[] = new Array(L).fill(null);
  let g = dOut;
  for (let l = L - 1; l >= 0; l--) {
    const layer = net.layers[l]!;
    const sIn = inShapeOf(net, shapes, l);
    const sOut = shapes[l]!;
    const inSize = size(sIn);
    const outSize = size(sOut);
    const h = tr.inputs[l]!.data;
    const dh = new Float64Array(n * inSize);
    if (layer.type === 'conv' || layer.type === 'dense') {
      const z = tr.pre[l]!.data;
      const delta = g.map((v, q) => (l === L - 1 ? v : v * activateDeriv(net.activation, z[q]!)));
      const s = cnnScales(net, layer);
      const gW = new Float64Array(layer.W.length);
      const gb = new Float64Array(layer.b.length);
      if (layer.type === 'dense') {
        for (let p = 0; p < n; p++) {
          for (let o = 0; o < layer.nOut; o++) gb[o]! += delta[p * layer.nOut + o]!;
          for (let k = 0; k < layer.nIn; k++) {
            let acc = 0;
            for (let o = 0; o < layer.nOut; o++) {
              const d = delta[p * layer.nOut + o]!;
              gW[k * layer.nOut + o]! += h[p * layer.nIn + k]! * d;
              acc += d * layer.W[k * layer.nOut + o]!;
            }
            dh[p * layer.nIn + k] = s.w * acc;
          }
        }
      } else {
        const mi = sIn as MapShape;
        const mo = sOut as MapShape;
        const { kh, kw, cin, cout, stride, W } = layer;
        const pt = convAxis(mi.h, kh, stride, layer.padding).before;
        const pl = convAxis(mi.w, kw, stride, layer.padding).before;
        for (let p = 0; p < n; p++)
          for (let i = 0; i < mo.h; i++)
            for (let j = 0; j < mo.w; j++) {
              const dO = p * outSize + (i * mo.w + j) * cout;
              for (let o = 0; o < cout; o++) gb[o]! += delta[dO + o]!;
              for (let a = 0; a < kh; a++)
                for (let b = 0; b < kw; b++) {
                  const ii = i * stride + a - pt;
                  const jj = j * stride + b - pl;
                  if (ii < 0 || ii >= mi.h || jj < 0 || jj >= mi.w) continue;
                  for (let c = 0; c < cin; c++) {
                    const xo = p * inSize + (ii * mi.w + jj) * cin + c;
                    const wr = ((a * kw + b) * cin + c) * cout;
                    let acc = 0;
                    for (let o = 0; o < cout; o++) {
                      const d = delta[dO + o]!;
                      gW[wr + o]! += h[xo]! * d;
                      acc += d * W[wr + o]!;
                    }
                    dh[xo]! += s.w * acc;
                  }
                }
            }
      }
      out[l] = [gW.map((v) => v * s.w), gb.map((v) => v * s.b)];
    } else {
      const mi = sIn as MapShape;
      const mo = sOut as MapShape;
      const k = layer.size;
      const am = tr.argmax[l];
      for (let p = 0; p < n; p++)
        for (let i = 0; i < mo.h; i++)
          for (let j = 0; j < mo.w; j++)
            for (let c = 0; c < mi.c; c++) {
              const o = p * outSize + (i * mo.w + j) * mi.c + c;
              if (am) dh[p * inSize + am[o]!]! += g[o]!;
              else for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) dh[p * inSize + ((i * k + a) * mi.w + (j * k + b)) * mi.c + c]! += g[o]! / (k * k);
            }
    }
    g = dh;
  }
  return out;
}

describe('CNN kernels are bit-identical to the plain loops', () => {
  it('cnnTrace and backwardCnn give the plain loops\' bits (dense and sparse inputs)', () => {
    fc.assert(
      fc.property(archArb, fc.boolean(), (a, sparse) => {
        const { net, X, rng } = build(a);
        if (sparse) X.data.forEach((v, q) => (X.data[q] = v > 0.3 ? 0 : v));
        const want = plainTrace(net, X);
        const got = cnnTrace(net, X);
        got.inputs.forEach((m, l) => expect(Array.from(m.data)).toEqual(Array.from(want.inputs[l]!)));
        got.pre.forEach((m, l) => expect(m === null ? null : Array.from(m.data)).toEqual(want.pre[l] === null ? null : Array.from(want.pre[l]!)));
        const f = got.pre.at(-1)!;
        const dOut = rng.normals(f.data.length);
        const grads = backwardCnn(net, got, { rows: f.rows, cols: f.cols, data: dOut }).grads;
        const wantG = plainGrads(net, X, dOut);
        grads.forEach((gr, l) => expect(gr === null ? null : [Array.from(gr.W), Array.from(gr.b)]).toEqual(wantG[l] === null ? null : wantG[l]!.map((v) => Array.from(v))));
      }),
      { ...FC, numRuns: 150 },
    );
  });
});

describe('gramAB (theory/ntk.ts) is bit-identical to the plain triple loop', () => {
  it('A·Bᵀ entry by entry, each sum over the shared index in order (rows and columns 1–9 cover the 4-wide blocks)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 1e6 }), (n, m, k, seed) => {
        const rng = rngFromKey(`kernels/gram/${seed}`);
        const A = mat(n, k, rng.normals(n * k));
        const B = mat(m, k, rng.normals(m * k));
        const want = new Float64Array(n * m);
        for (let i = 0; i < n; i++)
          for (let j = 0; j < m; j++) {
            let s = 0;
            for (let q = 0; q < k; q++) s += A.data[i * k + q]! * B.data[j * k + q]!;
            want[i * m + j] = s;
          }
        expect(Array.from(gramAB(A, B).data)).toEqual(Array.from(want));
      }),
      FC,
    );
  });
});


describe('twoLayerStepper (experiments/linearization/wide-run.ts) is bit-identical to the plain loops', () => {
  it('outputs and three GD steps of d-w-1 networks (d, w, n 1–9: odd sizes hit every block remainder)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.constantFrom<Activation>('tanh', 'relu', 'erf'),
        fc.integer({ min: 0, max: 1e6 }),
        (d, w, n, activation, seed) => {
          const rng = rngFromKey(`kernels/stepper/${seed}`);
          const net = initMlp([d, w, 1], { activation, parameterization: 'ntk', sigmaW: 1.5, sigmaB: 0.1 }, rng);
          const X = mat(n, d, rng.normals(n * d));
          const y = rng.normals(n);
          const plain = cloneMlp(net);
          const stepper = twoLayerStepper(net, X);
          for (let t = 0; t < 3; t++) {
            const f = Array.from(stepper.outputs());
            stepper.gdStep(y, 0.3);
            expect(f).toEqual(Array.from(plainGdStep(plain, X, y, 0.3)));
            net.layers.forEach((l, i) => {
              expect(Array.from(l.W)).toEqual(Array.from(plain.layers[i]!.W));
              expect(Array.from(l.b)).toEqual(Array.from(plain.layers[i]!.b));
            });
          }
        },
      ),
      FC,
    );
  });
});

// The WebAssembly kernels of core/wasm/mlp.wat that theory/mlp.ts's passes are made of, against their plain loops:
// shapes 0–13 cover the two-row × four-term blocks, the odd row, the remaining terms, the odd column and the
// one-column path; entries include 0, −0 (skipped terms where asked, kept where not), ±∞ and NaN (what the skip
// decides: 0·∞ = NaN is left out), so every lane and every fallback is compared with Object.is.
describe('MLP wasm kernels (core/wasm/mlp.wat) are bit-identical to the plain loops', () => {
  interface GemmKernels {
    mlp_gemm(a: number, sr: number, st: number, R: number, T: number, b: number, C: number, out: number, skip: number): void;
    mlp_affine_out(out: number, R: number, C: number, sw: number, sb: number, bias: number): void;
    mlp_scale_mul(x: number, d: number, n: number, s: number): void;
    mlp_colsum(a: number, R: number, C: number, out: number): void;
    mlp_transpose(src: number, R: number, C: number, dst: number): void;
    mlp_relu(z: number, h: number, n: number): void;
    mlp_tanh_deriv(h: number, d: number, n: number): void;
    mlp_relu_deriv(h: number, d: number, n: number): void;
  }
  const entry = fc.oneof(
    { weight: 8, arbitrary: fc.double({ min: -4, max: 4, noNaN: true }) },
    { weight: 2, arbitrary: fc.constantFrom(0, -0) },
    { weight: 1, arbitrary: fc.constantFrom(Infinity, -Infinity, NaN) },
  );
  const dims = fc.record({ R: fc.integer({ min: 0, max: 13 }), T: fc.integer({ min: 0, max: 13 }), C: fc.integer({ min: 1, max: 11 }) });

  it('mlp_gemm: out[r,c] = Σ_t a(r,t)·b[t,c] from +0 in t order, zero a skipped when asked, both layouts of a', () => {
    fc.assert(
      fc.property(dims, fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 1e6 }), fc.boolean(), (d, transposed, skip, seed, finite) => {
        const { R, T, C } = d;
        const rng = rngFromKey(`kernels/gemm/${seed}`);
        const draw = (n: number) => Float64Array.from({ length: n }, () => {
          const u = rng.uniform();
          return u < 0.15 ? 0 : u < 0.25 ? -0 : !finite && u < 0.3 ? [Infinity, -Infinity, NaN][rng.int(3)]! : rng.normal();
        });
        const A = draw(R * T);
        const B = draw(T * C);
        // a(r,t) = A[r·T + t] (forward: h·W), or A[t·R + r] (gradient: hᵀ·δ)
        const [sr, st] = transposed ? [1, R] : [T, 1];
        const want = new Float64Array(R * C);
        for (let r = 0; r < R; r++)
          for (let c = 0; c < C; c++) {
            let acc = 0;
            for (let t = 0; t < T; t++) {
              const x = A[r * sr + t * st]!;
              if (skip && x === 0) continue;
              acc += x * B[t * C + c]!;
            }
            want[r * C + c] = acc;
          }
        const arena = Arena.forSizes([A.length, B.length, R * C]);
        const a = arena.copyOf(A);
        const b = arena.copyOf(B);
        const out = arena.f64(R * C).fill(7); // stale contents must be overwritten
        (arena.k as unknown as GemmKernels).mlp_gemm(arena.ptr(a), sr, st, R, T, arena.ptr(b), C, arena.ptr(out), skip ? 1 : 0);
        expect(Array.from(out)).toEqual(Array.from(want));
      }),
      { ...FC, numRuns: 400 },
    );
  });

  it('mlp_affine_out, mlp_scale_mul, mlp_colsum, mlp_transpose and the ReLU/tanh passes equal their loops', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.array(entry, { minLength: 81, maxLength: 81 }), entry, entry, (R, C, pool, sw, sb) => {
        const n = R * C;
        const X = Float64Array.from({ length: n }, (_, q) => pool[q]!);
        const D = Float64Array.from({ length: n }, (_, q) => pool[80 - q]!);
        const bias = Float64Array.from({ length: C }, (_, q) => pool[(q * 7) % 81]!);
        const arena = Arena.forSizes([n, n, C, n, C]);
        const k = arena.k as unknown as GemmKernels;
        const x = arena.copyOf(X);
        const d = arena.copyOf(D);
        const b = arena.copyOf(bias);
        const out = arena.f64(n);
        const small = arena.f64(C);
        k.mlp_affine_out(arena.ptr(x), R, C, sw, sb, arena.ptr(b));
        expect(Array.from(x)).toEqual(Array.from(X, (v, q) => sw * v + sb * bias[q % C]!));
        x.set(X);
        k.mlp_scale_mul(arena.ptr(x), arena.ptr(d), n, sw);
        expect(Array.from(x)).toEqual(Array.from(X, (v, q) => sw * v * D[q]!));
        k.mlp_colsum(arena.ptr(d), R, C, arena.ptr(small));
        const sums = new Float64Array(C);
        for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) sums[c]! += D[r * C + c]!;
        expect(Array.from(small)).toEqual(Array.from(sums));
        k.mlp_transpose(arena.ptr(d), R, C, arena.ptr(out));
        expect(Array.from(out)).toEqual(Array.from({ length: n }, (_, q) => D[(q % R) * C + Math.floor(q / R)]!));
        k.mlp_relu(arena.ptr(d), arena.ptr(out), n);
        expect(Array.from(out)).toEqual(Array.from(D, (v) => (v > 0 ? v : 0)));
        k.mlp_relu_deriv(arena.ptr(d), arena.ptr(out), n);
        expect(Array.from(out)).toEqual(Array.from(D, (v) => (v > 0 ? 1 : 0)));
        k.mlp_tanh_deriv(arena.ptr(d), arena.ptr(out), n);
        expect(Array.from(out)).toEqual(Array.from(D, (t) => 1 - t * t));
      }),
      FC,
    );
  });

  it('forwardInto/backwardInto on wider layers (up to 40 units, 1–21 rows) equal activate/affine/the plain backward', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 2, maxLength: 4 }),
        fc.constantFrom<Activation>('tanh', 'relu', 'erf', 'linear'),
        fc.integer({ min: 1, max: 21 }),
        fc.integer({ min: 0, max: 1e6 }),
        (widths, activation, n, seed) => {
          const rng = rngFromKey(`kernels/mlp-wide/${seed}`);
          const net = initMlp(widths, { activation, parameterization: seed % 2 ? 'ntk' : 'standard', sigmaW: 1.3, sigmaB: 0.2 }, rng);
          const X = mat(n, widths[0]!, rng.normals(n * widths[0]!).map((v) => (v > 0.8 ? 0 : v)));
          // plain forward
          const pre: Float64Array[] = [];
          const post: Float64Array[] = [X.data];
          let h = X.data;
          net.layers.forEach((layer, l) => {
            const s = layerScales(net, layer.nIn);
            const z = new Float64Array(n * layer.nOut);
            for (let i = 0; i < n; i++) {
              for (let kk = 0; kk < layer.nIn; kk++) {
                const x = h[i * layer.nIn + kk]!;
                if (x === 0) continue;
                for (let j = 0; j < layer.nOut; j++) z[i * layer.nOut + j]! += x * layer.W[kk * layer.nOut + j]!;
              }
              for (let j = 0; j < layer.nOut; j++) z[i * layer.nOut + j] = s.w * z[i * layer.nOut + j]! + s.b * layer.b[j]!;
            }
            pre.push(z);
            if (l < net.layers.length - 1) post.push((h = z.map((v) => activate(activation, v))));
          });
          const ws = makeWorkspace(net, n);
          const tr = forwardInto(net, X, ws);
          tr.pre.forEach((z, l) => expect(Array.from(z.data)).toEqual(Array.from(pre[l]!)));
          // plain backward
          const dOut = rng.normals(pre.at(-1)!.length);
          let delta = dOut;
          const want: number[][] = [];
          for (let l = net.layers.length - 1; l >= 0; l--) {
            const { nIn, nOut, W } = net.layers[l]!;
            const s = layerScales(net, nIn);
            const gW = new Float64Array(nIn * nOut);
            const gb = new Float64Array(nOut);
            for (let i = 0; i < n; i++) {
              for (let j = 0; j < nOut; j++) gb[j]! += delta[i * nOut + j]!;
              for (let kk = 0; kk < nIn; kk++) {
                const x = post[l]![i * nIn + kk]!;
                if (x === 0) continue;
                for (let j = 0; j < nOut; j++) gW[kk * nOut + j]! += x * delta[i * nOut + j]!;
              }
            }
            want.unshift(Array.from(gW, (v) => v * s.w), Array.from(gb, (v) => v * s.b));
            if (l > 0) {
              const next = new Float64Array(n * nIn);
              for (let i = 0; i < n; i++)
                for (let kk = 0; kk < nIn; kk++) {
                  let acc = 0;
                  for (let j = 0; j < nOut; j++) acc += delta[i * nOut + j]! * W[kk * nOut + j]!;
                  next[i * nIn + kk] = s.w * acc * activateDeriv(activation, pre[l - 1]![i * nIn + kk]!);
                }
              delta = next;
            }
          }
          const got = backwardInto(net, tr, mat(n, widths.at(-1)!, dOut), ws).grads.flatMap((g) => [Array.from(g.W), Array.from(g.b)]);
          expect(got).toEqual(want);
        },
      ),
      { ...FC, numRuns: 60 },
    );
  });
});
