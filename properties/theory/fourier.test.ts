// Exact properties of the Fourier tools of the F-Principle (theory/fourier.ts): the DFT against its definition,
// Parseval and linearity, the NUDFT against the DFT on a uniform grid, PCA, peak picking, the Gaussian low/high split
// and the 2-D DFT. Float64; oracles are independent of the implementation (definitions, closed forms, invariants).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rngFromKey } from '../../core/rng.ts';
import {
  bandErrors,
  columnMeans,
  dft,
  dft2d,
  dftAt,
  filterErrors,
  firstPrincipalComponent,
  gaussianSmoother,
  lowHighSplit,
  magnitudes,
  nudft,
  nudft1d,
  project,
  radialFrequencies,
  relErrorAt,
  selectPeaks,
  squaredDistances,
  type Complex,
} from '../../theory/fourier.ts';
import { mat } from '../../theory/mlp.ts';
import { FC } from '../helpers.ts';

const real = fc.double({ min: -10, max: 10, noNaN: true });
const signal = (min: number, max: number) => fc.array(real, { minLength: min, maxLength: max });
const close = (a: number, b: number, tol: number, scale = 1) => Math.abs(a - b) <= tol * Math.max(1, scale);
const norm2 = (xs: ArrayLike<number>) => Array.from(xs).reduce((s, x) => s + x * x, 0);

describe('Fourier tools (theory/fourier.ts)', () => {
  it('DFT is linear: dft(a·x + b·y) = a·dft(x) + b·dft(y)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }).chain((n) => fc.tuple(signal(n, n), signal(n, n), real, real)), ([x, y, a, b]) => {
        const lhs = dft(x.map((v, i) => a * v + b * y[i]!));
        const X = dft(x);
        const Y = dft(y);
        const scale = x.length * 200;
        for (let k = 0; k < x.length; k++) {
          if (!close(lhs.re[k]!, a * X.re[k]! + b * Y.re[k]!, 1e-11, scale)) return false;
          if (!close(lhs.im[k]!, a * X.im[k]! + b * Y.im[k]!, 1e-11, scale)) return false;
        }
        return true;
      }),
      { ...FC, numRuns: 30 },
    );
  });

  it('Parseval: Σ|h_j|² = (1/N) Σ|ĥ_k|² (powers of two through fft.js, other N directly)', () => {
    fc.assert(
      fc.property(signal(1, 70), (h) => {
        const H = dft(h);
        const e = norm2(h);
        return close(e, (norm2(H.re) + norm2(H.im)) / h.length, 1e-11, e);
      }),
      { ...FC, numRuns: 30 },
    );
  });

  it('NUDFT on the uniform grid v_j = j/N at integer k equals DFT[k]/N (fft.js for N = 2^m)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(2, 4, 8, 16, 32, 64), fc.integer({ min: 1, max: 30 })).chain((n) => fc.tuple(signal(n, n), fc.integer({ min: 0, max: n - 1 }))),
        ([y, k]) => {
          const n = y.length;
          const v = y.map((_, j) => j / n);
          const H = dft(y);
          const [re, im] = nudft(mat(n, 1, Float64Array.from(v)), y, [k]);
          const one = nudft1d(v, mat(n, 1, Float64Array.from(y)), [k]);
          return (
            close(re, H.re[k]! / n, 1e-12, 10) &&
            close(im, H.im[k]! / n, 1e-12, 10) &&
            close(one.re[0]!, re, 1e-12, 10) &&
            close(one.im[0]!, im, 1e-12, 10)
          );
        },
      ),
      { ...FC, numRuns: 30 },
    );
  });

  it('a pure tone cos(2πmj/N + φ) has exactly one spectral peak, at m', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 8, max: 64 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 1, max: Math.floor(n / 2) - 1 }), fc.double({ min: 0, max: 6.28, noNaN: true }))),
        ([n, m, phi]) => {
          const y = Array.from({ length: n }, (_, j) => Math.cos((2 * Math.PI * m * j) / n + phi));
          const amp = magnitudes(dft(y)).slice(0, Math.floor(n / 2) + 1);
          const peaks = selectPeaks(amp, { rel: 1e-9 });
          return peaks.length === 1 && peaks[0] === m;
        },
      ),
      { ...FC, numRuns: 30 },
    );
  });

  it('projection sign flip conjugates the NUDFT: ŷ_k(−v) = conj(ŷ_k(v)), so |ŷ_k| is unchanged', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }).chain((n) => fc.tuple(signal(n, n), signal(n, n), fc.array(fc.double({ min: 0, max: 3, noNaN: true }), { minLength: 1, maxLength: 5 }))), ([v, y, ks]) => {
        const Y = mat(y.length, 1, Float64Array.from(y));
        const a = nudft1d(v, Y, ks);
        const b = nudft1d(v.map((x) => -x), Y, ks);
        return ks.every((_, i) => close(a.re[i]!, b.re[i]!, 1e-12, 10) && close(a.im[i]!, -b.im[i]!, 1e-12, 10));
      }),
      { ...FC, numRuns: 30 },
    );
  });

  it('the first principal component of data stretched along a unit direction u is ±u, returned with a fixed sign', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 2, max: 6 }), (seed, d) => {
        const rng = rngFromKey(`pca/${seed}`);
        const u = rng.normals(d);
        const un = Math.sqrt(norm2(u));
        u.forEach((x, q) => (u[q] = x / un));
        const n = 60;
        const X = mat(n, d);
        for (let i = 0; i < n; i++) {
          const t = 10 * rng.normal();
          for (let q = 0; q < d; q++) X.data[i * d + q] = t * u[q]! + 0.01 * rng.normal() + 3;
        }
        const p = firstPrincipalComponent(X);
        const c = Math.abs(p.reduce((s, x, q) => s + x * u[q]!, 0));
        return close(c, 1, 1e-4) && close(norm2(p), 1, 1e-12);
      }),
      { ...FC, numRuns: 30 },
    );
  });

  const cloud = fc.tuple(fc.integer({ min: 2, max: 25 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 1e6 }));
  const makeCloud = (n: number, d: number, c: number, seed: number) => {
    const rng = rngFromKey(`cloud/${seed}`);
    return { X: mat(n, d, rng.normals(n * d)), Y: rng.normals(n * c) };
  };

  it('filtering: y_low + y_high = y, and the smoother is row-stochastic', () => {
    fc.assert(
      fc.property(cloud, fc.double({ min: 1e-3, max: 10, noNaN: true }), ([n, d, c, seed], delta) => {
        const { X, Y } = makeCloud(n, d, c, seed);
        const K = gaussianSmoother(X, delta);
        const { low, high } = lowHighSplit(K, Y, c);
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let j = 0; j < n; j++) s += K[i * n + j]!;
          if (!close(s, 1, 1e-12)) return false;
        }
        return Y.every((y, q) => close(low[q]! + high[q]!, y, 1e-12, Math.abs(y)));
      }),
      { ...FC, numRuns: 30 },
    );
  });

  it('filtering: a constant is all low (y_low = y, y_high = 0) at every δ', () => {
    fc.assert(
      fc.property(cloud, real, fc.double({ min: 1e-3, max: 100, noNaN: true }), ([n, d, , seed], value, delta) => {
        const { X } = makeCloud(n, d, 1, seed);
        const { low, high } = lowHighSplit(gaussianSmoother(X, delta), new Float64Array(n).fill(value), 1);
        return low.every((v) => close(v, value, 1e-12, Math.abs(value))) && high.every((v) => Math.abs(v) <= 1e-12 * Math.max(1, Math.abs(value)));
      }),
      { ...FC, numRuns: 30 },
    );
  });

  it('filtering: as δ → 0 the low part tends to y (distinct points)', () => {
    fc.assert(
      fc.property(cloud, ([n, d, c, seed]) => {
        const { X, Y } = makeCloud(n, d, c, seed);
        let minD2 = Infinity;
        for (let i = 0; i < n; i++)
          for (let j = i + 1; j < n; j++) {
            let s = 0;
            for (let q = 0; q < d; q++) s += (X.data[i * d + q]! - X.data[j * d + q]!) ** 2;
            minD2 = Math.min(minD2, s);
          }
        // exp(−minD²/(2δ)) ≤ 1e-15 for δ = minD²/70.
        const { low } = lowHighSplit(gaussianSmoother(X, minD2 / 70), Y, c);
        return Y.every((y, q) => close(low[q]!, y, 1e-12, 10 * n));
      }),
      { ...FC, numRuns: 30 },
    );
  });

  it('2-D DFT: Parseval, equal to the 1-D DFT for a single row, and zero band error for the target itself', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 1e6 }), (r, c, seed) => {
        const img = rngFromKey(`img/${seed}`).normals(r * c);
        const F = dft2d(img, r, c);
        const e = norm2(img);
        if (!close(e, (norm2(F.re) + norm2(F.im)) / (r * c), 1e-11, e)) return false;
        if (r === 1) {
          const D = dft(img);
          if (!D.re.every((v, k) => close(v, F.re[k]!, 1e-11, 10) && close(D.im[k]!, F.im[k]!, 1e-11, 10))) return false;
        }
        const errs = bandErrors(F, F, radialFrequencies(r, c), [0, 1, 2, 100]);
        return errs.every((x) => x === null || x === 0);
      }),
      { ...FC, numRuns: 30 },
    );
  });
});


// Independent oracles: the transforms written straight from their definitions (no mod-N phase reduction, no FFT).
function dftByDefinition(h: readonly number[]): { re: number[]; im: number[] } {
  const n = h.length;
  const re: number[] = [];
  const im: number[] = [];
  for (let k = 0; k < n; k++) {
    let r = 0;
    let i = 0;
    h.forEach((x, j) => {
      r += x * Math.cos((2 * Math.PI * k * j) / n);
      i -= x * Math.sin((2 * Math.PI * k * j) / n);
    });
    re.push(r);
    im.push(i);
  }
  return { re, im };
}

/** ŷ = (1/n) Σ_i y_i e^{−2πi k·x_i} for one output column, from the definition (A2-2 eq. 1.4). */
function nudftByDefinition(xs: readonly number[][], y: readonly number[], k: readonly number[]): [number, number] {
  let re = 0;
  let im = 0;
  xs.forEach((x, i) => {
    const phase = 2 * Math.PI * x.reduce((s, xq, q) => s + xq * k[q]!, 0);
    re += y[i]! * Math.cos(phase);
    im -= y[i]! * Math.sin(phase);
  });
  return [re / xs.length, im / xs.length];
}

const rowsOf = (data: ArrayLike<number>, cols: number) => Array.from({ length: data.length / cols }, (_, i) => Array.from(data).slice(i * cols, (i + 1) * cols));

describe('DFT and NUDFT against their definitions (theory/fourier.ts)', () => {
  it('dft equals Σ_j h_j e^{−2πikj/N} for every k, on powers of two (fft.js) and other N alike', () => {
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(2, 4, 8, 16, 32), fc.integer({ min: 1, max: 24 })).chain((n) => signal(n, n)), (h) => {
        const got = dft(h);
        const want = dftByDefinition(h);
        return want.re.every((r, k) => close(got.re[k]!, r, 1e-10, 100) && close(got.im[k]!, want.im[k]!, 1e-10, 100));
      }),
      { ...FC, numRuns: 60 },
    );
  });

  it('the DFT of a single sample is that sample, and of length 2 is (h0 + h1, h0 − h1)', () => {
    const one = dft([3.5]);
    expect([one.re[0], one.im[0]]).toEqual([3.5, 0]);
    const two = dft([2, 5]);
    expect(Array.from(two.re)).toEqual([7, -3]);
    expect(Array.from(two.im).map((v) => Math.abs(v))).toEqual([0, 0]);
  });

  it('dftAt(h, k) is the k-th DFT coefficient and is N-periodic in k (large k·j stays exact)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }).chain((n) => fc.tuple(signal(n, n), fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 1, max: 1e6 }))), ([h, k, wraps]) => {
        const want = dftByDefinition(h);
        const [re, im] = dftAt(h, k);
        const [reFar, imFar] = dftAt(h, k + wraps * h.length);
        return close(re, want.re[k]!, 1e-10, 100) && close(im, want.im[k]!, 1e-10, 100) && close(reFar, re, 1e-10, 100) && close(imFar, im, 1e-10, 100);
      }),
      { ...FC, numRuns: 30 },
    );
  });

  it('nudft in d dimensions equals the definition, and equals the 1-D NUDFT at k = 1 of the projections v_i = k·x_i', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 1e6 })),
        ([n, d, seed]) => {
          const rng = rngFromKey(`nudft/${seed}`);
          const X = mat(n, d, rng.normals(n * d));
          const y = rng.normals(n);
          const k = rng.normals(d);
          const [re, im] = nudft(X, y, k);
          const [wr, wi] = nudftByDefinition(rowsOf(X.data, d), Array.from(y), Array.from(k));
          const viaProjection = nudft1d(project(X, k), mat(n, 1, y), [1]);
          return close(re, wr, 1e-12, 10) && close(im, wi, 1e-12, 10) && close(viaProjection.re[0]!, re, 1e-12, 10) && close(viaProjection.im[0]!, im, 1e-12, 10);
        },
      ),
      { ...FC, numRuns: 30 },
    );
  });

  it('nudft1d with c output columns: entry (a, q) is the definition at k_a for column q', () => {
    fc.assert(
      fc.property(fc.tuple(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 1e6 })), ([n, c, seed]) => {
        const rng = rngFromKey(`nudft1d/${seed}`);
        const v = rng.normals(n);
        const Y = mat(n, c, rng.normals(n * c));
        const ks = Array.from(rng.uniforms(3, -2, 2));
        const got = nudft1d(v, Y, ks);
        const cols = rowsOf(Y.data, c);
        return ks.every((k, a) =>
          Array.from({ length: c }, (_, q) => q).every((q) => {
            const [wr, wi] = nudftByDefinition(Array.from(v, (x) => [x]), cols.map((row) => row[q]!), [k]);
            return close(got.re[a * c + q]!, wr, 1e-12, 10) && close(got.im[a * c + q]!, wi, 1e-12, 10);
          }),
        );
      }),
      { ...FC, numRuns: 30 },
    );
  });

  it('magnitudes are |re + i·im|', () => {
    const m = magnitudes({ re: Float64Array.from([3, 0, -1]), im: Float64Array.from([4, -2, 0]) });
    expect(Array.from(m)).toEqual([5, 2, 1]);
  });
});

describe('projection tools (theory/fourier.ts)', () => {
  it('columnMeans and project agree with hand sums', () => {
    const X = mat(3, 2, Float64Array.from([1, 2, 3, 4, 8, 0]));
    expect(Array.from(columnMeans(X))).toEqual([4, 2]);
    expect(Array.from(project(X, [2, -1]))).toEqual([0, 2, 16]);
  });

  it('the first principal component is the top eigenvector of the (mean-centred) covariance, unit, with its largest entry positive', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 2, max: 5 }), (seed, d) => {
        const rng = rngFromKey(`pc1/${seed}`);
        const n = 30;
        // Anisotropic data with a large common offset, so centring matters.
        const scales = Array.from({ length: d }, (_, q) => 1 + 2 * q);
        const X = mat(n, d);
        for (let i = 0; i < n; i++) for (let q = 0; q < d; q++) X.data[i * d + q] = scales[q]! * rng.normal() + 5 + q;
        const mean = columnMeans(X);
        const C = Array.from({ length: d }, (_, a) =>
          Array.from({ length: d }, (_, b) => {
            let s = 0;
            for (let i = 0; i < n; i++) s += (X.data[i * d + a]! - mean[a]!) * (X.data[i * d + b]! - mean[b]!);
            return s / n;
          }),
        );
        const p = firstPrincipalComponent(X);
        const Cp = C.map((row) => row.reduce((s, c, b) => s + c * p[b]!, 0));
        const lambda = Cp.reduce((s, x, q) => s + x * p[q]!, 0);
        // Top eigenvalue: no unit vector has a larger Rayleigh quotient; check against the coordinate axes and the
        // power-iteration estimate from the all-ones start.
        let w = Array.from({ length: d }, () => 1);
        for (let it = 0; it < 500; it++) {
          const next = C.map((row) => row.reduce((s, c, b) => s + c * w[b]!, 0));
          const len = Math.hypot(...next);
          w = next.map((x) => x / len);
        }
        const powerLambda = C.map((row) => row.reduce((s, c, b) => s + c * w[b]!, 0)).reduce((s, x, q) => s + x * w[q]!, 0);
        let big = 0;
        for (let q = 1; q < d; q++) if (Math.abs(p[q]!) > Math.abs(p[big]!)) big = q;
        return (
          close(norm2(p), 1, 1e-12) &&
          Cp.every((x, q) => close(x, lambda * p[q]!, 1e-9, lambda)) &&
          close(lambda, powerLambda, 1e-8, lambda) &&
          p[big]! > 0
        );
      }),
      { ...FC, numRuns: 40 },
    );
  });

  it('the first principal component does not depend on the row order or on a shift of the data', () => {
    const rng = rngFromKey('pc1-invariance');
    const n = 20;
    const d = 3;
    const X = mat(n, d);
    for (let i = 0; i < n; i++) for (let q = 0; q < d; q++) X.data[i * d + q] = (q + 1) * rng.normal();
    const shifted = mat(n, d, X.data.map((x, q) => x + 100 * (q % d) - 40));
    const reversed = mat(n, d, Float64Array.from(rowsOf(X.data, d).reverse().flat()));
    const p = firstPrincipalComponent(X);
    for (const other of [firstPrincipalComponent(shifted), firstPrincipalComponent(reversed)]) other.forEach((x, q) => expect(x).toBeCloseTo(p[q]!, 9));
  });
});

describe('ΔF and peak picking (theory/fourier.ts)', () => {
  const cx = (re: number[], im: number[]): Complex => ({ re: Float64Array.from(re), im: Float64Array.from(im) });

  it('relErrorAt is ‖ĥ − f̂‖/‖f̂‖ over the chosen entries (hand values), and null where f̂ is zero there', () => {
    const f = cx([3, 0, 1], [4, 0, 0]);
    const h = cx([0, 7, 1], [0, 0, 2]);
    // all entries: ‖(−3, −4i), (7), (2i)‖ / ‖(3 + 4i), 0, 1‖ = √(9 + 16 + 49 + 4) / √26 = √(78/26) = √3
    expect(relErrorAt(h, f)).toBeCloseTo(Math.sqrt(3), 14);
    expect(relErrorAt(h, f, 0, 1)).toBe(1); // |0 − (3 + 4i)| / 5
    expect(relErrorAt(h, f, 2, 1)).toBe(2); // |1 + 2i − 1| / 1
    expect(relErrorAt(h, f, 1, 1)).toBeNull(); // f̂ = 0 there
    expect(relErrorAt(f, f)).toBe(0);
  });

  it('selectPeaks takes strict interior local maxima; endpoints only when asked and when they beat their one neighbour', () => {
    const amp = [5, 1, 3, 3, 0, 2, 1, 4];
    expect(selectPeaks(amp)).toEqual([5]); // the plateau 3, 3 is not a strict maximum
    expect(selectPeaks(amp, { endpoints: true })).toEqual([0, 5, 7]);
    expect(selectPeaks([1, 2], { endpoints: true })).toEqual([1]);
    expect(selectPeaks([2, 1], { endpoints: true })).toEqual([0]);
    expect(selectPeaks([4], { endpoints: true })).toEqual([]); // one sample has no neighbour to beat
    expect(selectPeaks([])).toEqual([]);
  });

  it('selectPeaks with rel keeps only peaks above rel·max(amp)', () => {
    const amp = [0, 10, 0, 5, 0, 2, 0];
    expect(selectPeaks(amp, { rel: 0.3 })).toEqual([1, 3]);
    expect(selectPeaks(amp, { rel: 0.5 })).toEqual([1]); // 5 is not above 0.5·10
    expect(selectPeaks(amp, { rel: 0.1 })).toEqual([1, 3, 5]);
    expect(selectPeaks(amp, { rel: 1 })).toEqual([]);
  });
});

describe('Gaussian filtering (theory/fourier.ts)', () => {
  it('squaredDistances is the symmetric matrix of |x_i − x_j|² with a zero diagonal', () => {
    const X = mat(3, 2, Float64Array.from([0, 0, 3, 4, 1, -1]));
    expect(Array.from(squaredDistances(X))).toEqual([0, 25, 2, 25, 0, 29, 2, 29, 0]);
  });

  it('two points at squared distance 2 with δ = 0.5: K = [[1, e], [e, 1]]/(1 + e), e = exp(−2/(2·0.5)) (δ is a variance)', () => {
    const K = gaussianSmoother(mat(2, 2, Float64Array.from([0, 0, 1, 1])), 0.5);
    const e = Math.exp(-2);
    // 1/(1+e) = 0.8807970779778823, e/(1+e) = 0.11920292202211755 (numpy)
    [1 / (1 + e), e / (1 + e), e / (1 + e), 1 / (1 + e)].forEach((want, q) => expect(K[q]).toBeCloseTo(want, 15));
    expect(K[0]).toBeCloseTo(0.8807970779778823, 15);
  });

  it('each row of the smoother is the normalized Gaussian of that row’s distances (three points on a line)', () => {
    const xs = [0, 1, 3];
    const delta = 0.7;
    const K = gaussianSmoother(mat(3, 1, Float64Array.from(xs)), delta);
    xs.forEach((xi, i) => {
      const g = xs.map((xj) => Math.exp(-((xi - xj) ** 2) / (2 * delta)));
      const c = g.reduce((s, x) => s + x, 0);
      g.forEach((gj, j) => expect(K[i * 3 + j]).toBeCloseTo(gj / c, 14));
    });
  });

  it('lowHighSplit computes low = K·Y column by column for any K (not only a smoother), and high = Y − low', () => {
    const K = Float64Array.from([2, 0, -1, 0.5, 1, 0, 0, 0, 3]);
    const Y = Float64Array.from([1, 2, 3, 4, 5, 6]); // 3×2
    const { low, high } = lowHighSplit(K, Y, 2);
    // rows of K·Y: (2·1 − 5, 2·2 − 6) = (−3, −2); (0.5 + 3, 1 + 4) = (3.5, 5); (15, 18)
    expect(Array.from(low)).toEqual([-3, -2, 3.5, 5, 15, 18]);
    expect(Array.from(high)).toEqual([4, 4, -0.5, -1, -10, -12]);
  });

  it('filterErrors: 0 for the target, 1 for a zero output, and adding a constant to the output changes e_low only', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.double({ min: 0.05, max: 2, noNaN: true }), (seed, delta) => {
        const rng = rngFromKey(`filter/${seed}`);
        const n = 8;
        const c = 2;
        const X = mat(n, 2, rng.normals(2 * n));
        const Y = rng.normals(n * c);
        const K = gaussianSmoother(X, delta);
        const target = lowHighSplit(K, Y, c);
        const self = filterErrors(target, K, Y, c);
        const zero = filterErrors(target, K, new Float64Array(n * c), c);
        const shift = 0.3;
        const moved = filterErrors(target, K, Y.map((y) => y + shift), c);
        const lowNorm = Math.sqrt(norm2(target.low));
        return (
          self.eLow === 0 &&
          self.eHigh === 0 &&
          close(zero.eLow!, 1, 1e-12) &&
          close(zero.eHigh!, 1, 1e-12) &&
          close(moved.eLow!, (shift * Math.sqrt(n * c)) / lowNorm, 1e-9, 1) &&
          Math.abs(moved.eHigh!) < 1e-9
        );
      }),
      { ...FC, numRuns: 40 },
    );
  });

  it('filterErrors is null for a part of the target that is zero (a constant label has no high part)', () => {
    const X = mat(3, 1, Float64Array.from([0, 1, 2]));
    const K = gaussianSmoother(X, 0.5);
    const target = lowHighSplit(K, [1, 1, 1], 1);
    const e = filterErrors({ low: target.low, high: new Float64Array(3) }, K, [1, 1, 2], 1);
    expect(e.eHigh).toBeNull();
    expect(e.eLow).not.toBeNull();
    expect(filterErrors({ low: new Float64Array(3), high: target.high }, K, [1, 1, 1], 1).eLow).toBeNull();
  });
});

describe('2-D DFT and radial bands (theory/fourier.ts)', () => {
  it('dft2d equals the double sum Σ_{r,s} h[r,s] e^{−2πi(ar/R + bs/C)}', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 1e6 }), (R, C, seed) => {
        const img = rngFromKey(`img2/${seed}`).normals(R * C);
        const F = dft2d(img, R, C);
        for (let a = 0; a < R; a++)
          for (let b = 0; b < C; b++) {
            let re = 0;
            let im = 0;
            for (let r = 0; r < R; r++)
              for (let s = 0; s < C; s++) {
                const ph = 2 * Math.PI * ((a * r) / R + (b * s) / C);
                re += img[r * C + s]! * Math.cos(ph);
                im -= img[r * C + s]! * Math.sin(ph);
              }
            if (!close(F.re[a * C + b]!, re, 1e-10, 10) || !close(F.im[a * C + b]!, im, 1e-10, 10)) return false;
          }
        return true;
      }),
      { ...FC, numRuns: 40 },
    );
  });

  it('radialFrequencies reads indices above N/2 as negative frequencies (4×3 grid by hand)', () => {
    // rows 0,1,2,3 → 0,1,2,−1 (2 = N/2 stays positive); cols 0,1,2 → 0,1,−1
    const want = [
      [0, 1, 1],
      [1, Math.SQRT2, Math.SQRT2],
      [2, Math.hypot(2, 1), Math.hypot(2, 1)],
      [1, Math.SQRT2, Math.SQRT2],
    ].flat();
    expect(Array.from(radialFrequencies(4, 3))).toEqual(want);
  });

  it('bandErrors groups bins by edges[b] < |k| ≤ edges[b+1], band 0 closed at its lower edge (hand values)', () => {
    const radial = Float64Array.from([0, 1, 1.5, 2, 3]);
    const F: Complex = { re: Float64Array.from([1, 2, 0, 4, 1]), im: Float64Array.from([0, 0, 0, 3, 0]) };
    const H: Complex = { re: Float64Array.from([2, 2, 5, 4, 1]), im: Float64Array.from([0, 1, 0, 3, 0]) };
    const errs = bandErrors(H, F, radial, [0, 1, 2, 2.5]);
    // band 0 = {|k| = 0, 1}: √(1 + 1)/√(1 + 4); band 1 = {1.5, 2}: √25/√25; band 2 = (2, 2.5]: no bins → null
    expect(errs[0]).toBeCloseTo(Math.sqrt(2 / 5), 15);
    expect(errs[1]).toBe(1);
    expect(errs[2]).toBeNull();
    // one band [1, 3] (closed at 1): bins |k| = 1, 1.5, 2, 3 give √(1 + 25 + 0 + 0)/√(4 + 0 + 25 + 1)
    expect(bandErrors(H, F, radial, [1, 3])).toEqual([Math.sqrt(26 / 30)]);
  });
});
