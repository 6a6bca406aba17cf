// Cross-backend audit (DESIGN: "across backends the verdicts must not change; metrics may move within the
// tolerance each claim declares"). Runs the report once per TensorFlow.js backend (engine tfjs, float32), each in
// its own process since the engine is chosen once per process, then compares every claim: same verdict, and the
// worst metric move as a fraction of the claim's declared tolerance (≤ 1 is inside). Claims that do not train
// through the engine (closed forms, float64 theory code) must come out identical.
//   npm run cross-backend -- [--backends cpu,wasm] [--tier ci] [--seed N] [--only ID,..] [--out reports/cross-backend.json]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalJson } from '../core/report/canonical.ts';
import { worstDrift } from '../core/report/compare.ts';
import type { Report } from '../core/report/build.ts';
import { writeFileAtomic } from '../core/report/write.ts';

export interface BackendRow {
  id: string;
  statuses: Record<string, string>;
  sameVerdict: boolean;
  /** Worst metric move between the first backend and any other, over the declared tolerance; null if none numeric. */
  worstDrift: { metric: string; ratio: number } | null;
  withinTolerance: boolean;
}

/** Per-claim agreement of reports produced on several backends (the first is the baseline). */
export function backendAgreement(reports: Record<string, Report>): BackendRow[] {
  const [base, ...others] = Object.keys(reports);
  if (!base) return [];
  return reports[base]!.claims.map((a) => {
    const statuses: Record<string, string> = { [base]: a.status };
    let worst: BackendRow['worstDrift'] = null;
    let missing = false;
    for (const name of others) {
      const b = reports[name]!.claims.find((c) => c.id === a.id);
      if (!b) {
        missing = true;
        statuses[name] = 'missing';
        continue;
      }
      statuses[name] = b.status;
      const w = worstDrift(a, b);
      if (w && (!worst || w.ratio > worst.ratio)) worst = w;
    }
    const sameVerdict = !missing && Object.values(statuses).every((s) => s === a.status);
    return { id: a.id, statuses, sameVerdict, worstDrift: worst, withinTolerance: !missing && (worst?.ratio ?? 0) <= 1 };
  });
}

/** Runs `dlclaims report` on each tfjs backend in a child process and returns the reports, keyed by backend. */
export function reportsOnBackends(backends: string[], opts: { tier?: string; seed?: number; only?: string; jobs?: number }): Record<string, Report> {
  const bin = fileURLToPath(new URL('../bin/dlclaims.mjs', import.meta.url));
  const tmp = mkdtempSync(join(tmpdir(), 'dlclaims-backends-'));
  try {
    const out: Record<string, Report> = {};
    for (const b of backends) {
      const dir = join(tmp, b);
      const args = [bin, 'report', '--out', dir, '--tier', opts.tier ?? 'ci'];
      if (opts.seed !== undefined) args.push('--seed', String(opts.seed));
      if (opts.only) args.push('--only', opts.only);
      if (opts.jobs !== undefined) args.push('--jobs', String(opts.jobs));
      try {
        execFileSync(process.execPath, args, { env: { ...process.env, DLCLAIMS_ENGINE: 'tfjs', DLCLAIMS_BACKEND: b }, stdio: ['ignore', 'ignore', 'inherit'] });
      } catch (e) {
        // `report` exits 1 when a verdict is not the expected one: the report is still written and compared.
        if ((e as { status?: number }).status !== 1) throw e;
      }
      out[b] = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
    }
    return out;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function formatRow(r: BackendRow): string {
  const drift = r.worstDrift ? `${r.worstDrift.ratio.toPrecision(2)}× tolerance (${r.worstDrift.metric})` : 'no numeric metric';
  const mark = r.sameVerdict && r.withinTolerance ? 'ok  ' : 'FAIL';
  return `${mark} ${r.id.padEnd(52)} ${Object.entries(r.statuses).map(([b, s]) => `${b}=${s}`).join(' ')}  worst drift ${drift}\n`;
}

async function main(argv: string[]): Promise<number> {
  const opt = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const backends = (opt('backends') ?? 'cpu,wasm').split(',');
  const tier = opt('tier') ?? 'ci';
  const seed = opt('seed') === undefined ? undefined : Number(opt('seed'));
  const t0 = performance.now();
  const reports = reportsOnBackends(backends, { tier, seed, only: opt('only'), jobs: opt('jobs') === undefined ? undefined : Number(opt('jobs')) });
  const rows = backendAgreement(reports);
  for (const r of rows) process.stdout.write(formatRow(r));
  const summary = { claims: rows.length, sameVerdict: rows.filter((r) => r.sameVerdict).length, withinTolerance: rows.filter((r) => r.withinTolerance).length };
  const first = reports[backends[0]!]!;
  writeFileAtomic(opt('out') ?? 'reports/cross-backend.json', canonicalJson({ engine: 'tfjs', backends, tier, masterSeed: first.masterSeed, summary, claims: rows }));
  process.stdout.write(`${summary.sameVerdict}/${summary.claims} same verdict, ${summary.withinTolerance}/${summary.claims} within declared tolerance (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
  return summary.sameVerdict === summary.claims && summary.withinTolerance === summary.claims ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2));
