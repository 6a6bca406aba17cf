// Runs the registry's claims (in-process, or spread over worker processes) and assembles every report file.
// Claims are independent and seeded by their own id, so the result does not depend on order or on the split.
import { fork, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { AnyClaim, Status, Tier, Verdict } from '../claim.ts';
import { runClaim, type ClaimResult } from '../runner.ts';
import { buildReport, type Report } from './build.ts';
import { canonicalJson } from './canonical.ts';
import { figureFile, renderSvg } from './figures.ts';
import type { Stability } from './audit.ts';
import { reportMarkdown } from './markdown.ts';
import { runInfo } from './run-info.ts';

export interface GenerateOptions {
  tier: Tier;
  masterSeed: number;
  claims: AnyClaim[];
  /** Worker processes; 1 runs in this process. */
  jobs?: number;
  /** Verdict stability from a previous `dlclaims flake` run, shown in REPORT.md. */
  stability?: Stability;
  /** Called as claims start, progress and finish. */
  onProgress?: (e: { id: string; done: number; total: number; finished?: boolean }) => void;
}

export interface Generated {
  report: Report;
  files: Map<string, string>;
  durations: Record<string, number>;
}

/** What one claim run sends back: its verdict and rendered figures. */
interface Outcome {
  id: string;
  verdict: Verdict;
  svgs: Record<string, string>;
  durationMs: number;
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
  return { id: claim.id, verdict: r.verdict, svgs, durationMs: r.durationMs };
}

const WORKER = fileURLToPath(new URL('../../bin/dlclaims.mjs', import.meta.url));

async function runInWorkers(opts: GenerateOptions, jobs: number): Promise<Outcome[]> {
  const queue = [...opts.claims];
  const outcomes: Outcome[] = [];
  const workers: ChildProcess[] = [];
  try {
    await Promise.all(
      Array.from({ length: Math.min(jobs, queue.length) }, async () => {
        const child = fork(WORKER, ['__worker'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        workers.push(child);
        for (let claim = queue.shift(); claim; claim = queue.shift()) {
          const id = claim.id;
          outcomes.push(
            await new Promise<Outcome>((resolveOutcome, reject) => {
              const onMessage = (m: { type: string; done?: number; total?: number; outcome?: Outcome; error?: string }) => {
                if (m.type === 'progress') opts.onProgress?.({ id, done: m.done!, total: m.total! });
                else if (m.type === 'error') reject(new Error(`${id}: ${m.error}`));
                else if (m.type === 'outcome') {
                  child.off('message', onMessage);
                  child.off('exit', onExit);
                  resolveOutcome(m.outcome!);
                }
              };
              const onExit = (code: number | null) => reject(new Error(`worker running ${id} exited with code ${code}`));
              child.on('message', onMessage);
              child.once('exit', onExit);
              child.send({ id, tier: opts.tier, masterSeed: opts.masterSeed });
            }),
          );
          opts.onProgress?.({ id, done: 1, total: 1, finished: true });
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

export async function generateReport(opts: GenerateOptions): Promise<Generated> {
  const jobs = opts.jobs ?? defaultJobs();
  const t0 = performance.now();
  let outcomes: Outcome[];
  if (jobs <= 1 || opts.claims.length <= 1) {
    outcomes = [];
    for (const claim of opts.claims) {
      outcomes.push(await runAndRender(claim, opts.tier, opts.masterSeed, (done, total) => opts.onProgress?.({ id: claim.id, done, total })));
      opts.onProgress?.({ id: claim.id, done: 1, total: 1, finished: true });
    }
  } else outcomes = await runInWorkers(opts, jobs);

  const byId = new Map(outcomes.map((o) => [o.id, o]));
  const results: ClaimResult[] = opts.claims.map((claim) => {
    const o = byId.get(claim.id)!;
    const figures = Object.fromEntries(Object.keys(o.svgs).map((k) => [k, {}]));
    return { claim, tier: opts.tier, masterSeed: opts.masterSeed, config: claim.tiers[opts.tier], verdict: o.verdict, figures, durationMs: o.durationMs };
  });
  const report = buildReport(results, opts.tier, opts.masterSeed, opts.stability);
  const files = new Map<string, string>();
  files.set('report.json', canonicalJson(report));
  files.set('REPORT.md', reportMarkdown(report, opts.claims.map((c) => c.id)));
  for (const o of outcomes) for (const [name, svg] of Object.entries(o.svgs)) files.set(figureFile(o.id, name), svg);
  const durations = Object.fromEntries(outcomes.map((o) => [o.id, Math.round(o.durationMs)]));
  files.set('run-info.json', JSON.stringify(await runInfo({ tier: opts.tier, masterSeed: opts.masterSeed, jobs, totalMs: performance.now() - t0, durations }), null, 2) + '\n');
  return { report, files, durations };
}
