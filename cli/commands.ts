// Suite commands: list, run, report (and report --check), diff, and the hidden worker used by report.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { expectedStatus, type AnyClaim, type Tier } from '../core/claim.ts';
import { InputError, readJson } from '../core/formats.ts';
import { DEFAULT_MASTER_SEED } from '../core/rng.ts';
import { runClaim } from '../core/runner.ts';
import { assertValidReport, type Report } from '../core/report/build.ts';
import { assertReportIntegrity, compareReports, formatFindings } from '../core/report/compare.ts';
import { generateReport, runAndRender } from '../core/report/generate.ts';
import { openReportDir, writeReportDir } from '../core/report/write.ts';
import { checkEngineEnv } from '../core/engine/index.ts';
import type { Stability } from '../core/report/markdown.ts';
import { findClaim, registry } from '../experiments/index.ts';
import { LIMITS, parseArgs, selectClaims, type Args } from './args.ts';
import { flake } from './flake.ts';

/** --seed (and flake's --first): a non-negative integer that float64 holds exactly, so a report's seed reruns it. */
export function seedOf(args: Args, name = 'seed'): number | undefined {
  return args.intIn(name, 0, LIMITS.seed, undefined, '2^53 − 1: larger integers are not exact in float64, so the report could not be rerun from its own seed');
}

/** --jobs: 1 up to the cores available (a worker per core at most). */
export function jobsOf(args: Args): number | undefined {
  return args.intIn('jobs', 1, availableParallelism(), undefined, 'the cores available here');
}

function tierOf(args: Args): Tier {
  const tier = args.get('tier') ?? 'ci';
  if (tier !== 'ci' && tier !== 'full') throw new InputError(`--tier: expected ci or full, got "${tier}"`);
  return tier;
}


/** A progress bar on a terminal; silent otherwise (CI logs stay clean). */
function progressBar(total: number, label: string) {
  if (!process.stderr.isTTY) return { update: (_: number, __: string) => {}, stop: () => {} };
  const bar = new SingleBar({ format: `${label} [{bar}] {percentage}% | {value}/{total} | {claim}`, stream: process.stderr, hideCursor: true }, Presets.shades_classic);
  bar.start(total, 0, { claim: '' });
  return { update: (v: number, claim: string) => bar.update(Math.round(v * 100) / 100, { claim }), stop: () => bar.stop() };
}

function readReport(path: string, label: string): Report {
  const r = readJson(path, label);
  try {
    assertValidReport(r, label);
  } catch (e) {
    throw new InputError((e as Error).message);
  }
  assertReportIntegrity(r, label);
  return r;
}

/** reports/flake.json from `dlclaims flake`, if present, for REPORT.md's stability column. */
function readStability(dir: string): Stability | undefined {
  const p = join(dir, 'flake.json');
  if (!existsSync(p)) return undefined;
  const s = readJson(p, p) as Stability;
  const row = (r: unknown) => !!r && typeof r === 'object' && typeof (r as { id?: unknown }).id === 'string' && Number.isInteger((r as { asExpected?: unknown }).asExpected) && Number.isInteger((r as { runs?: unknown }).runs);
  if (!Array.isArray(s?.claims) || typeof s?.seeds?.count !== 'number' || typeof s?.seeds?.first !== 'number') return undefined;
  const bad = s.claims.findIndex((r) => !row(r));
  if (bad >= 0) throw new InputError(`${p}: claims[${bad}] is not a flake row {id, asExpected, runs}; rerun dlclaims flake or remove the file`);
  return s;
}

async function generateWithProgress(claims: AnyClaim[], tier: Tier, masterSeed: number, jobs: number | undefined, stability?: Stability) {
  const bar = progressBar(claims.length, `report (${tier})`);
  const partial = new Map<string, number>();
  let finished = 0;
  try {
    return await generateReport({
      tier,
      masterSeed,
      claims,
      jobs,
      stability,
      onProgress: ({ id, done, total, finished: fin }) => {
        if (fin) {
          finished++;
          partial.delete(id);
        } else partial.set(id, total > 0 ? done / total : 0);
        const inFlight = [...partial.values()].reduce((s, v) => s + v, 0);
        bar.update(finished + inFlight, id);
      },
    });
  } finally {
    bar.stop();
  }
}

export const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  async list() {
    for (const c of registry) {
      process.stdout.write(`${c.id.padEnd(42)} ${c.control ? 'control' : 'claim  '}  expects ${expectedStatus(c).padEnd(12)} ${c.title}\n`);
    }
    return 0;
  },

  async run(argv) {
    const args = parseArgs(argv, { valued: ['tier', 'seed'] });
    const id = args.positionals[0];
    if (!id) throw new InputError('run: name a claim (see dlclaims list)');
    if (args.positionals.length > 1) throw new InputError(`run: one claim at a time (got ${args.positionals.length}: ${args.positionals.join(' ')})`);
    checkEngineEnv();
    const seed = seedOf(args);
    const tier = tierOf(args);
    const claim = findClaim(id);
    if (!claim) throw new InputError(`run: unknown claim "${id}" (see dlclaims list)`);
    const bar = progressBar(1, id);
    let r;
    try {
      r = await runClaim(claim, { tier, masterSeed: seed, onProgress: (d, t) => bar.update(t > 0 ? d / t : 0, id) });
    } finally {
      bar.stop();
    }
    const expected = expectedStatus(claim);
    process.stdout.write(JSON.stringify({ id, status: r.verdict.status, expected, reason: r.verdict.reason, metrics: r.verdict.metrics, seconds: Math.round(r.durationMs) / 1000 }, null, 2) + '\n');
    return r.verdict.status === expected ? 0 : 1;
  },

  async report(argv) {
    const args = parseArgs(argv, { valued: ['tier', 'out', 'seed', 'only', 'jobs'], booleans: ['check'] });
    if (args.positionals.length > 0) throw new InputError(`report: unexpected argument "${args.positionals[0]}"`);
    const masterSeed = seedOf(args) ?? DEFAULT_MASTER_SEED;
    const jobs = jobsOf(args);
    const claims = selectClaims(args, registry);
    checkEngineEnv();
    if (args.flag('check')) {
      if (args.get('tier') !== undefined && args.get('tier') !== 'ci') throw new InputError(`--tier: report --check compares the CI tier only (got "${args.get('tier')}")`);
      // Regenerate the CI tier in a temporary folder and compare with the committed report.
      const committedDir = args.get('out') ?? 'reports';
      const committed = join(committedDir, 'report.json');
      if (!existsSync(committed)) throw new InputError(`--check: no committed report at ${committed}`);
      const old = readReport(committed, committed);
      const tmp = mkdtempSync(join(tmpdir(), 'dlclaims-check-'));
      try {
        const g = await generateWithProgress(claims, 'ci', masterSeed, jobs);
        writeReportDir(join(tmp, 'reports'), g.files);
        const findings = compareReports(args.get('only') ? { ...old, claims: old.claims.filter((c) => claims.some((k) => k.id === c.id)) } : old, g.report);
        process.stdout.write(formatFindings(findings));
        const unexpected = g.report.claims.filter((c) => c.status !== c.expected);
        for (const c of unexpected) process.stdout.write(`unexpected verdict: ${c.id} is ${c.status}, expected ${c.expected}: ${c.reason}\n`);
        if (findings.length > 0 || unexpected.length > 0) {
          process.stdout.write(`report --check: FAILED (${findings.length} difference(s), ${unexpected.length} unexpected verdict(s)); regenerated report in ${tmp}/reports\n`);
          return 1;
        }
        process.stdout.write(`report --check: OK (${g.report.claims.length} claims match the committed report)\n`);
        rmSync(tmp, { recursive: true, force: true });
        return 0;
      } catch (e) {
        rmSync(tmp, { recursive: true, force: true });
        throw e;
      }
    }
    const out = args.get('out') ?? 'reports';
    const tier = tierOf(args);
    // Validated and locked before any claim runs; the lock is held until the files are in place (core/report/write.ts).
    const dest = openReportDir(out);
    let g;
    try {
      // Stability was measured on the CI tier at the default seed's neighbours; it says nothing about other runs.
      const stability = tier === 'ci' && masterSeed === DEFAULT_MASTER_SEED ? readStability(dest.dir) : undefined;
      g = await generateWithProgress(claims, tier, masterSeed, jobs, stability);
      dest.write(g.files);
    } finally {
      dest.release();
    }
    const s = g.report.summary;
    process.stdout.write(`wrote ${out}/: ${s.claims} checks, ${s.holds} hold, ${s.fails} fail, ${s.inconclusive} inconclusive; ${s.asExpected}/${s.claims} as expected\n`);
    return s.asExpected === s.claims ? 0 : 1;
  },

  async diff(argv) {
    const args = parseArgs(argv, {});
    const [a, b] = args.positionals;
    if (!a || !b || args.positionals.length !== 2) throw new InputError('diff: usage: dlclaims diff OLD.json NEW.json');
    const findings = compareReports(readReport(a, a), readReport(b, b));
    process.stdout.write(formatFindings(findings));
    return findings.length === 0 ? 0 : 1;
  },

  flake,

  /** Internal: a worker process for `report`; receives claim ids over IPC and answers with outcomes. */
  async __worker() {
    if (!process.send || !process.connected) throw new InputError('__worker: internal command, started by dlclaims report over IPC; not for direct use');
    await new Promise<void>((done) => {
      process.on('message', (m: { id: string; tier: Tier; masterSeed: number }) => {
        const claim = findClaim(m.id);
        if (!claim) {
          process.send!({ type: 'error', error: `unknown claim ${m.id}` });
          return;
        }
        let last = -1;
        const progress = (d: number, t: number) => {
          const pct = t > 0 ? Math.floor((100 * d) / t) : 0; // throttled: one message per percent
          if (pct !== last) process.send!({ type: 'progress', done: d, total: t });
          last = pct;
        };
        runAndRender(claim, m.tier, m.masterSeed, progress)
          .then((outcome) => process.send!({ type: 'outcome', outcome }))
          .catch((e: Error) => process.send!({ type: 'error', error: e.message }));
      });
      process.on('disconnect', () => done());
    });
    return 0;
  },
};
