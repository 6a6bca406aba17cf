// tinybench micro-benchmarks of the float64 theory kernels. Timings go to reports/bench.json only, never to
// report.json. Each entry builds its inputs once (seeded) and returns the function to time.
//
// Kernels still to add here as the families land (one entry each, same shape as below):
//   - LFP solve (theory/lfp.ts, lfp family)
//   - hard-margin SVM solve (maxmargin family)
//   - DFT / NUDFT and the Gaussian low/high filter (fprinciple family)
import { Bench } from 'tinybench';
import { rngFromKey } from '../core/rng.ts';
import { forward, initMlp, mat, mseLossGrad } from '../theory/mlp.ts';
import { empiricalNtk } from '../theory/ntk.ts';

export interface MicroBenchmark {
  name: string;
  setup(): () => unknown;
}

function mlpCase(widths: number[], n: number) {
  const rng = rngFromKey(`bench/micro/${widths.join('-')}/${n}`);
  const net = initMlp(widths, { activation: 'tanh', parameterization: 'ntk', sigmaW: 1.5, sigmaB: 0.1 }, rng);
  const x = mat(n, widths[0]!, rng.normals(n * widths[0]!));
  const y = mat(n, widths.at(-1)!, rng.normals(n * widths.at(-1)!));
  return { net, x, y };
}

export const MICRO: MicroBenchmark[] = [
  {
    name: 'reference MLP forward, 1-200-200-200-100-1 tanh, n=201 (theory/mlp.ts forward)',
    setup() {
      const { net, x } = mlpCase([1, 200, 200, 200, 100, 1], 201);
      return () => forward(net, x);
    },
  },
  {
    name: 'reference MLP loss + backward, 1-200-200-200-100-1 tanh, n=201 (theory/mlp.ts mseLossGrad)',
    setup() {
      const { net, x, y } = mlpCase([1, 200, 200, 200, 100, 1], 201);
      return () => mseLossGrad(net, x, y);
    },
  },
  {
    name: 'empirical NTK, 8-512-1 tanh, n=64 (theory/ntk.ts empiricalNtk)',
    setup() {
      const { net, x } = mlpCase([8, 512, 1], 64);
      return () => empiricalNtk(net, x);
    },
  },
  {
    name: 'empirical NTK, 4-64-64-1 tanh, n=128 (theory/ntk.ts empiricalNtk)',
    setup() {
      const { net, x } = mlpCase([4, 64, 64, 1], 128);
      return () => empiricalNtk(net, x);
    },
  },
];

export interface MicroResult {
  name: string;
  meanMs: number;
  medianMs: number;
  minMs: number;
  /** Relative margin of error of the mean latency, percent (tinybench `rme`). */
  rmePercent: number;
  samples: number;
}

export async function runMicro(timeMs = 500): Promise<MicroResult[]> {
  const bench = new Bench({ time: timeMs, warmupTime: 100 });
  for (const m of MICRO) bench.add(m.name, m.setup());
  await bench.run();
  return bench.tasks.map((t) => {
    const r = t.result as unknown as { latency?: { mean: number; p50?: number; min: number; rme: number; samplesCount?: number; samples?: number[] } };
    const lat = r.latency;
    if (!lat) throw new Error(`tinybench: ${t.name} produced no latency`);
    return {
      name: t.name,
      meanMs: lat.mean,
      medianMs: lat.p50 ?? lat.mean,
      minMs: lat.min,
      rmePercent: lat.rme,
      samples: lat.samplesCount ?? lat.samples?.length ?? 0,
    };
  });
}
