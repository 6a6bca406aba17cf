// A small, strict argument parser: `--name value`, `--name=value`, `--flag`, and positionals. Unknown flags are
// errors, and so are the careless forms that used to be read silently: a flag given a value (`--check=no`), a
// valued option followed by another option instead of its value (`--out --jobs 1`), an empty value, an option given
// twice. Integer options are exact: a value beyond 2^53 − 1 (where float64 rounds) is refused, never rounded.
import { InputError } from '../core/formats.ts';

/** The claims named by `--only ID,...` (all of `registry` when absent); an unknown, empty or repeated id is bad input. */
export function selectClaims<T extends { id: string }>(args: Args, registry: T[]): T[] {
  const only = args.get('only');
  if (only === undefined) return registry;
  const seen = new Set<string>();
  return only.split(',').map((raw) => {
    const id = raw.trim();
    if (id === '') throw new InputError(`--only: empty claim id in "${only}" (give ID,ID,... as listed by dlclaims list)`);
    if (seen.has(id)) throw new InputError(`--only: claim "${id}" is listed twice`);
    seen.add(id);
    const claim = registry.find((c) => c.id === id);
    if (!claim) throw new InputError(`--only: unknown claim "${id}"`);
    return claim;
  });
}

export interface Args {
  positionals: string[];
  /** Value of `--name value`; undefined if absent. */
  get(name: string): string | undefined;
  /** Value of a required `--name value`. */
  need(name: string): string;
  /** Presence of a boolean `--name`. */
  flag(name: string): boolean;
  /** A number-valued flag, validated. */
  num(name: string, fallback?: number): number | undefined;
  /** An integer-valued flag, exact (|value| ≤ 2^53 − 1). */
  int(name: string, fallback?: number): number | undefined;
  /** An integer-valued flag within [min, max]; `limit` says why max is the limit (named in the refusal). */
  intIn(name: string, min: number, max: number, fallback?: number, limit?: string): number | undefined;
}

/** `valued` lists flags taking a value; `booleans` flags without. Anything else is refused. */
export function parseArgs(argv: string[], spec: { valued?: string[]; booleans?: string[] }): Args {
  const valued = new Set(spec.valued ?? []);
  const booleans = new Set(spec.booleans ?? []);
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const body = a.slice(2);
      const eq = body.indexOf('=');
      const name = eq < 0 ? body : body.slice(0, eq);
      const inline = eq < 0 ? undefined : body.slice(eq + 1);
      if (valued.has(name)) {
        if (values.has(name)) throw new InputError(`--${name}: given twice`);
        let v = inline;
        if (v === undefined) {
          v = argv[++i];
          if (v === undefined) throw new InputError(`--${name}: missing value`);
          if (v.startsWith('--') && v.length > 2) throw new InputError(`--${name}: missing value (the next argument is the option "${v}"; write --${name}=${v} if that is the value)`);
        }
        if (v === '') throw new InputError(`--${name}: empty value`);
        values.set(name, v);
      } else if (booleans.has(name)) {
        if (inline !== undefined) throw new InputError(`--${name}: takes no value (got "${a}"; leave the flag out to switch it off)`);
        if (flags.has(name)) throw new InputError(`--${name}: given twice`);
        flags.add(name);
      } else throw new InputError(`--${name}: unknown option`);
    } else positionals.push(a);
  }
  const num = (name: string, fallback?: number, integer = false) => {
    const v = values.get(name);
    if (v === undefined) return fallback;
    const x = Number(v);
    if (v.trim() === '' || !Number.isFinite(x)) throw new InputError(`--${name}: expected a finite number, got "${v}"`);
    if (integer && !Number.isInteger(x)) throw new InputError(`--${name}: expected an integer, got "${v}"`);
    if (integer && !Number.isSafeInteger(x)) throw new InputError(`--${name}: ${v} is beyond 2^53 − 1 = ${Number.MAX_SAFE_INTEGER}, where integers are no longer exact`);
    return x;
  };
  return {
    positionals,
    get: (n) => values.get(n),
    need(n) {
      const v = values.get(n);
      if (v === undefined) throw new InputError(`--${n}: required`);
      return v;
    },
    flag: (n) => flags.has(n),
    num: (n, f) => num(n, f),
    int: (n, f) => num(n, f, true),
    intIn(n, min, max, f, limit) {
      const x = num(n, f);
      if (x === undefined) return x;
      if (!Number.isInteger(x)) throw new InputError(`--${n}: expected an integer, got "${values.get(n)}"`);
      if (x < min) throw new InputError(`--${n}: expected an integer ≥ ${min}, got ${values.get(n) ?? x}`);
      if (x > max) throw new InputError(`--${n}: ${values.get(n) ?? x} is over the limit of ${max}${limit ? ` (${limit})` : ''}`);
      return x;
    },
  };
}

/** Limits on the work one command may ask for (README "Reliability"); each refusal names the limit. */
export const LIMITS = {
  /** --seed / --first: a non-negative integer that float64 holds exactly. */
  seed: Number.MAX_SAFE_INTEGER,
  /** flake --seeds. */
  seeds: 1000,
  /** maxmargin --steps. */
  steps: 10_000_000,
  /** ntk --analytic --depth. */
  depth: 100,
  /** bench --reps. */
  reps: 1000,
} as const;
