// fprinciple.step-target (lecture notes A2-2 §1.3, Figs 1.4–1.5; seed 004 §1.3): a tanh MLP fitted by mean squared
// error to a periodic step function with three values (a regression stand-in for three classes, sampled densely)
// first draws a smooth, trigonometric-looking contour and only later the steps: in the DFT of its output the target's
// lowest spectral peak converges long before the next peaks.
import { defineClaim, type RunContext } from '../../core/claim.ts';
import { dftAt } from '../../theory/fourier.ts';
import { forward, initMlp, mat } from '../../theory/mlp.ts';
import { errorCurves, errorHeatmap, fittedOutputs } from './figures.ts';
import { periodicGrid, snapshots, targetPeaks, train1d, type Config1d, type Meas1d } from './oned.ts';
import { judgeOrder, type OrderRun, type OrderRule } from './order.ts';
import { lookupTableRun, recordedSteps } from './rivals.ts';

const SOURCE = {
  paper: 'Xu, Zhang, Luo, Xiao, Ma (2019), Frequency Principle: Fourier analysis sheds light on deep neural networks',
  arxiv: '1901.06523',
  where: 'lecture notes A2-2 §1.3, Figs 1.4–1.5 (periodic three-valued step target, MSE, fully connected net)',
};

/** The three-valued periodic staircase: −1, 0, 1 on the three thirds of [−π, π) (Fig. 1.4's "three classes"). */
export const stepTarget = (x: number) => Math.floor((3 * (x + Math.PI)) / (2 * Math.PI) + 1e-9) - 1;

/**
 * Its DFT peaks: |f̂_k| ∝ 1/k for k not a multiple of 3 and 0 for multiples of 3, so the strict local maxima are
 * k = 1, 4, 7, ... Two bands: the contour, the lowest peak k = 1, and the steps, the next two peaks k = 4 and 7
 * together (ΔF over both: ‖ĥ − f̂‖/‖f̂‖ on the two bins). Unlike the equal-amplitude claim fprinciple.1d, amplitude
 * falls with frequency here, as in the paper's figure. The steps' peaks are not ordered among themselves: k = 4
 * and k = 7 settle within ≈5% of each other (seeds at the default master seed: (1840, 1760), (1160, 1210)).
 */
const STEP_PEAKS = [1, 4, 7];

// ΔF < 0.1 as in P1.1. The contour settles at steps 20–30, the steps' band at 1160–1840 (ratio ≈ 40–90). The ratio
// rule (median t_steps/t_contour ≥ 3) separates the network from the lookup-table rival, whose ratio is
// log(e_steps(0)/0.1)/log(e_contour(0)/0.1) for initial errors e(0) (rivals.ts): ≥ 3 only if the random initial
// network already matched the contour to within ≈21%, while its initial step-band error is ≈1.
const RULE_STEP: OrderRule = { threshold: 0.1, minFraction: 1, minPairRatio: 3 };

/** Band errors [ΔF(contour), ΔF(steps)] of outputs h on the grid, from the target's DFT at the peaks. */
export function stepBandErrors(h: ArrayLike<number>, fHat: [number, number][]): number[] {
  const d = STEP_PEAKS.map((k, i) => {
    const [hr, hi] = dftAt(h, k);
    return { num: (hr - fHat[i]![0]) ** 2 + (hi - fHat[i]![1]) ** 2, den: fHat[i]![0] ** 2 + fHat[i]![1] ** 2 };
  });
  const band = (ix: number[]) => Math.sqrt(ix.reduce((s, i) => s + d[i]!.num, 0) / ix.reduce((s, i) => s + d[i]!.den, 0));
  return [band([0]), band([1, 2])];
}

const BANDS = ['contour (k=1)', 'steps (k=4, 7)'];

/** The target's DFT at the judged peaks (checked against the peak picker: they are its first three peaks). */
function stepSpectrum(n: number): [number, number][] {
  const ys = periodicGrid(n).map(stepTarget);
  const peaks = targetPeaks(ys).slice(0, STEP_PEAKS.length);
  if (peaks.join() !== STEP_PEAKS.join()) throw new Error(`step target peaks ${peaks.join(', ')} on ${n} points, expected ${STEP_PEAKS.join(', ')}`);
  return STEP_PEAKS.map((k) => dftAt(ys, k));
}

/** The lookup-table rival on the step target (rivals.ts), analysed by the same two bands. */
function stepLookup(cfg: Config1d, ctx: RunContext): Meas1d {
  const xs = periodicGrid(cfg.n);
  const ys = xs.map(stepTarget);
  const fHat = stepSpectrum(cfg.n);
  const X = mat(cfg.n, 1, Float64Array.from(xs));
  const steps = recordedSteps(cfg.steps, cfg.recordEvery);
  const runs: OrderRun[] = [];
  let first: Float64Array[] = [];
  for (const seed of ctx.replicates) {
    const net = initMlp([1, ...cfg.hidden, 1], { activation: 'tanh', parameterization: 'standard', sigmaW: 1, sigmaB: 0 }, ctx.rng(seed, 'init'));
    const r = lookupTableRun(seed, steps, forward(net, X).data, ys, (h) => stepBandErrors(h, fHat));
    runs.push(r.run);
    if (first.length === 0) first = r.outputs;
  }
  return {
    bands: BANDS,
    runs,
    x: xs.map((v) => Math.round(v * 1e4) / 1e4),
    y: ys,
    snaps: snapshots(
      steps.map((step, r) => ({ step, outputs: first[r]! })),
      [0, 100, 500, cfg.steps / 2, cfg.steps],
    ),
  };
}

export const stepTargetClaim = defineClaim<Config1d, Meas1d>({
  id: 'fprinciple.step-target',
  title: 'F-Principle on a three-valued step target: the contour before the steps',
  statement:
    'A tanh MLP fitted with Adam to a periodic step function with three values reaches ΔF < 0.1 (to stay) at its lowest spectral peak (k=1, the smooth contour) at least 3 times sooner than at the next two peaks together (k=4 and 7, the steps\' edges).',
  source: SOURCE,
  tiers: {
    // The paper's net and grid were not given ("very dense data", fully connected): 64 grid points and a 1-32-32-1
    // tanh net (the 1-D claim's CI net) keep it cheap. Budget: at 2400 steps the audit (seeds 20261124–43) was
    // "holds" 16/20 and "inconclusive" 4/20, the steps' band just short (e.g. ΔF = 0.107 at step 2400, seed 20261125);
    // the default seed's fit completes at 1170–1820. 3600 steps (1.5×) for CI.
    ci: { replicates: 2, n: 64, hidden: [32, 32], lr: 1e-3, steps: 3600, recordEvery: 10 },
    full: { replicates: 5, n: 128, hidden: [64, 64], lr: 1e-3, steps: 6000, recordEvery: 10 },
  },
  tolerance: { rel: 0.1, abs: 0.02, metrics: { settlingSteps: { rel: 0.25, abs: 20 }, fitCompleteStep: { rel: 0.25, abs: 20 } } },
  async run(cfg, ctx) {
    const runs: OrderRun[] = [];
    let first: Awaited<ReturnType<typeof train1d>> | undefined;
    const fHat = stepSpectrum(cfg.n);
    for (const seed of ctx.replicates) {
      const r = await train1d((x) => [x], { ...cfg, optimizer: 'adam' }, ctx, seed, stepTarget);
      const per = r.records.map((rec) => stepBandErrors(rec.outputs, fHat));
      runs.push({ ...r.run, err: [0, 1].map((b) => per.map((e) => e[b]!)) });
      first ??= r;
      ctx.progress(seed + 1, ctx.replicates.length);
    }
    const f = first!;
    return {
      bands: BANDS,
      runs,
      x: f.xs.map((v) => Math.round(v * 1e4) / 1e4),
      y: f.ys.map((v) => Math.round(v * 1e4) / 1e4),
      snaps: snapshots(f.records, [0, 100, 500, cfg.steps / 2, cfg.steps]),
    };
  },
  judge: (m) => judgeOrder(m, RULE_STEP),
  figures: (m) => ({
    fit: fittedOutputs(m.x, m.y, m.snaps, `Fitted output at a few steps: contour first, steps later (seed ${m.runs[0]!.seed})`),
    heatmap: errorHeatmap(m.runs[0]!, m.bands, `ΔF of the contour and the steps over training (seed ${m.runs[0]!.seed}; red = small)`),
    curves: errorCurves(m.runs, m.bands, 'ΔF of the contour and the steps per seed (dashed: convergence threshold 0.1)', RULE_STEP.threshold, 'ΔF'),
  }),
});

export const stepLookupRival = defineClaim<Config1d, Meas1d>({
  id: 'fprinciple.step-target.rival-lookup-table',
  title: 'Rival: a lookup-table model (no frequency bias) on the step target',
  statement:
    'One free parameter per grid point, started at the network\'s initial output and trained by gradient descent (closed form), shrinks the contour\'s and the steps\' ΔF at one rate; the step-target judge must not say "holds".',
  source: { ...SOURCE, where: 'rival of fprinciple.step-target (research/claim-power-audit.md: a model with no frequency bias)' },
  control: true,
  rivalOf: 'fprinciple.step-target',
  tiers: stepTargetClaim.tiers,
  tolerance: stepTargetClaim.tolerance,
  run: stepLookup,
  judge: (m) => judgeOrder(m, RULE_STEP),
  figures: (m, v, c) => stepTargetClaim.figures!(m, v, c),
});
