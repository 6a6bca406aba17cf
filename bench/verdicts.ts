// Same verdicts on every engine? Runs the registry's claims at one tier once per engine (each in its own process,
// since getEngine() is chosen once per process via DLCLAIMS_ENGINE) and prints the verdicts side by side, with
// the largest relative metric difference per claim. This is the evidence needed before changing the default
// engine in core/engine/index.ts.
//   npx tsx bench/verdicts.ts [--engines reference,onnx] [--tier ci|full] [claim-id ...]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { registry } from '../experiments/index.ts';
import { runClaim } from '../core/runner.ts';
import type { Tier } from '../core/claim.ts';

type Leaf = number | null;
type Summary = Record<string, { status: string; metrics: Record<string, Leaf> }>;

function flatten(x: unknown, prefix: string, out: Record<string, Leaf>): Record<string, Leaf> {
  if (typeof x === 'number' || x === null) out[prefix] = x as Leaf;
  else if (Array.isArray(x)) x.forEach((e, i) => flatten(e, `${prefix}[${i}]`, out));
  else if (x && typeof x === 'object') for (const [k, e] of Object.entries(x)) flatten(e, prefix ? `${prefix}.${k}` : k, out);
  return out;
}

async function child(tier: Tier, ids: string[]): Promise<void> {
  const out: Summary = {};
  for (const c of registry.filter((c) => ids.length === 0 || ids.includes(c.id))) {
    const r = await runClaim(c, { tier });
    out[c.id] = { status: r.verdict.status, metrics: flatten(r.verdict.metrics, '', {}) };
  }
  process.stdout.write(JSON.stringify(out));
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === '--child') return child(argv[1] as Tier, argv.slice(2));
  let engines = ['reference', 'onnx'];
  let tier: Tier = 'ci';
  const ids: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--engines') engines = argv[++i]!.split(',');
    else if (argv[i] === '--tier') tier = argv[++i] as Tier;
    else ids.push(argv[i]!);
  }
  const self = fileURLToPath(import.meta.url);
  const runs = engines.map((e) => {
    const t0 = performance.now();
    const stdout = execFileSync(process.execPath, ['--import', 'tsx', self, '--child', tier, ...ids], {
      env: { ...process.env, DLCLAIMS_ENGINE: e },
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    return { engine: e, seconds: (performance.now() - t0) / 1000, res: JSON.parse(stdout) as Summary };
  });
  const base = runs[0]!;
  let changed = 0;
  for (const id of Object.keys(base.res)) {
    const cells = runs.map((r) => `${r.engine}=${r.res[id]?.status}`);
    let drift = 0;
    for (const r of runs.slice(1)) {
      for (const [k, v] of Object.entries(base.res[id]!.metrics)) {
        const w = r.res[id]?.metrics[k];
        if (typeof v === 'number' && typeof w === 'number') drift = Math.max(drift, Math.abs(v - w) / Math.max(1e-12, Math.abs(v)));
      }
    }
    const same = runs.every((r) => r.res[id]?.status === base.res[id]!.status);
    if (!same) changed++;
    console.log(`${same ? 'same   ' : 'CHANGED'} ${id}: ${cells.join(' ')}  max relative metric drift ${drift.toExponential(2)}`);
  }
  console.log(runs.map((r) => `${r.engine}: ${r.seconds.toFixed(1)} s`).join(', '));
  console.log(changed === 0 ? 'all verdicts agree' : `${changed} verdict(s) differ`);
  process.exitCode = changed === 0 ? 0 : 1;
}

await main(process.argv.slice(2));
