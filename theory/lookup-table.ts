// The lookup-table model, the F-Principle's no-frequency-bias rival (research/claim-power-audit.md, Frequency
// Principle): one free parameter per training point, h(x_i) = θ_i. Gradient descent on the mean squared loss
// L(θ) = (1/2n) Σ_i (θ_i − y_i)² updates θ ← θ − (η/n)(θ − y), so the residual is multiplied by ρ = 1 − η/n at every
// step, θ_t = y + ρ^t (θ_0 − y), and by linearity every Fourier coefficient of the residual shrinks by the same
// factor ρ^t: no frequency converges faster than another. Closed form, so the rival costs no training. Float64.

/** The per-step residual factor ρ = 1 − η/n of gradient descent with learning rate η on the mean squared loss over n points. */
export function lookupTableFactor(lr: number, n: number): number {
  return 1 - lr / n;
}

/** Outputs θ_t = y + ρ^t (θ_0 − y) of the lookup-table model after t gradient steps (all output columns at once, flat). */
export function lookupTableOutputs(theta0: ArrayLike<number>, y: ArrayLike<number>, rho: number, t: number): Float64Array {
  const decay = rho ** t;
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = y[i]! + decay * (theta0[i]! - y[i]!);
  return out;
}

/**
 * The per-step factor ρ under which the residual shrinks by `fold` in `steps` steps: ρ = fold^(−1/steps). The rival
 * needs a rate that lets every band converge inside the claim's budget; the order of settling steps and their ratios
 * do not depend on the rate (all bands' errors are e_b(0)·ρ^t).
 */
export function factorForShrink(fold: number, steps: number): number {
  return fold ** (-1 / steps);
}
