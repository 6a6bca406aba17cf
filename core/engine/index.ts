// Engine selection. DLCLAIMS_ENGINE picks one by name; the default is the float64 reference engine
// until a faster engine proves it gives the same verdicts (see DESIGN.md "Engines").
import { InputError } from '../formats.ts';
import { referenceEngine } from './reference.ts';
import type { Engine } from './types.ts';

const ENGINES: Record<string, () => Promise<Engine>> = {
  reference: async () => referenceEngine,
};

let chosen: Promise<Engine> | undefined;

export function getEngine(): Promise<Engine> {
  if (!chosen) {
    const name = process.env.DLCLAIMS_ENGINE ?? 'reference';
    const make = ENGINES[name];
    if (!make) throw new InputError(`DLCLAIMS_ENGINE: unknown engine "${name}" (known: ${Object.keys(ENGINES).join(', ')})`);
    chosen = make();
  }
  return chosen;
}

export type { Engine, TrainSpec, TrainResult, TrainRecord, OptimizerSpec } from './types.ts';
