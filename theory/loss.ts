// Training losses of the `loss-grad` contract (DESIGN.md "Tool contracts"), as pure float64 functions of the
// network's outputs f (n×k) and the targets. Each returns the loss and ∂L/∂f, which the backward passes of
// theory/mlp.ts and theory/cnn.ts take as their dOut.
//   mse:  L = (1/2n)·Σ_i ||f(x_i) − y_i||²                           (y: n×k rows)
//   xent: L = (1/n)·Σ_i −log softmax(f(x_i))_{c_i}                   (c_i: a class index in 0..k−1)
import type { Mat } from './mlp.ts';

export type LossKind = 'mse' | 'xent';
export const LOSS_KINDS: readonly LossKind[] = ['mse', 'xent'];

export interface LossAndGrad {
  loss: number;
  /** ∂L/∂f, the same shape as f. */
  dOut: Mat;
}

/** L = (1/2n)·Σ||f − y||² and ∂L/∂f = (f − y)/n. */
export function mseLoss(f: Mat, y: Mat): LossAndGrad {
  if (y.rows !== f.rows || y.cols !== f.cols) throw new Error(`y has shape ${y.rows}×${y.cols}, the outputs ${f.rows}×${f.cols}`);
  const n = f.rows;
  const d = new Float64Array(f.data.length);
  let loss = 0;
  for (let q = 0; q < d.length; q++) {
    const r = f.data[q]! - y.data[q]!;
    loss += r * r;
    d[q] = r / n;
  }
  return { loss: loss / (2 * n), dOut: { rows: f.rows, cols: f.cols, data: d } };
}

/**
 * Softmax cross-entropy with class-index labels: L = (1/n)·Σ_i (logsumexp(f_i) − f_i[c_i]) and
 * ∂L/∂f_i = (softmax(f_i) − e_{c_i})/n. The log-sum-exp is shifted by the row maximum, so large logits do not overflow.
 */
export function softmaxXentLoss(f: Mat, classes: ArrayLike<number>): LossAndGrad {
  const n = f.rows;
  const k = f.cols;
  if (classes.length !== n) throw new Error(`${classes.length} labels for ${n} outputs`);
  const d = new Float64Array(n * k);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const c = classes[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= k) throw new Error(`label ${i} is ${c}, not a class index in 0..${k - 1}`);
    const o = i * k;
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, f.data[o + j]!);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(f.data[o + j]! - max);
    const lse = max + Math.log(sum);
    loss += lse - f.data[o + c]!;
    for (let j = 0; j < k; j++) d[o + j] = (Math.exp(f.data[o + j]! - lse) - (j === c ? 1 : 0)) / n;
  }
  return { loss: loss / n, dOut: { rows: n, cols: k, data: d } };
}

/**
 * Class indices from xent targets given as a Mat: n×1 holds class indices, n×k holds one-hot rows.
 * Returns a description of the first bad entry instead of indices when the targets are neither.
 */
export function classesOf(y: Mat, k: number): Int32Array | { row: number; col?: number; problem: string } {
  const out = new Int32Array(y.rows);
  if (y.cols === 1 && k !== 1) {
    for (let i = 0; i < y.rows; i++) {
      const c = y.data[i]!;
      if (!Number.isInteger(c) || c < 0 || c >= k) return { row: i, problem: `expected a class index in 0..${k - 1}, got ${c}` };
      out[i] = c;
    }
    return out;
  }
  if (y.cols !== k) return { row: 0, problem: `expected a class index or a one-hot row of ${k} entries, got a row of ${y.cols}` };
  for (let i = 0; i < y.rows; i++) {
    let hot = -1;
    for (let j = 0; j < k; j++) {
      const v = y.data[i * k + j]!;
      if (v === 1 && hot < 0) hot = j;
      else if (v !== 0) return { row: i, col: j, problem: `expected a one-hot row (one 1, the rest 0), got ${v}${v === 1 ? ' (a second 1)' : ''}` };
    }
    if (hot < 0) return { row: i, problem: 'expected a one-hot row (one 1, the rest 0), got no 1' };
    out[i] = hot;
  }
  return out;
}

/** The loss of `kind` at outputs f; xent targets as in classesOf (throws on targets that are neither form). */
export function lossAndGrad(kind: LossKind, f: Mat, y: Mat): LossAndGrad {
  if (kind === 'mse') return mseLoss(f, y);
  const c = classesOf(y, f.cols);
  if (!(c instanceof Int32Array)) throw new Error(`y row ${c.row}: ${c.problem}`);
  return softmaxXentLoss(f, c);
}
