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

/**
 * A random 2-D set of the brief's kind (BRIEF §5.4–5.5: two linearly independent support vectors, the other points
 * well beyond the margin), built around a known answer: a random margin γ ~ U(0.5, 1) and direction, so
 * ŵ = û/γ; two support vectors z = γ·û ± (lateral offsets ~ U(0.3, 1.5)) on the margin line, on either side of û,
 * so α > 0 on both; and `n − 2` points at z·ŵ = 1.5 + Exp(1) (beyond the margin by ≥ 50%, like the brief's set,
 * where the rest sit at 2.7–3.1) with lateral offsets ~ N(0, 1.5²). By KKT, ŵ is the hard-margin SVM.
 * Why the band: each non-support point's pull on w(t) decays like t^(1 − z·ŵ); the band makes that ≤ t^(−1/2).
 */
export function randomTwoSupport2d(rng: Rng, n: number): Mat {
  const gamma = rng.range(0.5, 1);
  const phi = rng.range(0, 2 * Math.PI);
  const u = [Math.cos(phi), Math.sin(phi)];
  const v = [-u[1]!, u[0]!];
  const rows: number[][] = [];
  const at = (margin: number, lateral: number) => [0, 1].map((k) => margin * gamma * u[k]! + lateral * v[k]!);
  rows.push(at(1, rng.range(0.3, 1.5)), at(1, -rng.range(0.3, 1.5)));
  for (let i = 2; i < n; i++) rows.push(at(1.5 - Math.log(1 - rng.uniform()), 1.5 * rng.normal()));
  return matFromRows(rows);
}

/**
 * The same set plus one point on the wrong side, −½·(mean of the z_n): 0 is then a strict convex combination of
 * the points (⅓·mean + ⅔·(−½·mean)), inside their hull, so no homogeneous separator exists and the logistic loss
 * has a finite minimizer (when the points span R^d, as two independent support vectors do in the plane).
 */
export function withWrongSidePoint(Z: Mat): Mat {
  const rows = matToRows(Z);
  const mean = Array.from({ length: Z.cols }, (_, k) => rows.reduce((s, z) => s + z[k]!, 0) / Z.rows);
  return matFromRows([...rows, mean.map((m) => -0.5 * m)]);
}
