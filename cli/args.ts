// A small, strict argument parser: `--name value`, `--flag`, and positionals. Unknown flags are errors.
import { InputError } from '../core/formats.ts';

/** The claims named by `--only ID,...` (all of `registry` when absent); an unknown id is bad input. */
export function selectClaims<T extends { id: string }>(args: Args, registry: T[]): T[] {
  const only = args.get('only');
  if (!only) return registry;
  return only.split(',').map((raw) => {
    const id = raw.trim();
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
  int(name: string, fallback?: number): number | undefined;
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
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
      if (valued.has(name)) {
        const v = inline ?? argv[++i];
        if (v === undefined) throw new InputError(`--${name}: missing value`);
        values.set(name, v);
      } else if (booleans.has(name)) flags.add(name);
      else throw new InputError(`--${name}: unknown option`);
    } else positionals.push(a);
  }
  const num = (name: string, fallback?: number, integer = false) => {
    const v = values.get(name);
    if (v === undefined) return fallback;
    const x = Number(v);
    if (v.trim() === '' || !Number.isFinite(x)) throw new InputError(`--${name}: expected a finite number, got "${v}"`);
    if (integer && !Number.isInteger(x)) throw new InputError(`--${name}: expected an integer, got "${v}"`);
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
  };
}
