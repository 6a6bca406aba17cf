// Training engines against the float64 reference engine (core/engine/reference.ts).
//  1. Differential: random small architectures, both parameterizations, every activation, SGD and Adam: the loss
//     trajectory and the outputs agree with the reference within float32 tolerance (float64 ONNX: 1e-10).
//  2. Ensembles: K networks trained as one batched program equal K separate runs, and members do not mix.
//  3. Cross-engine outcome: a small real training run gives the same qualitative result on every engine (loss
//     falls by the same large factor), and a learning rate far above 2/λ_max diverges on every engine (control).
//  4. Determinism, and the bench tool's contract.
//  5. Losses, momentum and minibatches: the same differential property over random MLPs with mse or softmax
//     cross-entropy (class-index or one-hot targets), SGD, heavy-ball and Nesterov momentum, full batch or seeded
//     minibatches; momentum against a hand-derived closed form; the batch order's contract.
//  6. cnn-v1: the reference engine's CNN training against finite-difference training; tfjs (tf.conv2d, tf.avgPool,
//     tf.maxPool with autodiff) against the reference; the ONNX engines refuse CNNs (not implemented there yet).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { engineByName, trainEnsemble } from '../core/engine/index.ts';
import { supports } from '../core/engine/onnx.ts';
import { makeOptimizer, optimizerArenaSizes, trainReference } from '../core/engine/reference.ts';
import { Arena } from '../core/wasm/runtime.ts';
import { batchRows, batchSchedule, batchesPerEpoch } from '../core/engine/batches.ts';
import type { OptimizerSpec } from '../core/engine/types.ts';
import { cnnInputDim, flattenCnnParams, forwardCnn, initCnn, withCnnParams, type Cnn } from '../theory/cnn.ts';
import { lossAndGrad } from '../theory/loss.ts';
import { archArb as cnnArchArb, specOf as cnnSpecOf } from './theory/cnn-arbitrary.ts';
import type { Engine, TrainResult, TrainSpec } from '../core/engine/types.ts';
import { InputError } from '../core/formats.ts';
import { rngFromKey } from '../core/rng.ts';
import { ACTIVATIONS, initMlp, mat, type Activation, type Parameterization } from '../theory/mlp.ts';
import { tool as benchTool } from '../cli/tools/bench.ts';
import { FC } from './helpers.ts';

// float32 agreement: TEST_EPSILON_FLOAT32 = 1e-3 of tfjs's own test suite (ANCHORS C9), relative to the scale of
// the quantity; over 4 small steps the observed drift is ~1e-7 (float32 rounding), so 1e-3 leaves room for
// accumulation but not for a wrong gradient or update (those move the loss by O(lr·|g|²) ≫ 1e-3 relative).
const TOL32 = 1e-3;
// float64 ONNX runs the same arithmetic as the reference up to summation order: observed ≤ 1e-15 relative.
const TOL64 = 1e-10;

interface Arch {
  widths: number[];
  activation: Activation;
  parameterization: Parameterization;
  adam: boolean;
  n: number;
  seed: number;
}

const archArb: fc.Arbitrary<Arch> = fc.record({
  widths: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 2, maxLength: 4 }),
  activation: fc.constantFrom<Activation>(...ACTIVATIONS),
  parameterization: fc.constantFrom<Parameterization>('standard', 'ntk'),
  adam: fc.boolean(),
  n: fc.integer({ min: 1, max: 6 }),
  seed: fc.integer({ min: 1, max: 1e6 }),
});

function specFor(a: Arch, steps = 4, key = 'engine-test'): TrainSpec {
  const rng = rngFromKey(`${key}/${a.seed}`);
  const net = initMlp(a.widths, { activation: a.activation, parameterization: a.parameterization, sigmaW: 1.3, sigmaB: 0.3 }, rng);
  const d = a.widths[0]!;
  const o = a.widths.at(-1)!;
  return {
    net,
    x: mat(a.n, d, rng.normals(a.n * d)),
    y: mat(a.n, o, rng.normals(a.n * o)),
    optimizer: a.adam ? { kind: 'adam', lr: 0.01 } : { kind: 'sgd', lr: 0.05 },
    steps,
    recordEvery: 1,
    evalX: mat(3, d, rng.normals(3 * d)),
  };
}

/** max over records of |a − b| / (scale + |b|), losses and outputs. */
function trajectoryGap(got: Pick<TrainResult, 'records'>, ref: Pick<TrainResult, 'records'>): number {
  expect(got.records.map((r) => r.step)).toEqual(ref.records.map((r) => r.step));
  let gap = 0;
  got.records.forEach((r, i) => {
    const q = ref.records[i]!;
    gap = Math.max(gap, Math.abs(r.loss - q.loss) / (1e-6 + Math.abs(q.loss)));
    r.outputs.forEach((v, j) => {
      gap = Math.max(gap, Math.abs(v - q.outputs[j]!) / (1e-3 + Math.abs(q.outputs[j]!)));
    });
  });
  return gap;
}

const FAST_ENGINES: { name: string; tol: number; runs: number }[] = [
  { name: 'onnx', tol: TOL32, runs: 40 },
  { name: 'onnx-f64', tol: TOL64, runs: 40 },
  { name: 'tfjs', tol: TOL32, runs: 25 },
];

describe('engines agree with the float64 reference engine (differential)', () => {
  for (const { name, tol, runs } of FAST_ENGINES) {
    it(`${name}: loss trajectory and outputs within ${tol} over 4 steps`, async () => {
      const engine = await engineByName(name);
      await fc.assert(
        fc.asyncProperty(archArb, async (a) => {
          const spec = specFor(a);
          if (name === 'onnx-f64' && !supports(spec.net, 'float64')) return; // no float64 Erf kernel in onnxruntime
          const gap = trajectoryGap(await engine.train(spec), trainReference(spec));
          expect(gap, `${name} ${JSON.stringify(a)}`).toBeLessThan(tol);
        }),
        { ...FC, numRuns: runs },
      );
    });
  }

  it('onnx-f64 refuses erf networks with a message instead of computing erf in float32', async () => {
    const engine = await engineByName('onnx-f64');
    const spec = specFor({ widths: [2, 3, 1], activation: 'erf', parameterization: 'ntk', adam: false, n: 2, seed: 1 });
    await expect(engine.train(spec)).rejects.toThrow(/Erf/);
  });
});

describe('ensemble mode', () => {
  const members = (a: Arch, K: number) => Array.from({ length: K }, (_, k) => specFor({ ...a, seed: a.seed + k }, 5, 'ensemble'));

  it('onnx-f64: K networks as one batched program equal K separate runs (1e-12)', async () => {
    const engine = await engineByName('onnx-f64');
    const a: Arch = { widths: [3, 7, 5, 2], activation: 'tanh', parameterization: 'ntk', adam: true, n: 5, seed: 11 };
    const specs = members(a, 4);
    const batched = await trainEnsemble(engine, specs);
    for (let k = 0; k < specs.length; k++) expect(trajectoryGap(batched[k]!, trainReference(specs[k]!))).toBeLessThan(1e-12);
  });

  it('onnx: changing one member\'s data leaves the other members bit-identical (no mixing)', async () => {
    const engine = await engineByName('onnx');
    const a: Arch = { widths: [2, 8, 1], activation: 'relu', parameterization: 'standard', adam: false, n: 4, seed: 5 };
    const specs = members(a, 3);
    const before = await trainEnsemble(engine, specs);
    const changed = specs.map((s, k) => (k === 1 ? { ...s, y: mat(s.y.rows, s.y.cols, s.y.data.map((v) => v + 1)) } : s));
    const after = await trainEnsemble(engine, changed);
    for (const k of [0, 2]) expect(after[k]!.records).toEqual(before[k]!.records);
    expect(after[1]!.records.at(-1)!.loss).not.toEqual(before[1]!.records.at(-1)!.loss);
  });

  it('the default (looping) trainEnsemble equals train for engines without a batched path', async () => {
    const engine = await engineByName('reference');
    const specs = members({ widths: [2, 4, 1], activation: 'erf', parameterization: 'ntk', adam: true, n: 3, seed: 2 }, 3);
    const got = await trainEnsemble(engine, specs);
    specs.forEach((s, k) => expect(got[k]!.records).toEqual(trainReference(s).records));
  });

  it('refuses an ensemble whose members differ in shape', async () => {
    const engine = await engineByName('onnx');
    const a = specFor({ widths: [2, 4, 1], activation: 'tanh', parameterization: 'ntk', adam: false, n: 3, seed: 1 });
    const b = specFor({ widths: [2, 5, 1], activation: 'tanh', parameterization: 'ntk', adam: false, n: 3, seed: 1 });
    await expect(trainEnsemble(engine, [a, b])).rejects.toThrow(/same shape/);
  });
});

describe('cross-engine outcome of a small real training run', () => {
  // 1-32-1 tanh network (NTK parameterization) fitting sin(πx) on 16 points of [−1, 1] with Adam for 300 steps.
  function fitSpec(lr: number, kind: 'adam' | 'sgd', steps: number): TrainSpec {
    const rng = rngFromKey('engine-test/fit');
    const net = initMlp([1, 32, 1], { activation: 'tanh', parameterization: 'ntk', sigmaW: 1.5, sigmaB: 0.5 }, rng);
    const xs = Float64Array.from({ length: 16 }, (_, i) => -1 + (2 * i) / 15);
    return { net, x: mat(16, 1, xs), y: mat(16, 1, xs.map((v) => Math.sin(Math.PI * v))), optimizer: { kind, lr }, steps, recordEvery: 50 };
  }
  const engines = ['reference', 'onnx', 'onnx-f64', 'tfjs'];

  it('every engine reduces the loss by more than 100× and ends within 1% of the reference', async () => {
    const spec = fitSpec(0.02, 'adam', 300);
    const ref = trainReference(spec);
    const refDrop = ref.records[0]!.loss / ref.records.at(-1)!.loss;
    expect(refDrop).toBeGreaterThan(100);
    for (const name of engines) {
      const r = await (await engineByName(name)).train(spec);
      const last = r.records.at(-1)!.loss;
      expect(r.divergedAt, name).toBeUndefined();
      expect(r.records[0]!.loss / last, name).toBeGreaterThan(100);
      expect(Math.abs(last - ref.records.at(-1)!.loss) / ref.records.at(-1)!.loss, name).toBeLessThan(0.01);
    }
  });

  it('control: SGD with a learning rate far above 2/λ_max diverges on every engine, at a reported step', async () => {
    const spec = fitSpec(50, 'sgd', 300);
    const ref = trainReference(spec);
    expect(ref.divergedAt).toBeDefined();
    for (const name of engines) {
      const r = await (await engineByName(name)).train(spec);
      // float32 engines overflow earlier than float64, so only the outcome (a reported divergence) must agree.
      expect(r.divergedAt, name).toBeDefined();
      expect(r.divergedAt!, name).toBeLessThan(spec.steps);
    }
  });
});

describe('determinism and the bench contract', () => {
  it('onnx and tfjs give bit-identical trajectories on a rerun', async () => {
    const spec = specFor({ widths: [3, 16, 16, 2], activation: 'tanh', parameterization: 'standard', adam: true, n: 6, seed: 3 }, 6);
    for (const name of ['onnx', 'tfjs']) {
      const e: Engine = await engineByName(name);
      expect((await e.train(spec)).records, name).toEqual((await e.train(spec)).records);
    }
  });

  it('bench --workload returns {id, msPerStep, backend} and refuses unknown workloads', async () => {
    const out = (await benchTool.run(['--workload', 'lfp-wide', '--json'])) as Record<string, unknown>;
    expect(Object.keys(out).sort()).toEqual(['backend', 'id', 'msPerStep']);
    expect(out.id).toBe('lfp-wide');
    expect(out.msPerStep).toBeGreaterThan(0);
    await expect(async () => benchTool.run(['--workload', 'nope'])).rejects.toThrow(InputError);
  });

  it('onnx-cuda refuses with one EnvironmentError line (exit 3) where onnxruntime-node has no CUDA provider', async () => {
    const ort = (await import('onnxruntime-node')).default;
    if (ort.listSupportedBackends().find((b) => b.name === 'cuda')?.bundled) return; // a CUDA machine: nothing to refuse
    const err = await engineByName('onnx-cuda').then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.name).toBe('EnvironmentError');
    expect(err?.message).toMatch(/^DLCLAIMS_ENGINE=onnx-cuda: this onnxruntime-node has no CUDA execution provider \(/);
    expect(err?.message).not.toContain('\n');
  });

  it('bench --side-by-side refuses unknown experiments and flags of the other modes before timing anything', async () => {
    await expect(async () => benchTool.run(['--side-by-side', '--only', 'nope'])).rejects.toThrow(/--only: unknown experiment "nope"/);
    await expect(async () => benchTool.run(['--side-by-side', '--all'])).rejects.toThrow(InputError);
    await expect(async () => benchTool.run(['--side-by-side', '--engine', 'onnx'])).rejects.toThrow(/--engine: not used with --side-by-side/);
    await expect(async () => benchTool.run(['--workload', 'fp1d', '--tasks', '/tmp/x'])).rejects.toThrow(/--tasks: only used with --side-by-side/);
  });
});

interface Arch2 {
  widths: number[];
  activation: Activation;
  parameterization: Parameterization;
  optimizer: 'sgd' | 'momentum' | 'nesterov' | 'adam';
  loss: 'mse' | 'xent';
  oneHot: boolean;
  /** 0: full batch. */
  batch: number;
  n: number;
  seed: number;
}

const arch2Arb: fc.Arbitrary<Arch2> = fc.record({
  // output width ≥ 2 so cross-entropy has at least two classes
  widths: fc.tuple(fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }), fc.integer({ min: 2, max: 4 })).map(([h, o]) => [...h, o]),
  activation: fc.constantFrom<Activation>(...ACTIVATIONS),
  parameterization: fc.constantFrom<Parameterization>('standard', 'ntk'),
  optimizer: fc.constantFrom<Arch2['optimizer']>('sgd', 'momentum', 'nesterov', 'adam'),
  loss: fc.constantFrom<Arch2['loss']>('mse', 'xent'),
  oneHot: fc.boolean(),
  batch: fc.integer({ min: 0, max: 4 }),
  n: fc.integer({ min: 1, max: 7 }),
  seed: fc.integer({ min: 1, max: 1e6 }),
});

function optimizerOf(kind: Arch2['optimizer']): OptimizerSpec {
  if (kind === 'adam') return { kind: 'adam', lr: 0.01 };
  if (kind === 'sgd') return { kind: 'sgd', lr: 0.05 };
  return { kind: 'momentum', lr: 0.05, momentum: 0.9, nesterov: kind === 'nesterov' };
}

function spec2(a: Arch2, steps = 6): TrainSpec {
  const rng = rngFromKey(`engine-test-2/${a.seed}`);
  const net = initMlp(a.widths, { activation: a.activation, parameterization: a.parameterization, sigmaW: 1.3, sigmaB: 0.3 }, rng);
  const d = a.widths[0]!;
  const o = a.widths.at(-1)!;
  let y = mat(a.n, o, rng.normals(a.n * o));
  if (a.loss === 'xent') {
    const c = Array.from({ length: a.n }, () => rng.int(o));
    y = a.oneHot ? mat(a.n, o, Float64Array.from({ length: a.n * o }, (_, q) => (c[Math.floor(q / o)] === q % o ? 1 : 0))) : mat(a.n, 1, Float64Array.from(c));
  }
  return {
    net,
    x: mat(a.n, d, rng.normals(a.n * d)),
    y,
    loss: a.loss,
    optimizer: optimizerOf(a.optimizer),
    ...(a.batch > 0 ? { batch: { size: a.batch, seed: `b${a.seed}` } } : {}),
    steps,
    recordEvery: 1,
    evalX: mat(3, d, rng.normals(3 * d)),
  };
}

describe('losses, momentum and minibatches: engines agree with the reference (differential)', () => {
  for (const { name, tol, runs } of FAST_ENGINES) {
    it(`${name}: mse/xent × sgd/momentum/Nesterov/Adam × full/minibatch, 6 steps within ${tol}`, async () => {
      const engine = await engineByName(name);
      await fc.assert(
        fc.asyncProperty(arch2Arb, async (a) => {
          const spec = spec2(a);
          if (name === 'onnx-f64' && !supports(spec.net, 'float64')) return;
          const gap = trajectoryGap(await engine.train(spec), trainReference(spec));
          expect(gap, `${name} ${JSON.stringify(a)}`).toBeLessThan(tol);
        }),
        { ...FC, numRuns: runs },
      );
    });
  }

  it('onnx-f64: an ensemble with momentum, xent and minibatches equals separate reference runs (1e-12)', async () => {
    const engine = await engineByName('onnx-f64');
    const a: Arch2 = { widths: [3, 6, 3], activation: 'tanh', parameterization: 'ntk', optimizer: 'nesterov', loss: 'xent', oneHot: false, batch: 3, n: 7, seed: 4 };
    const specs = [0, 1, 2].map((k) => ({ ...spec2({ ...a, seed: a.seed + k }), batch: { size: 3, seed: 'shared' } }));
    const batched = await trainEnsemble(engine, specs);
    specs.forEach((s, k) => expect(trajectoryGap(batched[k]!, trainReference(s))).toBeLessThan(1e-12));
  });

  it('control: the differential check notices a wrong convention (dampened momentum a ← μa + (1−μ)g differs)', () => {
    const a: Arch2 = { widths: [2, 5, 2], activation: 'tanh', parameterization: 'ntk', optimizer: 'momentum', loss: 'xent', oneHot: true, batch: 0, n: 5, seed: 9 };
    const spec = spec2(a);
    const ref = trainReference(spec);
    // dampening 1−μ is the same as heavy ball with step η(1−μ)
    const damp = trainReference({ ...spec, optimizer: { kind: 'momentum', lr: 0.05 * 0.1, momentum: 0.9 } });
    expect(trajectoryGap(damp, ref)).toBeGreaterThan(TOL32);
  });

  it('minibatches change the trajectory (the batch rows are used), and a batch of all rows equals full batch up to order', () => {
    const a: Arch2 = { widths: [2, 5, 2], activation: 'tanh', parameterization: 'ntk', optimizer: 'sgd', loss: 'mse', oneHot: false, batch: 2, n: 6, seed: 3 };
    const mini = trainReference(spec2(a));
    const full = trainReference(spec2({ ...a, batch: 0 }));
    const all = trainReference(spec2({ ...a, batch: 6 }));
    expect(trajectoryGap(mini, full)).toBeGreaterThan(TOL32);
    expect(trajectoryGap(all, full)).toBeLessThan(1e-12);
  });
});

describe('momentum: the PyTorch/TensorFlow convention against a hand-derived closed form', () => {
  // With a constant gradient g and a ← μa + g from a = 0: a_s = g(1 − μ^s)/(1 − μ), so after t steps
  //   heavy ball  θ_t = θ_0 − ηg·Σ_{s=1..t} (1 − μ^s)/(1 − μ)
  //   Nesterov    θ_t = θ_0 − ηg·Σ_{s=1..t} (1 + μ(1 − μ^s)/(1 − μ))
  it('constant gradients: θ_t matches the sums to 1e-12', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 0.99, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true }), fc.integer({ min: 1, max: 30 }), fc.boolean(), (mu, g, t, nesterov) => {
        const p = Float64Array.of(0.5);
        const step = makeOptimizer({ kind: 'momentum', lr: 0.1, momentum: mu, nesterov }, [p]);
        for (let s = 0; s < t; s++) step([Float64Array.of(g)]);
        let sum = 0;
        for (let s = 1; s <= t; s++) {
          const a = (1 - mu ** s) / (1 - mu);
          sum += nesterov ? 1 + mu * a : a;
        }
        expect(Math.abs(p[0]! - (0.5 - 0.1 * g * sum))).toBeLessThan(1e-12 * (1 + Math.abs(0.1 * g * sum)));
      }),
      FC,
    );
  });
});

describe('minibatch order (core/engine/batches.ts)', () => {
  it('each epoch visits every row once, in ceil(n/size) batches of size rows with the partial batch last; same seed, same order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 50 }), fc.string(), fc.integer({ min: 0, max: 5 }), (n, size, seed, epoch) => {
        const B = batchesPerEpoch(n, Math.min(size, n));
        const batches = Array.from({ length: B }, (_, b) => batchRows(n, { size, seed }, epoch * B + b));
        expect(batches.flat().sort((p, q) => p - q)).toEqual(Array.from({ length: n }, (_, i) => i));
        batches.forEach((rows, b) => expect(rows.length).toBe(b < B - 1 ? Math.min(size, n) : n - (B - 1) * Math.min(size, n)));
        const sched = batchSchedule(n, { size, seed });
        batches.forEach((rows, b) => expect(sched(epoch * B + b)).toEqual(rows));
      }),
      FC,
    );
  });

  it('epochs use different permutations (a seeded stream per epoch) and different seeds give different orders', () => {
    const n = 20;
    const e0 = batchRows(n, { size: n, seed: 's' }, 0);
    expect(batchRows(n, { size: n, seed: 's' }, 1)).not.toEqual(e0);
    expect(batchRows(n, { size: n, seed: 't' }, 0)).not.toEqual(e0);
  });
});

describe('cnn-v1 networks in the engines', () => {
  // The reference engine's CNN training against an independent oracle: the same steps taken by makeOptimizer on one
  // flat parameter vector, with the gradient from central finite differences of the loss of forwardCnn on the
  // step's rows (no backwardCnn). Smooth activations and average pools only, so finite differences are exact to O(h²).
  const cnnRun = fc.record({
    arch: cnnArchArb,
    activation: fc.constantFrom<Activation>('tanh', 'erf', 'linear'),
    loss: fc.constantFrom<'mse' | 'xent'>('mse', 'xent'),
    // no Adam: its first step is ≈ η·sign(g), which a finite-difference error flips where g ≈ 0 (same makeOptimizer as MLPs)
    optimizer: fc.constantFrom<Arch2['optimizer']>('sgd', 'momentum', 'nesterov'),
    batch: fc.integer({ min: 0, max: 2 }),
  });

  it('reference: 3 steps on random CNNs equal finite-difference training (mse/xent, SGD/momentum/Nesterov, minibatches), 1e-6', () => {
    fc.assert(
      fc.property(cnnRun, ({ arch, activation, loss, optimizer, batch }) => {
        const a = { ...arch, n: arch.n + 1, nOut: loss === 'xent' ? Math.max(2, arch.nOut) : arch.nOut, body: arch.body.map((l) => (l.type === 'maxpool' ? { ...l, type: 'avgpool' as const } : l)) };
        const rng = rngFromKey(`engine-cnn/${a.seed}`);
        const net = initCnn(cnnSpecOf(a, { activation }), rng);
        const d = cnnInputDim(net);
        const k = a.nOut;
        const x = mat(a.n, d, rng.normals(a.n * d));
        const y = loss === 'mse' ? mat(a.n, k, rng.normals(a.n * k)) : mat(a.n, 1, Float64Array.from({ length: a.n }, () => rng.int(k)));
        const spec: TrainSpec<Cnn> = { net, x, y, loss, optimizer: optimizerOf(optimizer), ...(batch > 0 ? { batch: { size: batch, seed: 'cnn' } } : {}), steps: 3, recordEvery: 1 };
        const got = flattenCnnParams(trainReference(spec).final);
        const theta = flattenCnnParams(net);
        const step = makeOptimizer(spec.optimizer, [theta]);
        const h = 1e-6;
        for (let t = 0; t < 3; t++) {
          const rows = spec.batch ? batchRows(a.n, spec.batch, t) : Array.from({ length: a.n }, (_, i) => i);
          const xb = mat(rows.length, d, Float64Array.from(rows.flatMap((r) => Array.from(x.data.subarray(r * d, (r + 1) * d)))));
          const yb = mat(rows.length, y.cols, Float64Array.from(rows.flatMap((r) => Array.from(y.data.subarray(r * y.cols, (r + 1) * y.cols)))));
          const L = (th: Float64Array) => lossAndGrad(loss, forwardCnn(withCnnParams(net, th), xb), yb).loss;
          const g = theta.map((v, q) => {
            const p = theta.slice();
            p[q] = v + h;
            const up = L(p);
            p[q] = v - h;
            return (up - L(p)) / (2 * h);
          });
          step([g]);
        }
        const scale = Math.max(1, ...Array.from(theta, Math.abs));
        got.forEach((v, q) => expect(Math.abs(v - theta[q]!), `${JSON.stringify(a)} param ${q}`).toBeLessThan(1e-6 * scale));
      }),
      { ...FC, numRuns: 25 },
    );
  });

  it('reference: CNN records hold the full-set loss and evalX outputs at the recorded steps', () => {
    const rng = rngFromKey('engine-cnn/records');
    const net = initCnn({ activation: 'relu', parameterization: 'ntk', sigmaW: 1.4, sigmaB: 0.1, input: [4, 4, 2], layers: [{ type: 'conv', kh: 3, kw: 3, cout: 3, stride: 1, padding: 'same' }, { type: 'maxpool', size: 2 }, { type: 'dense', nOut: 3 }] }, rng);
    const x = mat(5, 32, rng.normals(160));
    const y = mat(5, 1, Float64Array.of(0, 1, 2, 1, 0));
    const evalX = mat(2, 32, rng.normals(64));
    const r = trainReference({ net, x, y, loss: 'xent', optimizer: { kind: 'momentum', lr: 0.1, momentum: 0.9 }, batch: { size: 2, seed: 's' }, steps: 7, recordEvery: 3, evalX });
    expect(r.records.map((q) => q.step)).toEqual([0, 3, 6, 7]);
    expect(r.records[0]!.loss).toBeCloseTo(lossAndGrad('xent', forwardCnn(net, x), y).loss, 14);
    expect(Array.from(r.records[0]!.outputs)).toEqual(Array.from(forwardCnn(net, evalX).data));
    expect(r.records.at(-1)!.loss).toBeCloseTo(lossAndGrad('xent', forwardCnn(r.final, x), y).loss, 14);
    expect(r.records.at(-1)!.loss).toBeLessThan(r.records[0]!.loss);
  });

  it('tfjs: random CNNs (conv/pools/dense, every activation, both parameterizations), both losses, all optimizers, minibatches: 4 steps within 1e-3 of the reference', async () => {
    const engine = await engineByName('tfjs');
    await fc.assert(
      fc.asyncProperty(cnnArchArb, fc.constantFrom<'mse' | 'xent'>('mse', 'xent'), fc.constantFrom<Arch2['optimizer']>('sgd', 'momentum', 'nesterov', 'adam'), fc.integer({ min: 0, max: 2 }), async (arch, loss, optimizer, batch) => {
        const a = { ...arch, n: arch.n + 1, nOut: loss === 'xent' ? Math.max(2, arch.nOut) : arch.nOut };
        const rng = rngFromKey(`engine-cnn-tfjs/${a.seed}`);
        const net = initCnn(cnnSpecOf(a), rng);
        const d = cnnInputDim(net);
        const k = a.nOut;
        const y = loss === 'mse' ? mat(a.n, k, rng.normals(a.n * k)) : mat(a.n, 1, Float64Array.from({ length: a.n }, () => rng.int(k)));
        const spec: TrainSpec<Cnn> = { net, x: mat(a.n, d, rng.normals(a.n * d)), y, loss, optimizer: optimizerOf(optimizer), ...(batch > 0 ? { batch: { size: batch, seed: 'cnn' } } : {}), steps: 4, recordEvery: 1, evalX: mat(2, d, rng.normals(2 * d)) };
        const gap = trajectoryGap(await engine.train(spec), trainReference(spec));
        expect(gap, JSON.stringify(a)).toBeLessThan(TOL32);
      }),
      { ...FC, numRuns: 30 },
    );
  });

  // onnx and onnx-f64 train CNNs (their differential properties: properties/engine-cnn.test.ts); onnx-f64 refuses erf.
  it('onnx and onnx-f64 train cnn-v1 networks as the reference does; onnx-f64 refuses erf ones with a message', async () => {
    const rng = rngFromKey('engine-cnn/refuse');
    const net = initCnn({ activation: 'tanh', parameterization: 'ntk', sigmaW: 1, sigmaB: 0, input: [2, 2, 1], layers: [{ type: 'dense', nOut: 1 }] }, rng);
    const spec: TrainSpec<Cnn> = { net, x: mat(1, 4, rng.normals(4)), y: mat(1, 1), optimizer: { kind: 'sgd', lr: 0.1 }, steps: 1, recordEvery: 1 };
    const ref = flattenCnnParams(trainReference(spec).final);
    for (const name of ['onnx', 'onnx-f64']) {
      const got = flattenCnnParams((await (await engineByName(name)).train(spec)).final);
      got.forEach((v, q) => expect(Math.abs(v - ref[q]!), name).toBeLessThan(1e-6));
    }
    await expect((await engineByName('onnx-f64')).train({ ...spec, net: { ...net, activation: 'erf' } })).rejects.toThrow(/no float64 Erf kernel/);
  });
});

describe('makeOptimizer (wasm updates, core/wasm/mlp.wat) equals the plain update loops bit for bit', () => {
  // The plain loops the wasm kernels replaced, in the formulas' order (Kingma & Ba Alg. 1; torch.optim.SGD momentum).
  function plainSteps(spec: OptimizerSpec, p0: Float64Array[], grads: Float64Array[][]): Float64Array[] {
    const ps = p0.map((p) => p.slice());
    const m = ps.map((p) => new Float64Array(p.length));
    const v = ps.map((p) => new Float64Array(p.length));
    grads.forEach((gs, s) => {
      const t = s + 1;
      ps.forEach((p, i) => {
        const g = gs[i]!;
        for (let q = 0; q < p.length; q++) {
          if (spec.kind === 'sgd') p[q] = p[q]! - spec.lr * g[q]!;
          else if (spec.kind === 'momentum') {
            m[i]![q] = spec.momentum * m[i]![q]! + g[q]!;
            p[q] = p[q]! - spec.lr * (spec.nesterov ? g[q]! + spec.momentum * m[i]![q]! : m[i]![q]!);
          } else {
            const b1 = spec.beta1 ?? 0.9;
            const b2 = spec.beta2 ?? 0.999;
            m[i]![q] = b1 * m[i]![q]! + (1 - b1) * g[q]!;
            v[i]![q] = b2 * v[i]![q]! + (1 - b2) * g[q]! * g[q]!;
            p[q] = p[q]! - (spec.lr * (m[i]![q]! / (1 - b1 ** t))) / (Math.sqrt(v[i]![q]! / (1 - b2 ** t)) + (spec.epsilon ?? 1e-7));
          }
        }
      });
    });
    return ps;
  }

  const specArb = fc.oneof(
    fc.record({ kind: fc.constant('sgd' as const), lr: fc.double({ min: 1e-4, max: 1, noNaN: true }) }),
    fc.record({ kind: fc.constant('momentum' as const), lr: fc.double({ min: 1e-4, max: 1, noNaN: true }), momentum: fc.double({ min: 0, max: 0.99, noNaN: true }), nesterov: fc.boolean() }),
    fc.record({ kind: fc.constant('adam' as const), lr: fc.double({ min: 1e-4, max: 1, noNaN: true }) }),
  );

  it('sgd, momentum, Nesterov and Adam over odd and even lengths, 1–4 steps, with zero and −0 gradients', () => {
    fc.assert(
      fc.property(specArb, fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 1e6 }), (spec, lengths, steps, seed) => {
        const rng = rngFromKey(`engine.test/optimizer/${seed}`);
        const p0 = lengths.map((n) => rng.normals(n));
        const grads = Array.from({ length: steps }, () => lengths.map((n) => rng.normals(n).map((x) => (x > 1.2 ? 0 : x < -1.2 ? -0 : x))));
        const want = plainSteps(spec, p0, grads).map((p) => Array.from(p));
        // its own arena (parameters copied in and out each step)
        const ps = p0.map((p) => p.slice());
        const step = makeOptimizer(spec, ps);
        grads.forEach((g) => step(g));
        expect(ps.map((p) => Array.from(p))).toEqual(want);
        // parameters in a shared arena (trainReference's case), gradients in it or elsewhere
        const arena = Arena.forSizes([...lengths, ...lengths, ...optimizerArenaSizes(spec, lengths)]);
        const views = p0.map((p) => arena.copyOf(p));
        const gViews = lengths.map((n) => arena.f64(n));
        const stepShared = makeOptimizer(spec, views, arena);
        grads.forEach((g, s) => {
          if (s % 2 === 0) stepShared(g);
          else {
            g.forEach((gi, i) => gViews[i]!.set(gi));
            stepShared(gViews);
          }
        });
        expect(views.map((p) => Array.from(p))).toEqual(want);
      }),
      FC,
    );
  });
});
