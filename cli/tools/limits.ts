// Limits on the work a JSON tool accepts (README "Reliability"). Input files are capped separately
// (core/formats.ts MAX_INPUT_BYTES, 64 MiB, regular files only). Each refusal is one line naming the limit.
import { fail, type AnyNet } from '../../core/formats.ts';
import { cnnMacs, cnnParamCount, cnnTraceSize, type Cnn } from '../../theory/cnn.ts';
import type { Mlp } from '../../theory/mlp.ts';
import type { Args } from '../args.ts';

/** Tools take options only: a stray word (`forward --net n.json x.json extra`) is refused, not ignored. */
export function noPositionals(args: Args): void {
  if (args.positionals.length > 0) fail(args.positionals[0]!, 'unexpected argument (tools take --name value options only)');
}

export const TOOL_LIMITS = {
  /** forward, loss-grad: points per call. */
  points: 100_000,
  /** ntk (empirical and analytic): points; the answer is n² numbers (5000² = 25·10⁶, about 0.5 GB of JSON). */
  ntkPoints: 5000,
  /** lfp: data nodes (a dense (n+d+1)² system solved by LU, O(n³)). */
  lfpNodes: 2000,
  /** lfp: evaluation points. */
  lfpPoints: 100_000,
  /** maxmargin: data points. */
  maxmarginPoints: 10_000,
  /** Numbers held at once by a CNN's recorded forward pass (400 MB of float64); points are processed in chunks. */
  traceValues: 5e7,
  /** Multiply-adds per call (points × parameters, n² × widths, steps × n × d): about a minute of float64 JS at most. */
  work: 2e10,
} as const;

export function parameterCount(net: Mlp): number {
  return net.layers.reduce((s, l) => s + l.nIn * l.nOut + l.nOut, 0);
}

/**
 * Multiply-adds of one forward pass on one point: the parameter count for an MLP; for a CNN the conv MACs
 * (out positions × kh·kw·cin·cout, which a small kernel on a large input makes far more than its parameters), the
 * pooled inputs and the dense products.
 */
export function macsPerPoint(n: AnyNet): number {
  return n.format === 'mlp-v1' ? parameterCount(n.net) : cnnMacs(n.net);
}

export function netParamCount(n: AnyNet): number {
  return n.format === 'mlp-v1' ? parameterCount(n.net) : cnnParamCount(n.net);
}

export function capPoints(rows: number, max: number, field: string, why: string): void {
  if (rows > max) fail(field, `${rows} points, over the limit of ${max} (${why})`);
}

export function capWork(work: number, field: string, what: string): void {
  if (work > TOOL_LIMITS.work) fail(field, `${what} is ${work.toExponential(2)} multiply-adds, over the limit of ${TOOL_LIMITS.work.toExponential(0)} per call; split the input`);
}

/**
 * Points per chunk for a CNN's forward and backward passes, so that the recorded activations stay under
 * TOOL_LIMITS.traceValues; a net whose single point exceeds it is refused.
 */
export function cnnChunk(net: Cnn): number {
  const per = cnnTraceSize(net);
  if (per > TOOL_LIMITS.traceValues) fail('net', `one point's activations are ${per.toExponential(2)} numbers, over the limit of ${TOOL_LIMITS.traceValues.toExponential(0)} (${(TOOL_LIMITS.traceValues * 8) / 1e6} MB); use a smaller input or fewer channels`);
  return Math.max(1, Math.floor(TOOL_LIMITS.traceValues / per));
}
