// `dlclaims flake [--seeds N] [--only ID,..]`: reruns the CI tier under N master seeds and counts, per claim,
// how often the verdict is the expected one. Writes reports/flake.json (a file the report writer keeps).
import { expectedStatus } from '../core/claim.ts';
import { InputError } from '../core/formats.ts';
import { DEFAULT_MASTER_SEED } from '../core/rng.ts';
import { generateReport } from '../core/report/generate.ts';
import { canonicalJson } from '../core/report/canonical.ts';
import { writeFileAtomic } from '../core/report/write.ts';
import { registry } from '../experiments/index.ts';
import { parseArgs, selectClaims } from './args.ts';

export async function flake(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { valued: ['seeds', 'only', 'jobs', 'out'] });
  const n = args.int('seeds', 20)!;
  if (n < 1) throw new InputError('--seeds: expected a positive integer');
  const claims = selectClaims(args, registry);
  const tally = new Map(claims.map((c) => [c.id, { expected: expectedStatus(c), asExpected: 0, statuses: [] as string[] }]));
  for (let k = 0; k < n; k++) {
    const seed = DEFAULT_MASTER_SEED + 1 + k; // the committed report uses DEFAULT_MASTER_SEED itself
    const { report } = await generateReport({ tier: 'ci', masterSeed: seed, claims, jobs: args.int('jobs') });
    for (const c of report.claims) {
      const t = tally.get(c.id)!;
      t.statuses.push(c.status);
      if (c.status === c.expected) t.asExpected++;
    }
    process.stderr.write(`flake: seed ${k + 1}/${n} done\n`);
  }
  const rows = [...tally].map(([id, t]) => ({ id, expected: t.expected, asExpected: t.asExpected, runs: n, statuses: t.statuses }));
  const out = { seeds: { first: DEFAULT_MASTER_SEED + 1, count: n }, claims: rows };
  writeFileAtomic(args.get('out') ?? 'reports/flake.json', canonicalJson(out));
  for (const r of rows) process.stdout.write(`${r.id.padEnd(44)} ${r.asExpected}/${r.runs} as expected (${r.expected})\n`);
  const bad = rows.filter((r) => r.asExpected < Math.ceil(0.95 * n));
  return bad.length === 0 ? 0 : 1;
}
