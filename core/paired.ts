// Paired rival controls and shared runs (DESIGN.md "Rivals and power"; issue 19: CI time).
// A rival that replaces only the judged mechanism (the prediction compared, the kernel, the widening) can run on its
// claim's very draws: the same data and initializations, hence the same trained networks, so it differs from the claim
// in nothing but the mechanism. It draws from the claim's seeded streams (claimRng keyed by the claim's id), and the
// expensive runs are memoized per process under a key that names everything they depend on, so a result never depends
// on whether the memo was hit. The report runs a claim and its rivals in one worker (core/report/generate.ts).
import type { RunContext } from './claim.ts';
import { claimRng, type Rng } from './rng.ts';

/** ctx.rng, or the streams of claim `streamsOf` at the same master seed (a paired rival passes its claim's id). */
export function pairedRng(ctx: Pick<RunContext, 'rng' | 'claimId' | 'masterSeed'>, streamsOf: string | undefined): (replicate: number, label?: string) => Rng {
  return streamsOf === undefined || streamsOf === ctx.claimId ? (r, label) => ctx.rng(r, label) : (r, label = '') => claimRng(ctx.masterSeed, streamsOf, r, label);
}

// Recent results only: a claim's rivals run right after it in the same worker. Large enough for a claim's whole set
// of runs (lfp.1d: 14; a flake seed never reuses another's); a miss only recomputes.
const MEMO_SIZE = 512;
const memo = new Map<string, unknown>();

/**
 * compute(), or its result for the same key computed earlier in this process. The key must name everything the
 * result depends on (master seed, streams, config, replicate); results are never mutated once stored.
 */
export function memoized<T>(key: string, compute: () => T): T {
  if (memo.has(key)) return memo.get(key) as T;
  const v = compute();
  memo.set(key, v);
  if (memo.size > MEMO_SIZE) memo.delete(memo.keys().next().value!);
  return v;
}

/** Forgets every memoized result (benchmarks that time a run() repeatedly in one process). */
export function clearMemo(): void {
  memo.clear();
}
