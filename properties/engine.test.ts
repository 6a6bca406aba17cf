// Training engines against the float64 reference engine (core/engine/reference.ts).
//  1. Differential: random small architectures, both parameterizations, every activation, SGD and Adam: the loss
//     trajectory and the outputs agree with the reference within float32 tolerance (float64 ONNX: 1e-10).
//  2. Ensembles: K networks trained as one batched program equal K separate runs, and members do not mix.
//  3. Cross-engine outcome: a small real training run gives the same qualitative result on every engine (loss
//     falls by the same large factor), and a learning rate far above 2/λ_max diverges on every engine (control).
//  4. Determinism, and the bench tool's contract.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { engineByName, trainEnsemble } from '../core/engine/index.ts';
import { supports } from '../core/engine/onnx.ts';
import { trainReference } from '../core/engine/reference.ts';
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
function trajectoryGap(got: TrainResult, ref: TrainResult): number {
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
