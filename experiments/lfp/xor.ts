// lfp.xor: the four XOR points in 2-D, the trained network against the LFP closed form on the 40×40 grid.
import { defineClaim, type BaseConfig, type FigureSpec, type RunContext } from '../../core/claim.ts';
import { xorClosedForm } from '../../theory/lfp.ts';
import { agreementVerdict, gridXor, type MedianRule, meanInterval, PLAIN_GD, runSeed, seedMetrics, XOR_INIT, xorData, type SeedRun, type TrainConfig } from './common.ts';

export interface XorConfig extends BaseConfig {
  width: number;
  train: TrainConfig;
  /** BRIEF P2.3: relative L2 < 0.10 [Cal: NTK regression, m = 16000, v_l = 2: 0.030–0.071 over seeds 0..3]. */
  threshold: number;
  /** Median rule: most seeds under `threshold`, every seed under this cap (see `median` below). */
  median: MedianRule;
}

export interface XorMeasurements {
  runs: SeedRun[];
  /** max |closed form − linear solve| of the LFP prediction on the grid, first seed (two computations of one function). */
  closedFormGap: number;
}

async function run(config: XorConfig, ctx: RunContext): Promise<XorMeasurements> {
  const grid = gridXor();
  const runs: SeedRun[] = [];
  for (const seed of ctx.replicates) {
    runs.push(runSeed({ width: config.width, init: XOR_INIT }, config.train, xorData(), grid, ctx, seed));
    ctx.progress(runs.length, ctx.replicates.length);
  }
  let gap = 0;
  const r0 = runs[0]!;
  for (let t = 0; t < grid.rows; t++) {
    gap = Math.max(gap, Math.abs(xorClosedForm(r0.coef.a, r0.coef.b, grid.data[2 * t]!, grid.data[2 * t + 1]!) - r0.lfp[t]!));
  }
  return { runs, closedFormGap: gap };
}

function judge(m: XorMeasurements, config: XorConfig) {
  const v = agreementVerdict(m.runs, config.threshold, undefined, config.median);
  // The prediction itself must be right: the solver and the closed form agree to rounding.
  const status = m.closedFormGap > 1e-9 ? ('fails' as const) : v.status;
  const ok = m.runs.every((r) => r.distLfp !== null);
  return {
    status,
    reason: m.closedFormGap > 1e-9 ? `LFP solver and XOR closed form differ by ${m.closedFormGap}` : `${v.why}.`,
    metrics: {
      threshold: config.threshold,
      width: config.width,
      distLfp: ok ? meanInterval(m.runs.map((r) => r.distLfp!)) : null,
      closedFormGap: m.closedFormGap,
      seeds: m.runs.map(seedMetrics),
    },
  };
}

function figures(m: XorMeasurements): Record<string, FigureSpec> {
  const r = m.runs[0]!;
  const grid = gridXor();
  const cells = (vals: number[]) =>
    vals.map((v, t) => ({ x1: +grid.data[2 * t]!.toFixed(4), x2: +grid.data[2 * t + 1]!.toFixed(4), value: v }));
  const heat = (vals: number[], title: string): FigureSpec => ({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 300,
    height: 300,
    data: { values: cells(vals) },
    mark: 'rect',
    encoding: {
      x: { field: 'x1', type: 'ordinal', title: 'x₁ (−1 … 1)', axis: { labels: false, ticks: false } },
      y: { field: 'x2', type: 'ordinal', title: 'x₂ (−1 … 1)', sort: 'descending', axis: { labels: false, ticks: false } },
      color: { field: 'value', type: 'quantitative', title: 'output', scale: { scheme: 'redblue', domain: [-1, 1] } },
    },
  });
  return {
    'xor-network': heat(r.net, `XOR: trained network (width ${r.width}, seed ${r.seed}) on the 40×40 grid`),
    'xor-lfp': heat(r.lfp, 'XOR: LFP prediction on the 40×40 grid'),
    'xor-scatter': {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      title: `XOR: network vs LFP at the 1600 grid points (relative L2 ${r.distLfp?.toFixed(3)})`,
      width: 300,
      height: 300,
      layer: [
        {
          data: { values: r.net.map((v, t) => ({ lfp: r.lfp[t]!, net: v })) },
          mark: { type: 'point', size: 8, opacity: 0.5 },
          encoding: {
            x: { field: 'lfp', type: 'quantitative', title: 'LFP prediction' },
            y: { field: 'net', type: 'quantitative', title: 'trained network' },
          },
        },
        {
          data: { values: [{ lfp: -1, net: -1 }, { lfp: 1, net: 1 }] },
          mark: { type: 'line', color: 'gray', strokeDash: [4, 4] },
          encoding: { x: { field: 'lfp', type: 'quantitative' }, y: { field: 'net', type: 'quantitative' } },
        },
      ],
    },
  };
}

// XOR's NTK on four symmetric points has κ ≈ 26: plain GD (PLAIN_GD) converges in ≈ 200 steps, so no momentum here.
//
// Decision rule. The trained network's distance to LFP varies from seed to seed (finite-width random features) with
// a long upper tail: over master seeds 1–20 (60 networks, width 8000, CI tier) it ranged 0.019–0.137, median ≈ 0.05,
// and 4 of 60 were ≥ 0.10 (0.105, 0.111, 0.111, 0.137); at width 16000, the BRIEF's, 0.010–0.103 with 1 of 60 over.
// "Every one of 3 seeds < 0.10" therefore holds with probability ≈ (1 − 1/15)³ ≈ 0.81 at width 8000 (16/20 on seeds
// 1–20; the audit had 18/20) and ≈ 0.95 at 16000, although LFP describes the typical network. The rule is now the
// median of 5 seeds < 0.10 (the BRIEF's threshold, unchanged) with every seed < 0.20 (about 1.5× the largest of the
// 60 calibration distances: a seed that far off still blocks "holds"). With the per-seed tail rate ≈ 1/15, a
// majority of 5 over 0.10 has probability ≈ 10·(1/15)³ ≈ 0.3%.

export const lfpXor = defineClaim<XorConfig, XorMeasurements>({
  id: 'lfp.xor',
  title: 'LFP predicts the network trained on XOR in 2-D',
  statement:
    'A wide two-layer ReLU network with antisymmetric initialisation, trained by gradient descent on the four XOR points, matches ' +
    'the 2-D LFP long-time solution (closed form h = c₀ Σ y_j G(|x − x_j|)) on the 40×40 grid of [−1, 1]².',
  source: {
    paper: 'Zhang, Xu, Luo, Ma 2019, "Explicitizing an Implicit Bias of the Frequency Principle in Two-layer Neural Networks"',
    arxiv: '1905.10264',
    where: 'Fig. 2 (XOR; LFP repo fig2.py); seed text 000 (1600 grid points); BRIEF.md §2.4 XOR closed form, P2.3',
  },
  tiers: {
    ci: { replicates: 5, width: 8000, train: PLAIN_GD, threshold: 0.1, median: { outlierCap: 0.2 } },
    full: { replicates: 7, width: 16000, train: PLAIN_GD, threshold: 0.1, median: { outlierCap: 0.2 } },
  },
  run,
  judge,
  figures,
});
