// Exact properties of the Embedding Principle judges (experiments/embedding/: output preservation, criticality
// preservation, training plateaus and their detection), fed synthetic measurements. Light: nothing here trains;
// criticality-preserving.ts and training-plateaus.ts import core/engine/index.ts, which only loads the float64
// reference engine's module (onnx and tfjs load lazily, on getEngine() with DLCLAIMS_ENGINE set), so this runs under
// mutation testing (vitest.mutation.config.ts). The claims' CI-tier verdicts and the `embed` tool stay in
// properties/embedding.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { criticalityPreserving, judgeCriticality, type CritMeasurements, type CritRun } from '../../experiments/embedding/criticality-preserving.ts';
import { judgeOutput, type CaseResult } from '../../experiments/embedding/output-preserving.ts';
import { detectPlateaus, isMatched, judgePlateaus, type Plateau, type PlateauMeasurements } from '../../experiments/embedding/training-plateaus.ts';
import { FC } from '../helpers.ts';

describe('embedding.output-preserving judge', () => {
  const ok = (over: Partial<CaseResult> = {}): CaseResult => ({ widths: [2, 3, 1], steps: 1, outDev: 1e-16, gradDevMse: 1e-15, gradDevXent: 1e-15, lossDevAlpha: 0, ...over });

  it('holds when every case is within its bound (bounds inclusive), fails on any case above one, inconclusive with no cases', () => {
    expect(judgeOutput({ cases: [ok(), ok()] }).status).toBe('holds');
    expect(judgeOutput({ cases: [ok({ outDev: 1e-12, lossDevAlpha: 1e-12, gradDevMse: 1e-10, gradDevXent: 1e-10 })] }).status).toBe('holds');
    for (const [k, bound] of [['outDev', 1e-12], ['lossDevAlpha', 1e-12], ['gradDevMse', 1e-10], ['gradDevXent', 1e-10]] as const) {
      for (const bad of [bound * 1.0001, NaN, Infinity]) {
        const v = judgeOutput({ cases: [ok(), ok({ [k]: bad })] });
        expect(v.status).toBe('fails');
        expect(v.reason).toContain('1 of 2 random embeddings break output or gradient preservation');
        expect(v.metrics.casesViolating).toBe(1);
      }
    }
    const none = judgeOutput({ cases: [] });
    expect(none.status).toBe('inconclusive');
    expect(none.reason).toBe('no cases were run');
  });

  it('the metrics are the worst deviations over cases, and the reason names them with their bounds', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ outDev: fc.double({ min: 0, max: 2e-12, noNaN: true }), gradDevMse: fc.double({ min: 0, max: 2e-10, noNaN: true }), gradDevXent: fc.double({ min: 0, max: 2e-10, noNaN: true }), lossDevAlpha: fc.double({ min: 0, max: 2e-12, noNaN: true }) }), { minLength: 1, maxLength: 6 }), (cs) => {
        const cases = cs.map((c) => ok(c));
        const v = judgeOutput({ cases });
        const w = (k: keyof typeof cs[number]) => Math.max(...cs.map((c) => c[k]));
        const bad = cs.filter((c) => c.outDev > 1e-12 || c.lossDevAlpha > 1e-12 || c.gradDevMse > 1e-10 || c.gradDevXent > 1e-10).length;
        expect(v.status).toBe(bad > 0 ? 'fails' : 'holds');
        expect(v.metrics).toEqual({ cases: cs.length, worstOutputDeviation: w('outDev'), worstLossDeviationAlongAlpha: w('lossDevAlpha'), worstGradientMapDeviationMse: w('gradDevMse'), worstGradientMapDeviationXent: w('gradDevXent'), casesViolating: bad });
        expect(v.reason).toContain(`worst output deviation ${w('outDev').toExponential(2)} (bound 1e-12), worst gradient-map deviation ${Math.max(w('gradDevMse'), w('gradDevXent')).toExponential(2)} (bound 1e-10)`);
      }),
      FC,
    );
  });
});

describe('embedding.criticality-preserving judge', () => {
  const polish = criticalityPreserving.tiers.ci; // polish: true
  const control = { ...polish, polish: false };
  type Wide = CritRun['wide'][number];
  const wide = (over: Partial<Wide> = {}): Wide => ({
    label: 'split', alpha: 0.3, splits: 1, neg: 1, zero: 2, pos: 3, grad: 1e-12, loss: 0.1, eigs: [], lossDiff: 0, tangentResidual: 1e-14, subspaceError: 1e-13, subspaceNeg: 1, ...over,
  });
  const run = (narrowGrad = 1e-13, wides: Wide[] = [wide()]): CritRun => ({
    target: 'sin3', widths: [1, 1, 1], replicate: 0, newtonIterations: 5,
    narrow: { neg: 1, zero: 1, pos: 3, grad: narrowGrad, loss: 0.1, eigs: [] },
    wide: wides,
  });
  const judge = (runs: CritRun[], cfg = polish) => judgeCriticality({ runs } as CritMeasurements, cfg);

  it('a critical narrow point whose embeddings stay critical with non-decreasing inertia holds', () => {
    const v = judge([run(), run(), run()]);
    expect(v.status).toBe('holds');
    expect(v.metrics.narrowPointsUsed).toBe(3);
    expect(v.reason).toContain('3 narrow critical points');
    expect(v.reason).toContain('under 3 embeddings');
  });

  it('each declared bound is a strict "greater than": at the bound holds, just above fails, with the number named', () => {
    const cases: [Partial<Wide>, number, string][] = [
      [{ grad: 1e-9 }, 1e-9, 'an embedded point has ‖∇L‖'],
      [{ lossDiff: 1e-12 }, 1e-12, 'the loss changed by'],
      [{ subspaceError: 1e-6 }, 1e-6, 'the split-subspace Hessian is off'],
      [{ tangentResidual: 1e-6 }, 1e-6, 'the α direction is not a zero direction'],
    ];
    for (const [over, bound, text] of cases) {
      expect(judge([run(1e-13, [wide(over)])]).status).toBe('holds');
      const key = Object.keys(over)[0] as keyof Wide;
      const v = judge([run(1e-13, [wide({ [key]: bound * 1.001 })])]);
      expect(v.status).toBe('fails');
      expect(v.reason).toContain(text);
      expect(v.reason).toContain((bound * 1.001).toExponential(2));
    }
  });

  it('inertia: losing a negative or positive eigenvalue, or gaining fewer zero eigenvalues than splits, fails', () => {
    // Narrow (neg, zero, pos) = (1, 1, 3); one split must give zero ≥ 2.
    expect(judge([run(1e-13, [wide({ neg: 2, zero: 2, pos: 3 })])]).status).toBe('holds'); // more negatives: allowed (strict saddle)
    expect(judge([run(1e-13, [wide({ neg: 2, zero: 2, pos: 3 })])]).metrics.embeddingsWithMoreNegativeEigenvalues).toBe(1);
    for (const bad of [{ neg: 0 }, { pos: 2 }, { zero: 1 }, { zero: 2, splits: 2 }]) {
      const v = judge([run(1e-13, [wide(bad)])]);
      expect(v.status).toBe('fails');
      expect(v.metrics.inertiaViolations).toBe(1);
      expect(v.reason).toContain('1 embeddings lost negative/positive eigenvalues or gained fewer zero eigenvalues than splits');
    }
    expect(judge([run(1e-13, [wide({ zero: 3, splits: 2 })])]).status).toBe('holds');
    // The wide Hessian must have at least the split-subspace restriction's negative eigenvalues.
    expect(judge([run(1e-13, [wide({ subspaceNeg: 2 })])]).status).toBe('fails');
    expect(judge([run(1e-13, [wide({ subspaceNeg: null })])]).status).toBe('holds');
  });

  it('polished claim: only narrow points with ‖∇L‖ ≤ 1e-11 count, and at least half of them must be; the control uses all', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(1e-13, 1e-11, 1.0001e-11, 1e-3), { minLength: 1, maxLength: 7 }), (grads) => {
        // Non-critical narrow points carry a non-critical embedding: it must not count for the polished claim.
        const runs = grads.map((g) => run(g, [wide({ grad: g <= 1e-11 ? 1e-12 : 1e-3 })]));
        const used = grads.filter((g) => g <= 1e-11).length;
        const v = judge(runs);
        expect(v.metrics.narrowPointsUsed).toBe(used);
        expect(v.metrics.narrowRuns).toBe(grads.length);
        expect(v.status).toBe(used < Math.ceil(grads.length / 2) ? 'inconclusive' : 'holds');
        if (v.status === 'inconclusive') expect(v.reason).toBe(`Newton reached ‖∇L‖ ≤ 1e-11 on only ${used} of ${grads.length} narrow networks.`);
        const c = judge(runs, control);
        expect(c.metrics.narrowPointsUsed).toBe(grads.length);
        expect(c.status).toBe(used === grads.length ? 'holds' : 'fails');
      }),
      FC,
    );
  });
});

describe('embedding.training-plateaus: plateau detection and the judge', () => {
  const flatThenDrop = Array.from({ length: 101 }, (_, i) => ({ step: i * 100, loss: i < 10 ? 0.1 * 0.7 ** i : i < 60 ? 0.003 * (1 - 1e-4 * i) : 0.003 * 0.9 ** (i - 60) }));
  it('detects a flat stretch and nothing in a steadily falling curve', () => {
    const p = detectPlateaus(flatThenDrop);
    expect(p.length).toBe(1);
    expect(p[0]!.start).toBeGreaterThanOrEqual(900);
    expect(p[0]!.end).toBeLessThanOrEqual(6000);
    expect(detectPlateaus(flatThenDrop.map((c, i) => ({ step: c.step, loss: 0.9 ** i })))).toEqual([]);
  });

  /** Records every 100 steps; the loss halves every 100 steps except on [a, b], where it is constant. */
  const curve = (a: number, b: number, last = 8000) =>
    Array.from({ length: last / 100 + 1 }, (_, i) => {
      const s = i * 100;
      const eff = s - Math.max(0, Math.min(s, b) - a);
      return { step: s, loss: 0.5 ** (eff / 100) };
    });

  it('a flat stretch [a, b] is a plateau from a to b − 200 (the 200-step window), kept iff it lasts ≥ 1000 steps', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 2, max: 30 }), (a0, len) => {
        const a = a0 * 100;
        const b = a + len * 100;
        const p = detectPlateaus(curve(a, b));
        expect(p).toEqual(b - 200 - a >= 1000 ? [{ start: a, end: b - 200 }] : []);
      }),
      FC,
    );
    // Flat up to the last record: the last record has no later point, so the run ends one record before.
    expect(detectPlateaus(curve(1000, 9000, 3000))).toEqual([{ start: 1000, end: 2800 }]);
  });

  it('"flat" is a loss ratio over 200 steps strictly above 0.99', () => {
    const geometric = (q: number) => Array.from({ length: 20 }, (_, i) => ({ step: i * 200, loss: q ** i }));
    expect(detectPlateaus(geometric(0.99 * (1 + 1e-9)))).toEqual([{ start: 0, end: 3600 }]);
    expect(detectPlateaus(geometric(0.99 * (1 - 1e-9)))).toEqual([]);
    // A ratio of exactly 0.99 (99^i·100^(6−i) are exact integers, and 99/100 rounds to the literal 0.99) is not flat.
    const exact = Array.from({ length: 7 }, (_, i) => ({ step: i * 200, loss: 99 ** i * 100 ** (6 - i) }));
    expect(exact[1]!.loss / exact[0]!.loss).toBe(0.99);
    expect(detectPlateaus(exact)).toEqual([]);
    expect(detectPlateaus(exact.map((c, i) => ({ ...c, loss: 995 ** i * 1000 ** (6 - i) })))).toEqual([{ start: 0, end: 1000 }]);
  });

  const plateau = (criticalLoss: number | null, criticalGrad: number | null, loss = 0.01): Plateau => ({ start: 1000, end: 5000, step: 3000, loss, units: 1, criticalLoss, criticalGrad, functionGap: 0, directions: [] });
  const meas = (ps: Plateau[], narrow: PlateauMeasurements['narrow'] = []): PlateauMeasurements => ({ runs: [{ replicate: 0, curve: [], divergedAt: null, plateaus: ps }], narrow, linearFitLoss: 0.01 });

  it('holds when plateaus polish to critical points at the plateau loss, fails when not, inconclusive without plateaus', () => {
    expect(judgePlateaus(meas([plateau(0.0101, 1e-15), plateau(0.0099, 1e-14)])).status).toBe('holds');
    expect(judgePlateaus(meas([plateau(0.0101, 1e-3), plateau(0.02, 1e-15)])).status).toBe('fails');
    expect(judgePlateaus(meas([])).status).toBe('inconclusive');
    expect(judgePlateaus({ ...meas([plateau(0.0101, 1e-15)]), runs: [{ replicate: 0, curve: [], divergedAt: 17, plateaus: [] }] }).status).toBe('inconclusive');
  });

  it('isMatched: ‖∇L‖ ≤ 1e-8 and the critical loss within 10% of the plateau loss (both inclusive)', () => {
    // 0.625 ± 0.0625 are exact in binary (0.1·0.625 rounds to 0.0625): the 10% edges themselves.
    expect(isMatched(plateau(0.6875, 1e-8, 0.625))).toBe(true);
    expect(isMatched(plateau(0.5625, 1e-8, 0.625))).toBe(true);
    expect(isMatched(plateau(0.6875 * (1 + 1e-12), 1e-8, 0.625))).toBe(false);
    expect(isMatched(plateau(0.0111, 1e-9, 0.01))).toBe(false);
    expect(isMatched(plateau(0.0089, 1e-9, 0.01))).toBe(false);
    expect(isMatched(plateau(0.01, 1.0001e-8, 0.01))).toBe(false);
    expect(isMatched(plateau(null, 1e-15, 0.01))).toBe(false);
    expect(isMatched(plateau(0.01, null, 0.01))).toBe(false);
  });

  it('holds iff at least half of all plateaus are matched; the evidence counts them and lists the plateau losses when failing', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.boolean(), { maxLength: 4 }), { minLength: 1, maxLength: 4 }), (perRun) => {
        const runs = perRun.map((ms, r) => ({ replicate: r, curve: [], divergedAt: null, plateaus: ms.map((m, i) => plateau((m ? 1.02 : 2) * (0.01 + 0.001 * i), 1e-14, 0.01 + 0.001 * i)) }));
        const total = perRun.flat().length;
        const matched = perRun.flat().filter(Boolean).length;
        const v = judgePlateaus({ runs, narrow: [], linearFitLoss: 0.0123 });
        expect(v.status).toBe(total === 0 ? 'inconclusive' : matched / total >= 0.5 ? 'holds' : 'fails');
        expect(v.metrics.plateaus).toBe(total);
        expect(v.metrics.matchedByCondensation).toBe(matched);
        expect(v.metrics.fractionMatched).toBe(total ? matched / total : null);
        if (total > 0) expect(v.reason).toContain(`${matched} of ${total} plateaus over ${perRun.length} seeds`);
        if (v.status === 'fails') expect(v.reason).toContain(`affine least-squares loss ${(0.0123).toExponential(3)}`);
      }),
      FC,
    );
  });

  it('counts plateaus near an independently found critical narrow loss (only critical narrow points, within 10%)', () => {
    const ps = [plateau(null, null, 0.01), plateau(null, null, 0.02), plateau(null, null, 0.05)];
    const v = judgePlateaus(meas(ps, [{ width: 1, loss: 0.0105, grad: 1e-9 }, { width: 2, loss: 0.05, grad: 1e-3 }, { width: 3, loss: 0.0181, grad: 1e-10 }]));
    // 0.01 is within 10% of 0.0105; 0.02 is not within 10% of 0.0181 (|0.02 − 0.0181| = 0.0019 > 0.00181); 0.05's narrow point is not critical.
    expect(v.metrics.matchedIndependentNarrowLoss).toBe(1);
    expect(v.status).toBe('fails');
    expect(v.reason).toContain('1 plateaus lie within 10% of an independently found narrow critical loss');
    const d = judgePlateaus({ ...meas(ps), runs: [{ replicate: 4, curve: [], divergedAt: 17, plateaus: [] }] });
    expect(d.reason).toBe('training diverged (seed 4, step 17).');
  });
});
