// The ONNX Runtime engine: the measured fast path on CPU machines (DESIGN.md "Facts measured on this machine").
// One training step = one session.run of the graph from onnx-graph.ts; parameters and Adam state travel between
// steps as tensors. Sessions run with a fixed number of intra-op threads (default 1, DLCLAIMS_THREADS=1|2) and
// sequential execution, so the same inputs give the same bits.
// cnn-v1 networks train through onnx-cnn-graph.ts (trainCnnOnnx, K = 1; an ensemble of CNNs trains one by one). Its
// ops (Gather, MatMul, ScatterElements, ReduceMax, ArgMax) all have float64 CPU kernels, so onnx-f64 trains CNNs too
// (erf excepted, as for MLPs). onnx-cuda still refuses CNNs (untested provider; ScatterElements 'add' may use atomics).
// Measured here (2-core machine, load ≈3.5): a 28×28 two-conv CNN (16 channels), n = 512, 20 minibatch steps of 64:
// reference 28.0 s, onnx 4.8 s, onnx-f64 5.2 s (sessions built beforehand).
import ort from 'onnxruntime-node';
import { EnvironmentError } from '../errors.ts';
import { trainLoss } from './reference.ts';
import { batchSchedule } from './batches.ts';
import { buildForwardModel, buildTrainStepModel, paramNames, type GraphShape, type Precision, type StepOptimizer } from './onnx-graph.ts';
import { classesOf } from '../../theory/loss.ts';
import type { Mat, Mlp } from '../../theory/mlp.ts';
import { isCnn, mlpOnly, type Engine, type Net, type TrainRecord, type TrainResult, type TrainSpec } from './types.ts';
import { buildCnnForwardModel, buildCnnTrainStepModel, cnnArchKey, cnnParamDims, cnnParamNames } from './onnx-cnn-graph.ts';
import { cnnOutputDim, isParamLayer, type Cnn } from '../../theory/cnn.ts';

type Arr = Float32Array | Float64Array;

/** Intra-op threads: DLCLAIMS_THREADS (1–16), default 1. */
export function defaultThreads(): number {
  const t = Number(process.env.DLCLAIMS_THREADS ?? '1');
  return Number.isInteger(t) && t >= 1 && t <= 16 ? t : 1;
}

const sessions = new Map<string, Promise<ort.InferenceSession>>();

// Graph optimizations: 'all' adds fusions that lose bits in float64 (a float64 SGD step drifted 4e-9 relative
// from the reference with 'all', 0 with 'basic', measured here), so float64 graphs get 'basic'.
function optLevel(precision: Precision): 'all' | 'basic' {
  return precision === 'float64' ? 'basic' : 'all';
}

/** Where the graphs run: ONNX Runtime's CPU execution provider, or its CUDA one (`onnx-cuda`, untested here). */
export type Provider = 'cpu' | 'cuda';

function session(key0: string, build: () => Uint8Array, precision: Precision, n: number, provider: Provider = 'cpu'): Promise<ort.InferenceSession> {
  const key = `${provider}:${n}t:${key0}`;
  let s = sessions.get(key);
  if (!s) {
    s = ort.InferenceSession.create(build(), {
      intraOpNumThreads: n,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: optLevel(precision),
      ...(provider === 'cuda' ? { executionProviders: ['cuda'] } : {}),
    });
    if (sessions.size > 64) sessions.clear(); // keep memory bounded when property tests sweep many shapes
    sessions.set(key, s);
  }
  return s;
}

function shapeOf(net: Mlp, K: number, n: number, precision: Precision): GraphShape {
  return {
    widths: [net.layers[0]!.nIn, ...net.layers.map((l) => l.nOut)],
    activation: net.activation,
    parameterization: net.parameterization,
    sigmaW: net.sigmaW,
    sigmaB: net.sigmaB,
    K,
    n,
    precision,
  };
}

/** onnxruntime's CPU provider has no float64 Erf kernel; say so instead of silently computing erf in float32. */
export function supports(net: Pick<Mlp, 'activation'>, precision: Precision): boolean {
  return !(precision === 'float64' && net.activation === 'erf');
}

function checkSupported(net: Mlp, precision: Precision): void {
  if (!supports(net, precision)) throw new Error('onnx-f64: onnxruntime has no float64 Erf kernel; use the float32 onnx engine or the reference engine for erf networks');
}

function alloc(precision: Precision, n: number): Arr {
  return precision === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

/** Stacks K row-major blocks into one typed array. */
function stack(precision: Precision, parts: ArrayLike<number>[]): Arr {
  const len = parts[0]!.length;
  const out = alloc(precision, len * parts.length);
  parts.forEach((p, k) => out.set(p, k * len));
  return out;
}

function tensor(precision: Precision, data: Arr, dims: number[]): ort.Tensor {
  return new ort.Tensor(precision, data, dims);
}

function sameShape(a: TrainSpec, b: TrainSpec): boolean {
  const sa = JSON.stringify(shapeOf(a.net, 1, a.x.rows, 'float64'));
  return (
    sa === JSON.stringify(shapeOf(b.net, 1, b.x.rows, 'float64')) &&
    a.steps === b.steps &&
    a.recordEvery === b.recordEvery &&
    JSON.stringify(a.optimizer) === JSON.stringify(b.optimizer) &&
    (a.loss ?? 'mse') === (b.loss ?? 'mse') &&
    JSON.stringify(a.batch ?? null) === JSON.stringify(b.batch ?? null) &&
    (a.evalX?.rows ?? -1) === (b.evalX?.rows ?? -1)
  );
}

/**
 * Trains K networks of one shape as one batched program. All specs must share architecture, optimizer, steps,
 * recordEvery and data shapes (the data itself and the initial parameters may differ).
 */
export async function trainBatchedOnnx(specs: TrainSpec[], precision: Precision, nThreads = defaultThreads(), provider: Provider = 'cpu'): Promise<TrainResult[]> {
  const first = specs[0]!;
  for (const s of specs) if (!sameShape(first, s)) throw new Error('trainEnsemble: every spec must have the same shape, optimizer, loss, batches, steps and recordEvery');
  const K = specs.length;
  const net = first.net;
  const L = net.layers.length;
  const n = first.x.rows;
  const nOut = net.layers[L - 1]!.nOut;
  const shape = shapeOf(net, K, n, precision);
  checkSupported(net, precision);
  const opt = first.optimizer;
  const adamC = opt.kind === 'adam' ? { beta1: opt.beta1 ?? 0.9, beta2: opt.beta2 ?? 0.999, epsilon: opt.epsilon ?? 1e-7 } : undefined;
  const momC = opt.kind === 'momentum' ? { momentum: opt.momentum, nesterov: opt.nesterov ?? false } : undefined;
  const stepOpt: StepOptimizer = adamC ? { adam: adamC } : momC ? { momentum: momC } : 'sgd';
  const loss = first.loss ?? 'mse';
  const key = JSON.stringify(shape);
  // One step graph per batch size (a full batch and, when size does not divide n, the epoch's last partial batch).
  const trainFor = (batchRows?: number) =>
    session(`train:${key}:${JSON.stringify(stepOpt)}:${loss}:${batchRows ?? 'all'}`, () => buildTrainStepModel(shape, stepOpt, { loss, ...(batchRows !== undefined ? { batchRows } : {}) }), precision, nThreads, provider);
  const rowsAt = first.batch ? batchSchedule(n, first.batch) : undefined;
  const names = paramNames(L);
  const dims = names.map((_, i) => {
    const layer = net.layers[i >> 1]!;
    return i % 2 === 0 ? [K, layer.nIn, layer.nOut] : [K, 1, layer.nOut];
  });

  const feeds: Record<string, ort.Tensor> = {
    X: tensor(precision, stack(precision, specs.map((s) => s.x.data)), [K, n, first.x.cols]),
    Y: tensor(precision, stack(precision, specs.map((s) => targetRows(s, nOut))), [K, n, nOut]),
  };
  names.forEach((nm, i) => {
    const parts = specs.map((s) => (i % 2 === 0 ? s.net.layers[i >> 1]!.W : s.net.layers[i >> 1]!.b));
    feeds[nm] = tensor(precision, stack(precision, parts), dims[i]!);
    const size = parts[0]!.length * K;
    if (adamC) {
      feeds[`M_${nm}`] = tensor(precision, alloc(precision, size), dims[i]!);
      feeds[`V_${nm}`] = tensor(precision, alloc(precision, size), dims[i]!);
    }
    if (momC) feeds[`A_${nm}`] = tensor(precision, alloc(precision, size), dims[i]!);
  });
  feeds.lr = tensor(precision, alloc(precision, 1).fill(opt.lr), []);

  const evalShape = first.evalX ? shapeOf(net, K, first.evalX.rows, precision) : undefined;
  const fwd = evalShape ? await session(`fwd:${JSON.stringify(evalShape)}`, () => buildForwardModel(evalShape), precision, nThreads, provider) : undefined;
  const evalX = first.evalX
    ? tensor(precision, stack(precision, specs.map((s) => s.evalX!.data)), [K, first.evalX.rows, first.evalX.cols])
    : undefined;
  const evalOutputs = async (): Promise<Arr> => {
    const f: Record<string, ort.Tensor> = { X: evalX! };
    for (const nm of names) f[nm] = feeds[nm]!;
    return (await fwd!.run(f)).F!.data as Arr;
  };

  const records: TrainRecord[][] = specs.map(() => []);
  const diverged: (number | undefined)[] = specs.map(() => undefined);
  const fSize = n * nOut;
  const evalSize = first.evalX ? first.evalX.rows * nOut : fSize;
  let active = K;
  for (let t = 0; t <= first.steps && active > 0; t++) {
    if (adamC) {
      feeds.c1 = tensor(precision, alloc(precision, 1).fill(1 - adamC.beta1 ** (t + 1)), []);
      feeds.c2 = tensor(precision, alloc(precision, 1).fill(1 - adamC.beta2 ** (t + 1)), []);
    }
    const last = t === first.steps;
    const rows = rowsAt?.(t);
    if (rows) feeds.IDX = new ort.Tensor('int64', BigInt64Array.from(rows, BigInt), [rows.length]);
    const train = await trainFor(rows?.length);
    // The last record needs outputs but no update; running the step graph and discarding its update keeps one graph.
    const out = await train.run(feeds);
    const F = out.F!.data as Arr;
    const ev = first.evalX && (t % first.recordEvery === 0 || last) ? await evalOutputs() : undefined;
    for (let k = 0; k < K; k++) {
      if (diverged[k] !== undefined) continue;
      const f: Mat = { rows: n, cols: nOut, data: Float64Array.from(F.subarray(k * fSize, (k + 1) * fSize)) };
      const { loss } = trainLoss(specs[k]!, f, specs[k]!.y);
      if (t % first.recordEvery === 0 || last || !Number.isFinite(loss)) {
        const outputs = ev ? Float64Array.from(ev.subarray(k * evalSize, (k + 1) * evalSize)) : f.data;
        records[k]!.push({ step: t, loss, outputs });
      }
      if (!Number.isFinite(loss)) {
        diverged[k] = t;
        active--;
      }
    }
    if (last || active === 0) break;
    for (const nm of names) {
      feeds[nm] = out[`${nm}_new`]!;
      if (adamC) {
        feeds[`M_${nm}`] = out[`M_${nm}_new`]!;
        feeds[`V_${nm}`] = out[`V_${nm}_new`]!;
      }
      if (momC) feeds[`A_${nm}`] = out[`A_${nm}_new`]!;
    }
  }

  // Members that diverged keep training in the batch (their NaNs stay in their own slice); their final parameters
  // are whatever the batch holds at the end, as the reference engine returns the parameters at divergence.
  return specs.map((s, k) => {
    const layers = s.net.layers.map((layer, l) => {
      const W = feeds[names[2 * l]!]!.data as Arr;
      const b = feeds[names[2 * l + 1]!]!.data as Arr;
      const wl = layer.W.length;
      const bl = layer.b.length;
      return { nIn: layer.nIn, nOut: layer.nOut, W: Float64Array.from(W.subarray(k * wl, (k + 1) * wl)), b: Float64Array.from(b.subarray(k * bl, (k + 1) * bl)) };
    });
    const res: TrainResult = { records: records[k]!, final: { ...s.net, layers } };
    if (diverged[k] !== undefined) res.divergedAt = diverged[k];
    return res;
  });
}

/** The Y the step graph takes: the targets for mse, one-hot rows for xent (from class indices or one-hot rows). */
function targetRows(s: TrainSpec, nOut: number): ArrayLike<number> {
  if ((s.loss ?? 'mse') === 'mse') return s.y.data;
  const c = classesOf(s.y, nOut);
  if (!(c instanceof Int32Array)) throw new Error(`y row ${c.row}: ${c.problem}`);
  const out = new Float64Array(c.length * nOut);
  c.forEach((ci, i) => (out[i * nOut + ci] = 1));
  return out;
}

export function makeOnnxEngine(precision: Precision, nThreads = defaultThreads()): Engine {
  const name = precision === 'float64' ? 'onnx-f64' : 'onnx';
  return {
    name,
    backend: `onnxruntime-node-cpu-${nThreads}t`,
    precision,
    train: (async (spec: TrainSpec<Net>) =>
      isCnn(spec.net) ? trainCnnOnnx(spec as TrainSpec<Cnn>, precision, nThreads) : (await trainBatchedOnnx([mlpOnly(name, spec)], precision, nThreads))[0]!) as Engine['train'],
    // CNNs have no batched (K > 1) program: an ensemble of them trains one by one.
    trainEnsemble: async (specs) => {
      if (!specs.some((s) => isCnn(s.net as Net))) return trainBatchedOnnx(specs.map((s) => mlpOnly(name, s)), precision, nThreads);
      const out: TrainResult<Net>[] = [];
      for (const s of specs as TrainSpec<Net>[]) out.push(isCnn(s.net) ? await trainCnnOnnx(s as TrainSpec<Cnn>, precision, nThreads) : (await trainBatchedOnnx([s as TrainSpec], precision, nThreads))[0]!);
      return out as TrainResult[];
    },
  };
}

/**
 * Trains one cnn-v1 network (onnx-cnn-graph.ts, K = 1): the same loop, losses, optimizers, minibatches and records as
 * trainBatchedOnnx and the reference engine.
 */
export async function trainCnnOnnx(spec: TrainSpec<Cnn>, precision: Precision, nThreads = defaultThreads()): Promise<TrainResult<Cnn>> {
  const net = spec.net;
  if (!supports(net, precision)) throw new Error('onnx-f64: onnxruntime has no float64 Erf kernel; use the float32 onnx engine or the reference engine for erf networks');
  const n = spec.x.rows;
  const nOut = cnnOutputDim(net);
  const shape = { net, K: 1, n, precision };
  const arch = cnnArchKey(net);
  const opt = spec.optimizer;
  const adamC = opt.kind === 'adam' ? { beta1: opt.beta1 ?? 0.9, beta2: opt.beta2 ?? 0.999, epsilon: opt.epsilon ?? 1e-7 } : undefined;
  const momC = opt.kind === 'momentum' ? { momentum: opt.momentum, nesterov: opt.nesterov ?? false } : undefined;
  const stepOpt: StepOptimizer = adamC ? { adam: adamC } : momC ? { momentum: momC } : 'sgd';
  const loss = spec.loss ?? 'mse';
  const trainFor = (batchRows?: number) =>
    session(`cnn-train:${precision}:${arch}:${n}:${JSON.stringify(stepOpt)}:${loss}:${batchRows ?? 'all'}`, () => buildCnnTrainStepModel(shape, stepOpt, { loss, ...(batchRows !== undefined ? { batchRows } : {}) }), precision, nThreads);
  const rowsAt = spec.batch ? batchSchedule(n, spec.batch) : undefined;
  const names = cnnParamNames(net);
  const dims = cnnParamDims(net, 1);
  const paramLayers = net.layers.filter(isParamLayer);
  const feeds: Record<string, ort.Tensor> = {
    X: tensor(precision, stack(precision, [spec.x.data]), [1, n, spec.x.cols]),
    Y: tensor(precision, stack(precision, [targetRows(spec as unknown as TrainSpec, nOut)]), [1, n, nOut]),
  };
  names.forEach((nm, i) => {
    const l = paramLayers[i >> 1]!;
    const data = stack(precision, [i % 2 === 0 ? l.W : l.b]);
    feeds[nm] = tensor(precision, data, dims[i]!);
    if (adamC) {
      feeds[`M_${nm}`] = tensor(precision, alloc(precision, data.length), dims[i]!);
      feeds[`V_${nm}`] = tensor(precision, alloc(precision, data.length), dims[i]!);
    }
    if (momC) feeds[`A_${nm}`] = tensor(precision, alloc(precision, data.length), dims[i]!);
  });
  feeds.lr = tensor(precision, alloc(precision, 1).fill(opt.lr), []);
  const evalX = spec.evalX;
  const evalOutputs = async (): Promise<Float64Array> => {
    const es = { net, K: 1, n: evalX!.rows, precision };
    const fwd = await session(`cnn-fwd:${precision}:${arch}:${evalX!.rows}`, () => buildCnnForwardModel(es), precision, nThreads);
    const f: Record<string, ort.Tensor> = { X: tensor(precision, stack(precision, [evalX!.data]), [1, evalX!.rows, evalX!.cols]) };
    for (const nm of names) f[nm] = feeds[nm]!;
    return Float64Array.from((await fwd.run(f)).F!.data as Arr);
  };
  const records: TrainRecord[] = [];
  let divergedAt: number | undefined;
  for (let t = 0; t <= spec.steps; t++) {
    if (adamC) {
      feeds.c1 = tensor(precision, alloc(precision, 1).fill(1 - adamC.beta1 ** (t + 1)), []);
      feeds.c2 = tensor(precision, alloc(precision, 1).fill(1 - adamC.beta2 ** (t + 1)), []);
    }
    const last = t === spec.steps;
    const rows = rowsAt?.(t);
    if (rows) feeds.IDX = new ort.Tensor('int64', BigInt64Array.from(rows, BigInt), [rows.length]);
    const out = await (await trainFor(rows?.length)).run(feeds);
    const f: Mat = { rows: n, cols: nOut, data: Float64Array.from(out.F!.data as Arr) };
    const { loss: lv } = trainLoss(spec, f, spec.y);
    if (t % spec.recordEvery === 0 || last || !Number.isFinite(lv)) records.push({ step: t, loss: lv, outputs: evalX ? await evalOutputs() : f.data });
    if (!Number.isFinite(lv)) {
      divergedAt = t;
      break;
    }
    if (last) break;
    for (const nm of names) {
      feeds[nm] = out[`${nm}_new`]!;
      if (adamC) {
        feeds[`M_${nm}`] = out[`M_${nm}_new`]!;
        feeds[`V_${nm}`] = out[`V_${nm}_new`]!;
      }
      if (momC) feeds[`A_${nm}`] = out[`A_${nm}_new`]!;
    }
  }
  let j = 0;
  const layers = net.layers.map((l) => {
    if (!isParamLayer(l)) return { ...l };
    const W = Float64Array.from(feeds[names[2 * j]!]!.data as Arr);
    const b = Float64Array.from(feeds[names[2 * j + 1]!]!.data as Arr);
    j++;
    return { ...l, W, b };
  });
  const res: TrainResult<Cnn> = { records, final: { ...net, input: [...net.input], layers } };
  if (divergedAt !== undefined) res.divergedAt = divergedAt;
  return res;
}

/**
 * `onnx-cuda` (UNTESTED: no GPU on the machines this suite is developed on): the same float32 graphs on ONNX Runtime's
 * CUDA execution provider. onnxruntime-node ships the CUDA provider as a separate download (its install script fetches
 * it unless `onnxruntime-node-install=skip`, as this project's .npmrc says), and it needs an NVIDIA GPU with the CUDA 12
 * runtime. Where the provider is missing this refuses with one line (exit 3) instead of silently running on the CPU.
 */
export async function makeOnnxCudaEngine(): Promise<Engine> {
  const cuda = ort.listSupportedBackends?.().find((b) => b.name === 'cuda');
  const hint = 'reinstall onnxruntime-node without onnxruntime-node-install=skip on a machine with an NVIDIA GPU and CUDA 12';
  if (!cuda?.bundled) throw new EnvironmentError(`DLCLAIMS_ENGINE=onnx-cuda: this onnxruntime-node has no CUDA execution provider (${hint})`);
  try {
    // A one-layer forward graph proves the provider loads (driver, CUDA libraries) before any claim runs.
    const probe = { widths: [1, 1], activation: 'linear' as const, parameterization: 'standard' as const, sigmaW: 1, sigmaB: 0, K: 1, n: 1, precision: 'float32' as const };
    await session(`probe:${JSON.stringify(probe)}`, () => buildForwardModel(probe), 'float32', 1, 'cuda');
  } catch (e) {
    throw new EnvironmentError(`DLCLAIMS_ENGINE=onnx-cuda: the CUDA execution provider did not start (${(e as Error).message.split('\n')[0]}; ${hint})`);
  }
  return {
    name: 'onnx-cuda',
    backend: 'onnxruntime-node-cuda',
    precision: 'float32',
    train: (async (spec: TrainSpec<Net>) => (await trainBatchedOnnx([mlpOnly('onnx-cuda', spec)], 'float32', 1, 'cuda'))[0]!) as Engine['train'],
    trainEnsemble: (specs) => trainBatchedOnnx(specs.map((s) => mlpOnly('onnx-cuda', s)), 'float32', 1, 'cuda'),
  };
}

/** Forward pass only (K = 1), for benchmarks and checks. */
export async function onnxForward(net: Mlp, x: Mat, precision: Precision): Promise<Float64Array> {
  const shape = shapeOf(net, 1, x.rows, precision);
  checkSupported(net, precision);
  const s = await session(`fwd:${JSON.stringify(shape)}`, () => buildForwardModel(shape), precision, defaultThreads());
  const feeds: Record<string, ort.Tensor> = { X: tensor(precision, stack(precision, [x.data]), [1, x.rows, x.cols]) };
  net.layers.forEach((l, i) => {
    feeds[`W${i}`] = tensor(precision, stack(precision, [l.W]), [1, l.nIn, l.nOut]);
    feeds[`B${i}`] = tensor(precision, stack(precision, [l.b]), [1, 1, l.nOut]);
  });
  return Float64Array.from((await s.run(feeds)).F!.data as Arr);
}
