// lfp.xor: the four XOR points in 2-D, the trained network against the LFP closed form on the 40×40 grid, in the
// authors' setting (v_l = 1, decides the verdict) and with v_l = 2 (a second, labelled configuration); and its two
// rival controls, the pure-cubic and pure-linear closed forms in place of LFP.
import { defineClaim, type BaseConfig, type FigureSpec, type RunContext, type Status } from '../../core/claim.ts';
import { xorClosedForm } from '../../theory/lfp.ts';
import type { InitScales } from '../../theory/lfp-net.ts';
import {
  agreementVerdict,
  asPrediction,
  closerVerdict,
  distanceInterval,
  gridXor,
  lfpLimits,
  PLAIN_GD,
  predictionName,
  runSeed,
  seedMetrics,
  worse,
  XOR_AUTHORS,
  XOR_WIDE_BIAS,
  xorData,
  type CloserRule,
  type MedianRule,
  type Prediction,
  type SeedRun,
  type TrainConfig,
} from './common.ts';

export interface XorSetting {
  name: string;
  init: InitScales;
  width: number;
  /** Whether this configuration sets the claim's verdict; the others are reported beside it, labelled. */
  decides: boolean;
}

export interface XorConfig extends BaseConfig {
  settings: XorSetting[];
  train: TrainConfig;
  /** BRIEF P2.3: relative L2 < 0.10 [Cal: NTK regression, m = 16000, v_l = 2: 0.030–0.071 over seeds 0..3]. */
  threshold: number;
  /** Median rule: most seeds under `threshold`, every seed under this cap (see the decision rule below). */
  median: MedianRule;
  /** The network must be closer to the prediction than to both alternatives (closerVerdict, common.ts). */
  closer: CloserRule;
  /** LFP (the claim) or one of its limits (the rival controls). Default 'lfp'. */
  prediction?: Prediction;
  /**
   * A rival's claim: train on that claim's seeded streams (common.ts, seedStream), so the rival judges the same networks
   * as the claim (a paired design; the runs are shared within a process). Absent: the claim's own streams.
   */
  pairedWith?: string;
}

export interface XorMeasurements {
  settings: { name: string; runs: SeedRun[] }[];
  /** max |closed form − linear solve| of the LFP prediction on the grid, first seed (two computations of one function). */
  closedFormGap: number;
}

async function run(config: XorConfig, ctx: RunContext): Promise<XorMeasurements> {
  const grid = gridXor();
  const settings: XorMeasurements['settings'] = [];
  let done = 0;
  for (const s of config.settings) {
    const runs: SeedRun[] = [];
    for (const seed of ctx.replicates) {
      runs.push(runSeed({ width: s.width, init: s.init }, config.train, xorData(), grid, ctx, seed, config.pairedWith));
      ctx.progress(++done, config.settings.length * ctx.replicates.length);
    }
    settings.push({ name: s.name, runs });
  }
  let gap = 0;
  const r0 = settings[0]!.runs[0]!;
  for (let t = 0; t < grid.rows; t++) {
    gap = Math.max(gap, Math.abs(xorClosedForm(r0.coef.a, r0.coef.b, grid.data[2 * t]!, grid.data[2 * t + 1]!) - r0.lfp[t]!));
  }
  return { settings, closedFormGap: gap };
}

/**
 * Per configuration: the median agreement rule on the distance to the prediction, and the closer rule against the
 * two alternatives; the configuration's verdict is the worse of the two. The claim's verdict is the worse over the
 * deciding configurations (the authors'); the others are reported with their own verdict. The LFP solver and the
 * closed form must agree (> 1e-9 apart: fails, the prediction itself would be wrong).
 */
function judge(m: XorMeasurements, config: XorConfig) {
  const prediction = config.prediction ?? 'lfp';
  const parts = config.settings.map((s, i) => {
    const runs = m.settings[i]!.runs;
    const agree = agreementVerdict(runs.map((r) => asPrediction(r, prediction)), config.threshold, undefined, config.median, predictionName(prediction, 2));
    const closer = closerVerdict(runs, prediction, config.closer, 2);
    return { s, runs, agree, closer, status: worse(agree.status, closer.status) };
  });
  const deciding = parts.filter((p) => p.s.decides);
  let status: Status = deciding.reduce((acc, p) => worse(acc, p.status), 'holds' as Status);
  if (!deciding.length) status = 'inconclusive';
  const gapBad = m.closedFormGap > 1e-9;
  if (gapBad) status = 'fails';
  const metrics: Record<string, unknown> = { prediction, threshold: config.threshold, margin: config.closer.margin, closedFormGap: m.closedFormGap };
  for (const p of parts) {
    metrics[p.s.name] = {
      status: p.status,
      decides: p.s.decides,
      width: p.s.width,
      biasRange: p.s.init.vl,
      distLfp: distanceInterval(p.runs.map((r) => r.distLfp)),
      distPureCubic: distanceInterval(p.runs.map((r) => r.distCubic)),
      distPureLinear: distanceInterval(p.runs.map((r) => r.distLinear)),
      closerRatio: p.closer.ratio,
      seeds: p.runs.map(seedMetrics),
    };
  }
  const parts_ = parts.map((p) => `${p.s.name}${p.s.decides ? '' : ' (reported, does not set the verdict)'}: ${p.status}; ${p.agree.why}; ${p.closer.why}.`);
  return {
    status,
    reason: gapBad ? `LFP solver and XOR closed form differ by ${m.closedFormGap}` : parts_.join(' '),
    metrics: metrics as never,
  };
}

function figures(m: XorMeasurements, _v: unknown, config: XorConfig): Record<string, FigureSpec> {
  const grid = gridXor();
  const out: Record<string, FigureSpec> = {};
  const heat = (vals: number[], title: string): FigureSpec => ({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 300,
    height: 300,
    data: { values: vals.map((v, t) => ({ x1: +grid.data[2 * t]!.toFixed(4), x2: +grid.data[2 * t + 1]!.toFixed(4), value: v })) },
    mark: 'rect',
    encoding: {
      x: { field: 'x1', type: 'ordinal', title: 'x₁ (−1 … 1)', axis: { labels: false, ticks: false } },
      y: { field: 'x2', type: 'ordinal', title: 'x₂ (−1 … 1)', sort: 'descending', axis: { labels: false, ticks: false } },
      color: { field: 'value', type: 'quantitative', title: 'output', scale: { scheme: 'redblue', domain: [-1, 1] } },
    },
  });
  const limits = lfpLimits(xorData(), grid);
  config.settings.forEach((s, i) => {
    const r = m.settings[i]?.runs[0];
    if (!r) return;
    const tag = config.settings.length > 1 ? `-${s.name}` : '';
    out[`xor-network${tag}`] = heat(r.net, `XOR, ${s.name} (v_l = ${s.init.vl}): trained network (width ${r.width}, seed ${r.seed}), 40×40 grid`);
    if (i === 0) out['xor-lfp'] = heat(r.lfp, 'XOR: LFP prediction on the 40×40 grid');
    // The network against each prediction at the 1600 grid points: LFP and its two rivals, one colour each.
    const pts: { prediction: number; net: number; curve: string }[] = [];
    for (let t = 0; t < r.net.length; t += 2) {
      pts.push({ prediction: r.lfp[t]!, net: r.net[t]!, curve: `LFP (${fmtDist(r.distLfp)})` });
      pts.push({ prediction: limits.cubic[t]!, net: r.net[t]!, curve: `pure cubic, a = 0 (${fmtDist(r.distCubic)})` });
      pts.push({ prediction: limits.linear[t]!, net: r.net[t]!, curve: `pure linear, b = 0 (${fmtDist(r.distLinear)})` });
    }
    out[`xor-scatter${tag}`] = {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      title: `XOR, ${s.name} (v_l = ${s.init.vl}): network vs each prediction at every 2nd grid point (relative L2 in the legend)`,
      width: 320,
      height: 320,
      layer: [
        {
          data: { values: pts },
          mark: { type: 'point', size: 8, opacity: 0.5 },
          encoding: {
            x: { field: 'prediction', type: 'quantitative', title: 'prediction' },
            y: { field: 'net', type: 'quantitative', title: 'trained network' },
            color: { field: 'curve', type: 'nominal', title: 'prediction' },
            shape: { field: 'curve', type: 'nominal', title: 'prediction' },
          },
        },
        {
          data: { values: [{ prediction: -1, net: -1 }, { prediction: 1, net: 1 }] },
          mark: { type: 'line', color: 'gray', strokeDash: [4, 4] },
          encoding: { x: { field: 'prediction', type: 'quantitative' }, y: { field: 'net', type: 'quantitative' } },
        },
      ],
    };
  });
  return out;
}

function fmtDist(x: number | null): string {
  return x === null ? 'n/a' : x.toFixed(3);
}

// XOR's NTK on four symmetric points has κ ≈ 26: plain GD (PLAIN_GD) converges in ≈ 200 steps, so no momentum here.
//
// Decision rule (agreement). The trained network's distance to LFP varies from seed to seed (finite-width random
// features) with a long upper tail: at v_l = 2 over master seeds 1–20 (60 networks, width 8000) it ranged 0.019–0.137,
// median ≈ 0.05, 4 of 60 ≥ 0.10; at width 16000, the BRIEF's, 0.010–0.103 with 1 of 60 over. "Every one of 3 seeds
// < 0.10" therefore held with probability ≈ 0.81 at width 8000. The rule is the median of 5 seeds < 0.10 (the BRIEF's
// threshold) with every seed < 0.20 (about 1.5× the largest of the 60 calibration distances).
// Closer rule: margin 0.75 as in lfp.1d (the network at least 25% closer to LFP than to the nearer limit, upper end of
// the 95% interval). LFP's coefficients here put it 0.0022 from the pure-cubic closed form (BRIEF §2.5 calibration,
// audit), so this asks more than a width-16000 network can give: it is reported as measured.
//
// The authors' setting (fig2.py v_l = 1) decides: with v_l = 1 the kinks of neurons with |w| ≳ 0.7 do not reach the
// corners at |x| = √2, outside the uniform-bias assumption of γ² (BRIEF §2.5: NTK regression plateaus ≈ 11% from LFP
// at every width). Measured there, it fails (see `expected`).

const SETTINGS = (width: number): XorSetting[] => [
  { name: 'authors-bias-range-1', init: XOR_AUTHORS, width, decides: true },
  { name: 'bias-range-2', init: XOR_WIDE_BIAS, width, decides: false },
];

const XOR_TIERS = {
  ci: { replicates: 5, settings: SETTINGS(8000), train: PLAIN_GD, threshold: 0.1, median: { outlierCap: 0.2 }, closer: { margin: 0.75 } },
  full: { replicates: 7, settings: SETTINGS(16000), train: PLAIN_GD, threshold: 0.1, median: { outlierCap: 0.2 }, closer: { margin: 0.75 } },
};

const SOURCE = {
  paper: 'Zhang, Xu, Luo, Ma 2019, "Explicitizing an Implicit Bias of the Frequency Principle in Two-layer Neural Networks"',
  arxiv: '1905.10264',
  where: 'Fig. 2 (XOR; LFP repo fig2.py, v_l = 1); seed text 000 (1600 grid points); BRIEF.md §2.4 XOR closed form, §2.5, P2.3',
};

export const lfpXor = defineClaim<XorConfig, XorMeasurements>({
  id: 'lfp.xor',
  title: 'LFP predicts the network trained on XOR in 2-D (authors\' setting, v_l = 1)',
  statement:
    'A wide two-layer ReLU network with antisymmetric initialisation (fig2.py: w ~ 0.8·N(0, I), b ~ U[−1, 1], a ~ 0.2·N(0, 1)), trained ' +
    'by gradient descent on the four XOR points, matches the 2-D LFP long-time solution (closed form h = c₀ Σ y_j G(|x − x_j|)) on the ' +
    '40×40 grid of [−1, 1]², and is closer to it than to the pure-cubic (a = 0) and pure-linear (b = 0) closed forms. The same with ' +
    'b ~ U[−2, 2] is reported beside it, labelled; it does not set the verdict.',
  source: SOURCE,
  // Measured in the authors' setting: fails. At v_l = 1 the network stays 0.10–0.11 from LFP in every seed (the audit:
  // 5 of 5 seeds, 0.103–0.112), and it is not closer to LFP than to the pure-cubic closed form (ratio ≈ 1.02). With
  // v_l = 2 it is within 0.1 of LFP, but still not closer to LFP than to pure cubic (LFP is 0.0022 from it).
  expected: 'fails',
  tiers: XOR_TIERS,
  run,
  judge,
  figures,
});

const xorRival = (prediction: 'cubic' | 'linear') =>
  defineClaim<XorConfig, XorMeasurements>({
    id: `lfp.xor.rival-pure-${prediction}`,
    title: `Rival of lfp.xor: ${predictionName(prediction, 2)} instead of LFP`,
    statement:
      `Rival control: lfp.xor's experiment and judge with the prediction replaced by ${predictionName(prediction, 2)} ` +
      `(γ² = ${prediction === 'cubic' ? 'b|ξ|^-(d+3)' : 'a|ξ|^-(d+1)'} alone).`,
    source: SOURCE,
    control: true,
    rivalOf: 'lfp.xor',
    tiers: { ci: { ...XOR_TIERS.ci, prediction, pairedWith: 'lfp.xor' }, full: { ...XOR_TIERS.full, prediction, pairedWith: 'lfp.xor' } },
    run,
    judge,
    figures,
  });

export const lfpXorRivalCubic = xorRival('cubic');
export const lfpXorRivalLinear = xorRival('linear');
