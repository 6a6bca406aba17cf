// Exact properties of the Fourier tools of the F-Principle (theory/fourier.ts): the DFT against its definition,
// Parseval and linearity, the NUDFT against the DFT on a uniform grid, PCA, peak picking, the Gaussian low/high split
// and the 2-D DFT. Float64; oracles are independent of the implementation (definitions, closed forms, invariants).
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { rngFromKey } from '../../core/rng.ts';
import {
  bandErrors,
  dft,
  dft2d,
  firstPrincipalComponent,
  gaussianSmoother,
  lowHighSplit,
  magnitudes,
  nudft,
  nudft1d,
  radialFrequencies,
  selectPeaks,
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
      FC,
    );
  });

  it('Parseval: Σ|h_j|² = (1/N) Σ|ĥ_k|² (powers of two through fft.js, other N directly)', () => {
    fc.assert(
      fc.property(signal(1, 70), (h) => {
        const H = dft(h);
        const e = norm2(h);
        return close(e, (norm2(H.re) + norm2(H.im)) / h.length, 1e-11, e);
      }),
      FC,
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
      FC,
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
      FC,
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
      FC,
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
      FC,
    );
  });

  it('filtering: a constant is all low (y_low = y, y_high = 0) at every δ', () => {
    fc.assert(
      fc.property(cloud, real, fc.double({ min: 1e-3, max: 100, noNaN: true }), ([n, d, , seed], value, delta) => {
        const { X } = makeCloud(n, d, 1, seed);
        const { low, high } = lowHighSplit(gaussianSmoother(X, delta), new Float64Array(n).fill(value), 1);
        return low.every((v) => close(v, value, 1e-12, Math.abs(value))) && high.every((v) => Math.abs(v) <= 1e-12 * Math.max(1, Math.abs(value)));
      }),
      FC,
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
      FC,
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
      FC,
    );
  });
});

