// The float64 reference engine: plain loops over theory/mlp.ts. Slow but exact; other engines are checked against it.
import { backward, backwardInto, cloneMlp, forwardInto, forwardTrace, makeWorkspace, type Mat, type Mlp } from '../../theory/mlp.ts';
import { lossAndGrad, type LossAndGrad } from '../../theory/loss.ts';
import { cloneCnn, CnnWorkspace, isParamLayer, type Cnn } from '../../theory/cnn.ts';
import { batchSchedule, gatherRows } from './batches.ts';
import { isCnn, type Engine, type Net, type OptimizerSpec, type TrainRecord, type TrainResult, type TrainSpec } from './types.ts';

/**
 * A stateful optimizer over a list of parameter arrays. Adam follows Kingma & Ba (2015), Algorithm 1. Momentum
 * follows PyTorch's torch.optim.SGD with dampening 0 and TensorFlow's MomentumOptimizer (tf.train.momentum in
 * TensorFlow.js, momentum_optimizer.ts): a ← μ·a + g; heavy ball θ ← θ − η·a; Nesterov θ ← θ − η·(g + μ·a).
 */
export function makeOptimizer(spec: OptimizerSpec, params: Float64Array[]): (grads: Float64Array[]) => void {
  if (spec.kind === 'sgd') {
    return (grads) => {
      params.forEach((p, i) => {
        const g = grads[i]!;
        for (let q = 0; q < p.length; q++) p[q]! -= spec.lr * g[q]!;
      });
    };
  }
  if (spec.kind === 'momentum') {
    const mu = spec.momentum;
    const acc = params.map((p) => new Float64Array(p.length));
    return (grads) => {
      params.forEach((p, i) => {
        const g = grads[i]!;
        const a = acc[i]!;
        for (let q = 0; q < p.length; q++) {
          a[q] = mu * a[q]! + g[q]!;
          p[q]! -= spec.lr * (spec.nesterov ? g[q]! + mu * a[q]! : a[q]!);
        }
      });
    };
  }
  const b1 = spec.beta1 ?? 0.9;
  const b2 = spec.beta2 ?? 0.999;
  const eps = spec.epsilon ?? 1e-7; // TensorFlow.js's default, so engines agree
  const m = params.map((p) => new Float64Array(p.length));
  const v = params.map((p) => new Float64Array(p.length));
  let t = 0;
  const lr = spec.lr;
  const a1 = 1 - b1;
  const a2 = 1 - b2;
  return (grads) => {
    t++;
    const c1 = 1 - b1 ** t;
    const c2 = 1 - b2 ** t;
    // Plain loops with the constants hoisted (the same operations in the same order as the formula).
    for (let i = 0; i < params.length; i++) {
      const p = params[i]!;
      const g = grads[i]!;
      const mi = m[i]!;
      const vi = v[i]!;
      for (let q = 0; q < p.length; q++) {
        const gq = g[q]!;
        const mq = b1 * mi[q]! + a1 * gq;
        const vq = b2 * vi[q]! + a2 * gq * gq;
        mi[q] = mq;
        vi[q] = vq;
        p[q] = p[q]! - (lr * (mq / c1)) / (Math.sqrt(vq / c2) + eps);
      }
    }
  };
}

/** The spec's training loss (default mse) and ∂L/∂f at outputs f on targets y (the full set, or a batch's rows). */
export function trainLoss(spec: Pick<TrainSpec, 'loss'>, f: Mat, y: Mat): LossAndGrad {
  return lossAndGrad(spec.loss ?? 'mse', f, y);
}

/** Gradients of the loss on the rows of one minibatch (TrainSpec.batch), averaged over those rows. */
function batchGrads(net: Mlp, spec: Pick<TrainSpec<Net>, 'x' | 'y' | 'loss'>, rows: number[]) {
  const trace = forwardTrace(net, gatherRows(spec.x, rows));
  const { dOut } = trainLoss(spec, trace.pre.at(-1)!, gatherRows(spec.y, rows));
  return backward(net, trace, dOut);
}

export function trainReference(spec: TrainSpec): TrainResult;
export function trainReference(spec: TrainSpec<Cnn>): TrainResult<Cnn>;
export function trainReference(spec: TrainSpec<Net>): TrainResult<Net>;
export function trainReference(spec: TrainSpec<Net>): TrainResult<Net> {
  if (isCnn(spec.net)) return trainReferenceCnn(spec as TrainSpec<Cnn>);
  const net: Mlp = cloneMlp(spec.net);
  const params = net.layers.flatMap((l) => [l.W, l.b]);
  const step = makeOptimizer(spec.optimizer, params);
  // One workspace for the whole run: the forward and backward passes write into it, so no full-batch step allocates
  // matrices (a minibatch step goes through the allocating forwardTrace/backward on its rows).
  const ws = makeWorkspace(net, spec.x.rows);
  const gradList = ws.grads.flatMap((g) => [g.W, g.b]);
  const rowsAt = spec.batch ? batchSchedule(spec.x.rows, spec.batch) : undefined;
  const records: TrainRecord[] = [];
  const evalSame = spec.evalX === undefined;
  for (let t = 0; t <= spec.steps; t++) {
    const trace = forwardInto(net, spec.x, ws);
    const f = trace.pre[trace.pre.length - 1]!;
    const { loss, dOut } = trainLoss(spec, f, spec.y); // on the full set, also with minibatches
    const last = t === spec.steps;
    if (t % spec.recordEvery === 0 || last || !Number.isFinite(loss)) {
      const outputs = evalSame ? f.data.slice() : forwardTrace(net, spec.evalX!).pre.at(-1)!.data;
      records.push({ step: t, loss, outputs });
    }
    if (!Number.isFinite(loss)) return { records, final: net, divergedAt: t };
    if (last) break;
    if (rowsAt) {
      step(batchGrads(net, spec, rowsAt(t)).grads.flatMap((g) => [g.W, g.b]));
    } else {
      backwardInto(net, trace, dOut, ws);
      step(gradList);
    }
  }
  return { records, final: net };
}

/**
 * trainReference for cnn-v1 networks (theory/cnn.ts CnnWorkspace, WebAssembly kernels): the same loop, losses, optimizers,
 * minibatches and records as for mlp-v1; parameters are the conv and dense layers' W and b (pools have none).
 */
function trainReferenceCnn(spec: TrainSpec<Cnn>): TrainResult<Cnn> {
  const net = cloneCnn(spec.net);
  const params = net.layers.filter(isParamLayer).flatMap((l) => [l.W, l.b]);
  const step = makeOptimizer(spec.optimizer, params);
  const rowsAt = spec.batch ? batchSchedule(spec.x.rows, spec.batch) : undefined;
  const records: TrainRecord[] = [];
  // One WebAssembly workspace per batch size for the whole run (theory/cnn.ts CnnWorkspace): no step allocates.
  const ws = new CnnWorkspace(net, spec.x.rows);
  const batchWs = new Map<number, CnnWorkspace>();
  const evalWs = spec.evalX ? new CnnWorkspace(net, spec.evalX.rows, { backward: false }) : undefined;
  for (let t = 0; t <= spec.steps; t++) {
    const trace = ws.forward(net, spec.x);
    const f = trace.pre.at(-1)!;
    const { loss, dOut } = trainLoss(spec, f, spec.y); // on the full set, also with minibatches
    const last = t === spec.steps;
    if (t % spec.recordEvery === 0 || last || !Number.isFinite(loss)) {
      records.push({ step: t, loss, outputs: (evalWs ? evalWs.forward(net, spec.evalX!).pre.at(-1)! : f).data.slice() });
    }
    if (!Number.isFinite(loss)) return { records, final: net, divergedAt: t };
    if (last) break;
    let grads;
    if (rowsAt) {
      const rows = rowsAt(t);
      let wb = batchWs.get(rows.length);
      if (!wb) batchWs.set(rows.length, (wb = new CnnWorkspace(net, rows.length)));
      const tb = wb.forward(net, gatherRows(spec.x, rows));
      grads = wb.backward(net, tb, trainLoss(spec, tb.pre.at(-1)!, gatherRows(spec.y, rows)).dOut).grads;
    } else grads = ws.backward(net, trace, dOut).grads;
    step(grads.flatMap((g) => (g ? [g.W, g.b] : [])));
  }
  return { records, final: net };
}

export const referenceEngine: Engine = {
  name: 'reference',
  backend: 'js-float64',
  precision: 'float64',
  train: (async (spec: TrainSpec<Net>) => trainReference(spec)) as Engine['train'],
};
