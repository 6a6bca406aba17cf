// The two 1-D limits of the LFP solution (BRIEF §2.4): b → 0 gives piecewise-linear interpolation, a → 0 the
// natural cubic spline (the minimiser of ∫ h''² among interpolants; de Boor, "A Practical Guide to Splines", ch. IV).
// Written independently of theory/lfp.ts so the properties compare two different computations.

function sortedNodes(xs: ArrayLike<number>, ys: ArrayLike<number>): { x: number[]; y: number[] } {
  const idx = Array.from({ length: xs.length }, (_, i) => i).sort((i, j) => xs[i]! - xs[j]!);
  return { x: idx.map((i) => xs[i]!), y: idx.map((i) => ys[i]!) };
}

/** Index k with x[k] ≤ t < x[k+1], clamped to the end intervals (extrapolation continues the end pieces). */
function interval(x: readonly number[], t: number): number {
  let lo = 0;
  let hi = x.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (x[mid]! <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Piecewise-linear interpolation through (xs, ys) (any order, distinct xs), continued linearly outside. */
export function linearInterpolant(xs: ArrayLike<number>, ys: ArrayLike<number>): (t: number) => number {
  const { x, y } = sortedNodes(xs, ys);
  return (t) => {
    const k = interval(x, t);
    const s = (t - x[k]!) / (x[k + 1]! - x[k]!);
    return y[k]! + s * (y[k + 1]! - y[k]!);
  };
}

/**
 * Natural cubic spline (h'' = 0 at both end nodes), continued linearly outside the data range.
 * Second derivatives M solve the tridiagonal system h_{k-1}M_{k-1} + 2(h_{k-1}+h_k)M_k + h_kM_{k+1} = 6(Δ_k − Δ_{k-1}).
 */
export function naturalCubicSpline(xs: ArrayLike<number>, ys: ArrayLike<number>): (t: number) => number {
  const { x, y } = sortedNodes(xs, ys);
  const n = x.length;
  const h = Array.from({ length: n - 1 }, (_, k) => x[k + 1]! - x[k]!);
  const slope = h.map((hk, k) => (y[k + 1]! - y[k]!) / hk);
  const M = new Array<number>(n).fill(0);
  if (n > 2) {
    // Thomas algorithm on the interior unknowns M_1..M_{n-2}.
    const m = n - 2;
    const diag = new Array<number>(m);
    const rhs = new Array<number>(m);
    for (let i = 0; i < m; i++) {
      diag[i] = 2 * (h[i]! + h[i + 1]!);
      rhs[i] = 6 * (slope[i + 1]! - slope[i]!);
    }
    for (let i = 1; i < m; i++) {
      const f = h[i]! / diag[i - 1]!;
      diag[i]! -= f * h[i]!;
      rhs[i]! -= f * rhs[i - 1]!;
    }
    // Back substitution; for i = m − 1, M[i + 2] is the natural end value M_{n−1} = 0.
    for (let i = m - 1; i >= 0; i--) M[i + 1] = (rhs[i]! - h[i + 1]! * M[i + 2]!) / diag[i]!;
  }
  return (t) => {
    // Outside: the end tangents h'(x₀) = Δ₀ − h₀(2M₀ + M₁)/6 and h'(x_{n−1}) = Δ_{n−2} + h_{n−2}(M_{n−2} + 2M_{n−1})/6,
    // with the natural end values M₀ = M_{n−1} = 0.
    if (t < x[0]!) return y[0]! + (t - x[0]!) * (slope[0]! - (h[0]! * M[1]!) / 6);
    if (t > x[n - 1]!) return y[n - 1]! + (t - x[n - 1]!) * (slope[n - 2]! + (h[n - 2]! * M[n - 2]!) / 6);
    const k = interval(x, t);
    const A = (x[k + 1]! - t) / h[k]!;
    const B = 1 - A;
    return A * y[k]! + B * y[k + 1]! + (((A ** 3 - A) * M[k]! + (B ** 3 - B) * M[k + 1]!) * h[k]! ** 2) / 6;
  };
}
