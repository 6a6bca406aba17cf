// maxmargin.direction: over random separable data sets, GD on the logistic loss turns towards the hard-margin
// SVM direction (Soudry et al. 2018, Thm 3): the angle to ŵ decreases and is small at the end.
// Control: the squared loss on the same data sets converges to the least-squares direction instead.
import { defineClaim, estimate, type AnyClaim, type RunContext, type Verdict } from '../../core/claim.ts';
import { claimRng } from '../../core/rng.ts';
import { bootstrapInterval, fraction, median } from '../../core/stats.ts';
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
  /** GD steps T; step size from `defaultStepSize` (logistic and squared: η = 1/σ_max(Z)²). */
  steps: number;
  points: number;
  /** The claim whose data streams are used, so a control sees exactly the same data sets. */
  dataFrom: string;
}

export interface DirectionReplicate {
  margin: number;
  supportSize: number;
  times: number[];
  angles: number[];
  divergedAt: number | null;
}

export type DirectionMeasurements = DirectionReplicate[];

/** The angle at T must be below 0.1 rad (≈ 5.7°): "small at the end" (issue 7); 1/log t law: C/log T with C ≈ 0.2–0.9 here. */
export const FINAL_ANGLE_MAX = 0.1;
/**
 * angle(T)/angle(√T) ≤ 0.95: a material decrease over the second half of the log-time axis. The 1/log t law
 * a/(log t + c) gives (½ log T + c)/(log T + c), ≤ 0.75 for offsets 0 ≤ c ≤ log T; a converged direction gives 1.
 */
export const LATE_RATIO_MAX = 0.95;
/**
 * At least 80% of the data sets must pass both (the theorem holds for every separable set; slack for slow ones).
 * Calibration (CI tier, master seeds 1–20, 240 data sets): 16 data sets (6.7%) fail the per-set test at T = 10^5,
 * 10 by angle(T) in 0.103–0.161 (slow sets, median angle(T) ≈ 0.04) and 6 by a late ratio 0.95–2.1 (the angle
 * dips transiently before √T, not yet in the 1/log t regime). The count of passing sets is binomial, so with 12
 * sets the rule "≥ 10 of 12" failed with probability ≈ 5% (P(Bin(12, 0.933) ≤ 9)); 1 of 20 calibration seeds and
 * 2 of 20 audit seeds did. With 20 sets the rule is "≥ 16 of 20": P(Bin(20, 0.933) ≤ 15) ≈ 1%; it held on 20 of 20
 * calibration seeds. The squared-loss control passes 0% of its sets (late ratio 1.00, angle(T) ≈ 0.17 rad): far below 80%.
 */
export const MIN_FRACTION = 0.8;

export function runDirection(config: DirectionConfig, ctx: RunContext): DirectionMeasurements {
  return ctx.replicates.map((r) => {
    ctx.progress(r, ctx.replicates.length);
    const Z = randomSeparable(claimRng(ctx.masterSeed, config.dataFrom, r, 'data'), config.n, config.d, config.gap);
    const svm = hardMarginSvm(Z);
    const g = gradientDescent(Z, {
      loss: config.loss,
      eta: defaultStepSize(Z, config.loss),
      steps: config.steps,
      record: [...logSpacedTimes(10, config.steps, config.points), Math.round(Math.sqrt(config.steps))],
    });
    return {
      margin: svm.margin,
      supportSize: svm.support.length,
      times: g.snapshots.map((s) => s.t),
      angles: g.snapshots.map((s) => (norm(s.w) > 0 ? angleBetween(s.w, svm.w) : Math.PI / 2)),
      divergedAt: g.divergedAt,
    };
  });
}

/** Per data set: the final angle and the late ratio angle(T)/angle(√T). */
export function directionStats(rep: DirectionReplicate) {
  const T = rep.times.at(-1)!;
  const iMid = rep.times.findIndex((t) => t >= Math.sqrt(T));
  const final = rep.angles.at(-1)!;
  const ratio = final / rep.angles[iMid]!;
  return { T, final, ratio, pass: final < FINAL_ANGLE_MAX && ratio <= LATE_RATIO_MAX };
}

export function judgeDirection(m: DirectionMeasurements): Verdict {
  const bad = m.find((r) => r.divergedAt !== null);
  if (bad) return { status: 'inconclusive', reason: `GD diverged at step ${bad.divergedAt}`, metrics: {} };
  const stats = m.map(directionStats);
  const finals = stats.map((s) => s.final);
  const ratios = stats.map((s) => s.ratio);
  const frac = fraction(stats, (s) => s.pass);
  const med = (xs: readonly number[]) => median(xs);
  const fi = bootstrapInterval(finals, med, { key: 'maxmargin.direction/final' });
  const ri = bootstrapInterval(ratios, med, { key: 'maxmargin.direction/ratio' });
  const metrics = {
    dataSets: m.length,
    fractionPassing: frac,
    finalAngle: estimate(med(finals), fi.lo, fi.hi),
    lateRatio: estimate(med(ratios), ri.lo, ri.hi),
    finalAngleTimesLogT: med(stats.map((s) => s.final * Math.log(s.T))),
    medianSvmMargin: med(m.map((r) => r.margin)),
  };
  const desc = `${(frac * 100).toFixed(0)}% of ${m.length} data sets pass (angle(T) < ${FINAL_ANGLE_MAX} rad and angle(T)/angle(√T) ≤ ${LATE_RATIO_MAX}); median angle(T) ${metrics.finalAngle.value.toPrecision(3)} rad [${fi.lo.toPrecision(3)}, ${fi.hi.toPrecision(3)}], median late ratio ${metrics.lateRatio.value.toPrecision(3)}`;
  return frac >= MIN_FRACTION
    ? { status: 'holds', reason: `The angle to the SVM direction decreases and ends small: ${desc}.`, metrics }
    : { status: 'fails', reason: `GD does not approach the SVM direction on enough data sets (need ${MIN_FRACTION * 100}%): ${desc}.`, metrics };
}

export function directionFigures(m: DirectionMeasurements, config: DirectionConfig) {
  const rows = m.flatMap((r, i) => r.times.filter((t) => t > 0).map((t, j) => ({ series: `data set ${i}`, logt: Math.log(t), value: r.angles[j + (r.times[0] === 0 ? 1 : 0)]! })));
  return {
    angle: curves({
      title: `Angle between w(t) and the SVM direction, ${config.loss} loss, ${m.length} random data sets (N=${config.n}, d=${config.d})`,
      x: { field: 'logt', title: 'log t (natural log of the GD step)' },
      y: { field: 'value', title: 'angle(w(t), ŵ) in radians (log scale)', log: true },
      measured: rows,
    }),
  };
}

const SOURCE = {
  paper: 'Soudry, Hoffer, Nacson, Gunasekar, Srebro. The Implicit Bias of Gradient Descent on Separable Data. JMLR 2018',
  arxiv: '1710.10345',
  where: 'Thm 3 (convergence in direction to the L2 max-margin separator); BRIEF §5.1, §5.3',
};

const base = { n: 40, d: 5, gap: 0.1, points: 30, dataFrom: 'maxmargin.direction' };

function directionClaim(id: string, title: string, statement: string, loss: MarginLoss, control: boolean): AnyClaim {
  return defineClaim<DirectionConfig, DirectionMeasurements>({
    id,
    title,
    statement,
    source: SOURCE,
    ...(control ? { control: true } : {}),
    tiers: {
      // 20 data sets (was 12): the verdict is a binomial count, see MIN_FRACTION.
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
  'GD on the logistic loss converges in direction to the hard-margin SVM',
  'For linearly separable data and a homogeneous linear predictor, GD on the logistic loss (step inside the smoothness bound, from w = 0) has w(t)/‖w(t)‖ → ŵ/‖ŵ‖: the angle to the SVM solution decreases and becomes small.',
  'logistic',
  false,
);

export const directionSquared = directionClaim(
  'maxmargin.direction.squared-loss',
  'Control: GD on the squared loss does not converge to the SVM direction',
  'Negative control: on the same data sets, GD on the squared loss ½(1 − y·w·x)² converges to the least-squares solution, whose direction differs from the SVM direction and stops moving.',
  'squared',
  true,
);
