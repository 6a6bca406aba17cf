// Suite commands: list, run (report, diff and check are added by the report writer).
import { expectedStatus } from '../core/claim.ts';
import { InputError } from '../core/formats.ts';
import { runClaim } from '../core/runner.ts';
import { findClaim, registry } from '../experiments/index.ts';
import { parseArgs } from './args.ts';

export const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  async list() {
    for (const c of registry) process.stdout.write(`${c.id.padEnd(40)} ${c.control ? 'control ' : '        '} expects ${expectedStatus(c).padEnd(12)} ${c.title}\n`);
    return 0;
  },
  async run(argv) {
    const args = parseArgs(argv, { valued: ['tier', 'seed'] });
    const id = args.positionals[0];
    if (!id) throw new InputError('run: name a claim (see dlclaims list)');
    const claim = findClaim(id);
    if (!claim) throw new InputError(`run: unknown claim "${id}"`);
    const tier = args.get('tier') ?? 'ci';
    if (tier !== 'ci' && tier !== 'full') throw new InputError(`--tier: expected ci or full, got "${tier}"`);
    const r = await runClaim(claim, { tier, masterSeed: args.int('seed') });
    process.stdout.write(JSON.stringify({ id, status: r.verdict.status, reason: r.verdict.reason, metrics: r.verdict.metrics }, null, 2) + '\n');
    return r.verdict.status === expectedStatus(claim) ? 0 : 1;
  },
};
