// `dlclaims flake [--seeds N] [--first SEED] [--only ID,..] [--out FILE]`: reruns the CI tier under N master seeds
// (FIRST, FIRST+1, ...) and counts, per claim, how often the verdict is the expected one. Writes reports/flake.json
// (a file the report writer keeps). With --only, the other claims' rows in an existing file with the same seeds are
// kept, so one claim can be re-audited after a change without rerunning all. Calibrate thresholds on seeds other
// than the audit's (e.g. --first 1) so that the audit stays an out-of-sample check.
import { expectedStatus } from '../core/claim.ts';
import { InputError, readJson } from '../core/formats.ts';
import { DEFAULT_MASTER_SEED } from '../core/rng.ts';
import { generateReport } from '../core/report/generate.ts';
import { canonicalJson } from '../core/report/canonical.ts';
import { checkOutputFile, writeFileAtomic } from '../core/report/write.ts';
import { checkEngineEnv } from '../core/engine/index.ts';
import type { AnyClaim } from '../core/claim.ts';
import type { ClaimSpec } from '../core/load-claims.ts';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { LIMITS, parseArgs, selectClaims } from './args.ts';

interface FlakeRow { id: string; expected: string; asExpected: number; runs: number; statuses: string[] }

/** `claimsFor` gives the claims the command sees (built-ins, or a user's config / --claims). */
export async function flake(argv: string[], claimsFor: (claims?: string, config?: string) => Promise<{ registry: AnyClaim[]; spec: ClaimSpec }>): Promise<number> {
  const args = parseArgs(argv, { valued: ['seeds', 'first', 'only', 'jobs', 'out', 'claims', 'config'] });
  if (args.positionals.length > 0) throw new InputError(`flake: unexpected argument "${args.positionals[0]}"`);
  const n = args.intIn('seeds', 1, LIMITS.seeds, 20)!;
  // the committed report uses DEFAULT_MASTER_SEED itself
  const first = args.intIn('first', 0, LIMITS.seed - (n - 1), DEFAULT_MASTER_SEED + 1, `the last seed first + seeds − 1 must stay ≤ 2^53 − 1`)!;
  const jobs = args.intIn('jobs', 1, availableParallelism(), undefined, 'the cores available here');
  const { registry, spec } = await claimsFor(args.get('claims'), args.get('config'));
  const outPath = args.get('out') ?? 'reports/flake.json';
  const claims = selectClaims(args, registry);
  checkEngineEnv();
  // Everything that can be refused is refused before the first seed runs, not after the last.
  checkOutputFile(outPath, '--out');
  const kept = args.get('only') ? rowsToKeep(outPath, first, n, new Set(claims.map((c) => c.id)), registry) : [];
  const tally = new Map(claims.map((c) => [c.id, { expected: expectedStatus(c), asExpected: 0, statuses: [] as string[] }]));
  for (let k = 0; k < n; k++) {
    const seed = first + k;
    // Verdicts only: the figures are never drawn (issue 19: about a tenth of a CI report's CPU).
    const { report } = await generateReport({ tier: 'ci', masterSeed: seed, claims, source: spec, jobs, render: false });
    for (const c of report.claims) {
      const t = tally.get(c.id)!;
      t.statuses.push(c.status);
      if (c.status === c.expected) t.asExpected++;
    }
    process.stderr.write(`flake: seed ${k + 1}/${n} done\n`);
  }
  const rows: FlakeRow[] = [...tally].map(([id, t]) => ({ id, expected: t.expected, asExpected: t.asExpected, runs: n, statuses: t.statuses }));
  const order = new Map(registry.map((c, i) => [c.id, i]));
  const all = [...kept, ...rows].sort((a, b) => (order.get(a.id) ?? 1e9) - (order.get(b.id) ?? 1e9));
  const out = { seeds: { first, count: n }, claims: all };
  writeFileAtomic(outPath, canonicalJson(out));
  const rivals = new Set(claims.filter((c) => c.control && c.rivalOf !== undefined).map((c) => c.id));
  const falsePasses = (r: FlakeRow) => r.statuses.filter((s) => s === 'holds').length;
  for (const r of rows) {
    const fp = rivals.has(r.id) ? `; rival false pass ${falsePasses(r)}/${r.runs}` : '';
    process.stdout.write(`${r.id.padEnd(44)} ${r.asExpected}/${r.runs} as expected (${r.expected})${fp}\n`);
  }
  // Targets (DESIGN.md "Rivals and power"): stability ≥ 19/20, rival false-pass ≤ 1/20.
  const bad = rows.filter((r) => r.asExpected < Math.ceil(0.95 * n) || (rivals.has(r.id) && falsePasses(r) > Math.floor(n / 20)));
  return bad.length === 0 ? 0 : 1;
}

const STATUSES = ['holds', 'fails', 'inconclusive'];

/** A row of flake.json as this command writes it. */
function isFlakeRow(r: unknown): r is FlakeRow {
  if (!r || typeof r !== 'object' || Array.isArray(r)) return false;
  const o = r as Record<string, unknown>;
  return (
    typeof o.id === 'string' && typeof o.expected === 'string' && STATUSES.includes(o.expected) &&
    Number.isSafeInteger(o.runs) && Number.isSafeInteger(o.asExpected) && (o.asExpected as number) >= 0 && (o.asExpected as number) <= (o.runs as number) &&
    Array.isArray(o.statuses) && o.statuses.length === o.runs && o.statuses.every((s) => typeof s === 'string' && STATUSES.includes(s))
  );
}

/**
 * Rows of an existing audit over the same seeds for claims not rerun now (still registered); none otherwise.
 * A file that is there but is not a flake audit is refused (exit 2) before any seed runs, never overwritten.
 */
function rowsToKeep(path: string, first: number, n: number, rerun: Set<string>, registry: AnyClaim[]): FlakeRow[] {
  if (!existsSync(path)) return [];
  const old = readJson(path, '--out') as { seeds?: { first?: number; count?: number }; claims?: unknown[] } | null;
  if (!old || typeof old !== 'object' || !Array.isArray(old.claims)) throw new InputError(`--out: ${path} is not a flake audit ({seeds, claims: [...]}); move it away or give another --out`);
  const bad = old.claims.findIndex((r) => !isFlakeRow(r));
  if (bad >= 0) throw new InputError(`--out: ${path}: claims[${bad}] is not a flake row {id, expected, runs, asExpected, statuses}; move the file away or give another --out`);
  if (old.seeds?.first !== first || old.seeds?.count !== n) return [];
  const registered = new Set(registry.map((c) => c.id));
  return (old.claims as FlakeRow[]).filter((r) => !rerun.has(r.id) && registered.has(r.id));
}
