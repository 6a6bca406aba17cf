// Minibatch order shared by every engine (TrainSpec.batch): one pure function of (n, size, seed, step), so the
// float64 reference, ONNX and TensorFlow.js engines train on exactly the same rows at every step.
//   epoch e = floor(t / B), batch b = t mod B, B = ceil(n / size) batches per epoch (the last, partial one kept);
//   the epoch's order is a Fisher–Yates permutation of 0..n−1 drawn from the seedrandom stream `${seed}/epoch/${e}`.
// A stream per epoch (not one long stream) makes batchRows(t) cheap to evaluate at any t, in any order.
import { rngFromKey } from '../rng.ts';
import type { BatchSpec } from './types.ts';

/** Batches per epoch: ceil(n / size). */
export function batchesPerEpoch(n: number, size: number): number {
  return Math.ceil(n / size);
}

/** The permutation of 0..n−1 that epoch `epoch` visits. */
export function epochOrder(n: number, seed: string, epoch: number): number[] {
  return rngFromKey(`${seed}/epoch/${epoch}`).shuffle(Array.from({ length: n }, (_, i) => i));
}

/** The training rows of step t (0-based), in visiting order. */
export function batchRows(n: number, batch: BatchSpec, t: number): number[] {
  if (!(Number.isInteger(batch.size) && batch.size >= 1)) throw new Error(`batch.size: expected an integer ≥ 1, got ${batch.size}`);
  const size = Math.min(batch.size, n);
  const B = batchesPerEpoch(n, size);
  const order = epochOrder(n, batch.seed, Math.floor(t / B));
  const b = t % B;
  return order.slice(b * size, Math.min(n, (b + 1) * size));
}

/** A memo of batchRows over consecutive steps: one permutation per epoch instead of one per step. */
export function batchSchedule(n: number, batch: BatchSpec): (t: number) => number[] {
  const size = Math.min(batch.size, n);
  const B = batchesPerEpoch(n, size);
  let epoch = -1;
  let order: number[] = [];
  return (t) => {
    const e = Math.floor(t / B);
    if (e !== epoch) {
      if (!(Number.isInteger(batch.size) && batch.size >= 1)) throw new Error(`batch.size: expected an integer ≥ 1, got ${batch.size}`);
      order = epochOrder(n, batch.seed, e);
      epoch = e;
    }
    const b = t % B;
    return order.slice(b * size, Math.min(n, (b + 1) * size));
  };
}

/** The rows `idx` of a row-major matrix. */
export function gatherRows(m: { rows: number; cols: number; data: ArrayLike<number> }, idx: readonly number[]): { rows: number; cols: number; data: Float64Array } {
  const out = new Float64Array(idx.length * m.cols);
  idx.forEach((r, i) => {
    for (let j = 0; j < m.cols; j++) out[i * m.cols + j] = m.data[r * m.cols + j]!;
  });
  return { rows: idx.length, cols: m.cols, data: out };
}
