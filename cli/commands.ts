// Suite commands: list, run, report (and report --check, --shard), merge, diff, flake, init, and the hidden worker
// used by report. Claims load lazily (the built-in registry, or a user's config / --claims: core/load-claims.ts).
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expectedStatus, type AnyClaim, type Tier } from '../core/claim.ts';
import { InputError, readJson } from '../core/formats.ts';
import { loadClaims, resolveClaimSpec, type ClaimSpec } from '../core/load-claims.ts';
import { DEFAULT_MASTER_SEED } from '../core/rng.ts';
import { assertValidReport, type Report } from '../core/report/build.ts';
import { assertReportIntegrity, compareReports, formatFindings } from '../core/report/compare.ts';
import { assembleReport, defaultJobs, dropSpares, prestartWorkers, renderOutcomes, runOutcomes, type Outcome } from '../core/report/generate.ts';
import { engineInfo } from '../core/report/run-info.ts';
import { openReportDir, writeFileAtomic, writeReportDir } from '../core/report/write.ts';
import { checkEngineEnv } from '../core/engine/index.ts';
import { parseStability, type Stability } from '../core/report/audit.ts';
import { LIMITS, parseArgs, selectClaims, type Args } from './args.ts';
import { emitCiOutputs } from './ci-output.ts';
import { flake } from './flake.ts';
import { trace } from '../core/report/trace.ts';

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

/** The claims a command sees, and where they came from (report workers load the same). */
async function claimsFor(claims?: string, config?: string): Promise<{ registry: AnyClaim[]; spec: ClaimSpec }> {
  const spec = await resolveClaimSpec({ claims, config });
  return { registry: await loadClaims(spec), spec };
}

/** `--shard i/n`: the claims whose index in the list is i-1 modulo n (round robin keeps shards balanced). */
function parseShard(v: string | undefined): { i: number; n: number } | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(v);
  const i = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || i < 1 || i > n) throw new InputError(`--shard: expected i/n with 1 ≤ i ≤ n, got "${v}"`);
  return { i, n };
}

/** A progress bar on a terminal; plain lines off one (one per finished claim, so CI logs show progress). */
async function progressReporter(total: number, label: string) {
  let finished = 0;
  const partial = new Map<string, number>();
  const t0 = performance.now();
  if (!process.stderr.isTTY) {
    return {
      event(e: { id: string; finished?: boolean; cached?: boolean }) {
        if (!e.finished) return;
        finished++;
        const secs = ((performance.now() - t0) / 1000).toFixed(1);
        process.stderr.write(`${label}: ${finished}/${total} ${e.id}${e.cached ? ' (cached)' : ''} [${secs} s]\n`);
      },
      stop() {},
    };
  }
  const { SingleBar, Presets } = await import('cli-progress');
  const bar = new SingleBar({ format: `${label} [{bar}] {percentage}% | {value}/{total} | {claim}`, stream: process.stderr, hideCursor: true }, Presets.shades_classic);
  bar.start(total, 0, { claim: '' });
  return {
    event(e: { id: string; done: number; total: number; finished?: boolean }) {
      if (e.finished) {
        finished++;
        partial.delete(e.id);
      } else partial.set(e.id, e.total > 0 ? e.done / e.total : 0);
      const inFlight = [...partial.values()].reduce((s, v) => s + v, 0);
      bar.update(Math.round((finished + inFlight) * 100) / 100, { claim: e.id });
    },
    stop: () => bar.stop(),
  };
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
  return parseStability(readJson(p, p), p);
}

/**
 * Last run's seconds per claim from DIR/run-info.json at the same tier, to schedule long claims first; for a folder
 * without one (a new --out), those of the default report folder ./reports. Only a hint: a missing or unreadable file
 * schedules in registry order, and no result depends on it.
 */
export function readEstimates(dir: string, tier: Tier): Record<string, number> | undefined {
  return readRunInfoSeconds(dir, tier) ?? (resolve(dir) === resolve('reports') ? undefined : readRunInfoSeconds('reports', tier));
}

function readRunInfoSeconds(dir: string, tier: Tier): Record<string, number> | undefined {
  try {
    const info = JSON.parse(readFileSync(join(dir, 'run-info.json'), 'utf8')) as { tier?: unknown; claimSeconds?: unknown };
    if (info.tier !== tier || !info.claimSeconds || typeof info.claimSeconds !== 'object') return undefined;
    return Object.fromEntries(Object.entries(info.claimSeconds as Record<string, unknown>).filter(([, v]) => typeof v === 'number' && Number.isFinite(v))) as Record<string, number>;
  } catch {
    return undefined;
  }
}

async function outcomesWithProgress(claims: AnyClaim[], spec: ClaimSpec, tier: Tier, masterSeed: number, jobs: number | undefined, label: string, estimates?: Record<string, number>, render = true): Promise<Outcome[]> {
  const p = await progressReporter(claims.length, label);
  try {
    return await runOutcomes({ tier, masterSeed, claims, source: spec, jobs, estimates, render, onProgress: (e) => p.event(e) });
  } finally {
    p.stop();
  }
}

const CI_FLAGS = { valued: ['junit', 'json'], booleans: ['md'] };

interface ShardFile {
  format: 'shard-v1';
  tier: Tier;
  masterSeed: number;
  shard: number;
  of: number;
  engine: { name: string; precision: string };
  /** Every claim of the unsharded run, in order (merge checks it has them all). */
  claims: string[];
  outcomes: Outcome[];
}

/** A command that may start report workers ahead of need (prestartWorkers): those it leaves unused end with it. */
function withSpareWorkers(command: (argv: string[]) => Promise<number>): (argv: string[]) => Promise<number> {
  return async (argv) => {
    try {
      return await command(argv);
    } finally {
      dropSpares();
    }
  };
}

export const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  async list(argv) {
    const args = parseArgs(argv, { valued: ['claims', 'config'] });
    const { registry } = await claimsFor(args.get('claims'), args.get('config'));
    for (const c of registry) {
      process.stdout.write(`${c.id.padEnd(42)} ${c.control ? 'control' : 'claim  '}  expects ${expectedStatus(c).padEnd(12)} ${c.title}\n`);
    }
    return 0;
  },

  async run(argv) {
    const args = parseArgs(argv, { valued: ['tier', 'seed', 'claims', 'config'] });
    const id = args.positionals[0];
    if (!id) throw new InputError('run: name a claim (see dlclaims list)');
    if (args.positionals.length > 1) throw new InputError(`run: one claim at a time (got ${args.positionals.length}: ${args.positionals.join(' ')})`);
    checkEngineEnv();
    const seed = seedOf(args);
    const tier = tierOf(args);
    const { registry } = await claimsFor(args.get('claims'), args.get('config'));
    const claim = registry.find((c) => c.id === id);
    if (!claim) throw new InputError(`run: unknown claim "${id}" (see dlclaims list)`);
    const p = await progressReporter(1, id);
    let r;
    try {
      const { runClaim } = await import('../core/runner.ts');
      r = await runClaim(claim, { tier, masterSeed: seed, onProgress: (d, t) => p.event({ id, done: d, total: t }) });
    } finally {
      p.stop();
    }
    const expected = expectedStatus(claim);
    process.stdout.write(JSON.stringify({ id, status: r.verdict.status, expected, reason: r.verdict.reason, metrics: r.verdict.metrics, seconds: Math.round(r.durationMs) / 1000 }, null, 2) + '\n');
    return r.verdict.status === expected ? 0 : 1;
  },

  report: withSpareWorkers(async (argv) => {
    const args = parseArgs(argv, { valued: ['tier', 'out', 'seed', 'only', 'jobs', 'claims', 'config', 'shard', ...CI_FLAGS.valued], booleans: ['check', ...CI_FLAGS.booleans] });
    if (args.positionals.length > 0) throw new InputError(`report: unexpected argument "${args.positionals[0]}"`);
    const masterSeed = seedOf(args) ?? DEFAULT_MASTER_SEED;
    const jobs = jobsOf(args);
    const shard = parseShard(args.get('shard'));
    const check = args.flag('check');
    if (!check && (args.get('junit') || args.get('json') || args.flag('md'))) throw new InputError('--junit, --json and --md go with report --check (or diff)');
    const spec = await resolveClaimSpec({ claims: args.get('claims'), config: args.get('config') });
    // Report workers start now and load the claims while this process loads its own copy (issue 19); the command's
    // wrapper ends them if an error comes first.
    const only = args.get('only')?.split(',').length ?? Infinity;
    const workers = Math.min(jobs ?? defaultJobs(), only);
    if (workers > 1) prestartWorkers(workers, spec);
    const registry = await loadClaims(spec);
    trace('claims-loaded');
    await engineInfo(); // an engine that cannot load (exit 3) fails before any claim runs
    const selected = selectClaims(args, registry);
    const claims = shard ? selected.filter((_, k) => k % shard.n === shard.i - 1) : selected;
    checkEngineEnv();
    if (check) {
      if (args.get('tier') !== undefined && args.get('tier') !== 'ci') throw new InputError(`--tier: report --check compares the CI tier only (got "${args.get('tier')}")`);
      // Regenerate the CI tier and compare with the committed report (this shard's claims, with --shard).
      const committedDir = args.get('out') ?? 'reports';
      const committed = join(committedDir, 'report.json');
      if (!existsSync(committed)) throw new InputError(`--check: no committed report at ${committed}`);
      const old = readReport(committed, committed);
      const t0 = performance.now();
      trace('outcomes-start');
      const outcomes = await outcomesWithProgress(claims, spec, 'ci', masterSeed, jobs, `report --check${shard ? ` (shard ${shard.i}/${shard.n})` : ''}`, readEstimates(committedDir, 'ci'), false);
      // The comparison needs report.json only: the figures are drawn only if the regenerated report is written (below).
      let g = await assembleReport({ tier: 'ci', masterSeed, claims }, outcomes, { jobs: jobs ?? defaultJobs(), totalMs: performance.now() - t0 });
      trace('assembled');
      const subset = args.get('only') || shard ? { ...old, claims: old.claims.filter((c) => claims.some((k) => k.id === c.id)) } : old;
      const findings = compareReports(subset, g.report);
      const unexpected = g.report.claims.filter((c) => c.status !== c.expected).map((c) => ({ id: c.id, status: c.status, expected: c.expected, reason: c.reason }));
      const ok = findings.length === 0 && unexpected.length === 0;
      if (!args.flag('md')) {
        process.stdout.write(formatFindings(findings));
        for (const c of unexpected) process.stdout.write(`unexpected verdict: ${c.id} is ${c.status}, expected ${c.expected}: ${c.reason}\n`);
      }
      emitCiOutputs({ command: 'report --check', ok, findings, unexpected, report: g.report, seconds: Object.fromEntries(Object.entries(g.durations).map(([k, v]) => [k, v / 1000])) }, { junit: args.get('junit'), json: args.get('json'), md: args.flag('md') });
      if (!ok) {
        const tmp = mkdtempSync(join(tmpdir(), 'dlclaims-check-'));
        g = await assembleReport({ tier: 'ci', masterSeed, claims }, await renderOutcomes(outcomes), { jobs: jobs ?? defaultJobs(), totalMs: performance.now() - t0 });
        writeReportDir(join(tmp, 'reports'), g.files);
        process.stderr.write(`report --check: FAILED (${findings.length} difference(s), ${unexpected.length} unexpected verdict(s)); regenerated report in ${tmp}/reports\n`);
        if (!args.flag('md')) process.stdout.write(`report --check: FAILED (${findings.length} difference(s), ${unexpected.length} unexpected verdict(s)); regenerated report in ${tmp}/reports\n`);
        return 1;
      }
      if (!args.flag('md')) process.stdout.write(`report --check: OK (${g.report.claims.length} claims match the committed report)\n`);
      return 0;
    }
    const out = args.get('out') ?? 'reports';
    const tier = tierOf(args);
    if (shard) {
      // One CI machine's part: the outcomes, for `dlclaims merge` to assemble into the report.
      const outcomes = await outcomesWithProgress(claims, spec, tier, masterSeed, jobs, `report (${tier}, shard ${shard.i}/${shard.n})`, readEstimates(out, tier));
      const order = new Map(claims.map((c, k) => [c.id, k]));
      outcomes.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
      const file: ShardFile = { format: 'shard-v1', tier, masterSeed, shard: shard.i, of: shard.n, engine: await engineInfo(), claims: selected.map((c) => c.id), outcomes };
      const path = join(out, `shard-${shard.i}-of-${shard.n}.json`);
      writeFileAtomic(path, JSON.stringify(file) + '\n');
      process.stdout.write(`wrote ${path}: ${outcomes.length} of ${selected.length} claims (merge all ${shard.n} shards with dlclaims merge)\n`);
      return outcomes.every((o) => o.verdict.status === expectedStatus(claims.find((c) => c.id === o.id)!)) ? 0 : 1;
    }
    // Validated and locked before any claim runs; the lock is held until the files are in place (core/report/write.ts).
    const dest = openReportDir(out);
    let g;
    try {
      // Stability was measured on the CI tier at the default seed's neighbours; it says nothing about other runs.
      const stability = tier === 'ci' && masterSeed === DEFAULT_MASTER_SEED ? readStability(dest.dir) : undefined;
      const t0 = performance.now();
      trace('outcomes-start');
      const outcomes = await outcomesWithProgress(claims, spec, tier, masterSeed, jobs, `report (${tier})`, readEstimates(dest.dir, tier));
      trace('outcomes-done');
      g = await assembleReport({ tier, masterSeed, claims, stability }, outcomes, { jobs: jobs ?? defaultJobs(), totalMs: performance.now() - t0 });
      trace('assembled');
      dest.write(g.files);
      trace('written');
    } finally {
      dest.release();
    }
    const s = g.report.summary;
    process.stdout.write(`wrote ${out}/: ${s.claims} checks, ${s.holds} hold, ${s.fails} fail, ${s.inconclusive} inconclusive; ${s.asExpected}/${s.claims} as expected\n`);
    return s.asExpected === s.claims ? 0 : 1;
  }),

  async merge(argv) {
    const args = parseArgs(argv, { valued: ['out', 'claims', 'config'] });
    if (args.positionals.length === 0) throw new InputError('merge: usage: dlclaims merge SHARD.json... [--out DIR]');
    const shards = args.positionals.map((p) => {
      const s = readJson(p, p) as ShardFile;
      if (s?.format !== 'shard-v1' || !Array.isArray(s.outcomes) || !Array.isArray(s.claims)) throw new InputError(`${p}: not a shard file from report --shard`);
      return s;
    });
    const first = shards[0]!;
    for (const s of shards) {
      if (s.tier !== first.tier || s.masterSeed !== first.masterSeed || s.of !== first.of || JSON.stringify(s.claims) !== JSON.stringify(first.claims)) {
        throw new InputError('merge: the shards come from different runs (tier, seed, shard count or claims differ)');
      }
      if (JSON.stringify(s.engine) !== JSON.stringify(first.engine)) throw new InputError(`merge: shards ran on different engines (${first.engine.name}/${first.engine.precision}, ${s.engine.name}/${s.engine.precision})`);
    }
    const have = new Set(shards.map((s) => s.shard));
    if (have.size !== shards.length) throw new InputError('merge: a shard is given twice');
    const missing = Array.from({ length: first.of }, (_, k) => k + 1).filter((k) => !have.has(k));
    if (missing.length) throw new InputError(`merge: missing shard(s) ${missing.map((k) => `${k}/${first.of}`).join(', ')}`);
    const { registry } = await claimsFor(args.get('claims'), args.get('config'));
    const claims = first.claims.map((id) => {
      const c = registry.find((k) => k.id === id);
      if (!c) throw new InputError(`merge: claim ${id} of the shards is not among the loaded claims (same config?)`);
      return c;
    });
    const eng = await engineInfo();
    if (eng.name !== first.engine.name || eng.precision !== first.engine.precision) throw new InputError(`merge: shards ran on ${first.engine.name}/${first.engine.precision}, this process on ${eng.name}/${eng.precision} (set DLCLAIMS_ENGINE)`);
    const out = args.get('out') ?? 'reports';
    const stability = first.tier === 'ci' && first.masterSeed === DEFAULT_MASTER_SEED ? readStability(out) : undefined;
    const outcomes = shards.flatMap((s) => s.outcomes);
    const totalMs = outcomes.reduce((t, o) => t + o.durationMs, 0);
    const g = await assembleReport({ tier: first.tier, masterSeed: first.masterSeed, claims, stability }, outcomes, { jobs: 1, shards: first.of, totalMs });
    writeReportDir(out, g.files);
    const s = g.report.summary;
    process.stdout.write(`merged ${shards.length} shards into ${out}/: ${s.claims} checks, ${s.asExpected}/${s.claims} as expected\n`);
    return s.asExpected === s.claims ? 0 : 1;
  },

  async diff(argv) {
    const args = parseArgs(argv, CI_FLAGS);
    const [a, b] = args.positionals;
    if (!a || !b || args.positionals.length !== 2) throw new InputError('diff: usage: dlclaims diff OLD.json NEW.json [--junit FILE] [--json FILE] [--md]');
    const newR = readReport(b, b);
    const findings = compareReports(readReport(a, a), newR);
    if (!args.flag('md')) process.stdout.write(formatFindings(findings));
    emitCiOutputs({ command: 'diff', ok: findings.length === 0, findings, unexpected: [], report: newR }, { junit: args.get('junit'), json: args.get('json'), md: args.flag('md') });
    return findings.length === 0 ? 0 : 1;
  },

  flake: (argv) => flake(argv, claimsFor),

  async init(argv) {
    const { init } = await import('./init.ts');
    return init(argv);
  },
};
