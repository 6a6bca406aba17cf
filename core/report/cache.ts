// The result cache: one run of each claim shared by `npm test` (expectVerdicts) and `report --check` / `report`.
// Opt-in: DLCLAIMS_CACHE=1 (folder .dlclaims-cache/ in the working directory, git-ignored) or DLCLAIMS_CACHE=DIR.
// An entry is the claim's outcome (verdict and rendered figures), keyed by everything that can change it:
//   - the claim id, tier, master seed and the tier's configuration;
//   - the claim's source: the files reachable by relative imports from the module that defines it (built-ins: its
//     family's experiments/<family>/index.ts; user claims: the config's module), plus the runner and the figure
//     renderer; bare imports contribute their package name@version;
//   - the engine (DLCLAIMS_ENGINE, DLCLAIMS_BACKEND, DLCLAIMS_THREADS), Node's version and the versions of every
//     dependency of dlclaims (installed ones, optional peers included).
// When in doubt it misses: a file it cannot read, or a claim object the loader did not record (e.g. a test's
// modified copy of a claim under the same id), is never cached. A miss only costs a run; a stale hit could make a regression pass, so the key is deliberately wide.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnyClaim, FigureSpec, Tier, Verdict } from '../claim.ts';

export interface Outcome {
  id: string;
  verdict: Verdict;
  svgs: Record<string, string>;
  /** Figures not rendered yet (a run asked not to render: report --check); renderOutcomes turns them into svgs. */
  specs?: Record<string, FigureSpec>;
  durationMs: number;
}

/** The cache folder, or undefined when caching is off. */
export function cacheDir(): string | undefined {
  const v = process.env.DLCLAIMS_CACHE;
  if (!v || v === '0' || v === 'false') return undefined;
  return resolve(v === '1' || v === 'true' ? '.dlclaims-cache' : v);
}

const here = dirname(fileURLToPath(import.meta.url));
/** The package root (source checkout: the repository; installed: node_modules/dlclaims). */
const PKG_ROOT = existsSync(join(here, '../../package.json')) ? resolve(here, '../..') : resolve(here, '../../..');

/** A dist/ file is hashed as its TypeScript source when the checkout has it (tests run sources, the CLI runs dist). */
function canonicalFile(file: string): string {
  const distDir = join(PKG_ROOT, 'dist') + '/';
  if (file.startsWith(distDir)) {
    const src = join(PKG_ROOT, file.slice(distDir.length)).replace(/\.js$/, '.ts');
    if (existsSync(src)) return src;
  }
  return file;
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;
const fileHashes = new Map<string, string | null>();

function packageVersion(name: string, from: string): string {
  try {
    const req = createRequire(from);
    let dir = dirname(req.resolve(name));
    while (dir !== dirname(dir)) {
      const p = join(dir, 'package.json');
      if (existsSync(p)) {
        const meta = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
        if (meta.name === name) return `${name}@${meta.version}`;
      }
      dir = dirname(dir);
    }
  } catch {
    // absent
  }
  return `${name}@absent`;
}

/** Hash of a module and everything it reaches by relative imports; null if a file cannot be read. */
export function moduleGraphHash(entry: string): string | null {
  const h = createHash('sha256');
  const seen = new Set<string>();
  const stack = [canonicalFile(resolve(entry))];
  const files: string[] = [];
  const bare = new Set<string>();
  while (stack.length) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      return null;
    }
    files.push(f);
    if (!/\.[cm]?[jt]sx?$/.test(f)) continue;
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) {
        let target = resolve(dirname(f), spec);
        if (!existsSync(target)) {
          const alt = [target.replace(/\.js$/, '.ts'), `${target}.ts`, `${target}.js`, join(target, 'index.ts'), join(target, 'index.js')].find(existsSync);
          if (!alt) return null;
          target = alt;
        }
        stack.push(canonicalFile(target));
      } else if (!spec.startsWith('node:')) {
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        bare.add(packageVersion(name, f));
      }
    }
    // Data files read next to the code (fixtures) are found by their URL literals.
    for (const m of text.matchAll(/new URL\(\s*['"]([^'"]+\.json)['"]/g)) stack.push(canonicalFile(resolve(dirname(f), m[1]!)));
  }
  for (const f of files.sort()) {
    let fh = fileHashes.get(f);
    if (fh === undefined) {
      fh = createHash('sha256').update(readFileSync(f)).digest('hex');
      fileHashes.set(f, fh);
    }
    h.update(`${f.startsWith(PKG_ROOT) ? f.slice(PKG_ROOT.length) : f}\0${fh}\n`);
  }
  for (const b of [...bare].sort()) h.update(`${b}\n`);
  return h.digest('hex');
}

/** Where each claim was defined: set by the claim loader (user modules) or derived from the id (built-ins). */
const claimModules = new WeakMap<AnyClaim, string>();
export function recordClaimModule(claim: AnyClaim, file: string): void {
  claimModules.set(claim, file);
}

/** The module that defined this very claim object, if the loader recorded it (a modified copy is never cached). */
function moduleOf(claim: AnyClaim): string | undefined {
  return claimModules.get(claim);
}

/** A built-in family's module: experiments/<family>/index.ts (the source, also when dist runs). */
export function builtinModule(family: string): string | undefined {
  return [join(PKG_ROOT, 'experiments', family, 'index.ts'), join(PKG_ROOT, 'dist', 'experiments', family, 'index.js')].find((p) => existsSync(p));
}

let fixedKey: string | undefined;
function environmentKey(): string {
  // The engine settings are read on every call (a test may change them); the rest once per process.
  const engine = [process.env.DLCLAIMS_ENGINE ?? 'reference', process.env.DLCLAIMS_BACKEND ?? null, process.env.DLCLAIMS_THREADS ?? null];
  return JSON.stringify({ engine, fixed: (fixedKey ??= packageKey()) });
}

function packageKey(): string {
  const pkg = JSON.parse(readFileSync(join(PKG_ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string> | string>;
  const deps = new Set<string>();
  for (const k of ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies']) for (const d of Object.keys((pkg[k] as Record<string, string>) ?? {})) deps.add(d);
  const from = join(PKG_ROOT, 'package.json');
  const rendering = ['core/runner.ts', 'core/report/figures.ts', 'core/report/cache.ts'].map((f) => moduleGraphHash(join(PKG_ROOT, f)) ?? moduleGraphHash(join(PKG_ROOT, 'dist', f.replace(/\.ts$/, '.js'))));
  return JSON.stringify({ dlclaims: pkg.version, node: process.version, deps: [...deps].sort().map((d) => packageVersion(d, from)), rendering });
}

/** The cache key of one claim run, or undefined when its source cannot be hashed (then it is never cached). */
export function cacheKey(claim: AnyClaim, tier: Tier, masterSeed: number): string | undefined {
  const mod = moduleOf(claim);
  const src = mod && moduleGraphHash(mod);
  if (!src) return undefined;
  const payload = JSON.stringify({ v: 1, id: claim.id, tier, masterSeed, config: claim.tiers[tier], src, env: environmentKey() });
  return createHash('sha256').update(payload).digest('hex');
}

export function readCached(claim: AnyClaim, tier: Tier, masterSeed: number): Outcome | undefined {
  const dir = cacheDir();
  const key = dir && cacheKey(claim, tier, masterSeed);
  if (!dir || !key) return undefined;
  try {
    const o = JSON.parse(readFileSync(join(dir, `${key}.json`), 'utf8')) as Outcome;
    return o.id === claim.id && o.verdict && o.svgs ? o : undefined;
  } catch {
    return undefined;
  }
}

/** Stores an outcome (never a crashed run: those must rerun). Atomic, so parallel writers are safe. */
export function writeCached(claim: AnyClaim, tier: Tier, masterSeed: number, o: Outcome): void {
  const dir = cacheDir();
  const key = dir && cacheKey(claim, tier, masterSeed);
  if (!dir || !key || o.verdict.reason.startsWith('run failed:')) return;
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${key}.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(o));
  renameSync(tmp, join(dir, `${key}.json`));
}
