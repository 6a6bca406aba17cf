// maxmargin.homogeneous-net: Lyu & Li (2020): for a homogeneous network (here a bias-free two-layer ReLU net,
// order L = 2) trained by GD on the logistic loss, once the data are fit (loss below ℓ(0)), the normalized
// margin min_n y_n f(x_n)/‖θ‖² increases, and ‖θ‖² grows like log t. BRIEF §5.3 and P5.3.
// Control: the same nets on the same data with the squared loss, which converges to a finite interpolator.
import { defineClaim, estimate, type AnyClaim, type RunContext, type Verdict } from '../../core/claim.ts';
import { claimRng } from '../../core/rng.ts';
import { bootstrapInterval, fraction, linearFit, median } from '../../core/stats.ts';
import { forwardOne, initTwoLayer, smoothedMargin, trainTwoLayer } from '../../theory/homogeneous.ts';
import { logSpacedTimes, marginLoss, type MarginLoss } from '../../theory/maxmargin.ts';
import { curves } from './figures.ts';

export interface HomogeneousConfig {
  replicates: number;
  /** Points and input dimension; labels from a random bias-free ReLU teacher of `teacherWidth` units. */
  n: number;
  d: number;
  teacherWidth: number;
  /** Student width, initialization scale, loss, fixed step and number of GD steps. */
  width: number;
  initScale: number;
  loss: MarginLoss;
  eta: number;
  steps: number;
  points: number;
  /** The claim whose data and initialization streams are used (controls see the same nets and data). */
  dataFrom: string;
}

export interface HomogeneousReplicate {
  times: number[];
  loss: number[];
  normSq: number[];
  minMargin: number[];
  divergedAt: number | null;
}

export type HomogeneousMeasurements = HomogeneousReplicate[];

/** Relative slack on "non-decreasing" between consecutive checkpoints (BRIEF P5.3: 1e-6). */
export const MONOTONE_SLACK = 1e-6;
/** At least 75% of the replicates must show a non-decreasing, strictly increased normalized margin. */
export const MIN_FRACTION = 0.75;

export function runHomogeneous(config: HomogeneousConfig, ctx: RunContext): HomogeneousMeasurements {
  return ctx.replicates.map((r) => {
    ctx.progress(r, ctx.replicates.length);
    const rng = claimRng(ctx.masterSeed, config.dataFrom, r, 'data');
    const { n, d } = config;
    const X = { rows: n, cols: d, data: rng.normals(n * d) };
    const teacher = initTwoLayer(config.teacherWidth, d, 1, claimRng(ctx.masterSeed, config.dataFrom, r, 'teacher'));
    const y = Float64Array.from({ length: n }, (_, i) => (forwardOne(teacher, X.data, i * d) >= 0 ? 1 : -1));
    const net = initTwoLayer(config.width, d, config.initScale, claimRng(ctx.masterSeed, config.dataFrom, r, 'init'));
    const res = trainTwoLayer(net, X, y, { loss: config.loss, eta: config.eta, steps: config.steps, record: logSpacedTimes(1, config.steps, config.points) });
    return {
      times: res.snapshots.map((s) => s.t),
      loss: res.snapshots.map((s) => s.loss),
      normSq: res.snapshots.map((s) => s.normSq),
      minMargin: res.snapshots.map((s) => s.minMargin),
      divergedAt: res.divergedAt,
    };
  });
}

/**
 * The loss below which the margin is judged. Logistic / exp: Lyu & Li's condition L < ℓ(0) (log 2 or 1), which
 * implies every y_n f(x_n) > 0. Squared (the control): no such theory, so only "every point classified".
 */
export function fitThreshold(loss: MarginLoss): number {
  return loss === 'squared' ? Infinity : marginLoss(loss, 0);
}

/**
 * Per replicate, from the first checkpoint after which every point stays classified (y_n f(x_n) > 0) and the
 * loss is below `fitThreshold`: is γ = min y f/‖θ‖² non-decreasing (within the slack), has it increased, and
 * how fast does ‖θ‖² grow against log t over the late half.
 */
export function homogeneousStats(rep: HomogeneousReplicate, loss: MarginLoss) {
  const threshold = fitThreshold(loss);
  const start = rep.loss.findIndex((L, i) => L < threshold && rep.minMargin.slice(i).every((q) => q > 0));
  if (start < 0 || rep.times.length - start < 4) return null;
  const gamma = rep.minMargin.map((q, i) => q / rep.normSq[i]!).slice(start);
  let monotone = true;
  for (let i = 1; i < gamma.length; i++) if (gamma[i]! < gamma[i - 1]! - MONOTONE_SLACK * Math.abs(gamma[i - 1]!)) monotone = false;
  const T = rep.times.at(-1)!;
  const late = rep.times.map((t, i) => [t, i] as const).filter(([t, i]) => i >= start && t >= Math.sqrt(T));
  const normFit = late.length >= 3 ? linearFit(late.map(([t]) => Math.log(t)), late.map(([, i]) => rep.normSq[i]!)) : null;
  const smoothed = rep.loss.map((L, i) => (loss === 'logistic' ? smoothedMargin(L, rep.normSq[i]!) : null));
  return {
    fitAt: rep.times[start]!,
    gammaStart: gamma[0]!,
    gammaEnd: gamma.at(-1)!,
    relIncrease: gamma.at(-1)! / gamma[0]! - 1,
    monotone,
    normFit,
    smoothedEnd: smoothed.at(-1) ?? null,
    pass: monotone && gamma.at(-1)! > gamma[0]! && normFit !== null && normFit.ci.lo > 0,
  };
}

export function judgeHomogeneous(m: HomogeneousMeasurements, config: Pick<HomogeneousConfig, 'loss'>): Verdict {
  const bad = m.find((r) => r.divergedAt !== null);
  if (bad) return { status: 'inconclusive', reason: `GD diverged (non-finite weights) at step ${bad.divergedAt}`, metrics: {} };
  const stats = m.map((r) => homogeneousStats(r, config.loss));
  const fitted = stats.filter((s): s is NonNullable<typeof s> => s !== null);
  if (fitted.length < m.length / 2) {
    return { status: 'inconclusive', reason: `only ${fitted.length} of ${m.length} nets classify the data (with loss below ${fitThreshold(config.loss)}) early enough to judge the margin`, metrics: { fitted: fitted.length } };
  }
  const frac = fraction(stats, (s) => s !== null && s.pass);
  const inc = fitted.map((s) => s.relIncrease);
  const slopes = fitted.map((s) => s.normFit?.slope ?? 0);
  const med = (xs: readonly number[]) => median(xs);
  const ii = bootstrapInterval(inc, med, { key: 'maxmargin.homogeneous-net/inc' });
  const si = bootstrapInterval(slopes, med, { key: 'maxmargin.homogeneous-net/slope' });
  const metrics = {
    nets: m.length,
    fitted: fitted.length,
    fractionPassing: frac,
    fractionMonotone: fraction(fitted, (s) => s.monotone),
    fractionNormGrowing: fraction(fitted, (s) => s.normFit !== null && s.normFit.ci.lo > 0),
    marginRelIncrease: estimate(med(inc), ii.lo, ii.hi),
    normSqPerLogT: estimate(med(slopes), si.lo, si.hi),
    medianFinalNormalizedMargin: med(fitted.map((s) => s.gammaEnd)),
  };
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  const desc = `${pct(frac)} of ${m.length} nets pass (γ = min y f/‖θ‖² non-decreasing within ${MONOTONE_SLACK} after the fit: ${pct(metrics.fractionMonotone)} of ${fitted.length} fitted; ‖θ‖² growing in log t: ${pct(metrics.fractionNormGrowing)}; γ increased); median relative increase of γ ${(metrics.marginRelIncrease.value * 100).toPrecision(3)}% [${(ii.lo * 100).toPrecision(3)}, ${(ii.hi * 100).toPrecision(3)}], median d‖θ‖²/d log t ${metrics.normSqPerLogT.value.toPrecision(3)}`;
  return frac >= MIN_FRACTION
    ? { status: 'holds', reason: `The normalized margin increases after the data are fit: ${desc}.`, metrics }
    : { status: 'fails', reason: `The normalized margin does not keep increasing (need ${MIN_FRACTION * 100}% of nets): ${desc}.`, metrics };
}

export function homogeneousFigures(m: HomogeneousMeasurements, config: HomogeneousConfig) {
  const rows: Record<string, number | string>[] = [];
  const norms: Record<string, number | string>[] = [];
  m.forEach((r, k) => {
    r.times.forEach((t, i) => {
      if (t === 0) return;
      if (r.minMargin[i]! > 0) rows.push({ series: `net ${k}`, logt: Math.log(t), value: r.minMargin[i]! / r.normSq[i]! });
      norms.push({ series: `net ${k}`, logt: Math.log(t), value: r.normSq[i]! });
    });
  });
  return {
    margin: curves({
      title: `Normalized margin min y f(x)/‖θ‖², bias-free 2-layer ReLU (width ${config.width}), ${config.loss} loss`,
      x: { field: 'logt', title: 'log t (natural log of the GD step)' },
      y: { field: 'value', title: 'min_n y_n f(x_n) / ‖θ‖² (where positive)' },
      measured: rows,
    }),
    norm: curves({
      title: `‖θ(t)‖² against log t (Lyu & Li: ‖θ‖² = Θ(log t) for L = 2), ${config.loss} loss`,
      x: { field: 'logt', title: 'log t (natural log of the GD step)' },
      y: { field: 'value', title: '‖θ(t)‖²' },
      measured: norms,
    }),
  };
}

const SOURCE = {
  paper: 'Lyu, Li. Gradient Descent Maximizes the Margin of Homogeneous Neural Networks. ICLR 2020',
  arxiv: '1906.05890',
  where: 'Thm 4.1 (smoothed normalized margin non-decreasing), Thm 4.4 / §4 (‖θ‖ = Θ((log t)^{1/L})); BRIEF §5.3, P5.3',
};

const base = { n: 20, d: 3, teacherWidth: 3, width: 20, initScale: 0.3, points: 30, dataFrom: 'maxmargin.homogeneous-net' };

/**
 * Fixed steps, each in its loss's stable range on these nets: the logistic loss's curvature is ≤ 1/4 of the
 * squared loss's and shrinks as the loss does, so 0.05 descends; the squared loss oscillates at 0.05 (its loss
 * goes up and down), so the control uses 0.01, where it descends.
 */
const ETA: Record<MarginLoss, number> = { logistic: 0.05, exp: 0.05, squared: 0.01 };

function homogeneousClaim(id: string, title: string, statement: string, loss: MarginLoss, control: boolean): AnyClaim {
  return defineClaim<HomogeneousConfig, HomogeneousMeasurements>({
    id,
    title,
    statement,
    source: SOURCE,
    ...(control ? { control: true } : {}),
    tiers: {
      ci: { replicates: 4, ...base, loss, eta: ETA[loss], steps: 2e4 },
      full: { replicates: 16, ...base, loss, eta: ETA[loss], steps: 2e5 },
    },
    tolerance: { rel: 1e-6, abs: 1e-9 },
    run: runHomogeneous,
    judge: (m, c) => judgeHomogeneous(m, c),
    figures: (m, _v, c) => homogeneousFigures(m, c),
  });
}

export const homogeneousNet = homogeneousClaim(
  'maxmargin.homogeneous-net',
  'A homogeneous ReLU network trained by GD on the logistic loss increases its normalized margin',
  'For a bias-free two-layer ReLU network (2-homogeneous) trained by GD with a small step on the logistic loss, once the training loss is below log 2 the normalized margin min_n y_n f(x_n)/‖θ‖² keeps increasing and ‖θ‖² grows like log t.',
  'logistic',
  false,
);

export const homogeneousNetSquared = homogeneousClaim(
  'maxmargin.homogeneous-net.squared-loss',
  'Control: with the squared loss the normalized margin does not keep increasing',
  'Negative control: the same networks on the same data trained with the squared loss ½(1 − y f(x))² converge to a finite interpolating θ, so ‖θ‖² stops growing and the normalized margin need not increase.',
  'squared',
  true,
);
