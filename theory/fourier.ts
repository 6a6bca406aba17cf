// Fourier tools of the Frequency Principle (Xu et al., arXiv:1807.01251, 1901.06523; lecture notes A2-2 §1.3–1.5):
// uniform DFT, non-uniform DFT on scattered points, projection on the first principal component, the per-frequency
// relative error ΔF(k), peak picking, and the Gaussian low/high split of the filtering method. Float64 throughout.
import FFT from 'fft.js';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { Mat } from './mlp.ts';

/** A complex vector as two float64 arrays. */
export interface Complex {
  re: Float64Array;
  im: Float64Array;
}

const isPow2 = (n: number) => n >= 2 && (n & (n - 1)) === 0;

/** DFT ĥ_k = Σ_j h_j e^{−2πikj/N}, k = 0..N−1 (numpy's `fft`, A2-2 eq. 1.3). fft.js for powers of two, else O(N²). */
export function dft(h: ArrayLike<number>): Complex {
  const n = h.length;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  if (isPow2(n)) {
    const f = new FFT(n);
    const out = f.createComplexArray() as number[];
    f.realTransform(out, Array.from(h));
    f.completeSpectrum(out);
    for (let k = 0; k < n; k++) {
      re[k] = out[2 * k]!;
      im[k] = out[2 * k + 1]!;
    }
    return { re, im };
  }
  for (let k = 0; k < n; k++) {
    const c = dftAt(h, k);
    re[k] = c[0];
    im[k] = c[1];
  }
  return { re, im };
}

/** One DFT coefficient ĥ_k (used per recorded step, where only the target's peaks are needed). */
export function dftAt(h: ArrayLike<number>, k: number): [number, number] {
  const n = h.length;
  let re = 0;
  let im = 0;
  for (let j = 0; j < n; j++) {
    const a = (-2 * Math.PI * ((k * j) % n)) / n; // reduce kj mod N so the phase stays exact for large k·j
    re += h[j]! * Math.cos(a);
    im += h[j]! * Math.sin(a);
  }
  return [re, im];
}

/** NUDFT ŷ_k = (1/n) Σ_i y_i e^{−i2π k·x_i} at one frequency vector k (A2-2 eq. 1.4); X is n×d. */
export function nudft(X: Mat, y: ArrayLike<number>, k: ArrayLike<number>): [number, number] {
  let re = 0;
  let im = 0;
  for (let i = 0; i < X.rows; i++) {
    let dot = 0;
    for (let q = 0; q < X.cols; q++) dot += k[q]! * X.data[i * X.cols + q]!;
    const a = -2 * Math.PI * dot;
    re += y[i]! * Math.cos(a);
    im += y[i]! * Math.sin(a);
  }
  return [re / X.rows, im / X.rows];
}

/**
 * 1-D NUDFT along a projection, for c output columns at once (A2-2 eq. 1.6):
 * ŷ_k[c] = (1/n) Σ_i Y[i,c] e^{−i2π k v_i}. Returns re/im as ks.length × c, row-major.
 */
export function nudft1d(v: ArrayLike<number>, Y: Mat, ks: readonly number[]): Complex {
  const n = v.length;
  const c = Y.cols;
  const re = new Float64Array(ks.length * c);
  const im = new Float64Array(ks.length * c);
  ks.forEach((k, a) => {
    for (let i = 0; i < n; i++) {
      const ph = -2 * Math.PI * k * v[i]!;
      const cs = Math.cos(ph);
      const sn = Math.sin(ph);
      for (let q = 0; q < c; q++) {
        re[a * c + q]! += Y.data[i * c + q]! * cs;
        im[a * c + q]! += Y.data[i * c + q]! * sn;
      }
    }
    for (let q = 0; q < c; q++) {
      re[a * c + q]! /= n;
      im[a * c + q]! /= n;
    }
  });
  return { re, im };
}

/** First principal component of the rows of X (unit vector; sign fixed so its largest-magnitude entry is positive). */
export function firstPrincipalComponent(X: Mat): Float64Array {
  const { rows: n, cols: d } = X;
  const mean = columnMeans(X);
  const cov = new Matrix(d, d);
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += (X.data[i * d + a]! - mean[a]!) * (X.data[i * d + b]! - mean[b]!);
      cov.set(a, b, s / n);
      cov.set(b, a, s / n);
    }
  }
  const eig = new EigenvalueDecomposition(cov, { assumeSymmetric: true });
  const vals = eig.realEigenvalues;
  let top = 0;
  for (let q = 1; q < d; q++) if (vals[q]! > vals[top]!) top = q;
  const p = Float64Array.from(eig.eigenvectorMatrix.getColumn(top));
  let big = 0;
  for (let q = 1; q < d; q++) if (Math.abs(p[q]!) > Math.abs(p[big]!)) big = q;
  const norm = Math.hypot(...p) * Math.sign(p[big]!);
  return p.map((x) => x / norm);
}

export function columnMeans(X: Mat): Float64Array {
  const m = new Float64Array(X.cols);
  for (let i = 0; i < X.rows; i++) for (let q = 0; q < X.cols; q++) m[q]! += X.data[i * X.cols + q]!;
  return m.map((s) => s / X.rows);
}

/** v_i = p·x_i: the data projected on direction p (A2-2 §1.5.4). */
export function project(X: Mat, p: ArrayLike<number>): Float64Array {
  const v = new Float64Array(X.rows);
  for (let i = 0; i < X.rows; i++) {
    let s = 0;
    for (let q = 0; q < X.cols; q++) s += p[q]! * X.data[i * X.cols + q]!;
    v[i] = s;
  }
  return v;
}

/**
 * ΔF = |ĥ − f̂| / |f̂| (A2-2 §1.3), with |·| the Euclidean norm over the entries given (one frequency's output
 * columns). Returns null where the target coefficient is zero (ΔF undefined there).
 */
export function relErrorAt(h: Complex, f: Complex, from = 0, count = h.re.length): number | null {
  let num = 0;
  let den = 0;
  for (let q = from; q < from + count; q++) {
    num += (h.re[q]! - f.re[q]!) ** 2 + (h.im[q]! - f.im[q]!) ** 2;
    den += f.re[q]! ** 2 + f.im[q]! ** 2;
  }
  return den === 0 ? null : Math.sqrt(num / den);
}

/**
 * Indices of strict local maxima of amp (amp[k] > amp[k−1] and amp[k] > amp[k+1]), as the authors' SelectPeakIndex;
 * endpoints count when they exceed their one neighbour and `endpoints` is set.
 * `rel` drops peaks not above rel·max(amp), so round-off ripples of a clean spectrum are not taken for peaks.
 */
export function selectPeaks(amp: ArrayLike<number>, opts: { endpoints?: boolean; rel?: number } = {}): number[] {
  const n = amp.length;
  let max = 0;
  for (let k = 0; k < n; k++) max = Math.max(max, amp[k]!);
  const floor = (opts.rel ?? 0) * max;
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    const left = k > 0 ? amp[k]! > amp[k - 1]! : opts.endpoints === true && n > 1;
    const right = k < n - 1 ? amp[k]! > amp[k + 1]! : opts.endpoints === true && n > 1;
    if (left && right && amp[k]! > floor) out.push(k);
  }
  return out;
}

/** Magnitudes |ĥ_k| of a complex vector. */
export function magnitudes(c: Complex): Float64Array {
  return c.re.map((r, k) => Math.hypot(r, c.im[k]!));
}

/**
 * The filtering method's low-pass operator (A2-2 eqs. 1.10–1.11): K_ij = G_δ(x_i − x_j)/C_i with
 * G_δ(x) = exp(−|x|²/(2δ)). δ is a variance (the authors' `exp(-dist/2/filter)` on squared distances).
 * Rows are normalized, so K is n×n row-stochastic. The diagonal weight is G_δ(0) = 1, so a row sum C_i ≥ 1 never
 * underflows, however small δ is.
 */
export function gaussianSmoother(X: Mat, delta: number): Float64Array {
  const n = X.rows;
  const K = new Float64Array(n * n);
  const d2 = squaredDistances(X);
  for (let i = 0; i < n; i++) {
    let c = 0;
    for (let j = 0; j < n; j++) {
      const g = Math.exp(-d2[i * n + j]! / (2 * delta));
      K[i * n + j] = g;
      c += g;
    }
    for (let j = 0; j < n; j++) K[i * n + j]! /= c;
  }
  return K;
}

export function squaredDistances(X: Mat): Float64Array {
  const { rows: n, cols: d } = X;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let q = 0; q < d; q++) s += (X.data[i * d + q]! - X.data[j * d + q]!) ** 2;
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/** y_low = K·Y and y_high = Y − y_low for Y (n×c row-major) (A2-2 eq. 1.10 and the line after 1.11). */
export function lowHighSplit(K: Float64Array, Y: ArrayLike<number>, c: number): { low: Float64Array; high: Float64Array } {
  const n = Y.length / c;
  const low = new Float64Array(n * c);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const w = K[i * n + j]!;
      if (w === 0) continue;
      for (let q = 0; q < c; q++) low[i * c + q]! += w * Y[j * c + q]!;
    }
  }
  const high = new Float64Array(n * c);
  for (let q = 0; q < high.length; q++) high[q] = Y[q]! - low[q]!;
  return { low, high };
}

/** e_low, e_high (A2-2 eqs. 1.12–1.13): relative L2 errors of the network's low and high parts; null if a part is 0. */
export function filterErrors(
  target: { low: Float64Array; high: Float64Array },
  K: Float64Array,
  h: ArrayLike<number>,
  c: number,
): { eLow: number | null; eHigh: number | null } {
  const out = lowHighSplit(K, h, c);
  return { eLow: relL2Err(out.low, target.low), eHigh: relL2Err(out.high, target.high) };
}

function relL2Err(a: Float64Array, b: Float64Array): number | null {
  let num = 0;
  let den = 0;
  for (let q = 0; q < a.length; q++) {
    num += (a[q]! - b[q]!) ** 2;
    den += b[q]! ** 2;
  }
  return den === 0 ? null : Math.sqrt(num / den);
}

/** 2-D DFT of an image (rows×cols, row-major): Ĥ[a,b] = Σ_{r,s} h[r,s] e^{−2πi(ar/R + bs/C)} (separable, O(RC(R+C))). */
export function dft2d(img: ArrayLike<number>, rows: number, cols: number): Complex {
  const tRe = new Float64Array(rows * cols);
  const tIm = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let b = 0; b < cols; b++) {
      let re = 0;
      let im = 0;
      for (let s = 0; s < cols; s++) {
        const a = (-2 * Math.PI * ((b * s) % cols)) / cols;
        re += img[r * cols + s]! * Math.cos(a);
        im += img[r * cols + s]! * Math.sin(a);
      }
      tRe[r * cols + b] = re;
      tIm[r * cols + b] = im;
    }
  }
  const re = new Float64Array(rows * cols);
  const im = new Float64Array(rows * cols);
  for (let a = 0; a < rows; a++) {
    for (let b = 0; b < cols; b++) {
      let sr = 0;
      let si = 0;
      for (let r = 0; r < rows; r++) {
        const ph = (-2 * Math.PI * ((a * r) % rows)) / rows;
        const cs = Math.cos(ph);
        const sn = Math.sin(ph);
        sr += tRe[r * cols + b]! * cs - tIm[r * cols + b]! * sn;
        si += tRe[r * cols + b]! * sn + tIm[r * cols + b]! * cs;
      }
      re[a * cols + b] = sr;
      im[a * cols + b] = si;
    }
  }
  return { re, im };
}

/** Radial frequency |k| of each 2-D DFT bin, with indices above N/2 read as negative frequencies. */
export function radialFrequencies(rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  const wrap = (k: number, n: number) => (k <= n / 2 ? k : k - n);
  for (let a = 0; a < rows; a++) for (let b = 0; b < cols; b++) out[a * cols + b] = Math.hypot(wrap(a, rows), wrap(b, cols));
  return out;
}

/**
 * Relative error per radial band: ‖Ĥ − F̂‖/‖F̂‖ over the bins with edges[i] < |k| ≤ edges[i+1] (band 0 includes |k| = 0).
 * The 2-D analogue of ΔF for the image-regression experiment (A2-2 §1.4).
 */
export function bandErrors(H: Complex, F: Complex, radial: Float64Array, edges: readonly number[]): (number | null)[] {
  const out: (number | null)[] = [];
  for (let b = 0; b + 1 < edges.length; b++) {
    let num = 0;
    let den = 0;
    for (let q = 0; q < radial.length; q++) {
      const r = radial[q]!;
      if (!(r <= edges[b + 1]! && (r > edges[b]! || (b === 0 && r >= edges[0]!)))) continue;
      num += (H.re[q]! - F.re[q]!) ** 2 + (H.im[q]! - F.im[q]!) ** 2;
      den += F.re[q]! ** 2 + F.im[q]! ** 2;
    }
    out.push(den === 0 ? null : Math.sqrt(num / den));
  }
  return out;
}

// ---------- the filtering method without an n×n matrix ----------
// At n = 10 000 images the dense smoother above is 800 MB per δ. The functions below compute the same numbers
// (same sums in the same order, so bit-identical to gaussianSmoother + lowHighSplit) a block of rows at a time:
// memory O(block·n) for the weights, plus the smoothed outputs.

/**
 * Squared distances |x_i − x_j|² of rows i0..i1−1 against every row, as squaredDistances: each pair summed over the
 * coordinates in the same order, so the same bits ((a−b)² = (b−a)² exactly; the diagonal sums zeros to 0).
 * Two rows by two rows per sweep, so each load serves two differences.
 */
export function squaredDistancesBlock(X: Mat, i0: number, i1: number, out = new Float64Array((i1 - i0) * X.rows)): Float64Array {
  const { rows: n, cols: d, data } = X;
  let i = i0;
  for (; i + 1 < i1; i += 2) {
    const o0 = (i - i0) * n;
    const o1 = o0 + n;
    const a0 = i * d;
    const a1 = a0 + d;
    let j = 0;
    for (; j + 1 < n; j += 2) {
      const b0 = j * d;
      const b1 = b0 + d;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      for (let q = 0; q < d; q++) {
        const x0 = data[a0 + q]!;
        const x1 = data[a1 + q]!;
        const y0 = data[b0 + q]!;
        const y1 = data[b1 + q]!;
        s00 += (x0 - y0) ** 2;
        s01 += (x0 - y1) ** 2;
        s10 += (x1 - y0) ** 2;
        s11 += (x1 - y1) ** 2;
      }
      out[o0 + j] = s00;
      out[o0 + j + 1] = s01;
      out[o1 + j] = s10;
      out[o1 + j + 1] = s11;
    }
    for (; j < n; j++) {
      out[o0 + j] = rowDistance(data, a0, j * d, d);
      out[o1 + j] = rowDistance(data, a1, j * d, d);
    }
  }
  for (; i < i1; i++) for (let j = 0; j < n; j++) out[(i - i0) * n + j] = rowDistance(data, i * d, j * d, d);
  return out;
}

function rowDistance(data: Float64Array, a: number, b: number, d: number): number {
  let s = 0;
  for (let q = 0; q < d; q++) s += (data[a + q]! - data[b + q]!) ** 2;
  return s;
}

/**
 * Exact median of the n(n−1)/2 pairwise squared distances |x_i − x_j|², i < j, without storing them when there are
 * many: one pass counts them in 2²⁰ bins keyed by the top bits of their float64 encoding (monotone for non-negative
 * numbers), a second pass collects only the bins that hold the middle rank(s), which are then sorted. Up to
 * `storeMax` pairs are simply stored and sorted. Equals the median of the stored list (the mean of the two middle
 * values for an even count, as core/stats.ts median).
 */
export function medianPairwiseSquaredDistance(X: Mat, opts: { block?: number; storeMax?: number } = {}): number {
  const n = X.rows;
  const m = (n * (n - 1)) / 2;
  if (m === 0) throw new Error('medianPairwiseSquaredDistance: need at least two rows');
  const block = opts.block ?? 64;
  const buf = new Float64Array(Math.min(block, n) * n);
  // Visits every pair i < j once, in row-major order.
  const eachPair = (visit: (s: number) => void) => {
    for (let i0 = 0; i0 < n; i0 += block) {
      const i1 = Math.min(n, i0 + block);
      squaredDistancesBlock(X, i0, i1, buf);
      for (let i = i0; i < i1; i++) for (let j = i + 1; j < n; j++) visit(buf[(i - i0) * n + j]!);
    }
  };
  const lo = Math.floor((m - 1) / 2); // 0-based middle ranks: lo = hi for odd m
  const hi = Math.floor(m / 2);
  if (m <= (opts.storeMax ?? 4_000_000)) {
    const all = new Float64Array(m);
    let k = 0;
    eachPair((s) => (all[k++] = s));
    all.sort();
    return (all[lo]! + all[hi]!) / 2;
  }
  const bits = new DataView(new ArrayBuffer(8));
  const binOf = (s: number) => {
    bits.setFloat64(0, s);
    return bits.getUint32(0) >>> 12; // sign (0), exponent and the top 8 mantissa bits
  };
  const counts = new Float64Array(1 << 20);
  eachPair((s) => counts[binOf(s)]!++);
  // The bins holding ranks lo and hi, and how many pairs lie below the first of them.
  let below = 0;
  let b = 0;
  while (below + counts[b]! <= lo) below += counts[b++]!;
  const binLo = b;
  let cum = below;
  while (cum + counts[b]! <= hi) cum += counts[b++]!;
  const binHi = b;
  const kept: number[] = [];
  eachPair((s) => {
    const k = binOf(s);
    if (k >= binLo && k <= binHi) kept.push(s);
  });
  kept.sort((x, y) => x - y);
  return (kept[lo - below]! + kept[hi - below]!) / 2;
}

/**
 * The filtering method's smoothed values K_δ·V for several δ at once (A2-2 eqs. 1.10–1.11), never forming K:
 * K_ij = G_δ(x_i − x_j)/C_i as gaussianSmoother. V is n×c row-major (several outputs side by side: stack them as
 * columns so one pass over each block of rows serves all). Returns one n×c array per δ, equal bit for bit to
 * lowHighSplit(gaussianSmoother(X, δ), V, c).low: the same weights, row sums and products, summed over j in the same
 * order. Cost per block: its distances to every row, then for each δ its weights and a (block × n)·(n × c) product.
 */
export function gaussianSmoothMany(X: Mat, deltas: readonly number[], V: ArrayLike<number>, c: number, opts: { block?: number } = {}): Float64Array[] {
  const n = X.rows;
  if (V.length !== n * c) throw new Error(`gaussianSmoothMany: V has ${V.length} entries, expected ${n}×${c}`);
  const block = Math.max(1, Math.min(opts.block ?? 32, n));
  // V transposed (c × n): each output column contiguous, so every entry of K·V is one dot product over j.
  const Vt = new Float64Array(n * c);
  for (let j = 0; j < n; j++) for (let q = 0; q < c; q++) Vt[q * n + j] = V[j * c + q]!;
  const outs = deltas.map(() => new Float64Array(n * c));
  const d2 = new Float64Array(block * n);
  const W = new Float64Array(block * n);
  for (let i0 = 0; i0 < n; i0 += block) {
    const i1 = Math.min(n, i0 + block);
    squaredDistancesBlock(X, i0, i1, d2);
    deltas.forEach((delta, k) => {
      for (let r = 0; r < i1 - i0; r++) {
        const o = r * n;
        let sum = 0;
        for (let j = 0; j < n; j++) {
          const g = Math.exp(-d2[o + j]! / (2 * delta));
          W[o + j] = g;
          sum += g;
        }
        for (let j = 0; j < n; j++) W[o + j]! /= sum;
      }
      blockTimesColumns(W, i1 - i0, Vt, c, n, outs[k]!, i0);
    });
  }
  return outs;
}

/**
 * out[(i0 + r)·c + q] = Σ_j W[r·n + j]·Vt[q·n + j] for r < rows, every q: plain left-to-right sums over j (the order
 * of lowHighSplit), two rows by two columns per sweep so each load serves two products.
 */
function blockTimesColumns(W: Float64Array, rows: number, Vt: Float64Array, c: number, n: number, out: Float64Array, i0: number): void {
  let r = 0;
  for (; r + 1 < rows; r += 2) {
    const w0 = r * n;
    const w1 = w0 + n;
    let q = 0;
    for (; q + 1 < c; q += 2) {
      const v0 = q * n;
      const v1 = v0 + n;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      for (let j = 0; j < n; j++) {
        const a = W[w0 + j]!;
        const b = W[w1 + j]!;
        const x = Vt[v0 + j]!;
        const y = Vt[v1 + j]!;
        s00 += a * x;
        s01 += a * y;
        s10 += b * x;
        s11 += b * y;
      }
      out[(i0 + r) * c + q] = s00;
      out[(i0 + r) * c + q + 1] = s01;
      out[(i0 + r + 1) * c + q] = s10;
      out[(i0 + r + 1) * c + q + 1] = s11;
    }
    for (; q < c; q++) {
      out[(i0 + r) * c + q] = dot(W, w0, Vt, q * n, n);
      out[(i0 + r + 1) * c + q] = dot(W, w1, Vt, q * n, n);
    }
  }
  for (; r < rows; r++) for (let q = 0; q < c; q++) out[(i0 + r) * c + q] = dot(W, r * n, Vt, q * n, n);
}

function dot(a: Float64Array, ia: number, b: Float64Array, ib: number, n: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) s += a[ia + j]! * b[ib + j]!;
  return s;
}

/** e_low and e_high (A2-2 eqs. 1.12–1.13) from smoothed values: target low part K·y and the output h with its K·h. */
export function filterErrorsSmoothed(y: ArrayLike<number>, yLow: ArrayLike<number>, h: ArrayLike<number>, hLow: ArrayLike<number>): { eLow: number | null; eHigh: number | null } {
  let nl = 0;
  let dl = 0;
  let nh = 0;
  let dh = 0;
  for (let q = 0; q < y.length; q++) {
    const tl = yLow[q]!;
    const th = y[q]! - tl;
    nl += (hLow[q]! - tl) ** 2;
    dl += tl ** 2;
    nh += (h[q]! - hLow[q]! - th) ** 2;
    dh += th ** 2;
  }
  return { eLow: dl === 0 ? null : Math.sqrt(nl / dl), eHigh: dh === 0 ? null : Math.sqrt(nh / dh) };
}
