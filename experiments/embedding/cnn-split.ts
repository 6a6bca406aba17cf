// embedding.cnn-channel-split: the Embedding Principle for CNNs, where the width of a layer is its channel count
// (Zhang, Zhang, Luo, Xu 2021, arXiv:2105.14573 §2 and seed 001; BRIEF §4.2). A genuine critical point of a tiny
// float64 CNN (a one-channel conv, optionally an avgpool, a dense head; tanh, NTK parameterization; Adam, then a damped
// Newton solve of ∇L = 0) is widened by splitting its channel (theory/embedding.ts splitChannel) with several α: the
// output and the loss are unchanged and the wide point is critical (‖∇L‖ ≤ 1e-9).
// Rival (embedding.cnn-channel-split-dead-end-rival): "any output-preserving widening preserves criticality". A new
// channel with random incoming weights and zero outgoing weights in the same slot preserves the output exactly, but
// the gradient of its outgoing weights, s_w·Σ φ(z_new)·δ, is not zero at a point with non-zero residuals: the same
// judge must say "fails".
import { defineClaim } from '../../core/claim.ts';
import { memoized, pairedRng } from '../../core/paired.ts';
import type { Rng } from '../../core/rng.ts';
import { norm2, spectrum } from '../../theory/critical.ts';
import {
  cnnInputDim,
  cnnLossGrad,
  cnnParamCount,
  flattenCnnGrads,
  flattenCnnParams,
  forwardCnn,
  initCnn,
  withCnnParams,
  type Cnn,
  type CnnSpec,
  type ConvLayer,
  type DenseLayer,
} from '../../theory/cnn.ts';
import { channelSlot, cnnParamLayers, deadEndChannel, splitChannel } from '../../theory/embedding.ts';
import type { Mat } from '../../theory/mlp.ts';

export type CnnSplitArch = 'conv-dense' | 'conv-avgpool-dense';

export interface CnnSplitConfig {
  replicates: number;
  /** The narrow architectures (one narrow critical point of each per replicate). */
  cases: CnnSplitArch[];
  /** Training points: random 4×4×1 images; targets from a teacher CNN plus N(0, noise²) (more points than parameters). */
  points: number;
  noise: number;
  /** Adam steps (float64, lr 0.01) from a random init before the critical-point solve. */
  trainSteps: number;
  /** Draws (teacher, data, start) per narrow case until the solve reaches ‖∇L‖ ≤ 1e-11. */
  attempts: number;
  alphas: number[];
  /** 'split': the channel split; 'dead-end': the rival's widening in the same slots. */
  variant: 'split' | 'dead-end';
  /**
   * The rival's claim: every draw comes from that claim's seeded streams, so the rival widens the very same narrow
   * critical points (a paired design; solved once per process). Absent: the claim's own streams.
   */
  pairedWith?: string;
}

export interface WideResult {
  label: string;
  /** max_x |f_wide − f_narrow| / max(1, max|f_narrow|) on the training points. */
  outDev: number;
  /** |L_wide − L_narrow| / L_narrow. */
  lossDev: number;
  gradNorm: number;
}

export interface CnnSplitRun {
  arch: CnnSplitArch;
  replicate: number;
  /** Draws used (the last one is measured). */
  attempts: number;
  params: number;
  newtonIterations: number;
  loss: number;
  /** ‖∇L‖ after Adam, before Newton (the scale of a non-critical point). */
  trainedGradNorm: number;
  gradNorm: number;
  wide: WideResult[];
}

export interface CnnSplitMeasurements {
  runs: CnnSplitRun[];
}

// BRIEF §4.4 P4.2 (as embedding.criticality-preserving): narrow ‖∇L‖ < 1e-11 before embedding, wide < 1e-9 after.
const NARROW_GRAD = 1e-11;
const WIDE_GRAD = 1e-9;
// Output preservation is exact up to the round-off of a·v + (1 − a)·v on O(1) numbers (~1e-15; P4.1's bound).
const OUT_TOL = 1e-12;

/**
 * One-channel conv layers on 4×4×1 images: the CNN analogue of embedding.criticality-preserving's width-1 MLPs, whose
 * fits have isolated critical points that Newton reaches at round-off. Wider or deeper tanh CNNs (2 channels, conv →
 * avgpool → conv → dense, on random or teacher targets) kept lowering the loss with growing weights and a Hessian with
 * many eigenvalues below 1e-4·max: Newton reached ‖∇L‖ ≤ 1e-11 on about 1 in 12 of them. One draw of these two
 * reached it 15 and 9 times in 20 (hence up to 4 draws per case).
 */
const ARCHS: Record<CnnSplitArch, CnnSpec['layers']> = {
  // 2×2 kernel, stride 2 → 2×2×1, flattened into the dense head: the split adds one row per spatial position.
  'conv-dense': [{ type: 'conv', kh: 2, kw: 2, cout: 1, stride: 2, padding: 'valid' }, { type: 'dense', nOut: 1 }],
  'conv-avgpool-dense': [{ type: 'conv', kh: 2, kw: 2, cout: 1, stride: 2, padding: 'valid' }, { type: 'avgpool', size: 2 }, { type: 'dense', nOut: 1 }],
};

/** The loss and flat gradient of the mse loss at θ. */
function lossGrad(net: Cnn, X: Mat, Y: Mat, theta: Float64Array): { loss: number; g: Float64Array } {
  const r = cnnLossGrad(withCnnParams(net, theta), X, Y, 'mse');
  return { loss: r.loss, g: flattenCnnGrads(r.grads) };
}

/** Float64 Adam (Kingma & Ba 2015, Alg. 1) on the mse loss. */
function adam(net: Cnn, X: Mat, Y: Mat, steps: number, lr: number): Float64Array {
  const theta = flattenCnnParams(net);
  const m = new Float64Array(theta.length);
  const v = new Float64Array(theta.length);
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  for (let t = 1; t <= steps; t++) {
    const { g } = lossGrad(net, X, Y, theta);
    for (let q = 0; q < theta.length; q++) {
      m[q] = b1 * m[q]! + (1 - b1) * g[q]!;
      v[q] = b2 * v[q]! + (1 - b2) * g[q]! * g[q]!;
      theta[q]! -= (lr * (m[q]! / (1 - b1 ** t))) / (Math.sqrt(v[q]! / (1 - b2 ** t)) + eps);
    }
  }
  return theta;
}

/** The Hessian as central differences of the exact gradient (step h), symmetrized: error O(h²) + O(ε/h). */
function fdHessian(net: Cnn, X: Mat, Y: Mat, theta: Float64Array, h = 1e-5): Float64Array {
  const P = theta.length;
  const H = new Float64Array(P * P);
  for (let q = 0; q < P; q++) {
    const tp = theta.slice();
    tp[q]! += h;
    const tm = theta.slice();
    tm[q]! -= h;
    const gp = lossGrad(net, X, Y, tp).g;
    const gm = lossGrad(net, X, Y, tm).g;
    for (let r = 0; r < P; r++) H[r * P + q] = (gp[r]! - gm[r]!) / (2 * h);
  }
  for (let q = 0; q < P; q++) for (let r = 0; r < q; r++) H[q * P + r] = H[r * P + q] = (H[q * P + r]! + H[r * P + q]!) / 2;
  return H;
}

/**
 * Levenberg–Marquardt on ∇L(θ) = 0 (Newton's method for the gradient's root, damped: the step
 * −Σ_i λ_i/(λ_i² + μ²)·(q_i·∇L)·q_i over the Hessian's eigenpairs, μ adapted so that ‖∇L‖ decreases). It converges to
 * the nearest non-degenerate critical point, minimum or saddle (both are critical points the principle speaks of).
 * The Hessian is a central difference of the exact gradient (h = 1e-5; error ~1e-10 relative), so the final
 * convergence is linear at a rate ~1e-10 per step rather than quadratic.
 */
export function criticalPoint(net: Cnn, X: Mat, Y: Mat, maxIter = 40): { theta: Float64Array; iterations: number } {
  let theta = flattenCnnParams(net);
  let { g } = lossGrad(net, X, Y, theta);
  let gn = norm2(g);
  const P = theta.length;
  let mu = 1e-3; // relative to max|λ|
  let it = 0;
  for (; it < maxIter && gn > 0; it++) {
    const { values, vectors } = spectrum(fdHessian(net, X, Y, theta), P);
    const lmax = Math.max(...values.map(Math.abs));
    const proj = values.map((_, i) => {
      let p = 0;
      for (let q = 0; q < P; q++) p += vectors[q * P + i]! * g[q]!;
      return p;
    });
    let accepted = false;
    for (let tries = 0; tries < 20 && !accepted; tries++) {
      const m2 = (mu * lmax) ** 2;
      const cand = theta.slice();
      values.forEach((lam, i) => {
        const d = (lam / (lam * lam + m2)) * proj[i]!;
        for (let q = 0; q < P; q++) cand[q]! -= d * vectors[q * P + i]!;
      });
      const r = lossGrad(net, X, Y, cand);
      const cn = norm2(r.g);
      if (Number.isFinite(cn) && cn < gn) {
        theta = cand;
        g = r.g;
        gn = cn;
        mu = Math.max(mu / 10, 1e-12);
        accepted = true;
      } else mu *= 10;
    }
    if (!accepted) break;
  }
  return { theta, iterations: it };
}

function widen(net: Cnn, config: CnnSplitConfig, stream: Rng): { label: string; wide: Cnn }[] {
  const out: { label: string; wide: Cnn }[] = [];
  const params = cnnParamLayers(net);
  for (let layer = 1; layer < params.length; layer++) {
    const inc = net.layers[params[layer - 1]!] as ConvLayer | DenseLayer;
    const name = `${inc.type} ${layer}`;
    for (const alpha of config.alphas) {
      if (config.variant === 'split') out.push({ label: `${name}, channel 0, α=${alpha}`, wide: splitChannel(net, layer, 0, alpha) });
      else {
        // The rival's widening, one per slot and α as the claim's (fresh random incoming weights each time).
        const slot = channelSlot(net, layer, 0);
        const rows = inc.W.length / slot.channels;
        out.push({ label: `${name}, dead-end channel (in place of α=${alpha})`, wide: deadEndChannel(net, layer, stream.normals(rows), stream.normal()) });
      }
    }
  }
  return out;
}

/** The narrow critical point of one (replicate, architecture): data, targets, the solved network and its history. */
interface NarrowCase {
  X: Mat;
  Y: Mat;
  narrow: Cnn;
  attempts: number;
  newtonIterations: number;
  trainedGradNorm: number;
}

/**
 * `streams` names the seeded streams `rng` draws from (e.g. master seed and claim id); given, the narrow cases are
 * memoized under it.
 */
export async function runCnnSplit(config: CnnSplitConfig, rng: (r: number, label: string) => Rng, replicates: number[], streams?: string): Promise<CnnSplitMeasurements> {
  const runs: CnnSplitRun[] = [];
  for (const r of replicates) {
    for (const arch of config.cases) {
      const key = JSON.stringify([streams, r, arch, config.points, config.noise, config.trainSteps, config.attempts]);
      // The claim and its paired rival (`pairedWith`) widen the same narrow critical points, solved once (core/paired.ts).
      const solve = () => solveNarrow(config, rng, r, arch);
      const solved = streams === undefined ? solve() : memoized(`embedding.cnn-split/${key}`, solve);
      const { X, Y, narrow } = solved;
      const base = cnnLossGrad(narrow, X, Y, 'mse');
      const f = forwardCnn(narrow, X).data;
      const fScale = Math.max(1, ...Array.from(f, Math.abs));
      const wide = widen(narrow, config, rng(r, `dead-end/${arch}`)).map(({ label, wide: w }) => {
        const g = cnnLossGrad(w, X, Y, 'mse');
        const fw = forwardCnn(w, X).data;
        let outDev = 0;
        for (let q = 0; q < f.length; q++) outDev = Math.max(outDev, Math.abs(fw[q]! - f[q]!) / fScale);
        return { label, outDev, lossDev: Math.abs(g.loss - base.loss) / base.loss, gradNorm: norm2(flattenCnnGrads(g.grads)) };
      });
      runs.push({ arch, replicate: r, attempts: solved.attempts, params: cnnParamCount(narrow), newtonIterations: solved.newtonIterations, loss: base.loss, trainedGradNorm: solved.trainedGradNorm, gradNorm: norm2(flattenCnnGrads(base.grads)), wide });
    }
  }
  return { runs };
}

/** Teacher data, Adam, then the damped Newton solve, with fresh draws while the solve does not reach NARROW_GRAD. */
function solveNarrow(config: CnnSplitConfig, rng: (r: number, label: string) => Rng, r: number, arch: CnnSplitArch): NarrowCase {
  const spec: CnnSpec = { activation: 'tanh', parameterization: 'ntk', sigmaW: 1.5, sigmaB: 0.5, input: [4, 4, 1], layers: ARCHS[arch] };
  // Up to `attempts` fresh draws (teacher, data, start): a tanh fit that drifts towards saturation has no critical
  // point within reach of the solve, and a draw where it does is replaced by a new one, as one restarts a Newton
  // solve. The judge still counts the cases that never converge (attempts are reported per run).
  let X: Mat = { rows: 0, cols: 0, data: new Float64Array() };
  let Y: Mat = X;
  let init = initCnn(spec, rng(r, `init/${arch}/0`));
  let trainedGradNorm = 0;
  let cp = { theta: flattenCnnParams(init), iterations: 0 };
  let attempt = 0;
  for (; attempt < config.attempts; attempt++) {
    const data = rng(r, `data/${arch}/${attempt}`);
    const teacher = initCnn(spec, rng(r, `teacher/${arch}/${attempt}`));
    const d = cnnInputDim(teacher);
    X = { rows: config.points, cols: d, data: data.normals(config.points * d) };
    // Teacher targets plus noise: a fit with L > 0 at its critical points (the rival's gradient needs residuals).
    Y = { rows: config.points, cols: 1, data: forwardCnn(teacher, X).data.map((v) => v + config.noise * data.normal()) };
    init = initCnn(spec, rng(r, `init/${arch}/${attempt}`));
    const trained = adam(init, X, Y, config.trainSteps, 0.01);
    trainedGradNorm = norm2(lossGrad(init, X, Y, trained).g);
    cp = criticalPoint(withCnnParams(init, trained), X, Y);
    if (norm2(lossGrad(init, X, Y, cp.theta).g) <= NARROW_GRAD) break;
  }
  return { X, Y, narrow: withCnnParams(init, cp.theta), attempts: Math.min(attempt + 1, config.attempts), newtonIterations: cp.iterations, trainedGradNorm };
}

export function judgeCnnSplit(m: CnnSplitMeasurements) {
  const used = m.runs.filter((r) => r.gradNorm <= NARROW_GRAD);
  const wides = used.flatMap((r) => r.wide);
  // A non-finite measurement counts as the worst possible (never as a pass).
  const worst = (xs: number[]) => (xs.every(Number.isFinite) ? Math.max(0, ...xs) : Infinity);
  const metrics = {
    narrowRuns: m.runs.length,
    narrowPointsUsed: used.length, // reached ‖∇L‖ ≤ 1e-11
    worstNarrowGradNorm: worst(used.map((r) => r.gradNorm)),
    worstWideGradNorm: worst(wides.map((w) => w.gradNorm)),
    smallestWideGradNorm: wides.length ? Math.min(...wides.map((w) => w.gradNorm)) : null,
    worstOutputChange: worst(wides.map((w) => w.outDev)),
    worstRelLossChange: worst(wides.map((w) => w.lossDev)),
    embeddings: wides.length,
    runs: m.runs.map((r) => ({ arch: r.arch, replicate: r.replicate, attempts: r.attempts, trainedGradNorm: r.trainedGradNorm, params: r.params, newtonIterations: r.newtonIterations, loss: r.loss, gradNorm: r.gradNorm, wideGradNorms: r.wide.map((w) => w.gradNorm) })),
  };
  if (used.length < Math.ceil(m.runs.length / 2)) {
    return { status: 'inconclusive' as const, reason: `Newton reached ‖∇L‖ ≤ ${NARROW_GRAD} on only ${used.length} of ${m.runs.length} narrow CNNs.`, metrics };
  }
  const problems: string[] = [];
  if (metrics.worstOutputChange > OUT_TOL) problems.push(`the output changed by ${metrics.worstOutputChange.toExponential(2)} (relative) > ${OUT_TOL}`);
  if (metrics.worstRelLossChange > OUT_TOL) problems.push(`the loss changed by ${metrics.worstRelLossChange.toExponential(2)} (relative)`);
  if (metrics.worstWideGradNorm > WIDE_GRAD) {
    const broken = wides.filter((w) => !(w.gradNorm <= WIDE_GRAD)).length;
    problems.push(`${broken} of ${wides.length} widened points are not critical (worst ‖∇L‖ = ${metrics.worstWideGradNorm.toExponential(2)} > ${WIDE_GRAD})`);
  }
  if (problems.length > 0) return { status: 'fails' as const, reason: `Widening the critical CNNs does not preserve output and criticality: ${problems.join('; ')}.`, metrics };
  return {
    status: 'holds' as const,
    reason:
      `${used.length} of ${m.runs.length} narrow CNNs reached a critical point (worst ‖∇L‖ ${metrics.worstNarrowGradNorm.toExponential(1)}); they ` +
      `stay critical under ${wides.length} channel splits (worst wide ‖∇L‖ ${metrics.worstWideGradNorm.toExponential(1)} ≤ ${WIDE_GRAD}) with the output unchanged to ${metrics.worstOutputChange.toExponential(1)}.`,
    metrics,
  };
}

function make(id: string, variant: 'split' | 'dead-end') {
  const rival = variant === 'dead-end';
  const paired = rival ? { pairedWith: 'embedding.cnn-channel-split' } : {};
  const base = { cases: ['conv-dense', 'conv-avgpool-dense'] as CnnSplitArch[], points: 30, noise: 0.3, trainSteps: 2000, attempts: 4, alphas: [0.3, -0.5, 1.5], variant };
  return defineClaim<CnnSplitConfig, CnnSplitMeasurements>({
    id,
    title: rival
      ? 'Rival: an output-preserving widening of a CNN that is not a channel split (a dead-end channel) breaks criticality'
      : 'Splitting a channel of a CNN at a critical point preserves its output and its criticality',
    statement: rival
      ? 'The nearest alternative to "channel splitting preserves criticality" is "any widening that preserves the output preserves criticality". A new last channel with random incoming weights and bias and zero outgoing weights, in the same slots as the claim\'s splits, preserves the output and the loss exactly, but the gradient of its outgoing weights, s_w·Σ φ(z_new)·δ, does not vanish where the residuals do not: the same judge must fail.'
      : 'For a CNN the width of a layer is its number of channels. If θ is a critical point of a narrow CNN (4×4×1 images; tanh; a one-channel 2×2 conv with stride 2, then either a dense head over the flattened 2×2 map or a 2×2 avgpool and a dense head; NTK parameterization; mse on noisy teacher data), splitting its channel with α ∈ {0.3, −0.5, 1.5} (copy the incoming kernel slice and bias into a new channel, divide the outgoing weights as α and 1−α, one new dense row per spatial position) gives a network with the same output and loss that is again a critical point (Embedding Principle: output- and criticality-preserving). The paper states the principle for CNNs with width = channels and trains larger CNNs; this check uses one-channel float64 CNNs so that a damped Newton solve reaches genuine critical points (‖∇L‖ ≤ 1e-11); wider slots (conv → conv, pools, dense → dense) are covered by the exact identities in properties/theory/cnn-embedding.test.ts.',
    source: { paper: 'Zhang, Zhang, Luo, Xu, Embedding Principle of loss landscape of deep neural networks (NeurIPS 2021)', arxiv: '2105.14573', where: '§2 (CNN width = channels), one-step splitting embedding, Theorem (criticality preserving); BRIEF §4.2, §4.4 P4.1–P4.2' },
    control: rival || undefined,
    rivalOf: rival ? 'embedding.cnn-channel-split' : undefined,
    tiers: { ci: { replicates: 4, ...base, ...paired }, full: { replicates: 12, ...base, ...paired } },
    tolerance: { abs: 1e-9, rel: 1e-3, metrics: { runs: { abs: 1e-9, rel: 1e-2 } } },
    run: (config, ctx) => {
      const streams = config.pairedWith ?? ctx.claimId;
      const rng = pairedRng(ctx, config.pairedWith) as (r: number, label: string) => Rng;
      return runCnnSplit(config, rng, ctx.replicates, `${ctx.masterSeed}/${streams}`);
    },
    judge: judgeCnnSplit,
  });
}

export const cnnChannelSplit = make('embedding.cnn-channel-split', 'split');
export const cnnChannelSplitRival = make('embedding.cnn-channel-split-dead-end-rival', 'dead-end');
