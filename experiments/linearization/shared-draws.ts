// A rival that replaces only the judged mechanism (the kernel a prediction uses, the quantity whose exponent is fitted)
// can run on the very draws of its claim: the same data and initializations, hence the same trained networks. Its rival
// then differs from the claim in nothing but the mechanism (a paired comparison), and where both run in one process
// (report --jobs 1, flake) the networks are trained once (issue 19: CI time). The draws are the claim's seeded streams
// (core/rng.ts claimRng keyed by the claim's id), so results do not depend on whether the memo was hit.
import type { RunContext } from '../../core/claim.ts';
import { claimRng, type Rng } from '../../core/rng.ts';

/** ctx.rng, or the streams of claim `drawsOf` at the same master seed. */
export function drawsRng(ctx: RunContext, drawsOf: string | undefined): (replicate: number, label?: string) => Rng {
  return drawsOf === undefined ? (r, label) => ctx.rng(r, label) : (r, label = '') => claimRng(ctx.masterSeed, drawsOf, r, label);
}

// A few recent results only: a claim and its rival run one after the other.
const MEMO_SIZE = 64;
const memo = new Map<string, unknown>();

/** compute(), or its result for the same key computed earlier in this process. The key must name everything it depends on. */
export function memoized<T>(key: string, compute: () => T): T {
  if (memo.has(key)) return memo.get(key) as T;
  const v = compute();
  memo.set(key, v);
  if (memo.size > MEMO_SIZE) memo.delete(memo.keys().next().value!);
  return v;
}
