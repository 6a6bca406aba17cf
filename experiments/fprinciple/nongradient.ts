// fprinciple.non-gradient.* (Ma, Xu, Zhang 2021, arXiv:2101.00747; BRIEF §1.5 P1.4; A2-2 §1.6): the 1-D target
// sin x + sin 3x + sin 5x fitted by a small tanh net with optimizers that are not gradient descent (conjugate
// gradient, BFGS, Powell's method, particle swarm) still converges at k=1 before k=5. One claim per optimizer, each
// with its own verdict and its own rival: the same optimizer on a lookup-table model (one free value per grid point),
// which has no frequency bias, so any order would come from the optimizer. CG, BFGS and Powell start the table at the
// network's initial output. The swarm's table particles are white noise with each random network's per-point mean and
// spread: started at the networks' outputs, the table would search the span of smooth random network functions, i.e.
// it would keep the network's frequency bias (see the swarm's rival below).
import { defineClaim, type AnyClaim, type RunContext } from '../../core/claim.ts';
import { dftAt } from '../../theory/fourier.ts';
import { flattenGrads, flattenParams, forward, initMlp, mat, mseLossGrad, withParams } from '../../theory/mlp.ts';
import { bfgs, conjugateGradient, particleSwarm, powell, type Gradient, type OnIter } from '../../theory/optimizers.ts';
import { errorCurves } from './figures.ts';
import { deltaF, periodicGrid, target1d, targetPeaks } from './oned.ts';
import { judgeOrder, type OrderMeasurements, type OrderRun, type OrderRule } from './order.ts';

export type Method = 'cg' | 'bfgs' | 'powell' | 'pso';

export interface ConfigNG {
  replicates: number;
  n: number;
  hidden: number[];
  /** Iterations: CG/BFGS steps, Powell sweeps, swarm generations. */
  iters: number;
  /** Swarm size (pso only). */
  particles?: number;
}

const NAMES: Record<Method, string> = {
  cg: 'nonlinear conjugate gradient (Polak–Ribière+)',
  bfgs: 'BFGS (quasi-Newton)',
  powell: "Powell's derivative-free direction-set method",
  pso: 'particle swarm optimization',
};

// P1.4 ("pass if t1 < t5"; thresholds not calibrated in the paper): ΔF < 0.1 as in P1.1, judged on the lowest and
// highest peak (both must settle within the budget), every seed. Judged by order alone for CG, BFGS and Powell: their
// lookup-table rivals converge every band at the same iteration (a tie, "fails"). With a ratio rule (median
// t5/t1 ≥ 2) BFGS failed 3 of 20 audit seeds on the ratio alone (settling (116, 149), (143, 150)): its ΔF(1) keeps
// moving until the whole fit completes.
export const RULE_NG: OrderRule = { threshold: 0.1, minFraction: 1 };
// The swarm also needs the median t5/t1 ≥ 2 (P1.1 asks t5/t3 ≥ 2 of neighbouring peaks, so the same factor over the
// wider pair is the weaker demand): on its lookup-table rival, whose particles are the smooth outputs of random
// networks, it settled k=1 first as well (t5/t1 = 1.06 and 1.4 in a 150-generation trial) and said "holds" in 3 of 20
// audit seeds: the rival now starts from white noise instead (see rivalFor).
export const RULE_PSO: OrderRule = { ...RULE_NG, minLastRatio: 2 };
const ruleFor = (method: Method) => (method === 'pso' ? RULE_PSO : RULE_NG);

const NET = { activation: 'tanh' as const, parameterization: 'standard' as const, sigmaW: 1, sigmaB: 0 };

/**
 * The swarm's lookup-table particle with no frequency preference: white noise θ_i = m + s·ξ_i (ξ_i iid standard
 * normal) with the mean m and spread s of one random network's outputs h on the grid, so the particles have the
 * networks' amplitude and a flat expected spectrum (E|ξ̂_k|² is the same for every k).
 */
export function whiteLike(h: ArrayLike<number>, normal: () => number): Float64Array {
  const n = h.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += h[i]! / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (h[i]! - m) ** 2 / n;
  const s = Math.sqrt(v);
  return Float64Array.from({ length: n }, () => m + s * normal());
}

/**
 * One optimizer run per seed on the network (model 'net') or on the lookup table (model 'table': started at the
 * network's initial output; the swarm's particles are whiteLike the random networks' outputs); ΔF at the lowest and
 * highest peak recorded after every iteration.
 */
export function runNonGradient(method: Method, model: 'net' | 'table', cfg: ConfigNG, ctx: RunContext): OrderMeasurements {
  const xs = periodicGrid(cfg.n);
  const ys = xs.map(target1d);
  const X = mat(cfg.n, 1, Float64Array.from(xs));
  const Y = mat(cfg.n, 1, Float64Array.from(ys));
  const all = targetPeaks(ys);
  const peaks = [all[0]!, all.at(-1)!]; // P1.4: t1 < t5 (the middle peak is not judged)
  const fHat = peaks.map((k) => dftAt(ys, k));
  const widths = [1, ...cfg.hidden, 1];
  const runs: OrderRun[] = [];
  for (const seed of ctx.replicates) {
    const net0 = initMlp(widths, NET, ctx.rng(seed, 'init'));
    // The function a parameter vector represents on the grid, and the loss (1/2n)Σ(h − y)².
    const outputs = model === 'net' ? (th: Float64Array) => forward(withParams(net0, th), X).data : (th: Float64Array) => th;
    const loss = (th: Float64Array) => {
      const h = outputs(th);
      let s = 0;
      for (let i = 0; i < h.length; i++) s += (h[i]! - ys[i]!) ** 2;
      return s / (2 * cfg.n);
    };
    const fg: Gradient =
      model === 'net'
        ? (th) => {
            const r = mseLossGrad(withParams(net0, th), X, Y);
            return { f: r.loss, g: flattenGrads(r.grads) };
          }
        : (th) => ({ f: loss(th), g: th.map((v, i) => (v - ys[i]!) / cfg.n) });
    const start = (net: typeof net0) => (model === 'net' ? flattenParams(net) : Float64Array.from(forward(net, X).data));
    const steps: number[] = [];
    const lossTrace: number[] = [];
    const err = peaks.map(() => [] as (number | null)[]);
    let divergedAt: number | null = null;
    const onIter: OnIter = (it, th, fv) => {
      steps.push(it);
      lossTrace.push(fv);
      if (!Number.isFinite(fv) && divergedAt === null) divergedAt = it;
      deltaF(outputs(th), fHat, peaks).forEach((e, b) => err[b]!.push(Number.isFinite(e) ? e : null));
    };
    const th0 = start(net0);
    if (method === 'cg') conjugateGradient(fg, th0, { iters: cfg.iters, onIter });
    else if (method === 'bfgs') bfgs(fg, th0, { iters: cfg.iters, onIter });
    else if (method === 'powell') powell(loss, th0, { iters: cfg.iters, step: 0.1, onIter });
    else {
      // Each particle is an independent LeCun-normal initialization (for the table, white noise with that network's
      // output mean and spread), so the swarm starts where gradient descent would; iteration 0 is the best of these
      // random starts, not a fitted model.
      const initRng = ctx.rng(seed, 'pso-init');
      const particle = () => {
        const net = initMlp(widths, NET, initRng);
        return model === 'net' ? flattenParams(net) : whiteLike(forward(net, X).data, () => initRng.normal());
      };
      particleSwarm(loss, particle, ctx.rng(seed, 'pso'), { particles: cfg.particles!, iters: cfg.iters, onIter });
    }
    runs.push({ seed, steps, err, loss: lossTrace, divergedAt });
    ctx.progress(seed + 1, ctx.replicates.length);
  }
  return { bands: peaks.map((k) => `k=${k}`), runs };
}

const SOURCE = {
  paper: 'Ma, Xu, Zhang (2021), Frequency principle in deep learning beyond gradient-descent-based training',
  arxiv: '2101.00747',
  where: 'abstract; lecture notes A2-2 §1.6; BRIEF §1.5 P1.4 (network and swarm sizes not found: ours are chosen)',
};

const figures = (method: Method) => (m: OrderMeasurements) => ({
  curves: errorCurves(m.runs, m.bands, `ΔF(k) at the lowest and highest peak under ${NAMES[method]} (x: iteration; dashed: 0.1)`, RULE_NG.threshold, 'ΔF(k)', 'iteration'),
});

function claimFor(method: Method, tiers: { ci: ConfigNG; full: ConfigNG }, note: string, expected?: 'inconclusive') {
  return defineClaim<ConfigNG, OrderMeasurements>({
    id: `fprinciple.non-gradient.${method}`,
    title: `F-Principle without gradient descent: ${NAMES[method]}`,
    statement: `Fitting sin x + sin 3x + sin 5x with a small tanh net by ${NAMES[method]}, ΔF(1) settles below 0.1 before ΔF(5) does. ${note}`,
    source: SOURCE,
    tiers,
    ...(expected ? { expected } : {}),
    // Iteration counts shift under float32; a loose common tolerance.
    tolerance: { rel: 0.25, abs: 0.05 },
    run: (cfg, ctx) => runNonGradient(method, 'net', cfg, ctx),
    judge: (m) => judgeOrder(m, ruleFor(method)),
    figures: figures(method),
  });
}

// The swarm's rival, and why its particles are white. A swarm moves each particle toward combinations of the particles'
// best positions, plus per-coordinate random multipliers; started at the outputs of random networks (smooth functions)
// the table searches mostly their span, which is the network's own frequency bias carried over, not a model without
// one. Measured (calibration master seeds 1–20, 2 seeds each, 1-8-8-1 networks, 20 particles): smooth starts said
// "holds" in 3/20 at 150 generations and 7/20 at 400 (13 "fails"); white starts with the same mean and spread said
// "holds" in 0/20 (400 generations: 19 "fails", 1 "inconclusive"; in 2/20 k=1 settled first but t5/t1 < 2), settling
// k=1 and k=5 in either order or together. So the swarm itself has no low-frequency bias, and the order the smooth-start
// table shows comes from the random network functions it starts from.
const RIVAL_STATEMENT: Record<Method, string> = {
  cg: '',
  bfgs: '',
  powell: '',
  pso: ' The swarm\'s particles are white noise with the mean and spread of the random networks\' outputs (a flat expected spectrum): a table started at the networks\' own smooth outputs would search their span and so keep the network\'s frequency bias (it said "holds" in 7 of 20 calibration seeds; the white-started table in 0 of 20).',
};

function rivalFor(method: Method, claim: ReturnType<typeof claimFor>) {
  return defineClaim<ConfigNG, OrderMeasurements>({
    id: `fprinciple.non-gradient.${method}.rival-lookup-table`,
    title: `Rival: ${NAMES[method]} on a lookup-table model (no frequency bias)`,
    statement: `The same optimizer on one free value per grid point${method === 'pso' ? '' : ", started at the network's initial output"}: the loss is isotropic in the function values, so no frequency is favoured and the judge must not say "holds".${RIVAL_STATEMENT[method]}`,
    source: { ...SOURCE, where: `rival of ${claim.id} (research/claim-power-audit.md: a model with no frequency bias)` },
    control: true,
    rivalOf: claim.id,
    tiers: claim.tiers,
    tolerance: claim.tolerance,
    run: (cfg, ctx) => runNonGradient(method, 'table', cfg, ctx),
    judge: (m) => judgeOrder(m, ruleFor(method)),
    figures: figures(method),
  });
}

// CI: P1.4's 1-16-16-1 (321 parameters) for the gradient-based methods; 1-8-8-1 (97) for Powell and the swarm, whose
// cost grows with the parameter count. Every band must settle within the budget (claim-power-audit: a never-reached
// k=5 no longer counts as last), which only BFGS manages at a CI budget on this machine. The others are expected
// "inconclusive" at the CI tier, with the measurements (master seed 20261123, 2 seeds) in their notes.
export const ngCg = claimFor(
  'cg',
  {
    ci: { replicates: 2, n: 64, hidden: [16, 16], iters: 300 },
    full: { replicates: 5, n: 64, hidden: [16, 16], iters: 3000 },
  },
  'Not reproduced at the CI budget (expected "inconclusive"): ΔF(1) < 0.1 by iteration ≈30, but ΔF(5) sits on a plateau near 0.47 for hundreds of iterations; in a 1500-iteration run it fell below 0.1 at ≈1125 in one seed and was still 0.24 in the other. A smaller problem did not make it decidable: with the target sin x + sin 3x on a 1-8-8-1 net (32 points, 600 iterations) 1 of 4 calibration seeds held, 1 failed (k=1 and k=3 settling together), 2 stayed inconclusive. The full tier runs 3000 iterations.',
  'inconclusive',
);
// BFGS settles (k=1, k=5) at iterations (18, 135) and (16, 137): 300 iterations leave 2.2×.
export const ngBfgs = claimFor(
  'bfgs',
  {
    ci: { replicates: 2, n: 64, hidden: [16, 16], iters: 300 },
    full: { replicates: 5, n: 64, hidden: [16, 16], iters: 2000 },
  },
  '',
);
export const ngPowell = claimFor(
  'powell',
  {
    ci: { replicates: 2, n: 64, hidden: [8, 8], iters: 15 },
    full: { replicates: 5, n: 64, hidden: [16, 16], iters: 60 },
  },
  'Not reproduced at an affordable budget (expected "inconclusive"): after 30 sweeps of a 1-8-8-1 net ΔF(5) is still 0.35–0.40 and ΔF(1) 0.02–0.17, so nothing can be ordered; the paper\'s budget and network were not found. A smaller problem is decidable but not stably: with the target sin x + sin 3x on a 1-8-8-1 net (32 points, 60 sweeps, ≈4 s) the order held in 15 of 20 calibration seeds (t3/t1 ≈ 3–10) and 5 stayed inconclusive (in one ΔF(1) was below 0.1 at the start; in four Powell stalled with ΔF(3) at 0.11–0.41); a 1-5-5-1 net with 80 sweeps held in 9 of 20. The CI tier runs 15 sweeps to record this cheaply; the full tier 60 sweeps of a 1-16-16-1 net.',
  'inconclusive',
);
export const ngPso = claimFor(
  'pso',
  {
    ci: { replicates: 2, n: 64, hidden: [8, 8], iters: 400, particles: 20 },
    full: { replicates: 5, n: 64, hidden: [16, 16], iters: 2000, particles: 40 },
  },
  'Not reproduced at an affordable budget (expected "inconclusive"): the swarm stalls with ΔF(5) ≈ 0.45–0.47 while ΔF(1) ≈ 0.05 (600 generations of 20 particles on a 1-8-8-1 net, 4 seeds; also with the target sin x + sin 3x, where ΔF(3) stalls at 0.25–0.43 on 1-8-8-1, 1-10-1 and 1-6-1 nets, 20–40 particles, 300 generations), so no order can be judged. The CI tier runs 400 generations (its white-noise rival decides there); the full tier 2000 generations of 40 particles on a 1-16-16-1 net.',
  'inconclusive',
);

export const nonGradientClaims: AnyClaim[] = [ngCg, ngBfgs, ngPowell, ngPso].flatMap((c) => [c, rivalFor(c.id.split('.').at(-1) as Method, c)]);
