// maxmargin.direction: over random separable data sets, GD on the logistic loss converges in direction to the
// hard-margin SVM at the rate of Soudry et al. (2018), Thm 3: w(t) = ŵ·log t + ρ(t) with ρ(t) bounded, so the angle
// to ŵ is O(1/log t). Every data set must conform (a theorem about every separable set): none is excused.
// Rival: the squared loss on the same data sets (a finite least-squares limit: ρ(t) grows like ŵ·log t).
import { defineClaim, estimate, type AnyClaim, type RunContext, type Verdict } from '../../core/claim.ts';
import { claimRng } from '../../core/rng.ts';
import { linearFit, median } from '../../core/stats.ts';
import { angleBetween, defaultStepSize, gradientDescent, hardMarginSvm, logSpacedTimes, norm, type MarginLoss } from '../../theory/maxmargin.ts';
import { randomSeparable } from './data.ts';
import { curves } from './figures.ts';

export interface DirectionConfig {
  replicates: number;
  /** Points, dimension, and the teacher's minimum margin of the random data sets. */
  n: number;
  d: number;
  gap: number;
  loss: MarginLoss;
  /** GD steps T (a multiple of 100); step size from `defaultStepSize` (logistic and squared: η = 1/σ_max(Z)²). */
  steps: number;
  points: number;
  /** The claim whose data streams are used, so a rival sees exactly the same data sets. */
  dataFrom: string;
}

export interface DirectionReplicate {
  margin: number;
  supportSize: number;
  /** ‖ŵ‖ of the margin-one SVM solution. */
  svmNorm: number;
  times: number[];
  angles: number[];
  /** ‖w(t) − ŵ·log t‖ at each time (0 at t = 0 is not recorded: times start at 10). */
  residualNorms: number[];
  divergedAt: number | null;
}

export type DirectionMeasurements = DirectionReplicate[];

/**
 * Per data set, the slope of ‖w(t) − ŵ log t‖ against log t over the last two decades [T/100, T], in units of
 * ‖ŵ‖, with its 95% t-interval, must have its upper end below 0.5.
 * Theory (Soudry et al. Thm 3): ρ(t) = w(t) − ŵ log t is bounded, so the slope tends to 0, and then
 * angle(w(t), ŵ) ≤ ‖ρ(t)‖/(‖ŵ‖ log t − ‖ρ(t)‖) = O(1/log t): the 1/log t rate is exactly "ρ bounded".
 * The rival with a finite limit (squared loss) has ‖ρ‖ ≈ ‖ŵ‖ log t: slope exactly 1; a limit direction u ≠ ŵ
 * growing like c·u·log t gives slope ‖cu − ŵ‖/‖ŵ‖ ≥ sin(angle(u, ŵ)). 0.5 sits halfway between theory and the
 * finite-limit rival. Calibration (master seeds 1–10, 200 data sets, T = 10⁵): slope 0.09–0.30, interval upper
 * ends ≤ 0.34 (the pull of non-support points, which decays like t^(1 − z_n·ŵ)); the squared loss: 1.00 on every set.
 * The every-set rule then held on 20/20 calibration seeds (1–20) and 20/20 audit seeds (20261124–43); rival 0/20.
 * Why not fit the angle itself against 1/log t: in a plane the signed angle ρ⊥/(‖ŵ‖ log t) can cross zero as
 * ρ(t) settles, so |angle| is V-shaped on some sets; the bound through ‖ρ‖ has no such artefact.
 */
export const RESIDUAL_GROWTH_MAX = 0.5;

export function runDirection(config: DirectionConfig, ctx: RunContext): DirectionMeasurements {
  const T = config.steps;
  return ctx.replicates.map((r) => {
    ctx.progress(r, ctx.replicates.length);
    const Z = randomSeparable(claimRng(ctx.masterSeed, config.dataFrom, r, 'data'), config.n, config.d, config.gap);
    const svm = hardMarginSvm(Z);
    const g = gradientDescent(Z, { loss: config.loss, eta: defaultStepSize(Z, config.loss), steps: T, record: [...logSpacedTimes(10, T, config.points), T / 100] });
    return {
      margin: svm.margin,
      supportSize: svm.support.length,
      svmNorm: norm(svm.w),
      times: g.snapshots.map((s) => s.t),
      angles: g.snapshots.map((s) => (norm(s.w) > 0 ? angleBetween(s.w, svm.w) : Math.PI / 2)),
      residualNorms: g.snapshots.map((s) => norm(s.w.map((v, k) => v - svm.w[k]! * Math.log(s.t)))),
      divergedAt: g.divergedAt,
    };
  });
}

/** Per data set: the residual's growth rate per unit log t over [T/100, T] (in units of ‖ŵ‖) and the final angle. */
export function directionStats(rep: DirectionReplicate) {
  const T = rep.times.at(-1)!;
  const late = rep.times.map((t, i) => [t, i] as const).filter(([t]) => t >= T / 100);
  const fit = linearFit(late.map(([t]) => Math.log(t)), late.map(([, i]) => rep.residualNorms[i]! / rep.svmNorm));
  const finalAngle = rep.angles.at(-1)!;
  return {
    T,
    growth: estimate(fit.slope, fit.ci.lo, fit.ci.hi),
    finalAngle,
    angleTimesLogT: finalAngle * Math.log(T),
    conforms: fit.ci.hi < RESIDUAL_GROWTH_MAX,
  };
}

export function judgeDirection(m: DirectionMeasurements): Verdict {
  const bad = m.find((r) => r.divergedAt !== null);
  if (bad) return { status: 'inconclusive', reason: `GD diverged at step ${bad.divergedAt}`, metrics: {} };
  const stats = m.map(directionStats);
  const conforming = stats.filter((s) => s.conforms).length;
  // The set whose interval reaches highest: the one closest to failing (or failing).
  const worstIndex = stats.reduce((w, s, i) => (s.growth.hi > stats[w]!.growth.hi ? i : w), 0);
  const worst = stats[worstIndex]!;
  const growths = stats.map((s) => s.growth.value);
  const metrics = {
    dataSets: m.length,
    conforming,
    worstResidualGrowth: worst.growth,
    worstDataSet: worstIndex,
    medianResidualGrowth: median(growths),
    residualGrowthRange: [Math.min(...growths), Math.max(...growths)],
    medianFinalAngle: median(stats.map((s) => s.finalAngle)),
    medianAngleTimesLogT: median(stats.map((s) => s.angleTimesLogT)),
    medianSvmMargin: median(m.map((r) => r.margin)),
  };
  const f = (x: number) => x.toPrecision(3);
  const desc = `${conforming} of ${m.length} data sets have ‖w(t) − ŵ log t‖ growing by less than ${RESIDUAL_GROWTH_MAX}·‖ŵ‖ per unit log t over [T/100, T] (95% upper end; theory 0, finite-limit rival 1); worst set ${worstIndex}: ${f(worst.growth.value)} [${f(worst.growth.lo)}, ${f(worst.growth.hi)}]; median angle(T)·log T ${f(metrics.medianAngleTimesLogT)}`;
  return conforming === m.length
    ? { status: 'holds', reason: `Every data set converges to the SVM direction at the 1/log t rate: ${desc}.`, metrics }
    : { status: 'fails', reason: `Not every data set converges to the SVM direction at the 1/log t rate: ${desc}.`, metrics };
}

export function directionFigures(m: DirectionMeasurements, config: DirectionConfig) {
  const angleRows = m.flatMap((r, i) => r.times.map((t, j) => ({ series: `data set ${i}`, invlogt: 1 / Math.log(t), value: r.angles[j]! })));
  const residualRows = m.flatMap((r, i) => r.times.map((t, j) => ({ series: `data set ${i}`, logt: Math.log(t), value: r.residualNorms[j]! / r.svmNorm })));
  return {
    angle: curves({
      title: `Angle between w(t) and the SVM direction against 1/log t, ${config.loss} loss, ${m.length} random data sets (N=${config.n}, d=${config.d}); the 1/log t law is a line into the origin`,
      x: { field: 'invlogt', title: '1/log t (t the GD step; late times on the left)' },
      y: { field: 'value', title: 'angle(w(t), ŵ) in radians' },
      measured: angleRows,
      legendTitle: 'data set',
    }),
    residual: curves({
      title: `‖w(t) − ŵ log t‖/‖ŵ‖ against log t (Soudry et al.: bounded; a finite limit grows with slope 1), ${config.loss} loss`,
      x: { field: 'logt', title: 'log t (natural log of the GD step)' },
      y: { field: 'value', title: '‖w(t) − ŵ log t‖ / ‖ŵ‖' },
      measured: residualRows,
      legendTitle: 'data set',
    }),
  };
}

const SOURCE = {
  paper: 'Soudry, Hoffer, Nacson, Gunasekar, Srebro. The Implicit Bias of Gradient Descent on Separable Data. JMLR 2018',
  arxiv: '1710.10345',
  where: 'Thm 3 (convergence in direction to the L2 max-margin separator); BRIEF §5.1, §5.3',
};

const base = { n: 40, d: 5, gap: 0.1, points: 30, dataFrom: 'maxmargin.direction' };

function directionClaim(id: string, title: string, statement: string, loss: MarginLoss, rivalOf?: string): AnyClaim {
  return defineClaim<DirectionConfig, DirectionMeasurements>({
    id,
    title,
    statement,
    source: SOURCE,
    ...(rivalOf ? { control: true, rivalOf } : {}),
    tiers: {
      ci: { replicates: 20, ...base, loss, steps: 1e5 },
      full: { replicates: 40, ...base, n: 60, d: 8, loss, steps: 3e5 },
    },
    tolerance: { rel: 1e-6, abs: 1e-9 },
    run: runDirection,
    judge: (m) => judgeDirection(m),
    figures: (m, _v, c) => directionFigures(m, c),
  });
}

export const direction = directionClaim(
  'maxmargin.direction',
  'GD on the logistic loss converges in direction to the hard-margin SVM, at the 1/log t rate, on every data set',
  'For linearly separable data and a homogeneous linear predictor, GD on the logistic loss (step inside the smoothness bound, from w = 0) has w(t) = ŵ·log t + ρ(t) with ρ(t) bounded, so the angle to the SVM solution ŵ decays like 1/log t. Judged on every one of 20 random separable sets (N = 40, d = 5): the residual ‖w(t) − ŵ log t‖ must grow by less than ‖ŵ‖/2 per unit log t over the last two decades (95% upper end).',
  'logistic',
);

export const directionSquared = directionClaim(
  'maxmargin.direction.squared-loss',
  'Rival: GD on the squared loss (a finite least-squares limit) on the same data sets',
  'Rival control: the squared loss ½(1 − y·w·x)² on the same data sets. GD converges to the least-squares solution, a finite w, so ‖w(t) − ŵ log t‖ grows like ‖ŵ‖·log t and the angle to ŵ stops shrinking; the judge must say "fails" on the rate.',
  'squared',
  'maxmargin.direction',
);
