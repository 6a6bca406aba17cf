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
import { isMatched, judgePlateaus, mainPlateau, type NarrowPoint, type PlateauMeasurements, type PlateauRun } from '../../experiments/embedding/training-plateaus.ts';
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
  const ci = criticalityPreserving.tiers.ci; // polish: true, with a two-hidden-layer case
  // The generic rules on one-hidden-layer runs: the config without its two-hidden-layer case.
  const polish = { ...ci, cases: ci.cases.filter((c: { widths: number[] }) => c.widths.length === 3) };
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

  it('counts the narrow saddles used (negative eigenvalues at a critical narrow point) and names them in the reason', () => {
    const saddle = { ...run(1e-13, [wide({ neg: 2, zero: 2, pos: 3 })]), kind: 'saddle' as const };
    saddle.narrow = { ...saddle.narrow, neg: 2 };
    const minimum = run();
    minimum.narrow = { ...minimum.narrow, neg: 0 };
    const v = judge([minimum, saddle, { ...saddle, narrow: { ...saddle.narrow, grad: 1e-3 } }]);
    expect(v.metrics.narrowSaddlesUsed).toBe(1);
    expect(v.reason).toContain('2 narrow critical points (1 of them saddles;');
    // The rival's shape: output and loss preserved, but the dead-end unit's gradient is 6e-6.
    const r = judge([run(1e-13, [wide({ grad: 6e-6, subspaceError: null, tangentResidual: null, subspaceNeg: null, splits: 0, zero: 1 })])]);
    expect(r.status).toBe('fails');
    expect(r.reason).toContain('an embedded point has ‖∇L‖ = 6.00e-6 > 1e-9');
  });

  it('with a two-hidden-layer case in the config, at least one critical minimum of such a network must be used', () => {
    expect(ci.cases.some((c: { widths: number[] }) => c.widths.length > 3)).toBe(true);
    const deep = (grad: number, kind: 'minimum' | 'saddle' = 'minimum'): CritRun => ({ ...run(grad), widths: [3, 2, 1, 1], kind });
    const searches = [{ widths: [3, 2, 1, 1], replicate: 0, start: 0, grad: 1e-6, loss: 1e-3, maxAbsWeight: 3 }];
    const withSearch = (runs: CritRun[]) => judgeCriticality({ runs, searches } as CritMeasurements, ci);
    const none = withSearch([run(), run()]);
    expect(none.status).toBe('inconclusive');
    expect(none.reason).toBe('no critical point of a network with two hidden layers was found (1 students tried, none reached an isolated critical point: ‖∇L‖ ≤ 1e-11 and no zero Hessian eigenvalue).');
    // A saddle alone (made by splitting a minimum) does not count; a non-critical deep point does not either.
    expect(withSearch([run(), deep(1e-13, 'saddle')]).status).toBe('inconclusive');
    expect(withSearch([run(), run(), deep(1e-3)]).status).toBe('inconclusive');
    const v = withSearch([run(), deep(1e-13), deep(1e-13, 'saddle')]);
    expect(v.status).toBe('holds');
    expect(v.metrics).toMatchObject({ deepPointsUsed: 2, deepMinimaUsed: 1, deepSaddlesFound: 1, searchAttempts: 1, searchFound: 0 });
    expect(v.reason).toContain('2 of networks with two hidden layers, found by Newton from 1 trained students (converged in 0), 1 of those found saddles');
    // The unpolished control is not held to it (it fails on its gradients instead).
    expect(judgeCriticality({ runs: [run(), run()] } as CritMeasurements, { ...ci, polish: false }).status).toBe('holds');
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

describe('embedding.training-plateaus judge', () => {
  type Main = NonNullable<PlateauRun['main']>;
  const span = { start: 141, end: 1413, mid: 447 };
  const point = (over: Partial<NarrowPoint> = {}): NarrowPoint => ({ width: 1, loss: 0.109023, gradNorm: 1e-15, maxAbsParam: 3.75, minUnitActivity: 0.99, accepted: true, hits: 3, theta: [0.0895, 0, 3.747, 0], ...over });
  const main = (over: Partial<Main> = {}): Main => ({ span, loss: 0.11, nearest: 0, distance: 0.002, lossRatio: 1.009, distanceTrace: [], ...over });
  const run = (r: number, m: Main | null = main(), divergedAt: number | null = null): PlateauRun => ({ replicate: r, curve: [], divergedAt, stoppedAt: 1413, plateaus: m ? [m.span] : [], main: m });
  const meas = (runs: PlateauRun[], narrow: NarrowPoint[] = [point()]): PlateauMeasurements => ({ runs, narrow, zeroLoss: 5.145 });
  const five = (m: Main | null = main()) => [0, 1, 2, 3, 4].map((r) => run(r, m));

  it('holds when every seed matches a finite narrow point; names the seeds, the D and loss ranges and the critical losses', () => {
    const v = judgePlateaus(meas(five()));
    expect(v.status).toBe('holds');
    expect(v.reason).toContain('5 of 5 seeds have their main plateau at a finite narrow critical point (D ≤ 2% and loss within 5%');
    expect(v.reason).toContain('D at t* ranges 0.20–0.20%, L(t*)/L_c 1.009–1.009');
    expect(v.reason).toContain('finite narrow critical losses 0.109023 (width 1)');
    expect(v.metrics.seedsMatched).toBe(5);
    expect(v.metrics.fractionMatched).toBe(1);
    expect(v.metrics.distanceRange).toEqual({ min: 0.002, max: 0.002 });
  });

  it('isMatched: D ≤ 2% and |L(t*)/L_c − 1| ≤ 5%, both inclusive; no plateau or no nearest point is not a match', () => {
    // 0.02 and 1 ± 0.05 as doubles: 1.05 − 1 and 1 − 0.95 round to just under and just over 0.05.
    expect(isMatched(run(0, main({ distance: 0.02 })))).toBe(true);
    expect(isMatched(run(0, main({ distance: 0.02 * (1 + 1e-9) })))).toBe(false);
    expect(isMatched(run(0, main({ lossRatio: 1.0499 })))).toBe(true);
    expect(isMatched(run(0, main({ lossRatio: 0.9501 })))).toBe(true);
    expect(isMatched(run(0, main({ lossRatio: 1.0501 })))).toBe(false);
    expect(isMatched(run(0, main({ lossRatio: 0.9499 })))).toBe(false);
    expect(isMatched(run(0, main({ distance: null })))).toBe(false);
    expect(isMatched(run(0, main({ lossRatio: null })))).toBe(false);
    expect(isMatched(run(0, null))).toBe(false);
    expect(isMatched(run(0, main({ distance: NaN })))).toBe(false);
  });

  it('holds iff at least 80% of the seeds match (4 of 5 holds, 3 of 5 fails); a seed without a plateau counts as unmatched', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('match', 'far', 'off-loss', 'none'), { minLength: 3, maxLength: 8 }), (kinds) => {
        const runs = kinds.map((k, r) => run(r, k === 'none' ? null : main(k === 'far' ? { distance: 0.23 } : k === 'off-loss' ? { lossRatio: 12.8 } : {})));
        const matched = kinds.filter((k) => k === 'match').length;
        const v = judgePlateaus(meas(runs));
        expect(v.status).toBe(matched >= 0.8 * kinds.length ? 'holds' : 'fails');
        expect(v.metrics.seedsMatched).toBe(matched);
        expect(v.metrics.seedsWithPlateau).toBe(kinds.filter((k) => k !== 'none').length);
        expect(v.reason.startsWith(`${matched} of ${kinds.length} seeds`)).toBe(true);
        if (v.status === 'fails') expect(v.reason.endsWith(': fewer than 80% of seeds.')).toBe(true);
      }),
      FC,
    );
  });

  it('inconclusive on a diverged run, on fewer than 3 seeds, or with no accepted finite narrow point', () => {
    expect(judgePlateaus(meas([...five(), run(5, null, 17)])).reason).toBe('training diverged (seed 5, step 17).');
    expect(judgePlateaus(meas([run(0), run(1)])).status).toBe('inconclusive');
    expect(judgePlateaus(meas([run(0), run(1), run(2)])).status).toBe('holds');
    const none = judgePlateaus(meas(five(), [point({ accepted: false })]));
    expect(none.status).toBe('inconclusive');
    expect(none.reason).toContain('no finite narrow critical point');
    expect(none.metrics.rejectedNarrowPoints).toBe(1);
  });

  it('the rival\'s shape (plateau at the affine fit, D 23%, loss ratio 12.9) fails', () => {
    const v = judgePlateaus(meas([0, 1, 2].map((r) => run(r, main({ distance: 0.232, lossRatio: 12.85 }))), [point({ loss: 0.00221 })]));
    expect(v.status).toBe('fails');
    expect(v.reason).toContain('0 of 3 seeds');
  });

  it('mainPlateau: the longest plateau in decades, the first of equals; none without plateaus', () => {
    expect(mainPlateau([])).toBeNull();
    const a = { start: 100, end: 1000, mid: 316 };
    const b = { start: 2000, end: 20000, mid: 6325 };
    const c = { start: 3000, end: 40000, mid: 10954 };
    expect(mainPlateau([a, b])).toBe(a);
    expect(mainPlateau([a, c])).toBe(c);
    expect(mainPlateau([c, a])).toBe(c);
  });
});
