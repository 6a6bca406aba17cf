// Which claims a command sees: the built-in registry, or a user's own claim modules listed in a config file
// (dlclaims.config.{json,js,mjs,ts} in the working directory) or on the command line (--claims a.ts,b.js).
// A claim module exports its claims as `claims` (an array), as the default export (an array or one claim), or as
// named exports that are claims or arrays of claims. TypeScript modules load through tsx (registered on first need).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyClaim } from './claim.ts';
import { InputError } from './errors.ts';
import { importOptional } from './optional.ts';
import { builtinModule, recordClaimModule } from './report/cache.ts';

/** What to load: absolute module paths, and whether the built-in claims come too. Travels to report workers. */
export interface ClaimSpec {
  modules: string[];
  builtins: boolean;
  /** The config file it came from, if any (for messages and the cache key). */
  config?: string;
}

export interface DlclaimsConfig {
  /** Claim modules, relative to the config file. */
  claims: string[];
  /** Also include the built-in claims (default false when `claims` is given). */
  builtins?: boolean;
}

export const CONFIG_NAMES = ['dlclaims.config.json', 'dlclaims.config.js', 'dlclaims.config.mjs', 'dlclaims.config.ts'];

const TS = /\.[mc]?tsx?$/;
let tsxRegistered = false;

async function importModule(path: string): Promise<Record<string, unknown>> {
  if (TS.test(path) && !tsxRegistered && !process.env.DLCLAIMS_TSX_ACTIVE) {
    // tsx is an optional peer dependency: only TypeScript claim modules need it.
    // Found next to dlclaims, else from the working directory's project (e.g. dlclaims run through npx or linked).
    const fromProject = async () => {
      try {
        return (await import('tsx/esm/api')) as typeof import('tsx/esm/api');
      } catch (e) {
        const local = createRequire(resolve(process.cwd(), 'package.json'));
        let p: string;
        try {
          p = local.resolve('tsx/esm/api');
        } catch {
          throw e;
        }
        return (await import(pathToFileURL(p.replace(/\.cjs$/, '.mjs')).href)) as typeof import('tsx/esm/api');
      }
    };
    const { register } = await importOptional('tsx', `loading the TypeScript module ${path}`, fromProject);
    register();
    tsxRegistered = true;
  }
  return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
}

function checkConfig(c: unknown, where: string): DlclaimsConfig {
  const o = c as Partial<DlclaimsConfig> | null;
  if (!o || typeof o !== 'object' || !Array.isArray(o.claims) || o.claims.some((m) => typeof m !== 'string' || m === '')) {
    throw new InputError(`${where}: expected { "claims": ["./path/to/claims.ts", ...], "builtins"?: boolean }`);
  }
  if (o.builtins !== undefined && typeof o.builtins !== 'boolean') throw new InputError(`${where}: "builtins" must be true or false`);
  return { claims: o.claims, builtins: o.builtins };
}

/** The claim spec for a command: `--claims` wins, then a config file in `cwd`, else the built-in registry. */
export async function resolveClaimSpec(opts: { claims?: string; config?: string; cwd?: string } = {}): Promise<ClaimSpec> {
  const cwd = opts.cwd ?? process.cwd();
  if (opts.claims !== undefined) {
    const modules = opts.claims.split(',').map((m) => m.trim()).filter(Boolean).map((m) => resolve(cwd, m));
    if (modules.length === 0) throw new InputError('--claims: name at least one claim module');
    for (const m of modules) if (!existsSync(m)) throw new InputError(`--claims: no such file ${m}`);
    return { modules, builtins: false };
  }
  const configPath = opts.config ? resolve(cwd, opts.config) : CONFIG_NAMES.map((n) => resolve(cwd, n)).find((p) => existsSync(p));
  if (!configPath) return { modules: [], builtins: true };
  if (!existsSync(configPath)) throw new InputError(`--config: no such file ${configPath}`);
  let raw: unknown;
  if (configPath.endsWith('.json')) {
    try {
      raw = JSON.parse(readFileSync(configPath, 'utf8'));
    } catch (e) {
      throw new InputError(`${configPath}: not valid JSON (${(e as Error).message})`);
    }
  } else raw = (await importModule(configPath)).default;
  const config = checkConfig(raw, configPath);
  const modules = config.claims.map((m) => (isAbsolute(m) ? m : resolve(dirname(configPath), m)));
  for (const m of modules) if (!existsSync(m)) throw new InputError(`${configPath}: claim module ${m} does not exist`);
  return { modules, builtins: config.builtins ?? false, config: configPath };
}

function isClaim(x: unknown): x is AnyClaim {
  const c = x as AnyClaim | null;
  return !!c && typeof c === 'object' && typeof c.id === 'string' && typeof c.run === 'function' && typeof c.judge === 'function' && !!c.tiers;
}

/** The claims a module exports (see the header). */
export function claimsOf(mod: Record<string, unknown>, where: string): AnyClaim[] {
  const pick = (v: unknown): AnyClaim[] | undefined => (Array.isArray(v) ? v : isClaim(v) ? [v] : undefined);
  const found = pick(mod.claims) ?? pick(mod.default) ?? Object.values(mod).flatMap((v) => (isClaim(v) ? [v] : Array.isArray(v) && v.length > 0 && v.every(isClaim) ? v : []));
  if (found.length === 0) throw new InputError(`${where}: exports no claims (export const claims = [defineClaim({...})])`);
  for (const c of found) if (!isClaim(c)) throw new InputError(`${where}: an exported claim lacks id, tiers, run or judge`);
  return found;
}

const cache = new Map<string, Promise<AnyClaim[]>>();

/** Loads the claims of a spec (built-ins first, then the modules in order); ids must be unique. */
export function loadClaims(spec: ClaimSpec): Promise<AnyClaim[]> {
  const key = JSON.stringify([spec.builtins, spec.modules]);
  let p = cache.get(key);
  if (!p) {
    p = (async () => {
      const all: AnyClaim[] = [];
      if (spec.builtins) {
        for (const fam of (await import('../experiments/index.ts')).families) {
          // By folder, not by id prefix: ids such as ntk.* and optimization.* live in other families' folders.
          const m = builtinModule(fam.dir);
          for (const c of fam.claims) {
            if (m) recordClaimModule(c, m);
            all.push(c);
          }
        }
      }
      for (const m of spec.modules) {
        const found = claimsOf(await importModule(m), m);
        for (const c of found) recordClaimModule(c, m);
        all.push(...found);
      }
      const seen = new Set<string>();
      for (const c of all) {
        if (seen.has(c.id)) throw new InputError(`claim id "${c.id}" is defined twice`);
        seen.add(c.id);
        if (!c.tiers?.ci || !c.tiers?.full) throw new InputError(`claim ${c.id}: needs tiers.ci and tiers.full`);
      }
      return all;
    })();
    cache.set(key, p);
  }
  return p;
}
