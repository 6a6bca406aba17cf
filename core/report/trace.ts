// Opt-in timeline of a report run (issue 19: where the wall time goes that is not inside claims' run()).
// DLCLAIMS_TRACE=FILE appends one JSON line per event from the parent and every worker:
// {pid, event, t (ms since the epoch), cpu (ms of this process's user+system CPU), ...fields}.
// Off (the default) it does nothing. Results never depend on it; only run-info.json-like timings are recorded.
import { appendFileSync } from 'node:fs';

const FILE = process.env.DLCLAIMS_TRACE;

let hooked = false;

export function trace(event: string, fields: Record<string, unknown> = {}): void {
  if (!FILE) return;
  if (!hooked) {
    hooked = true;
    process.once('exit', () => trace('exit'));
  }
  const c = process.cpuUsage();
  const line = { pid: process.pid, event, t: Math.round((performance.timeOrigin + performance.now()) * 10) / 10, cpu: Math.round((c.user + c.system) / 100) / 10, ...fields };
  appendFileSync(FILE, JSON.stringify(line) + '\n');
}
