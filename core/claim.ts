// The claim registry's types: a claim is data plus `run` and `judge`. The tests and the report both read
// the registry, so they cannot disagree. See DESIGN.md "The claim registry".
import type { Rng } from './rng.ts';

export type Status = 'holds' | 'fails' | 'inconclusive';
export type Tier = 'ci' | 'full';
export const TIERS: readonly Tier[] = ['ci', 'full'];

/** An estimate with its interval (confidence or bootstrap), as the report prints it. */
export type Estimate = {
  value: number;
  lo: number;
  hi: number;
};

/**
 * Metrics are a JSON tree whose leaves are numbers (or null for a value that could not be computed).
 * Use `Estimate` objects for anything statistical. Keep it small: it is what reviewers diff.
 */
export type MetricValue = number | null | string | boolean | MetricValue[] | { [key: string]: MetricValue };
export type Metrics = { [name: string]: MetricValue };

export interface Verdict {
  status: Status;
  /** One or two sentences a reviewer can check against the metrics. */
  reason: string;
  metrics: Metrics;
}

/** |new − old| ≤ abs + rel·|old| for every numeric leaf of a metric. */
export interface Tolerance {
  abs?: number;
  rel?: number;
}

export interface ClaimSource {
  /** Paper or book, authors and year. */
  paper: string;
  arxiv?: string;
  /** Figure, equation or section, and the brief's section. */
  where?: string;
}

/** A vega-lite specification (data inlined). Rendered to SVG by the report writer. */
export type FigureSpec = Record<string, unknown>;

export interface RunContext {
  tier: Tier;
  masterSeed: number;
  claimId: string;
  /** Replicate indices 0..replicates-1. */
  replicates: number[];
  /** The seeded stream for one replicate; `label` separates independent uses (data, init, ...). */
  rng(replicate: number, label?: string): Rng;
  /** Report progress on long work (drives the progress bar; a no-op off a terminal). */
  progress(done: number, total: number): void;
}

/** Every tier config carries its replicate count. */
export interface BaseConfig {
  replicates: number;
}

export interface Claim<C extends BaseConfig = BaseConfig, M = unknown> {
  /** Dotted, family first: `fprinciple.1d`, `maxmargin.direction`. */
  id: string;
  title: string;
  /** The claim in one or two sentences, as a theorist would state it. */
  statement: string;
  source: ClaimSource;
  /** A negative control: a configuration or broken variant where the judge must not say "holds". */
  control?: boolean;
  /**
   * A rival control: the claim(s) whose mechanism this control replaces by the nearest alternative explanation,
   * keeping the experiment and the judge (DESIGN.md "Rivals and power"). Requires `control: true`. A control
   * without `rivalOf` only breaks the code on purpose: a judge test, not evidence of power.
   */
  rivalOf?: string | string[];
  /**
   * The claim whose training runs this one reuses (the same seeded runs, memoized per process, analysed another way).
   * Scheduling only: the report runs the two in one worker, so the runs are trained once. Results never depend on it.
   */
  sharesRunsWith?: string;
  /** What the verdict must be for the suite to pass; default "holds" ("fails" for a control). */
  expected?: Status;
  tiers: Record<Tier, C>;
  /** Declared drift tolerance for `report --check` and `diff`: default, and per top-level metric. */
  tolerance?: Tolerance & { metrics?: Record<string, Tolerance> };
  run(config: C, ctx: RunContext): M | Promise<M>;
  judge(measurements: M, config: C): Verdict;
  figures?(measurements: M, verdict: Verdict, config: C): Record<string, FigureSpec>;
}

/** Erases the claim's type parameters so claims of different shapes can share one registry. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyClaim = Claim<any, any>;

export function defineClaim<C extends BaseConfig, M>(claim: Claim<C, M>): AnyClaim {
  return claim as AnyClaim;
}

export function expectedStatus(claim: AnyClaim): Status {
  return claim.expected ?? (claim.control ? 'fails' : 'holds');
}

export const DEFAULT_TOLERANCE: Required<Tolerance> = { abs: 1e-9, rel: 1e-5 };

/** Helper for judges: an Estimate from a value and an interval. */
export function estimate(value: number, lo: number, hi: number): Estimate {
  return { value, lo, hi };
}
