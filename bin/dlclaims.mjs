#!/usr/bin/env node
// Entry point: runs the compiled CLI in dist/ (a published package never compiles at run time).
// In a source checkout (cli/main.ts next to bin/) whose dist/ is missing or older than the sources, it runs the
// TypeScript sources through tsx instead, so an edited checkout never runs stale code; `npm run build` makes it fast
// again. DLCLAIMS_FROM_SOURCE=1 forces the sources.
process.stdout.on('error', (e) => {
  // `dlclaims list | head`: the reader went away; stop quietly.
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
const here = (p) => new URL(p, import.meta.url);
let entry = here('../dist/cli/main.js');
const { existsSync } = await import('node:fs');
// A report worker whose parent runs dist runs dist too, without scanning the sources again (core/report/generate.ts).
const workerOfDist = process.argv[2] === '__worker' && process.env.DLCLAIMS_WORKER_DIST === '1' && existsSync(entry);
if (!workerOfDist && existsSync(here('../cli/main.ts'))) {
  const { isStale } = await import('./stale.mjs');
  const { fileURLToPath } = await import('node:url');
  if (process.env.DLCLAIMS_FROM_SOURCE === '1' || isStale(fileURLToPath(here('..')))) {
    const { register } = await import('tsx/esm/api');
    register();
    process.env.DLCLAIMS_TSX_ACTIVE = '1'; // user claims in TypeScript need no second loader
    entry = here('../cli/main.ts');
  }
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
