// The F-Principle's shared judge: per seed, the first recorded step at which each frequency band's relative error
// falls below a threshold; the principle predicts these crossing times increase with frequency (Xu et al. 2019,
// A2-2 Fig. 1.6: "the lowest peak converges first"). Pure functions of the measurements, so tests can feed it
// synthetic (e.g. reversed) trajectories.
import type { Metrics, Status, Verdict } from '../../core/claim.ts';
import { median } from '../../core/stats.ts';

/** One seed's trajectory: err[b][r] is band b's relative error at record r (null where undefined). */
export interface OrderRun {
  seed: number;
  steps: number[];
  err: (number | null)[][];
  loss: number[];
  /** Step at which the loss became NaN/∞, if it did. */
  divergedAt: number | null;
}

export interface OrderMeasurements {
  /** Band labels, lowest frequency first (e.g. "k=1"). */
  bands: string[];
  runs: OrderRun[];
}

export interface OrderRule {
  /** Band b has converged at the first recorded step with err < threshold. */
  threshold: number;
  /** Fraction of seeds that must show strictly increasing crossing times. */
  minFraction: number;
  /** Optional: median over seeds of t_last / t_(last−1) must be at least this (P1.1: t5/t3 ≥ 2). */
  minLastRatio?: number;
  /** A band that never crosses counts as "after every band that did" (true), or makes the seed inconclusive (false). */
  allowUnreached: boolean;
}

/** First step with err < threshold, or null if it never happens. */
export function firstCrossing(steps: readonly number[], err: readonly (number | null)[], threshold: number): number | null {
  for (let r = 0; r < steps.length; r++) if (err[r] !== null && err[r]! < threshold) return steps[r]!;
  return null;
}

/** Crossing times strictly increasing with frequency; an unreached band is +∞ (so it may only follow reached ones). */
export function isOrdered(times: readonly (number | null)[]): boolean {
  const t = times.map((v) => (v === null ? Infinity : v));
  for (let b = 1; b < t.length; b++) if (!(t[b]! > t[b - 1]!)) return false; // ∞ > ∞ is false: two unreached bands are not ordered
  return true;
}

export function judgeOrder(m: OrderMeasurements, rule: OrderRule, what = 'frequency'): Verdict {
  const times = m.runs.map((r) => r.err.map((e) => firstCrossing(r.steps, e, rule.threshold)));
  const baseMetrics: Metrics = {
    bands: m.bands,
    threshold: rule.threshold,
    crossingSteps: Object.fromEntries(m.runs.map((r, i) => [`seed${r.seed}`, times[i]!])),
    finalErrors: Object.fromEntries(m.runs.map((r) => [`seed${r.seed}`, r.err.map((e) => e.at(-1) ?? null)])),
  };
  const diverged = m.runs.filter((r) => r.divergedAt !== null);
  if (diverged.length > 0) {
    const r = diverged[0]!;
    return { status: 'inconclusive', reason: `training diverged (non-finite loss) for seed ${r.seed} at step ${r.divergedAt}.`, metrics: baseMetrics };
  }
  const noLow = m.runs.filter((_, i) => times[i]![0] === null);
  if (noLow.length > 0) {
    return {
      status: 'inconclusive',
      reason: `the lowest ${what} band (${m.bands[0]}) never fell below ${rule.threshold} for seed(s) ${noLow.map((r) => r.seed).join(', ')}: training did not converge enough to order anything.`,
      metrics: baseMetrics,
    };
  }
  // When the rule demands every band to converge, a band that never did leaves the order undecided.
  const unreached = m.runs.filter((_, i) => times[i]!.some((t) => t === null));
  if (!rule.allowUnreached && unreached.length > 0) {
    return {
      status: 'inconclusive',
      reason: `some ${what} bands never fell below ${rule.threshold} within the budget (seeds ${unreached.map((r) => r.seed).join(', ')}); run longer.`,
      metrics: baseMetrics,
    };
  }
  const orderedFlags = times.map(isOrdered);
  const fraction = orderedFlags.filter(Boolean).length / m.runs.length;
  const reversed = times.filter((t) => {
    const v = t.map((x) => (x === null ? Infinity : x));
    return v.every((x, b) => b === 0 || x < v[b - 1]!);
  }).length;
  const ratios = times
    .map((t) => (t.at(-1) !== null && t.at(-2) !== null && t.at(-2)! > 0 ? t.at(-1)! / t.at(-2)! : null))
    .filter((x): x is number => x !== null);
  const medRatio = ratios.length > 0 ? median(ratios) : null;
  const metrics: Metrics = {
    ...baseMetrics,
    orderedFraction: fraction,
    reversedSeeds: reversed,
    // Median over seeds, with the range over seeds as its interval (too few seeds for a bootstrap).
    lastRatio: medRatio === null ? null : { value: medRatio, lo: Math.min(...ratios), hi: Math.max(...ratios) },
  };
  const ratioOk = rule.minLastRatio === undefined || (medRatio !== null && medRatio >= rule.minLastRatio);
  const status: Status = fraction >= rule.minFraction && ratioOk ? 'holds' : 'fails';
  const tStr = times.map((t, i) => `seed ${m.runs[i]!.seed}: ${'(' + t.map((x) => x ?? '∞').join(', ') + ')'}`).join('; ');
  let reason =
    status === 'holds'
      ? `crossing steps (ΔF<${rule.threshold}) increase with ${what} in ${Math.round(fraction * 100)}% of seeds (need ${Math.round(rule.minFraction * 100)}%)`
      : fraction < rule.minFraction
        ? `crossing steps increase with ${what} in only ${Math.round(fraction * 100)}% of seeds (need ${Math.round(rule.minFraction * 100)}%)${reversed > 0 ? `; ${reversed} seed(s) fully reversed (high first)` : ''}`
        : `order holds but the median t_last/t_prev = ${medRatio?.toFixed(2) ?? 'n/a'} is below ${rule.minLastRatio}`;
  if (rule.minLastRatio !== undefined && status === 'holds') reason += `, median ${m.bands.at(-1)}/${m.bands.at(-2)} crossing ratio ${medRatio!.toFixed(2)} ≥ ${rule.minLastRatio}`;
  reason += ` [${tStr}].`;
  return { status, reason, metrics };
}

/** Reverse the band order of a trajectory (a negative-control transformation: the judge must then fail it). */
export function reverseBands(m: OrderMeasurements): OrderMeasurements {
  return { bands: m.bands, runs: m.runs.map((r) => ({ ...r, err: [...r.err].reverse() })) };
}
