// Per-kernel CPU micro-benchmark of the float64 training kernels (issue 19), for before/after comparisons of a kernel
// change: `node --import tsx bench/kernels.ts [filter]` prints CPU microseconds per call (process.cpuUsage, so a
// loaded machine's waiting is not counted), the median of 5 rounds. It uses only exported APIs, so the same file runs
// on an older checkout (git stash; run; git stash pop). Timings are printed, never asserted or written to report.json.
import { pathToFileURL } from 'node:url';
import { rngFromKey } from '../core/rng.ts';
import { backwardInto, forwardInto, initMlp, makeWorkspace, mat, type Activation } from '../theory/mlp.ts';
import { empiricalNtk } from '../theory/ntk.ts';
import { twoLayerStepper } from '../experiments/linearization/wide-run.ts';
import { trainReference } from '../core/engine/reference.ts';
import { backwardCnn, cnnInputDim, cnnTrace, initCnn, type CnnSpec } from '../theory/cnn.ts';

interface Case {
  name: string;
  setup(): () => unknown;
}

function net(widths: number[], n: number, activation: Activation = 'tanh') {
  const rng = rngFromKey(`bench/kernels/${widths.join('-')}/${n}/${activation}`);
  const m = initMlp(widths, { activation, parameterization: 'ntk', sigmaW: 1.5, sigmaB: 0.1 }, rng);
  return { m, X: mat(n, widths[0]!, rng.normals(n * widths[0]!)), Y: mat(n, widths.at(-1)!, rng.normals(n * widths.at(-1)!)) };
}

function trainStep(widths: number[], n: number, activation: Activation = 'tanh'): () => () => unknown {
  return () => {
    const { m, X, Y } = net(widths, n, activation);
    const ws = makeWorkspace(m, n);
    const d = mat(n, Y.cols);
    return () => {
      const tr = forwardInto(m, X, ws);
      const f = tr.pre.at(-1)!.data;
      for (let q = 0; q < f.length; q++) d.data[q] = (f[q]! - Y.data[q]!) / n;
      return backwardInto(m, tr, d, ws);
    };
  };
}

function cnnStep(spec: CnnSpec, n: number): () => () => unknown {
  return () => {
    const rng = rngFromKey(`bench/kernels/cnn/${JSON.stringify(spec.layers)}/${n}`);
    const c = initCnn(spec, rng);
    const d = cnnInputDim(c);
    const X = mat(n, d, rng.normals(n * d));
    return () => {
      const tr = cnnTrace(c, X);
      const f = tr.pre.at(-1)!;
      return backwardCnn(c, tr, f);
    };
  };
}

const conv3 = (cout: number) => ({ type: 'conv' as const, kh: 3, kw: 3, cout, stride: 1, padding: 'same' as const });

export const CASES: Case[] = [
  { name: 'mlp forward+backward 1-32-32-1 tanh n=128 (fprinciple.1d step)', setup: trainStep([1, 32, 32, 1], 128) },
  { name: 'mlp forward+backward 2-32-32-1 tanh n=196 (fprinciple.image-2d step)', setup: trainStep([2, 32, 32, 1], 196) },
  { name: 'mlp forward+backward 1-200-200-200-100-1 tanh n=201 (F-Principle paper net)', setup: trainStep([1, 200, 200, 200, 100, 1], 201) },
  { name: 'mlp forward+backward 2-100-1 relu n=4 (phase-diagram step)', setup: trainStep([2, 100, 1], 4, 'relu') },
  {
    name: 'reference engine: 50 Adam steps 1-32-32-1 tanh n=128 (trainReference)',
    setup() {
      const { m, X, Y } = net([1, 32, 32, 1], 128);
      return () => trainReference({ net: m, x: X, y: Y, steps: 50, recordEvery: 10, optimizer: { kind: 'adam', lr: 1e-3 } } as never);
    },
  },
  {
    name: 'cnn trace+backward, vgg channels [2, 4] on 28×28×1 relu, n=100 (fprinciple.filtering.vgg step)',
    setup: cnnStep(
      { activation: 'relu', parameterization: 'standard', sigmaW: 1.4, sigmaB: 0, input: [28, 28, 1], layers: [conv3(2), conv3(2), { type: 'maxpool', size: 2 }, conv3(4), { type: 'maxpool', size: 2 }, { type: 'dense', nOut: 10 }] },
      100,
    ),
  },
  {
    name: 'cnn trace+backward, 8×8×1 conv 3×3 64 channels tanh → dense 1, n=1 (linearization.cnn-width Jacobian row)',
    setup: cnnStep({ activation: 'tanh', parameterization: 'ntk', sigmaW: 1.4, sigmaB: 0.1, input: [8, 8, 1], layers: [conv3(64), { type: 'dense', nOut: 1 }] }, 1),
  },
  {
    name: 'twoLayerStepper GD step 32-512-1 tanh n=16 (linearization.width-scaling)',
    setup() {
      const { m, X, Y } = net([32, 512, 1], 16);
      const s = twoLayerStepper(m, X);
      return () => {
        s.outputs();
        s.gdStep(Y.data, 1e-3);
      };
    },
  },
  {
    name: 'empirical NTK 32-512-1 tanh, 64×16 (width-scaling test kernel)',
    setup() {
      const { m, X } = net([32, 512, 1], 16);
      const Xt = net([32, 512, 1], 64).X;
      return () => empiricalNtk(m, Xt, X);
    },
  },
];

function cpuUs(): number {
  const c = process.cpuUsage();
  return c.user + c.system;
}

/** Median CPU µs per call over 5 rounds of about 0.1 s each, after a warm-up that lets the JIT optimize. */
export function timeCase(c: Case): number {
  const fn = c.setup();
  let reps = 1;
  for (;;) {
    const t0 = cpuUs();
    for (let r = 0; r < reps; r++) fn();
    if (cpuUs() - t0 > 100_000) break;
    reps *= 2;
  }
  const rounds: number[] = [];
  for (let k = 0; k < 5; k++) {
    const t0 = cpuUs();
    for (let r = 0; r < reps; r++) fn();
    rounds.push((cpuUs() - t0) / reps);
  }
  rounds.sort((a, b) => a - b);
  return rounds[2]!;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const filter = process.argv[2];
  for (const c of CASES.filter((k) => !filter || k.name.includes(filter))) console.log(`${timeCase(c).toFixed(1).padStart(10)} µs  ${c.name}`);
}
