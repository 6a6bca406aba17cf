// The F-Principle's shared judge: per seed, the settling step of each frequency band (the recorded step from which
// the band's relative error stays below a threshold until every band is below it); the principle predicts these settling
// times increase with frequency (Xu et al. 2019, A2-2 Fig. 1.6: "the lowest peak converges first"). A first dip
// below the threshold is not convergence: ΔF(1) dips below 0.1 at steps 10–30 and is back at 0.17 by step 100
// (BRIEF P1.1). Every band must settle within the budget; one that never does leaves the order undecided.
// Pure functions of the measurements, so tests can feed them synthetic (e.g. reversed) trajectories.
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
  /** Band b has converged from the first record after which err < threshold at every record until the fit is complete. */
  threshold: number;
  /** Fraction of seeds that must show strictly increasing settling times. */
  minFraction: number;
  /** Optional: median over seeds of t_last / t_(last−1) must be at least this (P1.1: t5/t3 ≥ 2). */
  minLastRatio?: number;
  /**
   * Optional: for every pair of neighbouring bands, the median over seeds of t_(b+1)/t_b must be at least this. A
   * model that shrinks every band at one rate (the lookup-table rival) settles band b at log(e_b(0)/threshold)/rate,
   * so its ratios are set by the initial errors alone and sit near 1; the F-Principle's are set by the rates.
   */
  minPairRatio?: number;
}

/**
 * The fit-complete record: the first record at which every band's error is below the threshold (null if none). Later
 * records are post-convergence optimizer noise (e.g. Adam's loss spikes near a minimum) and are not judged; the
 * authors' 1-D code likewise stops training once the loss is small (BRIEF §1.4, main_1d: stop at MSE < 3e-3).
 */
export function fitComplete(err: readonly (readonly (number | null)[])[], threshold: number): number | null {
  const records = err[0]?.length ?? 0;
  for (let r = 0; r < records; r++) if (err.every((e) => e[r] !== null && e[r] !== undefined && e[r]! < threshold)) return r;
  return null;
}

/**
 * The settling step: the first recorded step from which err < threshold at every record up to and including record
 * `upTo` (the fit-complete record). A first dip that rises again before the fit is complete is not convergence.
 */
export function settlingStep(steps: readonly number[], err: readonly (number | null)[], threshold: number, upTo: number): number | null {
  let from: number | null = null;
  for (let r = upTo; r >= 0; r--) {
    const e = err[r];
    if (e === null || e === undefined || !(e < threshold)) break;
    from = steps[r]!;
  }
  return from;
}

/** Settling times strictly increasing with frequency (every band settled; ties are not ordered). */
export function isOrdered(times: readonly number[]): boolean {
  for (let b = 1; b < times.length; b++) if (!(times[b]! > times[b - 1]!)) return false;
  return true;
}

/** The median over seeds of t[b+1]/t[b], and its range over seeds (a range, not an interval: few seeds). */
export function pairRatios(times: readonly (readonly number[])[], b: number): { median: number; min: number; max: number } | null {
  const rs = times.filter((t) => t[b]! > 0).map((t) => t[b + 1]! / t[b]!);
  return rs.length === 0 ? null : { median: median(rs), min: Math.min(...rs), max: Math.max(...rs) };
}

export function judgeOrder(m: OrderMeasurements, rule: OrderRule, what = 'frequency'): Verdict {
  const horizon = m.runs.map((r) => fitComplete(r.err, rule.threshold));
  const times = m.runs.map((r, i) => r.err.map((e) => (horizon[i] === null ? null : settlingStep(r.steps, e, rule.threshold, horizon[i]!))));
  const baseMetrics: Metrics = {
    bands: m.bands,
    threshold: rule.threshold,
    settlingSteps: Object.fromEntries(m.runs.map((r, i) => [`seed${r.seed}`, times[i]!])),
    fitCompleteStep: Object.fromEntries(m.runs.map((r, i) => [`seed${r.seed}`, horizon[i] === null ? null : r.steps[horizon[i]!]!])),
    finalErrors: Object.fromEntries(m.runs.map((r) => [`seed${r.seed}`, r.err.map((e) => e.at(-1) ?? null)])),
  };
  const diverged = m.runs.filter((r) => r.divergedAt !== null);
  if (diverged.length > 0) {
    const r = diverged[0]!;
    return { status: 'inconclusive', reason: `training diverged (non-finite loss) for seed ${r.seed} at step ${r.divergedAt}.`, metrics: baseMetrics };
  }
  // Every band must be fitted: a band that never was cannot be placed "last" (it might never converge at all).
  const unreached = m.runs.filter((_, i) => horizon[i] === null);
  if (unreached.length > 0) {
    return {
      status: 'inconclusive',
      reason: `the ${what} bands were never all below ${rule.threshold} at once within the budget (seeds ${unreached.map((r) => r.seed).join(', ')}); nothing to order: run longer.`,
      metrics: baseMetrics,
    };
  }
  // A band below the threshold from the first record was never fitted (e.g. a swarm's best random start).
  const atStart = m.runs.filter((r, i) => times[i]!.some((t) => t === r.steps[0]));
  if (atStart.length > 0) {
    return {
      status: 'inconclusive',
      reason: `some ${what} bands were below ${rule.threshold} from the first record on, before any fitting (seeds ${atStart.map((r) => r.seed).join(', ')}).`,
      metrics: baseMetrics,
    };
  }
  const settled = times as number[][];
  const fraction = settled.filter(isOrdered).length / m.runs.length;
  const reversed = settled.filter((t) => t.every((x, b) => b === 0 || x < t[b - 1]!)).length;
  const last = pairRatios(settled, m.bands.length - 2);
  const pairs = m.bands.slice(1).map((_, b) => pairRatios(settled, b));
  const metrics: Metrics = {
    ...baseMetrics,
    orderedFraction: fraction,
    reversedSeeds: reversed,
    // Median over seeds with the range over seeds (too few seeds for an interval).
    lastRatio: last === null ? null : last.median,
    lastRatioRangeOverSeeds: last === null ? null : { min: last.min, max: last.max },
    pairRatioMedians: pairs.map((p) => (p === null ? null : p.median)),
  };
  const lastOk = rule.minLastRatio === undefined || (last !== null && last.median >= rule.minLastRatio);
  const weakPair = rule.minPairRatio === undefined ? -1 : pairs.findIndex((p) => p === null || p.median < rule.minPairRatio!);
  const status: Status = fraction >= rule.minFraction && lastOk && weakPair < 0 ? 'holds' : 'fails';
  const tStr = settled.map((t, i) => `seed ${m.runs[i]!.seed}: (${t.join(', ')})`).join('; ');
  let reason =
    fraction < rule.minFraction
      ? `settling steps increase with ${what} in only ${Math.round(fraction * 100)}% of seeds (need ${Math.round(rule.minFraction * 100)}%)${reversed > 0 ? `; ${reversed} seed(s) fully reversed (high first)` : ''}`
      : !lastOk
        ? `order holds but the median t_last/t_prev = ${last?.median.toFixed(2) ?? 'n/a'} is below ${rule.minLastRatio}`
        : weakPair >= 0
          ? `order holds but the median settling ratio ${m.bands[weakPair + 1]}/${m.bands[weakPair]} = ${pairs[weakPair]?.median.toFixed(2) ?? 'n/a'} is below ${rule.minPairRatio} (equal-rate convergence)`
          : `settling steps (error<${rule.threshold} until every band is) increase with ${what} in ${Math.round(fraction * 100)}% of seeds (need ${Math.round(rule.minFraction * 100)}%)`;
  if (status === 'holds' && rule.minLastRatio !== undefined) reason += `, median ${m.bands.at(-1)}/${m.bands.at(-2)} settling ratio ${last!.median.toFixed(2)} ≥ ${rule.minLastRatio}`;
  if (status === 'holds' && rule.minPairRatio !== undefined) reason += `, neighbouring-band median ratios ${pairs.map((p) => p!.median.toFixed(2)).join(', ')} ≥ ${rule.minPairRatio}`;
  reason += ` [${tStr}].`;
  return { status, reason, metrics };
}

/** Reverse the band order of a trajectory (the judge must then fail it: a judge test, not a rival). */
export function reverseBands(m: OrderMeasurements): OrderMeasurements {
  return { bands: m.bands, runs: m.runs.map((r) => ({ ...r, err: [...r.err].reverse() })) };
}
