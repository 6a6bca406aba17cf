// The five bench workloads of DESIGN.md ("bench" contract) and how one is timed. Kept in step with
// bench/pytorch_bench.py, which times the same workloads in PyTorch as an outside reference.
import { rngFromKey } from '../core/rng.ts';
import { initMlp, mat, type Activation } from '../theory/mlp.ts';
import { trainEnsemble } from '../core/engine/index.ts';
import type { Engine, OptimizerSpec, TrainSpec } from '../core/engine/types.ts';

export interface Workload {
  id: string;
  widths: number[];
  activation: Activation;
  optimizer: OptimizerSpec['kind'];
  n: number;
}

export const WORKLOADS: readonly Workload[] = [
  { id: 'fp1d', widths: [1, 200, 200, 200, 100, 1], activation: 'tanh', optimizer: 'adam', n: 201 },
  { id: 'lfp-wide', widths: [1, 16000, 1], activation: 'relu', optimizer: 'sgd', n: 10 },
  { id: 'ntk-1hl', widths: [8, 4096, 1], activation: 'relu', optimizer: 'sgd', n: 128 },
  { id: 'deep-1024', widths: [8, 1024, 1024, 1], activation: 'relu', optimizer: 'sgd', n: 128 },
  { id: 'mnist-mlp', widths: [784, 400, 200, 10], activation: 'relu', optimizer: 'sgd', n: 1000 },
];

/**
 * Floating-point operations of one full-batch step (multiply-adds count 2): forward n·Σ n_{l-1}n_l products,
 * weight gradients the same, input gradients for every layer but the first. Elementwise work is left out.
 */
export function flopsPerStep(w: Workload): number {
  let fwd = 0;
  let back = 0;
  for (let l = 1; l < w.widths.length; l++) {
    const p = w.widths[l - 1]! * w.widths[l]!;
    fwd += 2 * w.n * p;
    back += 2 * w.n * p + (l > 1 ? 2 * w.n * p : 0);
  }
  return fwd + back;
}

/** A seeded training spec for the workload (standard parameterization, Gaussian inputs and targets). */
export function workloadSpec(w: Workload, steps: number): TrainSpec {
  const rng = rngFromKey(`bench/${w.id}`);
  const net = initMlp(w.widths, { activation: w.activation, parameterization: 'standard', sigmaW: 1, sigmaB: 0.1 }, rng);
  const d = w.widths[0]!;
  const o = w.widths.at(-1)!;
  return {
    net,
    x: mat(w.n, d, rng.normals(w.n * d)),
    y: mat(w.n, o, rng.normals(w.n * o)),
    optimizer: w.optimizer === 'adam' ? { kind: 'adam', lr: 1e-3 } : { kind: 'sgd', lr: 1e-3 },
    steps,
    recordEvery: Math.max(1, steps),
  };
}

export interface Timing {
  /** Median over repetitions of ms per step. */
  median: number;
  min: number;
  reps: number;
  stepsPerRep: number;
}

/**
 * ms per training step: one warm-up run (sessions built, caches warm), then `reps` timed runs of `steps` steps.
 * A run of `steps` steps evaluates steps + 1 graphs (the last one records the final loss), so time/(steps + 1).
 * The machine is shared, so both the median and the minimum are kept.
 */
export async function timeWorkload(engine: Engine, w: Workload, opts: { reps: number; targetMs: number }): Promise<Timing> {
  await engine.train(workloadSpec(w, 2));
  const t0 = performance.now();
  await engine.train(workloadSpec(w, 2));
  const one = (performance.now() - t0) / 3;
  const steps = Math.max(1, Math.min(200, Math.round(opts.targetMs / Math.max(one, 1e-3)) - 1));
  const spec = workloadSpec(w, steps);
  const samples: number[] = [];
  for (let r = 0; r < opts.reps; r++) {
    const s = performance.now();
    await engine.train(spec);
    samples.push((performance.now() - s) / (steps + 1));
  }
  samples.sort((a, b) => a - b);
  const mid = samples.length >> 1;
  const median = samples.length % 2 ? samples[mid]! : (samples[mid - 1]! + samples[mid]!) / 2;
  return { median, min: samples[0]!, reps: opts.reps, stepsPerRep: steps + 1 };
}

/**
 * ms per batched step of K networks of the workload trained as one ensemble (trainEnsemble), seeds differing per
 * member. Throughput in network-steps per second is K·1000/ms.
 */
export async function timeEnsemble(engine: Engine, w: Workload, K: number, opts: { reps: number; steps: number }): Promise<Timing> {
  const specs = (steps: number) =>
    Array.from({ length: K }, (_, k) => {
      const s = workloadSpec(w, steps);
      const rng = rngFromKey(`bench/${w.id}/member-${k}`);
      return { ...s, net: initMlp(w.widths, { activation: w.activation, parameterization: 'standard', sigmaW: 1, sigmaB: 0.1 }, rng) };
    });
  await trainEnsemble(engine, specs(2));
  const run = specs(opts.steps);
  const samples: number[] = [];
  for (let r = 0; r < opts.reps; r++) {
    const s = performance.now();
    await trainEnsemble(engine, run);
    samples.push((performance.now() - s) / (opts.steps + 1));
  }
  samples.sort((a, b) => a - b);
  const mid = samples.length >> 1;
  const median = samples.length % 2 ? samples[mid]! : (samples[mid - 1]! + samples[mid]!) / 2;
  return { median, min: samples[0]!, reps: opts.reps, stepsPerRep: opts.steps + 1 };
}
