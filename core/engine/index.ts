// Engine selection. DLCLAIMS_ENGINE picks one by name; the default is the float64 reference engine
// until a faster engine proves it gives the same verdicts (see DESIGN.md "Engines").
//   reference  float64 JS loops (default: the families calibrate on it)
//   onnx       onnxruntime-node, float32: the fast path (opt-in)
//   onnx-f64   onnxruntime-node, float64: agrees with reference to ~1e-15 (no erf: no float64 Erf kernel)
//   onnx-cuda  onnxruntime-node's CUDA execution provider, float32 (UNTESTED here: no GPU); exit 3 where unavailable
//   tfjs       TensorFlow.js autodiff, float32 (tfjs-node if it loads, else wasm, else cpu; DLCLAIMS_BACKEND)
// Engines load lazily, so choosing reference never loads onnxruntime or tfjs.
// Why reference stays the default: the families calibrated their thresholds on float64, and some measure effects
// near float32 rounding (e.g. width-scaling discrepancies); onnx agrees with reference to ~1e-7 relative per step
// (properties/engine.test.ts) but "same verdicts" is a property of the claims, not of the engine. Switch only after
// `npx tsx bench/verdicts.ts --engines reference,onnx` reports that every claim's verdict agrees.
// Why not onnx-f64 (same float64 semantics) either (issue 19, measured): since the reference engine's workspace
// kernels (theory/mlp.ts forwardInto/backwardInto), the CI-sized nets train as fast on reference as on onnx-f64
// (fprinciple.1d: 5.8 vs 4.7 s of CPU for the whole process, 7.8 vs 7.0 on a rerun, load 13), while reference needs
// no optional dependency and keeps report.json byte-identical to earlier runs. onnx-f64 wins where the matrices are
// large (a 10 000-image MNIST step: 6× faster; the authors' 1-200-200-200-100-1 net: see bench.json): use
// DLCLAIMS_ENGINE=onnx-f64 for the full tier if onnxruntime-node is installed.
import { InputError } from '../errors.ts';
import { importOptional } from '../optional.ts';
import { referenceEngine } from './reference.ts';
import type { Engine, TrainResult, TrainSpec } from './types.ts';

export const ENGINES: Record<string, () => Promise<Engine>> = {
  reference: async () => referenceEngine,
  onnx: async () => (await loadOnnx('onnx')).makeOnnxEngine('float32'),
  'onnx-f64': async () => (await loadOnnx('onnx-f64')).makeOnnxEngine('float64'),
  'onnx-cuda': async () => (await loadOnnx('onnx-cuda')).makeOnnxCudaEngine(),
  tfjs: async () => (await importOptional(['@tensorflow/tfjs-core', '@tensorflow/tfjs'], 'the tfjs engine', () => import('./tfjs.ts'))).makeTfjsEngine(),
};

// onnxruntime-node and @tensorflow/* are optional peer dependencies of the published package (core/optional.ts).
function loadOnnx(name: string) {
  return importOptional(['onnxruntime-node', 'onnx-proto'], `the ${name} engine`, () => import('./onnx.ts'));
}

/** An engine by name (for cross-engine checks and benchmarks); getEngine() is what claims use. */
export function engineByName(name: string): Promise<Engine> {
  const make = Object.hasOwn(ENGINES, name) ? ENGINES[name] : undefined; // never Object.prototype's members
  if (!make) throw new InputError(`engine: unknown engine "${name}" (known: ${Object.keys(ENGINES).join(', ')})`);
  return make();
}

/**
 * Trains K independent networks of one shape (e.g. one per replicate seed). Engines with a batched implementation
 * run them as one program; the others loop. Results are in the order of `specs`.
 */
export async function trainEnsemble(engine: Engine, specs: TrainSpec[]): Promise<TrainResult[]> {
  if (specs.length === 0) return [];
  if (engine.trainEnsemble) return engine.trainEnsemble(specs);
  const out: TrainResult[] = [];
  for (const s of specs) out.push(await engine.train(s));
  return out;
}

let chosen: Promise<Engine> | undefined;

/** Refuses (exit 2) an unknown DLCLAIMS_ENGINE before any claim runs, instead of failing inside each claim. */
export function checkEngineEnv(): void {
  const name = process.env.DLCLAIMS_ENGINE;
  if (name !== undefined && !Object.hasOwn(ENGINES, name)) throw new InputError(`DLCLAIMS_ENGINE: unknown engine "${name}" (known: ${Object.keys(ENGINES).join(', ')})`);
}

export function getEngine(): Promise<Engine> {
  if (!chosen) {
    const name = process.env.DLCLAIMS_ENGINE ?? 'reference';
    const make = Object.hasOwn(ENGINES, name) ? ENGINES[name] : undefined;
    if (!make) throw new InputError(`DLCLAIMS_ENGINE: unknown engine "${name}" (known: ${Object.keys(ENGINES).join(', ')})`);
    chosen = make();
  }
  return chosen;
}

export type { Engine, TrainSpec, TrainResult, TrainRecord, OptimizerSpec } from './types.ts';
