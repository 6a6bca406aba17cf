// Is dist/ older than the sources? Used by bin/dlclaims.mjs (source checkouts only) and bin/build.mjs.
// dist/.build-started is written before tsc runs, so a source saved during a build still counts as newer.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const SOURCE_DIRS = ['core', 'cli', 'theory', 'experiments', 'bench', 'fixtures'];
export const STAMP = join('dist', '.build-started');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p));
    else if (/\.(ts|json)$/.test(e.name) && !e.name.endsWith('.d.ts.map')) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/** True when `root` has no build, or a source file under SOURCE_DIRS (or a build config) is newer than it. */
export function isStale(root) {
  const stamp = join(root, STAMP);
  if (!existsSync(stamp) || !existsSync(join(root, 'dist', 'cli', 'main.js'))) return true;
  const built = statSync(stamp).mtimeMs;
  for (const f of ['tsconfig.json', 'tsconfig.build.json', 'package.json']) {
    if (existsSync(join(root, f)) && statSync(join(root, f)).mtimeMs > built) return true;
  }
  return SOURCE_DIRS.some((d) => existsSync(join(root, d)) && newest(join(root, d)) > built);
}
