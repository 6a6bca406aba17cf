// experiments/linearization/moments.ts sampleMomentsSym against theory/ntk-gp.ts sampleMoments: bit-identical (the
// claim linearization.ntk-gp-ensemble switched to it without re-audit on that ground).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rngFromKey } from '../core/rng.ts';
import { sampleMomentsSym } from '../experiments/linearization/moments.ts';
import { sampleMoments } from '../theory/ntk-gp.ts';
import { FC } from './helpers.ts';

describe('sampleMomentsSym', () => {
  it('returns exactly the mean and covariance of theory/ntk-gp.ts sampleMoments', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 1, max: 9 }), fc.nat(1e6), fc.double({ min: -3, max: 3, noNaN: true }), (M, p, seed, shift) => {
        const rng = rngFromKey(`moments/${seed}`);
        const samples = { rows: M, cols: p, data: rng.normals(M * p).map((v) => v * 1.7 + shift) };
        const want = sampleMoments(samples);
        const got = sampleMomentsSym(samples);
        expect(Array.from(got.mean)).toEqual(Array.from(want.mean));
        expect(Array.from(got.cov.data)).toEqual(Array.from(want.cov.data));
        expect([got.cov.rows, got.cov.cols]).toEqual([p, p]);
      }),
      { ...FC, numRuns: 60 },
    );
  });

  it('refuses fewer than 2 samples', () => {
    expect(() => sampleMomentsSym({ rows: 1, cols: 2, data: new Float64Array(2) })).toThrow(/at least 2/);
  });
});
