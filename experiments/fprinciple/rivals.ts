// The no-frequency-bias rival shared by the F-Principle claims (research/claim-power-audit.md): a lookup-table model
// h(x_i) = θ_i started from the claim's own network output at initialization, so the rival starts from the same
// function and only the mechanism differs. Its gradient descent shrinks every frequency of the residual at one rate
// (theory/lookup-table.ts), closed form, so it costs one forward pass per seed. The claim's analysis (its band
// errors) is applied to the rival's outputs at the claim's recorded steps, and the claim's judge must not say "holds".
import { factorForShrink, lookupTableOutputs } from '../../theory/lookup-table.ts';
import type { OrderRun } from './order.ts';

/** Residual shrink factor reached at mid-budget: every band settles well inside the budget, whatever its initial error. */
export const RIVAL_SHRINK = 1e4;

/** Recorded steps 0, every, 2·every, ..., steps (the engine's recording schedule). */
export function recordedSteps(steps: number, every: number): number[] {
  return Array.from({ length: Math.floor(steps / every) + 1 }, (_, r) => r * every);
}

/**
 * One seed's trajectory of the lookup-table model: outputs θ_t = y + ρ^t(θ_0 − y) at each recorded step, with
 * ρ chosen so the residual shrinks RIVAL_SHRINK-fold in half the budget, analysed by bandErrors (given the output and its record index).
 */
export function lookupTableRun(
  seed: number,
  steps: readonly number[],
  theta0: ArrayLike<number>,
  y: ArrayLike<number>,
  bandErrors: (h: Float64Array, record: number) => (number | null)[],
): { run: OrderRun; outputs: Float64Array[] } {
  const rho = factorForShrink(RIVAL_SHRINK, steps.at(-1)! / 2);
  const outputs = steps.map((t) => lookupTableOutputs(theta0, y, rho, t));
  const per = outputs.map((h, r) => bandErrors(h, r)); // r: the record's index in steps
  const err = per[0]!.map((_, b) => per.map((e) => e[b] ?? null));
  const loss = outputs.map((h) => {
    let s = 0;
    for (let i = 0; i < h.length; i++) s += (h[i]! - y[i]!) ** 2;
    return s / (2 * h.length);
  });
  return { run: { seed, steps: [...steps], err, loss, divergedAt: null }, outputs };
}
