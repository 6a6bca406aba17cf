// Seeded random streams. Every random number in the suite comes from here, keyed by
// (master seed, claim id, replicate, label), so runs are reproducible and claims are independent.
import seedrandom from 'seedrandom';

export const DEFAULT_MASTER_SEED = 20261123;

export interface Rng {
  /** Uniform on [0, 1). */
  uniform(): number;
  /** Uniform on [lo, hi). */
  range(lo: number, hi: number): number;
  /** Standard normal (Box–Muller, both values used). */
  normal(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** A Float64Array of n standard normals scaled by `scale`. */
  normals(n: number, scale?: number): Float64Array;
  /** A Float64Array of n uniforms on [lo, hi). */
  uniforms(n: number, lo: number, hi: number): Float64Array;
  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(a: T[]): T[];
}

export function rngFromKey(key: string): Rng {
  const prng = seedrandom(key);
  let spare: number | null = null;
  const uniform = () => prng.double();
  const normal = () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  return {
    uniform,
    range: (lo, hi) => lo + (hi - lo) * uniform(),
    normal,
    int: (n) => Math.floor(uniform() * n),
    normals(n, scale = 1) {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = scale * normal();
      return out;
    },
    uniforms(n, lo, hi) {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * uniform();
      return out;
    },
    shuffle(a) {
      for (let i = a.length - 1; i > 0; i--) {
        const j = Math.floor(uniform() * (i + 1));
        [a[i], a[j]] = [a[j]!, a[i]!];
      }
      return a;
    },
  };
}

/** The stream for one replicate of one claim; `label` separates independent uses (data, init, ...). */
export function claimRng(master: number, claimId: string, replicate: number, label = ''): Rng {
  return rngFromKey(`dlclaims/${master}/${claimId}/${replicate}/${label}`);
}
