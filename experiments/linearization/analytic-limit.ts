// ntk.analytic-limit (its NNGP rival and its convention control): the empirical NTK at initialization approaches the analytic
// infinite-width NTK, with relative Frobenius error falling like width^(−1/2) (brief §3.5 and P3.1; Jacot et al. 2018).
import { defineClaim, type AnyClaim, type FigureSpec, type RunContext, type Verdict } from '../../core/claim.ts';
import { mean } from '../../core/stats.ts';
import { initMlp, type Mat } from '../../theory/mlp.ts';
import { analyticKernels, type AnalyticActivation } from '../../theory/ntk-analytic.ts';
import { empiricalNtk } from '../../theory/ntk.ts';
import { prefixMlp } from './prefix.ts';
import { bandStatus, fmtEst, logLogFigure, replicateExponent } from './scaling.ts';

interface ActivationSetting {
  activation: AnalyticActivation;
  sigmaW: number;
  sigmaB: number;
}

export interface AnalyticLimitConfig {
  replicates: number;
  widths: number[];
  /** Hidden Dense+activation blocks. */
  depth: number;
  d: number;
  nPoints: number;
  settings: ActivationSetting[];
  /**
   * Control only: compare with the analytic kernel of inputs NOT divided by d_in (x·x′ instead of x·x′/d), the
   * convention slip neural-tangents' `_cov` guards against. The error should then stop falling with width.
   */
  wrongInputScaling: boolean;
  /**
   * The analytic kernel compared with the empirical NTK: the NTK (the claim), or the NNGP kernel (a rival: the kernel
   * of training only the readout, K = E[f f′], which the empirical NTK would approach if the hidden layers' tangent
   * features vanished with width; Lee et al. 2019 §2.3–2.4, brief §3.5).
   */
  against: 'ntk' | 'nngp';
}

export interface AnalyticLimitMeasurements {
  /** errors[s][r][w]: setting s, replicate r, width index w: relative Frobenius error ‖Θ̂ − Θ‖/‖Θ‖. */
  widths: number[];
  errors: number[][][];
}

const PREDICTED = -0.5; // CLT: Θ̂_0 is an average over n units, so its fluctuation is O(n^(−1/2))
const BAND: [number, number] = [-0.75, -0.35]; // brief P3.1's calibrated slope range (float64 runs: −0.5 to −0.6)
// The interval that must contain −0.5 is a 99% one (exclusion of 0 and "fails" keep the 95% one). With two settings that must both contain the prediction, 95%
// intervals miss in ~1 − 0.95² ≈ 10% of seeds even when the law is exact and the estimator unbiased, and that is what
// was seen: the 95% rule held in 17/20 calibration master seeds 1–20 (and 17/20 audit seeds), each miss an estimate
// inside the band whose interval just excluded −0.5. The estimates are unbiased at these widths: over seeds 1–20 the
// exponent ranged −0.59…−0.40 (ReLU, mean −0.48) and −0.57…−0.37 (erf, mean −0.50), so more replicates would not help
// (they shrink the interval at the same coverage). 99% per setting (~2% misses for both) held in 20/20 of seeds 1–20.
// The band on the estimate, the exclusion of 0 and the "fails" rule are unchanged; the control (no 1/d_in scaling,
// exponent ≈ 0) failed in 20/20 of seeds 1–20. Audit seeds 20261124–43: 19/20 (20261128: ReLU −0.43, 99% interval
// [−0.494, −0.364]), control 20/20. (Those counts are for CI widths 64–1024; see the tiers for the 32–512 ladder now used.)
const CONTAINMENT_LEVEL = 0.99;
// CI widths 32–512 (five widths, four octaves, as before) instead of 64–1024 (issue 19, CI time): the draw of the
// widest network (d·n + n² + n normals per setting and replicate) was most of the check's CPU, so halving the widest
// width cuts it about 4× (2.1 s → 0.6 s for the claim, 0.65 → 0.2 s per rival). Re-audited, nothing else moved:
// calibration master seeds 1–20 held 19/20 (seed 3: erf −0.376, 99% interval [−0.460, −0.293] misses −0.5: the
// slightly shallower erf slope of narrow nets), both rivals failed 20/20; audit seeds 20261124–43 held 20/20, rivals
// failed 20/20 (flake-lin.json). At the default seed: ReLU −0.475 [−0.617, −0.332], erf −0.513 [−0.575, −0.450].
// The full tier keeps 128–4096.

function frobRel(a: Mat, b: Mat): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.data.length; i++) {
    num += (a.data[i]! - b.data[i]!) ** 2;
    den += b.data[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

function run(cfg: AnalyticLimitConfig, ctx: RunContext): AnalyticLimitMeasurements {
  const errors: number[][][] = cfg.settings.map(() => []);
  let done = 0;
  for (const r of ctx.replicates) {
    const xr = ctx.rng(r, 'points');
    const X: Mat = { rows: cfg.nPoints, cols: cfg.d, data: xr.normals(cfg.nPoints * cfg.d) };
    const Xa = cfg.wrongInputScaling ? { ...X, data: X.data.map((v) => v * Math.sqrt(cfg.d)) } : X;
    const analytic = cfg.settings.map((s) => analyticKernels({ ...s, depth: cfg.depth }, Xa)[cfg.against]);
    const maxW = Math.max(...cfg.widths);
    cfg.settings.forEach((s, si) => {
      // One draw of the widest network per replicate; narrower ones are its prefixes (prefix.ts).
      const big = initMlp([cfg.d, ...Array.from({ length: cfg.depth }, () => maxW), 1], { activation: s.activation, parameterization: 'ntk', sigmaW: s.sigmaW, sigmaB: s.sigmaB }, ctx.rng(r, `init/${s.activation}`));
      errors[si]!.push(cfg.widths.map((width) => frobRel(empiricalNtk(prefixMlp(big, Array.from({ length: cfg.depth }, () => width)), X), analytic[si]!)));
    });
    ctx.progress(++done, ctx.replicates.length);
  }
  return { widths: cfg.widths, errors };
}

function judge(m: AnalyticLimitMeasurements, cfg: AnalyticLimitConfig): Verdict {
  const per = cfg.settings.map((s, si) => {
    const ladders = m.errors[si]!;
    const fit = replicateExponent(ladders.map((values) => ({ widths: m.widths, values })));
    const containment = replicateExponent(ladders.map((values) => ({ widths: m.widths, values })), CONTAINMENT_LEVEL);
    return { s, errs: ladders.flat(), fit, containment };
  });
  const allWidths = m.errors[0]!.flatMap(() => m.widths);
  const metrics: Record<string, unknown> = {};
  const statuses: ('holds' | 'fails' | 'inconclusive')[] = [];
  const parts: string[] = [];
  for (const { s, errs, fit, containment } of per) {
    const byWidth = m.widths.map((width) => ({ width, meanRelError: mean(errs.filter((_, i) => allWidths[i] === width)) }));
    if (!fit || errs.some((e) => !Number.isFinite(e))) {
      statuses.push('inconclusive');
      parts.push(`${s.activation}: an error was zero or not finite`);
      metrics[s.activation] = { exponent: null, byWidth };
      continue;
    }
    statuses.push(bandStatus(fit, BAND, PREDICTED, containment!));
    parts.push(`${s.activation} exponent ${fmtEst(fit)} (99%: ${fmtEst(containment!)})`);
    metrics[s.activation] = { exponent: { value: fit.value, lo: fit.lo, hi: fit.hi }, exponent99: { lo: containment!.lo, hi: containment!.hi }, perReplicate: fit.perReplicate, byWidth };
  }
  const status = statuses.includes('fails') ? 'fails' : statuses.every((x) => x === 'holds') ? 'holds' : 'inconclusive';
  return {
    status,
    reason:
      `relative Frobenius error of the empirical NTK against the analytic ${cfg.against === 'nngp' ? 'NNGP kernel' : 'one'}: ${parts.join('; ')}; ` +
      `"holds" needs each estimate in [${BAND[0]}, ${BAND[1]}], its 95% interval excluding 0 and its 99% interval containing ${PREDICTED}.`,
    metrics: metrics as Verdict['metrics'],
  };
}

function figures(m: AnalyticLimitMeasurements, _v: Verdict, cfg: AnalyticLimitConfig): Record<string, FigureSpec> {
  const series = cfg.settings.map((s, si) => ({
    name: `${s.activation} (σw=${+s.sigmaW.toFixed(3)}, σb=${s.sigmaB})`,
    widths: m.errors[si]!.flatMap(() => m.widths),
    values: m.errors[si]!.flat(),
    fit: replicateExponent(m.errors[si]!.map((values) => ({ widths: m.widths, values }))),
  }));
  const what = cfg.wrongInputScaling
    ? ' (control: analytic kernel without the 1/d_in input scaling)'
    : cfg.against === 'nngp'
      ? ' (rival: against the analytic NNGP kernel)'
      : '';
  return {
    convergence: logLogFigure(`Empirical NTK → analytic NTK, ${cfg.depth} hidden layers${what}`, '‖Θ̂₀ − Θ‖_F / ‖Θ‖_F (log scale)', series),
  };
}

const base = {
  depth: 2,
  d: 5,
  nPoints: 10,
  // Brief §3.5 calibration settings: ReLU at the critical σw = √2, erf at σw = 1.5.
  settings: [
    { activation: 'relu' as const, sigmaW: Math.SQRT2, sigmaB: 0.1 },
    { activation: 'erf' as const, sigmaW: 1.5, sigmaB: 0.05 },
  ],
};

const source = {
  paper: 'Jacot, Gabriel, Hongler 2018, Neural tangent kernel; Lee et al. 2019 (arXiv:1902.06720); neural-tangents stax kernels',
  arxiv: '1806.07572',
  where: 'Thm 1 (NTK at initialization converges to a deterministic limit); brief §3.5 and P3.1',
};

export const analyticLimit: AnyClaim = defineClaim<AnalyticLimitConfig, AnalyticLimitMeasurements>({
  id: 'ntk.analytic-limit',
  title: 'The empirical NTK at initialization converges to the analytic NTK like width^(−1/2)',
  statement:
    'For fully connected ReLU and erf networks (2 hidden layers, NTK parameterization), the relative Frobenius distance ' +
    'between the empirical NTK at a random initialization and the analytic infinite-width NTK falls as width^(−1/2).',
  source,
  tiers: {
    ci: { ...base, replicates: 8, widths: [32, 64, 128, 256, 512], wrongInputScaling: false, against: 'ntk' },
    full: { ...base, replicates: 8, widths: [128, 256, 512, 1024, 2048, 4096], wrongInputScaling: false, against: 'ntk' }, // issue 19: ≥ 8 replicates to width 4096
  },
  tolerance: { rel: 1e-6, abs: 1e-9 },
  run,
  judge,
  figures,
});

export const analyticLimitWrongScaling: AnyClaim = defineClaim<AnalyticLimitConfig, AnalyticLimitMeasurements>({
  id: 'ntk.analytic-limit-wrong-input-scaling',
  title: 'Control: against an analytic kernel with the wrong input convention, the error does not fall',
  statement:
    'The same comparison against the analytic kernel computed without dividing x·x′ by d_in: a convention mismatch ' +
    'leaves an O(1) error at every width, so the width^(−1/2) law must NOT be found.',
  source: { ...source, where: 'negative control; neural-tangents `stax/requirements.py _cov` divides by the channel count' },
  control: true,
  tiers: {
    ci: { ...base, replicates: 3, widths: [32, 64, 128, 256, 512], wrongInputScaling: true, against: 'ntk' },
    full: { ...base, replicates: 3, widths: [128, 256, 512, 1024, 2048, 4096], wrongInputScaling: true, against: 'ntk' },
  },
  tolerance: { rel: 1e-6, abs: 1e-9 },
  run,
  judge,
  figures,
});

export const analyticLimitNngp: AnyClaim = defineClaim<AnalyticLimitConfig, AnalyticLimitMeasurements>({
  id: 'ntk.analytic-limit-nngp',
  title: 'Rival: the empirical NTK does not converge to the analytic NNGP kernel',
  statement:
    'The same comparison against the infinite-width NNGP kernel (the tangent kernel of training the readout only) in ' +
    'place of the NTK: the hidden layers\' tangent features do not vanish with width, so the distance stays O(1) and the ' +
    'width^(−1/2) law must NOT be found.',
  source: { ...source, where: 'rival control; Lee et al. 2019 §2.3–2.4 (NTK vs NNGP); brief §3.5' },
  control: true,
  rivalOf: 'ntk.analytic-limit',
  tiers: {
    ci: { ...base, replicates: 3, widths: [32, 64, 128, 256, 512], wrongInputScaling: false, against: 'nngp' },
    full: { ...base, replicates: 3, widths: [128, 256, 512, 1024, 2048, 4096], wrongInputScaling: false, against: 'nngp' },
  },
  tolerance: { rel: 1e-6, abs: 1e-9 },
  run,
  judge,
  figures,
});
