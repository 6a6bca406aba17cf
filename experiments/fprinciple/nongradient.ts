// fprinciple.non-gradient (Ma, Xu, Zhang 2021, arXiv:2101.00747; BRIEF §1.5 P1.4; A2-2 §1.6): the 1-D target fitted
// by a small tanh net with optimizers that are not gradient descent (BFGS, Powell, particle swarm) still reaches
// ΔF(1) < 0.1 before ΔF(5) < 0.1.
import { defineClaim, type Verdict } from '../../core/claim.ts';
import { forward, initMlp, mat, mseLossGrad, flattenGrads, flattenParams, withParams } from '../../theory/mlp.ts';
import { bfgs, particleSwarm, powell, type OnIter } from '../../theory/optimizers.ts';
import { dftAt } from '../../theory/fourier.ts';
import { errorCurves } from './figures.ts';
import { deltaF, periodicGrid, target1d, targetPeaks } from './oned.ts';
import { judgeOrder, type OrderMeasurements, type OrderRun, type OrderRule } from './order.ts';

type Method = 'bfgs' | 'powell' | 'pso';

interface ConfigNG {
  replicates: number;
  n: number;
  /** Hidden widths per method (the derivative-free methods cost one loss evaluation per parameter per sweep). */
  hidden: Record<Method, number[]>;
  /** Iterations per method (BFGS steps, Powell sweeps, swarm generations). */
  iters: Record<Method, number>;
  particles: number;
}

interface MeasNG {
  methods: Record<Method, OrderMeasurements>;
}

// P1.4 ("pass if t1 < t5"; thresholds not calibrated in the paper): ΔF < 0.1 as in P1.1, judged on the lowest and
// highest peak; k=5 never reaching 0.1 counts as later than k=1, but k=1 must converge. Every seed, every method.
const RULE_NG: OrderRule = { threshold: 0.1, minFraction: 1, allowUnreached: true };

export const nonGradient = defineClaim<ConfigNG, MeasNG>({
  id: 'fprinciple.non-gradient',
  title: 'F-Principle without gradient descent: BFGS, Powell and particle swarm',
  statement:
    'Fitting sin x + sin 3x + sin 5x with a small tanh net by BFGS (quasi-Newton), Powell\'s derivative-free method or particle swarm optimization, ΔF(1) falls below 0.1 before ΔF(5) does.',
  source: {
    paper: 'Ma, Xu, Zhang (2021), Frequency principle in deep learning beyond gradient-descent-based training',
    arxiv: '2101.00747',
    where: 'abstract; lecture notes A2-2 §1.6; BRIEF §1.5 P1.4 (network and swarm sizes not found: ours are chosen)',
  },
  tiers: {
    // CI: P1.4's 1-16-16-1 (321 parameters) for BFGS; 1-8-8-1 (97) for Powell and the swarm, whose cost grows with
    // the parameter count. Full: 1-16-16-1 for all three.
    ci: { replicates: 2, n: 64, hidden: { bfgs: [16, 16], powell: [8, 8], pso: [8, 8] }, iters: { bfgs: 400, powell: 30, pso: 300 }, particles: 20 },
    full: { replicates: 5, n: 64, hidden: { bfgs: [16, 16], powell: [16, 16], pso: [16, 16] }, iters: { bfgs: 2000, powell: 60, pso: 2000 }, particles: 40 },
  },
  // Per-method metrics nest crossing steps and final errors: a loose common tolerance (iterations shift under float32).
  tolerance: { rel: 0.25, abs: 0.05 },
  run(cfg, ctx) {
    const xs = periodicGrid(cfg.n);
    const ys = xs.map(target1d);
    const X = mat(cfg.n, 1, Float64Array.from(xs));
    const Y = mat(cfg.n, 1, Float64Array.from(ys));
    const peaks = targetPeaks(ys);
    const fHat = peaks.map((k) => dftAt(ys, k));
    const methods = {} as Record<Method, OrderMeasurements>;
    let done = 0;
    for (const method of ['bfgs', 'powell', 'pso'] as Method[]) {
      const runs: OrderRun[] = [];
      for (const seed of ctx.replicates) {
        const opts = { activation: 'tanh' as const, parameterization: 'standard' as const, sigmaW: 1, sigmaB: 0 };
        const widths = [1, ...cfg.hidden[method], 1];
        const net0 = initMlp(widths, opts, ctx.rng(seed, 'init'));
        const loss = (th: Float64Array) => {
          const f = forward(withParams(net0, th), X).data;
          let s = 0;
          for (let i = 0; i < f.length; i++) s += (f[i]! - ys[i]!) ** 2;
          return s / (2 * cfg.n);
        };
        const steps: number[] = [];
        const lossTrace: number[] = [];
        const err = peaks.map(() => [] as (number | null)[]);
        let divergedAt: number | null = null;
        const onIter: OnIter = (it, th, fv) => {
          steps.push(it);
          lossTrace.push(fv);
          if (!Number.isFinite(fv) && divergedAt === null) divergedAt = it;
          deltaF(forward(withParams(net0, th), X).data, fHat, peaks).forEach((e, b) => err[b]!.push(Number.isFinite(e) ? e : null));
        };
        const th0 = flattenParams(net0);
        if (method === 'bfgs') {
          bfgs((th) => {
            const r = mseLossGrad(withParams(net0, th), X, Y);
            return { f: r.loss, g: flattenGrads(r.grads) };
          }, th0, { iters: cfg.iters.bfgs, onIter });
        } else if (method === 'powell') {
          powell(loss, th0, { iters: cfg.iters.powell, step: 0.1, onIter });
        } else {
          // Each particle is an independent LeCun-normal initialization, so the swarm starts where GD would.
          const initRng = ctx.rng(seed, 'pso-init');
          particleSwarm(loss, () => flattenParams(initMlp(widths, opts, initRng)), ctx.rng(seed, 'pso'), {
            particles: cfg.particles,
            iters: cfg.iters.pso,
            onIter,
          });
        }
        runs.push({ seed, steps, err, loss: lossTrace, divergedAt });
        ctx.progress(++done, 3 * ctx.replicates.length);
      }
      methods[method] = { bands: peaks.map((k) => `k=${k}`), runs };
    }
    return { methods };
  },
  judge(m) {
    const per = Object.fromEntries(
      (Object.keys(m.methods) as Method[]).map((k) => {
        const mm = m.methods[k];
        // Judge the lowest and highest peak only (P1.4: t1 < t5).
        const ends: OrderMeasurements = { bands: [mm.bands[0]!, mm.bands.at(-1)!], runs: mm.runs.map((r) => ({ ...r, err: [r.err[0]!, r.err.at(-1)!] })) };
        return [k, judgeOrder(ends, RULE_NG)];
      }),
    ) as Record<Method, Verdict>;
    const statuses = Object.values(per).map((v) => v.status);
    const status = statuses.includes('fails') ? 'fails' : statuses.includes('inconclusive') ? 'inconclusive' : 'holds';
    return {
      status,
      reason: (Object.keys(per) as Method[]).map((k) => `${k}: ${per[k].status} — ${per[k].reason}`).join(' '),
      metrics: Object.fromEntries((Object.keys(per) as Method[]).map((k) => [k, { status: per[k].status, ...per[k].metrics }])),
    };
  },
  figures: (m) =>
    Object.fromEntries(
      (Object.keys(m.methods) as Method[]).map((k) => [
        `curves-${k}`,
        errorCurves(m.methods[k].runs, m.methods[k].bands, `ΔF(k) per peak under ${k} (x: iteration; dashed: 0.1)`, RULE_NG.threshold, 'ΔF(k)'),
      ]),
    ),
});
