// The training-engine interface: experiments train MLPs through this, so a claim does not care which engine runs it.
// Initial parameters always come from the float64 `Mlp` the experiment built from its seeded stream, so every
// engine starts from the same point; the loss is one of the `loss-grad` contract's (theory/loss.ts): squared error
// L = (1/2n)·Σ_i ||f(x_i) − y_i||² (the default) or softmax cross-entropy L = (1/n)·Σ_i −log softmax(f(x_i))_{c_i}.
import type { Mat, Mlp } from '../../theory/mlp.ts';
import type { LossKind } from '../../theory/loss.ts';
import type { Cnn } from '../../theory/cnn.ts';

/** The networks an engine may train: mlp-v1, or cnn-v1 (reference, tfjs, onnx and onnx-f64; onnx-cuda refuses them). */
export type Net = Mlp | Cnn;

/** cnn-v1 networks carry their input shape; mlp-v1 networks do not. */
export function isCnn(net: Net): net is Cnn {
  return 'input' in net;
}

export type OptimizerSpec =
  | { kind: 'sgd'; lr: number }
  | { kind: 'adam'; lr: number; beta1?: number; beta2?: number; epsilon?: number }
  /**
   * SGD with momentum, the PyTorch (torch.optim.SGD, dampening 0) and TensorFlow (tf.train.MomentumOptimizer,
   * tf.train.momentum in TensorFlow.js) convention: a ← μ·a + g (a starts at 0);
   * heavy ball θ ← θ − η·a; Nesterov θ ← θ − η·(g + μ·a) with the updated a.
   */
  | { kind: 'momentum'; lr: number; momentum: number; nesterov?: boolean };

/**
 * Minibatch SGD: each epoch visits the n training rows in a seeded random order (core/engine/batches.ts, one shared
 * pure function, so every engine sees the same batches), in consecutive batches of `size` rows; the last, partial
 * batch of an epoch is kept (so an epoch is ceil(n/size) steps). One step = one batch; the gradient is that of the
 * loss averaged over the batch's rows.
 */
export interface BatchSpec {
  size: number;
  seed: string;
}

export interface TrainSpec<N extends Net = Mlp> {
  /** Initial network (mlp-v1 or cnn-v1 semantics, either parameterization). */
  net: N;
  x: Mat;
  y: Mat;
  optimizer: OptimizerSpec;
  /** Training loss (default 'mse'). For 'xent', y is n×1 class indices or n×k one-hot rows (theory/loss.ts classesOf). */
  loss?: LossKind;
  /** Minibatches (default: full batch). Recorded losses and outputs are still on the full training set and evalX. */
  batch?: BatchSpec;
  steps: number;
  /** Record every `recordEvery` steps, and always at step 0 and at the last step. */
  recordEvery: number;
  /** Inputs whose outputs are recorded (default: x). */
  evalX?: Mat;
}

export interface TrainRecord {
  step: number;
  /** Training loss on the full training set before the update of this step (also with minibatches). */
  loss: number;
  /** Outputs on evalX (rows × n_out, row-major), before the update of this step. */
  outputs: Float64Array;
}

export interface TrainResult<N extends Net = Mlp> {
  records: TrainRecord[];
  /** Parameters after the last step, as float64. */
  final: N;
  /** Set when the loss became NaN or infinite; training stops there. */
  divergedAt?: number;
}

export interface Engine {
  /** 'reference' (float64 JS), 'tfjs', 'onnx'. */
  name: string;
  /** The backend in use, for run-info (e.g. 'wasm', 'cpu', 'tensorflow', 'cpu-float64'). */
  backend: string;
  precision: 'float32' | 'float64';
  /** An engine that does not train cnn-v1 networks (onnx-cuda) refuses them with a message (mlpOnly). */
  train<N extends Net = Mlp>(spec: TrainSpec<N>): Promise<TrainResult<N>>;
  /**
   * Optional: K independent networks of one shape (same architecture, optimizer, steps, recordEvery and data
   * shapes) trained as one batched program. Use `trainEnsemble(engine, specs)` from core/engine/index.ts, which
   * falls back to a loop over `train` for engines without it. Results are in the order of `specs`.
   */
  trainEnsemble?(specs: TrainSpec[]): Promise<TrainResult[]>;
}

/** The spec, for engines that train mlp-v1 networks only: refuses a cnn-v1 network with a message. */
export function mlpOnly(engine: string, spec: TrainSpec<Net>): TrainSpec {
  if (isCnn(spec.net)) throw new Error(`${engine}: cnn-v1 networks are not implemented in this engine (the reference, tfjs, onnx and onnx-f64 engines train them)`);
  return spec as TrainSpec;
}
