// maxmargin.log-rate: the rates of Soudry et al. (2018) (BRIEF §5.3–5.5, P5.1) on several random 2-D separable
// sets drawn from a seeded distribution (data.ts `randomTwoSupport2d`): w(t) = ŵ·log t + w̃ + o(1), so ‖w(t)‖
// grows like ‖ŵ‖·log t, the angle to ŵ shrinks like 1/log t, the residual ‖w − ŵ log t − w̃‖ shrinks and L = O(1/t).
// Rivals: the squared loss on the same sets (a finite limit), and the same sets with one point on the wrong side
// (non-separable: GD runs and settles at a finite minimizer; the judge compares it with the clean set's ŵ).
import { defineClaim, estimate, type AnyClaim, type RunContext, type Verdict } from '../../core/claim.ts';
import { claimRng } from '../../core/rng.ts';
import { linearFit } from '../../core/stats.ts';
import { angleBetween, asymptoticOffset, gradientDescent, hardMarginSvm, logSpacedTimes, norm, sigmaMaxSq, type MarginLoss } from '../../theory/maxmargin.ts';
import { matToRows } from '../../theory/mlp.ts';
import { randomTwoSupport2d, withWrongSidePoint } from './data.ts';
import { curves, data2d } from './figures.ts';

export interface LogRateConfig {
  /** The number of random data sets. */
  replicates: number;
  /** Points per set (two support vectors and n − 2 beyond the margin). */
  n: number;
  /** The rival: add one point on the wrong side (−½·mean), so the trained set is not separable. */
  wrongSidePoint: boolean;
  /** The claim whose data streams are used, so every rival sees exactly the same sets. */
  dataFrom: string;
  /** Each run: a loss and its step η = etaTimesSigmaSq / σ_max(Z)² (BRIEF §5.4: 1 for logistic, 0.1 for exp). */
  runs: { loss: MarginLoss; etaTimesSigmaSq: number }[];
  /** T, a power of ten ≥ 10^3 so the decades T/100, T/10, T are recorded. */
  steps: number;
  /** Log-spaced recording times from 10 to T. */
  points: number;
}

export interface LogRateRun {
  loss: MarginLoss;
  eta: number;
  times: number[];
  w: number[][];
  lossValues: number[];
  divergedAt: number | null;
  /** Soudry et al.'s offset w̃ (η·exp(−z_s·w̃) = α_s on the clean set's support), null if it cannot be solved. */
  wTilde: number[] | null;
}

/** One data set: the points GD trained on, the hard-margin SVM of the clean (separable) set, one run per loss. */
export interface LogRateSet {
  z: number[][];
  svm: { w: number[]; margin: number; support: number[] };
  runs: LogRateRun[];
}

export type LogRateMeasurements = LogRateSet[];

// Thresholds, each beside the prediction it tests:
/**
 * The slope of ‖w‖ against log t over the last decade [T/10, T] must be within 10% of ‖ŵ‖ (theory: exactly ‖ŵ‖).
 * Calibration (master seeds 1–20, 100 drawn sets, T = 10⁶): the o(1) drift moves it by at most 1.6% (logistic) and
 * 4.5% (exp, whose step 0.1/σ² is 10× smaller, so it is a decade "earlier"); over [T/100, T] up to 8% (exp).
 * The rivals' slopes are ≈ 0 (−100%). (The brief's one set: 0.01% and 1.4%.)
 */
const NORM_SLOPE_REL_TOL = 0.1;
/**
 * Reported, not judged: the angle at T/10 and T against the angle of ŵ log t + w̃. BRIEF P5.1(ii) asks angle·log t
 * to agree within 10% between T/10 and T (0.256 vs 0.252 on its set); on the drawn sets the offset ŵ̂·w̃ moves it
 * by 10–35% over the last decade, and the angle is ‖ρ⊥‖/‖w‖, whose numerator ‖w̃⊥‖ can be small, so its ratio to
 * the prediction was 0.06–5 at T = 10⁶ (calibration). The rate is judged through ‖w‖ ≈ ‖ŵ‖ log t and the shrinking
 * residual ‖w − ŵ log t − w̃‖, which bound the angle by O(1/log t).
 */
/** t·L(t) ratio between T/10 and T in [0.5, 2] (BRIEF P5.1(iii): L = O(1/t)). */
const TL_RATIO = [0.5, 2] as const;

export function runLogRate(config: LogRateConfig, ctx: RunContext): LogRateMeasurements {
  const T = config.steps;
  const record = [...logSpacedTimes(10, T, config.points), T / 100, T / 10, T];
  return ctx.replicates.map((r) => {
    ctx.progress(r, ctx.replicates.length);
    const clean = randomTwoSupport2d(claimRng(ctx.masterSeed, config.dataFrom, r, 'data'), config.n);
    const svm = hardMarginSvm(clean);
    const Z = config.wrongSidePoint ? withWrongSidePoint(clean) : clean;
    const s2 = sigmaMaxSq(Z);
    const runs = config.runs.map(({ loss, etaTimesSigmaSq }) => {
      const eta = etaTimesSigmaSq / s2;
      const g = gradientDescent(Z, { loss, eta, steps: T, record });
      const wTilde = asymptoticOffset(clean, svm, eta);
      return {
        loss,
        eta,
        times: g.snapshots.map((s) => s.t),
        w: g.snapshots.map((s) => Array.from(s.w)),
        lossValues: g.snapshots.map((s) => s.loss),
        divergedAt: g.divergedAt,
        wTilde: wTilde ? Array.from(wTilde) : null,
      };
    });
    return { z: matToRows(Z), svm: { w: Array.from(svm.w), margin: svm.margin, support: svm.support }, runs };
  });
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Everything the judge reads from one trajectory: pure arithmetic on the recorded w(t) against the SVM's ŵ. */
export function analyzeRun(run: LogRateRun, svmW: number[]) {
  const T = run.times.at(-1)!;
  const at = (t: number) => run.times.indexOf(t);
  // Fit window for ‖w‖: the last decade, where the decaying part of ρ(t) − w̃ moves the slope least.
  const lastDecade = run.times.map((t, i) => [t, i] as const).filter(([t]) => t >= T / 10);
  const normFit = linearFit(lastDecade.map(([t]) => Math.log(t)), lastDecade.map(([, i]) => norm(run.w[i]!)));
  const late = run.times.map((t, i) => [t, i] as const).filter(([t]) => t >= T / 100);
  const logt = late.map(([t]) => Math.log(t));
  const svmNorm = norm(svmW);
  const angles = run.w.map((w) => (norm(w) > 0 ? angleBetween(w, svmW) : Math.PI / 2));
  const invAngle = late.map(([, i]) => 1 / angles[i]!);
  const angleFit = linearFit(logt, invAngle);
  const angleLog = [T / 10, T].map((t) => angles[at(t)]! * Math.log(t));
  // The theory's angle at t: that of ŵ log t + w̃, atan(‖w̃⊥‖/(‖ŵ‖ log t + ŵ̂·w̃)) — the 1/log t law with its offset.
  const predictedAngle = run.wTilde ? [T / 10, T].map((t) => angleBetween(svmW.map((v, k) => v * Math.log(t) + run.wTilde![k]!), svmW)) : null;
  const angleRatio = predictedAngle ? [T / 10, T].map((t, j) => angles[at(t)]! / predictedAngle[j]!) : null;
  const residuals = run.wTilde
    ? [T / 100, T / 10, T].map((t) => {
        const w = run.w[at(t)]!;
        return Math.hypot(...w.map((v, k) => v - svmW[k]! * Math.log(t) - run.wTilde![k]!));
      })
    : null;
  const tL = [T / 10, T].map((t) => t * run.lossValues[at(t)]!);
  return { T, normFit, svmNorm, angleFit, angleLog, angleRatio, residuals, tL, angles };
}

/** One data set: the list of the theory's predictions it misses (empty: it conforms), and its metrics per loss. */
export function judgeLogRateSet(set: LogRateSet): { problems: string[]; metrics: Record<string, Record<string, unknown>> } {
  const metrics: Record<string, Record<string, unknown>> = {};
  const problems: string[] = [];
  for (const run of set.runs) {
    const a = analyzeRun(run, set.svm.w);
    const slopeRel = a.normFit.slope / a.svmNorm - 1;
    const tLRatio = a.tL[1]! / a.tL[0]!;
    metrics[run.loss] = {
      eta: run.eta,
      normSlope: estimate(a.normFit.slope, a.normFit.ci.lo, a.normFit.ci.hi),
      predictedNormSlope: a.svmNorm,
      // 1/angle linear in log t is the 1/log t law; its slope tends to ‖ŵ‖/‖w̃⊥‖ only as ρ(t) → w̃ (slowly).
      invAngleSlope: estimate(a.angleFit.slope, a.angleFit.ci.lo, a.angleFit.ci.hi),
      invAngleR2: a.angleFit.r2,
      angleTimesLogT: { atTover10: a.angleLog[0]!, atT: a.angleLog[1]! },
      angleOverPredicted: a.angleRatio ? { atTover10: a.angleRatio[0]!, atT: a.angleRatio[1]! } : null,
      residual: a.residuals ? { atTover100: a.residuals[0]!, atTover10: a.residuals[1]!, atT: a.residuals[2]! } : null,
      tLossRatio: finite(tLRatio),
    };
    if (!(Math.abs(slopeRel) <= NORM_SLOPE_REL_TOL)) problems.push(`${run.loss}: ‖w‖ grows at ${a.normFit.slope.toPrecision(4)} per unit log t, not ‖ŵ‖ = ${a.svmNorm.toPrecision(4)} (±${NORM_SLOPE_REL_TOL * 100}%)`);
    if (!a.residuals || !(a.residuals[2]! < a.residuals[1]! && a.residuals[1]! < a.residuals[0]!)) problems.push(`${run.loss}: ‖w − ŵ log t − w̃‖ does not decrease over the last decades`);
    if (!(tLRatio >= TL_RATIO[0] && tLRatio <= TL_RATIO[1])) problems.push(`${run.loss}: t·L(t) changes by a factor ${tLRatio.toPrecision(3)} over the last decade (L = O(1/t))`);
  }
  return { problems, metrics };
}

/** Every data set must conform to every prediction, for every loss (a theorem about every separable set). */
export function judgeLogRate(m: LogRateMeasurements): Verdict {
  for (const set of m) {
    const run = set.runs.find((r) => r.divergedAt !== null);
    if (run) return { status: 'inconclusive', reason: `${run.loss}: GD diverged (non-finite w) at step ${run.divergedAt}`, metrics: {} };
  }
  const judged = m.map(judgeLogRateSet);
  const conforming = judged.filter((j) => j.problems.length === 0).length;
  const slopes = m.flatMap((set, i) =>
    set.runs.map((r) => {
      const x = judged[i]!.metrics[r.loss]!.normSlope as { value: number };
      return x.value / norm(set.svm.w);
    }),
  );
  const metrics = {
    dataSets: m.length,
    conforming,
    normSlopeOverSvmNormRange: [Math.min(...slopes), Math.max(...slopes)],
    sets: judged.map((j) => j.metrics),
  } as Verdict['metrics'];
  const range = `‖w‖ slope / ‖ŵ‖ over all sets and losses in [${Math.min(...slopes).toPrecision(4)}, ${Math.max(...slopes).toPrecision(4)}] (range)`;
  if (conforming === m.length) {
    return { status: 'holds', reason: `All ${m.length} data sets: w(t) ≈ ŵ log t + w̃ with shrinking residual, ‖w‖ growing like ‖ŵ‖ log t, t·L bounded (so the angle is O(1/log t)); ${range}.`, metrics };
  }
  const first = judged.map((j, i) => [j, i] as const).filter(([j]) => j.problems.length > 0);
  const shown = first.slice(0, 3).map(([j, i]) => `set ${i}: ${j.problems.join('; ')}`);
  return { status: 'fails', reason: `${m.length - conforming} of ${m.length} data sets miss the predicted rates; ${shown.join(' | ')}${first.length > 3 ? ' | …' : ''}.`, metrics };
}

export function logRateFigures(m: LogRateMeasurements) {
  const measuredAngle: Record<string, number | string>[] = [];
  const predictedAngle: Record<string, number | string>[] = [];
  const measuredNorm: Record<string, number | string>[] = [];
  const predictedNorm: Record<string, number | string>[] = [];
  m.forEach((set, i) => {
    for (const run of set.runs) {
      const lts = run.times.map(Math.log);
      const name = `set ${i}, ${run.loss} loss`;
      run.w.forEach((w, j) => {
        if (run.times[j]! < 100) return;
        measuredNorm.push({ series: `GD, ${name}`, logt: lts[j]!, value: norm(w) });
        if (norm(w) > 0) measuredAngle.push({ series: `GD, ${name}`, logt: lts[j]!, value: angleBetween(w, set.svm.w) });
      });
      if (run.wTilde) {
        // Prediction from w(t) ≈ ŵ log t + w̃: ‖w‖ and the angle of that curve.
        for (const lt of lts) {
          if (lt < Math.log(100)) continue;
          const p = set.svm.w.map((v, k) => v * lt + run.wTilde![k]!);
          predictedNorm.push({ series: `ŵ log t + w̃ (theory), ${name}`, logt: lt, value: norm(p) });
          predictedAngle.push({ series: `angle of ŵ log t + w̃ (theory), ${name}`, logt: lt, value: angleBetween(p, set.svm.w) });
        }
      }
    }
  });
  const set0 = m[0]!;
  const run = set0.runs[0]!;
  const showT = [10, 100, 1000, 1e4, 1e5, 1e6].filter((t) => run.times.includes(t));
  return {
    norm: curves({
      title: `‖w(t)‖ against log t on ${m.length} random separable sets: GD (solid) and ŵ log t + w̃ (dashed)`,
      x: { field: 'logt', title: 'log t (natural log of the GD step)' },
      y: { field: 'value', title: '‖w(t)‖' },
      measured: measuredNorm,
      predicted: predictedNorm,
      legendTitle: 'curve (data set, loss)',
    }),
    angle: curves({
      title: 'Angle between w(t) and the SVM solution ŵ against log t: GD (solid) and ŵ log t + w̃ (dashed)',
      x: { field: 'logt', title: 'log t (natural log of the GD step)' },
      y: { field: 'value', title: 'angle(w(t), ŵ) in radians (log scale)', log: true },
      measured: measuredAngle,
      predicted: predictedAngle,
      legendTitle: 'curve (data set, loss)',
    }),
    data: data2d({
      title: `Data set 0 (y·x), its clean SVM boundary and the GD direction (${run.loss} loss) at several t`,
      points: set0.z.map((z, i) => ({ x1: z[0]!, x2: z[1]!, kind: set0.svm.support.includes(i) ? 'support vector' : z[0]! * set0.svm.w[0]! + z[1]! * set0.svm.w[1]! < 0 ? 'point on the wrong side' : 'point' })),
      svm: set0.svm.w,
      directions: showT.map((t) => ({ t, w: run.w[run.times.indexOf(t)]! })),
    }),
  };
}

const SOURCE = {
  paper: 'Soudry, Hoffer, Nacson, Gunasekar, Srebro. The Implicit Bias of Gradient Descent on Separable Data. JMLR 2018',
  arxiv: '1710.10345',
  where: 'Thm 3 and §3 (w(t) = ŵ log t + ρ(t)); BRIEF §5.3–5.5 (P5.1)',
};

const logistic = { loss: 'logistic' as const, etaTimesSigmaSq: 1 };
const exp = { loss: 'exp' as const, etaTimesSigmaSq: 0.1 };
const base = { n: 6, points: 40, dataFrom: 'maxmargin.log-rate' };

function logRateClaim(id: string, title: string, statement: string, rivalOf: string | null, ci: Omit<LogRateConfig, 'n' | 'points' | 'dataFrom'>, full: Omit<LogRateConfig, 'n' | 'points' | 'dataFrom'>): AnyClaim {
  return defineClaim<LogRateConfig, LogRateMeasurements>({
    id,
    title,
    statement,
    source: SOURCE,
    ...(rivalOf ? { control: true, rivalOf } : {}),
    tiers: { ci: { ...base, ...ci }, full: { ...base, ...full, points: 60 } },
    tolerance: { rel: 1e-6, abs: 1e-9 },
    run: runLogRate,
    judge: (m) => judgeLogRate(m),
    figures: (m) => logRateFigures(m),
  });
}

export const logRate = logRateClaim(
  'maxmargin.log-rate',
  'GD on separable data: ‖w(t)‖ ≈ ‖ŵ‖ log t and the angle to the SVM shrinks like 1/log t, on every drawn set',
  'On linearly separable data, GD on the logistic or exponential loss has w(t) = ŵ·log t + w̃ + o(1) with ŵ the margin-one hard-margin SVM solution: ‖w(t)‖ grows like ‖ŵ‖·log t, the angle to ŵ decays like 1/log t, the residual ‖w − ŵ log t − w̃‖ shrinks, and the loss decays like 1/t. Judged on every one of several random 2-D sets with two support vectors (the brief\'s kind of set, drawn from a seeded distribution).',
  null,
  { replicates: 5, wrongSidePoint: false, runs: [logistic, exp], steps: 1e6 },
  { replicates: 12, wrongSidePoint: false, runs: [logistic, exp], steps: 1e7 },
);

export const logRateSquared = logRateClaim(
  'maxmargin.log-rate.squared-loss',
  'Rival: the squared loss on the same data sets (a finite limit, no log t growth)',
  'Rival control: GD on the squared loss ½(1 − y·w·x)² on the same sets converges to the least-squares solution, a finite w, so ‖w(t)‖ does not grow like ‖ŵ‖ log t and the angle to ŵ does not shrink; the judge must say "fails".',
  'maxmargin.log-rate',
  { replicates: 5, wrongSidePoint: false, runs: [{ loss: 'squared', etaTimesSigmaSq: 1 }], steps: 1e5 },
  { replicates: 12, wrongSidePoint: false, runs: [{ loss: 'squared', etaTimesSigmaSq: 1 }], steps: 1e6 },
);

export const logRateNonSeparable = logRateClaim(
  'maxmargin.log-rate.non-separable',
  'Rival: the same sets made non-separable by one point on the wrong side (GD runs and settles)',
  'Rival control: each set plus the point −½·(mean of its points), so 0 lies inside the hull and no homogeneous separator exists. GD on the logistic loss runs on these data and converges to the finite minimizer: ‖w(t)‖ stays bounded and the direction does not approach the clean set\'s SVM direction ŵ, against which the same judge measures it; it must say "fails".',
  'maxmargin.log-rate',
  { replicates: 5, wrongSidePoint: true, runs: [logistic], steps: 1e5 },
  { replicates: 12, wrongSidePoint: true, runs: [logistic], steps: 1e6 },
);
