// The TensorFlow.js engine's use of TensorFlow.js (core/engine/tfjs.ts, tfjs-gradients.ts), beside the differential
// properties of engine.test.ts and engine-cnn.test.ts:
//  1. The gradients it differentiates with are the ones @tensorflow/tfjs registers; the suite registers none.
//  2. The Conv2DBackpropFilter kernel it registers for wasm (built on wasm's Conv3DBackpropFilterV2) equals the cpu
//     backend's own Conv2DBackpropFilter kernel on random shapes, strides and both paddings: an independent oracle.
//  3. Minibatch order: at every step the engine updates exactly the rows batchRows (core/engine/batches.ts) names,
//     read off a network in which a row's output moves iff that row was in the step's batch (MLP and cnn-v1 paths).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { batchRows } from '../core/engine/batches.ts';
import { engineByName } from '../core/engine/index.ts';
import { GRADIENT_KERNELS } from '../core/engine/tfjs-gradients.ts';
import type { Engine, Net, TrainSpec } from '../core/engine/types.ts';
import { MissingDependencyError } from '../core/optional.ts';
import { rngFromKey } from '../core/rng.ts';
import { initCnn } from '../theory/cnn.ts';
import { mat, type Mlp } from '../theory/mlp.ts';
import { FC } from './helpers.ts';

/** The tfjs engine, or undefined where its optional packages are not installed (any other failure fails the test). */
async function tfjsEngine(): Promise<Engine | undefined> {
  try {
    return await engineByName('tfjs');
  } catch (e) {
    if (e instanceof MissingDependencyError) return undefined;
    throw e;
  }
}

describe('tfjs engine: TensorFlow.js gradients and kernels', () => {
  it('every gradient the engine uses is registered by @tensorflow/tfjs; the suite registers none', async () => {
    if (!(await tfjsEngine())) return;
    for (const k of GRADIENT_KERNELS) expect(tf.getGradient(k)?.kernelName, k).toBe(k);
    const engineDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'core', 'engine');
    for (const f of readdirSync(engineDir)) expect(readFileSync(join(engineDir, f), 'utf8'), f).not.toMatch(/registerGradient\s*\(/);
  });

  it('wasm Conv2DBackpropFilter equals the cpu backend\'s kernel (random shapes, strides 1–3, "same" and "valid"), 1e-5', async () => {
    const engine = await tfjsEngine();
    if (engine?.backend !== 'wasm') return; // the kernel is registered for wasm only
    await import('@tensorflow/tfjs-backend-cpu');
    const caseArb = fc.record({
      n: fc.integer({ min: 1, max: 3 }),
      h: fc.integer({ min: 1, max: 7 }),
      w: fc.integer({ min: 1, max: 7 }),
      cin: fc.integer({ min: 1, max: 3 }),
      cout: fc.integer({ min: 1, max: 3 }),
      kh: fc.integer({ min: 1, max: 3 }),
      kw: fc.integer({ min: 1, max: 3 }),
      sh: fc.integer({ min: 1, max: 3 }),
      sw: fc.integer({ min: 1, max: 3 }),
      pad: fc.constantFrom<'same' | 'valid'>('same', 'valid'),
      seed: fc.integer({ min: 1, max: 1e6 }),
    });
    try {
      await fc.assert(
        fc.asyncProperty(caseArb, async (a) => {
          fc.pre(a.pad === 'same' || (a.kh <= a.h && a.kw <= a.w));
          const out = (size: number, k: number, s: number) => (a.pad === 'same' ? Math.ceil(size / s) : Math.floor((size - k) / s) + 1);
          const [oh, ow] = [out(a.h, a.kh, a.sh), out(a.w, a.kw, a.sw)];
          const rng = rngFromKey(`conv2d-backprop-filter/${a.seed}`);
          const xData = Float32Array.from(rng.normals(a.n * a.h * a.w * a.cin));
          const dyData = Float32Array.from(rng.normals(a.n * oh * ow * a.cout));
          const attrs = { strides: [a.sh, a.sw], pad: a.pad, dataFormat: 'NHWC', filterShape: [a.kh, a.kw, a.cin, a.cout] } as unknown as tf.NamedAttrMap;
          const on = async (backend: string): Promise<Float32Array> => {
            await tf.setBackend(backend);
            const x = tf.tensor4d(xData, [a.n, a.h, a.w, a.cin]);
            const dy = tf.tensor4d(dyData, [a.n, oh, ow, a.cout]);
            const dw = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs) as tf.Tensor;
            expect(dw.shape).toEqual([a.kh, a.kw, a.cin, a.cout]);
            const data = (await dw.data()) as Float32Array;
            tf.dispose([x, dy, dw]);
            return data;
          };
          const cpu = await on('cpu');
          const wasm = await on('wasm');
          const scale = Math.max(1, ...Array.from(cpu, Math.abs));
          cpu.forEach((v, i) => expect(Math.abs(wasm[i]! - v) / scale, `${JSON.stringify(a)} [${i}]`).toBeLessThan(1e-5));
        }),
        { ...FC, numRuns: 60 },
      );
    } finally {
      await tf.setBackend('wasm');
    }
  });
});

/**
 * A network whose row i moves iff row i is in the step's batch: x = the n×n identity, one linear dense layer in
 * NTK parameterization with σ_b = 0, so f(e_i) = W[i]·σ_w/√n, the bias has no effect, and the SGD step changes W[i]
 * by −η·σ_w/√n·(f_i − y_i)/m when row i is in the batch and by exactly 0 otherwise (its gradient is a sum of zeros).
 */
function rowProbe(n: number, cnn: boolean, seed: number): { net: Net; x: TrainSpec['x']; y: TrainSpec['y'] } {
  const rng = rngFromKey(`batch-order/${seed}`);
  const base = { activation: 'linear' as const, parameterization: 'ntk' as const, sigmaW: 1, sigmaB: 0 };
  const net: Net = cnn
    ? initCnn({ ...base, input: [n, 1, 1], layers: [{ type: 'dense', nOut: 1 }] }, rng)
    : ({ ...base, layers: [{ nIn: n, nOut: 1, W: rng.normals(n), b: rng.normals(1) }] } satisfies Mlp);
  const x = mat(n, n);
  for (let i = 0; i < n; i++) x.data[i * n + i] = 1;
  return { net, x, y: mat(n, 1, rng.normals(n)) };
}

describe('minibatch order: the engine updates the rows batchRows names, step by step', () => {
  const caseArb = fc.record({
    n: fc.integer({ min: 1, max: 8 }),
    size: fc.integer({ min: 1, max: 9 }),
    steps: fc.integer({ min: 1, max: 10 }),
    cnn: fc.boolean(),
    seed: fc.integer({ min: 1, max: 1e6 }),
  });
  for (const name of ['reference', 'tfjs']) {
    it(`${name}: the rows whose outputs move at step t are exactly batchRows(n, batch, t) (MLP and cnn-v1)`, async () => {
      const engine = name === 'tfjs' ? await tfjsEngine() : await engineByName(name);
      if (!engine) return;
      await fc.assert(
        fc.asyncProperty(caseArb, async (a) => {
          const batch = { size: a.size, seed: `order-${a.seed}` };
          const { net, x, y } = rowProbe(a.n, a.cnn, a.seed);
          const res = await engine.train({ net, x, y, optimizer: { kind: 'sgd', lr: 0.1 }, batch, steps: a.steps, recordEvery: 1 } as TrainSpec<Net>);
          expect(res.records.map((r) => r.step)).toEqual(Array.from({ length: a.steps + 1 }, (_, t) => t));
          for (let t = 0; t < a.steps; t++) {
            const [before, after] = [res.records[t]!.outputs, res.records[t + 1]!.outputs];
            const moved = Array.from({ length: a.n }, (_, i) => i).filter((i) => after[i] !== before[i]);
            expect(moved, `step ${t}`).toEqual([...batchRows(a.n, batch, t)].sort((p, q) => p - q));
          }
        }),
        { ...FC, numRuns: 30 },
      );
    });
  }
});
