// Claims of the overparam family (brief §6–§8). Each claim lives in its own module; this file lists them for the registry.
import type { AnyClaim } from '../../core/claim.ts';
import { conditioning, conditioningNarrow } from './conditioning.ts';
import { doubleDescent, doubleDescentTunedRidge } from './double-descent.ts';
import { doubleDescentNet, doubleDescentNetWeightDecay } from './double-descent-net.ts';
import { phaseDiagram, phaseDiagramFixedScale } from './phase-diagram.ts';
import { transitionToLinearity, transitionToLinearityBottleneck, transitionToLinearityOutputTanh } from './transition-to-linearity.ts';

export const claims: AnyClaim[] = [conditioning, conditioningNarrow, transitionToLinearity, transitionToLinearityOutputTanh, transitionToLinearityBottleneck, doubleDescent, doubleDescentTunedRidge, doubleDescentNet, doubleDescentNetWeightDecay, phaseDiagram, phaseDiagramFixedScale];
