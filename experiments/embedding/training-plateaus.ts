// embedding.training-plateaus: the first stage of the training figure of the Embedding Principle (arXiv:2105.14573,
// Fig. 1; BRIEF §4.3). A wide two-layer tanh network trained by full-batch GD from the paper's small initialization
// on the paper's 50 points passes a long loss plateau; at that plateau its function is that of a FINITE critical
// point of a width-1..3 network found independently (multi-start Newton), with the same loss. The settings and the
// judge follow research/embedding-plateaus.md (a measured reproduction), fixed before this claim was written.
// The rival keeps everything but the data: the old [−1, 1] data, whose long plateau is the affine fit, a critical
// point at infinity (w, b → 0, a → ∞), which no finite narrow critical point explains.
import { defineClaim, type FigureSpec } from '../../core/claim.ts';
import { findCriticalPoint, norm2 } from '../../theory/critical.ts';
import {
  columnData,
  findPlateaus,
  functionDistance,
  gdTwoLayer,
  logGrid,
  mlpToTwoLayer,
  twoLayerLossGrad,
  twoLayerToMlp,
  unitActivity,
  withBestOutputLayer,
  type PlateauSpan,
} from '../../theory/plateau.ts';
import { linspace, TARGETS, type TargetName } from './data.ts';

export interface PlateauConfig {
  replicates: number;
  target: TargetName;
  /** Data x = linspace(−halfRange, halfRange, points). The paper: 50 points on [−15, 15]. */
  points: number;
  halfRange: number;
  width: number;
  /** Every parameter ~ N(0, initVarianceScale/m³) (the paper: 1/m³, std 8.9e-5 at m = 500). */
  initVarianceScale: number;
  lr: number;
  /** At most this many GD steps (the paper: 3e5 epochs; see `expected` for why fewer). */
  maxSteps: number;
  /** Stop once a plateau (by the fixed rule) has lasted this many decades of t; null: run all maxSteps. */
  stopAfterPlateauDecades: number | null;
  recordsPerDecade: number;
  /** Narrow widths searched for finite critical points, and Newton starts per width. */
  narrowWidths: number[];
  narrowStarts: number;
  narrowMaxIter: number;
}

export interface NarrowPoint {
  width: number;
  /** Paper's loss mean((f − y)²). */
  loss: number;
  gradNorm: number;
  maxAbsParam: number;
  /** min over units of max over the data of tanh′: ≈ 0 for a saturated (constant) unit. */
  minUnitActivity: number;
  accepted: boolean;
  /** How many starts reached this point (after merging equal functions). */
  hits: number;
  theta: number[];
}

export interface PlateauRun {
  replicate: number;
  curve: { step: number; loss: number }[];
  divergedAt: number | null;
  stoppedAt: number | null;
  plateaus: PlateauSpan[];
  /** The judged plateau (the longest; the run stops on the first long one), or null. */
  main: null | {
    span: PlateauSpan;
    loss: number;
    /** Nearest accepted narrow point by D at t*: its index in `narrow`, D and L(t*)/L_c. */
    nearest: number | null;
    distance: number | null;
    lossRatio: number | null;
    /** D to the nearest accepted point at every recorded step of the plateau (for the figure). */
    distanceTrace: { step: number; distance: number }[];
  };
}

export interface PlateauMeasurements {
  runs: PlateauRun[];
  narrow: NarrowPoint[];
  /** mean(y²) over the data: the loss of the zero function (the paper's starting loss, 5.145 on its data). */
  zeroLoss: number;
}

// research/embedding-plateaus.md, fixed in advance of this claim:
// plateau = |d log10 L / d log10 t| < 0.05 over the previous half decade, lasting ≥ half a decade, not at L > 0.9·L(0).
export const PLATEAU_RULE = { maxSlope: 0.05, minDecades: 0.5, startFraction: 0.9 } as const;
// A narrow point is finite and critical: ‖∇L‖ ≤ 1e-10 (the paper's criterion), max |θ| ≤ 25 (the finite points of
// the note have ≤ 22; the "at infinity" ones ≥ 29), and no unit saturated on the data (max tanh′ ≥ 1e-6).
export const FINITE = { grad: 1e-10, maxParam: 25, minActivity: 1e-6 } as const;
// Matched: D(t*) ≤ 2% and |L(t*)/L_c − 1| ≤ 5%. Measured in the note: D ≤ 0.3%, loss within 1%; the nearest wrong
// finite candidate sits at D ≥ 5.2% with a loss ratio ≥ 1.12, so the bounds sit between the two.
export const MATCH = { distance: 0.02, lossRatio: 0.05 } as const;
// The claim (Fig. 1: the wide net passes the narrow critical point) must hold for most seeds: ≥ 80%. The claim runs
// 5 seeds (the note: 10/10 at width 50); its rival 3, as in the note (0/3), since each rival seed costs 3e4 steps.
export const HOLD_FRACTION = 0.8;
export const MIN_SEEDS = 3;
const GRID_POINTS = 1001;

/** Deduplicate critical points by function: equal loss (1e-9 relative) and D < 1e-6 on the grid. */
function mergePoints(points: Omit<NarrowPoint, 'hits'>[], grid: Float64Array, yGrid: Float64Array): NarrowPoint[] {
  const out: NarrowPoint[] = [];
  for (const p of points) {
    const same = out.find(
      (q) => q.width === p.width && Math.abs(q.loss - p.loss) <= 1e-9 * Math.max(q.loss, 1e-300) + 1e-20 && functionDistance(Float64Array.from(q.theta), Float64Array.from(p.theta), grid, yGrid) < 1e-6,
    );
    if (same) same.hits++;
    else out.push({ ...p, hits: 1 });
  }
  return out;
}

/**
 * Finite narrow critical points: for each width, Newton (theory/critical.ts, saddle-free descent then pure Newton)
 * from starts whose hidden units are w ~ N(0, 9/max|x|²), b ~ N(0, 1) with the best output layer for them
 * (variable projection), then the finiteness tests.
 */
export function narrowCriticalPoints(xs: Float64Array, ys: Float64Array, config: PlateauConfig, normal: (width: number, start: number) => () => number): NarrowPoint[] {
  const { X, Y } = columnData(xs, ys);
  const xScale = Math.max(...Array.from(xs, Math.abs));
  const found: Omit<NarrowPoint, 'hits'>[] = [];
  for (const m of config.narrowWidths) {
    for (let s = 0; s < config.narrowStarts; s++) {
      const z = normal(m, s);
      const wb = new Float64Array(2 * m);
      for (let k = 0; k < m; k++) wb[k] = (3 * z()) / xScale;
      for (let k = 0; k < m; k++) wb[m + k] = z();
      const cp = findCriticalPoint(twoLayerToMlp(withBestOutputLayer(wb, xs, ys)), X, Y, { maxIter: config.narrowMaxIter });
      const theta = mlpToTwoLayer(cp.net);
      const { loss, grad } = twoLayerLossGrad(theta, xs, ys);
      const gradNorm = norm2(grad);
      const maxAbsParam = Math.max(...Array.from(theta, Math.abs));
      const minUnitActivity = Math.min(...unitActivity(theta, xs));
      const accepted = gradNorm <= FINITE.grad && maxAbsParam <= FINITE.maxParam && minUnitActivity >= FINITE.minActivity;
      found.push({ width: m, loss, gradNorm, maxAbsParam, minUnitActivity, accepted, theta: Array.from(theta) });
    }
  }
  const grid = linspace(GRID_POINTS, xScale);
  return mergePoints(found, grid, grid.map(TARGETS[config.target]));
}

/** The judged plateau of a run: the longest (in decades), the first of equals. */
export function mainPlateau(plateaus: readonly PlateauSpan[]): PlateauSpan | null {
  let best: PlateauSpan | null = null;
  for (const p of plateaus) if (!best || Math.log(p.end / p.start) > Math.log(best.end / best.start) + 1e-12) best = p;
  return best;
}

export function isMatched(run: PlateauRun): boolean {
  const m = run.main;
  return !!m && m.distance !== null && m.lossRatio !== null && m.distance <= MATCH.distance && Math.abs(m.lossRatio - 1) <= MATCH.lossRatio;
}

export function judgePlateaus(m: PlateauMeasurements) {
  const accepted = m.narrow.filter((p) => p.accepted);
  const matched = m.runs.filter(isMatched);
  const withPlateau = m.runs.filter((r) => r.main !== null);
  const ds = withPlateau.map((r) => r.main!.distance).filter((d): d is number => d !== null);
  const ratios = withPlateau.map((r) => r.main!.lossRatio).filter((d): d is number => d !== null);
  const range = (xs: number[]) => (xs.length ? { min: Math.min(...xs), max: Math.max(...xs) } : null);
  const metrics = {
    seeds: m.runs.length,
    seedsWithPlateau: withPlateau.length,
    seedsMatched: matched.length,
    fractionMatched: m.runs.length ? matched.length / m.runs.length : null,
    // Ranges over seeds (min and max), not intervals.
    distanceRange: range(ds),
    lossRatioRange: range(ratios),
    acceptedNarrowPoints: accepted.map((p) => ({ width: p.width, loss: p.loss, gradNorm: p.gradNorm, maxAbsParam: p.maxAbsParam, hits: p.hits })),
    rejectedNarrowPoints: m.narrow.length - accepted.length,
    perSeed: m.runs.map((r) => ({
      replicate: r.replicate,
      plateau: r.main ? [r.main.span.start, r.main.span.end] : null,
      tStar: r.main ? r.main.span.mid : null,
      loss: r.main ? r.main.loss : null,
      nearestWidth: r.main && r.main.nearest !== null ? m.narrow[r.main.nearest]!.width : null,
      distance: r.main ? r.main.distance : null,
      lossRatio: r.main ? r.main.lossRatio : null,
      stoppedAt: r.stoppedAt,
    })),
  };
  const diverged = m.runs.find((r) => r.divergedAt !== null);
  if (diverged) return { status: 'inconclusive' as const, reason: `training diverged (seed ${diverged.replicate}, step ${diverged.divergedAt}).`, metrics };
  if (m.runs.length < MIN_SEEDS) return { status: 'inconclusive' as const, reason: `${m.runs.length} seeds; the rule needs at least ${MIN_SEEDS}.`, metrics };
  if (accepted.length === 0) return { status: 'inconclusive' as const, reason: `no finite narrow critical point (‖∇L‖ ≤ ${FINITE.grad}, max|θ| ≤ ${FINITE.maxParam}, no saturated unit) was found to compare with.`, metrics };
  const fmt = (r: { min: number; max: number } | null, pct = false) => (r ? (pct ? `${(100 * r.min).toPrecision(2)}–${(100 * r.max).toPrecision(2)}%` : `${r.min.toFixed(3)}–${r.max.toFixed(3)}`) : 'none');
  const text =
    `${matched.length} of ${m.runs.length} seeds have their main plateau at a finite narrow critical point (D ≤ ${100 * MATCH.distance}% and loss within ${100 * MATCH.lossRatio}%; ` +
    `${withPlateau.length} seeds showed a plateau; D at t* ranges ${fmt(metrics.distanceRange, true)}, L(t*)/L_c ${fmt(metrics.lossRatioRange)}; ` +
    `finite narrow critical losses ${accepted.map((p) => `${p.loss.toPrecision(6)} (width ${p.width})`).join(', ')})`;
  if (matched.length >= HOLD_FRACTION * m.runs.length) return { status: 'holds' as const, reason: `${text}.`, metrics };
  return { status: 'fails' as const, reason: `${text}: fewer than ${100 * HOLD_FRACTION}% of seeds.`, metrics };
}

export function plateauFigures(m: PlateauMeasurements): Record<string, FigureSpec> {
  const run = m.runs[0];
  if (!run) return {};
  const curve = run.curve.filter((c) => c.step > 0).map((c) => ({ step: c.step, loss: c.loss, series: `training loss (width-m net, seed ${run.replicate})` }));
  const lines = m.narrow.filter((p) => p.accepted).map((p) => ({ loss: p.loss, series: `width-${p.width} critical point, L = ${p.loss.toPrecision(4)}` }));
  const star = run.main ? [{ step: run.main.span.mid, loss: run.main.loss, series: 'main plateau, t*' }] : [];
  const trace = m.runs.flatMap((r) => (r.main ? r.main.distanceTrace.map((d) => ({ step: d.step, distance: Math.max(d.distance, 1e-6), seed: `seed ${r.replicate}` })) : []));
  const color = { field: 'series', type: 'nominal', title: 'series' };
  return {
    'loss-curve': {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      title: `Wide tanh net (seed ${run.replicate}): training loss mean((f−y)²) and the finite narrow critical losses`,
      width: 480,
      height: 280,
      layer: [
        { data: { values: curve }, mark: { type: 'line' }, encoding: { x: { field: 'step', type: 'quantitative', scale: { type: 'log' }, title: 'GD step' }, y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: 'training loss mean((f−y)²)' }, color } },
        { data: { values: lines }, mark: { type: 'rule', strokeDash: [4, 3] }, encoding: { y: { field: 'loss', type: 'quantitative' }, color } },
        { data: { values: star }, mark: { type: 'point', filled: true, size: 70 }, encoding: { x: { field: 'step', type: 'quantitative' }, y: { field: 'loss', type: 'quantitative' }, color } },
      ],
    },
    'distance-to-critical-point': {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      title: `During the main plateau: D = RMS(f_wide − f_critical)/RMS(y) to the nearest finite narrow critical point (match bound ${100 * MATCH.distance}%)`,
      width: 480,
      height: 240,
      layer: [
        { data: { values: trace }, mark: { type: 'line', point: true }, encoding: { x: { field: 'step', type: 'quantitative', scale: { type: 'log' }, title: 'GD step' }, y: { field: 'distance', type: 'quantitative', scale: { type: 'log' }, title: 'D (floored at 1e-6)' }, color: { field: 'seed', type: 'nominal', title: 'seed' } } },
        { data: { values: [{ distance: MATCH.distance }] }, mark: { type: 'rule', strokeDash: [4, 3], color: '#888' }, encoding: { y: { field: 'distance', type: 'quantitative' } } },
      ],
    },
  };
}

/** One seed: GD from N(0, scale/m³), the plateaus, and the judged one against the narrow points. */
function runSeed(config: PlateauConfig, xs: Float64Array, ys: Float64Array, narrow: NarrowPoint[], replicate: number, normals: (n: number, std: number) => Float64Array): PlateauRun {
  const m = config.width;
  const theta0 = normals(3 * m + 1, Math.sqrt(config.initVarianceScale / m ** 3));
  const stop = config.stopAfterPlateauDecades;
  const { records, divergedAt, stoppedAt } = gdTwoLayer(theta0, xs, ys, config.lr, logGrid(config.maxSteps, config.recordsPerDecade), (recs) =>
    stop !== null && findPlateaus(recs, PLATEAU_RULE).some((p) => Math.log10(p.end / p.start) >= stop),
  );
  const curve = records.map((r) => ({ step: r.step, loss: r.loss }));
  const plateaus = divergedAt === null ? findPlateaus(curve, PLATEAU_RULE) : [];
  const span = mainPlateau(plateaus);
  if (!span) return { replicate, curve, divergedAt, stoppedAt, plateaus, main: null };
  const xScale = Math.max(...Array.from(xs, Math.abs));
  const grid = linspace(GRID_POINTS, xScale);
  const yGrid = grid.map(TARGETS[config.target]);
  const accepted = narrow.map((p, i) => ({ p, i, theta: Float64Array.from(p.theta) })).filter((q) => q.p.accepted);
  const nearestAt = (theta: Float64Array) => {
    let best: { i: number; d: number } | null = null;
    for (const q of accepted) {
      const d = functionDistance(theta, q.theta, grid, yGrid);
      if (!best || d < best.d) best = { i: q.i, d };
    }
    return best;
  };
  const at = records.find((r) => r.step === span.mid)!;
  const nb = nearestAt(at.theta);
  const distanceTrace = records.filter((r) => r.step >= span.start && r.step <= span.end).map((r) => ({ step: r.step, distance: nearestAt(r.theta)?.d ?? NaN })).filter((d) => Number.isFinite(d.distance));
  return {
    replicate,
    curve,
    divergedAt,
    stoppedAt,
    plateaus,
    main: { span, loss: at.loss, nearest: nb ? nb.i : null, distance: nb ? nb.d : null, lossRatio: nb ? at.loss / narrow[nb.i]!.loss : null, distanceTrace },
  };
}

function make(id: string, rival: boolean) {
  const data = rival ? { target: 'a8' as const, halfRange: 1 } : { target: 'tanh3' as const, halfRange: 15 };
  const common = { ...data, points: 50, initVarianceScale: 1, lr: 0.005, recordsPerDecade: 20, narrowWidths: [1, 2, 3], narrowMaxIter: 40 };
  return defineClaim<PlateauConfig, PlateauMeasurements>({
    id,
    title: rival
      ? 'Rival: on [−1, 1] data the training plateau is the affine fit, a critical point at infinity, and matches no finite narrow critical point'
      : 'The first training plateau of a wide tanh network sits at a finite critical point of a width-1 network',
    statement: rival
      ? 'The same experiment and judge on 50 points in [−1, 1] with lecture A8\'s target (the data this claim used before): small inputs keep every unit in tanh\'s near-linear range, and the long plateau is the affine least-squares fit, reached by a width-1 network only as w, b → 0 and a → ∞. No finite narrow critical point explains it, so the judge must say "fails": it checks that a plateau sits at a finite critical point, not merely that training slows down.'
      : 'A width-m two-layer tanh network f = Σ a_k tanh(w_k x + b_k) + c, every parameter drawn from N(0, 1/m³), trained by full-batch gradient descent (lr 0.005) on mean((f − y)²) for 50 points x = linspace(−15, 15, 50), y = tanh(x+7) + tanh(x) + tanh(x−7), shows a long first plateau whose function and loss are those of a finite critical point of a width-1 network (D ≤ 2%, loss within 5%; the width-1 point has loss 0.109023), as the embedding principle predicts: the narrow critical point, embedded, is a critical point of the wide net. The target is inferred from the paper\'s Fig. 1(c), not stated there. Scope: the first plateau only; the paper\'s second stage (a shoulder near the width-2 loss 0.065, then convergence) did not reproduce in the research reproduction (every long run drifted below 0.109 and GD went unstable at 1.07–1.7e5 steps) and is not claimed.',
    source: {
      paper: 'Zhang, Zhang, Luo, Xu, Embedding Principle of Loss Landscape of Deep Neural Networks (NeurIPS 2021)',
      arxiv: '2105.14573',
      where: 'Fig. 1 and §3.2, App. B (repeated as Fig. 4.3 of arXiv:2111.15527); BRIEF §4.3; research/embedding-plateaus.md',
    },
    control: rival || undefined,
    rivalOf: rival ? 'embedding.training-plateaus' : undefined,
    tiers: {
      // CI: width 50 (the paper: 500) and at most 3e4 steps (the paper: 3e5 epochs); a run stops once its plateau has
      // lasted one decade (t* ≈ 450 steps), which the rival's later plateau (from ≈ 9e3 steps) never reaches.
      ci: { replicates: rival ? 3 : 5, width: 50, maxSteps: 30000, stopAfterPlateauDecades: 1, narrowStarts: 4, ...common },
      // Full: the paper's width 500, 1e5 steps without early stop (the reproduction found GD unstable past ≈ 1.07e5).
      full: { replicates: rival ? 3 : 5, width: 500, maxSteps: 100000, stopAfterPlateauDecades: null, narrowStarts: 10, ...common },
    },
    // Float64 loops of our own (no training engine), so metrics do not move across engines.
    tolerance: { rel: 1e-6, abs: 1e-9 },
    run(config, ctx) {
      const xs = linspace(config.points, config.halfRange);
      const ys = xs.map(TARGETS[config.target]);
      const narrow = narrowCriticalPoints(xs, ys, config, (w, s) => {
        const rng = ctx.rng(0, `narrow/${w}/${s}`);
        return () => rng.normal();
      });
      const runs: PlateauRun[] = [];
      for (const r of ctx.replicates) {
        const rng = ctx.rng(r, 'init');
        runs.push(runSeed(config, xs, ys, narrow, r, (n, std) => rng.normals(n, std)));
        ctx.progress(r + 1, ctx.replicates.length);
      }
      return { runs, narrow, zeroLoss: ys.reduce((s, v) => s + v * v, 0) / ys.length };
    },
    judge: (m) => judgePlateaus(m),
    figures: (m) => plateauFigures(m),
  });
}

export const trainingPlateaus = make('embedding.training-plateaus', false);
export const trainingPlateausRival = make('embedding.training-plateaus-unit-interval-rival', true);
