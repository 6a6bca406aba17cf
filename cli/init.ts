// `dlclaims init [--dir claims] [--id my.claim]`: scaffolds a first claim in the user's project: the claim, its rival
// control (a control with `rivalOf`: same experiment and judge, the nearest alternative mechanism), a vitest file
// using the exported test helpers, and dlclaims.config.json listing the module. Never overwrites a file.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { InputError } from '../core/formats.ts';
import { CONFIG_NAMES } from '../core/load-claims.ts';
import { parseArgs } from './args.ts';

const claimFile = (id: string) => `// A first claim: gradient descent on a least-squares problem converges to the minimum-norm solution when started
// at zero (the implicit bias of GD, e.g. Gunasekar et al. 2018). Replace it by your own: run() measures, judge()
// decides. Docs: node_modules/dlclaims/docs/contracts.md and the README's "Use dlclaims in your own project".
import { defineClaim, type RunContext } from 'dlclaims';

interface Config {
  replicates: number;
  n: number;
  d: number;
  steps: number;
  /** Where GD starts: 0 (the claim) or a random point (the rival control). */
  initScale: number;
}

/** One seeded underdetermined least-squares problem per replicate; GD from init; distance to the min-norm solution. */
function measure(c: Config, ctx: RunContext) {
  return ctx.replicates.map((r) => {
    const rng = ctx.rng(r, 'data');
    const X = Array.from({ length: c.n }, () => Array.from({ length: c.d }, () => rng.normal()));
    const y = Array.from({ length: c.n }, () => rng.normal());
    const init = ctx.rng(r, 'init');
    let w = Array.from({ length: c.d }, () => c.initScale * init.normal());
    const lr = 0.5 / c.d;
    for (let s = 0; s < c.steps; s++) {
      const res = X.map((row, i) => row.reduce((t, x, j) => t + x * w[j]!, 0) - y[i]!);
      w = w.map((wj, j) => wj - (lr * X.reduce((t, row, i) => t + row[j]! * res[i]!, 0)) / c.n);
      ctx.progress(s + 1, c.steps);
    }
    // The minimum-norm interpolant lies in the row space of X: its component of w orthogonal to the rows is zero.
    // Project w onto the row space by Gram-Schmidt and measure the relative size of the rest.
    const basis: number[][] = [];
    for (const row of X) {
      let v = [...row];
      for (const b of basis) {
        const p = v.reduce((t, x, j) => t + x * b[j]!, 0);
        v = v.map((x, j) => x - p * b[j]!);
      }
      const norm = Math.hypot(...v);
      if (norm > 1e-12) basis.push(v.map((x) => x / norm));
    }
    let rest = [...w];
    for (const b of basis) {
      const p = rest.reduce((t, x, j) => t + x * b[j]!, 0);
      rest = rest.map((x, j) => x - p * b[j]!);
    }
    return Math.hypot(...rest) / Math.max(Math.hypot(...w), 1e-300);
  });
}

function judge(offRowSpace: number[]) {
  const worst = Math.max(...offRowSpace);
  return worst < 1e-6
    ? { status: 'holds' as const, reason: \`GD stayed in the row space of X: worst off-row-space fraction \${worst.toExponential(2)} < 1e-6.\`, metrics: { worst } }
    : { status: 'fails' as const, reason: \`GD left the row space of X: worst off-row-space fraction \${worst.toExponential(2)} ≥ 1e-6.\`, metrics: { worst } };
}

const tiers = (initScale: number) => ({
  ci: { replicates: 3, n: 5, d: 12, steps: 200, initScale },
  full: { replicates: 10, n: 10, d: 40, steps: 2000, initScale },
});

const source = { paper: 'Gunasekar, Lee, Soudry, Srebro, Characterizing implicit bias in terms of optimization geometry, 2018', arxiv: '1802.08246' };

export const claim = defineClaim<Config, number[]>({
  id: '${id}',
  title: 'GD from zero finds the minimum-norm least-squares solution',
  statement: 'Gradient descent on an underdetermined least-squares problem, started at zero, stays in the row space of X and so converges to the minimum-norm interpolant.',
  source,
  tiers: tiers(0),
  run: measure,
  judge,
});

/** The rival: the same experiment and judge, but started away from zero; the min-norm bias must disappear. */
export const rival = defineClaim<Config, number[]>({
  id: '${id}.random-init',
  title: 'Rival: GD from a random start',
  statement: 'Started at a random point, GD keeps the start\\'s component orthogonal to the rows, so the min-norm property fails.',
  source,
  control: true,
  rivalOf: '${id}',
  tiers: tiers(1),
  run: measure,
  judge,
});

export const claims = [claim, rival];
`;

const testFile = (modPath: string) => `// Runs each claim at the CI tier and checks its verdict is the expected one (controls: "fails").
import { expectVerdicts } from 'dlclaims/testing';
import { claims } from '${modPath}';

expectVerdicts(claims, 'my claims');
`;

export async function init(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { valued: ['dir', 'id'] });
  const dir = args.get('dir') ?? 'claims';
  const id = args.get('id') ?? 'mine.gd-min-norm';
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(id)) throw new InputError(`--id: claim ids are dotted lowercase, family first (e.g. mine.gd-min-norm), got "${id}"`);
  const existingConfig = CONFIG_NAMES.find((n) => existsSync(n));
  const files: [string, string][] = [
    [join(dir, 'first-claim.ts'), claimFile(id)],
    [join(dir, 'first-claim.test.ts'), testFile('./first-claim.ts')],
  ];
  if (!existingConfig) files.push(['dlclaims.config.json', JSON.stringify({ claims: [`./${relative('.', join(dir, 'first-claim.ts'))}`] }, null, 2) + '\n']);
  for (const [p] of files) if (existsSync(p)) throw new InputError(`init: ${p} exists; nothing written`);
  mkdirSync(dir, { recursive: true });
  for (const [p, text] of files) {
    writeFileSync(p, text);
    process.stdout.write(`wrote ${p}\n`);
  }
  if (existingConfig) process.stdout.write(`add "./${join(dir, 'first-claim.ts')}" to the claims of ${existingConfig}\n`);
  process.stdout.write('next: npx dlclaims list, npx dlclaims run ' + id + ', npx vitest run\n');
  return 0;
}
