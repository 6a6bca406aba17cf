// Shared by the claims that compare trained networks with infinite-width kernel predictions: one hidden layer in the
// NTK parameterization, full-batch GD on (1/2n)‖f − y‖² in float64 (wide-run.ts twoLayerStepper), outputs recorded at
// checkpoints on the training and test points; and the analytic kernels over [test points; training points].
import type { Mat, Mlp } from '../../theory/mlp.ts';
import { analyticKernels, type AnalyticActivation } from '../../theory/ntk-analytic.ts';
import { twoLayerStepper, type WideData } from './wide-run.ts';

export interface TrainedTrace {
  /** Checkpoint steps (ascending), and outputs at each: train[τ] (n entries), test[τ] (m entries). */
  t: number[];
  train: Float64Array[];
  test: Float64Array[];
  /** (1/2n)‖f − y‖² at step 0 and at the last step. */
  loss0: number;
  lossEnd: number;
  /** Step at which the loss became non-finite, or null. */
  divergedAt: number | null;
}

/** Trains `net` in place by GD with step η for max(checkpoints) steps, recording outputs at each checkpoint. */
export function trainAndRecord(net: Mlp, data: WideData, eta: number, checkpoints: readonly number[]): TrainedTrace {
  const n = data.X.rows;
  const steps = Math.max(...checkpoints);
  const want = new Set(checkpoints);
  const out: TrainedTrace = { t: [], train: [], test: [], loss0: NaN, lossEnd: NaN, divergedAt: null };
  const stepper = twoLayerStepper(net, data.X, data.Xtest);
  for (let t = 0; t <= steps; t++) {
    const f = stepper.outputs();
    let loss = 0;
    for (let i = 0; i < n; i++) loss += (f[i]! - data.Y[i]!) ** 2;
    loss /= 2 * n;
    if (!Number.isFinite(loss)) {
      out.divergedAt = t;
      break;
    }
    if (t === 0) out.loss0 = loss;
    out.lossEnd = loss;
    if (want.has(t)) {
      out.t.push(t);
      out.train.push(f.slice());
      out.test.push(stepper.evalOutputs().slice()); // forward(net, Xtest)
    }
    if (t === steps) break;
    stepper.gdStep(data.Y, eta);
  }
  return out;
}

/** [A; B]: the rows of A, then those of B. */
export function stackRows(A: Mat, B: Mat): Mat {
  if (A.cols !== B.cols) throw new Error(`stackRows: ${A.cols} ≠ ${B.cols} columns`);
  const data = new Float64Array((A.rows + B.rows) * A.cols);
  data.set(A.data, 0);
  data.set(B.data, A.data.length);
  return { rows: A.rows + B.rows, cols: A.cols, data };
}

/** Analytic NNGP and NTK of a 1-hidden-layer network over [test points; training points] (test points first). */
export function kernelsTestFirst(data: WideData, spec: { activation: AnalyticActivation; sigmaW: number; sigmaB: number }): { nngp: Mat; ntk: Mat } {
  return analyticKernels({ ...spec, depth: 1 }, stackRows(data.Xtest, data.X));
}
