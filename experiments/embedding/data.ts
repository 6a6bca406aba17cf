// 1-D data sets of the embedding family: n points evenly spaced on [−1, 1] and a named target.
import { mat, type Mat } from '../../theory/mlp.ts';

const relu = (z: number) => (z > 0 ? z : 0);

export const TARGETS = {
  /** BRIEF §4.2's calibration target sin 3x + 0.3x. */
  sin3: (x: number) => Math.sin(3 * x) + 0.3 * x,
  /** Lecture A8 §1.1: σ(2x+0.6) − σ(x) + σ(0.5x−0.4) − σ(1.5x−0.6), σ = ReLU. */
  a8: (x: number) => relu(2 * x + 0.6) - relu(x) + relu(0.5 * x - 0.4) - relu(1.5 * x - 0.6),
} as const;

export type TargetName = keyof typeof TARGETS;

export function grid1d(n: number, target: TargetName): { x: Mat; y: Mat } {
  const xs = Array.from({ length: n }, (_, i) => (n === 1 ? 0 : -1 + (2 * i) / (n - 1)));
  return { x: mat(n, 1, Float64Array.from(xs)), y: mat(n, 1, Float64Array.from(xs.map(TARGETS[target]))) };
}
