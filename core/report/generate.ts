// Runs claims (in-process, or spread over worker processes), and assembles every report file from their outcomes.
// Claims are independent and seeded by their own id, so the result does not depend on order, on the split over
// workers, on shards (`report --shard i/n` + `merge`) or on the result cache: all give byte-identical files
// (run-info.json apart).
import { fork, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { AnyClaim, Tier } from '../claim.ts';
import type { ClaimSpec } from '../load-claims.ts';
import type { ClaimResult } from '../runner.ts';
import { buildReport, prepareReportValidator, type Report } from './build.ts';
import type { Outcome } from './cache.ts';
import { canonicalJson } from './canonical.ts';
import { figureFile } from './figures.ts';
import { renderOutcomes, runAndRender, runCached } from './outcome.ts';
import type { Stability } from './audit.ts';
import { reportMarkdown } from './markdown.ts';
import { engineInfo, runInfo } from './run-info.ts';
import { trace } from './trace.ts';

export type { Outcome } from './cache.ts';
export { renderOutcomes, runAndRender, runCached };

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
  /**
   * false: figures come back as specs (Outcome.specs), unrendered, for a caller that may not need the SVGs
   * (report --check renders them only to write a failing run's report: renderOutcomes). Default true.
   */
  render?: boolean;
  /** Called as claims start, progress and finish (`cached` when the result came from the cache). */
  onProgress?: (e: { id: string; done: number; total: number; finished?: boolean; cached?: boolean }) => void;
}

export interface Generated {
  report: Report;
  files: Map<string, string>;
  durations: Record<string, number>;
}

// The worker is the CLI itself (`dlclaims __worker`), so it runs dist or the sources exactly as the parent does.
const FROM_DIST = !import.meta.url.endsWith('.ts');
const WORKER = fileURLToPath(new URL(FROM_DIST ? '../../../bin/dlclaims.mjs' : '../../bin/dlclaims.mjs', import.meta.url));

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

function forkWorker(source: ClaimSpec): ChildProcess {
  // The claim source as an argument: the worker loads the claims at once (cli/worker.ts). A parent running dist tells
  // the worker so (DLCLAIMS_WORKER_DIST), which then skips bin's freshness scan of the sources and runs the very code
  // the parent runs.
  const env = FROM_DIST ? { ...process.env, DLCLAIMS_WORKER_DIST: '1' } : process.env;
  const child = fork(WORKER, ['__worker', JSON.stringify(source)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env });
  trace('fork', { child: child.pid });
  return child;
}

/** Workers started ahead of need (prestartWorkers), with the claim source they load. */
const spares: { child: ChildProcess; source: string }[] = [];

/**
 * Starts `n` report workers now, loading `source`'s claims, for the next runOutcomes with that source to take (issue 19:
 * the workers' start-up then overlaps the caller's own loading and scheduling). Until taken they do not keep this
 * process alive, and they exit with it; runOutcomes ends any it did not need.
 */
export function prestartWorkers(n: number, source: ClaimSpec): void {
  for (let k = 0; k < n; k++) {
    const child = forkWorker(source);
    child.unref();
    child.channel?.unref();
    spares.push({ child, source: JSON.stringify(source) });
  }
}

/** Ends the workers started ahead of need that no run took (they exit on disconnect). */
export function dropSpares(): void {
  for (const s of spares.splice(0)) if (s.child.connected) s.child.disconnect();
}

function takeWorker(source: ClaimSpec): ChildProcess {
  const key = JSON.stringify(source);
  const k = spares.findIndex((s) => s.source === key && s.child.connected && s.child.exitCode === null);
  if (k < 0) return forkWorker(source);
  const { child } = spares.splice(k, 1)[0]!;
  child.ref();
  child.channel?.ref();
  return child;
}

async function runInWorkers(opts: GenerateOptions, claims: AnyClaim[], jobs: number): Promise<Outcome[]> {
  const groups = scheduleGroups(claims, opts.estimates);
  const source = opts.source ?? { modules: [], builtins: true };
  const outcomes: Outcome[] = [];
  const workers: ChildProcess[] = [];
  try {
    await Promise.all(
      Array.from({ length: Math.min(jobs, groups.length) }, () => {
        const child = takeWorker(source);
        workers.push(child);
        let group: AnyClaim[] = []; // the rest of this worker's current group
        const inFlight: string[] = []; // sent, in the order the worker runs them
        return new Promise<void>((resolve, reject) => {
          const stop = (e?: Error) => {
            child.off('message', onMessage);
            child.off('exit', onExit);
            if (e) return reject(e);
            child.disconnect();
            prepareReportValidator(); // needed at assembly; a core is free now (this worker is done)
            resolve();
          };
          // One claim ahead: the worker starts the next as soon as it sends an outcome, with no round trip between.
          // A worker's next claim comes from its current group, then from the next group in LPT order.
          const send = () => {
            if (group.length === 0) group = [...(groups.shift() ?? [])];
            const claim = group.shift();
            if (!claim) return;
            inFlight.push(claim.id);
            child.send({ id: claim.id, tier: opts.tier, masterSeed: opts.masterSeed, source, render: opts.render !== false });
          };
          const onMessage = (m: { type: string; done?: number; total?: number; outcome?: Outcome & { cached?: boolean }; error?: string }) => {
            const id = inFlight[0] ?? '(none)';
            if (m.type === 'progress') opts.onProgress?.({ id, done: m.done!, total: m.total! });
            else if (m.type === 'error') stop(new Error(`${id}: ${m.error}`));
            else if (m.type === 'outcome') {
              inFlight.shift();
              const { cached, ...o } = m.outcome!;
              outcomes.push(o);
              opts.onProgress?.({ id, done: 1, total: 1, finished: true, cached: !!cached });
              send();
              if (inFlight.length === 0) stop();
            }
          };
          const onExit = (code: number | null) => stop(new Error(`worker running ${inFlight[0] ?? 'no claim'} exited with code ${code}`));
          child.on('message', onMessage);
          child.once('exit', onExit);
          send();
          send();
          if (inFlight.length === 0) stop();
        });
      }),
    );
  } finally {
    for (const w of workers) if (w.exitCode === null) w.kill();
    dropSpares();
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
  dropSpares();
  const outcomes: Outcome[] = [];
  for (const claim of claims) {
    const { cached, ...o } = await runCached(claim, opts.tier, opts.masterSeed, (done, total) => opts.onProgress?.({ id: claim.id, done, total }), { render: opts.render !== false });
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
    const figures = Object.fromEntries(Object.keys(o.specs ?? o.svgs).map((k) => [k, {}]));
    return { claim, tier: opts.tier, masterSeed: opts.masterSeed, config: claim.tiers[opts.tier], verdict: o.verdict, figures, durationMs: o.durationMs };
  });
  const report = buildReport(results, opts.tier, opts.masterSeed, await engineInfo(), opts.stability);
  trace('built');
  const files = new Map<string, string>();
  files.set('report.json', canonicalJson(report));
  files.set('REPORT.md', reportMarkdown(report, opts.claims.map((c) => c.id)));
  trace('markdown');
  // Figures in claim order (not finishing order), so the file map is the same however the claims ran. Outcomes whose
  // figures came back unrendered (render: false) contribute their names to report.json but no files.
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
