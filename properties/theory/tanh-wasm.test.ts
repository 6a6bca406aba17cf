// The WebAssembly tanh (core/wasm/tanh.wat, a port of fdlibm's s_tanh.c over s_expm1.c as in V8's src/base/ieee754.cc)
// gives Math.tanh's bits, compared with Object.is (so −0 and NaN count): over a million seeded values across binades,
// dense in [−3, 3], around every branch threshold of tanh and expm1, and the special values. Its expm1 is checked
// against Math.expm1 the same way, and tanh_into against a Math.tanh loop.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rngFromKey } from '../../core/rng.ts';
import { Arena } from '../../core/wasm/runtime.ts';
import { FC } from '../helpers.ts';

const arena = new Arena(8 * 65536);
const k = arena.k as unknown as {
  tanh(x: number): number;
  tanh_expm1(x: number): number;
  tanh_into(src: number, dst: number, n: number): void;
};

/** The values where Math.tanh and the port disagree (Object.is), at most 10. */
function mismatches(xs: ArrayLike<number>, f: (x: number) => number, g: (x: number) => number): string[] {
  const bad: string[] = [];
  for (let i = 0; i < xs.length && bad.length < 10; i++) {
    const x = xs[i]!;
    const want = f(x);
    const got = g(x);
    if (!Object.is(want, got)) bad.push(`x=${x}: want ${want}, got ${got}`);
  }
  return bad;
}

/** A double's 64 bits as 16 upper-case hex digits. */
function bitsOf(x: number): string {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x);
  return v.getBigUint64(0).toString(16).toUpperCase().padStart(16, '0');
}

/** A normal hex float literal `±0x1.<13 hex digits>p±e` (exact: 53 bits, scaled by a power of two). */
function hexFloat(s: string): number {
  const m = /^(-?)0x1\.([0-9a-f]{13})p(-?\d+)$/.exec(s)!;
  const v = (1 + parseInt(m[2]!, 16) / 2 ** 52) * 2 ** Number(m[3]);
  return m[1] ? -v : v;
}

/** true when dst[i] is Math.tanh(src[i]) for every i (Object.is), else the first bad index and values. */
function firstMismatch(src: Float64Array, dst: Float64Array): true | string {
  for (let i = 0; i < src.length; i++) {
    const want = Math.tanh(src[i]!);
    if (!Object.is(dst[i], want)) return `tanh_into at ${i}: x=${src[i]}, want ${want}, got ${dst[i]}`;
  }
  return true;
}

const fromBits = (hi: number, lo: number) => {
  const v = new DataView(new ArrayBuffer(8));
  v.setUint32(0, hi >>> 0);
  v.setUint32(4, lo >>> 0);
  return v.getFloat64(0);
};

/** The values next to t: t itself and its 4 neighbours on each side (by bits), both signs. */
function around(t: number): number[] {
  const out: number[] = [];
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, Math.abs(t));
  const b = v.getBigUint64(0);
  for (let d = -4n; d <= 4n; d++) {
    if (b + d < 0n) continue;
    v.setBigUint64(0, b + d);
    const x = v.getFloat64(0);
    out.push(x, -x);
  }
  return out;
}

const LN2 = Math.LN2;
// Branch thresholds: tanh (2^−28, 1, 22, the inf/NaN word), expm1 (2^−54, 0.5·ln2, 1.5·ln2, 56·ln2, 709.78 = o_threshold)
// as decimals and as the exact high words the C code compares, the k < 20 / k > 56 splits of expm1 (tanh calls it on
// 2|x| and −2|x|, so the halves of its thresholds count too), and subnormal, tiny and huge magnitudes.
const THRESHOLDS = [
  2 ** -28, 2 ** -54, 2 ** -27, 1, 0.5, 22, 11, 0.5 * LN2, 1.5 * LN2, 0.25 * LN2, 0.75 * LN2, 56 * LN2, 28 * LN2,
  20 * LN2, 10 * LN2, 19.5 * LN2, 57 * LN2, 0.25, 0.125, 709.782712893384, 354.891356446692, 710, 38, 44, 3,
  fromBits(0x3e300000, 0), fromBits(0x3c900000, 0), fromBits(0x3ff00000, 0), fromBits(0x40360000, 0),
  fromBits(0x3fd62e42, 0xffffffff), fromBits(0x3fd62e43, 0), fromBits(0x3ff0a2b2, 0), fromBits(0x3ff0a2b1, 0xffffffff),
  fromBits(0x4043687a, 0), fromBits(0x40862e42, 0), fromBits(0x40862e42, 0xfefa39ef),
  5e-324, 1e-323, 2.2250738585072014e-308, 2.225073858507201e-308, 1e-300, 1e-20, 1e300, Number.MAX_VALUE,
];

describe('wasm tanh (fdlibm port)', () => {
  it('gives Math.tanh and Math.expm1 exactly at ±0, ±inf, NaN, subnormals and extremes', () => {
    const special = [0, -0, Infinity, -Infinity, NaN, -NaN, 5e-324, -5e-324, 1e-310, -1e-310, Number.MAX_VALUE, -Number.MAX_VALUE];
    expect(mismatches(special, Math.tanh, k.tanh)).toEqual([]);
    expect(mismatches(special, Math.expm1, k.tanh_expm1)).toEqual([]);
    expect(Object.is(k.tanh(-0), -0)).toBe(true);
    expect(k.tanh(-Infinity)).toBe(-1);
  });

  it('gives Math.tanh and Math.expm1 exactly around every branch threshold (±4 ulps, both signs)', () => {
    const xs = THRESHOLDS.flatMap(around);
    expect(xs.length).toBeGreaterThan(700);
    expect(mismatches(xs, Math.tanh, k.tanh)).toEqual([]);
    const a = Arena.forSizes([xs.length, xs.length]);
    const src = a.copyOf(Float64Array.from(xs));
    const dst = a.f64(xs.length);
    a.k.tanh_into!(a.ptr(src), a.ptr(dst), xs.length);
    expect(firstMismatch(src, dst)).toBe(true);
    expect(mismatches(xs, Math.expm1, k.tanh_expm1)).toEqual([]);
  });

  it('gives Math.tanh exactly on 10^6 seeded values: binades |x| in [1e-300, 40] and dense uniform in [−3, 3]', () => {
    const rng = rngFromKey('properties/tanh-wasm');
    const n = 500_000;
    const xs = new Float64Array(2 * n);
    const lo = Math.log(1e-300);
    const hi = Math.log(40);
    for (let i = 0; i < n; i++) {
      xs[i] = (rng.uniform() < 0.5 ? -1 : 1) * Math.exp(lo + (hi - lo) * rng.uniform()); // log-uniform over binades
      xs[n + i] = rng.range(-3, 3);
    }
    expect(mismatches(xs, Math.tanh, k.tanh)).toEqual([]);
    // the same values through tanh_into (its eight-lane loop, two-lane tail and scalar last value)
    const a = Arena.forSizes([xs.length, xs.length]);
    const src = a.copyOf(xs);
    const dst = a.f64(xs.length);
    a.k.tanh_into!(a.ptr(src), a.ptr(dst), xs.length);
    expect(firstMismatch(xs, dst)).toBe(true);
    // expm1 over the arguments tanh gives it: −2|x| in (−2, 0] and 2|x| in [2, 44), dense (every k of its reduction)
    const args = new Float64Array(n).map(() => rng.range(-2, 44));
    expect(mismatches(args, Math.expm1, k.tanh_expm1)).toEqual([]);
    expect(mismatches(xs.subarray(0, 100_000).map((x) => 20 * x), Math.expm1, k.tanh_expm1)).toEqual([]);
  });

  it("carries fdlibm's constants with their exact bits (the hex words beside them in s_expm1.c / ieee754.cc)", () => {
    const wat = readFileSync(new URL('../../core/wasm/tanh.wat', import.meta.url), 'utf8');
    // scalar (f64.const) and two-lane (v128.const f64x2, both lanes alike) constants
    const lits = [...wat.matchAll(/(?:f64\.const|f64x2) (-?0x1\.[0-9a-f]{13}p-?\d+)(?: (-?0x1\.[0-9a-f]{13}p-?\d+))?/g)];
    for (const m of lits) if (m[2] !== undefined) expect(m[2]).toBe(m[1]);
    const consts = new Set(lits.map((m) => bitsOf(hexFloat(m[1]!))));
    const fdlibm = {
      o_threshold: '40862E42FEFA39EF', ln2_hi: '3FE62E42FEE00000', ln2_lo: '3DEA39EF35793C76', invln2: '3FF71547652B82FE',
      Q1: 'BFA11111111110F4', Q2: '3F5A01A019FE5585', Q3: 'BF14CE199EAADBB7', Q4: '3ED0CFCA86E65239', Q5: 'BE8AFDB76E09C32D',
      huge: bitsOf(1e300), tiny: bitsOf(1e-300), '−ln2_lo': 'BDEA39EF35793C76',
      'hx > 0x3FD62E42 as |u| >= 0x3FD62E43 00000000': '3FD62E4300000000',
    };
    for (const [name, word] of Object.entries(fdlibm)) expect(consts.has(word), name).toBe(true);
    expect(consts.size).toBe(Object.keys(fdlibm).length); // no other long constant slipped in
    // the decimals fdlibm prints beside them name the same doubles
    expect(bitsOf(7.09782712893383973096e2)).toBe(fdlibm.o_threshold);
    expect(bitsOf(-3.33333333333331316428e-2)).toBe(fdlibm.Q1);
    expect(bitsOf(-2.01099218183624371326e-7)).toBe(fdlibm.Q5);
  });

  it('gives Math.tanh exactly on arbitrary doubles (fast-check, all bit patterns)', () => {
    fc.assert(
      fc.property(fc.double(), (x) => {
        expect(Object.is(k.tanh(x), Math.tanh(x))).toBe(true);
        expect(Object.is(k.tanh_expm1(x), Math.expm1(x))).toBe(true);
      }),
      { ...FC, numRuns: 2000 },
    );
  });

  it('tanh_into equals a Math.tanh loop (every length mod 8, empty, in place)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double(), fc.double({ min: -25, max: 25 })), { maxLength: 37 }), (xs) => {
        const a = Arena.forSizes([xs.length, xs.length]);
        const src = a.copyOf(Float64Array.from(xs));
        const dst = a.f64(xs.length);
        const want = Array.from(src, Math.tanh);
        a.k.tanh_into!(a.ptr(src), a.ptr(dst), xs.length);
        expect(Array.from(dst)).toEqual(want); // toEqual uses Object.is on numbers: −0 and NaN count
        a.k.tanh_into!(a.ptr(src), a.ptr(src), xs.length);
        expect(Array.from(src)).toEqual(want);
      }),
      FC,
    );
  });
});
