// Claims of the embedding family (Embedding Principle, BRIEF §4). Each claim lives in its own module; this file
// lists them for the registry, each followed by its controls (rival controls carry rivalOf; the others are bug detectors).
import type { AnyClaim } from '../../core/claim.ts';
import { cnnChannelSplit, cnnChannelSplitRival } from './cnn-split.ts';
import { criticalityControl, criticalityPreserving, criticalityRival } from './criticality-preserving.ts';
import { outputPreserving, outputPreservingControl, outputPreservingRival } from './output-preserving.ts';
import { trainingPlateaus, trainingPlateausRival } from './training-plateaus.ts';

export const claims: AnyClaim[] = [outputPreserving, outputPreservingControl, outputPreservingRival, criticalityPreserving, criticalityControl, criticalityRival, trainingPlateaus, trainingPlateausRival, cnnChannelSplit, cnnChannelSplitRival];
