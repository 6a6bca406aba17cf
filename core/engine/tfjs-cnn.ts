// CNNs in the TensorFlow.js engine: not implemented yet, so a cnn-v1 spec is refused (never trained as something else).
import type { Cnn } from '../../theory/cnn.ts';
import { cnnUnsupported } from './cnn.ts';
import type { TrainResult, TrainSpec } from './types.ts';

export async function trainTfjsCnn(_spec: TrainSpec<Cnn>): Promise<TrainResult<Cnn>> {
  throw cnnUnsupported('tfjs');
}
