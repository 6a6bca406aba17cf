// embedding.criticality-preserving: a narrow critical point (found by Newton with the exact Hessian, from a trained
// start) stays critical after splitting with any α, multi-step and null embeddings; the loss is unchanged; the
// Hessian's negative/zero/positive counts never decrease, the α direction adds a zero eigenvalue, and on the split
// subspace the Hessian is α(1−α)/(α²+(1−α)²)·H_s (BRIEF §4.2, §4.4 P4.2–P4.3; lecture A8 §1.2).
// The control embeds a point that was NOT polished to criticality: the wide gradient must then be non-zero.
import { defineClaim, type FigureSpec } from '../../core/claim.ts';
import { getEngine } from '../../core/engine/index.ts';
import { memoized, pairedRng } from '../../core/paired.ts';
import type { Rng } from '../../core/rng.ts';
import { findCriticalPoint, gradNorm, hessian, hessianVector, inertia, norm2, spectrum, type Inertia } from '../../theory/critical.ts';
import { alphaTangent, deadEndUnit, embed, splitCurvatureAt, splitSubspaceAt, splitNeuron, type EmbedStep } from '../../theory/embedding.ts';
import { forward, initMlp, mat, mseLossGrad, paramCount, type Mat, type Mlp } from '../../theory/mlp.ts';
import { grid1d, type TargetName } from './data.ts';

export interface CritCase {
  target: TargetName | 'teacher';
  widths: number[];
  /**
   * target 'teacher': y = a tanh network of these widths (weights N(0, 1.5²/fan-in), biases N(0, 0.5²)) on `points`
   * inputs x ~ N(0, I); up to `starts` (teacher, inputs, student) draws are trained and polished per replicate, and
   * the first that reaches ‖∇L‖ ≤ 1e-11 is used (a search: most end on a slope toward a critical point at infinity,
   * weights growing).
   */
  teacher?: number[];
  points?: number;
  starts?: number;
}

/** One search attempt (target 'teacher'): where the trained, polished student ended. */
export interface SearchAttempt {
  widths: number[];
  replicate: number;
  start: number;
  grad: number;
  loss: number;
  maxAbsWeight: number;
}

export interface CritConfig {
  replicates: number;
  cases: CritCase[];
  points: number;
  trainSteps: number;
  alphas: number[];
  /** false for the control: embed the trained point as it is, without Newton polishing. */
  polish: boolean;
  /** 'split': the paper's embeddings; 'dead-end': the rival, a unit with random incoming and zero outgoing weights. */
  variant: 'split' | 'dead-end';
  /** Also embed a strict saddle built from each minimum (split with α = 1.5), with these α. */
  saddles: boolean;
  saddleAlphas: number[];
  /**
   * The rival's claim: every draw comes from that claim's seeded streams, so the rival widens the very same narrow
   * critical points (a paired design; searched once per process). Absent: the claim's own streams.
   */
  pairedWith?: string;
}

interface Point extends Inertia {
  grad: number;
  loss: number;
  eigs: number[];
}

interface WidePoint extends Point {
  label: string;
  alpha: number | null;
  splits: number;
  lossDiff: number;
  /** ‖H t‖/(‖H‖·‖t‖) for the α tangent t (single splits only). */
  tangentResidual: number | null;
  /** Largest |eig(Dᵀ H D) − factor·eig(H_s)| / max|eig(H_s)| (one hidden layer only). */
  subspaceError: number | null;
  /** Negative eigenvalues of the Hessian restricted to the split subspace (a lower bound for the wide count). */
  subspaceNeg: number | null;
}

export interface CritRun {
  target: CritCase['target'];
  widths: number[];
  /** 'minimum' (polished by Newton) or 'saddle' (that minimum split with α = 1.5, a strict saddle of the wider net). */
  kind?: 'minimum' | 'saddle';
  replicate: number;
  newtonIterations: number;
  narrow: Point;
  wide: WidePoint[];
}

export interface CritMeasurements {
  runs: CritRun[];
  /** Every student tried on teacher data, converged or not. */
  searches?: SearchAttempt[];
}

// A8 §1.2 counts |λ| ≤ 1e-11 as zero; P4.2: narrow ‖∇‖ < 1e-11 before embedding, wide ‖∇‖ < 1e-9 after.
const ZERO_EIG = 1e-11;
const NARROW_GRAD = 1e-11;
const WIDE_GRAD = 1e-9;
// The split-subspace identity and the α tangent are exact: only Hessian round-off (~1e-13 relative) remains.
const EXACT_REL = 1e-6;

/** Networks with at least two hidden layers in the config (they must contribute at least one critical point). */
const deepCases = (config: CritConfig) => config.cases.filter((c) => c.widths.length > 3);

function describePoint(net: Mlp, X: Mat, Y: Mat): Point {
  const P = paramCount(net);
  const eigs = spectrum(hessian(net, X, Y), P).values;
  return { grad: gradNorm(net, X, Y), loss: mseLossGrad(net, X, Y).loss, eigs, ...inertia(eigs, ZERO_EIG) };
}

/**
 * The float64 round-off of the loss itself: δL ≈ (1/n)Σ r_i·δf_i ≤ rms(r)·rms(δf), with δf up to 10 round-offs of the
 * outputs (ε = 2^−52). A near-exact fit (loss 3e-10, rms residual 3e-5) has a relative round-off near 1e-11, above the
 * 1e-12 relative bound; the bound then applies to the loss floored at 1e12·δL (unchanged for losses ≳ 1e-6).
 */
function lossRoundoff(net: Mlp, X: Mat, Y: Mat): number {
  const f = forward(net, X).data;
  let ff = 0;
  let rr = 0;
  for (let i = 0; i < f.length; i++) {
    ff += f[i]! ** 2;
    rr += (f[i]! - Y.data[i]!) ** 2;
  }
  return 10 * 2 ** -52 * Math.sqrt(ff / f.length) * Math.sqrt(rr / f.length);
}

function symEigs(M: number[][]): number[] {
  return spectrum(Float64Array.from(M.flat()), M.length).values;
}

function widePoint(narrow: Mlp, base: Point, X: Mat, Y: Mat, label: string, steps: EmbedStep[], wideNet?: Mlp): WidePoint {
  const wide = wideNet ?? embed(narrow, steps);
  const p = describePoint(wide, X, Y);
  const single = !wideNet && steps.length === 1 && steps[0]!.kind === 'split' ? steps[0]! : null;
  let tangentResidual: number | null = null;
  let subspaceError: number | null = null;
  let subspaceNeg: number | null = null;
  if (single && single.kind === 'split') {
    const hn = Math.max(...p.eigs.map(Math.abs));
    const t = alphaTangent(narrow, single.layer, single.neuron);
    const tn = norm2(t);
    if (tn > 0) tangentResidual = norm2(hessianVector(wide, X, Y, t)) / (hn * tn);
    // Split subspace: Dᵀ H D against α(1−α)/(α²+(1−α)²)·H_s (BRIEF §4.2), through exact Hessian-vector products.
    const a = single.alpha;
    const factor = (a * (1 - a)) / (a * a + (1 - a) * (1 - a));
    const Hs = splitCurvatureAt(narrow, X, Y, single.layer, single.neuron);
    const k = narrow.layers[single.layer - 1]!.nIn + 1;
    const pred = spectrum(Hs.map((v) => factor * v), k).values;
    const D = splitSubspaceAt(narrow, single.layer, single.neuron, a);
    const HD = D.map((d) => hessianVector(wide, X, Y, d));
    const M = D.map((di) => HD.map((hj) => di.reduce((s, v, q) => s + v * hj[q]!, 0)));
    const obs = symEigs(M);
    const scale = Math.max(...spectrum(Hs, k).values.map(Math.abs), 1e-300);
    subspaceError = Math.max(...obs.map((o, i) => Math.abs(o - pred[i]!))) / scale;
    subspaceNeg = obs.filter((o) => o < -ZERO_EIG).length;
  }
  return {
    ...p,
    label,
    alpha: single && single.kind === 'split' ? single.alpha : null,
    splits: wideNet ? 0 : steps.filter((s) => s.kind === 'split').length,
    lossDiff: Math.abs(p.loss - base.loss) / Math.max(base.loss, 1e12 * lossRoundoff(narrow, X, Y), 1e-300),
    tangentResidual,
    subspaceError,
    subspaceNeg,
  };
}

export function judgeCriticality(m: CritMeasurements, config: CritConfig) {
  const runs = config.polish ? m.runs.filter((r) => r.narrow.grad <= NARROW_GRAD) : m.runs;
  const wides = runs.flatMap((r) => r.wide.map((w) => ({ r, w })));
  const worst = (xs: (number | null)[]) => Math.max(0, ...xs.filter((x): x is number => x !== null));
  const irreversibility = wides.filter(({ r, w }) => w.neg < r.narrow.neg || w.pos < r.narrow.pos || w.zero < r.narrow.zero + w.splits);
  const strictSaddles = wides.filter(({ r, w }) => w.neg > r.narrow.neg).length;
  const metrics = {
    narrowRuns: m.runs.length,
    narrowPointsUsed: runs.length, // reached ‖∇L‖ ≤ 1e-11 (all runs for the unpolished control)
    worstNarrowGradNorm: worst(runs.map((r) => r.narrow.grad)),
    worstWideGradNorm: worst(wides.map(({ w }) => w.grad)),
    worstRelLossChange: worst(wides.map(({ w }) => w.lossDiff)),
    worstSplitSubspaceError: worst(wides.map(({ w }) => w.subspaceError)),
    worstAlphaTangentResidual: worst(wides.map(({ w }) => w.tangentResidual)),
    inertiaViolations: irreversibility.length,
    subspaceBoundViolations: wides.filter(({ w }) => w.subspaceNeg !== null && w.neg < w.subspaceNeg).length,
    embeddingsWithMoreNegativeEigenvalues: strictSaddles,
    narrowSaddlesUsed: runs.filter((r) => r.narrow.neg > 0).length,
    deepPointsUsed: runs.filter((r) => r.widths.length > 3).length,
    deepMinimaUsed: runs.filter((r) => r.widths.length > 3 && (r.kind ?? 'minimum') === 'minimum').length,
    // Of those found by the search (not made by splitting), the ones with negative eigenvalues: saddles found directly.
    deepSaddlesFound: runs.filter((r) => r.widths.length > 3 && (r.kind ?? 'minimum') === 'minimum' && r.narrow.neg > 0).length,
    searchAttempts: (m.searches ?? []).length,
    searchFound: (m.searches ?? []).filter((a) => a.grad <= NARROW_GRAD).length,
    runs: m.runs.map((r) => ({
      kind: r.kind ?? 'minimum',
      target: r.target,
      widths: r.widths,
      replicate: r.replicate,
      narrow: { loss: r.narrow.loss, grad: r.narrow.grad, inertia: [r.narrow.neg, r.narrow.zero, r.narrow.pos] },
      wide: r.wide.map((w) => ({ embedding: w.label, grad: w.grad, inertia: [w.neg, w.zero, w.pos] })),
    })),
  };
  if (config.polish && runs.length < Math.ceil(m.runs.length / 2)) {
    return { status: 'inconclusive' as const, reason: `Newton reached ‖∇L‖ ≤ ${NARROW_GRAD} on only ${runs.length} of ${m.runs.length} narrow networks.`, metrics };
  }
  if (config.polish && deepCases(config).length > 0 && metrics.deepMinimaUsed === 0) {
    return { status: 'inconclusive' as const, reason: `no critical point of a network with two hidden layers was found (${metrics.searchAttempts} students tried, none reached an isolated critical point: ‖∇L‖ ≤ ${NARROW_GRAD} and no zero Hessian eigenvalue).`, metrics };
  }
  const problems: string[] = [];
  if (metrics.worstWideGradNorm > WIDE_GRAD) problems.push(`an embedded point has ‖∇L‖ = ${metrics.worstWideGradNorm.toExponential(2)} > ${WIDE_GRAD}`);
  if (metrics.worstRelLossChange > 1e-12) problems.push(`the loss changed by ${metrics.worstRelLossChange.toExponential(2)} (relative)`);
  if (irreversibility.length > 0) problems.push(`${irreversibility.length} embeddings lost negative/positive eigenvalues or gained fewer zero eigenvalues than splits`);
  if (metrics.worstSplitSubspaceError > EXACT_REL) problems.push(`the split-subspace Hessian is off α(1−α)/(α²+(1−α)²)·H_s by ${metrics.worstSplitSubspaceError.toExponential(2)}`);
  if (metrics.worstAlphaTangentResidual > EXACT_REL) problems.push(`the α direction is not a zero direction (residual ${metrics.worstAlphaTangentResidual.toExponential(2)})`);
  if (metrics.subspaceBoundViolations > 0) problems.push('the wide Hessian has fewer negative eigenvalues than its split-subspace restriction');
  if (problems.length > 0) return { status: 'fails' as const, reason: `Criticality or Hessian structure is not preserved: ${problems.join('; ')}.`, metrics };
  return {
    status: 'holds' as const,
    reason:
      `${runs.length} narrow critical points (${metrics.narrowSaddlesUsed} of them saddles; ${metrics.deepPointsUsed} of networks with two hidden layers${metrics.searchAttempts > 0 ? `, found by Newton from ${metrics.searchAttempts} trained students (converged in ${metrics.searchFound}), ${metrics.deepSaddlesFound} of those found saddles` : ''}; worst ‖∇L‖ ${metrics.worstNarrowGradNorm.toExponential(1)}) stay critical under ${wides.length} embeddings ` +
      `(worst wide ‖∇L‖ ${metrics.worstWideGradNorm.toExponential(1)} ≤ ${WIDE_GRAD}); inertia never decreases, each split adds a zero eigenvalue, ` +
      `the split-subspace Hessian matches α(1−α)/(α²+(1−α)²)·H_s to ${metrics.worstSplitSubspaceError.toExponential(1)}, and ${strictSaddles} embeddings gain negative eigenvalues.`,
    metrics,
  };
}

/** The embeddings checked at one narrow point: each α as a split of unit 0 of every hidden layer, and a multi-step one. */
function embeddingsOf(net: Mlp, alphas: readonly number[]): { label: string; steps: EmbedStep[] }[] {
  const hidden = net.layers.length - 1;
  const out: { label: string; steps: EmbedStep[] }[] = [];
  for (let layer = 1; layer <= hidden; layer++) for (const a of alphas) out.push({ label: `split α=${a}${hidden > 1 ? ` (layer ${layer})` : ''}`, steps: [{ kind: 'split', layer, neuron: 0, alpha: a }] });
  // Multi-step: split unit 0 twice (the second time its copy) and add a null unit: width m → m+3.
  const last = net.layers[0]!.nOut;
  out.push({ label: 'split α=0.5, split α=-0.5, null', steps: [{ kind: 'split', layer: 1, neuron: 0, alpha: 0.5 }, { kind: 'split', layer: 1, neuron: last, alpha: -0.5 }, { kind: 'null', layer: 1 }] });
  return out;
}

/** The rival's widening for the same slot: a dead-end unit (random incoming weights, zero outgoing) in that layer. */
function deadEndOf(net: Mlp, steps: readonly EmbedStep[], normal: () => number): Mlp {
  return steps.reduce((n, s) => {
    const nIn = n.layers[s.layer - 1]!.nIn;
    return deadEndUnit(n, s.layer, Float64Array.from({ length: nIn }, normal), normal());
  }, net);
}

/** The narrow point of one (case, replicate): its data, the critical point kept (or null) and the search attempts. */
interface NarrowSearch {
  x: Mat;
  y: Mat;
  cp: { net: Mlp; iterations: number } | null;
  searches: SearchAttempt[];
}

/**
 * `streams` names the seeded streams `rngFor` draws from (master seed and claim id); given, the narrow searches are
 * memoized under it.
 */
export function critRuns(config: CritConfig, rngFor: (r: number, label: string) => { normal(): number }, replicates: number[], streams?: string) {
  return async (): Promise<CritMeasurements> => {
    const engine = await getEngine();
    const runs: CritRun[] = [];
    const searches: SearchAttempt[] = [];
    const embedAll = (net: Mlp, point: Point, x: Mat, y: Mat, alphas: readonly number[], rival: { normal(): number }): WidePoint[] =>
      embeddingsOf(net, alphas).map((e) =>
        config.variant === 'split' ? widePoint(net, point, x, y, e.label, e.steps) : widePoint(net, point, x, y, `dead-end unit(s) in place of: ${e.label}`, e.steps, deadEndOf(net, e.steps, () => rival.normal())),
      );
    /** Train, polish and keep the first isolated critical point among the case's starts (each with its own draws). */
    const searchNarrow = async (c: CritCase, ci: number, r: number): Promise<NarrowSearch> => {
      const found: SearchAttempt[] = [];
      let x: Mat = mat(0, 0);
      let y: Mat = mat(0, 0);
      let cp: { net: Mlp; iterations: number } | null = null;
      for (let s = 0; s < (c.starts ?? 1) && cp === null; s++) {
        // Each search attempt draws its own teacher and inputs: whether a finite minimum exists depends on the teacher.
        const tag = s === 0 ? `${ci}` : `${ci}/${s}`;
        ({ x, y } = c.target === 'teacher' ? teacherData(c, rngFor(r, `teacher/${tag}`), rngFor(r, `data/${tag}`)) : grid1d(config.points, c.target));
        const init = initMlp(c.widths, { activation: 'tanh', parameterization: 'standard', sigmaW: 1, sigmaB: 1 }, rngFor(r, s === 0 ? `init/${ci}` : `init/${ci}/${s}`));
        const trained = await engine.train({ net: init, x, y, optimizer: { kind: 'adam', lr: 0.01 }, steps: config.trainSteps, recordEvery: config.trainSteps });
        const point = config.polish ? findCriticalPoint(trained.final, x, y) : { net: trained.final, iterations: 0, gradNorm: gradNorm(trained.final, x, y), loss: mseLossGrad(trained.final, x, y).loss };
        if (c.target === 'teacher') {
          const maxAbsWeight = Math.max(...point.net.layers.flatMap((l) => [...l.W, ...l.b].map(Math.abs)));
          found.push({ widths: c.widths, replicate: r, start: s, grad: point.gradNorm, loss: point.loss, maxAbsWeight });
        }
        // A search keeps trying while Newton stalls (the unpolished control takes its first student as it is).
        if (c.target !== 'teacher' || !config.polish || isolatedCritical(point.net, x, y) || s === (c.starts ?? 1) - 1) cp = point;
      }
      return { x, y, cp, searches: found };
    };
    for (const [ci, c] of config.cases.entries()) {
      for (const r of replicates) {
        const key = JSON.stringify([streams, engine.name, ci, c, r, config.trainSteps, config.polish, config.points]);
        // The claim and its paired rival (`pairedWith`) embed the same narrow critical points, searched once (core/paired.ts).
        const search = () => searchNarrow(c, ci, r);
        const found = await (streams === undefined ? search() : memoized(`embedding.criticality/${key}`, search));
        searches.push(...found.searches);
        const { x, y, cp } = found;
        if (cp === null) continue;
        if (c.target === 'teacher' && config.polish && !isolatedCritical(cp.net, x, y)) continue; // none found: recorded in searches only
        const narrow = describePoint(cp.net, x, y);
        const rival = rngFor(r, `dead-end/${ci}`);
        runs.push({ target: c.target, widths: c.widths, kind: 'minimum', replicate: r, newtonIterations: cp.iterations, narrow, wide: embedAll(cp.net, narrow, x, y, config.alphas, rival) });
        // A saddle of the wider net: the point split with α = 1.5 (α ∉ [0, 1] turns a minimum with H_s ≻ 0 into a strict
        // saddle, BRIEF §4.2). Its own criticality and negative eigenvalues are measured, then it is embedded again.
        if (config.saddles) {
          const saddleNet = splitNeuron(cp.net, 1, 0, 1.5);
          const saddle = describePoint(saddleNet, x, y);
          if (saddle.neg > 0) {
            const widths = [c.widths[0]!, ...saddleNet.layers.slice(0, -1).map((l) => l.nOut), c.widths.at(-1)!];
            runs.push({ target: c.target, widths, kind: 'saddle', replicate: r, newtonIterations: 0, narrow: saddle, wide: embedAll(saddleNet, saddle, x, y, config.saddleAlphas, rival) });
          }
        }
      }
    }
    return searches.length > 0 ? { runs, searches } : { runs };
  };
}

/**
 * A search keeps an isolated critical point: ‖∇L‖ ≤ 1e-11 and no Hessian eigenvalue with |λ| ≤ 1e-11. A degenerate one
 * (zero eigenvalues) is generically itself an embedding of a narrower network's critical point (a unit with zero
 * outgoing weight, two units that act as one), not a new critical point of this width; at two such points found on
 * audit seeds the α-tangent and split-subspace residuals, normalized by ‖t‖ and max|eig H_s|, reached 1e-4 and 1e-6.
 */
function isolatedCritical(net: Mlp, X: Mat, Y: Mat): boolean {
  return gradNorm(net, X, Y) <= NARROW_GRAD && describePoint(net, X, Y).zero === 0;
}

/** Inputs x ~ N(0, I) and the outputs of a random tanh teacher network (CritCase.teacher). */
export function teacherData(c: CritCase, teacherRng: { normal(): number }, dataRng: { normal(): number }): { x: Mat; y: Mat } {
  const widths = c.teacher!;
  const n = c.points!;
  const teacher = initMlp(widths, { activation: 'tanh', parameterization: 'standard', sigmaW: 1.5, sigmaB: 0.5 }, teacherRng);
  const x = mat(n, widths[0]!, Float64Array.from({ length: n * widths[0]! }, () => dataRng.normal()));
  return { x, y: forward(teacher, x) };
}

function make(id: string, kind: 'claim' | 'noncritical' | 'dead-end') {
  const control = kind !== 'claim';
  // Width-1 fits have isolated minima that Newton reaches at round-off. Wider and deeper tanh fits of these targets
  // often keep lowering the loss with growing weights (no finite critical point nearby), so the width-2 case
  // reaches ‖∇L‖ ≤ 1e-11 only for some seeds; the judge uses the narrow points that did, and needs at least half.
  // Two hidden layers: on sin3/a8 (1-1-1-1, 1-2-1-1, 1-1-2-1) and on noisy teacher data nothing reached 1e-11. A
  // target with a finite best fit helps: the outputs of a random 3-2-2-1 tanh teacher on 40 Gaussian inputs, fitted by
  // a narrower 3-2-1-1 student (13 parameters; 3000 Adam steps, then Newton). Measured while building this (8 teachers,
  // 5000 Adam steps): 2 of 8 students reach ‖∇L‖ ≈ 1e-16 at a non-degenerate minimum (all 13 eigenvalues ≥ 1.6e-5,
  // loss 3e-4 and 1e-6, weights ≤ 4.5); the others stall at ‖∇L‖ 1e-7..1e-4 (3-1-1-1 and 3-1-2-1 alike: 2/8 and 0/8;
  // the teacher's own 3-2-2-1 shape 0/6 even after 20000 steps; a Gauss–Newton Levenberg–Marquardt on the residuals
  // and an LM on ∇L = 0 did no better). Some teachers gave no finite minimum in 18 students (calibration seed 10), so
  // each replicate tries up to 6 (teacher, student) draws and keeps the first that reaches an isolated critical point
  // (no zero Hessian eigenvalue; see isolatedCritical); the judge needs at least one. Newton's pseudo-inverse step
  // converges to the nearest critical point, so some of these are saddles (counted as deepSaddlesFound). Saddles of these networks were rarely found: Newton toward the nearest
  // critical point from early training snapshots (steps 0–400) converged in about 1 of 10 tries, mostly to
  // constant-output points (loss = mean y², units saturated, 4–12 zero eigenvalues) and once to a saddle with loss
  // 0.015 and 4 zero eigenvalues; too rare for CI, so the two-hidden-layer saddles are, as for one hidden layer, the
  // minima split with α = 1.5.
  const base = {
    cases: [
      { target: 'sin3', widths: [1, 1, 1] },
      { target: 'a8', widths: [1, 1, 1] },
      { target: 'sin3', widths: [1, 2, 1] },
      { target: 'teacher', widths: [3, 2, 1, 1], teacher: [3, 2, 2, 1], points: 40, starts: 6 },
    ] as CritCase[],
    points: 20,
    alphas: [0.3, 0.5, -0.5, 1.5],
    saddleAlphas: [0.3, -0.5],
    polish: kind !== 'noncritical',
    saddles: kind !== 'noncritical',
    variant: kind === 'dead-end' ? ('dead-end' as const) : ('split' as const),
    ...(kind === 'dead-end' ? { pairedWith: 'embedding.criticality-preserving' } : {}),
  };
  const titles = {
    claim: 'Critical embeddings preserve criticality of minima and saddles and never reduce the Hessian inertia',
    noncritical: 'Control: embedding a non-critical point gives a non-critical point',
    'dead-end': 'Rival: an output-preserving widening that is not a critical embedding (a dead-end unit) breaks criticality',
  };
  const statements = {
    claim:
      'If θ is a critical point of a narrow network — a critical point polished by Newton from a trained network (networks with one hidden layer on 1-D targets; and with two hidden layers, 3-2-1-1, on the outputs of a random 3-2-2-1 teacher, where an isolated critical point is searched for among up to 6 trained students per replicate: mostly minima, sometimes saddles), or a strict saddle (that minimum split with α = 1.5, which has negative Hessian eigenvalues) — every splitting embedding (of each hidden layer) T_α θ (α ∈ {0.3, 0.5, −0.5, 1.5} for minima, {0.3, −0.5} for saddles) and a multi-step split+split+null embedding is a critical point of the wider network with the same loss; the numbers of negative, zero and positive Hessian eigenvalues do not decrease, each split adds a zero eigenvalue (the α direction), and on the split subspace the Hessian equals α(1−α)/(α²+(1−α)²)·H_s.',
    noncritical: 'A trained but unpolished narrow network (‖∇L‖ far from 0) embedded by splitting is not a critical point of the wide network, so the judge must fail. A bug detector (the audit: it fails by construction), not a rival.',
    'dead-end':
      'The nearest alternative to "critical embeddings preserve criticality" is "any widening that preserves the output preserves criticality". Adding a unit with random incoming weights and zero outgoing weights preserves the output and the loss exactly, at the same critical points and in the same slots as the claim\'s embeddings, but the gradient of its outgoing weights, Σ_i φ(z_i)·δ_i, is not zero: the same judge must fail.',
  };
  return defineClaim<CritConfig, CritMeasurements>({
    id,
    title: titles[kind],
    statement: statements[kind],
    source: { paper: 'Zhang, Zhang, Luo, Xu, Embedding Principle: a hierarchical structure of loss landscape of deep neural networks (JML 2022)', arxiv: '2111.15527', where: 'criticality preserving, irreversibility (abstract); lecture A8 §1.2; BRIEF §4.2, §4.4 P4.2–P4.3' },
    control: control || undefined,
    rivalOf: kind === 'dead-end' ? 'embedding.criticality-preserving' : undefined,
    tiers: { ci: { replicates: 3, trainSteps: kind === 'noncritical' ? 300 : 3000, ...base }, full: { replicates: 6, trainSteps: kind === 'noncritical' ? 300 : 5000, ...base } },
    // `runs` holds per-run diagnostics, including runs that never reached ‖∇L‖ ≤ 1e-11 and are left out of the
    // verdict: their float32-trained gradients moved up to 25% between the tfjs cpu and wasm backends (npm run
    // cross-backend, master seed 20261123), so that subtree gets twice that. The judged counts keep rel 1e-3.
    tolerance: { abs: 1e-9, rel: 1e-3, metrics: { runs: { abs: 1e-9, rel: 0.5 } } },
    run: (config, ctx) => {
      const streams = config.pairedWith ?? ctx.claimId;
      return critRuns(config, pairedRng(ctx, config.pairedWith) as (r: number, label: string) => Rng, ctx.replicates, `${ctx.masterSeed}/${streams}`)();
    },
    judge: judgeCriticality,
    figures(m): Record<string, FigureSpec> {
      const run = m.runs.find((r) => r.kind === 'saddle' && r.narrow.grad <= NARROW_GRAD) ?? m.runs.find((r) => r.narrow.grad <= NARROW_GRAD) ?? m.runs[0];
      if (!run) return {};
      const pts = [{ label: `${run.kind ?? 'narrow'} (width ${run.widths.slice(1, -1).join('-')})`, eigs: run.narrow.eigs }, ...run.wide.map((w) => ({ label: w.label, eigs: w.eigs }))];
      const sign = (e: number) => (e < -ZERO_EIG ? 'negative' : e > ZERO_EIG ? 'positive' : `zero (|λ| ≤ ${ZERO_EIG})`);
      const values = pts.flatMap((p, i) => p.eigs.map((e) => ({ order: i, embedding: p.label, eigenvalue: e, sign: sign(e) })));
      return {
        spectra: {
          $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
          title: `Hessian spectra at a narrow critical point (${run.kind ?? 'narrow'}, ${run.target}, replicate ${run.replicate}) and its embeddings`,
          width: 480,
          height: 280,
          data: { values },
          mark: { type: 'tick', thickness: 2 },
          encoding: {
            x: { field: 'embedding', type: 'nominal', sort: { field: 'order' }, title: 'network', axis: { labelAngle: -30 } },
            y: { field: 'eigenvalue', type: 'quantitative', scale: { type: 'symlog', constant: 1e-6 }, title: 'Hessian eigenvalue (symlog, linear within ±1e-6)' },
            color: {
              field: 'sign',
              type: 'nominal',
              title: 'eigenvalue sign',
              scale: { domain: ['negative', `zero (|λ| ≤ ${ZERO_EIG})`, 'positive'], range: ['#c0392b', '#7f8c8d', '#2c3e50'] },
            },
          },
        },
      };
    },
  });
}

export const criticalityPreserving = make('embedding.criticality-preserving', 'claim');
export const criticalityControl = make('embedding.criticality-preserving-noncritical-control', 'noncritical');
export const criticalityRival = make('embedding.criticality-preserving-dead-end-rival', 'dead-end');
