// embedding.training-plateaus: a wide two-layer tanh network trained from a small initialization shows plateaus;
// at each plateau its units are condensed (nearly parallel input directions), merged into a narrow network, and
// that network is polished by Newton to the nearest critical point; a plateau is matched when the polish reaches a
// critical point whose loss is within 10% of the plateau's (BRIEF §4.3 lecture A8 §1.1/§1.4, §4.4 P4.4; issue 6).
import { defineClaim, type FigureSpec } from '../../core/claim.ts';
import { getEngine } from '../../core/engine/index.ts';
import { relL2 } from '../../core/stats.ts';
import { findCriticalPoint, type CriticalResult } from '../../theory/critical.ts';
import { condense } from '../../theory/embedding.ts';
import { forward, initMlp, mseLossGrad, type Mat, type Mlp } from '../../theory/mlp.ts';
import { grid1d, type TargetName } from './data.ts';

export interface PlateauConfig {
  replicates: number;
  activation: 'tanh' | 'relu';
  target: TargetName;
  points: number;
  width: number;
  /** Standard deviation of every initial parameter (BRIEF P4.4: N(0, 1e-4), i.e. 1e-2). */
  initStd: number;
  lr: number;
  steps: number;
  /** Loss recorded (and parameters kept) every `every` steps. */
  every: number;
  /** Narrow widths whose critical losses are found independently (the horizontal lines). */
  narrowWidths: number[];
}

export interface Plateau {
  start: number;
  end: number;
  step: number;
  loss: number;
  units: number;
  /** Narrow critical point reached by polishing the condensed network, or null if none survived condensation. */
  criticalLoss: number | null;
  criticalGrad: number | null;
  /** ‖f_wide − f_critical‖ / ‖y‖ on the training points. */
  functionGap: number | null;
  /** Units at the plateau: input direction angle atan2(b, w) in [−π, π) and amplitude |a|·‖(w, b)‖. */
  directions: { angle: number; amplitude: number }[];
}

export interface PlateauRun {
  replicate: number;
  curve: { step: number; loss: number }[];
  divergedAt: number | null;
  plateaus: Plateau[];
}

export interface PlateauMeasurements {
  runs: PlateauRun[];
  /** Loss of the least-squares affine fit y ≈ βx + c: the level of a condensed unit in its linear regime. */
  linearFitLoss: number;
  narrow: { width: number; loss: number; grad: number }[];
}

// P4.4: a plateau is where the loss falls by less than 1% over 200 steps; matched within 10% of a critical loss.
const FLAT_RATIO = 0.99;
const FLAT_WINDOW = 200;
const MIN_PLATEAU = 1000;
const LOSS_MATCH = 0.1;
// A polished point counts as critical when ‖∇L‖ is this small (loss scale ~1e-2; round-off ~1e-16).
const CRIT_GRAD = 1e-8;
// Condensation as in A8 §1.4: cosine ≥ 0.9, low-amplitude units (< 10% of the largest) removed.
const COSINE = 0.9;
const MIN_AMPLITUDE = 0.1;

/** Maximal runs of records where L(t+200)/L(t) > 0.99, lasting at least MIN_PLATEAU steps. */
export function detectPlateaus(curve: readonly { step: number; loss: number }[]): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let runStart: number | null = null;
  const lossAt = (s: number) => curve.find((c) => c.step >= s)?.loss;
  for (let i = 0; i < curve.length; i++) {
    const later = lossAt(curve[i]!.step + FLAT_WINDOW);
    const flat = later !== undefined && later / curve[i]!.loss > FLAT_RATIO;
    if (flat && runStart === null) runStart = curve[i]!.step;
    if ((!flat || i === curve.length - 1) && runStart !== null) {
      const end = flat ? curve[i]!.step : curve[i - 1]!.step;
      if (end - runStart >= MIN_PLATEAU) out.push({ start: runStart, end });
      runStart = null;
    }
  }
  return out;
}

function unitDirections(net: Mlp): { angle: number; amplitude: number }[] {
  const [inc, out] = net.layers as [Mlp['layers'][0], Mlp['layers'][0]];
  return Array.from({ length: inc.nOut }, (_, k) => {
    const w = inc.W[k]!;
    const b = inc.b[k]!;
    return { angle: Math.atan2(b, w), amplitude: Math.abs(out.W[k]!) * Math.hypot(w, b) };
  });
}

function analysePlateau(net: Mlp, x: Mat, y: Mat, seg: { start: number; end: number }, step: number): Plateau {
  const loss = mseLossGrad(net, x, y).loss;
  const c = condense(net, { cosine: COSINE, minAmplitude: MIN_AMPLITUDE });
  let cp: CriticalResult | null = null;
  if (c.net) cp = findCriticalPoint(c.net, x, y, { mode: 'nearest' });
  return {
    ...seg,
    step,
    loss,
    units: c.clusters.length,
    criticalLoss: cp ? cp.loss : null,
    criticalGrad: cp ? cp.gradNorm : null,
    functionGap: cp ? relL2(forward(net, x).data, forward(cp.net, x).data) : null,
    directions: unitDirections(net),
  };
}

/** (1/2n)·min_{β,c} Σ_i (βx_i + c − y_i)² for 1-D inputs (closed form). */
export function affineFitLoss(x: Mat, y: Mat): number {
  const n = x.rows;
  const mx = x.data.reduce((s, v) => s + v, 0) / n;
  const my = y.data.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x.data[i]! - mx) * (y.data[i]! - my);
    sxx += (x.data[i]! - mx) ** 2;
  }
  const beta = sxx > 0 ? sxy / sxx : 0;
  let l = 0;
  for (let i = 0; i < n; i++) l += (beta * (x.data[i]! - mx) + my - y.data[i]!) ** 2;
  return l / (2 * n);
}

export function isMatched(p: Plateau): boolean {
  return p.criticalGrad !== null && p.criticalLoss !== null && p.criticalGrad <= CRIT_GRAD && Math.abs(p.criticalLoss - p.loss) <= LOSS_MATCH * p.loss;
}

export function judgePlateaus(m: PlateauMeasurements) {
  const diverged = m.runs.filter((r) => r.divergedAt !== null);
  const plateaus = m.runs.flatMap((r) => r.plateaus);
  const matched = plateaus.filter(isMatched).length;
  const nearNarrow = plateaus.filter((p) => m.narrow.some((n) => n.grad <= CRIT_GRAD && Math.abs(p.loss - n.loss) <= LOSS_MATCH * n.loss)).length;
  const metrics = {
    seeds: m.runs.length,
    plateaus: plateaus.length,
    matchedByCondensation: matched,
    fractionMatched: plateaus.length ? matched / plateaus.length : null,
    matchedIndependentNarrowLoss: nearNarrow,
    linearFitLoss: m.linearFitLoss,
    narrowCriticalLosses: m.narrow.map((n) => ({ width: n.width, loss: n.loss, grad: n.grad })),
    plateauDetails: m.runs.flatMap((r) =>
      r.plateaus.map((p) => ({ replicate: r.replicate, step: p.step, loss: p.loss, units: p.units, criticalLoss: p.criticalLoss, criticalGrad: p.criticalGrad, functionGap: p.functionGap })),
    ),
  };
  if (diverged.length > 0) return { status: 'inconclusive' as const, reason: `training diverged (seed ${diverged[0]!.replicate}, step ${diverged[0]!.divergedAt}).`, metrics };
  if (plateaus.length === 0) return { status: 'inconclusive' as const, reason: 'no plateau (loss ratio > 0.99 over 200 steps for ≥ 1000 steps) was detected.', metrics };
  const frac = matched / plateaus.length;
  const text = `${matched} of ${plateaus.length} plateaus over ${m.runs.length} seeds condense to a narrow network whose Newton polish is a critical point (‖∇L‖ ≤ ${CRIT_GRAD}) within 10% of the plateau loss; ${nearNarrow} plateaus lie within 10% of an independently found narrow critical loss`;
  // The claim is that training passes near embedded narrow critical points: most plateaus must be explained.
  if (frac >= 0.5) return { status: 'holds' as const, reason: `${text}.`, metrics };
  const levels = plateaus.map((p) => p.loss.toExponential(3)).join(', ');
  return { status: 'fails' as const, reason: `${text} (needed at least half). Plateau losses ${levels}; affine least-squares loss ${m.linearFitLoss.toExponential(3)}.`, metrics };
}

export function plateauFigures(m: PlateauMeasurements): Record<string, FigureSpec> {
  const run = m.runs[0];
  if (!run) return {};
  const curve = run.curve.filter((c) => c.step > 0).map((c) => ({ step: c.step, loss: c.loss }));
  const lines = [
    ...m.narrow.filter((n) => n.grad <= CRIT_GRAD).map((n) => ({ loss: n.loss, label: `width ${n.width} critical loss` })),
    { loss: m.linearFitLoss, label: 'affine least-squares loss' },
  ];
  const marks = run.plateaus.map((p) => ({ step: p.step, loss: p.loss, matched: isMatched(p) ? 'matched' : 'not matched' }));
  const dirs = run.plateaus.flatMap((p, i) => p.directions.map((d) => ({ plateau: `plateau ${i + 1} (step ${p.step})`, angle: d.angle, amplitude: d.amplitude })));
  return {
    'loss-curve': {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      title: `Wide tanh net (seed ${run.replicate}): training loss, plateaus, and narrow networks' critical losses`,
      width: 480,
      height: 280,
      layer: [
        { data: { values: curve }, mark: { type: 'line' }, encoding: { x: { field: 'step', type: 'quantitative', scale: { type: 'log' }, title: 'GD step' }, y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: 'training loss (1/2n)Σ(f−y)²' } } },
        { data: { values: lines }, mark: { type: 'rule', strokeDash: [4, 3] }, encoding: { y: { field: 'loss', type: 'quantitative' }, color: { field: 'label', type: 'nominal', title: 'narrow critical point' } } },
        { data: { values: marks }, mark: { type: 'point', filled: true, size: 60 }, encoding: { x: { field: 'step', type: 'quantitative' }, y: { field: 'loss', type: 'quantitative' }, shape: { field: 'matched', type: 'nominal', title: 'plateau' } } },
      ],
    },
    'neuron-directions': {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      title: 'Unit input directions at each plateau (condensation): angle of (w, b) against amplitude |a|·‖(w, b)‖',
      width: 480,
      height: 240,
      data: { values: dirs },
      mark: { type: 'point', filled: true, size: 20 },
      encoding: {
        x: { field: 'angle', type: 'quantitative', scale: { domain: [-Math.PI, Math.PI] }, title: 'direction angle atan2(b, w) (rad)' },
        y: { field: 'amplitude', type: 'quantitative', title: 'amplitude |a|·‖(w, b)‖' },
        color: { field: 'plateau', type: 'nominal', title: 'plateau' },
      },
    },
  };
}

export const trainingPlateaus = defineClaim<PlateauConfig, PlateauMeasurements>({
  id: 'embedding.training-plateaus',
  title: 'Training plateaus of a wide network sit at embedded critical points of narrower networks',
  statement:
    'A wide two-layer tanh network trained by gradient descent from a small initialization on 1-D data shows loss plateaus; at each plateau its units condense onto a few input directions, and the condensed narrow network, polished by Newton, is a critical point of the narrow network with (within 10%) the plateau loss.',
  source: { paper: 'Zhang, Zhang, Luo, Xu, Embedding Principle of Loss Landscape of Deep Neural Networks (NeurIPS 2021)', arxiv: '2105.14573', where: 'Fig. 1(a); lecture A8 §1.1 and §1.4; BRIEF §4.3, §4.4 P4.4' },
  tiers: {
    ci: { replicates: 3, activation: 'tanh', target: 'a8', points: 20, width: 50, initStd: 1e-2, lr: 0.05, steps: 12000, every: 100, narrowWidths: [1, 2] },
    full: { replicates: 5, activation: 'tanh', target: 'a8', points: 20, width: 200, initStd: 1e-2, lr: 0.05, steps: 20000, every: 100, narrowWidths: [1, 2, 3] },
  },
  // Does NOT reproduce here. CI (width 50, 3 seeds) and full (width 200, 5 seeds) tiers both show one long plateau per
  // seed at L ≈ 1.43e-2 (CI) / 1.45e-2 (full), within 2% of the affine least-squares loss 1.458e-2, where the units
  // condense onto a single direction (units = 1) with small weights: one unit in tanh's near-linear regime. Newton from
  // the condensed width-1 network stalls at ‖∇L‖ ≈ 1e-3 (its loss and function match the plateau within 2–3%), which
  // suggests the width-1 network has no finite critical point there (the affine fit is approached as w → 0, a → ∞);
  // the one finite width-1 critical point found (loss 1.069e-3) is no plateau. A ReLU variant (A8's activation, tried
  // once at CI size) gave plateaus at 7.7e-3 with 2 condensed units whose polish did not converge either.
  expected: 'fails',
  // A plateau's distance to its nearest critical point (functionGap) moved 0.45% between the tfjs cpu and wasm
  // backends (npm run cross-backend, master seed 20261123): plateauDetails gets 1%, everything else rel 1e-3.
  tolerance: { rel: 1e-3, abs: 1e-9, metrics: { plateauDetails: { rel: 1e-2, abs: 1e-9 } } },
  async run(config, ctx) {
    const engine = await getEngine();
    const { x, y } = grid1d(config.points, config.target);
    const runs: PlateauRun[] = [];
    for (const r of ctx.replicates) {
      const rng = ctx.rng(r, 'init');
      let net = initMlp([1, config.width, 1], { activation: config.activation, parameterization: 'standard', sigmaW: 1, sigmaB: 1 }, { normal: () => rng.normal() });
      net = { ...net, layers: net.layers.map((l) => ({ ...l, W: rng.normals(l.W.length, config.initStd), b: rng.normals(l.b.length, config.initStd) })) };
      // Chunked full-batch GD (stateless, so chunking changes nothing) keeps the parameters at every record.
      const curve: { step: number; loss: number }[] = [{ step: 0, loss: mseLossGrad(net, x, y).loss }];
      const snaps: Mlp[] = [net];
      let divergedAt: number | null = null;
      for (let s = 0; s < config.steps; s += config.every) {
        const res = await engine.train({ net, x, y, optimizer: { kind: 'sgd', lr: config.lr }, steps: config.every, recordEvery: config.every });
        if (res.divergedAt !== undefined) {
          divergedAt = s + res.divergedAt;
          break;
        }
        net = res.final;
        curve.push({ step: s + config.every, loss: mseLossGrad(net, x, y).loss });
        snaps.push(net);
      }
      const plateaus = divergedAt === null ? detectPlateaus(curve).map((seg) => {
        const mid = curve.findIndex((c) => c.step >= (seg.start + seg.end) / 2);
        return analysePlateau(snaps[mid]!, x, y, seg, curve[mid]!.step);
      }) : [];
      runs.push({ replicate: r, curve: curve.filter((_, i) => i % Math.max(1, Math.floor(curve.length / 400)) === 0), divergedAt, plateaus });
      ctx.progress(r + 1, ctx.replicates.length + 1);
    }
    // Independent narrow critical points: train width-k nets from a normal init, then Newton (descend mode).
    const narrow = [];
    for (const w of config.narrowWidths) {
      const init = initMlp([1, w, 1], { activation: config.activation, parameterization: 'standard', sigmaW: 1, sigmaB: 1 }, ctx.rng(0, `narrow/${w}`));
      const trained = await engine.train({ net: init, x, y, optimizer: { kind: 'adam', lr: 0.01 }, steps: 3000, recordEvery: 3000 });
      const cp = findCriticalPoint(trained.final, x, y);
      narrow.push({ width: w, loss: cp.loss, grad: cp.gradNorm });
    }
    return { runs, narrow, linearFitLoss: affineFitLoss(x, y) };
  },
  judge: (m) => judgePlateaus(m),
  figures: (m) => plateauFigures(m),
});
