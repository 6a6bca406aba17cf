// Exact properties of the over-parameterization judges (experiments/overparam/: conditioning, double descent,
// phase diagram, transition to linearity), fed synthetic measurements. Light: nothing here trains, so it runs under
// mutation testing (vitest.mutation.config.ts). The claims' CI-tier verdicts and the phase-diagram scales stay in
// properties/overparam.test.ts; theory/ has its own exact properties in properties/theory/.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rngFromKey } from '../../core/rng.ts';
import { logLogFit, mean, median } from '../../core/stats.ts';
import { conditioning } from '../../experiments/overparam/conditioning.ts';
import { doubleDescent } from '../../experiments/overparam/double-descent.ts';
import { phaseDiagram, phaseDiagramControl } from '../../experiments/overparam/phase-diagram.ts';
import { transitionToLinearity } from '../../experiments/overparam/transition-to-linearity.ts';
import { plBound } from '../../theory/overparam.ts';
import { FC } from '../helpers.ts';

/** Transition-to-linearity rows for 3 replicates: ‖H‖ = m^p·e^{noise·N(0,1)} (seeded by key), max|v| as given. */
function ttlRows(widths: number[], p: number, noise: number, key: string, maxAbsV: (r: number, m: number) => number, ntk: (m: number) => number = () => 1) {
  const rng = rngFromKey(key);
  return [0, 1, 2].flatMap((r) => widths.map((m) => {
    const h = m ** p * Math.exp(noise * rng.normal());
    return { replicate: r, m, hessPower: h, hessExact: h, maxAbsV: maxAbsV(r, m), ntk: ntk(m), iterations: 10 };
  }));
}

describe('judges on synthetic measurements (moved from properties/overparam.test.ts)', () => {
  it('transition to linearity: m^-1/2 holds, a growing Hessian fails', () => {
    const cfg = transitionToLinearity.tiers.ci;
    const rows = (p: number) =>
      [0, 1, 2].flatMap((r) => cfg.widths.map((m: number) => ({ replicate: r, m, hessPower: (1 + 0.01 * r) * m ** p, hessExact: (1 + 0.01 * r) * m ** p, maxAbsV: 3, ntk: 1, iterations: 10 })));
    expect(transitionToLinearity.judge(rows(-0.45), cfg).status).toBe('holds');
    expect(transitionToLinearity.judge(rows(0.45), cfg).status).toBe('fails');
    const bad = rows(-0.45).map((r, i) => (i === 0 ? { ...r, hessExact: 2 * r.hessExact } : r));
    expect(transitionToLinearity.judge(bad, cfg).status).toBe('inconclusive');
  });

  it('conditioning: a contracting loss holds, a reversed (growing) one fails, NaN is inconclusive', () => {
    const cfg = conditioning.tiers.ci;
    const n = cfg.n;
    const steps = 200;
    const rep = (losses: number[]) => ({
      replicate: 0,
      lambdaMinByWidth: [1, 1, 1],
      lambdaMaxByWidth: [4, 4, 4],
      eta: 0.5 / (4 / n),
      losses,
      checkpoints: [0, 100, 200].map((step) => ({ step, lambdaMinK: 1, lambdaMaxK: 4, beta: 4 / n })),
    });
    // Linear model: residual contracts by (1 − ηλ/n) per step in every eigen-direction.
    const good = Array.from({ length: steps + 1 }, (_, t) => (1 - (0.5 / 4) * 1) ** (2 * t));
    expect(conditioning.judge({ replicates: [rep(good)], n }, cfg).status).toBe('holds');
    expect(conditioning.judge({ replicates: [rep([...good].reverse())], n }, cfg).status).toBe('fails');
    expect(conditioning.judge({ replicates: [rep([1, 0.5, NaN])], n }, cfg).status).toBe('inconclusive');
  });

  it('double descent: a peak at N = n holds, a monotone curve fails', () => {
    const cfg = doubleDescent.tiers.ci;
    const peak = cfg.Ns.map((N: number) => (N === cfg.n ? 50 : 0.2));
    const mono = cfg.Ns.map((N: number) => 1 / N);
    const rep = (mse: number[]) => ({ replicate: 0, testMse: mse, coefNorm: mse, trainResidual: mse.map(() => 0) });
    expect(doubleDescent.judge({ replicates: [rep(peak), rep(peak)] }, cfg).status).toBe('holds');
    expect(doubleDescent.judge({ replicates: [rep(mono), rep(mono)] }, cfg).status).toBe('fails');
  });

  it('phase diagram: the predicted slopes hold, swapped regimes fail', () => {
    const cfg = phaseDiagram.tiers.ci;
    const slopes = [-0.5, 0, 0.4, -0.25];
    const rows = (order: number[]) =>
      cfg.regimes.flatMap((_: unknown, g: number) =>
        [0, 1, 2].flatMap((r) => cfg.widths.map((m: number) => ({ regime: g, replicate: r, m, rd: (g === 2 ? 5 : 1) * (1 + 0.02 * r) * m ** slopes[order[g]!]!, loss0: 0.02, finalLoss: g === 2 ? 0.008 : 1e-6, steps: 100, diverged: false }))),
      );
    expect(phaseDiagram.judge({ rows: rows([0, 1, 2, 3]), directions: [] }, cfg).status).toBe('holds');
    expect(phaseDiagram.judge({ rows: rows([2, 1, 0, 3]), directions: [] }, cfg).status).toBe('fails');
  });
});

describe('optimization.transition-to-linearity judge', () => {
  const cfg = transitionToLinearity.tiers.ci;
  const widths: number[] = cfg.widths;
  const rows = (p: number, noise: number, key: string, ntk?: (m: number) => number) => ttlRows(widths, p, noise, key, () => 3, ntk);

  it('holds iff the fitted exponent is in [−0.55, −0.30] with its interval below 0 and Θ(x,x) varies ≤ 2×; the reason names the fit', () => {
    fc.assert(
      fc.property(fc.double({ min: -0.8, max: 0.3, noNaN: true }), fc.double({ min: 0, max: 0.5, noNaN: true }), fc.double({ min: 1, max: 3, noNaN: true }), fc.nat(1e6), (p, noise, ntkTop, seed) => {
        const rs = rows(p, noise, `ttl/${seed}`, (m) => (m === widths.at(-1) ? ntkTop : 1));
        const fit = logLogFit(rs.map((r) => r.m), rs.map((r) => r.hessPower));
        const inBand = fit.slope >= -0.55 && fit.slope <= -0.3 && fit.ci.hi < 0;
        const v = transitionToLinearity.judge(rs, cfg);
        expect(v.status).toBe(inBand && ntkTop <= 2 ? 'holds' : 'fails');
        expect(v.metrics.hessianSlope).toEqual({ value: fit.slope, lo: fit.ci.lo, hi: fit.ci.hi });
        expect(v.metrics.ntkRatio).toBeCloseTo(ntkTop, 12);
        expect(v.reason).toContain(`fitted exponent ${fit.slope.toFixed(3)} [${fit.ci.lo.toFixed(3)}, ${fit.ci.hi.toFixed(3)}]`);
        if (!inBand) expect(v.reason).toContain('is outside [-0.55, -0.3] or its interval reaches 0');
        if (ntkTop > 2) expect(v.reason).toContain(`Θ(x,x) changes by a factor ${ntkTop.toFixed(2)} across widths (> 2)`);
      }),
      FC,
    );
  });

  it('exact laws just inside and just outside the exponent band; the Θ ratio 2 passes, just above fails', () => {
    const st = (p: number, ntkTop = 1) => transitionToLinearity.judge(rows(p, 0, 'exact', (m) => (m === widths[0] ? ntkTop : 1)), cfg).status;
    expect(st(-0.549)).toBe('holds');
    expect(st(-0.301)).toBe('holds');
    expect(st(-0.551)).toBe('fails');
    expect(st(-0.299)).toBe('fails');
    expect(st(-0.45, 2)).toBe('holds');
    expect(st(-0.45, 2.0001)).toBe('fails');
    expect(st(-0.45, 0.5)).toBe('holds'); // min is the denominator: 1/0.5 = 2
    expect(st(-0.45, 0.4999)).toBe('fails');
  });

  it('power iteration must agree with the closed-form norm to 2% relative, else the measurement is untrusted (inconclusive)', () => {
    const rs = rows(-0.45, 0.05, 'gap');
    const withGap = (g: number) => transitionToLinearity.judge(rs.map((r, i) => (i === 4 ? { ...r, hessExact: r.hessPower / (1 + g) } : r)), cfg);
    expect(withGap(0.0199).status).toBe('holds');
    const v = withGap(0.0201);
    expect(v.status).toBe('inconclusive');
    expect(v.reason).toContain(`disagrees with the closed-form block norm by ${(0.0201).toExponential(2)} (> 0.02)`);
    expect(withGap(-0.0201).status).toBe('inconclusive'); // |power − exact|, either sign
    expect(withGap(-0.0199).status).toBe('holds');
  });
});

describe('optimization.conditioning judge (PL* rate)', () => {
  const cfg = conditioning.tiers.ci;
  const n = cfg.n;
  const T = 100;
  interface Rep { replicate: number; lambdaMinByWidth: number[]; lambdaMaxByWidth: number[]; eta: number; losses: number[]; checkpoints: { step: number; lambdaMinK: number; lambdaMaxK: number; beta: number }[] }
  /** A run that follows the PL* bound with μ = λ/n, times `factor(t)`; η·β = etaBeta at every checkpoint. */
  const rep = (o: { lam?: number[]; path?: number[]; factor?: (t: number) => number; etaBeta?: number; lamByWidth?: number[] } = {}): Rep => {
    const path = o.path ?? [1, 1, 1];
    const eta = 2;
    const mu = Math.min(...path) / n;
    const beta = (o.etaBeta ?? 0.5) / eta;
    return {
      replicate: 0,
      lambdaMinByWidth: o.lamByWidth ?? [1, 1, 1],
      lambdaMaxByWidth: [4, 4, 4],
      eta,
      losses: Array.from({ length: T + 1 }, (_, t) => (1 - eta * mu) ** t * (o.factor?.(t) ?? 1)),
      checkpoints: path.map((l, i) => ({ step: i * 50, lambdaMinK: l, lambdaMaxK: 4, beta })),
    };
  };
  const judge = (...reps: Rep[]) => conditioning.judge({ replicates: reps, n }, cfg);

  it('the bound has a 5% slack: a loss at 1.05× the bound passes, just above it fails at that step', () => {
    expect(judge(rep()).status).toBe('holds');
    expect(judge(rep({ factor: (t) => (t === 30 ? 1.05 : 1) })).status).toBe('holds');
    const v = judge(rep({ factor: (t) => (t >= 30 && t <= 31 ? 1.0501 : 1) }));
    expect(v.status).toBe('fails');
    expect(v.reason).toContain('at step 30');
    expect(v.metrics.violationStep).toEqual([30]);
    expect((v.metrics.worstLossOverBound as number[])[0]).toBeCloseTo(1.0501, 9);
  });

  it('λ_min(K₀) must stay ≥ half the widest width\'s value (0.5 passes, just below fails) and positive', () => {
    expect(judge(rep({ lamByWidth: [0.5, 0.8, 1] })).status).toBe('holds');
    const v = judge(rep({ lamByWidth: [0.4999, 0.8, 1] }));
    expect(v.status).toBe('fails');
    expect(v.reason).toContain('smallest width-mean is 0.500 of the widest one\'s (< 0.5)');
    expect(v.metrics.lambdaMinRatioToWidest).toBeCloseTo(0.4999, 12);
    // The mean over replicates decides, not one replicate.
    expect(judge(rep({ lamByWidth: [0.3, 1, 1] }), rep({ lamByWidth: [0.7, 1, 1] })).status).toBe('holds');
    expect(judge(rep({ lamByWidth: [-1, 1, 0] })).status).toBe('fails');
  });

  it('conditioning along the path: min λ_min(K_t)/λ_min(K_0) must exceed 0.9 (0.9 itself fails)', () => {
    expect(judge(rep({ path: [1, 0.9001, 1] })).status).toBe('holds');
    const v = judge(rep({ path: [1, 0.9, 1] }));
    expect(v.status).toBe('fails');
    expect(v.reason).toContain('min_t λ_min(K_t)/λ_min(K_0) = 0.900 ≤ 0.9');
  });

  it('the step condition η·β ≤ 1 (1 passes, above is inconclusive); a slow run is not converged (inconclusive)', () => {
    expect(judge(rep({ etaBeta: 1 })).status).toBe('holds');
    const v = judge(rep({ etaBeta: 1.01 }));
    expect(v.status).toBe('inconclusive');
    expect(v.reason).toContain('ηβ = 1.01');
    // Final loss ratio must be < 1e-2: a run that contracts more slowly than that is inconclusive, never "holds".
    const slowLam = -Math.log(1e-2) / T / 2; // (1 − 2·λ/n)^T ≈ e^(−2λT/n) > 1e-2 for this λ·n
    const slow = rep({ path: [slowLam * n * 0.5, slowLam * n * 0.5, slowLam * n * 0.5], lamByWidth: [1, 1, 1] });
    const s = judge(slow);
    expect(s.status).toBe('inconclusive');
    expect(s.reason).toContain('not converged');
    expect((s.metrics.finalLossRatio as number[])[0]).toBeGreaterThanOrEqual(1e-2);
  });

  it('a bound violation is "fails" even when a later loss is non-finite; a non-finite loss before it is inconclusive', () => {
    const broken = rep({ factor: (t) => (t === 10 ? 2 : t === 50 ? NaN : 1) });
    expect(judge(broken).status).toBe('fails');
    const nan = rep({ factor: (t) => (t === 10 ? NaN : t === 50 ? 2 : 1) });
    const v = judge(nan);
    expect(v.status).toBe('inconclusive');
    expect(v.reason).toBe('the loss became non-finite at step 10 before any bound violation.');
  });
});

describe('generalization.double-descent judge', () => {
  const cfg = doubleDescent.tiers.ci;
  const Ns: number[] = cfg.Ns;
  const j = Ns.indexOf(cfg.n);
  const rep = (mse: number[], norm = mse) => ({ replicate: 0, testMse: mse, coefNorm: norm, trainResidual: mse.map(() => 0) });
  /** Test MSE 1 at both ends, `peak` at N = n, 0.5 elsewhere. */
  const curve = (peak: number) => Ns.map((_, k) => (k === j ? peak : k === 0 || k === Ns.length - 1 ? 1 : 0.5));

  it('the peak must exceed 5× the larger end in every seed (5 itself fails) and be the argmax of the medians', () => {
    expect(doubleDescent.judge({ replicates: [rep(curve(5.0001)), rep(curve(50))] }, cfg).status).toBe('holds');
    const v = doubleDescent.judge({ replicates: [rep(curve(5)), rep(curve(50))] }, cfg);
    expect(v.status).toBe('fails');
    expect(v.reason).toContain('test MSE at N = n is only 5.00× the larger end for some seed (needs > 5)');
    expect(v.metrics.peakRatio).toEqual([5, 50]);
  });

  it('follows the three declared checks on random curves', () => {
    const arbCurve = fc.array(fc.double({ min: 0.01, max: 100, noNaN: true }), { minLength: Ns.length, maxLength: Ns.length });
    fc.assert(
      fc.property(fc.array(fc.tuple(arbCurve, arbCurve), { minLength: 1, maxLength: 4 }), (reps) => {
        const m = { replicates: reps.map(([mse, nrm]) => rep(mse, nrm)) };
        const ratios = reps.map(([mse]) => mse[j]! / Math.max(mse[0]!, mse.at(-1)!));
        const med = Ns.map((_, k) => median(reps.map(([mse]) => mse[k]!)));
        const normMed = Ns.map((_, k) => median(reps.map(([, nrm]) => nrm[k]!)));
        const ok = Math.min(...ratios) > 5 && med.indexOf(Math.max(...med)) === j && normMed.indexOf(Math.max(...normMed)) === j;
        const v = doubleDescent.judge(m, cfg);
        expect(v.status).toBe(ok ? 'holds' : 'fails');
        expect(v.metrics.peakRatioMin).toBe(Math.min(...ratios));
        expect(v.metrics.argmaxMedianMse).toBe(Ns[med.indexOf(Math.max(...med))]);
      }),
      FC,
    );
  });

  it('a coefficient norm peaking elsewhere, or a median MSE peaking elsewhere, fails with the N named', () => {
    const normElsewhere = curve(50).map((v, k) => (k === 1 ? 100 : v));
    const v = doubleDescent.judge({ replicates: [rep(curve(50), normElsewhere)] }, cfg);
    expect(v.status).toBe('fails');
    expect(v.reason).toContain(`the coefficient norm peaks at N = ${Ns[1]}, not n = ${cfg.n}`);
    const mseElsewhere = curve(50).map((v, k) => (k === 1 ? 60 : v));
    const w = doubleDescent.judge({ replicates: [rep(mseElsewhere, curve(50))] }, cfg);
    expect(w.status).toBe('fails');
    expect(w.reason).toContain(`the median test MSE peaks at N = ${Ns[1]}, not n = ${cfg.n}`);
    expect(() => doubleDescent.judge({ replicates: [rep(curve(50))] }, { ...cfg, n: 7 })).toThrow(/Ns must include n = 7/);
  });
});

describe('phase-diagram.regimes judge', () => {
  const cfg = phaseDiagram.tiers.ci;
  const widths: number[] = cfg.widths;
  type Spec = { gamma: number; gammaPrime: number; predicted: string };
  type Row = { regime: number; replicate: number; m: number; rd: number; loss0: number; finalLoss: number; steps: number; diverged: boolean };
  const makeRows = (slopes: number[], noise: number, key: string, scale: (g: number) => number = () => 5, finalLoss: (g: number) => number = () => 1e-6): Row[] => {
    const rng = rngFromKey(key);
    return slopes.flatMap((p, g) => [0, 1, 2].flatMap((r) => widths.map((m) => ({ regime: g, replicate: r, m, rd: scale(g) * m ** p * Math.exp(noise * rng.normal()), loss0: 0.02, finalLoss: finalLoss(g), steps: 100, diverged: false }))));
  };
  /** The declared regime rules (phase-diagram.ts): critical first, then linear, then condensed. */
  const classify = (lo: number, hi: number, rdMin: number) => (lo >= -0.15 && hi <= 0.15 ? 'critical' : hi < 0 ? 'linear' : lo > 0 && rdMin > 1 ? 'condensed' : 'unclear');

  it('each regime is classified from its RD slope interval and compared with the prediction', () => {
    const specs = cfg.regimes as Spec[];
    fc.assert(
      fc.property(fc.array(fc.double({ min: -0.7, max: 0.6, noNaN: true }), { minLength: specs.length, maxLength: specs.length }), fc.double({ min: 0, max: 0.3, noNaN: true }), fc.double({ min: 0.2, max: 5, noNaN: true }), fc.nat(1e6), (slopes, noise, scale, seed) => {
        const rows = makeRows(slopes, noise, `pd/${seed}`, () => scale, (g) => (g === 2 ? 0.01 : 1e-6));
        const observed = specs.map((_, g) => {
          const rs = rows.filter((r) => r.regime === g);
          const fit = logLogFit(rs.map((r) => r.m), rs.map((r) => r.rd));
          return { obs: classify(fit.ci.lo, fit.ci.hi, Math.min(...rs.map((r) => r.rd))), fit, rs };
        });
        const fitted = observed.map(({ obs, rs }) => rs.every((r) => (obs === 'condensed' ? r.finalLoss < 0.9 * r.loss0 : r.finalLoss < 1e-4)));
        const wrong = observed.some(({ obs }, g) => obs !== 'unclear' && obs !== specs[g]!.predicted);
        const want = wrong ? 'fails' : fitted.includes(false) ? 'inconclusive' : observed.some(({ obs }) => obs === 'unclear') ? 'inconclusive' : 'holds';
        const v = phaseDiagram.judge({ rows, directions: [] }, cfg);
        expect(v.status).toBe(want);
        const reg = v.metrics.regimes as { observed: string; predicted: string; rdSlope: unknown }[];
        observed.forEach(({ obs, fit }, g) => {
          expect(reg[g]!.observed).toBe(obs);
          expect(reg[g]!.predicted).toBe(specs[g]!.predicted);
          expect(reg[g]!.rdSlope).toEqual({ value: fit.slope, lo: fit.ci.lo, hi: fit.ci.hi });
        });
      }),
      { ...FC, numRuns: 60 },
    );
  });

  it('band and sign boundaries: an interval inside [−0.15, 0.15] is critical, one below 0 linear, one above 0 with RD > 1 condensed', () => {
    const one = { ...cfg, regimes: [{ gamma: 1, gammaPrime: 0, eta0: 1, predicted: 'critical' }] };
    const obs = (p: number, scale = 5, noise = 0) => (phaseDiagram.judge({ rows: makeRows([p], noise, 'pd-b', () => scale, () => 1e-6), directions: [] }, one).metrics.regimes as { observed: string }[])[0]!.observed;
    expect(obs(0.149)).toBe('critical');
    expect(obs(-0.149)).toBe('critical');
    expect(obs(-0.151)).toBe('linear');
    expect(obs(0.151)).toBe('condensed');
    expect(obs(0.151, 1 / 100 ** 0.151)).toBe('unclear'); // RD = 1 at the narrowest width: not > 1
    expect(obs(0.151, 1.0001 / 100 ** 0.151)).toBe('condensed');
    expect(obs(0.3, 5, 0.8)).toBe('unclear'); // a noisy interval straddling 0 and leaving the band
  });

  it('a diverged or unfitted run makes an otherwise matching diagram inconclusive; condensed runs need only L < 0.9·L₀', () => {
    const slopes = [-0.5, 0, 0.4, -0.25];
    const base = makeRows(slopes, 0.02, 'pd-fit', (g) => (g === 2 ? 5 : 1), (g) => (g === 2 ? 0.9 * 0.02 * 0.999 : 1e-6));
    expect(phaseDiagram.judge({ rows: base, directions: [] }, cfg).status).toBe('holds');
    const at = (i: number, over: Partial<Row>) => base.map((r, k) => (k === i ? { ...r, ...over } : r));
    const condensedRow = base.findIndex((r) => r.regime === 2);
    expect(phaseDiagram.judge({ rows: at(condensedRow, { finalLoss: 0.9 * 0.02 }), directions: [] }, cfg).status).toBe('inconclusive');
    const linearRow = base.findIndex((r) => r.regime === 0);
    expect(phaseDiagram.judge({ rows: at(linearRow, { finalLoss: 1e-4 }), directions: [] }, cfg).status).toBe('inconclusive');
    expect(phaseDiagram.judge({ rows: at(linearRow, { finalLoss: 0.99e-4 }), directions: [] }, cfg).status).toBe('holds');
    const d = phaseDiagram.judge({ rows: at(linearRow, { diverged: true }), directions: [] }, cfg);
    expect(d.status).toBe('inconclusive');
    expect(d.reason).toContain('training did not reach its target at γ=0.5');
  });

  it('the all-lazy control: predicting "linear" where the slopes say critical / condensed fails, naming the regimes', () => {
    const ccfg = phaseDiagramControl.tiers.ci;
    const rows = makeRows([0, 0.4], 0.02, 'pd-lazy', (g) => (g === 1 ? 5 : 1), (g) => (g === 1 ? 0.01 : 1e-6));
    const v = phaseDiagramControl.judge({ rows, directions: [] }, ccfg);
    expect(v.status).toBe('fails');
    expect(v.reason).toMatch(/^Regime mismatch: γ=1, γ'=0: slope -?0\.0\d\d \[.*\] → critical \(predicted linear\); γ=1\.75, γ'=0: slope 0\.4\d\d \[.*\] → condensed \(predicted linear\)\.$/);
  });
});

describe('optimization.transition-to-linearity judge: reported metrics and evidence', () => {
  const cfg = transitionToLinearity.tiers.ci;
  const widths: number[] = cfg.widths;
  const rows = (p: number, noise: number, key: string, ntk?: (m: number) => number) =>
    ttlRows(widths, p, noise, key, (r, m) => 2 + r + 0.1 * Math.log(m), ntk);

  it('per width: the median ‖H‖ and the mean of √m·‖H‖/max|v| are reported', () => {
    fc.assert(
      fc.property(fc.double({ min: -0.8, max: 0.3, noNaN: true }), fc.double({ min: 0.01, max: 0.5, noNaN: true }), fc.nat(1e6), (p, noise, seed) => {
        const rs = rows(p, noise, `ttl-m/${seed}`);
        const v = transitionToLinearity.judge(rs, cfg);
        const of = (m: number) => rs.filter((r) => r.m === m);
        expect(v.metrics.hessianNormMedian).toEqual(widths.map((m) => median(of(m).map((r) => r.hessPower))));
        expect(v.metrics.sqrtMHessOverMaxV).toEqual(widths.map((m) => mean(of(m).map((r) => (Math.sqrt(m) * r.hessPower) / r.maxAbsV))));
        expect(v.metrics.powerVsExactMaxRelGap).toBe(0);
      }),
      { ...FC, numRuns: 30 },
    );
  });

  it('a power-vs-exact gap of exactly 2% is trusted; exponents exactly at the band ends are inside', () => {
    const rs = rows(-0.45, 0, 'gap-exact');
    // (51 − 50)/50 = 0.02 exactly in floating point (and stays so under a power-of-two scale).
    const edge = rs.map((r, i) => (i === 0 ? { ...r, hessPower: 51 / 8, hessExact: 50 / 8 } : r));
    const v = transitionToLinearity.judge(edge, cfg);
    expect(v.metrics.powerVsExactMaxRelGap).toBe(0.02);
    expect(v.status).not.toBe('inconclusive');
    for (const p of [-0.55, -0.3]) {
      const exact = rows(p, 0, 'edge');
      const fit = logLogFit(exact.map((r) => r.m), exact.map((r) => r.hessPower));
      expect(fit.slope).toBe(p); // the exact power law fits to the band end itself
      expect(fit.ci.hi).toBeLessThan(0);
      expect(transitionToLinearity.judge(exact, cfg).status).toBe('holds');
    }
  });

  it('an exponent inside the band whose interval reaches 0 fails', () => {
    let found = 0;
    for (let seed = 0; seed < 400 && found < 3; seed++) {
      const rs = rows(-0.42, 1.5, `ttl-wide/${seed}`);
      const fit = logLogFit(rs.map((r) => r.m), rs.map((r) => r.hessPower));
      if (!(fit.slope >= -0.55 && fit.slope <= -0.3 && fit.ci.hi >= 0)) continue;
      found++;
      const v = transitionToLinearity.judge(rs, cfg);
      expect(v.status).toBe('fails');
      expect(v.reason).toContain('or its interval reaches 0');
    }
    expect(found).toBe(3);
  });

  it('the evidence: the band and the Θ ratio when it holds; only the failing checks, joined by "; ", when it fails', () => {
    const ok = transitionToLinearity.judge(rows(-0.45, 0.02, 'ev'), cfg);
    expect(ok.status).toBe('holds');
    expect(ok.reason).toMatch(/^\|\|H_f\|\| ~ m\^p with fitted exponent -0\.4\d\d \[.*\], inside \[-0\.55, -0\.3\]; Θ\(x,x\) stays O\(1\) across widths \(max\/min 1\.00 ≤ 2\)\.$/);
    const ntkOnly = transitionToLinearity.judge(rows(-0.45, 0.02, 'ev', (m) => (m === widths[0] ? 3 : 1)), cfg);
    expect(ntkOnly.status).toBe('fails');
    expect(ntkOnly.reason.startsWith('No transition to linearity: Θ(x,x) changes by a factor 3.00 across widths (> 2).')).toBe(true);
    const up = rows(0.2, 0.02, 'ev');
    const fit = logLogFit(up.map((r) => r.m), up.map((r) => r.hessPower));
    const slopeOnly = transitionToLinearity.judge(up, cfg);
    expect(slopeOnly.reason.startsWith(`No transition to linearity: fitted exponent ${fit.slope.toFixed(3)} [${fit.ci.lo.toFixed(3)}, ${fit.ci.hi.toFixed(3)}] is outside [-0.55, -0.3] or its interval reaches 0.`)).toBe(true);
    const both = transitionToLinearity.judge(rows(0.2, 0.02, 'ev', (m) => (m === widths[0] ? 3 : 1)), cfg);
    expect(both.reason).toContain('or its interval reaches 0; Θ(x,x) changes by a factor 3.00');
  });
});

describe('optimization.conditioning judge: reported metrics, worst run decides, exact thresholds', () => {
  const cfg = conditioning.tiers.ci;
  const n = cfg.n;
  const T = 100;
  interface Rep { replicate: number; lambdaMinByWidth: number[]; lambdaMaxByWidth: number[]; eta: number; losses: number[]; checkpoints: { step: number; lambdaMinK: number; lambdaMaxK: number; beta: number }[] }
  /** A run at `l0·(1 − ημ)^t·factor(t)`, μ = min(path)/n, with η·β_k = etaBetas[k] at checkpoint k. */
  const rep = (o: { eta?: number; l0?: number; path?: number[]; etaBetas?: number[]; factor?: (t: number) => number; lamByWidth?: number[]; lamMaxByWidth?: number[] } = {}): Rep => {
    const eta = o.eta ?? 2;
    const path = o.path ?? [1, 1, 1];
    const mu = Math.min(...path) / n;
    const etaBetas = o.etaBetas ?? path.map(() => 0.5);
    return {
      replicate: 0,
      lambdaMinByWidth: o.lamByWidth ?? [1, 1, 1],
      lambdaMaxByWidth: o.lamMaxByWidth ?? [4, 4, 4],
      eta,
      losses: Array.from({ length: T + 1 }, (_, t) => (o.l0 ?? 1) * (1 - eta * mu) ** t * (o.factor?.(t) ?? 1)),
      checkpoints: path.map((l, i) => ({ step: i * 50, lambdaMinK: l, lambdaMaxK: 4, beta: etaBetas[i]! / eta })),
    };
  };
  const judge = (...reps: Rep[]) => conditioning.judge({ replicates: reps, n }, cfg);

  it('every metric is the declared per-run / per-width arithmetic; the evidence names the ratio, widths, worst ratio and conditioning', () => {
    const a = rep({ eta: 2, l0: 3, path: [1, 0.95, 1.2], etaBetas: [0.3, 0.7, 0.5], lamByWidth: [0.8, 1.2, 1.6], lamMaxByWidth: [3, 4, 5], factor: (t) => (t === 20 ? 1.04 : 1) });
    const b = rep({ eta: 1.5, l0: 0.5, path: [2, 2.2, 1.9], etaBetas: [0.2, 0.1, 0.4], lamByWidth: [1, 1.4, 2], lamMaxByWidth: [5, 6, 9], factor: (t) => (t === 40 ? 1.02 : 1) });
    const v = judge(a, b);
    expect(v.status).toBe('holds');
    const lamMin = [0, 1, 2].map((j) => mean([a, b].map((r) => r.lambdaMinByWidth[j]!)));
    const cond = [0.95 / 1, 1.9 / 2];
    const worst = [a, b].map((r) => Math.max(...r.losses.map((l, t) => l / plBound(r.losses[0]!, r.eta, Math.min(...r.checkpoints.map((c) => c.lambdaMinK)) / n, t))));
    expect(v.metrics).toEqual({
      widths: cfg.widths,
      lambdaMinK0Mean: lamMin,
      lambdaMaxK0Mean: [0, 1, 2].map((j) => mean([a, b].map((r) => r.lambdaMaxByWidth[j]!))),
      lambdaMinRatioToWidest: Math.min(...lamMin) / lamMin[2]!,
      eta: [2, 1.5],
      mu: [0.95 / n, 1.9 / n],
      conditioningAlongPath: cond,
      maxEtaBeta: [a, b].map((r) => Math.max(...r.checkpoints.map((c) => r.eta * c.beta))),
      worstLossOverBound: worst,
      finalLossRatio: [a, b].map((r) => r.losses[T]! / r.losses[0]!),
      violationStep: [null, null],
      stepsRun: [T, T],
    });
    expect((v.metrics.maxEtaBeta as number[])[0]).toBeCloseTo(0.7, 12);
    expect((v.metrics.finalLossRatio as number[])[0]).toBeCloseTo((1 - (2 * 0.95) / n) ** T, 12);
    expect(worst[0]).toBeCloseTo(1.04, 12);
    expect(worst[1]).toBeCloseTo(1.02, 12);
    expect(v.reason).toContain(`λ_min(K₀) stays ≥ ${(Math.min(...lamMin) / lamMin[2]!).toFixed(2)}× the widest net's value across widths ${cfg.widths.join('/')}`);
    expect(v.reason).toContain('across widths 64/256/1024;');
    expect(v.reason).toContain(`(η = ${cfg.etaFactor}/β) stayed under 1.05·(1 − ημ)^t·L₀ (worst ratio ${Math.max(...worst).toFixed(3)}), conditioning along the path ≥ ${Math.min(...cond).toFixed(3)}.`);
    expect(v.reason).toContain('(worst ratio 1.040)');
  });

  it('the worst run decides each check: conditioning (min), step condition (max ηβ), convergence (max final ratio)', () => {
    const badCond = judge(rep(), rep({ path: [1, 0.85, 1] }));
    expect(badCond.status).toBe('fails');
    expect(badCond.reason).toContain('min_t λ_min(K_t)/λ_min(K_0) = 0.850 ≤ 0.9');
    const bigStep = judge(rep(), rep({ etaBetas: [0.5, 1.01, 0.5] }));
    expect(bigStep.status).toBe('inconclusive');
    expect(bigStep.reason).toContain('ηβ = 1.01');
    const slowLam = 8 * (1 - 0.02 ** (1 / T)); // (1 − 2·λ/16)^100 = 0.02
    const slow = rep({ path: [slowLam, slowLam, slowLam] });
    const s = judge(rep(), slow);
    expect(s.status).toBe('inconclusive');
    expect(s.reason).toContain(`not converged: the loss fell only to ${(slow.losses[T]! / slow.losses[0]!).toExponential(2)} of its start within ${cfg.steps} steps`);
    // A final ratio of exactly 1e-2 is not converged (the rule is "< 1e-2").
    const edge = { ...slow, losses: slow.losses.map((l, t) => (t === T ? 0.01 : l)) };
    const e = judge(edge);
    expect((e.metrics.finalLossRatio as number[])[0]).toBe(0.01);
    expect(e.status).toBe('inconclusive');
  });

  it('λ_min(K₀) must be positive at every width, even when the ratio to the widest passes', () => {
    // Means −1, 1, −1.5: the ratio min/widest = 1 ≥ 0.5, but two widths are not positive.
    const v = judge(rep({ lamByWidth: [-1, 1, -1.5] }));
    expect(v.metrics.lambdaMinRatioToWidest).toBe(1);
    expect(v.status).toBe('fails');
    expect(v.reason).toContain('λ_min(K) is not bounded away from 0 as width grows');
  });
});
