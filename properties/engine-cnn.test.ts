// CNNs (cnn-v1) in the training engines (the CNN branches of core/engine/reference.ts, tfjs.ts and onnx.ts).
//  1. An oracle through other code: a conv whose kernel covers its whole input ("valid", kh = H, kw = W) is a dense
//     layer on the flattened point (W[a][b][c][o] in the point's H, W, C order; NTK fan-in kh·kw·cin = H·W·C), so the
//     CNN conv(H×W, valid) → dense must train exactly as the MLP [H·W·C, cout, nOut] through trainReference
//     (theory/mlp.ts): both losses, SGD, heavy ball, Nesterov, Adam, full batch and seeded minibatches (float64: 1e-10).
//  2. Random CNNs with pools, strides and both paddings: the engine's records, parameter order and minibatch rows equal
//     a hand loop of theory/cnn.ts's cnnLossGrad with plain SGD on the flat parameters.
//  3. Every other engine trains a CNN within float32 tolerance of the reference (onnx-f64: 1e-10), or refuses the spec
//     with a clear error (never silently wrong): onnx-f64 refuses erf networks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchRows, gatherRows } from '../core/engine/batches.ts';
import { engineByName } from '../core/engine/index.ts';
import { referenceEngine, trainReference } from '../core/engine/reference.ts';
import { isCnn } from '../core/engine/types.ts';

const trainCnnReference = (spec: TrainSpec<Cnn>) => trainReference(spec);
import type { OptimizerSpec, TrainSpec } from '../core/engine/types.ts';
import { MissingDependencyError } from '../core/optional.ts';
import { rngFromKey } from '../core/rng.ts';
import { backwardCnn, cnnLossGrad, cnnTrace, flattenCnnGrads, flattenCnnParams, forwardCnn, initCnn, withCnnParams, type Cnn, type CnnLayerSpec } from '../theory/cnn.ts';
import { lossAndGrad, type LossKind } from '../theory/loss.ts';
import { mat, type Activation, type Mlp, type Parameterization } from '../theory/mlp.ts';
import { FC } from './helpers.ts';

const FEW = { ...FC, numRuns: 25 } as const;

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    m = Math.max(m, Math.abs(a[i]! - b[i]!));
    s = Math.max(s, Math.abs(b[i]!));
  }
  return m / Math.max(1, s);
}

const optimizerArb: fc.Arbitrary<OptimizerSpec> = fc.oneof(
  fc.constant<OptimizerSpec>({ kind: 'sgd', lr: 0.05 }),
  fc.constant<OptimizerSpec>({ kind: 'adam', lr: 0.01 }),
  fc.record({ kind: fc.constant('momentum' as const), lr: fc.constant(0.03), momentum: fc.constantFrom(0.5, 0.9), nesterov: fc.boolean() }),
);

/** Targets for `loss`: random rows for mse, class indices (n×1) or one-hot rows for xent. */
function targets(loss: LossKind, n: number, k: number, oneHot: boolean, rng: ReturnType<typeof rngFromKey>) {
  if (loss === 'mse') return mat(n, k, rng.normals(n * k));
  const c = Array.from({ length: n }, () => Math.floor(rng.uniform() * k));
  if (!oneHot) return mat(n, 1, Float64Array.from(c));
  const y = mat(n, k);
  c.forEach((ci, i) => (y.data[i * k + ci] = 1));
  return y;
}

describe('reference engine: a whole-input conv trains exactly as the equivalent MLP', () => {
  it('records and final parameters equal trainReference on the MLP (both losses, every optimizer, minibatches)', () => {
    fc.assert(
      fc.property(
        fc.record({
          h: fc.integer({ min: 1, max: 3 }),
          w: fc.integer({ min: 1, max: 3 }),
          c: fc.integer({ min: 1, max: 2 }),
          cout: fc.integer({ min: 1, max: 4 }),
          k: fc.integer({ min: 2, max: 3 }),
          activation: fc.constantFrom<Activation>('relu', 'tanh', 'erf', 'linear'),
          parameterization: fc.constantFrom<Parameterization>('standard', 'ntk'),
          loss: fc.constantFrom<LossKind>('mse', 'xent'),
          oneHot: fc.boolean(),
          optimizer: optimizerArb,
          batch: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
          n: fc.integer({ min: 1, max: 5 }),
          seed: fc.integer({ min: 1, max: 1e6 }),
        }),
        (a) => {
          const rng = rngFromKey(`engine-cnn/${a.seed}`);
          const cnn = initCnn(
            {
              activation: a.activation,
              parameterization: a.parameterization,
              sigmaW: 1.3,
              sigmaB: 0.3,
              input: [a.h, a.w, a.c],
              layers: [
                { type: 'conv', kh: a.h, kw: a.w, cout: a.cout, stride: 1, padding: 'valid' },
                { type: 'dense', nOut: a.k },
              ],
            },
            rng,
          );
          const [conv, dense] = cnn.layers as [Extract<Cnn['layers'][number], { type: 'conv' }>, Extract<Cnn['layers'][number], { type: 'dense' }>];
          const d = a.h * a.w * a.c;
          const mlp: Mlp = {
            activation: cnn.activation,
            parameterization: cnn.parameterization,
            sigmaW: cnn.sigmaW,
            sigmaB: cnn.sigmaB,
            layers: [
              { nIn: d, nOut: a.cout, W: conv.W.slice(), b: conv.b.slice() },
              { nIn: a.cout, nOut: a.k, W: dense.W.slice(), b: dense.b.slice() },
            ],
          };
          const x = mat(a.n, d, rng.normals(a.n * d));
          const y = targets(a.loss, a.n, a.k, a.oneHot, rng);
          const common = { x, y, loss: a.loss, optimizer: a.optimizer, steps: 5, recordEvery: 2, ...(a.batch ? { batch: { size: a.batch, seed: `b${a.seed}` } } : {}) };
          const rc = trainCnnReference({ ...common, net: cnn });
          const rm = trainReference({ ...common, net: mlp });
          expect(rc.records.map((r) => r.step)).toEqual(rm.records.map((r) => r.step));
          rc.records.forEach((r, i) => {
            expect(Math.abs(r.loss - rm.records[i]!.loss)).toBeLessThanOrEqual(1e-10 * (1 + Math.abs(rm.records[i]!.loss)));
            expect(maxRel(r.outputs, rm.records[i]!.outputs)).toBeLessThan(1e-10);
          });
          expect(maxRel(flattenCnnParams(rc.final), rm.final.layers.flatMap((l) => [...l.W, ...l.b]))).toBeLessThan(1e-10);
          // The input is not modified.
          expect(flattenCnnParams(cnn)).toEqual(Float64Array.from([...mlp.layers[0]!.W, ...mlp.layers[0]!.b, ...mlp.layers[1]!.W, ...mlp.layers[1]!.b]));
        },
      ),
      FEW,
    );
  });
});

/** A random small CNN: conv (stride 1–2, same/valid), an optional pool, an optional second conv, dense head. */
const cnnArb = fc.record({
  side: fc.integer({ min: 4, max: 6 }),
  cin: fc.integer({ min: 1, max: 2 }),
  c1: fc.integer({ min: 1, max: 3 }),
  k1: fc.integer({ min: 1, max: 3 }),
  stride: fc.integer({ min: 1, max: 2 }),
  padding: fc.constantFrom<'same' | 'valid'>('same', 'valid'),
  pool: fc.constantFrom<'avgpool' | 'maxpool' | 'none'>('avgpool', 'maxpool', 'none'),
  second: fc.boolean(),
  nOut: fc.integer({ min: 1, max: 3 }),
  activation: fc.constantFrom<Activation>('relu', 'tanh', 'linear'),
  parameterization: fc.constantFrom<Parameterization>('standard', 'ntk'),
  loss: fc.constantFrom<LossKind>('mse', 'xent'),
  n: fc.integer({ min: 1, max: 4 }),
  seed: fc.integer({ min: 1, max: 1e6 }),
});

type CnnCase = typeof cnnArb extends fc.Arbitrary<infer T> ? T : never;

function cnnSpec(a: CnnCase, optimizer: OptimizerSpec, steps: number, batch?: number): TrainSpec<Cnn> {
  const rng = rngFromKey(`engine-cnn-random/${a.seed}`);
  const layers: CnnLayerSpec[] = [{ type: 'conv', kh: a.k1, kw: a.k1, cout: a.c1, stride: a.stride, padding: a.padding }];
  if (a.pool !== 'none') layers.push({ type: a.pool, size: 2 });
  if (a.second) layers.push({ type: 'conv', kh: 2, kw: 2, cout: 2, stride: 1, padding: 'same' });
  layers.push({ type: 'dense', nOut: a.nOut });
  const net = initCnn({ activation: a.activation, parameterization: a.parameterization, sigmaW: 1.2, sigmaB: 0.2, input: [a.side, a.side, a.cin], layers }, rng);
  const d = a.side * a.side * a.cin;
  const x = mat(a.n, d, rng.normals(a.n * d));
  const loss: LossKind = a.nOut === 1 ? 'mse' : a.loss; // cross-entropy needs two classes at least
  const y = targets(loss, a.n, a.nOut, false, rng);
  return { net, x, y, loss, optimizer, steps, recordEvery: 1, ...(batch ? { batch: { size: batch, seed: `s${a.seed}` } } : {}) };
}

describe('reference engine on random CNNs (pools, strides, paddings)', () => {
  it('equals a hand loop of cnnLossGrad and SGD on the flat parameters, on the full set or the seeded minibatches', () => {
    fc.assert(
      fc.property(cnnArb, fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }), (a, batch) => {
        let spec: TrainSpec<Cnn>;
        try {
          spec = cnnSpec(a, { kind: 'sgd', lr: 0.07 }, 3, batch);
        } catch {
          fc.pre(false); // an impossible architecture (e.g. a pool larger than a strided "valid" conv's output)
          return;
        }
        const res = trainCnnReference(spec);
        let theta = flattenCnnParams(spec.net);
        for (let t = 0; t <= spec.steps; t++) {
          const net = withCnnParams(spec.net, theta);
          const full = cnnLossGrad(net, spec.x, spec.y, spec.loss!);
          const rec = res.records[t]!;
          expect(rec.step).toBe(t);
          expect(Math.abs(rec.loss - full.loss)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(full.loss)));
          expect(maxRel(rec.outputs, forwardCnn(net, spec.x).data)).toBeLessThan(1e-12);
          if (t === spec.steps) break;
          const rows = batch ? batchRows(spec.x.rows, spec.batch!, t) : undefined;
          const g = rows ? cnnLossGrad(net, gatherRows(spec.x, rows), gatherRows(spec.y, rows), spec.loss!) : full;
          const flat = flattenCnnGrads(g.grads);
          theta = theta.map((v, q) => v - 0.07 * flat[q]!);
        }
        expect(maxRel(flattenCnnParams(res.final), theta)).toBeLessThan(1e-12);
      }),
      FEW,
    );
  });

  // The loop runs in WebAssembly workspaces reused across steps (one per batch size, one for evalX) and updates with
  // the wasm optimizers; here every step is a fresh cnnTrace/backwardCnn (a workspace of its own, checked against the
  // plain loops in properties/theory/kernels.test.ts) and the optimizers' plain update loops: the same bits.
  it('gives the bits of fresh cnnTrace/backwardCnn passes and the plain SGD, momentum and Adam loops (minibatches, evalX)', () => {
    const optArb = fc.constantFrom<OptimizerSpec>(
      { kind: 'sgd', lr: 0.07 },
      { kind: 'momentum', lr: 0.05, momentum: 0.9, nesterov: false },
      { kind: 'momentum', lr: 0.05, momentum: 0.9, nesterov: true },
      { kind: 'adam', lr: 0.01 },
    );
    fc.assert(
      fc.property(cnnArb, optArb, fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }), fc.boolean(), (a, opt, batch, withEval) => {
        let spec: TrainSpec<Cnn>;
        try {
          spec = cnnSpec(a, opt, 4, batch);
        } catch {
          fc.pre(false);
          return;
        }
        const evalX = withEval ? mat(3, spec.x.cols, rngFromKey(`evalx/${a.seed}`).normals(3 * spec.x.cols)) : undefined;
        const res = trainCnnReference({ ...spec, ...(evalX ? { evalX } : {}) });
        const theta = flattenCnnParams(spec.net);
        const m1 = new Float64Array(theta.length);
        const m2 = new Float64Array(theta.length);
        const bits = (v: ArrayLike<number>) => Array.from(v, (x) => (Object.is(x, -0) ? '-0' : String(x)));
        for (let t = 0; t <= spec.steps; t++) {
          const net = withCnnParams(spec.net, theta);
          const f = cnnTrace(net, spec.x).pre.at(-1)!;
          const rec = res.records[t]!;
          expect(rec.loss).toBe(lossAndGrad(spec.loss!, f, spec.y).loss);
          expect(bits(rec.outputs)).toEqual(bits(evalX ? cnnTrace(net, evalX).pre.at(-1)!.data : f.data));
          if (t === spec.steps) break;
          const rows = batch ? batchRows(spec.x.rows, spec.batch!, t) : undefined;
          const xb = rows ? gatherRows(spec.x, rows) : spec.x;
          const tr = cnnTrace(net, xb);
          const g = flattenCnnGrads(backwardCnn(net, tr, lossAndGrad(spec.loss!, tr.pre.at(-1)!, rows ? gatherRows(spec.y, rows) : spec.y).dOut).grads);
          // the plain update loops (Kingma & Ba 2015 Algorithm 1; PyTorch/TensorFlow momentum), element by element
          if (opt.kind === 'sgd') for (let q = 0; q < theta.length; q++) theta[q]! -= opt.lr * g[q]!;
          else if (opt.kind === 'momentum') {
            for (let q = 0; q < theta.length; q++) {
              m1[q] = opt.momentum * m1[q]! + g[q]!;
              theta[q]! -= opt.lr * (opt.nesterov ? g[q]! + opt.momentum * m1[q]! : m1[q]!);
            }
          } else {
            const c1 = 1 - 0.9 ** (t + 1);
            const c2 = 1 - 0.999 ** (t + 1);
            for (let q = 0; q < theta.length; q++) {
              const gq = g[q]!;
              m1[q] = 0.9 * m1[q]! + (1 - 0.9) * gq;
              m2[q] = 0.999 * m2[q]! + (1 - 0.999) * gq * gq;
              theta[q] = theta[q]! - (opt.lr * (m1[q]! / c1)) / (Math.sqrt(m2[q]! / c2) + 1e-7);
            }
          }
        }
        expect(bits(flattenCnnParams(res.final))).toEqual(bits(theta));
      }),
      FEW,
    );
  });

  it('the engine interface dispatches a cnn-v1 spec to the CNN loop and records evalX outputs', async () => {
    const a: CnnCase = { side: 5, cin: 1, c1: 2, k1: 3, stride: 1, padding: 'same', pool: 'maxpool', second: true, nOut: 2, activation: 'tanh', parameterization: 'ntk', loss: 'mse', n: 3, seed: 7 };
    const spec = cnnSpec(a, { kind: 'adam', lr: 0.01 }, 4);
    const evalX = mat(2, 25, rngFromKey('evalx').normals(50));
    const viaEngine = await referenceEngine.train({ ...spec, evalX });
    const direct = trainCnnReference({ ...spec, evalX });
    expect(isCnn(viaEngine.final)).toBe(true);
    expect(viaEngine.records).toEqual(direct.records);
    expect(viaEngine.records[0]!.outputs).toEqual(forwardCnn(spec.net, evalX).data);
  });

  it('stops at a non-finite loss and says where', () => {
    const a: CnnCase = { side: 4, cin: 1, c1: 2, k1: 2, stride: 1, padding: 'same', pool: 'none', second: false, nOut: 1, activation: 'linear', parameterization: 'standard', loss: 'mse', n: 3, seed: 3 };
    const res = trainCnnReference(cnnSpec(a, { kind: 'sgd', lr: 1e6 }, 50));
    expect(res.divergedAt).toBeDefined();
    expect(res.records.at(-1)!.step).toBe(res.divergedAt);
    expect(Number.isFinite(res.records.at(-1)!.loss)).toBe(false);
  });
});

describe('other engines: agree with the reference on CNNs, or refuse them', () => {
  // float32: TEST_EPSILON_FLOAT32 = 1e-3 relative, as properties/engine.test.ts.
  const TOL32 = 1e-3;

  it('tfjs: random CNNs (strides, paddings, pools), both losses, every optimizer, minibatches: within float32 tolerance', async () => {
    let engine;
    try {
      engine = await engineByName('tfjs');
    } catch (e) {
      if (e instanceof MissingDependencyError) return; // the optional engine is not installed here
      throw e; // any other failure to start is a failure, never a silent skip
    }
    await fc.assert(
      fc.asyncProperty(cnnArb, optimizerArb, fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }), async (a, optimizer, batch) => {
        // Max pooling is not differentiable at ties; Adam's unit-size steps can drive a small weight through one (all
        // window values equal) within 3 steps, where float32 and float64 pick different winners: SGD/momentum there.
        fc.pre(!(a.pool === 'maxpool' && optimizer.kind === 'adam'));
        let spec: TrainSpec<Cnn>;
        try {
          spec = cnnSpec(a, optimizer, 3, batch);
        } catch {
          fc.pre(false);
          return;
        }
        const res = await engine.train(spec);
        const ref = trainCnnReference(spec);
        expect(res.records.map((r) => r.step)).toEqual(ref.records.map((r) => r.step));
        res.records.forEach((r, i) => {
          expect(maxRel(r.outputs, ref.records[i]!.outputs)).toBeLessThan(TOL32);
          expect(Math.abs(r.loss - ref.records[i]!.loss)).toBeLessThan(TOL32 * (1 + Math.abs(ref.records[i]!.loss)));
        });
        expect(maxRel(flattenCnnParams(res.final), flattenCnnParams(ref.final))).toBeLessThan(TOL32);
      }),
      { ...FC, numRuns: 12 },
    );
  });

  // onnx (float32) within TOL32; onnx-f64 computes the same float64 sums in other orders: 1e-10 relative.
  for (const [name, tol] of [['onnx', TOL32], ['onnx-f64', 1e-10]] as const) {
    it(`${name}: random CNNs (strides, paddings, pools), both losses, every optimizer, minibatches: within ${tol} of the reference`, async () => {
      let engine;
      try {
        engine = await engineByName(name);
      } catch {
        return; // the optional engine is not installed here
      }
      await fc.assert(
        fc.asyncProperty(cnnArb, optimizerArb, fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }), async (a, optimizer, batch) => {
          // As for tfjs: float32 and float64 may pick different maxima after Adam drives a window to a tie.
          fc.pre(name === 'onnx-f64' || !(a.pool === 'maxpool' && optimizer.kind === 'adam'));
          let spec: TrainSpec<Cnn>;
          try {
            spec = cnnSpec(a, optimizer, 3, batch);
          } catch {
            fc.pre(false);
            return;
          }
          const res = await engine.train(spec);
          const ref = trainCnnReference(spec);
          expect(res.divergedAt).toBe(ref.divergedAt);
          expect(res.records.map((r) => r.step)).toEqual(ref.records.map((r) => r.step));
          res.records.forEach((r, i) => {
            expect(maxRel(r.outputs, ref.records[i]!.outputs)).toBeLessThan(tol);
            expect(Math.abs(r.loss - ref.records[i]!.loss)).toBeLessThan(tol * (1 + Math.abs(ref.records[i]!.loss)));
          });
          expect(maxRel(flattenCnnParams(res.final), flattenCnnParams(ref.final))).toBeLessThan(tol);
          // The input is not modified, and the result keeps the architecture.
          expect(flattenCnnParams(res.final).length).toBe(flattenCnnParams(spec.net).length);
          expect(res.final.layers.map((l) => l.type)).toEqual(spec.net.layers.map((l) => l.type));
        }),
        { ...FC, numRuns: 25 },
      );
    });

    it(`${name}: evalX outputs, trainEnsemble (one by one) and divergence follow the reference`, async () => {
      let engine;
      try {
        engine = await engineByName(name);
      } catch {
        return;
      }
      const a: CnnCase = { side: 5, cin: 2, c1: 3, k1: 3, stride: 2, padding: 'same', pool: 'avgpool', second: true, nOut: 3, activation: 'tanh', parameterization: 'ntk', loss: 'xent', n: 4, seed: 11 };
      const spec = cnnSpec(a, { kind: 'momentum', lr: 0.05, momentum: 0.9, nesterov: true }, 4, 3);
      const evalX = mat(2, 50, rngFromKey('evalx-onnx').normals(100));
      const ref = trainCnnReference({ ...spec, evalX });
      const res = await engine.train({ ...spec, evalX });
      const [ens] = await engine.trainEnsemble!([{ ...spec, evalX } as unknown as TrainSpec]);
      for (const r of [res, ens!]) {
        expect(r.records.map((q) => q.step)).toEqual([0, 1, 2, 3, 4]);
        r.records.forEach((q, i) => expect(maxRel(q.outputs, ref.records[i]!.outputs)).toBeLessThan(tol));
        expect(isCnn(r.final)).toBe(true);
      }
      const b: CnnCase = { side: 4, cin: 1, c1: 2, k1: 2, stride: 1, padding: 'same', pool: 'none', second: false, nOut: 1, activation: 'linear', parameterization: 'standard', loss: 'mse', n: 3, seed: 3 };
      const div = await engine.train(cnnSpec(b, { kind: 'sgd', lr: 1e6 }, 50));
      expect(div.divergedAt).toBeDefined();
      expect(div.records.at(-1)!.step).toBe(div.divergedAt);
    });
  }

  it('onnx, onnx-f64: non-square inputs and kernels (3×2 stride 2 "same", 2×3 "valid"), a pool that drops a remainder', async () => {
    const rng = rngFromKey('engine-cnn/non-square');
    const net = initCnn({ activation: 'relu', parameterization: 'standard', sigmaW: 1.4, sigmaB: 0.3, input: [7, 5, 2], layers: [
      { type: 'conv', kh: 3, kw: 2, cout: 3, stride: 2, padding: 'same' },
      { type: 'avgpool', size: 2 },
      { type: 'conv', kh: 1, kw: 1, cout: 2, stride: 1, padding: 'valid' },
      { type: 'dense', nOut: 2 },
    ] }, rng);
    const spec: TrainSpec<Cnn> = { net, x: mat(3, 70, rng.normals(210)), y: mat(3, 2, rng.normals(6)), optimizer: { kind: 'adam', lr: 0.02 }, steps: 4, recordEvery: 2, batch: { size: 2, seed: 'ns' } };
    const ref = trainCnnReference(spec);
    for (const [name, tol] of [['onnx', 1e-3], ['onnx-f64', 1e-10]] as const) {
      let engine;
      try {
        engine = await engineByName(name);
      } catch {
        continue;
      }
      const res = await engine.train(spec);
      res.records.forEach((r, i) => expect(maxRel(r.outputs, ref.records[i]!.outputs), name).toBeLessThan(tol));
      expect(maxRel(flattenCnnParams(res.final), flattenCnnParams(ref.final)), name).toBeLessThan(tol);
    }
    const rng2 = rngFromKey('engine-cnn/non-square-2');
    const net2 = initCnn({ activation: 'tanh', parameterization: 'ntk', sigmaW: 1.2, sigmaB: 0.1, input: [5, 6, 1], layers: [
      { type: 'conv', kh: 2, kw: 3, cout: 2, stride: 1, padding: 'valid' },
      { type: 'maxpool', size: 2 },
      { type: 'dense', nOut: 3 },
    ] }, rng2);
    const spec2: TrainSpec<Cnn> = { net: net2, x: mat(4, 30, rng2.normals(120)), y: mat(4, 1, Float64Array.of(0, 2, 1, 2)), loss: 'xent', optimizer: { kind: 'momentum', lr: 0.05, momentum: 0.9 }, steps: 4, recordEvery: 1 };
    const ref2 = trainCnnReference(spec2);
    for (const [name, tol] of [['onnx', 1e-3], ['onnx-f64', 1e-10]] as const) {
      let engine;
      try {
        engine = await engineByName(name);
      } catch {
        continue;
      }
      expect(maxRel(flattenCnnParams((await engine.train(spec2)).final), flattenCnnParams(ref2.final)), name).toBeLessThan(tol);
    }
  });

  it('onnx, onnx-f64: max pooling sends the gradient to the first of tied maxima in (row, column) scan order, as theory/cnn.ts', async () => {
    // A 2×2 "valid" conv with equal weights on this input gives four exactly tied outputs in the pool's window, from four
    // different patches (the 1 sits top-left, top-right, bottom-left, bottom-right of each): which one wins sets ∂L/∂W.
    const x = mat(1, 16, Float64Array.from([1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0]));
    const net = initCnn({ activation: 'linear', parameterization: 'standard', sigmaW: 1, sigmaB: 0, input: [4, 4, 1], layers: [{ type: 'conv', kh: 2, kw: 2, cout: 1, stride: 1, padding: 'valid' }, { type: 'maxpool', size: 2 }, { type: 'dense', nOut: 1 }] }, rngFromKey('ties'));
    const conv = net.layers[0] as Extract<Cnn['layers'][number], { type: 'conv' }>;
    conv.W.fill(0.5);
    conv.b.fill(0);
    const spec: TrainSpec<Cnn> = { net, x, y: mat(1, 1, Float64Array.of(3)), optimizer: { kind: 'sgd', lr: 0.1 }, steps: 1, recordEvery: 1 };
    const ref = trainCnnReference(spec);
    // The first maximum's patch is [1, 0, 0, 0]: only W[0,0] moves.
    const moved = Array.from(flattenCnnParams(ref.final).subarray(0, 4), (v) => v !== 0.5);
    expect(moved).toEqual([true, false, false, false]);
    for (const name of ['onnx', 'onnx-f64']) {
      let engine;
      try {
        engine = await engineByName(name);
      } catch {
        continue;
      }
      const res = await engine.train(spec);
      expect(maxRel(flattenCnnParams(res.final), flattenCnnParams(ref.final))).toBeLessThan(1e-6);
    }
  });

  it('onnx-f64: an erf CNN is refused with a clear error (onnxruntime has no float64 Erf kernel), never trained in float32', async () => {
    let engine;
    try {
      engine = await engineByName('onnx-f64');
    } catch {
      return;
    }
    const a: CnnCase = { side: 4, cin: 1, c1: 2, k1: 2, stride: 1, padding: 'same', pool: 'none', second: false, nOut: 2, activation: 'tanh', parameterization: 'ntk', loss: 'mse', n: 3, seed: 5 };
    const spec = cnnSpec(a, { kind: 'sgd', lr: 0.05 }, 2);
    await expect((async () => engine.train({ ...spec, net: { ...spec.net, activation: 'erf' } }))()).rejects.toThrow(/no float64 Erf kernel/);
  });
});
