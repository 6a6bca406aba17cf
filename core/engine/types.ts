// The training-engine interface: experiments train MLPs through this, so a claim does not care which engine runs it.
// Initial parameters always come from the float64 `Mlp` the experiment built from its seeded stream, so every
// engine starts from the same point; the loss is the `loss-grad` contract's L = (1/2n)·Σ_i ||f(x_i) − y_i||².
import type { Mat, Mlp } from '../../theory/mlp.ts';

export type OptimizerSpec =
  | { kind: 'sgd'; lr: number }
  | { kind: 'adam'; lr: number; beta1?: number; beta2?: number; epsilon?: number };

export interface TrainSpec {
  /** Initial network (mlp-v1 semantics, either parameterization). */
  net: Mlp;
  x: Mat;
  y: Mat;
  optimizer: OptimizerSpec;
  steps: number;
  /** Record every `recordEvery` steps, and always at step 0 and at the last step. */
  recordEvery: number;
  /** Inputs whose outputs are recorded (default: x). */
  evalX?: Mat;
}

export interface TrainRecord {
  step: number;
  /** Training loss before the update of this step. */
  loss: number;
  /** Outputs on evalX (rows × n_out, row-major), before the update of this step. */
  outputs: Float64Array;
}

export interface TrainResult {
  records: TrainRecord[];
  /** Parameters after the last step, as float64. */
  final: Mlp;
  /** Set when the loss became NaN or infinite; training stops there. */
  divergedAt?: number;
}

export interface Engine {
  /** 'reference' (float64 JS), 'tfjs', 'onnx'. */
  name: string;
  /** The backend in use, for run-info (e.g. 'wasm', 'cpu', 'tensorflow', 'cpu-float64'). */
  backend: string;
  precision: 'float32' | 'float64';
  train(spec: TrainSpec): Promise<TrainResult>;
  /**
   * Optional: K independent networks of one shape (same architecture, optimizer, steps, recordEvery and data
   * shapes) trained as one batched program. Use `trainEnsemble(engine, specs)` from core/engine/index.ts, which
   * falls back to a loop over `train` for engines without it. Results are in the order of `specs`.
   */
  trainEnsemble?(specs: TrainSpec[]): Promise<TrainResult[]>;
}
