// The float64 reference engine: plain loops over theory/mlp.ts. Slow but exact; other engines are checked against it.
import { backwardInto, cloneMlp, forwardInto, forwardTrace, makeWorkspace, type Mat, type Mlp } from '../../theory/mlp.ts';
import type { Engine, OptimizerSpec, TrainRecord, TrainResult, TrainSpec } from './types.ts';

/** A stateful optimizer over a list of parameter arrays. Adam follows Kingma & Ba (2015), Algorithm 1. */
export function makeOptimizer(spec: OptimizerSpec, params: Float64Array[]): (grads: Float64Array[]) => void {
  if (spec.kind === 'sgd') {
    return (grads) => {
      params.forEach((p, i) => {
        const g = grads[i]!;
        for (let q = 0; q < p.length; q++) p[q]! -= spec.lr * g[q]!;
      });
    };
  }
  const b1 = spec.beta1 ?? 0.9;
  const b2 = spec.beta2 ?? 0.999;
  const eps = spec.epsilon ?? 1e-7; // TensorFlow.js's default, so engines agree
  const m = params.map((p) => new Float64Array(p.length));
  const v = params.map((p) => new Float64Array(p.length));
  let t = 0;
  return (grads) => {
    t++;
    const c1 = 1 - b1 ** t;
    const c2 = 1 - b2 ** t;
    params.forEach((p, i) => {
      const g = grads[i]!;
      const mi = m[i]!;
      const vi = v[i]!;
      for (let q = 0; q < p.length; q++) {
        mi[q] = b1 * mi[q]! + (1 - b1) * g[q]!;
        vi[q] = b2 * vi[q]! + (1 - b2) * g[q]! * g[q]!;
        p[q]! -= (spec.lr * (mi[q]! / c1)) / (Math.sqrt(vi[q]! / c2) + eps);
      }
    });
  };
}

/** Loss and ∂L/∂f for L = (1/2n)·Σ||f − y||². */
export function mseResidual(f: Mat, y: Mat): { loss: number; dOut: Mat } {
  const n = f.rows;
  const d = new Float64Array(f.data.length);
  let loss = 0;
  for (let q = 0; q < d.length; q++) {
    const r = f.data[q]! - y.data[q]!;
    loss += r * r;
    d[q] = r / n;
  }
  return { loss: loss / (2 * n), dOut: { rows: f.rows, cols: f.cols, data: d } };
}

export function trainReference(spec: TrainSpec): TrainResult {
  const net: Mlp = cloneMlp(spec.net);
  const params = net.layers.flatMap((l) => [l.W, l.b]);
  const step = makeOptimizer(spec.optimizer, params);
  // One workspace for the whole run: the forward and backward passes write into it, so no step allocates matrices.
  const ws = makeWorkspace(net, spec.x.rows);
  const gradList = ws.grads.flatMap((g) => [g.W, g.b]);
  const records: TrainRecord[] = [];
  const evalSame = spec.evalX === undefined;
  for (let t = 0; t <= spec.steps; t++) {
    const trace = forwardInto(net, spec.x, ws);
    const f = trace.pre[trace.pre.length - 1]!;
    const { loss, dOut } = mseResidual(f, spec.y);
    const last = t === spec.steps;
    if (t % spec.recordEvery === 0 || last || !Number.isFinite(loss)) {
      const outputs = evalSame ? f.data.slice() : forwardTrace(net, spec.evalX!).pre.at(-1)!.data;
      records.push({ step: t, loss, outputs });
    }
    if (!Number.isFinite(loss)) return { records, final: net, divergedAt: t };
    if (last) break;
    backwardInto(net, trace, dOut, ws);
    step(gradList);
  }
  return { records, final: net };
}

export const referenceEngine: Engine = {
  name: 'reference',
  backend: 'js-float64',
  precision: 'float64',
  train: async (spec) => trainReference(spec),
};
