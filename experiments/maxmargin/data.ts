// Data sets of the maxmargin family: the brief's calibrated 2-D set and seeded random separable sets.
import type { Rng } from '../../core/rng.ts';
import { matFromRows, matToRows, type Mat } from '../../theory/mlp.ts';

/** BRIEF §5.4: six label-absorbed points z_n = y_n·x_n; ŵ = (10/13)(1, 1), support {0, 1}. */
export const CALIBRATED_Z: Mat = matFromRows([
  [1, 0.3],
  [0.2, 1.1],
  [2, 1.5],
  [1.5, 2.5],
  [3, 0.8],
  [0.9, 2.8],
]);

/** The same set plus one point on the wrong side, (−0.5, −0.5): 0 is then inside the convex hull. */
export const NONSEPARABLE_Z: Mat = matFromRows([...matToRows(CALIBRATED_Z), [-0.5, -0.5]]);

/**
 * A random separable set: x_n ~ N(0, I_d), labels y_n = sign(u·x_n) for a random unit teacher u, redrawing points
 * with |u·x_n| < gap so that the teacher's margin is at least `gap`. Returns the label-absorbed z_n = y_n·x_n.
 */
export function randomSeparable(rng: Rng, n: number, d: number, gap: number): Mat {
  const u = rng.normals(d);
  const un = Math.hypot(...u);
  for (let k = 0; k < d; k++) u[k]! /= un;
  const z = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (;;) {
      const x = rng.normals(d);
      let m = 0;
      for (let k = 0; k < d; k++) m += u[k]! * x[k]!;
      if (Math.abs(m) < gap) continue;
      const y = m > 0 ? 1 : -1;
      for (let k = 0; k < d; k++) z[i * d + k] = y * x[k]!;
      break;
    }
  }
  return { rows: n, cols: d, data: z };
}
