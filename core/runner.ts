// Runs one claim at one tier: builds its seeded context, runs it, judges it, and checks the verdict's shape.
import type { AnyClaim, FigureSpec, RunContext, Tier, Verdict } from './claim.ts';
import { claimRng, DEFAULT_MASTER_SEED } from './rng.ts';

export interface ClaimResult {
  claim: AnyClaim;
  tier: Tier;
  masterSeed: number;
  config: AnyClaim['tiers'][Tier];
  verdict: Verdict;
  figures: Record<string, FigureSpec>;
  durationMs: number;
}

export interface RunOptions {
  tier?: Tier;
  masterSeed?: number;
  onProgress?: (done: number, total: number) => void;
}

export async function runClaim(claim: AnyClaim, opts: RunOptions = {}): Promise<ClaimResult> {
  const tier = opts.tier ?? 'ci';
  const masterSeed = opts.masterSeed ?? DEFAULT_MASTER_SEED;
  const config = claim.tiers[tier];
  const replicates = Array.from({ length: config.replicates }, (_, i) => i);
  const ctx: RunContext = {
    tier,
    masterSeed,
    claimId: claim.id,
    replicates,
    rng: (replicate, label = '') => claimRng(masterSeed, claim.id, replicate, label),
    progress: opts.onProgress ?? (() => {}),
  };
  const t0 = performance.now();
  const measurements = await claim.run(config, ctx);
  const verdict = claim.judge(measurements, config);
  checkVerdict(claim.id, verdict);
  const figures = claim.figures ? claim.figures(measurements, verdict, config) : {};
  return { claim, tier, masterSeed, config, verdict, figures, durationMs: performance.now() - t0 };
}

function checkVerdict(id: string, v: Verdict): void {
  if (!['holds', 'fails', 'inconclusive'].includes(v.status)) throw new Error(`${id}: judge returned status ${String(v.status)}`);
  if (typeof v.reason !== 'string' || v.reason.length === 0) throw new Error(`${id}: judge returned no reason`);
  const walk = (x: unknown, path: string): void => {
    if (typeof x === 'number' && !Number.isFinite(x)) throw new Error(`${id}: metric ${path} is ${x}; use null for a value that could not be computed`);
    if (Array.isArray(x)) x.forEach((e, i) => walk(e, `${path}[${i}]`));
    else if (x && typeof x === 'object') for (const [k, e] of Object.entries(x)) walk(e, `${path}.${k}`);
  };
  walk(v.metrics, 'metrics');
}
