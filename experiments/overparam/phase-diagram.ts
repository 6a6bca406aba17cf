// phase-diagram.regimes: linear / critical / condensed regimes of two-layer ReLU networks, read from how the
// relative change of the input weights scales with width (Luo, Xu, Ma, Zhang, JMLR 2021, arXiv:2007.07497;
// brief §8.2–8.5, P8.1).
import { defineClaim, estimate, type BaseConfig, type RunContext } from '../../core/claim.ts';
import { logLogFit } from '../../core/stats.ts';
import { initState, orientations, relativeDistance, trainGd, withBias } from '../../theory/phase-diagram.ts';
import { logLogFigure } from './figures.ts';

type Regime = 'linear' | 'critical' | 'condensed';

interface RegimeSpec {
  gamma: number;
  gammaPrime: number;
  /** η = eta0·α²/(m·(β1² + β2²)/2): the inverse scale of the tangent kernel, so every point trains at a comparable speed. */
  eta0: number;
  /** The regime the hypothesis under test predicts at (γ, γ'). */
  predicted: Regime;
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
        const { alpha, beta1, beta2 } = scalesFor(m, spec.gamma, spec.gammaPrime);
        const s0 = initState(m, DATA.D, beta1, beta2, ctx.rng(r, `init/${g}/${m}`));
        const eta = (spec.eta0 * alpha * alpha) / ((m * (beta1 * beta1 + beta2 * beta2)) / 2);
        const res = trainGd(s0, DATA, alpha, eta, { steps: cfg.steps, tol: cfg.tol });
        rows.push({ regime: g, replicate: r, m, rd: relativeDistance(res.state.w, s0.w), loss0: res.loss0, finalLoss: res.finalLoss, steps: res.steps, diverged: res.diverged });
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
//   linear: the whole 95% interval below 0; condensed: the whole interval above 0 and RD > 1 everywhere;
//   critical: the interval inside [−0.15, 0.15] (brief P8.1 |slope| < 0.15).
const CRITICAL_BAND = 0.15;
// Linear and critical runs must fit the data (brief §8.4: they reach 1e-6); condensed runs stall on plateaus
// (brief §8.4: 1e-3 to 2e-2 within 20000 steps, the embedding-principle signature), so for them the loss must only
// have left the zero-output start (L_0 = Σy²/2n): below 0.9·L_0.
const FIT_LOSS = 1e-4;
const CONDENSED_LOSS_RATIO = 0.9;

// The critical test comes first: an interval inside the band says "RD is O(1) up to a drift of m^±0.15", which is
// the stronger statement than "RD decays" when both hold (a tight interval just below 0). The linear points tested
// here sit well away from the band (predicted slopes −0.5 and ≈ −0.25), the critical one at ≈ 0 (lecture: 0.007).
// Over master seeds 1–19 (CI tier, 5 replicates) the critical slope ranged −0.038…0.022, its interval always inside
// [−0.065, 0.047], but with upper ends down to −0.012 (2 of 19 below 0): with "linear" tested first those were called
// linear and the claim failed (2/19; the audit's one "fails" was this mode). The linear points' intervals reached at
// most −0.153 (γ' = 0.5) and −0.437 (γ = 0.5) at the top, i.e. never inside the band; the condensed slope ranged
// 0.186…0.295 with lower ends 0.022…0.164.
function classify(lo: number, hi: number, rdMin: number): Regime | 'unclear' {
  if (lo >= -CRITICAL_BAND && hi <= CRITICAL_BAND) return 'critical';
  if (hi < 0) return 'linear';
  if (lo > 0 && rdMin > 1) return 'condensed';
  return 'unclear';
}

function judge(m: Measurements, cfg: Config) {
  const per = cfg.regimes.map((spec, g) => {
    const rows = m.rows.filter((r) => r.regime === g);
    const fit = logLogFit(rows.map((r) => r.m), rows.map((r) => Math.max(r.rd, 1e-300)));
    const rdMin = Math.min(...rows.map((r) => r.rd));
    const observed = classify(fit.ci.lo, fit.ci.hi, rdMin);
    const fitted = rows.every((r) => !r.diverged && (observed === 'condensed' ? r.finalLoss < CONDENSED_LOSS_RATIO * r.loss0 : r.finalLoss < FIT_LOSS));
    return { spec, fit, rdMin, rdMax: Math.max(...rows.map((r) => r.rd)), observed, fitted, worstLoss: Math.max(...rows.map((r) => r.finalLoss)) };
  });
  const metrics = {
    widths: cfg.widths,
    regimes: per.map((p) => ({
      gamma: p.spec.gamma,
      gammaPrime: p.spec.gammaPrime,
      rdSlope: { ...estimate(p.fit.slope, p.fit.ci.lo, p.fit.ci.hi) },
      rdMin: p.rdMin,
      rdMax: p.rdMax,
      worstFinalLoss: p.worstLoss,
      observed: p.observed,
      predicted: p.spec.predicted,
    })),
  };
  const desc = (p: (typeof per)[number]) =>
    `γ=${p.spec.gamma}, γ'=${p.spec.gammaPrime}: slope ${p.fit.slope.toFixed(3)} [${p.fit.ci.lo.toFixed(3)}, ${p.fit.ci.hi.toFixed(3)}] → ${p.observed} (predicted ${p.spec.predicted})`;
  const wrong = per.filter((p) => p.observed !== 'unclear' && p.observed !== p.spec.predicted);
  if (wrong.length > 0) return { status: 'fails' as const, reason: `Regime mismatch: ${wrong.map(desc).join('; ')}.`, metrics };
  const unfit = per.find((p) => !p.fitted);
  if (unfit) return { status: 'inconclusive' as const, reason: `training did not reach its target at γ=${unfit.spec.gamma} (worst final loss ${unfit.worstLoss.toExponential(2)}).`, metrics };
  const unclear = per.filter((p) => p.observed === 'unclear');
  if (unclear.length > 0) return { status: 'inconclusive' as const, reason: `The interval does not decide the regime: ${unclear.map(desc).join('; ')}.`, metrics };
  return { status: 'holds' as const, reason: `Every regime as predicted: ${per.map(desc).join('; ')}.`, metrics };
}

function figures(m: Measurements, _v: unknown, cfg: Config) {
  const label = (g: number) => `γ=${cfg.regimes[g]!.gamma}, γ'=${cfg.regimes[g]!.gammaPrime}`;
  const fits = cfg.regimes.map((_, g) => {
    const rows = m.rows.filter((r) => r.regime === g);
    const f = logLogFit(rows.map((r) => r.m), rows.map((r) => Math.max(r.rd, 1e-300)));
    return { slope: f.slope, intercept: f.intercept, xs: [Math.min(...cfg.widths), Math.max(...cfg.widths)], series: label(g) };
  });
  return {
    'rd-vs-width': logLogFigure({
      title: 'Relative change of the input weights after training vs width',
      xTitle: 'width m',
      yTitle: 'RD = ||w(T) − w(0)|| / ||w(0)||',
      points: m.rows.map((r) => ({ x: r.m, y: Math.max(r.rd, 1e-300), series: label(r.regime) })),
      fit: fits,
    }),
    'weight-directions': {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      title: `Input-weight directions θ_k and amplitudes A_k = |a_k|·||(w_k, b_k)||, width ${Math.max(...cfg.widths)}`,
      data: { values: m.directions.map((d) => ({ theta: d.theta, amp: d.amp, when: d.when, regime: label(d.regime) })) },
      facet: { column: { field: 'regime', type: 'nominal', title: null } },
      spec: {
        width: 200,
        height: 200,
        mark: { type: 'point', filled: true, size: 12 },
        encoding: {
          x: { field: 'theta', type: 'quantitative', title: 'orientation θ (rad)', scale: { domain: [-3.2, 3.2] } },
          y: { field: 'amp', type: 'quantitative', title: 'amplitude A (rescaled per panel)' },
          color: { field: 'when', type: 'nominal', title: null },
        },
      },
      resolve: { scale: { y: 'independent' } },
    },
  };
}

const source = { paper: 'Luo, Xu, Ma, Zhang 2021, Phase diagram for two-layer ReLU neural networks at infinite-width limit (JMLR 22)', arxiv: '2007.07497', where: 'Thm 1–2, Fig. 4 (lecture A6-1 Fig. 1.4); brief §8.2–8.5, P8.1' };
// Brief §8.4 calibration: η0 = 1 at γ ≤ 1, η0 = 0.05 at γ = 1.75 (larger rates are rejected by the halving safeguard anyway).
const theory: RegimeSpec[] = [
  { gamma: 0.5, gammaPrime: 0, eta0: 1, predicted: 'linear' },
  { gamma: 1, gammaPrime: 0, eta0: 1, predicted: 'critical' },
  { gamma: 1.75, gammaPrime: 0, eta0: 0.05, predicted: 'condensed' },
  // γ' > γ − 1: Thm 1 says linear although γ > 1 (brief P8.1, uncalibrated).
  { gamma: 1.25, gammaPrime: 0.5, eta0: 1, predicted: 'linear' },
];
// CI: widths 100–1600 and 10000 steps. Measured here: the linear and critical runs reach 1e-6 within ~5000 steps;
// at γ = 1.75 a width-1600 run can still sit on the zero-output plateau at step 5000 (RD then underestimated, so
// the judge calls it inconclusive), by step 10000 all have left it. At width 4000 (the brief's largest) runs were
// still on that plateau after 20000 steps, so the full tier adds widths inside 100–1600 and seeds, not width.
// Known remaining flake: over master seeds 1–19 one width-1600 γ = 1.75 run in 2 seeds was still at ≥ 0.9·L_0 at
// step 10000 (verdict inconclusive); longer condensed runs should remove it but were not calibrated in round 2.
const ci: Config = { replicates: 5, widths: [100, 400, 1600], regimes: theory, steps: 10000, tol: 1e-6, figureNeurons: 200 };
const full: Config = { ...ci, replicates: 8, widths: [100, 200, 400, 800, 1600], steps: 20000 };

export const phaseDiagram = defineClaim<Config, Measurements>({
  id: 'phase-diagram.regimes',
  title: 'Phase diagram: linear, critical and condensed regimes of two-layer ReLU nets',
  statement:
    'For f = (1/α)Σ a_k σ(w_kᵀx) with κ = β1β2/α = m^(−γ), κ\' = β1/β2 = m^(−γ\'), the relative change RD of the input weights after training decays with width when γ < 1 or γ\' > γ − 1 (linear), stays O(1) at γ = 1, γ\' = 0 (critical), and grows with width when γ > 1 and γ\' < γ − 1 (condensed).',
  source,
  tolerance: { rel: 1e-4, abs: 1e-9 },
  tiers: { ci, full },
  run,
  judge,
  figures,
});

// Control: the "every wide network is lazy" hypothesis (NTK intuition applied everywhere) predicts the linear
// regime at γ = 1 and γ = 1.75 too. The measured slopes contradict it, so the judge must say "fails".
const lazy: RegimeSpec[] = theory.filter((s) => s.gamma === 1 || s.gamma === 1.75).map((s) => ({ ...s, predicted: 'linear' }));
export const phaseDiagramControl = defineClaim<Config, Measurements>({
  id: 'phase-diagram.regimes.control-all-lazy',
  control: true,
  title: 'Control: "every wide net is in the linear regime" is refuted',
  statement: 'Predicting the linear (lazy) regime at γ = 1 and γ = 1.75 contradicts the measured RD slopes; the judge must say "fails".',
  source,
  tolerance: { rel: 1e-4, abs: 1e-9 },
  // Four replicates (was two): with 2 × 3 runs per regime the t-interval (4 d.f.) was often too wide to decide either
  // regime (γ = 1 outside the band, γ = 1.75 reaching below 0), and the control came out inconclusive.
  // Over master seeds 1–19 with 2 replicates the γ = 1.75 interval reached below 0 in 16/19 (lower ends −0.119…0.155);
  // with 4 it never did (0.030…0.136), and γ = 1 stayed inside the band (−0.132…0.073). CI time about doubles.
  tiers: { ci: { ...ci, regimes: lazy, replicates: 4 }, full: { ...full, regimes: lazy, replicates: 6 } },
  run,
  judge,
  figures,
});
