// Minibatch SGD in the linearization experiments (experiments/linearization/optim-run.ts, linearization.minibatch):
// the network side equals the float64 reference engine trained on the same seeded batches, the linearized side equals
// the linear model f0 + J·ω trained in parameter space on the same batches, and the stepper's row subsets equal
// theory/mlp.ts on the gathered rows. The claim's verdicts are asserted with the family's in properties/linearization.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchSchedule, gatherRows } from '../core/engine/batches.ts';
import { makeOptimizer, trainReference } from '../core/engine/reference.ts';
import { rngFromKey } from '../core/rng.ts';
import { batchLossGrad, makeOptimData, oneHiddenLayerStepper, runOptimWide, trainLinearization, type OptimRunConfig } from '../experiments/linearization/optim-run.ts';
import { lossAndGrad } from '../theory/loss.ts';
import { backward, cloneMlp, flattenGrads, forward, forwardTrace, initMlp, mat, type Mat, type Mlp } from '../theory/mlp.ts';
import { FC } from './helpers.ts';

const FEW = { ...FC, numRuns: 25 } as const;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
const maxAbs = (a: ArrayLike<number>) => Math.max(0, ...Array.from(a, Math.abs));

/** J: (rows·k)×P, row (i, j) = ∇θ f_j(x_i), one backward pass per output entry. */
function jacobian(net: Mlp, X: Mat): Mat {
  const k = net.layers.at(-1)!.nOut;
  const out: Float64Array[] = [];
  for (let i = 0; i < X.rows; i++) {
    const tr = forwardTrace(net, mat(1, X.cols, X.data.slice(i * X.cols, (i + 1) * X.cols)));
    for (let j = 0; j < k; j++) {
      const e = new Float64Array(k);
      e[j] = 1;
      out.push(flattenGrads(backward(net, tr, mat(1, k, e)).grads));
    }
  }
  const P = out[0]!.length;
  const data = new Float64Array(out.length * P);
  out.forEach((r, q) => data.set(r, q * P));
  return mat(out.length, P, data);
}

const setting = fc.record({
  loss: fc.constantFrom<'mse' | 'xent'>('mse', 'xent'),
  d: fc.integer({ min: 1, max: 5 }),
  w: fc.integer({ min: 1, max: 6 }),
  n: fc.integer({ min: 1, max: 7 }),
  size: fc.integer({ min: 1, max: 8 }),
  steps: fc.integer({ min: 1, max: 9 }),
  seed: fc.nat(1e6),
});

describe('minibatch SGD in optim-run.ts', () => {
  it('oneHiddenLayerStepper on a row subset equals theory/mlp.ts forwardTrace and backward on the gathered rows', () => {
    fc.assert(
      fc.property(setting, fc.integer({ min: 1, max: 3 }), ({ d, w, n, seed }, k) => {
        const rng = rngFromKey(`stepper-rows/${seed}`);
        const net = initMlp([d, w, k], { activation: 'tanh', parameterization: 'ntk', sigmaW: 1.5, sigmaB: 0.3 }, rng);
        const X = mat(n, d, rng.normals(n * d));
        const rows = rng.shuffle(Array.from({ length: n }, (_, i) => i)).slice(0, 1 + rng.int(n));
        const eB = rng.normals(rows.length * k);
        const e = new Float64Array(n * k);
        rows.forEach((r, i) => e.set(eB.subarray(i * k, (i + 1) * k), r * k));
        const s = oneHiddenLayerStepper(net, X);
        const f = s.outputs(rows);
        const tr = forwardTrace(net, gatherRows(X, rows));
        const want = tr.pre.at(-1)!.data;
        rows.forEach((r, i) => expect(maxAbsDiff(f.subarray(r * k, (r + 1) * k), want.subarray(i * k, (i + 1) * k))).toBeLessThan(1e-12));
        const wantG = flattenGrads(backward(net, tr, mat(rows.length, k, eB)).grads);
        const got = Float64Array.from(s.grads(e, rows).flatMap((g) => Array.from(g)));
        expect(maxAbsDiff(got, wantG)).toBeLessThan(1e-12 * (1 + maxAbs(wantG)));
      }),
      FEW,
    );
  });

  it('at α = 1 the network trained on minibatches is the reference engine trained on the same batches (same final parameters and loss)', () => {
    fc.assert(
      fc.property(setting, ({ loss, d, w, n, size, steps, seed }) => {
        const rng = rngFromKey(`minibatch-engine/${seed}`);
        const data = makeOptimData(rng, d, n, 2, loss);
        const net = initMlp([d, w, data.k], { activation: 'tanh', parameterization: 'ntk', sigmaW: 1.5, sigmaB: 0.1 }, rng);
        const batch = { size, seed: `b/${seed}` };
        const eta = 0.3;
        const ref = trainReference({ net, x: data.X, y: data.Y, loss, optimizer: { kind: 'sgd', lr: eta }, batch, steps, recordEvery: steps });
        const mine = cloneMlp(net);
        const r = runOptimWide({ loss, optimizer: { kind: 'sgd' }, eta, steps, recordEvery: 3, alpha: 1, batch }, data, mine);
        const a = mine.layers.flatMap((l) => [...l.W, ...l.b]);
        const b = ref.final.layers.flatMap((l) => [...l.W, ...l.b]);
        expect(maxAbsDiff(a, b)).toBeLessThan(1e-12 * (1 + maxAbs(b)));
        expect(Math.abs(r.lossEnd - ref.records.at(-1)!.loss)).toBeLessThan(1e-12 * (1 + ref.records.at(-1)!.loss));
      }),
      FEW,
    );
  });

  it('the linearization trained on minibatches equals f0 + J·ω with ω trained by SGD on the same batches in parameter space (any α)', () => {
    fc.assert(
      fc.property(setting, fc.constantFrom(1, 0.5), ({ loss, d, w, n, size, steps, seed }, alpha) => {
        const rng = rngFromKey(`minibatch-linear/${seed}`);
        const data = makeOptimData(rng, d, n, 3, loss);
        const net = initMlp([d, w, data.k], { activation: 'tanh', parameterization: 'ntk', sigmaW: 1.5, sigmaB: 0.1 }, rng);
        const cfg: OptimRunConfig = { loss, optimizer: { kind: 'sgd' }, eta: 0.2, steps, recordEvery: steps, alpha, batch: { size, seed: `lin/${seed}` } };
        const got = trainLinearization(cfg, data, net, (t) => t === steps).get(steps)!;
        const J = jacobian(net, data.X);
        const Jt = jacobian(net, data.Xtest);
        const f0 = forward(net, data.X).data;
        const f0t = forward(net, data.Xtest).data;
        const omega = new Float64Array(J.cols);
        const step = makeOptimizer({ kind: 'sgd', lr: cfg.eta / (alpha * alpha) }, [omega]);
        const lin = (A: Mat, f0v: Float64Array) => f0v.map((v, r) => v + A.data.subarray(r * A.cols, (r + 1) * A.cols).reduce((s, x, q) => s + x * omega[q]!, 0));
        const rowsAt = batchSchedule(n, cfg.batch!);
        for (let t = 0; t < steps; t++) {
          // ∂L/∂f of the batch loss in g = α·f, written out here from theory/loss.ts (an independent path from batchLossGrad).
          const f = lin(J, f0);
          const rows = rowsAt(t);
          const fb = mat(rows.length, data.k, Float64Array.from(rows.flatMap((r) => Array.from(f.subarray(r * data.k, (r + 1) * data.k), (v) => alpha * v))));
          const dOut = lossAndGrad(loss, fb, gatherRows(data.Y, rows)).dOut.data;
          const g = new Float64Array(J.cols);
          rows.forEach((r, i) => {
            for (let c = 0; c < data.k; c++) for (let q = 0; q < J.cols; q++) g[q]! += J.data[(r * data.k + c) * J.cols + q]! * alpha * dOut[i * data.k + c]!;
          });
          step([g]);
        }
        const wantF = lin(J, f0);
        const wantT = lin(Jt, f0t);
        const scale = 1 + maxAbs(wantF) + maxAbs(wantT);
        expect(maxAbsDiff(got.f, wantF)).toBeLessThan(1e-10 * scale);
        expect(maxAbsDiff(got.fTest, wantT)).toBeLessThan(1e-10 * scale);
      }),
      FEW,
    );
  });

  it('batchLossGrad is the loss on the batch rows, its gradient scattered to those rows and zero elsewhere', () => {
    const rng = rngFromKey('batch-loss-grad');
    const data = makeOptimData(rng, 3, 6, 1, 'mse');
    const f = rng.normals(6);
    const { loss, dLdf } = batchLossGrad('mse', f, data.Y, 1, 2, [4, 1]);
    const r4 = 2 * f[4]! - data.Y.data[4]!;
    const r1 = 2 * f[1]! - data.Y.data[1]!;
    expect(loss).toBeCloseTo((r4 * r4 + r1 * r1) / 4, 14);
    expect(Array.from(dLdf)).toEqual([0, (2 * r1) / 2, 0, 0, (2 * r4) / 2, 0]);
  });
});
