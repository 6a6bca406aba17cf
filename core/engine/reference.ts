// The float64 reference engine over theory/mlp.ts (its kernels and the optimizers run in WebAssembly, each sum in the
// plain definition's order). Exact; other engines are checked against it.
import { backward, backwardInto, cloneMlp, forward, forwardInto, forwardTrace, makeWorkspace, mat, type Mat, type Mlp } from '../../theory/mlp.ts';
import { Arena } from '../wasm/runtime.ts';
import { lossAndGrad, type LossAndGrad } from '../../theory/loss.ts';
import { backwardCnn, cloneCnn, cnnTrace, forwardCnn, isParamLayer, type Cnn } from '../../theory/cnn.ts';
import { batchSchedule, gatherRows } from './batches.ts';
import { isCnn, type Engine, type Net, type OptimizerSpec, type TrainRecord, type TrainResult, type TrainSpec } from './types.ts';

/** The optimizer kernels of core/wasm/mlp.wat (pointers are byte offsets into the arena). */
interface OptimizerKernels {
  mlp_sgd(p: number, g: number, n: number, lr: number): void;
  mlp_momentum(p: number, g: number, a: number, n: number, lr: number, mu: number, nesterov: number): void;
  mlp_adam(p: number, g: number, m: number, v: number, n: number, b1: number, a1: number, b2: number, a2: number, c1: number, c2: number, lr: number, eps: number): void;
}

/**
 * The lengths of the f64 arrays makeOptimizer takes from an arena that already holds parameters of these lengths
 * (per parameter array: its state, and room for a copy of a gradient that lives elsewhere); `withParams` adds room
 * for working copies of the parameters (its own arena).
 */
export function optimizerArenaSizes(spec: OptimizerSpec, lengths: readonly number[], withParams = false): number[] {
  const per = (spec.kind === 'adam' ? 2 : spec.kind === 'momentum' ? 1 : 0) + 1 + (withParams ? 1 : 0);
  return lengths.flatMap((n) => new Array<number>(per).fill(n));
}

/**
 * A stateful optimizer over a list of parameter arrays, updated in wasm (core/wasm/mlp.wat, elementwise, the same
 * operations in the same order as the formulas). Adam follows Kingma & Ba (2015), Algorithm 1:
 * m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g·g, θ ← θ − (η·(m/(1−β1^t)))/(√(v/(1−β2^t)) + ε). Momentum follows
 * PyTorch's torch.optim.SGD with dampening 0 and TensorFlow's MomentumOptimizer (tf.train.momentum in TensorFlow.js,
 * momentum_optimizer.ts): a ← μ·a + g; heavy ball θ ← θ − η·a; Nesterov θ ← θ − η·(g + μ·a). SGD: θ ← θ − η·g.
 * With `arena` holding the parameters (and room for optimizerArenaSizes), the state lives there and the parameters
 * are updated in place; otherwise the optimizer keeps its own arena and copies the parameters in and out each step.
 */
export function makeOptimizer(spec: OptimizerSpec, params: Float64Array[], arena?: Arena): (grads: Float64Array[]) => void {
  const lengths = params.map((p) => p.length);
  const shared = arena !== undefined && params.every((p) => arena.owns(p));
  const A = shared ? arena : Arena.forSizes(optimizerArenaSizes(spec, lengths, true));
  const k = A.k as unknown as OptimizerKernels;
  const work = shared ? params : params.map((p) => A.f64(p.length));
  const gRoom = params.map((p) => A.f64(p.length));
  const s1 = spec.kind === 'sgd' ? [] : params.map((p) => A.f64(p.length)); // Adam's m, momentum's a
  const s2 = spec.kind === 'adam' ? params.map((p) => A.f64(p.length)) : []; // Adam's v
  const b1 = spec.kind === 'adam' ? (spec.beta1 ?? 0.9) : 0;
  const b2 = spec.kind === 'adam' ? (spec.beta2 ?? 0.999) : 0;
  const eps = spec.kind === 'adam' ? (spec.epsilon ?? 1e-7) : 0; // TensorFlow.js's default, so engines agree
  let t = 0;
  return (grads) => {
    t++;
    const c1 = 1 - b1 ** t;
    const c2 = 1 - b2 ** t;
    for (let i = 0; i < params.length; i++) {
      const w = work[i]!;
      if (!shared) w.set(params[i]!);
      const g = grads[i]!;
      const gp = A.owns(g) ? A.ptr(g) : (gRoom[i]!.set(g), A.ptr(gRoom[i]!));
      const n = w.length;
      if (spec.kind === 'sgd') k.mlp_sgd(A.ptr(w), gp, n, spec.lr);
      else if (spec.kind === 'momentum') k.mlp_momentum(A.ptr(w), gp, A.ptr(s1[i]!), n, spec.lr, spec.momentum, spec.nesterov ? 1 : 0);
      else k.mlp_adam(A.ptr(w), gp, A.ptr(s1[i]!), A.ptr(s2[i]!), n, b1, 1 - b1, b2, 1 - b2, c1, c2, spec.lr, eps);
      if (!shared) params[i]!.set(w);
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
  // One workspace (one wasm arena) for the whole run holds the parameters, the optimizer's state, the inputs and every
  // buffer of the forward and backward passes, so a full-batch step copies and allocates nothing (a minibatch step
  // goes through the allocating forwardTrace/backward on its rows).
  const ws = makeWorkspace(net, spec.x.rows, { extra: optimizerArenaSizes(spec.optimizer, net.layers.flatMap((l) => [l.W.length, l.b.length])) });
  net.layers.forEach((l, i) => {
    ws.W[i]!.set(l.W);
    l.W = ws.W[i]!;
    ws.b[i]!.set(l.b);
    l.b = ws.b[i]!;
  });
  ws.x.set(spec.x.data);
  const x = mat(spec.x.rows, spec.x.cols, ws.x);
  const params = net.layers.flatMap((l) => [l.W, l.b]);
  const step = makeOptimizer(spec.optimizer, params, ws.arena);
  const gradList = ws.grads.flatMap((g) => [g.W, g.b]);
  const rowsAt = spec.batch ? batchSchedule(spec.x.rows, spec.batch) : undefined;
  const records: TrainRecord[] = [];
  const evalSame = spec.evalX === undefined;
  for (let t = 0; t <= spec.steps; t++) {
    const trace = forwardInto(net, x, ws);
    const f = trace.pre[trace.pre.length - 1]!;
    const { loss, dOut } = trainLoss(spec, f, spec.y); // on the full set, also with minibatches
    const last = t === spec.steps;
    if (t % spec.recordEvery === 0 || last || !Number.isFinite(loss)) {
      const outputs = evalSame ? f.data.slice() : forward(net, spec.evalX!).data;
      records.push({ step: t, loss, outputs });
    }
    if (!Number.isFinite(loss)) return { records, final: cloneMlp(net), divergedAt: t };
    if (last) break;
    if (rowsAt) {
      step(batchGrads(net, spec, rowsAt(t)).grads.flatMap((g) => [g.W, g.b]));
    } else {
      backwardInto(net, trace, dOut, ws);
      step(gradList);
    }
  }
  return { records, final: cloneMlp(net) }; // plain arrays, not views of the arena
}

/**
 * trainReference for cnn-v1 networks (theory/cnn.ts cnnTrace/backwardCnn): the same loop, losses, optimizers,
 * minibatches and records as for mlp-v1; parameters are the conv and dense layers' W and b (pools have none).
 */
function trainReferenceCnn(spec: TrainSpec<Cnn>): TrainResult<Cnn> {
  const net = cloneCnn(spec.net);
  const params = net.layers.filter(isParamLayer).flatMap((l) => [l.W, l.b]);
  const step = makeOptimizer(spec.optimizer, params);
  const rowsAt = spec.batch ? batchSchedule(spec.x.rows, spec.batch) : undefined;
  const records: TrainRecord[] = [];
  for (let t = 0; t <= spec.steps; t++) {
    const trace = cnnTrace(net, spec.x);
    const f = trace.pre.at(-1)!;
    const { loss, dOut } = trainLoss(spec, f, spec.y); // on the full set, also with minibatches
    const last = t === spec.steps;
    if (t % spec.recordEvery === 0 || last || !Number.isFinite(loss)) {
      records.push({ step: t, loss, outputs: spec.evalX ? forwardCnn(net, spec.evalX).data : f.data.slice() });
    }
    if (!Number.isFinite(loss)) return { records, final: net, divergedAt: t };
    if (last) break;
    let grads;
    if (rowsAt) {
      const rows = rowsAt(t);
      const tb = cnnTrace(net, gatherRows(spec.x, rows));
      grads = backwardCnn(net, tb, trainLoss(spec, tb.pre.at(-1)!, gatherRows(spec.y, rows)).dOut).grads;
    } else grads = backwardCnn(net, trace, dOut).grads;
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
