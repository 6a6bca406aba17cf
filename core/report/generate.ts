// Runs claims (in-process, or spread over worker processes), and assembles every report file from their outcomes.
// Claims are independent and seeded by their own id, so the result does not depend on order, on the split over
// workers, on shards (`report --shard i/n` + `merge`) or on the result cache: all give byte-identical files
// (run-info.json apart).
import { fork, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { AnyClaim, Status, Tier } from '../claim.ts';
import type { ClaimSpec } from '../load-claims.ts';
import { runClaim, type ClaimResult } from '../runner.ts';
import { buildReport, type Report } from './build.ts';
import { cacheDir, readCached, writeCached, type Outcome } from './cache.ts';
import { loadClaims } from '../load-claims.ts';
import { canonicalJson } from './canonical.ts';
import { figureFile, renderSvg } from './figures.ts';
import type { Stability } from './audit.ts';
import { reportMarkdown } from './markdown.ts';
import { engineInfo, runInfo } from './run-info.ts';

export type { Outcome } from './cache.ts';

export interface GenerateOptions {
  tier: Tier;
  masterSeed: number;
  claims: AnyClaim[];
  /** Where worker processes load the claims from (default: the built-in registry). */
  source?: ClaimSpec;
  /** Worker processes; 1 runs in this process. */
  jobs?: number;
  /** Verdict stability from a previous `dlclaims flake` run, shown in REPORT.md. */
  stability?: Stability;
  /**
   * Seconds each claim took last time (run-info.json's claimSeconds), to schedule the longest groups first.
   * Scheduling never changes a result, only the wall time.
   */
  estimates?: Record<string, number>;
  /** Called as claims start, progress and finish (`cached` when the result came from the cache). */
  onProgress?: (e: { id: string; done: number; total: number; finished?: boolean; cached?: boolean }) => void;
}

export interface Generated {
  report: Report;
  files: Map<string, string>;
  durations: Record<string, number>;
}

export async function runAndRender(claim: AnyClaim, tier: Tier, masterSeed: number, onProgress?: (done: number, total: number) => void): Promise<Outcome> {
  let r: ClaimResult;
  try {
    r = await runClaim(claim, { tier, masterSeed, onProgress });
  } catch (e) {
    // A crash is reported, not hidden: the verdict is inconclusive with the error, and `--check` flags it.
    const message = (e as Error).message.split('\n')[0] ?? String(e);
    return { id: claim.id, verdict: { status: 'inconclusive' as Status, reason: `run failed: ${message}`, metrics: {} }, svgs: {}, durationMs: 0 };
  }
  const svgs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(r.figures)) svgs[name] = await renderSvg(spec);
  // Through JSON, as a worker's outcome travels: the in-process, worker and cached paths give the same values.
  return JSON.parse(JSON.stringify({ id: claim.id, verdict: r.verdict, svgs, durationMs: r.durationMs })) as Outcome;
}

/** runAndRender through the result cache (core/report/cache.ts; a no-op unless DLCLAIMS_CACHE is set). */
export async function runCached(claim: AnyClaim, tier: Tier, masterSeed: number, onProgress?: (done: number, total: number) => void): Promise<Outcome & { cached?: boolean }> {
  if (!cacheDir()) return runAndRender(claim, tier, masterSeed, onProgress);
  // Records where the built-in claims come from; a claim object not recorded by the loader is never cached.
  await loadClaims({ modules: [], builtins: true });
  const hit = readCached(claim, tier, masterSeed);
  if (hit) return { ...hit, cached: true };
  const o = await runAndRender(claim, tier, masterSeed, onProgress);
  writeCached(claim, tier, masterSeed, o);
  return o;
}

// The worker is the CLI itself (`dlclaims __worker`), so it runs dist or the sources exactly as the parent does.
const WORKER = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../../bin/dlclaims.mjs' : '../../../bin/dlclaims.mjs', import.meta.url));

/**
 * The work units of the worker pool: each claim with everything that reuses its work (its rival controls, which may
 * judge its very runs, and claims that declare `sharesRunsWith` it), the claim first, the others in registry order,
 * so a family's per-process memo serves them all; longest group first by the estimates (LPT scheduling: with 2
 * workers the wall time is then at most 4/3 of the best split). Unknown durations count as the longest, so new claims
 * start early.
 */
export function scheduleGroups(claims: AnyClaim[], estimates: Record<string, number> = {}): AnyClaim[][] {
  const byId = new Map(claims.map((c) => [c.id, c]));
  const parent = (c: AnyClaim): AnyClaim | undefined => {
    const targets = [...(c.rivalOf === undefined ? [] : Array.isArray(c.rivalOf) ? c.rivalOf : [c.rivalOf]), ...(c.sharesRunsWith ? [c.sharesRunsWith] : [])];
    const t = targets.find((id) => byId.has(id) && id !== c.id);
    return t === undefined ? undefined : byId.get(t);
  };
  const homeOf = (c: AnyClaim): string => {
    const seen = new Set<string>();
    for (let h = c; ; ) {
      seen.add(h.id);
      const p = parent(h);
      if (!p || seen.has(p.id)) return h.id; // a cycle ends where it closes
      h = p;
    }
  };
  const groups = new Map<string, AnyClaim[]>();
  for (const c of claims) {
    const home = homeOf(c);
    if (!groups.has(home)) groups.set(home, []);
    // The claim itself first, wherever the registry lists the others.
    if (home === c.id) groups.get(home)!.unshift(c);
    else groups.get(home)!.push(c);
  }
  const cost = (g: AnyClaim[]) => g.reduce((s, c) => s + (Object.hasOwn(estimates, c.id) ? estimates[c.id]! : Infinity), 0);
  const list = [...groups.values()].map((g, k) => ({ g, k, cost: cost(g) }));
  // Stable: equal costs keep registry order.
  list.sort((a, b) => (a.cost === b.cost ? a.k - b.k : b.cost - a.cost));
  return list.map((x) => x.g);
}

async function runInWorkers(opts: GenerateOptions, claims: AnyClaim[], jobs: number): Promise<Outcome[]> {
  const groups = scheduleGroups(claims, opts.estimates);
  const outcomes: Outcome[] = [];
  const workers: ChildProcess[] = [];
  try {
    await Promise.all(
      Array.from({ length: Math.min(jobs, groups.length) }, async () => {
        const child = fork(WORKER, ['__worker'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        workers.push(child);
        for (let group = groups.shift(); group; group = groups.shift()) for (const claim of group) {
          const id = claim.id;
          let cached = false;
          outcomes.push(
            await new Promise<Outcome>((resolveOutcome, reject) => {
              const onMessage = (m: { type: string; done?: number; total?: number; outcome?: Outcome & { cached?: boolean }; error?: string }) => {
                if (m.type === 'progress') opts.onProgress?.({ id, done: m.done!, total: m.total! });
                else if (m.type === 'error') reject(new Error(`${id}: ${m.error}`));
                else if (m.type === 'outcome') {
                  child.off('message', onMessage);
                  child.off('exit', onExit);
                  const { cached: c, ...o } = m.outcome!;
                  cached = !!c;
                  resolveOutcome(o);
                }
              };
              const onExit = (code: number | null) => reject(new Error(`worker running ${id} exited with code ${code}`));
              child.on('message', onMessage);
              child.once('exit', onExit);
              child.send({ id, tier: opts.tier, masterSeed: opts.masterSeed, source: opts.source ?? { modules: [], builtins: true } });
            }),
          );
          opts.onProgress?.({ id, done: 1, total: 1, finished: true, cached });
        }
        child.disconnect();
      }),
    );
  } finally {
    for (const w of workers) if (w.exitCode === null) w.kill();
  }
  return outcomes;
}

export function defaultJobs(): number {
  return Math.max(1, Math.min(2, cpus().length));
}

/** Runs `claims` (through the cache when it is on) and returns their outcomes, in any order. */
export async function runOutcomes(opts: GenerateOptions, claims: AnyClaim[] = opts.claims): Promise<Outcome[]> {
  const jobs = opts.jobs ?? defaultJobs();
  if (jobs > 1 && claims.length > 1) return runInWorkers(opts, claims, jobs);
  const outcomes: Outcome[] = [];
  for (const claim of claims) {
    const { cached, ...o } = await runCached(claim, opts.tier, opts.masterSeed, (done, total) => opts.onProgress?.({ id: claim.id, done, total }));
    outcomes.push(o);
    opts.onProgress?.({ id: claim.id, done: 1, total: 1, finished: true, cached: !!cached });
  }
  return outcomes;
}

/** Every report file from the outcomes of all of `opts.claims` (same bytes whatever ran them, run-info apart). */
export async function assembleReport(opts: GenerateOptions, outcomes: Outcome[], run: { jobs: number; totalMs: number; shards?: number }): Promise<Generated> {
  const byId = new Map(outcomes.map((o) => [o.id, o]));
  const results: ClaimResult[] = opts.claims.map((claim) => {
    const o = byId.get(claim.id);
    if (!o) throw new Error(`no outcome for claim ${claim.id}`);
    const figures = Object.fromEntries(Object.keys(o.svgs).map((k) => [k, {}]));
    return { claim, tier: opts.tier, masterSeed: opts.masterSeed, config: claim.tiers[opts.tier], verdict: o.verdict, figures, durationMs: o.durationMs };
  });
  const report = buildReport(results, opts.tier, opts.masterSeed, await engineInfo(), opts.stability);
  const files = new Map<string, string>();
  files.set('report.json', canonicalJson(report));
  files.set('REPORT.md', reportMarkdown(report, opts.claims.map((c) => c.id)));
  // Figures in claim order (not finishing order), so the file map is the same however the claims ran.
  for (const claim of opts.claims) for (const [name, svg] of Object.entries(byId.get(claim.id)!.svgs)) files.set(figureFile(claim.id, name), svg);
  const durations = Object.fromEntries(opts.claims.map((c) => [c.id, Math.round(byId.get(c.id)!.durationMs)]));
  files.set('run-info.json', JSON.stringify(await runInfo({ tier: opts.tier, masterSeed: opts.masterSeed, jobs: run.jobs, shards: run.shards, totalMs: run.totalMs, durations }), null, 2) + '\n');
  return { report, files, durations };
}

export async function generateReport(opts: GenerateOptions): Promise<Generated> {
  const t0 = performance.now();
  const outcomes = await runOutcomes(opts);
  return assembleReport(opts, outcomes, { jobs: opts.jobs ?? defaultJobs(), totalMs: performance.now() - t0 });
}
