// CNNs (cnn-v1, theory/cnn.ts) in the training engines: the float64 reference loop, and the guard every engine uses to
// tell a CNN spec from an MLP one. The loop has trainReference's shape (core/engine/reference.ts): record on the full
// training set before each update, stop at a non-finite loss, then one optimizer step on the full set or a minibatch.
import { backwardCnn, cloneCnn, cnnTrace, forwardCnn, isParamLayer, type Cnn, type CnnGrad } from '../../theory/cnn.ts';
import type { Mat } from '../../theory/mlp.ts';
import { batchSchedule, gatherRows } from './batches.ts';
import { makeOptimizer, trainLoss } from './reference.ts';
import type { Net, TrainRecord, TrainResult, TrainSpec } from './types.ts';

/** A cnn-v1 network (it has an input shape); an mlp-v1 network has none. */
export function isCnn(net: Net): net is Cnn {
  return (net as Partial<Cnn>).input !== undefined;
}

/** The error an engine without CNN support throws, so a CNN spec is never trained as something else. */
export function cnnUnsupported(engine: string): Error {
  return new Error(`engine ${engine}: convolutional networks (cnn-v1) are not supported by this engine; use DLCLAIMS_ENGINE=reference or tfjs`);
}

/** W and b of every conv and dense layer, in flattenCnnParams's order: the arrays the optimizer updates in place. */
export function cnnParamArrays(net: Cnn): Float64Array[] {
  return net.layers.flatMap((l) => (isParamLayer(l) ? [l.W, l.b] : []));
}

function gradArrays(grads: readonly (CnnGrad | null)[]): Float64Array[] {
  return grads.flatMap((g) => (g ? [g.W, g.b] : []));
}

/** Float64 training of a CNN through theory/cnn.ts; optimizers, losses and minibatches as for MLPs (types.ts). */
export function trainCnnReference(spec: TrainSpec<Cnn>): TrainResult<Cnn> {
  const net = cloneCnn(spec.net);
  const step = makeOptimizer(spec.optimizer, cnnParamArrays(net));
  const rowsAt = spec.batch ? batchSchedule(spec.x.rows, spec.batch) : undefined;
  const records: TrainRecord[] = [];
  for (let t = 0; t <= spec.steps; t++) {
    const trace = cnnTrace(net, spec.x);
    const f: Mat = trace.pre.at(-1)!;
    const { loss, dOut } = trainLoss(spec, f, spec.y); // on the full set, also with minibatches
    const last = t === spec.steps;
    if (t % spec.recordEvery === 0 || last || !Number.isFinite(loss)) {
      const outputs = spec.evalX === undefined ? f.data.slice() : forwardCnn(net, spec.evalX).data;
      records.push({ step: t, loss, outputs });
    }
    if (!Number.isFinite(loss)) return { records, final: net, divergedAt: t };
    if (last) break;
    let grads;
    if (rowsAt) {
      const rows = rowsAt(t);
      const bt = cnnTrace(net, gatherRows(spec.x, rows));
      grads = backwardCnn(net, bt, trainLoss(spec, bt.pre.at(-1)!, gatherRows(spec.y, rows)).dOut).grads;
    } else grads = backwardCnn(net, trace, dOut).grads;
    step(gradArrays(grads));
  }
  return { records, final: net };
}
