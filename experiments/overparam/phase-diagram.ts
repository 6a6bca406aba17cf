// phase-diagram.regimes: linear / critical / condensed regimes of two-layer ReLU networks, read from how the
// relative change of the input weights scales with width (Luo, Xu, Ma, Zhang, JMLR 2021, arXiv:2007.07497;
// brief §8.2–8.5, P8.1).
import { defineClaim, estimate, type BaseConfig, type RunContext } from '../../core/claim.ts';
import { logLogFit } from '../../core/stats.ts';
import { initState, inputWeightNorms, orientationConcentration, orientations, relativeDistance, trainGd, withBias } from '../../theory/phase-diagram.ts';
import { median } from '../../core/stats.ts';
import { logLogFigure } from './figures.ts';

type Regime = 'linear' | 'critical' | 'condensed';

interface RegimeSpec {
  gamma: number;
  gammaPrime: number;
  /** η = eta0·α²/(m·(β1² + β2²)/2): the inverse scale of the tangent kernel, so every point trains at a comparable speed. */
  eta0: number;
  /** The regime the hypothesis under test predicts at (γ, γ'). */
  predicted: Regime;
  /**
   * Rival only: compute (α, β1, β2) at this width and keep them for every m, so κ and κ' no longer scale with m
   * (the width exponent, the mechanism under test, is switched off; Thm 1 then predicts the linear regime).
   */
  fixedScaleWidth?: number;
}

interface Config extends BaseConfig {
  widths: number[];
  regimes: RegimeSpec[];
  steps: number;
  tol: number;
  /** Neurons kept per regime for the weight-direction figure (largest width, replicate 0). */
  figureNeurons: number;
}

interface RunRow {
  regime: number;
  replicate: number;
  m: number;
  rd: number;
  loss0: number;
  finalLoss: number;
  steps: number;
  diverged: boolean;
  /** Orientation concentration of the input weights (orientationConcentration, ||(w,b)||-weighted) at init and at the end. */
  concentration0: number;
  concentration: number;
}

interface Measurements {
  rows: RunRow[];
  /** Final (θ_k, A_k) of a subsample of neurons per regime, for the figure. */
  directions: { regime: number; theta: number; amp: number; when: 'init' | 'final' }[];
}

// The data of the brief's calibration (§8.4): 1-D, four points, bias absorbed.
const DATA = withBias([[-0.5], [-0.2], [0.1], [0.5]], [0.1, 0.3, -0.1, 0.2]);

/** α, β1, β2 at width m for exponents (γ, γ'): β1 = m^(−γ'/2), β2 = m^(γ'/2), α = m^(γ − γ'/2 + γ'/2) = m^γ·β1β2. */
export function scalesFor(m: number, gamma: number, gammaPrime: number): { alpha: number; beta1: number; beta2: number } {
  const beta1 = Math.pow(m, -gammaPrime / 2);
  const beta2 = Math.pow(m, gammaPrime / 2);
  // κ = β1β2/α = m^(−γ) and κ' = β1/β2 = m^(−γ') exactly (brief §8.2 coordinates).
  return { alpha: beta1 * beta2 * Math.pow(m, gamma), beta1, beta2 };
}

function run(cfg: Config, ctx: RunContext): Measurements {
  const rows: RunRow[] = [];
  const directions: Measurements['directions'] = [];
  const total = cfg.regimes.length * ctx.replicates.length * cfg.widths.length;
  let done = 0;
  cfg.regimes.forEach((spec, g) => {
    for (const r of ctx.replicates) {
      for (const m of cfg.widths) {
        const { alpha, beta1, beta2 } = scalesFor(spec.fixedScaleWidth ?? m, spec.gamma, spec.gammaPrime);
        const s0 = initState(m, DATA.D, beta1, beta2, ctx.rng(r, `init/${g}/${m}`));
        const eta = (spec.eta0 * alpha * alpha) / ((m * (beta1 * beta1 + beta2 * beta2)) / 2);
        const res = trainGd(s0, DATA, alpha, eta, { steps: cfg.steps, tol: cfg.tol });
        const concentration = (st: typeof s0) => orientationConcentration(orientations(st).theta, inputWeightNorms(st), CONCENTRATION_BINS);
        rows.push({ regime: g, replicate: r, m, rd: relativeDistance(res.state.w, s0.w), loss0: res.loss0, finalLoss: res.finalLoss, steps: res.steps, diverged: res.diverged, concentration0: concentration(s0), concentration: concentration(res.state) });
        if (r === ctx.replicates[0] && m === Math.max(...cfg.widths)) {
          const every = Math.max(1, Math.floor(m / cfg.figureNeurons));
          for (const [when, st] of [['init', s0], ['final', res.state]] as const) {
            const o = orientations(st);
            for (let k = 0; k < m; k += every) directions.push({ regime: g, theta: o.theta[k]!, amp: o.amp[k]!, when });
          }
        }
        ctx.progress(++done, total);
      }
    }
  });
  return { rows, directions };
}

// Regime rules on the fitted exponent S_w of RD ~ m^S_w (lecture A6-1 Fig. 1.4: −0.506 / 0.007 / 0.372):
//   linear: the whole 95% interval below 0; condensed: the whole interval above 0, RD > 1 everywhere and the input
//   weights condensed (below); critical: the interval inside [−0.15, 0.15] (brief P8.1 |slope| < 0.15).
const CRITICAL_BAND = 0.15;
// Every run, in every regime, must fit the data to the same criterion (brief §8.4: linear and critical runs reach
// 1e-6; so does the condensed point γ = 1.75 with its smaller η0, see the config).
const FIT_LOSS = 1e-4;
// Condensation measured directly (brief P8.2): the ||(w,b)||-weighted orientation histogram over 64 arcs has a
// participation fraction below 0.15 (about ten arcs' worth of weight or fewer) in the median run at the largest
// width. At init it is 0.9 (uniform orientations); measured on trial seeds before calibration: γ = 1.4 0.09–0.13,
// γ = 1 (critical) 0.21–0.25, γ' = 0.5 (linear) 0.24–0.37, γ = 0.5 (linear) 0.41–0.87; γ = 1.75 (round 4, master
// seed 20261123) 0.093.
const CONCENTRATION_BINS = 64;
const CONDENSED_MAX = 0.15;

// The critical test comes first: an interval inside the band says "RD is O(1) up to a drift of m^±0.15", which is
// the stronger statement than "RD decays" when both hold (a tight interval just below 0). The linear points tested
// here sit well away from the band (predicted slopes −0.5 and ≈ −0.25), the critical one at ≈ 0 (lecture: 0.007).
// Round 2 (widths 100–1600): over master seeds 1–19 the critical slope's interval stayed inside [−0.065, 0.047];
// with "linear" tested first 2 of 19 were called linear (upper ends down to −0.012).
function classify(lo: number, hi: number, rdMin: number, concentration: number): Regime | 'unclear' {
  if (lo >= -CRITICAL_BAND && hi <= CRITICAL_BAND) return 'critical';
  if (hi < 0) return 'linear';
  if (lo > 0 && rdMin > 1 && concentration < CONDENSED_MAX) return 'condensed';
  return 'unclear';
}

function judge(m: Measurements, cfg: Config) {
  const top = Math.max(...cfg.widths);
  const per = cfg.regimes.map((spec, g) => {
    const rows = m.rows.filter((r) => r.regime === g);
    const fit = logLogFit(rows.map((r) => r.m), rows.map((r) => Math.max(r.rd, 1e-300)));
    const rdMin = Math.min(...rows.map((r) => r.rd));
    const conc = median(rows.filter((r) => r.m === top).map((r) => r.concentration));
    const conc0 = median(rows.filter((r) => r.m === top).map((r) => r.concentration0));
    const observed = classify(fit.ci.lo, fit.ci.hi, rdMin, conc);
    const fitted = rows.every((r) => !r.diverged && r.finalLoss < FIT_LOSS);
    return { spec, fit, rdMin, conc, conc0, rdMax: Math.max(...rows.map((r) => r.rd)), observed, fitted, worstLoss: Math.max(...rows.map((r) => r.finalLoss)) };
  });
  const metrics = {
    widths: cfg.widths,
    regimes: per.map((p) => ({
      gamma: p.spec.gamma,
      gammaPrime: p.spec.gammaPrime,
      rdSlope: { ...estimate(p.fit.slope, p.fit.ci.lo, p.fit.ci.hi) },
      rdMin: p.rdMin,
      rdMax: p.rdMax,
      concentrationInitMedian: p.conc0,
      concentrationFinalMedian: p.conc,
      worstFinalLoss: p.worstLoss,
      observed: p.observed,
      predicted: p.spec.predicted,
    })),
  };
  const desc = (p: (typeof per)[number]) =>
    `γ=${p.spec.gamma}, γ'=${p.spec.gammaPrime}: slope ${p.fit.slope.toFixed(3)} [${p.fit.ci.lo.toFixed(3)}, ${p.fit.ci.hi.toFixed(3)}], concentration ${p.conc.toFixed(3)} → ${p.observed} (predicted ${p.spec.predicted})`;
  const wrong = per.filter((p) => p.observed !== 'unclear' && p.observed !== p.spec.predicted);
  if (wrong.length > 0) return { status: 'fails' as const, reason: `Regime mismatch: ${wrong.map(desc).join('; ')}.`, metrics };
  const unfit = per.find((p) => !p.fitted);
  if (unfit) return { status: 'inconclusive' as const, reason: `training did not reach loss ${FIT_LOSS} at γ=${unfit.spec.gamma} (worst final loss ${unfit.worstLoss.toExponential(2)}).`, metrics };
  const unclear = per.filter((p) => p.observed === 'unclear');
  if (unclear.length > 0) return { status: 'inconclusive' as const, reason: `The measurements do not decide the regime: ${unclear.map(desc).join('; ')}.`, metrics };
  return { status: 'holds' as const, reason: `Every regime as predicted, every run fitted to loss < ${FIT_LOSS}: ${per.map(desc).join('; ')}.`, metrics };
}

function figures(m: Measurements, _v: unknown, cfg: Config) {
  const label = (g: number) => `γ=${cfg.regimes[g]!.gamma}, γ'=${cfg.regimes[g]!.gammaPrime}`;
  const fits = cfg.regimes.map((_, g) => {
    const rows = m.rows.filter((r) => r.regime === g);
    const f = logLogFit(rows.map((r) => r.m), rows.map((r) => Math.max(r.rd, 1e-300)));
    return { slope: f.slope, intercept: f.intercept, xs: [Math.min(...cfg.widths), Math.max(...cfg.widths)], series: label(g) };
  });
  const top = Math.max(...cfg.widths);
  return {
    'rd-vs-width': logLogFigure({
      title: 'Relative change of the input weights after training vs width',
      xTitle: 'width m',
      yTitle: 'RD = ||w(T) − w(0)|| / ||w(0)||',
      points: m.rows.map((r) => ({ x: r.m, y: Math.max(r.rd, 1e-300), series: label(r.regime) })),
      fit: fits,
      legend: 'regime point (γ, γ′)',
    }),
    'condensation-vs-width': logLogFigure({
      title: 'Orientation concentration of the input weights after training (1 = uniform, 1/64 = one arc)',
      xTitle: 'width m',
      yTitle: 'participation fraction over 64 arcs',
      points: [
        ...m.rows.map((r) => ({ x: r.m, y: r.concentration, series: label(r.regime) })),
        ...m.rows.filter((r) => r.regime === 0).map((r) => ({ x: r.m, y: r.concentration0, series: 'at initialization' })),
      ],
      legend: 'regime point (γ, γ′)',
    }),
    'weight-directions': {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      title: `Input-weight directions θ_k and amplitudes A_k = |a_k|·||(w_k, b_k)||, width ${top}`,
      data: { values: m.directions.map((d) => ({ theta: d.theta, amp: d.amp, when: d.when, regime: label(d.regime) })) },
      facet: { column: { field: 'regime', type: 'nominal', title: null } },
      spec: {
        width: 200,
        height: 200,
        mark: { type: 'point', filled: true, size: 12 },
        encoding: {
          x: { field: 'theta', type: 'quantitative', title: 'orientation θ (rad)', scale: { domain: [-3.2, 3.2] } },
          y: { field: 'amp', type: 'quantitative', title: 'amplitude A (rescaled per panel)' },
          color: { field: 'when', type: 'nominal', title: 'weights' },
        },
      },
      resolve: { scale: { y: 'independent' } },
    },
  };
}

const source = { paper: 'Luo, Xu, Ma, Zhang 2021, Phase diagram for two-layer ReLU neural networks at infinite-width limit (JMLR 22)', arxiv: '2007.07497', where: 'Thm 1–2, Fig. 4 (lecture A6-1 Fig. 1.4); brief §8.2–8.5, P8.1–P8.2' };
// Condensed point γ = 1.75, the lecture's Fig. 1.4 (slope 0.372 there), with η0 = 0.01. Round 3 used γ = 1.4
// (η0 = 0.2) because at γ = 1.75 with η0 = 0.05 the runs of width ≥ 400 stall: at master seed 20261123 they sit at
// L = 7.5e-3 (0.4·L_0) for 100000 steps, and η0 = 0.2 leaves width ≥ 400 at L_0 (output stuck at 0). The stall is
// the step size, not a slow plateau escape: η = η0·α²/m grows like m^(2γ−1) = m^2.5, and with η0 = 0.01 every
// width 100–800 reaches loss 1e-6 in 940–3700 steps (RD 7.5 → 17.9, a slope ≈ 0.41). Thresholds unchanged; round 4:
// calibration seeds 1–20 20/20 hold, audit seeds 20261124–43 20/20, the fixed-scale rival fails 20/20 in both.
const theory: RegimeSpec[] = [
  { gamma: 0.5, gammaPrime: 0, eta0: 1, predicted: 'linear' },
  { gamma: 1, gammaPrime: 0, eta0: 1, predicted: 'critical' },
  { gamma: 1.75, gammaPrime: 0, eta0: 0.01, predicted: 'condensed' },
  // γ' > γ − 1: Thm 1 says linear although γ > 1 (brief P8.1, uncalibrated).
  { gamma: 1.25, gammaPrime: 0.5, eta0: 1, predicted: 'linear' },
];
// CI: widths 100–800 (a factor 8; round 2 used 100–1600 with the looser condensed criterion), GD until loss 1e-6
// or 40000 steps (runs stop at the tolerance: linear and critical within ~5000 steps, γ = 1.75 within ~4000; the
// budget was set for round 3's slow γ = 1.4 plateau escapes, where 20000 steps left a γ = 1.4 run at loss 1.2e-4 /
// 1.5e-4 in 2 of 20 audit seeds).
const ci: Config = { replicates: 5, widths: [100, 200, 400, 800], regimes: theory, steps: 40000, tol: 1e-6, figureNeurons: 200 };
const full: Config = { ...ci, replicates: 8, widths: [100, 200, 400, 800, 1600], steps: 60000 };

export const phaseDiagram = defineClaim<Config, Measurements>({
  id: 'phase-diagram.regimes',
  title: 'Phase diagram: linear, critical and condensed regimes of two-layer ReLU nets',
  statement:
    'For f = (1/α)Σ a_k σ(w_kᵀx) with κ = β1β2/α = m^(−γ), κ\' = β1/β2 = m^(−γ\'), trained by GD to the same loss (1e-4) at every point, the relative change RD of the input weights decays with width when γ < 1 or γ\' > γ − 1 (linear), stays O(1) at γ = 1, γ\' = 0 (critical), and grows with width when γ > 1 and γ\' < γ − 1 (condensed), where the input weights also gather on a few orientations.',
  source,
  tolerance: { rel: 1e-4, abs: 1e-9 },
  tiers: { ci, full },
  run,
  judge,
  figures,
});

// Rival: "the regimes come from the initialization scales themselves, not from how they scale with width". The
// critical and condensed points keep their (α, β1, β2) of width 100 at every width, so κ and κ' are constant in m
// (γ_eff = γ'_eff = 0: Thm 1 predicts linear). Same runs, same judge, same predicted labels (critical, condensed):
// if the width exponent is the mechanism, the measured slopes and orientations contradict them and the judge fails.
// ("Every wide net is lazy", the round-2 control, re-labelled the claim's own runs: it failed exactly when the claim
// held and added no evidence; its content is now a judge test in properties/judges/overparam.test.ts.)
const fixedScale: RegimeSpec[] = theory.filter((s) => s.predicted !== 'linear').map((s) => ({ ...s, fixedScaleWidth: ci.widths[0]! }));
export const phaseDiagramFixedScale = defineClaim<Config, Measurements>({
  id: 'phase-diagram.regimes.control-fixed-scale',
  control: true,
  rivalOf: 'phase-diagram.regimes',
  title: 'Rival: initialization scales frozen at width 100 (no width exponent) give no critical or condensed regime',
  statement:
    'With (α, β1, β2) of the critical (γ = 1) and condensed (γ = 1.75) points computed at width 100 and kept for every width, κ and κ\' do not scale with m; the runs behave linearly and the judge, still predicting critical and condensed, must say "fails".',
  source,
  tolerance: { rel: 1e-4, abs: 1e-9 },
  tiers: { ci: { ...ci, regimes: fixedScale, replicates: 3 }, full: { ...full, regimes: fixedScale, replicates: 5 } },
  run,
  judge,
  figures,
});
