// F-Principle by the filtering method for convolutional networks trained with softmax cross-entropy on MNIST
// (seed 004 §1.5.5, Fig. 1.12: "DNN, CNN and VGG16 trained with cross-entropy ... the low-frequency part converges
// first, at every δ"; Xu et al. 2019 §4). Same MNIST subsets, filter and judge as fprinciple.filtering (highdim.ts);
// the networks are a small CNN and a VGG-style stack (3×3 convolutions and max pooling), trained through the engine
// (core/engine, cnn-v1 spec) with cross-entropy. What is filtered is the network's prediction, the softmax of its
// logits (the quantity cross-entropy fits to the one-hot labels); e_low and e_high are the relative errors of its
// Gaussian-filtered low part and of the remainder against the labels' (eqs. 1.10–1.13). fprinciple.projection.cnn
// applies fprinciple.projection's analysis (NUDFT along the first principal component, eq. 1.6) to the same runs.
import { memoized } from '../../core/paired.ts';
import { defineClaim, type AnyClaim, type RunContext, type Verdict } from '../../core/claim.ts';
import { getEngine, type TrainResult } from '../../core/engine/index.ts';
import { claimRng } from '../../core/rng.ts';
import { forwardCnn, initCnn, type Cnn, type CnnLayerSpec } from '../../theory/cnn.ts';
import type { Mat } from '../../theory/mlp.ts';
import { addRun, emptyDeltas, filtering, filteringAnalysis, projection, projectionAnalysis, type MeasFilt } from './highdim.ts';
import { mnistSubset } from './mnist-data.ts';
import { judgeOrder, type OrderMeasurements, type OrderRule, type OrderRun } from './order.ts';
import { recordedSteps } from './rivals.ts';

export type CnnArch = 'cnn' | 'vgg';

export interface ConfigCnnFilt {
  replicates: number;
  perDigit: number;
  arch: CnnArch;
  /** Channels of the conv layers (cnn: one layer; vgg: [c1, c2]: two c1 convs, pool, one c2 conv, pool). */
  channels: number[];
  lr: number;
  steps: number;
  recordEvery: number;
  /** δ as fractions of the median pairwise squared distance (as fprinciple.filtering). */
  deltaFractions: number[];
  /**
   * Judge e_b(t)/e_b(0), the fraction of each part's initial error left (true), or the paper's e_b(t) (false). See
   * NORMALIZED below for why the claim normalizes under cross-entropy.
   */
  normalized: boolean;
}

/** Divides each band's trajectory by its value at the first record (a band with no error at the start stays null). */
export function normalizeBands(err: (number | null)[][]): (number | null)[][] {
  return err.map((e) => {
    const e0 = e[0];
    return e.map((v) => (v === null || e0 === null || e0 === undefined || !(e0 > 0) ? null : v / e0));
  });
}

/** The architectures on 14×14×1 MNIST (ReLU, standard parameterization, He-style σw = √2): a small CNN and a VGG-style stack. */
export function archLayers(arch: CnnArch, channels: readonly number[]): CnnLayerSpec[] {
  const conv = (cout: number): CnnLayerSpec => ({ type: 'conv', kh: 3, kw: 3, cout, stride: 1, padding: 'same' });
  if (arch === 'cnn') return [conv(channels[0]!), { type: 'maxpool', size: 2 }, { type: 'dense', nOut: 10 }];
  // VGG-style (Simonyan & Zisserman 2014): stacks of 3×3 "same" convolutions, each block closed by 2×2 max pooling.
  return [conv(channels[0]!), conv(channels[0]!), { type: 'maxpool', size: 2 }, conv(channels[1]!), { type: 'maxpool', size: 2 }, { type: 'dense', nOut: 10 }];
}

// The MNIST subsets are fprinciple.filtering's (same stream keys): the CNN claims filter the same images.
const TRAINING_KEY = 'fprinciple.mnist-training';

function cnnStart(cfg: Pick<ConfigCnnFilt, 'perDigit' | 'arch' | 'channels'>, ctx: RunContext, seed: number): { X: Mat; Y: Mat; net: Cnn } {
  const { X, Y } = mnistSubset(cfg.perDigit, claimRng(ctx.masterSeed, TRAINING_KEY, seed, 'data'));
  const net = initCnn(
    { activation: 'relu', parameterization: 'standard', sigmaW: Math.SQRT2, sigmaB: 0, input: [14, 14, 1], layers: archLayers(cfg.arch, cfg.channels) },
    claimRng(ctx.masterSeed, `fprinciple.mnist-${cfg.arch}`, seed, 'init'),
  );
  return { X, Y, net };
}

/** Row-wise softmax of logits (n×k, flat): the network's predicted class probabilities. */
export function softmaxRows(logits: ArrayLike<number>, k: number): Float64Array {
  const out = new Float64Array(logits.length);
  for (let o = 0; o < logits.length; o += k) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, logits[o + j]!);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += (out[o + j] = Math.exp(logits[o + j]! - max));
    for (let j = 0; j < k; j++) out[o + j]! /= sum;
  }
  return out;
}

/** e_low/e_high trajectories of one trained run at every δ, from the recorded logits' softmax. */
function analyse(X: Mat, Y: Mat, cfg: ConfigCnnFilt, seed: number, res: TrainResult<Cnn>, out: MeasFilt['deltas'], first: boolean): void {
  const probs = res.records.map((r) => softmaxRows(r.outputs, Y.cols));
  filteringAnalysis(X, Y, cfg).forEach((a, j) => {
    const err: (number | null)[][] = [[], []];
    for (const p of probs) a.errors(p).forEach((e, b) => err[b]!.push(e));
    const run: OrderRun = { seed, steps: res.records.map((r) => r.step), err: cfg.normalized ? normalizeBands(err) : err, loss: res.records.map((r) => r.loss), divergedAt: res.divergedAt ?? null };
    addRun(out[j]!, a, run, first);
  });
}

/** The training settings that define one CNN run; the filtering and projection claims share runs with equal settings. */
type TrainSettings = Pick<ConfigCnnFilt, 'perDigit' | 'arch' | 'channels' | 'lr' | 'steps' | 'recordEvery'>;

// Memoized (core/paired.ts) as highdim.ts's trainMnist: fprinciple.projection.cnn analyses fprinciple.filtering.cnn's training runs
// (same streams, same settings), so in one process the CNN is trained once per (master seed, settings, seed).

function trainCnn(cfg: TrainSettings, ctx: RunContext, seed: number) {
  const { perDigit, arch, channels, lr, steps, recordEvery } = cfg;
  const key = JSON.stringify([ctx.masterSeed, perDigit, arch, channels, lr, steps, recordEvery, seed]);
  return memoized(`fprinciple.cnn-training/${key}`, async () => {
    const { X, Y, net } = cnnStart(cfg, ctx, seed);
    const engine = await getEngine();
    const res = await engine.train({ net, x: X, y: Y, loss: 'xent', optimizer: { kind: 'adam', lr }, steps, recordEvery });
    return { X, Y, res };
  });
}

async function runCnn(cfg: ConfigCnnFilt, ctx: RunContext): Promise<MeasFilt> {
  const out = emptyDeltas(cfg);
  for (const seed of ctx.replicates) {
    const { X, Y, res } = await trainCnn(cfg, ctx, seed);
    analyse(X, Y, cfg, seed, res, out, seed === ctx.replicates[0]);
    ctx.progress(seed + 1, ctx.replicates.length);
  }
  return { deltas: out };
}

/**
 * The lookup-table model under softmax cross-entropy: free logits θ_i per training image, started at the network's
 * initial logits, each row stepped by gradient descent θ_i ← θ_i − ν·(softmax(θ_i) − y_i) (the gradient of n·L, L the
 * mean cross-entropy). Rows never interact, so no frequency of the map is fitted before another; starting from
 * near-uniform logits every row follows nearly the same path. Returns the softmax outputs at the recorded steps.
 */
export function lookupTableXent(theta0: ArrayLike<number>, Y: Mat, nu: number, steps: readonly number[]): Float64Array[] {
  const k = Y.cols;
  const theta = Float64Array.from(theta0);
  const out: Float64Array[] = [];
  let t = 0;
  for (const s of steps) {
    for (; t < s; t++) {
      const p = softmaxRows(theta, k);
      for (let q = 0; q < theta.length; q++) theta[q]! -= nu * (p[q]! - Y.data[q]!);
    }
    out.push(softmaxRows(theta, k));
  }
  return out;
}

/**
 * The fraction of its initial residual ‖softmax(θ) − y‖ the rival keeps at half the budget: every band's normalized
 * error crosses 0.1 a little before then, at the network's time scale (CNN: settling ≈ 40–190 steps of 224; VGG: 70–140 of 168), so one 4-step
 * record is a small part of a settling step and cannot fake a ratio ≥ 1.25.
 */
const RIVAL_FRACTION = 0.05;

/** ν such that a row started at uniform logits keeps RIVAL_FRACTION of its residual after `steps` steps (bisection on log ν). */
export function rivalRate(k: number, steps: number): number {
  const residualAfter = (nu: number) => {
    const y = new Float64Array(k);
    y[0] = 1;
    const p = lookupTableXent(new Float64Array(k), { rows: 1, cols: k, data: y }, nu, [steps])[0]!;
    return Math.hypot(...p.map((v, j) => v - y[j]!)) / Math.hypot(...y.map((v) => v - 1 / k));
  };
  let lo = Math.log(1e-4);
  let hi = Math.log(1e3);
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (residualAfter(Math.exp(mid)) > RIVAL_FRACTION) lo = mid;
    else hi = mid;
  }
  return Math.exp(hi);
}

function runLookup(cfg: ConfigCnnFilt, ctx: RunContext): MeasFilt {
  const steps = recordedSteps(cfg.steps, cfg.recordEvery);
  const nu = rivalRate(10, cfg.steps / 2);
  const out = emptyDeltas(cfg);
  for (const seed of ctx.replicates) {
    const { X, Y, net } = cnnStart(cfg, ctx, seed);
    const probs = lookupTableXent(forwardCnn(net, X).data, Y, nu, steps);
    filteringAnalysis(X, Y, cfg).forEach((a, j) => {
      const per = probs.map(a.errors);
      const err = [0, 1].map((b) => per.map((e) => e[b] ?? null));
      const loss = probs.map((p) => p.reduce((s, v, q) => s - (Y.data[q] === 1 ? Math.log(v) : 0), 0) / Y.rows);
      addRun(out[j]!, a, { seed, steps, err: cfg.normalized ? normalizeBands(err) : err, loss, divergedAt: null }, seed === ctx.replicates[0]);
    });
  }
  return { deltas: out };
}

// NORMALIZED. Under cross-entropy the predictions start near the uniform distribution u, a constant map: pure low
// frequency, and the labels' low part (a local class average) is close to it, so e_low(0) ≪ e_high(0) for ANY model
// started there. The lookup-table rival (free logits, rows never interact) then settles e_low first too: at the default
// seed, with the paper's e_b, it "holds" at both δ (settling steps (24–36, 40)). From a uniform start its residual is
// exactly g(t)·(u − y_i) in every row (by symmetry of the softmax), so every band keeps the same fraction of its
// initial error: judged on e_b(t)/e_b(0) its bands tie. The F-Principle is a statement about rates (low frequencies
// are fitted faster), which the normalized errors measure and the raw ones confound with the starting point.
// Rule: fprinciple.filtering's (settle below 0.1, low before high in every seed and at every δ) plus order.ts's
// minPairRatio: the median over seeds of t_high/t_low at least 1.25. An equal-rate model's ratio is 1 up to the
// record resolution (one 4-step record at settling steps ≈ 40 is 1.1; the rival measured 1.0–1.11 normalized).
const RULE_CNN: OrderRule = { threshold: 0.1, minFraction: 1, minPairRatio: 1.25 };

/** fprinciple.filtering's judge with RULE_CNN: every δ must hold. */
function judge(m: MeasFilt): Verdict {
  const per = m.deltas.map((d) => ({ d, v: judgeOrder(d.m, RULE_CNN, 'frequency (low part, then high part)') }));
  const statuses = per.map((p) => p.v.status);
  const status: Verdict['status'] = statuses.includes('fails') ? 'fails' : statuses.includes('inconclusive') ? 'inconclusive' : 'holds';
  return {
    status,
    reason: per.map((p) => `δ=${p.d.fraction}·median: ${p.v.status} — ${p.v.reason}`).join(' '),
    metrics: Object.fromEntries(per.map((p) => [`delta${p.d.fraction}`, { delta: p.d.delta, lowShare: p.d.lowShare, ...p.v.metrics }])),
  };
}
const figures = (m: MeasFilt, v: Parameters<NonNullable<AnyClaim['figures']>>[1], c: ConfigCnnFilt) => filtering.figures!(m, v, c);

const source = {
  paper: 'Xu, Zhang, Luo, Xiao, Ma (2019), Frequency Principle: Fourier analysis sheds light on deep neural networks',
  arxiv: '1901.06523',
  where: 'filtering method with CNN and VGG16 under cross-entropy, seed 004 §1.5.5 eqs. 1.10–1.13, Fig. 1.12; BRIEF P1.2',
};

// The paper trains a CNN and VGG16 on full MNIST (28×28) and CIFAR-10 with cross-entropy. Here: a few hundred 14×14
// MNIST images (drawn as fprinciple.filtering's subsets, 20 per digit for the CNN, 10 for the VGG-style stack), a one-conv CNN and a 3-conv VGG-style stack with a handful of
// channels, so that the float64 reference engine trains them in seconds; Adam as in fprinciple.filtering.
// The small CNN's training settings, shared by fprinciple.filtering.cnn and fprinciple.projection.cnn (one training run
// each seed). 20 images per digit (200), not fprinciple.filtering's 10: see PROJECTION_IMAGES below. 224 steps: the
// slowest fit-complete step over master seeds 1–20 × 2 replicates was 188 (filtering at δ = 0.1, median 144); the judge
// ignores records after it, so the extra steps only keep a slower seed from "inconclusive".
const CNN_CI = { replicates: 2, perDigit: 20, arch: 'cnn', channels: [4], lr: 5e-3, steps: 224, recordEvery: 4, normalized: true } as const satisfies Omit<ConfigCnnFilt, 'deltaFractions' | 'channels'> & { channels: readonly number[] };
// Full: 300 images, 8 channels, 4 seeds, 240 steps. Run once at 480 steps (master seed 20261123): the filtering fits
// were complete by step 144 at every δ, so 240 steps judge the same records at half the cost.
const CNN_FULL = { replicates: 4, perDigit: 30, arch: 'cnn', channels: [8], lr: 5e-3, steps: 240, recordEvery: 4, normalized: true } as const satisfies Omit<ConfigCnnFilt, 'deltaFractions' | 'channels'> & { channels: readonly number[] };
export const filteringCnn: AnyClaim = defineClaim<ConfigCnnFilt, MeasFilt>({
  id: 'fprinciple.filtering.cnn',
  title: 'F-Principle on MNIST by the filtering method: a CNN trained with cross-entropy',
  statement:
    'For a small ReLU CNN (3×3 conv, 2×2 max pool, dense softmax head) fitted to an MNIST subset (200 images, 14×14) with softmax cross-entropy, ' +
    'the Gaussian-filtered low-frequency part of its predicted probabilities is fitted faster than the high-frequency part: ' +
    'the fraction of each part\'s initial relative error left, e_low(t)/e_low(0) and e_high(t)/e_high(0), settles below 0.1 ' +
    'for the low part first, at each filter width δ, with the median ratio of settling steps at least 1.25.',
  source,
  tiers: {
    ci: { ...CNN_CI, channels: [...CNN_CI.channels], deltaFractions: [0.1, 0.2] },
    full: { ...CNN_FULL, channels: [...CNN_FULL.channels], deltaFractions: [0.05, 0.1, 0.2] },
  },
  tolerance: filtering.tolerance,
  run: runCnn,
  judge,
  figures,
});

export const filteringCnnLookupRival: AnyClaim = defineClaim<ConfigCnnFilt, MeasFilt>({
  id: 'fprinciple.filtering.cnn.rival-lookup-table',
  title: 'Rival: a lookup-table model (no frequency bias) trained with cross-entropy, filtering method',
  statement:
    'Free logits per training image, started at the CNN\'s initial logits and trained by gradient descent on the same softmax ' +
    'cross-entropy: rows never interact, so no frequency is favoured; the filtering judge must not say "holds".',
  source: { ...source, where: 'rival of fprinciple.filtering.cnn (research/claim-power-audit.md: a model with no frequency bias)' },
  control: true,
  rivalOf: 'fprinciple.filtering.cnn',
  tiers: filteringCnn.tiers,
  tolerance: filtering.tolerance,
  run: runLookup,
  judge,
  figures,
});

// ---------- projection method on the same CNN runs ----------

export interface ConfigCnnProj extends Omit<ConfigCnnFilt, 'deltaFractions'> {
  /** fprinciple.projection's frequency grid along the standardized first principal component and its band edges. */
  dk: number;
  kMax: number;
  edges: number[];
}

interface MeasCnnProj extends OrderMeasurements {
  spectrum: { seed: string; k: number; amp: number }[];
}

/** ΔF per band of the softmax outputs at each record, optionally divided by its value at the first record. */
function projectionRun(X: Mat, Y: Mat, cfg: ConfigCnnProj, seed: number, steps: number[], probs: Float64Array[], loss: number[], divergedAt: number | null) {
  const a = projectionAnalysis(X, Y, cfg);
  const err = a.bands.map(() => [] as (number | null)[]);
  for (const p of probs) a.errors(p).forEach((e, b) => err[b]!.push(e));
  const run: OrderRun = { seed, steps, err: cfg.normalized ? normalizeBands(err) : err, loss, divergedAt };
  return { a, run };
}

function collect(pieces: { a: ReturnType<typeof projectionAnalysis>; run: OrderRun }[]): MeasCnnProj {
  return {
    bands: pieces[0]?.a.bands ?? [],
    runs: pieces.map((p) => p.run),
    spectrum: pieces.flatMap((p) => p.a.spectrum.map((q) => ({ seed: `seed ${p.run.seed}`, ...q }))),
  };
}

async function runCnnProjection(cfg: ConfigCnnProj, ctx: RunContext): Promise<MeasCnnProj> {
  const pieces = [];
  for (const seed of ctx.replicates) {
    const { X, Y, res } = await trainCnn(cfg, ctx, seed);
    const probs = res.records.map((r) => softmaxRows(r.outputs, Y.cols));
    pieces.push(projectionRun(X, Y, cfg, seed, res.records.map((r) => r.step), probs, res.records.map((r) => r.loss), res.divergedAt ?? null));
    ctx.progress(seed + 1, ctx.replicates.length);
  }
  return collect(pieces);
}

function runProjectionLookup(cfg: ConfigCnnProj, ctx: RunContext): MeasCnnProj {
  const steps = recordedSteps(cfg.steps, cfg.recordEvery);
  const nu = rivalRate(10, cfg.steps / 2);
  const pieces = [];
  for (const seed of ctx.replicates) {
    const { X, Y, net } = cnnStart(cfg, ctx, seed);
    const probs = lookupTableXent(forwardCnn(net, X).data, Y, nu, steps);
    const loss = probs.map((p) => p.reduce((s, v, q) => s - (Y.data[q] === 1 ? Math.log(v) : 0), 0) / Y.rows);
    pieces.push(projectionRun(X, Y, cfg, seed, steps, probs, loss, null));
  }
  return collect(pieces);
}

// fprinciple.projection's rule (ΔF settles below 0.1, bands in order in every seed) plus RULE_CNN's minPairRatio on
// each neighbouring pair, on ΔF(t)/ΔF(0). Normalized for the reason given at NORMALIZED, measured on the rival
// (master seeds 20261123 and 1–3, 2 replicates each, 100 images): with the raw ΔF the lookup table's low band settles
// first (its low band starts nearer, the uniform start being a constant map), a median low/middle ratio ≈ 1.5, and only
// the tie of the two upper bands keeps it from "holds"; with ΔF/ΔF(0) its bands tie within a record or two.
// PROJECTION_IMAGES. At fprinciple.filtering's 100 images the claim was borderline (calibration 11/20, audit 10/20
// holds): every run ordered the bands, but the middle/high settling ratio sat on the margin. Measured over master seeds
// 1–20 × 4 replicates (80 runs, 100 images): per-run t_high/t_mid geometric mean 1.27 (sd of its log 0.08, 60% of runs
// ≥ 1.25), t_mid/t_low 1.41; the same at thresholds 0.05 (1.30) and 0.2 (1.28), so neither a longer fit nor a finer
// threshold moves it. The cause is the sample, not the network: the high band (0.4, 0.8] cycles per sd lies just above
// the label spectrum's sampling-noise floor |ŷ_k| ≈ 1/√n at n = 100 (fprinciple.projection's note: 1.19× its shuffled
// floor at k = 0.8), so part of what it measures is the noise-floor residual, fitted with the whole map rather than at
// the band's own rate. At 200 images (20 per digit: the floor √2 lower) the per-run ratios are t_mid/t_low 1.56 and
// t_high/t_mid 1.39 (40 runs, sd of the log 0.18 and 0.11), the margin unchanged. So the CI tier now trains on 200
// images (filtering.cnn shares the runs and holds there too, ratios 1.6–3.0).
// Calibration (master seeds 1–20, reference engine, 200 images): holds 19/20 (master seed 5: middle/high 1.23); the
// rival fails 20/20. Audit: see the measurements at the end of the file.
const RULE_CNN_PROJ: OrderRule = { threshold: 0.1, minFraction: 1, minPairRatio: 1.25 };

export const projectionCnn: AnyClaim = defineClaim<ConfigCnnProj, MeasCnnProj>({
  id: 'fprinciple.projection.cnn',
  sharesRunsWith: 'fprinciple.filtering.cnn', // the same CNN training runs, analysed by projection
  title: 'F-Principle on MNIST by the projection method: a CNN trained with cross-entropy',
  statement:
    'For the small ReLU CNN of fprinciple.filtering.cnn (same runs), the relative error ΔF of the NUDFT of its predicted probabilities ' +
    'along the first principal component, as a fraction of its initial value, settles below 0.1 in the low frequency band first, ' +
    'then the middle band, then the high band, with median ratios of settling steps between neighbouring bands at least 1.25.',
  source: { ...source, where: 'projection method with a CNN under cross-entropy, seed 004 §1.5.4 eq. 1.6, Fig. 1.10; BRIEF P1.2' },
  tiers: {
    // fprinciple.projection's grid and octave bands (the signal region of the label spectrum; chosen on ~100 images).
    ci: { ...CNN_CI, channels: [...CNN_CI.channels], dk: 0.025, kMax: 0.8, edges: [0, 0.2, 0.4, 0.8] },
    // Full: fprinciple.filtering.cnn's full runs (shared in one process).
    full: { ...CNN_FULL, channels: [...CNN_FULL.channels], dk: 0.025, kMax: 0.8, edges: [0, 0.2, 0.4, 0.8] },
  },
  tolerance: projection.tolerance,
  run: runCnnProjection,
  judge: (m) => judgeOrder(m, RULE_CNN_PROJ, 'projected frequency'),
  figures: (m, v, c) => projection.figures!(m as never, v, c as never),
});

export const projectionCnnLookupRival: AnyClaim = defineClaim<ConfigCnnProj, MeasCnnProj>({
  id: 'fprinciple.projection.cnn.rival-lookup-table',
  title: 'Rival: a lookup-table model (no frequency bias) trained with cross-entropy, projection method',
  statement:
    'Free logits per training image, started at the CNN\'s initial logits and trained by gradient descent on the same softmax ' +
    'cross-entropy: rows never interact, so no projected frequency is favoured; the projection judge must not say "holds".',
  source: { ...source, where: 'rival of fprinciple.projection.cnn (research/claim-power-audit.md: a model with no frequency bias)' },
  control: true,
  rivalOf: 'fprinciple.projection.cnn',
  tiers: projectionCnn.tiers as Record<'ci' | 'full', ConfigCnnProj>,
  tolerance: projection.tolerance,
  run: runProjectionLookup,
  judge: (m) => judgeOrder(m, RULE_CNN_PROJ, 'projected frequency'),
  figures: (m, v, c) => projection.figures!(m as never, v, c as never),
});

// ---------- VGG-style stack, filtering method ----------

// VGG. The paper trains VGG16 (13 3×3 convolutions of 64–512 channels in five pooled blocks, three dense layers) on
// full MNIST (60 000 images, 28×28). Here, to train in a few CPU seconds on the float64 reference engine: 100 14×14
// images from fprinciple.filtering.cnn's sampler (which now draws 200), two blocks (two 3×3 "same" convs of 2 channels, 2×2 max pool; one 3×3
// conv of 4 channels, 2×2 max pool) and a dense softmax head, Adam lr 5e-3, 168 steps (200 until round 5; every fit
// over master seeds 1–8 × 2 replicates was complete by step 136, and the 20-seed calibration is unchanged). The judge is
// fprinciple.filtering.cnn's (RULE_CNN, normalized errors), unchanged. Tried first at the default seed
// (onnx-f64 for speed, master seeds 20261123, 1, 2): channels [4, 8] fitted faster (settling ≈ 50–64) but cost 12.7 s
// CPU per CI run (load ≈ 5), with ratios 1.12 and 1.26 at δ = 0.1, 0.2; [4, 8] at lr 2e-3: ratios 1.15–1.25 at δ = 0.1;
// [2, 4] at lr 2e-3 did not fit within 200 steps (inconclusive). [2, 4] at lr 5e-3, the one kept (cost): low before
// high in every run seen, ratios 1.09–1.27 at δ = 0.1 and 1.11–1.35 at δ = 0.2.
// Calibration (master seeds 1–20, reference engine): holds 1/20 (seed 4), fails 19/20, every failure "order holds
// but the median settling ratio is below 1.25" in the runs inspected (seeds 1–3, 5, 6); the rival fails 20/20. So at this
// size the stack fits the low part first but not by a margin the rule can tell from an equal-rate fit: expected "fails"
// (did not reproduce), not a threshold lowered until it passes.
// Round 5, tried toward the paper's setting (filtering at δ = 0.1 is the pair that fails; master seeds 1–3 or 1–2,
// 2 replicates): 200 images ([2, 4], lr 5e-3): δ = 0.1 ratios 1.22, 1.25, 1.27 (δ = 0.2: 1.39–1.70), ≈ 2× the CPU;
// [4, 8] channels on 200 images: 1.37, 1.21 (≈ 6× the CPU); Adam lr 2e-3 with 400 steps on 200 images: 1.27, 1.32
// (δ = 0.2: 1.42, 1.84), ≈ 8× the CPU (≈ 30 s a CI run). So more data and a smaller step move the δ = 0.1 ratio up to
// about the margin, not clearly past it, and only at several times the CI budget: the CI tier keeps the small setting
// and its "fails"; the full tier runs the lr 2e-3 setting. Full tier, run once (master seed 20261123, reference engine):
// holds, δ = 0.1 median ratio 1.32 (per replicate 1.21–1.38, settling (204–288, 264–396)), δ = 0.2 1.62; 42 s CPU,
// 126 s wall at load ≈ 15. One master seed, not calibrated: the setting reproduces the order with the ratio a little
// above the margin, where the CI setting sits a little below it.

export const filteringVgg: AnyClaim = defineClaim<ConfigCnnFilt, MeasFilt>({
  id: 'fprinciple.filtering.vgg',
  title: 'F-Principle on MNIST by the filtering method: a VGG-style stack trained with cross-entropy',
  statement:
    'For a small VGG-style ReLU network (two 3×3 "same" convs, 2×2 max pool, a 3×3 conv, 2×2 max pool, dense softmax head) fitted to an ' +
    'MNIST subset (14×14) with softmax cross-entropy, e_low(t)/e_low(0) settles below 0.1 before e_high(t)/e_high(0) at each filter width δ, ' +
    'with the median ratio of settling steps at least 1.25.',
  source: { ...source, where: 'filtering method with VGG16 under cross-entropy, seed 004 §1.5.5 eqs. 1.10–1.13, Fig. 1.12; BRIEF P1.2' },
  // Did not reproduce at this size under fprinciple.filtering.cnn's rule (VGG below): low before high in nearly every
  // run, but settling ratios ≈ 1.1–1.35, below the 1.25 margin that separates a rate difference from equal rates.
  expected: 'fails',
  tiers: {
    ci: { replicates: 2, perDigit: 10, arch: 'vgg', channels: [2, 4], lr: 5e-3, steps: 168, recordEvery: 4, deltaFractions: [0.1, 0.2], normalized: true },
    // Full: 200 images, Adam lr 2e-3 (the CI tier's 5e-3 fits in a few large steps), 440 steps, 4 seeds. Chosen from two
    // probes (onnx-f64, master seeds 1–2, 2 replicates): [4, 8] channels at lr 5e-3 on 200 images, δ = 0.1 ratios 1.37
    // and 1.21 (fits complete by step ≈ 100); [2, 4] at lr 2e-3, 400 steps: 1.27 and 1.32 (δ = 0.2: 1.42, 1.84), fits
    // complete by step 356. ≈ 15 s CPU a seed on the reference engine.
    full: { replicates: 4, perDigit: 20, arch: 'vgg', channels: [2, 4], lr: 2e-3, steps: 440, recordEvery: 4, deltaFractions: [0.1, 0.2], normalized: true },
  },
  tolerance: filtering.tolerance,
  run: runCnn,
  judge,
  figures,
});

export const filteringVggLookupRival: AnyClaim = defineClaim<ConfigCnnFilt, MeasFilt>({
  id: 'fprinciple.filtering.vgg.rival-lookup-table',
  title: 'Rival: a lookup-table model (no frequency bias) trained with cross-entropy from the VGG-style stack\'s initial logits, filtering method',
  statement:
    'Free logits per training image, started at the VGG-style stack\'s initial logits and trained by gradient descent on the same softmax ' +
    'cross-entropy: rows never interact, so no frequency is favoured; the filtering judge must not say "holds".',
  source: { ...source, where: 'rival of fprinciple.filtering.vgg (research/claim-power-audit.md: a model with no frequency bias)' },
  control: true,
  rivalOf: 'fprinciple.filtering.vgg',
  tiers: filteringVgg.tiers,
  tolerance: filtering.tolerance,
  run: runLookup,
  judge,
  figures,
});

export const cnnFilteringClaims: AnyClaim[] = [filteringCnn, filteringCnnLookupRival, projectionCnn, projectionCnnLookupRival, filteringVgg, filteringVggLookupRival];

// Measured (reference engine, float64). Until round 5 the small CNN trained on 100 images (10 per digit), 200 steps:
// fprinciple.filtering.cnn held at master seed 20261123 (settling (76, 108), (64, 96) at δ = 0.1, ratios 1.46 and 1.64),
// 20/20 in calibration and audit (reports/flake-cnnclaims.json); its full tier (5 seeds, 800 steps) held, 152 s CPU.
// fprinciple.projection.cnn was borderline there (11/20, 10/20: see PROJECTION_IMAGES).
// Now (200 images, 224 steps), CI tier, master seed 20261123: fprinciple.filtering.cnn holds, settling (88, 152) and
// (72, 128) at δ = 0.1 (median ratio 1.75); fprinciple.projection.cnn holds, (48, 64, 104) and (44, 60, 100), ratios
// 1.35, 1.65; both rivals fail (ties within a record). fprinciple.filtering.vgg (100 images, 168 steps) fails as
// expected: δ = 0.1 ratio 1.20 ((84, 100), (116, 140)), δ = 0.2 holds (1.35); its rival fails.
// Calibration (master seeds 1–20): filtering.cnn holds 20/20, projection.cnn 19/20, both rivals fail 20/20;
// filtering.vgg fails 19/20 (master seed 4 holds, as at 200 steps: the fits complete by step 136), its rival 20/20.
// Audit (master seeds 20261124–43, flake-fpcnn.json): filtering.cnn 20/20, projection.cnn 20/20 holds, both rivals
// fail 20/20 (0 false passes); filtering.vgg fails 19/20 (20261139 holds, as at 200 steps), its rival 20/20.
// Full tiers, run once each (master seed 20261123, reference engine, load ≈ 14–16): fprinciple.filtering.cnn holds
// (at 480 steps: ratios 1.68, 1.93, 2.55 at δ = 0.05, 0.1, 0.2; fits complete by step 144), 94.5 s CPU, 318 s wall;
// fprinciple.projection.cnn alone (240 steps, it trains the runs itself) holds, settling (28–36, 36–48, 60–72), ratios
// 1.27 and 1.58 (the low/middle step is a record or two at this speed: 4-step records), 39.7 s CPU, 114 s wall.
// CPU, all six checks in one process (`report --only`, start-up and figures included), shared 2-core machine at load
// ≈ 12.6: 14.3 s (13.5 user + 0.8 sys), 49 s wall; per-claim wall: filtering.cnn 22.4 s (trains both CNN runs),
// projection.cnn 1.0, VGG 19.4, rivals ≈ 1 each.
