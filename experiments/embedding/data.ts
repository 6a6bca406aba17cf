// 1-D data sets of the embedding family: n points evenly spaced on [−h, h] (h = 1 unless given) and a named target.
import { mat, type Mat } from '../../theory/mlp.ts';

const relu = (z: number) => (z > 0 ? z : 0);

export const TARGETS = {
  /** BRIEF §4.2's calibration target sin 3x + 0.3x. */
  sin3: (x: number) => Math.sin(3 * x) + 0.3 * x,
  /** Lecture A8 §1.1: σ(2x+0.6) − σ(x) + σ(0.5x−0.4) − σ(1.5x−0.6), σ = ReLU. */
  a8: (x: number) => relu(2 * x + 0.6) - relu(x) + relu(0.5 * x - 0.4) - relu(1.5 * x - 0.6),
  /**
   * arXiv:2105.14573 Fig. 1: tanh(x+7) + tanh(x) + tanh(x−7) on [−15, 15]. The paper does not state its target; this
   * one is inferred by digitising Fig. 1(c) (research/embedding-plateaus.md: 18 of 18 points within 0.05 in x and
   * 0.03 in y, and the starting loss mean(y²) = 5.145 matches the figure).
   */
  tanh3: (x: number) => Math.tanh(x + 7) + Math.tanh(x) + Math.tanh(x - 7),
} as const;

export type TargetName = keyof typeof TARGETS;

/** n points x_i = linspace(−halfRange, halfRange, n) (numpy's convention) and y_i = target(x_i). */
export function linspace(n: number, halfRange: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => (n === 1 ? 0 : -halfRange + (2 * halfRange * i) / (n - 1)));
}

export function grid1d(n: number, target: TargetName, halfRange = 1): { x: Mat; y: Mat } {
  const xs = linspace(n, halfRange);
  return { x: mat(n, 1, xs), y: mat(n, 1, xs.map(TARGETS[target])) };
}
