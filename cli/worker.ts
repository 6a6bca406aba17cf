// `dlclaims __worker`: a worker process of `report` (core/report/generate.ts forks it). It receives claim ids over IPC
// and answers with outcomes. Loaded by cli/main.ts without the other commands, so a worker never loads the report's
// schema validator, writer or comparison code (issue 19: worker start-up is on the report's critical path).
// The parent passes the claim source as the first argument, so the worker loads the claims while the parent is still
// loading its own copy and scheduling; the first message then finds them loaded.
import type { Tier } from '../core/claim.ts';
import { InputError } from '../core/errors.ts';
import { loadClaims, type ClaimSpec } from '../core/load-claims.ts';
import { runCached } from '../core/report/outcome.ts';
import { trace } from '../core/report/trace.ts';

export async function worker(argv: string[]): Promise<number> {
  if (!process.send) throw new InputError('__worker: internal command, started by dlclaims report over IPC; not for direct use');
  if (!process.connected) return 0; // started ahead of need by a report that has ended meanwhile (an error, say)
  if (argv[0] !== undefined) {
    // A failure here surfaces (and is reported) when the first claim asks for the same spec.
    loadClaims(JSON.parse(argv[0]) as ClaimSpec).catch(() => {});
  }
  // One claim at a time, in the order sent: the parent sends the next claim before this one ends (no idle round trip),
  // and a family's per-process memo (core/paired.ts) must see a claim's runs before its rivals ask for them.
  let queue = Promise.resolve();
  await new Promise<void>((done) => {
    process.on('message', (m: Job) => {
      queue = queue.then(() => runOne(m)).catch((e: Error) => void process.send!({ type: 'error', error: e.message }));
    });
    process.on('disconnect', () => {
      trace('worker-exit');
      done();
    });
  });
  return 0;
}

/** Progress messages at most this often (the bar redraws a few times a second; each message costs both processes). */
const PROGRESS_MS = 200;

/** One claim to run, as core/report/generate.ts sends it. */
interface Job {
  id: string;
  tier: Tier;
  masterSeed: number;
  source: ClaimSpec;
  /** false: send the figures' specs, unrendered (report --check). */
  render?: boolean;
}

async function runOne(m: Job): Promise<void> {
  const registry = await loadClaims(m.source);
  trace('claim-start', { id: m.id });
  const claim = registry.find((c) => c.id === m.id);
  if (!claim) {
    process.send!({ type: 'error', error: `unknown claim ${m.id}` });
    return;
  }
  let last = -1;
  let lastAt = -Infinity;
  const progress = (d: number, t: number) => {
    const pct = t > 0 ? Math.floor((100 * d) / t) : 0; // throttled: a new percent, and not more often than PROGRESS_MS
    const now = performance.now();
    if (pct !== last && (now - lastAt >= PROGRESS_MS || d >= t)) {
      process.send!({ type: 'progress', id: m.id, done: d, total: t });
      last = pct;
      lastAt = now;
    }
  };
  process.send!({ type: 'outcome', outcome: await runCached(claim, m.tier, m.masterSeed, progress, { render: m.render !== false }) });
}
