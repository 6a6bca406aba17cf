// The WebAssembly kernel runtime (core/wasm): the committed module is what the .wat fragments assemble to, arenas hand
// out aligned views that stay valid, and a kernel's f64x2 lanes give the plain loop's bits.
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Arena } from '../../core/wasm/runtime.ts';
import { FC } from '../helpers.ts';

describe('wasm kernels', () => {
  it('core/wasm/kernels.generated.ts is what the .wat fragments assemble to', () => {
    const r = spawnSync(process.execPath, ['bin/build-wasm.mjs', '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('an arena hands out 16-byte aligned, zeroed, disjoint views and refuses to overflow', () => {
    const a = Arena.forSizes([3, 5, 1]);
    const v = [a.f64(3), a.f64(5), a.f64(1)];
    for (const x of v) {
      expect(x.byteOffset % 16).toBe(0);
      expect(Array.from(x).every((y) => y === 0)).toBe(true);
      expect(a.owns(x)).toBe(true);
    }
    v[0]!.fill(1);
    expect(v[1]![0]).toBe(0);
    expect(a.ptr(v[1]!)).toBe(32);
    expect(() => a.ptr(new Float64Array(2))).toThrow(/not in this arena/);
    const small = new Arena(64);
    expect(() => small.f64(100000)).toThrow(/arena full/);
  });

  it('axpy and sub_scaled equal y[i] += a·x[i] and y[i] −= a·x[i] bit for bit (odd and even lengths)', () => {
    const f = fc.double({ noNaN: true, min: -1e6, max: 1e6 });
    fc.assert(
      fc.property(f, fc.array(fc.tuple(f, f), { minLength: 0, maxLength: 33 }), (a, xy) => {
        const n = xy.length;
        const arena = Arena.forSizes([n, n]);
        const x = arena.f64(n);
        const y = arena.f64(n);
        const want = new Float64Array(n);
        xy.forEach(([u, w], i) => {
          x[i] = u;
          y[i] = w;
          want[i] = w + a * u;
        });
        const back = new Float64Array(n);
        xy.forEach(([u], i) => (back[i] = want[i]! - a * u));
        arena.k.axpy!(a, arena.ptr(x), arena.ptr(y), n);
        expect(Array.from(y)).toEqual(Array.from(want));
        arena.k.sub_scaled!(a, arena.ptr(x), arena.ptr(y), n);
        expect(Array.from(y)).toEqual(Array.from(back));
      }),
      FC,
    );
  });
});
