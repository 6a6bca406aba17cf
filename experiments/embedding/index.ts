// Claims of the embedding family (Embedding Principle, BRIEF §4). Each claim lives in its own module; this file
// lists them for the registry, each followed by its negative control.
import type { AnyClaim } from '../../core/claim.ts';
import { criticalityControl, criticalityPreserving } from './criticality-preserving.ts';
import { outputPreserving, outputPreservingControl } from './output-preserving.ts';
import { trainingPlateaus, trainingPlateausRival } from './training-plateaus.ts';

export const claims: AnyClaim[] = [outputPreserving, outputPreservingControl, criticalityPreserving, criticalityControl, trainingPlateaus, trainingPlateausRival];
